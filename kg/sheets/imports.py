"""Importing a catalyst's spreadsheet: rows → records → its own named graph, checked first, written at once.

:func:`plan_import` reads a workbook (:mod:`kg.sheets.workbook`), turns each row into the
same pydantic records as the curated data (:mod:`kg.model.records`), resolves every name
against the workbook and the graph (curated records and the other imports), links actors
to the official geography, and compares the result with the previous import of the same
name: what would be added, changed, removed. Every bad cell is collected; if there is
any, it raises one :class:`~kg.errors.InputError` and nothing is written.

:func:`apply_import` then stores the normalised import under ``data/imports/<slug>/``
(``records.yaml`` and a copy of the original file) and replaces the named graph
``graph:import/<slug>`` of the store in one SPARQL update (one transaction).
:func:`imported_quads` gives the quads of every stored import, so ``kg build``, which
rebuilds the store from ``data/``, keeps them. See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kg.errors import InputError, Problem, StoreError
from kg.ingest.geo import Geography, commune_by_code, find_communes, normalise_name
from kg.model import iris
from kg.model.identifiers import insee_commune_problem, rna_problem, siren_problem, siret_problem
from kg.model.paths import ONTOLOGY_DIR
from kg.model.records import (
    RECORD_TYPES,
    Actor,
    Document,
    Funding,
    Membership,
    Participation,
    Programme,
    Source,
    Support,
)
from kg.sheets.workbook import (
    EXAMPLE_ID_PREFIX,
    README_SHEET,
    RELATION_KINDS,
    Concepts,
    Sheet,
    Table,
    cell_text,
    load_concepts,
    match_columns,
    match_sheet,
    parse_amount,
    parse_code,
    parse_date,
    parse_list,
    read_tables,
    slugify,
)

__all__ = [
    "IMPORTS_DIR",
    "Change",
    "ImportPlan",
    "Imported",
    "Known",
    "apply_import",
    "import_file",
    "import_graph",
    "imported_quads",
    "load_imports",
    "plan_import",
    "remove_import",
]

#: folder of the stored imports, under the data folder
IMPORTS_DIR = "imports"
RECORDS_FILE = "records.yaml"
#: the kinds of records an import holds, in the order they are stored
IMPORT_KINDS = ("documents", "actors", "programmes", "participations", "memberships", "fundings", "supports")
_KIND_NAME = {
    "documents": "document",
    "actors": "actor",
    "programmes": "programme",
    "participations": "participation",
    "memberships": "membership",
    "fundings": "funding",
    "supports": "support",
}
_NAME_OF_KIND = {v: k for k, v in _KIND_NAME.items()}
_FR_KIND = {
    "actor": "acteur",
    "programme": "programme",
    "participation": "participation",
    "membership": "adhésion",
    "funding": "financement",
    "support": "soutien",
    "document": "source",
    "person": "personne",
}


def import_graph(slug: str) -> str:
    """IRI of the named graph of the import *slug* (``graph:import/<slug>``)."""
    if not iris.is_slug(slug):
        raise ValueError(f"{slug!r} is not a valid import name")
    return iris.graph(f"import/{slug}")


def _copy_name(slug: str, original: str) -> str:
    """Name of the copy of the imported file in ``data/imports/<slug>/``: ``<slug><suffix>``."""
    suffix = Path(original).suffix.lower()
    return f"{slug}{suffix if suffix in ('.xlsx', '.xlsm', '.ods', '.csv', '.tsv', '.txt') else '.bin'}"


def _doc_id(slug: str, source: str | None = None) -> str:
    return f"import-{slug}" if source is None else f"import-{slug}.{source}"


# --------------------------------------------------------------------------- stored imports


@dataclass
class Imported:
    """One stored import: its name, metadata and records by kind (names of :data:`kg.model.records.RECORD_TYPES`)."""

    slug: str
    meta: dict[str, Any]
    records: dict[str, list[BaseModel]]
    folder: Path | None = None

    def all(self) -> Iterable[tuple[str, BaseModel]]:
        for name in IMPORT_KINDS:
            for rec in self.records.get(name, []):
                yield _KIND_NAME[name], rec

    def index(self) -> dict[str, tuple[str, BaseModel]]:
        return {rec.id: (kind, rec) for kind, rec in self.all() if kind != "document"}  # type: ignore[attr-defined]


def _dump_records(imp: Imported) -> str:
    """The import as YAML: one block mapping per record, values in JSON flow style (valid YAML, fast to write)."""
    lines = [
        "# Import of a spreadsheet by `kg import` (do not edit by hand: edit the spreadsheet and import it again).",
        "import:",
    ]
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in imp.meta.items()]
    for name in IMPORT_KINDS:
        items = imp.records.get(name, [])
        if not items:
            continue
        lines.append(f"{name}:")
        for r in items:
            data = {"id": r.id} | r.model_dump(mode="json", exclude_none=True, exclude_defaults=True)  # type: ignore[attr-defined]
            prefix = "- "
            for k, v in data.items():
                if v == []:
                    continue
                lines.append(f"{prefix}{k}: {json.dumps(v, ensure_ascii=False)}")
                prefix = "  "
    return "\n".join(lines) + "\n"


def _parse_records(text: str) -> dict[str, Any]:
    """Read what :func:`_dump_records` wrote, line by line (each value is JSON); ValueError otherwise."""
    data: dict[str, Any] = {}
    section: Any = None
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" ") and not line.startswith("- ") and line.endswith(":"):
            name = line[:-1]
            section = data[name] = {} if name == "import" else []
            current = None
            continue
        if line.startswith("- ") and isinstance(section, list):
            current = {}
            section.append(current)
            line = line[2:]
        elif line.startswith("  "):
            line = line[2:]
        else:
            raise ValueError(line)
        key, _, value = line.partition(": ")
        target = section if isinstance(section, dict) else current
        if target is None or not key or not value:
            raise ValueError(line)
        target[key] = json.loads(value)
    return data


def _load_one(folder: Path, problems: list[Problem]) -> Imported | None:
    path = folder / RECORDS_FILE
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
        try:
            data = _parse_records(text)
        except ValueError:  # edited by hand: read it as the YAML it is
            data = yaml.load(text, Loader=loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(
            Problem(
                str(path),
                None,
                None,
                f"unreadable import: {exc}",
                "import the spreadsheet again (kg import) or delete the folder",
            )
        )
        return None
    records: dict[str, list[BaseModel]] = {}
    for name in IMPORT_KINDS:
        model = RECORD_TYPES[name]
        items = []
        for i, raw in enumerate(data.get(name) or []):
            try:
                items.append(model.model_validate(raw))
            except ValidationError as exc:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        f"{name}.{i}",
                        str(exc).splitlines()[0],
                        "import the spreadsheet again (kg import)",
                    )
                )
        records[name] = items
    return Imported(folder.name, dict(data.get("import") or {}), records, folder)


def load_imports(data_dir: str | Path = "data", *, skip: str | None = None) -> dict[str, Imported]:
    """Every import stored under ``<data_dir>/imports/`` (except *skip*), by name.

    Raises
    ------
    InputError
        When a stored import cannot be read.
    """
    root = Path(data_dir) / IMPORTS_DIR
    out: dict[str, Imported] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name == skip or not (folder / RECORDS_FILE).exists():
            continue
        imp = _load_one(folder, problems)
        if imp is not None:
            out[folder.name] = imp
    if problems:
        raise InputError(problems)
    return out


# --------------------------------------------------------------------------- what the graph already holds


@dataclass
class Known:
    """Records already in the graph: curated ones and those of the other imports.

    ``index`` maps an id to ``(kind, record, owner)``, owner being ``"curated"`` or the
    import name; ``names`` maps :func:`kg.ingest.geo.normalise_name` of a name (or other name) to ids.
    """

    index: dict[str, tuple[str, BaseModel, str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    curated: Any = None
    #: normalised title or source id → id of a source document of another import
    documents: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, rec: BaseModel, owner: str) -> None:
        rid = rec.id  # type: ignore[attr-defined]
        self.index.setdefault(rid, (kind, rec, owner))
        for n in _names_of(rec):
            ids = self.names.setdefault(normalise_name(n), [])
            if rid not in ids:
                ids.append(rid)


def _names_of(rec: BaseModel) -> list[str]:
    name = getattr(rec, "name", None)
    return [name, *getattr(rec, "alt_names", [])] if name else []


def known_records(
    data_dir: str | Path,
    *,
    skip: str | None = None,
    curated: Any = None,
    imports: dict[str, Imported] | None = None,
) -> Known:
    """The curated records and the other imports' records, indexed by id and by name."""
    from kg.ingest.curated import load_curated

    data_dir = Path(data_dir)
    if curated is None:
        curated = load_curated(
            data_dir / "curated", sources_dir=data_dir / "sources", schemes_file=_schemes(data_dir)
        )
    known = Known(curated=curated)
    for kind, rec in curated.all():
        if kind != "document":
            known.add(kind, rec, "curated")
    for slug, imp in (imports if imports is not None else load_imports(data_dir, skip=skip)).items():
        if slug == skip:
            continue
        for kind, rec in imp.all():
            if kind != "document":
                known.add(kind, rec, slug)
            elif rec.id.startswith(_doc_id(slug) + "."):  # type: ignore[attr-defined]
                known.documents.setdefault(normalise_name(rec.title), rec.id)  # type: ignore[attr-defined]
                known.documents.setdefault(normalise_name(rec.id.split(".", 1)[1]), rec.id)  # type: ignore[attr-defined]
    return known


def _schemes(data_dir: Path) -> Path:
    for candidate in (
        data_dir.parent / "ontology" / "schemes.ttl",
        Path("ontology/schemes.ttl"),
        ONTOLOGY_DIR / "schemes.ttl",
    ):
        if candidate.exists():
            return candidate
    return Path("ontology/schemes.ttl")


# --------------------------------------------------------------------------- the plan


@dataclass
class Change:
    """One record added, changed or removed by an import."""

    kind: str
    id: str
    label: str
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        extra = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{_FR_KIND.get(self.kind, self.kind)} {self.id} « {self.label} »{extra}"


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
    #: probable duplicates, ignored columns and sheets, skipped example rows
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    store_updated: bool = False
    graph: str = ""
    #: (Known, other imports) the plan was made against, reused when applying it
    _context: Any = field(default=None, repr=False, compare=False)

    @property
    def is_noop(self) -> bool:
        """True when the records are those already stored (provenance aside)."""
        return not (self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.records.items() if v}


class _Rows:
    """Problems and notices of one import, located by sheet, row and column."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def bad(self, table: Table, row: int | None, header: str | None, message: str, fix: str | None) -> None:
        self.problems.append(Problem(table.where, row, header, message, fix, where="row"))


def _suggest(value: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(value, list(candidates), n=3, cutoff=0.75)
    return f"vouliez-vous dire {', '.join(f'« {c} »' for c in close)} ?" if close else None


_IDENT_FR = {
    "SIREN": (
        siren_problem,
        9,
        "copiez les 9 chiffres depuis l'annuaire des entreprises (annuaire-entreprises.data.gouv.fr)",
    ),
    "SIRET": (siret_problem, 14, "copiez les 14 chiffres depuis l'annuaire des entreprises"),
}


def _ident_fr(what: str, value: str, en: str) -> str:
    if "digits; a" in en and "has" in en:
        n = len(value)
        return f"« {value} » a {n} chiffre{'s' if n > 1 else ''} ; un {what} en a {_IDENT_FR[what][1]} ({en})"
    if "check digit" in en or "check (sum" in en:
        return f"« {value} » : la clé de contrôle du {what} est fausse, sans doute une faute de frappe ({en})"
    if "other than digits" in en:
        return f"« {value} » contient autre chose que des chiffres ({en})"
    return f"« {value} » n'est pas un {what} valide ({en})"


class _Converter:
    """Rows of the recognised sheets → records (one instance per import)."""

    def __init__(
        self,
        slug: str,
        filename: str,
        tables: list[tuple[Sheet, Table]],
        known: Known,
        concepts: Concepts,
        geo: Geography,
        rows: _Rows,
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

    # -- cells
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
                labels = [self.concepts.label(scheme, k) for k in RELATION_KINDS]
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
                _suggest(value, labels) or f"choisissez dans la liste : {', '.join(labels)}",
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
        lenient = (
            normalise_name(header) == "tags"
        )  # Kumu tags may hold anything: keep the themes, skip the rest
        out = []
        for v in parse_list(row.get("themes")):
            n = self.concept(table, number, header, "theme", v, lenient=lenient)
            if n and n not in out:
                out.append(n)
        return out

    def provenance(self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet) -> list[Source]:
        out = [Source(doc=_doc_id(self.slug), quote=f"Feuille {table.name}, ligne {number}")]
        src = cell_text(row.get("source"))
        if src:
            doc = (
                self.sources.get(src)
                or self.sources.get(slugify(src))
                or self.sources.get(normalise_name(src))
                or self.known.documents.get(normalise_name(src))
            )
            if doc is None:
                self.rows.bad(
                    table,
                    number,
                    self.header(headers, sheet, "source"),
                    f"« {src} » n'est ni le titre ni l'id d'une ligne de la feuille Sources",
                    _suggest(src, [k for k in self.sources if " " in k or "-" not in k])
                    or "ajoutez-la à la feuille Sources, ou videz la cellule",
                )
            else:
                out.append(Source(doc=doc, quote=f"Cité par la feuille {table.name}, ligne {number}"))
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
                what = "deux lignes décrivent le même" if other_name == name else "cet id est déjà pris par"
                self.rows.bad(
                    table,
                    number,
                    headers.get("id", "id"),
                    f"{what} {_FR_KIND[_KIND_NAME[other_name]]} « {rid} » ({t.where}, ligne {n})",
                    "fusionnez les deux lignes, ou donnez à chacune son propre id (colonne id)",
                )
                return
        self.records[name][rid] = rec
        self.where[rid] = (table, number)
        for n in _names_of(rec):
            ids = self.names.setdefault(_KIND_NAME[name], {}).setdefault(normalise_name(n), [])
            ids.append(rid)

    # -- geography
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
                f"« {dep} » n'est pas un code de département",
                "écrivez le code : 94, 2A, 974…",
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
                    f"« {code} » n'est pas un code INSEE de commune ({problem})",
                    "écrivez le code INSEE à 5 caractères (94018) ou le nom de la commune",
                )
                return None
            if commune_by_code(self.geo, code) is None:
                self.rows.bad(
                    table,
                    number,
                    header,
                    f"aucune commune n'a le code INSEE « {code} »",
                    "vérifiez le code sur le Code officiel géographique, ou écrivez le nom de la commune",
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
                    f"aucune commune « {text} » dans le département ou le code "
                    f"postal donnés ; il y en a ailleurs : {where}",
                    "corrigez le département ou le code postal",
                )
            else:
                close = difflib.get_close_matches(
                    normalise_name(text), list(self.geo.by_name), n=3, cutoff=0.8
                )
                names = [self.geo.communes[self.geo.by_name[k][0]].name for k in close]
                self.rows.bad(
                    table,
                    number,
                    header,
                    f"aucune commune ne s'appelle « {text} »",
                    (_suggest(text, names) or "vérifiez l'orthographe") + " ; ou écrivez le code INSEE",
                )
            return None
        listing = "; ".join(
            f"{c.name} ({c.code}, dép. {c.departement}, CP {'/'.join(c.postcodes[:3])})" for c in found[:12]
        )
        more = f" et {len(found) - 12} autres" if len(found) > 12 else ""
        self.rows.bad(
            table,
            number,
            header,
            f"« {text} » désigne {len(found)} communes : {listing}{more}",
            "remplissez la colonne « département » ou « code postal », ou écrivez le code INSEE",
        )
        return None

    # -- references
    def resolve(
        self, table: Table, number: int, header: str, value: str, kinds: tuple[str, ...]
    ) -> tuple[str, str] | None:
        """(id, kind) of the actor or programme a cell names: own rows first, then the graph."""
        slug, key = slugify(value), normalise_name(value)
        if key in self.failed or slug in self.failed or value in self.failed:
            return None  # a row of this file that is already reported
        for kind in kinds:  # an id of this workbook
            name = _NAME_OF_KIND[kind]
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
                    f"« {value} » désigne plusieurs lignes : {', '.join(ids)}",
                    "écrivez l'id de celle que vous voulez",
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
                f"« {value} » désigne plusieurs {_FR_KIND[kinds[0]]}s du graphe : {', '.join(ids)}",
                "écrivez l'id de celui que vous voulez",
            )
            return None
        what = " ou ".join(_FR_KIND[k] for k in kinds)
        candidates = [n for k in kinds for n in self.names.get(k, {})]
        pretty = {
            normalise_name(getattr(r, "name", "")): getattr(r, "name", "")
            for _, r in (self.records["actors"] | self.records["programmes"]).items()
        }
        for kind, rec, _ in self.known.index.values():
            if kind in kinds:
                pretty[normalise_name(rec.name)] = rec.name  # type: ignore[attr-defined]
                candidates.append(normalise_name(rec.name))  # type: ignore[attr-defined]
        close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.8)
        hint = f"vouliez-vous dire {', '.join(f'« {pretty.get(c, c)} »' for c in close)} ?" if close else None
        self.rows.bad(
            table,
            number,
            header,
            f"aucun {what} ne s'appelle « {value} » (ni dans ce fichier ni dans le graphe)",
            hint
            or f"ajoutez-le à la feuille {'Acteurs' if 'actor' in kinds else 'Programmes'}"
            " ou corrigez le nom",
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
                    "id": _doc_id(self.slug, sid),
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
                    f"deux sources ont l'id « {sid} »",
                    "donnez à chacune son propre titre ou id",
                )
                continue
            self.records["documents"][doc.id] = doc  # type: ignore[attr-defined]
            for k in (sid, cell_text(row.get("id")) or sid, title, normalise_name(title)):
                self.sources.setdefault(k, doc.id)  # type: ignore[attr-defined]

    def read_actors(self, sheet: Sheet, table: Table) -> None:
        pending: list[tuple[int, dict, dict, str, bool]] = []
        for number, row, headers in self.cells(sheet, table):
            name = self.required(table, number, row, headers, sheet, "name")
            if not name:
                continue
            explicit = cell_text(row.get("id"))
            rid = None
            if not explicit:  # the name of an actor already in the graph designates it
                ids = [
                    i
                    for i in self.known.names.get(normalise_name(name), [])
                    if self.known.index[i][0] == "actor"
                ]
                rid = ids[0] if len(ids) == 1 else None
            rid = rid or self.own_id("actor", explicit, slugify(name), table, number, headers, sheet)
            if rid:
                pending.append((number, row, headers, rid, bool(explicit)))
            else:
                self.failed.add(normalise_name(name))
        # the same derived id on two rows: different communes → name + commune code; same commune → a duplicate
        counts: dict[str, int] = {}
        for _, _, _, rid, explicit in pending:
            if not explicit:
                counts[rid] = counts.get(rid, 0) + 1
        for number, row, headers, rid, explicit in pending:
            located = self.commune(table, number, row, headers, sheet)
            if not explicit and counts[rid] > 1 and rid not in self.known.index and located:
                rid = f"{rid}-{located.split(':', 1)[1].lower()}"
            types = []
            for v in parse_list(row.get("types")):
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
                self.failed.update((rid, normalise_name(str(cell_text(row.get("name"))))))
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
                v = parse_code(row.get(key))
                if v is not None:
                    en = _IDENT_FR[what][0](v)
                    if en:
                        self.rows.bad(
                            table,
                            number,
                            self.header(headers, sheet, key),
                            _ident_fr(what, v, en),
                            _IDENT_FR[what][2],
                        )
                        ok = False
                    data[key] = v
            rna = cell_text(row.get("rna"))
            if rna is not None:
                rna = rna.replace(" ", "")
                en = rna_problem(rna)
                if en:
                    self.rows.bad(
                        table,
                        number,
                        self.header(headers, sheet, "rna"),
                        f"« {rna} » n'est pas un numéro RNA ({en})",
                        "écrivez W suivi de 9 chiffres, comme sur le Journal officiel (W943001234)",
                    )
                    ok = False
                data["rna"] = rna
            if data.get("siren") and data.get("siret") and not data["siret"].startswith(data["siren"]) and ok:
                self.rows.bad(
                    table,
                    number,
                    self.header(headers, sheet, "siret"),
                    f"le SIRET « {data['siret']} » ne commence pas par le SIREN « {data['siren']} »",
                    "un SIRET est le SIREN suivi de 5 chiffres : corrigez l'un des deux",
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
            else:
                self.failed.update((rid, normalise_name(str(data["name"]))))

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
                    for i in self.known.names.get(normalise_name(name), [])
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
                self.failed.update((str(rid), normalise_name(name)))

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
            if kind and kind not in RELATION_KINDS:
                fix = (
                    "mettez-le dans la feuille Financements (montant obligatoire)"
                    if kind == "financement"
                    else "choisissez un type de la liste : "
                    + ", ".join(self.concepts.label("relation-kind", k) for k in RELATION_KINDS)
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
                lambda args=(sheet, table, number, row, headers, src, dst, kind, role, sk, role_text, sk_text): (
                    self._relation(*args)
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
                self._attribute(table, number, h_from, "programmes", a[0], "continues", b[0])
            return
        a = self.resolve(table, number, h_from, src, ("actor",))
        b = self.resolve(table, number, h_to, dst, ("actor",))
        if not (a and b) or (row.get("debut") and not start) or (row.get("fin") and not end):
            return
        desc = cell_text(row.get("description"))
        sources = self.provenance(table, number, row, headers, sheet)
        explicit = cell_text(row.get("id"))
        if kind == "fondation":
            self._attribute(table, number, h_to, "actors", b[0], "founders", a[0])
        elif kind == "unite":
            self._attribute(table, number, h_from, "actors", a[0], "part_of", b[0])
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
            na = self._label(a[0])
            nb = self._label(b[0])
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
            if prog is None:
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

    def _label(self, rid: str) -> str:
        rec = self.records["actors"].get(rid)
        if rec is None and rid in self.known.index:
            rec = self.known.index[rid][1]
        return getattr(rec, "name", rid)

    def _attribute(
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
                f"« {rid} » est décrit ailleurs ({'données curées' if other and other[2] == 'curated' else 'un autre import'}) : "
                "cette relation ne peut pas le modifier",
                "ne gardez que les relations dont l'acteur (ou le programme) modifié est dans ce fichier",
            )
            return
        if fieldname == "founders":
            if value not in rec.founders:  # type: ignore[attr-defined]
                rec.founders.append(value)  # type: ignore[attr-defined]
        else:
            setattr(rec, fieldname, value)

    def read_fundings(self, sheet: Sheet, table: Table) -> None:
        seen: dict[str, int] = {}
        for number, row, headers in self.cells(sheet, table):
            recipient = self.required(table, number, row, headers, sheet, "recipient")
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
                not rec_
                or amount is None
                or problem
                or amount < 0
                or not sk
                or (funder_t and not funder)
                or (prog_t and not prog)
            ):
                continue
            explicit = cell_text(row.get("id"))
            base = f"financement-{funder[0] if funder else 'nc'}-{rec_[0]}" + (
                f"-{start[:4]}" if start else ""
            )
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
                    "recipient": rec_[0],
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

    def run(self) -> None:
        order = ("sources", "actors", "programmes", "relations", "partners", "fundings")
        later: list[Callable[[], None]] = []
        for key in order:
            for sheet, table in self.tables:
                if sheet.key != key:
                    continue
                if key == "relations":
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


# --------------------------------------------------------------------------- comparing


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


def _label_of(rec: BaseModel, name: Callable[[str], str] = str) -> str:
    """A readable label: the name or title, or "A → B (role)" for a relation."""
    own = getattr(rec, "name", None) or getattr(rec, "title", None)
    if own:
        return str(own)
    for a, b, extra in (
        ("actor", "programme", "role"),
        ("member", "organisation", "role"),
        ("provider", "beneficiary", "support_kind"),
        ("funder", "recipient", "amount_eur"),
    ):
        if hasattr(rec, b):
            left = name(getattr(rec, a)) if getattr(rec, a, None) else "?"
            value = getattr(rec, extra, None)
            suffix = (
                f" ({value:,.2f} €)".replace(",", " ").replace(".", ",")
                if extra == "amount_eur"
                else (f" ({value})" if value else "")
            )
            return f"{left} → {name(getattr(rec, b))}{suffix}"
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


def _read_slug_from_readme(tables: list[Table]) -> str | None:
    for t in tables:
        if normalise_name(t.name) != normalise_name(README_SHEET):
            continue
        for row in [t.headers] + [list(r) for _, r in t.rows]:
            if row and normalise_name(str(row[0] or "")) == "import":
                value = next((cell_text(v) for v in row[1:] if cell_text(v)), None)
                return slugify(value) if value else None
    return None


def _near_duplicates(
    actors: list[BaseModel], known: Known, *, cutoff: float = 0.9, block_limit: int = 200
) -> list[str]:
    """Actors whose names differ by a letter or two ("Club Gravel Entreprendre" / "Club Gravelle Entreprendre").

    Names are compared once normalised and without spaces, only within blocks sharing
    their first or last four letters (so 10,000 rows stay fast); very large blocks are skipped.
    """
    entries: list[tuple[str, str, str, bool]] = []  # compact name, id, shown name, own?
    for rec in actors:
        entries.append((normalise_name(rec.name).replace(" ", ""), rec.id, rec.name, True))  # type: ignore[attr-defined]
    for rid, (kind, rec, _) in known.index.items():
        if kind == "actor":
            entries.append((normalise_name(rec.name).replace(" ", ""), rid, rec.name, False))  # type: ignore[attr-defined]
    blocks: dict[str, list[int]] = {}
    for i, (c, _, _, _) in enumerate(entries):
        if len(c) >= 6:
            blocks.setdefault("^" + c[:4], []).append(i)
            blocks.setdefault("$" + c[-4:], []).append(i)
    seen: set[tuple[str, str]] = set()
    out = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > block_limit:
            continue
        for x in range(len(members)):
            a = entries[members[x]]
            for y in range(x + 1, len(members)):
                b = entries[members[y]]
                if not (a[3] or b[3]) or a[1] == b[1] or a[0] == b[0] or abs(len(a[0]) - len(b[0])) > 2:
                    continue
                pair = (min(a[1], b[1]), max(a[1], b[1]))
                if pair in seen:
                    continue
                if difflib.SequenceMatcher(None, a[0], b[0]).ratio() >= cutoff:
                    seen.add(pair)
                    out.append(
                        f"doublon probable : « {a[2]} » ({a[1]}) / « {b[2]} » ({b[1]}) — fusionnez-les, "
                        "corrigez l'orthographe, ou ignorez cette remarque s'il s'agit bien de deux acteurs"
                    )
    return out


def plan_import(
    path: str | Path,
    data_dir: str | Path = "data",
    *,
    name: str | None = None,
    schemes_file: str | Path | None = None,
    geo: Geography | None = None,
    known: Known | None = None,
    now: str | None = None,
) -> ImportPlan:
    """Read a spreadsheet and say what importing it would do, without writing anything.

    Parameters
    ----------
    path : path
        An ``.xlsx``, ``.ods`` or ``.csv`` file.
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

    Returns
    -------
    ImportPlan

    Raises
    ------
    InputError
        Every bad cell at once, each with sheet, row, column, value and fix.
    """
    from kg.ingest.geo import load_geography

    path, data_dir = Path(path), Path(data_dir)
    tables = read_tables(path)
    slug = slugify(name) if name else (_read_slug_from_readme(tables) or slugify(path.stem))
    if not slug:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    "impossible de tirer un nom d'import du nom du fichier",
                    "passez --nom mon-territoire",
                )
            ]
        )
    schemes = Path(schemes_file) if schemes_file else _schemes(data_dir)
    concepts = load_concepts(schemes)
    geo = geo or load_geography(data_dir / "geo")
    all_imports = load_imports(data_dir)
    previous = all_imports.pop(slug, None)
    known = known or known_records(data_dir, skip=slug, imports=all_imports)
    rows = _Rows()
    matched: list[tuple[Sheet, Table]] = []
    for t in tables:
        s = match_sheet(t)
        if s is None:
            if normalise_name(t.name) not in (normalise_name(README_SHEET), "listes", "read me", "readme"):
                rows.warnings.append(
                    f"{t.where} : feuille ignorée (ni Acteurs, Relations, Programmes, Partenaires, "
                    "Financements ni Sources)"
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
                    "aucune feuille reconnue",
                    "nommez les feuilles Acteurs, Relations, Programmes, Partenaires, Financements, "
                    "Sources (ou partez de `kg template`)",
                )
            ]
        )
    conv = _Converter(slug, path.name, matched, known, concepts, geo, rows)
    conv.run()
    # rows that designate records of the graph: references, unless they say something new
    own: dict[str, list[BaseModel]] = {k: [] for k in IMPORT_KINDS}
    references: list[str] = []
    for name_, items in conv.records.items():
        for rid, rec in items.items():
            hit = known.index.get(rid) if name_ != "documents" else None
            if hit is None:
                own[name_].append(rec)
                continue
            kind, other, owner = hit
            table, number = conv.where[rid]
            if kind != _KIND_NAME[name_]:
                rows.bad(
                    table,
                    number,
                    "id",
                    f"l'id « {rid} » est déjà celui d'un {_FR_KIND[kind]} du graphe",
                    "donnez un autre id (colonne id)",
                )
                continue
            where = "les données curées" if owner == "curated" else f"l'import « {owner} »"
            if owner == "curated":
                differs = isinstance(rec, Actor) and any(
                    getattr(rec, f) != getattr(other, f) and getattr(rec, f) not in (None, [])
                    for f in _ACTOR_SHEET_FIELDS
                )
                references.append(
                    f"{table.where}, ligne {number} : « {_label_of(rec)} » est déjà dans "
                    f"{where} ({rid})"
                    + ("; les autres colonnes de la ligne sont ignorées" if differs else "")
                )
            elif _content(rec) == _content(other):
                references.append(
                    f"{table.where}, ligne {number} : « {_label_of(rec)} » est déjà dans {where} ({rid})"
                )
            else:
                rows.bad(
                    table,
                    number,
                    "id",
                    f"« {_label_of(rec)} » ({rid}) appartient à {where} et cette ligne le "
                    f"modifie ({', '.join(_changed_fields(other, rec))})",
                    f"pour le modifier, importez ce fichier sous le même nom : kg import {path.name} --nom {owner}",
                )
    # probable duplicates: names equal once spaces, hyphens, accents and case are ignored
    compact: dict[str, list[tuple[str, str]]] = {}
    for rec in own["actors"]:
        compact.setdefault(normalise_name(rec.name).replace(" ", ""), []).append((rec.id, rec.name))  # type: ignore[attr-defined]
    for rid, (kind, rec, owner) in known.index.items():
        if kind == "actor":
            for n in _names_of(rec):
                key = normalise_name(n).replace(" ", "")
                if key in compact and all(r != rid for r, _ in compact[key]):
                    compact[key].append((rid, f"{n} ({'curé' if owner == 'curated' else 'import ' + owner})"))
    for items in compact.values():
        if len({r for r, _ in items}) > 1:
            rows.warnings.append(
                "doublon probable : "
                + " / ".join(f"« {n} » ({r})" for r, n in items)
                + " — fusionnez-les ou donnez-leur le même id"
            )
    rows.warnings += _near_duplicates(own["actors"], known)
    if rows.problems:
        raise InputError(
            rows.problems,
            f"{len(rows.problems)} problème(s) dans {path.name} ; rien n'a été écrit "
            f"({len(rows.problems)} problem(s); nothing was written)",
        )
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    file_doc = Document(
        id=_doc_id(slug),
        title=f"Tableur « {path.name} »",
        genre="spreadsheet",
        issued=now[:10],
        description=f"Tableur importé par `kg import` le {now[:10]}.",
    )
    own["documents"] = [file_doc] + own["documents"]
    meta = {
        "slug": slug,
        "file": path.name,
        "imported_at": now,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    plan = ImportPlan(
        slug, path, own, meta, references=references, warnings=rows.warnings, graph=import_graph(slug)
    )
    plan._context = (known, all_imports)
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
        for rec in own[name_]:
            before = old.pop(rec.id, None)  # type: ignore[attr-defined]
            kind = _KIND_NAME[name_]
            if before is None:
                plan.added.append(Change(kind, rec.id, _label_of(rec, name_of)))  # type: ignore[attr-defined]
            elif _content(before[1]) != _content(rec):
                plan.changed.append(
                    Change(
                        kind,
                        rec.id,
                        _label_of(rec, name_of),  # type: ignore[attr-defined]
                        _changed_fields(before[1], rec),
                    )
                )
            else:
                plan.unchanged += 1
    for rid, (kind, rec) in old.items():
        plan.removed.append(Change(kind, rid, _label_of(rec, name_of)))
    return plan


# --------------------------------------------------------------------------- RDF


_PROV_TERMS: tuple = ()


def _provenance(node: Any, sources: list[Source]) -> list[tuple]:
    """The derivations of a record (as kg.rdf.mapping states them for curated records)."""
    global _PROV_TERMS
    from pyoxigraph import NamedNode

    from kg.rdf.mapping import A, N, fr

    if not _PROV_TERMS:
        from kg.model.vocab import PROV, TKG

        _PROV_TERMS = (
            N(PROV.wasDerivedFrom),
            N(PROV.qualifiedDerivation),
            N(PROV.Derivation),
            N(PROV.entity),
            N(TKG.quote),
        )
    derived_from, qualified, derivation, entity, quote = _PROV_TERMS
    out = []
    for i, src in enumerate(sources, 1):
        doc = N(iris.document(src.doc))
        d = NamedNode(f"{node.value}/source/{i}")
        out += [
            (node, derived_from, doc),
            (node, qualified, d),
            (d, A, derivation),
            (d, entity, doc),
            (d, quote, fr(src.quote)),
        ]
    return out


def _as_curated(*groups: Iterable[tuple[str, BaseModel]]) -> Any:
    from kg.ingest.curated import Curated

    out = Curated()
    for name in RECORD_TYPES:
        out.records[name] = []
    for group in groups:
        for kind, rec in group:
            name = _NAME_OF_KIND.get(kind) or next(n for n, m in RECORD_TYPES.items() if m.kind == kind)  # type: ignore[attr-defined]
            out.records[name].append(rec)
            out.index.setdefault(rec.id, (kind, rec))  # type: ignore[attr-defined]
    return out


def _import_quads(
    imp: Imported, kinds: dict[str, str], curated: Any, curated_derived: set
) -> tuple[list, list]:
    """(quads of the import's graph, quads of graph:meta describing it)."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.model.vocab import PROV, TKG, XSD
    from kg.rdf.mapping import A, N, derived_triples, node_of, record_triples

    g = NamedNode(import_graph(imp.slug))
    quads: list = []
    source_file = N(TKG.sourceFile)
    # the copy kept in data/imports/<slug>/; a document of the Sources sheet has no text of ours: its
    # source file is the spreadsheet that cites it
    copy = Literal(_copy_name(imp.slug, str(imp.meta.get("file", ".xlsx"))))
    for rec in imp.records.get("documents", []):
        for s, p, o in record_triples(rec, kinds):
            quads.append(Quad(s, p, copy if p == source_file else o, g))
    for kind, rec in imp.all():
        if kind == "document":
            continue
        node = node_of(kind, rec.id)  # type: ignore[attr-defined]
        for t in record_triples(rec, kinds) + _provenance(node, rec.sources):  # type: ignore[attr-defined]
            quads.append(Quad(*t, g))
    merged = _as_curated(curated.all(), [x for x in imp.all() if x[0] != "document"])
    for t in derived_triples(merged):
        if t not in curated_derived:
            quads.append(Quad(*t, g))
    meta = N(iris.META_GRAPH)
    when = imp.meta.get("imported_at") or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    meta_quads = [
        Quad(g, A, N(PROV.Entity), meta),
        Quad(g, N(PROV.wasDerivedFrom), N(iris.document(_doc_id(imp.slug))), meta),
        Quad(g, N(PROV.generatedAtTime), Literal(str(when), datatype=N(XSD.dateTime)), meta),
    ]
    return quads, meta_quads


def _kinds(curated: Any, imports: Iterable[Imported]) -> dict[str, str]:
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    for imp in imports:
        for kind, rec in imp.all():
            kinds.setdefault(rec.id, kind)  # type: ignore[attr-defined]
    return kinds


def _check_references(imports: dict[str, Imported], kinds: dict[str, str]) -> None:
    problems = []
    for imp in imports.values():
        for _kind, rec in imp.all():
            for fname, allowed in type(rec).references.items():  # type: ignore[attr-defined]
                value = getattr(rec, fname, None)
                for ref in value if isinstance(value, list) else [value] if value else []:
                    if kinds.get(ref) not in allowed:
                        problems.append(
                            Problem(
                                str(imp.folder / RECORDS_FILE if imp.folder else imp.slug),
                                None,
                                f"{rec.id}.{fname}",  # type: ignore[attr-defined]
                                f'"{ref}" is no longer the id of any {" or ".join(allowed)} '
                                f"(l'import « {imp.slug} » le cite)",
                                f"import the spreadsheet of « {imp.slug} » again, or restore {ref!r}",
                            )
                        )
    if problems:
        raise InputError(problems)


def imported_quads(data_dir: str | Path = "data", *, curated: Any = None) -> list:
    """The quads of every import stored under ``<data_dir>/imports/``, each in its own named graph.

    ``kg build`` adds them to the curated quads so a rebuild keeps the imports.

    Parameters
    ----------
    data_dir : path
        The data folder.
    curated : Curated, optional
        The curated records already loaded (default: loaded from ``<data_dir>/curated``).

    Returns
    -------
    list of pyoxigraph.Quad

    Raises
    ------
    InputError
        When a stored import cannot be read or cites a record that is no longer there.
    """
    from kg.ingest.curated import load_curated
    from kg.rdf.mapping import derived_triples

    data_dir = Path(data_dir)
    imports = load_imports(data_dir)
    if not imports:
        return []
    if curated is None:
        curated = load_curated(
            data_dir / "curated", sources_dir=data_dir / "sources", schemes_file=_schemes(data_dir)
        )
    kinds = _kinds(curated, imports.values())
    _check_references(imports, kinds)
    base = set(derived_triples(curated))
    out: list = []
    for imp in imports.values():
        q, m = _import_quads(imp, kinds, curated, base)
        out += q + m
    return out


# --------------------------------------------------------------------------- writing


#: a first import above this many quads is bulk-loaded (see :func:`_update_store`)
BULK_QUADS = 50_000


def _update_store(store: Path, slug: str, quads: list, meta_quads: list) -> None:
    """Replace the import's graph and its description in graph:meta in one transaction.

    Only the difference is written: the quads no longer there are deleted and the new
    ones inserted by one SPARQL update (one transaction); when nothing is to be deleted
    (a first import), the quads are added by ``Store.extend``, also one transaction —
    except a first import of more than :data:`BULK_QUADS` quads, loaded by
    ``Store.bulk_extend`` (about four times less work for RocksDB, but not a
    transaction): if it fails, the new graph is dropped again, which restores the
    store as it was (the graph did not exist before); only a crash in the middle can
    leave part of it, which re-running the import or ``kg build`` repairs.
    """
    from pyoxigraph import NamedNode, Store

    g = NamedNode(import_graph(slug))
    meta = NamedNode(iris.META_GRAPH)
    try:
        s = Store(str(store))
    except OSError as exc:
        raise StoreError(
            f'cannot open the graph store at "{store}" for writing: {exc} (is a server or another '
            "command using it? stop it, or import without the store and run kg build)"
        ) from None
    try:
        old = set(s.quads_for_pattern(None, None, None, g)) | set(s.quads_for_pattern(g, None, None, meta))
        new = set(quads) | set(meta_quads)
        gone, added = old - new, new - old
        if gone:

            def block(qs: Iterable) -> str:
                return "\n".join(
                    f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in qs
                )

            s.update(f"DELETE DATA {{ {block(gone)} }} ;\nINSERT DATA {{ {block(added)} }}")
        elif len(added) > BULK_QUADS:
            try:
                s.bulk_extend(added)
            except OSError:
                s.update(
                    f"DROP SILENT GRAPH <{g.value}> ;\n"
                    f"DELETE WHERE {{ GRAPH <{meta.value}> {{ <{g.value}> ?p ?o }} }}"
                )
                raise
        elif added:
            s.extend(added)
        s.flush()
    except OSError as exc:
        raise StoreError(f'cannot write the graph store at "{store}": {exc}; it is unchanged') from None
    finally:
        del s


def _drop_graph(store: Path, slug: str) -> None:
    """Remove an import's graph and its description in graph:meta: one SPARQL update."""
    from pyoxigraph import Store

    g, meta = import_graph(slug), iris.META_GRAPH  # a checked slug: safe in the update
    try:
        s = Store(str(store))
        s.update(f"DROP SILENT GRAPH <{g}> ;\nDELETE WHERE {{ GRAPH <{meta}> {{ <{g}> ?p ?o }} }}")
        s.flush()
        del s
    except OSError as exc:
        raise StoreError(f'cannot write the graph store at "{store}": {exc}; it is unchanged') from None


def apply_import(
    plan: ImportPlan, data_dir: str | Path = "data", store: str | Path | None = None
) -> ImportPlan:
    """Write a planned import: ``data/imports/<slug>/`` and the named graph of the store.

    Nothing is written when the records are those already stored (provenance aside).
    The folder is written beside the old one and swapped in only after the store was
    updated in one transaction; if the store cannot be written, nothing changes.

    Returns
    -------
    ImportPlan
        *plan*, with ``written`` and ``store_updated`` set.
    """
    from kg.ingest.curated import Curated
    from kg.rdf.mapping import derived_triples

    data_dir = Path(data_dir)
    if (
        plan.is_noop
    ):  # the same records as stored (or none at all): the graph keeps the earlier file as source
        return plan
    folder = data_dir / IMPORTS_DIR / plan.slug
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{plan.slug}.new-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    imp = Imported(plan.slug, plan.meta, plan.records, folder)
    store_path = Path(store) if store else None
    try:
        tmp.mkdir()
        (tmp / RECORDS_FILE).write_text(_dump_records(imp), encoding="utf-8")
        shutil.copyfile(plan.file, tmp / _copy_name(plan.slug, plan.file.name))
        if store_path is not None and store_path.is_dir():
            if plan._context is not None:
                known, others = plan._context
            else:
                others = load_imports(data_dir, skip=plan.slug)
                known = known_records(data_dir, skip=plan.slug, imports=others)
            curated: Curated = known.curated
            kinds = _kinds(curated, [*others.values(), imp])
            quads, meta_quads = _import_quads(imp, kinds, curated, set(derived_triples(curated)))
            _update_store(store_path, plan.slug, quads, meta_quads)
            plan.store_updated = True
        old = None
        if folder.exists():
            old = folder.with_name(f".{plan.slug}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
        tmp = None  # type: ignore[assignment]
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    plan.written = True
    return plan


def import_file(
    path: str | Path,
    data_dir: str | Path = "data",
    store: str | Path | None = "build/store",
    *,
    name: str | None = None,
    dry_run: bool = False,
    **kwargs: Any,
) -> ImportPlan:
    """Plan an import (:func:`plan_import`) and, unless *dry_run*, apply it (:func:`apply_import`).

    Examples
    --------
    >>> plan = import_file("gravelle.xlsx", dry_run=True)  # doctest: +SKIP
    >>> [str(c) for c in plan.added][:1]  # doctest: +SKIP
    ['acteur club-gravelle-entreprendre « Club Gravelle Entreprendre »']
    """
    plan = plan_import(path, data_dir, name=name, **kwargs)
    if dry_run:
        return plan
    return apply_import(plan, data_dir, store)


def remove_import(slug: str, data_dir: str | Path = "data", store: str | Path | None = "build/store") -> bool:
    """Remove an import: its folder and its named graph. Returns False when there was none.

    Raises
    ------
    InputError
        When another import cites one of its records.
    """
    data_dir = Path(data_dir)
    folder = data_dir / IMPORTS_DIR / slugify(slug)
    if not folder.is_dir():
        return False
    slug = folder.name
    others = load_imports(data_dir, skip=slug)
    if others:
        known = known_records(data_dir, skip=slug, imports=others)
        _check_references(others, _kinds(known.curated, others.values()))
    if store is not None and Path(store).is_dir():
        _drop_graph(Path(store), slug)
    shutil.rmtree(folder)
    return True
