"""A read-only rdflib ``Dataset`` over the pyoxigraph store: ``kg.open().rdflib()``.

Nothing is copied (parsing ``build/graph.trig`` into rdflib takes ~30 s; this view opens at once):
:class:`OxigraphView` is an rdflib ``Store`` plugin whose every read goes to pyoxigraph.

- **SPARQL** (``ds.query``, ``ds.graph(iri).query``) runs on pyoxigraph, with the project's prefixes,
  the ``initNs`` given, and ``initBindings`` bound as :func:`kg.store.graph.bind` binds keyword
  arguments (a ``VALUES`` block, never pasted text). The dataset's default graph is the union of the
  named graphs, as for :meth:`kg.store.graph.Graph.query`, so both give the same answers. A query
  already parsed by rdflib (``prepareQuery``) runs on rdflib's own engine over the same triples.
- **Triples** (``ds.triples``, iteration, ``len``, ``ds.graph(iri)``, ``ds.contexts()``) are read
  from the store, terms converted by :func:`kg.store.graph.to_rdflib`: a literal typed
  ``xsd:string`` is rdflib's plain ``Literal`` (as when rdflib parses Turtle), so ``Literal("EUR")``
  matches it, and pySHACL's ``sh:in ( "EUR" )`` holds.
- **pySHACL** validates each named graph of a ``Dataset`` on its own; to validate the whole graph
  as ``kg build`` does, give it :func:`union_graph` (``kg.open().rdflib(union=True)``).
- **Writes** (``add``, ``remove``, ``parse``, ``update``, a new named graph) raise
  :class:`kg.errors.StoreError`: the store is written only by ``kg build`` and ``kg import``.

>>> ds = kg.open().rdflib()                                           # doctest: +SKIP
>>> rameau = ds.query("SELECT ?a WHERE { ?a rdfs:label ?l }", initBindings={"l": kg.fr("Le RAMEAU")})  # doctest: +SKIP
>>> len(ds.graph("https://w3id.org/territorial-kg/graph/meta"))       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.store import Store
from rdflib.term import BNode, URIRef, Variable

from kg.errors import QueryError, StoreError
from kg.model.vocab import PREFIXES
from kg.store.graph import bind, syntax_message, to_rdflib, to_term

__all__ = ["UNION", "OxigraphView", "dataset", "union_graph"]

#: the identifier of :func:`union_graph`: a graph that reads the union of the store's named graphs
UNION = URIRef("urn:x-territorial-kg:union")

_READ_ONLY = (
    "the rdflib view of the graph store is read-only: {what} is refused; the store is written only by "
    '"kg build" and "kg import" (to change the data, edit data/ or a workbook and rebuild), or copy what '
    "you need into your own rdflib.Graph() first"
)


def dataset(store: Any):
    """A read-only rdflib ``Dataset`` over the pyoxigraph *store*, its default graph the union of the
    named graphs (``default_union=True``), the project's prefixes bound."""
    ds = Dataset(store=OxigraphView(store), default_union=True)
    for prefix, iri in PREFIXES.items():
        ds.bind(prefix, iri, override=True)
    return ds


def union_graph(store: Any):
    """A read-only rdflib ``Graph`` of the union of the named graphs of the pyoxigraph *store*.

    What pySHACL should be given to validate the graph as ``kg build`` does (records, ontology and
    territories together): given a ``Dataset``, pySHACL validates each named graph on its own.
    """
    graph = Graph(store=OxigraphView(store), identifier=UNION)
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    return graph


def _ox_term(term: Any) -> Any:
    """An rdflib term of a pattern as a pyoxigraph term (None stays a wildcard)."""
    if term is None:
        return None
    try:
        if isinstance(term, BNode):  # a blank node read from the store, asked about again
            return ox.BlankNode(str(term))
        return to_term(term)
    except (QueryError, ValueError):
        return False  # anything pyoxigraph cannot hold (a path, a variable…): matches nothing


def _graph_name(context: Any) -> Any:
    """The pyoxigraph graph name of an rdflib context; None for the union."""
    if context is None:
        return None
    ident = context.identifier if isinstance(context, Graph) else context
    if ident == UNION:
        return None
    if ident == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    if isinstance(ident, URIRef):
        return ox.NamedNode(str(ident))
    return False  # a graph rdflib made up (a blank node): not in the store


class OxigraphView(Store):
    """rdflib ``Store`` over a pyoxigraph store; reads only."""

    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, ox_store: Any):
        super().__init__()
        self._ox = ox_store
        self._prefixes: dict[str, URIRef] = {p: URIRef(i) for p, i in PREFIXES.items()}
        self._contexts: dict[Any, Graph] = {}

    # ------------------------------------------------------------ reads

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        s, p, o = (_ox_term(t) for t in triple_pattern)
        g = _graph_name(context)
        if any(x is False for x in (s, p, o, g)):
            return
        for q in self._ox.quads_for_pattern(s, p, o, g):
            triple = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            yield triple, iter([self._context(q.graph_name)])

    def __len__(self, context: Any = None) -> int:
        g = _graph_name(context)
        if g is None:
            return len(self._ox)
        if g is False:
            return 0
        return sum(1 for _ in self._ox.quads_for_pattern(None, None, None, g))

    def _context(self, name: Any) -> Graph:
        """The rdflib Graph of the store's graph *name* (one object per graph)."""
        graph = self._contexts.get(name)
        if graph is None:
            graph = self._contexts[name] = Graph(store=self, identifier=to_rdflib(name))
        return graph

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        if triple is None:
            names = sorted(self._ox.named_graphs(), key=lambda n: n.value)
        else:
            s, p, o = (_ox_term(t) for t in triple)
            if any(x is False for x in (s, p, o)):
                return
            names = sorted({q.graph_name for q in self._ox.quads_for_pattern(s, p, o)}, key=str)
        for name in names:
            yield self._context(name)

    def query(self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any) -> Any:
        if not isinstance(query, str):
            raise NotImplementedError  # a prepared rdflib query: rdflib's engine over triples()
        prefixes = {**PREFIXES, **{str(k): str(v) for k, v in (initNs or {}).items()}}
        text = bind(query, {str(k): v for k, v in (initBindings or {}).items()})
        options: dict[str, Any] = {"prefixes": prefixes}
        if queryGraph == "__UNION__":
            options["use_default_graph_as_union"] = True
        elif queryGraph is not None:
            g = _graph_name(queryGraph)
            options["default_graph"] = g if g is not False else ox.NamedNode("urn:kg:no-such-graph")
        try:
            answer = self._ox.query(text, **options)
        except SyntaxError as exc:
            raise QueryError(syntax_message(str(exc), query, text)) from None
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from None
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
            return result
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            result = Result("SELECT")
            result.vars = [Variable(n) for n in names]
            result.bindings = [
                {Variable(n): to_rdflib(sol[n]) for n in names if sol[n] is not None} for sol in answer
            ]
            return result
        result = Result("CONSTRUCT")
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri, override=True)
        for t in answer:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        result.graph = graph
        return result

    # ------------------------------------------------------------ prefixes (kept in memory)

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        if override or prefix not in self._prefixes:
            self._prefixes[prefix] = URIRef(str(namespace))

    def namespace(self, prefix: str) -> Any:
        """The namespace bound to *prefix* (the project's prefixes, and those bound since)."""
        return self._prefixes.get(prefix)

    def prefix(self, namespace: Any) -> Any:
        """The prefix bound to *namespace*, or None."""
        return next((p for p, n in self._prefixes.items() if n == URIRef(str(namespace))), None)

    def namespaces(self) -> Iterator[Any]:
        """Every ``(prefix, namespace)`` bound (kept in memory: binding one writes nothing)."""
        yield from self._prefixes.items()

    # ------------------------------------------------------------ writes: refused

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        raise StoreError(_READ_ONLY.format(what=f"adding {triple[:3]}"))

    def addN(self, quads: Any) -> None:
        raise StoreError(_READ_ONLY.format(what="adding triples"))

    def remove(self, triple: Any, context: Any = None) -> None:
        raise StoreError(_READ_ONLY.format(what=f"removing {triple}"))

    def update(self, update: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any) -> None:
        raise StoreError(_READ_ONLY.format(what="a SPARQL update"))

    def remove_graph(self, graph: Any) -> None:
        raise StoreError(_READ_ONLY.format(what=f"removing the graph {graph.identifier}"))

    def add_graph(self, graph: Any) -> None:
        g = _graph_name(graph)
        if (
            g is None
            or g is False
            or (type(g).__name__ == "NamedNode" and not self._ox.contains_named_graph(g))
        ):
            known = ", ".join(sorted(n.value for n in self._ox.named_graphs()))
            raise StoreError(
                f"the store has no named graph {graph.identifier}, and its rdflib view is read-only; "
                f"the named graphs: {known}"
            )
