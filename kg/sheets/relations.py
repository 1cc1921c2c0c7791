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
from kg.sheets.cells import cell_text, parse_amount
from kg.sheets.layout import SHEET_RELATION_KINDS, Sheet, Table
from kg.sheets.places import PlaceReader

__all__ = ["RelationReader"]


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

    def read_relations(self, sheet: Sheet, table: Table, later: list[Callable[[], None]]) -> None:
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
                fix = (
                    "mettez-le dans la feuille Financements (montant obligatoire)"
                    if kind == "financement"
                    else "choisissez un type de la liste : "
                    + ", ".join(self.concepts.label("relation-kind", k) for k in SHEET_RELATION_KINDS)
                )
                self.rows.bad(
                    table,
                    number,
                    kind_header,
                    f"« {kind_text} » : ce type de relation ne s'importe pas depuis la feuille Relations",
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
                    "un soutien doit dire sa nature (colonne « type de soutien »)",
                    "choisissez dans la liste : "
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
    ) -> None:
        h_from, h_to = self.header(headers, sheet, "from"), self.header(headers, sheet, "to")
        start = self.date(table, number, row, headers, sheet, "debut")
        end = self.date(table, number, row, headers, sheet, "fin")
        if kind == "participation":
            a = self.resolve(table, number, h_from, src, ("actor",))
            p = self.resolve(table, number, h_to, dst, ("programme",))
            if role_text and role is None:
                return
            self._participation(sheet, table, number, row, headers, a, p, role or "partenaire", (start, end))
            return
        if kind in ("succession",):
            a = self.resolve(table, number, h_from, src, ("programme",))
            b = self.resolve(table, number, h_to, dst, ("programme",))
            if a and b:
                self.set_attribute(table, number, h_from, "programmes", a[0], "continues", b[0])
            return
        a = self.resolve(table, number, h_from, src, ("actor",))
        b = self.resolve(table, number, h_to, dst, ("actor",))
        if not (a and b) or (row.get("debut") and not start) or (row.get("fin") and not end):
            return
        desc = cell_text(row.get("description"))
        sources = self.provenance(table, number, row, headers, sheet)
        explicit = cell_text(row.get("id"))
        if kind == "fondation":
            self.set_attribute(table, number, h_to, "actors", b[0], "founders", a[0])
        elif kind == "unite":
            self.set_attribute(table, number, h_from, "actors", a[0], "part_of", b[0])
        elif kind == "adhesion":
            rid = self.own_id(
                "membership", explicit, f"adhesion-{a[0]}-{b[0]}", table, number, headers, sheet
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
                return
            rid = self.own_id(
                "support", explicit, f"soutien-{a[0]}-{b[0]}-{sk}", table, number, headers, sheet
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
            rid = self.own_id(
                "programme", explicit, f"partenariat-{a[0]}-{b[0]}", table, number, headers, sheet
            )
            na = self.actor_label(a[0])
            nb = self.actor_label(b[0])
            prog = self.model(
                Programme,
                {
                    "id": rid,
                    "name": f"Partenariat {na} – {nb}",
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
                return
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
            amount, problem = parse_amount(row.get("amount"))
            if problem:
                self.rows.bad(
                    table,
                    number,
                    amount_header,
                    problem,
                    "écrivez un nombre d'euros, virgule décimale acceptée : 12 500,50",
                )
            elif amount is None:
                self.rows.bad(
                    table, number, amount_header, "le montant manque", "écrivez le montant en euros"
                )
            elif amount < 0:
                self.rows.bad(
                    table,
                    number,
                    amount_header,
                    f"« {row.get('amount')} » est négatif",
                    "écrivez un montant positif",
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
