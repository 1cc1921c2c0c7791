"""The stored spreadsheet imports: ``data/imports/<slug>/``, records only (no RDF).

Each import that ``kg import`` applied is kept as a folder holding ``records.yaml`` (the
normalised records, by kind) and a copy of the original file. :func:`load_imports`
reads them all back (``kg build`` maps them again, :mod:`kg.sheets` compares a new
workbook with them); :func:`citations` finds the rows of other imports that cite given
records. Owners, history and writing a folder are :mod:`kg.ingest.history`'s. See
``docs/spreadsheets.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kg.errors import InputError, Problem
from kg.model.iris import import_graph
from kg.model.paths import ONTOLOGY_DIR
from kg.model.records import RECORD_TYPES

__all__ = [
    "IMPORTS_DIR",
    "IMPORT_KINDS",
    "KIND_NAME",
    "NAME_OF_KIND",
    "RECORDS_FILE",
    "Citation",
    "Imported",
    "check_references",
    "citations",
    "copy_name",
    "default_schemes_file",
    "dump_records",
    "edit_import",
    "import_doc_id",
    "import_folder",
    "import_graph",
    "load_import",
    "load_imports",
    "parse_records",
    "record_kinds",
    "row_of",
]

#: folder of the stored imports, under the data folder
IMPORTS_DIR = "imports"
RECORDS_FILE = "records.yaml"
#: the kinds of records an import holds, in the order they are stored
IMPORT_KINDS = (
    "documents",
    "actors",
    "people",
    "programmes",
    "participations",
    "memberships",
    "fundings",
    "supports",
    "connections",
)
#: name of a list of records (a key of :data:`kg.model.records.RECORD_TYPES`) → kind of its records
KIND_NAME = {
    "documents": "document",
    "actors": "actor",
    "people": "person",
    "programmes": "programme",
    "participations": "participation",
    "memberships": "membership",
    "fundings": "funding",
    "supports": "support",
    "connections": "connection",
}
NAME_OF_KIND = {v: k for k, v in KIND_NAME.items()}


def import_doc_id(slug: str, source: str | None = None) -> str:
    """Id of the document of the import *slug* (the spreadsheet), or of a *source* its Sources sheet cites.

    >>> import_doc_id("gravelle"), import_doc_id("gravelle", "convention-2023")
    ('import-gravelle', 'import-gravelle.convention-2023')
    """
    return f"import-{slug}" if source is None else f"import-{slug}.{source}"


def copy_name(slug: str, original: str) -> str:
    """Name of the copy of the imported file in ``data/imports/<slug>/``: ``<slug><suffix>``.

    A zip of CSV files keeps ``.zip``; a folder of CSV files (a name without suffix) is stored
    as a zip of its files (:func:`kg.ingest.history.zip_folder`), read again as the same workbook.

    >>> copy_name("gravelle", "Mon fichier.XLSX"), copy_name("gravelle", "lot.zip"), copy_name("gravelle", "csv")
    ('gravelle.xlsx', 'gravelle.zip', 'gravelle.zip')
    """
    suffix = Path(original).suffix.lower()
    if suffix in ("", ".zip"):
        return f"{slug}.zip"
    return f"{slug}{suffix if suffix in ('.xlsx', '.xlsm', '.ods', '.csv', '.tsv', '.txt') else '.bin'}"


def edit_import(slug: str, lang: str = "fr", *, kumu: bool = False) -> str:
    """How a record of the import *slug* is changed — export it, edit, import it again — for the fixes of messages.

    Never ``--nom <that import>`` with another file: that would replace (and so delete) its records.
    An import from Kumu (*kumu*, see :meth:`Imported.from_kumu`) is exported in Kumu's format, the
    one that holds its people and connections.

    >>> edit_import("gravelle")
    'exportez-le (kg export-xlsx gravelle.xlsx --import gravelle), modifiez le classeur, puis réimportez-le (kg import gravelle.xlsx)'
    >>> edit_import("carte", "en", kumu=True)
    'export it (kg export-xlsx carte.xlsx --import carte --format kumu), edit the workbook, then import it again (kg import carte.xlsx)'
    """
    fmt = " --format kumu" if kumu else ""
    if lang == "en":
        return (
            f"export it (kg export-xlsx {slug}.xlsx --import {slug}{fmt}), edit the workbook, then import it again "
            f"(kg import {slug}.xlsx)"
        )
    return (
        f"exportez-le (kg export-xlsx {slug}.xlsx --import {slug}{fmt}), modifiez le classeur, puis réimportez-le "
        f"(kg import {slug}.xlsx)"
    )


def import_folder(data_dir: str | Path, slug: str) -> Path:
    """The folder of the import *slug* under *data_dir*."""
    import_graph(slug)  # checks the name
    return Path(data_dir) / IMPORTS_DIR / slug


def default_schemes_file(data_dir: str | Path) -> Path:
    """The SKOS schemes that go with *data_dir*: ``ontology/schemes.ttl`` beside it, else the packaged one."""
    data_dir = Path(data_dir)
    for candidate in (
        data_dir.parent / "ontology" / "schemes.ttl",
        Path("ontology/schemes.ttl"),
        ONTOLOGY_DIR / "schemes.ttl",
    ):
        if candidate.exists():
            return candidate
    return Path("ontology/schemes.ttl")


@dataclass
class Imported:
    """One stored import: its name, metadata and records by kind (names of :data:`kg.model.records.RECORD_TYPES`)."""

    slug: str
    meta: dict[str, Any]
    records: dict[str, list[BaseModel]]
    folder: Path | None = None

    def all(self) -> Iterable[tuple[str, BaseModel]]:
        """``(kind, record)`` for every record, documents first."""
        for name in IMPORT_KINDS:
            for rec in self.records.get(name, []):
                yield KIND_NAME[name], rec

    def index(self) -> dict[str, tuple[str, BaseModel]]:
        """Id → ``(kind, record)`` of every record but the documents."""
        return {rec.id: (kind, rec) for kind, rec in self.all() if kind != "document"}  # type: ignore[attr-defined]

    @property
    def from_kumu(self) -> bool:
        """True for an import with people or connections: a Kumu map, which only Kumu's workbook holds whole."""
        return bool(self.records.get("people") or self.records.get("connections"))

    @property
    def where(self) -> str:
        """Where the records are stored, for messages."""
        return str(self.folder / RECORDS_FILE) if self.folder else self.slug


# --------------------------------------------------------------------------- records.yaml


#: ``json.dumps(v, ensure_ascii=False)`` without a new encoder made at each call (a 50,000-row import has
#: ~400,000 values)
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def dump_records(imp: Imported) -> str:
    """The import as YAML: one block mapping per record, values in JSON flow style (valid YAML, fast to write)."""
    lines = [
        "# Import of a spreadsheet by `kg import` (do not edit by hand: edit the spreadsheet and import it again).",
        "import:",
    ]
    lines += [f"  {k}: {_JSON(v)}" for k, v in imp.meta.items()]
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
                lines.append(f"{prefix}{k}: {_JSON(v)}")
                prefix = "  "
    return "\n".join(lines) + "\n"


def parse_records(text: str) -> dict[str, Any]:
    """Read what :func:`dump_records` wrote, line by line (each value is JSON); InputError (or ValueError) otherwise."""
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
            raise InputError(RECORDS_FILE, f"not written by kg import: {line!r}")
        key, _, value = line.partition(": ")
        target = section if isinstance(section, dict) else current
        if target is None or not key or not value:
            raise InputError(RECORDS_FILE, f"not written by kg import: {line!r}")
        target[key] = json.loads(value)
    return data


def _load_one(folder: Path, problems: list[Problem]) -> Imported | None:
    path = folder / RECORDS_FILE
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
        try:
            data = parse_records(text)
        except (InputError, ValueError):  # edited by hand: read it as the YAML it is
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


def load_import(folder: str | Path, slug: str | None = None) -> Imported | None:
    """The import stored in *folder* (an import's folder or one of its versions); None without ``records.yaml``.

    Raises
    ------
    InputError
        When its records cannot be read.
    """
    folder = Path(folder)
    if not (folder / RECORDS_FILE).is_file():
        return None
    problems: list[Problem] = []
    imp = _load_one(folder, problems)
    if problems or imp is None:
        raise InputError(problems)
    if slug is not None:
        imp.slug = slug
    return imp


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


# --------------------------------------------------------------------------- references between imports


def record_kinds(curated: Any, imports: Iterable[Imported]) -> dict[str, str]:
    """Id → kind of every curated and imported record (the curated ones win)."""
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    for imp in imports:
        for kind, rec in imp.all():
            kinds.setdefault(rec.id, kind)  # type: ignore[attr-defined]
    return kinds


@dataclass(frozen=True)
class Citation:
    """A record of an import that cites another record (*cited*), with the sheet and row it comes from."""

    slug: str
    record: str
    kind: str
    field: str
    cited: str
    sheet: str | None = None
    row: int | None = None

    @property
    def where(self) -> str:
        """« import « c », feuille Relations, ligne 2 » (the row as the spreadsheet shows it)."""
        out = f"import « {self.slug} »"
        if self.sheet:
            out += f", feuille {self.sheet}"
        if self.row is not None:
            out += f", ligne {self.row}"
        return out


#: the quote every imported record cites its spreadsheet with (kg.sheets.convert)
_ROW_QUOTE = re.compile(r"^Feuille (?P<sheet>.+), ligne (?P<row>\d+)$")


def row_of(slug: str, rec: BaseModel) -> tuple[str | None, int | None]:
    """The sheet and row of the spreadsheet of the import *slug* a record comes from (its first source)."""
    for src in getattr(rec, "sources", None) or []:
        m = _ROW_QUOTE.match(src.quote) if src.doc == import_doc_id(slug) else None
        if m:
            return m["sheet"], int(m["row"])
    return None, None


def citations(imports: Iterable[Imported], ids: Iterable[str] | None = None) -> list[Citation]:
    """Every reference an import's records make (to one of *ids* only, when given), with its sheet and row.

    >>> citations([])
    []
    """
    wanted = set(ids) if ids is not None else None
    out = []
    for imp in imports:
        for kind, rec in imp.all():
            for fname in type(rec).references:  # type: ignore[attr-defined]
                value = getattr(rec, fname, None)
                for ref in value if isinstance(value, list) else [value] if value else []:
                    if wanted is None or ref in wanted:
                        sheet, row = row_of(imp.slug, rec)
                        out.append(Citation(imp.slug, rec.id, kind, fname, ref, sheet, row))  # type: ignore[attr-defined]
    return out


def check_references(imports: Mapping[str, Imported], kinds: Mapping[str, str]) -> None:
    """Raise :class:`~kg.errors.InputError` when a stored import cites a record that is no longer there."""
    problems = []
    for imp in imports.values():
        index = imp.index()
        for c in citations([imp]):
            allowed = type(index[c.record][1]).references[c.field]  # type: ignore[attr-defined]
            if kinds.get(c.cited) not in allowed:
                problems.append(
                    Problem(
                        imp.where,
                        c.row,
                        f"{c.record}.{c.field}",
                        f"« {c.cited} » n'est plus l'id d'aucun enregistrement ({c.where} le cite)",
                        f"annulez le dernier changement de l'import qui le retirait (kg imports annuler NOM), "
                        f"ou retirez cette ligne de l'import « {imp.slug} » : {edit_import(imp.slug, kumu=imp.from_kumu)}",
                        lang="fr",
                    )
                )
    if problems:
        raise InputError(
            problems, f"{len(problems)} référence(s) cassée(s) entre imports ; rien n'a été écrit"
        )
