"""The OWL 2 profile of the graph: the ontology and the data, with every literal in OWL 2's datatype map.

The graph states dates at the precision of their sources: ``xsd:gYear``, ``xsd:gYearMonth``,
``xsd:date``. None of these is in the OWL 2 datatype map (OWL 2 Structural Specification,
section 4), so an OWL 2 reasoner such as HermiT refuses the ontology with its data. The
profile writes each such date as the ``xsd:dateTime`` bound it stands for: the first instant
of the period for a start (``dcat:startDate``, ``schema:foundingDate``, ``dct:issued``…,
``2021`` → ``2021-01-01T00:00:00``), the last one for an end (``dcat:endDate``,
``schema:endDate``: ``2021`` → ``2021-12-31T23:59:59``). A literal of another datatype outside
the map (``xsd:duration``) is written as its text (``xsd:string``), and counted in the notes.

:data:`OWL2_DATATYPES` is the map; :func:`owl_quads` yields the profile's quads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["END_PREDICATES", "OWL2_DATATYPES", "owl_literal", "owl_quads"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: the OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString,
#: RDF 1.1's name for the language-tagged literals OWL 2 calls rdf:PlainLiteral
OWL2_DATATYPES = frozenset(
    [
        _RDF + "PlainLiteral",
        _RDF + "XMLLiteral",
        _RDF + "langString",
        "http://www.w3.org/2000/01/rdf-schema#Literal",
        "http://www.w3.org/2002/07/owl#real",
        "http://www.w3.org/2002/07/owl#rational",
    ]
    + [
        _XSD + t
        for t in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ]
)

#: predicates whose date is the end of a period (their dates become the period's last instant)
END_PREDICATES = frozenset(["http://www.w3.org/ns/dcat#endDate", "https://schema.org/endDate"])
_DATES = {_XSD + "gYear", _XSD + "gYearMonth", _XSD + "date"}


def owl_literal(value: str, datatype: str, *, end: bool = False) -> tuple[str, str]:
    """``(lexical form, datatype IRI)`` of a literal in the OWL 2 profile.

    >>> owl_literal("2021", _XSD + "gYear")
    ('2021-01-01T00:00:00', 'http://www.w3.org/2001/XMLSchema#dateTime')
    >>> owl_literal("2020-02", _XSD + "gYearMonth", end=True)[0]
    '2020-02-29T23:59:59'
    >>> owl_literal("P3Y", _XSD + "duration")
    ('P3Y', 'http://www.w3.org/2001/XMLSchema#string')
    >>> owl_literal("42", _XSD + "integer")
    ('42', 'http://www.w3.org/2001/XMLSchema#integer')
    """
    from kg.model.dates import date_bounds

    if datatype in _DATES:
        first, last = date_bounds(value)
        return (f"{last}T23:59:59" if end else f"{first}T00:00:00"), _XSD + "dateTime"
    if datatype not in OWL2_DATATYPES:
        return value, _XSD + "string"
    return value, datatype


def owl_quads(quads: Iterable[Any], notes: Counter[str] | None = None) -> Iterator[Any]:
    """*quads* (pyoxigraph) with their literals in the OWL 2 profile; *notes* counts what changed
    (``"xsd:gYear → xsd:dateTime"``…)."""
    from pyoxigraph import Literal, NamedNode, Quad

    for q in quads:
        o = q.object
        if isinstance(o, Literal) and o.language is None:
            dt = o.datatype.value
            if dt in _DATES or dt not in OWL2_DATATYPES:
                text, new = owl_literal(o.value, dt, end=q.predicate.value in END_PREDICATES)
                if notes is not None:
                    notes[f"xsd:{dt.rsplit('#', 1)[-1]} → xsd:{new.rsplit('#', 1)[-1]}"] += 1
                yield Quad(q.subject, q.predicate, Literal(text, datatype=NamedNode(new)), q.graph_name)
                continue
        yield q
