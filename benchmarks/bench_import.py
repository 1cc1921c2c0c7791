"""Import benchmark: a 10,000-row workbook through ``kg import`` (target ≤ 10 s); 50,000 rows and their undo.

    .venv/bin/python benchmarks/bench_import.py             # 10,000 rows, 3 repeats; 50,000 rows with history
    .venv/bin/python benchmarks/bench_import.py --rows 2000 --repeat 1 --big 10000
    .venv/bin/python benchmarks/bench_import.py --big 0      # the 10,000-row part only

The workbook is generated (openpyxl, write-only): 60 % actors on real communes (half
by INSEE code, half by name with a postcode), with valid SIREN; 20 % relations
(adhesions, supports, partnerships); 2 % programmes; 10 % programme partners; 8 %
fundings with French amounts and dates. A data folder (curated data and geography)
and a store are built once in a temporary folder (``kg.store.build``, SHACL off); each
repeat then runs the whole import — read, convert, check, compare, write
``data/imports/<name>/``, replace the named graph in the store — on a fresh copy.
Prints one table with the median and the split by step; nothing is left behind.

History part (``--big``, default 50,000 rows): every step is the ``kg`` command in its own
subprocess, timed from outside with its peak RSS and CPU time from ``os.wait4`` (what
``/usr/bin/time -v`` reports), on one data folder and store, in this order:

* **baseline**: ``kg import`` of the ``--rows`` workbook (a new import, as in the part above);
* ``kg import --dry-run`` of the big workbook (every check, nothing written);
* ``kg import`` of the big workbook (a new import);
* ``kg import --oui`` of the big workbook with one row in ten edited (the previous version kept in
  ``versions/``);
* ``kg imports annuler`` (restores the previous version: folder and named graph);
* ``kg imports supprimer --oui``.

Ratios against the baseline are printed for each step (time and peak RSS), from the same run,
so they hold on a busy machine better than the times do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import make_data_folder  # noqa: E402 - after the sys.path line; the tests' data folder

TARGET_S = 10.0


def _siren(n: int) -> str:
    from kg.model.identifiers import luhn_ok

    base = f"{n:08d}"
    return next(base + str(d) for d in range(10) if luhn_ok(base + str(d)))


def make_workbook(path: Path, rows: int, seed: int = 17) -> dict[str, int]:
    """Write a synthetic catalyst workbook of *rows* data rows; return the rows per sheet."""
    import openpyxl

    from kg.ingest.geo import load_geography
    from kg.sheets.layout import SHEETS, load_concepts

    rnd = random.Random(seed)
    geo = load_geography(ROOT / "data" / "geo")
    concepts = load_concepts(ROOT / "ontology" / "schemes.ttl")
    communes = [c for c in geo.communes.values() if c.kind == "commune" and c.postcodes]
    unique = communes
    types = [lab for n, lab in concepts.labels["actor-type"] if n not in ("commune", "departement", "region")]
    themes = [lab for _, lab in concepts.labels["theme"]]
    roles = [concepts.label("role", r) for r in ("porteur", "partenaire", "beneficiaire", "financeur")]
    kinds = [concepts.label("support-kind", k) for k, _ in concepts.labels["support-kind"]]
    n_act, n_rel, n_prog = int(rows * 0.6), int(rows * 0.2), max(1, int(rows * 0.02))
    n_part, n_fund = (
        int(rows * 0.1),
        rows - int(rows * 0.6) - int(rows * 0.2) - max(1, int(rows * 0.02)) - int(rows * 0.1),
    )
    wb = openpyxl.Workbook(write_only=True)
    sheets = {s.key: s for s in SHEETS}

    def sheet(key: str):
        ws = wb.create_sheet(sheets[key].name)
        ws.append([c.header for c in sheets[key].columns])
        return ws

    ws = sheet("actors")
    names = []
    for i in range(n_act):
        c = rnd.choice(unique)
        name = f"Structure {i:05d} {rnd.choice(['Solidaire', 'Numérique', 'Verte', 'Locale'])}"
        names.append(name)
        by_code = i % 2 == 0
        ws.append(
            [
                name,
                rnd.choice(types),
                f"Acteur synthétique n° {i}.",
                " | ".join(rnd.sample(themes, 2)),
                c.code if by_code else c.name,
                None,
                None if by_code else c.postcodes[0],
                _siren(10_000_000 + i),
                None,
                None,
                None,
                None,
                None,
            ]
        )
    ws = sheet("programmes")
    progs = [f"Programme {i:04d}" for i in range(n_prog)]
    for p in progs:
        ws.append(
            [
                p,
                "Programme",
                "Programme synthétique.",
                rnd.choice(themes),
                f"01/{rnd.randint(1, 12):02d}/2022",
                "2025",
                None,
                None,
                None,
            ]
        )
    ws = sheet("relations")
    for i in range(n_rel):
        a, b = rnd.sample(names, 2)
        kind = ("Adhésion", "Soutien", "Partenariat")[i % 3]
        ws.append(
            [
                a,
                b,
                kind,
                "Membre" if kind == "Adhésion" else None,
                rnd.choice(kinds) if kind == "Soutien" else None,
                str(2015 + i % 9),
                None,
                None,
                None,
                None,
            ]
        )
    ws = sheet("partners")
    seen = set()
    for _ in range(n_part):
        p, a = rnd.choice(progs), rnd.choice(names)
        while (p, a) in seen:
            p, a = rnd.choice(progs), rnd.choice(names)
        seen.add((p, a))
        ws.append([p, a, rnd.choice(roles), None, None, None, None, None])
    ws = sheet("fundings")
    for i in range(n_fund):
        a, b = rnd.sample(names, 2)
        ws.append(
            [
                a,
                b,
                rnd.choice(progs),
                f"{rnd.randint(1000, 900000)},{rnd.randint(0, 99):02d}",
                45000 + i % 700,
                None,
                "Subvention synthétique",
                None,
                None,
                None,
                f"f-{i}",
            ]
        )
    wb.save(path)
    return {"actors": n_act, "relations": n_rel, "programmes": n_prog, "partners": n_part, "fundings": n_fund}


def run(rows: int, repeat: int) -> dict:
    import kg
    from kg.ingest.geo import load_geography
    from kg.sheets.plan import plan_import
    from kg.store import imports

    with tempfile.TemporaryDirectory(prefix="kg-bench-import-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        make_data_folder(base)
        book = tmp / "territoire.xlsx"
        t = time.perf_counter()
        per_sheet = make_workbook(book, rows)
        gen_s = time.perf_counter() - t
        times, steps = [], []
        for i in range(repeat):
            work = tmp / f"run{i}"
            shutil.copytree(base, work, symlinks=True)
            split = {}
            c0 = time.process_time()
            t0 = time.perf_counter()
            load_geography.cache_clear() if hasattr(load_geography, "cache_clear") else None
            plan = plan_import(book, work / "data")
            split["read+check+compare"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            imports.apply_import(plan, work / "data", work / "store")
            split["write files+store"] = time.perf_counter() - t1
            total = time.perf_counter() - t0
            split["cpu (all threads)"] = time.process_time() - c0
            assert plan.store_updated and len(plan.added) > 0.9 * rows, (plan.counts(), len(plan.added))
            t2 = time.perf_counter()
            again = imports.import_workbook(book, work / "data", work / "store")
            split["re-import, no change"] = time.perf_counter() - t2
            assert again.is_noop and not again.written
            times.append(total)
            steps.append(split)
            shutil.rmtree(work)
        quads = sum(1 for _ in kg.open(base / "store").store.quads_for_pattern(None, None, None, None))
    med = statistics.median(times)
    load = os.getloadavg()
    return {
        "rows": rows,
        "per_sheet": per_sheet,
        "records": plan.counts(),
        "repeats": repeat,
        "workbook_generation_s": round(gen_s, 2),
        "import_s_median": round(med, 2),
        "import_s_all": [round(x, 2) for x in times],
        "steps_s_median": {k: round(statistics.median(s[k] for s in steps), 2) for k in steps[0]},
        "target_s": TARGET_S,
        "meets_target": med <= TARGET_S,
        "base_store_quads": quads,
        "cpus": os.cpu_count(),
        "load_average_1min_after": round(load[0], 2),
    }


def _measure(cmd: list[str]) -> dict:
    """Run *cmd*; its wall time, CPU time (user + system) and peak RSS (``ru_maxrss`` of ``os.wait4``)."""
    import subprocess

    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-2000:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }


def _edit_workbook(src: Path, dst: Path, every: int = 10) -> int:
    """Copy *src* with the description of one actor in *every* changed; return how many rows changed."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb["Acteurs"]
    col = [c.value for c in ws[1]].index("description") + 1
    n = 0
    for row in range(2, ws.max_row + 1, every):
        ws.cell(row, col).value = f"Description revue n° {row}."
        n += 1
    wb.save(dst)
    return n


def run_history(rows: int, big: int) -> dict:
    """The history part: each step is the ``kg`` command in a subprocess (see the module docstring)."""

    kg_cmd = str(Path(sys.executable).with_name("kg"))
    with tempfile.TemporaryDirectory(prefix="kg-bench-history-") as tmp:
        tmp = Path(tmp)
        data, store = make_data_folder(tmp)
        small, book, edited = tmp / "petit.xlsx", tmp / "grand.xlsx", tmp / "grand-v2.xlsx"
        t = time.perf_counter()
        make_workbook(small, rows, seed=5)
        per_sheet = make_workbook(book, big)
        changed = _edit_workbook(book, edited)
        gen_s = time.perf_counter() - t
        # the baseline imports into its own copy (its generated names are those of the big workbook)
        shutil.copytree(data, tmp / "data0", symlinks=True)
        shutil.copytree(store, tmp / "store0")
        base = ["--data", str(tmp / "data0"), "--store", str(tmp / "store0"), "--par", "Banc d'essai"]
        common = ["--data", str(data), "--store", str(store), "--par", "Banc d'essai"]
        where = ["--data", str(data), "--store", str(store)]
        again = ["--nom", "grand", "--oui", *common]
        steps = {
            f"baseline: kg import, {rows:,} rows": [kg_cmd, "import", str(small), *base],
            f"kg import --dry-run, {big:,} rows": [kg_cmd, "import", str(book), "--dry-run", *common],
            f"kg import, {big:,} rows": [kg_cmd, "import", str(book), *common],
            f"kg import --oui, {big:,} rows ({changed:,} changed)": [kg_cmd, "import", str(edited), *again],
            "kg imports annuler": [kg_cmd, "imports", "annuler", "grand", *where],
            "kg imports supprimer --oui": [kg_cmd, "imports", "supprimer", "grand", "--oui", *where],
        }
        out = {name: _measure(cmd) for name, cmd in steps.items()}
    first = next(iter(out.values()))
    for m in out.values():
        m["x_time"] = round(m["wall_s"] / first["wall_s"], 2)
        m["x_rss"] = round(m["peak_rss_mb"] / first["peak_rss_mb"], 2)
    return {
        "rows": rows,
        "big_rows": big,
        "big_per_sheet": per_sheet,
        "workbooks_generation_s": round(gen_s, 2),
        "steps": out,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


def print_history(res: dict) -> None:
    per_sheet = ", ".join(f"{k} {v}" for k, v in res["big_per_sheet"].items())
    print(f"\nHistory: a {res['big_rows']:,}-row workbook ({per_sheet}); each step a kg command (subprocess)")
    print(f"  {'step':<44} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'x time':>7} {'x RSS':>6}")
    for name, m in res["steps"].items():
        print(
            f"  {name:<44} {m['wall_s']:>8.2f} {m['cpu_s']:>8.2f} {m['peak_rss_mb']:>12,} "
            f"{m['x_time']:>7.2f} {m['x_rss']:>6.2f}"
        )
    print(
        "  (x = ratio to the baseline of the same run; load average "
        f"{res['load_average_1min_after']} at the end)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--big", type=int, default=50_000, help="rows of the history part's workbook (0: skip that part)"
    )
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()
    res = run(args.rows, args.repeat)
    history = run_history(args.rows, args.big) if args.big else None
    if args.json:
        print(json.dumps(res | {"history": history}, indent=2, ensure_ascii=False))
        return
    per_sheet = ", ".join(f"{k} {v}" for k, v in res["per_sheet"].items())
    print(f"kg import of a {res['rows']:,}-row workbook ({per_sheet})")
    print(f"  records: {', '.join(f'{k} {v}' for k, v in res['records'].items())}")
    print(
        f"  median of {res['repeats']}: {res['import_s_median']:.2f} s  (all: {res['import_s_all']}; "
        f"target ≤ {TARGET_S:.0f} s: {'met' if res['meets_target'] else 'MISSED'})"
    )
    for k, v in res["steps_s_median"].items():
        print(f"    {k:<22} {v:.2f} s")
    print(
        f"  machine: {res['cpus']} CPUs, load average {res['load_average_1min_after']} at the end "
        "(other processes slow the wall time; the CPU time does not depend on them as much)"
    )
    if history:
        print_history(history)


if __name__ == "__main__":
    main()
