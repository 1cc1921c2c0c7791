"""National scale (issue 15): every figure of the Done-when list beside its baseline, measured in one run.

One command::

    .venv/bin/python benchmarks/bench_national.py --actors 10000
    .venv/bin/python benchmarks/bench_national.py --actors 100000 --virtuoso
    .venv/bin/python benchmarks/bench_national.py --actors 1000000   # runs, or refuses with the reason

Each figure is one function ``figure_<name>(ctx) -> list[Row]``; a row holds the figure, its baseline measured
in the same run (another engine, the old path, the same work by IRI instead of by name…), the goal of
issue 15 and the gap when the goal is not met. Paths that other branches add (a projection written at
build time, a materialised chain graph, a stored name index, DuckDB over relation tables) become new
functions in :data:`FIGURES` (or new rows of an existing one) without touching the others.

What is measured, on the synthetic graph of ``benchmarks/synthetic.py`` (seed 42) with the ontology
graph loaded (so that ``org:role/skos:prefLabel`` joins are not empty):

* ``generate``: the streaming generator (``synthetic.py``, subprocess, peak RSS) beside the in-memory one
  (``generate`` + ``synthetic_quads``; skipped past 100,000 actors, where it needs ~53 GB);
* ``load``: the N-Quads and the ontology into an on-disk store beside the same into memory;
* ``projection``: ``cached_project`` writing the projection beside the store, then loading it in a fresh
  process, beside ``project`` without cache;
* ``questions``: each national question through ``kg query --format sparql-json`` (a subprocess, on disk)
  on several parameter sets, beside pyoxigraph in memory; every answer's rows are checked against the
  reference: the question's SPARQL run in this process on the in-memory store (the ``.rq`` file is the
  definition). With ``--virtuoso``, also through ``--endpoint`` on a Virtuoso started here;
* ``chains``: ``find_chains`` on one chain graph, median and p90 for linked pairs and unlinked pairs
  separately; the CLI ``kg chains A B`` by name end to end beside the same by IRI;
* ``analyse``: the CLI ``kg analyse`` end to end beside the in-process analysis of the loaded projection;
* ``serve``: simple SELECTs at 8 clients on ``kg serve`` beside Oxigraph's own server on the same store
  (``bench_serve.py``'s functions);
* ``import``: the 50,000-row workbook through ``kg import`` beside the 10,000-row one (``bench_import.py``);
* ``growth``: each run stores its figures in ``benchmarks/national/run-<N>.json``; the table lines up
  10k → 30k → 100k, fits the growth between the two largest sizes and estimates 1,000,000 actors. A run
  asked at a size whose estimated peak memory exceeds ``--memory-limit-gb`` (24) refuses before starting,
  naming the step and the estimate.

Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
BIN = Path(sys.executable).parent
KG = str(BIN / "kg")
#: GNU time, which measures a command's own peak memory (see :func:`run`)
TIME = shutil.which("time", path="/usr/bin:/bin")
RUNS_DIR = ROOT / "benchmarks" / "national"


@dataclass
class Row:
    """One figure beside its baseline; ``seconds``/``peak_mb`` feed the growth table."""

    figure: str
    value: str
    baseline: str = ""
    goal: str = ""
    gap: str = ""
    seconds: float | None = None
    peak_mb: float | None = None


@dataclass
class Ctx:
    args: argparse.Namespace
    tmp: Path
    nq: Path = field(default_factory=Path)
    store: Path = field(default_factory=Path)
    virtuoso: str | None = None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(
    cmd: list[str], *, check: bool = True, env: dict[str, str] | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Run *cmd*; wall seconds, CPU seconds and peak RSS (``os.wait4``) of that child, and its output.

    Past *timeout* seconds the child is killed and ``timed_out`` is true (never raises for that).
    """
    import signal
    import threading

    t = time.perf_counter()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        # a child forked from this (large) process starts with its resident pages: its ru_maxrss would be
        # this process's. GNU time forks the command from its own small process and reports its peak.
        timed = [TIME, "-f", "%M", "-o", peak.name, *cmd] if TIME else cmd
        proc = subprocess.Popen(timed, stdout=out, stderr=err, cwd=ROOT, env=env, start_new_session=True)

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
        timed_out = timer is not None and not timer.is_alive() and wall >= timeout  # type: ignore[operator]
        if timer is not None:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        text = peak.read().strip().splitlines()
        peak_mb = int(text[-1]) / 1024 if text and text[-1].isdigit() else usage.ru_maxrss / 1024
    rc = proc.returncode
    if timed_out:
        return {
            "wall": wall,
            "cpu": 0.0,
            "peak_mb": peak_mb,
            "stdout": "",
            "rc": rc,
            "timeout": True,
        }
    if check and rc != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… exited {rc}: {stderr.strip()[-400:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": peak_mb,
        "stdout": stdout,
        "rc": rc,
        "timeout": False,
    }


def ms(x: float) -> str:
    return f"{1000 * x:.1f} ms"


def p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def goal_gap(value: float, goal: float, unit: str = "s") -> str:
    """Empty when *value* meets *goal*, else how far it is."""
    return "" if value <= goal else f"GAP {value / goal:.1f}x ({value:.2f} {unit} > {goal:g} {unit})"


# --- figures -----------------------------------------------------------------------------------------------


_OLD_GENERATOR = """
import sys, time
sys.path.insert(0, sys.argv[3])
from pyoxigraph import RdfFormat, serialize
from synthetic import generate, synthetic_quads
quads = synthetic_quads(generate(int(sys.argv[1]), seed=42))
with open(sys.argv[2], "wb") as fh:
    serialize(quads, fh, RdfFormat.N_QUADS)
"""


def figure_generate(ctx: Ctx) -> list[Row]:
    n = ctx.args.actors
    ctx.nq = ctx.tmp / f"synthetic-{n}.nq"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--actors", str(n), "--json"]
    new = run([*cmd, "--out", str(ctx.nq)])
    stats = json.loads(new["stdout"].strip().splitlines()[-1])
    if n <= 100_000 and not ctx.args.quick:
        old = run(
            [sys.executable, "-c", _OLD_GENERATOR, str(n), str(ctx.tmp / "old.nq"), str(ROOT / "benchmarks")]
        )
        (ctx.tmp / "old.nq").unlink(missing_ok=True)
        base = f"in memory {old['wall']:.1f} s, {old['peak_mb']:,.0f} MB"
    else:
        base = "in memory: not run (about 53 GB at 1M)" if n > 100_000 else "not run (--quick)"
    return [
        Row(
            "synthetic generator, streaming (wall, peak RSS)",
            f"{new['wall']:.1f} s, {new['peak_mb']:,.0f} MB",
            base,
            "bounded memory",
            "",
            new["wall"],
            new["peak_mb"],
        ),
        Row("  N-Quads lines written", f"{stats['quads']:,}", "", "", "", None, None),
    ]


_LOAD = """
import sys, time
from pyoxigraph import RdfFormat, Store
from kg.rdf.shacl import ontology_quads
store = Store(sys.argv[1]) if sys.argv[1] != "-" else Store()
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_QUADS)
store.bulk_extend(ontology_quads(sys.argv[3]))
if sys.argv[1] != "-":
    store.optimize()
    store.flush()
print(len(store))
"""


def figure_load(ctx: Ctx) -> list[Row]:
    ctx.store = ctx.tmp / "store"
    onto = str(ROOT / "ontology")
    disk = run([sys.executable, "-c", _LOAD, str(ctx.store), str(ctx.nq), onto])
    mem = run([sys.executable, "-c", _LOAD, "-", str(ctx.nq), onto])
    size = sum(p.stat().st_size for p in ctx.store.rglob("*") if p.is_file()) / 1e9
    quads = int(disk["stdout"].split()[-1])
    return [
        Row(
            "load on disk + ontology, compacted (wall, peak RSS)",
            f"{disk['wall']:.1f} s, {disk['peak_mb']:,.0f} MB",
            f"in memory {mem['wall']:.1f} s, {mem['peak_mb']:,.0f} MB",
            "",
            f"{disk['wall'] / mem['wall']:.1f}x in memory",
            disk["wall"],
            disk["peak_mb"],
        ),
        Row("  quads in the store, size on disk", f"{quads:,}, {size:.2f} GB"),
    ]


_PROJECT = """
import json, sys, time
import kg
from kg.network.projection import cached_project, project
graph = kg.open(sys.argv[1])
t, c = time.perf_counter(), time.process_time()
G = (cached_project if sys.argv[2] == "cached" else project)(graph)
print(json.dumps({"s": time.perf_counter() - t, "cpu": time.process_time() - c, "nodes": G.number_of_nodes(),
                  "edges": G.number_of_edges()}))
"""

#: what ``kg build`` does at its end: the artefacts written from the quads it has in memory (read here from
#: the N-Quads and the ontology first, outside the timing: a build has them already); each step's wall
#: seconds, and its CPU seconds under "cpu" (the wall time of a loaded machine says little)
_WRITE = """
import json, sys, time
from pyoxigraph import RdfFormat, parse
from kg.network import artefacts
from kg.rdf.shacl import ontology_quads
t = time.perf_counter()
quads = list(parse(path=sys.argv[2], format=RdfFormat.N_QUADS))
quads += list(ontology_quads(sys.argv[3]))
read = time.perf_counter() - t
cpu = {}
def timed(name, step):
    def run(path, quads):
        c = time.process_time()
        step(path, quads)
        cpu[name] = time.process_time() - c
    return run
artefacts.STEPS = tuple((name, timed(name, step)) for name, step in artefacts.STEPS)
print(json.dumps({"read": read, **artefacts.write_artefacts(sys.argv[1], quads), "cpu": cpu}))
"""


def figure_projection(ctx: Ctx) -> list[Row]:
    def once(how: str) -> dict[str, Any]:
        r = run([sys.executable, "-c", _PROJECT, str(ctx.store), how])
        return {**json.loads(r["stdout"].strip().splitlines()[-1]), "peak_mb": r["peak_mb"]}

    plain = once("plain")  # before: the projection read from the store (what a build or a first reader did)
    w = run([sys.executable, "-c", _WRITE, str(ctx.store), str(ctx.nq), str(ROOT / "ontology")])
    write = json.loads(w["stdout"].strip().splitlines()[-1])
    load = once("cached")  # then: a reader loads it
    size = artefacts_mb(ctx.store)
    return [
        Row(
            "projection written at build time (from the build's quads in memory, saved)",
            f"{write['projection']:.1f} s ({write['cpu']['projection']:.1f} s CPU)",
            f"project() from the store (before) {plain['s']:.1f} s ({plain['cpu']:.1f} s CPU), "
            f"{plain['peak_mb']:,.0f} MB",
            "≤ 5 s",
            goal_gap(write["projection"], 5),
            write["projection"],
            None,
        ),
        Row(
            "  projection node by node written at build time (projparts.bin, what a view reads)",
            f"{write.get('projparts', 0.0):.1f} s ({write['cpu'].get('projparts', 0.0):.1f} s CPU)",
            "the pickled projection's save is inside the row above",
            "",
            "",
            write.get("projparts"),
            None,
        ),
        Row(
            "  chain graph (+ skeleton), actor network, name index written at build time",
            f"{write['chains']:.1f} s, {write['actors']:.1f} s, {write['names']:.1f} s; whole step "
            f"{w['peak_mb']:,.0f} MB peak with the {write['read']:.0f} s-read quads in memory",
            "",
            "",
            "",
            write["chains"] + write["actors"] + write["names"],
            w["peak_mb"],
        ),
        Row(
            "projection loaded (cached_project, a reader)",
            f"{load['s']:.2f} s",
            f"{load['nodes']:,} nodes, {load['edges']:,} edges; artefacts {size}",
            "≤ 2 s",
            goal_gap(load["s"], 2),
            load["s"],
            load["peak_mb"],
        ),
    ]


def artefacts_mb(store: Path) -> str:
    from kg.network.artefacts import ARTEFACTS
    from kg.store.artefacts import artefact_path

    sizes = [artefact_path(store, n) for n in ARTEFACTS]
    return ", ".join(f"{p.name.split('.')[-2]} {p.stat().st_size / 1e6:.0f} MB" for p in sizes if p.exists())


#: the national questions (those that scan the whole country) and their parameter sets: the one table of
#: them, bench_national_questions.PARAMS (the ``questions`` and ``columnar`` figures ask the same sets)
from bench_national_questions import PARAMS as NATIONAL  # noqa: E402 - after the sys.path lines


def _canonical_sparql_json(text: str) -> list[tuple]:
    data = json.loads(text)
    names = data["head"]["vars"]
    return sorted(tuple(b.get(v, {}).get("value") for v in names) for b in data["results"]["bindings"])


def _canonical_raw(result: Any) -> list[tuple]:
    names = list(result.variables)
    out = []
    for row in result.value:
        out.append(tuple(None if row.get(v) is None else row[v].value for v in names))
    return sorted(out)


def _query_cli(
    name: str, params: dict[str, str], where: list[str], timeout: float
) -> tuple[dict[str, Any], list[tuple] | None]:
    cmd = [KG, "query", name, "--format", "sparql-json", *where]
    for k, v in params.items():
        cmd += ["-p", f"{k}={v}"]
    r = run(cmd, timeout=timeout)
    return r, None if r["timeout"] else _canonical_sparql_json(r["stdout"])


#: the reference: the question's SPARQL (the .rq definition) on pyoxigraph in memory, in a fresh process
_REFERENCE = """
import json, sys, time
from pyoxigraph import RdfFormat, Store
from kg.rdf.shacl import ontology_quads
from kg.store.graph import Graph
from kg.store.queries import run_named
store = Store()
store.bulk_load(path=sys.argv[1], format=RdfFormat.N_QUADS)
store.bulk_extend(ontology_quads(sys.argv[2]))
t = time.perf_counter()
result = run_named(Graph(store, None), sys.argv[3], json.loads(sys.argv[4]), raw=True)
took = time.perf_counter() - t
names = list(result.variables)
rows = sorted(tuple(None if r.get(v) is None else r[v].value for v in names) for r in result.value)
print(json.dumps({"s": took, "rows": rows}))
"""


def _reference(ctx: Ctx, name: str, params: dict[str, str]) -> tuple[float | None, list[tuple] | None]:
    r = run(
        [sys.executable, "-c", _REFERENCE, str(ctx.nq), str(ROOT / "ontology"), name, json.dumps(params)],
        timeout=ctx.args.question_timeout,
    )
    if r["timeout"]:
        return None, None
    data = json.loads(r["stdout"].strip().splitlines()[-1])
    return data["s"], sorted(tuple(x) for x in data["rows"])


def figure_questions(ctx: Ctx) -> list[Row]:
    rows: list[Row] = []
    limit = ctx.args.question_timeout
    for name, sets in NATIONAL.items():
        for params in sets:
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            log(f"kg query {name} {label}")
            in_memory, ref = _reference(ctx, name, params)
            disk, got = _query_cli(name, params, ["--store", str(ctx.store)], limit)
            if got is None:
                same = f"timed out (> {limit:g} s)"
            elif ref is None:
                same = f"{len(got):,} rows, reference timed out"
            else:
                same = f"{len(got):,} rows, " + ("= reference" if got == ref else f"DIFFER from {len(ref):,}")
            base = "in memory " + (f"{in_memory:.2f} s" if in_memory is not None else f"> {limit:g} s")
            if ctx.virtuoso:
                virt, vrows = _query_cli(name, params, ["--endpoint", ctx.virtuoso], limit)
                base += f"; Virtuoso {virt['wall']:.2f} s" + (
                    "" if vrows == ref else " (rows differ or timed out)"
                )
            wall = disk["wall"]
            rows.append(
                Row(
                    f"kg query {name} ({label}), on disk",
                    (f"> {limit:g} s" if got is None else f"{wall:.2f} s") + f", {same}",
                    base,
                    "≤ 1 s",
                    goal_gap(wall, 1),
                    None if got is None else wall,  # a timed-out run is a lower bound: not in the growth fit
                    disk["peak_mb"],
                )
            )
    rows.append(Row("growth question", "not on main yet", "", "≤ 1 s", "no question to time"))
    return rows


def _pairs(H: Any, want: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Linked and unlinked actor pairs (*want* each, at most), drawn as before (seed 7)."""
    from kg.network.chains import find_chains

    actors = sorted(n for n, d in H.nodes(data=True) if d.get("kind") == "actor" and H.degree(n) > 0)
    rng = random.Random(7)
    linked: list[tuple[str, str]] = []
    unlinked: list[tuple[str, str]] = []
    for _ in range(20 * want):
        if len(linked) >= want and len(unlinked) >= want:
            break
        a = rng.choice(actors)
        if len(linked) < want and rng.random() < 0.7:
            b = a  # a walk of 2-4 hops from a: most such pairs are linked within 6 hops
            for _ in range(rng.randint(2, 4)):
                b = rng.choice(list(H.neighbors(b)))
            if b == a or H.nodes[b].get("kind") != "actor":
                continue
        else:
            b = rng.choice(actors)
        if find_chains(H, a, b, k=3, max_hops=6):
            if len(linked) < want:
                linked.append((a, b))
        elif len(unlinked) < want:
            unlinked.append((a, b))
    return linked, unlinked


def _search(H: Any, pairs: list[tuple[str, str]]) -> tuple[list[float], list[Any]]:
    from kg.network.chains import find_chains

    times, found = [], []
    for a, b in pairs:
        t = time.perf_counter()
        chains = find_chains(H, a, b, k=3, max_hops=6)
        times.append(time.perf_counter() - t)
        found.append([c.labels for c in chains])
    return times, found


def figure_chains(ctx: Ctx) -> list[Row]:
    import kg
    from kg.network.chain_index import SLIM
    from kg.network.chains import SKELETON, cached_chain_graph, chain_graph
    from kg.network.projection import cached_project
    from kg.store import artefacts

    G = cached_project(kg.open(ctx.store))
    t = time.perf_counter()
    chain_graph(G)
    built = time.perf_counter() - t
    t = time.perf_counter()
    H = cached_chain_graph(kg.open(ctx.store))  # stored by the build: with its skeleton and name keys
    loaded = time.perf_counter() - t
    linked_pairs, unlinked_pairs = _pairs(H, ctx.args.pairs)
    rows = [
        Row(
            "chain graph loaded (written at build time)",
            f"{loaded:.1f} s",
            f"built from the projection {built:.1f} s (every kg chains call on main before issue 15)",
        )
    ]
    skeleton = H.graph.pop(SKELETON)
    view_linked, view_found = _search(H, linked_pairs)  # before: a view that filters every edge it steps on
    view_unlinked, _ = _search(H, unlinked_pairs)
    H.graph[SKELETON] = skeleton
    linked, found = _search(H, linked_pairs)
    unlinked, _ = _search(H, unlinked_pairs)
    same = "same chains" if found == view_found else "CHAINS DIFFER"
    if linked:
        med = statistics.median(linked)
        before = f"{ms(statistics.median(view_linked))} / {ms(p90(view_linked))}"
        rows.append(
            Row(
                "find_chains k=3, linked pairs: median / p90",
                f"{ms(med)} / {ms(p90(linked))} (n={len(linked)})",
                f"filtered view (before) {before}; {same}",
                "median ≤ 5 ms",
                goal_gap(med * 1000, 5, "ms"),
                med,
            )
        )
    if unlinked:
        rows.append(
            Row(
                "find_chains k=3, unlinked pairs: median / p90",
                f"{ms(statistics.median(unlinked))} / {ms(p90(unlinked))} (n={len(unlinked)})",
                f"filtered view (before) {ms(statistics.median(view_unlinked))} / {ms(p90(view_unlinked))}",
            )
        )
    rows.append(_stored_rows_row(ctx, H, linked_pairs + unlinked_pairs))
    names = {n: H.nodes[n].get("label") for pair in linked_pairs[:3] for n in pair}
    slim = artefacts.artefact_path(ctx.store, SLIM)
    hidden = slim.with_name(slim.name + ".hidden")
    for i, (a, b) in enumerate(linked_pairs[:3], 1):
        cmd = [KG, "chains", str(names[a]), str(names[b]), "--store", str(ctx.store), "--format", "json"]
        by_name = run(cmd)
        slim.rename(hidden)  # before: the whole chain graph loaded, then the name index in it
        try:
            whole = run(cmd)
        finally:
            hidden.rename(slim)
        by_iri = run([KG, "chains", a, b, "--store", str(ctx.store), "--format", "json"])
        same = "same output" if by_name["stdout"] == whole["stdout"] else "OUTPUT DIFFERS"
        rows.append(
            Row(
                f"kg chains by name, end to end (pair {i})",
                f"{by_name['wall']:.2f} s, {by_name['peak_mb']:,.0f} MB",
                f"whole chain graph (before) {whole['wall']:.2f} s, {whole['peak_mb']:,.0f} MB "
                f"(ratio {whole['wall'] / by_name['wall']:.1f}); {same}; "
                f"by IRI {by_iri['wall']:.2f} s",
                "≤ 2 s",
                goal_gap(by_name["wall"], 2),
                by_name["wall"],
                by_name["peak_mb"],
            )
        )
    return rows


def _stored_rows_row(ctx: Ctx, H: Any, pairs: list[tuple[str, str]]) -> Row:
    """The compact rows (what ``kg chains`` reads) against the whole chain graph, hop by hop, every pair."""
    import kg
    from kg.network.chain_index import stored_chains
    from kg.network.chains import find_chains

    graph = kg.open(ctx.store)
    t = time.perf_counter()
    stored = [stored_chains(graph, a, b, k=3, max_hops=6) for a, b in pairs]
    each = (time.perf_counter() - t) / max(len(pairs), 1)
    whole = [find_chains(H, a, b, k=3, max_hops=6) for a, b in pairs]

    def hops(chains: Any) -> list[Any]:
        return [[h.as_dict() for h in c.hops] for c in chains]

    same = all(s is not None and hops(s) == hops(w) for s, w in zip(stored, whole, strict=True))
    return Row(
        "chains from the compact rows (load + search + hops), per pair",
        f"{each * 1000:.0f} ms",
        f"{'same chains, hop by hop,' if same else 'CHAINS DIFFER from'} the whole chain graph's "
        f"({len(pairs)} pairs)",
    )


def figure_analyse(ctx: Ctx) -> list[Row]:
    from bench_queries import _analyse_in

    # the CLI reads the stored actor network alone (no projection), with what the build measured once in it
    # (communities, both betweenness figures, the suggested links' arrays: kg.network.measures), as JSON and
    # as the default table. The baselines, in the same run: the same CLI with its compiled parts off
    # (KG_SWEEP=off: the suggested links visited in Python), whose JSON must be the same bytes, and the loaded
    # projection analysed in process, every measure made per call as before the build kept them (the actor
    # network, Leiden, the betweenness sweep, the suggestions' set-up). CPU seconds beside the wall ones: on
    # this shared machine the wall time of a niced run can be 5x its CPU time
    base = [KG, "analyse", "--store", str(ctx.store)]
    cli = run([*base, "--format", "json"])
    table = run(base)
    python = run([*base, "--format", "json"], env={**os.environ, "KG_SWEEP": "off"})
    same = "same JSON" if cli["stdout"] == python["stdout"] else "JSON DIFFERS"
    inner = _analyse_in(ROOT, ctx.store)
    slowest = max(cli["wall"], table["wall"])
    ratio = inner["cpu"] / max(cli["cpu"], 1e-9)
    return [
        Row(
            "kg analyse, whole graph, end to end",
            f"{cli['wall']:.1f} s (CPU {cli['cpu']:.1f} s), {cli['peak_mb']:,.0f} MB; "
            f"table {table['wall']:.1f} s (CPU {table['cpu']:.1f} s)",
            f"measured per call, in process from the projection {inner['total']:.1f} s "
            f"(CPU {inner['cpu']:.1f} s, projection load {inner['load']:.1f} s; CPU ratio {ratio:.1f}x); "
            f"compiled parts off (KG_SWEEP=off) {python['wall']:.1f} s (CPU {python['cpu']:.1f} s, {same})",
            "≤ 10 s",
            goal_gap(slowest, 10),
            slowest,
            max(cli["peak_mb"], table["peak_mb"]),
        )
    ]


#: the views timed end to end on the synthetic graph (a commune, a département)
VIEWS = (["--territory", "commune:94018"], ["--territory", "departement:94"])


def figure_view(ctx: Ctx) -> list[Row]:
    """``kg view`` end to end on the store as ``kg build`` leaves it (projection node by node and columnar
    tables beside it), beside, in the same run, ``main``'s path: the same view with the projection node by
    node moved aside, so that the whole pickled projection is loaded (the two files compared)."""
    from kg.network.projection_parts import parts_path
    from kg.store.columnar import fresh_tables, write_store_tables

    if fresh_tables(ctx.store) is None:  # what the end of a build writes (outside the timing)
        st = ctx.store.stat()
        write_store_tables(ctx.store)
        # a store without a build id stamps its artefacts with its folder's time: put it back, so that the
        # projection written before stays fresh, as a build's does (it stamps them with its build id)
        os.utime(ctx.store, ns=(st.st_atime_ns, st.st_mtime_ns))
    rows = []
    parts = parts_path(ctx.store)
    aside = parts.with_name(parts.name + ".aside")

    def hidden(path: Path, away: Path, cmd: list[str]) -> dict[str, Any]:
        os.replace(path, away)
        try:
            return run(cmd)
        finally:
            os.replace(away, path)

    for where in VIEWS:
        cmd = [KG, "view", *where, "--store", str(ctx.store), "--out", str(ctx.tmp / "view.html")]
        r = run(cmd)
        whole = hidden(parts, aside, [*cmd[:-2], "--out", str(ctx.tmp / "view-whole.html")])
        same = (ctx.tmp / "view.html").read_bytes() == (ctx.tmp / "view-whole.html").read_bytes()
        rows.append(
            Row(
                f"kg view {' '.join(where)}, end to end",
                f"{r['wall']:.1f} s ({r['cpu']:.1f} s CPU), {r['peak_mb']:,.0f} MB",
                f"projparts.bin aside, whole projection loaded as on main {whole['wall']:.1f} s "
                f"({whole['cpu']:.1f} s CPU), "
                f"{whole['peak_mb']:,.0f} MB ({'same file' if same else 'FILES DIFFER'})",
                "≤ 2 s",
                goal_gap(r["wall"], 2),
                r["wall"],
                r["peak_mb"],
            )
        )
    return rows


def figure_build(ctx: Ctx) -> list[Row]:
    """The default real-data build (``data/``, curated + all France): from nothing (no store, no geography
    kept: a fresh checkout, a change of ``kg``'s code or of ``data/geo/``; its own empty user cache), then
    into another folder from the geography that build kept in that cache, then after one curated change
    (the store and the geography kept by the build before: a catalyst's usual build), then with nothing
    changed. CPU seconds beside the wall ones (the shared machine stretches the wall time)."""
    import bench_national_scale

    data = ctx.tmp / "real-data"
    shutil.copytree(ROOT / "data", data, symlinks=True)
    out = ctx.tmp / "real-build"
    cmd = [KG, "build", "--data", str(data), "--store", str(out / "store"), "--dump", str(out / "graph.trig")]
    # a user cache of its own, empty: the cold build writes the geography (and keeps it there, as a first
    # build of this code does); a build into another folder then starts from it (kg.store.geo_store)
    env = dict(os.environ, KG_CACHE_DIR=str(ctx.tmp / "user-cache"))
    cold = run([*cmd, "--format", "json"], env=env)
    steps = json.loads(cold["stdout"])["seconds"]
    other = ctx.tmp / "real-build-other"
    cached = run(
        [*cmd[:4], "--store", str(other / "store"), "--dump", str(other / "graph.trig"), "--format", "json"],
        env=env,
    )
    cached_report = json.loads(cached["stdout"])
    shutil.rmtree(other, ignore_errors=True)
    again = [run(cmd, env=env) for _ in range(3)]
    unchanged = statistics.median(r["wall"] for r in again)
    startup = statistics.median(run([KG, "--help"])["wall"] for _ in range(3))
    bench_national_scale.touch_one_actor(data)
    one = run([*cmd, "--format", "json"], env=env)
    one_report = json.loads(one["stdout"])
    top = ", ".join(f"{k} {v:.2f}" for k, v in sorted(steps.items(), key=lambda kv: -kv[1])[:5])
    one_top = ", ".join(
        f"{k} {v:.2f}" for k, v in sorted(one_report["seconds"].items(), key=lambda kv: -kv[1])[:4]
    )
    return [
        Row(
            "kg build, default real data, cold (from nothing, nothing cached)",
            f"{cold['wall']:.1f} s (CPU {cold['cpu']:.1f} s), {cold['peak_mb']:,.0f} MB",
            f"steps: {top} s",
            "≤ 2 s",
            goal_gap(cold["wall"], 2),
        ),
        Row(
            "kg build, default real data, cold into a new folder, geography in the user cache",
            f"{cached['wall']:.1f} s (CPU {cached['cpu']:.1f} s), {cached['peak_mb']:,.0f} MB, geography "
            + str(cached_report.get("work", {}).get("geography")),
            f"cold with nothing cached {cold['wall']:.1f} s (CPU {cold['cpu']:.1f} s)",
            "≤ 2 s",
            goal_gap(cached["wall"], 2),
        ),
        Row(
            "kg build, default real data, after one curated change (store and geography kept)",
            f"{one['wall']:.2f} s (CPU {one['cpu']:.1f} s), mode {one_report.get('mode')}"
            + bench_national_scale.work_note(one_report),
            f"steps: {one_top} s; cold {cold['wall']:.1f} s",
            "≤ 2 s",
            goal_gap(one["wall"], 2),
        ),
        Row(
            "kg build, default real data, nothing changed (median of 3)",
            f"{unchanged:.2f} s",
            f"kg --help {startup:.2f} s",
            "≤ 0.5 s",
            goal_gap(unchanged, 0.5),
        ),
    ]


def figure_serve(ctx: Ctx) -> list[Row]:
    import bench_serve as bs

    queries, _ask = bs.pick_queries(ctx.store)
    store = str(ctx.store)
    kg_serve = bs.Target(
        "kg serve",
        [sys.executable, "-m", "kg.cli.serve", "--store", store, "--host", bs.HOST, "--port", "PORT"],
        "/sparql",
    )
    oxi = str(BIN / "oxigraph")
    oxigraph = bs.Target(
        "oxigraph",
        [oxi, "serve-read-only", "--location", store, "--bind", f"{bs.HOST}:PORT", "--union-default-graph"],
        "/query",
    )
    out = {}
    for target in (kg_serve, oxigraph):
        target.start()
        try:
            out[target.name] = bs.selects(target, queries, 8, ctx.args.serve_seconds, 2.0)
        finally:
            target.stop()
    k, o = out["kg serve"], out["oxigraph"]
    ratio = o["qps"] / k["qps"] if k["qps"] else math.inf
    return [
        Row(
            "endpoint simple SELECT, 8 clients (q/s, p99, server CPU per answer)",
            f"{k['qps']:,.0f} q/s, p99 {k['p99_ms']} ms, {k['server_cpu_us']:,.0f} µs",
            f"Oxigraph's server {o['qps']:,.0f} q/s, p99 {o['p99_ms']} ms, {o['server_cpu_us']:,.0f} µs",
            "within 3x of Oxigraph",
            f"{ratio:.1f}x slower: within 3x"
            if ratio <= 3
            else f"GAP {ratio:.1f}x slower than Oxigraph (goal 3x)",
        )
    ]


def figure_import(ctx: Ctx) -> list[Row]:
    import bench_import

    res = bench_import.run_history(10_000, 50_000)
    steps = res["steps"]
    big = steps[f"kg import, {res['big_rows']:,} rows"]
    small = steps[f"baseline: kg import, {res['rows']:,} rows"]
    return [
        Row(
            "kg import, 50,000-row workbook (wall, CPU, peak RSS)",
            f"{big['wall_s']:.1f} s, CPU {big['cpu_s']:.1f} s, {big['peak_rss_mb']:,} MB",
            f"10,000 rows {small['wall_s']:.1f} s, CPU {small['cpu_s']:.1f} s, {small['peak_rss_mb']:,} MB",
            "≤ 15 s",
            goal_gap(big["wall_s"], 15),
        )
    ]


def figure_build_curated(ctx: Ctx) -> list[Row]:
    import bench_national_scale

    return bench_national_scale.figure_curated_build(ctx)


def figure_import_refused(ctx: Ctx) -> list[Row]:
    import bench_national_scale

    return bench_national_scale.figure_import_refused(ctx)


# --- Virtuoso ----------------------------------------------------------------------------------------------


def start_virtuoso(ctx: Ctx) -> subprocess.Popen | None:
    """Debian's virtuoso-t on 127.0.0.1, its own database in the temporary folder, loaded with the store."""
    import bench_serve as bs
    import httpx

    from kg.store.gsp import load_to_endpoint

    binary = shutil.which("virtuoso-t")
    if binary is None:
        log("virtuoso-t is missing (apt-get install virtuoso-opensource): no Virtuoso column")
        return None
    from virtuoso_ini import virtuoso_ini

    folder = ctx.tmp / "virtuoso"
    folder.mkdir()
    http = bs.free_port()
    (folder / "virtuoso.ini").write_text(
        virtuoso_ini(folder, sql=bs.free_port(), http=http, max_rows=1_000_000, limit=600)
    )
    proc = subprocess.Popen(
        [binary, "-f", "-c", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    t = time.perf_counter()
    dump = ctx.tmp / "store.nq"
    from pyoxigraph import RdfFormat, Store

    Store.read_only(str(ctx.store)).dump(str(dump), format=RdfFormat.N_QUADS)
    os.environ["KG_ENDPOINT_SECRET"] = "dba"
    load_to_endpoint(dump, url, auth="digest:dba", timeout=3600)
    log(f"Virtuoso loaded in {time.perf_counter() - t:.1f} s")
    ctx.virtuoso = url
    return proc


# --- growth ------------------------------------------------------------------------------------------------


def stored_runs() -> dict[int, dict[str, Any]]:
    runs: dict[int, dict[str, Any]] = {}
    for path in sorted(RUNS_DIR.glob("run-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        runs[int(data["actors"])] = data
    return runs


def estimate(runs: dict[int, dict[str, Any]], target: int) -> dict[str, tuple[float | None, float | None]]:
    """Per figure: (seconds, peak MB) at *target* actors, by the power law through the two largest runs."""
    sizes = sorted(runs)[-2:]
    out: dict[str, tuple[float | None, float | None]] = {}
    if len(sizes) < 2:
        return out
    (n0, n1), (r0, r1) = sizes, (runs[sizes[0]]["rows"], runs[sizes[1]]["rows"])
    for name, row1 in r1.items():
        row0 = r0.get(name)
        if row0 is None:
            continue
        guess: list[float | None] = []
        for key in ("seconds", "peak_mb"):
            a, b = row0.get(key), row1.get(key)
            if a and b and a > 0 and b > 0:
                k = math.log(b / a) / math.log(n1 / n0)
                guess.append(b * (target / n1) ** max(k, 0.0))
            else:
                guess.append(None)
        out[name] = (guess[0], guess[1])
    return out


def growth_rows(runs: dict[int, dict[str, Any]]) -> list[str]:
    sizes = sorted(runs)
    if not sizes:
        return ["(no stored run yet)"]
    names = list(
        dict.fromkeys(n for s in sizes for n, r in runs[s]["rows"].items() if r.get("seconds") is not None)
    )
    est = estimate(runs, 1_000_000)
    head = "| figure | " + " | ".join(f"{n:,}" for n in sizes) + " | 1,000,000 (estimate) |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for name in names:
        cells = []
        for n in sizes:
            r = runs[n]["rows"].get(name, {})
            s, m = r.get("seconds"), r.get("peak_mb")
            shown = "–" if s is None else f"{1000 * s:.1f} ms" if s < 0.1 else f"{s:.2f} s"
            cells.append(shown + (f", {m:,.0f} MB" if s is not None and m else ""))
        s1, m1 = est.get(name, (None, None))
        guess = "–" if s1 is None else f"{1000 * s1:.1f} ms" if s1 < 0.1 else f"{s1:,.0f} s"
        guess += f", {m1 / 1024:,.1f} GB" if s1 is not None and m1 else ""
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {guess} |")
    return lines


def refusal(actors: int, limit_gb: float) -> str | None:
    """Why a run at *actors* would not fit in *limit_gb*, from the stored growth; None when it would."""
    runs = {n: r for n, r in stored_runs().items() if n < actors}
    if len(runs) < 2:
        return None
    over = [
        (name, mb / 1024)
        for name, (_, mb) in estimate(runs, actors).items()
        if mb is not None and mb / 1024 > limit_gb
    ]
    if not over:
        return None
    sizes = ", ".join(f"{n:,}" for n in sorted(runs)[-2:])
    what = "; ".join(f"{name}: about {gb:,.0f} GB" for name, gb in sorted(over, key=lambda x: -x[1]))
    return (
        f"refused: at {actors:,} actors these steps would exceed {limit_gb:g} GB of memory "
        f"(growth measured between {sizes} actors): {what}"
    )


# --- main --------------------------------------------------------------------------------------------------

FIGURES: dict[str, Callable[[Ctx], list[Row]]] = {
    "generate": figure_generate,
    "load": figure_load,
    "projection": figure_projection,
    "questions": figure_questions,
    # the columnar path beside pyoxigraph on disk, in memory and Virtuoso (bench_national_questions.py)
    "columnar": lambda ctx: [Row(**r) for r in __import__("bench_national_questions").figure(ctx)],
    "chains": figure_chains,
    "analyse": figure_analyse,
    "view": figure_view,
    "build": figure_build,
    "serve": figure_serve,
    "import": figure_import,
    "build-curated": figure_build_curated,
    "import-refused": figure_import_refused,
}


def print_table(rows: list[Row]) -> None:
    print("| figure | value | baseline (same run) | goal | gap |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.figure} | {r.value} | {r.baseline} | {r.goal} | {r.gap} |")


def print_growth(limit_gb: float) -> None:
    """The growth table of the stored runs, and the 1,000,000-actor verdict."""
    print()
    print(
        "Growth (stored runs, benchmarks/national/run-*.json; estimate: power law through the two largest):"
    )
    print()
    print("\n".join(growth_rows(stored_runs())))
    why = refusal(1_000_000, limit_gb)
    print()
    runs = stored_runs()
    measured = {n: r for run in runs.values() for n, r in run["rows"].items() if r.get("seconds") is not None}
    est = estimate(runs, 1_000_000)
    missing = [n for n in measured if n not in est]
    if why:
        print(why)
    elif missing:
        print(
            "1,000,000 actors: no estimate yet for "
            + "; ".join(missing)
            + " (measured at fewer than the two "
            "largest sizes): run this benchmark at 30,000 and 100,000 actors first"
        )
    else:
        print("1,000,000 actors: the estimates fit in the memory limit; run with --actors 1000000")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actors", type=int, default=100_000)
    ap.add_argument(
        "--virtuoso", action="store_true", help="also answer the questions on a Virtuoso started here"
    )
    ap.add_argument("--pairs", type=int, default=21, help="linked and unlinked pairs for find_chains (each)")
    ap.add_argument("--serve-seconds", type=float, default=10.0, help="seconds of the SELECT load per server")
    ap.add_argument(
        "--only", default="", help="comma-separated figures to run (default all): " + ",".join(FIGURES)
    )
    ap.add_argument("--skip", default="", help="comma-separated figures to leave out")
    ap.add_argument("--quick", action="store_true", help="no in-memory generator baseline")
    ap.add_argument("--memory-limit-gb", type=float, default=24.0)
    ap.add_argument(
        "--question-timeout", type=float, default=120.0, help="seconds before a question's run is stopped"
    )
    ap.add_argument("--no-save", action="store_true", help="do not store this run for the growth table")
    ap.add_argument("--growth-only", action="store_true", help="only print the growth table of stored runs")
    args = ap.parse_args(argv)
    if args.growth_only:
        print_growth(args.memory_limit_gb)
        return 0

    chosen = [f for f in (args.only.split(",") if args.only else FIGURES) if f]
    skip = set(filter(None, args.skip.split(",")))
    unknown = (set(chosen) | skip) - set(FIGURES)
    if unknown:
        ap.error(f"unknown figure(s) {sorted(unknown)}; choose among {', '.join(FIGURES)}")
    needs_data = {"load", "projection", "questions", "columnar", "chains", "analyse", "view", "serve"}
    if needs_data & set(chosen):
        chosen = list(dict.fromkeys(["generate", "load", *chosen]))
    if {"chains", "analyse", "view"} & set(chosen) and "projection" not in chosen:
        chosen.insert(chosen.index("load") + 1, "projection")  # writes the artefacts a build writes
    # each step's memory at this size, from the stored growth: refuse what cannot fit
    import bench_national_scale

    plan, refused = bench_national_scale.step_plan(
        args.actors, args.memory_limit_gb, [c for c in chosen if c not in skip]
    )
    print("\n".join(plan) + "\n", flush=True)
    if {"generate", "load"} & set(refused):
        refused += [c for c in chosen if c in needs_data]
    chosen = [c for c in chosen if c not in refused]
    if not [c for c in chosen if c not in skip]:
        print("every step refused: nothing run")
        print()
        print("\n".join(growth_rows(stored_runs())))
        return 3
    rows: list[Row] = []
    virt = None
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-national-"))
    ctx = Ctx(args, tmp)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        for name in chosen:
            if name in skip:
                continue
            if name in ("questions", "columnar") and args.virtuoso and ctx.virtuoso is None:
                try:
                    virt = start_virtuoso(ctx)
                except Exception as exc:  # noqa: BLE001 - the column says why and the rest is still measured
                    rows.append(Row("Virtuoso", f"not measured: {exc}"))
            log(f"figure {name}…")
            try:
                rows.extend(FIGURES[name](ctx))
            except Exception as exc:  # noqa: BLE001 - one figure failing does not lose the others
                rows.append(Row(name, f"FAILED: {type(exc).__name__}: {str(exc)[-300:]}"))
                if name in ("generate", "load"):
                    break
    finally:
        if virt is not None:
            virt.terminate()
            virt.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"# bench_national: {args.actors:,} synthetic actors, seed 42; "
        f"{time.perf_counter() - started:.0f} s; "
        f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}; {when}"
    )
    print()
    print_table(rows)
    if not args.no_save:
        RUNS_DIR.mkdir(parents=True, exist_ok=True)
        kept = {r.figure: {"seconds": r.seconds, "peak_mb": r.peak_mb} for r in rows if r.seconds is not None}
        record = {
            "actors": args.actors,
            "date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()),
            "rows": kept,
        }
        previous = stored_runs().get(args.actors)
        if previous:  # keep figures of an earlier run at this size that this run did not measure
            record["rows"] = {**previous["rows"], **kept}
        (RUNS_DIR / f"run-{args.actors}.json").write_text(
            json.dumps(record, indent=1, ensure_ascii=False) + "\n"
        )
    print_growth(args.memory_limit_gb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
