"""The ontology files of ``ontology/``: they parse, they declare every own term of
:class:`kg.model.vocab.TKG` in French and English, and the SKOS schemes hold exactly the
notations and hierarchy listed in ``docs/design.md`` (parsed from it, so the two cannot
drift).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT

from kg.model import iris
from kg.model.vocab import PREFIXES, TKG

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
TTL_FILES = sorted(ONTOLOGY.glob("*.ttl"))
DESIGN = ROOT / "docs" / "design.md"
SUPPORT_KINDS_DOC = ROOT / "data" / "sources" / "002_cd60e692da181ed7.txt"

ONTOLOGY_IRI = URIRef("https://w3id.org/territorial-kg/ontology")
TKG_NS = PREFIXES["tkg"]
CONCEPT_NS = PREFIXES["concept"]
ORG = Namespace(PREFIXES["org"])
SCHEMA = Namespace(PREFIXES["schema"])
PROV = Namespace(PREFIXES["prov"])
PAIR = Namespace(PREFIXES["pair"])

OWN_TERMS = sorted(TKG.__annotations__)


def _parse(*names: str) -> Graph:
    g = Graph()
    for name in names:
        g.parse(ONTOLOGY / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def tkg() -> Graph:
    return _parse("tkg.ttl")


@pytest.fixture(scope="module")
def schemes() -> Graph:
    return _parse("schemes.ttl")


@pytest.fixture(scope="module")
def mapping() -> Graph:
    return _parse("pair-mapping.ttl")


def _curie(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def _langs(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    """Sorted language tags of the literal values of *p* ("" for an untagged one)."""
    return sorted(o.language or "" for o in g.objects(s, p) if isinstance(o, Literal))


# --- every file parses, in both libraries -------------------------------------------------


def test_the_ontology_files_are_there() -> None:
    names = {f.name for f in TTL_FILES}
    assert {"tkg.ttl", "schemes.ttl", "pair-mapping.ttl", "shapes.ttl"} <= names


@pytest.mark.parametrize("path", TTL_FILES, ids=[f.name for f in TTL_FILES])
def test_turtle_parses_with_rdflib_and_pyoxigraph_alike(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 0
    triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(g), f"{path.name}: rdflib reads {len(g)} triples, pyoxigraph {len(triples)}"


# --- own terms -----------------------------------------------------------------------------


def test_ontology_header(tkg: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in tkg
    assert _langs(tkg, ONTOLOGY_IRI, DCT.title) == ["en", "fr"]
    assert set(_langs(tkg, ONTOLOGY_IRI, DCT.description)) == {"en", "fr"}
    assert tkg.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert tkg.value(ONTOLOGY_IRI, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert tkg.value(ONTOLOGY_IRI, OWL.imports) is None, "the build runs offline: no owl:imports"
    see_also = set(tkg.objects(ONTOLOGY_IRI, RDFS.seeAlso))
    for prefix in ("org", "legal", "cv", "schema", "igeo", "prov", "skos", "dct", "dcat", "foaf"):
        assert URIRef(PREFIXES[prefix]) in see_also, f"rdfs:seeAlso the reused vocabulary {prefix}:"


@pytest.mark.parametrize("name", OWN_TERMS)
def test_every_own_term_is_declared_in_french_and_english(tkg: Graph, name: str) -> None:
    term = URIRef(TKG_NS + name)
    kinds = set(tkg.objects(term, RDF.type))
    assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, f"tkg:{name} is not declared"
    if name[0].isupper():
        assert OWL.Class in kinds, f"tkg:{name} is a class"
    assert _langs(tkg, term, RDFS.label) == ["en", "fr"], f"tkg:{name}: one rdfs:label @fr and one @en"
    assert _langs(tkg, term, SKOS.definition) == ["en", "fr"], (
        f"tkg:{name}: one skos:definition @fr and one @en"
    )
    assert tkg.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


def test_no_own_term_beyond_kg_vocab() -> None:
    """Every tkg: IRI used in ontology/*.ttl is a term of kg.model.vocab.TKG (no undeclared own term)."""
    used = set()
    for path in TTL_FILES:
        for triple in Graph().parse(path, format="turtle"):
            used |= {str(t) for t in triple if isinstance(t, URIRef) and str(t).startswith(TKG_NS)}
    unknown = sorted(u[len(TKG_NS) :] for u in used if u[len(TKG_NS) :] not in TKG.__annotations__)
    assert not unknown, f"tkg: terms missing from kg/vocab.py: {unknown}"


def test_links_to_standard_terms(tkg: Graph) -> None:
    def t(name: str) -> URIRef:
        return URIRef(TKG_NS + name)

    assert (t("TerritorialCatalyst"), RDFS.subClassOf, ORG.Organization) in tkg
    assert (t("Support"), RDFS.subClassOf, PROV.Entity) in tkg
    assert (t("Connection"), RDFS.subClassOf, PROV.Entity) in tkg  # a Kumu connection: a record of a fact
    for name in ("source", "target", "direction", "becameRecord"):
        assert (t(name), RDFS.domain, t("Connection")) in tkg
    assert (t("partnerOf"), RDF.type, OWL.SymmetricProperty) in tkg
    assert (t("partnerOf"), RDFS.subPropertyOf, ORG.linkedTo) in tkg
    assert (t("supports"), RDFS.subPropertyOf, ORG.linkedTo) in tkg
    assert (t("funds"), OWL.inverseOf, SCHEMA.funder) in tkg
    assert (t("quote"), RDFS.domain, PROV.Derivation) in tkg
    for name in ("siren", "siret", "rna", "uai"):
        assert (t(name), RDFS.subPropertyOf, DCT.identifier) in tkg, f"tkg:{name} ⊑ dct:identifier"
        assert (t(name), RDF.type, OWL.DatatypeProperty) in tkg


# --- standard terms: French and English labels --------------------------------------------

_STANDARD_TERMS_TEXT = """
org:Organization org:FormalOrganization org:OrganizationalUnit org:OrganizationalCollaboration
org:Membership org:Post org:Role cv:PublicOrganisation legal:LegalEntity schema:Organization
schema:GovernmentOrganization schema:NGO schema:Corporation schema:EducationalOrganization schema:HighSchool
schema:ResearchOrganization schema:Project schema:MonetaryGrant schema:MonetaryAmount schema:Event
schema:CreativeWork schema:Observation foaf:Person schema:Person foaf:Document igeo:Commune
igeo:ArrondissementMunicipal igeo:Intercommunalite igeo:Departement igeo:Region prov:Entity prov:Derivation
dct:PeriodOfTime skos:Concept skos:ConceptScheme
org:member org:organization org:role org:memberOf org:hasMember org:unitOf org:postIn org:heldBy org:holds
org:classification org:linkedTo schema:funder schema:fundedItem schema:amount schema:value schema:currency
schema:founder schema:foundingDate schema:areaServed schema:location schema:knowsAbout schema:organizer
schema:about schema:startDate schema:endDate schema:author schema:publisher schema:observationAbout
schema:variableMeasured schema:eventAttendanceMode dct:temporal dct:spatial dct:isPartOf dct:subject dct:type
dct:description dct:title dct:issued dct:publisher dct:language dcat:startDate dcat:endDate
prov:wasDerivedFrom prov:qualifiedDerivation prov:entity prov:generatedAtTime igeo:subdivisionDirecteDe
igeo:codeINSEE igeo:chefLieu skos:altLabel skos:prefLabel skos:notation rdfs:label foaf:homepage
time:hasXSDDuration schema:keywords schema:additionalProperty schema:PropertyValue schema:name schema:image
"""
STANDARD_TERMS = tuple(_STANDARD_TERMS_TEXT.split())


@pytest.mark.parametrize("curie", STANDARD_TERMS)
def test_standard_terms_have_french_and_english_labels(tkg: Graph, curie: str) -> None:
    term = _curie(curie)
    assert _langs(tkg, term, RDFS.label) == ["en", "fr"], f"{curie}: one rdfs:label @fr and one @en"
    assert tkg.value(term, RDFS.isDefinedBy) is not None, f"{curie}: rdfs:isDefinedBy its vocabulary"


def test_no_axiom_on_terms_we_do_not_own() -> None:
    """No subClassOf/domain/range/… on external terms: with sh:targetClass following
    rdfs:subClassOf in the validated union, restating e.g. ORG's
    OrganizationalCollaboration ⊑ Organization would make every programme an "actor".
    The one exception is ORG's own org:Role ⊑ skos:Concept."""
    axioms = {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.inverseOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
    }
    allowed = {(ORG.Role, RDFS.subClassOf, SKOS.Concept)}
    bad = []
    for name in ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl"):
        g = _parse(name)
        for s, p, o in g:
            if p in axioms and not str(s).startswith(TKG_NS) and (s, p, o) not in allowed:
                bad.append(f"{name}: {s} {p} {o}")
    assert not bad, bad


def test_only_catalysts_are_actors_by_subclass() -> None:
    g = _parse("tkg.ttl", "schemes.ttl", "pair-mapping.ttl")
    subclasses = set(g.transitive_subjects(RDFS.subClassOf, ORG.Organization))
    assert subclasses == {ORG.Organization, URIRef(TKG_NS + "TerritorialCatalyst")}


# --- SKOS schemes: exactly the notations of docs/design.md --------------------------------


def design_notations() -> dict[str, dict[str, str | None]]:
    """``{scheme: {notation: broader notation or None}}`` from docs/design.md, "Concept notations".

    The list reads ``parent (top) > child, child; other; …`` for actor-type and
    ``a, b, c`` for the flat schemes.
    """
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("### Concept notations", 1)[1]
    section = re.split(r"\n#{1,3} ", section, maxsplit=1)[0]
    items = re.findall(r"^- `([a-z-]+)`[^:\n]*:(.*?)(?=^- `|\Z)", section, flags=re.MULTILINE | re.DOTALL)
    assert items, "no concept list found in docs/design.md"
    out: dict[str, dict[str, str | None]] = {}
    for scheme, body in items:
        body = " ".join(body.split()).rstrip(".")
        concepts: dict[str, str | None] = {}
        for group in body.split(";"):
            group = group.replace("(top)", "")
            parent, _, children = group.partition(">")
            if children:
                concepts[parent.strip()] = None
                concepts.update({c.strip(): parent.strip() for c in children.split(",")})
            else:
                concepts.update({c.strip(): None for c in group.split(",")})
        for notation in concepts:
            assert iris.is_slug(notation), f"design.md: {notation!r} in {scheme} is not a slug"
        out[scheme] = concepts
    return out


DESIGN_NOTATIONS = design_notations()
DESIGN_CONCEPTS = [(s, n) for s, cs in DESIGN_NOTATIONS.items() for n in cs]


def test_design_lists_six_schemes() -> None:
    assert set(DESIGN_NOTATIONS) == {
        "actor-type",
        "role",
        "relation-kind",
        "theme",
        "support-kind",
        "project-type",
    }
    assert len(DESIGN_NOTATIONS["support-kind"]) == 7


def test_schemes_are_those_of_the_design(schemes: Graph) -> None:
    declared = {str(s)[len(CONCEPT_NS) :] for s in schemes.subjects(RDF.type, SKOS.ConceptScheme)}
    assert declared == set(DESIGN_NOTATIONS)


@pytest.mark.parametrize("scheme", sorted(DESIGN_NOTATIONS))
def test_scheme_notations_and_hierarchy_equal_the_design(schemes: Graph, scheme: str) -> None:
    scheme_iri = URIRef(iris.scheme(scheme))
    concepts = set(schemes.subjects(SKOS.inScheme, scheme_iri))
    notations = {str(schemes.value(c, SKOS.notation)): c for c in concepts}
    assert set(notations) == set(DESIGN_NOTATIONS[scheme])
    for notation, broader in DESIGN_NOTATIONS[scheme].items():
        got = schemes.value(notations[notation], SKOS.broader)
        expected = URIRef(iris.concept(scheme, broader)) if broader else None
        assert got == expected, f"{scheme}/{notation}: skos:broader {got}, design says {expected}"
    assert schemes.value(scheme_iri, DCT.description) is not None
    assert set(_langs(schemes, scheme_iri, SKOS.prefLabel)) == {"en", "fr"}


@pytest.mark.parametrize(
    ("scheme", "notation"), DESIGN_CONCEPTS, ids=[f"{s}/{n}" for s, n in DESIGN_CONCEPTS]
)
def test_concept_is_well_formed(schemes: Graph, scheme: str, notation: str) -> None:
    c = URIRef(iris.concept(scheme, notation))
    scheme_iri = URIRef(iris.scheme(scheme))
    assert (c, RDF.type, SKOS.Concept) in schemes
    assert list(schemes.objects(c, SKOS.inScheme)) == [scheme_iri]
    assert [str(n) for n in schemes.objects(c, SKOS.notation)] == [str(c).rsplit("/", 1)[1]]
    assert _langs(schemes, c, SKOS.prefLabel) == ["en", "fr"], "one skos:prefLabel @fr and one @en"
    assert _langs(schemes, c, SKOS.definition) == ["en", "fr"], "one skos:definition @fr and one @en"
    top = schemes.value(c, SKOS.topConceptOf)
    broader = schemes.value(c, SKOS.broader)
    assert (top is None) != (broader is None), "skos:topConceptOf or skos:broader, not both"
    if top is not None:
        assert top == scheme_iri and (scheme_iri, SKOS.hasTopConcept, c) in schemes
    else:
        assert (broader, SKOS.narrower, c) in schemes and (broader, SKOS.inScheme, scheme_iri) in schemes


def test_no_dangling_hierarchy_links(schemes: Graph) -> None:
    for s, o in schemes.subject_objects(SKOS.hasTopConcept):
        assert (o, SKOS.topConceptOf, s) in schemes, f"{o} is listed as top concept of {s}"
    for s, o in schemes.subject_objects(SKOS.narrower):
        assert (o, SKOS.broader, s) in schemes, f"{o} is listed as narrower of {s}"


def test_role_concepts_are_org_roles(schemes: Graph) -> None:
    for notation in DESIGN_NOTATIONS["role"]:
        assert (URIRef(iris.concept("role", notation)), RDF.type, ORG.Role) in schemes


@pytest.mark.parametrize(
    ("scheme", "notation", "label"),
    [
        ("actor-type", "collectivite-territoriale", "Collectivité territoriale"),
        ("actor-type", "catalyseur-territorial", "Catalyseur territorial"),
        ("actor-type", "service-etat", "Service de l'État"),
        ("actor-type", "etablissement-scolaire", "Établissement scolaire"),
        ("actor-type", "reseau", "Réseau / club"),
        ("theme", "decrochage-scolaire", "Décrochage scolaire"),
        ("theme", "ess", "Économie sociale et solidaire (ESS)"),
        ("support-kind", "apport-ingenierie", "Apport en ingénierie"),
        ("support-kind", "dialogue-gouvernance", "Dialogue de gouvernance"),
        ("support-kind", "outils-ressources", "Outils & Ressources"),
    ],
)
def test_french_labels(schemes: Graph, scheme: str, notation: str, label: str) -> None:
    assert Literal(label, lang="fr") in set(
        schemes.objects(URIRef(iris.concept(scheme, notation)), SKOS.prefLabel)
    )


def test_support_kinds_are_the_seven_of_document_002(schemes: Graph) -> None:
    """The French labels are the column heads of the table in the source document."""
    text = SUPPORT_KINDS_DOC.read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if "Dialogue de gouvernance" in line)
    heads = [h.strip() for h in header.split("\t") if h.strip()]
    labels = [
        next(
            str(x)
            for x in schemes.objects(URIRef(iris.concept("support-kind", n)), SKOS.prefLabel)
            if x.language == "fr"
        )
        for n in DESIGN_NOTATIONS["support-kind"]
    ]
    assert labels == heads


def test_relation_kinds_name_the_term_that_carries_them(schemes: Graph, tkg: Graph) -> None:
    curie = re.compile(r"\b(tkg|org|schema|dct|prov|igeo):[A-Za-z]+")
    for notation in DESIGN_NOTATIONS["relation-kind"]:
        c = URIRef(iris.concept("relation-kind", notation))
        assert _langs(schemes, c, SKOS.scopeNote) == ["en", "fr"], f"{notation}: scope note @fr and @en"
        note = next(str(n) for n in schemes.objects(c, SKOS.scopeNote) if n.language == "en")
        terms = [m.group(0) for m in curie.finditer(note)]
        assert terms, f"relation-kind/{notation}: the scope note names no RDF term"
        for t in terms:
            assert tkg.value(_curie(t), RDFS.label) is not None, (
                f"{t} (scope note of {notation}) is not declared"
            )


def test_close_matches(schemes: Graph) -> None:
    ess = URIRef("http://purl.org/essglobal/standard/organisational-structure/OS20")
    assert (URIRef(iris.concept("actor-type", "association")), SKOS.closeMatch, ess) in schemes
    for notation, cls in (
        ("donnees", "BitBasedResource"),
        ("financement-direct", "MoneyBasedResource"),
        ("apport-ingenierie", "HumanBasedResource"),
    ):
        assert (URIRef(iris.concept("support-kind", notation)), SKOS.closeMatch, PAIR[cls]) in schemes


# --- PAIR mapping --------------------------------------------------------------------------

#: PAIR terms checked in assemblee-virtuelle/pair, 2-Implementation/owl/pair.ttl.
KNOWN_PAIR_TERMS = {
    "Organization",
    "Person",
    "Project",
    "Event",
    "MembershipAssociation",
    "ProjectInvolvementAssociation",
    "Role",
    "Concept",
    "Document",
    "Topic",
    "Theme",
    "BitBasedResource",
    "MoneyBasedResource",
    "HumanBasedResource",
    "partnerOf",
    "supports",
    "membershipActor",
    "membershipOrganization",
    "membershipRole",
    "involvementActor",
    "involvementActivity",
    "involvementRole",
    "hasType",
    "hasLocation",
    "partOf",
    "label",
    "description",
    "homePage",
    "startDate",
    "endDate",
}


def test_pair_terms_exist_in_pair() -> None:
    used = set()
    for name in ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl"):
        for triple in _parse(name):
            used |= {
                str(t)
                for t in triple
                if isinstance(t, URIRef) and str(t).startswith(str(PAIR)) and str(t) != str(PAIR)
            }
    unknown = sorted(u[len(str(PAIR)) :] for u in used if u[len(str(PAIR)) :] not in KNOWN_PAIR_TERMS)
    assert not unknown, f"not PAIR terms: {unknown}"


def test_pair_mapping_entails_nothing(mapping: Graph) -> None:
    """Only SKOS mapping properties (no RDFS/OWL entailment), plus themes typed pair:Topic."""
    allowed_predicates = {
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.relatedMatch,
        SKOS.exactMatch,
        RDFS.seeAlso,
        RDF.type,
        DCT.title,
        DCT.description,
        DCT.license,
        OWL.versionInfo,
    }
    assert set(mapping.predicates()) <= allowed_predicates
    assert set(mapping.objects(None, RDF.type)) <= {OWL.Ontology, PAIR.Topic, PAIR.Theme}
    for notation in DESIGN_NOTATIONS["theme"]:
        assert (URIRef(iris.concept("theme", notation)), RDF.type, PAIR.Topic) in mapping
    for s, o in (
        (ORG.Organization, PAIR.Organization),
        (URIRef(PREFIXES["foaf"] + "Person"), PAIR.Person),
        (SCHEMA.Event, PAIR.Event),
        (ORG.Membership, PAIR.MembershipAssociation),
        (URIRef(TKG_NS + "partnerOf"), PAIR.partnerOf),
        (URIRef(TKG_NS + "supports"), PAIR.supports),
        (SCHEMA.Project, PAIR.Project),
        (ORG.OrganizationalCollaboration, PAIR.Project),
    ):
        assert (s, SKOS.closeMatch, o) in mapping, f"{s} skos:closeMatch {o}"
