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
    assert sum(1 for t in root.iter(f"{SVG}text") if t.text == PAYLOAD) >= 3  # title, node label, caption
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
