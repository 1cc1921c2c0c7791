"""From a selection of nodes to a :class:`ViewModel`: nodes with colours and shapes per actor type, edges
per relation kind, a legend, positions computed with igraph (physics stays off in the browser), and —
beyond ``max_nodes`` — groups of nodes (by type or territory) that the page announces.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="actor", label="<b>A</b>", types=["association"], themes=[], start="2019",
...            end=None, territory=[], sources=[("doc/1", "A est une association.")])
>>> G.add_node("p", kind="programme", label="P", types=["programme"], themes=["ess"], start="2020",
...            end=None, territory=[], sources=[])
>>> _ = G.add_edge("a", "p", kind="participation", role="porteur", start="2020", end=None, sources=[])
>>> m = build_model(G, G.nodes, title="Test")
>>> [n["label"] for n in m.nodes], m.grouped, len(m.edges)
(['<b>A</b>', 'P'], False, 1)
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.model.dates import is_active
from kg.model.words import euros
from kg.network.attributes import concept_labels, listed, sources_of
from kg.network.chains import at
from kg.network.projection import as_of_day, is_undated
from kg.present.layout import FONT, FONT_BIG, SEPARATE_MAX, layout, node_box, separate, text_width, wrap
from kg.present.style import EDGE_STYLES, FAMILIES, UI, family, label_of

__all__ = [
    "DEFAULT_MAX_NODES",
    "UNDATED_NOTE",
    "ViewModel",
    "at_date",
    "build_model",
    "generation_day",
    "layout",
    "node_box",
    "separate",
    "text_width",
    "undated_relations",
    "wrap",
]

#: beyond this many nodes a view groups the rest (a slide holds 100–200 readable nodes)
DEFAULT_MAX_NODES = 200


#: what a view opened at a date says about the relations without a date of their own
UNDATED_NOTE = {
    "fr": "{at} : {n} relation{s} sans date connue reste{nt} affichée{s} quelle que soit l'année du "
    "curseur ; rien ne dit qu'elle{s} existai{ent} à cette date.",
    "en": "{at}: {n} relation{s} with no known date stay{st} shown whatever the slider's year; "
    "nothing says {they} existed then.",
}


def at_date(as_of: str | int, lang: str = "fr") -> str:
    """« En 2019 », « Au 2019-06-30 », "On 2019-06-30": a date as the start of a sentence.

    >>> at_date(2019), at_date("2019-06-30"), at_date("2019-06-30", "en")
    ('En 2019', 'Au 2019-06-30', 'On 2019-06-30')
    """
    text = at(as_of, lang)
    return text[:1].upper() + text[1:]


def undated_relations(G: nx.MultiDiGraph, nodes: Iterable[str], as_of: str | int) -> int:
    """How many relations between *nodes* have no start date of their own and had not ended at *as_of*:
    a view opened at *as_of* keeps them, since they may have existed then. A grant drawn as two links
    (funder → grant → recipient) is one relation; links to a territory, context rather than
    alliances, are not counted.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", kind="soutien", via="s", start=None, end=None)
    >>> _ = G.add_edge("a", "b", kind="adhesion", via="m", start="2020", end=None)
    >>> _ = G.add_edge("a", "c", kind="adhesion", via="n", start=None, end="2010")
    >>> _ = G.add_edge("a", "g", kind="financement", via="g", start=None, end=None)
    >>> _ = G.add_edge("g", "b", kind="financement", via="g", start=None, end=None)
    >>> undated_relations(G, "abcg", 2015)
    2
    """
    day = as_of_day(as_of)
    return len(
        {
            d.get("via") or (a, b, d.get("kind"))
            for a, b, d in G.subgraph(list(nodes)).edges(data=True)
            if d.get("kind") != "territoire" and is_undated(d) and is_active(None, d.get("end"), day)
        }
    )


def _undated_note(n: int, as_of: str | int, lang: str) -> str:
    many = n != 1
    if lang == "fr":
        words = {"s": "s" if many else "", "nt": "nt" if many else "", "ent": "ent" if many else "t"}
    else:
        words = {"s": "s" if many else "", "st": "" if many else "s", "they": "they" if many else "it"}
    return UNDATED_NOTE[lang].format(at=at_date(as_of, lang), n=n, **words)


@dataclass
class ViewModel:
    """Everything the page shows, as plain data (JSON-ready)."""

    title: str
    caption: str
    lang: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: list[dict[str, str]]
    kinds: list[dict[str, str]]
    themes: list[dict[str, str]]
    years: tuple[int, int] | None
    year: int | None = None
    grouped: bool = False
    note: str = ""
    ui: dict[str, str] = field(default_factory=dict)
    #: page add-ons by name: ``kg/present/static/<name>.js`` (and ``<name>.css`` if any) are inlined
    #: after ``view.js``, and the value reaches the page as ``DATA.addons[name]``
    addons: dict[str, Any] = field(default_factory=dict)
    #: the source documents the nodes and edges cite, by id: ``{"title", "publisher", "issued"}``
    documents: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the caption of a still picture (SVG/PNG): the same facts, without « survolez »
    still_caption: str = ""
    #: what the nodes draw, labels included, as ``[left, top, right, bottom]`` in canvas pixels: the page
    #: zooms it to fill the frame (``None`` beyond :data:`kg.present.layout.SEPARATE_MAX` nodes)
    extent: list[float] | None = None


def _year(value: Any) -> int | None:
    if not value:
        return None
    try:
        return int(str(value)[:4])
    except ValueError:
        return None


def _num(v: Any) -> float | None:
    if v is None:
        return None
    return float(v) if isinstance(v, (Decimal, int, float)) else None


def _sources(srcs: Iterable[Any]) -> list[list[str]]:
    return [[str(doc).rsplit("/", 1)[-1], str(quote)] for doc, quote in (srcs or [])]


def _group_key(G: nx.MultiDiGraph, n: str, by: str, labels: dict, lang: str) -> tuple[str, str]:
    d = G.nodes[n]
    if by == "territory":
        ts = listed(d.get("territory"))
        if ts and ts[0] in G:
            return "t:" + ts[0], str(G.nodes[ts[0]].get("label") or ts[0])
        if d.get("kind") == "territory":
            return "t:" + n, str(d.get("label") or n)
        none = "sans territoire" if lang == "fr" else "no territory"
        return "t:-", none
    fam = family(d)
    return "f:" + fam, label_of(labels, fam, lang)


def generation_day() -> datetime.date:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds: the same data
    gives the same files whatever the day)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.datetime.now(datetime.UTC).date()


def build_model(
    G: nx.MultiDiGraph,
    nodes: Iterable[str],
    *,
    title: str,
    caption: str | None = None,
    lang: str = "fr",
    highlight: Iterable[str] = (),
    highlight_edges: Iterable[tuple[str, str]] = (),
    focus: Iterable[str] = (),
    as_of: str | int | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    group_by: str = "type",
    seed: int = 1,
    node_figures: dict[str, list[str]] | None = None,
    node_reasons: dict[str, list[str]] | None = None,
    size_by: dict[str, float] | None = None,
    generated: datetime.date | None = None,
) -> ViewModel:
    """The :class:`ViewModel` of the subgraph of *G* on *nodes*.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.projection.project`) or a graph with the same attributes.
    nodes : iterable of str
        The nodes to show.
    title, caption : str
        Shown above and below the network (the caption defaults to counts and provenance).
    lang : {"fr", "en"}
        Language of the legend, the controls and the tooltips (actor names stay as they are).
    highlight, highlight_edges : iterable
        Nodes and ``(u, v)`` edges drawn emphasised (an alliance chain); never grouped.
    focus : iterable of str
        Nodes never grouped (the actor or programme the view is about).
    as_of : str or int, optional
        Initial position of the year slider (default: the latest year, i.e. everything). The page
        then says how many relations without a date of their own it keeps (:func:`undated_relations`):
        the slider never hides them.
    max_nodes : int or None
        Beyond this many nodes, group the others by *group_by*; ``None`` never groups.
    group_by : {"type", "territory"}
    node_figures : dict, optional
        Key figures per node IRI (:func:`figures`), shown in the tooltips.
    node_reasons : dict, optional
        Why each node is in the selection (a territory's ecosystem: :meth:`kg.store.ecosystem.Ecosystem.explain`),
        shown in the tooltips.
    size_by : dict, optional
        A figure per node IRI (an amount, a headcount…) that sets the node's size (its area grows with the
        figure; nodes without one are the smallest); by default the size follows the node's links.
    generated : datetime.date, optional
        The day the caption says the view was made, and the last year of the slider (default:
        :func:`generation_day`).

    Raises
    ------
    ExportError
        For an unknown language or grouping.
    QueryError
        When *as_of* is not a date (a message in *lang*).
    """
    if lang not in UI:
        raise ExportError(f'--lang "{lang}" is not supported; use fr or en')
    if as_of is not None:
        as_of_day(as_of, lang=lang)
    if group_by not in ("type", "territory"):
        raise ExportError(f'grouping "{group_by}" is not supported; use type or territory')
    words = UI[lang]
    labels = concept_labels(G)
    # sorted: selections are sets, whose order changes between processes, and the layout depends on it
    keep = sorted({n for n in nodes if n in G}, key=str)
    hl = {n for n in highlight if n in G}
    hl_edges = set(highlight_edges)
    pinned = hl | {n for n in focus if n in G}

    # grouping: keep the pinned nodes and the best-connected ones, gather the rest
    member_of: dict[str, str] = {}
    group_members: dict[str, list[str]] = defaultdict(list)
    group_names: dict[str, str] = {}
    note = ""
    if max_nodes is not None and len(keep) > max_nodes:
        sub = G.subgraph(keep)
        ranked = sorted(keep, key=lambda n: (n not in pinned, -sub.degree(n), str(n)))
        budget = max(max_nodes // 2, len(pinned))
        shown = set(ranked[:budget])
        for n in keep:
            if n not in shown:
                key, name = _group_key(G, n, group_by, labels, lang)
                member_of[n] = key
                group_members[key].append(n)
                group_names[key] = name
        room = max(1, max_nodes - len(shown))
        if len(group_members) > room:  # too many groups: the smallest go into one "other" group
            other = "f:other"
            group_names[other] = "autres" if lang == "fr" else "others"
            for key in sorted(group_members, key=lambda k: len(group_members[k]), reverse=True)[room - 1 :]:
                for m in group_members.pop(key):
                    member_of[m] = other
                    group_members[other].append(m)
        for key, members in list(group_members.items()):  # a group of one is just the node
            if len(members) == 1:
                del member_of[members[0]]
                del group_members[key]
        if group_members:
            note = words["grouped"].format(
                n=len(member_of),
                max=max_nodes,
                g=len(group_members),
                by=words["by_territory" if group_by == "territory" else "by_type"],
            )

    def rep(n: str) -> str:
        return member_of.get(n, n)

    drawn = [n for n in keep if n not in member_of] + list(group_members)
    # a projected graph for the layout: groups stand for their members
    L: nx.Graph[str] = nx.Graph()
    L.add_nodes_from(drawn)
    for a, b in sorted(G.subgraph(keep).edges()):
        ra, rb = rep(a), rep(b)
        if ra != rb:
            L.add_edge(ra, rb)
    show = {n: _display(G, n, L.degree(n), n in pinned, lang) for n in drawn if n not in group_members}
    if size_by is not None:
        top = max((abs(float(v)) for n, v in size_by.items() if n in show), default=0.0) or 1.0
        for n, (label, short, _) in show.items():
            size = 9.0 + 19.0 * math.sqrt(abs(float(size_by.get(n) or 0.0)) / top)
            show[n] = (label, short, max(size, 18.0) if n in pinned else size)
    for key, members in group_members.items():
        text = f"{group_names[key]} ({len(members)})"
        show[key] = (text, wrap(text), 14 + 3 * math.log2(len(members)))
    boxes = {
        n: node_box(_shape_of(G, n, group_members), show[n][1], show[n][2], FONT_BIG if n in pinned else FONT)
        for n in drawn
    }
    pos = layout(L, drawn, seed=seed, boxes=boxes)
    extent = None
    if drawn and len(drawn) <= SEPARATE_MAX:
        extent = [
            round(min(pos[n][0] - boxes[n][0] / 2 for n in drawn), 1),
            round(min(pos[n][1] + boxes[n][2] - boxes[n][1] / 2 for n in drawn), 1),
            round(max(pos[n][0] + boxes[n][0] / 2 for n in drawn), 1),
            round(max(pos[n][1] + boxes[n][2] + boxes[n][1] / 2 for n in drawn), 1),
        ]

    index = {n: f"n{i}" for i, n in enumerate(drawn)}
    out_nodes: list[dict[str, Any]] = []
    families: Counter[str] = Counter()
    theme_set: set[str] = set()
    years: list[int] = []
    for n in drawn:
        x, y = pos[n]
        if n in group_members:
            members = group_members[n]
            fam = "group"
            families[fam] += 1
            member_labels = sorted(str(G.nodes[m].get("label") or m) for m in members)
            out_nodes.append(
                {
                    "id": index[n],
                    "label": show[n][0],
                    "short": show[n][1],
                    "family": fam,
                    "familyLabel": label_of(labels, fam, lang),
                    "group": True,
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "size": round(show[n][2], 1),
                    "members": member_labels[:50],
                    "memberCount": len(members),
                    "kind": "group",
                    "themes": [],
                    "types": [],
                }
            )
            continue
        d = G.nodes[n]
        fam = family(d)
        families[fam] += 1
        themes: list[Any] = listed(d.get("themes"))
        theme_set.update(themes)
        y0, y1 = _year(d.get("start")), _year(d.get("end"))
        years.extend(v for v in (y0, y1) if v)
        territory = [str(G.nodes[t].get("label") or t) for t in listed(d.get("territory")) if t in G]
        type_labels = [label_of(labels, t, lang) for t in listed(d.get("types"))]
        label, short, size = show[n]
        out_nodes.append(
            {
                "id": index[n],
                "iri": n,
                "label": label,
                "short": short,
                "size": round(size, 1),
                "alt": listed(d.get("alt_labels")),
                "description": d.get("description"),
                "kind": d.get("kind"),
                "family": fam,
                "familyLabel": label_of(labels, fam, lang),
                "types": type_labels,
                "themes": themes,
                "themeLabels": [label_of(labels, t, lang, "theme") for t in themes],
                "territory": territory,
                "start": d.get("start"),
                "end": d.get("end"),
                "y0": y0,
                "y1": y1,
                "sources": _sources(sources_of(d.get("sources"))),
                "x": round(x, 1),
                "y": round(y, 1),
                "hl": n in hl,
                "focus": n in pinned,
                "figures": (node_figures or {}).get(n, [])[:5],
                "reasons": (node_reasons or {}).get(n, [])[:8],
            }
        )

    out_edges: list[dict[str, Any]] = []
    grouped_edges: Counter[tuple[str, str, str]] = Counter()
    kinds_seen: Counter[str] = Counter()
    # a stable order (the store's scan order is not): the same graph gives the same file
    for a, b, d in sorted(
        G.subgraph(keep).edges(data=True),
        key=lambda e: (e[0], e[1], str(e[2].get("kind")), str(e[2].get("via")), str(e[2].get("start"))),
    ):
        ra, rb = rep(a), rep(b)
        if ra == rb:
            continue
        kind = str(d.get("kind") or "")
        if ra != a or rb != b:
            grouped_edges[(ra, rb, kind)] += 1
            continue
        kinds_seen[kind] += 1
        y0, y1 = _year(d.get("start")), _year(d.get("end"))
        years.extend(v for v in (y0, y1) if v)
        role = d.get("role")
        amount = _num(d.get("amount"))
        if amount is None and kind == "financement" and d.get("via") in G:  # the grant's amount
            amount = _num(G.nodes[d["via"]].get("amount"))
        out_edges.append(
            {
                "id": f"e{len(out_edges)}",
                "from": index[a],
                "to": index[b],
                "kind": kind,
                "kindLabel": label_of(labels, kind, lang, "relation-kind"),
                "role": label_of(labels, role, lang, "role") if role else None,
                "label2": d.get("label"),
                "start": d.get("start"),
                "end": d.get("end"),
                "y0": y0,
                "y1": y1,
                "amount": euros(amount, lang) if amount is not None else None,
                "sources": _sources(sources_of(d.get("sources"))),
                "hl": (a, b) in hl_edges,
            }
        )
    for (ra, rb, kind), count in grouped_edges.items():
        kinds_seen[kind] += 1
        out_edges.append(
            {
                "id": f"e{len(out_edges)}",
                "from": index[ra],
                "to": index[rb],
                "kind": kind,
                "kindLabel": label_of(labels, kind, lang, "relation-kind"),
                "count": count,
                "sources": [],
                "hl": False,
                "y0": None,
                "y1": None,
                "width": min(8.0, 1 + math.log2(count)),
            }
        )

    documents: dict[str, dict[str, str]] = {}
    known = {k.rsplit("/", 1)[-1]: v for k, v in _documents(G).items()}
    for item in (*out_nodes, *out_edges):
        for doc, _ in item.get("sources") or []:
            if doc not in documents and doc in known:
                documents[doc] = {k: str(v) for k, v in known[doc].items() if v}
    for nd in out_nodes:
        colour, shape = FAMILIES[nd["family"]]
        nd["color"], nd["shape"] = colour, shape
    for ed in out_edges:
        colour, width = EDGE_STYLES.get(ed["kind"], ("#999999", 1.0))
        ed["color"], ed["width"] = colour, ed.get("width", width) * (2.5 if ed["hl"] else 1)
    legend = [
        {
            "key": fam,
            "label": label_of(labels, fam, lang),
            "color": FAMILIES[fam][0],
            "shape": FAMILIES[fam][1],
            "count": str(c),
        }
        for fam, c in sorted(families.items())
    ]
    kinds = [
        {
            "key": k,
            "label": label_of(labels, k, lang, "relation-kind"),
            "color": EDGE_STYLES.get(k, ("#999999", 1))[0],
            "count": str(c),
        }
        for k, c in sorted(kinds_seen.items())
    ]
    themes = sorted(
        ({"key": t, "label": label_of(labels, t, lang, "theme")} for t in theme_set), key=lambda t: t["label"]
    )
    day = generated or generation_day()
    span = (min(years), max(max(years), day.year)) if years else None
    year = _year(str(as_of)) if as_of is not None else None
    if as_of is not None:
        undated = _undated_note(undated_relations(G, keep, as_of), as_of, lang)
        note = f"{note} {undated}" if note else undated
    still = caption
    if caption is None:
        facts = {
            "nodes": len(out_nodes),
            "edges": len(out_edges),
            "date": day.isoformat(),
        }
        caption = words["caption"].format(**facts)
        still = words["caption_still"].format(**facts)
    return ViewModel(
        title=title,
        caption=caption,
        lang=lang,
        nodes=out_nodes,
        edges=out_edges,
        legend=legend,
        kinds=kinds,
        themes=themes,
        years=span,
        year=year,
        grouped=bool(group_members),
        note=note,
        ui=words,
        documents=documents,
        still_caption=still or caption,
        extent=extent,
    )


def _documents(G: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """The projection's source documents by IRI (JSON text in ``G.graph``, or a dict in a hand-built graph)."""
    import json

    docs = G.graph.get("documents") or {}
    return dict(json.loads(docs)) if isinstance(docs, str) else dict(docs)


def _shape_of(G: nx.MultiDiGraph, n: str, groups: dict[str, list[str]]) -> str:
    return FAMILIES["group" if n in groups else family(G.nodes[n])][1]


_ACRONYM = re.compile(r"[A-Z0-9]{2,8}")


def _display(G: nx.MultiDiGraph, n: str, degree: int, pinned: bool, lang: str) -> tuple[str, str, float]:
    """A node's full name (tooltip, panel, search), its short label on the network, and its size.

    A name with an acronym among its other names shows the acronym first. A grant reads as what it is: « 10 000 € · Fonds ODD17 → Club ESS », « 10 000 € » and the funder on
    the node. The size follows the node's degree in the view (emphasised nodes are at least 18).
    """
    d = G.nodes[n]
    label = str(d.get("label") or n)
    short = wrap(label)
    # the acronym people say (« Q2ER », « PEMB ») first, then the name
    acronym = next(
        (a for a in listed(d.get("alt_labels")) if _ACRONYM.fullmatch(a) and a.lower() not in label.lower()),
        None,
    )
    if acronym:
        short = f"{acronym}\n{wrap(label, 22, 1)}"
    if d.get("kind") == "funding":
        amounts = [_num(d.get("amount"))]  # the grant's own; a hand-built graph: its edges'
        amounts += [_num(e.get("amount")) for _, _, e in G.out_edges(n, data=True)]
        amount = next((a for a in amounts if a is not None), None)
        funders = sorted(
            {
                str(G.nodes[a].get("label") or a)
                for a, _, e in G.in_edges(n, data=True)
                if e.get("kind") == "financement"
            }
        )
        to = sorted(
            {
                str(G.nodes[b].get("label") or b)
                for _, b, e in G.out_edges(n, data=True)
                if e.get("kind") == "financement"
            }
        )
        what = euros(amount, lang) if amount is not None else label
        label = " · ".join([what, ", ".join(funders)]) if funders else what
        short = f"{what}\n{wrap(', '.join(funders), 22, 1)}" if funders else what
        if to:
            label += " → " + ", ".join(to)
    size = min(28.0, 9.0 + 3.0 * math.sqrt(degree))
    return label, short, max(size, 18.0) if pinned else size


# ---------------------------------------------------------------- HTML
