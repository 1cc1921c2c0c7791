"""Rendering a :class:`kg.present.view_model.ViewModel`: the page ``kg/present/templates/view.html`` (Jinja2
with autoescape) around the vendored vis-network standalone build (``kg/static/``), inlined: no request
leaves the page. Data reaches the page as JSON in a ``<script type="application/json">`` block and every
text is put in the DOM with ``textContent``, so an actor named ``<img src=x onerror=alert(1)>`` stays text.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import ExportError
from kg.present.view_model import ViewModel

__all__ = [
    "STATIC",
    "TEMPLATES",
    "VIS_FILE",
    "VIS_VERSION",
    "ViewResult",
    "iframe_snippet",
    "legend_icon",
    "legend_line",
    "render_html",
    "write_html",
]

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
VIS_FILE = "vis-network.min.js"
VIS_VERSION = "10.1.5"


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


# ---------------------------------------------------------------- HTML


def _static(name: str, *, required: bool = True) -> str:
    """A shipped script or style sheet, safe to inline in ``<script>``/``<style>``."""
    path = STATIC / name
    if not path.is_file():
        if not required:
            return ""
        raise ExportError(f"{path} is missing; reinstall the package (it ships vis-network {VIS_VERSION})")
    text = path.read_text(encoding="utf-8")
    # the source map comment would make devtools request a file that is not there
    text = "\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL"))
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def _vis_source() -> str:
    return _static(VIS_FILE)


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
        if out.get("short") == out.get("label"):  # the page falls back on the label
            out.pop("short", None)
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
        "addons": model.addons,
        "documents": model.documents,
        "extent": model.extent,
    }
    names = sorted(model.addons)
    return env.get_template("view.html").render(
        model=model,
        icons={item["key"]: legend_icon(item["shape"], item["color"]) for item in model.legend},
        lines={item["key"]: legend_line(item["color"]) for item in model.kinds},
        data=data,
        vis=Markup(_vis_source()),
        vis_version=VIS_VERSION,
        css=Markup(_static("view.css")),
        js=Markup(_static("view.js")),
        addon_css=[Markup(c) for c in (_static(f"{n}.css", required=False) for n in names) if c],
        addon_js=[Markup(_static(f"{n}.js")) for n in names],
    )


def legend_icon(shape: str, colour: str) -> Any:
    """The node shape *shape* (vis-network's name) in *colour*, as a small inline SVG for the legend.

    Shapes and colours come from :data:`kg.present.style.FAMILIES`, never from the data.
    """
    from markupsafe import Markup

    from kg.present.picture import shape_svg

    r = 6.0 if shape in ("box", "ellipse") else 7.0
    body = shape_svg(shape, 11, 9, r, html.escape(colour), "#555", 1)
    return Markup(
        f'<svg class="icon" width="22" height="18" viewBox="0 0 22 18" aria-hidden="true">{body}</svg>'
    )


def legend_line(colour: str) -> Any:
    """A link of *colour*, as a small inline SVG for the legend."""
    from markupsafe import Markup

    return Markup(
        '<svg class="icon" width="22" height="18" viewBox="0 0 22 18" aria-hidden="true">'
        f'<line x1="1" y1="9" x2="21" y2="9" stroke="{html.escape(colour)}" stroke-width="3"/></svg>'
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
