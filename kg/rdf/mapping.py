"""The one mapping from records to RDF quads (see ``docs/design.md``).

:func:`record_triples` gives the triples of one record (plain data: tuples of
pyoxigraph terms). :func:`records_quads` is the one way records become quads: each
record's triples, its provenance (``prov:wasDerivedFrom`` and a qualified derivation
quoting the source) and the materialised shortcuts, in a given named graph.
:func:`curated_quads` calls it for the curated data (one graph per source document,
shortcuts in ``graph:derived``), :mod:`kg.store.imports` and :mod:`kg.store.build` for
each spreadsheet import (one graph per import); :func:`graph_description` states a
graph in ``graph:meta``. Every IRI is minted by :mod:`kg.model.iris`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg.ingest.curated import Curated
from kg.ingest.imports import Imported, copy_name, import_doc_id
from kg.model import iris
from kg.model.records import (
    Actor,
    Document,
    Event,
    Figure,
    Funding,
    Membership,
    Participation,
    Person,
    Post,
    Programme,
    Publication,
    Support,
)
from kg.model.vocab import (
    ADMS,
    CV,
    DCAT,
    DCT,
    FABIO,
    FOAF,
    LEGAL,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    TKG,
    XSD,
)

__all__ = [
    "Triple",
    "curated_quads",
    "date_literal",
    "derived_triples",
    "graph_description",
    "import_quads",
    "node_of",
    "record_triples",
    "records_quads",
]

Term = NamedNode | Literal | BlankNode
Triple = tuple[NamedNode, NamedNode, Term]

_N: dict[str, NamedNode] = {}


def N(iri: str) -> NamedNode:
    """Cached NamedNode (the same few hundred predicates and classes recur)."""
    node = _N.get(iri)
    if node is None:
        node = _N[iri] = NamedNode(str(iri))
    return node


A = N(RDF.type)
LABEL = N(RDFS.label)
XSD_GYEAR, XSD_GYEARMONTH, XSD_DATE = N(XSD.gYear), N(XSD.gYearMonth), N(XSD.date)
XSD_DECIMAL, XSD_DURATION = N(XSD.decimal), N(XSD.duration)


def fr(text: str) -> Literal:
    return Literal(text, language="fr")


def date_literal(value: str) -> Literal:
    """A DateLike as a typed literal at its own precision.

    >>> date_literal("2014-09").datatype.value
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    n = value.count("-")
    return Literal(value, datatype=(XSD_GYEAR, XSD_GYEARMONTH, XSD_DATE)[n])


def _concept(scheme: str, notation: str) -> NamedNode:
    return N(iris.concept(scheme, notation))


def _territory(ref: str) -> NamedNode:
    level, code = ref.split(":", 1)
    return N(iris.territory(level, code))


# extra rdf:types by actor type notation
_ACTOR_TYPES: dict[str, tuple[str, ...]] = {
    "collectivite-territoriale": (
        ORG.FormalOrganization,
        CV.PublicOrganisation,
        SCHEMA.GovernmentOrganization,
    ),
    "commune": (ORG.FormalOrganization, CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "intercommunalite": (ORG.FormalOrganization, CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "departement": (ORG.FormalOrganization, CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "region": (ORG.FormalOrganization, CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "service-etat": (CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "etablissement-public": (CV.PublicOrganisation, SCHEMA.GovernmentOrganization),
    "entreprise": (ORG.FormalOrganization, LEGAL.LegalEntity, SCHEMA.Corporation),
    "association": (ORG.FormalOrganization, SCHEMA.NGO),
    "reseau": (ORG.FormalOrganization, SCHEMA.NGO),
    "club-entreprises": (ORG.FormalOrganization, SCHEMA.NGO),
    "fondation": (ORG.FormalOrganization, LEGAL.LegalEntity),
    "fonds-de-dotation": (ORG.FormalOrganization, LEGAL.LegalEntity),
    "etablissement-scolaire": (SCHEMA.EducationalOrganization,),
    "lycee": (SCHEMA.EducationalOrganization, SCHEMA.HighSchool),
    "recherche": (SCHEMA.ResearchOrganization,),
    "chaire": (ORG.OrganizationalUnit, SCHEMA.ResearchOrganization),
    "service-interne": (ORG.OrganizationalUnit,),
    "catalyseur-territorial": (TKG.TerritorialCatalyst,),
}
_FABIO = {
    "newsletter": FABIO.NewsItem,
    "partner-sheet": FABIO.ReportDocument,
    "slides": FABIO.Presentation,
    "report": FABIO.ReportDocument,
    "webpage": FABIO.WebPage,
    "spreadsheet": FABIO.Dataset,
    "article": FABIO.Article,
    "press-release": FABIO.PressRelease,
}

_KIND_OF = {
    Actor: "actor",
    Person: "person",
    Post: "post",
    Programme: "programme",
    Participation: "participation",
    Membership: "membership",
    Funding: "funding",
    Support: "support",
    Event: "event",
    Publication: "publication",
    Figure: "figure",
}


def node_of(kind: str, rid: str) -> NamedNode:
    """The node of a curated record of *kind* with id *rid*."""
    if kind == "document":
        return N(iris.document(rid))
    return N(iris.entity(kind, rid))


def _period(node: NamedNode, start: str | None, end: str | None, duration: str | None = None) -> list[Triple]:
    if not (start or end or duration):
        return []
    p = N(iris.period(node.value))
    out: list[Triple] = [(node, N(DCT.temporal), p), (p, A, N(DCT.PeriodOfTime))]
    if start:
        out.append((p, N(DCAT.startDate), date_literal(start)))
    if end:
        out.append((p, N(DCAT.endDate), date_literal(end)))
    if duration:
        out.append((p, N(TIME.hasXSDDuration), Literal(duration, datatype=XSD_DURATION)))
    return out


def _refs(kinds: Mapping[str, str], ids: Iterable[str]) -> Iterator[NamedNode]:
    for rid in ids:
        yield node_of(kinds[rid], rid)


def record_triples(rec: BaseModel, kinds: Mapping[str, str]) -> list[Triple]:
    """Triples stating one curated record (without its provenance).

    *kinds* maps every record id to its kind, to resolve references.
    """
    if isinstance(rec, Document):
        d = N(iris.document(rec.id))
        out: list[Triple] = [
            (d, A, N(t)) for t in (PROV.Entity, FOAF.Document, SCHEMA.CreativeWork, _FABIO[rec.genre])
        ]
        out += [
            (d, N(DCT.title), fr(rec.title)),
            (d, LABEL, fr(rec.title)),
            (d, N(DCT.language), Literal("fr")),
            (d, N(TKG.sourceFile), Literal(f"{rec.id}.txt")),
        ]
        if rec.issued:
            out.append((d, N(DCT.issued), date_literal(rec.issued)))
        if rec.publisher:
            out.append((d, N(DCT.publisher), node_of("actor", rec.publisher)))
        if rec.description:
            out.append((d, N(DCT.description), fr(rec.description)))
        if rec.url:
            out.append((d, N(SCHEMA.url), Literal(rec.url, datatype=N(XSD.anyURI))))
        return out
    kind = _KIND_OF[type(rec)]
    s = node_of(kind, rec.id)  # type: ignore[attr-defined]
    out = []
    add = out.append
    desc = getattr(rec, "description", None)
    if desc:
        add((s, N(DCT.description), fr(desc)))
    if isinstance(rec, Actor):
        for t in (ORG.Organization, SCHEMA.Organization):
            add((s, A, N(t)))
        extra = {t for ty in rec.types for t in _ACTOR_TYPES.get(ty, ())}
        for extra_type in sorted(extra):
            add((s, A, N(extra_type)))
        add((s, LABEL, fr(rec.name)))
        for alt in rec.alt_names:
            add((s, N(SKOS.altLabel), fr(alt)))
        for ty in rec.types:
            add((s, N(ORG.classification), _concept("actor-type", ty)))
        if rec.founded:
            add((s, N(SCHEMA.foundingDate), date_literal(rec.founded)))
        for f in _refs(kinds, rec.founders):
            add((s, N(SCHEMA.founder), f))
        if rec.part_of:
            add((s, N(ORG.unitOf), node_of("actor", rec.part_of)))
            add((node_of("actor", rec.part_of), N(ORG.hasUnit), s))
        if rec.territory:
            add((s, N(DCT.spatial), _territory(rec.territory)))
        if rec.located_in:
            add((s, N(SCHEMA.location), _territory(rec.located_in)))
        for place in rec.area_served:
            add((s, N(SCHEMA.areaServed), _territory(place)))
        for th in rec.themes:
            add((s, N(SCHEMA.knowsAbout), _concept("theme", th)))
        for key in ("siren", "siret", "rna", "uai"):
            value = getattr(rec, key)
            if value:
                add((s, N(TKG[key]), Literal(value)))
        if rec.siren:
            ident = N(iris.identifier(s.value, "siren"))
            add((s, N(LEGAL.legalIdentifier), ident))
            add((ident, A, N(ADMS.Identifier)))
            add((ident, N(SKOS.notation), Literal(rec.siren)))
            add((ident, N(ADMS.schemaAgency), Literal("INSEE (répertoire SIRENE)", language="fr")))
        if rec.homepage:
            add((s, N(FOAF.homepage), NamedNode(rec.homepage)))
    elif isinstance(rec, Person):
        add((s, A, N(FOAF.Person)))
        add((s, A, N(SCHEMA.Person)))
        add((s, LABEL, Literal(rec.name)))
    elif isinstance(rec, Post):
        add((s, A, N(ORG.Post)))
        add((s, LABEL, fr(rec.label)))
        add((s, N(ORG.postIn), node_of("actor", rec.organisation)))
        add((node_of("actor", rec.organisation), N(ORG.hasPost), s))
        add((s, N(ORG.role), _concept("role", rec.role)))
        if rec.holder:
            h = node_of("person", rec.holder)
            add((s, N(ORG.heldBy), h))
            add((h, N(ORG.holds), s))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Programme):
        add((s, A, N(ORG.OrganizationalCollaboration)))
        add((s, A, N(SCHEMA.Project)))
        add((s, LABEL, fr(rec.name)))
        for alt in rec.alt_names:
            add((s, N(SKOS.altLabel), fr(alt)))
        add((s, N(DCT.type), _concept("project-type", rec.type)))
        for th in rec.themes:
            add((s, N(DCT.subject), _concept("theme", th)))
        for place in rec.area_served:
            add((s, N(SCHEMA.areaServed), _territory(place)))
        if rec.continues:
            add((s, N(TKG.continues), node_of("programme", rec.continues)))
        if rec.homepage:
            add((s, N(FOAF.homepage), NamedNode(rec.homepage)))
        out += _period(s, rec.start, rec.end, rec.duration)
    elif isinstance(rec, (Participation, Membership)):
        add((s, A, N(ORG.Membership)))
        if isinstance(rec, Participation):
            member, organisation = node_of("actor", rec.actor), node_of("programme", rec.programme)
        else:
            member, organisation = node_of(kinds[rec.member], rec.member), node_of("actor", rec.organisation)
        add((s, N(ORG.member), member))
        add((s, N(ORG.organization), organisation))
        add((s, N(ORG.role), _concept("role", rec.role)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Funding):
        add((s, A, N(SCHEMA.MonetaryGrant)))
        if rec.funder:
            add((s, N(SCHEMA.funder), node_of("actor", rec.funder)))
        add((s, N(TKG.recipient), node_of("actor", rec.recipient)))
        item = rec.funded_item or rec.recipient
        add((s, N(SCHEMA.fundedItem), node_of(kinds[item], item)))
        amount = N(iris.amount(s.value))
        add((s, N(SCHEMA.amount), amount))
        add((amount, A, N(SCHEMA.MonetaryAmount)))
        add((amount, N(SCHEMA.value), Literal(_decimal(rec.amount_eur), datatype=XSD_DECIMAL)))
        add((amount, N(SCHEMA.currency), Literal("EUR")))
        for th in rec.themes:
            add((s, N(DCT.subject), _concept("theme", th)))
        if rec.support_kind:
            add((s, N(TKG.supportKind), _concept("support-kind", rec.support_kind)))
        out += _period(s, rec.start, rec.end, rec.duration)
    elif isinstance(rec, Support):
        add((s, A, N(TKG.Support)))
        add((s, N(TKG.provider), node_of("actor", rec.provider)))
        add((s, N(TKG.beneficiary), node_of("actor", rec.beneficiary)))
        add((s, N(TKG.supportKind), _concept("support-kind", rec.support_kind)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Event):
        add((s, A, N(SCHEMA.Event)))
        add((s, LABEL, fr(rec.name)))
        if rec.start:
            add((s, N(SCHEMA.startDate), date_literal(rec.start)))
        if rec.end:
            add((s, N(SCHEMA.endDate), date_literal(rec.end)))
        if rec.online:
            add((s, N(SCHEMA.eventAttendanceMode), N(SCHEMA.OnlineEventAttendanceMode)))
        for o in _refs(kinds, rec.organisers):
            add((s, N(SCHEMA.organizer), o))
        for p in _refs(kinds, rec.speakers):
            add((s, N(SCHEMA.performer), p))
        for x in _refs(kinds, rec.about):
            add((s, N(SCHEMA.about), x))
        if rec.part_of:
            add((s, N(SCHEMA.superEvent), node_of("programme", rec.part_of)))
        for th in rec.themes:
            add((s, N(DCT.subject), _concept("theme", th)))
        if rec.location:
            add((s, N(SCHEMA.location), _territory(rec.location)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Publication):
        add((s, A, N(SCHEMA.CreativeWork)))
        if rec.genre in _FABIO:
            add((s, A, N(_FABIO[rec.genre])))
        add((s, LABEL, fr(rec.title)))
        if rec.issued:
            add((s, N(DCT.issued), date_literal(rec.issued)))
        for x in _refs(kinds, rec.authors):
            add((s, N(SCHEMA.author), x))
        for x in _refs(kinds, rec.publishers):
            add((s, N(SCHEMA.publisher), x))
        for x in _refs(kinds, rec.about):
            add((s, N(SCHEMA.about), x))
        for th in rec.themes:
            add((s, N(DCT.subject), _concept("theme", th)))
    elif isinstance(rec, Figure):
        add((s, A, N(SCHEMA.Observation)))
        add((s, N(SCHEMA.observationAbout), node_of(kinds[rec.about], rec.about)))
        add((s, N(SCHEMA.variableMeasured), fr(rec.measure)))
        add((s, N(SCHEMA.value), Literal(_decimal(rec.value), datatype=XSD_DECIMAL)))
        add((s, N(TKG.unit), fr(rec.unit)))
        out += _period(s, rec.start, rec.end)
    return out


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _provenance(node: NamedNode, sources: list) -> list[Triple]:
    """``prov:wasDerivedFrom`` each source document, and a qualified derivation quoting it."""
    out: list[Triple] = []
    for i, src in enumerate(sources, 1):
        doc = N(iris.document(src.doc))
        d = N(iris.derivation(node.value, i))
        out += [
            (node, N(PROV.wasDerivedFrom), doc),
            (node, N(PROV.qualifiedDerivation), d),
            (d, A, N(PROV.Derivation)),
            (d, N(PROV.entity), doc),
            (d, N(TKG.quote), fr(src.quote)),
        ]
    return out


def derived_triples(
    records: Curated | Iterable[tuple[str, BaseModel]], kinds: Mapping[str, str] | None = None
) -> list[Triple]:
    """The binary shortcuts materialised from the qualified records (see design.md).

    *records* is a :class:`~kg.ingest.curated.Curated` or ``(kind, record)`` pairs; *kinds*
    maps every id they cite to its kind (default: the curated index).
    """
    if isinstance(records, Curated):
        kinds = kinds if kinds is not None else {rid: k for rid, (k, _) in records.index.items()}
        records = records.all()
    if kinds is None:
        raise TypeError("derived_triples needs kinds when given records rather than a Curated")
    out: list[Triple] = []
    add = out.append
    by_programme: dict[str, set[str]] = {}
    for _kind, rec in records:
        if isinstance(rec, (Participation, Membership)):
            if isinstance(rec, Participation):
                m, o = node_of("actor", rec.actor), node_of("programme", rec.programme)
                by_programme.setdefault(rec.programme, set()).add(rec.actor)
            else:
                m, o = node_of(kinds[rec.member], rec.member), node_of("actor", rec.organisation)
            add((m, N(ORG.memberOf), o))
            add((o, N(ORG.hasMember), m))
        elif isinstance(rec, Funding) and rec.funder:
            funder = node_of("actor", rec.funder)
            item = rec.funded_item or rec.recipient
            for target in dict.fromkeys((node_of("actor", rec.recipient), node_of(kinds[item], item))):
                add((funder, N(TKG.funds), target))
                add((target, N(SCHEMA.funder), funder))
        elif isinstance(rec, Support):
            add((node_of("actor", rec.provider), N(TKG.supports), node_of("actor", rec.beneficiary)))
    for members in by_programme.values():
        ordered = sorted(members)
        for a in ordered:
            for b in ordered:
                if a != b:
                    add((node_of("actor", a), N(TKG.partnerOf), node_of("actor", b)))
    # two actors sharing several programmes (or a funder reaching one recipient twice) would repeat a
    # shortcut: keep each once, in a stable order
    return list(dict.fromkeys(out))


#: tkg:sourceFile, replaced for the documents of an import (see :func:`records_quads`)
_SOURCE_FILE = N(TKG.sourceFile)


def records_quads(
    records: Iterable[tuple[str, BaseModel]],
    graph: str | Callable[[str, BaseModel], str],
    kinds: Mapping[str, str],
    *,
    derived_graph: str | None = None,
    base: Iterable[tuple[str, BaseModel]] = (),
    source_file: str | None = None,
) -> list[Quad]:
    """The quads stating *records* in a named graph: each record, its provenance and the shortcuts.

    Parameters
    ----------
    records : iterable of (kind, record)
        The records (documents included) to state.
    graph : str or callable
        IRI of the named graph (minted by :mod:`kg.model.iris`), or ``graph(kind, record)``
        giving it for each record (the curated data: one graph per source document).
    kinds : mapping
        Kind of every record id the records cite (to resolve references).
    derived_graph : str, optional
        Named graph of the materialised shortcuts (``partnerOf``, ``funds``…); default *graph*.
    base : iterable of (kind, record), optional
        Records stated elsewhere that *records* build on (the curated data, under an
        import): the shortcuts they imply alone are left out, those they imply together
        with *records* are kept.
    source_file : str, optional
        ``tkg:sourceFile`` of the documents (default ``<id>.txt``, the curated sources).

    Returns
    -------
    list of pyoxigraph.Quad
    """
    records = list(records)
    if callable(graph):
        graph_of = graph
    else:
        fixed = iris.check_graph(graph)

        def graph_of(kind: str, rec: Any) -> str:
            return fixed

    if derived_graph is None and callable(graph):
        raise TypeError("records_quads needs derived_graph when graph is a function")
    shortcuts_graph = N(iris.check_graph(derived_graph or graph))  # type: ignore[arg-type]
    out: list[Quad] = []
    file_literal = Literal(source_file) if source_file else None
    for kind, rec in records:
        g = N(graph_of(kind, rec))
        if kind == "document":
            for s, p, o in record_triples(rec, kinds):
                out.append(
                    Quad(s, p, file_literal if file_literal is not None and p == _SOURCE_FILE else o, g)
                )
            continue
        node = node_of(kind, rec.id)  # type: ignore[attr-defined]
        triples = record_triples(rec, kinds) + _provenance(node, rec.sources)  # type: ignore[attr-defined]
        out.extend(Quad(*t, g) for t in triples)
    own = [(k, r) for k, r in records if k != "document"]
    base = [(k, r) for k, r in base if k != "document"]
    if base:
        already = set(derived_triples(base, kinds))
        shortcuts = [t for t in derived_triples(base + own, kinds) if t not in already]
    else:
        shortcuts = derived_triples(own, kinds)
    out.extend(Quad(*t, shortcuts_graph) for t in shortcuts)
    return out


def graph_description(
    graph: str, derived_from: str, generated_at: str, *, attributed_to: str | None = None
) -> list[Quad]:
    """The quads of ``graph:meta`` describing a named graph: what it derives from, when it was made."""
    g, meta = N(iris.check_graph(graph)), N(iris.META_GRAPH)
    out = [
        Quad(g, A, N(PROV.Entity), meta),
        Quad(g, N(PROV.wasDerivedFrom), N(iris.document(derived_from)), meta),
    ]
    if attributed_to is not None:
        out.append(Quad(g, N(PROV.wasAttributedTo), N(attributed_to), meta))
    out.append(Quad(g, N(PROV.generatedAtTime), Literal(generated_at, datatype=N(XSD.dateTime)), meta))
    return out


def curated_quads(curated: Curated, *, generated_at: str | None = None) -> list[Quad]:
    """Every quad of the curated data: per-document graphs, ``graph:meta`` and ``graph:derived``."""
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    quads: list[Quad] = []
    docs = {d.id: d for d in curated.records.get("documents", [])}  # type: ignore[attr-defined]
    meta = N(iris.META_GRAPH)
    now = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    curation = iris.entity("agent", "curation")
    for stem in docs:
        quads += graph_description(iris.document_graph(stem), stem, now, attributed_to=curation)
    quads += [
        Quad(N(curation), A, N(PROV.Agent), meta),
        Quad(N(curation), LABEL, fr("Curation des documents sources (Territorial KG)"), meta),
    ]

    def graph_of(kind: str, rec: BaseModel) -> str:
        # the documents are described in graph:meta; every other record in one graph, that of its first
        # source: pyoxigraph's union default graph is a multiset, so a triple stored in two graphs would
        # answer twice; the other sources are cited by derivations
        if kind == "document":
            return iris.META_GRAPH
        return iris.document_graph(rec.sources[0].doc)  # type: ignore[attr-defined]

    quads += records_quads(curated.all(), graph_of, kinds, derived_graph=iris.DERIVED_GRAPH)
    derived = N(iris.DERIVED_GRAPH)
    activity = N(iris.entity("agent", "materialisation"))
    quads += [
        Quad(derived, A, N(PROV.Entity), meta),
        Quad(derived, N(PROV.wasGeneratedBy), activity, meta),
        Quad(activity, A, N(PROV.Activity), meta),
        Quad(
            activity,
            LABEL,
            fr("Matérialisation des liens binaires (partenaire de, finance, membre de, soutient)"),
            meta,
        ),
    ]
    return quads


def import_quads(
    imp: Imported,
    kinds: Mapping[str, str],
    base: Iterable[tuple[str, BaseModel]],
    *,
    generated_at: str | None = None,
) -> tuple[list[Quad], list[Quad]]:
    """The quads of one spreadsheet import: its named graph, and its description in ``graph:meta``.

    Parameters
    ----------
    imp : Imported
        The import (:mod:`kg.ingest.imports`).
    kinds : mapping
        Kind of every record id (curated and imported) the import may cite.
    base : iterable of (kind, record)
        The curated records: the import's graph holds only the shortcuts it adds to them.
    generated_at : str, optional
        Default ``prov:generatedAtTime`` when the import does not say when it was made.

    Returns
    -------
    (quads, meta_quads)
    """
    g = iris.import_graph(imp.slug)
    # the copy kept in data/imports/<slug>/: a document of the Sources sheet has no text of ours, its
    # source file is the spreadsheet that cites it
    copy = copy_name(imp.slug, str(imp.meta.get("file", ".xlsx")))
    quads = records_quads(imp.all(), g, kinds, base=base, source_file=copy)
    when = (
        imp.meta.get("imported_at")
        or generated_at
        or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )
    return quads, graph_description(g, import_doc_id(imp.slug), str(when))
