"""The national questions side by side, in one run: pyoxigraph on disk, in memory, and the columnar path.

For each question that :mod:`kg.store.columnar` answers, on each of its parameter sets, times the
``.rq`` file on the on-disk store (as ``kg query`` runs it), the same file on an in-memory copy, and
the DuckDB tables written beside the store (:func:`kg.store.columnar.write_tables`, timed too), and
checks that the three give the same number of rows (``tests/test_columnar.py`` checks the rows).

    nice .venv/bin/python benchmarks/bench_national_questions.py --actors 10000
    nice .venv/bin/python benchmarks/bench_national_questions.py --actors 10000 --store /tmp/s10k  # reuse
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: question → its parameter sets (the example's, and dates whose answers differ)
PARAMS = {"ecosystem-as-of": [{"date": "2019"}, {"date": "2010"}]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3, help="runs of the columnar path (median)")
    ap.add_argument("--store", type=Path, help="keep the synthetic store here and reuse it (same --actors)")
    ap.add_argument("--no-memory", action="store_true", help="skip the in-memory store")
    args = ap.parse_args(argv)

    from pyoxigraph import Store
    from synthetic import generate, synthetic_quads

    import kg
    from kg.ingest.geo import load_geography
    from kg.store.columnar import answer, write_tables
    from kg.store.graph import Graph
    from kg.store.queries import bind_params, get_query

    def report(name: str, value: str, note: str = "") -> None:
        print(f"{name:<52} {value:>12}  {note}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-national-"))
    where = args.store.resolve() if args.store else tmp / "store"
    marker = where / "bench_national.actors"
    quads = None
    try:
        if marker.exists() and marker.read_text().strip() == str(args.actors):
            report("synthetic store reused", str(where), f"{args.actors:,} actors")
        else:
            t = time.perf_counter()
            geo = load_geography()
            quads = synthetic_quads(generate(args.actors, seed=42, geo=geo), geo)
            report("synthetic graph generated", f"{time.perf_counter() - t:.1f} s", f"{len(quads):,} quads")
            t = time.perf_counter()
            shutil.rmtree(where, ignore_errors=True)
            store = Store(str(where))
            store.bulk_extend(quads)
            store.flush()
            store.optimize()
            del store
            marker.write_text(str(args.actors))
            report("loaded on disk (and optimised)", f"{time.perf_counter() - t:.1f} s")
        disk = kg.open(where)
        t = time.perf_counter()
        tables = write_tables(disk)
        size = tables.stat().st_size / 1e6
        report("columnar tables written (write_tables)", f"{time.perf_counter() - t:.1f} s", f"{size:.0f} MB")
        memory = None
        if not args.no_memory:
            t = time.perf_counter()
            mem = Store()
            mem.bulk_extend(quads if quads is not None else disk.store.quads_for_pattern(None, None, None))
            memory = Graph(mem)
            report("copied into an in-memory store", f"{time.perf_counter() - t:.1f} s")
        for name, sets in PARAMS.items():
            q = get_query(name)
            for values in sets:
                b = bind_params(disk, q, values)
                label = f"{name} {' '.join(f'{k}={v}' for k, v in values.items())}"
                times = []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    fast = answer(tables, name, b).value
                    times.append(time.perf_counter() - t)
                report(
                    f"{label}: columnar (DuckDB)", f"{statistics.median(times):.3f} s", f"{len(fast):,} rows"
                )
                if memory is not None:
                    t = time.perf_counter()
                    n = len(memory.run(q.sparql, **b).value)
                    report(
                        f"{label}: pyoxigraph in memory", f"{time.perf_counter() - t:.2f} s", f"{n:,} rows"
                    )
                    if n != len(fast):
                        report("  ROW COUNTS DIFFER", f"{n} ≠ {len(fast)}")
                t = time.perf_counter()
                n = len(disk.run(q.sparql, **b).value)
                report(f"{label}: pyoxigraph on disk", f"{time.perf_counter() - t:.2f} s", f"{n:,} rows")
                if n != len(fast):
                    report("  ROW COUNTS DIFFER", f"{n} ≠ {len(fast)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
