"""The SHACL screen (``kg.rdf.shacl_screen``) never clears a node pySHACL would reject.

The screen decides which focus nodes pySHACL must look at; a node it clears is never validated
again, so a miss would let a violation through. Checked on the valid example of
``tests/test_shapes.py`` (nothing flagged) and on every one of its broken examples (every focus node of
pySHACL's report flagged), then through :func:`kg.rdf.shacl.check_shapes`, whose report must be the one
pySHACL alone gives.
"""

from __future__ import annotations

import re

import pyshacl
import pytest
from pyoxigraph import RdfFormat, parse
from rdflib import RDF, Graph

from kg.errors import ShapeViolation
from kg.rdf.shacl import check_shapes, shape_problems
from kg.rdf.shacl_screen import screen
from tests.test_shapes import BROKEN, ONTOLOGY, SH, SPARQL_PREFIXES, VALID

SHAPES = ONTOLOGY / "shapes.ttl"


def _valid() -> Graph:
    g = Graph().parse(data=VALID, format="turtle")
    for name in ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl"):
        g.parse(ONTOLOGY / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def valid() -> Graph:
    return _valid()


def _triples(g: Graph) -> list:
    return list(parse(g.serialize(format="nt").encode(), format=RdfFormat.N_TRIPLES))


def _broken(valid: Graph, update: str) -> Graph:
    data = Graph()
    data += valid
    data.update(SPARQL_PREFIXES + "\n" + update)
    return data


def _violating(data: Graph) -> set[str]:
    """The focus nodes of pySHACL's violations on *data* (the reference)."""
    copy = Graph()
    copy += data
    _, report, _ = pyshacl.validate(
        copy, shacl_graph=str(SHAPES), inference="none", advanced=True, allow_warnings=True, inplace=True
    )
    top = report.value(None, RDF.type, SH.ValidationReport, any=False)
    return {  # the results of the report (not the sh:detail of a failed sh:node, about the value)
        str(report.value(r, SH.focusNode))
        for r in report.objects(top, SH.result)
        if report.value(r, SH.resultSeverity) == SH.Violation
    }


def _texts(problems) -> list[str]:
    """The problems as text, blank-node names (of anonymous shapes or values: new at each parse) left out."""
    return [re.sub(r"\b[Nn][0-9a-f]{20,}\b", "_:b", str(p)) for p in problems]


def test_the_valid_example_is_cleared(valid: Graph) -> None:
    assert screen(_triples(valid), SHAPES) == set()


def test_a_broken_date_order_is_flagged_and_a_valid_one_is_not(valid: Graph) -> None:
    """The SPARQL target: the funding's period ending before it starts is flagged, alone."""
    period = "<https://w3id.org/territorial-kg/id/funding/fonds-odd17-urgence-etudiante/period>"
    assert screen(_triples(valid), SHAPES) == set()
    update = f'DELETE {{ {period} dcat:endDate ?o }} INSERT {{ {period} dcat:endDate "2001"^^xsd:gYear }} '
    data = _broken(valid, update + f"WHERE {{ {period} dcat:endDate ?o }}")
    assert screen(_triples(data), SHAPES) == {period.strip("<>")}


def test_focus_limits_what_is_screened(valid: Graph) -> None:
    case = next(b for b in BROKEN if b[2].startswith("Actor-"))
    data = _triples(_broken(valid, case[1]))
    flagged = screen(data, SHAPES)
    assert flagged
    assert screen(data, SHAPES, focus=flagged) == flagged
    assert screen(data, SHAPES, focus={"https://w3id.org/territorial-kg/id/actor/nobody"}) == set()


@pytest.mark.parametrize(("case", "update", "shape", "path"), BROKEN, ids=[b[0] for b in BROKEN])
def test_every_broken_example_is_flagged(valid: Graph, case: str, update: str, shape: str, path) -> None:
    flagged = screen(_triples(_broken(valid, update)), SHAPES)
    assert flagged, f"{case}: the screen cleared a broken example"


@pytest.mark.slow  # pySHACL twice on each broken example: ~1 s a case
@pytest.mark.parametrize(("case", "update", "shape", "path"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_screen_flags_every_node_pyshacl_rejects(
    valid: Graph, case: str, update: str, shape: str, path
) -> None:
    """Every focus node pySHACL rejects is flagged, and check_shapes reports what pySHACL alone reports."""
    data = _broken(valid, update)
    reference = _violating(data)
    flagged = screen(_triples(data), SHAPES)
    assert reference, f"{case}: pySHACL accepts it (see tests/test_shapes.py)"
    assert flagged is not None and reference <= flagged, (
        f"{case}: missed {sorted(reference - (flagged or set()))}"
    )
    alone = shape_problems(_broken(valid, update), SHAPES)
    with pytest.raises(ShapeViolation) as err:
        check_shapes(_triples(data), [], [], SHAPES)
    assert _texts(err.value.problems) == _texts(alone)


@pytest.mark.parametrize("case", ["SIREN with 8 digits", "grant without amount"])
def test_check_shapes_reports_what_pyshacl_alone_reports(valid: Graph, case: str) -> None:
    """Screen then pySHACL on the flagged nodes: the same problems as pySHACL on everything."""
    update = next(b[1] for b in BROKEN if b[0] == case)
    data = _broken(valid, update)
    alone = shape_problems(_broken(valid, update), SHAPES)
    with pytest.raises(ShapeViolation) as err:
        check_shapes(_triples(data), [], [], SHAPES)
    assert _texts(err.value.problems) == _texts(alone)
    check_shapes(_triples(valid), [], [], SHAPES)  # and the valid example passes
