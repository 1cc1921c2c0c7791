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

import itertools
import os
import secrets
from array import array
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
    from kg.network.paths import shortest_simple_paths
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
    off, nb = rows["offsets"], rows["neighbours"]
    paths = shortest_simple_paths(lambda v: nb[off[v] : off[v + 1]], s, t, k=k, max_hops=max_hops)
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
