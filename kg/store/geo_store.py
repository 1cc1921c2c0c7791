"""The geography's store kept once per user, so that a build into a new folder does not write it again.

A build from nothing spends most of its time on the geography: loading ``data/geo/`` (36,415 territories),
mapping it to 323,845 quads, writing them into the store and serialising its TriG block. None of it depends on
the curated data. After a build that made them, :func:`keep` leaves under the user's cache folder
(``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/territorial-kg``, else ``~/.cache/territorial-kg``) a folder keyed
by the hash of ``data/geo/`` and of ``kg``'s code, holding:

* ``store/``: a checkpoint of the new store (hard links when on the same file system) with every graph but
  the geography removed;
* ``codes.pickle`` and ``trig``: the territories' codes and the dump's geography block (as
  ``<store>.geography/``, :func:`kg.store.incremental.save_geography`);
* ``meta.json``: the geography graph's digest and size.

The next build into a folder without a reusable store (a new checkout of the same code, another
``--store``, a store removed) starts its store as a checkpoint of that one and writes only the records
(:func:`find`): what an incremental build does when the previous store is reused. The result is the same
store, dump, report and artefacts as a build that writes everything (``tests/test_incremental_build.py``).
``KG_CACHE_DIR=""`` turns it off. Folders of other keys not used for :data:`PRUNE_AFTER` seconds are removed
when a new one is kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

__all__ = ["ENV", "KEEP_UP_TO", "PRUNE_AFTER", "cache_root", "find", "keep", "seed_state", "start"]

#: the environment variable naming the cache folder ("" turns the cache off)
ENV = "KG_CACHE_DIR"

#: a build keeps its geography's store when its other quads are at most this many: they are removed from a
#: checkpoint of the new store, which is quick for the curated data of a territory (a few thousand quads),
#: not for a national data set (7 million)
KEEP_UP_TO = 200_000

#: a kept geography of another key (another code or ``data/geo/``) unused this long is removed (a week)
PRUNE_AFTER = 7 * 24 * 3600


def cache_root() -> Path | None:
    """The user's cache folder for ``kg`` (None when ``KG_CACHE_DIR`` is set empty)."""
    value = os.environ.get(ENV)
    if value is not None:
        return Path(value) if value else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "territorial-kg"


def _folder(root: Path, fp: dict[str, Any]) -> Path:
    return root / f"geography-{fp['geo'][:20]}-{fp['code'][:20]}"


def find(fp: dict[str, Any]) -> Path | None:
    """The kept geography of this ``data/geo/`` and code (None when there is none, or it is incomplete)."""
    root = cache_root()
    if root is None:
        return None
    folder = _folder(root, fp)
    if not all((folder / n).exists() for n in ("store", "codes.pickle", "trig", "meta.json")):
        return None
    with contextlib.suppress(OSError):
        os.utime(folder)  # used: not pruned
    return folder


def seed_state(folder: Path) -> dict[str, Any] | None:
    """What a build reads of the previous state when it starts from the kept geography: the geography
    graph's digest (``graphs``) and size (``report.graphs``)."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    graph, digest, size = meta.get("graph"), meta.get("digest"), meta.get("quads")
    if not (graph and digest and isinstance(size, int)):
        return None
    return {"graphs": {graph: digest}, "report": {"graphs": {graph: size}}}


def start(fp: dict[str, Any], store: Path, graph: str) -> tuple[Path, dict[str, Any], Any, bytes] | None:
    """What a build into *store* (no reusable store there) starts from: the kept geography's folder, its
    :func:`seed_state`, the territories' codes and the dump's geography block; None when none is kept."""
    from kg.store import incremental as inc

    folder = find(fp)
    state = seed_state(folder) if folder else None
    if folder is None or state is None or graph not in state["graphs"]:
        return None
    codes = inc.load_geography_cache(store, fp, folder=folder)
    trig = inc.geography_trig(store, fp, folder=folder) if codes is not None else None
    return None if trig is None else (folder, state, codes, trig)


def keep(store: Path, fp: dict[str, Any], graph: str, digests: dict, sizes: dict, others: int) -> None:
    """After a build that wrote the geography into *store*: keep it under the cache folder (see the module
    docstring), when the *others* quads are at most :data:`KEEP_UP_TO`.

    *digests* and *sizes* give each graph's digest and number of quads (the build's); the geography's codes
    and TriG block are those the build saved beside the store. Nothing is raised: a cache that cannot be written is not kept,
    and the next build writes the geography again.
    """
    from pyoxigraph import NamedNode, Store

    from kg.store.incremental import geography_cache

    root = cache_root()
    geography_folder = geography_cache(store)
    if root is None or others > KEEP_UP_TO or not (geography_folder / "trig").exists():
        return
    target = _folder(root, fp)
    if target.exists():
        return
    tmp = target.with_name(f".{target.name}.new-{os.getpid()}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        Store.read_only(str(store)).backup(str(tmp / "store"))
        st = Store(str(tmp / "store"))
        keep_graph = NamedNode(graph)
        for g in list(st.named_graphs()):
            if g != keep_graph:
                st.remove_graph(g)
        st.flush()
        del st
        for name in ("codes.pickle", "trig"):
            shutil.copyfile(geography_folder / name, tmp / name)
        meta = {"graph": graph, "digest": digests[graph], "quads": sizes[graph]}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    _prune(root, target)


def _prune(root: Path, current: Path) -> None:
    now = time.time()
    for folder in root.glob("geography-*"):
        try:
            if folder != current and now - folder.stat().st_mtime > PRUNE_AFTER:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
