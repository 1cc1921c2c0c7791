"""What ``kg build`` writes once beside the store (projection, chain graph, name index, build id) and how
every reader uses it: the stored artefact and the computed one give the same answers; a stale or missing
artefact is never used; an import makes them stale, so ``kg chains`` sees the new actor.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.network.artefacts import ARTEFACTS, write_artefacts
from kg.network.chains import CHAIN_SHAPE, SKELETON, cached_chain_graph, chain_graph, find_chains
from kg.network.projection import cached_project, project
from kg.store import artefacts
from kg.store.names import compute_name_index, name_index, resolve_name

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/territorial-kg/id/actor/"
ATELIER = ACTOR + "atelier-bois-et-compagnie"  # an actor of tests/fixtures/spreadsheets/gravelle.xlsx only


@pytest.fixture(scope="module")
def env(data_env):
    """A built data folder whose store has its artefacts, as `kg build` leaves it."""
    data, store = data_env("artefacts")
    artefacts.new_build_id(store)
    write_artefacts(store)
    return data, store


def _same(G: nx.Graph, H: nx.Graph) -> None:
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(map(repr, G.edges(data=True))) == sorted(map(repr, H.edges(data=True)))


def test_build_writes_a_build_id_and_every_artefact(env):
    _, store = env
    assert artefacts.build_id(store)
    for name in ARTEFACTS:
        assert artefacts.artefact_path(store, name).is_file(), name


def test_stored_and_computed_answers_are_identical(env):
    _, store = env
    graph = kg.open(store)
    fresh = project(graph)
    stored = artefacts.load(store, "projection", shape=4)
    assert stored is not None  # the stored one is what cached_project returns…
    _same(cached_project(graph), fresh)  # …and it is what projecting gives
    H = cached_chain_graph(graph)
    assert artefacts.load(store, "chains", shape=CHAIN_SHAPE) is not None
    _same(H, chain_graph(fresh))
    names = name_index(graph)
    assert dict(names) == dict(compute_name_index(graph)) and names.name_keys
    for source, target in [("Le RAMEAU", "Vitawin"), ("Fondation TotalEnergies", "Club ESS")]:
        assert [c.labels for c in find_chains(graph, source, target)] == [
            c.labels for c in find_chains(fresh, source, target)
        ]
    # two names, two answers, on the stored index and on the scanned one
    for text in ("le rameau", "Vitawin"):
        assert resolve_name(names, text) == resolve_name(dict(compute_name_index(graph)), text)
    assert resolve_name(names, "le rameau") != resolve_name(names, "Vitawin")


def test_the_stored_skeleton_finds_the_chains_a_filtered_view_finds(env):
    """``kg chains`` with the default kinds searches the stored skeleton (a plain graph): the same chains,
    hop by hop, as the filtered view of the chain graph, and the same nodes within reach."""
    from kg.network.chains import within

    _, store = env
    H = cached_chain_graph(kg.open(store))
    assert H.graph[SKELETON].number_of_edges() < H.number_of_edges()  # territories are not followed
    pairs = [("Le RAMEAU", "Vitawin"), ("Fondation TotalEnergies", "Club ESS"), ("PEMB", "Le RAMEAU")]

    def answers() -> list:
        chains = [[[h.as_dict("fr") for h in c.hops] for c in find_chains(H, a, b, k=5)] for a, b in pairs]
        return [*chains, [(r.iri, r.hops) for r in within(H, "Le RAMEAU", 2)]]

    with_it = answers()
    skeleton = H.graph.pop(SKELETON)  # the same graph (same neighbours' order), searched through a view
    try:
        assert answers() == with_it
    finally:
        H.graph[SKELETON] = skeleton
    assert all(with_it) and with_it[0] != with_it[1]


def test_kg_analyse_reads_the_stored_actor_network(env):
    """The actor network stored at build time is the one made from the projection, and the analysis of the
    store (which reads it) is the analysis of the projection; a territory's analysis makes its own."""
    from kg.network.actors import ACTORS_SHAPE, actor_graph
    from kg.network.analysis import analyse

    _, store = env
    graph = kg.open(store)
    stored = artefacts.load(store, "actors", shape=ACTORS_SHAPE)
    assert stored is not None
    fresh = actor_graph(project(graph))
    assert list(stored.nodes(data=True)) == list(fresh.nodes(data=True))
    assert list(stored.edges()) == list(fresh.edges())
    assert stored.graph["activities"] == fresh.graph["activities"]
    whole = analyse(graph).as_dict()
    assert whole == analyse(project(graph)).as_dict()
    assert analyse(graph, territory="departement:94").as_dict() != whole


def test_a_file_written_in_the_store_folder_does_not_make_them_stale(env):
    _, store = env
    (store / "notes.txt").write_text("a file that is not the store's\n")
    try:
        assert artefacts.load(store, "projection", shape=4) is not None
    finally:
        (store / "notes.txt").unlink()


def test_a_missing_or_stale_artefact_is_computed_again(env, tmp_path):
    _, store = env
    copy = tmp_path / "store"
    shutil.copytree(store, copy)  # a store without artefacts beside it (the copy has the build id)
    assert artefacts.load(copy, "chains", shape=CHAIN_SHAPE) is None
    graph = kg.open(copy)
    _same(cached_chain_graph(graph), cached_chain_graph(kg.open(store)))
    assert artefacts.load(copy, "chains", shape=CHAIN_SHAPE) is not None  # saved by the reader, for next time
    artefacts.new_build_id(copy)  # the store changed
    assert all(artefacts.load(copy, name, shape=1) is None for name in ("chains", "names"))
    assert artefacts.load(copy, "chains", shape=CHAIN_SHAPE + 1) is None  # another shape of artefact


def _identical(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """Same nodes and edges in the same order, same keys and attributes (views lay out by order)."""
    assert G.graph == H.graph
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))


def _same_orders(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """*H* is *G*: same nodes, attributes, edges and keys, and the same order of nodes, successors and
    predecessors (a view lays out and groups by these orders)."""
    _identical(G, H)
    assert list(G.in_edges(keys=True)) == list(H.in_edges(keys=True))
    for a, b, k in H.edges(keys=True):  # one attribute dict for both directions, as NetworkX keeps it
        assert H.pred[b][a][k] is H.succ[a][b][k]


def test_the_projection_node_by_node_is_the_stored_projection(env):
    """``projparts.bin`` (what a view reads) gives back the whole projection, orders included, and around
    a selection exactly the projection restricted to it and its neighbours."""
    from kg.network.projection_parts import open_parts

    _, store = env
    G = cached_project(kg.open(store))
    parts = open_parts(store)
    assert parts is not None and len(parts) == G.number_of_nodes()
    _same_orders(G, parts.graph())
    seen = []
    for actor in ("pemb", "fonds-odd17"):
        H = parts.around([ACTOR + actor])
        near = {ACTOR + actor} | set(G.successors(ACTOR + actor)) | set(G.predecessors(ACTOR + actor))
        assert set(H) == near
        assert list(H.nodes(data=True)) == [(n, d) for n, d in G.nodes(data=True) if n in near]
        for edges in ("edges", "in_edges"):
            got = list(getattr(H, edges)(keys=True, data=True))
            assert got == [
                e for e in getattr(G, edges)(keys=True, data=True) if e[0] in near and e[1] in near
            ]
        seen.append(sorted(H))
    assert seen[0] != seen[1]
    two = parts.around([ACTOR + "fonds-odd17"], hops=2)
    assert set(two) > set(parts.around([ACTOR + "fonds-odd17"]))
    assert ACTOR + "pemb" in parts and ACTOR + "nobody" not in parts


def test_a_stale_projection_node_by_node_is_not_read(env, tmp_path):
    from kg.network.projection_parts import open_parts, parts_path

    _, store = env
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    assert open_parts(copy) is None  # none beside the copy
    shutil.copy(parts_path(store), parts_path(copy))
    assert open_parts(copy) is not None  # the same build id
    artefacts.new_build_id(copy)  # the store changed: stale
    assert open_parts(copy) is None
    cached_project(kg.open(copy))  # the reader projects the store and writes both again
    assert open_parts(copy) is not None
    parts_path(copy).write_bytes(b"KGPP1\n" + b"\xff" * 20)  # a broken file is no error
    assert open_parts(copy) is None


def test_the_projection_of_the_quads_is_the_projection_of_the_store_they_fill():
    """project(quads=...) reads no store: shuffled and repeated quads give the store's projection."""
    import random

    from tiny_graph import ALPHA, BETA, tiny_graph

    graph = tiny_graph()
    quads = list(graph.store)
    shuffled = quads + quads[:7]  # a quad given twice is kept once, as the store keeps it
    random.Random(3).shuffle(shuffled)
    from_store = project(graph)
    _same_orders(from_store, project(None, quads=shuffled))
    _same_orders(from_store, project(None, quads=quads))
    # another graph, another projection: Beta's founding by Alpha taken out
    fewer = [q for q in quads if not (q.subject.value == BETA and q.object.value == ALPHA)]
    assert len(fewer) < len(quads)
    other = project(None, quads=fewer)
    assert other.number_of_edges() < from_store.number_of_edges()
    assert not other.has_edge(ALPHA, BETA) and from_store.has_edge(ALPHA, BETA)


def test_kg_build_writes_the_projection_of_its_store_from_the_records(data_env, tmp_path):
    """The projection ``kg build`` writes from the records it maps (each handed to a RecordProjection) equals
    ``project(store)`` on the curated data, and again after an import (another graph, another projection)."""
    from kg.network.artefacts import build_steps
    from kg.network.projection import PROJECTION_SHAPE
    from kg.network.record_projection import RecordProjection
    from kg.store.build import build
    from kg.store.imports import import_workbook

    def build_once():
        records = RecordProjection()
        where = {"ontology_dir": ROOT / "ontology", "shacl": "off", "generated_at": WHEN}
        report = build(data, store, None, **where, steps=build_steps(records), on_record=records.add)
        assert records.made  # the projection came from the records, not from the store
        return report

    data, _ = data_env("projection-at-build")
    store = tmp_path / "store"
    report = build_once()
    assert report.seconds["projection"] >= 0
    written = artefacts.load(store, "projection", shape=PROJECTION_SHAPE)
    assert written is not None and ATELIER not in written
    _same_orders(project(kg.open(store)), written)
    assert artefacts.load(store, "chains", shape=CHAIN_SHAPE) is not None
    _same(artefacts.load(store, "chains", shape=CHAIN_SHAPE), cached_chain_graph(kg.open(store)))
    # the catalyst's workbook, then a build: its actor is in the projection the build writes
    workbook = ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx"
    import_workbook(workbook, data, store, confirmed=True)
    build_once()
    after = artefacts.load(store, "projection", shape=PROJECTION_SHAPE)
    assert after is not None and ATELIER in after
    _identical(after, project(kg.open(store)))


def _chains(store: Path, source: str, target: str):
    return CliRunner().invoke(app, ["chains", source, target, "--store", str(store), "--format", "json"])


def test_after_an_import_kg_chains_sees_the_new_actor(data_env):
    from kg.store.imports import import_workbook

    data, store = data_env("artefacts-import")
    artefacts.new_build_id(store)
    write_artefacts(store)
    before = _chains(store, ATELIER, "Club Gravelle Entreprendre")
    assert before.exit_code != 0 and "atelier-bois-et-compagnie" in before.output  # unknown before the import
    first = artefacts.build_id(store)
    workbook = ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx"
    import_workbook(workbook, data, store, confirmed=True)
    assert artefacts.build_id(store) != first  # the import renewed the build id: the artefacts are stale
    after = _chains(store, ATELIER, "Club Gravelle Entreprendre")
    assert after.exit_code == 0, after.output
    found = json.loads(after.output)
    assert found and ATELIER in json.dumps(found)
    # the artefacts were saved again by the readers, for the new build id
    assert artefacts.load(store, "chains", shape=CHAIN_SHAPE) is not None
    assert ATELIER in artefacts.load(store, "chains", shape=CHAIN_SHAPE)


# --- a build that only does what changed ------------------------------------------------------------

WHEN = "2026-01-01T00:00:00Z"


def _store_quads(store: Path) -> set:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        return set(s)
    finally:
        del s


def test_an_incremental_build_gives_exactly_the_quads_of_a_full_build(data_env, tmp_path):
    """Store, dump, report and artefacts of an incremental build (the geography neither loaded nor mapped:
    kept beside the store by the build before) are those of a full build of the same data."""
    from pyoxigraph import RdfFormat, serialize

    from kg.model.vocab import PREFIXES
    from kg.network.artefacts import STEPS
    from kg.network.projection import PROJECTION_SHAPE
    from kg.store.build import build, build_quads

    data, _ = data_env("incremental")
    store, dump = tmp_path / "store", tmp_path / "graph.trig"
    where = {"ontology_dir": ROOT / "ontology", "shacl": "curated", "generated_at": WHEN, "steps": STEPS}
    first = build(data, store, dump, **where)
    assert first.mode == "full"
    assert (tmp_path / "store.geography" / "trig").exists()  # what the next build reuses
    before = _store_quads(store)
    again = build(data, store, dump, **where)  # nothing changed: nothing is done
    assert again.mode == "unchanged" and (again.quads, again.graphs) == (first.quads, first.graphs)
    assert _store_quads(store) == before
    actors = data / "curated" / "actors.yaml"
    edits = (('name: "Le RAMEAU"', 'name: "Le RAMEAU (nouveau nom)"'), ("commune:94018", "commune:94069"))
    for old, new in edits:  # each a curated change: its graphs written, its nodes checked
        actors.write_text(actors.read_text().replace(old, new, 1))
        changed = build(data, store, dump, **where)
        assert changed.mode == "incremental"
        full = build(data, tmp_path / "full", tmp_path / "full.trig", **dict(where, shacl="off"))
        assert full.mode == "full"
        after = _store_quads(store)
        assert after == _store_quads(tmp_path / "full") and after != before
        assert dump.read_bytes() == (tmp_path / "full.trig").read_bytes()
        assert (changed.graphs, changed.quads, changed.territories, changed.records) == (
            full.graphs,
            full.quads,
            full.territories,
            full.records,
        )
        both = (store, tmp_path / "full")
        _identical(*(artefacts.load(s, "projection", shape=PROJECTION_SHAPE) for s in both))
        H, K = (artefacts.load(s, "chains", shape=CHAIN_SHAPE) for s in both)
        _same(H, K)
        _same(H.graph[SKELETON], K.graph[SKELETON])
        before = after
        shutil.rmtree(tmp_path / "full")
    # the dump written in parts (records, the kept geography, records) is what one serialize() writes
    quads, _, _ = build_quads(data, ontology_dir=ROOT / "ontology", generated_at=WHEN, validate=False)
    quads.sort(key=lambda q: q.graph_name.value)
    assert dump.read_bytes() == serialize(quads, format=RdfFormat.TRIG, prefixes=PREFIXES)


def test_an_incremental_build_checks_territories_against_the_kept_geography(data_env, tmp_path):
    """Without loading data/geo/, a territory code absent from the geography is still refused (and the
    store left as it was), where a code present in it is taken."""
    from kg.errors import InputError
    from kg.store.build import build

    data, _ = data_env("incremental-territory")
    store, dump = tmp_path / "store", tmp_path / "graph.trig"
    where = {"ontology_dir": ROOT / "ontology", "shacl": "curated", "generated_at": WHEN}
    build(data, store, dump, **where)
    before = _store_quads(store)
    actors = data / "curated" / "actors.yaml"
    text = actors.read_text()
    actors.write_text(text.replace("commune:94018", "commune:94999", 1))  # no such commune
    with pytest.raises(InputError, match="94999"):
        build(data, store, dump, **where)
    assert _store_quads(store) == before
    actors.write_text(text.replace("commune:94018", "commune:94067", 1))  # Vincennes: in the geography
    assert build(data, store, dump, **where).mode == "incremental"
    assert _store_quads(store) != before


def test_a_build_with_nothing_to_do_imports_no_rdflib(tmp_path):
    """Deciding that nothing changed takes file hashes only: kg.store.build imports nothing RDF at its top
    (rdflib alone is ~0.2 s of a 0.4 s ``kg build``), and its default store is the store's."""
    import subprocess
    import sys

    from kg.store import build, graph

    assert build.DEFAULT_STORE == graph.DEFAULT_STORE

    def loaded(modules: str) -> str:
        code = f"import sys, {modules}; print(sorted(m for m in ('rdflib', 'pyshacl') if m in sys.modules))"
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
        return run.stdout.strip()

    assert loaded("kg.store.build") == "[]"
    assert loaded("kg.store.build, kg.store.graph") == "['rdflib']"  # the check sees rdflib when it is there


def test_what_counts_as_unchanged(tmp_path):
    from kg.store.incremental import reusable, unchanged

    fp = {"data": "d", "geo": "g", "ontology": "o", "code": "c", "shacl": "curated", "generated_at": None}
    state = {"inputs": dict(fp), "graphs": {}, "dump": None, "report": {}}
    assert unchanged(state, fp, None) and reusable(state, fp)
    assert not unchanged(state, dict(fp, data="d2"), None) and reusable(state, dict(fp, data="d2"))
    assert not unchanged(state, dict(fp, shacl="full"), None)  # checked less strictly before
    assert unchanged(state, dict(fp, shacl="off"), None)  # checked more strictly before
    assert not unchanged(state, dict(fp, generated_at=WHEN), None)
    assert not reusable(state, dict(fp, geo="g2")) and not reusable(state, dict(fp, code="c2"))
    assert not unchanged(None, fp, None) and not reusable(None, fp)
    # a dump asked for that the last build did not write (or that is gone) is written: not unchanged
    assert not unchanged(state, fp, tmp_path / "graph.trig")
    (tmp_path / "graph.trig").write_text("x")
    assert not unchanged(state, fp, tmp_path / "graph.trig")


def test_shacl_checks_only_the_nodes_it_is_given():
    from pyoxigraph import NamedNode

    from kg.errors import ShapeViolation
    from kg.model import iris
    from kg.model.vocab import RDFS
    from kg.store.build import _Parts, build_quads, check_shapes

    quads, curated, _ = build_quads(ROOT / "data", ontology_dir=ROOT / "ontology", validate=False)
    broken = NamedNode(ACTOR + "le-rameau")
    label = NamedNode(str(RDFS.label))
    kept = [q for q in quads if not (q.subject == broken and q.predicate == label)]
    assert len(kept) < len(quads)

    def parts(qs):
        skip = (iris.GEOGRAPHY_GRAPH, iris.ONTOLOGY_GRAPH)
        return _Parts(
            [q for q in qs if q.graph_name.value not in skip],
            [q for q in qs if q.graph_name.value == iris.ONTOLOGY_GRAPH],
            [q for q in qs if q.graph_name.value == iris.GEOGRAPHY_GRAPH],
        )

    onto = ROOT / "ontology"
    with pytest.raises(ShapeViolation) as everything:
        check_shapes(parts(kept), curated, onto)
    with pytest.raises(ShapeViolation) as focused:
        check_shapes(parts(kept), curated, onto, focus={broken.value})
    assert [str(p) for p in focused.value.problems] == [str(p) for p in everything.value.problems]
    check_shapes(parts(kept), curated, onto, focus={ACTOR + "fonds-odd17"})  # another node: conforms
    check_shapes(parts(quads), curated, onto, focus={broken.value})  # the unbroken data: conforms


def test_the_focus_is_what_changed_and_its_neighbours():
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.store.incremental import changed_focus, subject_digests

    g, p = NamedNode("http://x/g"), NamedNode("http://x/p")
    a, b, c, d = (NamedNode(f"http://x/{n}") for n in "abcd")

    def quads(label_of_b: str) -> list:
        return [
            Quad(a, p, b, g),
            Quad(b, p, Literal(label_of_b), g),
            Quad(b, p, c, g),
            Quad(d, p, Literal("d"), g),
        ]

    old, new = subject_digests(quads("one"), ()), subject_digests(quads("two"), ())
    state = {"subjects": old, "inputs": {"shacl": "curated"}}
    assert changed_focus(state, new, quads("two"), ()) == {"http://x/a", "http://x/b", "http://x/c"}
    assert changed_focus(state, old, quads("one"), ()) == set()  # nothing changed: nothing to check
    assert changed_focus(dict(state, inputs={"shacl": "off"}), new, quads("two"), ()) is None  # never checked


# --- a graph of plain data kept as its marshalled dictionaries, anything else pickled ---------------


def _projection_of_tiny() -> nx.MultiDiGraph:
    from tiny_graph import tiny_graph

    return project(tiny_graph())


def _stored(tmp_path: Path, value: object, name: str = "demo") -> tuple[object, bytes]:
    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    artefacts.new_build_id(store)
    artefacts.save(store, name, value, shape=1)
    return artefacts.load(store, name, shape=1), artefacts.artefact_path(store, name).read_bytes()


@pytest.mark.parametrize("which", ["tiny", "curated"])
def test_a_projection_kept_marshalled_is_the_projection_in_every_order(which, env, tmp_path):
    G = _projection_of_tiny() if which == "tiny" else project(kg.open(env[1]))
    H, raw = _stored(tmp_path, G, "projection")
    assert raw.startswith(b"KGGRAPH1\n")  # its dictionaries marshalled, not a pickle
    assert type(H) is nx.MultiDiGraph
    _same_orders(G, H)
    assert H.adj is not None and H._adj is H._succ  # NetworkX's own views work on it
    assert [list(H.pred[n]) for n in H] == [list(G.pred[n]) for n in G]
    assert H.number_of_edges() == G.number_of_edges() > 0


class Label(str):
    """A subclass of ``str``: marshal would keep it as a plain ``str``, so its graph is pickled."""


def test_other_graphs_and_values_are_kept_as_they_are(tmp_path):
    U = nx.Graph(name="u")
    U.add_edge("a", "b", w=1.5)
    U.add_node("c", flag=True)
    H, raw = _stored(tmp_path, U)
    assert raw.startswith(b"KGGRAPH1\n") and type(H) is nx.Graph
    assert list(H.nodes(data=True)) == [("a", {}), ("b", {}), ("c", {"flag": True})]
    assert list(H.edges(data=True)) == [("a", "b", {"w": 1.5})] and H.graph == {"name": "u"}

    D = nx.DiGraph()
    D.add_edge("a", "b", label=Label("x"))  # a subclass of str: marshal would keep a plain str
    H, raw = _stored(tmp_path, D)
    assert not raw.startswith(b"KGGRAPH1\n") and type(H["a"]["b"]["label"]) is Label  # pickled
    H, raw = _stored(tmp_path, {"a": [1, 2]})
    assert not raw.startswith(b"KGGRAPH1\n") and H == {"a": [1, 2]}


def test_a_marshalled_graph_of_another_build_or_interpreter_is_stale(tmp_path):
    import marshal
    import pickle

    G = _projection_of_tiny()
    _, raw = _stored(tmp_path, G, "projection")
    store = tmp_path / "store"
    path = artefacts.artefact_path(store, "projection")
    head = len(b"KGGRAPH1\n")
    saved, kind = pickle.loads(raw[head:])
    assert saved[-1] == ("marshal", tuple(__import__("sys").version_info[:2]), marshal.version)
    other = pickle.dumps(((*saved[:-1], ("marshal", (3, 99), marshal.version)), kind))
    payload = raw[head + len(pickle.dumps((saved, kind), protocol=pickle.HIGHEST_PROTOCOL)) :]
    path.write_bytes(raw[:head] + other + payload)
    assert artefacts.load(store, "projection", shape=1) is None  # another Python's marshal format
    own = pickle.dumps((saved, kind), protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(raw[:head] + own + payload[: len(payload) // 2])
    assert artefacts.load(store, "projection", shape=1) is None  # cut short: computed again, no error
    path.write_bytes(raw[:head] + own + payload)
    assert artefacts.load(store, "projection", shape=1) is not None  # the same bytes whole, its own stamp
    artefacts.new_build_id(store)
    assert artefacts.load(store, "projection", shape=1) is None  # the store changed
