"""The import's steps in process, CPU seconds each: where a large workbook's ``kg import`` goes.

    nice .venv/bin/python benchmarks/bench_import_steps.py --rows 10000
    nice .venv/bin/python benchmarks/bench_import_steps.py --rows 50000 --profile /tmp/imp.prof

A data folder and store (``tests.conftest.make_data_folder``) and a workbook
(``bench_import.make_workbook``) in a temporary folder; then ``import_workbook`` once, with
each step's wall and CPU time summed around its function (read, rows → records, mapping,
SHACL screen, pySHACL, store write, relation tables). Prints one JSON object. The store's new graph
and its relation tables are written by two child processes while the checks run
(``kg.store.write.GraphWriter``; the tables by ``kg.store.columnar_update.import_tables``): their CPU is
not in the steps; the total gives the process' CPU and, beside it, the children's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

STEPS = {
    "read": ("kg.sheets.plan", "read_tables"),
    "rows → records": ("kg.sheets.plan", "convert"),
    "plan (whole)": ("kg.sheets.plan", "plan_import"),
    "mapping": ("kg.rdf.mapping", "import_quads"),
    "mapping (statements)": ("kg.rdf.mapping", "import_statements"),
    "checks (whole)": ("kg.store.imports", "check_import_shapes"),
    "prepare (whole)": ("kg.store.imports", "prepare_import"),
    "commit (whole)": ("kg.store.imports", "commit_import"),
    "curated quads": ("kg.rdf.mapping", "curated_quads"),
    "import focus": ("kg.store.import_checks", "_import_focus"),
    "territories used": ("kg.store.import_checks", "_territories_used"),
    "geography quads (scoped)": ("kg.ingest.geo", "geography_quads"),
    "shacl screen": ("kg.rdf.shacl_screen", "screen"),
    "shacl (whole)": ("kg.rdf.shacl", "check_shapes"),
    "store write": ("kg.store.write", "replace_graph"),
    "store write started (checkpoint, N-Quads, child)": ("kg.store.write", "GraphWriter"),
    "relations before": ("kg.store.columnar_update", "graph_relation_rows"),
    "relation tables": ("kg.store.columnar_update", "end_steps_after"),
}


def _wrap(times: dict, name: str, module: str, attr: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    fn = getattr(mod, attr, None)
    if fn is None:  # not in this version of the code
        return

    def timed(*a, **k):
        c, t = time.process_time(), time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            cpu, wall = times.setdefault(name, [0.0, 0.0])
            times[name] = [cpu + time.process_time() - c, wall + time.perf_counter() - t]

    setattr(mod, attr, timed)
    # modules that imported the name directly
    for other in list(sys.modules.values()):
        if other is not None and other is not mod and getattr(other, attr, None) is fn:
            setattr(other, attr, timed)


def run(rows: int, profile: str | None) -> dict:
    import bench_import

    from kg.store.imports import import_workbook
    from tests.conftest import make_data_folder

    with tempfile.TemporaryDirectory(prefix="kg-bench-import-steps-") as tmp:
        tmp = Path(tmp)
        data, store = make_data_folder(tmp)
        book = tmp / "territoire.xlsx"
        bench_import.make_workbook(book, rows)
        import kg.ingest.geo
        import kg.rdf.shacl
        import kg.rdf.shacl_screen
        import kg.store.columnar_update
        import kg.store.import_checks
        import kg.store.write  # noqa: F401 - wrapped below

        times: dict[str, list[float]] = {}
        for name, (module, attr) in STEPS.items():
            _wrap(times, name, module, attr)
        import os

        c, t, kids = time.process_time(), time.perf_counter(), os.times()
        if profile:
            import cProfile

            prof = cProfile.Profile()
            plan = prof.runcall(import_workbook, book, data, store, owner="Banc d'essai")
            prof.dump_stats(profile)
        else:
            plan = import_workbook(book, data, store, owner="Banc d'essai")
        total = [time.process_time() - c, time.perf_counter() - t]
        now = os.times()
        children = now.children_user + now.children_system - kids.children_user - kids.children_system
        assert plan.store_updated, plan
    return {
        "rows": rows,
        "records": sum(plan.counts().values()) if isinstance(plan.counts(), dict) else plan.counts(),
        "steps_cpu_wall_s": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "total_cpu_wall_s": [round(x, 2) for x in total],
        "children_cpu_s": round(children, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--profile", help="write a cProfile of the import there")
    args = ap.parse_args()
    print(json.dumps(run(args.rows, args.profile), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
