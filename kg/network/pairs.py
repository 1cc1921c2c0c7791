"""The ``(subject, object)`` pairs of one predicate that :func:`kg.network.projection.project` reads.

:class:`Scanner` reads them from the quads a build has in memory, from the embedded store, or from a
remote endpoint, and gives them **sorted** (by subject, then object), so that the projection is the same
whatever holds the graph — what lets ``kg build`` write the projection from its quads instead of
reading the store back (:mod:`kg.network.artefacts`).

>>> from pyoxigraph import Literal, NamedNode, Quad
>>> g, label = NamedNode("http://x/g"), "http://www.w3.org/2000/01/rdf-schema#label"
>>> quads = [Quad(NamedNode(f"http://x/{n}"), NamedNode(label), Literal(n), g) for n in "ba"]
>>> [(s, o.value) for s, o in Scanner(None, quads + quads[:1]).pairs(label)]  # a repeated quad: once
[('http://x/a', 'a'), ('http://x/b', 'b')]
>>> Scanner(None, quads).values(label)  # the objects' text: no pyoxigraph term made per quad
[('http://x/a', 'a'), ('http://x/b', 'b')]
>>> a = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
>>> typed = [Quad(NamedNode("http://x/a"), a, NamedNode("http://x/C"), g),
...          Quad(NamedNode("http://x/b"), a, Literal("http://x/C"), g)]
>>> Scanner(None, typed).of_type("http://x/C")  # of the class's IRI, as the store's pattern matches it: not a text
['http://x/a']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import islice
from operator import eq
from typing import Any

from kg.model.vocab import RDF

__all__ = ["Scanner", "territory_names"]

_RDF_TYPE = str(RDF.type)


class Scanner:
    """Reads ``(subject, object)`` pairs of one predicate, sorted (the same order whatever holds them).

    From the quads themselves when given (what ``kg build`` has in memory: one pass, no store read),
    else pyoxigraph's pattern API when the graph is embedded (no SPARQL, no row dicts: seconds instead
    of minutes at millions of quads), else one simple SPARQL query per predicate (a remote endpoint).
    Each source gives the same pairs in the same order, so the projection is the same.
    """

    def __init__(self, graph: Any, quads: Iterable[Any] | None = None) -> None:
        self.graph = graph
        store = getattr(graph, "store", None)
        self.store = store if store is not None and hasattr(store, "quads_for_pattern") else None
        self.by_predicate: dict[str, list[Any]] | None = None
        self._typed: dict[Any, list[Any]] | None = None
        if quads is not None:
            buckets: dict[Any, list[Any]] = defaultdict(list)
            for q in quads:
                buckets[q.predicate].append(q)
            self.by_predicate = {p.value: qs for p, qs in buckets.items()}

    def _raw(self, predicate: str, obj: str | None) -> list[tuple[str, Any]]:
        if self.by_predicate is not None:
            quads = self.by_predicate.get(predicate, ())
            # the store keeps a quad once: so do these (the same fact in two graphs stays twice)
            unique = dict.fromkeys(quads)
            if obj is not None:
                return [(q.subject.value, None) for q in unique if q.object.value == obj]
            return [(q.subject.value, q.object) for q in unique]
        if self.store is not None:
            from pyoxigraph import NamedNode

            o = NamedNode(obj) if obj else None
            return [
                (q.subject.value, None if obj else q.object)
                for q in self.store.quads_for_pattern(None, NamedNode(predicate), o, None)
            ]
        from kg.store.graph import IRI

        if obj:
            rows = self.graph.run(
                "SELECT ?s WHERE { ?s ?p ?o }", raw=True, p=IRI(predicate), o=IRI(obj)
            ).value
            return [(r["s"].value, None) for r in rows]
        rows = self.graph.run("SELECT ?s ?o WHERE { ?s ?p ?o }", raw=True, p=IRI(predicate)).value
        return [(r["s"].value, r["o"]) for r in rows]

    def values(self, predicate: str) -> list[tuple[str, str]]:
        """``(subject IRI, object value)`` of every triple with *predicate*, sorted: :meth:`pairs` with the
        object's text (an IRI, a literal's lexical form) instead of its term, made without a term per quad."""
        if self.by_predicate is not None:
            quads = self.by_predicate.get(predicate, [])
            rows = [(q.subject.value, q.object.value) for q in quads]
            rows.sort()
            if not any(map(eq, rows, islice(rows, 1, None))):
                return rows  # every pair once, so every quad once: nothing to de-duplicate
            # a pair twice, perhaps a quad given twice: the store keeps a quad once, so do these (the
            # same fact in two graphs stays twice)
            rows = [(q.subject.value, q.object.value) for q in dict.fromkeys(quads)]
        else:
            rows = [(s, o.value) for s, o in self._raw(predicate, None)]
        rows.sort()  # by subject, then object: the order of :meth:`pairs` (equal rows are alike)
        return rows

    def pairs(self, predicate: str, obj: str | None = None) -> list[tuple[str, Any]]:
        """``(subject IRI, object term)`` of every triple with *predicate* (and object IRI *obj*),
        sorted by subject, then object."""
        return sorted(self._raw(predicate, obj), key=_pair_key)

    def of_type(self, cls: str) -> list[str]:
        if self.by_predicate is not None:
            if self._typed is None:
                # by the class's term: only the subjects of the classes asked for are made into texts (most
                # typed quads are of classes the projection never asks for: derivations, periods, communes)
                typed: dict[Any, list[Any]] = defaultdict(list)
                for q in self.by_predicate.get(_RDF_TYPE, ()):
                    typed[q.object].append(q)
                self._typed = typed
            from pyoxigraph import NamedNode

            return sorted({q.subject.value for q in self._typed.get(NamedNode(cls), ())})
        return sorted({s for s, _ in self._raw(_RDF_TYPE, cls)})

    def mapping(self, predicate: str) -> dict[str, str]:
        """Subject → object value (the first one in order)."""
        out: dict[str, str] = {}
        for s, o in self.values(predicate):
            if s not in out:
                out[s] = o
        return out


def _pair_key(pair: tuple[str, Any]) -> tuple[str, str]:
    o = pair[1]
    return (pair[0], "" if o is None else o.value)


def territory_names(store: Any, wanted: set[str]) -> dict[str, str]:
    """The name of each territory of *wanted* (the least of its ``rdfs:label`` values) in *store*.

    In a local store, from the geography's graph: read territory by territory for a few (the real data's),
    in one query over the geography's labels for many (at 100,000 actors, 21,000 of the 36,415
    territories: 0.22 s of CPU against 0.33 by territory). Elsewhere (an endpoint), from every label.

    Parameters
    ----------
    store : kg.store.graph.Graph
        The store (or endpoint) holding the geography.
    wanted : set of str
        The territories' IRIs.

    Returns
    -------
    dict
        ``{territory IRI: name}`` for those of *wanted* that have a name.
    """
    from kg.model import iris
    from kg.model.vocab import RDFS

    rows: Iterable[tuple[str, str]]
    raw = getattr(store, "store", None)
    if raw is not None and hasattr(raw, "quads_for_pattern"):
        from pyoxigraph import NamedNode

        label, geo = NamedNode(str(RDFS.label)), NamedNode(iris.GEOGRAPHY_GRAPH)
        if len(wanted) > _SCAN_FROM:
            query = _GEO_LABELS.format(graph=iris.GEOGRAPHY_GRAPH, label=RDFS.label)
            rows = ((t.value, name.value) for t, name in raw.query(query))
        else:
            pattern = raw.quads_for_pattern
            rows = ((t, q.object.value) for t in wanted for q in pattern(NamedNode(t), label, None, geo))
    else:
        rows = iter(Scanner(store).values(str(RDFS.label)))
    names: dict[str, str] = {}
    for t, name in rows:
        if t in wanted:
            old = names.get(t)
            if old is None or name < old:
                names[t] = name
    return names


#: from how many territories wanted :func:`territory_names` reads them in one query rather than one by one
_SCAN_FROM = 12_000
#: every label of the geography's graph (constants only: the graph's IRI and ``rdfs:label``)
_GEO_LABELS = "SELECT ?t ?name WHERE {{ GRAPH <{graph}> {{ ?t <{label}> ?name }} }}"
