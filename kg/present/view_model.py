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

import math
import random
import time
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
from kg.present.style import EDGE_STYLES, FAMILIES, UI, family, label_of

__all__ = [
    "DEFAULT_MAX_NODES",
    "UNDATED_NOTE",
    "ViewModel",
    "at_date",
    "build_model",
    "layout",
    "undated_relations",
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


def layout(
    G: nx.Graph | nx.MultiDiGraph, nodes: list[str], *, seed: int = 1, scale: float | None = None
) -> dict[str, tuple[float, float]]:
    """Positions in pixels for *nodes*: igraph's Kamada–Kawai up to 500 nodes, grid Fruchterman–Reingold beyond.

    The mean distance between linked nodes comes out near 120 px whatever the size, so
    labels stay readable when zoomed in; deterministic for a given *seed*.
    """
    import igraph as ig

    index = {n: i for i, n in enumerate(nodes)}
    pairs = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in G.edges()
        if a in index and b in index and a != b
    }
    g = ig.Graph(n=len(nodes), edges=sorted(pairs))
    if len(nodes) == 0:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    state = random.getstate()
    random.seed(seed)
    ig.set_random_number_generator(random)
    try:
        if (
            len(nodes) <= 500
        ):  # small views (slides): Kamada–Kawai spreads nodes evenly, components side by side
            coords = g.layout_kamada_kawai().coords if g.is_connected() else _packed(g)
        else:
            # the grid variant is O(n) per iteration instead of O(n²): 0.6 s instead of 23 s at 5,000 nodes
            coords = g.layout_fruchterman_reingold(niter=500, grid="grid").coords
    finally:
        random.setstate(state)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    if scale is None:
        lengths = [math.dist(coords[a], coords[b]) for a, b in pairs] or [1.0]
        lengths.sort()
        median = lengths[len(lengths) // 2] or 1.0
        scale = (170.0 if len(nodes) <= 500 else 120.0) / median
    return {n: ((coords[i][0] - cx) * scale, (coords[i][1] - cy) * scale) for n, i in index.items()}


def _packed(g: Any) -> list[list[float]]:
    """Kamada–Kawai per connected component, components placed side by side (largest first)."""
    coords: list[list[float]] = [[0.0, 0.0] for _ in range(g.vcount())]
    comps = sorted(g.connected_components(), key=len, reverse=True)
    x_offset = 0.0
    row_height = 0.0
    y_offset = 0.0
    layouts = [
        g.induced_subgraph(c).layout_kamada_kawai().coords if len(c) > 1 else [[0.0, 0.0]] for c in comps
    ]
    first = layouts[0]
    width = max(4.0, max(p[0] for p in first) - min(p[0] for p in first) + 1.5)
    for comp, pts in zip(comps, layouts, strict=False):
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        w, h = max(xs) - min(xs) + 1.5, max(ys) - min(ys) + 1.5
        if x_offset + w > width and x_offset > 0:
            x_offset, y_offset, row_height = 0.0, y_offset + row_height, 0.0
        for v, (px, py) in zip(comp, pts, strict=False):
            coords[v] = [px - min(xs) + x_offset, py - min(ys) + y_offset]
        x_offset += w
        row_height = max(row_height, h)
    return coords


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
    pos = layout(L, drawn, seed=seed)

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
                    "label": f"{group_names[n]} ({len(members)})",
                    "family": fam,
                    "familyLabel": label_of(labels, fam, lang),
                    "group": True,
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "size": 14 + 3 * math.log2(len(members)),
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
        label = str(d.get("label") or n)
        if d.get("kind") == "funding":
            amounts = [_num(d.get("amount"))]  # the grant's own; a hand-built graph: its edges'
            amounts += [_num(e.get("amount")) for _, _, e in G.out_edges(n, data=True)]
            amount = next((a for a in amounts if a is not None), None)
            label = euros(amount, lang) if amount is not None else label
        out_nodes.append(
            {
                "id": index[n],
                "iri": n,
                "label": label,
                "kind": d.get("kind"),
                "family": fam,
                "familyLabel": label_of(labels, fam, lang),
                "types": type_labels,
                "themes": themes,
                "themeLabels": [label_of(labels, t, lang) for t in themes],
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
                "kindLabel": label_of(labels, kind, lang),
                "role": label_of(labels, role, lang) if role else None,
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
                "kindLabel": label_of(labels, kind, lang),
                "count": count,
                "sources": [],
                "hl": False,
                "y0": None,
                "y1": None,
                "width": min(8.0, 1 + math.log2(count)),
            }
        )

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
            "label": label_of(labels, k, lang),
            "color": EDGE_STYLES.get(k, ("#999999", 1))[0],
            "count": str(c),
        }
        for k, c in sorted(kinds_seen.items())
    ]
    themes = sorted(
        ({"key": t, "label": label_of(labels, t, lang)} for t in theme_set), key=lambda t: t["label"]
    )
    span = (min(years), max(max(years), time.gmtime().tm_year)) if years else None
    year = _year(str(as_of)) if as_of is not None else None
    if as_of is not None:
        undated = _undated_note(undated_relations(G, keep, as_of), as_of, lang)
        note = f"{note} {undated}" if note else undated
    if caption is None:
        caption = words["caption"].format(
            nodes=len(out_nodes), edges=len(out_edges), date=time.strftime("%Y-%m-%d", time.gmtime())
        )
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
    )


# ---------------------------------------------------------------- HTML
