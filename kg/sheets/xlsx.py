"""A streaming ``.xlsx`` sheet reader: the rows openpyxl's read-only mode gives, without its cell objects.

openpyxl (``load_workbook(read_only=True, data_only=True)`` then ``iter_rows(values_only=True)``) builds a
dictionary and a parse per cell, a ``Text`` object per shared string, and parses every sheet a second time
when the sheet has no ``<dimension>`` element (openpyxl's own write-only mode writes none). At 50,000 rows
that was 55 s of a 120 s import. This module keeps openpyxl for the small parts of the package (the
manifest, ``workbook.xml`` with its relationships and sheet states, the stylesheet: which cell styles are
dates or durations, the 1900 or 1904 epoch) and reads the shared strings and the sheets itself with the standard library's
``iterparse``, element by element, giving **the same values in the same rows**:

- numbers: ``int`` unless the text has ``.``, ``e`` or ``E`` (``float``); a number whose style is a date
  format becomes a ``datetime`` (a ``time`` below 1, a ``timedelta`` for ``[h]:mm`` formats), through
  openpyxl's own ``from_excel``; a serial out of range becomes ``"#VALUE!"`` as openpyxl makes it;
- shared strings: the ``<t>`` of the item then the ``<t>`` of each run (phonetic runs left out), with
  ``x005F_`` removed; inline strings likewise (without the removal); ``t="str"`` and errors (``t="e"``)
  as text; booleans; ISO dates (``t="d"``);
- formulas: their cached value only (``data_only``);
- rows: numbered as in the sheet, gaps given as empty rows; each row padded with ``None`` to the
  ``<dimension>``'s last column when the sheet declares one (openpyxl pads so), else to its last cell; rows
  past the dimension's last row are dropped, a row number that goes backwards is skipped (openpyxl's rules).

``tests/test_xlsx_stream.py`` compares every row with openpyxl's on the test workbooks (openpyxl- and
LibreOffice-saved) and on a generated one with every kind of cell.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["XlsxSheet", "read_xlsx_sheets"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _T, _R, _SI = (f"{_NS}{t}" for t in ("row", "c", "v", "is", "t", "r", "si"))
_DIMENSION, _SHEETDATA = f"{_NS}dimension", f"{_NS}sheetData"


class XlsxSheet:
    """One worksheet: its title, whether it is visible, its path in the zip, and its rows (an iterator)."""

    def __init__(self, title: str, state: str, path: str, rows: Iterator[tuple[int, list[Any]]]):
        self.title = title
        self.sheet_state = state
        self.path = path
        self.rows = rows


def _text(el: Any) -> str:
    """``Text.from_tree(el).content`` of openpyxl: the last ``<t>``, then each run's last ``<t>``."""
    plain: str | None = None
    runs: list[str] = []
    for child in el:
        tag = child.tag
        if tag == _T:
            plain = child.text
        elif tag == _R:
            t: str | None = None
            for sub in child:
                if sub.tag == _T:
                    t = sub.text
            if t is not None:
                runs.append(t)
    return "".join(([plain] if plain is not None else []) + runs)


def _shared_strings(z: zipfile.ZipFile, part: str | None) -> list[str]:
    from xml.etree.ElementTree import iterparse

    if part is None:
        return []
    out: list[str] = []
    with z.open(part) as src:
        root = None
        for event, el in iterparse(src, events=("start", "end")):
            if root is None:
                root = el
            elif event == "end" and el.tag == _SI:
                out.append(_text(el).replace("x005F_", ""))
                root.remove(el)
    return out


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    n = _COLUMNS.get(letters)
    if n is None:
        from openpyxl.utils.cell import column_index_from_string

        n = _COLUMNS[letters] = column_index_from_string(letters)
    return n


def _row_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        val = float(raw)
        if val.is_integer():
            return int(val)
        raise ValueError(f"{raw} is not a valid row number") from None


def _parse_rows(
    src: Any, strings: list[str], epoch: Any, dates: set[int], durations: set[int], dims: list[Any]
) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """``(row number, [(column, value)…])`` for each ``<row>`` of the sheet, as openpyxl's parser gives."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    row_counter = 0
    seen_data = False
    data = None  # the <sheetData> element: each row is removed from it once read
    for event, el in iterparse(src, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _SHEETDATA:
                data = el
            continue
        if tag == _DIMENSION:
            if not seen_data and not dims:
                ref = el.get("ref")
                dims.append(range_boundaries(ref) if ref else None)
            continue
        if tag == _SHEETDATA:
            seen_data = True
            el.clear()
            continue
        if tag != _ROW:
            continue
        if not dims:
            dims.append(None)
        r = el.get("r")
        row_counter = _row_number(r) if r is not None else row_counter + 1
        col_counter = 0
        cells: list[tuple[int, Any]] = []
        for c in el:
            if c.tag != _C:
                continue
            dtype = c.get("t", "n")
            s = c.get("s")
            style = int(s) if s else 0
            value: Any = None
            if dtype != "inlineStr":
                for sub in c:
                    if sub.tag == _V:
                        value = sub.text or None
                        break
            coordinate = c.get("r")
            if coordinate:
                col_counter = _column(coordinate.rstrip("0123456789").lstrip("$").rstrip("$"))
            else:
                col_counter += 1
            if value is not None:
                if dtype == "n":
                    value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                    if style in dates:
                        try:
                            value = from_excel(value, epoch, timedelta=style in durations)
                        except (OverflowError, ValueError):
                            warnings.warn(
                                f"Cell {coordinate} is marked as a date but the serial value {value} is "
                                "outside the limits for dates. The cell will be treated as an error.",
                                stacklevel=2,
                            )
                            value = "#VALUE!"
                elif dtype == "s":
                    value = strings[int(value)]
                elif dtype == "b":
                    value = bool(int(value))
                elif dtype == "d":
                    value = from_ISO8601(value)
            elif dtype == "inlineStr":
                for sub in c:
                    if sub.tag == _IS:
                        value = _text(sub)
                        break
            cells.append((col_counter, value))
        if data is not None and len(data) and data[-1] is el:
            del data[-1]
        yield row_counter, cells


def _rows(
    z: zipfile.ZipFile, path: str, strings: list[str], epoch: Any, dates: set[int], durations: set[int]
) -> Iterator[tuple[int, list[Any]]]:
    """Numbered rows of values as ``enumerate(ws.iter_rows(values_only=True), 1)`` gives them."""
    dims: list[Any] = []  # the <dimension>'s boundaries, once seen (before the first row)
    with z.open(path) as src:
        parsed = _parse_rows(src, strings, epoch, dates, durations, dims)
        first = next(parsed, None)
        bounds = dims[0] if dims else None
        max_col = bounds[2] if bounds else None
        max_row = bounds[3] if bounds else None
        empty: list[Any] = [None] * max_col if max_col is not None else []
        counter, number, idx = 1, 0, 1
        rows = parsed if first is None else _chain(first, parsed)
        for idx, cells in rows:
            if max_row is not None and idx > max_row:
                break
            while counter < idx:
                counter += 1
                number += 1
                yield number, list(empty)
            if counter <= idx:
                counter += 1
                number += 1
                yield number, _padded(cells, max_col)
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                number += 1
                yield number, list(empty)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _padded(cells: list[tuple[int, Any]], max_col: int | None) -> list[Any]:
    if not cells and not max_col:
        return []
    width = max_col or cells[-1][0]
    row: list[Any] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            row[column - 1] = value
    return row


def read_xlsx_sheets(path: Path, z: zipfile.ZipFile) -> Iterator[XlsxSheet]:
    """The worksheets of the ``.xlsx`` at *path* (opened as *z*), in the workbook's order.

    Raises ``ValueError`` (openpyxl's wording: ``Unable to read workbook: could not …``), ``KeyError`` or
    ``zipfile.BadZipFile`` on a damaged package, as ``openpyxl.load_workbook`` does.
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part  # type: ignore[attr-defined]
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    ExcelReader(path, read_only=True, data_only=True).archive.close()  # openpyxl's refusals (a .xls…)
    action = "read manifest"
    try:
        package: Any = Manifest.from_tree(fromstring(z.read(ARC_CONTENT_TYPES)))  # type: ignore[arg-type]
        action = "read strings"
        ct = package.find(SHARED_STRINGS)
        strings = _shared_strings(z, ct.PartName[1:] if ct is not None else None)
        action = "read workbook"
        parser = WorkbookParser(z, _find_workbook_part(package).PartName[1:], keep_links=True)
        parser.parse()
        wb = parser.wb
        action = "read stylesheet"
        apply_stylesheet(z, wb)
        action = "read worksheets"
        names = set(z.namelist())
        found = [(sheet, rel) for sheet, rel in parser.find_sheets() if rel.target in names]
    except ValueError as e:
        raise ValueError(
            f"Unable to read workbook: could not {action} from {path}.\n"
            "This is most probably because the workbook source files contain some invalid XML.\n"
            "Please see the exception for more details."
        ) from e
    dates: set[int] = set(getattr(wb, "_date_formats", ()))
    durations: set[int] = set(getattr(wb, "_timedelta_formats", ()))
    epoch = wb.epoch
    for sheet, rel in found:
        if "chartsheet" in rel.Type:
            continue
        yield XlsxSheet(
            sheet.name,
            str(sheet.state or "visible"),
            rel.target,
            _rows(z, rel.target, strings, epoch, dates, durations),
        )
