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
from kg.sheets.cells import MAX_CELL, cell_text, excel_error, is_empty, parse_date, parse_list, say
from kg.sheets.layout import EXAMPLE_ID_PREFIX, SHEET_RELATION_KINDS, Concepts, Sheet, Table, match_columns

__all__ = ["CellReader", "Rows", "column_letter", "describe"]


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column counted from 0.

    >>> column_letter(0), column_letter(26), column_letter(701)
    ('A', 'AA', 'ZZ')
    """
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def describe(p: Problem, lang: str = "fr") -> str:
    """One located problem or warning as a catalyst reads it, in French (or English): :meth:`Problem.text`.

    >>> print(describe(Problem("x.csv, feuille acteurs", 3, "nom", "duplicate", "merge", "row"), "en"))
    x.csv, feuille acteurs, row 3, column "nom": duplicate — fix: merge
    """
    return p.text(lang)


class Rows:
    """Problems (errors) and notices (warnings) of one import, located by sheet, row and column.

    ``warnings`` holds the notices as text (:func:`describe`, in *lang*).
    """

    def __init__(self, lang: str = "fr") -> None:
        self.lang = lang
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []
        self.warnings: list[str] = []
        self._cells: set[tuple[str, int | None, str | None]] = set()
        #: (table, column) → the cells of numbers read as date serials, warned once by :meth:`flush`
        self.serials: dict[tuple[str, str], list[tuple[Table, int, str, str]]] = {}

    def bad(self, table: Table, row: int | None, header: str | None, message: str, fix: str | None) -> None:
        """Report an error at a cell; a cell already reported is not reported again (no cascade)."""
        cell = (table.where, row, header)
        if row is not None and header is not None and cell in self._cells:
            return
        self._cells.add(cell)
        self.problems.append(
            Problem(table.where_in(self.lang), row, header, message, fix, where="row", lang=self.lang)
        )

    def warn(
        self, table: Table | str, row: int | None, header: str | None, message: str, fix: str | None = None
    ) -> None:
        where = table if isinstance(table, str) else table.where_in(self.lang)
        self.note(Problem(where, row, header, message, fix, where="row", lang=self.lang))

    def flush(self) -> None:
        """Warn once per column of the numbers read as spreadsheet date serials (the first one, and how many)."""
        for (_, header), cells in self.serials.items():
            table, number, raw, value = cells[0]
            y, m, d = value.split("-")
            more = len(cells) - 1
            self.warn(
                table,
                number,
                header,
                say(
                    self.lang,
                    f"« {raw} » est un nombre : lu comme un numéro de série de date du tableur, le {d}/{m}/{y}"
                    + (
                        f" (et {more} autre{'s' if more > 1 else ''} nombre{'s' if more > 1 else ''} de cette "
                        "colonne, lus de même)"
                        if more
                        else ""
                    ),
                    f'"{raw}" is a number: read as a spreadsheet date serial, {value}'
                    + (
                        f" (and {more} other number{'s' if more > 1 else ''} of this column, read alike)"
                        if more
                        else ""
                    ),
                ),
                say(
                    self.lang,
                    "vérifiez la date, ou donnez à la cellule le format date (ou écrivez jj/mm/aaaa)",
                    "check the date, or give the cell a date format (or write dd/mm/yyyy)",
                ),
            )
        self.serials.clear()

    def note(self, p: Problem) -> None:
        self.notices.append(p)
        self.warnings.append(describe(p, self.lang))


class CellReader:
    """Reads the cells of one import's rows; every problem goes to :attr:`rows`."""

    rows: Rows
    concepts: Concepts

    def kumu_table(self, sheet: Sheet, table: Table) -> bool:
        """True for a sheet written the Kumu way (see :mod:`kg.sheets.kumu_read`)."""
        return False

    def ignored_column(self, sheet: Sheet, table: Table, i: int) -> bool:
        """Report the unknown column *i*; True when it is read otherwise (a Kumu custom field)."""
        if self.kumu_table(sheet, table):
            return True
        lang = self.rows.lang
        self.rows.warn(
            table,
            None,
            table.headers[i],
            say(lang, "colonne ignorée (inconnue)", "column ignored (unknown)"),
            say(
                lang,
                f"renommez-la comme une colonne de la feuille {sheet.name} si elle doit être importée",
                f"rename it as a column of the {sheet.name} sheet if it is to be imported",
            ),
        )
        return False

    def cells(self, sheet: Sheet, table: Table) -> Iterable[tuple[int, dict[str, Any], dict[str, str]]]:
        cols, unknown = match_columns(table.headers, sheet)
        kept = [i for i in unknown if self.ignored_column(sheet, table, i)]
        headers = {k: table.headers[i] for i, k in cols.items()}
        for c in sheet.columns:
            if c.required and c.key not in headers:
                self.rows.bad(
                    table,
                    1,
                    c.header,
                    say(
                        self.rows.lang,
                        f"la colonne obligatoire « {c.header} » manque",
                        f'the required column "{c.header}" is missing',
                    ),
                    say(
                        self.rows.lang,
                        f"ajoutez une colonne « {c.header} » (noms acceptés : "
                        f"{', '.join((c.header, *c.aliases))})",
                        f'add a column "{c.header}" (names accepted: {", ".join((c.header, *c.aliases))})',
                    ),
                )
        if any(c.required and c.key not in headers for c in sheet.columns):
            return
        fills = self.spreadsheet_traps(table, cols)
        for number, values in table.rows:
            values = self.checked(table, number, values, cols, fills)
            row = {k: (values[i] if i < len(values) else None) for i, k in cols.items()}
            if kept:
                row["_extra"] = {table.headers[i]: values[i] for i in kept if i < len(values)}
            rid = cell_text(row.get("id"))
            if rid and rid.lower().startswith(EXAMPLE_ID_PREFIX):
                self.rows.warn(
                    table,
                    number,
                    None,
                    say(self.rows.lang, "ligne d'exemple ignorée", "example row skipped"),
                )
                continue
            yield number, row, headers

    def column_name(self, table: Table, i: int) -> str:
        """The header of column *i*, or its letter when it has none."""
        h = table.headers[i] if i < len(table.headers) else ""
        return h or say(
            self.rows.lang, f"{column_letter(i)} (sans en-tête)", f"{column_letter(i)} (no header)"
        )

    def spreadsheet_traps(self, table: Table, cols: dict[int, str]) -> dict[tuple[int, int], Any]:
        """Report merged cells and formulas saved without a value; return the values merged cells hide."""
        lang = self.rows.lang
        fills: dict[tuple[int, int], Any] = {}
        values = dict(table.rows)
        for r1, c1, r2, c2 in table.merged:
            if (r1, c1) == (r2, c2) or r2 < table.header_row:
                continue
            ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
            first = values.get(r1, [])
            value = first[c1] if c1 < len(first) else None
            self.rows.bad(
                table,
                r1,
                self.column_name(table, c1),
                say(
                    lang,
                    f"cellules fusionnées {ref} : seule la première garde la valeur"
                    + (f" « {cell_text(value)} »" if cell_text(value) else "")
                    + ", les autres sont vides pour l'import",
                    f"merged cells {ref}: only the first one holds the value"
                    + (f' "{cell_text(value)}"' if cell_text(value) else "")
                    + ", the others are empty for the import",
                ),
                say(
                    lang,
                    "défusionnez-les (Format > Fusionner les cellules) et recopiez la valeur dans chaque cellule",
                    "unmerge them and copy the value into each cell",
                ),
            )
            for r in range(max(r1, table.header_row + 1), r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        fills[(r, c)] = value  # quieter: no second error for the cells the merge emptied
        for r, c in table.uncached:
            if c in cols:
                self.rows.bad(
                    table,
                    r,
                    self.column_name(table, c),
                    say(
                        lang,
                        "formule enregistrée sans sa valeur (le fichier n'a pas été recalculé par un tableur)",
                        "a formula saved without its value (the file was not recalculated by a spreadsheet)",
                    ),
                    say(
                        lang,
                        "ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le, ou remplacez la "
                        "formule par sa valeur (Copier, puis Collage spécial > Valeurs)",
                        "open the file in Excel or LibreOffice and save it, or replace the formula by its value",
                    ),
                )
        return fills

    def checked(
        self,
        table: Table,
        number: int,
        values: list[Any],
        cols: dict[int, str],
        fills: dict[tuple[int, int], Any],
    ) -> list[Any]:
        """The row's values, with every trap reported: error values, cells beyond the headers, huge cells."""
        lang = self.rows.lang
        out = list(values)
        for (r, c), v in fills.items():
            if r == number and c < len(out) and is_empty(out[c]):
                out[c] = v
        for i, v in enumerate(out):
            if is_empty(v):
                continue
            err = excel_error(v)
            if err and i in cols:
                self.rows.bad(
                    table,
                    number,
                    self.column_name(table, i),
                    say(
                        lang,
                        f"« {err} » est une erreur de formule du tableur, pas une valeur",
                        f'"{err}" is a spreadsheet formula error, not a value',
                    ),
                    say(
                        lang,
                        "corrigez la formule (ou la cellule qu'elle cite), ou écrivez la valeur, ou videz la cellule",
                        "fix the formula (or the cell it refers to), write the value, or empty the cell",
                    ),
                )
                out[i] = None
            elif isinstance(v, str) and len(v) > MAX_CELL:
                self.rows.bad(
                    table,
                    number,
                    self.column_name(table, i),
                    say(
                        lang,
                        f"la cellule a {len(v)} caractères, plus que les {MAX_CELL} qu'un tableur accepte : "
                        'sans doute un guillemet « " » ouvert et jamais refermé',
                        f"the cell has {len(v)} characters, more than the {MAX_CELL} a spreadsheet "
                        'accepts: probably a quote " opened and never closed',
                    ),
                    say(
                        lang,
                        "vérifiez les guillemets de cette ligne dans le CSV, ou raccourcissez le texte",
                        "check the quotes of this line in the CSV, or shorten the text",
                    ),
                )
                out[i] = None
            elif i >= len(table.headers) or not table.headers[i]:
                self.rows.bad(
                    table,
                    number,
                    self.column_name(table, i),
                    say(
                        lang,
                        f"« {cell_text(v)} » est dans une colonne sans en-tête : la ligne a plus de cellules que "
                        f"la ligne d'en-têtes ({len([h for h in table.headers if h])} colonnes)",
                        f'"{cell_text(v)}" is in a column without a header: the row has more cells than the '
                        f"header row ({len([h for h in table.headers if h])} columns)",
                    ),
                    say(
                        lang,
                        "donnez un en-tête à cette colonne, ou retirez la cellule en trop (souvent un « ; » de "
                        "trop, qui décale les colonnes suivantes)",
                        "give this column a header, or remove the extra cell (often one separator too many, "
                        "which shifts the following columns)",
                    ),
                )
        return out

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
                say(self.rows.lang, "cellule vide : elle est obligatoire", "empty cell: it is required"),
                say(self.rows.lang, "remplissez-la, ou supprimez la ligne", "fill it, or delete the row"),
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
                self.rows.warn(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"« {value} » n'est pas un thème connu ; ignoré",
                        f'"{value}" is not a known theme; left out',
                    ),
                )
                return None
            self.rows.bad(
                table,
                number,
                header,
                say(self.rows.lang, f"« {value} » n'est pas dans la liste", f'"{value}" is not in the list'),
                did_you_mean(value, labels, lang=self.rows.lang)
                or say(self.rows.lang, "choisissez dans la liste : ", "choose from the list: ")
                + ", ".join(labels),
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
                say(
                    self.rows.lang, f"« {text} » n'est pas une adresse web", f'"{text}" is not a web address'
                ),
                say(
                    self.rows.lang,
                    "écrivez l'adresse complète, p. ex. https://www.exemple.fr",
                    "write the whole address, e.g. https://www.example.org",
                ),
            )
            return None
        return text

    def date(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet, key: str) -> str | None:
        if key not in row:
            return None
        raw = row[key]
        value, problem = parse_date(raw, lang=self.rows.lang)
        if problem:
            self.rows.bad(
                table,
                number,
                self.header(headers, sheet, key),
                problem,
                say(
                    self.rows.lang,
                    "écrivez la date jj/mm/aaaa (09/03/2023), mm/aaaa ou aaaa",
                    "write the date dd/mm/yyyy (09/03/2023), mm/yyyy or yyyy",
                ),
            )
        elif (
            value
            and len(value) == 10
            and (
                (isinstance(raw, (int, float)) and not isinstance(raw, bool))
                or (isinstance(raw, str) and re.match(r"^\s*\d+([.,]\d+)?\s*$", raw))
            )
        ):
            header = self.header(headers, sheet, key)
            self.rows.serials.setdefault((table.where, header), []).append(
                (table, number, cell_text(raw) or "", value)
            )
        return value

    def themes(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet) -> list[str]:
        header = self.header(headers, sheet, "themes")
        lenient = normalise(header) == "tags"  # Kumu tags may hold anything: keep the themes, skip the rest
        if self.kumu_table(sheet, table):
            return [
                n
                for n in dict.fromkeys(
                    self.concepts.notation("theme", v) for v in parse_list(row.get("themes"))
                )
                if n
            ]  # the other tags are kept by the Kumu reader
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
                msg = err["msg"].removeprefix("Value error, ")
                before = re.match(r'^"(\w+)" \((.+?)\) is before "(\w+)" \((.+?)\)', msg)
                if before:
                    key = fields.get(before.group(1), before.group(1))
                header = (
                    headers.get(key)
                    or headers.get("fin" if before else "debut" if "start" in msg else "fin")
                    or (sheet.column(key).header if any(c.key == key for c in sheet.columns) else None)
                )
                text, fix = _french(msg, before, self.rows.lang)
                self.rows.bad(table, number, header, text, fix)
            return None


def _french(msg: str, before: re.Match[str] | None, lang: str) -> tuple[str, str]:
    """A pydantic message of :mod:`kg.model.records` as a catalyst reads it (the English kept in brackets)."""
    if lang == "en":
        return msg, "fix the cell"
    if before:
        return (
            f"la fin ({before.group(2)}) est avant le début ({before.group(4)})",
            "inversez les deux dates, ou corrigez l'année",
        )
    if msg.startswith("Input should be greater than or equal to 0"):
        return "la valeur doit être positive ou nulle", "écrivez un nombre positif"
    if msg.startswith("String should match pattern"):
        return f"identifiant mal formé ({msg})", "n'utilisez que des lettres, des chiffres et des tirets"
    return f"valeur refusée ({msg})", "corrigez la cellule"
