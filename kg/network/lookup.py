"""Finding a node of the projection by name or by IRI.

Names are compared with :func:`kg.model.names.normalise` (case, accents, punctuation and
"St" do not matter) and suggested with :func:`kg.model.names.closest`, as everywhere.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("http://x/a", label="Club Gravelle Entreprendre", kind="actor")
>>> G.add_node("http://x/b", label="Le RAMEAU", kind="actor")
>>> resolve(G, "le rameau")
'http://x/b'
>>> resolve(G, "Club Gravel Entreprendre")
Traceback (most recent call last):
...
kg.errors.UnknownEntityError: Unknown actor "Club Gravel Entreprendre" — did you mean "Club Gravelle Entreprendre"?
"""

from __future__ import annotations

from typing import Any

from kg.network.attributes import listed
from kg.store.names import Named, candidate_names, resolve_name

__all__ = ["candidates", "resolve"]


def _index(G: Any) -> dict[str, Named]:
    return {
        node: Named(d.get("label") or "", d.get("kind"), tuple(listed(d.get("alt_labels"))))
        for node, d in G.nodes(data=True)
    }


def candidates(G: Any, text: str, *, kinds: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
    """Labels of the nodes whose names (label or alternative labels) are closest to *text* (best first)."""
    return candidate_names(_index(G), text, kinds=kinds, n=n)


def resolve(
    G: Any,
    text: str,
    *,
    kinds: tuple[str, ...] | None = ("actor", "person", "programme"),
    what: str = "actor",
) -> str:
    """The node named *text* (or whose IRI is *text*): :func:`kg.store.names.resolve_name` on the projection's nodes.

    Raises
    ------
    UnknownEntityError
        When no node has that name (with the closest names as suggestions), or when
        several do (with those as candidates).
    """
    if text in G:
        return text
    return resolve_name(_index(G), text, kinds=kinds, what=what)
