"""Minting of every IRI, from stable identifiers only.

Curated records carry a slug id (``le-rameau``), territories their official code
(INSEE code, or SIREN for intercommunalities), source documents their file stem.
No IRI is ever glued from a raw label.

>>> actor("le-rameau")
'https://w3id.org/territorial-kg/id/actor/le-rameau'
>>> territory("commune", "94018")
'https://w3id.org/territorial-kg/id/territory/commune/94018'
>>> concept("actor-type", "association")
'https://w3id.org/territorial-kg/concept/actor-type/association'
"""

from __future__ import annotations

import re

from kg.model.vocab import BASE

__all__ = [
    "DERIVED_GRAPH",
    "GEOGRAPHY_GRAPH",
    "KINDS",
    "META_GRAPH",
    "ONTOLOGY_GRAPH",
    "SLUG_RE",
    "STAGING_PREFIX",
    "TERRITORY_LEVELS",
    "actor",
    "amount",
    "check_graph",
    "concept",
    "derivation",
    "document",
    "document_graph",
    "entity",
    "graph",
    "identifier",
    "import_graph",
    "is_slug",
    "participant",
    "period",
    "property_value",
    "scheme",
    "staging_graph",
    "territory",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: every named graph this project writes: ``graph/<segment>(/<segment>)*`` of safe characters only, so a
#: graph IRI checked by :func:`check_graph` can stand between ``<`` and ``>`` in a SPARQL update
_GRAPH_RE = re.compile(r"^" + re.escape(BASE) + r"graph/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
_NODE_RE = re.compile(r"^" + re.escape(BASE) + r"id/[a-z]+/[A-Za-z0-9_.-]+$")
_DOC_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
_CODE_RE = re.compile(r"^[0-9A-Z]{1,14}$")

#: Kinds of curated records and the path segment of their IRIs.
KINDS = {
    "actor": "actor",
    "person": "person",
    "connection": "connection",
    "programme": "programme",
    "funding": "funding",
    "membership": "membership",
    "participation": "participation",
    "post": "post",
    "support": "support",
    "event": "event",
    "publication": "publication",
    "figure": "figure",
    "document": "document",
    "dataset": "dataset",
    "agent": "agent",
}

TERRITORY_LEVELS = ("commune", "intercommunalite", "departement", "region")


def is_slug(value: str) -> bool:
    """Return True if *value* is a valid curated id (lower-case ASCII words and dashes)."""
    return bool(SLUG_RE.match(value))


def entity(kind: str, slug: str) -> str:
    """IRI of a curated record of *kind* (a key of :data:`KINDS`) with id *slug*."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}")
    if not SLUG_RE.match(slug):
        raise ValueError(f"{slug!r} is not a valid id: use lower-case letters, digits and dashes")
    return f"{BASE}id/{KINDS[kind]}/{slug}"


def actor(slug: str) -> str:
    """IRI of the actor with curated id *slug*."""
    return entity("actor", slug)


def territory(level: str, code: str) -> str:
    """IRI of a territory: *level* in :data:`TERRITORY_LEVELS`, *code* its INSEE code or SIREN."""
    if level not in TERRITORY_LEVELS:
        raise ValueError(f"unknown territory level {level!r}; expected one of {TERRITORY_LEVELS}")
    if not _CODE_RE.match(code):
        raise ValueError(f"{code!r} is not an INSEE code or a SIREN")
    return f"{BASE}id/territory/{level}/{code}"


def scheme(name: str) -> str:
    """IRI of the SKOS concept scheme *name* (e.g. ``actor-type``)."""
    if not SLUG_RE.match(name):
        raise ValueError(f"{name!r} is not a valid scheme name")
    return f"{BASE}concept/{name}"


def concept(scheme_name: str, notation: str) -> str:
    """IRI of the concept *notation* in the SKOS scheme *scheme_name*."""
    if not SLUG_RE.match(notation):
        raise ValueError(f"{notation!r} is not a valid concept notation")
    return f"{scheme(scheme_name)}/{notation}"


def graph(name: str) -> str:
    """IRI of a named graph (``geography``, ``derived``, ``meta``, ``document/<stem>``...)."""
    return f"{BASE}graph/{name}"


def document(stem: str) -> str:
    """IRI of the source document whose file is ``data/sources/<stem>.txt``."""
    if not _DOC_RE.match(stem):
        raise ValueError(f"{stem!r} is not a valid document name")
    return f"{BASE}id/document/{stem}"


def document_graph(stem: str) -> str:
    """IRI of the named graph holding the facts drawn from document *stem*."""
    if not _DOC_RE.match(stem):
        raise ValueError(f"{stem!r} is not a valid document name")
    return graph(f"document/{stem}")


GEOGRAPHY_GRAPH = graph("geography")
DERIVED_GRAPH = graph("derived")
META_GRAPH = graph("meta")
ONTOLOGY_GRAPH = graph("ontology")


# --------------------------------------------------------------------------- parts of a record's node


def _part(node: str, *segments: str) -> str:
    if not _NODE_RE.match(node):
        raise ValueError(f"{node!r} is not the IRI of a record (minted by kg.model.iris)")
    return "/".join((node, *segments))


def derivation(node: str, n: int) -> str:
    """IRI of the *n*-th qualified derivation (``prov:Derivation``, 1-based) of the record *node*.

    >>> derivation(actor("le-rameau"), 1)
    'https://w3id.org/territorial-kg/id/actor/le-rameau/source/1'
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{n!r} is not a derivation number (1, 2, ...)")
    return _part(node, "source", str(n))


def period(node: str) -> str:
    """IRI of the period (``dct:PeriodOfTime``) of the record *node*.

    >>> period(entity("funding", "f-1"))
    'https://w3id.org/territorial-kg/id/funding/f-1/period'
    """
    return _part(node, "period")


def participant(node: str, who: str, role: str) -> str:
    """IRI of the qualified participation (``prov:Association`` or ``prov:Attribution``) of *who*
    in the event or publication *node*, in *role*.

    >>> participant(entity("event", "e-1"), "le-rameau", "intervenant")
    'https://w3id.org/territorial-kg/id/event/e-1/participant/le-rameau/intervenant'
    """
    for value in (who, role):
        if not SLUG_RE.match(value):
            raise ValueError(f"{value!r} is not a slug")
    return _part(node, "participant", who, role)


def property_value(node: str, n: int) -> str:
    """IRI of the *n*-th described property (``schema:PropertyValue``, a Kumu custom field) of *node*.

    >>> property_value(entity("actor", "a-1"), 2)
    'https://w3id.org/territorial-kg/id/actor/a-1/property/2'
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{n!r} is not a property number (1, 2, ...)")
    return _part(node, "property", str(n))


def amount(node: str) -> str:
    """IRI of the amount (``schema:MonetaryAmount``) of the funding *node*."""
    return _part(node, "amount")


def identifier(node: str, register: str) -> str:
    """IRI of the official identifier (``adms:Identifier``) of *node* in *register* (``siren``)."""
    if not SLUG_RE.match(register):
        raise ValueError(f"{register!r} is not a register name")
    return _part(node, register)


# --------------------------------------------------------------------------- graphs written one at a time


def import_graph(slug: str) -> str:
    """IRI of the named graph of the spreadsheet import *slug* (``graph/import/<slug>``).

    >>> import_graph("gravelle")
    'https://w3id.org/territorial-kg/graph/import/gravelle'
    """
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ValueError(f"{slug!r} is not a valid import name")
    return graph(f"import/{slug}")


#: named graphs being written (see :func:`staging_graph`) share this prefix
STAGING_PREFIX = graph("staging/")


def staging_graph(token: str) -> str:
    """IRI of a temporary graph a writer fills before moving it in place (``graph/staging/<token>``)."""
    if not SLUG_RE.match(token):
        raise ValueError(f"{token!r} is not a valid staging token")
    return graph(f"staging/{token}")


def check_graph(iri: str) -> str:
    """Return *iri* if it is a named graph of this project safe to name in a SPARQL update, else raise.

    >>> check_graph(import_graph("gravelle")) == import_graph("gravelle")
    True
    >>> check_graph("https://w3id.org/territorial-kg/graph/x> } ; DROP ALL ; {")
    Traceback (most recent call last):
    ...
    ValueError: 'https://w3id.org/territorial-kg/graph/x> } ; DROP ALL ; {' is not a graph IRI of this project
    """
    if not isinstance(iri, str) or not _GRAPH_RE.match(iri):
        raise ValueError(f"{iri!r} is not a graph IRI of this project")
    return iri
