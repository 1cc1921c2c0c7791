"""The relation sheets of a workbook: Partenaires, Relations, Financements → records.

A relation row becomes a participation, a membership, a support, a partnership (a
collaboration of two actors), a funding, or a field of a record of the same workbook
(founders, part of, continues). Names are resolved after every sheet is read, so a
relation may name an actor of a later sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from pydantic import BaseModel

from kg.model.records import Funding, Membership, Participation, Programme, Source, Support
from kg.sheets.cells import cell_text, parse_amount, say, slugify
from kg.sheets.layout import SHEET_RELATION_KINDS, Sheet, Table
from kg.sheets.places import PlaceReader

__all__ = ["RelationReader"]

#: the optional columns of the Relations sheet
_OPTIONAL = ("role", "support_kind", "debut", "fin", "description", "source", "id")
#: kind of relation → (the optional columns its record keeps, the role it implies)
_KEPT: dict[str, tuple[tuple[str, ...], str | None]] = {
    "partenariat": (("debut", "fin", "description", "source", "id"), "partenaire"),
    "adhesion": (("role", "debut", "fin", "description", "source", "id"), "membre"),
    "soutien": (("support_kind", "debut", "fin", "description", "source", "id"), None),
    "participation": (("role", "debut", "fin", "description", "source", "id"), "partenaire"),
    "fondation": ((), "fondateur"),
    "unite": ((), None),
    "succession": ((), None),
}


class RelationReader(PlaceReader):
    """Reads the relation sheets (methods of :class:`kg.sheets.convert.Converter`).

    Relies on the converter's ``resolve``, ``provenance``, ``own_id``, ``put``,
    ``actor_label`` and ``set_attribute`` (resolving names, citing the row, storing records).
    """

    if TYPE_CHECKING:  # provided by kg.sheets.convert.Converter

        def resolve(
            self, table: Table, number: int, header: str, value: str, kinds: tuple[str, ...]
        ) -> tuple[str, str] | None: ...

        def provenance(
            self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet
        ) -> list[Source]: ...

        def own_id(
            self,
            kind: str,
            explicit: str | None,
            base: str,
            table: Table,
            number: int,
            headers: dict,
            sheet: Sheet,
        ) -> str | None: ...

        def put(self, name: str, rec: BaseModel, table: Table, number: int, headers: dict) -> None: ...

        records: dict[str, dict[str, BaseModel]]

        def actor_label(self, rid: str) -> str: ...

        def set_attribute(
            self, table: Table, number: int, header: str, name: str, rid: str, fieldname: str, value: str
        ) -> None: ...

    def read_partners(self, sheet: Sheet, table: Table) -> None:
        for number, row, headers in self.cells(sheet, table):
            prog = self.required(table, number, row, headers, sheet, "programme")
            actor = self.required(table, number, row, headers, sheet, "actor")
            role_text = self.required(table, number, row, headers, sheet, "role")
            if not (prog and actor and role_text):
                continue
            p = self.resolve(table, number, self.header(headers, sheet, "programme"), prog, ("programme",))
            a = self.resolve(table, number, self.header(headers, sheet, "actor"), actor, ("actor",))
            role = self.concept(table, number, self.header(headers, sheet, "role"), "role", role_text)
            self._participation(sheet, table, number, row, headers, a, p, role)

    def _participation(
        self,
        sheet: Sheet,
        table: Table,
        number: int,
        row: dict,
        headers: dict,
        a: tuple[str, str] | None,
        p: tuple[str, str] | None,
        role: str | None,
        dates: tuple[str | None, str | None] | None = None,
    ) -> None:
        if dates is None:
            dates = (
                self.date(table, number, row, headers, sheet, "debut"),
                self.date(table, number, row, headers, sheet, "fin"),
            )
        start, end = dates
        sources = self.provenance(table, number, row, headers, sheet)
        if not (a and p and role):
            return
        rid = self.own_id(
            "participation",
            cell_text(row.get("id")),
            f"participation-{p[0]}-{a[0]}",
            table,
            number,
            headers,
            sheet,
        )
        rec = self.model(
            Participation,
            {
                "id": rid,
                "actor": a[0],
                "programme": p[0],
                "role": role,
                "start": start,
                "end": end,
                "description": cell_text(row.get("description")),
                "sources": sources,
            },
            table,
            number,
            headers,
            sheet,
        )
        if rec is not None:
            self.put("participations", rec, table, number, headers)

    def read_relations(self, sheet: Sheet, table: Table, later: list[Callable[[], object]]) -> None:
        for number, row, headers in self.cells(sheet, table):
            src = self.required(table, number, row, headers, sheet, "from")
            dst = self.required(table, number, row, headers, sheet, "to")
            kind_header = self.header(headers, sheet, "kind")
            kind_text = cell_text(row.get("kind"))
            kind = (
                self.concept(table, number, kind_header, "relation-kind", kind_text)
                if kind_text
                else "partenariat"
            )
            if kind and kind not in SHEET_RELATION_KINDS:
                lang = self.rows.lang
                fix = (
                    say(
                        lang,
                        "mettez-le dans la feuille Financements (montant obligatoire)",
                        "put it in the Financements sheet (an amount is required)",
                    )
                    if kind == "financement"
                    else say(lang, "choisissez un type de la liste : ", "choose a kind from the list: ")
                    + ", ".join(self.concepts.label("relation-kind", k) for k in SHEET_RELATION_KINDS)
                )
                self.rows.bad(
                    table,
                    number,
                    kind_header,
                    say(
                        lang,
                        f"« {kind_text} » : ce type de relation ne s'importe pas depuis la feuille Relations",
                        f'"{kind_text}": this kind of relation is not imported from the Relations sheet',
                    ),
                    fix,
                )
                continue
            if not (src and dst and kind):
                continue
            role_text = cell_text(row.get("role"))
            role = (
                self.concept(table, number, self.header(headers, sheet, "role"), "role", role_text)
                if role_text
                else None
            )
            sk_text = cell_text(row.get("support_kind"))
            sk = (
                self.concept(
                    table, number, self.header(headers, sheet, "support_kind"), "support-kind", sk_text
                )
                if sk_text
                else None
            )
            if kind == "soutien" and not sk_text:
                self.rows.bad(
                    table,
                    number,
                    self.header(headers, sheet, "support_kind"),
                    say(
                        self.rows.lang,
                        "un soutien doit dire sa nature (colonne « type de soutien »)",
                        'a support must say its kind (column "type de soutien")',
                    ),
                    say(self.rows.lang, "choisissez dans la liste : ", "choose from the list: ")
                    + ", ".join(lab for _, lab in self.concepts.labels["support-kind"]),
                )
            # resolved after every sheet is read: a relation may name an actor of a later sheet
            later.append(
                partial(
                    self._relation,
                    sheet,
                    table,
                    number,
                    row,
                    headers,
                    src,
                    dst,
                    kind,
                    role,
                    sk,
                    role_text,
                    sk_text,
                )
            )

    def _relation(
        self,
        sheet: Sheet,
        table: Table,
        number: int,
        row: dict,
        headers: dict,
        src: str,
        dst: str,
        kind: str,
        role: str | None,
        sk: str | None,
        role_text: str | None,
        sk_text: str | None,
        kumu: str | None = None,
        kumu_row: bool = False,
    ) -> str | None:
        """Make the record a relation row states; return its id (None when it edits a field, or fails).

        *kumu_row*: the row is a Kumu connection, which keeps every column (no "not kept"
        warning) and may repeat a pair (ids get ``-2``, ``-3``…); *kumu* is its type when it is
        not one of ours (a partnership then, named and identified with it).
        """
        h_from, h_to = self.header(headers, sheet, "from"), self.header(headers, sheet, "to")
        if not kumu_row:
            self._dropped(sheet, table, number, row, headers, kind, role)
        start = self.date(table, number, row, headers, sheet, "debut")
        end = self.date(table, number, row, headers, sheet, "fin")
        if kind == "participation":
            a = self.resolve(table, number, h_from, src, ("actor",))
            p = self.resolve(table, number, h_to, dst, ("programme",))
            if role_text and role is None:
                return None
            self._participation(sheet, table, number, row, headers, a, p, role or "partenaire", (start, end))
            return None
        if kind in ("succession",):
            a = self.resolve(table, number, h_from, src, ("programme",))
            b = self.resolve(table, number, h_to, dst, ("programme",))
            if a and b:
                self.set_attribute(table, number, h_from, "programmes", a[0], "continues", b[0])
            return None
        a = self.resolve(table, number, h_from, src, ("actor",))
        b = self.resolve(table, number, h_to, dst, ("actor",))
        if not (a and b) or (row.get("debut") and not start) or (row.get("fin") and not end):
            return None
        desc = cell_text(row.get("description"))
        sources = self.provenance(table, number, row, headers, sheet)
        explicit = cell_text(row.get("id"))

        def free(name: str, base: str) -> str:
            if explicit or not kumu_row:
                return base
            rid, n = base, 1
            while any(rid in items for items in self.records.values()):  # participations are "<id>-1", "-2"
                n += 1
                rid = f"{base}-{n}"
            return rid

        rid: str | None = None
        if kind == "fondation":
            self.set_attribute(table, number, h_to, "actors", b[0], "founders", a[0])
        elif kind == "unite":
            self.set_attribute(table, number, h_from, "actors", a[0], "part_of", b[0])
        elif kind == "adhesion":
            rid = self.own_id(
                "membership",
                explicit,
                free("memberships", f"adhesion-{a[0]}-{b[0]}"),
                table,
                number,
                headers,
                sheet,
            )
            rec = self.model(
                Membership,
                {
                    "id": rid,
                    "member": a[0],
                    "organisation": b[0],
                    "role": role or "membre",
                    "start": start,
                    "end": end,
                    "description": desc,
                    "sources": sources,
                },
                table,
                number,
                headers,
                sheet,
            )
            if rec is not None:
                self.put("memberships", rec, table, number, headers)
        elif kind == "soutien":
            if sk is None:
                return None
            rid = self.own_id(
                "support",
                explicit,
                free("supports", f"soutien-{a[0]}-{b[0]}-{sk}"),
                table,
                number,
                headers,
                sheet,
            )
            rec = self.model(
                Support,
                {
                    "id": rid,
                    "provider": a[0],
                    "beneficiary": b[0],
                    "support_kind": sk,
                    "start": start,
                    "end": end,
                    "description": desc,
                    "sources": sources,
                },
                table,
                number,
                headers,
                sheet,
            )
            if rec is not None:
                self.put("supports", rec, table, number, headers)
        elif kind == "partenariat":
            # a partnership of two actors is a collaboration (a programme of type "démarche") with two partners
            base = f"partenariat-{a[0]}-{b[0]}" + (f"-{slugify(kumu)}" if kumu else "")
            rid = self.own_id("programme", explicit, free("programmes", base), table, number, headers, sheet)
            na = self.actor_label(a[0])
            nb = self.actor_label(b[0])
            prog = self.model(
                Programme,
                {
                    "id": rid,
                    "name": f"Partenariat {na} – {nb}" + (f" ({kumu})" if kumu else ""),
                    "type": "demarche",
                    "start": start,
                    "end": end,
                    "description": desc,
                    "sources": sources,
                },
                table,
                number,
                headers,
                sheet,
            )
            if prog is None or rid is None:
                return None
            self.put("programmes", prog, table, number, headers)
            for i, who in enumerate((a[0], b[0]), 1):
                part = Participation(
                    id=f"{rid}-{i}",
                    actor=who,
                    programme=rid,
                    role="partenaire",
                    start=start,
                    end=end,
                    sources=sources,
                )
                self.put("participations", part, table, number, headers)
        return (
            rid
            if rid and any(rid in self.records[n] for n in ("memberships", "supports", "programmes"))
            else None
        )

    def relation_record(
        self,
        sheet: Sheet,
        table: Table,
        number: int,
        row: dict,
        headers: dict,
        a: str,
        b: str,
        kind: str,
        kumu: str | None,
    ) -> str | None:
        """The record of ours a Kumu connection between actors *a* and *b* (ids) also becomes; its id."""
        role_text, sk_text = cell_text(row.get("role")), cell_text(row.get("support_kind"))
        role = (
            self.concept(table, number, self.header(headers, sheet, "role"), "role", role_text)
            if role_text
            else None
        )
        sk = self.concepts.notation("support-kind", sk_text) if sk_text else None
        return self._relation(
            sheet,
            table,
            number,
            row,
            headers,
            a,
            b,
            kind,
            role,
            sk,
            role_text,
            sk_text,
            kumu=kumu,
            kumu_row=True,
        )

    def _dropped(
        self, sheet: Sheet, table: Table, number: int, row: dict, headers: dict, kind: str, role: str | None
    ) -> None:
        """Warn about each filled cell the record of this kind of relation has no place for."""
        kept, implied = _KEPT[kind]
        label = self.concepts.label("relation-kind", kind)
        lang = self.rows.lang
        for key in _OPTIONAL:
            if key in kept or cell_text(row.get(key)) is None or (key == "role" and role == implied):
                continue
            header = self.header(headers, sheet, key)
            fix = {
                "fondation": (
                    "la fondation est enregistrée comme « de » fondateur de « vers », sans date ni texte : "
                    "mettez la date et la description dans la ligne de « vers » de la feuille Acteurs, ou "
                    "videz la cellule"
                ),
                "unite": "le rattachement est enregistré sans date ni texte : videz la cellule",
                "succession": "la succession est enregistrée sans date ni texte : videz la cellule",
            }.get(kind, "videz la cellule, ou choisissez le type de relation qui la garde")
            self.rows.warn(
                table,
                number,
                header,
                say(
                    lang,
                    f"« {cell_text(row.get(key))} » n'est pas gardé : une relation « {label} » n'a pas de "
                    f"« {header} »",
                    f'"{cell_text(row.get(key))}" is not kept: a "{kind}" relation has no "{header}"',
                ),
                say(lang, fix, "empty the cell, or choose the kind of relation that keeps it"),
            )

    def read_fundings(self, sheet: Sheet, table: Table) -> None:
        seen: dict[str, int] = {}
        for number, row, headers in self.cells(sheet, table):
            # the recipient only when the source names one: a row naming what it paid for (a
            # programme) may leave it empty
            recipient = (
                cell_text(row.get("recipient"))
                if cell_text(row.get("programme"))
                else self.required(table, number, row, headers, sheet, "recipient")
            )
            amount_header = self.header(headers, sheet, "amount")
            amount, problem = parse_amount(row.get("amount"), lang=self.rows.lang)
            if problem:
                self.rows.bad(
                    table,
                    number,
                    amount_header,
                    problem,
                    say(
                        self.rows.lang,
                        "écrivez un nombre d'euros, virgule décimale acceptée : 12 500,50",
                        "write a number of euros, a decimal comma is accepted: 12 500,50",
                    ),
                )
            elif amount is None:
                self.rows.bad(
                    table,
                    number,
                    amount_header,
                    say(self.rows.lang, "le montant manque", "the amount is missing"),
                    say(self.rows.lang, "écrivez le montant en euros", "write the amount in euros"),
                )
            elif amount < 0:
                self.rows.bad(
                    table,
                    number,
                    amount_header,
                    say(
                        self.rows.lang,
                        f"« {row.get('amount')} » est négatif",
                        f'"{row.get("amount")}" is negative',
                    ),
                    say(self.rows.lang, "écrivez un montant positif", "write a positive amount"),
                )
            funder_t, prog_t = cell_text(row.get("funder")), cell_text(row.get("programme"))
            funder = (
                self.resolve(table, number, self.header(headers, sheet, "funder"), funder_t, ("actor",))
                if funder_t
                else None
            )
            rec_ = (
                self.resolve(table, number, self.header(headers, sheet, "recipient"), recipient, ("actor",))
                if recipient
                else None
            )
            prog = (
                self.resolve(table, number, self.header(headers, sheet, "programme"), prog_t, ("programme",))
                if prog_t
                else None
            )
            sk = "financement-direct"
            if cell_text(row.get("support_kind")):
                sk = (
                    self.concept(
                        table,
                        number,
                        self.header(headers, sheet, "support_kind"),
                        "support-kind",
                        cell_text(row.get("support_kind")) or "",
                    )
                    or ""
                )
            start = self.date(table, number, row, headers, sheet, "debut")
            end = self.date(table, number, row, headers, sheet, "fin")
            themes = self.themes(table, number, row, headers, sheet)
            sources = self.provenance(table, number, row, headers, sheet)
            if (
                not (rec_ or prog)
                or (recipient and not rec_)
                or amount is None
                or problem
                or amount < 0
                or not sk
                or (funder_t and not funder)
                or (prog_t and not prog)
            ):
                continue
            explicit = cell_text(row.get("id"))
            to = rec_[0] if rec_ else prog[0] if prog else ""
            base = f"financement-{funder[0] if funder else 'nc'}-{to}" + (f"-{start[:4]}" if start else "")
            if not explicit:
                seen[base] = seen.get(base, 0) + 1
                if seen[base] > 1:
                    base = f"{base}-{seen[base]}"
            rid = self.own_id("funding", explicit, base, table, number, headers, sheet)
            rec = self.model(
                Funding,
                {
                    "id": rid,
                    "funder": funder[0] if funder else None,
                    "recipient": rec_[0] if rec_ else None,
                    "funded_item": prog[0] if prog else None,
                    "amount_eur": amount,
                    "start": start,
                    "end": end,
                    "description": cell_text(row.get("purpose")),
                    "support_kind": sk,
                    "themes": themes,
                    "sources": sources,
                },
                table,
                number,
                headers,
                sheet,
            )
            if rec is not None:
                self.put("fundings", rec, table, number, headers)
