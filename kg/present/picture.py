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

__all__ = ["to_svg", "write_png", "write_svg"]

WIDTH, HEIGHT = 1600, 900  # 16:9
_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def _visible(item: dict[str, Any], year: int | None) -> bool:
    if year is None:
        return True
    if item.get("y0") and item["y0"] > year:
        return False
    return not (item.get("y1") and item["y1"] < year)


def _shape(shape: str, x: float, y: float, r: float, fill: str, stroke: str, sw: float) -> str:
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw:.1f}"'
    if shape in ("dot", "ellipse"):
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'
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


def to_svg(model: Any, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The view as an SVG document (16:9 by default): network, title, legend and caption."""
    year = model.year
    nodes = [n for n in model.nodes if _visible(n, year)]
    ids = {n["id"] for n in nodes}
    edges = [e for e in model.edges if e["from"] in ids and e["to"] in ids and _visible(e, year)]
    legend_w, top, bottom = 250, 56, 34
    area = (20, top + 10, width - legend_w - 20, height - bottom - 10)
    xs = [n["x"] for n in nodes] or [0.0]
    ys = [n["y"] for n in nodes] or [0.0]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    scale = min((area[2] - area[0] - 120) / span_x, (area[3] - area[1] - 40) / span_y, 1.5)
    ox = area[0] + (area[2] - area[0] - span_x * scale) / 2 - min(xs) * scale
    oy = area[1] + (area[3] - area[1] - span_y * scale) / 2 - min(ys) * scale
    pos = {n["id"]: (n["x"] * scale + ox, n["y"] * scale + oy) for n in nodes}
    labels = len(nodes) <= 400
    font = max(7.0, min(13.0, 13.0 * scale * 1.3))

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
        hl = n.get("hl")
        r = (9.0 if not n.get("focus") else 13.0) * (1.2 if hl else 1.0)
        if n.get("group"):
            r = min(30.0, float(n.get("size") or 14) * 0.8)
        stroke, sw = ("#000", 3.0) if hl else ("#555", 0.8)
        if n["shape"] == "box":
            text = n["label"] if len(n["label"]) <= 40 else n["label"][:39] + "…"
            w = max(30.0, 0.6 * font * len(text) + 10)
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - font:.1f}" width="{w:.1f}" height="{2 * font:.1f}" rx="4" '
                f'fill="{n["color"]}" stroke="{stroke}" stroke-width="{sw:.1f}"/>'
            )
            if labels or hl:
                out.append(
                    f'<text x="{x:.1f}" y="{y + font * 0.35:.1f}" font-size="{font:.1f}" fill="#fff" '
                    f'text-anchor="middle">{escape(text)}</text>'
                )
            continue
        out.append(_shape(n["shape"], x, y, r, n["color"], stroke, sw))
        if labels or hl or n.get("focus"):
            weight = ' font-weight="bold"' if hl or n.get("focus") else ""
            out.append(
                f'<text x="{x:.1f}" y="{y + r + font + 1:.1f}" font-size="{font:.1f}" fill="#222" '
                f'text-anchor="middle"{weight}>{escape(n["label"])}</text>'
            )
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
            _shape(
                item["shape"] if item["shape"] != "box" else "square",
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
    out.append(f'<text x="20" y="{height - 12}" font-size="13" fill="#444">{escape(model.caption)}</text>')
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
