"""The answer formats of ``kg query`` (:mod:`kg.store.results`) written as text, each term's text made once:
the same documents as the dict-by-dict encoding they replaced, on answers that share term objects (as the
columnar path's do) and on answers that do not."""

from __future__ import annotations

import csv
import io
import json

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.store.graph import Result
from kg.store.results import _term_json, to_csv, to_json, to_sparql_json

XSD = "http://www.w3.org/2001/XMLSchema#"


def _reference(result: Result) -> str:
    """SPARQL JSON as it was written before: a dict per value, the whole document through json.dumps."""
    bindings = [{k: j for k, v in row.items() if (j := _term_json(v)) is not None} for row in result.value]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False)


def _shared() -> Result:
    """An actor's rows sharing its terms, a kind shared by every row, a reason with quotes and accents."""
    actor = NamedNode("https://w3id.org/territorial-kg/id/actor/a\u00e9")
    label = Literal('Le "RAMEAU"', language="fr")
    kind = Literal("Association", language="fr")
    rows = [
        {"actor": actor, "label": label, "type": kind, "reason": Literal("lieu : Créteil\n")},
        {"actor": actor, "label": label, "type": kind, "reason": None},
        {"actor": BlankNode("b1"), "label": Literal("12", datatype=NamedNode(XSD + "integer")), "type": kind,
         "reason": Literal("x")},
    ]  # fmt: skip
    return Result("select", ["actor", "label", "type", "reason"], rows)


def _distinct() -> Result:
    """Every term its own object, one variable never bound."""
    rows = [
        {"s": NamedNode(f"http://example.org/{i}"), "n": Literal(str(i), datatype=NamedNode(XSD + "decimal"))}
        for i in range(3)
    ]
    return Result("select", ["s", "n", "never"], rows)


def test_sparql_json_is_the_documents_text_shared_and_distinct_terms() -> None:
    texts = []
    for result in (_shared(), _distinct()):
        text = to_sparql_json(result)
        assert text == _reference(result)
        assert json.loads(text)["head"]["vars"] == result.variables
        texts.append(text)
    assert texts[0] != texts[1]
    bindings = json.loads(texts[0])["results"]["bindings"]
    assert bindings[1] == {
        "actor": {"type": "uri", "value": "https://w3id.org/territorial-kg/id/actor/a\u00e9"},
        "label": {"type": "literal", "value": 'Le "RAMEAU"', "xml:lang": "fr"},
        "type": {"type": "literal", "value": "Association", "xml:lang": "fr"},
    }
    assert bindings[2]["actor"] == {"type": "bnode", "value": "b1"}
    assert bindings[2]["label"]["datatype"] == XSD + "integer"


def test_csv_and_json_plain_values_once_per_term() -> None:
    shared = list(csv.reader(io.StringIO(to_csv(_shared()))))
    assert shared[0] == ["actor", "label", "type", "reason"]
    assert shared[2] == ["https://w3id.org/territorial-kg/id/actor/a\u00e9", 'Le "RAMEAU"', "Association", ""]
    assert shared[1][3] == "lieu : Créteil\n"
    assert shared[3][1] == "12"
    distinct = list(csv.reader(io.StringIO(to_csv(_distinct()))))
    assert distinct == [["s", "n", "never"]] + [[f"http://example.org/{i}", str(i), ""] for i in range(3)]
    assert json.loads(to_json(_shared()))[2]["label"] == 12
    assert json.loads(to_json(_distinct()))[1] == {"s": "http://example.org/1", "n": 1}


def test_text_table_cuts_only_what_does_not_fit() -> None:
    from kg.store.results import text_table

    names, rows = ["actor", "reason"], [["id:actor/a", "participe (programme) : Q2ER"], ["id:actor/b", ""]]
    wide = text_table(names, rows, width=200).splitlines()
    assert wide[0] == "actor       reason"
    assert wide[2] == "id:actor/a  participe (programme) : Q2ER"
    assert wide[3] == "id:actor/b"  # trailing spaces dropped
    narrow = text_table(names, rows, width=30).splitlines()
    assert max(len(line) for line in narrow) == 30
    assert narrow[2] == "id:actor/a  participe (progra…"
    assert len(narrow) == 4 == len(wide)
