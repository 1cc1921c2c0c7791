"""kg.present.pyvis and kg.present.notebook: a view as a pyvis Network (same nodes, edges, colours, positions,
escaped texts) and inline in a notebook (an iframe srcdoc per display); pyvis's page opened in Chromium."""

from __future__ import annotations

import html
import re

import networkx as nx
import pytest

from kg.present.notebook import View, iframe_srcdoc, inline_pyvis
from kg.present.pyvis import edge_tooltip, node_tooltip, to_pyvis
from kg.present.view import build_model, show
from tests.test_view import PAYLOAD, tiny
from tests.view_browser import browser, open_page, require_chromium

SCRIPT_END = "Club </script><script>alert(2)</script>"
HREF = '<a href="x" onmouseover="alert(3)">lien</a>'


def parallel(n: int) -> nx.MultiDiGraph:
    """tiny() with *n* extra support links from A to P besides its participation."""
    G = tiny()
    for i in range(n):
        G.add_edge("a", "p", kind="soutien", start=str(2015 + i), end=None, sources=[])
    return G


# ---------------------------------------------------------------- the Network (no browser)


def test_same_nodes_colours_shapes_and_positions_with_physics_off():
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    net = to_pyvis(m)
    got = {n["id"]: (n["color"], n["shape"], n["x"], n["y"], n["physics"]) for n in net.nodes}
    want = {n["id"]: (n["color"], n["shape"], n["x"], n["y"], False) for n in m.nodes}
    assert got == want
    assert net.options.physics.enabled is False
    assert sorted((e["from"], e["to"], e["color"]) for e in net.edges) == sorted(
        (e["from"], e["to"], e["color"]) for e in m.edges
    )


@pytest.mark.parametrize("extra", [0, 1, 3])
def test_parallel_edges_stay_distinct(extra):
    m = build_model(parallel(extra), ["a", "b", "p"], title="T")
    net = to_pyvis(m)
    a_to_p = [e for e in net.edges if (e["from"], e["to"]) == ("n0", "n2")]
    assert len(a_to_p) == 1 + extra
    assert len({e["id"] for e in net.edges}) == len(net.edges) == len(m.edges)
    # drawn apart: each parallel edge has its own curve
    assert len({str(e["smooth"]) for e in a_to_p}) == 1 + extra


def test_tooltips_are_plain_text_with_sources():
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    a = next(n for n in m.nodes if n["label"] == "Association A")
    b = next(n for n in m.nodes if n["label"] == "Entreprise B")
    assert "« Association A est une association « engagée ». » (001)" in node_tooltip(a)
    assert "depuis 2019" in node_tooltip(a) and "since 2019" in node_tooltip(a, "en")
    assert "«" not in node_tooltip(b)  # no source: no quote
    led = next(e for e in m.edges if e["start"] == "2021")
    assert "A porte le programme P depuis 2021." in edge_tooltip(led)
    assert "2022" in edge_tooltip(next(e for e in m.edges if e["start"] == "2022"))


def test_every_text_is_escaped():
    m = build_model(tiny(PAYLOAD), ["a", "b", "p"], title=SCRIPT_END)
    net = to_pyvis(m)
    texts = [net.heading] + [n["label"] for n in net.nodes] + [n["title"] for n in net.nodes]
    texts += [e["title"] for e in net.edges]
    assert not any("<" in t or ">" in t for t in texts)
    assert net.heading == html.escape(SCRIPT_END, quote=False)
    assert html.escape(PAYLOAD, quote=False) in next(n["label"] for n in net.nodes if n["id"] == "n0")
    # a plain name stays as it is (apostrophes are not escaped)
    m = build_model(tiny("Chambre d'agriculture"), ["a", "b", "p"], title="T")
    assert to_pyvis(m).nodes[0]["label"] == "Chambre d'agriculture"


# ---------------------------------------------------------------- inline in a notebook


def test_each_display_has_its_own_iframe_id_and_the_page_is_escaped_in_srcdoc():
    v = View(build_model(tiny(PAYLOAD), ["a", "b", "p"], title="T"))
    first, second = v._repr_html_(), v._repr_html_()
    ids = [re.search(r'id="(kg-view-[0-9a-f]+)"', x).group(1) for x in (first, second)]
    assert ids[0] != ids[1]
    srcdoc = re.search(r'srcdoc="([^"]*)"', first).group(1)
    assert html.unescape(srcdoc) == v.html()
    assert "<" not in srcdoc and PAYLOAD not in first
    assert "height:600px" in first and "width:100%" in first
    assert "vis-network" in v.html()  # inlined in each frame
    assert "height:300px" in View(v.model, height=300)._repr_html_()


def test_show_writes_nothing_unless_asked(graph, projection, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    v = show(graph, programme="VitaWin", G=projection)
    assert list(tmp_path.iterdir()) == []
    assert "VitaWin" in v.title and v.model.nodes
    out = tmp_path / "sub" / "v.html"
    asked = show(graph, programme="VitaWin", G=projection, out=out)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["v.html"]
    assert out.read_text(encoding="utf-8") == asked.html()


def test_iframe_srcdoc_escapes_quotes():
    frame = iframe_srcdoc('<p a="1">x</p>', 'T "q"')
    assert 'srcdoc="&lt;p a=&quot;1&quot;&gt;x&lt;/p&gt;"' in frame
    assert 'title="T &quot;q&quot;"' in frame


# ---------------------------------------------------------------- pyvis's page in Chromium


#: how many pixels of a frame's (first) canvas are drawn: vis-network's canvas is transparent until drawn
CANVAS_INK = """() => { const c = document.querySelector('canvas'); if (!c || !c.width) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""


def drawn_frames(p, count: int) -> list:
    """The *count* iframes of page *p*, each scrolled to and waited for until its canvas is drawn
    (Chromium draws an off-screen cross-origin frame only once it is scrolled to, as a reader does)."""
    frames = [f for f in p.frames if f != p.main_frame]
    assert len(frames) == count
    for i, f in enumerate(frames):
        p.locator("iframe").nth(i).scroll_into_view_if_needed()
        f.wait_for_function(CANVAS_INK, timeout=30_000)
    return frames


@pytest.fixture(scope="module")
def chromium():
    """Chromium without the first-draw hook of tests/view_browser.py, which breaks srcdoc frames."""
    require_chromium()
    with browser(hook=False) as ctx:
        yield ctx


def _hover_all(p) -> None:
    """Move the mouse over every node (tooltips, including pyvis's innerHTML popup, open)."""
    for xy in p.evaluate(
        """() => { const out = []; const net = window.__kgNet; if (!net) return out;
                   const r = document.getElementById('mynetwork').getBoundingClientRect();
                   for (const [id, pos] of Object.entries(net.getPositions())) {
                     const d = net.canvasToDOM(pos); out.push([r.left + d.x, r.top + d.y]); }
                   return out; }"""
    ):
        p.mouse.move(xy[0] - 30, xy[1] - 30)
        p.mouse.move(xy[0], xy[1], steps=3)
        p.wait_for_timeout(400)


def _open_pyvis(ctx, path):
    page = open_page(ctx, path, wait_draw=False)
    p = page.page
    p.wait_for_function(CANVAS_INK, timeout=30_000)
    # pyvis's template keeps its Network in a global `network`
    p.evaluate("window.__kgNet = window.network")
    return page, p


@pytest.mark.browser
def test_pyvis_page_runs_no_injected_script(chromium, tmp_path):
    G = tiny(PAYLOAD)
    G.nodes["b"]["label"] = SCRIPT_END
    G.nodes["p"]["label"] = HREF  # "href" in a tooltip makes pyvis use innerHTML
    m = build_model(G, ["a", "b", "p"], title=PAYLOAD)
    net = to_pyvis(m)
    path = tmp_path / "pyvis.html"
    net.write_html(str(path))
    page, p = _open_pyvis(chromium, path)
    assert p.evaluate("network.body.nodeIndices.length") == 3
    _hover_all(p)
    # pyvis put the last tooltip (Programme P's, with "href") in its popup with innerHTML: as text
    assert HREF in p.evaluate("document.querySelector('div.popup').textContent")
    assert p.evaluate("document.querySelectorAll('img, a[onmouseover]').length") == 0
    assert page.dialogs == []
    assert page.page_errors == []
    assert PAYLOAD in p.evaluate("document.querySelector('h1').textContent")  # shown as text
    # only pyvis's own Bootstrap links left the page (blocked), nothing our data named
    assert all("bootstrap" in url for url in page.blocked), page.blocked
    p.close()


@pytest.mark.browser
def test_unescaped_pyvis_runs_the_payload_so_the_check_above_can_fail(chromium, tmp_path):
    from pyvis.network import Network

    net = Network(heading=PAYLOAD, cdn_resources="in_line")
    net.add_node("a", label="A")
    path = tmp_path / "raw.html"
    net.write_html(str(path))
    page, p = _open_pyvis(chromium, path)
    p.wait_for_timeout(300)
    assert page.dialogs == ["1", "1"]  # the heading is pasted twice
    p.close()


@pytest.mark.browser
def test_two_inline_views_and_a_pyvis_one_all_draw_in_one_page(graph, projection, chromium, tmp_path):
    a = show(graph, programme="VitaWin", G=projection)
    b = show(graph, actor="Le RAMEAU", G=projection)
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><meta charset=utf-8><body>"
        + a._repr_html_()
        + b._repr_html_()
        + inline_pyvis(a.to_pyvis())._repr_html_()
        + "</body>",
        encoding="utf-8",
    )
    page = open_page(chromium, host, wait_draw=False)
    p = page.page
    frames = drawn_frames(p, 3)
    assert frames[0].evaluate("() => kgView.drawn && kgView.data.nodes.length") == len(a.model.nodes)
    assert frames[1].evaluate("() => kgView.drawn && kgView.data.nodes.length") == len(b.model.nodes)
    assert len(a.model.nodes) != len(b.model.nodes)
    assert frames[0].evaluate("() => document.title") == a.title
    assert frames[1].evaluate("() => document.title") == b.title
    assert frames[2].evaluate("() => network.body.nodeIndices.length") == len(a.model.nodes)
    assert page.dialogs == [] and page.page_errors == []
    p.close()
