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


def test_the_screen_reads_an_iterator_as_it_reads_a_list(valid: Graph) -> None:
    """The data is read once, as it comes (what a build streams): same answers as from a list."""
    case = next(b for b in BROKEN if b[0] == "SIREN with 8 digits")
    broken = _triples(_broken(valid, case[1]))
    assert screen(iter(_triples(valid)), SHAPES) == set()
    assert screen(iter(broken), SHAPES) == screen(broken, SHAPES) != set()


_COUNTS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:one ; sh:maxCount 1 ] , [ sh:path ex:many ; sh:minCount 10 ] ,
        [ sh:path [ sh:inversePath ex:in ] ; sh:maxCount 9 ] .
"""


@pytest.mark.parametrize(
    ("many", "one", "pointing", "flagged"),
    [
        (10, ["a"], 9, set()),
        (9, ["a"], 9, {"https://example.org/x"}),  # 9 values of ex:many, 10 needed
        (12, ["a", "a"], 0, set()),  # the same triple in two graphs is one value
        (12, ["a", "b"], 0, {"https://example.org/x"}),
        (10, ["a"], 10, {"https://example.org/x"}),  # 10 nodes point at it, 9 at most
    ],
)
def test_counts_past_a_handful_of_values_and_repeated_triples(tmp_path, many, one, pointing, flagged) -> None:
    """The index keeps a node's values in a tuple up to a handful, then in a set: counts stay exact
    on both sides, and a triple stated in two graphs counts once."""
    from pyoxigraph import Literal, NamedNode, Quad

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(_COUNTS, encoding="utf-8")
    ex = "https://example.org/"
    x, graphs = NamedNode(ex + "x"), [NamedNode(ex + "g1"), NamedNode(ex + "g2")]
    quads = [Quad(x, NamedNode(str(RDF.type)), NamedNode(ex + "C"), graphs[0])]
    quads += [Quad(x, NamedNode(ex + "many"), Literal(str(i)), graphs[i % 2]) for i in range(many)]
    quads += [Quad(x, NamedNode(ex + "many"), Literal("0"), graphs[1])]  # a repeat: not an 11th value
    quads += [Quad(x, NamedNode(ex + "one"), Literal(v), g) for v, g in zip(one, graphs, strict=False)]
    quads += [Quad(NamedNode(f"{ex}p{i}"), NamedNode(ex + "in"), x, graphs[0]) for i in range(pointing)]
    assert screen(quads, shapes) == flagged
    assert screen(iter(quads), shapes) == flagged


_TYPED_TARGET = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this a <https://example.org/C> }" ] ;
    sh:property [ sh:path ex:p ; sh:minCount 1 ] .
"""


def test_a_sparql_target_store_holds_rdf_type_only_when_the_query_reads_it(tmp_path) -> None:
    """The SPARQL target's own store holds the triples of the predicates its query names; ``a`` names
    rdf:type (not added for every query: every typed node, ~600 MB at 100,000 actors)."""
    from pyoxigraph import NamedNode, Quad

    from kg.rdf.shacl_screen import _named_iris

    rdf_type = str(RDF.type)
    assert rdf_type in _named_iris("SELECT ?this WHERE { ?this a <https://example.org/C> }")
    assert rdf_type in _named_iris("SELECT ?this WHERE { ?this <https://example.org/p>/a ?c }")
    dates = "PREFIX ex: <https://example.org/> SELECT ?this WHERE { ?this ex:a ?s ; ex:end ?a ; <urn:a> ?e }"
    assert rdf_type not in _named_iris(dates)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(_TYPED_TARGET, encoding="utf-8")
    ex, g = "https://example.org/", NamedNode("https://example.org/g")
    quads = [Quad(NamedNode(ex + n), NamedNode(rdf_type), NamedNode(ex + "C"), g) for n in ("x", "y")]
    quads.append(Quad(NamedNode(ex + "y"), NamedNode(ex + "p"), NamedNode(ex + "z"), g))
    assert screen(quads, shapes) == {ex + "x"}
