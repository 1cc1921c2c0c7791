"""Planning an import: a workbook → its records → what importing it would add, change or remove.

:func:`plan_import` reads a workbook (:mod:`kg.sheets.read`), converts its rows
(:mod:`kg.sheets.convert`) against what the graph holds (:mod:`kg.sheets.known`), sorts
out the rows that only designate records of the graph, flags probable duplicates and
compares the result with the previous import of the same name. Every bad cell is
collected; if there is any, it raises one :class:`~kg.errors.InputError`. Nothing is
written: :mod:`kg.store.imports` applies a plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kg.errors import InputError, Problem
from kg.ingest.geo import Geography
from kg.ingest.geo_tables import collector_paused
from kg.ingest.imports import (
    IMPORT_KINDS,
    KIND_NAME,
    Imported,
    default_schemes_file,
    edit_import,
    import_doc_id,
    import_graph,
    load_imports,
)
from kg.model.names import normalise
from kg.model.records import Actor, Document
from kg.model.words import euros, kind_word
from kg.sheets.cells import cell_text, say, slugify
from kg.sheets.convert import convert
from kg.sheets.duplicates import report_duplicates
from kg.sheets.known import Known, known_records
from kg.sheets.kumu import with_kumu_extras
from kg.sheets.kumu_read import hand_over
from kg.sheets.layout import (
    LISTS_SHEET,
    README_SHEET,
    Sheet,
    Table,
    load_concepts,
    match_columns,
    match_sheet,
)
from kg.sheets.read import read_tables
from kg.sheets.rows import Rows

__all__ = ["Change", "ImportPlan", "plan_import"]


@dataclass
class Change:
    """One record added, changed or removed by an import."""

    kind: str
    id: str
    label: str
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        extra = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{kind_word(self.kind)} {self.id} « {self.label} »{extra}"


@dataclass
class ImportPlan:
    """What an import would do (or did): the records, the changes, the notices."""

    slug: str
    file: Path
    records: dict[str, list[BaseModel]]
    meta: dict[str, Any]
    added: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    #: rows that designate records already in the graph (curated or another import)
    references: list[str] = field(default_factory=list)
    #: where those records are: ``"curated"`` or an import's slug → how many of the rows
    referenced: dict[str, int] = field(default_factory=dict)
    #: probable duplicates, ignored columns and sheets, skipped example rows, values read with a guess
    warnings: list[str] = field(default_factory=list)
    #: the same warnings, located (file and sheet, row, column, message, fix)
    notices: list[Problem] = field(default_factory=list)
    written: bool = False
    store_updated: bool = False
    graph: str = ""
    #: id of each record → (sheet, row) it comes from, to locate what a later check finds
    located: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False, compare=False)
    #: the records the plan was made against (curated and the other imports), reused when applying it
    known: Known | None = field(default=None, repr=False, compare=False)
    #: the other stored imports the plan was made against
    others: dict[str, Imported] | None = field(default=None, repr=False, compare=False)
    #: the official geography the plan was made against
    geo: Geography | None = field(default=None, repr=False, compare=False)

    @property
    def is_noop(self) -> bool:
        """True when the records are those already stored (provenance aside)."""
        return not (self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.records.items() if v}


def _content(rec: BaseModel) -> dict[str, Any]:
    """A record without its provenance: what an import compares (amounts compared as numbers)."""
    from decimal import Decimal

    out = rec.model_dump(exclude={"sources"})
    for k, v in out.items():
        if isinstance(v, Decimal):
            out[k] = format(v.normalize(), "f")
    return out


def _changed_fields(a: BaseModel, b: BaseModel) -> list[str]:
    da, db = _content(a), _content(b)
    return [k for k in da if da.get(k) != db.get(k)]


def _from_kumu(imports: dict[str, Any], slug: str) -> bool:
    return slug in imports and imports[slug].from_kumu


def _says_otherwise(rec: BaseModel, other: BaseModel, *, untyped: bool = False) -> list[str]:
    """The fields a row designating *other* (a record of another import) fills with something else.

    An empty cell says nothing: a row that names an actor of another import, with its other columns
    empty or identical, cites it (so a Kumu element that only draws a connection's end is a reference);
    nor does the provisional type of a Kumu element without Type (*untyped*).
    """
    mine, theirs = _content(with_kumu_extras(rec, other)), _content(other)
    if untyped:
        mine.pop("types", None)
    return [
        k
        for k, v in mine.items()
        if k != "id"
        and v not in (None, "", [])
        and v != theirs.get(k)
        and not (k == "name" and normalise(str(v)) == normalise(str(theirs.get(k) or "")))
    ]


def _label_of(rec: BaseModel, name: Callable[[str], str] = str) -> str:
    """A readable label: the name or title, or "A → B (role)" for a relation."""
    # the record's fields as stored (pydantic answers a missing attribute through a slow __getattr__)
    fields = rec.__dict__
    own = fields.get("name") or fields.get("title")
    if own:
        return str(own)
    for a, b, extra in (
        ("actor", "programme", "role"),
        ("member", "organisation", "role"),
        ("provider", "beneficiary", "support_kind"),
        ("funder", "recipient", "amount_eur"),
    ):
        if b in fields:
            left = name(fields[a]) if fields.get(a) else "?"
            value = fields.get(extra)
            suffix = f" ({euros(value)})" if extra == "amount_eur" else (f" ({value})" if value else "")
            return f"{left} → {name(fields[b])}{suffix}"
    return str(rec.id)  # type: ignore[attr-defined]


#: the columns of an actor row, to tell whether a row repeats a curated actor or says something else
_ACTOR_SHEET_FIELDS = (
    "name",
    "types",
    "description",
    "themes",
    "located_in",
    "siren",
    "siret",
    "rna",
    "homepage",
)


#: the columns of the Acteurs sheet, by the record field they fill
_FIELD_FR = {
    "name": "nom",
    "types": "type",
    "themes": "thèmes",
    "located_in": "commune",
    "homepage": "site web",
    "siren": "SIREN",
    "siret": "SIRET",
    "rna": "RNA",
}


def _digest(path: Path) -> str:
    """SHA-256 of the file, or of a folder's files (names and contents, in name order)."""
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.iterdir()):
            if p.is_file():
                h.update(p.name.encode() + b"\0" + p.read_bytes())
    else:
        h.update(path.read_bytes())
    return h.hexdigest()


def _read_slug_from_readme(tables: list[Table]) -> str | None:
    for t in tables:
        if normalise(t.name) != normalise(README_SHEET):
            continue
        for row in [t.headers] + [list(r) for _, r in t.rows]:
            if row and normalise(str(row[0] or "")) == "import":
                value = next((cell_text(v) for v in row[1:] if cell_text(v)), None)
                return slugify(value) if value else None
    return None


@collector_paused()  # ~10^6 cells, rows and records made, none of them garbage
def plan_import(
    path: str | Path,
    data_dir: str | Path = "data",
    *,
    name: str | None = None,
    schemes_file: str | Path | None = None,
    geo: Geography | None = None,
    known: Known | None = None,
    now: str | None = None,
    lang: str = "fr",
) -> ImportPlan:
    """Read a spreadsheet and say what importing it would do, without writing anything.

    Parameters
    ----------
    path : path
        An ``.xlsx``, ``.ods`` or ``.csv`` file, or a folder or ``.zip`` of CSV files (one per sheet).
    data_dir : path
        Holds ``curated/``, ``geo/``, ``sources/`` and ``imports/``.
    name : str, optional
        Name of the import (its folder and named graph). Default: the name written in the
        read-me sheet of a workbook exported from an import, else the file name.
    schemes_file : path, optional
        The SKOS schemes (default: ``ontology/schemes.ttl`` beside *data_dir*).
    geo : Geography, optional
        The official geography (default: loaded from ``<data_dir>/geo``).
    known : Known, optional
        The records already in the graph (default: curated data and the other imports).
    now : str, optional
        Time of the import (ISO); now by default.
    lang : str
        Language of the messages and warnings: ``"fr"`` (default) or ``"en"``.

    Returns
    -------
    ImportPlan

    Raises
    ------
    InputError
        Every bad cell at once, each with sheet, row, column, value and fix; its summary
        says how many and that nothing was written.
    """
    from kg.ingest.geo import load_geography

    path, data_dir = Path(path), Path(data_dir)
    rows = Rows(lang)
    read_notices: list[Problem] = []
    tables = read_tables(path, read_notices, lang)
    for p in read_notices:
        rows.note(p)
    slug = slugify(name) if name else (_read_slug_from_readme(tables) or slugify(path.stem))
    if not slug:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    say(
                        lang,
                        "impossible de tirer un nom d'import du nom du fichier",
                        "no import name in the file name",
                    ),
                    say(lang, "passez --nom mon-territoire", "pass --name my-territory"),
                    lang=lang,
                )
            ],
            say(
                lang,
                f"{path.name} : pas de nom d'import ; rien n'a été écrit",
                f"{path.name}: no import name; nothing was written",
            ),
        )
    schemes = Path(schemes_file) if schemes_file else default_schemes_file(data_dir)
    concepts = load_concepts(schemes)
    geo = geo or load_geography(data_dir / "geo")
    all_imports = load_imports(data_dir)
    previous = all_imports.pop(slug, None)
    known = known or known_records(data_dir, skip=slug, imports=all_imports)
    matched: list[tuple[Sheet, Table]] = []
    quiet = {normalise(README_SHEET), normalise(LISTS_SHEET), "read me", "readme"}
    for t in tables:
        s = match_sheet(t)
        if "(ignore)" in t.name.lower():
            rows.warn(
                t.where_in(lang),
                None,
                None,
                say(
                    lang,
                    "feuille ignorée : « (ignore) » dans son nom, comme chez Kumu",
                    'sheet ignored: "(ignore)" in its name, as in Kumu',
                ),
            )
            continue
        if t.hidden and normalise(t.name) not in quiet:
            rows.warn(
                t.where_in(lang),
                None,
                None,
                say(lang, "feuille masquée : elle n'est pas importée", "hidden sheet: it is not imported"),
                say(
                    lang,
                    "si elle doit l'être, affichez-la (clic droit sur les onglets > Afficher) et importez de nouveau",
                    "if it should be, unhide it and import again",
                ),
            )
            continue
        if s is None:
            if normalise(t.name) not in quiet:
                rows.warn(
                    t.where_in(lang),
                    None,
                    None,
                    say(
                        lang,
                        "feuille ignorée (ni Acteurs, Relations, Programmes, Partenaires, Financements ni Sources)",
                        "sheet ignored (none of Actors, Relations, Programmes, Partners, Fundings, Sources)",
                    ),
                    say(
                        lang,
                        "renommez-la comme une feuille du modèle, ou donnez-lui les en-têtes du modèle",
                        "rename it as a sheet of the template, or give it the template's headers",
                    ),
                )
            continue
        matched.append((s, t))
    if not matched:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    say(
                        lang,
                        "aucune feuille reconnue : " + ", ".join(f"« {t.name} »" for t in tables),
                        "no sheet recognised: " + ", ".join(f'"{t.name}"' for t in tables),
                    ),
                    say(
                        lang,
                        "nommez les feuilles Acteurs, Relations, Programmes, Partenaires, Financements, "
                        "Sources (ou partez de `kg template`)",
                        "name the sheets Acteurs, Relations, Programmes, Partenaires, Financements, Sources "
                        "(or start from `kg template`)",
                    ),
                    lang=lang,
                )
            ],
            say(
                lang,
                f"{path.name} : aucune feuille reconnue ; rien n'a été écrit",
                f"{path.name}: no sheet recognised; nothing was written",
            ),
        )
    conv = convert(slug, path.name, matched, known, concepts, geo, rows)
    # rows that designate records of the graph: references, unless they say something new
    own: dict[str, list[BaseModel]] = {k: [] for k in IMPORT_KINDS}
    references: list[str] = []
    referenced: dict[str, int] = {}
    for name_, items in conv.records.items():
        for rid, rec in items.items():
            hit = known.index.get(rid) if name_ != "documents" else None
            if hit is None:
                own[name_].append(rec)
                continue
            kind, other, owner = hit
            table, number = conv.where[rid]
            if kind != KIND_NAME[name_]:
                rows.bad(
                    table,
                    number,
                    "id",
                    say(
                        lang,
                        f"l'id « {rid} » est déjà celui d'un {kind_word(kind)} du graphe",
                        f'the id "{rid}" is already that of a {kind_word(kind, "en")} of the graph',
                    ),
                    say(lang, "donnez un autre id (colonne id)", "give another id (id column)"),
                )
                continue
            where = "les données curées" if owner == "curated" else f"l'import « {owner} »"
            says = [] if owner == "curated" else _says_otherwise(rec, other, untyped=rid in conv.kumu.untyped)
            if not says:
                referenced[owner] = referenced.get(owner, 0) + 1
            if owner == "curated":
                differs = [
                    f
                    for f in _ACTOR_SHEET_FIELDS
                    if isinstance(rec, Actor)
                    and getattr(rec, f) != getattr(other, f)
                    and getattr(rec, f) not in (None, [])
                ]
                references.append(
                    f"{table.where}, ligne {number} : « {_label_of(rec)} » est déjà dans "
                    f"{where} ({rid})"
                    + ("; les autres colonnes de la ligne sont ignorées" if differs else "")
                )
                if differs:  # what the row says beyond the curated record is not imported: said, not silent
                    rows.warn(
                        table,
                        number,
                        None,
                        say(
                            lang,
                            f"« {_label_of(rec)} » est déjà dans les données curées ({rid}) : ce que la ligne "
                            f"en dit d'autre ({', '.join(_FIELD_FR.get(f, f) for f in differs)}) n'est pas importé",
                            f'"{_label_of(rec)}" is already in the curated data ({rid}): what the row says '
                            f"otherwise ({', '.join(differs)}) is not imported",
                        ),
                        say(
                            lang,
                            "les données curées font foi ; pour les corriger, signalez-le à l'équipe du projet",
                            "the curated data is authoritative; to correct it, tell the project's team",
                        ),
                    )
            elif not says:
                references.append(
                    f"{table.where}, ligne {number} : « {_label_of(rec)} » est déjà dans {where} ({rid})"
                )
            else:
                said = ", ".join(says)
                edit = edit_import(owner, lang, kumu=_from_kumu(all_imports, owner))
                rows.bad(
                    table,
                    number,
                    "id",
                    say(
                        lang,
                        f"« {_label_of(rec)} » ({rid}) appartient à {where} et cette ligne le "
                        f"modifie ({said})",
                        f'"{_label_of(rec)}" ({rid}) belongs to the import "{owner}" and this row changes it '
                        f"({said})",
                    ),
                    # never "--nom <that import>": importing this file under another catalyst's name would
                    # replace (and so delete) that catalyst's records; the record is changed in its own import,
                    # from that import's export (export, edit, re-import)
                    say(
                        lang,
                        "ne le décrivez pas ici : videz les autres colonnes de cette ligne (ou retirez-la) et "
                        "citez-le par son nom ou son id dans vos autres feuilles (Relations, Partenaires, "
                        "Financements, Connections) ; pour le modifier, c'est dans "
                        f"l'import « {owner} » : {edit} ; si c'est un autre acteur, donnez-lui son propre id",
                        "do not describe it here: empty the other columns of this row (or remove it) and cite it "
                        "by its name or id in your other sheets (Relations, Partners, Fundings, Connections); to "
                        "change it, do so in the import "
                        f'"{owner}": {edit}; if it is another actor, give it its own id',
                    ),
                )
    hand_over(conv.kumu, own, known, conv.where, references, rows)
    name_headers = {
        t.name: next((t.headers[i] for i, k in match_columns(t.headers, sh)[0].items() if k == "name"), "nom")
        for sh, t in matched
        if sh.key == "actors"
    }
    report_duplicates(own["actors"], known, conv.where, name_headers, rows)
    if rows.problems:
        n = len(rows.problems)
        raise InputError(
            rows.problems,
            say(
                lang,
                f"{n} problème{'s' if n > 1 else ''} dans {path.name} ; rien n'a été écrit",
                f"{n} problem{'s' if n > 1 else ''} in {path.name}; nothing was written",
            ),
        )
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    file_doc = Document(
        id=import_doc_id(slug),
        title=f"Tableur « {path.name} »",
        genre="spreadsheet",
        issued=now[:10],
        description=f"Tableur importé par `kg import` le {now[:10]}.",
    )
    own["documents"] = [file_doc] + own["documents"]
    meta = {
        "slug": slug,
        # a folder of CSV files is kept as a zip of them (kg.ingest.imports.staged_import)
        "file": f"{path.name}.zip" if path.is_dir() else path.name,
        "imported_at": now,
        "sha256": _digest(path),
    }
    plan = ImportPlan(
        slug,
        path,
        own,
        meta,
        references=references,
        referenced=referenced,
        warnings=rows.warnings,
        notices=rows.notices,
        graph=import_graph(slug),
    )
    plan.known, plan.others, plan.geo = known, all_imports, geo
    plan.located = {rid: (table.where, number) for rid, (table, number) in conv.where.items()}
    names = {rid: _label_of(r) for k, items in own.items() for r in items for rid in [r.id]}  # type: ignore[attr-defined]

    def name_of(rid: str) -> str:
        if rid in names:
            return names[rid]
        hit = known.index.get(rid) or (previous.index().get(rid) if previous else None)
        return _label_of(hit[1]) if hit else rid

    old = previous.index() if previous else {}
    for name_ in IMPORT_KINDS:
        if name_ == "documents":
            continue
        for item in own[name_]:
            record: Any = item
            before = old.pop(record.id, None)
            kind = KIND_NAME[name_]
            if before is None:
                plan.added.append(Change(kind, record.id, _label_of(record, name_of)))
            elif _content(before[1]) != _content(record):
                plan.changed.append(
                    Change(
                        kind,
                        record.id,
                        _label_of(record, name_of),
                        _changed_fields(before[1], record),
                    )
                )
            else:
                plan.unchanged += 1
    for rid, (kind, rec) in old.items():
        plan.removed.append(Change(kind, rid, _label_of(rec, name_of)))
    return plan
