"""Interactive HTML views of the graph: one self-contained file that opens anywhere, offline.

A view is built in two steps, both plain Python:

1. :func:`build_model` turns a set of nodes of the projection (:func:`kg.network.projection.project`)
   into a :class:`ViewModel`: nodes with colours and shapes per actor type, edges per
   relation kind, a legend, positions computed with igraph (physics stays off in the
   browser), and — beyond ``max_nodes`` — groups of nodes (by type or territory) that the
   page announces. The selections :func:`territory_nodes`, :func:`neighbourhood`,
   :func:`programme_nodes` and :func:`chain_selection` pick those nodes.
2. :func:`write_html` renders the model with ``kg/present/templates/view.html`` (Jinja2 with
   autoescape) around the vendored vis-network standalone build (``kg/static/``),
   inlined: no request leaves the page. Data reaches the page as JSON in a
   ``<script type="application/json">`` block and every text is put in the DOM with
   ``textContent``, so an actor named ``<img src=x onerror=alert(1)>`` stays text.

:func:`view` does both for the ``kg view`` command.

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

import html
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError, UnknownEntityError
from kg.model.territories import parse_territory
from kg.model.words import euros, kind_word, number

__all__ = [
    "DEFAULT_MAX_NODES",
    "EDGE_STYLES",
    "FAMILIES",
    "ViewModel",
    "ViewResult",
    "build_model",
    "chain_selection",
    "family",
    "figures",
    "iframe_snippet",
    "layout",
    "neighbourhood",
    "programme_nodes",
    "render_html",
    "territory_nodes",
    "view",
    "write_html",
]

#: beyond this many nodes a view groups the rest (a slide holds 100–200 readable nodes)
DEFAULT_MAX_NODES = 200

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
VIS_FILE = "vis-network.min.js"
VIS_VERSION = "10.1.5"

# family -> (colour, vis-network shape); actor types map to their top concept (docs/design.md)
FAMILIES: dict[str, tuple[str, str]] = {
    "collectivite-territoriale": ("#1f77b4", "hexagon"),
    "service-etat": ("#17becf", "triangle"),
    "etablissement-public": ("#9edae5", "triangleDown"),
    "entreprise": ("#d62728", "square"),
    "association": ("#2ca02c", "dot"),
    "catalyseur-territorial": ("#ff7f0e", "star"),
    "financeur": ("#bcbd22", "diamond"),
    "reseau": ("#98df8a", "dot"),
    "organisation-professionnelle": ("#ff9896", "square"),
    "recherche": ("#9467bd", "dot"),
    "etablissement-scolaire": ("#c5b0d5", "square"),
    "service-interne": ("#aec7e8", "dot"),
    "media": ("#e377c2", "triangle"),
    "acteur": ("#7f7f7f", "dot"),
    "programme": ("#8c564b", "box"),
    "person": ("#f7b6d2", "dot"),
    "funding": ("#dbdb8d", "diamond"),
    "territory": ("#c7c7c7", "square"),
    "group": ("#636363", "dot"),
}
_TYPE_FAMILY = {
    "commune": "collectivite-territoriale",
    "intercommunalite": "collectivite-territoriale",
    "departement": "collectivite-territoriale",
    "region": "collectivite-territoriale",
    "fondation": "financeur",
    "fonds-de-dotation": "financeur",
    "lycee": "etablissement-scolaire",
    "chaire": "recherche",
    "club-entreprises": "reseau",
    "chambre-consulaire": "organisation-professionnelle",
}
# relation kind -> (colour, width)
EDGE_STYLES: dict[str, tuple[str, float]] = {
    "participation": ("#8c564b", 1.2),
    "adhesion": ("#2ca02c", 1.2),
    "financement": ("#bcbd22", 2.5),
    "fondation": ("#ff7f0e", 2.0),
    "soutien": ("#9467bd", 1.5),
    "unite": ("#1f77b4", 1.0),
    "succession": ("#d62728", 3.0),
    "poste": ("#e377c2", 1.0),
    "territoire": ("#c7c7c7", 0.8),
    "partenariat": ("#17becf", 1.0),
    "groupe": ("#969696", 1.0),
}
_NON_ACTOR_LABELS = {
    lang: {"acteur": other, "group": group, "groupe": grouped}
    | {kind: kind_word(kind, lang).capitalize() for kind in ("programme", "person", "funding", "territory")}
    for lang, other, group, grouped in (
        ("fr", "Autre acteur", "Groupe de nœuds", "Liens regroupés"),
        ("en", "Other actor", "Group of nodes", "Grouped links"),
    )
}
UI = {
    "fr": {
        "search": "Chercher un acteur…",
        "year": "Année",
        "all_years": "toutes",
        "filters": "Filtres",
        "types": "Types d'acteurs",
        "kinds": "Relations",
        "theme": "Thème",
        "all_themes": "Tous les thèmes",
        "legend": "Légende",
        "type": "Type",
        "territory": "Territoire",
        "dates": "Dates",
        "since": "depuis",
        "until": "jusqu'en",
        "amount": "Montant",
        "role": "Rôle",
        "source": "Source",
        "themes": "Thèmes",
        "relation": "Relation",
        "members": "nœuds",
        "figures": "Chiffres",
        "not_found": "Aucun nœud ne porte ce nom",
        "grouped": "Vue regroupée : {n} nœuds, au-delà de {max}, sont réunis en {g} groupes par {by} "
        "(cliquez un groupe pour voir ses membres dans l'infobulle).",
        "by_type": "type d'acteur",
        "by_territory": "territoire",
        "caption": "{nodes} nœuds, {edges} liens. Chaque fait renvoie à son document source et à la phrase "
        "citée (survolez un nœud ou un lien). Généré par Territorial KG le {date}.",
    },
    "en": {
        "search": "Find an actor…",
        "year": "Year",
        "all_years": "all",
        "filters": "Filters",
        "types": "Actor types",
        "kinds": "Relations",
        "theme": "Theme",
        "all_themes": "All themes",
        "legend": "Legend",
        "type": "Type",
        "territory": "Territory",
        "dates": "Dates",
        "since": "since",
        "until": "until",
        "amount": "Amount",
        "role": "Role",
        "source": "Source",
        "themes": "Themes",
        "relation": "Relation",
        "members": "nodes",
        "figures": "Figures",
        "not_found": "No node has that name",
        "grouped": "Grouped view: {n} nodes, beyond {max}, are gathered into {g} groups by {by} "
        "(hover a group to see its members).",
        "by_type": "actor type",
        "by_territory": "territory",
        "caption": "{nodes} nodes, {edges} links. Every fact points to its source document and the quoted "
        "sentence (hover a node or a link). Generated by Territorial KG on {date}.",
    },
}


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


@dataclass
class ViewResult:
    """What :func:`write_html` and :func:`view` return."""

    path: Path
    nodes: int
    edges: int
    grouped: bool
    bytes: int
    seconds: float
    model: ViewModel | None = None
    pictures: list[Path] = field(default_factory=list)


Q_FIGURES = """
SELECT ?about ?var ?value ?unit ?start WHERE {
  ?f a schema:Observation ; schema:observationAbout ?about ; schema:variableMeasured ?var ; schema:value ?value .
  OPTIONAL { ?f tkg:unit ?unit }
  OPTIONAL { ?f dct:temporal/dcat:startDate ?start }
}"""


def figures(graph: Any, lang: str = "fr") -> dict[str, list[str]]:
    """Key figures (``schema:Observation``) per node IRI, as short texts: ``250 élèves — élèves touchés par an``."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in graph.query(Q_FIGURES):
        value = r["value"]
        shown = (
            number(value, lang) if isinstance(value, (int, Decimal)) and value == int(value) else str(value)
        )
        text = f"{shown} {r['unit'] or ''}".strip() + f" — {r['var']}"
        if r.get("start"):
            text += f" ({r['start']})"
        out[r["about"]].append(text)
    return dict(out)


# ---------------------------------------------------------------- selections


def territory_nodes(graph: Any, G: nx.MultiDiGraph, territory: str) -> set[str]:
    """Actors in *territory* (``level:code``), the programmes they take part in, and the territory itself."""
    from kg.network.projection import territory_members

    keep = set(territory_members(graph, G, territory))
    tiri = parse_territory(territory).iri
    if tiri in G:
        keep.add(tiri)
    for n in list(keep):  # the territories those actors point at, and their fundings
        for _, b, d in G.out_edges(n, data=True):
            if d.get("kind") == "territoire":
                keep.add(b)
        for a, _ in G.in_edges(n):
            if G.nodes[a].get("kind") == "funding":
                keep.add(a)
                keep.update(x for x, _ in G.in_edges(a))
    return keep


def neighbourhood(G: nx.MultiDiGraph, actor: str, hops: int = 1) -> tuple[set[str], str]:
    """Nodes within *hops* of *actor* (name or IRI), in either direction; returns (nodes, resolved IRI).

    Fundings count as a half-step: the funder and the recipient of a grant are one hop apart.
    """
    from kg.network.lookup import resolve

    start = resolve(G, actor)
    U = G.to_undirected(as_view=True)
    seen = {start}
    frontier = {start}
    for _ in range(max(0, hops)):
        nxt: set[str] = set()
        for n in frontier:
            for m in U.neighbors(n):
                if G.nodes[m].get("kind") == "funding":  # go through the grant to its other ends
                    seen.add(m)
                    nxt.update(x for x in U.neighbors(m) if x not in seen)
                elif m not in seen:
                    nxt.add(m)
        seen |= nxt
        frontier = nxt
    return seen, start


def programme_nodes(G: nx.MultiDiGraph, programme: str) -> tuple[set[str], str]:
    """A programme and everyone around it: participants, funders, their territories, programmes it continues."""
    from kg.network.lookup import resolve

    p = resolve(G, programme, kinds=("programme",), what="programme")
    nodes, _ = neighbourhood(G, p, 1)
    for n in list(nodes):
        for _, b, d in G.out_edges(n, data=True):
            if d.get("kind") == "territoire":
                nodes.add(b)
    return nodes, p


def chain_selection(
    G: nx.MultiDiGraph, chains: Iterable[Any], *, context_hops: int = 1
) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """Nodes around *chains* (from :func:`kg.network.chains.find_chains`) and what to highlight.

    Returns ``(nodes, highlighted nodes, highlighted edges as (u, v) pairs of G)``; a hop
    carried by a grant highlights funder → grant → recipient.
    """
    hl_nodes: set[str] = set()
    hl_edges: set[tuple[str, str]] = set()
    for c in chains:
        for h in c.hops:
            a, b = h.source, h.target
            hl_nodes.update((a, b))
            if h.via and h.via in G and G.nodes[h.via].get("kind") == "funding":
                hl_nodes.add(h.via)
                for u, v in ((a, h.via), (h.via, b), (b, h.via), (h.via, a)):
                    if G.has_edge(u, v):
                        hl_edges.add((u, v))
            for u, v in ((a, b), (b, a)):
                if G.has_edge(u, v):
                    hl_edges.add((u, v))
    nodes = set(hl_nodes)
    for n in hl_nodes:
        if G.nodes[n].get("kind") == "funding":
            continue
        around, _ = neighbourhood(G, n, context_hops)
        nodes |= around
    return nodes, hl_nodes, hl_edges


# ---------------------------------------------------------------- model


def family(d: dict[str, Any]) -> str:
    """The legend family (a key of :data:`FAMILIES`) of a node with attributes *d* (``kind``, ``types``).

    >>> family({"kind": "actor", "types": ["fondation"]}), family({"kind": "programme"}), family({"kind": "x"})
    ('financeur', 'programme', 'acteur')
    """
    kind = d.get("kind")
    if kind != "actor":
        return kind if kind in FAMILIES else "acteur"
    for t in d.get("types") or []:
        fam = _TYPE_FAMILY.get(t, t)
        if fam in FAMILIES:
            return fam
    return "acteur"


def _label(labels: dict[str, dict[str, str]], notation: str, lang: str) -> str:
    entry = labels.get(notation) or {}
    return entry.get(lang) or entry.get("fr") or _NON_ACTOR_LABELS[lang].get(notation) or notation


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
        ts = d.get("territory") or []
        if ts and ts[0] in G:
            return "t:" + ts[0], str(G.nodes[ts[0]].get("label") or ts[0])
        if d.get("kind") == "territory":
            return "t:" + n, str(d.get("label") or n)
        none = "sans territoire" if lang == "fr" else "no territory"
        return "t:-", none
    fam = family(d)
    return "f:" + fam, _label(labels, fam, lang)


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
        Initial position of the year slider (default: the latest year, i.e. everything).
    max_nodes : int or None
        Beyond this many nodes, group the others by *group_by*; ``None`` never groups.
    group_by : {"type", "territory"}
    node_figures : dict, optional
        Key figures per node IRI (:func:`figures`), shown in the tooltips.

    Raises
    ------
    ExportError
        For an unknown language or grouping.
    """
    if lang not in UI:
        raise ExportError(f'--lang "{lang}" is not supported; use fr or en')
    if group_by not in ("type", "territory"):
        raise ExportError(f'grouping "{group_by}" is not supported; use type or territory')
    words = UI[lang]
    labels = G.graph.get("concept_labels", {})
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
    L = nx.Graph()
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
                    "familyLabel": _label(labels, fam, lang),
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
        themes = list(d.get("themes") or [])
        theme_set.update(themes)
        y0, y1 = _year(d.get("start")), _year(d.get("end"))
        years.extend(v for v in (y0, y1) if v)
        territory = [str(G.nodes[t].get("label") or t) for t in d.get("territory") or [] if t in G]
        type_labels = [_label(labels, t, lang) for t in d.get("types") or []]
        label = str(d.get("label") or n)
        if d.get("kind") == "funding":
            amounts = [_num(e.get("amount")) for _, _, e in G.out_edges(n, data=True)]
            amount = next((a for a in amounts if a is not None), None)
            label = euros(amount, lang) if amount is not None else label
        out_nodes.append(
            {
                "id": index[n],
                "iri": n,
                "label": label,
                "kind": d.get("kind"),
                "family": fam,
                "familyLabel": _label(labels, fam, lang),
                "types": type_labels,
                "themes": themes,
                "themeLabels": [_label(labels, t, lang) for t in themes],
                "territory": territory,
                "start": d.get("start"),
                "end": d.get("end"),
                "y0": y0,
                "y1": y1,
                "sources": _sources(d.get("sources")),
                "x": round(x, 1),
                "y": round(y, 1),
                "hl": n in hl,
                "focus": n in pinned,
                "figures": (node_figures or {}).get(n, [])[:5],
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
        out_edges.append(
            {
                "id": f"e{len(out_edges)}",
                "from": index[a],
                "to": index[b],
                "kind": kind,
                "kindLabel": _label(labels, kind, lang),
                "role": _label(labels, role, lang) if role else None,
                "label2": d.get("label"),
                "start": d.get("start"),
                "end": d.get("end"),
                "y0": y0,
                "y1": y1,
                "amount": euros(amount, lang) if amount is not None else None,
                "sources": _sources(d.get("sources")),
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
                "kindLabel": _label(labels, kind, lang),
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
            "label": _label(labels, fam, lang),
            "color": FAMILIES[fam][0],
            "shape": FAMILIES[fam][1],
            "count": str(c),
        }
        for fam, c in sorted(families.items())
    ]
    kinds = [
        {
            "key": k,
            "label": _label(labels, k, lang),
            "color": EDGE_STYLES.get(k, ("#999999", 1))[0],
            "count": str(c),
        }
        for k, c in sorted(kinds_seen.items())
    ]
    themes = sorted(
        ({"key": t, "label": _label(labels, t, lang)} for t in theme_set), key=lambda t: t["label"]
    )
    span = (min(years), max(max(years), time.gmtime().tm_year)) if years else None
    year = _year(str(as_of)) if as_of is not None else None
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


def _vis_source() -> str:
    path = STATIC / VIS_FILE
    if not path.is_file():
        raise ExportError(f"{path} is missing; reinstall the package (it ships vis-network {VIS_VERSION})")
    text = path.read_text(encoding="utf-8")
    # the source map comment would make devtools request a file that is not there
    text = "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL"))
    return text.replace("</script", "<\\/script")


def render_html(model: ViewModel) -> str:
    """The self-contained HTML page of *model* (Jinja2 with autoescape; data as JSON)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    quotes: list[list[str]] = []
    seen: dict[tuple[str, str], int] = {}

    def compact(item: dict[str, Any]) -> dict[str, Any]:
        # sources become indices into one quote table (a grant's sentence serves all its edges);
        # empty values are left out: the page treats a missing key as empty
        out = {
            k: v
            for k, v in item.items()
            if v is not None and v is not False and v != [] and v != "" and k != "sources"
        }
        refs = []
        for doc, quote in item.get("sources") or []:
            key = (doc, quote)
            if key not in seen:
                seen[key] = len(quotes)
                quotes.append([doc, quote])
            refs.append(seen[key])
        if refs:
            out["src"] = refs
        return out

    data = {
        "nodes": [compact(n) for n in model.nodes],
        "edges": [compact(e) for e in model.edges],
        "quotes": quotes,
        "years": model.years,
        "year": model.year,
        "ui": model.ui,
        "big": len(model.nodes) > 1000,
    }
    return env.get_template("view.html").render(
        model=model, data=data, vis=Markup(_vis_source()), vis_version=VIS_VERSION
    )


def write_html(model: ViewModel, out: str | Path) -> ViewResult:
    """Write *model* as one HTML file at *out* (folders created).

    Raises
    ------
    ExportError
        When the file cannot be written.
    """
    t0 = time.perf_counter()
    path = Path(out)
    text = render_html(model)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write the view to {path}: {exc.strerror}; choose another --out") from exc
    return ViewResult(
        path=path,
        nodes=len(model.nodes),
        edges=len(model.edges),
        grouped=model.grouped,
        bytes=len(text.encode("utf-8")),
        seconds=time.perf_counter() - t0,
        model=model,
    )


def iframe_snippet(src: str | Path, title: str) -> str:
    """The ``<iframe>`` that embeds a view (full width, 16:9), attributes escaped.

    >>> iframe_snippet("v.html", 'A "B"')
    '<iframe src="v.html" title="A &quot;B&quot;" style="width:100%;aspect-ratio:16/9;border:0" loading="lazy"></iframe>'
    """
    return (
        f'<iframe src="{html.escape(str(src))}" title="{html.escape(title)}" '
        'style="width:100%;aspect-ratio:16/9;border:0" loading="lazy"></iframe>'
    )


# ---------------------------------------------------------------- one call for the CLI

_TITLES = {
    "fr": {
        "territory": "Écosystème : {x}",
        "actor": "Autour de {x} ({h} étape{s})",
        "programme": "Programme : {x}",
        "chain": "Chaînes d'alliance : {a} → {b}",
        "all": "Le graphe complet",
    },
    "en": {
        "territory": "Ecosystem: {x}",
        "actor": "Around {x} ({h} hop{s})",
        "programme": "Programme: {x}",
        "chain": "Alliance chains: {a} → {b}",
        "all": "The whole graph",
    },
}


def view(
    graph: Any,
    *,
    territory: str | None = None,
    actor: str | None = None,
    hops: int = 1,
    programme: str | None = None,
    chain: tuple[str, str] | None = None,
    k: int = 3,
    whole: bool = False,
    lang: str = "fr",
    out: str | Path | None = None,
    as_of: str | int | None = None,
    title: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    group_by: str = "type",
    pictures: Iterable[str] = (),
    G: nx.MultiDiGraph | None = None,
) -> ViewResult:
    """Select, build and write one view (what ``kg view`` does); exactly one selection is expected.

    Parameters
    ----------
    graph : kg.store.graph.Graph
        The opened store (used for the projection and territory look-ups).
    territory, actor, programme, chain, whole
        The selection: a territory ``level:code``; an actor and *hops*; a programme; two
        names whose *k* shortest chains are highlighted in their surroundings; everything.
    out : path, optional
        The HTML file (default ``exports/view.html``).
    pictures : iterable of {"svg", "png"}
        Also write these pictures of the view beside the HTML file (listed in ``result.pictures``).
    G : networkx.MultiDiGraph, optional
        A projection already computed (saves a few queries when writing several views).

    Raises
    ------
    UnknownEntityError
        For an unknown actor, programme or territory (with suggestions).
    ExportError
        For no or several selections, or a file that cannot be written.
    """
    from kg.network.projection import cached_project

    t_start = time.perf_counter()
    chosen = [x for x in (territory, actor, programme, chain, whole or None) if x]
    if len(chosen) != 1:
        raise ExportError(
            "choose one view: --territory, --actor (with --hops), --programme, --chain A B or --all"
        )
    if lang not in _TITLES:
        raise ExportError(f'--lang "{lang}" is not supported; use fr or en')
    G = G if G is not None else cached_project(graph)
    t = _TITLES[lang]
    hl: set[str] = set()
    hl_edges: set[tuple[str, str]] = set()
    focus: set[str] = set()
    if territory:
        nodes = territory_nodes(graph, G, territory)
        tiri = parse_territory(territory).iri
        name = G.nodes[tiri].get("label") if tiri in G else territory
        focus = {tiri}
        default = t["territory"].format(x=name)
    elif actor:
        nodes, a = neighbourhood(G, actor, hops)
        focus = {a}
        default = t["actor"].format(x=G.nodes[a].get("label"), h=hops, s="s" if hops > 1 else "")
    elif programme:
        nodes, p = programme_nodes(G, programme)
        focus = {p}
        default = t["programme"].format(x=G.nodes[p].get("label"))
    elif chain:
        from kg.network.chains import chain_graph, find_chains

        found = find_chains(chain_graph(G), chain[0], chain[1], k=k, as_of=as_of)
        if not found:
            raise UnknownEntityError(
                f'no alliance chain links "{chain[0]}" and "{chain[1]}"'
                + (f" as of {as_of}" if as_of else "")
                + "; try kg chains to explore"
            )
        nodes, hl, hl_edges = chain_selection(G, found)
        default = t["chain"].format(a=found[0].labels[0], b=found[0].labels[-1])
    else:
        nodes = set(G.nodes)
        default = t["all"]
    model = build_model(
        G,
        nodes,
        title=title or default,
        lang=lang,
        highlight=hl,
        highlight_edges=hl_edges,
        focus=focus,
        as_of=as_of,
        max_nodes=max_nodes,
        group_by=group_by,
        node_figures=figures(graph, lang),
    )
    result = write_html(model, out or Path("exports") / "view.html")
    if pictures:
        from kg.present.picture import write_png, write_svg

        writers = {"svg": write_svg, "png": write_png}
        for kind in pictures:
            if kind not in writers:
                raise ExportError(f'no picture format "{kind}"; use svg or png')
            result.pictures.append(writers[kind](model, Path(result.path).with_suffix(f".{kind}")))
    result.seconds = time.perf_counter() - t_start
    return result
