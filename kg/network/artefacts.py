"""The artefacts ``kg build`` writes beside a new store: projection, chain graph, actor network, name index.

One function per artefact, run in order by :func:`write_artefacts` (``kg build`` calls it through
:data:`STEPS`, given to :func:`kg.store.build.build` as end-of-build steps). Each is what a reader
would compute and save on its first call (:func:`kg.network.projection.cached_project`,
:func:`kg.network.chains.cached_chain_graph`, :func:`kg.store.names.name_index`), done once at build
time instead; the stamps and the fallback live in :mod:`kg.store.artefacts`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.store import artefacts

if TYPE_CHECKING:
    from kg.network.record_projection import RecordProjection

__all__ = [
    "ARTEFACTS",
    "STEPS",
    "build_steps",
    "write_actors",
    "write_artefacts",
    "write_chains",
    "write_names",
    "write_projection",
    "write_projection_parts",
]

#: the artefacts' names (``<store>.<name>.pickle``)
ARTEFACTS = ("projection", "chains", "chainslim", "actors", "names")


def _open(store_path: Path):
    from kg.store.graph import open_store

    return open_store(store_path)


def write_projection(
    store_path: Path, quads: Sequence[Any] | None = None, *, records: RecordProjection | None = None
) -> None:
    """Project the store and keep it beside it: from the build's *records* when it hands them over (one
    tuple per record, assembled: :mod:`kg.network.record_projection`), else from its *quads* (no store
    read), else from the store.

    Each is the projection of the store (:func:`kg.network.projection.project`, same nodes, edges,
    attributes and orders).
    """
    from kg.network.projection import PROJECTION_SHAPE, project

    if records is not None:
        G = records.graph(_open(store_path))
    elif quads is not None:
        G = project(None, quads=quads)
    else:
        G = project(_open(store_path))
    artefacts.save(store_path, "projection", G, shape=PROJECTION_SHAPE)
    _last[store_path] = G


def write_projection_parts(store_path: Path, quads: Sequence[Any] | None = None) -> None:
    """Keep the projection just written (else the stored one) node by node beside the store: what a view
    reads of it (:mod:`kg.network.projection_parts`)."""
    from kg.network.projection import cached_project
    from kg.network.projection_parts import write_parts

    G = _last.get(store_path)
    if G is None:
        G = _last[store_path] = cached_project(_open(store_path))
    write_parts(store_path, G)


def write_chains(store_path: Path, quads: Sequence[Any] | None = None) -> None:
    """Build the chain graph (from the projection just written, else the stored one) and keep it, with its
    name keys, beside the store, and its skeleton as compact rows (:mod:`kg.network.chain_index`)."""
    from kg.network.chain_index import write_slim
    from kg.network.chains import CHAIN_SHAPE, chain_graph, with_skeleton
    from kg.network.lookup import with_name_keys
    from kg.network.projection import cached_project

    G = _last.get(store_path)
    if G is None:
        G = cached_project(_open(store_path))
    H = with_skeleton(with_name_keys(chain_graph(G)))
    artefacts.save(store_path, "chains", H, shape=CHAIN_SHAPE)
    write_slim(store_path, H)


def write_actors(store_path: Path, quads: Sequence[Any] | None = None) -> None:
    """Make the actor network of the whole graph (what ``kg analyse`` measures) and keep it beside the store."""
    from kg.network.actors import ACTORS_SHAPE, stored_actor_graph
    from kg.network.projection import cached_project

    G = _last.pop(store_path, None)
    if G is None:
        G = cached_project(_open(store_path))
    artefacts.save(store_path, "actors", stored_actor_graph(G), shape=ACTORS_SHAPE)


def write_names(store_path: Path, quads: Sequence[Any] | None = None) -> None:
    """Build the store's name index (with its normalised names) and keep it beside the store."""
    from kg.store.names import NAMES_SHAPE, compute_name_index

    artefacts.save(store_path, "names", compute_name_index(_open(store_path)), shape=NAMES_SHAPE)


Step = Callable[[Path, Sequence[Any] | None], None]

#: the projection just written, handed to the chain graph's and the actor network's steps (no reload)
_last: dict[Path, Any] = {}

#: what ``kg build`` runs on the new store, in order, each timed in its report; each is called with the
#: store's folder, the first with the quads the build wrote (in memory: the projection reads them, not the
#: store), the later ones with None (the build lets the quads go: they read the projection just written)
STEPS: tuple[tuple[str, Step], ...] = (
    ("projection", write_projection),
    ("projparts", write_projection_parts),
    ("chains", write_chains),
    ("actors", write_actors),
    ("names", write_names),
)


def build_steps(records: RecordProjection | None = None) -> tuple[tuple[str, Step], ...]:
    """:data:`STEPS`, the projection made from the build's *records* (handed to :func:`kg.store.build.build`
    as ``on_record=records.add``) instead of its quads."""
    if records is None:
        return STEPS

    def projection(store_path: Path, quads: Sequence[Any] | None = None) -> None:
        write_projection(store_path, quads, records=records)

    return (("projection", projection), *STEPS[1:])


def write_artefacts(store_path: str | Path, quads: Sequence[Any] | None = None) -> dict[str, float]:
    """Write every artefact of the store at *store_path* (from *quads*, every quad it holds, when
    given); seconds per artefact."""
    import time

    out: dict[str, float] = {}
    try:
        for name, step in STEPS:
            t = time.perf_counter()
            step(Path(store_path), quads)
            out[name] = round(time.perf_counter() - t, 3)
    finally:
        _last.pop(Path(store_path), None)
    return out
