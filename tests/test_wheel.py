"""A normal (non-editable) install can build, serve and view, from a folder outside the checkout.

The wheel is built from the checkout, installed into a fresh virtual environment, and its ``kg``
command is run in an empty temporary folder: nothing may come from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, start_server, stop

ROOT = Path(__file__).resolve().parents[1]
ORG = "http://www.w3.org/ns/org#"

pytestmark = [pytest.mark.slow, pytest.mark.server]

#: what the wheel is not built from (the copy of the checkout leaves them out)
_NOT_SOURCES = (
    ".git",
    ".venv",
    "build",
    "exports",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the fresh venv's ``kg`` command, an empty working folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # built from a copy of the sources: building in the checkout would leave build/lib and *.egg-info there
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*_NOT_SOURCES))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(src)],
        check=True,
        cwd=tmp,
    )
    (wheel,) = (tmp / "dist").glob("territorial_kg-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the dependencies come from this environment (no download); kg itself only from the wheel: this
    # environment's editable kg is a finder registered by a .pth file, which a path added here does not run
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
        check=True,
    )
    work = tmp / "work"
    work.mkdir()
    return venv / "bin" / "kg", work


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    kg, work = installed
    out = subprocess.run(
        [str(kg.with_name("python")), "-c", "import kg, kg.model.paths as p; print(kg.__file__, p.DATA_DIR)"],
        cwd=work,
        env=_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(ROOT) not in out and "site-packages/kg/" in out, out


def test_build_view_and_serve_from_a_folder_outside_the_checkout(installed):
    kg, work = installed
    run = {"cwd": work, "env": _env(), "capture_output": True, "text": True}
    built = subprocess.run([str(kg), "build"], **run)
    assert built.returncode == 0, built.stderr
    assert (work / "build" / "store").is_dir()
    view = subprocess.run([str(kg), "view", "--territory", "commune:94018", "--out", "vue.html"], **run)
    assert view.returncode == 0, view.stderr
    page = (work / "vue.html").read_text(encoding="utf-8")
    assert "vis-network" in page and "Charenton" in page
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    proc = start_server(
        [str(kg), "serve", "--store", "build/store", "--port", str(port)],
        url,
        "kg serve (installed from the wheel)",
        cwd=work,
        env=_env(),
    )
    try:
        r = httpx.get(
            url,
            params={
                "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/org#Organization> }"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert r.status_code == 200
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 30
        assert httpx.get(f"http://127.0.0.1:{port}/ontology", timeout=30).status_code == 200
    finally:
        stop(proc)
