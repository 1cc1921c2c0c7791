"""Workbook tables → records: the rows of the recognised sheets become pydantic records.

:func:`convert` runs a :class:`Converter` over the sheets in order (Sources, Acteurs,
Programmes, Relations, Partenaires, Financements): each row becomes the same records
as the curated data (:mod:`kg.model.records`), names are resolved against the workbook
and then the graph (:class:`kg.sheets.known.Known`), and actors are placed in the
official geography. Every bad cell is reported to :class:`kg.sheets.rows.Rows`; the
caller decides what to do with them (:func:`kg.sheets.plan.plan_import`).

The cell readers are in :mod:`kg.sheets.rows`, the communes in :mod:`kg.sheets.places`,
the relation sheets in :mod:`kg.sheets.relations`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from kg.ingest.geo import Geography
from kg.ingest.imports import IMPORT_KINDS, KIND_NAME, NAME_OF_KIND, import_doc_id
from kg.model.identifiers import rna_problem, siren_problem, siret_problem
from kg.model.names import closest, did_you_mean, normalise, suggestion
from kg.model.records import Actor, Document, Programme, Source
from kg.model.territories import parse_territory
from kg.model.words import kind_word
from kg.sheets.cells import cell_text, parse_code, parse_list, say, slugify
from kg.sheets.known import Known, names_of
from kg.sheets.kumu import KumuBook
from kg.sheets.kumu_read import KumuReader
from kg.sheets.layout import Concepts, Sheet, Table
from kg.sheets.rows import Rows

__all__ = ["Converter", "convert"]

_IDENT_FR = {
    "SIREN": (
        siren_problem,
        9,
        "copiez les 9 chiffres depuis l'annuaire des entreprises (annuaire-entreprises.data.gouv.fr)",
    ),
    "SIRET": (siret_problem, 14, "copiez les 14 chiffres depuis l'annuaire des entreprises"),
}


_IDENT_EN = {
    "SIREN": "copy the 9 digits from the companies' directory (annuaire-entreprises.data.gouv.fr)",
    "SIRET": "copy the 14 digits from the companies' directory",
}


def _ident_fr(what: str, value: str, en: str, lang: str = "fr") -> str:
    """The identifier checker's message (*en*) as a catalyst reads it, in French unless *lang* is ``"en"``."""
    if lang == "en":
        return en
    if "digits; a" in en and "has" in en:
        n = len(value)
        return f"« {value} » a {n} chiffre{'s' if n > 1 else ''} ; un {what} en a {_IDENT_FR[what][1]}"
    if "check digit" in en or "check (sum" in en:
        return f"« {value} » : la clé de contrôle du {what} est fausse, sans doute une faute de frappe"
    if "other than digits" in en:
        return f"« {value} » contient autre chose que des chiffres"
    return f"« {value} » n'est pas un {what} valide"


class Converter(KumuReader):
    """Rows of the recognised sheets → records (one instance per import)."""

    def __init__(
        self,
        slug: str,
        filename: str,
        tables: list[tuple[Sheet, Table]],
        known: Known,
        concepts: Concepts,
        geo: Geography,
        rows: Rows,
    ) -> None:
        self.slug, self.filename, self.tables = slug, filename, tables
        self.known, self.concepts, self.geo, self.rows = known, concepts, geo, rows
        self.records: dict[str, dict[str, BaseModel]] = {k: {} for k in IMPORT_KINDS}
        #: id → (table, row) where the record comes from
        self.where: dict[str, tuple[Table, int]] = {}
        #: own names → ids, by kind
        self.names: dict[str, dict[str, list[str]]] = {"actor": {}, "programme": {}}
        self.sources: dict[str, str] = {}  # id, slug of title, normalised title → document id
        self.refs: list[str] = []
        #: normalised names and ids of rows that failed: references to them are not reported again
        self.failed: set[str] = set()
        #: ids of the rows that designate records already in the graph, by kind
        self.referenced: dict[str, str] = {}
        #: what Kumu sheets say beyond the records
        self.kumu = KumuBook()
        self.person_ids: dict[str, str] = {}

    def provenance(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet) -> list[Source]:
        out = [Source(doc=import_doc_id(self.slug), quote=f"Feuille {table.name}, ligne {number}")]
        src = cell_text(row.get("source"))
        if src:
            doc = (
                self.sources.get(src)
                or self.sources.get(slugify(src))
                or self.sources.get(normalise(src))
                or self.known.documents.get(normalise(src))
            )
            if doc is None:
                self.rows.bad(
                    table,
                    number,
                    self.header(headers, sheet, "source"),
                    say(
                        self.rows.lang,
                        f"« {src} » n'est ni le titre ni l'id d'une ligne de la feuille Sources",
                        f'"{src}" is neither the title nor the id of a row of the Sources sheet',
                    ),
                    did_you_mean(
                        src,
                        {  # one spelling per source: its title (first written) rather than its key
                            normalise(k): k for k in reversed(self.sources) if " " in k or "-" not in k
                        }.values(),
                        self.rows.lang,
                    )
                    or say(
                        self.rows.lang,
                        "ajoutez-la à la feuille Sources, ou videz la cellule",
                        "add it to the Sources sheet, or empty the cell",
                    ),
                )
            else:
                out.append(Source(doc=doc, quote=f"Cité par la feuille {table.name}, ligne {number}"))
        return out

    def own_id(
        self,
        kind: str,
        explicit: str | None,
        base: str,
        table: Table,
        number: int,
        headers: dict,
        sheet: Sheet,
    ) -> str | None:
        rid = slugify(explicit) if explicit else base
        if not rid:
            self.rows.bad(
                table,
                number,
                headers.get("id", "id"),
                "impossible de calculer un identifiant",
                "donnez un nom avec au moins une lettre ou un chiffre, ou remplissez la colonne id",
            )
            return None
        return rid

    def put(self, name: str, rec: BaseModel, table: Table, number: int, headers: dict) -> None:
        rid = rec.id  # type: ignore[attr-defined]
        for other_name, items in self.records.items():
            if rid in items:
                t, n = self.where[rid]
                lang = self.rows.lang
                what = (
                    say(lang, "deux lignes décrivent le même", "two rows describe the same")
                    if other_name == name
                    else say(lang, "cet id est déjà pris par", "this id is already taken by")
                )
                self.rows.bad(
                    table,
                    number,
                    headers.get("id", "id"),
                    f"{what} {kind_word(KIND_NAME[other_name], lang)} "
                    + say(lang, f"« {rid} » ({t.where}, ligne {n})", f'"{rid}" ({t.where}, row {n})'),
                    say(
                        lang,
                        "fusionnez les deux lignes, ou donnez à chacune son propre id (colonne id)",
                        "merge the two rows, or give each its own id (id column)",
                    ),
                )
                return
        self.records[name][rid] = rec
        self.where[rid] = (table, number)
        for alias in names_of(rec):
            ids = self.names.setdefault(KIND_NAME[name], {}).setdefault(normalise(alias), [])
            ids.append(rid)

    def resolve(
        self, table: Table, number: int, header: str, value: str, kinds: tuple[str, ...]
    ) -> tuple[str, str] | None:
        """(id, kind) of the actor or programme a cell names: own rows first, then the graph."""
        slug, key = slugify(value), normalise(value)
        if key in self.failed or slug in self.failed or value in self.failed:
            return None  # a row of this file that is already reported
        for kind in kinds:  # an id of this workbook
            name = NAME_OF_KIND[kind]
            for rid in (value, slug):
                if rid in self.records[name]:
                    return rid, kind
        for kind in kinds:  # a name of this workbook
            ids = self.names.get(kind, {}).get(key, [])
            if len(ids) == 1:
                return ids[0], kind
            if len(ids) > 1:
                self.rows.bad(
                    table,
                    number,
                    header,
                    say(
                        self.rows.lang,
                        f"« {value} » désigne plusieurs lignes : {', '.join(ids)}",
                        f'"{value}" names several rows: {", ".join(ids)}',
                    ),
                    say(
                        self.rows.lang,
                        "écrivez l'id de celle que vous voulez",
                        "write the id of the one you mean",
                    ),
                )
                return None
        for rid in (value, slug):  # an id of the graph
            hit = self.known.index.get(rid)
            if hit and hit[0] in kinds:
                return rid, hit[0]
        ids = [i for i in self.known.names.get(key, []) if self.known.index[i][0] in kinds]
        if len(ids) == 1:
            return ids[0], self.known.index[ids[0]][0]
        if len(ids) > 1:
            self.rows.bad(
                table,
                number,
                header,
                say(
                    self.rows.lang,
                    f"« {value} » désigne plusieurs {kind_word(kinds[0])}s du graphe : {', '.join(ids)}",
                    f'"{value}" names several {kind_word(kinds[0], "en")}s of the graph: {", ".join(ids)}',
                ),
                say(
                    self.rows.lang,
                    "écrivez l'id de celui que vous voulez",
                    "write the id of the one you mean",
                ),
            )
            return None
        lang = self.rows.lang
        what = say(lang, " ou ", " or ").join(kind_word(k, lang) for k in kinds)
        candidates = [n for k in kinds for n in self.names.get(k, {})]
        pretty = {
            normalise(getattr(r, "name", "")): getattr(r, "name", "")
            for _, r in (self.records["actors"] | self.records["programmes"]).items()
        }
        for _rid, (kind, rec, _) in self.known.index.items():
            if kind in kinds:
                pretty[normalise(rec.name)] = rec.name  # type: ignore[attr-defined]
                candidates.append(normalise(rec.name))  # type: ignore[attr-defined]
        hint = suggestion([pretty.get(c, c) for c in closest(key, candidates)], lang)
        self.rows.bad(
            table,
            number,
            header,
            say(
                lang,
                f"aucun {what} ne s'appelle « {value} » (ni dans ce fichier ni dans le graphe)",
                f'no {what} is called "{value}" (neither in this file nor in the graph)',
            ),
            hint
            or say(
                lang,
                f"ajoutez-le à la feuille {'Acteurs' if 'actor' in kinds else 'Programmes'} ou corrigez le nom",
                f"add it to the {'Acteurs' if 'actor' in kinds else 'Programmes'} sheet or correct the name",
            ),
        )
        return None

    # -- sheets
    def read_sources(self, sheet: Sheet, table: Table) -> None:
        for number, row, headers in self.cells(sheet, table):
            title = self.required(table, number, row, headers, sheet, "title")
            if not title:
                continue
            sid = slugify(cell_text(row.get("id")) or title)
            issued = self.date(table, number, row, headers, sheet, "date")
            url = cell_text(row.get("url"))
            doc = self.model(
                Document,
                {
                    "id": import_doc_id(self.slug, sid),
                    "title": title,
                    "genre": "webpage" if url else "report",
                    "issued": issued,
                    "url": url,
                    "description": f"Source citée par le fichier {self.filename} (feuille "
                    f"{table.name}, ligne {number}).",
                },
                table,
                number,
                headers,
                sheet,
            )
            if doc is None:
                continue
            if doc.id in self.records["documents"]:  # type: ignore[attr-defined]
                self.rows.bad(
                    table,
                    number,
                    headers.get("id", "titre"),
                    say(
                        self.rows.lang, f"deux sources ont l'id « {sid} »", f'two sources have the id "{sid}"'
                    ),
                    say(
                        self.rows.lang,
                        "donnez à chacune son propre titre ou id",
                        "give each its own title or id",
                    ),
                )
                continue
            self.records["documents"][doc.id] = doc  # type: ignore[attr-defined]
            for k in (sid, cell_text(row.get("id")) or sid, title, normalise(title)):
                self.sources.setdefault(k, doc.id)  # type: ignore[attr-defined]

    def read_actors(self, sheet: Sheet, table: Table) -> None:
        kumu = self.kumu_table(sheet, table)
        pending: list[tuple[int, dict, dict, str, bool]] = []
        for number, row, headers in self.cells(sheet, table):
            name = self.required(table, number, row, headers, sheet, "name")
            if not name:
                continue
            explicit = cell_text(row.get("id"))
            rid = None
            if not explicit:  # the name of an actor already in the graph designates it
                ids = [
                    i for i in self.known.names.get(normalise(name), []) if self.known.index[i][0] == "actor"
                ]
                rid = ids[0] if len(ids) == 1 else None
            rid = rid or self.own_id("actor", explicit, slugify(name), table, number, headers, sheet)
            if rid:
                pending.append((number, row, headers, rid, bool(explicit)))
            else:
                self.failed.add(normalise(name))
        # the same derived id on two rows: different communes → name + commune code; same commune → a duplicate
        counts: dict[str, int] = {}
        for _, _, _, rid, given in pending:
            if not given:
                counts[rid] = counts.get(rid, 0) + 1
        for number, row, headers, rid, given in pending:
            located = self.commune(table, number, row, headers, sheet)
            if not given and counts[rid] > 1 and rid not in self.known.index and located:
                rid = f"{rid}-{parse_territory(located).code.lower()}"
            types: list[str] = []
            extra = None
            if kumu:
                element = self.kumu_element(table, number, row, headers, sheet, rid)
                if element is None:  # a person
                    continue
                types, extra = element
            for v in [] if kumu else parse_list(row.get("types")):
                n = self.concept(table, number, self.header(headers, sheet, "types"), "actor-type", v)
                if n and n not in types:
                    types.append(n)
            if not types:
                if cell_text(row.get("types")) is None:
                    self.rows.bad(
                        table,
                        number,
                        self.header(headers, sheet, "types"),
                        "le type d'acteur manque",
                        "choisissez un type dans la liste (Association, Entreprise, Commune…)",
                    )
                self.failed.update((rid, normalise(str(cell_text(row.get("name"))))))
                continue
            data: dict[str, Any] = {
                "id": rid,
                "name": cell_text(row.get("name")),
                "types": types,
                "description": cell_text(row.get("description")),
                "themes": self.themes(table, number, row, headers, sheet),
                "located_in": located,
                "homepage": self.url(table, number, row, headers, sheet),
                "sources": self.provenance(table, number, row, headers, sheet),
            }
            ok = True
            for key, what in (("siren", "SIREN"), ("siret", "SIRET")):
                code = parse_code(row.get(key))
                if code is not None:
                    problem = _IDENT_FR[what][0](code)
                    if problem:
                        self.rows.bad(
                            table,
                            number,
                            self.header(headers, sheet, key),
                            _ident_fr(what, code, problem, self.rows.lang),
                            say(self.rows.lang, _IDENT_FR[what][2], _IDENT_EN[what]),
                        )
                        ok = False
                    data[key] = code
            rna = cell_text(row.get("rna"))
            if rna is not None:
                rna = rna.replace(" ", "")
                problem = rna_problem(rna)
                if problem:
                    self.rows.bad(
                        table,
                        number,
                        self.header(headers, sheet, "rna"),
                        say(self.rows.lang, f"« {rna} » n'est pas un numéro RNA", f'"{rna}": {problem}'),
                        say(
                            self.rows.lang,
                            "écrivez W suivi de 9 chiffres, comme sur le Journal officiel (W943001234)",
                            "write W and 9 digits, as in the Journal officiel (W943001234)",
                        ),
                    )
                    ok = False
                data["rna"] = rna
            if data.get("siren") and data.get("siret") and not data["siret"].startswith(data["siren"]) and ok:
                self.rows.bad(
                    table,
                    number,
                    self.header(headers, sheet, "siret"),
                    say(
                        self.rows.lang,
                        f"le SIRET « {data['siret']} » ne commence pas par le SIREN « {data['siren']} »",
                        f'the SIRET "{data["siret"]}" does not start with the SIREN "{data["siren"]}"',
                    ),
                    say(
                        self.rows.lang,
                        "un SIRET est le SIREN suivi de 5 chiffres : corrigez l'un des deux",
                        "a SIRET is the SIREN and 5 digits: correct one of them",
                    ),
                )
                ok = False
            rec = (
                self.model(
                    Actor,
                    {k: v for k, v in data.items() if v not in (None, [])} | {"types": types},
                    table,
                    number,
                    headers,
                    sheet,
                )
                if ok and data["name"]
                else None
            )
            if rec is not None:
                self.put("actors", rec, table, number, headers)
                if extra is not None and extra != type(extra)():
                    self.kumu.elements[rid] = extra
            else:
                self.failed.update((rid, normalise(str(data["name"]))))

    def read_programmes(self, sheet: Sheet, table: Table) -> None:
        for number, row, headers in self.cells(sheet, table):
            name = self.required(table, number, row, headers, sheet, "name")
            if not name:
                continue
            explicit = cell_text(row.get("id"))
            rid = None
            if not explicit:
                ids = [
                    i
                    for i in self.known.names.get(normalise(name), [])
                    if self.known.index[i][0] == "programme"
                ]
                rid = ids[0] if len(ids) == 1 else None
            rid = rid or self.own_id("programme", explicit, slugify(name), table, number, headers, sheet)
            ptype = "programme"
            if cell_text(row.get("type")):
                ptype = (
                    self.concept(
                        table,
                        number,
                        self.header(headers, sheet, "type"),
                        "project-type",
                        cell_text(row.get("type")) or "",
                    )
                    or ""
                )
            data = {
                "id": rid,
                "name": name,
                "type": ptype,
                "description": cell_text(row.get("description")),
                "themes": self.themes(table, number, row, headers, sheet),
                "start": self.date(table, number, row, headers, sheet, "debut"),
                "end": self.date(table, number, row, headers, sheet, "fin"),
                "homepage": self.url(table, number, row, headers, sheet),
                "sources": self.provenance(table, number, row, headers, sheet),
            }
            rec = (
                self.model(
                    Programme,
                    {k: v for k, v in data.items() if v not in (None, [])},
                    table,
                    number,
                    headers,
                    sheet,
                )
                if rid and ptype
                else None
            )
            if rec is not None:
                self.put("programmes", rec, table, number, headers)
            else:
                self.failed.update((str(rid), normalise(name)))

    def actor_label(self, rid: str) -> str:
        """The name of the actor *rid* (of this workbook or of the graph)."""
        rec = self.records["actors"].get(rid)
        if rec is None and rid in self.known.index:
            rec = self.known.index[rid][1]
        return getattr(rec, "name", rid)

    def set_attribute(
        self, table: Table, number: int, header: str, name: str, rid: str, fieldname: str, value: str
    ) -> None:
        """A relation stated as a field of a record (founders, part_of, continues)."""
        rec = self.records[name].get(rid)
        if rec is None:
            other = self.known.index.get(rid)
            current = getattr(other[1], fieldname, None) if other else None
            if current == value or (isinstance(current, list) and value in current):
                return  # already so in the graph
            self.rows.bad(
                table,
                number,
                header,
                say(
                    self.rows.lang,
                    f"« {rid} » est décrit ailleurs "
                    f"({'données curées' if other and other[2] == 'curated' else 'un autre import'}) : "
                    "cette relation ne peut pas le modifier",
                    f'"{rid}" is described elsewhere '
                    f"({'curated data' if other and other[2] == 'curated' else 'another import'}): "
                    "this relation cannot change it",
                ),
                say(
                    self.rows.lang,
                    "ne gardez que les relations dont l'acteur (ou le programme) modifié est dans ce fichier",
                    "keep only the relations whose changed actor (or programme) is in this file",
                ),
            )
            return
        if fieldname == "founders":
            if value not in rec.founders:  # type: ignore[attr-defined]
                rec.founders.append(value)  # type: ignore[attr-defined]
        else:
            setattr(rec, fieldname, value)

    def run(self) -> None:
        order = ("sources", "actors", "programmes", "relations", "partners", "fundings")
        later: list[Callable[[], object]] = []
        for key in order:
            for sheet, table in self.tables:
                if sheet.key != key:
                    continue
                if key == "relations" and self.kumu_table(sheet, table):
                    self.read_kumu_connections(sheet, table, later)
                elif key == "relations":
                    self.read_relations(sheet, table, later)
                elif key == "partners":
                    for f in later:
                        f()
                    later = []
                    self.read_partners(sheet, table)
                else:
                    getattr(self, f"read_{key}")(sheet, table)
            if key == "partners":
                for f in later:
                    f()
                later = []
        self.kumu_summary(self.tables)
        self.rows.flush()


def convert(
    slug: str,
    filename: str,
    tables: list[tuple[Sheet, Table]],
    known: Known,
    concepts: Concepts,
    geo: Geography,
    rows: Rows,
) -> Converter:
    """Convert the recognised sheets of the workbook *filename* (import *slug*); problems go to *rows*.

    Returns
    -------
    Converter
        ``records`` (kind name → id → record) and ``where`` (id → (table, row)).
    """
    conv = Converter(slug, filename, tables, known, concepts, geo, rows)
    conv.run()
    return conv
