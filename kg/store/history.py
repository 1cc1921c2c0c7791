"""``kg imports``: the list of imports, their history, undo and delete — folder and named graph together.

The history itself (``import.yaml``, ``versions/``) is :mod:`kg.ingest.history`'s; this
module adds the store. :func:`undo_import` restores the newest kept version (or a given
one) of an import as a new state: its folder, and its named graph mapped again from its
records, which gives back the same quads as before the change (the mapping is a
function of the records, the curated data and the other imports). :func:`remove_import`
deletes an import but keeps its history, so it can be undone too. Both refuse, before
writing anything, to take away a record another import cites, naming that import and
the sheet and row of each citing record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import InputError, Problem, UnknownEntityError
from kg.ingest.history import (
    META_FILE,
    ImportInfo,
    Version,
    clean_stale,
    import_info,
    list_imports,
    now_iso,
    staged_state,
    versions,
)
from kg.ingest.imports import (
    IMPORTS_DIR,
    Imported,
    check_references,
    citations,
    default_schemes_file,
    edit_import,
    import_folder,
    import_graph,
    load_import,
    load_imports,
    record_kinds,
)
from kg.model.words import kind_word

__all__ = ["Undone", "citing_rows", "import_history", "list_imports", "remove_import", "undo_import"]


@dataclass
class Undone:
    """What :func:`undo_import` did."""

    slug: str
    #: the version restored
    restored: Version
    #: the new current state
    info: ImportInfo
    store_updated: bool = False


def _find(name: str, data_dir: Path) -> ImportInfo:
    from kg.model.names import closest
    from kg.sheets.cells import slugify

    slug = slugify(name)
    info = import_info(data_dir, slug) if slug else None
    if info is not None:
        return info
    names = [i.slug for i in list_imports(data_dir, deleted=True)]
    near = closest(name, names)
    hint = f" ; vouliez-vous dire « {near[0]} » ?" if near else " (kg imports les liste)"
    raise UnknownEntityError(f"aucun import « {name} »{hint}", near)


def import_history(name: str, data_dir: str | Path = "data") -> tuple[ImportInfo, list[Version]]:
    """The current state of an import and its kept versions (oldest first).

    Raises
    ------
    UnknownEntityError
        When there is no import of that name (with the closest names).
    """
    info = _find(name, Path(data_dir))
    return info, versions(data_dir, info.slug)


def citing_rows(records: Imported | None, data_dir: Path, *, keep: Imported | None = None) -> list[Problem]:
    """The rows of other imports citing a record of *records* that neither *keep*, the curated data nor another import has."""
    from kg.sheets.known import known_records

    if records is None:
        return []
    others = load_imports(data_dir, skip=records.slug)
    kept = set(keep.index()) if keep is not None else set()
    known = known_records(data_dir, skip=records.slug, imports=others)
    own = records.index()
    gone = {rid for rid in own if rid not in kept and rid not in known.index}
    out = []
    for c in citations(others.values(), gone):
        label = getattr(own[c.cited][1], "name", None) or c.cited
        out.append(
            Problem(
                c.where,
                None,
                None,
                f"« {label} » ({c.cited}), de l'import « {records.slug} », est cité par cette ligne "
                f"({kind_word(c.kind)} {c.record})",
                f"retirez d'abord les lignes qui le citent de l'import « {c.slug} » : {edit_import(c.slug, kumu=others[c.slug].from_kumu)}",
                lang="fr",
            )
        )
    return out


def undo_import(
    name: str,
    data_dir: str | Path = "data",
    store: str | Path | None = "build/store",
    *,
    version: int | None = None,
    keep: int | None = None,
) -> Undone:
    """Undo the last change of an import: restore its newest kept version (or *version*), folder and named graph.

    The state undone is kept as a version in its turn, so undoing twice redoes.

    Raises
    ------
    UnknownEntityError
        No import of that name, nothing to undo, or no such version.
    InputError
        Another import cites a record the restored version does not have (naming its
        sheet and row), or the restored version cites a record that is gone.
    ShapeViolation
        The restored records break a shape; nothing is written.
    StoreError
        When the store cannot be written.
    """
    data_dir = Path(data_dir)
    clean_stale(data_dir / IMPORTS_DIR)
    info, kept = import_history(name, data_dir)
    slug = info.slug
    if not kept:
        raise UnknownEntityError(f"l'import « {slug} » n'a pas de version antérieure : rien à annuler")
    target = kept[-1] if version is None else next((v for v in kept if v.number == version), None)
    if target is None:
        numbers = ", ".join(str(v.number) for v in kept)
        raise UnknownEntityError(
            f"l'import « {slug} » n'a pas de version {version} (versions gardées : {numbers})"
        )
    folder = import_folder(data_dir, slug)
    current, restored = load_import(folder, slug), load_import(target.folder, slug)
    problems = citing_rows(current, data_dir, keep=restored)
    if problems:
        raise InputError(
            problems,
            f"annuler rendrait à « {slug} » une version sans des enregistrements que d'autres imports citent ; "
            "rien n'a été écrit",
        )
    quads, meta_quads = _restored_quads(restored, data_dir) if restored else ([], [])
    new = replace(target.info, action="annulation", restored=target.number, updated=now_iso())
    files: dict[str, Path | str] | None = (
        {p.name: p for p in target.folder.iterdir() if p.is_file() and p.name != META_FILE}
        if restored
        else None
    )
    done = Undone(slug, target, new)
    with staged_state(data_dir, slug, new, files, keep=keep) as install:
        if store is not None and Path(store).is_dir():
            from kg.store.write import replace_graph

            replace_graph(Path(store), import_graph(slug), quads, meta_quads)
            done.store_updated = True
        install()
    done.info = import_info(data_dir, slug) or new
    if done.store_updated and store is not None:
        from kg.store.build import END_STEPS

        for _name, end_step in END_STEPS:  # the store's relation tables, fresh again (kg.store.columnar)
            end_step(Path(store))
    return done


def _restored_quads(imp: Imported, data_dir: Path) -> tuple[list, list]:
    """The named graph of a restored version, checked as an import is (references, then SHACL)."""
    from kg.rdf.mapping import import_quads
    from kg.sheets.known import known_records
    from kg.sheets.plan import ImportPlan
    from kg.store.imports import check_import_shapes

    others = load_imports(data_dir, skip=imp.slug)
    known = known_records(data_dir, skip=imp.slug, imports=others)
    kinds = record_kinds(known.curated, [*others.values(), imp])
    check_references({imp.slug: imp}, kinds)
    base = [(k, r) for k, r in known.curated.all() if k != "document"]
    quads, meta_quads = import_quads(imp, kinds, base)
    others_quads = [q for other in others.values() for q in import_quads(other, kinds, base)[0]]
    plan = ImportPlan(imp.slug, Path(str(imp.meta.get("file", imp.slug))), imp.records, imp.meta)
    ontology = default_schemes_file(data_dir).parent
    check_import_shapes(plan, quads, known, others, others_quads, data_dir, ontology)
    return quads, meta_quads


def remove_import(
    name: str,
    data_dir: str | Path = "data",
    store: str | Path | None = "build/store",
    *,
    keep: int | None = None,
) -> bool:
    """Remove an import: its records and its named graph; its history stays (``kg imports annuler`` restores it).

    Returns False when there is no such import (or it was already removed).

    Raises
    ------
    InputError
        When another import cites one of its records (naming that import, sheet and row).
    StoreError
        When the store cannot be written (nothing is then changed).
    """
    from kg.sheets.cells import slugify
    from kg.store.write import drop_graph

    data_dir = Path(data_dir)
    clean_stale(data_dir / IMPORTS_DIR)
    slug = slugify(name)
    info = import_info(data_dir, slug) if slug else None
    if info is None or not info.present:
        return False
    problems = citing_rows(load_import(import_folder(data_dir, slug), slug), data_dir)
    if problems:
        raise InputError(
            problems,
            f"l'import « {slug} » n'est pas supprimé : {len(problems)} ligne(s) d'autres imports citent "
            "ses acteurs ou programmes ; rien n'a été écrit",
        )
    new = replace(info, action="suppression", updated=now_iso(), counts={}, restored=None)
    with staged_state(data_dir, slug, new, None, keep=keep) as install:
        if store is not None and Path(store).is_dir():
            drop_graph(Path(store), import_graph(slug))
        install()
    if store is not None and Path(store).is_dir():
        from kg.store.build import END_STEPS

        for _name, end_step in END_STEPS:  # the store's relation tables, fresh again (kg.store.columnar)
            end_step(Path(store))
    return True
