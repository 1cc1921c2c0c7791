"""The scripts the store writers' child processes run (:mod:`kg.store.write`), each a separate interpreter
(``python -c SCRIPT args``), and what every child runs before them.

* :data:`LOADER`: :class:`kg.store.write.StoreLoader`'s, a whole store bulk-loaded from N-Quads;
* :data:`GRAPH_WRITER` and :data:`TABLES_WRITER`: :class:`kg.store.write.GraphWriter`'s, one named graph
  loaded into a checkpoint and the new store's relation tables.
"""

from __future__ import annotations

__all__ = ["GRAPH_WRITER", "LOADER", "TABLES_WRITER", "die_with_parent"]


def die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(
        1, signal.SIGKILL
    )  # PR_SET_PDEATHSIG: a killed build or import takes its writers along


#: :class:`kg.store.write.StoreLoader`'s child: N-Quads (argv 1) into a new store (argv 2), from a checkpoint of
#: argv 3 when given, in slices of argv 5 bytes, compacted when argv 4 is "1"; the graphs named on its stdin dropped
#: first
LOADER = """
import sys
from pyoxigraph import NamedNode, RdfFormat, Store
nq, path, base, optimize = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
drop = sys.stdin.read().split()
if base:
    Store.read_only(base).backup(path)
store = Store(path)
for g in drop:
    store.remove_graph(NamedNode(g))
# in slices of whole lines (StoreLoader's slice_bytes): one bulk_load of the whole file holds every quad of it
# in memory (1.55 GB for 2.4 M quads), a slice at a time 0.44 GB for the same store. Each bulk_load names its
# blank nodes anew: the lines with one (or with "_:" in a literal) are kept aside and loaded in one last call
blank = []
with open(nq, "rb") as text:
    while lines := text.readlines(int(sys.argv[5])):
        chunk = b"".join(lines)
        if b"_:" in chunk:
            blank += [line for line in lines if b"_:" in line]
            chunk = b"".join(line for line in lines if b"_:" not in line)
        del lines
        store.bulk_load(chunk, format=RdfFormat.N_QUADS)
        del chunk
if blank:
    store.bulk_load(b"".join(blank), format=RdfFormat.N_QUADS)
store.flush()
if optimize:
    store.optimize()
"""

# the graph's N-Quads parsed and loaded while the parent writes them: read from the file as it grows, to its end
# once the parent says it is whole (b"1" on stdin, then end of file; end of file alone: the parent gave up)
GRAPH_WRITER = """
import select, sys
from pyoxigraph import RdfFormat, Store

class Growing:
    def __init__(self, path):
        self.file, self.whole = open(path, "rb"), False

    def read(self, n=-1):
        while True:
            data = self.file.read(n)
            if data or self.whole:
                return data
            if select.select([sys.stdin], [], [], 0.02)[0]:
                if sys.stdin.buffer.read() != b"1":
                    sys.exit("the writer gave up")
                self.whole = True

store = Store(sys.argv[2])
store.bulk_load(Growing(sys.argv[1]), format=RdfFormat.N_QUADS)
store.flush()
"""

# the relation tables of the new store, in the checkpoint's folder (RocksDB ignores it): the old store's (read
# meanwhile) updated with the graph's change, read from the N-Quads once told they are whole (as above); exit
# status 3 when they could not be (the caller writes them in full)
TABLES_WRITER = """
import os, sys
from kg.ingest.geo_tables import collector_paused
from kg.store.columnar_update import import_tables
ready = lambda: sys.stdin.buffer.read() == b"1"
with collector_paused():  # ~10^6 rows and terms, none of them garbage
    done = import_tables(*sys.argv[1:6], min_actors=int(sys.argv[6]), ready=ready)
os._exit(0 if done else 3)  # its tables written and closed: not a row freed one by one
"""
