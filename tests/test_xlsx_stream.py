"""The streaming ``.xlsx`` reader (:mod:`kg.sheets.xlsx`) gives the rows openpyxl's read-only mode gives.

Every workbook of ``tests/fixtures/spreadsheets`` (written by openpyxl and by LibreOffice 7.4), a workbook
with every kind of cell (numbers, dates in several formats, a time, a duration, a 1904 workbook, booleans,
errors, inline and rich strings, formulas with and without cached value, gaps of rows and columns), and
the benchmark's generated workbook (no ``<dimension>``) are read both ways and compared value by value,
type included (``1`` is not ``1.0``, a ``datetime`` is not a ``date``).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kg.sheets.read import _read_xlsx
from kg.sheets.xlsx import read_xlsx_sheets

FIXTURES = Path(__file__).parent / "fixtures" / "spreadsheets"
BOOKS = sorted(
    p for p in FIXTURES.rglob("*.xlsx") if p.name not in ("fichier-corrompu.xlsx", "mot-de-passe.xlsx")
)


def _openpyxl_rows(path: Path) -> list[tuple[str, str, list]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [
            (
                ws.title,
                ws.sheet_state,
                [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1)],
            )
            for ws in wb.worksheets
        ]
    finally:
        wb.close()


def _stream_rows(path: Path) -> list[tuple[str, str, list]]:
    with zipfile.ZipFile(path) as z:
        return [(ws.title, ws.sheet_state, list(ws.rows)) for ws in read_xlsx_sheets(path, z)]


def _typed(sheets: list) -> list:
    return [
        (title, state, [(n, [(type(v).__name__, v) for v in row]) for n, row in rows])
        for title, state, rows in sheets
    ]


def _same(path: Path) -> None:
    want, got = _typed(_openpyxl_rows(path)), _typed(_stream_rows(path))
    assert [s[:2] for s in got] == [s[:2] for s in want]
    for (title, _, w), (_, _, g) in zip(want, got, strict=True):
        assert len(g) == len(w), title
        for a, b in zip(w, g, strict=True):
            assert b == a, (path.name, title, a[0])


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.name)
def test_fixture_rows_equal_openpyxl(path):
    _same(path)


def test_fixtures_include_a_libreoffice_file():
    made_by = {p.name: zipfile.ZipFile(p).read("docProps/app.xml") for p in BOOKS}
    assert any(b"LibreOffice" in v for v in made_by.values())
    assert any(b"Openpyxl" in v for v in made_by.values())


def _every_kind(path: Path, *, date1904: bool = False, dimension: bool = True) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Tout"
    ws.append(["texte", "entier", "réel", "date", "booléen"])
    ws.append(["  espaces  ", 12, 12.5, dt.datetime(2024, 3, 1), True])
    ws.append(["x005F_x", -3, 1e21, dt.datetime(2024, 3, 1, 13, 45, 10), False])
    ws.append([None, None, None, None, None])
    ws["B5"] = 0.25
    ws["B5"].number_format = "hh:mm"
    ws["C5"] = dt.timedelta(hours=30)
    ws["C5"].number_format = "[h]:mm:ss"
    ws["D5"] = 45000
    ws["D5"].number_format = "dd/mm/yyyy"
    ws["E5"] = 45000.5
    ws["E5"].number_format = "0.00"
    ws["A7"] = CellRichText(["début ", TextBlock(InlineFont(b=True), "gras"), " fin"])
    ws["B7"] = "=1+1"
    ws["H9"] = "loin"
    ws["A10"] = "ligne\nsuivante & <balise>"
    other = wb.create_sheet("Cachée")
    other.sheet_state = "hidden"
    other.append([1, "deux"])
    wb.create_sheet("Vide")
    wb.save(path)
    if not dimension:  # the <dimension> element removed, as openpyxl's write-only mode leaves it
        import re

        src = zipfile.ZipFile(path)
        parts = {n: src.read(n) for n in src.namelist()}
        src.close()
        for n in parts:
            if n.startswith("xl/worksheets/sheet"):
                parts[n] = re.sub(rb"<dimension [^>]*/>", b"", parts[n])
        with zipfile.ZipFile(path, "w") as out:
            for n, data in parts.items():
                out.writestr(n, data)


@pytest.mark.parametrize("date1904", [False, True])
@pytest.mark.parametrize("dimension", [True, False])
def test_every_kind_of_cell_equals_openpyxl(tmp_path, date1904, dimension):
    path = tmp_path / "tout.xlsx"
    _every_kind(path, date1904=date1904, dimension=dimension)
    _same(path)
    rows = dict(_stream_rows(path)[0][2])
    assert rows[2][3] == dt.datetime(2024, 3, 1) and rows[2][1] == 12 and isinstance(rows[2][1], int)
    assert rows[5][1] == dt.time(6, 0) and rows[5][2] == dt.timedelta(hours=30)
    assert rows[5][4] == 45000.5
    assert rows[7][0] == "début gras fin" and rows[7][1] is None  # formula saved by openpyxl: no value
    # padded to the dimension's last column (H) when declared, else to each row's last cell
    assert (len(rows[2]), len(rows[9])) == ((8, 8) if dimension else (5, 8))


def test_benchmark_workbook_equals_openpyxl(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import bench_import

    path = tmp_path / "banc.xlsx"
    bench_import.make_workbook(path, 300)
    _same(path)


def test_read_tables_on_a_fixture_gives_rows_and_extras():
    [acteurs] = [t for t in _read_xlsx(FIXTURES / "bad" / "cellules-fusionnees.xlsx") if t.merged]
    assert acteurs.merged and acteurs.headers


def test_shared_strings_equal_openpyxl(tmp_path):
    """The strings moved to a shared-strings part (as Excel and LibreOffice write them; openpyxl writes
    inline strings): plain, rich (runs joined), ``x005F_`` removed, a phonetic run left out."""
    import re

    path = tmp_path / "partage.xlsx"
    _every_kind(path)
    src = zipfile.ZipFile(path)
    parts = {n: src.read(n) for n in src.namelist()}
    src.close()
    items: list[bytes] = []

    def shared(m: re.Match) -> bytes:
        items.append(m.group(2))
        return m.group(1) + b' t="s"><v>' + str(len(items) - 1).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is>(.*?)</is></c>',
        shared,
        parts[sheet],
        flags=re.DOTALL,
    )
    items.append(b'<t>avant </t><r><t>apr\xc3\xa8s</t></r><rPh sb="0" eb="1"><t>furigana</t></rPh>')
    # in the last row: a row past the <dimension>'s last row would be dropped (openpyxl's rule)
    parts[sheet] = parts[sheet].replace(
        b"</row></sheetData>", b'<c r="B10" t="s"><v>%d</v></c></row></sheetData>' % (len(items) - 1)
    )
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="' + ns + b'">' + b"".join(b"<si>" + i + b"</si>" for i in items) + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w") as out:
        for n, data in parts.items():
            out.writestr(n, data)
    assert b't="inlineStr"' not in parts[sheet] and len(items) > 10
    _same(path)
    rows = dict(_stream_rows(path)[0][2])
    assert rows[3][0] == "x" and rows[7][0] == "début gras fin" and rows[10][1] == "avant après"
