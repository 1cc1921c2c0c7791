"""Interactive HTML views of the graph: one self-contained file that opens anywhere, offline.

A view is built in two steps, both plain Python:

1. :func:`build_model` (:mod:`kg.present.view_model`, with an example) turns a set of nodes of the projection (:func:`kg.network.projection.project`)
   into a :class:`ViewModel`: nodes with colours and shapes per actor type, edges per
   relation kind, a legend, positions computed with igraph (physics stays off in the
   browser), and — beyond ``max_nodes`` — groups of nodes (by type or territory) that the
   page announces. The selections :func:`territory_nodes`, :func:`neighbourhood`,
   :func:`programme_nodes` and :func:`chain_selection` pick those nodes.
2. :func:`write_html` renders the model with ``kg/present/templates/view.html`` (Jinja2 with
   autoescape) around the vendored vis-network standalone build (``kg/present/static/``),
   inlined: no request leaves the page. Data reaches the page as JSON in a
   ``<script type="application/json">`` block and every text is put in the DOM with
   ``textContent``, so an actor named ``<img src=x onerror=alert(1)>`` stays text.

:func:`view` does both for the ``kg view`` command; :func:`select_model` only the first. :func:`show` returns a
:class:`View` (:mod:`kg.present.notebook`) that a notebook shows inline and turns into pyvis (``to_pyvis``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError, UnknownEntityError
from kg.model.territories import parse_territory
from kg.present.groups import GROUPS_AT
from kg.present.html import (
    VIS_VERSION,
    ViewResult,
    iframe_snippet,
    render_html,
    write_html,
)
from kg.present.notebook import View
from kg.present.selections import (
    chain_selection,
    figures,
    neighbourhood,
    programme_nodes,
    territory_nodes,
    territory_selection,
)
from kg.present.style import EDGE_STYLES, FAMILIES, family
from kg.present.view_model import DEFAULT_MAX_NODES, ViewModel, at_date, build_model, layout

__all__ = [
    "DEFAULT_MAX_NODES",
    "EDGE_STYLES",
    "FAMILIES",
    "GROUPS_AT",
    "VIS_VERSION",
    "View",
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
    "select_model",
    "show",
    "territory_nodes",
    "territory_selection",
    "view",
    "write_html",
]


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


_NO_CHAIN = {
    "fr": {
        False: "aucune chaîne d'alliance ne relie « {a} » et « {b} » ; explorez avec kg chains",
        True: "{at}, aucune chaîne d'alliance ne relie « {a} » et « {b} » ; explorez avec kg chains",
    },
    "en": {
        False: 'no alliance chain links "{a}" and "{b}"; try kg chains to explore',
        True: '{at}, no alliance chain links "{a}" and "{b}"; try kg chains to explore',
    },
}


def select_model(
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
    as_of: str | int | None = None,
    title: str | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    group_by: str = "type",
    G: nx.MultiDiGraph | None = None,
    story: bool | str | Path | None = None,
    timeline: bool = False,
    groups_at: int | None = GROUPS_AT,
) -> ViewModel:
    """Select and build one view's :class:`ViewModel` (:func:`view` without writing anything).

    The parameters are those of :func:`view`; so are the errors.
    """
    from kg.network.projection import as_of_day, cached_project

    chosen = [x for x in (territory, actor, programme, chain, whole or None) if x]
    if len(chosen) != 1:
        raise ExportError(
            "choose one view: --territory, --actor (with --hops), --programme, --chain A B or --all"
        )
    if lang not in _TITLES:
        raise ExportError(f'--lang "{lang}" is not supported; use fr or en')
    if as_of is not None:
        as_of_day(as_of, lang=lang)  # a date that is not a date: a message before any work

    def grouped(selected: set[str]) -> bool:  # a large view opens on nested groups with counts
        big = groups_at is not None and max_nodes is not None and len(selected) > max(groups_at, max_nodes)
        return big and not (story or timeline)

    parts = _parts(graph) if territory and G is None else None
    if parts is not None and territory:
        # read only the nodes the view draws, and (drawn one by one) those next to them: their labels
        nodes, eco = territory_selection(graph, parts, territory, labels=False)
        G = parts.around(nodes | {parse_territory(territory).iri}, hops=0 if grouped(nodes) else 1)
    elif G is None:
        G = cached_project(graph)
    t = _TITLES[lang]
    hl: set[str] = set()
    hl_edges: set[tuple[str, str]] = set()
    focus: set[str] = set()
    reasons: dict[str, list[str]] = {}
    found: list[Any] = []
    if territory:
        if parts is None:
            nodes, eco = territory_selection(graph, G, territory, labels=False)
        if not grouped(nodes):  # the groups say no reasons
            from kg.store.ecosystem import with_labels

            eco = with_labels(graph, eco)
            reasons = {n: eco.explain(n, lang) for n in nodes if n in eco}
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

        found = find_chains(chain_graph(G), chain[0], chain[1], k=k, as_of=as_of, lang=lang)
        if not found:
            raise UnknownEntityError(
                _NO_CHAIN[lang if lang == "en" else "fr"][as_of is not None].format(
                    a=chain[0], b=chain[1], at=at_date(as_of, lang) if as_of is not None else ""
                )
            )
        nodes, hl, hl_edges = chain_selection(G, found)
        default = t["chain"].format(a=found[0].labels[0], b=found[0].labels[-1])
    else:
        nodes = set(G.nodes)
        default = t["all"]
    if grouped(nodes):
        from kg.present.groups import grouped_model

        # a large view opens on nested groups with counts, opened by a click (groups.js)
        return grouped_model(G, nodes, title=title or default, lang=lang, by=group_by)
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
        node_figures=figures(graph, lang, nodes),
        node_reasons=reasons,
    )
    if story or timeline:
        from kg.present.story import attach

        attach(
            model,
            graph,
            G,
            nodes,
            story=story,
            chains=found,
            territory=bool(territory),
            timeline=timeline,
            lang=lang,
        )
    return model


def _parts(graph: Any) -> Any:
    """The projection node by node beside a local store (:mod:`kg.network.projection_parts`), or None
    (an endpoint, a store without it, or a stale one: the whole projection is read instead)."""
    from kg.network.projection_parts import open_parts
    from kg.store.artefacts import local_store

    store_path = local_store(graph)
    return open_parts(store_path) if store_path is not None else None


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
    story: bool | str | Path | None = None,
    timeline: bool = False,
    groups_at: int | None = GROUPS_AT,
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
    as_of : str or int, optional
        A date (``2019``, ``2019-06``…): the year slider starts there, the page says how many
        relations without a date of their own it keeps, and ``chain`` looks for chains at that date.
    pictures : iterable of {"svg", "png"}
        Also write these pictures of the view beside the HTML file (listed in ``result.pictures``).
    G : networkx.MultiDiGraph, optional
        A projection already computed (saves a few queries when writing several views).
    story : bool or path, optional
        A guided story (:mod:`kg.present.story`): ``True`` tells the chain hop by hop, a territory
        programme by programme, anything else year by year (with the time axis); a path reads a YAML story.
    timeline : bool
        Draw the time axis under the network (``static/timeline.js``).
    groups_at : int or None
        Beyond this many nodes (and beyond *max_nodes*) the view opens on nested groups with counts,
        by *group_by*, that a click opens (:func:`kg.present.groups.grouped_model`); ``None`` never.

    Raises
    ------
    UnknownEntityError
        For an unknown actor, programme or territory (with suggestions).
    ExportError
        For no or several selections, or a file that cannot be written.
    QueryError
        When *as_of* is not a date (a message in *lang*).
    """
    t_start = time.perf_counter()
    model = select_model(
        graph,
        territory=territory,
        actor=actor,
        hops=hops,
        programme=programme,
        chain=chain,
        k=k,
        whole=whole,
        lang=lang,
        as_of=as_of,
        title=title,
        max_nodes=max_nodes,
        group_by=group_by,
        G=G,
        story=story,
        timeline=timeline,
        groups_at=groups_at,
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


def show(graph: Any, *, out: str | Path | None = None, height: int = 600, **selection: Any) -> View:
    """One view as a :class:`~kg.present.notebook.View`, which a notebook shows inline.

    Parameters
    ----------
    graph : kg.store.graph.Graph
        The opened store.
    out : path, optional
        Also write the page there; by default nothing is written (the view lives in memory).
    height : int
        Height of the inline frame in pixels.
    **selection
        The selection and options of :func:`view` (``territory=``, ``actor=``, ``programme=``,
        ``chain=``, ``whole=``, ``lang=``, ``as_of=``, ``title=``, ``max_nodes=``, ``group_by=``, ``G=``).

    Raises
    ------
    UnknownEntityError, ExportError, QueryError
        As :func:`view`.
    """
    shown = View(select_model(graph, **selection), height=height)
    if out is not None:
        shown.save(out)
    return shown
