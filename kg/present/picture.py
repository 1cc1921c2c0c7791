"""Static pictures of a view (SVG and PNG), for slide decks that cannot hold HTML.

The SVG is written directly from the :class:`kg.present.view.ViewModel` — the same positions,
colours, shapes, title, legend and caption as the HTML view — with every text escaped.
The PNG is that SVG rasterised by resvg (the ``resvg-py`` wheel): a self-contained
Rust renderer with no system library to install (cairosvg needs libcairo from the
system; a headless browser would make a slide picture depend on Chromium), so the PNG
is pixel for pixel the SVG.

>>> from kg.present.view import ViewModel
>>> m = ViewModel(title="<T>", caption="c", lang="fr", legend=[], kinds=[], themes=[], years=None,
...               nodes=[{"id": "n0", "label": "A & B", "x": 0, "y": 0, "color": "#123456", "shape": "dot"}],
...               edges=[])
>>> svg = to_svg(m)
>>> "&lt;T&gt;" in svg and "A &amp; B" in svg
True
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.errors import ExportError
from kg.present.layout import FONT, FONT_BIG, node_box

__all__ = ["shape_svg", "to_svg", "write_png", "write_svg"]

WIDTH, HEIGHT = 1600, 900  # 16:9
_FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"  # Arial's metrics, as the page's labels
#: as the page: the picture may be zoomed in this far to fill its frame
MAX_ZOOM = 2.5


def _visible(item: dict[str, Any], year: int | None) -> bool:
    if year is None:
        return True
    if item.get("y0") and item["y0"] > year:
        return False
    return not (item.get("y1") and item["y1"] < year)


def shape_svg(shape: str, x: float, y: float, r: float, fill: str, stroke: str, sw: float) -> str:
    """One node shape of vis-network (dot, square, triangle, box…) as an SVG element, centred on (*x*, *y*):
    the pictures and the page's legend draw the shapes the network draws.

    >>> shape_svg("dot", 5, 5, 4, "#fff", "#000", 1)
    '<circle cx="5.0" cy="5.0" r="4.0" fill="#fff" stroke="#000" stroke-width="1.0"/>'
    """
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw:.1f}"'
    if shape == "dot":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
    if shape == "ellipse":
        return f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{r * 1.4:.1f}" ry="{r * 0.8:.1f}" {style}/>'
    if shape == "box":
        return (
            f'<rect x="{x - r * 1.4:.1f}" y="{y - r * 0.8:.1f}" width="{2.8 * r:.1f}" height="{1.6 * r:.1f}" '
            f'rx="{r * 0.3:.1f}" {style}/>'
        )
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {style}/>'
    sides = {
        "triangle": (3, -90),
        "triangleDown": (3, 90),
        "diamond": (4, 0),
        "hexagon": (6, 0),
        "star": (10, -90),
    }
    n, rot = sides.get(shape, (20, 0))
    pts = []
    for i in range(n):
        a = math.radians(rot + 360 * i / n)
        rr = r * (0.45 if shape == "star" and i % 2 else 1.0)
        pts.append(f"{x + rr * math.cos(a):.1f},{y + rr * math.sin(a):.1f}")
    return f'<polygon points="{" ".join(pts)}" {style}/>'


def _box(n: dict[str, Any]) -> tuple[float, float, float]:
    pinned = n.get("hl") or n.get("focus")
    label = str(n.get("short") or n["label"])
    return node_box(n["shape"], label, float(n.get("size") or 14), FONT_BIG if pinned else FONT)


def _text(
    x: float, top: float, lines: list[str], font: float, fill: str, bold: bool, halo: bool = False
) -> str:
    """Lines of text centred on *x*, the first one's top at *top* (one line per font size, as vis-network);
    a white *halo* (as the page's label backing) where links may cross them."""
    weight = ' font-weight="bold"' if bold else ""
    if halo:
        weight += ' stroke="#fff" stroke-opacity="0.85" stroke-width="3" paint-order="stroke"'
    head = f'<text x="{x:.1f}" font-size="{font:.1f}" fill="{fill}" text-anchor="middle"{weight}'
    if len(lines) == 1:
        return f'{head} y="{top + font * 0.85:.1f}">{escape(lines[0])}</text>'
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + font * (0.85 + i):.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f"{head}>{spans}</text>"


def to_svg(model: Any, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The view as an SVG document (16:9 by default): network, title, legend and caption."""
    year = model.year
    nodes = [n for n in model.nodes if _visible(n, year)]
    ids = {n["id"] for n in nodes}
    edges = [e for e in model.edges if e["from"] in ids and e["to"] in ids and _visible(e, year)]
    legend_w, top, bottom = 250, 56, 34
    area = (20, top + 10, width - legend_w - 20, height - bottom - 10)
    # the boxes the page draws (shape and label): the picture is zoomed to fit them, as the page is
    boxes = {n["id"]: _box(n) for n in nodes}
    left = min((n["x"] - boxes[n["id"]][0] / 2 for n in nodes), default=0.0)
    right = max((n["x"] + boxes[n["id"]][0] / 2 for n in nodes), default=1.0)
    top_ = min((n["y"] + boxes[n["id"]][2] - boxes[n["id"]][1] / 2 for n in nodes), default=0.0)
    bottom_ = max((n["y"] + boxes[n["id"]][2] + boxes[n["id"]][1] / 2 for n in nodes), default=1.0)
    span_x, span_y = (right - left) or 1.0, (bottom_ - top_) or 1.0
    scale = min((area[2] - area[0]) / span_x, (area[3] - area[1]) / span_y, MAX_ZOOM)
    ox = area[0] + (area[2] - area[0] - span_x * scale) / 2 - left * scale
    oy = area[1] + (area[3] - area[1] - span_y * scale) / 2 - top_ * scale
    pos = {n["id"]: (n["x"] * scale + ox, n["y"] * scale + oy) for n in nodes}
    labels = len(nodes) <= 400

    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family={quoteattr(_FONT)}>'
        ),
        f"<title>{escape(model.title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="20" y="38" font-size="26" font-weight="bold" fill="#222">{escape(model.title)}</text>',
    ]
    if model.note:
        out.append(f'<text x="20" y="{top + 2}" font-size="13" fill="#7a6000">{escape(model.note)}</text>')
    out.append('<g stroke-linecap="round">')
    for e in edges:
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        w = max(0.6, min(6.0, float(e.get("width") or 1.0)))
        opacity = "1" if e.get("hl") else "0.7"
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{e["color"]}" '
            f'stroke-width="{w:.1f}" stroke-opacity="{opacity}"/>'
        )
    out.append("</g><g>")
    for n in nodes:
        x, y = pos[n["id"]]
        hl, pinned = n.get("hl"), n.get("hl") or n.get("focus")
        font = (FONT_BIG if pinned else FONT) * scale
        lines = str(n.get("short") or n["label"]).split("\n")
        stroke, sw = ("#000", 3.0) if hl else ("#555", 0.8)
        bw, bh, _ = boxes[n["id"]]
        if n["shape"] in ("box", "ellipse"):  # the label inside the shape
            w, h = bw * scale, bh * scale
            if n["shape"] == "box":
                w, h = w - 4 * scale, h - 2 * scale
                out.append(
                    f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{4 * scale:.1f}" '
                    f'fill="{n["color"]}" stroke="{stroke if hl else n["color"]}" stroke-width="{sw:.1f}"/>'
                )
            else:
                out.append(
                    f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{w / 2 - 2 * scale:.1f}" ry="{h / 2:.1f}" '
                    f'fill="{n["color"]}" stroke="{stroke}" stroke-width="{sw:.1f}"/>'
                )
            if labels or pinned:
                fill = "#fff" if n["shape"] == "box" else "#222"
                out.append(_text(x, y - len(lines) * font / 2, lines, font, fill, bool(pinned)))
            continue
        r = float(n.get("size") or 14) * scale
        out.append(shape_svg(n["shape"], x, y, r, n["color"], stroke, sw))
        if labels or pinned:
            out.append(_text(x, y + r + 5 * scale, lines, font, "#222", bool(pinned), halo=True))
    out.append("</g>")
    lx, ly = width - legend_w + 10, top + 10
    out.append(
        f'<line x1="{width - legend_w}" y1="{top}" x2="{width - legend_w}" y2="{height - bottom}" '
        'stroke="#ddd"/>'
    )
    heading = "Légende" if model.lang == "fr" else "Legend"
    out.append(f'<text x="{lx}" y="{ly + 12}" font-size="15" font-weight="bold" fill="#222">{heading}</text>')
    ly += 30
    for item in model.legend:
        out.append(
            shape_svg(
                item["shape"],
                lx + 8,
                ly - 4,
                6,
                item["color"],
                "#555",
                0.8,
            )
        )
        out.append(
            f'<text x="{lx + 22}" y="{ly + 1}" font-size="13" fill="#222">{escape(item["label"])}</text>'
        )
        ly += 19
    ly += 6
    for item in model.kinds:
        out.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 16}" y2="{ly - 4}" stroke="{item["color"]}" '
            'stroke-width="3"/>'
        )
        out.append(
            f'<text x="{lx + 22}" y="{ly + 1}" font-size="13" fill="#222">{escape(item["label"])}</text>'
        )
        ly += 19
    caption = getattr(model, "still_caption", "") or model.caption  # no « survolez » on a still picture
    out.append(f'<text x="20" y="{height - 12}" font-size="13" fill="#444">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def write_svg(model: Any, out: str | Path) -> Path:
    """Write the SVG of *model* to *out*.

    Raises
    ------
    ExportError
        When the file cannot be written.
    """
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_svg(model), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}; choose another --out") from exc
    return path


def write_png(model: Any, out: str | Path, *, zoom: float = 1.0) -> Path:
    """Write the PNG of *model* (the SVG rasterised by resvg) to *out*.

    Raises
    ------
    ExportError
        When resvg is not installed or the file cannot be written.
    """
    try:
        import resvg_py
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ExportError("PNG pictures need the resvg-py package: pip install resvg-py") from exc
    path = Path(out)
    data = resvg_py.svg_to_bytes(svg_string=to_svg(model), zoom=zoom)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}; choose another --out") from exc
    return path
