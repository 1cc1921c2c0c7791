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
    "TERRITORY_LEVELS",
    "actor",
    "concept",
    "document",
    "document_graph",
    "entity",
    "graph",
    "is_slug",
    "scheme",
    "territory",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DOC_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
_CODE_RE = re.compile(r"^[0-9A-Z]{1,14}$")

#: Kinds of curated records and the path segment of their IRIs.
KINDS = {
    "actor": "actor",
    "person": "person",
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
