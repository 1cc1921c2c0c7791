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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import islice
from operator import eq
from typing import Any

from kg.model.vocab import RDF

__all__ = ["Scanner"]

_RDF_TYPE = str(RDF.type)


class Scanner:
    """Reads ``(subject, object)`` pairs of one predicate, sorted (the same order whatever holds them).

    From the quads themselves when given (what ``kg build`` has in memory: no store read), else
    pyoxigraph's pattern API when the graph is embedded (no SPARQL, no row dicts: seconds instead of
    minutes at millions of quads), else one simple SPARQL query per predicate (a remote endpoint).
    Each source gives the same pairs in the same order, so the projection is the same.

    From quads, the *predicates* named up front are read in **one pass** over the quads, in the order
    they lie in memory: the subject's and the object's text of the quads of those predicates (and a
    reference to each quad, for the rare predicate where a pair repeats and the quads must be told
    apart); the other quads are only looked at for their predicate. A predicate in *terms* keeps its
    quads alone (for :meth:`pairs`: a literal's language or datatype). A predicate named later costs a
    pass of its own (:attr:`passes` counts them), with the same result.
    """

    def __init__(
        self,
        graph: Any,
        quads: Iterable[Any] | None = None,
        *,
        predicates: Iterable[str] = (),
        terms: Iterable[str] = (),
    ) -> None:
        self.graph = graph
        store = getattr(graph, "store", None)
        self.store = store if store is not None and hasattr(store, "quads_for_pattern") else None
        #: the quads given (None: the graph is read instead)
        self.quads: Sequence[Any] | None = None
        #: how many passes over the quads were made
        self.passes = 0
        self._text: dict[str, list[tuple[str, str]]] = {}
        self._held: dict[str, list[Any]] = {}
        self._sorted: set[str] = set()
        self._typed: dict[str, list[str]] | None = None
        if quads is not None:
            self.quads = quads if isinstance(quads, Sequence) else list(quads)
            self._collect(set(predicates), set(terms))

    def _collect(self, predicates: set[str], terms: set[str]) -> None:
        """One pass over the quads: the text pairs of *predicates* (and their quads, should a pair repeat),
        the quads of *terms*."""
        if self.quads is None:
            return
        from pyoxigraph import NamedNode

        # keyed by the predicate's term: a quad's predicate is looked up without making its text
        text: dict[Any, tuple[list[tuple[str, str]], list[Any]]] = {
            NamedNode(p): ([], []) for p in predicates - terms
        }
        held: dict[Any, list[Any]] = {NamedNode(p): [] for p in terms}
        text_get, held_get = text.get, held.get
        for q in self.quads:
            p = q.predicate
            got = text_get(p)
            if got is not None:
                got[0].append((q.subject.value, q.object.value))
                got[1].append(q)
            elif held:
                kept = held_get(p)
                if kept is not None:
                    kept.append(q)
        self.passes += 1
        for node, (rows, quads) in text.items():
            self._text[node.value] = rows
            self._held[node.value] = quads
        self._held.update((node.value, quads) for node, quads in held.items())

    def _from_quads(self, predicate: str) -> list[Any]:
        """The quads of *predicate*, each once (the store keeps a quad once; the same fact in two graphs
        stays twice)."""
        held = self._held.get(predicate)
        if held is None:
            self._collect({predicate}, set())
            held = self._held[predicate]
        return list(dict.fromkeys(held))

    def _raw(self, predicate: str, obj: str | None) -> list[tuple[str, Any]]:
        if self.quads is not None:
            if obj is not None:
                return [(s, None) for s, o in self.values(predicate) if o == obj]
            return [(q.subject.value, q.object) for q in self._from_quads(predicate)]
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
        object's text (an IRI, a literal's lexical form) instead of its term, made without a term per quad.

        The list may be the scanner's own: do not change it."""
        if self.quads is not None:
            if predicate in self._sorted:
                return self._text[predicate]
            rows = self._text.get(predicate)
            if rows is None:
                rows = [(q.subject.value, q.object.value) for q in self._from_quads(predicate)]
            rows.sort()
            if any(map(eq, rows, islice(rows, 1, None))):
                # a pair twice, perhaps a quad given twice: the store keeps a quad once, so do these (the
                # same fact in two graphs stays twice)
                rows = [(q.subject.value, q.object.value) for q in self._from_quads(predicate)]
                rows.sort()
            self._text[predicate] = rows
            self._sorted.add(predicate)
            return rows
        rows = [(s, o.value) for s, o in self._raw(predicate, None)]
        rows.sort()  # by subject, then object: the order of :meth:`pairs` (equal rows are alike)
        return rows

    def pairs(self, predicate: str, obj: str | None = None) -> list[tuple[str, Any]]:
        """``(subject IRI, object term)`` of every triple with *predicate* (and object IRI *obj*),
        sorted by subject, then object."""
        return sorted(self._raw(predicate, obj), key=_pair_key)

    def of_type(self, cls: str) -> list[str]:
        if self.quads is not None:
            if self._typed is None:
                typed: dict[str, list[str]] = defaultdict(list)
                for s, o in self._text.get(_RDF_TYPE) or self.values(_RDF_TYPE):
                    typed[o].append(s)
                self._typed = typed
            return sorted(set(self._typed.get(cls, ())))
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
