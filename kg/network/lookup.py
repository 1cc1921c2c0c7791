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
from kg.store.names import KeyedNames, Named, candidate_names, resolve_name

__all__ = ["NAME_KEYS", "candidates", "resolve", "with_name_keys"]

#: key of ``G.graph`` holding the graph's name index (:class:`kg.store.names.KeyedNames`), when stored
NAME_KEYS = "kg_name_index"


def _index(G: Any) -> dict[str, Named]:
    stored = G.graph.get(NAME_KEYS)
    if stored is not None and len(stored) == G.number_of_nodes():
        return stored
    return {
        node: Named(d.get("label") or "", d.get("kind"), tuple(listed(d.get("alt_labels"))))
        for node, d in G.nodes(data=True)
    }


def with_name_keys(G: Any) -> Any:
    """*G* with its name index (and normalised names) kept in ``G.graph``: naming a node is then one lookup.

    For a graph that will not change (the chain graph ``kg build`` stores); the index is used only
    while the graph has as many nodes as it did.
    """
    G.graph.pop(NAME_KEYS, None)
    G.graph[NAME_KEYS] = KeyedNames(_index(G))
    return G


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
