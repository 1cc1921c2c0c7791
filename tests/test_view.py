"""kg.present.view: view models, the HTML page, and the page opened in headless Chromium with the network
blocked."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from kg.errors import ExportError, UnknownEntityError
from kg.present.view import (
    VIS_VERSION,
    build_model,
    iframe_snippet,
    neighbourhood,
    render_html,
    territory_nodes,
    view,
    write_html,
)
from tests.view_browser import browser, open_page, require_chromium

PAYLOAD = "<img src=x onerror=alert(1)>"
ID = "https://w3id.org/territorial-kg/id/"


def tiny(label: str = "Association A") -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = {
        "association": {"fr": "Association", "en": "Association"},
        "participation": {"fr": "Participation", "en": "Participation"},
    }
    G.add_node(
        "a",
        kind="actor",
        label=label,
        types=["association"],
        themes=["ess"],
        start="2019",
        end=None,
        territory=[],
        sources=[("doc/001", f"{label} est une association « engagée ».")],
    )
    G.add_node(
        "b",
        kind="actor",
        label="Entreprise B",
        types=["entreprise"],
        themes=[],
        start=None,
        end=None,
        territory=[],
        sources=[],
    )
    G.add_node(
        "p",
        kind="programme",
        label="Programme P",
        types=["programme"],
        themes=["ess"],
        start="2021",
        end=None,
        territory=[],
        sources=[("doc/002", "Le programme P a démarré en 2021.")],
    )
    G.add_edge(
        "a",
        "p",
        kind="participation",
        role="porteur",
        start="2021",
        end=None,
        sources=[("doc/002", "A porte le programme P depuis 2021.")],
    )
    G.add_edge("b", "p", kind="participation", role="partenaire", start="2022", end=None, sources=[])
    return G


def synthetic(n: int, seed: int = 3) -> nx.MultiDiGraph:
    base = nx.powerlaw_cluster_graph(n, 2, 0.1, seed=seed)
    G = nx.MultiDiGraph()
    types = ["association", "entreprise", "commune", "fondation"]
    for i in base.nodes:
        G.add_node(
            f"n{i}",
            kind="actor",
            label=f"Acteur {i}",
            types=[types[i % 4]],
            themes=[],
            start=None,
            end=None,
            territory=[],
            sources=[],
        )
    for a, b in base.edges:
        G.add_edge(f"n{a}", f"n{b}", kind="adhesion", start=None, end=None, sources=[])
    return G


# ---------------------------------------------------------------- model and HTML (no browser)


def test_model_has_every_node_and_edge_with_positions():
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    assert len(m.nodes) == 3 and len(m.edges) == 2 and not m.grouped
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in m.nodes)
    assert {i["key"] for i in m.legend} == {"association", "entreprise", "programme"}
    assert m.years[0] == 2019


def test_layout_is_deterministic():
    G = synthetic(120)
    a = build_model(G, G.nodes, title="T", max_nodes=None)
    b = build_model(G, G.nodes, title="T", max_nodes=None)
    assert [(n["x"], n["y"]) for n in a.nodes] == [(n["x"], n["y"]) for n in b.nodes]


def test_beyond_the_threshold_nodes_are_grouped_and_the_page_says_so(tmp_path):
    G = synthetic(400)
    m = build_model(G, G.nodes, title="T", max_nodes=100)
    assert m.grouped
    assert len(m.nodes) <= 100
    assert sum(n.get("memberCount", 1) for n in m.nodes) == 400
    assert "regroupée" in m.note and "400" not in m.note.split(":")[0]
    html = render_html(m)
    assert 'id="kg-note"' in html


def test_grouping_by_territory():
    G = synthetic(300)
    for i, n in enumerate(G.nodes):  # 60 territories: more groups than room, the smallest become "autres"
        G.nodes[n]["territory"] = [f"t{i % 60}"]
    for t in range(60):
        G.add_node(
            f"t{t}",
            kind="territory",
            label=f"Territoire {t}",
            types=["commune"],
            themes=[],
            start=None,
            end=None,
            territory=[],
            sources=[],
        )
    m = build_model(G, G.nodes, title="T", max_nodes=50, group_by="territory")
    assert m.grouped and any(n.get("group") for n in m.nodes)
    assert len(m.nodes) <= 50 and any(n["label"].startswith("autres") for n in m.nodes)
    assert sum(n.get("memberCount", 1) for n in m.nodes) == 360


def test_focus_and_highlighted_nodes_are_never_grouped():
    G = synthetic(300)
    m = build_model(G, G.nodes, title="T", max_nodes=40, highlight=["n299"], focus=["n298"])
    labels = {n["label"] for n in m.nodes}
    assert {"Acteur 299", "Acteur 298"} <= labels


def test_english_labels():
    m = build_model(tiny(), ["a", "b", "p"], title="T", lang="en")
    assert m.ui["search"].startswith("Find")
    with pytest.raises(ExportError):
        build_model(tiny(), ["a"], title="T", lang="de")


def test_page_is_self_contained():
    html = render_html(build_model(tiny(), ["a", "b", "p"], title="T"))
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no remote resource
    assert "@import" not in html and "@font-face" not in html
    assert "sourceMappingURL" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "bootstrap" not in html.lower()


def test_vendored_vis_network_is_the_announced_version():
    head = (
        Path(__file__).resolve().parents[1] / "kg" / "present" / "static" / "vis-network.min.js"
    ).read_text()[:600]
    assert VIS_VERSION in head


def test_injected_name_is_escaped_in_the_html():
    m = build_model(tiny(PAYLOAD), ["a", "b", "p"], title=PAYLOAD, caption=PAYLOAD)
    html = render_html(m)
    assert PAYLOAD not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # title, caption
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # JSON data


def test_iframe_snippet_is_16_9_and_escaped():
    s = iframe_snippet('a"b.html', "<T>")
    assert "aspect-ratio:16/9" in s and "&lt;T&gt;" in s and "a&quot;b.html" in s


def test_write_html_reports_size_and_counts(tmp_path):
    r = write_html(build_model(tiny(), ["a", "b", "p"], title="T"), tmp_path / "sub" / "v.html")
    assert r.path.is_file() and r.nodes == 3 and r.edges == 2 and r.bytes == r.path.stat().st_size


def test_write_html_to_an_unwritable_place_is_an_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        write_html(build_model(tiny(), ["a"], title="T"), blocker / "v.html")


# ---------------------------------------------------------------- selections on the real graph


def test_territory_view_holds_pemb_and_its_communes(graph, projection):
    nodes = territory_nodes(graph, projection, "intercommunalite:200057941")
    assert ID + "actor/pemb" in nodes and ID + "actor/ville-de-charenton-le-pont" in nodes
    assert ID + "programme/vitawin" in nodes


@pytest.mark.parametrize(
    "territory, groups_at",
    [("intercommunalite:200057941", None), ("departement:94", 5), ("commune:94080", None)],
)
def test_a_territory_view_from_the_projection_node_by_node_is_the_same_page(
    built_store, projection, tmp_path, territory, groups_at
):
    """``kg view --territory`` reads only the nodes it draws (``projparts.bin``): the same page, byte for
    byte, as from the whole projection — drawn (PEMB, a commune) or grouped (département 94)."""
    import kg
    from kg.network.projection import cached_project
    from kg.network.projection_parts import open_parts

    graph = kg.open(built_store)
    cached_project(graph)  # a reader writes the projection, and the projection node by node, beside the store
    assert open_parts(built_store) is not None
    opts = {"territory": territory, "group_by": "territory", "groups_at": groups_at, "max_nodes": 10}
    parts = view(graph, out=tmp_path / "parts.html", **opts)
    whole = view(graph, out=tmp_path / "whole.html", G=projection, **opts)
    assert (tmp_path / "parts.html").read_bytes() == (tmp_path / "whole.html").read_bytes()
    assert (parts.nodes, parts.edges, parts.grouped) == (whole.nodes, whole.edges, whole.grouped)
    assert ("groups" in parts.model.addons) == (groups_at is not None)  # nested groups, or drawn


def test_territory_views_differ_by_territory(graph, tmp_path):
    pages = [
        view(graph, territory=t, out=tmp_path / f"{i}.html").path.read_bytes()
        for i, t in enumerate(("intercommunalite:200057941", "commune:94080"))
    ]
    assert pages[0] != pages[1]


def test_an_ecosystem_asked_without_labels_gets_the_same_labels_later(graph):
    """A grouped view asks no labels (``labels=False``); a drawn one asks them after (``with_labels``): the
    same labels and reasons as the ecosystem asked at once, for two territories that differ."""
    from kg.store.ecosystem import ecosystem, with_labels

    seen = []
    for territory in ("intercommunalite:200057941", "commune:94080"):
        at_once = ecosystem(graph, territory)
        bare = ecosystem(graph, territory, labels=False)
        assert bare.labels == {} and bare.reasons == at_once.reasons
        later = with_labels(graph, bare)
        assert later.labels == at_once.labels and later.labels
        assert [later.explain(n) for n in later] == [at_once.explain(n) for n in at_once]
        seen.append(later.labels)
    assert seen[0] != seen[1]


def test_grouped_paths_name_the_geography_s_levels():
    """The grouped view's paths (région → département → EPCI/EPT → commune), read from data/geo without
    its indexes, are those the whole geography gives."""
    from kg.ingest.geo import load_geography
    from kg.present.groups import _Places

    places, geo = _Places("fr"), load_geography()
    pre = "https://w3id.org/territorial-kg/id/territory/"
    vincennes, charenton = places.path(pre + "commune/94080"), places.path(pre + "commune/94018")
    assert [k for k, _ in vincennes] == [
        "region:11",
        "departement:94",
        "intercommunalite:200057941",
        "commune:94080",
    ]
    assert vincennes != charenton and vincennes[:3] == charenton[:3]
    assert [n for _, n in vincennes] == [
        geo.regions["11"].name,
        geo.departements["94"].name,
        geo.intercommunalities["200057941"].name,
        geo.communes["94080"].name,
    ]
    lyon = geo.communes["69381"]  # an arrondissement, in the Métropole de Lyon
    assert places.path(pre + "commune/69381")[-1] == ("commune:69381", lyon.name)
    for siren, inter in list(geo.intercommunalities.items())[::40]:
        path = places.path(pre + f"intercommunalite/{siren}")
        assert path[-1] == (f"intercommunalite:{siren}", inter.name)
        dep = inter.departement or geo.communes[geo.by_intercommunality[siren][0]].departement
        assert path[1] == (f"departement:{dep}", geo.departements[dep].name)
    assert places.path(pre + "region/84") == [("region:84", geo.regions["84"].name)]
    assert places.path(pre + "commune/00000") == [] and places.path("https://example.org/x") == []


def test_neighbourhood_goes_through_grants(projection):
    nodes, start = neighbourhood(projection, "Fonds ODD17", 1)
    assert start == ID + "actor/fonds-odd17"
    assert ID + "actor/club-ess" in nodes and ID + "actor/pemb" in nodes


def test_view_needs_exactly_one_selection(graph):
    with pytest.raises(ExportError, match="choose one view"):
        view(graph, out="/dev/null")
    with pytest.raises(UnknownEntityError, match="did you mean"):
        view(graph, actor="Fonds ODDD17", out="/dev/null")


def test_cli_view_and_embed(built_store, tmp_path):
    from kg.cli.view import register

    app = typer.Typer()
    register(app)
    out = tmp_path / "v.html"
    res = CliRunner().invoke(
        app,
        [
            "view",
            "--chain",
            "AET",
            "VitaWin",
            "--store",
            str(built_store),
            "--out",
            str(out),
            "--embed",
            "--svg",
            "--png",
        ],
    )
    assert res.exit_code == 0, res.output
    assert out.is_file() and out.with_suffix(".svg").is_file() and out.with_suffix(".png").is_file()
    assert '<iframe src="v.html"' in res.output


def test_cli_view_unknown_actor_exits_4(built_store, tmp_path):
    from kg.cli.view import register

    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(
        app,
        ["view", "--actor", "Fonds ODDD17", "--store", str(built_store), "--out", str(tmp_path / "v.html")],
    )
    assert res.exit_code == 4 and "Fonds ODD17" in res.output


def test_examples_are_written_and_change_with_the_data_not_with_the_calendar(graph, tmp_path, monkeypatch):
    from kg.present.examples import EXAMPLES, write_examples

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01
    paths = write_examples(graph, tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        f"{n}.{e}" for n in EXAMPLES for e in ("html", "svg", "png")
    )
    first = {p.name: p.read_bytes() for p in paths}
    assert "Généré par Territorial KG le 2025-12-01." in (tmp_path / "pemb-ecosystem.html").read_text()
    assert 'max="2025"' in (tmp_path / "aet-q2er-vitawin.html").read_text()  # the slider ends that year
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # a year later, the same data: nothing written
    assert write_examples(graph, tmp_path) == []
    assert {p.name: p.read_bytes() for p in paths} == first
    (tmp_path / "fonds-odd17-funding.html").write_text(
        first["fonds-odd17-funding.html"].decode().replace("Fonds ODD17", "Fonds ODD 17"), encoding="utf-8"
    )  # one view that is not what the data gives: that one made again, on the new day
    again = write_examples(graph, tmp_path)
    assert sorted(p.name for p in again) == [f"fonds-odd17-funding.{e}" for e in ("html", "png", "svg")]
    assert "Généré par Territorial KG le 2026-12-01." in (tmp_path / "fonds-odd17-funding.html").read_text()


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    with browser() as ctx:
        yield ctx


def _clean(page) -> None:
    assert page.blocked == [], f"requests left the page: {page.blocked}"
    assert page.console_errors == [], page.console_errors
    assert page.page_errors == [], page.page_errors
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"


def _hover(p, node_id: str) -> str:
    """Move the mouse onto node *node_id* and return the tooltip's text."""
    xy = p.evaluate(
        """id => { const n = kgView.network; const pos = n.getPositions([id])[id];
                                const d = n.canvasToDOM(pos); const r = document.getElementById('kg-net')
                                .getBoundingClientRect(); return [r.left + d.x, r.top + d.y]; }""",
        node_id,
    )
    p.mouse.move(xy[0] - 30, xy[1] - 30)
    p.mouse.move(xy[0], xy[1], steps=4)
    p.wait_for_function("document.getElementById('kg-tip').style.display === 'block'", timeout=5000)
    return p.evaluate("document.getElementById('kg-tip').textContent")


def _hover_edge(p, edge_id: str) -> str:
    xy = p.evaluate(
        """id => { const n = kgView.network; const e = kgView.edges.get(id);
                                const ps = n.getPositions([e.from, e.to]);
                                const m = {x: (ps[e.from].x + ps[e.to].x) / 2,
                                           y: (ps[e.from].y + ps[e.to].y) / 2};
                                const d = n.canvasToDOM(m); const r = document.getElementById('kg-net')
                                .getBoundingClientRect(); return [r.left + d.x, r.top + d.y]; }""",
        edge_id,
    )
    p.mouse.move(xy[0] - 40, xy[1] - 40)
    p.mouse.move(xy[0], xy[1], steps=4)
    p.wait_for_function("document.getElementById('kg-tip').style.display === 'block'", timeout=5000)
    return p.evaluate("document.getElementById('kg-tip').textContent")


@pytest.mark.browser
def test_pemb_view_offline_no_error_all_nodes_drawn_and_sources_on_hover(
    graph, projection, chromium, tmp_path
):
    r = view(graph, territory="intercommunalite:200057941", out=tmp_path / "pemb.html", G=projection)
    page = open_page(chromium, r.path)
    p = page.page
    assert p.evaluate("kgView.network.body.nodeIndices.length") == r.nodes == len(r.model.nodes)
    assert p.evaluate("kgView.network.body.edgeIndices.length") == r.edges
    node = next(n for n in r.model.nodes if n["sources"] and n["iri"] == ID + "actor/pemb")
    text = _hover(p, node["id"])
    assert node["sources"][0][1] in text and "Paris Est Marne et Bois" in text
    assert "13 communes" in text  # key figures (schema:Observation) are in the tooltip
    edge = next(e for e in r.model.edges if e["sources"] and e["kind"] == "participation")
    text = _hover_edge(p, edge["id"])
    assert any(src[1] in text for src in edge["sources"])
    _clean(page)
    p.close()


@pytest.mark.browser
def test_year_slider_hides_what_did_not_exist_yet(graph, projection, chromium, tmp_path):
    from kg.present.examples import _history

    nodes, hl, edges = _history(projection)
    m = build_model(projection, nodes, title="Histoire", highlight=hl, highlight_edges=edges)
    path = write_html(m, tmp_path / "history.html").path
    page = open_page(chromium, path)
    p = page.page
    ids = {n["iri"]: n["id"] for n in m.nodes if "iri" in n}
    aet, q2er, vitawin = (ids[ID + "programme/" + x] for x in ("aet", "q2er", "vitawin"))

    def at(year: int) -> list[str]:
        p.evaluate(
            """y => { const s = document.getElementById('kg-year'); s.value = y;
                              s.dispatchEvent(new Event('input')); }""",
            year,
        )
        return p.evaluate("kgView.network.body.nodeIndices")

    shown = at(2010)
    assert aet in shown and q2er not in shown and vitawin not in shown
    shown = at(2015)
    assert aet in shown and q2er in shown and vitawin not in shown
    shown = at(2022)
    assert {aet, q2er, vitawin} <= set(shown)
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2022"
    _clean(page)
    p.close()


@pytest.mark.browser
def test_injected_name_runs_nothing(chromium, tmp_path):
    m = build_model(
        tiny(PAYLOAD + '"><script>alert(2)</script>'), ["a", "b", "p"], title=PAYLOAD, caption=PAYLOAD
    )
    path = write_html(m, tmp_path / "xss.html").path
    page = open_page(chromium, path)
    p = page.page
    text = _hover(p, "n0")
    assert PAYLOAD in text  # shown as text
    assert p.evaluate("document.querySelectorAll('img').length") == 0
    assert p.evaluate("document.getElementById('kg-title').textContent") == PAYLOAD
    assert p.evaluate("kgView.search('img src')") == "n0"
    p.wait_for_timeout(300)
    _clean(page)
    p.close()


@pytest.mark.browser
def test_filters_search_and_click_highlight(chromium, tmp_path):
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    page = open_page(chromium, write_html(m, tmp_path / "f.html").path)
    p = page.page
    p.click("details.filters > summary")
    p.uncheck("#kg-f-types input[data-key=entreprise]")
    assert p.evaluate("kgView.network.body.nodeIndices.length") == 2
    p.check("#kg-f-types input[data-key=entreprise]")
    p.uncheck("#kg-f-kinds input[data-key=participation]")
    assert p.evaluate("kgView.network.body.edgeIndices.length") == 0
    p.check("#kg-f-kinds input[data-key=participation]")
    p.select_option("#kg-f-theme", "ess")
    assert p.evaluate("kgView.network.body.nodeIndices.length") == 2  # B has no theme
    p.select_option("#kg-f-theme", "")
    assert p.evaluate("kgView.search('entreprise b')") == "n1"
    p.fill("#kg-search", "nobody at all")
    p.press("#kg-search", "Enter")
    assert p.evaluate("document.getElementById('kg-status').textContent") != ""
    _clean(page)
    p.close()


@pytest.mark.browser
def test_grouped_whole_view_draws_its_groups(graph, projection, chromium, tmp_path):
    r = view(graph, whole=True, out=tmp_path / "all.html", max_nodes=30, G=projection)
    assert r.grouped
    page = open_page(chromium, r.path)
    p = page.page
    assert p.evaluate("kgView.network.body.nodeIndices.length") == r.nodes
    assert "regroupée" in p.evaluate("document.getElementById('kg-note').textContent")
    _clean(page)
    p.close()


@pytest.mark.browser
def test_view_fills_an_iframe_16_9(graph, projection, chromium, tmp_path):
    r = view(graph, programme="VitaWin", out=tmp_path / "v.html", G=projection)
    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><body style='margin:0;width:960px'>"
        + iframe_snippet("v.html", "t")
        + "</body></html>",
        encoding="utf-8",
    )
    page = chromium.new_page()
    blocked: list[str] = []
    allowed = {host.resolve().as_uri(), r.path.resolve().as_uri()}
    page.route(
        "**/*",
        lambda rt: (
            rt.continue_() if rt.request.url in allowed else (blocked.append(rt.request.url), rt.abort())
        ),
    )
    page.goto(host.resolve().as_uri(), wait_until="load")
    frame = page.frames[1]
    frame.wait_for_function("window.kgView && window.kgView.drawn")
    w, h = page.evaluate(
        "(() => { const r = document.querySelector('iframe').getBoundingClientRect(); "
        "return [r.width, r.height]; })()"
    )
    assert abs(w / h - 16 / 9) < 0.01
    net = frame.evaluate(
        "(() => { const r = document.getElementById('kg-net').getBoundingClientRect(); "
        "return [r.width, r.height]; })()"
    )
    assert net[0] > 0.7 * w and net[1] > 0.6 * h
    assert blocked == []
    page.close()
