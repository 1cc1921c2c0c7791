"""The stored spreadsheet imports: ``data/imports/<slug>/``, records only (no RDF).

Each import that ``kg import`` applied is kept as a folder holding ``records.yaml`` (the
normalised records, by kind) and a copy of the original file. :func:`load_imports`
reads them all back (``kg build`` maps them again, :mod:`kg.sheets` compares a new
workbook with them); :func:`staged_import` writes one beside its folder and swaps it in
only when told to; :func:`delete_import` removes one. See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
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
    "Imported",
    "check_references",
    "copy_name",
    "default_schemes_file",
    "delete_import",
    "dump_records",
    "import_doc_id",
    "import_folder",
    "import_graph",
    "load_imports",
    "parse_records",
    "record_kinds",
    "staged_import",
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

    >>> copy_name("gravelle", "Mon fichier.XLSX")
    'gravelle.xlsx'
    """
    suffix = Path(original).suffix.lower()
    return f"{slug}{suffix if suffix in ('.xlsx', '.xlsm', '.ods', '.csv', '.tsv', '.txt') else '.bin'}"


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
    def where(self) -> str:
        """Where the records are stored, for messages."""
        return str(self.folder / RECORDS_FILE) if self.folder else self.slug


# --------------------------------------------------------------------------- records.yaml


def dump_records(imp: Imported) -> str:
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


def check_references(imports: Mapping[str, Imported], kinds: Mapping[str, str]) -> None:
    """Raise :class:`~kg.errors.InputError` when a stored import cites a record that is no longer there."""
    problems = []
    for imp in imports.values():
        for _kind, rec in imp.all():
            for fname, allowed in type(rec).references.items():  # type: ignore[attr-defined]
                value = getattr(rec, fname, None)
                for ref in value if isinstance(value, list) else [value] if value else []:
                    if kinds.get(ref) not in allowed:
                        problems.append(
                            Problem(
                                imp.where,
                                None,
                                f"{rec.id}.{fname}",  # type: ignore[attr-defined]
                                f'"{ref}" is no longer the id of any {" or ".join(allowed)} '
                                f"(l'import « {imp.slug} » le cite)",
                                f"import the spreadsheet of « {imp.slug} » again, or restore {ref!r}",
                            )
                        )
    if problems:
        raise InputError(problems)


# --------------------------------------------------------------------------- writing a folder


@contextmanager
def staged_import(imp: Imported, original: str | Path, data_dir: str | Path) -> Iterator[Callable[[], Path]]:
    """Write *imp* (``records.yaml`` and a copy of *original*) beside its folder; yield ``install``.

    ``install()`` swaps the new folder in (two renames) and returns it; leaving the block
    without calling it removes the new folder and leaves the old one as it was.

    Examples
    --------
    >>> with staged_import(imp, "gravelle.xlsx", "data") as install:  # doctest: +SKIP
    ...     write_the_store()  # raises: data/imports/gravelle/ is unchanged
    ...     install()
    """
    folder = import_folder(data_dir, imp.slug)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{imp.slug}.new-{os.getpid()}")
    tmp: Path | None = staging
    shutil.rmtree(staging, ignore_errors=True)

    def install() -> Path:
        nonlocal tmp
        old = None
        if folder.exists():
            old = folder.with_name(f".{imp.slug}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)  # type: ignore[arg-type]
        tmp = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return folder

    try:
        staging.mkdir()
        stored = Imported(imp.slug, imp.meta, imp.records, folder)
        (staging / RECORDS_FILE).write_text(dump_records(stored), encoding="utf-8")
        shutil.copyfile(original, staging / copy_name(imp.slug, Path(original).name))
        yield install
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def delete_import(data_dir: str | Path, slug: str) -> bool:
    """Remove the folder of the import *slug*; False when there was none."""
    folder = import_folder(data_dir, slug)
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True
