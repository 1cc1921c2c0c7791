"""The mapping's quads as tuples (:class:`kg.rdf.mapping.Stated`), its terms (:class:`~kg.rdf.records.Terms`).

``kg import`` checks the tuples and writes the quads made from them; the curated build writes
:func:`kg.rdf.mapping.records_quads`: both must state the same quads, in the same order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from kg.ingest.curated import load_curated
from kg.model import iris
from kg.model.vocab import ORG, TKG
from kg.rdf.mapping import Stated, records_quads, records_statements
from kg.rdf.records import Terms

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def curated():
    return load_curated(
        ROOT / "data" / "curated",
        sources_dir=ROOT / "data" / "sources",
        schemes_file=ROOT / "ontology" / "schemes.ttl",
    )


@pytest.mark.parametrize("kind", ["actors", "fundings"])
def test_statements_are_the_quads(curated, kind):
    """Two kinds of records (different quads): the tuples read as the quads do, and make them, in order."""
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    records = [(k, r) for k, r in curated.all() if k == kind.rstrip("s")]
    graph = iris.import_graph("essai")
    stated = records_statements(records, graph, kinds)
    quads = records_quads(records, graph, kinds)
    assert stated and all(type(s) is Stated for s in stated)
    assert [Quad(*s) for s in stated] == quads
    first, q = stated[0], quads[0]
    assert (first.subject, first.predicate, first.object, first.graph_name) == (
        q.subject,
        q.predicate,
        q.object,
        q.graph_name,
    )
    assert first.graph_name == NamedNode(graph)


def test_actors_and_fundings_differ(curated):
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    graph = iris.import_graph("essai")
    by_kind = {}
    for kind in ("actor", "funding"):
        records = [(k, r) for k, r in curated.all() if k == kind]
        by_kind[kind] = {s.predicate for s in records_statements(records, graph, kinds)}
    assert NamedNode(str(ORG.classification)) in by_kind["actor"] - by_kind["funding"]


def test_terms_made_once_and_checked():
    org = Terms(ORG)
    assert org.member is org.member and org.member == NamedNode(str(ORG.member))
    assert Terms(TKG)["funds"] == NamedNode(str(TKG.funds))
    tkg = Terms(TKG)
    with pytest.raises(AttributeError):
        tkg.notATkgTerm  # noqa: B018 - an unknown name fails, as the DefinedNamespace's own do
    assert not hasattr(tkg, "notATkgTerm")  # and is not remembered
