"""Vocabulary as code: every namespace and every own term the project uses.

Own terms live in :data:`TKG` (a closed :class:`rdflib.namespace.DefinedNamespace`:
an unknown name raises ``AttributeError``), and ``tests/test_vocab.py`` checks that
each of them is declared, with a French and an English label and a definition, in
``ontology/tkg.ttl``. Standard vocabularies are reused as they are (W3C ORG, SEMIC,
schema.org, INSEE ``igeo:``, PROV-O, SKOS, DCTERMS, DCAT, OWL-Time, FaBiO).

IRIs of instances are minted by :mod:`kg.model.iris`, never here.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

__all__ = [
    "ADMS",
    "BASE",
    "CV",
    "DCAT",
    "DCT",
    "FABIO",
    "FOAF",
    "FORMATS",
    "IGEO",
    "LEGAL",
    "ORG",
    "OWL",
    "PAIR",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "TIME",
    "TKG",
    "XSD",
    "expand",
    "shorten",
]

#: Root of every IRI the project mints (w3id.org persistent identifiers).
BASE = "https://w3id.org/territorial-kg/"


class TKG(DefinedNamespace):
    """Territorial KG ontology: only what no standard vocabulary has."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    TerritorialCatalyst: URIRef  # an organisation whose job is to broker local alliances
    Support: URIRef  # a dated, sourced support given by a provider to a beneficiary
    Connection: URIRef  # a link between two elements of a Kumu map, as the map states it
    # identifiers (plain-string shortcuts, see legal:legalIdentifier for the full form)
    siren: URIRef
    siret: URIRef
    rna: URIRef
    uai: URIRef
    # provenance
    quote: URIRef  # the sentence of the source document a fact rests on
    sourceFile: URIRef  # file name of a source document in data/sources/
    # relations
    recipient: URIRef  # organisation that receives a grant
    funds: URIRef  # funder -> funded organisation or programme (inverse of schema:funder)
    partnerOf: URIRef  # symmetric shortcut between partners
    supports: URIRef  # provider -> beneficiary shortcut of a tkg:Support
    provider: URIRef
    beneficiary: URIRef
    supportKind: URIRef
    continues: URIRef  # a programme that extends or follows an earlier one
    activeSince: URIRef  # the date from which the source says an actor is active (not a founding date)
    # what a Kumu map says as it is written
    typeLabel: URIRef  # the type of an element as the map writes it (« Incubator »)
    source: URIRef  # the element a tkg:Connection starts from
    target: URIRef  # the element a tkg:Connection goes to
    direction: URIRef  # "directed", "undirected" or "mutual", as in Kumu
    becameRecord: URIRef  # the record of ours a tkg:Connection also became (a partnership…)
    # territories
    population: URIRef
    postalCode: URIRef
    intercommunalityType: URIRef
    # figures
    unit: URIRef


SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
LEGAL = Namespace("http://www.w3.org/ns/legal#")
CV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
TIME = Namespace("http://www.w3.org/2006/time#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
FABIO = Namespace("http://purl.org/spar/fabio/")
PAIR = Namespace("http://virtual-assembly.org/ontologies/pair#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
# used only by the endpoint's service description (not in PREFIXES: no dump or query uses them)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: Prefixes used in dumps, exports and the named queries.
PREFIXES: dict[str, str] = {
    "tkg": BASE + "ontology#",
    "id": BASE + "id/",
    "concept": BASE + "concept/",
    "graph": BASE + "graph/",
    "org": str(ORG),
    "legal": str(LEGAL),
    "cv": str(CV),
    "adms": str(ADMS),
    "schema": str(SCHEMA),
    "igeo": str(IGEO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dct": str(DCT),
    "dcat": str(DCAT),
    "time": str(TIME),
    "foaf": str(FOAF),
    "fabio": str(FABIO),
    "pair": str(PAIR),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def shorten(iri: str) -> str:
    """*iri* as ``prefix:local`` with the project's prefixes (unchanged when none applies).

    >>> shorten("https://w3id.org/territorial-kg/id/actor/le-rameau")
    'id:actor/le-rameau'
    """
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def expand(curie: str) -> str:
    """*curie* (``prefix:local``, with one of the project's prefixes) as a full IRI; the inverse of :func:`shorten`.

    >>> expand("skos:prefLabel")
    'http://www.w3.org/2004/02/skos/core#prefLabel'

    Raises
    ------
    KeyError
        For a prefix that is not in :data:`PREFIXES` (a programming error: CURIEs are
        written in the code, never read from users).
    """
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local
