"""``kg build``: data → validated graph in an embedded store, plus a dump.

The steps, each in its own module: official geography (:mod:`kg.ingest.geo`), curated
records (:mod:`kg.ingest.curated`, pydantic) and stored spreadsheet imports
(:mod:`kg.ingest.imports`), the RDF mapping (:mod:`kg.rdf.mapping`), SHACL
(:mod:`kg.rdf.shacl`), then the store (:mod:`kg.store.write`: pyoxigraph, RocksDB on
disk) and a TriG dump.

Nothing is written unless every check passes, and the previous store and dump are
replaced only once the new ones are complete (written beside them, then renamed). The
store and dump they replace are kept as ``<store>.previous`` and ``<dump>.previous`` (one
previous version): :func:`restore_previous` puts them back when a build was a mistake.
What an interrupted build left (hidden ``.store.new-<pid>`` folders…) is removed by the next.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Literal as TLiteral

from kg.errors import InputError, StoreError
from kg.ingest.geo_tables import collector_paused
from kg.rdf.packed import PackedQuads
from kg.store.artefacts import new_build_id
from kg.store.columnar import MIN_ACTORS, tables_dir, write_store_tables
from kg.store.columnar_update import carry_tables, tables_change, update_tables
from kg.store.imported import imported_quads
from kg.store.previous import previous_of, restore_previous
from kg.store.summary import count_packed_actors
from kg.store.summary import summary as summarise

# A build with nothing to do decides from file hashes alone: this module imports nothing that pulls in
# rdflib (kg.model.vocab) at its top, so that ``kg build`` then takes no longer than starting the CLI.
# The RDF side (iris, prefixes, SHACL, the store writer) is imported where a build writes.

__all__ = [
    "DEFAULT_DUMP",
    "END_STEPS",
    "BuildReport",
    "build",
    "build_quads",
    "previous_of",
    "restore_previous",
]

DEFAULT_DUMP = Path("build/graph.trig")
#: the default store, as :data:`kg.store.graph.DEFAULT_STORE` (a test keeps them equal; not imported: see above)
DEFAULT_STORE = Path("build/store")

#: An end-of-build step: (name, function of the new store's folder), run once the store is in place.
EndStep = tuple[str, Callable[[Path], object]]
#: A step given by the caller (``steps=``): (name, function of the new store's folder and of every quad the
#: build wrote, in memory, so it need not read the store: the first step only; the later ones get None).
QuadStep = tuple[str, Callable[[Path, list | None], object]]

#: The steps every build runs on its new store, in order, each timed in the report under its name.
#: ``kg build`` adds the network's artefacts (:data:`kg.network.artefacts.STEPS`: projection, chain
#: graph, name index) through ``steps=``; a step of a lower layer belongs here (the store's relation
#: tables, :func:`kg.store.columnar.write_store_tables`, when DuckDB is installed).
END_STEPS: list[EndStep] = [("tables", write_store_tables)]


@dataclass
class BuildReport:
    """What a build wrote and how long each step took (seconds)."""

    store: Path | None
    dump: Path | None
    quads: int
    graphs: dict[str, int]
    records: dict[str, int]
    territories: int
    conforms: bool
    seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of this process per step (``seconds`` is wall time: on a loaded machine, mostly waiting;
    #: the store's writer is a child process, its work shows as wall time of the ``store`` step)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    #: the store this build replaced, kept (None when there was none)
    previous: Path | None = None
    #: "full" (store written whole), "incremental" (changed graphs only) or "unchanged" (nothing to do)
    mode: str = "full"
    #: what was done rather than taken from the previous build: ``records_parsed`` / ``records_reused``
    #: (curated records parsed from their YAML, or taken from the parses kept beside the store), ``tables``
    #: ("updated" from the graphs that changed, "written" from the whole store, or "none"), ``geography``
    #: ("loaded" from ``data/geo/``, "kept" beside the store, or the "user cache": :mod:`kg.store.geo_store`)
    work: dict[str, Any] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._t = time.perf_counter()
        self._c = time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[name] = round(now - self._t, 3)
        self.cpu[name] = round(cpu - self._c, 3)
        self._t, self._c = now, cpu


def build_quads(
    data_dir: str | Path = "data",
    *,
    ontology_dir: str | Path = "ontology",
    shacl: TLiteral["curated", "full", "off"] = "curated",
    generated_at: str | None = None,
    timer: _Timer | None = None,
    validate: bool = True,
):
    """Load, check and map everything; return ``(quads, curated, geography)`` without writing.

    Raises
    ------
    InputError
        Every problem in the input files, located.
    ShapeViolation
        Every SHACL violation, located at its curated record (unless *validate* is False).
    """
    parts, curated, geo = _build_parts(
        data_dir,
        ontology_dir=ontology_dir,
        shacl=shacl,
        generated_at=generated_at,
        timer=timer,
        validate=validate,
    )
    return parts.all(), curated, geo


def _build_parts(
    data_dir: str | Path = "data",
    *,
    ontology_dir: str | Path = "ontology",
    shacl: str = "curated",
    generated_at: str | None = None,
    timer: _Timer | None = None,
    validate: bool = True,
    codes: Any = None,
    reader: Any = None,
    consume: bool = False,
    on_record: Any = None,
):
    """:func:`build_quads`, the quads kept apart: ``(_Parts, curated, geography)``.

    Given the territories' *codes* (:class:`kg.store.incremental.GeoCodes`, kept by the previous build of
    the same ``data/geo/``), the geography is neither loaded nor mapped: its part is empty and the codes
    stand for it. Given a *reader* (:class:`kg.ingest.yaml_records.RecordReader`), the curated files are
    read with it (only the records whose text changed since the build that kept its parses are parsed).
    *consume*: each record (imported ones too) handed to *on_record*, then let go once mapped, the curated
    and imported quads then a :class:`~kg.rdf.packed.PackedQuads` (:func:`kg.rdf.mapping_stream.pack_curated_quads`).
    Raises what :func:`build_quads` raises.
    """
    from kg.ingest.curated import load_curated
    from kg.ingest.geo import geography_quads, load_geography
    from kg.rdf.mapping import curated_quads
    from kg.rdf.mapping_stream import pack_curated_quads
    from kg.rdf.shacl import ontology_quads

    timer = timer or _Timer()
    data_dir, ontology_dir = Path(data_dir), Path(ontology_dir)
    geo: Any = codes
    if codes is None:
        try:
            geo = load_geography(data_dir / "geo")
        except ValueError as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(str(data_dir / "geo"), str(exc)) from None
    timer.lap("geography")
    curated = load_curated(
        data_dir / "curated",
        sources_dir=data_dir / "sources",
        schemes_file=ontology_dir / "schemes.ttl",
        territory_exists=lambda level, code: _territory_exists(geo, level, code),
        read_records=reader.read if reader is not None else None,
    )
    if reader is not None:  # the records read well, whatever the checks say next (a parse depends on its
        reader.save()  # text only): kept now, and let go before the mapping (~1 GB at 100,000 actors)
    timer.lap("curated")
    iq = imported_quads(data_dir, curated=curated, on_record=on_record if consume else None)  # kg import
    # with consume, the records and their quads are never whole together (the curated keeps counts, places),
    # and the quads are kept as N-Quads text, one block per graph (kg.rdf.packed)
    cq: Any
    if consume:
        cq = pack_curated_quads(curated, generated_at=generated_at, on_record=on_record)
        cq.add(iq)
    else:
        cq = curated_quads(curated, generated_at=generated_at) + iq
    oq = ontology_quads(ontology_dir)
    gq = geography_quads(geo) if codes is None else []
    timer.lap("mapping")
    parts = _Parts(cq, oq, gq)
    if validate:
        check_shapes(parts, curated, ontology_dir, shacl=shacl)
        timer.lap("shacl")
    return parts, curated, geo


@dataclass
class _Parts:
    curated: Any  # a list of quads, or a PackedQuads (the records' quads as text: _build_parts(consume=True))
    ontology: list
    geography: list

    def all(self) -> list:
        return self.curated + self.ontology + self.geography


def check_shapes(
    parts: _Parts, curated, ontology_dir: Path, *, shacl: str = "curated", focus: set[str] | None = None
) -> None:
    """Validate with ``shapes.ttl`` (:func:`kg.rdf.shacl.check_shapes`); raise :class:`ShapeViolation` listing every violation."""
    if shacl == "off":
        return
    from kg.rdf.shacl import check_shapes as check

    check(
        parts.curated,
        parts.ontology,
        parts.geography,
        Path(ontology_dir) / "shapes.ttl",
        _locator(curated),
        scope=shacl,
        focus=focus,
    )


def _territory_exists(geo, level: str, code: str) -> bool:
    table = {
        "commune": geo.communes,
        "intercommunalite": geo.intercommunalities,
        "departement": geo.departements,
        "region": geo.regions,
    }[level]
    return code in table


def _locator(curated):
    from kg.model import iris

    base = iris.BASE + "id/"

    def locate(focus: str) -> tuple[str, int | None]:
        if focus.startswith(base):
            parts = focus[len(base) :].split("/")
            if len(parts) >= 2 and parts[1] in curated.located:
                file, line = curated.located[parts[1]]
                return file, line
        return focus, None

    return locate


# the cyclic collector paused around every call of build(): a build makes millions of long-lived objects
# (records, quads, the screen's index) and no cycles to speak of; each full collection walked all of them
# (1.8x the CPU time at 10,000 actors, in loading, mapping and the SHACL screen alike)
@collector_paused()
def build(
    data_dir: str | Path = "data",
    store: str | Path | None = DEFAULT_STORE,
    dump: str | Path | None = DEFAULT_DUMP,
    *,
    ontology_dir: str | Path = "ontology",
    shacl: TLiteral["curated", "full", "off"] = "curated",
    generated_at: str | None = None,
    steps: Sequence[QuadStep] = (),
    on_record: Any = None,
) -> BuildReport:
    """Build the graph from *data_dir* into the store at *store* and the TriG dump at *dump*.

    Parameters
    ----------
    data_dir : path
        Holds ``curated/``, ``geo/`` and ``sources/``.
    store : path or None
        Folder of the embedded store (pyoxigraph/RocksDB); None for no store.
    dump : path or None
        TriG file with every named graph; None for no dump.
    ontology_dir : path
        Holds the ontology, SKOS schemes and SHACL shapes.
    shacl : {"curated", "full", "off"}
        Validate the curated data with the territories it uses (default), everything
        (the whole geography too: slower), or nothing.
    generated_at : str, optional
        ``prov:generatedAtTime`` of the graphs (ISO date-time); now by default.
    steps : sequence of (name, function)
        Run once the store is in place, after :data:`END_STEPS`, with the new store's folder and None (they
        read the store, compacted: the quads are let go before; ``kg build`` gives
        :func:`kg.network.artefacts.build_steps`). The store gets a new build id first
        (:mod:`kg.store.artefacts`), so what an older build left beside it is stale.
    on_record : callable, optional
        Given each record mapped (kind, record, kinds by id): ``kg build``'s projection from the records.

    Returns
    -------
    BuildReport

    Raises
    ------
    InputError, ShapeViolation
        With every problem found; nothing is written and the previous store and dump stay.
    StoreError
        When the store cannot be written.

    Examples
    --------
    Check the project's data without writing anything (no store, no dump, no SHACL):

    >>> from kg.model.paths import DATA_DIR, ONTOLOGY_DIR
    >>> report = build(DATA_DIR, store=None, dump=None, ontology_dir=ONTOLOGY_DIR, shacl="off")
    >>> report.quads > 300_000, report.store is None
    (True, True)
    """
    from kg.ingest.yaml_records import RecordReader, records_cache
    from kg.store import geo_store
    from kg.store import incremental as inc

    timer = _Timer()
    paths = [q for p in (store, dump) if p for q in (Path(p), previous_of(p))]
    # what an interrupted save of the geography or of the parsed records left
    paths += [inc.geography_cache(Path(store)), records_cache(Path(store))] if store else []
    if _leftovers_possible(paths):  # else not even imported: a build with nothing to do stays quick
        from kg.store.write import clean_leftovers

        clean_leftovers(*paths)
    store_path = Path(store) if store else None
    dump_path = Path(dump) if dump else None
    fp = inc.fingerprint(Path(data_dir), Path(ontology_dir), shacl=shacl, generated_at=generated_at)
    state = inc.read_state(store_path) if store_path and store_path.is_dir() else None
    if store_path and inc.unchanged(state, fp, dump_path):
        timer.lap("unchanged")
        return BuildReport(
            store_path,
            dump_path,
            **state["report"],  # type: ignore[index]
            seconds=timer.seconds,
            cpu_seconds=timer.cpu,
            mode="unchanged",
        )
    from pyoxigraph import RdfFormat, serialize

    from kg.model import iris
    from kg.model.vocab import PREFIXES
    from kg.store.write import StoreLoader, swap_dir

    reuse = store_path is not None and store_path.is_dir() and inc.reusable(state, fp)
    geo_graph = iris.GEOGRAPHY_GRAPH
    # same data/geo/ and code as the previous build, which kept the territories' codes and the dump's
    # geography block: the geography is neither loaded nor mapped (its quads stay in the reused store)
    codes = inc.load_geography_cache(store_path, fp) if reuse and dump_path and shacl != "full" else None  # type: ignore[arg-type]
    geo_trig = inc.geography_trig(store_path, fp) if codes is not None else None  # type: ignore[arg-type]
    if geo_trig is None or geo_graph not in state["report"]["graphs"] or geo_graph not in state["graphs"]:  # type: ignore[index]
        codes = None
    # no store to start from, but the user's cache keeps the store of this geography (kg.store.geo_store): the
    # new store starts as a checkpoint of it, as from a reused store, and the geography is neither loaded,
    # mapped nor written
    seed: Path | None = None
    seed_state: dict[str, Any] | None = None
    if codes is None and not reuse and store_path and dump_path and shacl != "full":
        kept_geo = geo_store.start(fp, store_path, geo_graph)
        if kept_geo is not None:
            seed, seed_state, codes, geo_trig = kept_geo
    base = state if reuse else seed_state  # the previous build's, or the kept geography's, digests and sizes
    # the curated files read record by record, each record's parse kept beside the store for the next build
    reader = RecordReader(records_cache(store_path) if store_path else None)
    parts, curated, geo = _build_parts(
        data_dir,
        ontology_dir=ontology_dir,
        shacl=shacl,
        generated_at=generated_at,
        timer=timer,
        validate=False,
        codes=codes,
        reader=reader,
        consume=True,
        on_record=on_record,
    )
    work: dict[str, Any] = {"records_parsed": reader.parsed, "records_reused": reader.reused}
    work["geography"] = "user cache" if seed else "kept" if codes is not None else "loaded"
    # the records' quads (curated, imports, ontology) as N-Quads text, one block per graph, in the order of a
    # stable sort by graph (kg.rdf.packed): 150 B a quad where a pyoxigraph.Quad took 560; each step below
    # reads them again as quads, a graph at a time, or as text (the store's bulk load, the digests); the
    # geography (hundreds of thousands of quads, one graph) is put in its place without being looked at
    records = parts.curated
    records.add(parts.ontology)
    quads = records.with_graph(geo_graph, parts.geography)
    skip = (iris.GEOGRAPHY_GRAPH, iris.ONTOLOGY_GRAPH)
    digests, subjects = inc.build_digests(records, parts.geography, base, skip)
    kept_counts = {geo_graph: base["report"]["graphs"][geo_graph]} if codes is not None else {}  # type: ignore[index]
    summary = summarise(records, parts.geography, curated, geo, kept_counts)
    # the records were let go as they were mapped: only where each came from is read (to locate a violation)
    curated = _located_only(curated)
    parts.curated = parts.ontology = []  # their quads are in records (sorted), not needed twice
    # what the checks and the projection read of a geography that was not loaded: the quads of the
    # territories the records point at, and of every département and région, from the reused store
    geography = parts.geography
    if codes is not None:
        source = seed / "store" if seed else store_path  # the kept geography's store, or the reused one
        geography = inc.territory_quads(source, inc.territory_scope(records, codes), geo_graph)  # type: ignore[arg-type]
    tmp_store = tmp_dump = None
    table_rows: tuple | None = None
    writer = None
    kept: Path | None = None
    same_geo = True
    try:
        if store_path:
            store_path.parent.mkdir(parents=True, exist_ok=True)
            tmp_store = store_path.with_name(f".{store_path.name}.new-{os.getpid()}")
            shutil.rmtree(tmp_store, ignore_errors=True)
            # written by a child process while this one validates (2 cores): a new store of every quad, or a
            # checkpoint of the previous store (or of the kept geography's) with the graphs that changed
            # replaced; never a bulk load in this process (+1.1 GB at 100,000 actors)
            if reuse:
                old = state["graphs"]  # type: ignore[index]
                same_geo = old.get(iris.GEOGRAPHY_GRAPH) == digests.get(iris.GEOGRAPHY_GRAPH)
                if codes is not None and not same_geo:  # its quads were not made: the store would lose them
                    raise StoreError(
                        f"the geography kept beside {store_path} is not the store's: run kg build again"
                    )
                written = records if same_geo else quads
                writer = inc.changed_graphs_writer(store_path, tmp_store, written, old, digests)
            elif seed is not None and seed_state is not None:  # the records into the kept geography's store
                writer = inc.changed_graphs_writer(
                    seed / "store", tmp_store, records, seed_state["graphs"], digests
                )
            else:
                writer = StoreLoader((text for _g, text in quads.blocks()), tmp_store)
        focus = inc.changed_focus(state, subjects, records, skip) if reuse and shacl == "curated" else None  # type: ignore[arg-type]
        _validate_all(records, geography, curated, ontology_dir, shacl, focus=focus)
        timer.lap("shacl")
        if reuse and store_path and tmp_store:  # the previous store, only the graphs that changed replaced
            changed = inc.changed_graphs(old, digests)
            # the relation tables: the old ones (fresh, with the rows of the graphs replaced) carried over and
            # brought up to date by the change of those graphs, not written again from a scan of the store
            table_rows = tables_change(store_path, changed, list(written.quads(changed)))
        if writer is not None:
            writer.wait()
            writer = None
            (tmp_store / inc.STATE_FILE).unlink(missing_ok=True)  # type: ignore[operator]
            if table_rows is not None and not carry_tables(store_path, tmp_store):  # type: ignore[arg-type]
                table_rows = None
            new_build_id(tmp_store)  # type: ignore[arg-type]
            timer.lap("store")
        if dump_path:
            dump_path.parent.mkdir(parents=True, exist_ok=True)
            tmp_dump = dump_path.with_name(f".{dump_path.name}.new-{os.getpid()}")
            # what one serialize() of every quad writes (a test checks), in pieces: the records' graphs that
            # sort before the geography (nearly all) serialised straight into the file, prefixes first; the
            # geography's block; the records' graphs after it
            at = records.before(geo_graph)
            geo_head = b""
            if geo_trig is None:
                geo_head, geo_trig = inc.trig_parts(parts.geography, serialize, RdfFormat.TRIG, PREFIXES)
                if store_path:
                    inc.save_geography(store_path, fp, geo, geo_trig)
            after_head, after = inc.trig_parts(records.quads(but=at), serialize, RdfFormat.TRIG, PREFIXES)
            with open(tmp_dump, "wb") as out:
                if at:
                    serialize(records.quads(at), out, format=RdfFormat.TRIG, prefixes=PREFIXES)
                else:
                    out.write(geo_head or after_head)
                out.write(geo_trig)
                out.write(after)
            if seed is not None and store_path:  # what the next build reuses beside the store
                inc.save_geography(store_path, fp, codes, geo_trig)
            timer.lap("dump")
        if store_path and tmp_store:
            kept = previous_of(store_path) if store_path.exists() else None
            swap_dir(tmp_store, store_path, previous=previous_of(store_path))
            tmp_store = None
        if dump_path and tmp_dump:
            if dump_path.exists():
                os.replace(dump_path, previous_of(dump_path))
            os.replace(tmp_dump, dump_path)
            tmp_dump = None
        timer.lap("swap")
        if store_path:
            inc.write_state(store_path, fp, digests, dump_path, summary, subjects)
            if codes is None and dump_path and geo_graph in digests:  # for the next build into another folder
                geo_store.keep(store_path, fp, geo_graph, digests, summary["graphs"], len(records))
                timer.lap("geography kept")
            # what the steps below do not read, freed before they make their own structures (the
            # projection, the chain graph): the records (pydantic), the geography's indexes, the digests
            curated = geo = parts = None
            subjects.clear()
            few_actors = count_packed_actors(records) < MIN_ACTORS
            # nor the quads: the steps read the store, compacted (the projection from it took 4.7 s CPU and
            # 271 MB at 10,000 actors, from the quads parsed again 4.3 s and 985 MB: every quad as an object)
            quads = records = geography = written = None  # type: ignore[assignment]
            for name, end_step in END_STEPS:
                if end_step is write_store_tables and table_rows is not None:
                    try:
                        update_tables(store_path, *table_rows)
                        work["tables"] = "updated"
                    except OSError:
                        write_store_tables(store_path)  # its tables as they were: written again in full
                elif end_step is write_store_tables and few_actors:
                    # below the threshold the step writes nothing (and opens no store, imports no DuckDB):
                    # only old tables to remove, as it would (none in a new store or a checkpoint)
                    shutil.rmtree(tables_dir(store_path), ignore_errors=True)
                else:
                    end_step(store_path)
                timer.lap(name)
            if "tables" not in work:
                work["tables"] = "written" if tables_dir(store_path).is_dir() else "none"
            for name, step in steps:
                step(store_path, None)
                timer.lap(name)
    except OSError as exc:
        raise StoreError(
            f"cannot write the graph: {exc}; the previous store and dump are unchanged"
        ) from None
    finally:
        if writer is not None:
            writer.cancel()
        if tmp_store is not None:
            shutil.rmtree(tmp_store, ignore_errors=True)
        if tmp_dump is not None and Path(tmp_dump).exists():
            Path(tmp_dump).unlink()
    return BuildReport(
        store=store_path,
        dump=dump_path,
        **summary,
        seconds=timer.seconds,
        cpu_seconds=timer.cpu,
        previous=kept,
        mode="incremental" if reuse else "full",
        work=work,
    )


def _located_only(curated):
    """*curated* reduced to where each record came from (what :func:`_locator` reads), once mapped."""
    from kg.ingest.curated import Curated

    return Curated(located=curated.located)


def _leftovers_possible(paths: list[Path]) -> bool:
    """Whether a folder of *paths* holds a hidden ``.<name>.…`` entry that an interrupted write may have left."""
    for path in paths:
        try:
            names = os.listdir(path.parent)
        except OSError:
            continue
        if any(n.startswith(f".{path.name}.") for n in names):
            return True
    return False


def _validate_all(
    records: PackedQuads, geography: list, curated, ontology_dir, shacl: str, *, focus: set[str] | None = None
) -> None:
    """SHACL on the records' quads (curated, imports and ontology, split here by graph) with *geography*."""
    if shacl == "off" or focus == set():  # nothing a record says changed
        return
    from kg.model import iris

    geo_graph = iris.GEOGRAPHY_GRAPH
    onto_graph = iris.ONTOLOGY_GRAPH
    # the records' quads read as they are parsed again from their text (twice: the territories they point
    # at, then the screen), never all at once; full SHACL hands everything to rdflib anyway
    cq: Any = records.quads(but=(geo_graph, onto_graph))
    oq = list(records.quads([onto_graph]))
    gq = list(records.quads([geo_graph]))
    if shacl == "full":
        cq = list(cq)
    check_shapes(
        _Parts(cq, oq, gq + geography if gq else geography), curated, ontology_dir, shacl=shacl, focus=focus
    )
