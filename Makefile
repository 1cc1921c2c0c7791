# The README's two commands: `make build` (the main job) and `make test` (the tests).
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test bench lint clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/kg

build: $(BIN)/kg
	$(BIN)/kg build
	$(BIN)/kg examples

test: $(BIN)/kg
	$(BIN)/pytest -q

bench: $(BIN)/kg
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_queries.py
	$(BIN)/python benchmarks/bench_view.py
	$(BIN)/python benchmarks/bench_serve.py
	$(BIN)/python benchmarks/bench_import.py

lint: $(BIN)/kg
	$(BIN)/ruff check kg tests benchmarks scripts

clean:
	rm -rf build .pytest_cache
