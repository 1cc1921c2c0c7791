"""Readers: an ``.xlsx`` (streamed, :mod:`kg.sheets.xlsx`), ``.ods`` (``content.xml`` read as a stream), a ``.csv``
(UTF-8 with or without BOM, or Windows-1252; ``;`` or ``,``), or a set of CSV files (a folder
or a ``.zip``, one file per sheet) into :class:`~kg.sheets.layout.Table` objects.

Besides the values, a table records what a spreadsheet hides from a reader of values:
a hidden sheet, merged cells, formulas saved without their value; the import reports
them (:mod:`kg.sheets.rows`). A zip bomb or a workbook declaring XML entities is refused before any
parse (:func:`kg.sheets.safety.check_workbook`). Files that cannot be read — an old ``.xls``, a
password-protected or damaged workbook, an empty one — are refused with a French fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.sheets.cells import is_empty, read_csv_cell, say
from kg.sheets.layout import Table
from kg.sheets.safety import MAX_CELLS, MAX_COLUMNS, check_workbook, too_many_cells

__all__ = ["CSV_SUFFIXES", "read_tables"]

#: what a CSV file may be called (alone, in a folder or in a zip)
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: the first bytes of an OLE2 container: an old .xls, or an .xlsx encrypted with a password
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# a CSV cell may be longer than the csv module's default 128 KB limit: it is read, then reported
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


Said = tuple[str, str]  # (French, English)


def _refuse(name: str, lang: str, message: Said, fix: Said) -> InputError:
    msg, how = say(lang, *message), say(lang, *fix)
    summary = say(lang, f"{name} : {msg} ; rien n'a été écrit", f"{name}: {msg}; nothing was written")
    return InputError([Problem(name, None, None, msg, how, lang=lang)], summary)


def _table(file: str, name: str, rows: Iterator[tuple[int, list[Any]]], **seen: Any) -> Table | None:
    headers: list[str] | None = None
    header_row = 1
    body: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if all(is_empty(v) for v in values):
            continue
        if headers is None:
            headers = ["" if v is None else str(v).strip() for v in values]
            header_row = number
            continue
        body.append((number, values))
    if headers is None:
        return None
    while headers and not headers[-1]:
        headers.pop()
    return Table(file, name, headers, body, header_row=header_row, **seen)


def read_tables(path: str | Path, notices: list[Problem] | None = None, lang: str = "fr") -> list[Table]:
    """Read every sheet of an ``.xlsx``, ``.ods`` or ``.csv`` file, or every CSV of a folder or ``.zip``.

    Parameters
    ----------
    path : path
        The file. A CSV file is one table, named after the file; a folder or a ``.zip``
        of CSV files is one workbook, each file a sheet (``acteurs.csv``, ``sources.csv``…).
    notices : list, optional
        Receives a :class:`~kg.errors.Problem` for each file of a folder or zip that is
        not read (not a CSV).
    lang : str
        Language of the messages: ``"fr"`` (default) or ``"en"``.

    Returns
    -------
    list of Table
        In the order of the workbook (files in name order); sheets without any cell are left out.

    Raises
    ------
    InputError
        When the file is missing, of another kind (an old ``.xls``), protected by a
        password, damaged, or empty; the message says what to do.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_folder(path, notices, lang)
    if not path.is_file():
        raise _refuse(
            str(path),
            lang,
            ("fichier introuvable", "no such file"),
            (
                "donnez le chemin d'un fichier .xlsx, .ods ou .csv",
                "give the path of an .xlsx, .ods or .csv file",
            ),
        )
    head = path.read_bytes()[:8] if path.stat().st_size else b""
    if not head:
        raise _refuse(
            path.name,
            lang,
            ("le fichier est vide (0 octet)", "the file is empty (0 bytes)"),
            (
                "enregistrez de nouveau le classeur depuis le tableur",
                "save the workbook again from the spreadsheet",
            ),
        )
    if head == _OLE2 or suffix in (".xls", ".xlt"):
        if suffix in (".xlsx", ".xlsm", ".ods"):
            raise _refuse(
                path.name,
                lang,
                (
                    "le classeur est protégé par un mot de passe (il est chiffré)",
                    "the workbook is protected by a password (it is encrypted)",
                ),
                (
                    "ouvrez-le dans Excel ou LibreOffice, retirez le mot de passe (Fichier > Informations > "
                    "Protéger le classeur), puis enregistrez-le en .xlsx",
                    "open it in Excel or LibreOffice, remove the password, then save it as .xlsx",
                ),
            )
        raise _refuse(
            path.name,
            lang,
            (
                "c'est un classeur Excel 97-2003 (.xls), un format ancien qui n'est pas lu",
                "it is an Excel 97-2003 workbook (.xls), an old format that is not read",
            ),
            (
                "ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format .xlsx (ou .ods)",
                "open it in Excel or LibreOffice and save it as .xlsx (or .ods)",
            ),
        )
    if suffix in (".xlsx", ".xlsm", ".ods", ".zip"):  # a zip bomb or XML entities refused before any parse
        check_workbook(path, lang, xml=suffix != ".zip")
    try:
        if suffix in (".xlsx", ".xlsm"):
            tables = _read_xlsx(path)
        elif suffix == ".ods":
            tables = _read_ods(path, lang)
        elif suffix in CSV_SUFFIXES:
            tables = _read_csv(path.name, path.stem, path.read_bytes(), lang)
        elif suffix == ".zip":
            tables = _read_zip(path, notices, lang)
        else:
            raise _refuse(
                path.name,
                lang,
                (f"le format « {suffix} » n'est pas lu", f'the format "{suffix}" is not read'),
                (
                    "enregistrez le classeur en .xlsx, .ods ou .csv (séparateur « ; »)",
                    'save the workbook as .xlsx, .ods or .csv (separator ";")',
                ),
            )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _refuse(
            path.name,
            lang,
            (
                f"fichier endommagé : illisible comme {suffix} ({exc})",
                f"damaged file: unreadable as {suffix} ({exc})",
            ),
            (
                "ouvrez-le dans le tableur et enregistrez-le de nouveau au format .xlsx, .ods ou .csv",
                "open it in the spreadsheet and save it again as .xlsx, .ods or .csv",
            ),
        ) from None
    if not tables:
        raise _refuse(
            path.name,
            lang,
            (
                "le classeur est vide : aucune feuille n'a de cellule remplie",
                "the workbook is empty: no sheet has a filled cell",
            ),
            (
                "remplissez le modèle (kg template mon-territoire.xlsx) puis importez-le",
                "fill the template (kg template my-territory.xlsx), then import it",
            ),
        )
    return tables


def _csv_members(names: list[str]) -> tuple[list[str], list[str]]:
    """The CSV files among *names* (in name order), and the others (hidden files and folders left out)."""
    keep: list[str] = []
    other: list[str] = []
    for n in sorted(names):
        base = n.rsplit("/", 1)[-1]
        if not base or base.startswith((".", "~$")) or n.startswith("__MACOSX/"):
            continue
        (keep if Path(base).suffix.lower() in CSV_SUFFIXES else other).append(n)
    return keep, other


def _skip_notices(where: str, others: list[str], notices: list[Problem] | None, lang: str) -> None:
    for n in others:
        if notices is not None:
            notices.append(
                Problem(
                    f"{where}/{n}",
                    None,
                    None,
                    say(
                        lang,
                        "fichier ignoré : seuls les fichiers .csv d'un dossier ou d'un zip sont lus",
                        "file ignored: only the .csv files of a folder or a zip are read",
                    ),
                    say(
                        lang,
                        "enregistrez chaque feuille en .csv, ou importez ce classeur à part",
                        "save each sheet as .csv, or import that workbook on its own",
                    ),
                    lang=lang,
                )
            )


_ONE_CSV_PER_SHEET: Said = (
    "mettez-y un .csv par feuille (acteurs.csv, relations.csv, sources.csv…)",
    "put one .csv per sheet in it (acteurs.csv, relations.csv, sources.csv…)",
)


def _read_folder(path: Path, notices: list[Problem] | None, lang: str) -> list[Table]:
    keep, others = _csv_members([p.name for p in path.iterdir() if p.is_file()])
    _skip_notices(path.name, others, notices, lang)
    if not keep:
        raise _refuse(
            path.name,
            lang,
            ("le dossier ne contient aucun fichier .csv", "the folder holds no .csv file"),
            _ONE_CSV_PER_SHEET,
        )
    out = []
    for n in keep:
        out.extend(_read_csv(f"{path.name}/{n}", Path(n).stem, (path / n).read_bytes(), lang))
    return out


def _read_zip(path: Path, notices: list[Problem] | None, lang: str) -> list[Table]:
    with zipfile.ZipFile(path) as z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        if "[Content_Types].xml" in names or "mimetype" in names:
            raise _refuse(
                path.name,
                lang,
                (
                    "c'est un classeur (.xlsx ou .ods) renommé en .zip",
                    "it is a workbook (.xlsx or .ods) renamed .zip",
                ),
                ("redonnez-lui son extension .xlsx ou .ods", "give it back its .xlsx or .ods extension"),
            )
        keep, others = _csv_members(names)
        _skip_notices(path.name, others, notices, lang)
        if not keep:
            raise _refuse(
                path.name,
                lang,
                ("le zip ne contient aucun fichier .csv", "the zip holds no .csv file"),
                _ONE_CSV_PER_SHEET,
            )
        out = []
        for n in keep:
            out.extend(_read_csv(f"{path.name}/{n}", Path(n.rsplit("/", 1)[-1]).stem, z.read(n), lang))
    return out


def _read_xlsx(path: Path) -> list[Table]:
    from kg.sheets.xlsx import read_xlsx_sheets

    out = []
    with zipfile.ZipFile(path) as z:
        members = set(z.namelist())
        for ws in read_xlsx_sheets(path, z):
            # the sheet's XML gives merged cells and formulas saved without their value
            merged, uncached = _xlsx_extras(z.read(ws.path)) if ws.path in members else ([], [])
            t = _table(
                path.name,
                ws.title,
                ws.rows,
                hidden=ws.sheet_state != "visible",
                merged=merged,
                uncached=uncached,
            )
            if t is not None:
                out.append(t)
    return out


_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_CELL = re.compile(rb"<c\s([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>[^<]")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _xlsx_extras(xml: bytes) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int]]]:
    """Merged ranges and formulas saved without a value, from a sheet's XML (scanned only if present)."""
    merged = []
    if b"<mergeCell" in xml:
        for m in _MERGE.finditer(xml):
            c1, r1 = _col(m.group(1)), int(m.group(2))
            c2, r2 = (_col(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
            merged.append((r1, c1, r2, c2))
    uncached = []
    if b"<f" in xml:
        for m in _CELL.finditer(xml):
            body = m.group(2) or b""
            if (b"<f>" in body or b"<f " in body) and not _VALUE.search(body):
                ref = _REF.search(m.group(1))
                if ref:
                    uncached.append((int(ref.group(2)), _col(ref.group(1))))
    return merged, uncached


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


def _read_ods(path: Path, lang: str = "fr") -> list[Table]:
    import xml.etree.ElementTree as ET

    table_tag, row_tag = _q("table", "table"), _q("table", "table-row")
    cell_tags = (_q("table", "table-cell"), _q("table", "covered-table-cell"))
    rep_rows, rep_cols, name_attr = (
        _q("table", "number-rows-repeated"),
        _q("table", "number-columns-repeated"),
        _q("table", "name"),
    )
    span_rows, span_cols, formula = (
        _q("table", "number-rows-spanned"),
        _q("table", "number-columns-spanned"),
        _q("table", "formula"),
    )
    style_tag, props_tag = (
        "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}style",
        "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}table-properties",
    )
    style_name, style_attr = (
        "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}name",
        _q("table", "style-name"),
    )
    hidden_styles: set[str] = set()
    out: list[Table] = []
    unfolded = 0  # cells unfolded from repeated rows and cells (kg.sheets.safety.MAX_CELLS)
    with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
        rows: list[tuple[int, list[Any]]] = []
        merged: list[tuple[int, int, int, int]] = []
        uncached: list[tuple[int, int]] = []
        number = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            if event == "start":
                if el.tag == table_tag:
                    rows, merged, uncached, number = [], [], [], 0
                continue
            if el.tag == style_tag:  # automatic styles come before the tables: a hidden sheet's style
                props = el.find(props_tag)
                if props is not None and props.get(_q("table", "display")) == "false":
                    hidden_styles.add(el.get(style_name, ""))
            elif el.tag == row_tag:
                values: list[Any] = []
                repeat = int(el.get(rep_rows, "1"))
                for cell in el:
                    if cell.tag not in cell_tags:
                        continue
                    v = _ods_value(cell)
                    if cell.get(span_rows, "1") != "1" or cell.get(span_cols, "1") != "1":
                        r, c = number + 1, len(values)
                        merged.append(
                            (
                                r,
                                c,
                                r + int(cell.get(span_rows, "1")) - 1,
                                c + int(cell.get(span_cols, "1")) - 1,
                            )
                        )
                    if cell.get(formula) and cell.get(_q("office", "value-type")) is None and is_empty(v):
                        uncached.append((number + 1, len(values)))
                    times = int(cell.get(rep_cols, "1"))
                    if len(values) + times > MAX_COLUMNS:  # past the last column: only empty cells
                        if not is_empty(v):
                            raise too_many_cells(path.name, lang)
                        times = max(0, MAX_COLUMNS - len(values))
                    values.extend([v] * times)
                while values and is_empty(values[-1]):
                    values.pop()
                if values:
                    unfolded += repeat * len(values)
                    if unfolded > MAX_CELLS:
                        raise too_many_cells(path.name, lang)
                    for _ in range(repeat):
                        number += 1
                        rows.append((number, list(values)))
                else:
                    number += repeat
                el.clear()
            elif el.tag == table_tag:
                t = _table(
                    path.name,
                    el.get(name_attr, "Feuille"),
                    iter(rows),
                    hidden=el.get(style_attr) in hidden_styles,
                    merged=merged,
                    uncached=uncached,
                )
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


def _read_csv(file: str, name: str, data: bytes, lang: str = "fr") -> list[Table]:
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise _refuse(
            file,
            lang,
            (
                f"encodage inconnu (octet {exc.start} illisible en UTF-8 comme en Windows-1252)",
                f"unknown encoding (byte {exc.start} unreadable in UTF-8 and in Windows-1252)",
            ),
            ("enregistrez le CSV en UTF-8", "save the CSV as UTF-8"),
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[Any]]]:  # a row is numbered by the line it starts on
        start = 1
        for row in reader:
            yield start, [read_csv_cell(c) for c in row]
            start = reader.line_num + 1

    t = _table(file, name, numbered())
    return [t] if t is not None else []
