"""What the graph already holds, for a new import: the curated records and those of the other imports.

Every name a workbook gives is resolved against its own rows first, then against
:class:`Known`: ids, names and other names (normalised), and the source documents of
the other imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kg.ingest.imports import Imported, default_schemes_file, import_doc_id, load_imports
from kg.model.names import normalise

__all__ = ["Known", "known_records", "names_of"]


@dataclass
class Known:
    """Records already in the graph: curated ones and those of the other imports.

    ``index`` maps an id to ``(kind, record, owner)``, owner being ``"curated"`` or the
    import name; ``names`` maps :func:`kg.model.names.normalise` of a name (or other name) to ids.
    """

    index: dict[str, tuple[str, BaseModel, str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    curated: Any = None
    #: normalised title or source id → id of a source document of another import
    documents: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, rec: BaseModel, owner: str) -> None:
        rid = rec.id  # type: ignore[attr-defined]
        self.index.setdefault(rid, (kind, rec, owner))
        for n in names_of(rec):
            ids = self.names.setdefault(normalise(n), [])
            if rid not in ids:
                ids.append(rid)


def names_of(rec: BaseModel) -> list[str]:
    """The name and other names of a record (none for a relation)."""
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
            data_dir / "curated",
            sources_dir=data_dir / "sources",
            schemes_file=default_schemes_file(data_dir),
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
            elif rec.id.startswith(import_doc_id(slug) + "."):  # type: ignore[attr-defined]
                known.documents.setdefault(normalise(rec.title), rec.id)  # type: ignore[attr-defined]
                known.documents.setdefault(normalise(rec.id.split(".", 1)[1]), rec.id)  # type: ignore[attr-defined]
    return known
