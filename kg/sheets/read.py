"""Readers: an ``.xlsx`` (openpyxl), ``.ods`` (``content.xml`` read as a stream) or ``.csv``
(UTF-8 with or without BOM, or Windows-1252; ``;`` or ``,``) into :class:`~kg.sheets.layout.Table` objects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.sheets.cells import is_empty, read_csv_cell
from kg.sheets.layout import Table

__all__ = ["read_tables"]


def _table(file: str, name: str, rows: Iterator[tuple[int, list[Any]]]) -> Table | None:
    headers: list[str] | None = None
    body: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if all(is_empty(v) for v in values):
            continue
        if headers is None:
            headers = ["" if v is None else str(v).strip() for v in values]
            continue
        body.append((number, values))
    if headers is None:
        return None
    while headers and not headers[-1]:
        headers.pop()
    return Table(file, name, headers, body)


def read_tables(path: str | Path) -> list[Table]:
    """Read every sheet of an ``.xlsx``, ``.ods`` or ``.csv`` file.

    Parameters
    ----------
    path : path
        The file. A CSV file is one table, named after the file.

    Returns
    -------
    list of Table
        In the order of the workbook; sheets without any cell are left out.

    Raises
    ------
    InputError
        When the file is missing, of another kind, or cannot be read (the message says
        which encoding or format to use).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "fichier introuvable (no such file)",
                    "donnez le chemin d'un fichier .xlsx, .ods ou .csv",
                )
            ]
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        if suffix == ".ods":
            return _read_ods(path)
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"illisible comme {suffix} ({exc})",
                    "réenregistrez-le depuis le tableur au format .xlsx, .ods ou .csv",
                )
            ]
        ) from None
    raise InputError(
        [
            Problem(
                path.name,
                None,
                None,
                f"le format « {suffix} » n'est pas lu",
                "enregistrez le classeur en .xlsx, .ods ou .csv (séparateur « ; »)",
            )
        ]
    )


def _read_xlsx(path: Path) -> list[Table]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            t = _table(
                path.name, ws.title, ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1))
            )
            if t is not None:
                out.append(t)
    finally:
        wb.close()
    return out


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(ns: str, name: str) -> str:
    return f"{{{_ODS[ns]}}}{name}"


def _ods_text(cell: Any) -> str:
    """The text of an ODS cell: paragraphs joined by newlines; <text:s/> is spaces, <text:tab/> a tab."""
    s_tag, tab_tag, lb_tag, p_tag = (
        _q("text", "s"),
        _q("text", "tab"),
        _q("text", "line-break"),
        _q("text", "p"),
    )

    def inner(el: Any) -> str:
        parts = [el.text or ""]
        for child in el:
            if child.tag == s_tag:
                parts.append(" " * int(child.get(_q("text", "c"), "1")))
            elif child.tag == tab_tag:
                parts.append("\t")
            elif child.tag == lb_tag:
                parts.append("\n")
            else:
                parts.append(inner(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return "\n".join(inner(p) for p in cell.iter(p_tag))


def _ods_value(cell: Any) -> Any:
    vtype = cell.get(_q("office", "value-type"))
    if vtype in ("float", "percentage", "currency"):
        raw = cell.get(_q("office", "value"))
        try:
            d = Decimal(raw)
        except (InvalidOperation, TypeError):
            return _ods_text(cell)
        return int(d) if d == d.to_integral_value() else float(raw)
    if vtype == "date":
        raw = cell.get(_q("office", "date-value"), "")
        try:
            return (
                dt.datetime.fromisoformat(raw) if "T" in raw else dt.datetime.fromisoformat(raw + "T00:00:00")
            )
        except ValueError:
            return raw
    if vtype == "boolean":
        return cell.get(_q("office", "boolean-value")) == "true"
    text = _ods_text(cell)
    return text if text else None


def _read_ods(path: Path) -> list[Table]:
    import xml.etree.ElementTree as ET

    table_tag, row_tag = _q("table", "table"), _q("table", "table-row")
    cell_tags = (_q("table", "table-cell"), _q("table", "covered-table-cell"))
    rep_rows, rep_cols, name_attr = (
        _q("table", "number-rows-repeated"),
        _q("table", "number-columns-repeated"),
        _q("table", "name"),
    )
    out: list[Table] = []
    with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
        rows: list[tuple[int, list[Any]]] = []
        number = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            if event == "start":
                if el.tag == table_tag:
                    rows, number = [], 0
                continue
            if el.tag == row_tag:
                values: list[Any] = []
                for cell in el:
                    if cell.tag not in cell_tags:
                        continue
                    v = _ods_value(cell)
                    values.extend([v] * int(cell.get(rep_cols, "1")))
                while values and is_empty(values[-1]):
                    values.pop()
                repeat = int(el.get(rep_rows, "1"))
                if values:
                    for _ in range(repeat):
                        number += 1
                        rows.append((number, list(values)))
                else:
                    number += repeat
                el.clear()
            elif el.tag == table_tag:
                t = _table(path.name, el.get(name_attr, "Feuille"), iter(rows))
                if t is not None:
                    out.append(t)
                el.clear()
    return out


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _read_csv(path: Path) -> list[Table]:
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"encodage inconnu (octet {exc.start} illisible en UTF-8 comme en Windows-1252)",
                    "enregistrez le CSV en UTF-8",
                )
            ]
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((reader.line_num, [read_csv_cell(c) for c in row]) for row in reader)
    t = _table(path.name, path.stem, rows)
    return [t] if t is not None else []
