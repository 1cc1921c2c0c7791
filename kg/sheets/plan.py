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
from kg.ingest.imports import (
    IMPORT_KINDS,
    KIND_NAME,
    Imported,
    default_schemes_file,
    import_doc_id,
    import_graph,
    load_imports,
)
from kg.model.names import normalise, similarity
from kg.model.records import Actor, Document
from kg.model.words import euros, kind_word
from kg.sheets.cells import cell_text, slugify
from kg.sheets.convert import convert
from kg.sheets.known import Known, known_records, names_of
from kg.sheets.layout import README_SHEET, Sheet, Table, load_concepts, match_sheet
from kg.sheets.read import read_tables
from kg.sheets.rows import Rows

__all__ = ["Change", "ImportPlan", "near_duplicates", "plan_import"]


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
    #: probable duplicates, ignored columns and sheets, skipped example rows
    warnings: list[str] = field(default_factory=list)
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
            suffix = f" ({euros(value)})" if extra == "amount_eur" else (f" ({value})" if value else "")
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
        if normalise(t.name) != normalise(README_SHEET):
            continue
        for row in [t.headers] + [list(r) for _, r in t.rows]:
            if row and normalise(str(row[0] or "")) == "import":
                value = next((cell_text(v) for v in row[1:] if cell_text(v)), None)
                return slugify(value) if value else None
    return None


def near_duplicates(
    actors: list[BaseModel], known: Known, *, cutoff: float = 0.9, block_limit: int = 200
) -> list[str]:
    """Actors whose names differ by a letter or two ("Club Gravel Entreprendre" / "Club Gravelle Entreprendre").

    Names are compared once normalised and without spaces, only within blocks sharing
    their first or last four letters (so 10,000 rows stay fast); very large blocks are skipped.
    """
    entries: list[tuple[str, str, str, bool]] = []  # compact name, id, shown name, own?
    for rec in actors:
        entries.append((normalise(rec.name).replace(" ", ""), rec.id, rec.name, True))  # type: ignore[attr-defined]
    for rid, (kind, rec, _) in known.index.items():
        if kind == "actor":
            entries.append((normalise(rec.name).replace(" ", ""), rid, rec.name, False))  # type: ignore[attr-defined]
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
                if similarity(a[0], b[0]) >= cutoff:
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
    schemes = Path(schemes_file) if schemes_file else default_schemes_file(data_dir)
    concepts = load_concepts(schemes)
    geo = geo or load_geography(data_dir / "geo")
    all_imports = load_imports(data_dir)
    previous = all_imports.pop(slug, None)
    known = known or known_records(data_dir, skip=slug, imports=all_imports)
    rows = Rows()
    matched: list[tuple[Sheet, Table]] = []
    for t in tables:
        s = match_sheet(t)
        if s is None:
            if normalise(t.name) not in (normalise(README_SHEET), "listes", "read me", "readme"):
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
    conv = convert(slug, path.name, matched, known, concepts, geo, rows)
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
            if kind != KIND_NAME[name_]:
                rows.bad(
                    table,
                    number,
                    "id",
                    f"l'id « {rid} » est déjà celui d'un {kind_word(kind)} du graphe",
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
        compact.setdefault(normalise(rec.name).replace(" ", ""), []).append((rec.id, rec.name))  # type: ignore[attr-defined]
    for rid, (kind, rec, owner) in known.index.items():
        if kind == "actor":
            for n in names_of(rec):
                key = normalise(n).replace(" ", "")
                if key in compact and all(r != rid for r, _ in compact[key]):
                    compact[key].append((rid, f"{n} ({'curé' if owner == 'curated' else 'import ' + owner})"))
    for pairs in compact.values():
        if len({r for r, _ in pairs}) > 1:
            rows.warnings.append(
                "doublon probable : "
                + " / ".join(f"« {n} » ({r})" for r, n in pairs)
                + " — fusionnez-les ou donnez-leur le même id"
            )
    rows.warnings += near_duplicates(own["actors"], known)
    if rows.problems:
        raise InputError(
            rows.problems,
            f"{len(rows.problems)} problème(s) dans {path.name} ; rien n'a été écrit "
            f"({len(rows.problems)} problem(s); nothing was written)",
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
        "file": path.name,
        "imported_at": now,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    plan = ImportPlan(
        slug, path, own, meta, references=references, warnings=rows.warnings, graph=import_graph(slug)
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
