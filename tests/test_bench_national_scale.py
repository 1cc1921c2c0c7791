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
