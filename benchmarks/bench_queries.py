"""Benchmark of the questions issue: projection, alliance chains, named queries, analysis.

On the synthetic national graph (``benchmarks/synthetic.py``, ≥ 100,000 actors on the
real geography, in the same model as the curated data), loaded into an on-disk
pyoxigraph store like ``kg build`` writes, it reports in one run:

* the NetworkX projection build time (``kg.network.projection.project``) and the chain graph's;
* ``kg chains`` between random pairs of actors once the projection is built (median,
  p90; target: median ≤ 200 ms);
* each named query's median (parameters drawn from the synthetic data);
* ``kg.store.ecosystem.ecosystem`` for ``departement:94`` (median), against its baseline measured in the
  same run: the same definition run as one union query (``Q_ECOSYSTEM``), members compared;
* ``kg analyse`` on the whole graph once the projection is built (loaded from the file
  :func:`kg.network.projection.cached_project` keeps beside the store; target ≤ 30 s), and NetworkX's own
  betweenness (k = 200) on the same graph for comparison when ``--compare-networkx`` is given.

Run::

    .venv/bin/python benchmarks/bench_queries.py            # 100,000 actors
    .venv/bin/python benchmarks/bench_queries.py --quick    # 10,000 actors, fewer repeats
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _median_ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):.1f} ms"


def _p90_ms(times: list[float]) -> str:
    return f"{1000 * sorted(times)[int(0.9 * (len(times) - 1))]:.1f} ms"


#: run in a fresh process of a checkout: load the projection saved beside the store, analyse the whole graph
_ANALYSE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import kg
from kg.network.analysis import analyse
from kg.network.projection import cached_project
t, cpu = time.perf_counter(), time.process_time()
G = cached_project(kg.open(sys.argv[2]))
loaded = time.perf_counter() - t
result = analyse(G, top=10)
total, cpu = time.perf_counter() - t, time.process_time() - cpu
nodes, ties = result.summary["nodes"], result.summary["edges"]
print(json.dumps({"load": loaded, "total": total, "cpu": cpu, "nodes": nodes, "ties": ties}))
"""


def _analyse_in(checkout: Path, store: Path) -> dict[str, float]:
    """Time ``kg analyse`` (load the saved projection, analyse) with *checkout*'s code: this interpreter
    (``sys.executable``) for this checkout, another checkout's own virtualenv when it has one (a bare
    worktree has none: this interpreter, with that checkout's code first on the path)."""
    import json
    import subprocess

    own = checkout / ".venv" / "bin" / "python"
    python = own if checkout.resolve() != ROOT and own.exists() else Path(sys.executable)
    done = subprocess.run(
        [str(python), "-c", _ANALYSE, str(checkout), str(store)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10,000 actors and fewer repeats")
    ap.add_argument("--pairs", type=int, default=31, help="random actor pairs for kg chains")
    ap.add_argument("--repeats", type=int, default=5, help="runs per named query (median)")
    ap.add_argument("--skip-queries", action="store_true", help="do not time the named queries")
    ap.add_argument("--compare-networkx", action="store_true", help="also time NetworkX betweenness (slow)")
    ap.add_argument(
        "--analysis-repeats",
        type=int,
        default=1,
        help="runs of kg analyse (median), each in a fresh process that loads the saved projection",
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (with its own .venv) whose kg analyse is timed in the same run, alternating",
    )
    ap.add_argument("--skip-chains", action="store_true", help="do not time the chain graph and kg chains")
    ap.add_argument(
        "--analysis-only",
        action="store_true",
        help="only the saved projection and kg analyse (no projection, chains, queries)",
    )
    ap.add_argument(
        "--store",
        type=Path,
        help="keep the synthetic store in this folder and reuse it on the next run (same --actors; seed 42)",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.actors, args.pairs, args.repeats = 10_000, 11, 3

    from pyoxigraph import Store
    from synthetic import generate, synthetic_quads

    import kg
    from kg.ingest.geo import load_geography
    from kg.network.analysis import actor_graph
    from kg.network.chains import chain_graph, find_chains
    from kg.network.projection import cached_project, project
    from kg.store.queries import list_queries, run_named

    rows: list[tuple[str, str, str]] = []

    def report(name: str, value: str, note: str = "") -> None:
        rows.append((name, value, note))
        print(f"{name:<48} {value:>14}  {note}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-q-"))
    where = args.store.resolve() if args.store else tmp / "store"
    marker = where / "bench_queries.actors"
    try:
        if marker.exists() and marker.read_text().strip() == str(args.actors):
            report("synthetic store reused", str(where), f"{args.actors:,} actors")
        else:
            t = time.perf_counter()
            geo = load_geography()
            curated = generate(args.actors, seed=42, geo=geo)
            quads = synthetic_quads(curated, geo)
            report(
                "synthetic graph generated",
                f"{time.perf_counter() - t:.1f} s",
                f"{args.actors:,} actors, {len(quads):,} quads",
            )
            t = time.perf_counter()
            shutil.rmtree(where, ignore_errors=True)
            store = Store(str(where))
            store.bulk_extend(quads)
            store.flush()
            del store, quads
            marker.write_text(str(args.actors))
            report("loaded into an on-disk store", f"{time.perf_counter() - t:.1f} s")
        graph = kg.open(where)
        if args.analysis_only:
            args.skip_chains = args.skip_queries = True
        else:
            t = time.perf_counter()
            G = project(graph)
            report(
                "projection (kg.network.projection.project)",
                f"{time.perf_counter() - t:.1f} s",
                f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges",
            )
        rng = random.Random(7)
        if not args.skip_chains:
            t = time.perf_counter()
            H = chain_graph(G)
            report(
                "chain graph (kg.network.chains.chain_graph)",
                f"{time.perf_counter() - t:.1f} s",
                f"{H.number_of_nodes():,} nodes, {H.number_of_edges():,} edges",
            )
            actors = [n for n, d in H.nodes(data=True) if d.get("kind") == "actor" and H.degree(n) > 0]
            times, found = [], 0
            for _ in range(args.pairs):
                a, b = rng.sample(actors, 2)
                t = time.perf_counter()
                chains = find_chains(H, a, b, k=3, max_hops=6)
                times.append(time.perf_counter() - t)
                found += bool(chains)
            med = statistics.median(times)
            report(
                "kg chains, 2 random actors, k=3 (median)",
                _median_ms(times),
                f"p90 {_p90_ms(times)}; {found}/{args.pairs} pairs linked; target ≤ 200 ms: "
                f"{'PASS' if med <= 0.2 else 'FAIL'}",
            )

        if not args.skip_queries:
            geo = load_geography()
            by_kind: dict[str, list[str]] = {}
            for n, d in G.nodes(data=True):
                by_kind.setdefault(d.get("kind"), []).append(n)
            sample_actor = max(by_kind["actor"], key=G.degree)
            deps = sorted({c.departement for c in geo.communes.values()})
            params = {
                "actors-of-territory": {"territory": f"departement:{rng.choice(deps)}"},
                "funders-of-territory": {
                    "territory": f"departement:{rng.choice(deps)}",
                    "from": "2015",
                    "to": "2020",
                },
                "ecosystem-as-of": {"date": "2015"},
                "sources-of": {"node": sample_actor},
                "founders": {},
            }
            for q in list_queries():
                p = params.get(q.name) or {x.name: sample_actor for x in q.params}
                qt, n_rows = [], 0
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    n_rows = len(run_named(graph, q.name, p).value)
                    qt.append(time.perf_counter() - t)
                report(f"kg query {q.name} (median)", _median_ms(qt), f"{n_rows:,} rows")

        # the ecosystem of a territory; baseline: the same definition as one union query
        if not args.skip_queries:
            from kg.store.ecosystem import Q_ECOSYSTEM, ecosystem
            from kg.store.graph import IRI
            from kg.store.queries import territory_iri

            territory = "departement:94"
            t = time.perf_counter()
            union = graph.query(Q_ECOSYSTEM, territory=IRI(territory_iri(graph, territory)))
            base = time.perf_counter() - t
            report(
                f"ecosystem {territory}, one union query (baseline)", f"{base:.2f} s", f"{len(union):,} rows"
            )
            et = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                eco = ecosystem(graph, territory)
                et.append(time.perf_counter() - t)
            same = set(eco.reasons) == {r["member"] for r in union if r["member"] is not None}
            med = statistics.median(et)
            report(
                f"ecosystem {territory}, kg.store.ecosystem (median)",
                f"{med:.2f} s",
                f"{len(eco):,} members, same members: {same}; {base / med:.1f}x faster than the baseline",
            )

        t = time.perf_counter()
        cached_project(graph)  # first use after a build: projects and saves beside the store
        report(
            "projection saved beside the store (first use)", f"{time.perf_counter() - t:.1f} s", "or loaded"
        )
        # what `kg analyse` does once the projection is built: load it, analyse; each run in a fresh
        # process (as the command runs), alternating with the baseline's when one is given
        checkouts = [("", ROOT)] + ([(" [baseline]", args.baseline.resolve())] if args.baseline else [])
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in checkouts}
        for _ in range(args.analysis_repeats):
            for name, checkout in checkouts:
                runs[name].append(_analyse_in(checkout, where))
        for name, _ in checkouts:
            took = statistics.median(r["total"] for r in runs[name])
            loaded = statistics.median(r["load"] for r in runs[name])
            cpu = statistics.median(r["cpu"] for r in runs[name])
            every = ", ".join(f"{r['total']:.1f}" for r in runs[name])
            size = f"{int(runs[name][0]['nodes']):,} actors, {int(runs[name][0]['ties']):,} ties"
            report(
                f"kg analyse, whole graph (projection loaded){name}",
                f"{took:.1f} s",
                f"median of {len(runs[name])} ({every}); CPU {cpu:.1f} s; load {loaded:.1f} s; {size}; "
                f"target ≤ 30 s: {'PASS' if took <= 30 else 'FAIL'}",
            )
        if args.baseline:
            ratio = statistics.median(r["total"] for r in runs[" [baseline]"]) / statistics.median(
                r["total"] for r in runs[""]
            )
            cpu_ratio = statistics.median(r["cpu"] for r in runs[" [baseline]"]) / statistics.median(
                r["cpu"] for r in runs[""]
            )
            report(
                "kg analyse, baseline / this checkout",
                f"{ratio:.1f} times",
                f"CPU time: {cpu_ratio:.1f} times",
            )
        if args.compare_networkx and not args.analysis_only:
            import networkx as nx

            A = actor_graph(G)
            t = time.perf_counter()
            nx.betweenness_centrality(A, k=200, seed=42)
            report("NetworkX betweenness k=200 (same graph)", f"{time.perf_counter() - t:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
