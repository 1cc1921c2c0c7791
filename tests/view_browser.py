"""Open a view in Debian's headless Chromium with the network blocked (shared by the view tests and the
benchmark).

Every request that is not the page's own file is aborted and recorded; console errors,
page errors and dialogs (``alert``) are recorded too.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# records vis-network's first afterDrawing, whichever way the page creates its Network
HOOK = """
(() => {
  window.__kg = { firstDraw: null, stabilized: null, drawAfterStab: null };
  function wrap(Network) {
    if (!Network || Network.__kgWrapped) return;
    const emit = Network.prototype.emit;
    Network.prototype.emit = function (name, ...rest) {
      if (name === 'afterDrawing' && window.__kg.firstDraw === null)
        window.__kg.firstDraw = performance.now();
      if (name === 'afterDrawing' && window.__kg.stabilized !== null && window.__kg.drawAfterStab === null)
        window.__kg.drawAfterStab = performance.now();
      if (name === 'stabilizationIterationsDone') window.__kg.stabilized = performance.now();
      return emit.call(this, name, ...rest);
    };
    Network.__kgWrapped = true;
  }
  // the UMD build assigns window.vis = {} and then vis.Network = ...: trap both assignments
  let real;
  Object.defineProperty(window, 'vis', { configurable: true, get() { return real; }, set(v) {
    real = v;
    if (v && typeof v === 'object') {
      let N = v.Network;
      Object.defineProperty(v, 'Network', { configurable: true, enumerable: true,
        get() { return N; }, set(x) { N = x; wrap(x); } });
      if (N) wrap(N);
    }
  } });
})();
"""


def chromium_available() -> bool:
    """True when Debian's Chromium is installed (playwright itself is a test dependency: never skipped)."""
    return Path(CHROMIUM).exists()


def require_chromium() -> None:
    """Skip the calling test when Chromium is missing on a developer's machine; fail it in CI (``CI=true``),
    where a skipped browser test would hide a broken page."""
    if chromium_available():
        return
    import os

    import pytest

    reason = f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Page:
    page: Any
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def browser(width: int = 1280, height: int = 720, *, hook: bool = True) -> Iterator[Any]:
    """A fresh Chromium (fresh user-data-dir) with a 16:9 viewport; yields a Playwright browser context.

    ``hook=False`` leaves out :data:`HOOK`, which hides ``window.vis`` in pages of ``srcdoc`` iframes
    (a notebook's inline views): test those with the page's own ``kgView.drawn`` or the canvas pixels."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": width, "height": height},
                # the page's CSP forbids eval, which Playwright's evaluate() needs;
                # requests are blocked by route()
                bypass_csp=True,
            )
            if hook:
                ctx.add_init_script(HOOK)
            try:
                yield ctx
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def open_page(
    ctx: Any, path: Path, *, wait_draw: bool = True, timeout: float = 60_000, wait_until: str = "load"
) -> Page:
    """Open *path* in *ctx*: every other request is aborted and recorded."""
    page = ctx.new_page()
    url = path.resolve().as_uri()
    rec = Page(page)

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            rec.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: rec.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: rec.page_errors.append(str(e)))

    def dialog(d: Any) -> None:
        rec.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(url, wait_until=wait_until, timeout=timeout)  # type: ignore[arg-type]
    if wait_draw:
        page.wait_for_function("window.__kg && window.__kg.firstDraw !== null", timeout=timeout)
    return rec


def node_point(page: Any, node_id: str) -> tuple[float, float]:
    """Where node *node_id* is on the page (CSS pixels)."""
    xy = page.evaluate(
        """id => { const n = kgView.network; const pos = n.getPositions([id])[id];
                   const d = n.canvasToDOM(pos); const r = document.getElementById('kg-net')
                   .getBoundingClientRect(); return [r.left + d.x, r.top + d.y]; }""",
        node_id,
    )
    return xy[0], xy[1]


def hover_node(page: Any, node_id: str) -> str:
    """Move the mouse onto node *node_id* and return the tooltip's text."""
    x, y = node_point(page, node_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    page.wait_for_function("document.getElementById('kg-tip').style.display === 'block'", timeout=5000)
    return str(page.evaluate("document.getElementById('kg-tip').textContent"))


def hover_edge(page: Any, edge_id: str) -> str:
    """Move the mouse onto the middle of edge *edge_id* and return the tooltip's text."""
    x, y = page.evaluate(
        """id => { const n = kgView.network; const e = kgView.edges.get(id);
                   const ps = n.getPositions([e.from, e.to]);
                   const d = n.canvasToDOM({x: (ps[e.from].x + ps[e.to].x) / 2,
                                            y: (ps[e.from].y + ps[e.to].y) / 2});
                   const r = document.getElementById('kg-net').getBoundingClientRect();
                   return [r.left + d.x, r.top + d.y]; }""",
        edge_id,
    )
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=4)
    page.wait_for_function("document.getElementById('kg-tip').style.display === 'block'", timeout=5000)
    return str(page.evaluate("document.getElementById('kg-tip').textContent"))


#: what the page draws, measured from vis-network's own boxes: every node's bounding box
#: (``getBoundingBox``: shape and label) and every label's box; pairs where a drawn label overlaps
#: another node's box (by more than a pixel), how much of the canvas the network covers, whether it
#: is all inside, and the smallest label on screen. Labels vis-network does not draw (smaller than its
#: threshold) are not counted as drawn.
MEASURE = """() => {
  const net = kgView.network, ids = net.body.nodeIndices, scale = net.getScale();
  const canvas = document.getElementById('kg-net').getBoundingClientRect();
  const threshold = net.body.nodes[ids[0]].options.scaling.label.drawThreshold;
  const boxes = ids.map(id => {
    const n = net.body.nodes[id], b = net.getBoundingBox(id), l = n.labelModule.size;
    const px = n.options.font.size * scale;
    return {id, label: n.options.label, b, px, drawn: px >= threshold,
            l: l && l.width ? {left: l.left, top: l.top, right: l.left + l.width,
                               bottom: l.top + l.height} : null};
  });
  const overlaps = [];
  for (const a of boxes) {
    if (!a.l || !a.drawn) continue;
    for (const o of boxes) {
      if (a === o) continue;
      const x = Math.min(a.l.right, o.b.right) - Math.max(a.l.left, o.b.left);
      const y = Math.min(a.l.bottom, o.b.bottom) - Math.max(a.l.top, o.b.top);
      if (x > 1 && y > 1) overlaps.push([a.label, o.label]);
    }
  }
  let L = Infinity, R = -Infinity, T = Infinity, B = -Infinity;
  for (const x of boxes) {
    const l = x.l || x.b;
    L = Math.min(L, x.b.left, l.left); R = Math.max(R, x.b.right, l.right);
    T = Math.min(T, x.b.top, l.top); B = Math.max(B, x.b.bottom, l.bottom);
  }
  const tl = net.canvasToDOM({x: L, y: T}), br = net.canvasToDOM({x: R, y: B});
  return {nodes: ids.length, overlaps, drawn: boxes.filter(b => b.drawn).length,
          coverW: (br.x - tl.x) / canvas.width, coverH: (br.y - tl.y) / canvas.height,
          centreX: (tl.x + br.x) / 2 / canvas.width, centreY: (tl.y + br.y) / 2 / canvas.height,
          inside: tl.x >= -1 && tl.y >= -1 && br.x <= canvas.width + 1 && br.y <= canvas.height + 1,
          minLabelPx: Math.min(...boxes.map(b => b.px)), scale};
}"""


def measure(page: Any, *, scale: float | None = None) -> dict[str, Any]:
    """:data:`MEASURE` on the page as it is, or zoomed to *scale* (every label drawn) and drawn again."""
    if scale is not None:
        page.evaluate(
            """s => new Promise(done => { const n = kgView.network; n.once('afterDrawing', () => done());
                                          n.moveTo({scale: s}); n.redraw(); })""",
            scale,
        )
    return dict(page.evaluate(MEASURE))
