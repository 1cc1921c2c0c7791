"""The NetworkX projection of the graph: actors, people, programmes, fundings and territories.

:func:`project` reads the store (or any object with the :class:`kg.store.Graph` ``query``
method, e.g. a remote endpoint) with a few SPARQL queries and returns a
:class:`networkx.MultiDiGraph`:

- node attributes: ``kind`` (actor, person, programme, funding, territory), ``label``,
  ``types`` (concept notations), ``start``/``end`` (ISO strings at the source's precision),
  ``territory`` (IRIs), ``themes``;
- edge attributes: ``kind`` (a ``relation-kind`` notation: participation, adhesion,
  financement, fondation, soutien, unite, succession, poste, territoire), ``role``,
  ``via`` (IRI of the qualified node carrying the relation: a membership, a grant…),
  ``start``/``end``, ``amount`` (euros), ``sources`` (list of ``(document IRI, quote)``).

Edges point from the actor that acts (member, funder, founder, provider, unit,
holder, later programme) to the other end. :func:`active_as_of` restricts the
projection to what existed at a date.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

import networkx as nx

from kg.records import date_bounds

__all__ = ["project", "active_as_of", "normalise_date", "is_active", "territory_members", "RELATION_KINDS"]

#: relation kinds of the projection's edges (notations of the ``relation-kind`` scheme)
RELATION_KINDS = ("participation", "adhesion", "financement", "fondation", "soutien", "unite",
                  "succession", "poste", "territoire")

Q_NODES = """
SELECT ?n ?kind ?label ?start ?end WHERE {
  { ?n a org:Organization . BIND("actor" AS ?kind) FILTER NOT EXISTS { ?n a schema:Project } }
  UNION { ?n a foaf:Person . BIND("person" AS ?kind) }
  UNION { ?n a schema:Project . BIND("programme" AS ?kind) }
  UNION { ?n a schema:MonetaryGrant . BIND("funding" AS ?kind) }
  OPTIONAL { ?n rdfs:label ?label }
  OPTIONAL { ?n schema:foundingDate ?founded }
  OPTIONAL { ?n dct:temporal/dcat:startDate ?pstart }
  OPTIONAL { ?n dct:temporal/dcat:endDate ?end }
  BIND(COALESCE(?pstart, ?founded) AS ?start)
}"""

Q_CLASSIFICATION = """
SELECT ?n ?c WHERE { { ?n org:classification ?c } UNION { ?n dct:type ?c }
                     UNION { ?n schema:knowsAbout ?c } UNION { ?n a schema:Project ; dct:subject ?c } }"""

Q_ALT = """SELECT ?n ?alt WHERE { ?n skos:altLabel ?alt }"""

Q_CONCEPT_LABELS = """SELECT ?c ?label WHERE { ?c a skos:Concept ; skos:prefLabel ?label }"""

# pyoxigraph evaluates an OPTIONAL group of several patterns slowly over the union default graph:
# the queries here keep OPTIONALs to one pattern or one property path
Q_SOURCES = """
SELECT ?n ?doc ?quote WHERE { ?n prov:qualifiedDerivation ?d . ?d prov:entity ?doc ; tkg:quote ?quote }"""

Q_MEMBERSHIPS = """
SELECT ?m ?member ?org ?role ?start ?end ?isprog WHERE {
  ?m a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?m org:role ?role }
  OPTIONAL { ?m dct:temporal/dcat:startDate ?start }
  OPTIONAL { ?m dct:temporal/dcat:endDate ?end }
  BIND(EXISTS { ?org a schema:Project } AS ?isprog)
}"""

Q_GRANTS = """
SELECT ?g ?funder ?recipient ?item ?amount ?start ?end WHERE {
  ?g a schema:MonetaryGrant ; tkg:recipient ?recipient .
  OPTIONAL { ?g schema:funder ?funder }
  OPTIONAL { ?g schema:fundedItem ?item }
  OPTIONAL { ?g schema:amount/schema:value ?amount }
  OPTIONAL { ?g dct:temporal/dcat:startDate ?start }
  OPTIONAL { ?g dct:temporal/dcat:endDate ?end }
}"""

Q_SUPPORTS = """
SELECT ?s ?provider ?beneficiary ?sk ?start ?end WHERE {
  ?s a tkg:Support ; tkg:provider ?provider ; tkg:beneficiary ?beneficiary ; tkg:supportKind ?sk .
  OPTIONAL { ?s dct:temporal/dcat:startDate ?start }
  OPTIONAL { ?s dct:temporal/dcat:endDate ?end }
}"""

# binary links stated on a record; their sources are that record's derivations (ranked in Python)
Q_BINARY = """
SELECT ?x ?p ?y ?founded ?pstart WHERE {
  VALUES ?p { schema:founder org:unitOf tkg:continues }
  ?x ?p ?y .
  OPTIONAL { ?x schema:foundingDate ?founded }
  OPTIONAL { ?x dct:temporal/dcat:startDate ?pstart }
}"""

_BINARY_KINDS = {
    "https://schema.org/founder": "fondation",
    "http://www.w3.org/ns/org#unitOf": "unite",
    "https://w3id.org/territorial-kg/ontology#continues": "succession",
}

Q_POSTS = """
SELECT ?post ?person ?org ?label ?start ?end WHERE {
  ?post a org:Post ; org:heldBy ?person ; org:postIn ?org .
  OPTIONAL { ?post rdfs:label ?label }
  OPTIONAL { ?post dct:temporal/dcat:startDate ?start }
  OPTIONAL { ?post dct:temporal/dcat:endDate ?end }
}"""

Q_TERRITORIES = """
SELECT ?a ?t ?label ?level WHERE {
  ?a dct:spatial|schema:location|schema:areaServed ?t .
  ?t rdfs:label ?label .
  FILTER(STRSTARTS(STR(?t), "https://w3id.org/territorial-kg/id/territory/"))
  BIND(REPLACE(STR(?t), "^.*/territory/([a-z]+)/.*$", "$1") AS ?level)
}"""


def _rows(graph: Any, query: str) -> list[dict[str, Any]]:
    return graph.query(query)


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def project(graph: Any, *, territories: bool = True) -> nx.MultiDiGraph:
    """Build the NetworkX projection of *graph* (a :class:`kg.store.Graph` or alike).

    Parameters
    ----------
    graph : kg.store.Graph
        Anything with ``query(sparql) -> list[dict]``.
    territories : bool
        Add the territories actors point at, and ``territoire`` edges to them.

    Returns
    -------
    networkx.MultiDiGraph
    """
    G = nx.MultiDiGraph()
    labels: dict[str, dict[str, str]] = {}
    for r in graph.run(Q_CONCEPT_LABELS, raw=True).value if hasattr(graph, "run") else []:
        labels.setdefault(r["c"].value.rsplit("/", 1)[-1], {})[r["label"].language or "fr"] = r["label"].value
    G.graph["concept_labels"] = labels
    sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _rows(graph, Q_SOURCES):
        sources[r["n"]].append((r["doc"], r["quote"]))
    for r in _rows(graph, Q_NODES):
        n = r["n"]
        if n in G:
            continue
        G.add_node(n, kind=r["kind"], label=_s(r["label"]) or n.rsplit("/", 1)[-1], types=[], themes=[],
                   start=_s(r["start"]), end=_s(r["end"]), territory=[], sources=sources.get(n, []))
    for r in _rows(graph, Q_ALT):
        if r["n"] in G:
            G.nodes[r["n"]].setdefault("alt_labels", []).append(str(r["alt"]))
    for r in _rows(graph, Q_CLASSIFICATION):
        if r["n"] in G:
            concept = r["c"]
            key = "themes" if "/concept/theme/" in concept else "types"
            G.nodes[r["n"]][key].append(concept.rsplit("/", 1)[-1])

    def edge(a: str, b: str, kind: str, via: str | None, **attrs: Any) -> None:
        if a in G and b in G:
            G.add_edge(a, b, kind=kind, via=via, sources=sources.get(via, []) if via else attrs.pop("srcs", []),
                       **{k: v for k, v in attrs.items() if k != "srcs"})

    for r in _rows(graph, Q_MEMBERSHIPS):
        role = r["role"].rsplit("/", 1)[-1] if r["role"] else None
        kind = "participation" if r["isprog"] else "adhesion"
        edge(r["member"], r["org"], kind, r["m"], role=role, start=_s(r["start"]), end=_s(r["end"]))
    for r in _rows(graph, Q_GRANTS):
        common = dict(start=_s(r["start"]), end=_s(r["end"]), amount=r["amount"])
        g = r["g"]
        if r["funder"]:
            edge(r["funder"], g, "financement", g, role="financeur", **common)
        edge(g, r["recipient"], "financement", g, role="beneficiaire", **common)
        if r["item"] and r["item"] != r["recipient"]:
            edge(g, r["item"], "financement", g, role="beneficiaire", **common)
    for r in _rows(graph, Q_SUPPORTS):
        edge(r["provider"], r["beneficiary"], "soutien", r["s"], role=r["sk"].rsplit("/", 1)[-1],
             start=_s(r["start"]), end=_s(r["end"]))
    for r in _rows(graph, Q_BINARY):
        kind = _BINARY_KINDS[r["p"]]
        # founder: the founder acts (a → founded); unit and continuation: the record acts
        a, b = (r["y"], r["x"]) if kind == "fondation" else (r["x"], r["y"])
        date = r["founded"] if kind == "fondation" else r["pstart"] if kind == "succession" else None
        # a binary link cites its record's sources: put first the sentences that name both ends
        srcs = sorted(sources.get(r["x"], []), key=lambda src: -_mentions(src[1], G, a, b))
        if not G.has_edge(a, b) or not any(d.get("kind") == kind for d in G.get_edge_data(a, b).values()):
            edge(a, b, kind, None, role=None, end=None, start=_s(date), srcs=srcs)
    for r in _rows(graph, Q_POSTS):
        edge(r["person"], r["org"], "poste", r["post"], role="elu", label=_s(r["label"]),
             start=_s(r["start"]), end=_s(r["end"]))
    if territories:
        for r in _rows(graph, Q_TERRITORIES):
            if r["a"] not in G:
                continue
            t = r["t"]
            if t not in G:
                G.add_node(t, kind="territory", label=_s(r["label"]), types=[r["level"]], themes=[],
                           start=None, end=None, territory=[], sources=[])
            G.nodes[r["a"]]["territory"].append(t)
            edge(r["a"], t, "territoire", None, role=None, start=None, end=None,
                 srcs=G.nodes[r["a"]]["sources"])
    return G


def _mentions(quote: str, G: nx.MultiDiGraph, *nodes: str) -> int:
    """How many of *nodes* the *quote* names (by label or alternative label, any case or accent)."""
    from kg.lookup import normalise

    text = f" {normalise(quote)} "
    count = 0
    for n in nodes:
        if n not in G:
            continue
        names = [G.nodes[n].get("label") or ""] + list(G.nodes[n].get("alt_labels", []))
        if any(f" {normalise(x)} " in text for x in names if x):
            count += 1
    return count


def normalise_date(value: str | int) -> str:
    """An "as of" date as a full ISO date; a year or a month means its last day.

    >>> normalise_date("2019"), normalise_date(2022), normalise_date("2020-02"), normalise_date("2021-06-30")
    ('2019-12-31', '2022-12-31', '2020-02-29', '2021-06-30')
    """
    from kg.records import _check_date

    text = _check_date(str(value))
    return date_bounds(text)[1]


def is_active(start: str | None, end: str | None, as_of: str) -> bool:
    """True if something from *start* to *end* (either may be None) exists at the full date *as_of*."""
    if start and date_bounds(start)[0] > as_of:
        return False
    if end and date_bounds(end)[1] < as_of:
        return False
    return True


def active_as_of(G: nx.MultiDiGraph, as_of: str | int) -> nx.MultiDiGraph:
    """The subgraph of *G* that existed at *as_of* (nodes started, edges started and not ended)."""
    day = normalise_date(as_of)
    nodes = [n for n, d in G.nodes(data=True) if is_active(d.get("start"), None, day)]
    H = G.subgraph(nodes).copy()
    H.remove_edges_from([(a, b, k) for a, b, k, d in H.edges(keys=True, data=True)
                         if not is_active(d.get("start"), d.get("end"), day)])
    return H


def _iter_kinds(kinds: Iterable[str] | None) -> set[str]:
    return set(kinds) if kinds else set(RELATION_KINDS) - {"territoire"}


def territory_members(graph: Any, G: nx.MultiDiGraph, territory: str) -> set[str]:
    """Nodes of *G* in *territory* (``level:code``) or its sub-territories, and the programmes they take part in.

    Raises
    ------
    QueryError
        For a malformed territory reference.
    UnknownEntityError
        For a territory that is not in the official geography.
    """
    from kg import iris
    from kg.errors import QueryError, UnknownEntityError
    from kg.records import TERRITORY_REF_RE
    from kg.store import IRI

    m = TERRITORY_REF_RE.match(territory.strip())
    if not m:
        raise QueryError(f'"{territory}" is not a territory; write level:code, e.g. commune:94018, '
                         "intercommunalite:200057941, departement:94 or region:11")
    t = IRI(iris.territory(*m.groups()))
    rows = graph.query("SELECT ?t WHERE { ?t dct:isPartOf* ?top . ?top rdfs:label ?l }", top=t)
    places = {r["t"] for r in rows}
    if not places:
        raise UnknownEntityError(f'"{territory}" is not in the official geography; check the code in data/geo/')
    keep = {n for n, d in G.nodes(data=True) if d.get("kind") in ("actor", "person")
            and any(x in places for x in d.get("territory", []))}
    for n in list(keep):
        for _, b, d in G.out_edges(n, data=True):
            if G.nodes[b].get("kind") == "programme":
                keep.add(b)
    return keep
