"""docs/notebooks/views.ipynb: committed as scripts/make_views_notebook.py writes it (no outputs),
executed with nbclient from a folder outside the checkout (KG_STORE set), exported to HTML with nbconvert
and opened in Chromium: both inline views and the pyvis one are drawn."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.test_pyvis import drawn_frames
from tests.view_browser import browser, open_page, require_chromium

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "views.ipynb"


def test_committed_notebook_is_what_the_script_writes_and_has_no_outputs():
    from scripts.make_views_notebook import text

    committed = NOTEBOOK.read_text(encoding="utf-8")
    assert committed == text(), "run: .venv/bin/python scripts/make_views_notebook.py"
    nb = nbformat.reads(committed, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.fixture(scope="module")
def executed(built_store, tmp_path_factory) -> tuple[nbformat.NotebookNode, Path]:
    """The notebook executed in a fresh folder outside the checkout, with KG_STORE naming the test store."""
    import os

    from nbclient import NotebookClient

    work = tmp_path_factory.mktemp("notebook-run")
    assert ROOT not in work.parents
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("KG_STORE")
    os.environ["KG_STORE"] = str(built_store)  # the kernel inherits the environment
    try:
        NotebookClient(
            nb,
            timeout=600,
            startup_timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(work)}},
        ).execute()
    finally:
        if old is None:
            del os.environ["KG_STORE"]
        else:
            os.environ["KG_STORE"] = old
    return nb, work


def _html_outputs(nb: nbformat.NotebookNode) -> list[str]:
    return [
        out["data"]["text/html"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "text/html" in out.get("data", {})
    ]


@pytest.mark.slow
def test_notebook_runs_writes_nothing_and_shows_two_views_and_pyvis(executed):
    nb, work = executed
    assert list(work.iterdir()) == []  # out=None: nothing written in the current folder
    frames = _html_outputs(nb)
    assert len(frames) == 3
    ids = [re.search(r'id="(kg-view-[0-9a-f]+)"', f).group(1) for f in frames]
    assert len(set(ids)) == 3
    assert "Programme : VitaWin" in frames[0] and "Autour de Le RAMEAU" in frames[1]
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert re.search(r"\d+ nœuds, \d+ liens", printed)


@pytest.mark.slow
@pytest.mark.browser
def test_exported_notebook_draws_both_views_and_the_pyvis_one(executed, tmp_path):
    from nbconvert import HTMLExporter

    nb, _ = executed
    body, _ = HTMLExporter().from_notebook_node(nb)
    page_path = tmp_path / "views.html"
    page_path.write_text(body, encoding="utf-8")
    require_chromium()
    with browser(hook=False) as ctx:
        page = open_page(ctx, page_path, wait_draw=False)
        p = page.page
        vitawin, rameau, pyvis = drawn_frames(p, 3)
        counts = [
            f.evaluate("() => kgView.drawn && kgView.network.body.nodeIndices.length")
            for f in (vitawin, rameau)
        ]
        assert counts[0] > 0 and counts[1] > 0 and counts[0] != counts[1]
        assert vitawin.evaluate("() => document.title") == "Programme : VitaWin"
        assert pyvis.evaluate("() => network.body.nodeIndices.length") == counts[0]
        assert page.dialogs == []
        # what left the page is nbconvert's own template (CDN scripts), blocked; the views fetch nothing
        assert not [u for u in page.blocked if "vis" in u], page.blocked
        p.close()
