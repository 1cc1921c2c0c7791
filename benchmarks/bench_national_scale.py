"""National scale, items 4 and 6 of issue 15: figures that ``bench_national.py`` calls.

* :func:`figure_curated_build`: ``kg build`` of the synthetic data set FROM ITS CURATED FILES (the YAML
  data folder a catalyst's project would have, written by ``synthetic.py --yaml``), SHACL included, time
  and peak RSS of the build's processes together (:class:`TreePeak`: the build validates while a child
  writes its store; ``/usr/bin/time -v`` reports the largest process alone, printed beside it), beside the
  same build with ``--shacl off`` (what SHACL costs) and followed by the incremental build after one curated
  change.
* :func:`figure_import_refused`: the 50,000-row workbook import with one wrong SIREN: refused (exit 5), in
  how long, and the data folder and store byte-identical afterwards (``bench_national.py``'s ``import``
  figure times the accepted import).
* :func:`step_plan`: before a run, each step's peak memory at the asked size, estimated from the stored
  runs (``benchmarks/national/run-<N>.json``: a power law fitted through every measured size), against the
  memory this machine has available; steps that would not fit are refused, named, with the estimate and
  why — printed as a table. Nothing is started that could make the machine swap.

Run alone::

    .venv/bin/python benchmarks/bench_national_scale.py --actors 10000          # both figures, one size
    .venv/bin/python benchmarks/bench_national_scale.py --plan 1000000          # the step table only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
KG = str(Path(sys.executable).parent / "kg")

from bench_national import RUNS_DIR, Ctx, Row, goal_gap, log, run  # noqa: E402 - after the sys.path lines

#: the steps of a national run (the figures of ``bench_national.FIGURES``), and how their rows are recognised
#: in the stored runs: the start of the row's name, leading spaces removed (a sub-row such as
#: ``"  chain graph (+ skeleton)…"`` belongs to the figure that printed it). Kept equal to the names
#: ``bench_national.py`` prints (``tests/test_bench_national_scale.py`` reads them from its source).
STEPS: dict[str, tuple[str, ...]] = {
    "generate": ("synthetic generator",),
    "load": ("load on disk",),
    # figure_projection: the projection written at build time, the chain graph / actor network / name
    # index written with it (that row holds the whole step's peak), the projection loaded by a reader
    "projection": ("projection written", "chain graph", "projection loaded"),
    "questions": ("kg query",),
    "chains": ("find_chains", "chains from the compact rows", "kg chains"),
    "analyse": ("kg analyse",),
    "build-curated": ("kg build from curated files", "kg build again after one curated change"),
    "import-refused": ("kg import refused",),  # before "import": the first matching step wins
    "import": ("kg import",),
}

#: steps whose size does not follow --actors (the workbook has 50,000 rows whatever the graph size)
FIXED_SIZE = {"import", "import-refused", "serve"}


# --- kg build from the curated files ------------------------------------------------------------------------


def _yaml_folder(ctx: Ctx) -> Path:
    """The synthetic data set as a data folder (``synthetic.py --yaml``), written once per run."""
    folder = ctx.tmp / "curated-data"
    if not folder.exists():
        nq = ctx.tmp / "yaml-side.nq"
        cmd = [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--actors", str(ctx.args.actors)]
        run([*cmd, "--out", str(nq), "--yaml", str(folder), "--json"])
        nq.unlink(missing_ok=True)
    return folder


def _descendants_rss_mb() -> float:
    """The RSS of every process descended from this one, summed (MB), read in ``/proc``."""
    import os

    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rpartition(")")[2].split()[1]), []).append(int(name))
    total, todo = 0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class TreePeak:
    """The highest sum of the RSS of this process's descendants, sampled every *every* seconds in a thread
    while the ``with`` block runs (``kg build`` writes its store in a child while it validates: the peak of
    one process, what ``/usr/bin/time`` reports, leaves the other out)."""

    def __init__(self, every: float = 0.2) -> None:
        import threading

        self.every, self.peak_mb = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, _descendants_rss_mb())
            self._stop.wait(self.every)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _build(data: Path, out: Path, *extra: str) -> dict[str, Any]:
    """``kg build`` of *data* into *out*: run()'s figures, the report, and ``tree_mb``, the peak of the sum of
    the build's processes (the build and its store writer; ``peak_mb`` is the largest one alone)."""
    cmd = [KG, "build", "--data", str(data), "--store", str(out / "store"), "--dump", str(out / "graph.trig")]
    with TreePeak() as tree:
        r = run([*cmd, "--format", "json", *extra])
    report = json.loads(r["stdout"])
    return {**r, "report": report, "tree_mb": max(tree.peak_mb, r["peak_mb"])}


def touch_one_actor(data: Path) -> str:
    """Change the name of the first actor of ``curated/actors.yaml`` (one curated change); its id."""
    path = data / "curated" / "actors.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rid = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("- id:"))
    for i, line in enumerate(lines):
        if line.startswith("  name: "):
            value = line.rstrip("\n")
            quote = value[-1] if value[-1] in "\"'" else ""  # a quoted name stays quoted
            lines[i] = value[: len(value) - len(quote)] + " (revu)" + quote + "\n"
            break
    path.write_text("".join(lines), encoding="utf-8")
    return rid


def work_note(report: dict[str, Any]) -> str:
    """What an incremental build redid (``BuildReport.work``): records parsed / taken from the build before,
    and whether the relation tables were updated or written again."""
    work = report.get("work") or {}
    if not work:
        return ""
    parsed, reused = work.get("records_parsed", 0), work.get("records_reused", 0)
    return f"; records parsed {parsed:,}, reused {reused:,}; tables {work.get('tables', '?')}"


def _steps(report: dict[str, Any]) -> str:
    """The build's steps, wall seconds and, when the report has them, the build process's CPU seconds."""
    sec, cpu = report.get("seconds", {}), report.get("cpu_seconds", {})
    return ", ".join(
        f"{k} {v:.1f}" + (f" (CPU {cpu[k]:.1f})" if k in cpu else "") for k, v in sec.items() if v >= 0.05
    )


#: issue 15 item 4, "a few GB and minutes" made a number: at 100,000 actors, 4 GB of peak memory (1 GB of
#: fixed cost — Python, the geography — then linear in the actors) and 10 minutes of CPU (linear)
GOAL_BASE_MB, GOAL_MB_100K, GOAL_CPU_100K = 1024.0, 4096.0, 600.0


def curated_build_goal(n: int) -> tuple[float, float]:
    """The goal of ``kg build`` from the curated files at *n* actors: (peak MB, CPU s), linear in *n*."""
    return GOAL_BASE_MB + (GOAL_MB_100K - GOAL_BASE_MB) * n / 100_000, GOAL_CPU_100K * n / 100_000


def curated_build_gap(n: int, peak_mb: float, cpu: float) -> str:
    """How far a build's peak memory and CPU are from :func:`curated_build_goal` (empty when both are met)."""
    goal_mb, goal_cpu = curated_build_goal(n)
    return "; ".join(g for g in (goal_gap(peak_mb, goal_mb, "MB"), goal_gap(cpu, goal_cpu, "s CPU")) if g)


def figure_curated_build(ctx: Ctx) -> list[Row]:
    """``kg build`` of the N-actor synthetic data set from its YAML files (see the module docstring)."""
    n = ctx.args.actors
    data = _yaml_folder(ctx)
    log(f"kg build from curated files, {n:,} actors, --shacl off (baseline)…")
    off = _build(data, ctx.tmp / "build-off", "--shacl", "off")
    shutil.rmtree(ctx.tmp / "build-off", ignore_errors=True)
    log("kg build from curated files, SHACL (default)…")
    out = ctx.tmp / "build-curated"
    full = _build(data, out)
    rid = touch_one_actor(data)
    log(f"incremental kg build after one curated change ({rid})…")
    again = _build(data, out)
    quads = full["report"].get("quads", 0)
    per_actor = full["wall"] / n * 1000
    rows = [
        Row(
            "kg build from curated files, SHACL (wall, peak RSS of its processes together; largest alone)",
            f"{full['wall']:.1f} s (CPU {full['cpu']:.0f} s), {full['tree_mb']:,.0f} MB"
            f" (largest process {full['peak_mb']:,.0f} MB)",
            f"--shacl off {off['wall']:.1f} s (CPU {off['cpu']:.0f} s), {off['tree_mb']:,.0f} MB",
            "≤ {:,.0f} MB, ≤ {:,.0f} s CPU (4 GB, 10 min at 100k; linear)".format(*curated_build_goal(n)),
            curated_build_gap(n, full["tree_mb"], full["cpu"]),
            full["wall"],
            full["tree_mb"],
        ),
        Row(
            f"  {n:,} actors, {quads:,} quads ({per_actor:.1f} ms per actor); steps s", _steps(full["report"])
        ),
        Row(
            "kg build again after one curated change (incremental)",
            f"{again['wall']:.1f} s (CPU {again['cpu']:.0f} s), {again['tree_mb']:,.0f} MB",
            f"first build {full['wall']:.1f} s",
            "",
            "",
            again["wall"],
            again["tree_mb"],
        ),
        Row(
            "  steps s (mode " + str(again["report"].get("mode")) + work_note(again["report"]) + ")",
            _steps(again["report"]),
        ),
    ]
    shutil.rmtree(out, ignore_errors=True)
    return rows


# --- the refused 50,000-row import --------------------------------------------------------------------------


def _digest(*folders: Path) -> str:
    """One hash of every file under *folders* (paths and bytes): equal means byte-identical."""
    h = hashlib.sha256()
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.is_symlink():
                h.update(str(p.relative_to(folder)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


_REFUSED = """
import json, sys, time
from pathlib import Path
from kg.errors import ShapeViolation
from kg.sheets.plan import plan_import
from kg.store.imports import apply_import
book, data, store = (Path(a) for a in sys.argv[1:4])
t = time.perf_counter()
plan = plan_import(book, data)
planned = time.perf_counter() - t
actors = plan.records["actors"]
i = len(actors) // 2
# "licorne": a well-formed notation (pydantic accepts it), no concept of concept:actor-type (SHACL refuses)
actors[i] = type(actors[i]).model_validate(actors[i].model_dump() | {"types": ["licorne"]})
t = time.perf_counter()
try:
    apply_import(plan, data, store)
    problems = 0
except ShapeViolation as exc:
    problems = len(exc.problems)
print(json.dumps({"plan_s": planned, "apply_s": time.perf_counter() - t, "problems": problems}))
"""


def figure_import_refused(ctx: Ctx, rows: int = 50_000) -> list[Row]:
    """A *rows*-row workbook whose one actor breaks a shape (not pydantic): refused, nothing changed.

    Then the correct workbook through the CLI ``kg import`` (the goal of ≤ 15 s), on the same folder.
    """
    import bench_import

    from tests.conftest import make_data_folder

    folder = ctx.tmp / "import-refused"
    data, store = make_data_folder(folder)
    book = folder / "grand.xlsx"
    bench_import.make_workbook(book, rows)
    before = _digest(data, store)
    log(f"import of {rows:,} rows with one actor typed with no actor-type concept (SHACL refuses)…")
    refused = run([sys.executable, "-c", _REFUSED, str(book), str(data), str(store)])
    out = json.loads(refused["stdout"].strip().splitlines()[-1])
    same = _digest(data, store) == before
    log(f"kg import of the same {rows:,} rows, correct…")
    common = ["--data", str(data), "--store", str(store), "--par", "Banc d'essai"]
    ok = run([KG, "import", str(book), *common], check=False)
    shutil.rmtree(folder, ignore_errors=True)
    verdict = f"{out['problems']} violation(s)" + (", data and store byte-identical" if same else ", CHANGED")
    return [
        Row(
            f"kg import refused by SHACL, {rows:,} rows (wall, peak RSS)",
            f"{refused['wall']:.1f} s, {refused['peak_mb']:,.0f} MB; {verdict}",
            f"read+plan {out['plan_s']:.1f} s, checks {out['apply_s']:.1f} s",
            "refused, nothing written",
            "" if out["problems"] and same else "GAP: not refused or not unchanged",
            refused["wall"],
            refused["peak_mb"],
        ),
        Row(
            f"kg import, {rows:,}-row workbook (CLI, this figure's own run)",
            f"{ok['wall']:.1f} s (CPU {ok['cpu']:.1f} s), {ok['peak_mb']:,.0f} MB"
            + ("" if ok["rc"] == 0 else f", exit {ok['rc']}"),
            "",
            "≤ 15 s",
            goal_gap(ok["wall"], 15),
            ok["wall"],
            ok["peak_mb"],
        ),
    ]


# --- which steps fit -------------------------------------------------------------------------------------


def available_mb() -> float:
    """Memory available now (``MemAvailable`` of ``/proc/meminfo``), in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def _stored() -> dict[int, dict[str, Any]]:
    runs: dict[int, dict[str, Any]] = {}
    for path in sorted(RUNS_DIR.glob("run-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        runs[int(data["actors"])] = data
    return runs


def step_of(figure: str) -> str | None:
    """The step (:data:`STEPS`) whose row *figure* is; None for a row of no planned step (the real build)."""
    name = figure.strip()
    return next((s for s, heads in STEPS.items() if name.startswith(heads)), None)


def step_peaks(runs: dict[int, dict[str, Any]]) -> dict[str, dict[int, float]]:
    """Per step, the largest peak RSS (MB) of its rows at each measured size."""
    out: dict[str, dict[int, float]] = {}
    for n, data in runs.items():
        for figure, row in data["rows"].items():
            step = step_of(figure)
            if step is None or not row.get("peak_mb"):
                continue
            out.setdefault(step, {})
            out[step][n] = max(out[step].get(n, 0.0), row["peak_mb"])
    return out


def fit(points: dict[int, float]) -> tuple[float, float] | None:
    """``(a, k)`` of ``peak = a · n^k`` by least squares on log-log (k ≥ 0); None below two sizes."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n in points]
    ys = [math.log(v) for v in points.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    k = max(k, 0.0)
    return math.exp(my - k * mx), k


def step_plan(
    actors: int, limit_gb: float, steps: list[str], runs: dict[int, dict[str, Any]] | None = None
) -> tuple[list[str], list[str]]:
    """Which *steps* fit at *actors*: ``(table lines, refused steps)``.

    A step is refused when its estimated peak exceeds the smaller of *limit_gb* and the memory available
    now. The estimate is the power law fitted through the sizes measured below *actors*; with one size,
    linear growth is assumed (the row says so); a step never measured runs, unless *actors* is more than
    10 times the largest stored run.
    """
    runs = {n: r for n, r in (runs if runs is not None else _stored()).items() if n < actors}
    limit_mb = min(limit_gb * 1024, available_mb())
    peaks = step_peaks(runs)
    largest = max(runs, default=0)
    lines = [
        f"Memory plan at {actors:,} actors: limit {limit_mb / 1024:.1f} GB "
        f"(min of --memory-limit-gb {limit_gb:g} and {available_mb() / 1024:.1f} GB available now)",
        "",
        "| step | measured peak RSS | growth | estimate | verdict |",
        "|---|---|---|---|---|",
    ]
    refused = []
    for step in steps:
        points = peaks.get(step, {})
        seen = ", ".join(f"{n:,}: {mb:,.0f} MB" for n, mb in sorted(points.items())) or "–"
        if step in FIXED_SIZE:
            mb = max(points.values(), default=None)
            growth, est = "does not follow --actors", mb
        else:
            ak = fit(points)
            if ak is None and len(points) == 1:  # one size only: assume linear growth (stated in the row)
                [(n1, mb1)] = points.items()
                ak = (mb1 / n1, 1.0)
                growth = "n^1 assumed (one size measured)"
            else:
                growth = "–" if ak is None else f"n^{ak[1]:.2f}"
            est = None if ak is None else ak[0] * actors ** ak[1]
        if est is None:
            if largest and actors > 10 * largest and step not in FIXED_SIZE:
                verdict = f"REFUSED: never measured, and {actors:,} is over 10 times the largest run"
                refused.append(step)
            else:
                verdict = "runs (not measured before)"
            shown = "–"
        elif est > limit_mb:
            verdict = f"REFUSED: {est / 1024:,.1f} GB > {limit_mb / 1024:.1f} GB (it would swap or be killed)"
            refused.append(step)
            shown = f"{est / 1024:,.1f} GB"
        else:
            verdict = "fits"
            shown = f"{est / 1024:,.2f} GB"
        lines.append(f"| {step} | {seen} | {growth} | {shown} | {verdict} |")
    return lines, refused


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actors", type=int, default=10_000)
    ap.add_argument(
        "--plan", type=int, default=None, metavar="N", help="only print the memory plan at N actors"
    )
    ap.add_argument("--memory-limit-gb", type=float, default=24.0)
    ap.add_argument("--only", default="build-curated,import-refused")
    args = ap.parse_args(argv)
    if args.plan:
        lines, _ = step_plan(args.plan, args.memory_limit_gb, list(STEPS))
        print("\n".join(lines))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-scale-"))
    rows: list[Row] = []
    try:
        ctx = Ctx(args, tmp)
        for name in args.only.split(","):
            rows += {"build-curated": figure_curated_build, "import-refused": figure_import_refused}[name](
                ctx
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("| figure | value | baseline (same run) | goal | gap |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.figure} | {r.value} | {r.baseline} | {r.goal} | {r.gap} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
