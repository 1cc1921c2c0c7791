"""Exchange formats that validate (issue 14, item 5), each on the tiny inline graph and on the curated one.

- NetworkX's own writers (GraphML, GEXF, node-link JSON) and pyvis take :func:`project` as it is;
- ``kg export gexf`` is GEXF 1.3, valid against the schema in ``tests/fixtures/gexf-1.3``, dynamic;
- ``kg export graphml`` loads in NetworkX and igraph, and its amounts add up to the store's;
- ``kg export jsonld`` is compacted with terms and gives back the same quads through PyLD and rdflib;
- ``kg export owl`` uses only OWL 2 datatypes, and HermiT (owlready2, Java) accepts it where it
  refuses the same data with its ``xsd:gYear`` dates.
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from tiny_graph import ALPHA, DELTA, GAMMA, ID, UN, tiny_graph

from kg.network.attributes import concept_labels, joined, listed, sources_of, sources_text
from kg.network.projection import project
from kg.present.export import context, export
from kg.present.export_owl import OWL2_DATATYPES

PEMB = "intercommunalite:200057941"
SCHEMA = Path(__file__).parent / "fixtures" / "gexf-1.3" / "gexf.xsd"
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCES = ["tiny", "curated"]


@pytest.fixture(scope="module")
def tiny():
    return tiny_graph()


@pytest.fixture
def source(request, tiny, graph):
    return tiny if request.param == "tiny" else graph


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``exported(graph, fmt, territory)``: each export written once for the module (a territory's
    takes seconds: the whole store is scanned for its quads)."""
    folder = tmp_path_factory.mktemp("formats")
    done: dict[tuple[int, str, str | None], tuple[object, object]] = {}

    def get(g, fmt: str, territory: str | None = None):
        key = (id(g), fmt, territory)
        if key not in done:  # the graph is kept with its export: its id stays its own
            done[key] = (g, export(g, fmt, folder / f"{len(done)}.{fmt}", territory=territory))
        return done[key][1]

    return get


def _store_amounts(g) -> float:
    rows = g.query(
        "SELECT (SUM(?v) AS ?s) WHERE { ?g a schema:MonetaryGrant ; schema:amount/schema:value ?v }"
    )
    return float(Decimal(str(rows[0]["s"])))


# ---------------------------------------------------------------- the projection


def test_list_attributes_are_text_that_reads_back():
    items = ["fondation", "a|b", "c\\d", "e\\|f", ""]
    assert listed(joined(items)) == [*items[:4], ""]
    assert listed(joined(["x"])) == ["x"] and listed("") == [] and listed(["y"]) == ["y"]
    pairs = [("https://ex.org/doc/a", "Alpha | fondée en 2010"), ("https://ex.org/doc/b", "dit \\ « B »")]
    assert sources_of(sources_text(pairs)) == pairs


@pytest.mark.parametrize("source", SOURCES, indirect=True)
def test_networkx_writers_and_pyvis_take_the_projection(source, tmp_path):
    from pyvis.network import Network

    G = project(source)
    values = [*G.graph.values()]
    values += [v for _, d in G.nodes(data=True) for v in d.values()]
    values += [v for *_, d in G.edges(data=True) for v in d.values()]
    assert {type(v) for v in values} <= {str, float, bool, int}, {type(v) for v in values}
    nx.write_graphml(G, tmp_path / "p.graphml")
    R = nx.read_graphml(tmp_path / "p.graphml", force_multigraph=True)
    assert (R.number_of_nodes(), R.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    nx.write_gexf(G, tmp_path / "p.gexf")
    assert nx.read_gexf(tmp_path / "p.gexf").number_of_nodes() == G.number_of_nodes()
    data = json.loads(json.dumps(nx.node_link_data(G, edges="edges")))
    assert len(data["nodes"]) == G.number_of_nodes()
    net = Network(directed=True)
    net.from_nx(G)
    assert len(net.nodes) == G.number_of_nodes()
    amounts = sum(d["amount"] for _, d in G.nodes(data=True) if "amount" in d)
    assert amounts == _store_amounts(source)
    assert not any("amount" in d for *_, d in G.edges(data=True))  # on the grant only
    if G.number_of_nodes() < 20:  # the tiny graph: 4 actors, 2 programmes, 3 grants, 2 people
        assert G.number_of_nodes() == 11 and amounts == 8000.0
    else:
        assert G.number_of_nodes() > 100 and amounts != 8000.0


def test_list_attributes_of_the_projection(tiny, projection):
    G = project(tiny)
    assert sources_of(G.nodes[ALPHA]["sources"]) == [(ID + "document/doc-a", "Alpha, fondée en 2010")]
    assert sources_of(G.nodes[GAMMA]["sources"]) == []
    labels = concept_labels(G)
    assert labels["porteur"] == {"fr": "Porteur", "en": "Lead"}
    rameau = "https://w3id.org/territorial-kg/id/actor/le-rameau"
    types = listed(projection.nodes[rameau]["types"])
    assert types and all("|" not in t for t in types)
    assert concept_labels(projection) != labels


# ---------------------------------------------------------------- GEXF 1.3


def _schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.mark.parametrize("source", SOURCES, indirect=True)
def test_gexf_is_valid_gexf_13_and_dynamic(source, tmp_path):
    from lxml import etree

    r = export(source, "gexf", tmp_path / "g.gexf")
    doc = etree.parse(str(r.paths[0]))
    schema = _schema()
    assert schema.validate(doc), schema.error_log
    ns = {"g": "http://gexf.net/1.3"}
    root = doc.getroot()
    assert root.get("version") == "1.3" and root.tag == "{http://gexf.net/1.3}gexf"
    graph = root.find("g:graph", ns)
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    nodes = {n.get("id"): n for n in doc.iterfind(".//g:node", ns)}
    edges = list(doc.iterfind(".//g:edge", ns))
    assert len(nodes) == r.nodes and len(edges) == r.edges
    R = nx.read_gexf(r.paths[0])
    assert R.number_of_nodes() == r.nodes
    dated = [e for e in edges if e.get("start")]
    if r.nodes < 20:
        assert nodes[ALPHA].get("start") == "2010-01-01"
        assert (nodes[UN].get("start"), nodes[UN].get("end")) == ("2012-01-01", "2016-12-31")
        adhesion = [e for e in edges if e.get("kind") == "adhesion"]
        assert [(e.get("source"), e.get("target"), e.get("start"), e.get("end")) for e in adhesion] == [
            (GAMMA, DELTA, "2015-01-01", "2017-12-31")
        ]
    else:
        vitawin = nodes["https://w3id.org/territorial-kg/id/programme/vitawin"]
        assert vitawin.get("start") == "2021-01-01" and vitawin.get("end") is None
        assert len(dated) > 20


def test_the_gexf_schema_refuses_what_gephi_would_not_read(tiny, tmp_path):
    """The schema can fail: NetworkX's 1.2draft output, a graph name, a colour without its red."""
    from lxml import etree

    schema = _schema()
    nx.write_gexf(nx.path_graph(3), tmp_path / "old.gexf")
    assert not schema.validate(etree.parse(str(tmp_path / "old.gexf")))
    r = export(tiny, "gexf", tmp_path / "t.gexf")
    for mutate in (
        lambda d: d.find(".//{http://gexf.net/1.3}graph").set("name", ""),
        lambda d: d.find(".//{http://gexf.net/1.3/viz}color").attrib.pop("r"),
        lambda d: d.find(".//{http://gexf.net/1.3}node").set("start", "2021-13-01"),  # not a date
    ):
        doc = etree.parse(str(r.paths[0]))
        assert schema.validate(doc)
        mutate(doc)
        assert not schema.validate(doc)


# ---------------------------------------------------------------- GraphML


@pytest.mark.parametrize("source", SOURCES, indirect=True)
def test_graphml_counts_each_amount_once_in_networkx_and_igraph(source, tmp_path):
    import igraph

    r = export(source, "graphml", tmp_path / "g.graphml")
    expected = _store_amounts(source)
    R = nx.read_graphml(r.paths[0], force_multigraph=True)
    total = sum(d.get("amount", 0.0) for _, d in R.nodes(data=True))
    total += sum(d.get("amount", 0.0) for *_, d in R.edges(data=True))
    assert total == expected
    ig = igraph.Graph.Read_GraphML(str(r.paths[0]))
    assert (ig.vcount(), ig.ecount()) == (r.nodes, r.edges)
    assert "amount" not in ig.es.attributes()
    assert sum(a for a in ig.vs["amount"] if a == a) == expected  # NaN where a node has none
    grants = [v for v in ig.vs if v["kind"] == "funding"]
    assert all(v["amount"] == v["amount"] for v in grants)
    assert (expected == 8000.0) == (r.nodes < 20)


# ---------------------------------------------------------------- JSON-LD


def _quads(path: Path, fmt) -> set[str]:
    from pyoxigraph import parse

    return {str(q) for q in parse(path=str(path), format=fmt)}


def _jsonld_and_nquads(exported, g, territory: str | None):
    return exported(g, "jsonld", territory), exported(g, "nq", territory)


def _nodes(doc) -> dict[str, dict]:
    """Node objects by id, what each named graph says of a node put together."""
    out: dict[str, dict] = {}
    for g in doc["@graph"]:
        for n in g.get("@graph", []):
            out.setdefault(n["@id"], {}).update(n)
    return out


@pytest.mark.parametrize(("source", "territory"), [("tiny", None), ("curated", PEMB)], indirect=["source"])
def test_jsonld_uses_terms_and_round_trips_through_pyld(source, territory, exported, tmp_path):
    from pyld import jsonld
    from pyoxigraph import RdfFormat

    js, nq = _jsonld_and_nquads(exported, source, territory)
    doc = json.loads(js.paths[0].read_text(encoding="utf-8"))
    assert doc["@context"] == context()["@context"]
    nodes = _nodes(doc)
    if territory is None:
        alpha = nodes["id:actor/alpha"]
        assert alpha["type"] == "Organization" and alpha["label"] == {"@value": "Alpha"}  # no language
        grant = nodes["id:funding/g1"]
        assert (grant["type"], grant["funder"], grant["recipient"]) == (
            "MonetaryGrant",
            "id:actor/delta",
            "id:actor/alpha",
        )
        assert nodes["id:funding/g1/amount"]["value"] == "5000"
        assert nodes["id:participation/un-alpha"]["member"] == "id:actor/alpha"
        assert nodes["id:programme/un/period"]["startDate"] == {"@value": "2012", "@type": "xsd:gYear"}
    else:
        pemb = nodes["id:actor/pemb"]
        assert pemb["label"] == "Paris Est Marne et Bois"  # French: the context's language
        assert "Organization" in pemb["type"]
        assert any(n.get("type") == "Membership" and "member" in n for n in nodes.values())
        assert any(isinstance(n.get("siren"), str) for n in nodes.values())  # a code, no language
    quads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    (tmp_path / "pyld.nq").write_text(quads, encoding="utf-8")
    assert _quads(tmp_path / "pyld.nq", RdfFormat.N_QUADS) == _quads(nq.paths[0], RdfFormat.N_QUADS)
    assert js.quads == nq.quads and (js.quads < 200) == (territory is None)


@pytest.mark.parametrize(("source", "territory"), [("tiny", None), ("curated", PEMB)], indirect=["source"])
def test_jsonld_round_trips_through_rdflib_graph_by_graph(source, territory, exported):
    from rdflib import Dataset
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    js, nq = _jsonld_and_nquads(exported, source, territory)
    graphs = []
    for path, fmt in ((nq.paths[0], "nquads"), (js.paths[0], "json-ld")):
        ds = Dataset()
        ds.parse(path, format=fmt)
        graphs.append({str(g.identifier): g for g in ds.graphs() if len(g)})
    a, b = graphs
    assert set(a) == set(b) and len(a) >= 1
    for name in a:
        ga, gb = to_isomorphic(a[name]), to_isomorphic(b[name])
        if not isomorphic(ga, gb):
            _, only_a, only_b = graph_diff(ga, gb)
            pytest.fail(f"{name}: only in N-Quads {sorted(only_a)[:5]}; only in JSON-LD {sorted(only_b)[:5]}")


# ---------------------------------------------------------------- OWL 2


def _with_ontology(g):
    """The tiny graph with the project's ontology beside it (as ``kg build`` stores it)."""
    from pyoxigraph import NamedNode, RdfFormat

    from kg.model.iris import ONTOLOGY_GRAPH
    from kg.model.paths import ONTOLOGY_DIR

    g.store.load(
        path=str(ONTOLOGY_DIR / "tkg.ttl"), format=RdfFormat.TURTLE, to_graph=NamedNode(str(ONTOLOGY_GRAPH))
    )
    return g


def _datatypes(path: Path, fmt) -> set[str]:
    from pyoxigraph import Literal, parse

    return {
        q.object.datatype.value for q in parse(path=str(path), format=fmt) if isinstance(q.object, Literal)
    }


@pytest.mark.parametrize(("source", "territory"), [("tiny", None), ("curated", PEMB)], indirect=["source"])
def test_owl_profile_uses_only_owl2_datatypes(source, territory, exported):
    from pyoxigraph import RdfFormat

    r, nq = exported(source, "owl", territory), exported(source, "nq", territory)
    used = _datatypes(r.paths[0], RdfFormat.RDF_XML)
    assert used <= OWL2_DATATYPES, used - OWL2_DATATYPES
    raw = _datatypes(nq.paths[0], RdfFormat.N_QUADS)
    assert XSD + "gYear" in raw and XSD + "gYear" not in OWL2_DATATYPES
    short = sorted(t.rsplit("#", 1)[-1] for t in used)
    if territory is None:
        assert short == ["dateTime", "decimal", "langString", "string"]
        text = r.paths[0].read_text(encoding="utf-8")
        assert "2016-12-31T23:59:59" in text and "2012-01-01T00:00:00" in text  # Programme Un's end, start
    else:
        assert short == ["dateTime", "decimal", "integer", "langString", "string"]
        assert any("xsd:gYearMonth → xsd:dateTime" in n for n in r.notes)


def _hermit(path: Path) -> str | None:
    """None when HermiT finds the ontology consistent, else the end of its error."""
    from owlready2 import OwlReadyError, World, sync_reasoner

    world = World()
    onto = world.get_ontology(path.resolve().as_uri()).load()
    try:
        with onto:
            sync_reasoner(world, infer_property_values=False, debug=0)
    except (OwlReadyError, Exception) as exc:  # noqa: BLE001 - OwlReadyJavaError carries HermiT's stack
        return str(exc)[-300:]
    return None


@pytest.mark.parametrize(("source", "territory"), [("tiny", None), ("curated", PEMB)], indirect=["source"])
def test_hermit_accepts_the_owl_profile_and_refuses_gyear(source, territory, exported, tmp_path):
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("HermiT needs Java: apt-get install default-jre-headless")
        pytest.skip("no Java: HermiT cannot run")
    from pyoxigraph import RdfFormat, Triple, parse, serialize

    g = _with_ontology(tiny_graph()) if territory is None else source
    r, nq = exported(g, "owl", territory), exported(g, "nq", territory)
    assert _hermit(r.paths[0]) is None
    # the same document with the dates as stated (xsd:gYear…): HermiT refuses it
    triples = {
        Triple(q.subject, q.predicate, q.object)
        for q in parse(path=str(nq.paths[0]), format=RdfFormat.N_QUADS)
    }
    if territory is not None:
        from pyoxigraph import NamedNode

        from kg.model.iris import ONTOLOGY_GRAPH

        onto = g.store.quads_for_pattern(None, None, None, NamedNode(str(ONTOLOGY_GRAPH)))
        triples |= {Triple(q.subject, q.predicate, q.object) for q in onto}
    raw = tmp_path / "raw.owl"
    with open(raw, "wb") as fh:
        serialize(sorted(triples, key=str), fh, RdfFormat.RDF_XML)
    error = _hermit(raw)
    assert error is not None and "HermiT" in error
