"""The differential fuzzer of the guard (``benchmarks/fuzz_guard.py``): a fixed-seed slice of 10,000
queries on every ``make test`` (``make fuzz`` runs a longer one), and the bypasses of ``tests/test_guard.py``
shown to be real: pyoxigraph runs each of them and the listener on 127.0.0.1 sees the connection."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_guard", ROOT / "benchmarks" / "fuzz_guard.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_guard"] = module
    spec.loader.exec_module(module)
    return module


# slow by the marker's definition (about 6 s on 2 cores), but run by `make test`, which CI runs
@pytest.mark.slow
def test_fuzzer_finds_no_query_that_the_guard_accepts_and_that_connects():
    fuzz = load_fuzzer()
    report = fuzz.fuzz(10_000, seed=11)
    assert report.queries == 10_000
    assert report.accepted_connected == 0, "\n".join(report.failures)
    # the oracle is live: SERVICE clauses that Oxigraph parses do reach the listener when run
    assert report.refused_connected > 500, report
    # and the guard lets through many queries that Oxigraph parses (it does not refuse everything)
    assert report.accepted_parsed > 300, report


def test_the_bypasses_are_real_for_oxigraph():
    """Each SERVICE bypass of tests/test_guard.py, run by pyoxigraph with a base IRI, reaches the listener."""
    from test_guard import BYPASSES

    fuzz = load_fuzzer()
    listener = fuzz.Listener()
    url = f"http://127.0.0.1:{listener.port}/"
    store = fuzz.make_store(url)
    try:
        for query, keyword in BYPASSES:
            if keyword != "SERVICE":
                continue
            before = listener.connections
            assert fuzz.run_query(store, query.replace("http://127.0.0.1:1/", url), url + "base/"), query
            assert listener.connections > before, f"did not connect: {query!r}"
    finally:
        listener.close()
