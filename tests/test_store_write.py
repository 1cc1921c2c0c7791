"""kg.store.write.replace_graph: a graph replaced in a checkpoint swapped in, never in place.

Real stores (a copy of the built data folder), a real child process killed with SIGKILL mid-write.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
G = "https://w3id.org/territorial-kg/graph/import/essai"
ID = "https://w3id.org/territorial-kg/id/"


@pytest.fixture
def store(data_env) -> Path:
    return data_env("write")[1]


def _quads(n: int, tag: str) -> list:
    from pyoxigraph import Literal, NamedNode, Quad

    return [
        Quad(
            NamedNode(f"{ID}actor/{tag}-{i}"),
            NamedNode("urn:p"),
            Literal(f"{tag} {i}"),
            NamedNode("urn:ignored"),
        )
        for i in range(n)
    ]


def _meta(tag: str) -> list:
    from pyoxigraph import Literal, NamedNode, Quad

    return [Quad(NamedNode(G), NamedNode("urn:label"), Literal(tag), NamedNode("urn:ignored"))]


def _graph(store: Path, iri: str) -> set:
    from pyoxigraph import NamedNode, Store

    s = Store.read_only(str(store))
    try:
        return {
            (q.subject.value, q.object.value) for q in s.quads_for_pattern(None, None, None, NamedNode(iri))
        }
    finally:
        del s


def _description(store: Path) -> set:
    from pyoxigraph import NamedNode, Store

    from kg.model import iris

    s = Store.read_only(str(store))
    try:
        return {
            q.object.value for q in s.quads_for_pattern(NamedNode(G), None, None, NamedNode(iris.META_GRAPH))
        }
    finally:
        del s


def _files(store: Path) -> dict[str, str]:
    return {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file()
    }


def test_replace_then_replace_again_then_drop(store):
    from kg.store.artefacts import build_id
    from kg.store.write import drop_graph, replace_graph

    others = set(_all(store))
    (store / "beside").mkdir()
    (store / "beside" / "table").write_text("kept")
    first_id = build_id(store)
    replace_graph(store, G, _quads(3, "a"), _meta("un"))
    assert _graph(store, G) == {(f"{ID}actor/a-{i}", f"a {i}") for i in range(3)}
    assert _description(store) == {"un"}
    assert build_id(store) not in (None, first_id)  # renewed: the artefacts beside the store are stale
    assert (store / "beside" / "table").read_text() == "kept"  # what the folder held beside RocksDB
    replace_graph(store, G, _quads(2, "b"), _meta("deux"))  # a different answer: the old graph is gone
    assert _graph(store, G) == {(f"{ID}actor/b-{i}", f"b {i}") for i in range(2)}
    assert _description(store) == {"deux"}
    drop_graph(store, G)
    assert not _graph(store, G) and not _description(store)
    assert set(_all(store)) == others  # every other graph as it was
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]  # no checkpoint left


@pytest.mark.parametrize("copy", [False, True], ids=["graph removed", "other graphs copied"])
def test_the_old_graph_is_left_behind_by_removal_or_by_copy_with_the_same_store(tmp_path, monkeypatch, copy):
    """A big graph is not removed from the checkpoint but left behind by copying the rest (kg.store.write
    ._mostly): the same store either way, blank nodes, the default graph and an empty named graph kept."""
    from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

    from kg.model import iris
    from kg.store import write

    path = tmp_path / "store"
    s = Store(str(path))
    b, other, empty = BlankNode("b1"), NamedNode("urn:x-other"), NamedNode("urn:x-empty")
    s.extend(
        [
            Quad(NamedNode("urn:s"), NamedNode("urn:p"), b, other),
            Quad(b, NamedNode("urn:p"), Literal("blank", language="fr"), other),
            Quad(NamedNode("urn:s"), NamedNode("urn:p"), Literal("default"), DefaultGraph()),
            Quad(NamedNode(G), NamedNode("urn:label"), Literal("old"), NamedNode(iris.META_GRAPH)),
            *(Quad(q.subject, q.predicate, q.object, NamedNode(G)) for q in _quads(50, "old")),
        ]
    )
    s.add_graph(empty)
    s.flush()
    del s
    kept = {q for q in _all(path) if q.graph_name != NamedNode(G) and q.subject != NamedNode(G)}
    # the graph (50 quads) against the rest (4): copied only when the threshold allows it
    monkeypatch.setattr(write, "COPY_MIN_QUADS", 1 if copy else 10**9)
    chosen: list = []
    original = write._copy_without
    monkeypatch.setattr(write, "_copy_without", lambda *a, **k: chosen.append(a) or original(*a, **k))
    write.replace_graph(path, G, _quads(2, "new"), _meta("new"))
    assert bool(chosen) is copy
    after = _all(path)
    assert {q for q in after if q.graph_name != NamedNode(G) and q.subject != NamedNode(G)} == kept
    assert _graph(path, G) == {(f"{ID}actor/new-{i}", f"new {i}") for i in range(2)}
    assert _description(path) == {"new"}
    s = Store.read_only(str(path))
    assert set(s.named_graphs()) == {other, empty, NamedNode(G), NamedNode(iris.META_GRAPH)}
    del s


def _all(store: Path) -> set:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        return set(s)
    finally:
        del s


_KILLED = """
import os, signal, sys
from pathlib import Path
import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad
from kg.store.write import replace_graph

real = pyoxigraph.Store.bulk_extend
def die(self, quads):
    real(self, list(quads)[:1000])  # part of the graph is in the checkpoint, then kill -9
    os.kill(os.getpid(), signal.SIGKILL)
pyoxigraph.Store.bulk_extend = die
quads = [Quad(NamedNode(f"{sys.argv[2]}actor/k-{i}"), NamedNode("urn:p"), Literal(str(i)))
         for i in range(5000)]
replace_graph(Path(sys.argv[1]), sys.argv[3], quads)
"""


def test_a_write_killed_midway_leaves_the_store_byte_identical_and_the_next_one_cleans(store):
    from kg.store.write import replace_graph

    replace_graph(store, G, _quads(3, "a"), _meta("un"))
    before = _files(store)
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED, str(store), ID, G], cwd=ROOT, capture_output=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    left = [p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.new-")]
    assert left  # the half-written checkpoint, beside the store
    assert _files(store) == before  # the store itself: not one byte changed
    assert _graph(store, G) == {(f"{ID}actor/a-{i}", f"a {i}") for i in range(3)}
    replace_graph(store, G, _quads(1, "c"), _meta("trois"))
    assert _graph(store, G) == {(f"{ID}actor/c-0", "c 0")}
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]


def test_a_store_left_between_two_renames_is_put_back(store):
    from kg.store.write import replace_graph

    replace_graph(store, G, _quads(2, "a"), _meta("un"))
    dead = 2**22 + 12345  # above pid_max's default: no such process
    os.replace(store, store.with_name(f".{store.name}.old-{dead}"))
    replace_graph(store, G, _quads(1, "b"), _meta("deux"))
    assert _graph(store, G) == {(f"{ID}actor/b-0", "b 0")}


def test_a_store_another_process_writes_is_refused_and_left_alone(store):
    from kg.errors import StoreError
    from kg.store.write import replace_graph

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import pyoxigraph, sys; s = pyoxigraph.Store({str(store)!r}); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
    )
    try:
        import time

        for _ in range(100):  # until the child holds the store (no timing asserted)
            if _lock_taken(store):
                break
            time.sleep(0.1)
        with pytest.raises(StoreError, match="another"):
            replace_graph(store, G, _quads(1, "a"), _meta("un"))
    finally:
        holder.communicate(b"")
    assert not _graph(store, G)
    replace_graph(store, G, _quads(1, "a"), _meta("un"))  # once it is gone, the write goes through
    assert _graph(store, G) == {(f"{ID}actor/a-0", "a 0")}


def _lock_taken(store: Path) -> bool:
    import fcntl

    fd = os.open(store / "LOCK", os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


# ----------------------------------------------------------------- GraphWriter: written while checked


def test_a_graph_written_while_checked_is_swapped_in_only_when_finished(store):
    from kg.store.artefacts import build_id
    from kg.store.write import GraphWriter, replace_graph

    replace_graph(store, G, _quads(3, "a"), _meta("un"))
    others = {q for q in _all(store) if q.graph_name.value != G}
    before, first_id = _files(store), build_id(store)
    (store / "beside").mkdir()
    (store / "beside" / "table").write_text("kept")
    writer = GraphWriter(store, G, _quads(4, "b"), _meta("deux"))
    writer.proc.wait()  # the child has written the checkpoint: the store is still the old one
    assert {k: v for k, v in _files(store).items() if not k.startswith("beside")} == before
    assert _graph(store, G) == {(f"{ID}actor/a-{i}", f"a {i}") for i in range(3)}
    writer.finish()
    assert _graph(store, G) == {(f"{ID}actor/b-{i}", f"b {i}") for i in range(4)}
    assert _description(store) == {"deux"}
    assert {q for q in _all(store) if q.graph_name.value != G} - {
        q for q in _all(store) if q.subject.value == G
    } == others - {q for q in others if q.subject.value == G}
    assert build_id(store) not in (None, first_id)
    assert (store / "beside" / "table").read_text() == "kept"
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]
    writer.cancel()  # once finished: nothing to do
    assert _graph(store, G) == {(f"{ID}actor/b-{i}", f"b {i}") for i in range(4)}


def test_a_graph_written_while_checked_then_cancelled_leaves_the_store_byte_identical(store):
    from kg.store.write import GraphWriter, replace_graph

    replace_graph(store, G, _quads(2, "a"), _meta("un"))
    before = _files(store)
    writer = GraphWriter(store, G, _quads(5000, "b"), _meta("deux"))
    writer.cancel()  # a refused import: the child stopped, the checkpoint removed
    assert _files(store) == before
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]
    writer = GraphWriter(store, G, _quads(1, "c"), _meta("trois"))  # the lock was released
    writer.proc.wait()
    writer.cancel()  # also once the child is done
    assert _files(store) == before
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]


def _children() -> list[str]:
    """The command lines of this process' live children."""
    out = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            if (
                int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()
                and stat.rsplit(")", 1)[1].split()[0] != "Z"
            ):
                out.append((proc / "cmdline").read_bytes().decode(errors="replace"))
        except (OSError, ValueError, IndexError):
            continue
    return out


def test_the_writers_children_start_before_the_graph_is_written_and_read_it_as_it_grows(store):
    # (before: both started once the N-Quads file was whole, so none ran while the quads were written)
    import time

    from kg.store.write import GraphWriter

    running: list = []

    def quads():
        for i, q in enumerate(_quads(3000, "g")):
            if i == 1500:  # halfway: both children already at work, the graph's reading a file not yet whole
                running.extend(c for c in _children() if "bulk_load" in c or "import_tables" in c)
                time.sleep(0.3)
            yield q

    GraphWriter(store, G, quads(), _meta("g"), tables=True).finish()
    assert len(running) == 2, running
    assert _graph(store, G) == {(f"{ID}actor/g-{i}", f"g {i}") for i in range(3000)}
    assert _description(store) == {"g"}


def _orgs(n: int, tag: str) -> list:
    """*n* organisations with a label and a membership: enough of them (MIN_ACTORS) for relation tables."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.store.columnar import PREDICATES

    typ, org = NamedNode(PREDICATES["type"]), NamedNode("http://www.w3.org/ns/org#Organization")
    label, member = NamedNode(PREDICATES["label"]), NamedNode(PREDICATES["member"])
    out = []
    for i in range(n):
        a = NamedNode(f"{ID}actor/{tag}-{i}")
        out += [Quad(a, typ, org), Quad(a, label, Literal(f"{tag} {i}", language="fr"))]
        if i:
            out.append(Quad(a, member, NamedNode(f"{ID}actor/{tag}-0")))
    return out


def test_a_graph_written_while_checked_brings_the_tables_up_to_date_as_a_full_write_would(store, tmp_path):
    import duckdb  # noqa: F401  # a dev dependency: missing, the test fails (never skipped)
    from conftest import duckdb_tables

    from kg.store.columnar import fresh_tables, tables_dir, write_tables
    from kg.store.write import GraphWriter

    seen: list = []

    def before_swap(tmp: Path, updated: bool) -> None:  # the graph is written when the caller is called
        seen.append((updated, len(_graph(tmp, G))))

    def full(tag: str) -> dict:
        from pyoxigraph import Store

        s = Store.read_only(str(store))
        try:
            return duckdb_tables(write_tables(s, tmp_path / tag))
        finally:
            del s

    # the tests' store has no tables (39 organisations): made from it by the child, then updated
    assert fresh_tables(store) is None
    GraphWriter(store, G, _orgs(150, "t"), _meta("x"), tables=True).finish(before_swap)
    assert seen == [(True, 150 + 150 + 149)]  # (subject, object) of its types, labels and memberships
    assert fresh_tables(store) is not None  # stamped with the new store's build id
    first = duckdb_tables(tables_dir(store) / "tables.duckdb")
    assert first == full("one")
    # fresh tables, carried over and updated: 150 actors leave, 120 others come (rows removed and added)
    GraphWriter(store, G, _orgs(120, "u"), _meta("y"), tables=True).finish()
    assert fresh_tables(store) is not None
    second = duckdb_tables(tables_dir(store) / "tables.duckdb")
    assert second == full("two") and second != first
    # below MIN_ACTORS again: no tables, as a full write_store_tables leaves
    GraphWriter(store, G, _orgs(3, "v"), _meta("z"), tables=True).finish()
    assert not tables_dir(store).exists()
    # not asked: the old folder's tables carried over as they were, stale (a new build id)
    seen.clear()
    GraphWriter(store, G, _quads(1, "w"), _meta("z")).finish(before_swap)
    assert seen == [(False, 1)]


_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from pyoxigraph import Literal, NamedNode, Quad
from kg.store.write import GraphWriter

quads = [Quad(NamedNode(f"{sys.argv[2]}actor/k-{i}"), NamedNode("urn:p"), Literal(str(i)))
         for i in range(200000)]
w = GraphWriter(Path(sys.argv[1]), sys.argv[3], quads)
print(w.proc.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the import dies while its checks run
"""


def test_an_import_killed_while_its_graph_is_written_takes_the_writer_along(store):
    from kg.store.write import replace_graph

    replace_graph(store, G, _quads(3, "a"), _meta("un"))
    before = _files(store)
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(store), ID, G], cwd=ROOT, capture_output=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    child = int(proc.stdout.decode().split()[0])
    import time

    for _ in range(100):  # PR_SET_PDEATHSIG: the kernel kills the writer (no timing asserted)
        if not _running(child):
            break
        time.sleep(0.1)
    assert not _running(child)
    assert _files(store) == before
    replace_graph(store, G, _quads(1, "c"), _meta("trois"))
    assert _graph(store, G) == {(f"{ID}actor/c-0", "c 0")}
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".")]


def _running(pid: int) -> bool:
    """Whether *pid* runs (a zombie, dead but not yet reaped by whoever adopted it, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


# ----------------------------------------------------------------- StoreLoader: kg build's whole new store

_KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize
from kg.store.write import StoreLoader

target = Path(sys.argv[1])
g = NamedNode(sys.argv[3])
quads = [Quad(NamedNode(f"{sys.argv[2]}actor/k-{i}"), NamedNode("urn:p"), Literal(str(i)), g)
         for i in range(1000)]
new = target.with_name(f".{target.name}.new-{os.getpid()}")
w = StoreLoader([serialize(quads, format=RdfFormat.N_QUADS)], new)
os.kill(w.proc.pid, signal.SIGSTOP)  # held mid-write, whatever its speed: only its parent's death ends it
print(w.proc.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the build dies while it validates
"""


def test_a_build_killed_while_its_store_is_written_takes_the_writer_along(tmp_path):
    """Unlike the import's (a graph in a checkpoint of an existing store), kg build's writer makes a whole
    new store beside the target: killed with its parent, it writes no further; the half-made store and its
    N-Quads are what the next write removes, and the target is never made."""
    target = tmp_path / "store"
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_BUILD, str(target), ID, G], cwd=ROOT, capture_output=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    child = int(proc.stdout.decode().split()[0])
    import time

    try:
        for _ in range(100):  # PR_SET_PDEATHSIG: the kernel kills the stopped writer (no timing asserted)
            if not _running(child):
                break
            time.sleep(0.1)
        assert not _running(child)  # without it, the writer would stay stopped forever
    finally:
        if _running(child):
            os.kill(child, signal.SIGKILL)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left and all(name.startswith(".store.new-") for name in left), left  # the store and/or its .nq
    assert not target.exists()
    from kg.store.write import clean_leftovers

    assert clean_leftovers(target)
    assert not list(tmp_path.iterdir())


def test_the_tables_child_reads_the_same_relation_rows_from_the_n_quads_text_as_from_parsed_quads(tmp_path):
    """kg.store.columnar_update.nquads_relation_rows (IRIs from the line's text, literals parsed) gives
    relation_rows' rows: on labels with spaces, quotes, escapes and languages, typed dates, IRIs, a type
    the tables skip; and None, as relation_rows, when a relation has a blank node."""
    from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse, serialize

    from kg.store.columnar import PREDICATES
    from kg.store.columnar_update import nquads_relation_rows, relation_rows

    p = {k: NamedNode(v) for k, v in PREDICATES.items()}
    a, b, g = NamedNode(f"{ID}actor/a"), NamedNode(f"{ID}actor/b-é"), NamedNode(G)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    quads = [
        Quad(a, p["label"], Literal('Club « Gravel » "entreprendre"\n\\ 2', language="fr"), g),
        Quad(a, p["label"], Literal("Sans-espace"), g),
        Quad(a, p["startDate"], Literal("2024-01-02", datatype=NamedNode(xsd + "date")), g),
        Quad(a, p["amount"], Literal("12.5", datatype=NamedNode(xsd + "decimal")), g),
        Quad(a, p["member"], b, g),
        Quad(b, p["type"], NamedNode("http://www.w3.org/ns/org#Organization"), g),
        Quad(b, p["type"], NamedNode("urn:not-a-class-of-the-tables"), g),
        Quad(b, NamedNode("urn:other"), a, g),
    ]

    def both(qs: list) -> tuple:
        nq = tmp_path / "g.nq"
        with open(nq, "wb") as out:
            serialize(qs, out, format=RdfFormat.N_QUADS)
        text = nquads_relation_rows(nq, chunk=2)
        parsed = relation_rows(parse(path=str(nq), format=RdfFormat.N_QUADS))
        return (None if text is None else {k: r for k, (r, _) in text.items()}), (
            None if parsed is None else {k: r for k, (r, _) in parsed.items()}
        )

    text, parsed = both(quads)
    assert text == parsed and text is not None and len(text) == 6
    assert both([*quads, Quad(BlankNode("x"), p["member"], a, g)]) == (None, None)
    assert both([*quads, Quad(a, p["member"], BlankNode("y"), g)]) == (None, None)
