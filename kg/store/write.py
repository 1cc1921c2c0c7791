"""The only code that writes a graph store: a whole store for ``kg build``, or one named graph.

Two ways, each all-or-nothing:

* :class:`StoreWriter` writes a whole new store from quads in a child process (while
  the parent validates), beside the old one; :func:`swap_dir` then puts it in place
  with two renames (keeping the old one as the previous version). ``kg build`` uses
  them; :func:`clean_leftovers` removes what an interrupted one left.
* :func:`replace_graph` replaces one named graph of an existing store, and its
  description in ``graph:meta``, in one SPARQL update (one transaction). The new quads
  are first added to temporary graphs (``graph:staging/…``) with ``Store.extend``; the
  update then drops the old graph and moves the new one in. The update names graphs
  only — IRIs minted by :mod:`kg.model.iris` and checked by
  :func:`kg.model.iris.check_graph` — and never any data term. Temporary graphs left
  by an interrupted write are dropped by the next one. :func:`drop_graph` removes a
  graph the same way. ``kg import`` uses them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from kg.errors import StoreError
from kg.model import iris
from kg.store.artefacts import new_build_id

__all__ = ["BULK_QUADS", "StoreWriter", "clean_leftovers", "drop_graph", "replace_graph", "swap_dir"]

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

#: above this many quads, the temporary graph is filled by ``Store.bulk_extend`` (no transaction, about
#: four times less work for RocksDB): harmless, since the graph is moved in place by one transaction after
BULK_QUADS = 50_000

#: the update that swaps a graph in; every ``{…}`` is a graph IRI checked by kg.model.iris.check_graph
_REPLACE = """\
{drop_stray}DROP SILENT GRAPH <{graph}> ;
DELETE WHERE {{ GRAPH <{meta}> {{ <{graph}> ?p ?o }} }} ;
MOVE SILENT GRAPH <{staged}> TO GRAPH <{graph}> ;
ADD SILENT GRAPH <{staged_meta}> TO GRAPH <{meta}> ;
DROP SILENT GRAPH <{staged_meta}>"""


def _open(store_path: Path):
    from pyoxigraph import Store

    if not Path(store_path).is_dir():
        raise StoreError(f'no graph store at "{store_path}" (run kg build first)')
    try:
        return Store(str(store_path))
    except OSError as exc:
        raise StoreError(
            f'cannot open the graph store at "{store_path}" for writing: {exc} (is a server or another '
            "command using it? stop it, or import without the store and run kg build)"
        ) from None


def replace_graph(store_path: str | Path, graph_iri: str, quads: Iterable, meta_quads: Iterable = ()) -> None:
    """Replace the named graph *graph_iri* of the store at *store_path*, and its description in ``graph:meta``.

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

    graph = iris.check_graph(graph_iri)
    meta = iris.check_graph(iris.META_GRAPH)
    token = f"{os.getpid()}-{secrets.token_hex(6)}"
    staged, staged_meta = iris.staging_graph(f"{token}-graph"), iris.staging_graph(f"{token}-meta")
    new = [Quad(q.subject, q.predicate, q.object, NamedNode(staged)) for q in quads]
    new += [Quad(q.subject, q.predicate, q.object, NamedNode(staged_meta)) for q in meta_quads]
    s = _open(Path(store_path))
    try:
        stray = [
            iris.check_graph(g.value)
            for g in s.named_graphs()
            if isinstance(g, NamedNode) and g.value.startswith(iris.STAGING_PREFIX)
        ]
        (s.bulk_extend if len(new) > BULK_QUADS else s.extend)(new)
        update = _REPLACE.format(
            drop_stray="".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in stray),
            graph=graph,
            meta=meta,
            staged=staged,
            staged_meta=staged_meta,
        )
        s.update(update)
        s.flush()
        new_build_id(store_path)  # the store changed: what kg build stored beside it is stale
    except OSError as exc:
        # the temporary graphs are invisible once dropped; if this fails too, the next write drops them
        with contextlib.suppress(OSError):
            s.update(f"DROP SILENT GRAPH <{staged}> ;\nDROP SILENT GRAPH <{staged_meta}>")
        raise StoreError(f'cannot write the graph store at "{store_path}": {exc}; it is unchanged') from None
    finally:
        del s


def drop_graph(store_path: str | Path, graph_iri: str) -> None:
    """Remove the named graph *graph_iri* and its description in ``graph:meta``, in one transaction."""
    replace_graph(store_path, graph_iri, (), ())
