"""The only code that writes a graph store: a whole store for ``kg build``, or one named graph.

Two ways, each all-or-nothing:

* :class:`StoreWriter` writes a whole new store from quads in a child process (while
  the parent validates), beside the old one; :func:`swap_dir` then puts it in place
  with two renames (keeping the old one as the previous version). ``kg build`` uses
  them; :func:`clean_leftovers` removes what an interrupted one left.
* :func:`replace_graph` replaces one named graph of an existing store, and its
  description in ``graph:meta``: in a checkpoint of the store beside it (RocksDB's backup,
  hard links), where the old graph is removed and the new quads bulk-written, which then
  takes the store's place by :func:`swap_dir`. The store itself is never written, so a
  refused, failed or interrupted write leaves it byte-identical; no transaction holds the
  graph in memory (a SPARQL ``MOVE`` of a 1.27 M-quad graph took minutes and 5 GB).
  :func:`drop_graph` removes a graph the same way. ``kg import`` uses them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from kg.errors import StoreError
from kg.model import iris
from kg.store.artefacts import new_build_id

__all__ = ["StoreWriter", "clean_leftovers", "drop_graph", "replace_graph", "swap_dir"]

# --------------------------------------------------------------------------- a whole store

_WRITER = """
import sys
from pyoxigraph import RdfFormat, Store
store = Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=RdfFormat.N_QUADS)
store.flush()
store.optimize()  # compacted once: every later read is faster (4x for national questions at 100k)
"""


class StoreWriter:
    """A child process writing a new store at *path* from *quads* while the parent does something else.

    A separate interpreter (not a fork: pyoxigraph's thread pools do not survive fork).
    Call :meth:`wait` to finish (raises :class:`~kg.errors.StoreError` on failure) or
    :meth:`cancel` to stop it.
    """

    def __init__(self, quads: list, path: Path) -> None:
        import subprocess
        import sys

        from pyoxigraph import RdfFormat, serialize

        self.nq = path.with_name(path.name + ".nq")
        with open(self.nq, "wb") as out:
            serialize(quads, out, format=RdfFormat.N_QUADS)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(self.nq), str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        _, err = self.proc.communicate()
        self.nq.unlink(missing_ok=True)
        if self.proc.returncode != 0:
            raise StoreError(f"cannot write the store: {err.decode(errors='replace').strip()[-500:]}")

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.nq.unlink(missing_ok=True)


def swap_dir(new: Path, target: Path, *, previous: Path | None = None) -> None:
    """Replace the folder *target* by *new* (rename, then delete the old one, or keep it as *previous*).

    With *previous*, the old *target* replaces the folder *previous* (one previous version).
    """
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None and previous is not None:
        stale = previous.with_name(f".{previous.name}.old-{os.getpid()}")
        if previous.exists():
            os.replace(previous, stale)
        os.replace(old, previous)
        old = stale
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(*paths: Path) -> list[Path]:
    """Remove what an interrupted write of each of *paths* (a store, a dump) left beside it.

    The hidden ``.<name>.new-<pid>`` folders and files (and their ``.nq``) of processes that
    are gone are removed; an ``.<name>.old-<pid>`` is put back when ``<name>`` is missing
    (the run died between two renames), else removed. See :func:`kg.ingest.history.clean_stale`.
    """
    from kg.ingest.history import clean_stale

    done: list[Path] = []
    for path in paths:
        path = Path(path)
        done += clean_stale(path.parent, lambda name, path=path: name == path.name)  # type: ignore[misc]
    return done


# --------------------------------------------------------------------------- one named graph

#: the RocksDB files of a store: everything else in its folder (the build id, the build state, the relation
#: tables) is carried over by :func:`replace_graph` to the new folder
_ROCKSDB = re.compile(
    r"^(\d+\.(sst|log|blob)|CURRENT|IDENTITY|LOCK|LOG(\.old\..*)?|MANIFEST-\d+|OPTIONS-\d+)$"
)


def _lock(store_path: Path) -> int:
    """Hold RocksDB's lock of the store at *store_path* (so that no one opens it for writing) without opening it.

    An open-file-description lock (Linux): unlike a process' record lock, opening and closing the store
    read-only in this process does not release it. Close the returned descriptor to release it.
    """
    import fcntl
    import struct

    if not Path(store_path).is_dir():
        raise StoreError(f'no graph store at "{store_path}" (run kg build first)')
    try:
        fd = os.open(Path(store_path) / "LOCK", os.O_RDWR)
    except OSError as exc:
        raise StoreError(f'no graph store at "{store_path}" ({exc}; run kg build first)') from None
    try:
        fcntl.fcntl(
            fd, getattr(fcntl, "F_OFD_SETLK", fcntl.F_SETLK), struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0)
        )
    except OSError as exc:
        os.close(fd)
        raise StoreError(
            f'cannot open the graph store at "{store_path}" for writing: {exc} (is a server or another '
            "command using it? stop it, or import without the store and run kg build)"
        ) from None
    return fd


def _carry_over(old: Path, new: Path) -> None:
    """Put in *new* what *old* holds beside RocksDB's files (hard links when possible: the old folder goes)."""
    for entry in old.iterdir():
        if _ROCKSDB.match(entry.name) or (new / entry.name).exists() or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, new / entry.name, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, new / entry.name)


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def replace_graph(store_path: str | Path, graph_iri: str, quads: Iterable, meta_quads: Iterable = ()) -> None:
    """Replace the named graph *graph_iri* of the store at *store_path*, and its description in ``graph:meta``.

    The store is locked (RocksDB's lock: no other writer can open it meanwhile), opened read-only and
    checkpointed beside itself (``.<name>.new-<pid>``: RocksDB's backup, hard links to the unchanged files); the checkpoint's
    graph is removed and the new quads written into it directly (``Store.bulk_extend``: no transaction
    held in memory), the description in ``graph:meta`` replaced, and the checkpoint then takes the store's
    place by :func:`swap_dir` (two renames). The store itself is never written: a failure or an interruption
    at any point leaves it as it was (what an interruption leaves beside it, :func:`clean_leftovers` removes).

    Parameters
    ----------
    store_path : path
        Folder of an existing store.
    graph_iri : str
        The graph to replace (minted by :mod:`kg.model.iris`; checked).
    quads : iterable of pyoxigraph.Quad
        Its new content (their graph names are ignored); none to remove the graph.
    meta_quads : iterable of pyoxigraph.Quad
        The new description of the graph in ``graph:meta`` (the old one, every triple
        whose subject is *graph_iri*, is removed).

    Raises
    ------
    StoreError
        When the store cannot be opened or written; it is then unchanged.
    """
    from pyoxigraph import NamedNode, Quad, Store

    graph = NamedNode(iris.check_graph(graph_iri))
    meta = NamedNode(iris.check_graph(iris.META_GRAPH))
    store_path = Path(store_path)
    new = [q if q.graph_name == graph else Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    new_meta = [Quad(q.subject, q.predicate, q.object, meta) for q in meta_quads]
    tmp = store_path.with_name(f".{store_path.name}.new-{os.getpid()}")
    clean_leftovers(store_path)  # what an interrupted write left: a checkpoint, a store between two renames
    lock = _lock(store_path)  # held until the new folder is in place: no other writer meanwhile
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        s = Store.read_only(str(store_path))  # read-only: not one byte of the store is written
        try:
            s.backup(str(tmp))
        finally:
            del s
        t = Store(str(tmp))
        try:
            stray = [
                g
                for g in t.named_graphs()
                if isinstance(g, NamedNode) and g.value.startswith(iris.STAGING_PREFIX)
            ]  # temporary graphs of an interrupted write by an older version of this function
            for g in [*stray, graph]:
                t.remove_graph(g)
            for q in list(t.quads_for_pattern(graph, None, None, meta)):
                t.remove(q)
            t.extend(new_meta)
            if new:
                t.bulk_extend(new)
            t.flush()
        finally:
            del t
        _carry_over(store_path, tmp)
        new_build_id(tmp)  # the store changed: what kg build stored beside it is stale
        swap_dir(tmp, store_path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f'cannot write the graph store at "{store_path}": {exc}; it is unchanged') from None
    finally:
        os.close(lock)


def drop_graph(store_path: str | Path, graph_iri: str) -> None:
    """Remove the named graph *graph_iri* and its description in ``graph:meta``, in one transaction."""
    replace_graph(store_path, graph_iri, (), ())
