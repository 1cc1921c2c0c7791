"""The triples of one curated record: :func:`record_triples` (see ``docs/design.md``, Records → RDF).

Plain data: tuples of pyoxigraph terms, without provenance or named graph. :mod:`kg.rdf.mapping`
adds each record's provenance and the materialised shortcuts, and places the triples in
their named graphs. Every IRI is minted by :mod:`kg.model.iris`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from pydantic import BaseModel
from pyoxigraph import BlankNode, Literal, NamedNode

from kg.model import iris
from kg.model.records import (
    Actor,
    Connection,
    Described,
    Document,
    Event,
    Figure,
    Funding,
    Membership,
    Participant,
    Participation,
    Person,
    Post,
    Programme,
    Property,
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

__all__ = ["LABEL", "A", "N", "Triple", "date_literal", "decimal_text", "fr", "node_of", "record_triples"]

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
    # "organisation" (the text states no type) and "financeur" (a fund of no stated legal form):
    # no class beyond org:Organization and schema:Organization
}
_FABIO = {
    "newsletter": FABIO.NewsItem,
    "partner-sheet": FABIO.ReportDocument,
    "slides": FABIO.Presentation,
    "report": FABIO.ReportDocument,
    "webpage": FABIO.WebPage,
    "spreadsheet": FABIO.Dataset,
    "dataset": FABIO.Dataset,
    "article": FABIO.Article,
    "press-release": FABIO.PressRelease,
}

_KIND_OF = {
    Actor: "actor",
    Connection: "connection",
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


def _part_of(part: NamedNode, whole: NamedNode | None) -> list[Triple]:
    """``dct:isPartOf`` and its inverse ``dct:hasPart`` (a programme in a programme, a grant in a grant)."""
    return [(part, N(DCT.isPartOf), whole), (whole, N(DCT.hasPart), part)] if whole is not None else []


def _influences(node: NamedNode, ids: Iterable[str], kinds: Mapping[str, str]) -> list[Triple]:
    """``prov:wasInfluencedBy``: what a programme or an actor was modelled on."""
    return [(node, N(PROV.wasInfluencedBy), y) for y in _refs(kinds, ids)]


def _qualified(
    node: NamedNode,
    participants: Iterable[Participant],
    kinds: Mapping[str, str],
    qualified: str,
    cls: str,
    shortcut: str,
) -> list[Triple]:
    """Participants with their roles: a qualified PROV node each (an association for an event, an
    attribution for a publication) and the schema.org shortcut (``schema:attendee``, ``schema:contributor``)."""
    out: list[Triple] = []
    for p in participants:
        who = node_of(kinds[p.who], p.who)
        q = N(iris.participant(node.value, p.who, p.role))
        out += [
            (node, N(qualified), q),
            (q, A, N(cls)),
            (q, N(PROV.agent), who),
            (q, N(PROV.hadRole), _concept("role", p.role)),
            (node, N(shortcut), who),
        ]
    return list(dict.fromkeys(out))


def _image(value: str) -> NamedNode | Literal:
    """``schema:image``: an IRI when the value is a web address, else the text as written."""
    if value.startswith(("http://", "https://")):
        try:
            return NamedNode(value)
        except ValueError:  # a space or a quote in the address: kept as written
            pass
    return Literal(value)


def _properties(node: NamedNode, properties: Iterable[Property]) -> list[Triple]:
    """``schema:additionalProperty`` → ``{node}/property/{n}``, a ``schema:PropertyValue`` (name, value as written)."""
    out: list[Triple] = []
    for i, p in enumerate(properties, 1):
        pv = N(iris.property_value(node.value, i))
        out += [
            (node, N(SCHEMA.additionalProperty), pv),
            (pv, A, N(SCHEMA.PropertyValue)),
            (pv, N(SCHEMA.name), Literal(p.name)),
            (pv, N(SCHEMA.value), Literal(p.value)),
        ]
    return out


def _keywords(node: NamedNode, tags: Iterable[str]) -> list[Triple]:
    """``schema:keywords``: one literal per tag, as written (its language is not known)."""
    return [(node, N(SCHEMA.keywords), Literal(t)) for t in dict.fromkeys(tags)]


def _described(node: NamedNode, rec: Described) -> list[Triple]:
    """What a Kumu element says beyond our fields: type as written, tags, properties, image."""
    out: list[Triple] = []
    if rec.type_label:
        out.append((node, N(TKG.typeLabel), Literal(rec.type_label)))
    out += _keywords(node, rec.tags)
    out += _properties(node, rec.properties)
    if rec.image:
        out.append((node, N(SCHEMA.image), _image(rec.image)))
    return out


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
            (d, N(TKG.sourceFile), Literal(rec.file_name)),
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
        if rec.group:
            add((s, A, N(FOAF.Group)))
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
        if rec.active_since:
            add((s, N(TKG.activeSince), date_literal(rec.active_since)))
        out += _influences(s, rec.inspired_by, kinds)
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
        out += _described(s, rec)
    elif isinstance(rec, Person):
        add((s, A, N(FOAF.Person)))
        add((s, A, N(SCHEMA.Person)))
        add((s, LABEL, Literal(rec.name)))
        out += _described(s, rec)
    elif isinstance(rec, Connection):
        add((s, A, N(TKG.Connection)))
        add((s, N(TKG.source), node_of(kinds[rec.source], rec.source)))
        add((s, N(TKG.target), node_of(kinds[rec.target], rec.target)))
        if rec.type:  # free text: dct:type holds concepts of our schemes
            add((s, N(TKG.typeLabel), Literal(rec.type)))
        if rec.label:
            add((s, LABEL, Literal(rec.label)))
        if rec.direction:
            add((s, N(TKG.direction), Literal(rec.direction)))
        out += _keywords(s, rec.tags)
        out += _properties(s, rec.properties)
        if rec.record:
            add((s, N(TKG.becameRecord), node_of(kinds[rec.record], rec.record)))
        out += _period(s, rec.start, rec.end)
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
        out += _part_of(s, node_of("programme", rec.part_of) if rec.part_of else None)
        out += _influences(s, rec.inspired_by, kinds)
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
        if rec.recipient:
            add((s, N(TKG.recipient), node_of("actor", rec.recipient)))
        for item in _refs(kinds, rec.funded_items):  # only what the source names: never the recipient
            add((s, N(SCHEMA.fundedItem), item))
        out += _part_of(s, node_of("funding", rec.part_of) if rec.part_of else None)
        amount = N(iris.amount(s.value))
        add((s, N(SCHEMA.amount), amount))
        add((amount, A, N(SCHEMA.MonetaryAmount)))
        add((amount, N(SCHEMA.value), Literal(decimal_text(rec.amount_eur), datatype=XSD_DECIMAL)))
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
        out += _qualified(
            s, rec.participants, kinds, PROV.qualifiedAssociation, PROV.Association, SCHEMA.attendee
        )
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
        out += _qualified(
            s, rec.participants, kinds, PROV.qualifiedAttribution, PROV.Attribution, SCHEMA.contributor
        )
        for x in _refs(kinds, rec.about):
            add((s, N(SCHEMA.about), x))
        for th in rec.themes:
            add((s, N(DCT.subject), _concept("theme", th)))
    elif isinstance(rec, Figure):
        add((s, A, N(SCHEMA.Observation)))
        add((s, N(SCHEMA.observationAbout), node_of(kinds[rec.about], rec.about)))
        add((s, N(SCHEMA.variableMeasured), fr(rec.measure)))
        add((s, N(SCHEMA.value), Literal(decimal_text(rec.value), datatype=XSD_DECIMAL)))
        add((s, N(TKG.unit), fr(rec.unit)))
        out += _period(s, rec.start, rec.end)
    return out


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text (``10000``, ``2.5``), the lexical form of an ``xsd:decimal``."""
    return format(value.normalize(), "f")
