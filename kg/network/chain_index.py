"""The chain graph's skeleton as compact rows, for ``kg chains A B`` on a national graph without loading it whole.

``kg build`` writes, beside the store and stamped like every artefact (:mod:`kg.store.artefacts`):

- ``<store>.chainslim.pickle``: the skeleton (:func:`kg.network.chains.with_skeleton`) as compressed
  sparse rows of integer node ids (``offsets``, ``neighbours``: each node's neighbours in the same order
  as in the skeleton, so that the same chains come out, in the same order), the nodes' IRIs and labels,
  the normalised names (:func:`kg.store.names.name_keys`) as node ids, and where each edge's relations lie
  in the second file;
- ``<store>.chainrels.bin``: each edge's relations (the chain graph's ``rels``), pickled one edge at a
  time, read only for the hops shown.

:func:`stored_chains` answers :func:`kg.network.chains.find_chains` with the default kinds and no date
from these two files, and returns None whenever it cannot give the same answer as the whole chain
graph (no or stale artefact, a name that is unknown or names several nodes): the caller then takes
the usual path, which also says what went wrong in the usual words.
"""

from __future__ import annotations

import os
import secrets
from array import array
from pathlib import Path
from typing import Any

__all__ = ["SLIM", "SLIM_SHAPE", "rels_path", "slim_rows", "stored_chains", "write_slim"]

#: the artefact's name (``<store>.chainslim.pickle``)
SLIM = "chainslim"
#: the shape of the stored rows; rows written for another shape are not used
SLIM_SHAPE = 1
#: kinds a name must have to be resolved (those of :func:`kg.network.lookup.resolve`)
_NAMED_KINDS = ("actor", "person", "programme")


def rels_path(store_path: str | Path) -> Path:
    """Where the edges' relations of the store at *store_path* are kept: ``<store>.chainrels.bin``."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.chainrels.bin")


def slim_rows(H: Any) -> tuple[dict[str, Any], list[bytes]]:
    """The compact rows of the chain graph *H* (which has its skeleton and name keys) and one pickled
    ``rels`` list per skeleton edge (an edge's two rows share it): ``rows["at"][p]`` is the blob of
    ``rows["neighbours"][p]``."""
    import pickle

    from kg.network.chains import SKELETON
    from kg.network.lookup import NAME_KEYS

    S = H.graph[SKELETON]
    nodes = list(S)
    ids = {n: i for i, n in enumerate(nodes)}
    offsets, neighbours, at = array("q", [0]), array("i"), array("i")
    blobs: list[bytes] = []
    edge_blob: dict[tuple[int, int], int] = {}
    for i, a in enumerate(nodes):
        for b in S._adj[a]:  # type: ignore[attr-defined]  # the row's own order
            j = ids[b]
            key = (i, j) if i < j else (j, i)
            blob = edge_blob.get(key)
            if blob is None:
                blob = edge_blob[key] = len(blobs)
                blobs.append(pickle.dumps(H.edges[a, b]["rels"], protocol=pickle.HIGHEST_PROTOCOL))
            neighbours.append(j)
            at.append(blob)
        offsets.append(len(neighbours))
    keyed = H.graph.get(NAME_KEYS)
    names = getattr(keyed, "name_keys", None) or {}
    rows = {
        "nodes": nodes,
        "labels": [H.nodes[n].get("label", n) for n in nodes],
        "kinds": [H.nodes[n].get("kind") for n in nodes],
        "keys": {k: tuple(ids[n] for n in v if n in ids) for k, v in names.items()},
        "has_keys": keyed is not None and len(keyed) == H.number_of_nodes(),
        "offsets": offsets,
        "neighbours": neighbours,
        "at": at,
        "graph": {k: v for k, v in H.graph.items() if k not in (SKELETON, NAME_KEYS)},
    }
    return rows, blobs


def write_slim(store_path: str | Path, H: Any) -> None:
    """Keep the compact rows of the chain graph *H* beside the store (the relations first, then the rows
    that name them by a token: rows are never read with another write's relations)."""
    from kg.store import artefacts

    store_path = Path(store_path)
    rows, blobs = slim_rows(H)
    token = secrets.token_bytes(16)
    starts = array("q", [len(token)])
    for blob in blobs:
        starts.append(starts[-1] + len(blob))
    path = rels_path(store_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(token)
            for blob in blobs:
                f.write(blob)
        os.replace(tmp, path)
    except OSError:  # a read-only folder: no artefact, same answers
        tmp.unlink(missing_ok=True)
        return
    rows["token"], rows["starts"] = token, starts
    artefacts.save(store_path, SLIM, rows, shape=SLIM_SHAPE)


def _rows_graph() -> Any:
    import networkx as nx

    class Rows(nx.Graph):  # type: ignore[type-arg]
        """The skeleton as NetworkX's shortest-path search sees it: integer nodes, each row's order kept."""

        def __init__(self, offsets: array, neighbours: array) -> None:
            super().__init__()
            self._off, self._nb = offsets, neighbours

        def __contains__(self, n: object) -> bool:
            return isinstance(n, int) and 0 <= n < len(self._off) - 1

        def neighbors(self, n: int) -> Any:
            return iter(self._nb[self._off[n] : self._off[n + 1]])

        def is_directed(self) -> bool:
            return False

        def is_multigraph(self) -> bool:
            return False

    return Rows


def _resolve(rows: dict[str, Any], ids: dict[str, int], text: str) -> int | None:
    """The node id named *text* (or whose IRI is *text*), or None when the name is not one node's."""
    from kg.model.names import normalise

    if text in ids:
        return ids[text]
    if not rows["has_keys"]:
        return None
    exact = [i for i in rows["keys"].get(normalise(text), ()) if rows["kinds"][i] in _NAMED_KINDS]
    return exact[0] if len(exact) == 1 else None


def stored_chains(graph: Any, source: str, target: str, *, k: int = 3, max_hops: int = 6) -> list[Any] | None:
    """:func:`kg.network.chains.find_chains` with the default kinds and no date, from the compact rows
    beside the local store *graph*: the same chains, hop by hop. None when there are no such rows (an
    endpoint, a store written before them, a stale one) or when a name does not name exactly one node."""
    import itertools

    import networkx as nx

    from kg.network.chains import DEFAULT_KINDS, Chain, _hop
    from kg.store import artefacts

    store_path = artefacts.local_store(graph)
    rows = artefacts.load(store_path, SLIM, shape=SLIM_SHAPE) if store_path else None
    if rows is None:
        return None
    nodes = rows["nodes"]
    ids = {n: i for i, n in enumerate(nodes)}
    s, t = _resolve(rows, ids, source), _resolve(rows, ids, target)
    if s is None or t is None:
        return None
    try:
        with open(rels_path(store_path), "rb") as f:  # type: ignore[arg-type]
            if f.read(len(rows["token"])) != rows["token"]:
                return None
            paths: list[list[int]] = []
            try:
                for path in nx.shortest_simple_paths(
                    _rows_graph()(rows["offsets"], rows["neighbours"]), s, t
                ):
                    if len(path) - 1 > max_hops or len(paths) >= k:
                        break
                    paths.append(path)
            except nx.NetworkXNoPath:
                pass
            H = _hops_graph(rows, f, paths)
    except OSError:
        return None
    ks = set(DEFAULT_KINDS)
    return [
        Chain(tuple(_hop(H, nodes[a], nodes[b], ks, None) for a, b in itertools.pairwise(p))) for p in paths
    ]


def _hops_graph(rows: dict[str, Any], f: Any, paths: list[list[int]]) -> Any:
    """The part of the chain graph the *paths* step on: their nodes (IRI, label) and edges (relations,
    read from *f*), with the chain graph's own ``graph`` data (its concept labels)."""
    import itertools
    import pickle

    import networkx as nx

    nodes, labels = rows["nodes"], rows["labels"]
    off, nb, at, starts = rows["offsets"], rows["neighbours"], rows["at"], rows["starts"]
    H: nx.Graph[str] = nx.Graph()
    H.graph.update(rows["graph"])
    for path in paths:
        for a, b in itertools.pairwise(path):
            if H.has_edge(nodes[a], nodes[b]):
                continue
            p = next(p for p in range(off[a], off[a + 1]) if nb[p] == b)
            blob = at[p]
            f.seek(starts[blob])
            rels = pickle.loads(f.read(starts[blob + 1] - starts[blob]))
            H.add_node(nodes[a], label=labels[a])
            H.add_node(nodes[b], label=labels[b])
            H.add_edge(nodes[a], nodes[b], rels=rels)
    return H
