"""kg.present.picture: SVG and PNG pictures of the same view."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from kg.errors import ExportError
from kg.present.picture import to_svg, write_png, write_svg
from kg.present.view import build_model
from tests.test_view import PAYLOAD, synthetic, tiny

SVG = "{http://www.w3.org/2000/svg}"


def _shapes(root) -> int:
    """Node shapes drawn in the network group (the second <g>)."""
    groups = root.findall(f"{SVG}g")
    return sum(1 for el in groups[1] if el.tag != f"{SVG}text")


def test_svg_is_well_formed_16_9_and_draws_every_node_and_edge():
    m = build_model(tiny(), ["a", "b", "p"], title="Titre")
    root = ET.fromstring(to_svg(m))
    assert (root.get("width"), root.get("height")) == ("1600", "900")
    assert _shapes(root) == 3
    assert len(root.findall(f"{SVG}g")[0]) == 2  # edges
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Titre" in texts and "Association A" in texts and "Programme P" in texts
    assert "Légende" in texts and "Association" in texts


def test_svg_escapes_every_text():
    m = build_model(tiny(PAYLOAD), ["a", "b", "p"], title=PAYLOAD, caption=PAYLOAD)
    text = to_svg(m)
    assert PAYLOAD not in text
    root = ET.fromstring(text)  # still well-formed
    # title, node label (on two lines), caption
    assert sum(1 for t in root.iter(f"{SVG}text") if " ".join(t.itertext()) == PAYLOAD) >= 3
    assert not list(root.iter(f"{SVG}img")) and not list(root.iter(f"{SVG}script"))


def test_svg_shows_the_year_of_the_view():
    m = build_model(tiny(), ["a", "b", "p"], title="T", as_of=2020)
    root = ET.fromstring(to_svg(m))
    assert _shapes(root) == 2  # the programme starts in 2021
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Programme P" not in texts


def test_large_view_drops_labels_but_keeps_nodes():
    G = synthetic(600)
    m = build_model(G, G.nodes, title="T", max_nodes=None)
    root = ET.fromstring(to_svg(m))
    assert _shapes(root) == 600


def test_png_is_the_svg_rasterised(tmp_path):
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    path = write_png(m, tmp_path / "v.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1600, 900)
    assert write_svg(m, tmp_path / "v.svg").read_text(encoding="utf-8").startswith("<svg")


def test_png_of_the_real_pemb_view(graph, projection, tmp_path):
    from kg.present.view import territory_nodes

    m = build_model(
        projection, territory_nodes(graph, projection, "intercommunalite:200057941"), title="PEMB"
    )
    path = write_png(m, tmp_path / "pemb.png", zoom=0.5)
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    assert (width, height) == (800, 450)


def test_unwritable_picture_is_an_export_error(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    m = build_model(tiny(), ["a"], title="T")
    with pytest.raises(ExportError):
        write_svg(m, blocker / "v.svg")
    with pytest.raises(ExportError):
        write_png(m, blocker / "v.png")


def test_caption_of_a_still_picture_does_not_ask_to_hover():
    m = build_model(tiny(), ["a", "b", "p"], title="T")
    assert "survolez" in m.caption  # the page's caption
    texts = [" ".join(t.itertext()) for t in ET.fromstring(to_svg(m)).iter(f"{SVG}text")]
    caption = texts[-1]
    assert caption.startswith("3 nœuds, 2 liens") and "survol" not in caption and "vue HTML" in caption
    en = build_model(tiny(), ["a", "b", "p"], title="T", lang="en")
    caption = [" ".join(t.itertext()) for t in ET.fromstring(to_svg(en)).iter(f"{SVG}text")][-1]
    assert caption.startswith("3 nodes, 2 links") and "hover" not in caption
    given = build_model(tiny(), ["a", "b", "p"], title="T", caption="Ma légende")
    texts = [" ".join(t.itertext()) for t in ET.fromstring(to_svg(given)).iter(f"{SVG}text")]
    assert texts[-1] == "Ma légende"


def test_picture_draws_the_page_positions_and_labels_apart():
    """The picture places the model's positions (the page's) with one zoom, and no two labels overlap."""
    G = synthetic(60)
    m = build_model(G, G.nodes, title="T", max_nodes=None)
    root = ET.fromstring(to_svg(m))
    texts = [t for t in root.findall(f"{SVG}g")[1] if t.tag == f"{SVG}text"]
    assert len(texts) == 60
    # one zoom and one offset map the model's x to the picture's x for every node
    by_label = {" ".join(t.itertext()): float(t.get("x")) for t in texts}
    pairs = [(n["x"], by_label[n["label"]]) for n in m.nodes]
    (x0, p0), (x1, p1) = min(pairs), max(pairs)
    zoom = (p1 - p0) / (x1 - x0)
    assert zoom > 0 and all(abs(p0 + (x - x0) * zoom - p) < 0.2 for x, p in pairs)
    # label boxes as the picture draws them (font size times lines), none over another
    boxes = []
    for t in texts:
        font = float(t.get("font-size"))
        lines = list(t.itertext())
        ys = [float(s.get("y")) for s in t.findall(f"{SVG}tspan")] or [float(t.get("y"))]
        w = max(len(line) for line in lines) * font * 0.55
        x = float(t.get("x"))
        boxes.append((x - w / 2, ys[0] - font, x + w / 2, ys[-1] + 0.2 * font))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]), (a, b)
