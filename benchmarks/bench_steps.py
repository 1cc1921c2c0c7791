"""Benchmark of the build's in-process steps whose speed the tests used to assert (tests check results,
never wall-clock time): medians of N runs, each against its target.

* ``load_geography()``: the official geography from ``data/geo`` (target 0.5 s);
* ``geography_quads(geo)``: its quads (target 1 s), and ``Store().bulk_extend`` of them (target 1.5 s);
* pySHACL (advanced mode, as the build runs it) on a plausible curated graph of ~6,500 triples
  (``tests/test_shapes.py::plausible_graph`` + ontology, schemes and PAIR mapping; target 3 s).

Usage::

    .venv/bin/python benchmarks/bench_steps.py               # 5 runs each
    .venv/bin/python benchmarks/bench_steps.py --repeats 11 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS_S = {
    "load_geography": 0.5,
    "geography_quads": 1.0,
    "bulk_extend (geography)": 1.5,
    "pySHACL, plausible graph": 3.0,
}


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(repeats: int) -> dict[str, float]:
    import pyshacl
    from pyoxigraph import Store
    from rdflib import Graph

    from kg.ingest.geo import geography_quads, load_geography
    from tests.test_shapes import ONTOLOGY, plausible_graph

    out: dict[str, float] = {}
    out["load_geography"] = median_seconds(load_geography, repeats)
    geo = load_geography()
    out["geography_quads"] = median_seconds(lambda: geography_quads(geo), repeats)
    quads = geography_quads(geo)
    out["bulk_extend (geography)"] = median_seconds(lambda: Store().bulk_extend(quads), repeats)

    shapes = Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")
    ontology = Graph()
    for name in ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl"):
        ontology.parse(ONTOLOGY / name, format="turtle")

    def validate() -> None:
        data = plausible_graph()
        data += ontology
        conforms, _, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False, inplace=True
        )
        assert conforms

    # the graph is rebuilt inside each run (validation is in place); its construction is timed apart
    build = median_seconds(plausible_graph, repeats)
    out["pySHACL, plausible graph"] = max(median_seconds(validate, repeats) - build, 0.0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs per step (the median is reported)")
    ap.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = ap.parse_args(argv)
    res = run(args.repeats)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"medians of {args.repeats} runs; load average {os.getloadavg()[0]:.2f}")
    for step, seconds in res.items():
        target = TARGETS_S[step]
        verdict = "PASS" if seconds <= target else "FAIL"
        print(f"{step:28} {seconds:6.2f} s  (target ≤ {target:.1f} s: {verdict})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
