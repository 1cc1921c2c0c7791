"""Views in a notebook: a :class:`View` shows itself inline in Jupyter, saves itself, and turns into pyvis.

Jupyter calls :meth:`View._repr_html_` and puts what it returns in the notebook's page. That is an
``<iframe srcdoc="…">`` holding the whole view page (vis-network inlined, the page's own
Content-Security-Policy, nothing fetched), escaped with ``html.escape(quote=True)``. The iframe
isolates the page: two views in one notebook never share an element id or a script variable, and
each iframe gets an id of its own (``kg-view-<random>``), so that even the same view shown twice does
not collide. The iframe is sandboxed (``allow-scripts`` only: an opaque origin, no access to the
notebook's page).

Nothing is written to disk unless asked: :meth:`View.save` writes the page where it is told.

>>> from kg.present.view_model import build_model
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="actor", label="A", types=["association"], sources=[])
>>> v = View(build_model(G, G.nodes, title='Un "titre"'))
>>> a, b = v._repr_html_(), v._repr_html_()
>>> a.startswith('<iframe id="kg-view-') and a != b and 'title="Un &quot;titre&quot;"' in a
True
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import ExportError
from kg.present.html import ViewResult, render_html, write_html
from kg.present.view_model import ViewModel

if TYPE_CHECKING:  # pragma: no cover
    from pyvis.network import Network  # type: ignore[import-untyped]

__all__ = ["Inline", "View", "iframe_srcdoc", "inline_pyvis"]

#: height of a view shown inline, in pixels (the width is the notebook's)
HEIGHT = 600


def iframe_srcdoc(page: str, title: str, *, height: int = HEIGHT) -> str:
    """An ``<iframe>`` holding the whole HTML *page* in its ``srcdoc`` (escaped), the notebook's width and *height* px high,
    with an id of its own.

    >>> iframe_srcdoc('<p title="x">a & b</p>', "T", height=300)  # doctest: +ELLIPSIS
    '<iframe id="kg-view-..." class="kg-view" title="T" sandbox="allow-scripts" style="width:100%;height:300px;border:0" srcdoc="&lt;p title=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;"></iframe>'
    """
    uid = f"kg-view-{uuid.uuid4().hex[:12]}"
    return (
        f'<iframe id="{uid}" class="kg-view" title="{html.escape(title, quote=True)}" '
        f'sandbox="allow-scripts" style="width:100%;height:{int(height)}px;border:0" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )


@dataclass
class Inline:
    """Any HTML page shown inline in a notebook, in an iframe of its own (see :func:`iframe_srcdoc`)."""

    page: str
    title: str = ""
    height: int = HEIGHT

    def _repr_html_(self) -> str:
        return iframe_srcdoc(self.page, self.title, height=self.height)


def inline_pyvis(net: Network, *, title: str = "pyvis", height: int | None = None) -> Inline:
    """Show a pyvis ``Network`` inline, without writing a file in the current folder (pyvis's own
    ``show`` writes one and points an iframe at it).

    The frame is as high as the network plus pyvis's two headings, unless *height* (px) says otherwise.
    """
    if height is None:
        size = str(net.height)
        height = int(float(size[:-2])) + 170 if size.endswith("px") else HEIGHT
    return Inline(net.generate_html(), title=title, height=height)


class View:
    """A view (its :class:`ViewModel`) that shows itself inline in Jupyter.

    Parameters
    ----------
    model : ViewModel
        What the view draws (:func:`kg.present.view.show` or :func:`kg.present.view_model.build_model`).
    height : int
        Height of the inline frame in pixels.
    """

    def __init__(self, model: ViewModel, *, height: int = HEIGHT) -> None:
        self.model = model
        self.height = height
        self._page: str | None = None

    @classmethod
    def from_result(cls, result: ViewResult, *, height: int = HEIGHT) -> View:
        """The :class:`View` of what :func:`kg.present.view.view` wrote."""
        if result.model is None:
            raise ExportError(
                f"{result.path} was written without its model; use kg.present.view.show instead"
            )
        return cls(result.model, height=height)

    @property
    def title(self) -> str:
        return self.model.title

    def html(self) -> str:
        """The self-contained HTML page of the view (rendered once)."""
        if self._page is None:
            self._page = render_html(self.model)
        return self._page

    def save(self, out: str | Path) -> ViewResult:
        """Write the page at *out* (folders created); raises :class:`kg.errors.ExportError` when it cannot."""
        return write_html(self.model, out)

    def to_pyvis(self, **size: Any) -> Network:
        """The view as a pyvis ``Network`` (:func:`kg.present.pyvis.to_pyvis`)."""
        from kg.present.pyvis import to_pyvis

        return to_pyvis(self.model, **size)

    def _repr_html_(self) -> str:
        return iframe_srcdoc(self.html(), self.model.title, height=self.height)

    def __repr__(self) -> str:
        return f"<View {self.model.title!r}: {len(self.model.nodes)} nodes, {len(self.model.edges)} edges>"
