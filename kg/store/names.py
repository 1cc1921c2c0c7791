"""Finding a node by name: one index of names (label and alternative labels) for every layer.

Names are compared with :func:`kg.model.names.normalise` (case, accents, punctuation and
"St" do not matter) and suggested with :func:`kg.model.names.closest`, as everywhere.
:func:`name_index` reads the index from a store (``rdfs:label`` and ``skos:altLabel``);
:mod:`kg.network.lookup` builds the same index from a NetworkX projection.

>>> index = {
...     "http://x/a": Named("Club Gravelle Entreprendre", "actor"),
...     "http://x/b": Named("Le RAMEAU", "actor", ("Rameau",)),
... }
>>> resolve_name(index, "rameau")
'http://x/b'
>>> resolve_name(index, "Club Gravel Entreprendre")
Traceback (most recent call last):
...
kg.errors.UnknownEntityError: Unknown actor "Club Gravel Entreprendre" — did you mean "Club Gravelle Entreprendre"?
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from kg.errors import UnknownEntityError
from kg.model.names import closest, normalise, suggestion

__all__ = [
    "NAMES_SHAPE",
    "Q_NAMES",
    "KeyedNames",
    "Named",
    "candidate_names",
    "compute_name_index",
    "name_index",
    "name_keys",
    "resolve_name",
]


class Named(NamedTuple):
    """A node's names and kind (``actor``, ``person``, ``programme``…)."""

    label: str
    kind: str | None = None
    alt_labels: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [self.label or "", *self.alt_labels]


NameIndex = Mapping[str, Named]

#: Actors, people and programmes with their labels.
Q_NAMES = """SELECT ?n ?label ?kind WHERE {
     { ?n a org:Organization BIND("actor" AS ?kind) } UNION { ?n a foaf:Person BIND("person" AS ?kind) }
     UNION { ?n a schema:Project BIND("programme" AS ?kind) }
     ?n rdfs:label ?label }"""
Q_ALT_NAMES = "SELECT ?n ?alt WHERE { ?n skos:altLabel ?alt }"


class KeyedNames(dict):
    """A name index (IRI → :class:`Named`) that also keeps its :func:`name_keys`, so that naming a node is
    one dictionary lookup (what ``kg build`` stores beside the store)."""

    name_keys: dict[str, tuple[str, ...]]

    def __init__(self, index: Mapping[str, Named]) -> None:
        super().__init__(index)
        self.name_keys = name_keys(self)


def name_keys(index: NameIndex) -> dict[str, tuple[str, ...]]:
    """The nodes of *index* by normalised name (label and alternative labels)."""
    out: dict[str, list[str]] = {}
    for node, named in index.items():
        for key in dict.fromkeys(normalise(x) for x in named.names):
            out.setdefault(key, []).append(node)
    return {k: tuple(v) for k, v in out.items()}


#: the shape of the stored name index; one written for another shape is built again
NAMES_SHAPE = 1


def compute_name_index(graph: Any) -> KeyedNames:
    """The names of the actors, people and programmes of *graph* (anything with ``query(sparql)``), by IRI."""
    out: dict[str, Named] = {}
    for r in graph.query(Q_NAMES):
        out[str(r["n"])] = Named(str(r["label"]), str(r["kind"]))
    for r in graph.query(Q_ALT_NAMES):
        n = str(r["n"])
        if n in out:
            out[n] = out[n]._replace(alt_labels=(*out[n].alt_labels, str(r["alt"])))
    return KeyedNames(out)


def name_index(graph: Any) -> KeyedNames:
    """:func:`compute_name_index`, read from beside a local store when ``kg build`` stored it (and saved when not).

    An endpoint's index is computed on each call; a stale one (the store changed since) is computed again.
    """
    from kg.store import artefacts

    store_path = artefacts.local_store(graph)
    found = artefacts.load(store_path, "names", shape=NAMES_SHAPE) if store_path else None
    if found is None:
        found = compute_name_index(graph)
        if store_path:
            artefacts.save(store_path, "names", found, shape=NAMES_SHAPE)
    return found


def candidate_names(
    index: NameIndex, text: str, *, kinds: tuple[str, ...] | None = None, n: int = 5
) -> list[str]:
    """Labels of the nodes whose names (label or alternative labels) are closest to *text* (best first)."""
    labels: dict[str, list[str]] = {}
    for node, named in index.items():
        if kinds and named.kind not in kinds:
            continue
        for name in named.names:
            if name:
                labels.setdefault(name, []).append(named.label or node)
    out = dict.fromkeys(label for name in closest(text, labels, n=len(labels)) for label in labels[name])
    return list(out)[:n]


def resolve_name(
    index: NameIndex,
    text: str,
    *,
    kinds: tuple[str, ...] | None = ("actor", "person", "programme"),
    what: str = "actor",
) -> str:
    """The node named *text* (or whose IRI is *text*).

    Raises
    ------
    UnknownEntityError
        When no node has that name (with the closest names as suggestions), or when
        several do (with those as candidates).
    """
    if text in index:
        return text
    key = normalise(text)
    keys = getattr(index, "name_keys", None)
    if keys is not None:  # one lookup
        exact = [node for node in keys.get(key, ()) if not kinds or index[node].kind in kinds]
    else:
        exact = [
            node
            for node, named in index.items()
            if (not kinds or named.kind in kinds) and any(normalise(x) == key for x in named.names)
        ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        labels = [f"{index[n].label} <{n}>" for n in exact]
        raise UnknownEntityError(f'"{text}" names several nodes: {"; ".join(labels)} — pass the IRI', labels)
    sugg = candidate_names(index, text, kinds=kinds)
    hint = f" — {suggestion(sugg[:3], lang='en')}" if sugg else ""
    raise UnknownEntityError(f'Unknown {what} "{text}"{hint}', sugg)
