# The README's two commands: `make build` (the main job) and `make test` (the tests).
# Every target creates the virtual environment .venv on first use (and refreshes it when pyproject.toml
# changes). CI (.ci/run) runs: lint, typecheck, doctest, apidocs, test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SRC    := kg tests benchmarks scripts

.PHONY: build test test-fast doctest apidocs lint format typecheck bench bench-national fuzz clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/kg

build: $(BIN)/kg
	$(BIN)/kg build
	$(BIN)/kg examples

# everything: unit, browser (Chromium), server (real HTTP servers on 127.0.0.1) and slow tests
test: $(BIN)/kg
	$(BIN)/pytest -q

# quick feedback (< 60 s on 2 cores): no browser, no server, nothing slow (markers in pyproject.toml)
test-fast: $(BIN)/kg
	$(BIN)/pytest -q -m "not browser and not server and not slow"

# The Examples sections of the docstrings in kg/. The ones known to fail today are strict xfails, named in
# tests/doctest_known.py (that list must become empty).
doctest: $(BIN)/kg
	$(BIN)/pytest -q --doctest-modules kg -p tests.doctest_known

# The Python API reference (pdoc) in build/apidocs/ (not committed): fails first on an undocumented public
# name of the API (scripts/check_api_docs.py says which); open build/apidocs/index.html
apidocs: $(BIN)/kg
	$(BIN)/python scripts/check_api_docs.py
	rm -rf build/apidocs
	$(BIN)/pdoc --docformat numpy --output-directory build/apidocs $$($(BIN)/python scripts/check_api_docs.py --modules)

lint: $(BIN)/kg
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

# rewrite: what `make lint` would complain about, where ruff can fix it
format: $(BIN)/kg
	$(BIN)/ruff check --fix $(SRC)
	$(BIN)/ruff format $(SRC)

# not in CI yet: it joins .ci/run once `mypy kg` is clean
typecheck: $(BIN)/kg
	$(BIN)/mypy kg

bench: $(BIN)/kg
	$(BIN)/python benchmarks/bench_steps.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_queries.py
	$(BIN)/python benchmarks/bench_view.py
	$(BIN)/python benchmarks/bench_serve.py
	$(BIN)/python benchmarks/bench_import.py

# issue 15: every national figure beside its baseline, in one run (NATIONAL_ACTORS=100000 for the Done-when run;
# each run is stored in benchmarks/national/ for the growth table; 1000000 runs or refuses with the reason)
NATIONAL_ACTORS ?= 10000
bench-national: $(BIN)/kg
	$(BIN)/kg build
	nice $(BIN)/python benchmarks/bench_national.py --actors $(NATIONAL_ACTORS)

# the differential fuzzer of the SPARQL guard against Oxigraph, longer than the 10,000 queries of `make test`
# (about 0.5 ms a query): FUZZ_QUERIES=1000000 FUZZ_SEED=7 make fuzz
FUZZ_QUERIES ?= 200000
FUZZ_SEED    ?= 1
fuzz: $(BIN)/kg
	$(BIN)/python benchmarks/fuzz_guard.py --queries $(FUZZ_QUERIES) --seed $(FUZZ_SEED)

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
