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

import heapq
import itertools
import os
import secrets
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kg.network.hops import Chain

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

    from kg.network.chains import DEFAULT_KINDS, SKELETON
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
        "followed": DEFAULT_KINDS,  # the skeleton's kinds: those a hop's relation is chosen among
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


def _meet(
    off: array, nb: array, s: int, t: int, skip_nodes: set[int], skip_edges: set[tuple[int, int]]
) -> list[int]:
    """A shortest path from *s* to *t* avoiding *skip_nodes* and *skip_edges* (either way), by a BFS from both
    ends: NetworkX's ``_bidirectional_pred_succ`` step for step (same fringe order, same meeting node), so
    the same path among equally short ones. Empty when there is none."""
    if s in skip_nodes or t in skip_nodes:
        return []
    if s == t:
        return [s]

    def step(v: int) -> list[int]:
        return [
            w
            for w in nb[off[v] : off[v + 1]]
            if w not in skip_nodes and (v, w) not in skip_edges and (w, v) not in skip_edges
        ]

    pred: dict[int, int | None] = {s: None}
    succ: dict[int, int | None] = {t: None}
    forward, reverse = [s], [t]
    meet = None
    while forward and reverse and meet is None:
        if len(forward) <= len(reverse):
            level, forward = forward, []
            for v in level:
                for w in step(v):
                    if w not in pred:
                        forward.append(w)
                        pred[w] = v
                    if w in succ:
                        meet = w
                        break
                if meet is not None:
                    break
        else:
            level, reverse = reverse, []
            for v in level:
                for w in step(v):
                    if w not in succ:
                        succ[w] = v
                        reverse.append(w)
                    if w in pred:
                        meet = w
                        break
                if meet is not None:
                    break
    if meet is None:
        return []
    path: list[int] = []
    x: int | None = meet
    while x is not None:
        path.append(x)
        x = succ[x]
    x = pred[path[0]]
    while x is not None:
        path.insert(0, x)
        x = pred[x]
    return path


def shortest_paths(off: array, nb: array, s: int, t: int) -> Iterator[list[int]]:
    """The simple paths from *s* to *t* over the rows, shortest first: NetworkX's ``shortest_simple_paths``
    (Yen's algorithm, unweighted) on the same rows, path for path and in the same order."""
    found: list[list[int]] = []
    heap: list[tuple[int, int, list[int]]] = []
    queued: set[tuple[int, ...]] = set()
    counter = itertools.count()

    def push(length: int, path: list[int]) -> None:
        if tuple(path) not in queued:
            heapq.heappush(heap, (length, next(counter), path))
            queued.add(tuple(path))

    prev: list[int] | None = None
    while True:
        if not prev:
            first = _meet(off, nb, s, t, set(), set())
            if first:
                push(len(first), first)
        else:
            skip_nodes: set[int] = set()
            skip_edges: set[tuple[int, int]] = set()
            for i in range(1, len(prev)):
                root = prev[:i]
                for p in found:
                    if p[:i] == root:
                        skip_edges.add((p[i - 1], p[i]))
                spur = _meet(off, nb, root[-1], t, skip_nodes, skip_edges)
                if spur:
                    push(len(root) + len(spur), root[:-1] + spur)
                skip_nodes.add(root[-1])
        if not heap:
            return
        _, _, path = heapq.heappop(heap)
        queued.discard(tuple(path))
        yield path
        found.append(path)
        prev = path


def _resolve(rows: dict[str, Any], text: str) -> int | None:
    """The node id named *text* (or whose IRI is *text*), or None when the name is not one node's."""
    from kg.model.names import normalise

    if ":" in text:  # an IRI: one scan of the list costs less than a dictionary of every node
        try:
            return int(rows["nodes"].index(text))
        except ValueError:
            pass
    if not rows["has_keys"]:
        return None
    exact = [i for i in rows["keys"].get(normalise(text), ()) if rows["kinds"][i] in _NAMED_KINDS]
    return exact[0] if len(exact) == 1 else None


def stored_chains(
    graph: Any,
    source: str,
    target: str,
    *,
    k: int = 3,
    max_hops: int = 6,
    kinds: Any = None,
    as_of: Any = None,
) -> list[Chain] | None:
    """:func:`kg.network.chains.find_chains` with the default kinds and no date, from the compact rows
    beside the local store *graph* (an opened store, or its folder): the same chains, hop by hop.

    None when the rows cannot give :func:`~kg.network.chains.find_chains`'s answer: *kinds* or *as_of*
    given, an endpoint, a store without rows or with stale ones, a name that does not name exactly one
    node (the whole chain graph then says why). Neither NetworkX nor the store is opened.
    """
    from kg.network.hops import Chain, hop
    from kg.store import artefacts

    if kinds is not None or as_of is not None:
        return None

    store_path = Path(graph) if isinstance(graph, str | Path) else artefacts.local_store(graph)
    if store_path is None or not store_path.is_dir():
        return None
    rows = artefacts.load(store_path, SLIM, shape=SLIM_SHAPE)
    if rows is None:
        return None
    nodes = rows["nodes"]
    s, t = _resolve(rows, source), _resolve(rows, target)
    if s is None or t is None:
        return None
    paths: list[list[int]] = []
    for path in shortest_paths(rows["offsets"], rows["neighbours"], s, t):
        if len(path) - 1 > max_hops or len(paths) >= k:
            break
        paths.append(path)
    try:
        with open(rels_path(store_path), "rb") as f:
            if f.read(len(rows["token"])) != rows["token"]:
                return None
            H = _hops_graph(rows, f, paths)
    except OSError:
        return None
    ks = set(rows["followed"])
    return [
        Chain(tuple(hop(H, nodes[a], nodes[b], ks, None) for a, b in itertools.pairwise(p))) for p in paths
    ]


class _Hops(NamedTuple):
    """The part of the chain graph that the hops shown step on, as :func:`kg.network.hops.hop` reads it."""

    nodes: dict[str, dict[str, Any]]
    edges: dict[tuple[str, str], dict[str, Any]]
    graph: dict[str, Any]


def _hops_graph(rows: dict[str, Any], f: Any, paths: list[list[int]]) -> _Hops:
    """The nodes (IRI, label) and edges (relations, read from *f*) the *paths* step on, with the chain
    graph's own ``graph`` data (its concept labels)."""
    import pickle

    nodes, labels = rows["nodes"], rows["labels"]
    off, nb, at, starts = rows["offsets"], rows["neighbours"], rows["at"], rows["starts"]
    H = _Hops({}, {}, rows["graph"])
    for path in paths:
        for a, b in itertools.pairwise(path):
            if (nodes[a], nodes[b]) in H.edges:
                continue
            p = next(p for p in range(off[a], off[a + 1]) if nb[p] == b)
            blob = at[p]
            f.seek(starts[blob])
            edge = {"rels": pickle.loads(f.read(starts[blob + 1] - starts[blob]))}
            H.nodes[nodes[a]] = {"label": labels[a]}
            H.nodes[nodes[b]] = {"label": labels[b]}
            H.edges[nodes[a], nodes[b]] = H.edges[nodes[b], nodes[a]] = edge
    return H
