"""One import's cells: reading a row's values, collecting every located problem.

:class:`Rows` collects the problems (each located by sheet, row and column) and the
notices of one import; :class:`CellReader` reads the cells of the recognised sheets
(required values, concepts of the SKOS lists, dates, web addresses, themes) and builds
pydantic records, reporting each bad cell instead of stopping at the first. Nothing
here knows about the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from kg.errors import Problem
from kg.model.names import did_you_mean, normalise
from kg.sheets.cells import cell_text, parse_date, parse_list
from kg.sheets.layout import EXAMPLE_ID_PREFIX, SHEET_RELATION_KINDS, Concepts, Sheet, Table, match_columns

__all__ = ["CellReader", "Rows"]


class Rows:
    """Problems and notices of one import, located by sheet, row and column."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def bad(self, table: Table, row: int | None, header: str | None, message: str, fix: str | None) -> None:
        self.problems.append(Problem(table.where, row, header, message, fix, where="row"))


class CellReader:
    """Reads the cells of one import's rows; every problem goes to :attr:`rows`."""

    rows: Rows
    concepts: Concepts

    def cells(self, sheet: Sheet, table: Table) -> Iterable[tuple[int, dict[str, Any], dict[str, str]]]:
        cols, unknown = match_columns(table.headers, sheet)
        for i in unknown:
            self.rows.warnings.append(f"{table.where} : colonne « {table.headers[i]} » ignorée (inconnue)")
        headers = {k: table.headers[i] for i, k in cols.items()}
        for c in sheet.columns:
            if c.required and c.key not in headers:
                self.rows.bad(
                    table,
                    1,
                    c.header,
                    f"la colonne obligatoire « {c.header} » manque",
                    f"ajoutez une colonne « {c.header} » (noms acceptés : "
                    f"{', '.join((c.header, *c.aliases))})",
                )
        if any(c.required and c.key not in headers for c in sheet.columns):
            return
        for number, values in table.rows:
            row = {k: (values[i] if i < len(values) else None) for i, k in cols.items()}
            rid = cell_text(row.get("id"))
            if rid and rid.lower().startswith(EXAMPLE_ID_PREFIX):
                self.rows.warnings.append(f"{table.where}, ligne {number} : ligne d'exemple ignorée")
                continue
            yield number, row, headers

    def header(self, headers: dict[str, str], sheet: Sheet, key: str) -> str:
        return headers.get(key) or sheet.column(key).header

    def required(
        self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet, key: str
    ) -> str | None:
        v = cell_text(row.get(key))
        if v is None:
            self.rows.bad(
                table,
                number,
                self.header(headers, sheet, key),
                "cellule vide : elle est obligatoire",
                "remplissez-la, ou supprimez la ligne",
            )
        return v

    def concept(
        self, table: Table, number: int, header: str, scheme: str, value: str, *, lenient: bool = False
    ) -> str | None:
        n = self.concepts.notation(scheme, value)
        if n is None:
            labels = [lab for _, lab in self.concepts.labels.get(scheme, [])]
            if scheme == "relation-kind":
                labels = [self.concepts.label(scheme, k) for k in SHEET_RELATION_KINDS]
            if lenient:
                self.rows.warnings.append(
                    f"{table.where}, ligne {number}, colonne « {header} » : « {value} » "
                    "n'est pas un thème connu ; ignoré"
                )
                return None
            self.rows.bad(
                table,
                number,
                header,
                f"« {value} » n'est pas dans la liste",
                did_you_mean(value, labels) or f"choisissez dans la liste : {', '.join(labels)}",
            )
        return n

    def url(
        self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet, key: str = "homepage"
    ) -> str | None:
        """A web address: ``www.exemple.fr`` gets ``https://``; anything with spaces or quotes is refused."""
        text = cell_text(row.get(key))
        if text is None:
            return None
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) and re.match(
            r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", text
        ):
            text = "https://" + text
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", text):
            self.rows.bad(
                table,
                number,
                self.header(headers, sheet, key),
                f"« {text} » n'est pas une adresse web",
                "écrivez l'adresse complète, p. ex. https://www.exemple.fr",
            )
            return None
        return text

    def date(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet, key: str) -> str | None:
        if key not in row:
            return None
        value, problem = parse_date(row[key])
        if problem:
            self.rows.bad(
                table,
                number,
                self.header(headers, sheet, key),
                problem,
                "écrivez la date jj/mm/aaaa (09/03/2023), mm/aaaa ou aaaa",
            )
        return value

    def themes(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet) -> list[str]:
        header = self.header(headers, sheet, "themes")
        lenient = normalise(header) == "tags"  # Kumu tags may hold anything: keep the themes, skip the rest
        out = []
        for v in parse_list(row.get("themes")):
            n = self.concept(table, number, header, "theme", v, lenient=lenient)
            if n and n not in out:
                out.append(n)
        return out

    def model(
        self, cls: type[BaseModel], data: dict, table: Table, number: int, headers: dict, sheet: Sheet
    ) -> BaseModel | None:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            fields = {
                "amount_eur": "amount",
                "located_in": "commune",
                "start": "debut",
                "end": "fin",
                "name": "name",
                "homepage": "homepage",
                "title": "title",
                "issued": "date",
            }
            for err in exc.errors():
                loc = err.get("loc") or ("",)
                key = fields.get(str(loc[0]), str(loc[0]))
                header = (
                    headers.get(key)
                    or headers.get("debut" if "start" in err["msg"] else "fin")
                    or (sheet.column(key).header if any(c.key == key for c in sheet.columns) else None)
                )
                msg = err["msg"].removeprefix("Value error, ")
                self.rows.bad(table, number, header, msg, "corrigez la cellule")
            return None
