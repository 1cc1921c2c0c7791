"""The SPARQL 1.1 Protocol's answers: content negotiation, running one job, the service description.

:func:`execute` runs in a worker process (:mod:`kg.serve.workers`); nothing here touches HTTP.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from kg.model.vocab import FORMATS, PREFIXES, RDF, RDFS, SD
from kg.serve.settings import Settings
from kg.store.graph import syntax_message

__all__ = [
    "GRAPH_TYPES",
    "RDFLIB_DEFAULT_GRAPH",
    "RESULT_TYPES",
    "execute",
    "json_solutions",
    "negotiate",
    "not_acceptable",
    "protocol_dataset",
    "service_description",
]

#: The name rdflib gives a Dataset's default graph; its ``SPARQLStore`` sends it as ``default-graph-uri``.
RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"


# ---------------------------------------------------------------------------------------------------
# content negotiation

#: media type → (pyoxigraph QueryResultsFormat name, canonical media type)
RESULT_TYPES = {
    "application/sparql-results+json": ("JSON", "application/sparql-results+json"),
    "application/json": ("JSON", "application/sparql-results+json"),
    "application/sparql-results+xml": ("XML", "application/sparql-results+xml"),
    "application/xml": ("XML", "application/sparql-results+xml"),
    "text/xml": ("XML", "application/sparql-results+xml"),
    "text/csv": ("CSV", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("TSV", "text/tab-separated-values; charset=utf-8"),
}
#: media type → (pyoxigraph RdfFormat name, canonical media type)
GRAPH_TYPES = {
    "text/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/x-turtle": ("TURTLE", "text/turtle; charset=utf-8"),
    "application/n-triples": ("N_TRIPLES", "application/n-triples"),
    "text/plain": ("N_TRIPLES", "application/n-triples"),
    "application/ld+json": ("JSON_LD", "application/ld+json"),
    "application/x-json+ld": ("JSON_LD", "application/ld+json"),
    "application/rdf+xml": ("RDF_XML", "application/rdf+xml"),
}
_DEFAULTS = {"results": "application/sparql-results+json", "graph": "text/turtle"}


def _accepted(accept: str | None) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped, ties keep their order)."""
    if not accept:
        return ["*/*"]
    out = []
    for i, part in enumerate(accept.split(",")):
        items = [x.strip() for x in part.split(";")]
        q = 1.0
        for x in items[1:]:
            if x.lower().startswith("q="):
                try:
                    q = float(x[2:])
                except ValueError:
                    q = 0.0
        if items[0] and q > 0:
            out.append((-q, i, items[0].lower()))
    return [m for _, _, m in sorted(out)] or ["*/*"]


def negotiate(accept: str | None, kind: str) -> tuple[str, str] | None:
    """The (format name, media type) to answer *kind* (``results`` or ``graph``) with, or None (406).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "results")
    ('XML', 'application/sparql-results+xml')
    >>> negotiate("text/html,*/*;q=0.8", "graph")
    ('TURTLE', 'text/turtle; charset=utf-8')
    >>> negotiate("application/*", "graph")
    ('N_TRIPLES', 'application/n-triples')
    """
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    for media in _accepted(accept):
        if media in table:
            return table[media]
        if media == "*/*":
            return table[_DEFAULTS[kind]]
        if media.endswith("/*"):  # the default if it matches, else the first format that does
            for chosen in (table[_DEFAULTS[kind]], *table.values()):
                if chosen[1].startswith(media[:-1]):
                    return chosen
    return None


# ---------------------------------------------------------------------------------------------------
# the protocol's dataset


def protocol_dataset(
    default_graphs: list[str], named_graphs: list[str], graphs: list[str]
) -> tuple[list[str], list[str]]:
    """The request's ``default-graph-uri`` / ``named-graph-uri`` as the graph lists a job runs on.

    Each IRI is kept once (pyoxigraph would read a graph named twice twice). An IRI that is not one
    of the store's *graphs* stays: pyoxigraph reads it as an empty graph and never fetches it, so a
    dataset IRI costs nothing and refusing it would protect nothing (SPARQL 1.1 Protocol, 2.1.4).
    rdflib's :data:`RDFLIB_DEFAULT_GRAPH` stands for the endpoint's own default graph, the union of
    all graphs; alone, it is no dataset at all. Two empty lists mean: the endpoint's default dataset.

    >>> protocol_dataset(["urn:x-rdflib:default"], [], ["urn:g:a"])
    ([], [])
    >>> protocol_dataset(["urn:x-rdflib:default", "urn:g:b"], ["urn:g:a"], ["urn:g:a"])
    (['urn:g:a', 'urn:g:b'], ['urn:g:a'])
    >>> protocol_dataset(["http://example.org/unknown", "http://example.org/unknown"], [], ["urn:g:a"])
    (['http://example.org/unknown'], [])
    """
    dg, ng = list(dict.fromkeys(default_graphs)), list(dict.fromkeys(named_graphs))
    if RDFLIB_DEFAULT_GRAPH in dg:
        dg = [g for g in dg if g != RDFLIB_DEFAULT_GRAPH]
        if dg or ng:
            dg = list(dict.fromkeys([*graphs, *dg]))
    return dg, ng


# ---------------------------------------------------------------------------------------------------
# executing one job (in a worker process)


def _tsv(variables: list[str], rows: list[Any]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in sol) for sol in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def json_solutions(variables: list[str], rows: list[Any]) -> bytes | None:
    """*rows* in SPARQL JSON, written here as Oxigraph writes them; None for a term it does not know.

    What a lookup answers in (:mod:`kg.serve.lookup`): it spares the round trip through TSV that lets
    pyoxigraph write a capped answer (about a third of a lookup's time). Triple terms and directional
    strings are left to pyoxigraph (None).
    """
    import pyoxigraph as ox

    bindings = []
    for sol in rows:
        b: dict[str, dict[str, str]] = {}
        for v, t in zip(variables, sol, strict=True):
            if t is None:
                continue
            if isinstance(t, ox.NamedNode):
                b[v] = {"type": "uri", "value": t.value}
            elif isinstance(t, ox.Literal):
                if getattr(t, "direction", None):
                    return None
                term = {"type": "literal", "value": t.value}
                if t.language:
                    term["xml:lang"] = t.language
                elif t.datatype.value not in (_XSD_STRING, _LANG_STRING):
                    term["datatype"] = t.datatype.value
                b[v] = term
            elif isinstance(t, ox.BlankNode):
                b[v] = {"type": "bnode", "value": t.value}
            else:
                return None
        bindings.append(b)
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def execute(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]]:
    """Run one *job* on *store*; return (status, content type, body, headers).

    ``job`` keys: ``kind`` (query, update, graphs), ``text``, ``accept``, ``base_iri`` (the request
    URL, against which relative IRIs resolve), ``default_graphs``, ``named_graphs`` (the protocol's
    dataset: IRIs that are not graphs of the store are empty graphs, never fetched), ``has_dataset``
    (the query has FROM), ``max_rows``; ``lookup`` (optional: a lookup answered in the server process,
    whose SPARQL JSON is written here rather than by pyoxigraph).
    """
    import pyoxigraph as ox

    plain = "text/plain; charset=utf-8"
    text = job.get("text", "")
    try:
        if job["kind"] == "graphs":
            return (
                200,
                "application/json",
                json.dumps(sorted(g.value for g in store.named_graphs())).encode(),
                {},
            )
        if job["kind"] == "update":
            store.update(text, prefixes=PREFIXES, base_iri=job.get("base_iri"))
            return 204, plain, b"", {}
        kwargs: dict[str, Any] = {}
        dg, ng = job.get("default_graphs") or [], job.get("named_graphs") or []
        if dg or ng:  # the protocol's dataset replaces the query's and the union default graph
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dg]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in ng]
        elif not job.get("has_dataset"):
            kwargs["use_default_graph_as_union"] = True
        # only the predeclared prefixes the text names (a prefix is always written out: Oxigraph decodes no
        # escape in a prefixed name): the same query, and the parser is not handed 23 of them every time
        used = {p: iri for p, iri in PREFIXES.items() if p + ":" in text}
        result = store.query(text, prefixes=used, base_iri=job.get("base_iri"), **kwargs)
        cap = job["max_rows"]
        if isinstance(result, ox.QueryBoolean):
            chosen = negotiate(job.get("accept"), "results")
            if chosen is None:
                return 406, plain, not_acceptable(job.get("accept"), "results"), {}
            return (
                200,
                chosen[1],
                result.serialize(format=getattr(ox.QueryResultsFormat, chosen[0])) or b"",
                {},
            )
        if isinstance(result, ox.QuerySolutions):
            chosen = negotiate(job.get("accept"), "results")
            if chosen is None:
                return 406, plain, not_acceptable(job.get("accept"), "results"), {}
            variables = [v.value for v in result.variables]
            rows = list(islice(result, cap + 1))
            headers = {"X-KG-Truncated": "true"} if len(rows) > cap else {}
            if job.get("lookup") and chosen[0] == "JSON":
                body = json_solutions(variables, rows[:cap])
                if body is not None:
                    return 200, chosen[1], body, headers
            # the capped rows go through TSV (terms in N-Triples syntax) back into QuerySolutions,
            # so pyoxigraph's own serialisers write every format
            solutions = ox.parse_query_results(_tsv(variables, rows[:cap]), format=ox.QueryResultsFormat.TSV)
            return (
                200,
                chosen[1],
                solutions.serialize(format=getattr(ox.QueryResultsFormat, chosen[0])) or b"",
                headers,
            )
        chosen = negotiate(job.get("accept"), "graph")
        if chosen is None:
            return 406, plain, not_acceptable(job.get("accept"), "graph"), {}
        triples = list(islice(result, cap + 1))
        headers = {"X-KG-Truncated": "true"} if len(triples) > cap else {}
        fmt = getattr(ox.RdfFormat, chosen[0])
        prefixes = PREFIXES if chosen[0] in ("TURTLE", "JSON_LD", "RDF_XML") else None
        body = ox.serialize(triples[:cap], format=fmt, prefixes=prefixes)
        return 200, chosen[1], body or b"", headers
    except SyntaxError as exc:
        return 400, plain, syntax_message(str(exc), text, text).encode("utf-8"), {}
    except ValueError as exc:  # e.g. a malformed graph IRI
        return 400, plain, f"bad request: {exc}".encode(), {}
    except OSError as exc:
        return 500, plain, f"the query failed: {exc}".encode(), {}


def not_acceptable(accept: str | None, kind: str) -> bytes:
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    what = "SELECT/ASK results" if kind == "results" else "CONSTRUCT/DESCRIBE graphs"
    return (
        f"Accept: {accept} names no format this endpoint writes for {what}; "
        f"use one of {', '.join(sorted({v[1].split(';')[0] for v in table.values()}))}"
    ).encode()


# ---------------------------------------------------------------------------------------------------
# service description, examples, pages


def service_description(
    endpoint: str, graphs: list[str], settings: Settings, accept: str | None, *, isolation: str | None = None
) -> tuple[str, bytes]:
    """The SPARQL 1.1 Service Description of the endpoint, as (media type, body) per *accept*.

    *isolation* is None when every query worker is denied the network by the operating system;
    otherwise it says why not (``kg serve --unsafe-allow-network``), and the description says so.
    """
    import pyoxigraph as ox

    sd, fmts = str(SD), str(FORMATS)
    rdf_type = ox.NamedNode(str(RDF.type))
    S = ox.NamedNode(endpoint)

    def n(local: str, ns: str = sd) -> Any:
        return ox.NamedNode(ns + local)

    t = [
        ox.Triple(S, rdf_type, n("Service")),
        ox.Triple(S, n("endpoint"), S),
        ox.Triple(S, n("supportedLanguage"), n("SPARQL11Query")),
        ox.Triple(S, n("feature"), n("UnionDefaultGraph")),
        ox.Triple(
            S,
            ox.NamedNode(str(RDFS.comment)),
            ox.Literal(
                f"Read-only Territorial KG endpoint. Default graph = union of all named graphs. Limits: "
                f"time_limit_ms={settings.time_limit_ms}, max_returned_rows={settings.max_returned_rows}, "
                f"max_request_bytes={settings.max_request_bytes}; per client (remote address) "
                f"per_client_running={settings.per_client_running}, per_client_queued={settings.per_client_queued}"
                f" (more gets 503 with Retry-After); worker_memory_mb={settings.worker_memory_mb}. "
                f"SERVICE, LOAD, updates and FROM of graphs "
                f"outside this store are refused (403); a default-graph-uri or named-graph-uri that is not "
                f"a graph of this store is an empty graph (nothing is ever fetched).",
                language="en",
            ),
        ),
    ]
    if isolation is not None:
        t.append(
            ox.Triple(
                S,
                ox.NamedNode(str(RDFS.comment)),
                ox.Literal(
                    "UNSAFE: the query workers of this endpoint are NOT denied the network by the operating "
                    f"system (--unsafe-allow-network): {isolation}",
                    language="en",
                ),
            )
        )
    for f in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        t.append(ox.Triple(S, n("resultFormat"), n(f, fmts)))
    ds, dg = ox.BlankNode(), ox.BlankNode()
    t += [
        ox.Triple(S, n("defaultDataset"), ds),
        ox.Triple(ds, rdf_type, n("Dataset")),
        ox.Triple(ds, n("defaultGraph"), dg),
        ox.Triple(dg, rdf_type, n("Graph")),
    ]
    for g in graphs:
        b = ox.BlankNode()
        t += [
            ox.Triple(ds, n("namedGraph"), b),
            ox.Triple(b, rdf_type, n("NamedGraph")),
            ox.Triple(b, n("name"), ox.NamedNode(g)),
        ]
    chosen = negotiate(accept, "graph") or GRAPH_TYPES["text/turtle"]
    prefixes = {
        "sd": sd,
        "formats": fmts,
        "rdfs": PREFIXES["rdfs"],
        "graph": PREFIXES["graph"],
    }
    body = ox.serialize(
        t, format=getattr(ox.RdfFormat, chosen[0]), prefixes=prefixes if chosen[0] != "N_TRIPLES" else None
    )
    return chosen[1], body or b""
