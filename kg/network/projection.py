"""The NetworkX projection of the graph: actors, people, programmes, fundings, events, publications and territories.

:func:`project` reads the store (or any object with the :class:`kg.store.graph.Graph` ``query``
method, e.g. a remote endpoint) with a few SPARQL queries and returns a
:class:`networkx.MultiDiGraph`:

- node attributes: ``kind`` (actor, person, programme, funding, event, publication, territory),
  ``label``, ``types`` (concept notations), ``start``/``end`` (ISO strings at the source's
  precision: an actor's founding date, else the date the source says it is active since; an
  event's dates; a publication's issue date), ``territory`` (IRIs), ``themes``, ``group``
  (a collective actor named without its members), ``amount`` (a grant's euros, ``float``: on
  the funding node only, so that summing it counts each grant once), ``alt_labels`` and
  ``description`` where the data has them, ``sources``;
- graph attributes: ``concept_labels``, and ``documents`` (JSON text: document IRI →
  ``{"title", "publisher", "issued"}``, the publisher by name, empty when unknown);
- edge attributes: ``kind`` (a ``relation-kind`` notation: participation, adhesion,
  financement, fondation, soutien, unite, succession, poste, territoire, partie, inspiration,
  evenement, publication, sujet), ``role``,
  ``via`` (IRI of the qualified node carrying the relation: a membership, a grant…),
  ``start``/``end``, ``sources``.

Every attribute is a ``str``, ``float`` or ``bool``, and one without a value is left out (read
them with ``d.get(...)``), so ``nx.write_graphml``, ``nx.write_gexf``, ``nx.node_link_data`` and
pyvis take the graph as it is. Lists are ``a|b`` texts: read ``types``, ``themes``,
``territory`` and ``alt_labels`` with :func:`kg.network.attributes.listed`, ``sources`` (pairs
``(document IRI, quote)``) with :func:`~kg.network.attributes.sources_of`, and the graph's
``concept_labels`` with :func:`~kg.network.attributes.concept_labels`.

Edges point from the actor that acts (member, funder, founder, provider, unit,
holder, later programme, part, what was inspired, event or publication participant) to the
other end; ``sujet`` from an event or a publication to what it is about. :func:`active_as_of` restricts the
projection to what existed at a date.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.model.dates import is_active, normalise_date
from kg.model.names import normalise
from kg.model.territories import IRI_PREFIX as _TERRITORY
from kg.model.vocab import DCT, ORG, PROV, SCHEMA, TKG
from kg.model.vocab import expand as _iri
from kg.network.attributes import concept_label_table, joined
from kg.network.pairs import Scanner
from kg.store.graph import to_python

__all__ = [
    "EDGE_KINDS",
    "PROJECTION_SHAPE",
    "active_as_of",
    "as_of_day",
    "cached_project",
    "is_undated",
    "project",
]

#: kinds of the projection's edges (notations of the ``relation-kind`` scheme); not to be
#: confused with :data:`kg.sheets.layout.SHEET_RELATION_KINDS`, what a row of the Relations
#: sheet may state (``partenariat`` is one; ``financement``, ``poste``, ``territoire`` are not)
EDGE_KINDS = (
    "participation",
    "adhesion",
    "financement",
    "fondation",
    "soutien",
    "unite",
    "succession",
    "poste",
    "territoire",
    "partie",
    "inspiration",
    "evenement",
    "publication",
    "sujet",
)

_BINARY_KINDS = {
    str(SCHEMA.founder): "fondation",
    str(ORG.unitOf): "unite",
    str(TKG.continues): "succession",
    str(DCT.isPartOf): "partie",
    str(SCHEMA.superEvent): "partie",
    str(PROV.wasInfluencedBy): "inspiration",
}


def project(graph: Any, *, territories: bool = True, quads: Iterable[Any] | None = None) -> nx.MultiDiGraph:
    """Build the NetworkX projection of *graph* (a :class:`kg.store.graph.Graph`, or a remote one).

    Parameters
    ----------
    graph : kg.store.graph.Graph or kg.store.remote.RemoteGraph or None
        The embedded store is read with pyoxigraph's pattern API; anything else through
        ``run(sparql, raw=True, **bindings)``. Not read when *quads* are given (may be None).
    territories : bool
        Add the territories actors point at, and ``territoire`` edges to them.
    quads : iterable of pyoxigraph.Quad, optional
        Every quad of the graph, already in memory (``kg build`` has them): projected in one pass
        over them instead of reading the store, with the same result as projecting the store they
        fill.

    Returns
    -------
    networkx.MultiDiGraph
    """
    from kg.ingest.geo_tables import collector_paused

    with collector_paused():  # hundreds of thousands of nodes and edges, no cyclic garbage
        return _scalar(_project(Scanner(graph, quads), territories=territories))


def _project(sc: Scanner, *, territories: bool) -> nx.MultiDiGraph:
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    concepts = set(sc.of_type(_iri("skos:Concept")))
    G.graph["concept_labels"] = concept_label_table(
        (c, lab.value, lab.language) for c, lab in sc.pairs(_iri("skos:prefLabel")) if c in concepts
    )
    # provenance: node → [(document, quote)]
    entity = dict(sc.values(_iri("prov:entity")))
    quote = dict(sc.values(_iri("tkg:quote")))
    sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
    # in the order the record lists them (its derivations are <record>/source/1, /2…)
    for n, d in sorted(
        sc.values(_iri("prov:qualifiedDerivation")), key=lambda p: (p[0], _source_number(p[1]))
    ):
        e, q = entity.get(d), quote.get(d)
        if e is not None and q is not None and (e, q) not in sources[n]:
            sources[n].append((e, q))
    temporal = dict(sc.values(_iri("dct:temporal")))
    pstart = dict(sc.values(_iri("dcat:startDate")))
    pend = dict(sc.values(_iri("dcat:endDate")))

    def period(n: str) -> tuple[str | None, str | None]:
        p = temporal.get(n)
        return (pstart.get(p), pend.get(p)) if p else (None, None)

    programme_list = sc.of_type(_iri("schema:Project"))  # sorted: the nodes' order is the same every run
    programmes = set(programme_list)
    kinds: dict[str, str] = {n: "actor" for n in sc.of_type(_iri("org:Organization")) if n not in programmes}
    kinds.update((n, "person") for n in sc.of_type(_iri("foaf:Person")))
    kinds.update((n, "programme") for n in programme_list)
    grants = sc.of_type(_iri("schema:MonetaryGrant"))
    kinds.update((n, "funding") for n in grants)
    documents = set(sc.of_type(_iri("foaf:Document")))  # the sources: provenance, not nodes
    events = [n for n in sc.of_type(_iri("schema:Event")) if n not in kinds]
    kinds.update((n, "event") for n in events)
    publications = [
        n for n in sc.of_type(_iri("schema:CreativeWork")) if n not in documents and n not in kinds
    ]
    kinds.update((n, "publication") for n in publications)
    groups = set(sc.of_type(_iri("foaf:Group")))
    label: dict[str, str] = {}
    for n, lab in sc.values(_iri("rdfs:label")):
        if n not in label and (n in kinds or n.startswith(_TERRITORY) or "/post/" in n):
            label[n] = lab
    founded = dict(sc.values(_iri("schema:foundingDate")))
    active_since = dict(sc.values(_iri("tkg:activeSince")))
    dated = dict(sc.values(_iri("dct:issued")))  # a publication's issue
    dated.update(sc.values(_iri("schema:startDate")))  # an event's date
    # the graph's own dictionaries, filled as add_node and add_edge fill them (same orders, same keys):
    # hundreds of thousands of nodes and edges, no view nor check per item
    node: dict[str, dict[str, Any]] = G._node  # type: ignore[attr-defined]
    succ: dict[str, dict[str, dict]] = G._succ  # type: ignore[attr-defined]
    pred: dict[str, dict[str, dict]] = G._pred  # type: ignore[attr-defined]
    for n, kind in kinds.items():
        start, end = period(n)
        succ[n] = {}
        pred[n] = {}
        node[n] = {
            "kind": kind,
            "label": label.get(n) or n.rsplit("/", 1)[-1],
            "types": [],
            "themes": [],
            "start": start or founded.get(n) or active_since.get(n) or dated.get(n),
            "end": end,
            "territory": [],
            "sources": sources.get(n, []),
        }
        if kind == "actor":
            node[n]["group"] = n in groups
    for n, alt in sc.values(_iri("skos:altLabel")):
        if n in node:
            node[n].setdefault("alt_labels", []).append(alt)
    for n, text in sc.values(_iri("dct:description")):
        if n in node and "description" not in node[n]:
            node[n]["description"] = text
    # the source documents, for the views: title, publisher and issue date by document IRI
    titles = {n: t for n, t in sc.values(_iri("dct:title")) if n in documents}
    publisher = {n: o or "" for n, o in sc.values(_iri("dct:publisher")) if n in documents}
    G.graph["documents"] = {  # JSON text in _scalar
        d: {
            "title": titles.get(d) or label.get(d) or d.rsplit("/", 1)[-1],
            "publisher": label.get(publisher.get(d, ""), ""),
            "issued": dated.get(d) or "",
        }
        for d in sorted(documents)
    }
    for p in ("org:classification", "dct:type", "schema:knowsAbout", "dct:subject"):
        for n, c in sc.values(_iri(p)):
            if n in node and (p != "dct:subject" or node[n]["kind"] != "funding"):
                key = "themes" if "/concept/theme/" in c else "types"
                node[n][key].append(c.rsplit("/", 1)[-1])

    source_text = _SourceTexts()

    def edge(a: str, b: str, kind: str, via: str | None, **attrs: Any) -> None:
        """``G.add_edge(a, b, kind=…, via=…, sources=…, **attrs)`` when both ends are nodes (the next free
        key), its attributes already scalars: the sources as one text, an attribute without a value left out."""
        if a in node and b in node:
            srcs = attrs.pop("srcs", None)
            if srcs is None:
                srcs = sources.get(via, []) if via else []
            d: dict[str, Any] = {"kind": kind}
            if via is not None:
                d["via"] = via
            d["sources"] = source_text(srcs)
            for k, v in attrs.items():
                if v is not None:
                    d[k] = v
            keys = succ[a].get(b)
            if keys is None:
                succ[a][b] = pred[b][a] = {0: d}
            else:  # nothing is removed: the next key is the count
                keys[len(keys)] = d

    member, organisation = sc.mapping(_iri("org:member")), sc.mapping(_iri("org:organization"))
    role = sc.mapping(_iri("org:role"))
    for m in sc.of_type(_iri("org:Membership")):
        a, o = member.get(m), organisation.get(m)
        if a and o:
            start, end = period(m)
            r = role.get(m)
            edge(
                a,
                o,
                "participation" if o in programmes else "adhesion",
                m,
                role=r.rsplit("/", 1)[-1] if r else None,
                start=start,
                end=end,
            )
    funder, recipient = sc.mapping(_iri("schema:funder")), sc.mapping(_iri("tkg:recipient"))
    items: dict[str, list[str]] = defaultdict(list)
    for g_, it_ in sc.values(_iri("schema:fundedItem")):
        items[g_].append(it_)
    amount_node = sc.mapping(_iri("schema:amount"))
    value: dict[str, Any] = {}  # terms: the amount's datatype says how to read it
    for s_, o_ in sc.pairs(_iri("schema:value")):
        value.setdefault(s_, o_)
    for g in grants:
        start, end = period(g)
        amount = value.get(amount_node.get(g) or "")
        if amount is not None:  # on the grant only: its edges would count it two or three times
            node[g]["amount"] = float(to_python(amount))
        common = {"start": start, "end": end}
        f, rcp = funder.get(g), recipient.get(g)
        if f:
            edge(f, g, "financement", g, role="financeur", **common)
        if rcp:
            edge(g, rcp, "financement", g, role="beneficiaire", **common)
        for it in items.get(g, []):
            if it != rcp:
                edge(g, it, "financement", g, role="beneficiaire", **common)
    provider, beneficiary = sc.mapping(_iri("tkg:provider")), sc.mapping(_iri("tkg:beneficiary"))
    support_kind = sc.mapping(_iri("tkg:supportKind"))
    for sp in sc.of_type(_iri("tkg:Support")):
        a, b, k = provider.get(sp), beneficiary.get(sp), support_kind.get(sp)
        if a and b:
            start, end = period(sp)
            edge(a, b, "soutien", sp, role=k.rsplit("/", 1)[-1] if k else None, start=start, end=end)
    # binary links stated on a record: its sources, those naming both ends first
    for predicate, kind in _BINARY_KINDS.items():
        for x, y in sc.values(predicate):
            a, b = (y, x) if kind == "fondation" else (x, y)  # the founder acts; a unit or a sequel acts
            if a not in node or b not in node:
                continue  # no edge (the geography's parts, most of them): nothing to date nor cite
            date = founded.get(x) if kind == "fondation" else period(x)[0] if kind == "succession" else None
            srcs = _cited(sources.get(x, []), G, x, y)
            edge(a, b, kind, None, role=None, end=None, start=date, srcs=srcs)
    _events_and_publications(sc, G, edge, sources)
    held_by, post_in = sc.mapping(_iri("org:heldBy")), sc.mapping(_iri("org:postIn"))
    for post in sc.of_type(_iri("org:Post")):
        person, org = held_by.get(post), post_in.get(post)
        if person and org:
            start, end = period(post)
            edge(person, org, "poste", post, role="elu", label=label.get(post), start=start, end=end)
    if territories:
        for p in ("dct:spatial", "schema:location", "schema:areaServed"):
            for a, t in sc.values(_iri(p)):
                if a not in node or not t.startswith(_TERRITORY) or node[a]["kind"] == "territory":
                    continue
                if t not in node:
                    succ[t] = {}
                    pred[t] = {}
                    node[t] = {
                        "kind": "territory",
                        "label": label.get(t, t),
                        "types": [t[len(_TERRITORY) :].split("/")[0]],
                        "themes": [],
                        "start": None,
                        "end": None,
                        "territory": [],
                        "sources": [],
                    }
                if t not in node[a]["territory"]:
                    node[a]["territory"].append(t)
                    edge(a, t, "territoire", None, role=None, start=None, end=None, srcs=node[a]["sources"])
    for (
        attrs
    ) in node.values():  # the nodes' sources as text too, each record's written once for all its edges
        attrs["sources"] = source_text(attrs["sources"])
    return G


class _SourceTexts:
    """The ``sources`` text of a list of ``(document, quote)`` pairs: one text per list, shared by the node
    and the edges of one record (the list kept alive beside its text, so that its id stays its own)."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[list, str]] = {}

    def __call__(self, srcs: list | None) -> str:
        if not srcs:
            return ""
        got = self._texts.get(id(srcs))
        if got is None:
            got = self._texts[id(srcs)] = (srcs, _joined([f"{doc} {quote}" for doc, quote in srcs]))
        return got[1]


#: who took part in an event or a publication, by predicate: (edge kind, role)
_TAKING_PART = {
    str(SCHEMA.organizer): ("evenement", "organisateur"),
    str(SCHEMA.performer): ("evenement", "intervenant"),
    str(SCHEMA.author): ("publication", "auteur"),
    str(SCHEMA.publisher): ("publication", "editeur"),
}


def _events_and_publications(sc: Scanner, G: nx.MultiDiGraph, edge: Any, sources: dict) -> None:
    """Edges of events and publications: who organised, spoke, took part, wrote or published
    (``evenement``, ``publication``, from the agent, dated by the event or the issue), and what
    they are about (``sujet``); each with the event's or the publication's sources."""
    for pred, (kind, role) in _TAKING_PART.items():
        for x, who in sc.values(pred):
            if x in G and G.nodes[x]["kind"] == kind.replace("evenement", "event"):
                srcs = _cited(sources.get(x, []), G, x, who)
                edge(
                    who,
                    x,
                    kind,
                    x,
                    role=role,
                    start=G.nodes[x].get("start"),
                    end=G.nodes[x].get("end"),
                    srcs=srcs,
                )
    agent, had_role = sc.mapping(_iri("prov:agent")), sc.mapping(_iri("prov:hadRole"))
    for pred, kind in (
        ("prov:qualifiedAssociation", "evenement"),
        ("prov:qualifiedAttribution", "publication"),
    ):
        for x, q in sc.values(_iri(pred)):
            by, r = agent.get(q), had_role.get(q)
            if by and x in G:
                notation = r.rsplit("/", 1)[-1] if r else None
                srcs = _cited(sources.get(x, []), G, x, by)
                edge(
                    by,
                    x,
                    kind,
                    x,
                    role=notation,
                    start=G.nodes[x].get("start"),
                    end=G.nodes[x].get("end"),
                    srcs=srcs,
                )
    for x, subject in sc.values(_iri("schema:about")):
        if x in G and G.nodes[x]["kind"] in ("event", "publication"):
            srcs = _cited(sources.get(x, []), G, x, subject)
            edge(x, subject, "sujet", x, role=None, start=G.nodes[x].get("start"), end=None, srcs=srcs)


_LISTS = ("types", "themes", "territory", "alt_labels")


def _scalar(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """*G* (from :func:`_project`, whose edges and sources are scalars already) with every attribute a scalar
    (see the module's docstring), in place."""
    import json

    G.graph["concept_labels"] = json.dumps(
        G.graph.get("concept_labels", {}), ensure_ascii=False, sort_keys=True
    )
    G.graph["documents"] = json.dumps(G.graph.get("documents", {}), ensure_ascii=False, sort_keys=True)
    g: Any = G  # its own dictionaries: hundreds of thousands of nodes, no view per item
    for d in g._node.values():
        for k in _LISTS:
            v = d.get(k)
            if v is not None:
                d[k] = _joined(v) if v else ""
        if None in d.values():
            for k in [k for k, v in d.items() if v is None]:
                del d[k]
    return G


def _joined(items: list[str]) -> str:
    """:func:`kg.network.attributes.joined` of texts, joined at once when none holds a ``|`` or a ``\\``."""
    text = "|".join(items)
    if "\\" not in text and text.count("|") == len(items) - 1:
        return text
    return joined(items)


def _source_number(derivation: str) -> int:
    tail = derivation.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _cited(srcs: list[tuple[str, str]], G: nx.MultiDiGraph, own: str, other: str) -> list[tuple[str, str]]:
    """The sources of a record *own*, those that name the *other* end of a link first (then *own*)."""
    return sorted(srcs, key=lambda src: -(2 * _mentions(src[1], G, other) + _mentions(src[1], G, own)))


def _mentions(quote: str, G: nx.MultiDiGraph, *nodes: str) -> int:
    """How many of *nodes* the *quote* names (by label or alternative label, any case or accent)."""
    text = f" {normalise(quote)} "
    count = 0
    for n in nodes:
        if n not in G:
            continue
        names = [G.nodes[n].get("label") or "", *G.nodes[n].get("alt_labels", [])]
        if any(f" {normalise(x)} " in text for x in names if x):
            count += 1
    return count


_AS_OF_WORDS = {
    "fr": {
        "form": "« {v} » n'est pas une date ; écrivez AAAA, AAAA-MM ou AAAA-MM-JJ (par exemple {a} ou {b})",
        "real": "« {v} » n'est pas une date du calendrier (un mois de 01 à 12, un jour qui existe dans ce mois) ; "
        "écrivez AAAA, AAAA-MM ou AAAA-MM-JJ (par exemple {a} ou {b})",
    },
    "en": {
        "form": '"{v}" is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. {a} or {b})',
        "real": '"{v}" is not a real date (a month from 01 to 12, a day that exists in that month); '
        "write YYYY, YYYY-MM or YYYY-MM-DD (e.g. {a} or {b})",
    },
}


def as_of_day(value: str | int, *, lang: str = "fr", option: str = "--as-of") -> str:
    """An "as of" date given by a user as a full ISO date (:func:`kg.model.dates.normalise_date`).

    *option* is where the user wrote it (``--as-of``, ``--param date``), named in the message.

    Raises
    ------
    QueryError
        Naming the value, the *option* it was given to, and the forms accepted, in *lang*
        (French by default: catalysts read it).

    Examples
    --------
    >>> as_of_day("2019"), as_of_day(2020)
    ('2019-12-31', '2020-12-31')
    >>> as_of_day("hier")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: --as-of : « hier » n'est pas une date ; écrivez AAAA, AAAA-MM ou AAAA-MM-JJ (par exemple --as-of 2019 ou --as-of 2019-06-30)
    """
    from kg.errors import QueryError

    try:
        return normalise_date(value)
    except ValueError:
        text = str(value).strip()
        words = _AS_OF_WORDS.get(lang, _AS_OF_WORDS["fr"])
        shape = "real" if re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", text) else "form"
        sep = " : " if lang == "fr" else ": "
        join = "=" if " " in option else " "  # --as-of 2019, --param date=2019
        message = words[shape].format(v=text, a=f"{option}{join}2019", b=f"{option}{join}2019-06-30")
        raise QueryError(f"{option}{sep}{message}") from None


def is_undated(d: dict[str, Any]) -> bool:
    """True when a relation (or node) of the projection has no start date of its own.

    Such a relation may have existed at any date: :func:`active_as_of` and
    :func:`kg.network.chains.find_chains` keep it at every date, and say how many they kept.
    """
    return not d.get("start")


def active_as_of(G: nx.MultiDiGraph, as_of: str | int) -> nx.MultiDiGraph:
    """The subgraph of *G* that may have existed at *as_of*.

    Nodes dated after *as_of* or ended before it are left out, and so are edges dated after it
    or ended before it. Each date is the node's or the relation's own (none is taken from
    another node). What has no start date of its own is kept — it may have existed then — and
    counted in ``H.graph["undated_edges"]`` (edges) and ``H.graph["undated_nodes"]`` (nodes
    other than territories), so the caller can say so.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", start="2015"); G.add_node("b", start=None); G.add_node("p", start="2021")
    >>> _ = G.add_edge("a", "b", start=None, end=None); _ = G.add_edge("a", "p", start="2021", end=None)
    >>> H = active_as_of(G, 2017)
    >>> sorted(H), H.number_of_edges(), H.graph["undated_edges"]
    (['a', 'b'], 1, 1)

    Raises
    ------
    QueryError
        When *as_of* is not a date (:func:`as_of_day`).
    """
    day = as_of_day(as_of)
    nodes = [n for n, d in G.nodes(data=True) if is_active(d.get("start"), d.get("end"), day)]
    H = G.subgraph(nodes).copy()
    H.remove_edges_from(
        [
            (a, b, k)
            for a, b, k, d in H.edges(keys=True, data=True)
            if not is_active(d.get("start"), d.get("end"), day)
        ]
    )
    H.graph["as_of"] = day
    H.graph["undated_edges"] = sum(1 for _, _, d in H.edges(data=True) if is_undated(d))
    H.graph["undated_nodes"] = sum(
        1 for _, d in H.nodes(data=True) if d.get("kind") != "territory" and is_undated(d)
    )
    return H


def _iter_kinds(kinds: Iterable[str] | None) -> set[str]:
    return set(kinds) if kinds else set(EDGE_KINDS) - {"territoire"}


#: the shape of the projection's attributes; a cache written for another shape is rebuilt
PROJECTION_SHAPE = 4  # 3: descriptions and documents; 4: concept labels by scheme


def cached_project(graph: Any) -> nx.MultiDiGraph:
    """:func:`project`, kept beside the store (``<store>.projection.pickle``, written by ``kg build``).

    The projection of a national graph reads millions of quads: ``kg build`` writes it once, from the
    quads it has in memory (:func:`kg.network.artefacts.write_artefacts`), and it is reused while the store's build id is
    the same (:mod:`kg.store.artefacts`). A store without it, or whose build id changed (an
    import), is projected and the projection saved; remote graphs are always projected afresh.
    """
    from kg.store import artefacts

    store_path = artefacts.local_store(graph)
    if store_path is None:
        return project(graph)
    G = artefacts.load(store_path, "projection", shape=PROJECTION_SHAPE)
    if G is None:
        from kg.network.projection_parts import write_parts

        G = project(graph)
        artefacts.save(store_path, "projection", G, shape=PROJECTION_SHAPE)
        write_parts(store_path, G)  # what a view reads, node by node
    return G
