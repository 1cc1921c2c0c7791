"""The national questions side by side, in one run: columnar, pyoxigraph on disk and in memory, Virtuoso.

For each question that :mod:`kg.store.columnar` answers, on several parameter sets each, times:

* **columnar**: DuckDB over the tables written beside the store (:func:`kg.store.columnar.write_tables`,
  timed too): :func:`kg.store.columnar.answer`, median of ``--repeats``, pyoxigraph terms included; beside
  it **DuckDB alone**, the same SQL over the same tables fetched as DuckDB's own tuples
  (:func:`kg.store.columnar.sql_rows`; goal: the columnar path within 3x of it);
* **pyoxigraph on disk**: the ``.rq`` file on the on-disk store (what ``kg query`` runs without tables);
* **pyoxigraph in memory**: the same file on the same quads in memory;
* **Virtuoso** (``--virtuoso``): the same file through ``RemoteGraph`` (``--endpoint``) on Debian's
  ``virtuoso-t`` started here on 127.0.0.1 with its own temporary database (as ``tests/test_virtuoso.py``
  does), the N-Quads bulk-loaded (``ld_dir`` + ``rdf_loader_run``).

Each SPARQL engine runs in a worker process of its own (the store opened or loaded once), so that a query
over ``--timeout`` is stopped (the worker killed, then started again for the next query). Only the query is
timed. Every answer's rows are compared with the **reference** (the ``.rq`` in memory, else on disk,
else on Virtuoso),
as sorted rows of N-Triples terms, the names a ``GROUP_CONCAT`` joins read as a set
(``tests/test_columnar.py`` checks the order too); the ratio columns are each engine's time over the
columnar path's.

    nice .venv/bin/python benchmarks/bench_national_questions.py --actors 10000 --virtuoso
    nice .venv/bin/python benchmarks/bench_national_questions.py --actors 10000 --keep /tmp/s10k  # reuse

:func:`figure` is the "national questions (columnar)" figure of ``bench_national.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

#: question → its parameter sets: its example's, and ones whose answers differ (a région is the largest)
PARAMS: dict[str, list[dict[str, str]]] = {
    "ecosystem-as-of": [{"date": "2019"}, {"date": "2010"}],
    "funders-of-territory": [
        {"territory": "departement:94", "from": "2020", "to": "2023"},
        {"territory": "region:11", "from": "2015", "to": "2020"},
    ],
    "actors-of-territory": [
        {"territory": "intercommunalite:200057941"},
        {"territory": "departement:94"},
        {"territory": "region:11"},
    ],
}

ENGINES = ("disk", "memory", "virtuoso")


def canonical(result: Any) -> list[tuple]:
    """Sorted rows of N-Triples texts; a text's names joined by ``GROUP_CONCAT`` (« A → B, C ») as a set."""

    def one(value: Any) -> str | None:
        if value is None:
            return None
        text = getattr(value, "value", None)
        if isinstance(text, str) and " → " in text:
            head, tail = text.split(" → ", 1)
            return head + " → " + ", ".join(sorted(tail.split(", ")))
        return str(value)

    names = list(result.variables)
    return sorted(tuple(one(row.get(v)) for v in names) for row in result.value)


# -- SPARQL engines, each in a worker process ------------------------------------------------------------

_WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[5])
from bench_national_questions import canonical
from kg.store.queries import bind_params, get_query
mode, store_path, nq, onto = sys.argv[1:5]
t = time.perf_counter()
if mode == "disk":
    import kg
    graph = kg.open(store_path)
elif mode == "memory":
    from pyoxigraph import RdfFormat, Store
    from virtuoso_ini import virtuoso_ini

    from kg.rdf.shacl import ontology_quads
    from kg.store.graph import Graph
    store = Store()
    store.bulk_load(path=nq, format=RdfFormat.N_QUADS)
    store.bulk_extend(ontology_quads(onto))
    graph = Graph(store, None)
else:
    from kg.store.remote import RemoteGraph
    graph = RemoteGraph(store_path, timeout=3600)
print(json.dumps({"ready": time.perf_counter() - t}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    q = get_query(job["name"])
    bindings = bind_params(graph, q, job["params"])
    t = time.perf_counter()
    result = graph.run(q.sparql, raw=True, **bindings)  # the .rq itself, never the columnar path
    took = time.perf_counter() - t
    print(json.dumps({"s": took, "rows": canonical(result)}), flush=True)
"""


class Worker:
    """One SPARQL engine in a process of its own: ``ask`` a question, stopped after *timeout* seconds."""

    def __init__(self, mode: str, target: str, nq: Path, timeout: float) -> None:
        self.mode, self.target, self.nq, self.timeout = mode, target, nq, timeout
        self.proc: subprocess.Popen | None = None
        self.ready: float | None = None

    def _start(self) -> None:
        cmd = [sys.executable, "-c", _WORKER, self.mode, self.target, str(self.nq), str(ROOT / "ontology")]
        cmd.append(str(ROOT / "benchmarks"))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self._line(3600)
        if line is None:
            raise RuntimeError(f"the {self.mode} worker did not start")
        self.ready = json.loads(line)["ready"]

    def _line(self, timeout: float) -> str | None:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return line or None

    def ask(self, name: str, params: dict[str, str]) -> tuple[float | None, list[tuple] | None]:
        """Seconds and canonical rows, or (None, None) when not finished in time (the worker then stopped)."""
        if self.proc is None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"name": name, "params": params}) + "\n")
        self.proc.stdin.flush()
        line = self._line(self.timeout)
        if line is None:
            self.close()
            return None, None
        data = json.loads(line)
        return data["s"], [tuple(r) for r in data["rows"]]

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


# -- Virtuoso ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def virtuoso(nq: Path, folder: Path, log: Callable[[str], None], limit: float = 120) -> Iterator[str]:
    """A Virtuoso on 127.0.0.1 holding *nq* and the ontology (bulk loader); its SPARQL URL. A query stops
    after *limit* seconds (a query the client gave up on would otherwise go on taking a core), its
    answer then partial: it differs from the reference."""
    import httpx
    from pyoxigraph import RdfFormat, Store
    from virtuoso_ini import virtuoso_ini

    from kg.rdf.shacl import ontology_quads

    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if binary is None or isql is None:
        raise RuntimeError("virtuoso-t or isql-vt is missing: apt-get install virtuoso-opensource")
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = _free_port(), _free_port()
    ini = virtuoso_ini(
        folder, sql=sql, http=http, buffers=170_000, dirty=130_000, max_rows=10_000_000, limit=int(limit) + 1
    )
    (folder / "virtuoso.ini").write_text(ini)
    try:
        os.link(nq, folder / "graph.nq")
    except OSError:
        shutil.copy(nq, folder / "graph.nq")
    onto = Store()
    onto.bulk_extend(ontology_quads(ROOT / "ontology"))
    onto.dump(str(folder / "ontology.nq"), format=RdfFormat.N_QUADS)
    proc = subprocess.Popen(
        [binary, "-f", "-c", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("Virtuoso did not start")
            time.sleep(0.5)
        t = time.perf_counter()
        load = f"ld_dir('{folder}', '*.nq', 'urn:kg:default'); rdf_loader_run(); checkpoint;"
        subprocess.run(
            [isql, f"127.0.0.1:{sql}", "dba", "dba", f"exec={load}"], check=True, capture_output=True
        )
        log(f"Virtuoso: bulk load {time.perf_counter() - t:.1f} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the measure ---------------------------------------------------------------------------------------------


def _cli(store: Path, name: str, values: dict[str, str], timeout: float) -> dict[str, Any]:
    """``kg query NAME --format sparql-json`` on *store*, as a user runs it (the columnar path when the tables
    are fresh): wall seconds, peak RSS and its rows' values (None when it passed *timeout*)."""
    from bench_national import KG, run

    cmd = [KG, "query", name, "--store", str(store), "--format", "sparql-json"]
    for k, v in values.items():
        cmd += ["-p", f"{k}={v}"]
    r = run(cmd, timeout=timeout)
    if r["timeout"]:
        return {**r, "values": None}
    data = json.loads(r["stdout"])
    names = data["head"]["vars"]
    return {
        **r,
        "values": _sorted_values(
            [[b.get(v, {}).get("value") for v in names] for b in data["results"]["bindings"]]
        ),
    }


def _sorted_values(rows: list[list[str | None]]) -> list[tuple]:
    """Rows of plain values, each text's ``GROUP_CONCAT`` names read as a set (as :func:`canonical`)."""

    def one(text: str | None) -> str | None:
        if text is not None and " → " in text:
            head, tail = text.split(" → ", 1)
            return head + " → " + ", ".join(sorted(tail.split(", ")))
        return text

    return sorted(tuple(one(v) for v in row) for row in rows)


def measure(
    store: Path,
    nq: Path,
    *,
    params: dict[str, list[dict[str, str]]] = PARAMS,
    engines: tuple[str, ...] = ("disk", "memory"),
    virtuoso_url: str | None = None,
    timeout: float = 120.0,
    repeats: int = 3,
    cli: bool = False,
    log: Callable[[str], None] = lambda m: None,
) -> dict[str, Any]:
    """Every question of *params* on every engine; ``tables_s`` and one dict per (question, parameters).

    Each result has ``columnar`` (median seconds), ``rows`` (the columnar answer's), and per engine
    ``<engine>`` (seconds, None when timed out) and ``<engine>_same`` (rows equal to the reference's,
    None when there is no reference); the reference is the first engine that answered: pyoxigraph in
    memory, on disk, then Virtuoso. With *cli*, also ``cli`` (the ``kg query`` subprocess, wall seconds,
    None past *timeout*), ``cli_peak_mb`` and ``cli_same`` (its values equal to the columnar answer's). A
    parameter set that fails has ``error`` (the others are still measured).
    """
    import kg
    from kg.store.columnar import write_tables

    graph = kg.open(store)
    t = time.perf_counter()
    tables = write_tables(graph)
    out: dict[str, Any] = {"tables_s": time.perf_counter() - t, "tables_mb": tables.stat().st_size / 1e6}
    log(f"tables written in {out['tables_s']:.1f} s ({out['tables_mb']:.0f} MB)")
    workers = {e: Worker(e, str(store), nq, timeout) for e in engines if e != "virtuoso"}
    if virtuoso_url:
        workers["virtuoso"] = Worker("virtuoso", virtuoso_url, nq, timeout)
    results = []
    try:
        for name, sets in params.items():
            for values in sets:
                try:
                    rec = _one(graph, store, tables, name, values, workers, repeats, cli, timeout, log)
                except Exception as exc:  # noqa: BLE001 - one failing set is one row; the others are measured
                    rec = {"question": name, "params": values, "error": f"{type(exc).__name__}: {exc}"[-300:]}
                log(f"{name} {values}: {rec}")
                results.append(rec)
    finally:
        for w in workers.values():
            w.close()
    out["results"] = results
    return out


def _one(
    graph: Any,
    store: Path,
    tables: Path,
    name: str,
    values: dict[str, str],
    workers: dict[str, Worker],
    repeats: int,
    cli: bool,
    timeout: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """One question on one parameter set, on every path (see :func:`measure`)."""
    from kg.store.columnar import answer, sql_rows
    from kg.store.queries import bind_params, get_query

    b = bind_params(graph, get_query(name), values)
    times, fast = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        fast = answer(tables, name, b, raw=True)
        times.append(time.perf_counter() - t)
    sql_times = []
    for _ in range(repeats):  # DuckDB alone over the same tables: its own tuples, no terms
        t = time.perf_counter()
        sql_rows(tables, name, b)
        sql_times.append(time.perf_counter() - t)
    rec: dict[str, Any] = {
        "question": name,
        "params": values,
        "columnar": statistics.median(times),
        "duckdb": statistics.median(sql_times),
        "rows": len(fast.value) if fast is not None else 0,
    }
    if cli:
        log(f"{name} {values}: kg query")
        c = _cli(store, name, values, timeout)
        mine = _sorted_values(
            [[None if r.get(v) is None else r[v].value for v in fast.variables] for r in fast.value]
        )
        rec["cli"] = None if c["timeout"] else c["wall"]
        rec["cli_peak_mb"] = c["peak_mb"]
        rec["cli_same"] = None if c["values"] is None else c["values"] == mine
    answers: dict[str, list[tuple] | None] = {}
    for engine in ("memory", "disk", "virtuoso"):
        if engine in workers:
            log(f"{name} {values}: {engine}")
            rec[engine], answers[engine] = workers[engine].ask(name, values)
    # the .rq's answer: pyoxigraph's, else (both timed out) Virtuoso's
    reference = next((answers[e] for e in ("memory", "disk", "virtuoso") if answers.get(e) is not None), None)
    rec["columnar_same"] = None if reference is None else canonical(fast) == reference
    for engine, rows in answers.items():
        rec[f"{engine}_same"] = None if reference is None or rows is None else rows == reference
    return rec


def _s(x: float | None, timeout: float) -> str:
    return f"> {timeout:g} s" if x is None else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


def _ratio(x: float | None, base: float, timeout: float) -> str:
    return f"> {timeout / base:,.0f}x" if x is None else f"{x / base:,.1f}x"


def _same(v: bool | None) -> str:
    return "–" if v is None else ("=" if v else "DIFFER")


def markdown(measured: dict[str, Any], engines: tuple[str, ...], timeout: float) -> list[str]:
    """The side-by-side table: one line per question and parameter set, times, ratios and row checks."""
    head = ["question", "parameters", "rows", "columnar", "DuckDB SQL alone", "columnar / DuckDB"]
    head += [
        {"disk": "pyoxigraph disk", "memory": "pyoxigraph memory", "virtuoso": "Virtuoso"}[e] for e in engines
    ]
    head += [f"{e} / columnar" for e in engines] + ["rows = reference (columnar, " + ", ".join(engines) + ")"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in measured["results"]:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        cells = [
            r["question"],
            params,
            f"{r['rows']:,}",
            _s(r["columnar"], timeout),
            _s(r["duckdb"], timeout),
        ]
        cells.append(f"{r['columnar'] / r['duckdb']:.1f}x")
        cells += [_s(r.get(e), timeout) for e in engines]
        cells += [_ratio(r.get(e), r["columnar"], timeout) for e in engines]
        cells.append(" ".join(_same(r.get(f"{e}_same")) for e in ("columnar", *engines)))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def figure(ctx: Any) -> list[dict[str, Any]]:
    """``bench_national.py``'s ``questions`` figure, one row per question and parameter set: the chosen path
    (the columnar answer in process, the goal; ``kg query`` end to end beside it) against DuckDB alone,
    pyoxigraph on disk and, with ``--virtuoso``, Virtuoso (started here, stopped and removed at the end of
    the figure whatever happens); with ``--memory``, pyoxigraph in memory too. Each SPARQL engine is cut
    at ``--question-timeout`` (printed "> N s"). Returns the fields of each ``Row``."""
    from contextlib import ExitStack

    timeout = ctx.args.question_timeout
    rows: list[dict[str, Any]] = []
    engines: tuple[str, ...] = ("disk",) + (("memory",) if getattr(ctx.args, "memory", False) else ())
    with ExitStack() as stack:
        url = None
        if ctx.args.virtuoso:
            folder = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=ctx.tmp))  # a fresh folder every start
            stack.callback(shutil.rmtree, folder, True)
            t = time.perf_counter()
            try:
                url = stack.enter_context(virtuoso(ctx.nq, folder, _log, timeout))
                rows.append(
                    {
                        "figure": "Virtuoso started and bulk-loaded (N-Quads + ontology)",
                        "value": f"{time.perf_counter() - t:.1f} s",
                        "baseline": "its questions below, each cut at the time limit",
                    }
                )
            except Exception as exc:  # noqa: BLE001 - the column says why; the other engines are measured
                rows.append(
                    {"figure": "Virtuoso", "value": f"not measured: {type(exc).__name__}: {exc}"[:400]}
                )
        engines += ("virtuoso",) if url else ()
        m = measure(ctx.store, ctx.nq, engines=engines, virtuoso_url=url, timeout=timeout, cli=True, log=_log)
    rows.insert(0, {"figure": "columnar tables written (write_tables)", "value": f"{m['tables_s']:.1f} s"})
    for r in m["results"]:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        title = f"kg query {r['question']} ({params}), columnar path"
        if "error" in r:
            rows.append({"figure": title, "value": f"FAILED: {r['error']}"})
            continue
        base = "; ".join(
            f"{_ENGINE[e]} {_s(r.get(e), timeout)} ({_ratio(r.get(e), r['columnar'], timeout)})"
            for e in engines
        )
        same = {None: "no reference in time", True: "= reference", False: "DIFFER from reference"}[
            r["columnar_same"]
        ]
        gaps = [f"GAP {r['columnar']:.1f}x ({r['columnar']:.2f} s > 1 s)"] if r["columnar"] > 1 else []
        over_sql = r["columnar"] / r["duckdb"]
        if over_sql > 3:
            gaps.append(f"GAP {over_sql / 3:.1f}x ({over_sql:.1f}x DuckDB alone > 3x)")
        cli = {None: "no answer", True: "same values", False: "VALUES DIFFER"}[r.get("cli_same")]
        rows.append(
            {
                "figure": title,
                "value": f"{_s(r['columnar'], timeout)}, {r['rows']:,} rows, {same}; "
                f"kg query end to end {_s(r.get('cli'), timeout)} ({cli})",
                "baseline": f"DuckDB SQL alone {_s(r['duckdb'], timeout)} ({over_sql:.1f}x); " + base,
                "goal": "≤ 1 s and ≤ 3x DuckDB alone",
                "gap": "; ".join(gaps),
                "seconds": r["columnar"],
                "peak_mb": r.get("cli_peak_mb"),
            }
        )
    return rows


_ENGINE = {"disk": "pyoxigraph on disk", "memory": "pyoxigraph in memory", "virtuoso": "Virtuoso"}


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3, help="runs of the columnar path (median)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a SPARQL query is stopped")
    ap.add_argument("--keep", type=Path, help="keep the synthetic graph and store here, and reuse them")
    ap.add_argument("--no-memory", action="store_true", help="no pyoxigraph in memory")
    ap.add_argument("--no-disk", action="store_true", help="no pyoxigraph on disk")
    ap.add_argument("--virtuoso", action="store_true", help="also Virtuoso (virtuoso-t started here)")
    ap.add_argument("--only", default="", help="questions to run, comma-separated (default: all)")
    args = ap.parse_args(argv)

    from pyoxigraph import RdfFormat, Store
    from synthetic import stream

    from kg.rdf.shacl import ontology_quads

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-national-questions-"))
    folder = args.keep.resolve() if args.keep else tmp
    folder.mkdir(parents=True, exist_ok=True)
    nq, store = folder / "graph.nq", folder / "store"
    marker = folder / "actors.txt"
    load_before, started = os.getloadavg()[0], time.perf_counter()
    try:
        if not (marker.exists() and marker.read_text().strip() == str(args.actors)):
            t = time.perf_counter()
            stream(args.actors, nq, seed=42)
            log(f"generated {args.actors:,} actors in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            shutil.rmtree(store, ignore_errors=True)
            s = Store(str(store))
            s.bulk_load(path=str(nq), format=RdfFormat.N_QUADS)
            s.bulk_extend(ontology_quads(ROOT / "ontology"))
            s.optimize()
            s.flush()
            del s
            marker.write_text(str(args.actors))
            log(f"loaded on disk with the ontology, optimised, in {time.perf_counter() - t:.1f} s")
        engines = tuple(e for e in ("disk", "memory") if not getattr(args, f"no_{e}"))
        params = {k: v for k, v in PARAMS.items() if not args.only or k in args.only.split(",")}
        with virtuoso(nq, tmp / "virtuoso", log, args.timeout) if args.virtuoso else _nothing() as url:
            engines += ("virtuoso",) if url else ()
            m = measure(
                store, nq, params=params, engines=engines, virtuoso_url=url, timeout=args.timeout,
                repeats=args.repeats, log=log,
            )  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"# national questions: {args.actors:,} synthetic actors (seed 42); columnar tables written in "
        f"{m['tables_s']:.1f} s ({m['tables_mb']:.0f} MB); {time.perf_counter() - started:.0f} s in all; "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}; {when}\n"
    )
    print("\n".join(markdown(m, engines, args.timeout)))
    return 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    raise SystemExit(main())
