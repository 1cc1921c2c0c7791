"""The projection kept node by node beside the store, so that a view reads only the nodes it draws.

``kg build`` writes the projection (:func:`kg.network.projection.project`) twice: whole, as a NetworkX
graph (``<store>.projection.pickle``, its dictionaries marshalled by :func:`kg.store.artefacts.save`: what
:func:`~kg.network.projection.cached_project` returns to readers that need every node), and **node by
node** in ``<store>.projparts.bin``:

- a header: the build's stamp (:func:`kg.store.artefacts.stamp`), the nodes' IRIs in the graph's order
  (one UTF-8 text), the offsets of their records, and the graph's attributes;
- one record per node, pickled alone: its attributes, its out-edges ``(neighbour id, {key: attributes})``
  in the graph's order, and the ids of the nodes pointing at it, in the graph's order.

:func:`open_parts` reads the header (tens of milliseconds at 180,000 nodes) and memory-maps the records;
:meth:`Parts.around` reads the records of a selection and of its neighbours and returns them as a
:class:`networkx.MultiDiGraph` **equal to the whole projection restricted to those nodes**: same nodes,
attributes, edges, keys, and the same order of nodes, successors and predecessors (a view draws the
same page from it as from the whole graph). :meth:`Parts.graph` gives the whole graph the same way.

>>> import networkx as nx, tempfile
>>> G = nx.MultiDiGraph(documents="{}")
>>> G.add_node("b", label="B"); G.add_node("a", label="A"); G.add_node("c", label="C")
>>> _ = G.add_edge("a", "b", kind="adhesion"); _ = G.add_edge("c", "a", kind="soutien")
>>> folder = Path(tempfile.mkdtemp()) / "store"
>>> folder.mkdir()
>>> write_parts(folder, G)
>>> parts = open_parts(folder)
>>> H = parts.around(["b"])                     # b and its neighbour a; not c, two hops away
>>> list(H.nodes), list(H.edges(keys=True)), H.graph["documents"]
(['b', 'a'], [('a', 'b', 0)], '{}')
>>> "c" in parts, "z" in parts
(True, False)
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["PARTS_FILE", "PARTS_SHAPE", "Parts", "open_parts", "parts_path", "write_parts"]

#: the shape of the records; a file written for another shape is not read
PARTS_SHAPE = 1
#: the file's name beside the store: ``<store>.projparts.bin``
PARTS_FILE = "projparts.bin"
_MAGIC = b"KGPP1\n"
_HEAD = struct.Struct("<Q")  # the header's length, after the magic


def parts_path(store_path: str | Path) -> Path:
    """Where the projection node by node of the store at *store_path* is kept."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.{PARTS_FILE}")


def write_parts(store_path: str | Path, G: Any) -> None:
    """Keep the projection *G* node by node beside the store (written aside, then renamed).

    A read-only folder is no error: readers then load the whole projection.
    """
    from kg.store.artefacts import stamp

    store_path = Path(store_path)
    nodes = list(G._node)
    index = {n: i for i, n in enumerate(nodes)}
    succ, pred, node = G._succ, G._pred, G._node
    dumps = pickle.dumps
    proto = pickle.HIGHEST_PROTOCOL
    offsets = array("Q", [0])
    chunks: list[bytes] = []
    total = 0
    for n in nodes:
        out = [(index[b], keys) for b, keys in succ[n].items()]
        ins = [index[a] for a in pred[n]]
        blob = dumps((node[n], out, ins), proto)
        chunks.append(blob)
        total += len(blob)
        offsets.append(total)
    header = dumps(
        (
            stamp(store_path, PARTS_SHAPE),
            {
                "iris": "\n".join(nodes).encode("utf-8"),
                "offsets": offsets.tobytes(),
                "graph": dict(G.graph),
            },
        ),
        proto,
    )
    path = parts_path(store_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(_MAGIC)
            f.write(_HEAD.pack(len(header)))
            f.write(header)
            f.writelines(chunks)  # no joined copy of them all
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


class Parts:
    """The projection node by node (:func:`open_parts`): membership, and the graph around a selection."""

    def __init__(self, iris: list[str], offsets: array, graph: dict[str, Any], data: Any, base: int) -> None:
        self.iris = iris
        self.index = {n: i for i, n in enumerate(iris)}
        self.offsets = offsets
        self.graph_attrs = graph
        self._data = data
        self._base = base

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __len__(self) -> int:
        return len(self.iris)

    def _records(self, ids: Iterable[int]) -> dict[int, tuple[dict, list, list]]:
        from kg.ingest.geo_tables import collector_paused

        data, base, off, loads = self._data, self._base, self.offsets, pickle.loads
        with collector_paused():  # many small dicts, none of them garbage
            return {i: loads(data[base + off[i] : base + off[i + 1]]) for i in ids}

    def around(self, nodes: Iterable[str], hops: int = 1) -> nx.MultiDiGraph:
        """The projection restricted to *nodes* (those it holds) and every node within *hops* of them,
        in either direction: a :class:`networkx.MultiDiGraph` with the whole graph's attributes."""
        index = self.index
        records = self._records({index[n] for n in nodes if n in index})
        frontier = set(records)
        for _ in range(max(0, hops)):
            near: set[int] = set()
            for i in frontier:
                _, out, ins = records[i]
                near.update(j for j, _ in out)
                near.update(ins)
            near.difference_update(records)
            records.update(self._records(near))
            frontier = near
        return self._materialise(records)

    def graph(self) -> nx.MultiDiGraph:
        """The whole projection (equal to :func:`kg.network.projection.project` of the store)."""
        return self._materialise(self._records(range(len(self.iris))))

    def _materialise(self, records: dict[int, tuple[dict, list, list]]) -> nx.MultiDiGraph:
        from kg.ingest.geo_tables import collector_paused

        with collector_paused():  # tens of thousands of dicts made, none of them garbage
            return self._fill(records)

    def _fill(self, records: dict[int, tuple[dict, list, list]]) -> nx.MultiDiGraph:
        import networkx as nx

        H: Any = nx.MultiDiGraph()  # filled through its own dictionaries: the orders are the whole graph's
        H.graph.update(self.graph_attrs)
        iris = self.iris
        order = sorted(records)
        hnode, hsucc, hpred = H._node, H._succ, H._pred
        for i in order:
            n = iris[i]
            hnode[n] = records[i][0]
            hsucc[n] = {}
            hpred[n] = {}
        for i in order:
            row = hsucc[iris[i]]
            for j, keys in records[i][1]:
                if j in records:
                    row[iris[j]] = keys
        for i in order:
            n = iris[i]
            row = hpred[n]
            for j in records[i][2]:
                if j in records:
                    a = iris[j]
                    row[a] = hsucc[a][n]  # one key dict for both directions, as NetworkX keeps it
        return H


def open_parts(store_path: str | Path) -> Parts | None:
    """The projection node by node of the store at *store_path*, or None when it is missing, stale
    (another build id) or unreadable: the reader then loads the whole projection."""
    from kg.store.artefacts import stamp

    path = parts_path(store_path)
    try:
        with open(path, "rb") as f:
            if f.read(len(_MAGIC)) != _MAGIC:
                return None
            (size,) = _HEAD.unpack(f.read(_HEAD.size))
            saved, head = pickle.loads(f.read(size))
            if saved != stamp(Path(store_path), PARTS_SHAPE):
                return None
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays open once the file is closed
    except Exception:  # noqa: BLE001 - a broken file: the whole projection is read instead
        return None
    offsets = array("Q")
    offsets.frombytes(head["offsets"])
    text = head["iris"].decode("utf-8")
    iris = text.split("\n") if text else []
    return Parts(iris, offsets, head["graph"], data, len(_MAGIC) + _HEAD.size + size)
