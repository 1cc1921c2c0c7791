"""Shared fixtures: the real curated graph, built once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/territorial-kg/id/actor/"
PROGRAMME = "https://w3id.org/territorial-kg/id/programme/"


# Markers (registered in pyproject.toml) of tests in modules other engineers own on their branches; each
# owner moves its lines into its module (``@pytest.mark.slow``) and deletes them here.
MARKS_OF_OTHER_MODULES: dict[str, str] = {
    "tests/test_build.py::test_cli_build_ok": "slow",
    "tests/test_build.py::test_shacl_violation_is_located_and_writes_nothing": "slow",
    # these share test_build.py's own `built` fixture: a second full build (~5 s quiet, 15 s loaded) besides
    # the session's `built_store`; they leave the slow set if they use `built_store` instead
    "tests/test_build.py::test_build_reports_every_graph_and_conforms": "slow",
    "tests/test_build.py::test_store_holds_every_commune_of_france": "slow",
    "tests/test_build.py::test_pemb_members_are_the_13_official_communes": "slow",
    "tests/test_build.py::test_totalenergies_cofounded_fonds_odd17_which_funded_urgence_etudiante": "slow",
    "tests/test_build.py::test_each_document_contributes_cited_facts": "slow",
    "tests/test_build.py::test_every_curated_node_cites_a_document_in_its_own_graph": "slow",
    "tests/test_build.py::test_bad_input_lists_every_problem_and_keeps_the_old_store": "slow",
    "tests/test_imports.py::test_imported_quads_conform_to_the_shapes": "slow",
    "tests/test_imports.py::test_kg_build_keeps_the_imports": "slow",
    "tests/test_imports.py::test_xlsx_ods_and_csv_from_libreoffice_give_the_same_records": "slow",
    "tests/test_imports.py::test_commands_template_import_export": "slow",
    "tests/test_imports.py::test_export_of_one_territory": "slow",
    "tests/test_imports.py::test_export_of_an_import_then_import_is_a_no_op": "slow",
    "tests/test_imports.py::test_filled_template_imports": "slow",
    "tests/test_imports.py::test_export_of_the_whole_graph_then_import_is_a_no_op": "slow",
    "tests/test_imports.py::test_importing_the_same_file_in_another_format_changes_nothing": "slow",
    "tests/test_imports.py::test_second_import_of_an_edited_sheet_updates_without_duplicating": "slow",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        mark = MARKS_OF_OTHER_MODULES.get(item.nodeid.split("[", 1)[0])
        if mark:
            item.add_marker(getattr(pytest.mark, mark))


# -- a data folder of one's own (imports write into it) ------------------------------------------


def make_data_folder(root: Path, *, build: bool = True) -> tuple[Path, Path]:
    """A data folder under *root* — copies of the curated data and sources, the geography linked — and
    the store built from it (SHACL off) unless *build* is false: ``(root/data, root/store)``.

    What every test that imports into its own data folder starts from; benchmarks call it too.
    """
    import shutil

    data = root / "data"
    data.mkdir(parents=True)
    for sub in ("curated", "sources"):
        shutil.copytree(ROOT / "data" / sub, data / sub)
    (data / "geo").symlink_to(ROOT / "data" / "geo")
    if build:
        kg.build(data, root / "store", None, ontology_dir=ROOT / "ontology", shacl="off")
    return data, root / "store"


@pytest.fixture(scope="session")
def _pristine_data(tmp_path_factory) -> Path:
    """One data folder and its store, built once per session; :func:`data_env` hands out copies."""
    root = tmp_path_factory.mktemp("pristine")
    make_data_folder(root)
    return root


@pytest.fixture(scope="session")
def data_env(_pristine_data, tmp_path_factory):
    """Factory: ``data_env(name="env")`` → ``(data, store)``, a fresh copy of a built data folder (curated
    data and sources copied, geography linked, store built with SHACL off) that a test may write into.

    Session-scoped, so module fixtures use it too (build once, then import into the copy)."""
    import shutil

    def make(name: str = "env") -> tuple[Path, Path]:
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(_pristine_data, root / "env", symlinks=True)
        return root / "env" / "data", root / "env" / "store"

    return make


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """Path of a store built from data/ (real curated data and geography)."""
    out = tmp_path_factory.mktemp("kg")
    kg.build(ROOT / "data", out / "store", out / "graph.trig", ontology_dir=ROOT / "ontology")
    return out / "store"


@pytest.fixture(scope="session")
def graph(built_store):
    return kg.open(built_store)


@pytest.fixture(scope="session")
def projection(graph):
    from kg.network.projection import project

    return project(graph)


# -- servers on loopback (kg serve, the Oxigraph server) ---------------------------------------


def duckdb_tables(path: Path) -> dict[str, list]:
    """Every table of the DuckDB file at *path*, each as its sorted rows (to compare two writes of them)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in sorted(names)}
    finally:
        con.close()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cmd: list[str], url: str, what: str, **popen):
    """Start *cmd* (its output in a temporary file, never a pipe that could fill and block it) and wait
    until *url* answers ``ASK {}``; returns the process (output readable with :func:`server_output`)."""
    import subprocess
    import tempfile
    import time

    import httpx

    log = tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **popen)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120  # generous: CI machines may be busy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(server_output(proc))
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=10).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{what} did not start")


def server_output(proc) -> str:
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def stop(proc) -> None:
    import subprocess

    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
