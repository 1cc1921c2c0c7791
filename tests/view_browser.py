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
