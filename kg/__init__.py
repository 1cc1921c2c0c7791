"""Territorial KG: a knowledge graph of the actors of French territories and their alliances.

The Python API mirrors the ``kg`` command::

    import kg
    report = kg.build()                 # kg build
    graph = kg.open()                   # the built store
    graph.query("SELECT ?n WHERE { ?a rdfs:label ?n }", a=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"))
"""

from kg.build import BuildReport, build
from kg.errors import (
    ExportError,
    InputError,
    KGError,
    Problem,
    QueryError,
    ShapeViolation,
    StoreError,
    UnknownEntityError,
)
from kg.store import IRI, Graph
from kg.store import open_store as open

__version__ = "0.1.0"

__all__ = [
    "IRI",
    "BuildReport",
    "ExportError",
    "Graph",
    "InputError",
    "KGError",
    "Problem",
    "QueryError",
    "ShapeViolation",
    "StoreError",
    "UnknownEntityError",
    "build",
    "open",
]
