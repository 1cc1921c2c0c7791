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

__all__ = [
    "LABEL",
    "A",
    "N",
    "Terms",
    "Triple",
    "date_literal",
    "decimal_text",
    "fr",
    "node_of",
    "record_triples",
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


class Terms:
    """The pyoxigraph ``NamedNode`` of each name of one vocabulary namespace, made at its first use.

    ``_ORG.member`` is a plain attribute read after the first one, where ``N(ORG.member)`` built an rdflib
    ``URIRef`` at every access (770,508 of them mapping a 50,000-row import). Unknown names fail as the
    namespace's own do (its ``_fail``).

    >>> Terms(RDF).type.value
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
    """

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = N(getattr(self._namespace, name))
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        return getattr(self, name)


_ADMS, _DCAT, _DCT, _FOAF, _LEGAL = Terms(ADMS), Terms(DCAT), Terms(DCT), Terms(FOAF), Terms(LEGAL)
_ORG, _PROV, _RDFS, _SCHEMA, _SKOS = Terms(ORG), Terms(PROV), Terms(RDFS), Terms(SCHEMA), Terms(SKOS)
_TIME, _TKG, _XSD = Terms(TIME), Terms(TKG), Terms(XSD)

A = N(RDF.type)
LABEL = _RDFS.label
XSD_GYEAR, XSD_GYEARMONTH, XSD_DATE = _XSD.gYear, _XSD.gYearMonth, _XSD.date
XSD_DECIMAL, XSD_DURATION = _XSD.decimal, _XSD.duration


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
    out: list[Triple] = [(node, _DCT.temporal, p), (p, A, _DCT.PeriodOfTime)]
    if start:
        out.append((p, _DCAT.startDate, date_literal(start)))
    if end:
        out.append((p, _DCAT.endDate, date_literal(end)))
    if duration:
        out.append((p, _TIME.hasXSDDuration, Literal(duration, datatype=XSD_DURATION)))
    return out


def _refs(kinds: Mapping[str, str], ids: Iterable[str]) -> Iterator[NamedNode]:
    for rid in ids:
        yield node_of(kinds[rid], rid)


def _part_of(part: NamedNode, whole: NamedNode | None) -> list[Triple]:
    """``dct:isPartOf`` and its inverse ``dct:hasPart`` (a programme in a programme, a grant in a grant)."""
    return [(part, _DCT.isPartOf, whole), (whole, _DCT.hasPart, part)] if whole is not None else []


def _influences(node: NamedNode, ids: Iterable[str], kinds: Mapping[str, str]) -> list[Triple]:
    """``prov:wasInfluencedBy``: what a programme or an actor was modelled on."""
    return [(node, _PROV.wasInfluencedBy, y) for y in _refs(kinds, ids)]


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
            (q, _PROV.agent, who),
            (q, _PROV.hadRole, _concept("role", p.role)),
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
            (node, _SCHEMA.additionalProperty, pv),
            (pv, A, _SCHEMA.PropertyValue),
            (pv, _SCHEMA.name, Literal(p.name)),
            (pv, _SCHEMA.value, Literal(p.value)),
        ]
    return out


def _keywords(node: NamedNode, tags: Iterable[str]) -> list[Triple]:
    """``schema:keywords``: one literal per tag, as written (its language is not known)."""
    return [(node, _SCHEMA.keywords, Literal(t)) for t in dict.fromkeys(tags)]


def _described(node: NamedNode, rec: Described) -> list[Triple]:
    """What a Kumu element says beyond our fields: type as written, tags, properties, image."""
    out: list[Triple] = []
    if rec.type_label:
        out.append((node, _TKG.typeLabel, Literal(rec.type_label)))
    out += _keywords(node, rec.tags)
    out += _properties(node, rec.properties)
    if rec.image:
        out.append((node, _SCHEMA.image, _image(rec.image)))
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
            (d, _DCT.title, fr(rec.title)),
            (d, LABEL, fr(rec.title)),
            (d, _DCT.language, Literal("fr")),
            (d, _TKG.sourceFile, Literal(rec.file_name)),
        ]
        if rec.issued:
            out.append((d, _DCT.issued, date_literal(rec.issued)))
        if rec.publisher:
            out.append((d, _DCT.publisher, node_of("actor", rec.publisher)))
        if rec.description:
            out.append((d, _DCT.description, fr(rec.description)))
        if rec.url:
            out.append((d, _SCHEMA.url, Literal(rec.url, datatype=_XSD.anyURI)))
        return out
    kind = _KIND_OF[type(rec)]
    s = node_of(kind, rec.id)  # type: ignore[attr-defined]
    out = []
    add = out.append
    desc = rec.__dict__.get(
        "description"
    )  # not every kind has one (pydantic's __getattr__ is slow to say so)
    if desc:
        add((s, _DCT.description, fr(desc)))
    if isinstance(rec, Actor):
        for t in (ORG.Organization, SCHEMA.Organization):
            add((s, A, N(t)))
        if rec.group:
            add((s, A, _FOAF.Group))
        extra = {t for ty in rec.types for t in _ACTOR_TYPES.get(ty, ())}
        for extra_type in sorted(extra):
            add((s, A, N(extra_type)))
        add((s, LABEL, fr(rec.name)))
        for alt in rec.alt_names:
            add((s, _SKOS.altLabel, fr(alt)))
        for ty in rec.types:
            add((s, _ORG.classification, _concept("actor-type", ty)))
        if rec.founded:
            add((s, _SCHEMA.foundingDate, date_literal(rec.founded)))
        if rec.active_since:
            add((s, _TKG.activeSince, date_literal(rec.active_since)))
        out += _influences(s, rec.inspired_by, kinds)
        for f in _refs(kinds, rec.founders):
            add((s, _SCHEMA.founder, f))
        if rec.part_of:
            add((s, _ORG.unitOf, node_of("actor", rec.part_of)))
            add((node_of("actor", rec.part_of), _ORG.hasUnit, s))
        if rec.territory:
            add((s, _DCT.spatial, _territory(rec.territory)))
        if rec.located_in:
            add((s, _SCHEMA.location, _territory(rec.located_in)))
        for place in rec.area_served:
            add((s, _SCHEMA.areaServed, _territory(place)))
        for th in rec.themes:
            add((s, _SCHEMA.knowsAbout, _concept("theme", th)))
        for key in ("siren", "siret", "rna", "uai"):
            value = getattr(rec, key)
            if value:
                add((s, _TKG[key], Literal(value)))
        if rec.siren:
            ident = N(iris.identifier(s.value, "siren"))
            add((s, _LEGAL.legalIdentifier, ident))
            add((ident, A, _ADMS.Identifier))
            add((ident, _SKOS.notation, Literal(rec.siren)))
            add((ident, _ADMS.schemaAgency, Literal("INSEE (répertoire SIRENE)", language="fr")))
        if rec.homepage:
            add((s, _FOAF.homepage, NamedNode(rec.homepage)))
        out += _described(s, rec)
    elif isinstance(rec, Person):
        add((s, A, _FOAF.Person))
        add((s, A, _SCHEMA.Person))
        add((s, LABEL, Literal(rec.name)))
        out += _described(s, rec)
    elif isinstance(rec, Connection):
        add((s, A, _TKG.Connection))
        add((s, _TKG.source, node_of(kinds[rec.source], rec.source)))
        add((s, _TKG.target, node_of(kinds[rec.target], rec.target)))
        if rec.type:  # free text: dct:type holds concepts of our schemes
            add((s, _TKG.typeLabel, Literal(rec.type)))
        if rec.label:
            add((s, LABEL, Literal(rec.label)))
        if rec.direction:
            add((s, _TKG.direction, Literal(rec.direction)))
        out += _keywords(s, rec.tags)
        out += _properties(s, rec.properties)
        if rec.record:
            add((s, _TKG.becameRecord, node_of(kinds[rec.record], rec.record)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Post):
        add((s, A, _ORG.Post))
        add((s, LABEL, fr(rec.label)))
        add((s, _ORG.postIn, node_of("actor", rec.organisation)))
        add((node_of("actor", rec.organisation), _ORG.hasPost, s))
        add((s, _ORG.role, _concept("role", rec.role)))
        if rec.holder:
            h = node_of("person", rec.holder)
            add((s, _ORG.heldBy, h))
            add((h, _ORG.holds, s))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Programme):
        add((s, A, _ORG.OrganizationalCollaboration))
        add((s, A, _SCHEMA.Project))
        add((s, LABEL, fr(rec.name)))
        for alt in rec.alt_names:
            add((s, _SKOS.altLabel, fr(alt)))
        add((s, _DCT.type, _concept("project-type", rec.type)))
        for th in rec.themes:
            add((s, _DCT.subject, _concept("theme", th)))
        for place in rec.area_served:
            add((s, _SCHEMA.areaServed, _territory(place)))
        if rec.continues:
            add((s, _TKG.continues, node_of("programme", rec.continues)))
        out += _part_of(s, node_of("programme", rec.part_of) if rec.part_of else None)
        out += _influences(s, rec.inspired_by, kinds)
        if rec.homepage:
            add((s, _FOAF.homepage, NamedNode(rec.homepage)))
        out += _period(s, rec.start, rec.end, rec.duration)
    elif isinstance(rec, (Participation, Membership)):
        add((s, A, _ORG.Membership))
        if isinstance(rec, Participation):
            member, organisation = node_of("actor", rec.actor), node_of("programme", rec.programme)
        else:
            member, organisation = node_of(kinds[rec.member], rec.member), node_of("actor", rec.organisation)
        add((s, _ORG.member, member))
        add((s, _ORG.organization, organisation))
        add((s, _ORG.role, _concept("role", rec.role)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Funding):
        add((s, A, _SCHEMA.MonetaryGrant))
        if rec.funder:
            add((s, _SCHEMA.funder, node_of("actor", rec.funder)))
        if rec.recipient:
            add((s, _TKG.recipient, node_of("actor", rec.recipient)))
        for item in _refs(kinds, rec.funded_items):  # only what the source names: never the recipient
            add((s, _SCHEMA.fundedItem, item))
        out += _part_of(s, node_of("funding", rec.part_of) if rec.part_of else None)
        amount = N(iris.amount(s.value))
        add((s, _SCHEMA.amount, amount))
        add((amount, A, _SCHEMA.MonetaryAmount))
        add((amount, _SCHEMA.value, Literal(decimal_text(rec.amount_eur), datatype=XSD_DECIMAL)))
        add((amount, _SCHEMA.currency, Literal("EUR")))
        for th in rec.themes:
            add((s, _DCT.subject, _concept("theme", th)))
        if rec.support_kind:
            add((s, _TKG.supportKind, _concept("support-kind", rec.support_kind)))
        out += _period(s, rec.start, rec.end, rec.duration)
    elif isinstance(rec, Support):
        add((s, A, _TKG.Support))
        add((s, _TKG.provider, node_of("actor", rec.provider)))
        add((s, _TKG.beneficiary, node_of("actor", rec.beneficiary)))
        add((s, _TKG.supportKind, _concept("support-kind", rec.support_kind)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Event):
        add((s, A, _SCHEMA.Event))
        add((s, LABEL, fr(rec.name)))
        if rec.start:
            add((s, _SCHEMA.startDate, date_literal(rec.start)))
        if rec.end:
            add((s, _SCHEMA.endDate, date_literal(rec.end)))
        if rec.online:
            add((s, _SCHEMA.eventAttendanceMode, _SCHEMA.OnlineEventAttendanceMode))
        for o in _refs(kinds, rec.organisers):
            add((s, _SCHEMA.organizer, o))
        for p in _refs(kinds, rec.speakers):
            add((s, _SCHEMA.performer, p))
        out += _qualified(
            s, rec.participants, kinds, PROV.qualifiedAssociation, PROV.Association, SCHEMA.attendee
        )
        for x in _refs(kinds, rec.about):
            add((s, _SCHEMA.about, x))
        if rec.part_of:
            add((s, _SCHEMA.superEvent, node_of("programme", rec.part_of)))
        for th in rec.themes:
            add((s, _DCT.subject, _concept("theme", th)))
        if rec.location:
            add((s, _SCHEMA.location, _territory(rec.location)))
        out += _period(s, rec.start, rec.end)
    elif isinstance(rec, Publication):
        add((s, A, _SCHEMA.CreativeWork))
        if rec.genre in _FABIO:
            add((s, A, N(_FABIO[rec.genre])))
        add((s, LABEL, fr(rec.title)))
        if rec.issued:
            add((s, _DCT.issued, date_literal(rec.issued)))
        for x in _refs(kinds, rec.authors):
            add((s, _SCHEMA.author, x))
        for x in _refs(kinds, rec.publishers):
            add((s, _SCHEMA.publisher, x))
        out += _qualified(
            s, rec.participants, kinds, PROV.qualifiedAttribution, PROV.Attribution, SCHEMA.contributor
        )
        for x in _refs(kinds, rec.about):
            add((s, _SCHEMA.about, x))
        for th in rec.themes:
            add((s, _DCT.subject, _concept("theme", th)))
    elif isinstance(rec, Figure):
        add((s, A, _SCHEMA.Observation))
        add((s, _SCHEMA.observationAbout, node_of(kinds[rec.about], rec.about)))
        add((s, _SCHEMA.variableMeasured, fr(rec.measure)))
        add((s, _SCHEMA.value, Literal(decimal_text(rec.value), datatype=XSD_DECIMAL)))
        add((s, _TKG.unit, fr(rec.unit)))
        out += _period(s, rec.start, rec.end)
    return out


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text (``10000``, ``2.5``), the lexical form of an ``xsd:decimal``."""
    return format(value.normalize(), "f")
