"""Where an actor is: the commune (or département) a row names, settled against the official geography.

A cell may hold an INSEE code (``94018``, or ``1001`` that lost its leading zero), a
name (``Saint-Maurice``) settled by the département or postcode columns, or what the
export writes (``Charenton-le-Pont (94018)``); an ambiguous or unknown name is reported
with the candidates.
"""

from __future__ import annotations

from kg.ingest.geo import Geography, commune_by_code, find_communes
from kg.model.identifiers import insee_commune_problem
from kg.model.names import closest, did_you_mean, normalise
from kg.sheets.cells import cell_text, parse_code, say
from kg.sheets.layout import Sheet, Table
from kg.sheets.rows import CellReader

__all__ = ["PlaceReader"]


class PlaceReader(CellReader):
    """Reads the commune of a row (columns commune, département, code postal)."""

    geo: Geography

    def commune(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet) -> str | None:
        raw_c = row.get("commune")
        dep = parse_code(row.get("departement"), 2)
        cp = parse_code(row.get("postcode"), 5)
        header = self.header(headers, sheet, "commune")
        if dep is not None and dep not in self.geo.departements:
            self.rows.bad(
                table,
                number,
                self.header(headers, sheet, "departement"),
                say(
                    self.rows.lang,
                    f"« {dep} » n'est pas un code de département",
                    f'"{dep}" is not a département code',
                ),
                say(self.rows.lang, "écrivez le code : 94, 2A, 974…", "write the code: 94, 2A, 974…"),
            )
            return None
        if raw_c is None or cell_text(raw_c) is None:
            return f"departement:{dep}" if dep else None
        text = cell_text(raw_c) or ""
        code = None
        if isinstance(raw_c, (int, float)) or text.isdigit() or (len(text) == 5 and text[:2] in ("2A", "2B")):
            code = parse_code(raw_c, 5)
            if (
                code and len(code) == 4 and code.isdigit()
            ):  # no INSEE code has 4 characters: a lost leading zero
                code = "0" + code
        elif text.endswith(")") and "(" in text:  # "Charenton-le-Pont (94018)", as the export writes it
            inner = text[text.rfind("(") + 1 : -1].strip()
            if len(inner) == 5 and not insee_commune_problem(inner):
                code = inner
        if code is not None:
            problem = insee_commune_problem(code)
            if problem:
                self.rows.bad(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"« {code} » n'est pas un code INSEE de commune",
                        f'"{code}": {problem}',
                    ),
                    say(
                        self.rows.lang,
                        "écrivez le code INSEE à 5 caractères (94018) ou le nom de la commune",
                        "write the 5-character INSEE code (94018) or the commune's name",
                    ),
                )
                return None
            if commune_by_code(self.geo, code) is None:
                self.rows.bad(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"aucune commune n'a le code INSEE « {code} »",
                        f'no commune has the INSEE code "{code}"',
                    ),
                    say(
                        self.rows.lang,
                        "vérifiez le code sur le Code officiel géographique, ou écrivez le nom de la commune",
                        "check the code in the Code officiel géographique, or write the commune's name",
                    ),
                )
                return None
            return f"commune:{code}"
        found = find_communes(self.geo, text, departement=dep, postcode=cp)
        if len(found) == 1:
            return f"commune:{found[0].code}"
        if not found:
            everywhere = find_communes(self.geo, text) if (dep or cp) else []
            if everywhere:
                where = ", ".join(f"{c.name} ({c.code}, dép. {c.departement})" for c in everywhere[:8])
                self.rows.bad(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"aucune commune « {text} » dans le département ou le code "
                        f"postal donnés ; il y en a ailleurs : {where}",
                        f'no commune "{text}" in the département or postcode given; there are elsewhere: {where}',
                    ),
                    say(
                        self.rows.lang,
                        "corrigez le département ou le code postal",
                        "correct the département or the postcode",
                    ),
                )
            else:
                close = closest(normalise(text), self.geo.by_name)
                names = [self.geo.communes[self.geo.by_name[k][0]].name for k in close]
                self.rows.bad(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"aucune commune ne s'appelle « {text} »",
                        f'no commune is called "{text}"',
                    ),
                    (
                        did_you_mean(text, names, lang=self.rows.lang)
                        or say(self.rows.lang, "vérifiez l'orthographe", "check the spelling")
                    )
                    + say(self.rows.lang, " ; ou écrivez le code INSEE", "; or write the INSEE code"),
                )
            return None
        listing = "; ".join(
            f"{c.name} ({c.code}, dép. {c.departement}, CP {'/'.join(c.postcodes[:3])})" for c in found[:12]
        )
        more = (
            say(self.rows.lang, f" et {len(found) - 12} autres", f" and {len(found) - 12} more")
            if len(found) > 12
            else ""
        )
        self.rows.bad(
            table,
            number,
            header,
            say(
                self.rows.lang,
                f"« {text} » désigne {len(found)} communes : {listing}{more}",
                f'"{text}" names {len(found)} communes: {listing}{more}',
            ),
            say(
                self.rows.lang,
                "remplissez la colonne « département » ou « code postal », ou écrivez le code INSEE",
                "fill the département or postcode column, or write the INSEE code",
            ),
        )
        return None
