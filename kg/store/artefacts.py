"""What ``kg build`` writes once beside a store so that every command is fast on a national graph.

Each artefact (the projection, the chain graph, the actor network, the name index) is a file beside the store,
``<store>.<name>.pickle`` (a pickle; a NetworkX graph of plain data, its dictionaries marshalled: :func:`save`),
stamped with the store's **build id**: a random token that ``kg build`` writes in the new store folder (file
``kg-build-id``) and that every later write of the store (:func:`kg.store.write.replace_graph`, hence
``kg import``, its undo and its removal) renews. An
artefact whose stamp is not the store's current one is stale: readers then compute the answer
from the store, as for a store or an endpoint that has no artefact, and the answers are the same.

A store without a build id (written by an older ``kg build`` or by a benchmark) is stamped by its
folder's identity instead (inode and modification times), as before.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp()) / "store"
>>> d.mkdir()
>>> first = new_build_id(d)
>>> save(d, "demo", {"a": 1}, shape=1)
>>> load(d, "demo", shape=1)
{'a': 1}
>>> load(d, "demo", shape=2) is None                 # another shape of artefact: stale
True
>>> _ = new_build_id(d)                              # the store changed: every artefact is stale
>>> load(d, "demo", shape=1) is None
True
"""

from __future__ import annotations

import marshal
import os
import secrets
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "BUILD_ID_FILE",
    "artefact_path",
    "build_id",
    "load",
    "local_store",
    "new_build_id",
    "save",
    "stamp",
]

#: the file, inside the store folder, holding the build id
BUILD_ID_FILE = "kg-build-id"


def build_id(store_path: str | Path) -> str | None:
    """The build id of the store at *store_path* (None when it has none)."""
    try:
        return (Path(store_path) / BUILD_ID_FILE).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def new_build_id(store_path: str | Path) -> str:
    """Give the store at *store_path* a new build id (every artefact written before becomes stale)."""
    token = secrets.token_hex(12)
    path = Path(store_path) / BUILD_ID_FILE
    tmp = path.with_name(f".{BUILD_ID_FILE}.{os.getpid()}")
    tmp.write_text(token + "\n", encoding="ascii")
    os.replace(tmp, path)
    return token


def stamp(store_path: Path, shape: int) -> tuple:
    """What an artefact of *shape* written now for the store at *store_path* is stamped with (its build id,
    else its folder's identity): an artefact whose stamp differs is stale."""
    bid = build_id(store_path)
    if bid is not None:
        return ("build", bid, shape)
    st = store_path.stat()
    current = store_path / "CURRENT"
    mt = current.stat().st_mtime_ns if current.exists() else 0
    return ("folder", st.st_ino, st.st_mtime_ns, mt, shape)


def artefact_path(store_path: str | Path, name: str) -> Path:
    """Where the artefact *name* of the store at *store_path* is kept: ``<store>.<name>.pickle`` beside it."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.{name}.pickle")


def local_store(graph: Any) -> Path | None:
    """The folder of *graph* when it is a local store (None for an endpoint or an in-memory graph)."""
    path = getattr(graph, "path", None)
    return Path(path) if path is not None and Path(path).is_dir() else None


def load(store_path: str | Path, name: str, *, shape: int) -> Any:
    """The artefact *name* of the store, or None when it is missing, stale, of another *shape* or unreadable."""
    import pickle

    from kg.ingest.geo_tables import collector_paused

    store_path = Path(store_path)
    path = artefact_path(store_path, name)
    if not path.exists():
        return None
    try:  # millions of small objects: the collector would run for nothing while unpickling
        with collector_paused(), open(path, "rb") as f:
            if f.read(len(_GRAPH_MAGIC)) != _GRAPH_MAGIC:  # pickled whole
                f.seek(0)
                saved, value = pickle.load(f)
                return value if saved == stamp(store_path, shape) else None
            saved, kind = pickle.load(f)  # a graph's own dictionaries, marshalled: the stamp first
            if saved != (*stamp(store_path, shape), _MARSHAL):
                return None
            return _graph(kind, f.read())
    except Exception:  # noqa: BLE001 - a broken artefact is computed again
        return None


def save(store_path: str | Path, name: str, value: Any, *, shape: int) -> None:
    """Keep *value* as the artefact *name* of the store (written beside it, then renamed); a read-only folder is no error.

    A NetworkX graph of plain data (texts, numbers, booleans, lists and dicts of them: the projection) is
    kept as its own dictionaries, marshalled: the same nodes, edges, keys, attributes and orders, and each
    edge's dict shared by its successors' and predecessors' entries again (at 100,000 actors, 2.0 s of CPU
    against 2.3 s for its pickle; read back in the same time). Anything else is pickled.
    """
    import pickle

    store_path = Path(store_path)
    path = artefact_path(store_path, name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    dicts = _dicts(value)
    try:
        with open(tmp, "wb") as f:
            if dicts is not None:
                f.write(_GRAPH_MAGIC)
                pickle.dump(
                    ((*stamp(store_path, shape), _MARSHAL), dicts[0]),
                    f,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
                f.write(dicts[1])
            else:
                pickle.dump((stamp(store_path, shape), value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only folder: no artefact, same answers
        tmp.unlink(missing_ok=True)


#: the start of an artefact kept as a graph's marshalled dictionaries (else it is one pickle)
_GRAPH_MAGIC = b"KGGRAPH1\n"
#: marshal's format is the interpreter's own: a file written by another version is stale
_MARSHAL = ("marshal", sys.version_info[:2], marshal.version)
#: the NetworkX classes kept as their dictionaries: class name → the attributes kept, in order
_CLASSES = {
    "Graph": ("graph", "_node", "_adj"),
    "MultiGraph": ("graph", "_node", "_adj"),
    "DiGraph": ("graph", "_node", "_succ", "_pred"),
    "MultiDiGraph": ("graph", "_node", "_succ", "_pred"),
}


def _dicts(value: Any) -> tuple[str, bytes] | None:
    """The class name of the NetworkX graph *value* and its dictionaries marshalled, or None when it is not
    one of :data:`_CLASSES`, holds anything else than those dictionaries (besides the views NetworkX caches
    on its own), or holds data that marshal does not keep as it is (an object, a subclass of ``str``…)."""
    import functools

    cls = type(value)
    names = _CLASSES.get(cls.__name__)
    if names is None or cls.__module__.split(".")[0] != "networkx":
        return None
    own = getattr(value, "__dict__", {})
    for key in own:
        cached = isinstance(getattr(cls, key, None), functools.cached_property)
        if not (key in names or key in ("_adj", "__networkx_cache__") or cached):
            return None
    if len(names) == 4 and own.get("_adj") is not own.get("_succ"):
        return None
    try:
        return cls.__name__, marshal.dumps(tuple(own[k] for k in names))
    except ValueError:  # unmarshallable: pickled instead
        return None


def _graph(kind: str, data: bytes) -> Any:
    """The NetworkX graph of class *kind* (one of :data:`_CLASSES`) from its marshalled dictionaries."""
    import networkx as nx

    names = _CLASSES[kind]
    parts = marshal.loads(data)
    G = getattr(nx, kind)()
    G.graph = parts[0]
    G._node = parts[1]
    if len(names) == 4:
        G._adj = G._succ = parts[2]
        G._pred = parts[3]
    else:
        G._adj = parts[2]
    return G
