"""``kg build``: data → validated graph in an embedded store, plus a dump.

The steps, each in its own module: official geography (:mod:`kg.ingest.geo`), curated
records (:mod:`kg.ingest.curated`, pydantic), the RDF mapping (:mod:`kg.rdf.mapping`), SHACL
(:mod:`kg.rdf.shacl`), then the store (pyoxigraph, RocksDB on disk) and a TriG dump.

Nothing is written unless every check passes, and the previous store and dump are
replaced only once the new ones are complete (written beside them, then renamed).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TLiteral

from kg.errors import InputError, ShapeViolation, StoreError
from kg.model import iris
from kg.model.vocab import PREFIXES
from kg.store.graph import DEFAULT_STORE

__all__ = ["DEFAULT_DUMP", "ONTOLOGY_FILES", "BuildReport", "build", "build_quads"]

DEFAULT_DUMP = Path("build/graph.trig")
#: ontology files loaded into graph:ontology (shapes.ttl is used for validation only)
ONTOLOGY_FILES = ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl")


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


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._t, 3)
        self._t = now


def _ontology_quads(ontology_dir: Path) -> list:
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    g = NamedNode(iris.ONTOLOGY_GRAPH)
    out = []
    for name in ONTOLOGY_FILES:
        path = ontology_dir / name
        if path.exists():
            out.extend(
                Quad(t.subject, t.predicate, t.object, g)
                for t in parse(path=str(path), format=RdfFormat.TURTLE)
            )
    return out


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
    from kg.ingest.curated import load_curated
    from kg.ingest.geo import geography_quads, load_geography
    from kg.rdf.mapping import curated_quads

    timer = timer or _Timer()
    data_dir, ontology_dir = Path(data_dir), Path(ontology_dir)
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
    )
    timer.lap("curated")
    cq = curated_quads(curated, generated_at=generated_at)
    from kg.sheets.imports import imported_quads

    cq += imported_quads(data_dir, curated=curated)  # catalysts' spreadsheets (kg import), one graph each
    oq = _ontology_quads(ontology_dir)
    gq = geography_quads(geo)
    timer.lap("mapping")
    parts = _Parts(cq, oq, gq)
    if validate:
        check_shapes(parts, curated, ontology_dir, shacl=shacl)
        timer.lap("shacl")
    return parts.all(), curated, geo


@dataclass
class _Parts:
    curated: list
    ontology: list
    geography: list

    def all(self) -> list:
        return self.curated + self.ontology + self.geography


def check_shapes(parts: _Parts, curated, ontology_dir: Path, *, shacl: str = "curated") -> None:
    """Validate with ``shapes.ttl``; raise :class:`ShapeViolation` listing every violation."""
    if shacl == "off":
        return
    from kg.rdf.shacl import shape_problems, to_rdflib

    if shacl == "full":
        scope = parts.all()
    else:
        scope = parts.curated + parts.ontology + _territory_scope(parts.curated, parts.geography)
    problems = shape_problems(to_rdflib(scope), Path(ontology_dir) / "shapes.ttl", _locator(curated))
    if problems:
        raise ShapeViolation(problems, f"{len(problems)} SHACL violation(s); nothing was written")


def _territory_exists(geo, level: str, code: str) -> bool:
    table = {
        "commune": geo.communes,
        "intercommunalite": geo.intercommunalities,
        "departement": geo.departements,
        "region": geo.regions,
    }[level]
    return code in table


def _territory_scope(curated_q: list, geo_q) -> list:
    """Geography quads about the territories the curated data points at, and all départements/régions."""
    prefix = iris.BASE + "id/territory/"
    wanted = {q.object.value for q in curated_q if getattr(q.object, "value", "").startswith(prefix)}
    keep_prefixes = (prefix + "departement/", prefix + "region/")
    return [q for q in geo_q if q.subject.value in wanted or q.subject.value.startswith(keep_prefixes)]


def _locator(curated):
    base = iris.BASE + "id/"

    def locate(focus: str) -> tuple[str, int | None]:
        if focus.startswith(base):
            parts = focus[len(base) :].split("/")
            if len(parts) >= 2 and parts[1] in curated.located:
                file, line = curated.located[parts[1]]
                return file, line
        return focus, None

    return locate


def build(
    data_dir: str | Path = "data",
    store: str | Path | None = DEFAULT_STORE,
    dump: str | Path | None = DEFAULT_DUMP,
    *,
    ontology_dir: str | Path = "ontology",
    shacl: TLiteral["curated", "full", "off"] = "curated",
    generated_at: str | None = None,
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
    >>> report = build(store=tmp / "store", dump=tmp / "graph.trig")  # doctest: +SKIP
    >>> report.conforms
    True
    """
    from pyoxigraph import RdfFormat, serialize

    timer = _Timer()
    quads, curated, geo = build_quads(
        data_dir,
        ontology_dir=ontology_dir,
        shacl=shacl,
        generated_at=generated_at,
        timer=timer,
        validate=False,
    )
    quads.sort(key=_graph_key)  # one TriG block per graph in the dump
    store_path = Path(store) if store else None
    dump_path = Path(dump) if dump else None
    tmp_store = tmp_dump = None
    writer = None
    try:
        if store_path:
            store_path.parent.mkdir(parents=True, exist_ok=True)
            tmp_store = store_path.with_name(f".{store_path.name}.new-{os.getpid()}")
            shutil.rmtree(tmp_store, ignore_errors=True)
            # the store is written by a child process while this one validates (2 cores)
            writer = _Writer(quads, tmp_store)
        _validate_all(quads, curated, ontology_dir, shacl)
        timer.lap("shacl")
        if writer is not None:
            writer.wait()
            writer = None
            timer.lap("store")
        if dump_path:
            dump_path.parent.mkdir(parents=True, exist_ok=True)
            tmp_dump = dump_path.with_name(f".{dump_path.name}.new-{os.getpid()}")
            with open(tmp_dump, "wb") as out:
                serialize(quads, out, format=RdfFormat.TRIG, prefixes=PREFIXES)
            timer.lap("dump")
        if store_path and tmp_store:
            _swap_dir(tmp_store, store_path)
            tmp_store = None
        if dump_path and tmp_dump:
            os.replace(tmp_dump, dump_path)
            tmp_dump = None
        timer.lap("swap")
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
    graphs: dict[str, int] = {}
    for q in quads:
        g = q.graph_name.value
        graphs[g] = graphs.get(g, 0) + 1
    return BuildReport(
        store=store_path,
        dump=dump_path,
        quads=len(quads),
        graphs=graphs,
        records=curated.count(),
        territories=len(geo.communes)
        + len(geo.intercommunalities)
        + len(geo.departements)
        + len(geo.regions),
        conforms=True,
        seconds=timer.seconds,
    )


def _graph_key(q) -> str:
    return q.graph_name.value


def _validate_all(quads: list, curated, ontology_dir, shacl: str) -> None:
    if shacl == "off":
        return
    geo_graph = iris.GEOGRAPHY_GRAPH
    onto_graph = iris.ONTOLOGY_GRAPH
    cq, oq, gq = [], [], []
    for q in quads:
        g = q.graph_name.value
        (gq if g == geo_graph else oq if g == onto_graph else cq).append(q)
    check_shapes(_Parts(cq, oq, gq), curated, ontology_dir, shacl=shacl)


_WRITER = """
import sys
from pyoxigraph import RdfFormat, Store
store = Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=RdfFormat.N_QUADS)
store.flush()
"""


class _Writer:
    """A child process writing the store from an N-Quads file while the parent validates.

    A separate interpreter (not a fork: pyoxigraph's thread pools do not survive fork).
    """

    def __init__(self, quads: list, path: Path) -> None:
        import subprocess
        import sys

        from pyoxigraph import RdfFormat, serialize

        self.nq = path.with_name(path.name + ".nq")
        with open(self.nq, "wb") as out:
            serialize(quads, out, format=RdfFormat.N_QUADS)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(self.nq), str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        _, err = self.proc.communicate()
        self.nq.unlink(missing_ok=True)
        if self.proc.returncode != 0:
            raise StoreError(f"cannot write the store: {err.decode(errors='replace').strip()[-500:]}")

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.nq.unlink(missing_ok=True)


def _swap_dir(new: Path, target: Path) -> None:
    """Replace the folder *target* by *new* (rename, then delete the old one)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
