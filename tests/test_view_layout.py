"""Views on a slide (issue 13, items 1 and 2): the layout measured in Chromium from vis-network's own
boxes (labels apart, the network filling the frame, labels readable), grants that say what they are,
sources by title, publisher and date, the side panel, search by other names and tags, reset; and the
screenshots of the example views shown in the README (``docs/img/``).

The screenshots are written to ``docs/img/`` when ``KG_SCREENSHOTS=1`` (their caption holds the day's
date, so an ordinary run leaves the checkout alone); a test checks the committed ones.
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import networkx as nx
import pytest

from kg.present.layout import boxes_overlap, layout, node_box, wrap
from kg.present.view import build_model, render_html, view, write_html
from tests.test_view import synthetic
from tests.view_browser import (
    browser,
    hover_edge,
    measure,
    node_point,
    open_page,
    require_chromium,
)

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
ID = "https://w3id.org/territorial-kg/id/"
EXAMPLES = ("pemb-ecosystem", "fonds-odd17-funding", "aet-q2er-vitawin")


# ---------------------------------------------------------------- layout and model (no browser)


@pytest.mark.parametrize("n", [40, 150, 220])  # 150 and 220: beyond FULL_MAX, with fewer passes
def test_label_boxes_never_overlap_after_layout(n):
    G = synthetic(n, seed=n)
    nodes = sorted(G.nodes)
    boxes = {x: node_box("dot", wrap(f"Acteur au nom assez long numéro {x}"), 12) for x in nodes}
    pos = layout(G, nodes, boxes=boxes)
    assert boxes_overlap(pos, boxes) == 0
    # the same positions without the boxes' room overlap: the separation is what keeps labels apart
    close = layout(G, nodes)
    squeezed = {x: (p[0] * 0.3, p[1] * 0.3) for x, p in close.items()}
    assert boxes_overlap(squeezed, boxes) > 0


def test_separation_work_shrinks_beyond_full_max():
    from kg.present.layout import FULL_MAX, ROUND_PASSES, ROUNDS, SEPARATE_PASSES, _budget

    assert _budget(40) == _budget(FULL_MAX) == (SEPARATE_PASSES, ROUNDS, ROUND_PASSES)  # small: unchanged
    big, bigger = _budget(2 * FULL_MAX), _budget(4 * FULL_MAX)
    assert all(b < s for s, b in zip(_budget(FULL_MAX), big, strict=True))
    assert bigger < big


def test_a_longer_label_takes_more_room():
    assert node_box("dot", "Club ESS", 12)[0] < node_box("dot", "Club Gravelle Entreprendre", 12)[0]
    assert node_box("box", "A\nB", 12)[1] > node_box("box", "A", 12)[1]
    long_name = "Réseau des pionniers des alliances en Territoire"
    assert wrap(long_name) == "Réseau des pionniers\ndes alliances en…"


def _grant_graph(recipient: str) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    common = {"themes": [], "start": None, "end": None, "territory": [], "sources": []}
    G.add_node("f", kind="actor", label="Fonds ODD17", types=["fonds-de-dotation"], **common)
    G.add_node("r", kind="actor", label=recipient, types=["association"], **common)
    G.add_node("g", kind="funding", label="g", types=[], **common)
    G.add_edge("f", "g", kind="financement", amount=10000, sources=[])
    G.add_edge("g", "r", kind="financement", amount=10000, sources=[])
    return G


@pytest.mark.parametrize("recipient", ["Club ESS", "Urgence Etudiante"])
def test_a_grant_says_what_it_is(recipient):
    m = build_model(_grant_graph(recipient), ["f", "g", "r"], title="T")
    grant = next(n for n in m.nodes if n["kind"] == "funding")
    assert grant["label"] == f"10\u202f000\xa0€ · Fonds ODD17 → {recipient}"
    assert grant["short"] == "10\u202f000\xa0€\nFonds ODD17"


def test_node_size_follows_degree():
    G = synthetic(30)
    m = build_model(G, G.nodes, title="T", max_nodes=None)
    degree = dict(nx.Graph(G).degree())
    by_degree = sorted(m.nodes, key=lambda n: degree[n["iri"]])
    assert by_degree[0]["size"] < by_degree[-1]["size"]


def test_node_size_can_follow_a_figure():
    G = synthetic(30)
    hub = max(G.nodes, key=lambda n: nx.Graph(G).degree(n))
    m = build_model(G, G.nodes, title="T", max_nodes=None, size_by={"n28": 500.0, "n29": 2000.0})
    size = {n["iri"]: n["size"] for n in m.nodes}
    assert size["n29"] > size["n28"] > size[hub] and size[hub] == min(size.values())


def test_around_le_rameau_shows_its_events_and_publications(graph, projection, tmp_path):
    r = view(graph, actor="Le RAMEAU", out=tmp_path / "rameau.html", G=projection)
    kinds = {n["kind"] for n in r.model.nodes}
    assert {"event", "publication"} <= kinds and r.nodes > 4


def test_the_real_view_carries_titles_descriptions_and_other_names(projection):
    from kg.present.examples import _history

    nodes, hl, edges = _history(projection)
    m = build_model(projection, nodes, title="T", highlight=hl, highlight_edges=edges)
    aet = next(n for n in m.nodes if n.get("iri") == ID + "programme/aet")
    assert "AET" in aet["alt"] and aet["description"].startswith("Dynamique de co-construction")
    assert m.documents["002_cd60e692da181ed7"]["title"].startswith("Fonds ODD17 – fiche partenaire")
    assert m.documents["002_cd60e692da181ed7"]["publisher"] == "Fonds ODD17"
    assert "issued" not in m.documents["002_cd60e692da181ed7"]  # undated: no date invented
    assert m.documents["000_41ce6054b7228f2a"]["issued"] == "2023-03-09"


def test_legend_draws_the_node_shapes():
    from tests.test_view import tiny

    html = render_html(build_model(tiny(), ["a", "b", "p"], title="T"))
    legend = html[html.index('id="kg-legend"') :]
    assert legend.count('<svg class="icon"') == 3 + 1  # association, entreprise, programme; a link
    assert "<circle" in legend and "<rect" in legend and 'class="swatch"' not in html


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def views(graph, projection, tmp_path_factory) -> dict[str, Path]:
    """The three example views, ``kg view --all`` and a 150-node graph, as HTML files."""
    from kg.present.examples import write_examples

    out = tmp_path_factory.mktemp("views")
    write_examples(graph, out)
    paths = {name: out / f"{name}.html" for name in EXAMPLES}
    paths["all"] = view(graph, whole=True, out=out / "all.html", G=projection).path
    G = synthetic(150, seed=5)
    paths["synthetic-150"] = write_html(build_model(G, G.nodes, title="150"), out / "s150.html").path
    return paths


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=["1920x1080", "1280x720"])
def test_labels_apart_network_fills_the_frame_labels_readable(views, size):
    require_chromium()
    problems: list[str] = []
    with browser(*size) as ctx:
        for name, path in views.items():
            page = open_page(ctx, path)
            p = page.page
            fitted = measure(p)
            if fitted["overlaps"]:
                problems.append(f"{name}: labels overlap {fitted['overlaps'][:3]}")
            if max(fitted["coverW"], fitted["coverH"]) < 0.8:
                problems.append(f"{name}: covers {fitted['coverW']:.0%} by {fitted['coverH']:.0%}")
            if not fitted["inside"]:
                problems.append(f"{name}: part of the network is out of the frame")
            if size == (1280, 720) and fitted["nodes"] <= 100 and fitted["minLabelPx"] < 12:
                problems.append(f"{name}: labels of {fitted['minLabelPx']:.1f} px")
            if fitted["nodes"] <= 100 and fitted["drawn"] != fitted["nodes"]:
                problems.append(f"{name}: {fitted['nodes'] - fitted['drawn']} labels not drawn")
            # zoomed in until every label is drawn: still none over another node
            close = measure(p, scale=1.0)
            if close["overlaps"] or close["drawn"] != close["nodes"]:
                problems.append(f"{name} at zoom 1: labels overlap {close['overlaps'][:3]}")
            if size == (1280, 720) and name in EXAMPLES:
                p.evaluate("kgView.reset()")
                shot = p.screenshot(type="png")
                if os.environ.get("KG_SCREENSHOTS") == "1":
                    IMG.mkdir(parents=True, exist_ok=True)
                    (IMG / f"{name}.png").write_bytes(shot)
            assert page.page_errors == [] and page.console_errors == [], (name, page.page_errors)
            p.close()
    assert problems == []


def test_screenshots_of_the_examples_are_committed_and_shown_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in EXAMPLES:
        data = (IMG / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (1280, 720)
        assert len(data) < 400_000
        assert f"docs/img/{name}.png" in readme
    assert readme.index("make build") < readme.index("## Views")  # the two first commands stay first


@pytest.fixture(scope="module")
def page_of(views):
    require_chromium()
    with browser(1280, 720) as ctx:
        opened: list = []

        def open_view(name: str):
            page = open_page(ctx, views[name])
            opened.append(page)
            return page

        yield open_view
        for page in opened:
            assert page.blocked == [] and page.page_errors == [] and page.dialogs == []
            page.page.close()


def _node(p, iri: str) -> str:
    return str(p.evaluate("iri => kgView.data.nodes.find(n => n.iri === iri).id", iri))


@pytest.mark.browser
def test_hovering_a_grant_link_shows_the_document_title_its_date_and_the_quote(page_of):
    p = page_of("fonds-odd17-funding").page
    edge = p.evaluate(
        """() => { const d = kgView.data, by = {}; d.nodes.forEach(n => by[n.id] = n);
                   const e = d.edges.find(e => by[e.from].kind === 'funding'
                                               && by[e.from].label.startsWith('3')
                                               && by[e.to].label === 'Club ESS');
                   return {id: e.id, quote: d.quotes[e.src[0]][1]}; }"""
    )
    text = hover_edge(p, edge["id"])
    assert "3\u202f000\xa0€ · Fonds ODD17 → Club ESS" in text
    assert "Fonds ODD17 – fiche partenaire Paris Est Marne et Bois — Fonds ODD17, non daté" in text
    assert edge["quote"] in text and "002_cd60e692da181ed7" not in text
    # a link whose document is dated shows its date
    dated = p.evaluate(
        """() => { const d = kgView.data; const e = d.edges.find(e => (e.src || []).some(
                       i => (d.documents[d.quotes[i][0]] || {}).issued));
                   return e ? {id: e.id, doc: d.documents[d.quotes[e.src[0]][0]]} : null; }"""
    )
    assert dated is not None
    text = hover_edge(p, dated["id"])
    assert f"{dated['doc']['title']}, {dated['doc']['issued']}" in text


@pytest.mark.browser
@pytest.mark.parametrize(
    ("view_name", "query", "iri"),
    [
        ("aet-q2er-vitawin", "Q2ER", "programme/q2er"),
        ("aet-q2er-vitawin", "AET", "programme/aet"),
        ("aet-q2er-vitawin", "vitawin", "programme/vitawin"),
        ("pemb-ecosystem", "PEMB", "actor/pemb"),
        ("pemb-ecosystem", "Charenton", "actor/ville-de-charenton-le-pont"),
    ],
)
def test_search_finds_names_other_names_and_acronyms(page_of, view_name, query, iri):
    p = page_of(view_name).page
    assert p.evaluate("q => kgView.search(q)", query) == _node(p, ID + iri)
    assert p.evaluate("kgView.isDimmed()")
    p.evaluate("kgView.reset()")


@pytest.mark.browser
def test_search_by_theme_focuses_every_node_of_it_and_nothing_found_says_so(page_of):
    p = page_of("pemb-ecosystem").page
    found = p.evaluate("kgView.find('jeunesse')")
    themed = p.evaluate("kgView.data.nodes.filter(n => (n.themes || []).includes('jeunesse')).map(n => n.id)")
    assert len(themed) >= 2 and set(found) == set(themed)
    assert p.evaluate("kgView.find('Programme')") != found  # a type: another set
    assert p.evaluate("kgView.search('zzz nothing')") is None
    assert p.evaluate("document.getElementById('kg-status').textContent") != ""
    p.evaluate("kgView.reset()")


@pytest.mark.browser
def test_click_opens_the_card_with_description_and_every_source(page_of):
    p = page_of("aet-q2er-vitawin").page
    aet = _node(p, ID + "programme/aet")
    x, y = node_point(p, aet)
    p.mouse.click(x, y)
    p.wait_for_function("!document.getElementById('kg-panel').hidden")
    text = p.evaluate("document.getElementById('kg-panel').textContent")
    n = p.evaluate("id => kgView.data.nodes.find(n => n.id === id)", aet)
    assert n["description"] in text and "AET" in text
    quotes = p.evaluate(
        "id => kgView.data.nodes.find(n => n.id === id).src.map(i => kgView.data.quotes[i])", aet
    )
    assert len(quotes) >= 2
    for doc, quote in quotes:
        assert quote in text and p.evaluate("d => kgView.docLine(d)", doc) in text
    assert "Fonds ODD17 – fiche partenaire" in text and "_" not in p.evaluate(
        "[...document.querySelectorAll('#kg-panel .doc')].map(e => e.textContent).join('')"
    )
    # another node: another card (a territory has no description)
    terr = p.evaluate("kgView.data.nodes.find(n => n.kind === 'territory').id")
    p.evaluate("id => kgView.showPanel(id)", terr)
    assert p.evaluate("document.querySelector('#kg-panel .desc')") is None
    p.keyboard.press("Escape")
    assert p.evaluate("document.getElementById('kg-panel').hidden")


@pytest.mark.browser
def test_reset_escape_and_clearing_the_search_restore_the_initial_view(page_of):
    p = page_of("pemb-ecosystem").page
    initial = p.evaluate("({s: kgView.network.getScale(), p: kgView.network.getViewPosition()})")

    def changed() -> None:
        assert p.evaluate("kgView.search('PEMB')") is not None
        p.wait_for_timeout(400)  # the search's zoom animation
        x, y = node_point(p, p.evaluate("kgView.focused"))
        p.mouse.click(x, y)
        assert p.evaluate("kgView.isDimmed()")
        assert not p.evaluate("document.getElementById('kg-panel').hidden")
        assert p.evaluate("kgView.network.getScale()") != pytest.approx(initial["s"])

    def restored() -> None:
        assert not p.evaluate("kgView.isDimmed()")
        assert p.evaluate("document.getElementById('kg-panel').hidden")
        assert p.evaluate("kgView.network.getSelectedNodes().length") == 0
        now = p.evaluate("({s: kgView.network.getScale(), p: kgView.network.getViewPosition()})")
        assert now["s"] == pytest.approx(initial["s"], rel=1e-6)
        assert now["p"]["x"] == pytest.approx(initial["p"]["x"], abs=0.01)
        assert now["p"]["y"] == pytest.approx(initial["p"]["y"], abs=0.01)

    changed()
    p.click("#kg-reset")
    restored()
    changed()
    p.keyboard.press("Escape")
    restored()
    assert p.evaluate("document.getElementById('kg-search').value") == ""
    p.fill("#kg-search", "PEMB")
    p.press("#kg-search", "Enter")
    assert p.evaluate("kgView.isDimmed()")
    p.fill("#kg-search", "")
    restored()


@pytest.mark.browser
def test_emphasised_nodes_keep_their_colour_when_hovered_or_selected(page_of):
    p = page_of("fonds-odd17-funding").page
    colours = p.evaluate(
        """() => kgView.data.nodes.filter(n => n.hl).map(n => {
             const c = kgView.network.body.nodes[n.id].options.color;
             return [n.color, c.background, c.hover.background, c.highlight.background]; })"""
    )
    assert colours and all(len(set(c)) == 1 for c in colours)
    plain = p.evaluate(
        """() => { const n = kgView.data.nodes.find(n => !n.hl && !n.focus);
                   const c = kgView.network.body.nodes[n.id].options.color;
                   return [n.color, c.hover.background]; }"""
    )
    assert plain[0] == plain[1]


@pytest.mark.browser
def test_print_shows_the_network_alone_centred_with_title_legend_and_caption(page_of):
    p = page_of("aet-q2er-vitawin").page
    p.emulate_media(media="print")
    p.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    p.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    shown = p.evaluate(
        """() => Object.fromEntries(
                   ['.controls', '#kg-title', '#kg-legend', '#kg-caption', '#kg-caption-print']
                   .map(s => [s, getComputedStyle(document.querySelector(s)).display]))"""
    )
    assert shown[".controls"] == "none" and shown["#kg-caption"] == "none"
    assert "none" not in (shown["#kg-title"], shown["#kg-legend"], shown["#kg-caption-print"])
    caption = p.evaluate("document.getElementById('kg-caption-print').textContent")
    assert "survol" not in caption and re.search(r"\d+ nœuds", caption)
    m = measure(p)
    assert m["inside"] and m["overlaps"] == [] and max(m["coverW"], m["coverH"]) >= 0.8
    assert abs(m["centreX"] - 0.5) < 0.02 and abs(m["centreY"] - 0.5) < 0.02
    p.emulate_media(media="screen")
    p.set_viewport_size({"width": 1280, "height": 720})


@pytest.mark.browser
def test_focus_from_another_script_dims_the_rest_and_zooms_on_the_set(page_of):
    p = page_of("pemb-ecosystem").page
    before = p.evaluate("kgView.network.getScale()")
    ids = p.evaluate("kgView.data.nodes.filter(n => n.kind === 'programme').slice(0, 2).map(n => n.id)")
    p.evaluate("ids => kgView.focus(ids, [], {zoom: false})", ids)
    assert p.evaluate("kgView.isDimmed()") and p.evaluate("kgView.network.getScale()") == before
    p.evaluate("ids => kgView.focus(ids)", ids)
    p.wait_for_timeout(500)  # the zoom's animation
    assert p.evaluate("kgView.network.getScale()") > before
    p.evaluate("kgView.reset()")
    assert not p.evaluate("kgView.isDimmed()")
    assert p.evaluate("kgView.network.getScale()") == pytest.approx(before)


def test_figures_of_the_view_nodes_only_are_those_of_the_whole_graph(graph):
    from kg.present.selections import figures

    every = figures(graph)
    assert len(every) >= 2, "the curated data has key figures on several nodes"
    first, second = sorted(every)[:2]
    nobody = "https://w3id.org/territorial-kg/id/actor/nobody"
    assert figures(graph, nodes={first, nobody}) == {first: every[first]}
    assert figures(graph, "fr", [second]) == {second: every[second]}
    assert figures(graph, nodes=[]) == {}
    assert figures(graph, "en", set(every)) == figures(graph, "en")
