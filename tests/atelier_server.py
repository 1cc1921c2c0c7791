"""Start ``kg atelier`` and ``kg serve`` on 127.0.0.1 for the workspace's tests, and fill workbooks for them.

The workbooks are the template the workspace hands out (:func:`kg.sheets.write.write_template`), filled
with openpyxl: a new association « Atelier Solidaire du Val » member of Le RAMEAU, and a second one; with
``mistakes=True``, three located mistakes (a SIREN of 8 digits, a type not in the list, a relation to an
actor that does not exist).
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import free_port, start_server

ROOT = Path(__file__).resolve().parent.parent
NEW_ACTOR = "Atelier Solidaire du Val"
SECOND_ACTOR = "Ressourcerie de la Gravelle"
#: the three mistakes of the filled workbook: (sheet, row, column)
MISTAKES = {("Acteurs", 3, "SIREN"), ("Acteurs", 4, "type"), ("Relations", 4, "vers")}


def start_atelier(data: Path, store: Path, *extra: str) -> tuple[object, str]:
    """``kg atelier`` over *data* and *store* on a free port: (process, base URL)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from kg.cli import main; main()",
        "atelier",
        "--data",
        str(data),
        "--store",
        str(store),
        "--port",
        str(port),
        *extra,
    ]
    base = f"http://127.0.0.1:{port}"
    if "--token" not in extra:
        return start_server(cmd, f"{base}/sparql", "kg atelier", cwd=ROOT), base
    import subprocess
    import tempfile
    import time

    import httpx

    log = tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # with a token, any answer (403 without it) says it listens
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(log.read().decode(errors="replace"))
        try:
            httpx.get(f"{base}/atelier/", timeout=10)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("kg atelier did not start")


def start_public(store: Path) -> tuple[object, str]:
    """``kg serve`` (the public face alone) over *store* on a free port: (process, base URL)."""
    port = free_port()
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(store), "--port", str(port), "--workers", "1"]
    base = f"http://127.0.0.1:{port}"
    return start_server(cmd, f"{base}/sparql", "kg serve", cwd=ROOT), base


def fill(template: Path, out: Path, *, mistakes: bool, payloads: dict[str, str] | None = None) -> Path:
    """The template *template* filled (see the module's docstring), saved as *out*.

    *payloads* replaces texts: ``name`` (the second actor's name), ``description``, ``owner`` is not here.
    """
    import openpyxl

    p = payloads or {}
    wb = openpyxl.load_workbook(template)
    actors, relations = wb["Acteurs"], wb["Relations"]
    # row 2 holds the template's example (skipped by the import); ours start at row 3
    head = [c.value for c in actors[1]]
    rows = [
        {
            "nom": NEW_ACTOR,
            "type": "Association",
            "description": p.get("description", "Association d'insertion par l'activité économique."),
            "commune": "94018",
            "SIREN": "12345678" if mistakes else None,
        },
        {
            "nom": p.get("name", SECOND_ACTOR),
            "type": "Asociation" if mistakes else "Association",
            "description": p.get("description", "Ressourcerie et atelier de réemploi."),
            "commune": "94018",
        },
    ]
    for i, row in enumerate(rows, start=3):
        for col, name in enumerate(head, start=1):
            actors.cell(i, col).value = row.get(str(name))
    rhead = [c.value for c in relations[1]]
    links = [
        {"de": NEW_ACTOR, "vers": "Le RAMEAU", "type de relation": "Adhésion"},
        {
            "de": p.get("name", SECOND_ACTOR),
            "vers": "Club Gravel Entreprendre" if mistakes else "Club Gravelle Entreprendre",
            "type de relation": "Partenariat",
            "description": p.get("description"),
        },
    ]
    for i, row in enumerate(links, start=3):
        for col, name in enumerate(rhead, start=1):
            relations.cell(i, col).value = row.get(str(name))
    wb.save(out)
    return out
