"""Build and load benchmark: one command, one run, one table (see benchmarks/README.md).

    .venv/bin/python benchmarks/bench_build.py            # full: 100,000 actors, 3 repeats
    .venv/bin/python benchmarks/bench_build.py --quick    # 10,000 actors, 1 repeat

Every step runs in its own subprocess. Wall time is measured around the subprocess and
its peak RSS comes from ``os.wait4`` (the kernel's ``ru_maxrss`` of that one child,
the figure ``/usr/bin/time -v`` prints as "Maximum resident set size"). Figures are
medians over the repeats of the same run. Nothing is written outside a temporary
folder (removed at the end) and ``benchmarks/out/`` (only with ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BUILD_TARGET_S = 5.0
BUILD_TARGET_MB = 1024.0


# --------------------------------------------------------------------------- measuring one child


@dataclass
class Run:
    """One measured subprocess."""

    wall_s: float
    rss_mb: float
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu_s: float = 0.0  # user + system CPU seconds of the child (less sensitive to a busy machine than wall)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def result(self) -> dict:
        """The JSON object a child printed (all of stdout, or its last JSON line), or {}."""
        try:
            value = json.loads(self.stdout)
            return value if isinstance(value, dict) else {}
        except json.JSONDecodeError:
            pass
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    return {}
        return {}

    def error(self) -> str:
        if self.timed_out:
            return f"timed out after {self.wall_s:.0f} s"
        lines = [x for x in (self.stderr or self.stdout).strip().splitlines() if x.strip()]
        return (lines[-1] if lines else f"exit code {self.returncode}")[:300]


def measure(cmd: list[str], *, timeout: float | None = None, cwd: Path = ROOT) -> Run:
    """Run *cmd*, return its wall time and peak RSS (``ru_maxrss`` from ``os.wait4``)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): take the child down too, then re-raise
            kill()
            os.waitpid(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        out.seek(0)
        err.seek(0)
        return Run(
            wall,
            usage.ru_maxrss / 1024,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            killed.is_set(),
            usage.ru_utime + usage.ru_stime,
        )


# --------------------------------------------------------------------------- child: load one file


def child_load(engine: str, path: str, db: str | None, mem_limit_mb: float | None = None) -> dict:
    """Load the N-Quads file *path* with *engine*; return load seconds, quads and RSS.

    *mem_limit_mb* caps this process's address space (``RLIMIT_AS``), so that a load
    that would exhaust the shared machine's memory fails with MemoryError instead.
    """
    if mem_limit_mb:
        import resource

        cap = int(mem_limit_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        try:  # if memory runs out anyway, the kernel kills this process first, not a colleague's
            with open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
                fh.write("1000")
        except OSError:
            pass
    t0 = time.perf_counter()
    if engine in ("pyox-mem", "pyox-disk"):
        from pyoxigraph import RdfFormat, Store

        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        store = Store(db) if engine == "pyox-disk" else Store()
        store.bulk_load(path=path, format=RdfFormat.N_QUADS)
        load_s = time.perf_counter() - t0
        quads = len(store)
    elif engine == "rdflib":
        from rdflib import Dataset

        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        ds = Dataset()
        ds.parse(path, format="nquads")
        load_s = time.perf_counter() - t0
        quads = len(ds)
    else:
        raise SystemExit(f'unknown engine "{engine}"; use pyox-mem, pyox-disk or rdflib')
    status = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) / 1024
    return {
        "engine": engine,
        "load_s": round(load_s, 3),
        "import_s": round(t_import, 3),
        "quads": quads,
        "rss_after_mb": round(status.get("VmRSS", 0), 1),
        "hwm_mb": round(status.get("VmHWM", 0), 1),
    }


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- steps


@dataclass
class Row:
    """One line of the result table."""

    step: str
    runs: list[Run] = field(default_factory=list)
    quads: int | None = None
    inner_s: list[float] = field(default_factory=list)  # load time measured inside the child
    note: str = ""

    @property
    def good(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    def wall(self) -> float | None:
        return statistics.median(r.wall_s for r in self.good) if self.good else None

    def cpu(self) -> float | None:
        return statistics.median(r.cpu_s for r in self.good) if self.good else None

    def rss(self) -> float | None:
        return statistics.median(r.rss_mb for r in self.good) if self.good else None

    def inner(self) -> float | None:
        return statistics.median(self.inner_s) if self.inner_s else None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bench_real_build(tmp: Path, repeats: int) -> Row:
    """`kg build` on the real data, into a temporary store and dump."""
    row = Row("a. kg build (real data)")
    kg = Path(PYTHON).parent / "kg"
    base = [str(kg)] if kg.exists() else [PYTHON, "-m", "kg.cli.commands"]
    sub = ["build"]
    for i in range(repeats):
        args = ["--store", str(tmp / f"store-{i}"), "--dump", str(tmp / f"graph-{i}.trig"), "--json"]
        run = measure(base + sub + args, timeout=600)
        if run.returncode == 2 and "unexpected extra argument" in run.stderr and sub:
            # typer turns an app with a single command into that command: `kg [OPTIONS]`
            sub = []
            row.note = "CLI has one command, so typer takes `kg --store …` (no `build`); measured that"
            run = measure(base + args, timeout=600)
        row.runs.append(run)
        log(
            f"{row.step} #{i + 1}: {run.wall_s:.2f} s, {run.rss_mb:.0f} MB"
            + ("" if run.ok else f" FAILED: {run.error()}")
        )
        if not run.ok:
            row.note = "; ".join(x for x in (row.note, f"build failed: {run.error().strip(' -')}") if x)
            break
        report = run.result()
        row.quads = report.get("quads")
        if report.get("seconds"):
            row.inner_s.append(sum(report["seconds"].values()))
            if i == 0:
                records = sum(report.get("records", {}).values())
                steps = ", ".join(f"{k} {v}" for k, v in report["seconds"].items())
                row.note = "; ".join(
                    x for x in (row.note, f"{records:,} curated records; steps s: {steps}") if x
                )
        shutil.rmtree(tmp / f"store-{i}", ignore_errors=True)
        (tmp / f"graph-{i}.trig").unlink(missing_ok=True)
    return row


def bench_generate(tmp: Path, actors: int, out: Path) -> tuple[Row, dict]:
    row = Row(f"b1. generate {actors:,} actors → N-Quads")
    run = measure(
        [
            PYTHON,
            str(ROOT / "benchmarks" / "synthetic.py"),
            "--actors",
            str(actors),
            "--out",
            str(out),
            "--json",
        ],
        timeout=3600,
    )
    row.runs.append(run)
    stats = run.result() if run.ok else {}
    log(
        f"{row.step}: {run.wall_s:.1f} s, {run.rss_mb:.0f} MB" + ("" if run.ok else f" FAILED: {run.error()}")
    )
    if not run.ok:
        row.note = f"generation failed: {run.error()}"
        return row, stats
    row.quads = stats["quads"]
    row.inner_s.append(sum(stats["seconds"].values()))
    row.note = f"{stats['bytes'] / 1e6:,.0f} MB N-Quads; s: " + ", ".join(
        f"{k} {v}" for k, v in stats["seconds"].items()
    )
    return row, stats


def bench_load(
    tmp: Path,
    engine: str,
    path: Path,
    label: str,
    repeats: int,
    timeout: float,
    mem_limit_mb: float | None = None,
) -> Row:
    row = Row(label)
    for i in range(repeats):
        db = tmp / f"db-{engine}-{i}"
        cmd = [PYTHON, __file__, "--child", engine, "--file", str(path)]
        if engine == "pyox-disk":
            cmd += ["--db", str(db)]
        if mem_limit_mb:
            cmd += ["--mem-limit", f"{mem_limit_mb:.0f}"]
        run = measure(cmd, timeout=timeout)
        row.runs.append(run)
        res = run.result() if run.ok else {}
        if res:
            row.quads = res["quads"]
            row.inner_s.append(res["load_s"])
        if engine == "pyox-disk" and db.exists():
            if i == 0:
                row.note = f"store on disk {dir_size(db) / 1e6:,.0f} MB"
            shutil.rmtree(db, ignore_errors=True)
        log(
            f"{label} #{i + 1}: {run.wall_s:.1f} s, {run.rss_mb:.0f} MB"
            + (f", load {res['load_s']:.1f} s, {res['quads']:,} quads" if res else f" FAILED: {run.error()}")
        )
        if not run.ok:
            row.note = f"failed: {run.error()}"
            break
    return row


def sample_file(src: Path, dst: Path, every: int = 10) -> int:
    """Write every *every*-th line of *src* (lines 1, 11, 21, …) to *dst*; return the line count."""
    n = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for i, line in enumerate(fin):
            if i % every == 0:
                fout.write(line)
                n += 1
    return n


def mem_available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


# --------------------------------------------------------------------------- output


def fmt(value: float | None, spec: str = ",.2f", suffix: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{suffix}"


def table(rows: list[Row]) -> str:
    head = (
        "| step | n | wall s (median) | CPU s (median) | peak RSS MB (median) "
        "| in-process s (median) | quads | quads/s | notes |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    for r in rows:
        inner = r.inner()
        rate = r.quads / inner if (r.quads and inner and r.step.startswith("b2")) else None
        lines.append(
            f"| {r.step} | {len(r.good)}/{len(r.runs)} | {fmt(r.wall())} | {fmt(r.cpu())} | "
            f"{fmt(r.rss(), ',.0f')} | "
            f"{fmt(inner)} | {fmt(r.quads, ',d') if r.quads is not None else '–'} | {fmt(rate, ',.0f')} | "
            f"{r.note} |"
        )
    return "\n".join(lines)


def ratio_line(name: str, a: Row, b: Row) -> str:
    """rdflib / pyoxigraph ratios of load time and peak RSS, from two rows of the same run."""
    if a.inner() is None or b.inner() is None or a.rss() is None or b.rss() is None:
        return f"{name}: – (a load failed or was skipped)"
    return (
        f"{name}: load time {a.inner():,.1f} / {b.inner():,.1f} s = {a.inner() / b.inner():.1f}x; "
        f"peak RSS {a.rss():,.0f} / {b.rss():,.0f} MB = {a.rss() / b.rss():.1f}x"
    )


def versions() -> str:
    out = []
    for mod in ("pyoxigraph", "rdflib", "pydantic"):
        try:
            from importlib.metadata import version

            out.append(f"{mod} {version(mod)}")
        except Exception:  # noqa: BLE001 - informative only
            out.append(f"{mod} ?")
    return ", ".join(out)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small variant: 10,000 actors, 1 repeat")
    parser.add_argument(
        "--actors", type=int, default=None, help="synthetic actors (default 100000; 10000 with --quick)"
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats per step (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--rdflib-limit",
        type=float,
        default=600.0,
        help="load rdflib with the full file only if the estimate from the 10 %% sample is below "
        "this many seconds (default 600)",
    )
    parser.add_argument(
        "--rdflib-full",
        action="store_true",
        help="load rdflib with the full file whatever the estimates (address space capped at 90 %% "
        "of the available memory)",
    )
    parser.add_argument("--skip-build", action="store_true", help="skip step a (kg build on the real data)")
    parser.add_argument(
        "--skip-synthetic", action="store_true", help="skip step b (the synthetic national graph)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the N-Quads files in benchmarks/out/")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--mem-limit", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child_load(args.child, args.file, args.db, args.mem_limit)))
        return 0

    def on_sigterm(signum, frame) -> None:
        raise KeyboardInterrupt  # so that the running child is killed and the temporary folder removed

    signal.signal(signal.SIGTERM, on_sigterm)
    actors = args.actors or (10_000 if args.quick else 100_000)
    repeats = args.repeats or (1 if args.quick else 3)
    started = dt.datetime.now().astimezone()
    load0 = os.getloadavg()
    rows: list[Row] = []
    notes: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        # a. real build
        if not args.skip_build:
            rows.append(bench_real_build(tmp, repeats))
        # b. synthetic national graph
        if args.skip_synthetic:
            return report(args, started, load0, rows, notes, actors, repeats, None, None)
        out_dir = ROOT / "benchmarks" / "out" if args.keep else tmp
        out_dir.mkdir(parents=True, exist_ok=True)
        full = out_dir / f"synthetic-{actors}.nq"
        gen_row, _stats = bench_generate(tmp, actors, full)
        rows.append(gen_row)
        ratio_full = ratio_sample = None
        if gen_row.good:
            sample = out_dir / f"synthetic-{actors}-sample10.nq"
            lines = sample_file(full, sample)
            notes.append(f"10 % sample: every 10th line of the N-Quads file ({lines:,} lines), fixed")
            mem = bench_load(tmp, "pyox-mem", full, "b2. pyoxigraph in memory, full", repeats, 3600)
            disk = bench_load(tmp, "pyox-disk", full, "b2. pyoxigraph on disk, full", repeats, 3600)
            mem_s = bench_load(
                tmp, "pyox-mem", sample, "b2. pyoxigraph in memory, 10 % sample", repeats, 1800
            )
            rdf_s = bench_load(tmp, "rdflib", sample, "b2. rdflib Dataset, 10 % sample", repeats, 1800)
            rows += [mem, disk, mem_s, rdf_s]
            ratio_sample = ratio_line("rdflib / pyoxigraph in memory, 10 % sample", rdf_s, mem_s)
            # linear extrapolation from the sample (+20 % time; RSS above the ~60 MB of a bare interpreter)
            est_s = rdf_s.wall() * 10 * 1.2 if rdf_s.wall() else None
            est_mb = 60 + (rdf_s.rss() - 60) * 10 if rdf_s.rss() else None
            avail = mem_available_mb()
            if est_s is None:
                notes.append("rdflib full load skipped: the sample load failed")
            elif args.rdflib_full:
                pass
            elif est_s > args.rdflib_limit:
                notes.append(
                    f"rdflib full load skipped: estimated {est_s / 60:.0f} min from the sample "
                    f"(> {args.rdflib_limit / 60:.0f} min); the ratio on the 10 % sample is the figure"
                )
            elif est_mb > 0.8 * avail:
                notes.append(
                    f"rdflib full load skipped: estimated {est_mb / 1024:.1f} GB of RAM from the sample, "
                    f"more than 80 % of the {avail / 1024:.1f} GB available on this shared machine "
                    "(--rdflib-full forces it); the ratio on the 10 % sample is the figure"
                )
                est_s = None
            if est_s is not None and (args.rdflib_full or est_s <= args.rdflib_limit):
                log(f"rdflib full load: estimated {est_s:.0f} s and {est_mb:,.0f} MB from the sample")
                rdf = bench_load(
                    tmp,
                    "rdflib",
                    full,
                    "b2. rdflib Dataset, full",
                    1,
                    max(3 * est_s, 900),
                    mem_limit_mb=0.9 * avail,
                )
                rows.append(rdf)
                ratio_full = ratio_line("rdflib / pyoxigraph in memory, full file", rdf, mem)
                if not rdf.good:
                    notes.append(f"rdflib full load {rdf.note}; the ratio on the 10 % sample is the figure")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return report(args, started, load0, rows, notes, actors, repeats, ratio_full, ratio_sample)


def report(args, started, load0, rows, notes, actors, repeats, ratio_full, ratio_sample) -> int:
    """Print the table, the verdicts against the targets and the ratios."""
    load1 = os.getloadavg()
    print(f"# Territorial KG build/load benchmark — {started:%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.node()}, nproc {os.cpu_count()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {versions()}; "
        f"load average {load0[0]:.2f} at start, {load1[0]:.2f} at end"
    )
    print(
        f"repeats {repeats}"
        + (
            ""
            if args.skip_synthetic
            else f"; synthetic: {actors:,} actors, seed 42 (generation and rdflib full load: 1 run)"
        )
        + "\n"
    )
    print(table(rows))
    print()
    if not args.skip_build and rows and rows[0].step.startswith("a."):
        b = rows[0]
        if b.good and len(b.good) == len(b.runs):
            verdict_t = "PASS" if b.wall() <= BUILD_TARGET_S else "FAIL"
            verdict_m = "PASS" if b.rss() <= BUILD_TARGET_MB else "FAIL"
            print(f"target a. kg build wall ≤ {BUILD_TARGET_S:.0f} s: {b.wall():.2f} s → {verdict_t}")
            print(f"target a. kg build peak RSS ≤ {BUILD_TARGET_MB:.0f} MB: {b.rss():.0f} MB → {verdict_m}")
            if verdict_t == "FAIL" and b.cpu() <= BUILD_TARGET_S:
                print(
                    f"  (its CPU time, {b.cpu():.2f} s, is within the target: the machine was busy; "
                    f"load average {load0[0]:.1f} at start)"
                )
        else:
            print(
                f"target a. kg build: n/a — {b.note or 'build failed'} (targets ≤ {BUILD_TARGET_S:.0f} s, "
                f"≤ {BUILD_TARGET_MB:.0f} MB not measured)"
            )
    for line in (ratio_full, ratio_sample):
        if line:
            print(line)
    for n in notes:
        print(f"note: {n}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: the running step was stopped and the temporary folder removed", file=sys.stderr)
        sys.exit(130)
