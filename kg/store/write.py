"""The only code that writes a graph store: a whole store for ``kg build``, or one named graph.

Two ways, each all-or-nothing:

* :class:`StoreLoader` writes a whole new store from N-Quads text in a child process (while
  the parent validates), beside the old one, from nothing or from a checkpoint of another store; :func:`swap_dir` then puts it in place
  with two renames (keeping the old one as the previous version). ``kg build`` uses
  them; :func:`clean_leftovers` removes what an interrupted one left.
* :func:`replace_graph` replaces one named graph of an existing store, and its
  description in ``graph:meta``: in a checkpoint of the store beside it (RocksDB's backup,
  hard links), where the old graph is removed and the new quads bulk-written, which then
  takes the store's place by :func:`swap_dir`. The store itself is never written, so a
  refused, failed or interrupted write leaves it byte-identical; no transaction holds the
  graph in memory (a SPARQL ``MOVE`` of a 1.27 M-quad graph took minutes and 5 GB).
  :func:`drop_graph` removes a graph the same way. ``kg import`` uses them.
* :class:`GraphWriter` is :func:`replace_graph` in two halves, for ``kg import``: the checkpoint's new
  graph written by a child process (and, when the store's relation tables must be made again, those too)
  *while* the import's checks run in the parent, then :meth:`GraphWriter.finish` swaps it in once they
  passed, or :meth:`GraphWriter.cancel` throws it away (the store untouched either way until the swap).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain, islice
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.model import iris
from kg.store import child_scripts
from kg.store.artefacts import new_build_id

__all__ = [
    "GraphWriter",
    "StoreLoader",
    "clean_leftovers",
    "drop_graph",
    "replace_graph",
    "swap_dir",
]

# --------------------------------------------------------------------------- a whole store


#: bytes of N-Quads text :class:`StoreLoader`'s child bulk-loads at a time (whole lines): the loader's memory grows with
#: what one call loads (at 30,000 actors, 2.4 M quads: 1,554 MB whole, 439 MB by 64 MB slices, 17 % more CPU)
LOAD_SLICE = 64 << 20


class StoreLoader:
    """A child process writing a new store at *path* from N-Quads text, or a checkpoint of another one.

    The text (*blocks*, ``bytes`` each) is written to a file beside *path*, then a child process (a separate
    interpreter that dies with its parent: ``PR_SET_PDEATHSIG``) makes the store at *path*: a checkpoint of
    the store *base* when given (RocksDB's backup, hard links; *base* is opened read-only, never written)
    with the named graphs of *drop* removed, else an empty one; bulk-loads the text into it and, with
    *optimize*, compacts it; the text is bulk-loaded *slice_bytes* at a time (whole lines, :data:`LOAD_SLICE`:
    the child's memory grows with what one call loads). The caller does something else meanwhile (SHACL), then :meth:`wait` (raises
    :class:`~kg.errors.StoreError` on failure) or :meth:`cancel`. A build's records are loaded this way into
    the kept geography's store, out of the build's own process (in it, the bulk load took 1.1 GB at 100,000
    actors, at the build's peak).
    """

    def __init__(
        self,
        blocks: Iterable[bytes],
        path: Path,
        *,
        base: Path | None = None,
        drop: Iterable[str] = (),
        optimize: bool = True,
        slice_bytes: int = LOAD_SLICE,
    ) -> None:
        import subprocess
        import sys

        self.nq = path.with_name(path.name + ".nq")
        self.proc = None
        try:
            with open(self.nq, "wb") as out:
                for block in blocks:
                    out.write(block)
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    child_scripts.LOADER,
                    str(self.nq),
                    str(path),
                    str(base or ""),
                    "1" if optimize else "0",
                    str(slice_bytes),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=child_scripts.die_with_parent,
            )
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n".join(drop).encode())
            self.proc.stdin.close()
            self.proc.stdin = None  # closed: communicate() must not touch it
        except BaseException:
            self.cancel()
            raise

    def wait(self) -> None:
        assert self.proc is not None
        _, err = self.proc.communicate()
        self.nq.unlink(missing_ok=True)
        if self.proc.returncode != 0:
            raise StoreError(f"cannot write the store: {err.decode(errors='replace').strip()[-500:]}")

    def cancel(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
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


def _carry_over(old: Path, new: Path, skip: tuple[str, ...] = ()) -> None:
    """Put in *new* what *old* holds beside RocksDB's files (hard links when possible: the old folder goes),
    except the names in *skip*."""
    for entry in old.iterdir():
        name = entry.name
        if _ROCKSDB.match(name) or (new / name).exists() or name.startswith(".") or name in skip:
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
    from pyoxigraph import NamedNode, Quad

    graph = NamedNode(iris.check_graph(graph_iri))
    store_path = Path(store_path)
    new = [q if q.graph_name == graph else Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    tmp, lock = _checkpoint(store_path, graph, meta_quads)
    try:
        if new:
            from pyoxigraph import Store

            t = Store(str(tmp))
            try:
                t.bulk_extend(new)
                t.flush()
            finally:
                del t
        _swap_in(store_path, tmp)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f'cannot write the graph store at "{store_path}": {exc}; it is unchanged') from None
    finally:
        os.close(lock)


def _checkpoint(store_path: Path, graph, meta_quads: Iterable) -> tuple[Path, int]:
    """Lock the store, checkpoint it beside itself, remove *graph* and its ``graph:meta`` description from the
    checkpoint and write *meta_quads* there: ``(checkpoint folder, lock descriptor)`` (close it when done)."""
    from pyoxigraph import NamedNode, Quad, Store

    meta = NamedNode(iris.check_graph(iris.META_GRAPH))
    new_meta = [Quad(q.subject, q.predicate, q.object, meta) for q in meta_quads]
    tmp = store_path.with_name(f".{store_path.name}.new-{os.getpid()}")
    clean_leftovers(store_path)  # what an interrupted write left: a checkpoint, a store between two renames
    lock = _lock(store_path)  # held until the new folder is in place: no other writer meanwhile
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        s = Store.read_only(str(store_path))  # read-only: not one byte of the store is written
        try:
            if _mostly(s, graph):
                _copy_without(s, tmp, graph)
            else:
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
            t.flush()
        finally:
            del t
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
        raise StoreError(f'cannot write the graph store at "{store_path}": {exc}; it is unchanged') from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
        raise
    return tmp, lock


#: a graph of fewer quads is always removed from a checkpoint (counting the store's quads costs more)
COPY_MIN_QUADS = 100_000


def _mostly(store: Any, graph: Any) -> bool:
    """True when removing *graph* from a checkpoint of *store* costs more than copying every other quad.

    RocksDB removes a quad from each of its indexes in one transaction: about 27 µs a quad on this project's
    machine, against about 15 µs a quad to copy the others into a new store (``bulk_extend``, graph by
    graph); a 50,000-row import (one million quads) beside the default data (330,000) took 27 s to remove and
    the others 5 s to copy. So a graph of at least :data:`COPY_MIN_QUADS` quads and half as many as the rest
    of the store is left behind by a copy instead.
    """
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n = int(next(iter(store.query(count, default_graph=graph)))[0].value)
    return n >= COPY_MIN_QUADS and 2 * n >= len(store) - n


def _copy_without(store: Any, path: Path, graph: Any, batch: int = 500_000) -> None:
    """A new store at *path* with every graph of *store* (its default graph too, and the named graphs
    without quads) but *graph*, copied in batches of *batch* quads (blank nodes keep their identifiers)."""
    from pyoxigraph import DefaultGraph, Store

    kept = [g for g in store.named_graphs() if g != graph]
    new = Store(str(path))
    try:
        for g in kept:
            new.add_graph(g)
        quads = chain.from_iterable(
            store.quads_for_pattern(None, None, None, g) for g in [DefaultGraph(), *kept]
        )
        while part := list(islice(quads, batch)):
            new.bulk_extend(part)
        new.flush()
    finally:
        del new


def _swap_in(store_path: Path, tmp: Path) -> None:
    """Carry over what the store's folder holds beside RocksDB, renew the build id and put the checkpoint
    *tmp* in the store's place."""
    _carry_over(store_path, tmp)
    new_build_id(tmp)  # the store changed: what kg build stored beside it is stale
    swap_dir(tmp, store_path)


def _close_stdin(proc) -> None:
    """Close a child's stdin (end of file for it); ``communicate`` must then not touch it."""
    if proc.stdin is not None:
        with suppress(BrokenPipeError):  # the child is gone: what it said comes with its exit status
            proc.stdin.close()
        proc.stdin = None


class GraphWriter:
    """:func:`replace_graph` in two halves: the new graph written by a child process while the caller checks.

    On creation, the store is locked and checkpointed beside itself, the old graph and its description removed
    from the checkpoint, which gets a new build id, and two children start (separate interpreters): one
    bulk-loads the graph's N-Quads and its new description into the checkpoint, reading the file as it grows;
    with *tables*, the other makes the new store's relation tables in the checkpoint's ``columnar/`` folder,
    reading the old store meanwhile (its tables linked when fresh, else written from it), then the file once
    whole, to update them with the graph's change (:func:`kg.store.columnar_update.import_tables`: the caller
    has nothing to rescan, see :meth:`finish`). The N-Quads are written from *quads*, or later by
    :meth:`write` (``quads=None``: an import starts the writer once its plan is known, and the children work
    while its records are mapped). Meanwhile the store is unchanged and nobody else can write it. Then either
    :meth:`finish` (wait, carry over the rest of the folder, swap the checkpoint in) or :meth:`cancel` (stop
    the children, remove the checkpoint). The children die with their parent (``PR_SET_PDEATHSIG``): a
    killed import leaves the store byte-identical; what it left beside it the next write removes
    (:func:`clean_leftovers`).

    Parameters
    ----------
    store_path, graph_iri, meta_quads
        As :func:`replace_graph`.
    quads : iterable or None
        The graph's quads, ``pyoxigraph.Quad`` or :class:`kg.rdf.mapping.Stated` tuples (the first three
        terms of each are written into *graph_iri*, whatever its fourth); None: given later to :meth:`write`.
    tables : bool
        Also make the new store's relation tables in the checkpoint (when DuckDB is installed).

    Raises
    ------
    StoreError
        When the store cannot be opened or written (it is then unchanged).
    """

    def __init__(
        self,
        store_path: str | Path,
        graph_iri: str,
        quads: Iterable | None,
        meta_quads: Iterable = (),
        *,
        tables: bool = False,
    ) -> None:
        import importlib.util

        from pyoxigraph import NamedNode

        self.graph = graph = NamedNode(iris.check_graph(graph_iri))
        self.store_path = Path(store_path)
        self.done = False
        self.procs: list = []
        # the description goes with the graph's N-Quads (:meth:`write`): the checkpoint only loses the old one
        self.tmp, self._lock = _checkpoint(self.store_path, graph, ())
        self.nq = self.tmp.with_name(self.tmp.name + ".nq")
        self._out = None
        with self._cleaned_on_error():
            new_build_id(
                self.tmp
            )  # the store changes: what kg build stored beside it is stale (tables' stamp)
            # the children first: each starts its own work while this process makes and writes the N-Quads,
            # the graph's reading them as they come, the tables' once they are whole
            self._out = open(self.nq, "wb")  # noqa: SIM115 - closed by write() or _clean()
            self.proc = self._start(child_scripts.GRAPH_WRITER, str(self.nq), str(self.tmp))
            self.tables = None
            if tables and importlib.util.find_spec("duckdb") is not None:
                # the threshold as this process sees it (a test may lower it)
                from kg.store import columnar

                self.tables = self._start(
                    child_scripts.TABLES_WRITER,
                    str(self.store_path),
                    graph.value,
                    str(self.nq),
                    str(self.tmp),
                    iris.META_GRAPH,
                    str(columnar.MIN_ACTORS),
                )
        if quads is not None:
            self.write(quads, meta_quads)

    def write(self, quads: Iterable, meta_quads: Iterable = ()) -> None:
        """Write the graph's *quads*, then its description *meta_quads* (``graph:meta``), as N-Quads for the
        children, and tell them the file is whole (once; a writer made with its quads has done it).

        Raises
        ------
        StoreError
            When the file cannot be written (the writer is then cancelled: the store is unchanged).
        """
        from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

        if self._out is None:
            return
        graph, meta = self.graph, NamedNode(iris.META_GRAPH)
        with self._cleaned_on_error():
            with self._out as out:
                serialize(
                    chain(
                        (Quad(q[0], q[1], q[2], graph) for q in quads),
                        (Quad(q.subject, q.predicate, q.object, meta) for q in meta_quads),
                    ),
                    out,
                    format=RdfFormat.N_QUADS,
                )
            self._out = None
            for proc in self.procs:  # the file is whole
                with suppress(BrokenPipeError):  # a child that ended: its exit status says how (finish)
                    proc.stdin.write(b"1")
                _close_stdin(proc)

    @contextmanager
    def _cleaned_on_error(self) -> Iterator[None]:
        """On any error: the children stopped, the checkpoint removed (the store unchanged); an OSError said
        as a :class:`StoreError`."""
        try:
            yield
        except BaseException as exc:
            self._clean()
            if isinstance(exc, OSError):
                raise StoreError(
                    f'cannot write the store at "{self.store_path}": {exc}; it is unchanged'
                ) from None
            raise

    def _start(self, script: str, *args: str):
        import subprocess
        import sys

        proc = subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=child_scripts.die_with_parent,
        )
        self.procs.append(proc)
        return proc

    def finish(self, before_swap: Callable[[Path, bool], None] | None = None) -> None:
        """Wait for the children, then put the new store in place.

        Parameters
        ----------
        before_swap : callable, optional
            Called with the checkpoint's folder, once written, and whether its relation tables were brought
            up to date by the tables child (*tables*; else, when asked, none are there: the caller may write
            them from the checkpoint); the checkpoint then takes the store's place.

        Raises
        ------
        StoreError
            When the graph's child failed or the folder cannot be swapped; the store is then unchanged.
        """
        if self.done:
            return
        try:
            _, err = self.proc.communicate()
            if self.proc.returncode != 0:
                msg = err.decode(errors="replace").strip()[-500:]
                raise StoreError(
                    f'cannot write the graph store at "{self.store_path}": {msg}; it is unchanged'
                )
            updated = False
            if self.tables is not None:
                self.tables.communicate()
                updated = self.tables.returncode == 0  # else made from the whole new store by the caller
                if not updated:
                    shutil.rmtree(self.tmp / "columnar", ignore_errors=True)
            self.nq.unlink(missing_ok=True)
            _carry_over(self.store_path, self.tmp, skip=("columnar",) if self.tables is not None else ())
            if before_swap is not None:
                before_swap(self.tmp, updated)
            swap_dir(self.tmp, self.store_path)
        except OSError as exc:
            raise StoreError(
                f'cannot write the graph store at "{self.store_path}": {exc}; it is unchanged'
            ) from None
        finally:
            self._clean()

    def cancel(self) -> None:
        """Stop the children and remove the checkpoint: the store stays as it was (nothing to do once finished)."""
        self._clean()

    def _clean(self) -> None:
        if self.done:
            return
        self.done = True
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            _close_stdin(proc)
            if proc.stderr is not None:
                proc.stderr.close()
        if self._out is not None:
            self._out.close()
            self._out = None
        self.nq.unlink(missing_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        os.close(self._lock)


def drop_graph(store_path: str | Path, graph_iri: str) -> None:
    """Remove the named graph *graph_iri* and its description in ``graph:meta``, in one transaction."""
    replace_graph(store_path, graph_iri, (), ())
