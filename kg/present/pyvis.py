"""A view as a pyvis ``Network``: the same nodes, edges, colours, shapes and positions (physics off), with
plain-text tooltips, for notebook users who know pyvis.

pyvis 0.3.2's page template has script-injection sinks of its own: the heading is pasted raw into
the page, and a tooltip that contains ``href`` is put in the DOM with ``innerHTML``. So every text that
reaches the ``Network`` — heading, labels, tooltips — is passed through :func:`html.escape` first
(``quote=False``: ``<``, ``>`` and ``&`` are what makes markup; apostrophes, frequent in French names,
stay readable). A name such as ``<img src=x onerror=alert(1)>`` then reaches the page as text.
vis-network shows such a name with its entities (``&lt;img…``) on the canvas: the price of a template
we do not control.

Parallel edges stay distinct: each keeps the id it has in the view (``e0``, ``e1``…), the network is
directed (pyvis merges edges only in undirected networks), and edges between the same two nodes are
drawn as curves of different roundness.

>>> from kg.present.view_model import build_model
>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="actor", label="<b>A</b>", types=["association"], sources=[])
>>> G.add_node("p", kind="programme", label="P", types=["programme"], sources=[])
>>> _ = G.add_edge("a", "p", kind="participation", sources=[])
>>> _ = G.add_edge("a", "p", kind="soutien", sources=[])
>>> net = to_pyvis(build_model(G, G.nodes, title="T"))
>>> [n["label"] for n in net.nodes], [e["id"] for e in net.edges]
(['&lt;b&gt;A&lt;/b&gt;', 'P'], ['e0', 'e1'])
"""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING, Any

from kg.present.view_model import ViewModel

if TYPE_CHECKING:  # pragma: no cover
    from pyvis.network import Network  # type: ignore[import-untyped]

__all__ = ["edge_tooltip", "node_tooltip", "to_pyvis"]


def _text(value: Any) -> str:
    """*value* as text that no HTML sink of pyvis's template can turn into markup."""
    return html.escape(str(value), quote=False)


def _period(item: dict[str, Any], lang: str) -> str:
    start, end = item.get("start"), item.get("end")
    if not start and not end:
        return ""
    if lang == "fr":
        return f"depuis {start}" if start and not end else f"{start or '?'} – {end}"
    return f"since {start}" if start and not end else f"{start or '?'} – {end}"


def node_tooltip(node: dict[str, Any], lang: str = "fr") -> str:
    """The plain-text tooltip of one node of a :class:`ViewModel` (not escaped).

    >>> node_tooltip({"label": "A", "familyLabel": "Association", "territory": ["Vincennes"],
    ...               "start": "2019", "sources": [["001", "A est une association."]]})
    'A\\nAssociation · Vincennes · depuis 2019\\n« A est une association. » (001)'
    """
    if node.get("group"):
        members = ", ".join(node.get("members") or [])
        more = node.get("memberCount", 0) - len(node.get("members") or [])
        tail = f" … (+{more})" if more > 0 else ""
        return f"{node['label']}\n{members}{tail}"
    facts = [node.get("familyLabel") or "", *(node.get("territory") or []), _period(node, lang)]
    lines = [str(node.get("label") or ""), " · ".join(f for f in facts if f)]
    lines += [str(f) for f in node.get("figures") or []]
    lines += [f"« {quote} » ({doc})" for doc, quote in node.get("sources") or []]
    return "\n".join(line for line in lines if line)


def edge_tooltip(edge: dict[str, Any], lang: str = "fr") -> str:
    """The plain-text tooltip of one edge of a :class:`ViewModel` (not escaped).

    >>> edge_tooltip({"kindLabel": "Financement", "amount": "5 000 €", "start": "2019", "sources": []})
    'Financement · 5 000 € · depuis 2019'
    """
    head = [edge.get("kindLabel") or edge.get("kind") or "", edge.get("role") or "", edge.get("amount") or ""]
    if edge.get("count"):
        head.append(f"{edge['count']} " + ("liens" if lang == "fr" else "links"))
    head.append(_period(edge, lang))
    lines = [" · ".join(str(h) for h in head if h)]
    if edge.get("label2"):
        lines.append(str(edge["label2"]))
    lines += [f"« {quote} » ({doc})" for doc, quote in edge.get("sources") or []]
    return "\n".join(line for line in lines if line)


def to_pyvis(model: ViewModel, *, height: str = "600px", width: str = "100%") -> Network:
    """A pyvis ``Network`` drawing *model* as the HTML view does (same ids, colours, shapes, positions).

    Physics is off; vis-network is inlined in the page pyvis writes (``cdn_resources="in_line"``).
    Every text is escaped (see the module docstring).

    Parameters
    ----------
    model : ViewModel
        The view (:func:`kg.present.view_model.build_model`, or ``View.model``).
    height, width : str
        The size of the network in pyvis's page.

    Returns
    -------
    pyvis.network.Network
        Write it with ``net.write_html(path)``, or show it in a notebook with
        :func:`kg.present.notebook.inline_pyvis`.
    """
    from pyvis.network import Network  # type: ignore[import-untyped]

    net = Network(
        height=height,
        width=width,
        directed=True,
        heading=_text(model.title),
        cdn_resources="in_line",
    )
    net.toggle_physics(False)
    for n in model.nodes:
        options: dict[str, Any] = {
            "label": _text(n["label"]),
            "title": _text(node_tooltip(n, model.lang)),
            "color": n["color"],
            "shape": n["shape"],
            "x": n["x"],
            "y": n["y"],
            "physics": False,
        }
        if n.get("size"):
            options["size"] = n["size"]
        if n.get("hl") or n.get("focus"):
            options["borderWidth"] = 4 if n.get("hl") else 2
        net.add_node(n["id"], **options)
    seen: Counter[tuple[str, str]] = Counter()
    for e in model.edges:
        pair = (min(e["from"], e["to"]), max(e["from"], e["to"]))
        rank = seen[pair]
        seen[pair] += 1
        net.add_edge(
            e["from"],
            e["to"],
            id=e["id"],
            title=_text(edge_tooltip(e, model.lang)),
            color=e["color"],
            width=e["width"],
            # parallel edges: the first straight, the next ones curved apart
            smooth={"enabled": True, "type": "curvedCW", "roundness": 0.15 * rank}
            if rank
            else {"enabled": False},
        )
    return net
