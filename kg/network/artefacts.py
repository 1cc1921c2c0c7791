"""The artefacts ``kg build`` writes beside a new store: projection, chain graph and name index.

One function per artefact, run in order by :func:`write_artefacts` (``kg build`` calls it through
:data:`STEPS`, given to :func:`kg.store.build.build` as end-of-build steps). Each is what a reader
would compute and save on its first call (:func:`kg.network.projection.cached_project`,
:func:`kg.network.chains.cached_chain_graph`, :func:`kg.store.names.name_index`), done once at build
time instead; the stamps and the fallback live in :mod:`kg.store.artefacts`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.store import artefacts

__all__ = ["ARTEFACTS", "STEPS", "write_artefacts", "write_chains", "write_names", "write_projection"]

#: the artefacts' names (``<store>.<name>.pickle``)
ARTEFACTS = ("projection", "chains", "names")


def _open(store_path: Path):
    from kg.store.graph import open_store

    return open_store(store_path)


def write_projection(store_path: Path) -> None:
    """Project the store and keep the projection beside it."""
    from kg.network.projection import PROJECTION_SHAPE, project

    artefacts.save(store_path, "projection", project(_open(store_path)), shape=PROJECTION_SHAPE)


def write_chains(store_path: Path) -> None:
    """Build the chain graph (from the stored projection) and keep it, with its name keys, beside the store."""
    from kg.network.chains import CHAIN_SHAPE, chain_graph
    from kg.network.lookup import with_name_keys
    from kg.network.projection import cached_project

    H = with_name_keys(chain_graph(cached_project(_open(store_path))))
    artefacts.save(store_path, "chains", H, shape=CHAIN_SHAPE)


def write_names(store_path: Path) -> None:
    """Build the store's name index (with its normalised names) and keep it beside the store."""
    from kg.store.names import NAMES_SHAPE, compute_name_index

    artefacts.save(store_path, "names", compute_name_index(_open(store_path)), shape=NAMES_SHAPE)


#: what ``kg build`` runs on the new store, in order, each timed in its report
STEPS: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("projection", write_projection),
    ("chains", write_chains),
    ("names", write_names),
)


def write_artefacts(store_path: str | Path) -> dict[str, float]:
    """Write every artefact of the store at *store_path*; seconds per artefact."""
    import time

    out: dict[str, float] = {}
    for name, step in STEPS:
        t = time.perf_counter()
        step(Path(store_path))
        out[name] = round(time.perf_counter() - t, 3)
    return out
