"""``benchmarks/bench_national.py``'s own logic: a command past its time limit, and the growth rule.

The growth table estimates 1,000,000 actors through the two largest runs; a code change between them (chains
2.27 s at 30k → 0.38 s at 100k) made it print "0 s". Runs here are written inline, each row with the code
version and definition the benchmark stores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_national import comparable, comparable_runs, estimate, growth_rows, refusal, run

CHAINS = "kg chains by name, end to end (pair 1)"
BUILD = "kg build from curated files, SHACL (wall, peak RSS)"


def row(seconds: float, peak_mb: float | None = None, code: str | None = "a", definition: str = "d") -> dict:
    out = {"seconds": seconds, "peak_mb": peak_mb, "definition": definition}
    return out | ({"code": code} if code else {})


def runs(**sizes: dict) -> dict[int, dict]:
    return {int(n[1:]): {"actors": int(n[1:]), "rows": rows} for n, rows in sizes.items()}


def test_a_command_killed_at_its_time_limit_is_timed_out_not_a_failure() -> None:
    r = run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert r["timeout"] is True and r["stdout"] == ""
    assert run([sys.executable, "-c", "print(1)"], timeout=60)["timeout"] is False


def test_a_command_that_dies_by_itself_is_a_failure() -> None:
    with pytest.raises(RuntimeError, match="exited"):
        run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"], timeout=60)


def test_the_estimate_uses_the_two_largest_runs_of_the_same_code() -> None:
    same = runs(n10000={CHAINS: row(1.0)}, n30000={CHAINS: row(2.0)}, n100000={CHAINS: row(4.0)})
    seconds, _, why = estimate(same, 1_000_000)[CHAINS]
    assert why == "" and seconds == pytest.approx(4.0 * 10 ** (0.5757), rel=0.01)  # growth 30k → 100k
    # 30k measured on other code: 10k (same code as 100k) is the other point, not 30k
    old = row(2.27, code="old")
    mixed = runs(n10000={CHAINS: row(1.0)}, n30000={CHAINS: old}, n100000={CHAINS: row(4.0)})
    seconds, _, why = estimate(mixed, 1_000_000)[CHAINS]
    assert why == "" and seconds == pytest.approx(16.0)  # 1 s → 4 s from 10k to 100k: x4 per decade


def test_a_code_change_between_the_largest_runs_gives_no_estimate_and_says_why() -> None:
    changed = runs(n30000={CHAINS: row(2.27, code="old")}, n100000={CHAINS: row(0.38, code="new")})
    seconds, _, why = estimate(changed, 1_000_000)[CHAINS]
    assert seconds is None and why == "30,000 measured with other code than 100,000"
    assert growth_rows(changed)[-1].endswith("| – (30,000 measured with other code than 100,000) |")
    other_definition = runs(n30000={CHAINS: row(2.0, definition="x")}, n100000={CHAINS: row(4.0)})
    assert estimate(other_definition, 1_000_000)[CHAINS][0] is None
    unversioned = runs(n30000={CHAINS: row(2.0, code=None)}, n100000={CHAINS: row(4.0, code=None)})
    assert estimate(unversioned, 1_000_000)[CHAINS][2] == "100,000 stored without its code version"


def test_the_memory_refusal_follows_the_same_rule() -> None:
    heavy = runs(n30000={BUILD: row(300.0, 3_000.0)}, n100000={BUILD: row(400.0, 9_000.0)})
    assert "kg build from curated files" in (refusal(1_000_000, 24.0, heavy) or "")
    changed = runs(n30000={BUILD: row(300.0, 3_000.0, code="old")}, n100000={BUILD: row(400.0, 9_000.0)})
    assert refusal(1_000_000, 24.0, changed) is None
    # the memory plan reads the same rows: the 30k row of other code is left out
    assert comparable_runs(changed)[30_000]["rows"] == {}
    assert comparable_runs(heavy)[30_000]["rows"] == heavy[30_000]["rows"]
    assert comparable(changed, BUILD)[0] == {100_000: changed[100_000]["rows"][BUILD]}


def test_a_stored_run_says_which_code_and_definition_made_each_row(tmp_path, monkeypatch) -> None:
    import bench_national as bn

    monkeypatch.setattr(bn, "RUNS_DIR", tmp_path)
    rows = [bn.Row(CHAINS, "0.4 s", seconds=0.4), bn.Row("not timed", "x")]
    bn.save_run(30_000, rows, {CHAINS: "chains", "not timed": "chains"}, {"chains": 12.0})
    first = bn.stored_runs()[30_000]
    stored = first["rows"][CHAINS]
    assert set(first["rows"]) == {CHAINS} and first["figure_seconds"] == {"chains": 12.0}
    assert stored["code"] == first["code"] and stored["code"].startswith(bn._git("rev-parse", "HEAD:kg")[:12])
    assert stored["definition"].startswith("chains:") and stored["definition"] != bn.definition("analyse")
    # a later run at the same size that did not measure the chains keeps their row
    bn.save_run(30_000, [bn.Row("kg analyse", "9 s", seconds=9.0)], {"kg analyse": "analyse"}, {})
    assert set(bn.stored_runs()[30_000]["rows"]) == {CHAINS, "kg analyse"}
