"""The year slider and the time axis (static/view.js's year parts, static/timeline.js) in headless Chromium:
actors appear with their first dated link, undated nodes are marked, the history example links AET and
Q2ER."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest

from kg.present.story import attach
from kg.present.view import build_model, write_html
from tests.view_browser import browser, open_page, require_chromium

ID = "https://w3id.org/territorial-kg/id/"


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    with browser() as ctx:
        yield ctx


def _clean(page) -> None:
    assert page.blocked == [] and page.console_errors == [] and page.page_errors == [] and page.dialogs == []


def _at(p, year: int | None) -> set[str]:
    """Move the slider to *year* as a user would (None: its end, every year) and return the drawn nodes."""
    p.evaluate(
        """y => { const s = document.getElementById('kg-year'); s.value = y === null ? s.max : y;
                  s.dispatchEvent(new Event('input')); }""",
        year,
    )
    return set(p.evaluate("kgView.network.body.nodeIndices"))


def tiny(first_link: str) -> nx.MultiDiGraph:
    """Alpha founded in 2000, its first link to P starting in *first_link*; Beta with no date at all."""
    G = nx.MultiDiGraph()
    G.add_node("alpha", kind="actor", label="Alpha", types=[], start="2000", end=None, sources=[])
    G.add_node("beta", kind="actor", label="Beta", types=[], start=None, end=None, sources=[])
    G.add_node("p", kind="programme", label="P", types=[], start="2005", end=None, sources=[])
    G.add_edge("alpha", "p", kind="participation", role=None, start=first_link, end=None, sources=[])
    G.add_edge("beta", "p", kind="participation", role=None, start=None, end=None, sources=[])
    return G


@pytest.mark.browser
@pytest.mark.parametrize(
    ("first_link", "shown_in_2010", "lang", "undated"),
    [
        ("2015", False, "fr", "date inconnue — 1 nœud sans date connue"),
        ("2008", True, "en", "date unknown — 1 node with no known date"),
    ],
)
def test_an_actor_appears_with_its_first_dated_link_not_its_founding(
    chromium, tmp_path, first_link, shown_in_2010, lang, undated
):
    G = tiny(first_link)
    m = build_model(G, G.nodes, title="t", lang=lang)
    attach(m, None, G, G.nodes, timeline=True, lang=lang)
    page = open_page(chromium, write_html(m, tmp_path / "t.html").path)
    p = page.page
    ids = {n["iri"]: n["id"] for n in m.nodes}
    assert (ids["alpha"] in _at(p, 2010)) is shown_in_2010  # founded in 2000: not alone on the screen
    assert ids["alpha"] in _at(p, 2015)
    assert ids["beta"] in _at(p, 2001)  # no date: always shown, and marked
    assert p.evaluate("kgView.undated") == [ids["beta"]]
    assert p.evaluate(f"kgView.nodes.get('{ids['beta']}').shapeProperties.borderDashes") == [5, 4]
    assert p.evaluate(f"kgView.nodes.get('{ids['alpha']}').shapeProperties") is None
    assert p.evaluate("document.getElementById('kg-undated').textContent").startswith(undated)
    _clean(page)
    p.close()


@pytest.fixture(scope="module")
def history(graph, projection, tmp_path_factory):
    """The history example as :func:`kg.present.examples.write_examples` writes it (without the pictures)."""
    from kg.present.examples import _history

    nodes, hl, edges = _history(projection)
    m = build_model(projection, nodes, title="Histoire", highlight=hl, highlight_edges=edges)
    attach(m, graph, projection, nodes, story=True)
    return m, write_html(m, tmp_path_factory.mktemp("history") / "history.html").path


def test_history_example_holds_and_highlights_the_aet_q2er_link(history, projection):
    from kg.present.examples import _history

    _, _, edges = _history(projection)
    aet, q2er, vitawin = (ID + "programme/" + x for x in ("aet", "q2er", "vitawin"))
    assert (q2er, aet) in edges and (vitawin, aet) in edges
    m, _ = history
    ids = {n["iri"]: n["id"] for n in m.nodes if "iri" in n}
    link = [e for e in m.edges if e["from"] == ids[q2er] and e["to"] == ids[aet]]
    assert [(e["kind"], e["hl"]) for e in link] == [("partie", True)]
    assert "timeline" in m.addons and m.addons["story"]["years"] is True


@pytest.mark.browser
def test_history_time_axis_slider_and_undated_marks(history, chromium, tmp_path):
    m, path = history
    page = open_page(chromium, path)
    p = page.page
    ids = {n["iri"]: n["id"] for n in m.nodes if "iri" in n}
    aet, q2er, vitawin, pemb = (
        ids[ID + x] for x in ("programme/aet", "programme/q2er", "programme/vitawin", "actor/pemb")
    )
    link = next(e["id"] for e in m.edges if e["from"] == q2er and e["to"] == aet)
    assert link in p.evaluate("kgView.network.body.edgeIndices")  # AET → Q2ER drawn
    # PEMB, founded in 2016, has its first link here in 2021: hidden before, not floating alone
    shown = _at(p, 2018)
    assert pemb not in shown and aet in shown and q2er in shown and vitawin not in shown
    assert pemb in _at(p, 2021)
    # undated nodes: marked and always shown, and said in the legend and on the axis
    undated = p.evaluate("kgView.undated")
    labels = {n["id"]: n["label"] for n in m.nodes}
    assert {"Club Gravelle Entreprendre", "Ville de Charenton-le-Pont"} <= {labels[i] for i in undated}
    assert set(undated) <= _at(p, 2008)
    assert all(
        p.evaluate(f"kgView.nodes.get('{i}').shapeProperties.borderDashes.length") == 2 for i in undated
    )
    assert p.evaluate("document.querySelector('#kg-legend .undated-legend').textContent") == "date inconnue"
    assert p.evaluate("document.getElementById('kg-undated').textContent").startswith(
        f"date inconnue — {len(undated)} nœuds sans date connue"
    )
    # the axis: a column per year, marks where things start, a click sets the slider
    years = p.evaluate("[...document.querySelectorAll('#kg-timeline .year')].map(b => b.dataset.year)")
    assert years == [str(y) for y in range(m.years[0], m.years[1] + 1)]
    marks = p.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#kg-timeline .year')]"
        ".map(b => [b.dataset.year, b.querySelectorAll('.dot').length]))"
    )
    assert marks["2014"] >= 1 and marks["2021"] >= 2 and marks["2010"] == 0
    assert "Quand Elèves et Entreprises se rencontrent" in p.evaluate(
        "document.querySelector('#kg-timeline .year[data-year=\"2014\"]').title"
    )
    p.click('#kg-timeline .year[data-year="2014"]')
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2014"
    shown = set(p.evaluate("kgView.network.body.nodeIndices"))
    assert q2er in shown and vitawin not in shown
    assert p.evaluate("document.querySelector('#kg-timeline .year.now').dataset.year") == "2014"
    for folder in filter(None, [tmp_path, os.environ.get("KG_SCREENSHOTS")]):
        Path(folder).mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(Path(folder) / "timeline-2014.png"))
    p.click("#kg-timeline .all")
    assert p.evaluate("kgView.year()") is None and vitawin in set(
        p.evaluate("kgView.network.body.nodeIndices")
    )
    # the story steps year by year and moves the slider with it
    p.keyboard.press("ArrowRight")
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2008"
    p.keyboard.press("End")
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2021"
    _clean(page)
    p.close()


@pytest.mark.browser
@pytest.mark.parametrize("as_of", [2015, None])
def test_a_year_by_year_story_returns_to_the_year_the_page_opened_at(
    graph, projection, chromium, tmp_path, as_of
):
    from kg.present.view import view

    r = view(graph, programme="AET", story=True, as_of=as_of, out=tmp_path / "aet.html", G=projection)
    page = open_page(chromium, r.path)
    p = page.page
    assert p.evaluate("kgView.year()") == as_of
    p.keyboard.press("ArrowRight")
    assert p.evaluate("kgView.year()") == r.model.addons["story"]["steps"][0]["year"] == 2008
    p.keyboard.press("Home")
    assert p.evaluate("kgView.year()") == as_of
    _clean(page)
    p.close()
