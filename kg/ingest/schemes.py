"""The SKOS schemes (``ontology/schemes.ttl``) as plain data: every concept with its labels.

The spreadsheets need the labels of the drop-down lists and every accepted spelling;
:func:`read_concepts` gives them without any RDF object leaving this module.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_concepts"]

_CONCEPTS_Q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?c ?scheme ?n ?fr ?en WHERE {
  ?c skos:inScheme ?scheme ; skos:notation ?n .
  OPTIONAL { ?c skos:prefLabel ?fr FILTER(LANG(?fr) = "fr") }
  OPTIONAL { ?c skos:prefLabel ?en FILTER(LANG(?en) = "en") }
}"""


def read_concepts(schemes_file: str | Path) -> list[tuple[str, str, str, str]]:
    """``(scheme, notation, French label, English label)`` of every concept, in the order of the file.

    A missing label is the notation.

    Examples
    --------
    >>> from kg.model.paths import ONTOLOGY_DIR
    >>> ("role", "porteur") in {c[:2] for c in read_concepts(ONTOLOGY_DIR / "schemes.ttl")}
    True
    """
    from pyoxigraph import QuerySolutions, RdfFormat, Store, parse

    text = Path(schemes_file).read_bytes()
    order: dict[str, int] = {}  # concept IRI → first position in the file: the lists keep the file's order
    for i, t in enumerate(parse(text, format=RdfFormat.TURTLE)):
        order.setdefault(t.subject.value, i)
    store = Store()
    store.load(text, format=RdfFormat.TURTLE)
    rows = []
    solutions = store.query(_CONCEPTS_Q)
    assert isinstance(solutions, QuerySolutions)  # a SELECT query
    for row in solutions:
        scheme = row["scheme"].value.rstrip("/").rsplit("/", 1)[-1]
        n = row["n"].value
        fr = row["fr"].value if row["fr"] else n
        en = row["en"].value if row["en"] else n
        rows.append((order.get(row["c"].value, 0), scheme, n, fr, en))
    return [(scheme, n, fr, en) for _, scheme, n, fr, en in sorted(rows)]
