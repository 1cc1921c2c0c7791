"""A ``kg build`` that only does what changed.

Each build leaves in its store folder a state file (``kg-build-state.json``): a fingerprint of its inputs
(the content of every file of ``data/``, ``data/geo/`` on its own, the ontology folder and the code of
``kg``; the SHACL level; the date given), one digest per named graph it wrote, and its report. The next
build compares:

* **nothing changed** (same inputs, SHACL at least as strict before, store and dump as the last build
  left them): nothing is loaded, checked or written (:func:`unchanged_report`);
* **some records changed**: everything is mapped and checked again (correctness first), but the new
  store starts as a RocksDB checkpoint of the previous one (hard links, no copy) where only the named
  graphs whose digest changed are replaced (:func:`write_changed_graphs`): the geography and the
  ontology, unchanged while ``data/geo/`` and ``ontology/`` are, are written once and reused;
* when the previous build also kept its geography beside the store (``<store>.geography/``: the territories'
  codes and the dump's geography block, :func:`save_geography`), ``data/geo/`` is neither loaded nor mapped:
  the records are checked against the kept codes, SHACL and the projection read the few territories the
  records point at from the reused store (:func:`territory_quads`), and the dump is the records' TriG around
  the kept block (the bytes one ``serialize()`` of every quad writes); the store is compacted only when an
  incremental build wrote many quads (:data:`OPTIMIZE_FROM`);
* SHACL (default level) then checks only the nodes that changed and their neighbours
  (:func:`changed_focus`), when the previous build was checked; ``--shacl full`` checks everything;
* otherwise (no previous state, another code, geography or ontology), the store is written whole.

An incremental build gives exactly the quads, dump, report and artefacts of a full one
(``tests/test_artefacts.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.rdf.packed import PackedQuads

__all__ = [
    "GEOGRAPHY_CACHE",
    "OPTIMIZE_FROM",
    "STATE_FILE",
    "GeoCodes",
    "build_digests",
    "changed_focus",
    "changed_graphs",
    "changed_graphs_writer",
    "fingerprint",
    "geography_cache",
    "geography_trig",
    "graph_digests",
    "load_geography_cache",
    "read_state",
    "reusable",
    "save_geography",
    "subject_digests",
    "territory_quads",
    "territory_scope",
    "trig_parts",
    "unchanged",
    "write_state",
]

#: the state file, inside the store folder
STATE_FILE = "kg-build-state.json"

#: an incremental build compacts the store (``Store.optimize``: a second at least on the real data, as it
#: rewrites the geography) only when it wrote at least this many quads; the checkpoint it starts from
#: was compacted, and a few thousand changed quads add a few small files that RocksDB reads as fast
OPTIMIZE_FROM = 100_000

#: how strict each SHACL level is: a build checked more strictly covers a less strict one
_STRICT = {"off": 0, "curated": 1, "full": 2}

_KG = Path(__file__).resolve().parents[1]


def _tree_hash(root: Path, pattern: str = "") -> str:
    """Digest of the names and content of every file under *root* (symbolic links followed)."""
    h = hashlib.blake2b(digest_size=16)
    if not root.exists():
        return "absent"
    files: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files += [Path(folder) / n for n in names if n.endswith(pattern)]
    for f in sorted(files):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        with open(f, "rb") as fh:
            h.update(hashlib.file_digest(fh, "blake2b").digest())
    return h.hexdigest()


def fingerprint(
    data_dir: Path, ontology_dir: Path, *, shacl: str, generated_at: str | None
) -> dict[str, Any]:
    """What a build's result depends on."""
    return {
        "data": _tree_hash(Path(data_dir)),
        "geo": _tree_hash(Path(data_dir) / "geo"),
        "ontology": _tree_hash(Path(ontology_dir)),
        "code": _tree_hash(_KG, ".py"),
        "shacl": shacl,
        "generated_at": generated_at,
    }


def read_state(store: Path | None) -> dict[str, Any] | None:
    """The state the last build left in *store* (None when there is none, it cannot be read, or the store
    was written since: an import)."""
    from kg.store.artefacts import build_id

    if store is None:
        return None
    try:
        state = json.loads((Path(store) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if state.get("build_id") == build_id(store) else None


def _dump_stamp(dump: Path | None) -> list | None:
    if dump is None or not dump.exists():
        return None
    st = dump.stat()
    return [str(dump), st.st_size, st.st_mtime_ns]


def unchanged(state: dict[str, Any] | None, fp: dict[str, Any], dump: Path | None) -> bool:
    """True when the last build had the same inputs (and checked at least as strictly) and left this dump."""
    if not state:
        return False
    old = state.get("inputs", {})
    same = all(old.get(k) == fp[k] for k in ("data", "geo", "ontology", "code"))
    same = same and (fp["generated_at"] is None or old.get("generated_at") == fp["generated_at"])
    strict = _STRICT.get(old.get("shacl", "off"), 0) >= _STRICT.get(fp["shacl"], 2)
    # a dump asked for must be the very one the last build wrote (missing, moved or edited: build again)
    dumped = dump is None or (_dump_stamp(dump) is not None and state.get("dump") == _dump_stamp(dump))
    return same and strict and dumped


def reusable(state: dict[str, Any] | None, fp: dict[str, Any]) -> bool:
    """True when the previous store can be the start of this one (same code, geography and ontology)."""
    if not state:
        return False
    old = state.get("inputs", {})
    return all(old.get(k) == fp[k] for k in ("geo", "ontology", "code"))


def graph_digests(quads: Iterable) -> dict[str, str]:
    """One digest per named graph of *quads*: of the graph's N-Quads text (its quads in order)."""
    packed = quads if isinstance(quads, PackedQuads) else PackedQuads(quads)
    return {g: hashlib.blake2b(text, digest_size=16).hexdigest() for g, text in packed.blocks()}


def subject_digests(quads: Iterable, skip: tuple[str, ...]) -> dict[str, str]:
    """One short digest per subject of the records' quads (every graph but those in *skip*): of the
    subject's N-Quads lines, graph by graph (sorted), in order."""
    packed = quads if isinstance(quads, PackedQuads) else PackedQuads(quads)
    subjects: dict[bytes, Any] = {}
    for g, text in packed.blocks():
        if g not in skip:
            _digest_lines(text, subjects)
    return {k.decode(): h.hexdigest() for k, h in subjects.items()}


def _digest_lines(text: bytes, subjects: dict[bytes, Any]) -> None:
    """Add each N-Quads line of *text* to the digest of its subject (its first term) in *subjects*."""
    new = hashlib.blake2b
    for line in text.split(b"\n"):
        if not line:
            continue
        s = line[: line.index(b" ")]
        h = subjects.get(s)
        if h is None:
            h = subjects[s] = new(digest_size=8)
        h.update(line)


def changed_focus(
    state: dict[str, Any], new: dict[str, str], quads: list, skip: tuple[str, ...]
) -> set[str] | None:
    """The nodes SHACL must check again: those whose quads changed, what they point at and what points at them.

    None (check everything) when the previous build was not checked or kept no digests.
    """
    old = state.get("subjects")
    if old is None or _STRICT.get(state.get("inputs", {}).get("shacl", "off"), 0) < _STRICT["curated"]:
        return None
    changed = {s for s in set(old) | set(new) if old.get(s) != new.get(s)}
    if not changed:
        return set()
    focus = set(changed)
    for q in quads:
        if q.graph_name.value in skip:
            continue
        s, o = str(q.subject), str(q.object)
        if s in changed and o.startswith("<"):
            focus.add(o)
        elif o in changed:
            focus.add(s)
    return {f[1:-1] for f in focus if f.startswith("<")}


def write_state(
    store: Path, fp: dict[str, Any], digests: dict[str, str], dump: Path | None, report: dict, subjects: dict
) -> None:
    """Leave the state of this build in the store folder (after the dump is written)."""
    from kg.store.artefacts import build_id

    state = {
        "inputs": fp,
        "graphs": digests,
        "dump": _dump_stamp(dump),
        "report": report,
        "subjects": subjects,
        "build_id": build_id(
            store
        ),  # a later write of the store (an import) renews it: this state is then void
    }
    tmp = Path(store) / f".{STATE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, Path(store) / STATE_FILE)


def changed_graphs(old: dict[str, str], new: dict[str, str]) -> set[str]:
    """The named graphs whose digest differs between two builds (added and removed ones too)."""
    return {g for g in set(old) | set(new) if old.get(g) != new.get(g)}


def changed_graphs_writer(
    previous: Path, target: Path, quads: PackedQuads, old: dict[str, str], new: dict[str, str]
) -> Any:
    """A :class:`~kg.store.write.StoreLoader` writing at *target* a checkpoint of the store *previous* where
    every graph whose digest changed is replaced by its quads in *quads* (removed when it has none).

    The checkpoint shares the previous store's files (hard links); the previous store is not changed. It is
    made, and the changed graphs' text bulk-loaded into it, by a child process (call ``wait()``); it is
    compacted when that text is large (e.g. a national data set into the kept geography's store).
    """
    from kg.store.write import StoreLoader

    changed = changed_graphs(old, new)
    counts = quads.counts()
    n = sum(counts.get(g, 0) for g in changed)
    return StoreLoader(
        (text for _g, text in quads.blocks(changed)),
        target,
        base=previous,
        drop=sorted(g for g in changed if g in old),
        optimize=n >= OPTIMIZE_FROM,
    )


# --------------------------------------------------------------------------- the geography, kept


#: the folder beside the store (``<store>.geography``) where a full build keeps what an incremental build
#: needs of the geography without loading ``data/geo/`` or making its 320,000 quads again
GEOGRAPHY_CACHE = ".geography"


@dataclass(frozen=True)
class GeoCodes:
    """The territories' codes by level: what the curated records are checked against (``territory_exists``)."""

    communes: frozenset[str]
    intercommunalities: frozenset[str]
    departements: frozenset[str]
    regions: frozenset[str]


def geography_cache(store: Path) -> Path:
    return Path(store).with_name(Path(store).name + GEOGRAPHY_CACHE)


def save_geography(store: Path, fp: dict[str, Any], geo: Any, trig: bytes) -> None:
    """Keep, beside *store*, the codes of *geo* and the geography's block of the dump (*trig*, no prefixes)."""
    import pickle

    folder = geography_cache(store)
    codes = GeoCodes(
        frozenset(geo.communes),
        frozenset(geo.intercommunalities),
        frozenset(geo.departements),
        frozenset(geo.regions),
    )
    tmp = folder.with_name(f".{folder.name}.new-{os.getpid()}")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "trig").write_bytes(trig)
        key = {
            "geo": fp["geo"],
            "code": fp["code"],
            "trig": hashlib.blake2b(trig, digest_size=16).hexdigest(),
        }
        (tmp / "codes.pickle").write_bytes(pickle.dumps((key, codes), protocol=pickle.HIGHEST_PROTOCOL))
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except OSError:  # a read-only folder: the next build loads the geography again
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def load_geography_cache(store: Path, fp: dict[str, Any], *, folder: Path | None = None) -> GeoCodes | None:
    """The codes kept by :func:`save_geography` when they are of this ``data/geo/`` and code (else None);
    *folder*: where they are kept, if not beside *store* (:mod:`kg.store.geo_store`)."""
    import pickle

    folder = folder or geography_cache(store)
    try:
        key, codes = pickle.loads((folder / "codes.pickle").read_bytes())
    except Exception:  # noqa: BLE001 - missing or broken: the geography is loaded again
        return None
    if key.get("geo") != fp["geo"] or key.get("code") != fp["code"] or not (folder / "trig").exists():
        return None
    return codes


def geography_trig(store: Path, fp: dict[str, Any], *, folder: Path | None = None) -> bytes | None:
    """The geography's block of the dump kept beside *store* (None when it is not the one of this build);
    *folder*: where it is kept, if not beside *store*."""
    import pickle

    folder = folder or geography_cache(store)
    try:
        key, _ = pickle.loads((folder / "codes.pickle").read_bytes())
        trig = (folder / "trig").read_bytes()
    except Exception:  # noqa: BLE001
        return None
    same = key.get("geo") == fp["geo"] and key.get("code") == fp["code"]
    return trig if same and hashlib.blake2b(trig, digest_size=16).hexdigest() == key.get("trig") else None


def territory_quads(store: Path, subjects: set[str], graph: str) -> list:
    """The quads of *graph* about *subjects* in the store at *store* (the geography of a reused store)."""
    from pyoxigraph import NamedNode, Store

    st = Store.read_only(str(store))
    g = NamedNode(graph)
    out: list = []
    for s in sorted(subjects):
        out += st.quads_for_pattern(NamedNode(s), None, None, g)
    del st
    return out


def trig_parts(quads: list, serialize: Any, fmt: Any, prefixes: dict) -> tuple[bytes, bytes]:
    """The TriG of *quads* as ``(prefix lines, the rest)``: ``b""`` and ``b""`` when there is none."""
    text = serialize(quads, format=fmt, prefixes=prefixes)
    k = 0
    while text.startswith(b"@prefix", k):
        k = text.index(b"\n", k) + 1
    return text[:k], text[k:]


def territory_scope(records: list, codes: Any) -> set[str]:
    """What :func:`kg.rdf.shacl.territory_scope` keeps of the geography (the territories *records* point
    at, every département and région), as IRIs: the territories fetched from a reused store."""
    from kg.model import iris

    prefix = iris.BASE + "id/territory/"
    if isinstance(records, PackedQuads):  # read on the text
        out = records.objects(prefix)
    else:
        out = {v for q in records if (v := getattr(q.object, "value", "")).startswith(prefix)}
    out.update(iris.territory("departement", c) for c in codes.departements)
    out.update(iris.territory("region", c) for c in codes.regions)
    return out


def build_digests(
    records: Iterable, geography: list, state: dict | None, skip: tuple[str, ...] = ()
) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`graph_digests` of every quad, and :func:`subject_digests` of *records* but the graphs in *skip*.

    The geography's graph digest is taken from *state* (the previous build's, when its store is reused:
    same ``data/geo/`` and code, hence the same quads). One pass over the records' N-Quads text (a
    :class:`~kg.rdf.packed.PackedQuads`: a build of 100,000 actors has 7 million quads), no quad made.
    """
    from kg.model import iris

    g = iris.GEOGRAPHY_GRAPH
    old = (state or {}).get("graphs", {})
    packed = records if isinstance(records, PackedQuads) else PackedQuads(records)
    graphs: dict[str, str] = {}
    subjects: dict[bytes, Any] = {}
    in_geo = False
    for name, text in packed.blocks():
        if name == g:
            in_geo = True
            continue
        graphs[name] = hashlib.blake2b(text, digest_size=16).hexdigest()
        if name not in skip:
            _digest_lines(text, subjects)
    if g in old and not in_geo:
        geo_digest = {g: old[g]}
    elif not in_geo and geography:  # a full build: the geography's N-Quads, serialised at once
        from pyoxigraph import RdfFormat, serialize

        text = serialize(geography, format=RdfFormat.N_QUADS) or b""
        geo_digest = {g: hashlib.blake2b(text, digest_size=16).hexdigest()}
    else:  # records in the geography's graph (never, but then digested with it), or no geography
        geo_digest = graph_digests([*packed.quads([g]), *geography])
    out = graphs | geo_digest
    return dict(sorted(out.items())), {k.decode(): h.hexdigest() for k, h in subjects.items()}
