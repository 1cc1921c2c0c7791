"""Spreadsheets as French catalysts make them: the workbook shape, the template, the readers.

One workbook shape serves the template (``kg template``), the import (``kg import``) and
the export (``kg export-xlsx``): one sheet per kind of record (:data:`SHEETS`), French
headers, each also accepted under English and Kumu names (``Label``, ``Type``,
``Description``, ``Tags``; ``From``, ``To``, ``Type``), so a Kumu export imports as it is.

Readers (:func:`read_tables`) turn an ``.xlsx`` (openpyxl), ``.ods`` (the standard library:
``content.xml`` is read as a stream) or ``.csv`` (UTF-8 with or without BOM, or
Windows-1252; ``;`` or ``,``) into :class:`Table` objects: the sheet, its headers and its
rows with their row numbers as the spreadsheet shows them. The cell parsers
(:func:`parse_date`, :func:`parse_amount`, :func:`parse_list`, :func:`parse_code`) read
French conventions: ``dd/mm/yyyy`` and Excel serial dates, decimal commas, spaces as
thousands separators. They return ``(value, problem)`` pairs and never raise, so an
import can report every bad cell at once.

The code lives in :mod:`kg.sheets.layout` (the shape, :class:`Concepts`, :class:`Table`),
:mod:`kg.sheets.read` (the readers), :mod:`kg.sheets.cells` (the cell parsers) and
:mod:`kg.sheets.write` (the template and the export's workbook); this module gathers
their public names. Nothing here knows about the graph: :mod:`kg.sheets.convert` turns
tables into records.

>>> parse_amount("1 500 000,50")
(Decimal('1500000.50'), None)
>>> parse_date("09/03/2023")
('2023-03-09', None)
>>> parse_date(44994)  # an Excel serial number
('2023-03-09', None)
"""

from __future__ import annotations

from kg.sheets.cells import cell_text, is_empty, parse_amount, parse_code, parse_date, parse_list, slugify
from kg.sheets.layout import (
    EXAMPLE_ID_PREFIX,
    LISTS_SHEET,
    README_SHEET,
    SHEET_RELATION_KINDS,
    SHEETS,
    TEMPLATE_ROWS,
    Column,
    Concepts,
    Sheet,
    Table,
    load_concepts,
    match_columns,
    match_sheet,
    sheet,
)
from kg.sheets.read import read_tables
from kg.sheets.write import write_template, write_workbook

__all__ = [
    "EXAMPLE_ID_PREFIX",
    "LISTS_SHEET",
    "README_SHEET",
    "SHEETS",
    "SHEET_RELATION_KINDS",
    "TEMPLATE_ROWS",
    "Column",
    "Concepts",
    "Sheet",
    "Table",
    "cell_text",
    "is_empty",
    "load_concepts",
    "match_columns",
    "match_sheet",
    "parse_amount",
    "parse_code",
    "parse_date",
    "parse_list",
    "read_tables",
    "sheet",
    "slugify",
    "write_template",
    "write_workbook",
]
