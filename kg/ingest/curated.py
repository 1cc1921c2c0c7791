"""Loading and checking the curated data set (``data/curated/*.yaml``).

:func:`load_curated` reads every file, validates each record with its pydantic model
(:mod:`kg.model.records`), then checks what no single record can: duplicate ids, unknown
references, concepts missing from the SKOS schemes, territories missing from the
official geography, and quotes that are not in their source document. It collects
*every* problem, each located by file, line and field, and raises one
:class:`~kg.errors.InputError` listing them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kg.errors import InputError, Problem
from kg.ingest.derived import GEOGRAPHY_FILE, geography_memberships
from kg.ingest.sources import quote_in_dataset, quote_in_document, read_document
from kg.model.dates import date_bounds
from kg.model.names import did_you_mean
from kg.model.records import RECORD_TYPES, Document
from kg.model.territories import is_territory, parse_territory

__all__ = ["Curated", "LineLoader", "concept_notations", "document_path", "load_curated", "read_yaml_records"]

#: which field holds concepts of which SKOS scheme
CONCEPT_FIELDS: dict[str, str] = {
    "types": "actor-type",
    "themes": "theme",
    "role": "role",
    "support_kind": "support-kind",
    "type": "project-type",
}


@dataclass
class Curated:
    """The validated curated records, by kind, and where each came from."""

    records: dict[str, list[BaseModel]] = field(default_factory=dict)
    #: record id → (kind, record)
    index: dict[str, tuple[str, BaseModel]] = field(default_factory=dict)
    #: record id → (file, line)
    located: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: record id → {field: line}
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    #: records that failed validation, kept (valid fields only) to check their references too
    partials: list[tuple[str, BaseModel, str, dict]] = field(default_factory=list)

    def all(self) -> Iterable[tuple[str, BaseModel]]:
        """Every record with its kind, in load order."""
        for name, items in self.records.items():
            model = RECORD_TYPES[name]
            for item in items:
                yield model.kind, item  # type: ignore[attr-defined]

    def count(self) -> dict[str, int]:
        """Number of records per file name."""
        return {k: len(v) for k, v in self.records.items()}


#: PyYAML's C loader (libyaml, about 4x faster) when it is there, else the pure-Python one: same nodes, same marks
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A YAML loader that remembers the line of every mapping key and refuses duplicate keys."""

    problems: list[Problem]
    filename: str


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {"__record__": node.start_mark.line + 1}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            loader.problems.append(
                Problem(
                    loader.filename,
                    key_node.start_mark.line + 1,
                    str(key),
                    f'the key "{key}" appears twice in this record',
                    "keep one of them",
                )
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[key] = value_node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

#: the loader of :func:`read_yaml_records` (its ``problems`` and ``filename`` set before each use), also used
#: by :mod:`kg.ingest.yaml_records` to parse one record at a time
LineLoader = _LineLoader


def read_yaml_records(path: Path, problems: list[Problem]) -> list[dict]:
    """Read a YAML file holding a list of mappings; append problems instead of raising."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name, None, None, f"is not UTF-8 ({exc.reason} at byte {exc.start})", "save the file as UTF-8"
            )
        )
        return []
    loader = _LineLoader(text)
    loader.problems, loader.filename = problems, name
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                name,
                line,
                None,
                f"is not valid YAML: {what}",
                "check the indentation and quote values that contain ':' or '#'",
            )
        )
        return []
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        problems.append(
            Problem(
                name,
                1,
                None,
                "must be a list of records (each starting with '- id: …')",
                "start each record with '- ' at the beginning of the line",
            )
        )
        return []
    return data


def concept_notations(schemes_file: Path) -> dict[str, set[str]]:
    """Notations of every concept of every SKOS scheme in *schemes_file*, by scheme name."""
    from pyoxigraph import QuerySolutions, RdfFormat, Store

    store = Store()
    store.load(path=str(schemes_file), format=RdfFormat.TURTLE)
    out: dict[str, set[str]] = {}
    q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           SELECT ?s ?n WHERE { ?c skos:inScheme ?s ; skos:notation ?n }"""
    solutions = store.query(q)
    assert isinstance(solutions, QuerySolutions)
    for row in solutions:
        out.setdefault(row["s"].value.rstrip("/").rsplit("/", 1)[-1], set()).add(row["n"].value)
    return out


def document_path(doc: Any, sources_dir: str | Path) -> Path:
    """The file of a document record: ``<sources_dir>/<id>.txt``, or its ``file`` under the data
    folder (the parent of *sources_dir*) for a dataset."""
    sources_dir = Path(sources_dir)
    file = getattr(doc, "file", None)
    return sources_dir.parent / file if file else sources_dir / f"{doc.id}.txt"


def _ref_ids(value: Any) -> list[str]:
    """The ids a reference field holds: a string, a list of strings, or participants ``{who, role}``."""
    items = value if isinstance(value, list) else [value] if value else []
    out = []
    for item in items:
        ref = item if isinstance(item, str) else getattr(item, "who", None)
        if ref is None and isinstance(item, dict):
            ref = item.get("who")
        if isinstance(ref, str):
            out.append(ref)
    return out


def _suggest(value: str, candidates: Iterable[str]) -> str:
    return did_you_mean(value, candidates, lang="en")


def _loc_field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) if loc else ""


def load_curated(
    directory: str | Path = "data/curated",
    *,
    sources_dir: str | Path = "data/sources",
    schemes_file: str | Path = "ontology/schemes.ttl",
    territory_exists: Callable[[str, str], bool] | None = None,
    read_records: Callable[[Path, list[Problem]], list[dict]] | None = None,
) -> Curated:
    """Load, validate and cross-check the curated records.

    Parameters
    ----------
    directory : path
        Folder of the YAML files (one per kind, see :data:`kg.model.records.RECORD_TYPES`).
    sources_dir : path
        Folder of the source documents that quotes are checked against.
    schemes_file : path
        SKOS schemes giving the allowed concept notations.
    territory_exists : callable, optional
        ``territory_exists(level, code)``; when given, territory references are checked.
    read_records : callable, optional
        ``read_records(path, problems)`` reading one YAML file as :func:`read_yaml_records` does (the
        default); ``kg build`` gives :meth:`kg.ingest.yaml_records.RecordReader.read`, which parses only
        the records whose text changed since the previous build.

    Returns
    -------
    Curated

    Raises
    ------
    InputError
        With every problem found, each naming file, line, field, value and fix.
    """
    directory, sources_dir = Path(directory), Path(sources_dir)
    problems: list[Problem] = []
    result = Curated()
    if not directory.is_dir():
        raise InputError(
            [
                Problem(
                    str(directory),
                    None,
                    None,
                    "is not a folder",
                    "run the command from the project root or pass --data",
                )
            ]
        )
    known_files = set(RECORD_TYPES)
    unreadable: set[str] = set()  # kinds whose file could not be read: references to them are not checked
    for path in sorted(directory.glob("*.y*ml")):
        if path.stem not in known_files:
            problems.append(
                Problem(
                    str(path),
                    None,
                    None,
                    f'"{path.name}" is not a known kind of record',
                    f"rename it to one of: {', '.join(f'{k}.yaml' for k in RECORD_TYPES)}",
                )
            )
    # 1. each record on its own
    for name, model in RECORD_TYPES.items():
        path = directory / f"{name}.yaml"
        items: list[BaseModel] = []
        result.records[name] = items
        if not path.exists():
            continue
        before = len(problems)
        raws = (read_records or read_yaml_records)(path, problems)
        if len(problems) > before and not raws:
            unreadable.add(model.kind)  # type: ignore[attr-defined]
        for raw in raws:
            lines = raw.pop("__lines__", {})
            _strip_lines(raw)
            line0 = lines.get("__record__")
            try:
                rec = model.model_validate(raw)
            except ValidationError as exc:
                bad_fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
                _keep_partial(result, model, raw, bad_fields, str(path), line0, lines, problems)
                for err in exc.errors():
                    loc = err.get("loc", ())
                    fld = _loc_field(loc)
                    line = lines.get(loc[0], line0) if loc else line0
                    value = err.get("input")
                    msg = err["msg"].removeprefix("Value error, ")
                    if err["type"] == "extra_forbidden":
                        fix = f"remove it or rename it; known fields: {', '.join(model.model_fields)}"
                        msg = f'"{fld}" is not a field of {name}'
                        fix = f"{_suggest(str(loc[0]), model.model_fields)} {fix}".strip()
                    elif err["type"] == "missing":
                        msg, fix = f'"{fld}" is missing', f'add a "{fld}:" line to this record'
                    else:
                        if (
                            value is not None
                            and not isinstance(value, (dict, list))
                            and f'"{value}"' not in msg
                        ):
                            msg = f'"{value}": {msg}'
                        fix = None
                    problems.append(Problem(str(path), line, fld or None, msg, fix))
                continue
            rid = rec.id  # type: ignore[attr-defined]
            if rid in result.index:
                first = result.located[rid]
                problems.append(
                    Problem(
                        str(path),
                        line0,
                        "id",
                        f'duplicate id "{rid}" (first at {first[0]}, line {first[1]})',
                        "give each record its own id",
                    )
                )
                continue
            result.index[rid] = (model.kind, rec)  # type: ignore[attr-defined]
            result.located[rid] = (str(path), line0 or 0)
            result.lines[rid] = lines
            items.append(rec)
    # 2. across records
    notations = concept_notations(Path(schemes_file)) if Path(schemes_file).exists() else {}
    documents: dict[str, Document] = {d.id: d for d in result.records.get("documents", [])}  # type: ignore[attr-defined,misc]
    docs = set(documents)
    doc_files: dict[str, tuple[Path, bool]] = {}
    checked = [(k, r, *result.located[r.id][:1], result.lines.get(r.id, {})) for k, r in result.all()]  # type: ignore[attr-defined]
    for kind, rec, path, lines in checked + result.partials:
        rid = rec.id  # type: ignore[attr-defined]

        def at(fieldname: str, lines: dict = lines) -> int | None:
            return lines.get(fieldname, lines.get("__record__"))

        for fname, allowed in type(rec).references.items():  # type: ignore[attr-defined]
            for ref in _ref_ids(getattr(rec, fname, None)):
                target = result.index.get(ref)
                if target is None and unreadable & set(allowed):
                    continue
                if target is None:
                    ids = [i for i, (k, _) in result.index.items() if k in allowed]
                    problems.append(
                        Problem(
                            path,
                            at(fname),
                            fname,
                            f'"{ref}" is not the id of any {" or ".join(allowed)}',
                            _suggest(ref, ids) or f"add a record with id {ref!r} or fix the spelling",
                        )
                    )
                elif target[0] not in allowed:
                    problems.append(
                        Problem(
                            path,
                            at(fname),
                            fname,
                            f'"{ref}" is a {target[0]}, not a {" or ".join(allowed)}',
                            f"point {fname} at a {' or '.join(allowed)}",
                        )
                    )
        concept_values = [(f, s, getattr(rec, f, None)) for f, s in CONCEPT_FIELDS.items()]
        concept_values += [
            (
                "participants",
                "role",
                [getattr(p, "role", None) for p in getattr(rec, "participants", None) or []],
            )
        ]
        for fname, scheme, value in concept_values:
            if value is None or not notations or kind == "document":
                continue
            allowed_notations = notations.get(scheme, set())
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v not in allowed_notations:
                    problems.append(
                        Problem(
                            path,
                            at(fname),
                            fname,
                            f'"{v}" is not in the SKOS scheme "{scheme}"',
                            _suggest(v, allowed_notations)
                            or f"use one of: {', '.join(sorted(allowed_notations))}",
                        )
                    )
        if territory_exists is not None:
            for fname in ("territory", "located_in", "area_served", "location"):
                value = getattr(rec, fname, None)
                for ref in value if isinstance(value, list) else [value] if value else []:
                    if not is_territory(ref):
                        continue
                    if not territory_exists(*parse_territory(ref)):
                        problems.append(
                            Problem(
                                path,
                                at(fname),
                                fname,
                                f'"{ref}" is not in the official geography',
                                "check the INSEE code (commune, département, région) or the SIREN "
                                "(intercommunalité) in data/geo/",
                            )
                        )
        for i, src in enumerate(getattr(rec, "sources", []) or []):
            fld = f"sources.{i}"
            if not hasattr(src, "doc"):  # a partial record's raw sources are checked once valid
                continue
            if src.doc not in docs:
                problems.append(
                    Problem(
                        path,
                        at("sources"),
                        fld + ".doc",
                        f'"{src.doc}" is not a known document',
                        _suggest(src.doc, docs) or "add it to documents.yaml",
                    )
                )
                continue
            doc = documents[src.doc]
            doc_path, doc_exists = doc_files.get(src.doc) or doc_files.setdefault(
                src.doc, (p := document_path(doc, sources_dir), p.exists())
            )  # once per document, not once per quote (hundreds of thousands at national scale)
            if not doc_exists:
                problems.append(
                    Problem(
                        path,
                        at("sources"),
                        fld + ".doc",
                        f"no file {doc_path}",
                        "put the source document in data/sources/",
                    )
                )
            elif doc.genre == "dataset" and not quote_in_dataset(src.quote, doc_path):
                short = src.quote if len(src.quote) < 90 else src.quote[:87] + "..."
                problems.append(
                    Problem(
                        path,
                        at("sources"),
                        fld + ".quote",
                        f'the quote "{short}" is not a row of {doc_path.name}',
                        "quote one whole row of the dataset, as written in the file",
                    )
                )
            elif doc.genre != "dataset" and not quote_in_document(src.quote, doc_path):
                short = src.quote if len(src.quote) < 90 else src.quote[:87] + "..."
                problems.append(
                    Problem(
                        path,
                        at("sources"),
                        fld + ".quote",
                        f'the quote "{short}" is not in {doc_path.name}',
                        "copy the sentence exactly from the document",
                    )
                )
    for d in documents.values():
        if not document_path(d, sources_dir).exists():
            where, line = result.located[d.id]
            problems.append(
                Problem(
                    where,
                    line,
                    "file" if d.file else "id",
                    f"no file {document_path(d, sources_dir)}",
                    "put the source document in data/sources/ or fix the id"
                    if not d.file
                    else "fix the path (under the data folder)",
                )
            )
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    _derive(result, documents, sources_dir, problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return result


def _derive(
    result: Curated, documents: dict[str, Document], sources_dir: Path, problems: list[Problem]
) -> None:
    """Add the records derived from official data (:mod:`kg.ingest.derived`), checked like the others."""
    dataset = next((d for d in documents.values() if d.file == GEOGRAPHY_FILE), None)
    if dataset is None:
        return
    path = document_path(dataset, sources_dir)
    lines = read_document(path).text.splitlines()
    memberships = result.records.setdefault("memberships", [])
    derived = geography_memberships(
        (r for k, r in result.all() if k == "actor"),  # type: ignore[misc]
        memberships,  # type: ignore[arg-type]
        dataset,
        lines,
    )
    for rec, number in derived:
        for src in rec.sources:
            if not quote_in_dataset(
                src.quote, path
            ):  # the row read is the row quoted: a guard, not a formality
                problems.append(
                    Problem(str(path), number, "quote", "the derived row is not in the file", None)
                )
        if rec.id in result.index:
            where, line = result.located[rec.id]
            problems.append(
                Problem(
                    where,
                    line,
                    "id",
                    f'the id "{rec.id}" is also that of the membership derived from {path.name}, line {number}',
                    "give the curated record another id, or remove it: the geography states it",
                )
            )
            continue
        memberships.append(rec)
        result.index[rec.id] = ("membership", rec)
        result.located[rec.id] = (str(path), number)
        result.lines[rec.id] = {"__record__": number}


def _keep_partial(
    result: Curated,
    model: type[BaseModel],
    raw: dict,
    bad: set[str],
    path: str,
    line: int | None,
    lines: dict,
    problems: list[Problem],
) -> None:
    """Keep the valid fields of a record that failed validation, so its other fields are still checked."""
    fields = {k: v for k, v in raw.items() if k in model.model_fields and k not in bad}
    fields.pop("sources", None)
    rid = fields.get("id")
    if not isinstance(rid, str):
        return
    partial = model.model_construct(**fields)
    result.partials.append((model.kind, partial, path, lines))  # type: ignore[attr-defined]
    if rid in result.index:
        first = result.located[rid]
        problems.append(
            Problem(
                path,
                line,
                "id",
                f'duplicate id "{rid}" (first at {first[0]}, line {first[1]})',
                "give each record its own id",
            )
        )
    else:
        result.located[rid] = (path, line or 0)
        result.index[rid] = (model.kind, partial)  # type: ignore[attr-defined]
    # the record-level check pydantic skips when a field failed: an end before its start
    start, end = fields.get("start"), fields.get("end")
    try:
        if start is not None and end is not None and date_bounds(str(end))[1] < date_bounds(str(start))[0]:
            problems.append(
                Problem(
                    path,
                    lines.get("end", line),
                    "end",
                    f'"end" ({end}) is before "start" ({start})',
                    "swap them or fix the year",
                )
            )
    except ValueError:
        pass


def _strip_lines(value: Any) -> None:
    if isinstance(value, dict):
        value.pop("__lines__", None)
        for v in value.values():
            _strip_lines(v)
    elif isinstance(value, list):
        for v in value:
            _strip_lines(v)
