"""The memory plan of ``benchmarks/bench_national_scale.py``: which steps of a national run would not fit.

The plan decides, before a run, which steps are refused; a wrong answer either swaps the shared machine or
hides a step that would have fitted. Checked on stored runs written inline.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_national_scale import fit, step_peaks, step_plan

RUNS = {
    10_000: {"rows": {"load on disk + ontology (wall, peak RSS)": {"seconds": 30.0, "peak_mb": 1_000.0}}},
    30_000: {"rows": {"load on disk + ontology (wall, peak RSS)": {"seconds": 90.0, "peak_mb": 3_000.0}}},
}


def test_fit_finds_the_exponent_of_the_growth() -> None:
    _, k = fit({10_000: 1_000.0, 30_000: 3_000.0})
    assert k == pytest.approx(1.0)
    _, k = fit({10_000: 1_000.0, 40_000: 2_000.0})
    assert k == pytest.approx(0.5)
    assert fit({10_000: 1_000.0}) is None


def test_rows_are_grouped_by_step_with_their_largest_peak() -> None:
    runs = {10_000: {"rows": {"kg query a": {"peak_mb": 5.0}, "kg query b": {"peak_mb": 7.0}}}}
    assert step_peaks(runs) == {"questions": {10_000: 7.0}}


def test_a_step_that_would_not_fit_is_refused_and_named() -> None:
    # linear growth: 1,000 MB at 10k → about 98 GB at 1M, over any limit of this test
    lines, refused = step_plan(1_000_000, 24.0, ["load"], RUNS)
    assert refused == ["load"]
    assert any(line.startswith("| load |") and "REFUSED" in line and "GB >" in line for line in lines)


def test_the_same_step_fits_at_a_smaller_size() -> None:
    lines, refused = step_plan(40_000, 1_000.0, ["load"], RUNS)
    assert refused == []
    assert any(line.startswith("| load |") and "fits" in line for line in lines)


def test_one_measured_size_assumes_linear_growth_and_says_so() -> None:
    lines, refused = step_plan(1_000_000, 24.0, ["load"], {10_000: RUNS[10_000]})
    assert refused == ["load"]
    assert any("assumed" in line for line in lines)
    _, refused = step_plan(20_000, 1_000.0, ["load"], {10_000: RUNS[10_000]})
    assert refused == []


def _rows_with_a_peak(path: Path) -> dict[str, list[str]]:
    """Per ``figure_*`` function of *path*, the names (their text before any ``{…}``) of the rows it
    builds with a peak memory (a ``Row`` given a 7th argument that is not ``None``)."""
    import ast

    out: dict[str, list[str]] = {}
    for fn in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("figure_"):
            continue
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Row"):
                continue
            if len(call.args) < 7 or (isinstance(call.args[6], ast.Constant) and call.args[6].value is None):
                continue
            name = call.args[0]
            if isinstance(name, ast.JoinedStr):
                name = name.values[0] if name.values else ast.Constant("")
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                out.setdefault(fn.name, []).append(name.value)
    return out


def test_every_row_with_a_peak_belongs_to_the_step_of_its_figure() -> None:
    """The memory plan reads the rows bench_national prints: a renamed row must not drop out of its step
    (the chains and analyse rows once did: their steps showed as never measured)."""
    from bench_national_scale import STEPS, step_of

    benchmarks = Path(__file__).resolve().parents[1] / "benchmarks"
    rows = _rows_with_a_peak(benchmarks / "bench_national.py")
    scale = _rows_with_a_peak(benchmarks / "bench_national_scale.py")
    rows |= {
        "figure_build_curated": scale["figure_curated_build"],
        "figure_import_refused": scale["figure_import_refused"],
    }
    checked = 0
    for function, names in rows.items():
        step = function.removeprefix("figure_").replace("_", "-")
        if step not in STEPS:
            continue  # a figure the plan does not size (the real-data build, the endpoint)
        for name in names:
            if function == "figure_import_refused" and step_of(name) == "import":
                continue  # that figure also runs the accepted import, whose row is the import step's
            assert step_of(name) == step, f"{function}: row {name!r} is not recognised as step {step!r}"
            checked += 1
    assert checked >= 8
    # a sub-row (leading spaces) belongs to its figure; a row of no planned step to none
    sub_row = "  chain graph (+ skeleton), actor network, name index written at build time"
    assert step_of(sub_row) == "projection"
    assert step_of("kg build, default real data, cold") is None


def test_the_curated_build_goal_grows_with_the_actors_and_names_its_gap() -> None:
    """Issue 15 item 4 as numbers: 4 GB and 10 min of CPU at 100,000 actors, linear; the gap says which."""
    from bench_national_scale import curated_build_gap, curated_build_goal

    assert curated_build_goal(100_000) == (4096.0, 600.0)
    assert curated_build_goal(10_000) == (1331.2, 60.0)
    assert curated_build_gap(100_000, 3_900, 420) == ""
    assert curated_build_gap(100_000, 9_217, 415) == "GAP 2.3x (9217.00 MB > 4096 MB)"
    assert curated_build_gap(10_000, 1_218, 64) == "GAP 1.1x (64.00 s CPU > 60 s CPU)"
