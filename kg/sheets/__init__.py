"""The catalysts' workbooks ↔ records: the workbook shape, the template, the readers, the conversion.

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

The modules, as the data flows: :mod:`kg.sheets.layout` (the shape, :class:`Concepts`,
:class:`Table`), :mod:`kg.sheets.read` (the readers), :mod:`kg.sheets.cells` (the cell
parsers), :mod:`kg.sheets.rows` / :mod:`kg.sheets.places` / :mod:`kg.sheets.relations` /
:mod:`kg.sheets.convert` (rows → records), :mod:`kg.sheets.known` / :mod:`kg.sheets.plan`
(what an import would add, change and remove), :mod:`kg.sheets.export` (records → rows)
and :mod:`kg.sheets.write` (the template and the export's workbook). Nothing here knows
about RDF or the store.

>>> from kg.sheets.cells import parse_amount, parse_date
>>> parse_amount("1 500 000,50")
(Decimal('1500000.50'), None)
>>> parse_date("09/03/2023")
('2023-03-09', None)
>>> parse_date(44994)  # an Excel serial number
('2023-03-09', None)
"""
