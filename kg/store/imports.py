"""``kg import``: a catalyst's workbook → checked records → its own named graph, written at once.

The steps, each in its own module:

1. :func:`kg.sheets.plan.plan_import` reads the workbook, converts its rows to records
   and compares them with the previous import of the same name (every bad cell is
   reported at once; nothing is written);
2. :func:`prepare_import` settles whose import it is (an import belongs to its owner: a
   second catalyst's file of the same name gets its own import, ``<name>-2``), checks
   that no other import cites a record it would remove, maps the records
   (:func:`kg.rdf.mapping.import_quads`, the mapping of the curated data) and validates
   them with :func:`kg.rdf.shacl.check_shapes`, as ``kg build`` does. ``--dry-run`` stops
   here: a dry run that passes is an import that passes;
3. :func:`commit_import` refuses to replace or remove stored records without
   confirmation, then writes the new state of ``data/imports/<slug>/`` beside the old one
   (:func:`kg.ingest.history.staged_state`, which keeps the state it replaces in
   ``versions/``), replaces the named graph in a checkpoint of the store swapped in
   (:func:`kg.store.write.replace_graph`), and only then swaps the folder in. Given the store,
   :func:`prepare_import` has that checkpoint written by child processes while its checks run
   (:class:`kg.store.write.GraphWriter`, with the relation tables): :func:`commit_import` then only
   waits for it and swaps it in, and a refusal throws it away.

:func:`import_workbook` runs them all. Undo, delete and the list of imports are in
:mod:`kg.store.history`. ``kg build`` rebuilds the imports' graphs from ``data/imports/``
(:func:`kg.store.imported.imported_quads`). See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem, StoreError
from kg.ingest.geo_tables import collector_paused
from kg.ingest.history import ImportInfo, clean_stale, import_info, now_iso, same_owner, staged_state
from kg.ingest.imports import (
    IMPORTS_DIR,
    RECORDS_FILE,
    Imported,
    citations,
    copy_name,
    default_schemes_file,
    dump_records,
    edit_import,
    import_folder,
    import_graph,
    load_import,
    load_imports,
    record_kinds,
    row_of,
)
from kg.model.words import kind_word
from kg.sheets.known import Known, known_records
from kg.sheets.plan import Change, ImportPlan, plan_import
from kg.store.import_checks import check_import_shapes
from kg.store.imported import imported_quads

__all__ = [
    "Change",
    "ImportPlan",
    "PreparedImport",
    "apply_import",
    "check_cross_references",
    "check_import_shapes",
    "commit_import",
    "import_graph",
    "import_workbook",
    "imported_quads",
    "load_imports",
    "plan_import",
    "prepare_import",
]

#: the sheet a kind of record is written on, when its row is not known
SHEET_OF_KIND = {
    "actor": "Acteurs",
    "programme": "Programmes",
    "participation": "Partenaires",
    "membership": "Relations",
    "support": "Relations",
    "funding": "Financements",
    "person": "Elements",  # only a Kumu workbook has people and connections
    "connection": "Connections",
}


@dataclass
class PreparedImport:
    """An import planned and checked, ready to write (:func:`commit_import`): nothing is written yet."""

    plan: ImportPlan
    #: the owner the import will have (the one given, else the stored one)
    owner: str | None
    title: str
    #: the current state of the import of that name (None: a new import)
    previous: ImportInfo | None = None
    #: the name asked for, when it belongs to another catalyst's import (the import then got its own name)
    renamed_from: str | None = None
    #: the owner of that other import
    renamed_owner: str | None = None
    #: the previous records (to place a removed record at its sheet and row)
    previous_records: Imported | None = field(default=None, repr=False)
    #: the import's quads (:class:`kg.rdf.mapping.Stated` tuples) and its description in ``graph:meta``
    quads: list = field(default_factory=list, repr=False)
    meta_quads: list = field(default_factory=list, repr=False)
    #: the owner given for this import (``--par``), None when not given
    given_owner: str | None = None
    #: the new graph being written while the checks ran (:class:`kg.store.write.GraphWriter`), when the
    #: store was given to :func:`prepare_import`; :func:`commit_import` swaps it in or cancels it
    writer: Any = field(default=None, repr=False)
    #: where the records the file designates are already: ``(import slug or "curated", its owner, rows)``,
    #: most rows first
    held: list[tuple[str, str | None, int]] = field(default_factory=list)

    @property
    def held_elsewhere(self) -> list[tuple[str, str | None, int]]:
        """:attr:`held` when the file says nothing of its own (nothing to add, change or keep): no import is
        made for it, and its records stay those of the imports (and curated data) named there; else empty."""
        return self.held if self.plan.is_noop and not self.plan.unchanged else []

    @property
    def slug(self) -> str:
        """The import's slug: its named graph is ``graph:import/{slug}``."""
        return self.plan.slug

    @property
    def replaces(self) -> bool:
        """True when the import replaces or removes records already stored (it then needs confirmation)."""
        stored = self.previous is not None and self.previous.present
        return stored and bool(self.plan.changed or self.plan.removed)

    def by_sheet(self) -> dict[str, dict[str, int]]:
        """Sheet → ``{"added": n, "changed": n, "removed": n}``, in the order of the workbook."""
        out: dict[str, dict[str, int]] = {}
        old = self.previous_records.index() if self.previous_records else {}
        for what, items in (("added", self.plan.added), ("changed", self.plan.changed)):
            for c in items:
                where = self.plan.located.get(c.id)
                sheet = where[0].rpartition("feuille ")[2] if where else SHEET_OF_KIND.get(c.kind, c.kind)
                out.setdefault(sheet, {"added": 0, "changed": 0, "removed": 0})[what] += 1
        for c in self.plan.removed:
            found = row_of(self.slug, old[c.id][1])[0] if c.id in old else None
            sheet = found or SHEET_OF_KIND.get(c.kind, c.kind)
            out.setdefault(sheet, {"added": 0, "changed": 0, "removed": 0})["removed"] += 1
        return out


# the collector paused from the plan to the write, not only within each: resumed between them, its first pass
# would walk every record and quad still held (0.7 s at 50,000 rows), none of them garbage
@collector_paused()
def import_workbook(
    path: str | Path,
    data_dir: str | Path = "data",
    store: str | Path | None = "build/store",
    *,
    name: str | None = None,
    owner: str | None = None,
    title: str | None = None,
    dry_run: bool = False,
    confirmed: bool = False,
    keep: int | None = None,
    **kwargs: Any,
) -> ImportPlan:
    """Plan and check an import (:func:`prepare_import`) and, unless *dry_run*, write it (:func:`commit_import`).

    Parameters
    ----------
    path : path
        An ``.xlsx``, ``.ods`` or ``.csv`` file.
    data_dir : path
        Holds ``curated/``, ``geo/``, ``sources/`` and ``imports/``.
    store : path or None
        The store to update (if it exists); None to write ``data/imports/`` only.
    name : str, optional
        Name of the import (see :func:`~kg.sheets.plan.plan_import`).
    owner : str, optional
        Who the import belongs to (kept with it; needed once).
    title : str, optional
        Its title (default: the stored one, else the file name).
    dry_run : bool
        Only say what the import would do (with every check of a real import).
    confirmed : bool
        Replace or remove stored records (the command's ``--oui``).
    keep : int, optional
        Versions kept (default ``$KG_IMPORT_VERSIONS``, else 10).
    **kwargs
        Passed to :func:`~kg.sheets.plan.plan_import`.

    Returns
    -------
    ImportPlan

    Raises
    ------
    InputError
        Every bad cell at once, located; a record other imports cite would be removed; the
        import would replace records without *confirmed*; nothing is written.
    ShapeViolation
        The records break a SHACL shape, located at their sheet and row; nothing is written.
    StoreError
        The store cannot be written; nothing is written.

    Examples
    --------
    >>> plan = import_workbook("gravelle.xlsx", owner="Gravelle Alliances", dry_run=True)  # doctest: +SKIP
    >>> [str(c) for c in plan.added][:1]  # doctest: +SKIP
    ['acteur club-gravelle-entreprendre « Club Gravelle Entreprendre »']
    """
    prepared = prepare_import(
        path,
        data_dir,
        name=name,
        owner=owner,
        title=title,
        store=None if dry_run else store,
        confirmed=confirmed,
        **kwargs,
    )
    if dry_run:
        return prepared.plan
    return commit_import(prepared, data_dir, store, confirmed=confirmed, keep=keep)


# ~10^6 small objects (cells, records, terms, quads), none of them garbage: the cyclic collector,
# left on, scans them again and again (a third of the import's CPU at 50,000 rows)
@collector_paused()
def prepare_import(
    path: str | Path,
    data_dir: str | Path = "data",
    *,
    name: str | None = None,
    owner: str | None = None,
    title: str | None = None,
    ontology_dir: str | Path | None = None,
    store: str | Path | None = None,
    confirmed: bool = False,
    **kwargs: Any,
) -> PreparedImport:
    """Plan an import and run every check of a real one; write nothing in place.

    With *store* (an import about to be committed into it, with *confirmed* as :func:`commit_import`
    will have it), the new graph is written beside the store by a child process while the checks run
    (:class:`kg.store.write.GraphWriter`, on the other core); :func:`commit_import` swaps it in, and a
    refusal throws it away, the store unchanged.

    The import is the one of that name, unless it belongs to another owner: then, if the
    name came from the file, the import gets its own name (``acteurs-2``, the first free
    one or the one *owner* already has); if *name* was given, it is refused.

    Raises
    ------
    InputError
        Bad cells; the name given belongs to another owner's import; a record other
        imports cite would be removed (naming them, with their sheet and row).
    ShapeViolation
        A SHACL violation, located at its sheet and row.
    """
    data_dir = Path(data_dir)
    clean_stale(data_dir / IMPORTS_DIR)
    plan = plan_import(path, data_dir, name=name, **kwargs)
    info = import_info(data_dir, plan.slug)
    renamed_from = renamed_owner = None
    if info is not None and owner and info.owner and not same_owner(owner, info.owner):
        if name:
            raise _owned(plan, info, owner)
        renamed_from, renamed_owner = plan.slug, info.owner
        slug, n = plan.slug, 2
        while (other := import_info(data_dir, f"{slug}-{n}")) is not None and not same_owner(
            other.owner, owner
        ):
            n += 1
        plan = plan_import(path, data_dir, name=f"{slug}-{n}", **kwargs)
        info = other
    previous = load_import(import_folder(data_dir, plan.slug)) if info and plan.removed else None
    _check_foreign_file(plan, info, owner)
    prepared = PreparedImport(
        plan,
        info.owner if info and info.owner and (not owner or same_owner(owner, info.owner)) else owner,
        title or (info.title if info and info.title else plan.file.name),
        info,
        renamed_from,
        renamed_owner,
        previous,
        given_owner=owner,
    )
    for where, n in sorted(plan.referenced.items(), key=lambda kv: (-kv[1], kv[0])):
        held = None if where == "curated" else import_info(data_dir, where)
        prepared.held.append((where, held.owner if held else None, n))
    if not plan.is_noop:
        target = Path(store) if store is not None else None
        if target is not None and target.is_dir() and (confirmed or not prepared.replaces):
            # the new graph written while the checks run: the writer's children start now, while the
            # records are mapped, and the graph's child loads the quads as soon as they are written
            _start_write(prepared, target)

        def mapped(quads: list, meta_quads: list) -> None:
            if prepared.writer is not None:
                try:
                    prepared.writer.write(quads, meta_quads)
                except StoreError:  # (the writer cancelled) the checks first, then the write the usual way
                    prepared.writer = None

        try:
            check_cross_references(plan, data_dir)
            prepared.quads, prepared.meta_quads = _checked_quads(plan, data_dir, ontology_dir, mapped)
        except BaseException:
            if prepared.writer is not None:
                prepared.writer.cancel()
                prepared.writer = None
            raise
    return prepared


def _start_write(prepared: PreparedImport, store: Path) -> None:
    """Start writing the import's new graph beside *store* (:class:`kg.store.write.GraphWriter`, its quads
    given once mapped), and its relation tables: the store's (fresh ones, else made from it) updated with the
    graph's change, by the writer's children while the checks run."""
    from kg.store.write import GraphWriter

    try:
        prepared.writer = GraphWriter(store, prepared.plan.graph, None, tables=True)
    except StoreError:  # e.g. a server holds the store: the checks first, then the same refusal at the write
        prepared.writer = None


def _owned(plan: ImportPlan, info: ImportInfo, owner: str) -> InputError:
    from kg.sheets.cells import slugify

    mine = f"{plan.slug}-{slugify(owner)}"
    return InputError(
        [
            Problem(
                plan.file.name,
                None,
                None,
                f"l'import « {plan.slug} » appartient à « {info.owner} », pas à « {owner} »",
                f"donnez à votre import un autre nom (--nom {mine}), ou retirez --nom : votre fichier aura "
                "alors son propre import",
                lang="fr",
            )
        ],
        f"l'import « {plan.slug} » est celui d'un autre catalyseur ; rien n'a été écrit",
    )


def _check_foreign_file(plan: ImportPlan, info: ImportInfo | None, owner: str | None) -> None:
    """Refuse a different file put in the place of someone's import when it removes records.

    A file named otherwise than the one stored (``kg import autre.csv --nom gravelle``)
    that would remove records of an import with an owner is refused unless that owner is
    given (``--par``): following a message's ``--nom`` never deletes another catalyst's records.
    """
    if info is None or not info.present or not info.owner or not plan.removed:
        return
    if same_owner(owner, info.owner) or not info.file or plan.file.name == info.file:
        return
    raise InputError(
        [
            Problem(
                plan.file.name,
                None,
                None,
                f"l'import « {plan.slug} » est celui de « {info.owner} » (fichier {info.file}) : y mettre "
                f"{plan.file.name} supprimerait {len(plan.removed)} de ses enregistrements",
                f"pour votre propre import : --nom un-autre-nom --par « votre structure » ; si vous êtes "
                f"« {info.owner} » : ajoutez --par « {info.owner} »",
                lang="fr",
            )
        ],
        f"{plan.file.name} n'est pas le fichier de l'import « {plan.slug} » ; rien n'a été écrit",
    )


def check_cross_references(plan: ImportPlan, data_dir: str | Path = "data") -> None:
    """Refuse a plan that removes a record another import cites (naming the citing import, sheet and row).

    A record the plan removes is still there when the curated data or another import has
    it; otherwise every record of the other imports that cites it is a problem.

    Raises
    ------
    InputError
        One problem per citing row, with the fix.
    """
    if not plan.removed:
        return
    known, others = _context(plan, Path(data_dir))
    kept = {r.id for items in plan.records.values() for r in items}  # type: ignore[attr-defined]
    gone = {c.id: c for c in plan.removed if c.id not in kept and c.id not in known.index}
    problems = [
        Problem(
            c.where,
            None,
            None,
            f"« {gone[c.cited].label} » ({c.cited}), que {plan.file.name} retire de l'import « {plan.slug} », "
            f"est cité par cette ligne ({kind_word(c.kind)} {c.record})",
            f"gardez la ligne de « {gone[c.cited].label} » dans {plan.file.name}, ou retirez d'abord les "
            f"lignes qui le citent de l'import « {c.slug} » : {edit_import(c.slug, kumu=others[c.slug].from_kumu)}",
            lang="fr",
        )
        for c in citations(others.values(), gone)
    ]
    if problems:
        raise InputError(
            problems,
            f"{len(problems)} ligne(s) d'autres imports citent ce que {plan.file.name} retirerait ; "
            "rien n'a été écrit",
        )


def _checked_quads(
    plan: ImportPlan, data_dir: Path, ontology_dir: str | Path | None, mapped: Any = None
) -> tuple[list, list]:
    """Map the plan's records (with the curated data and the other imports) and validate them with SHACL;
    *mapped*, when given, is called with the import's quads and description between the two."""
    from kg.rdf.mapping import import_statements

    known, others = _context(plan, data_dir)
    curated = known.curated
    imp = Imported(plan.slug, plan.meta, plan.records, import_folder(data_dir, plan.slug))
    kinds = record_kinds(curated, [*others.values(), imp])
    base = [(k, r) for k, r in curated.all() if k != "document"]
    # Stated tuples, not pyoxigraph quads: the checks below read every part of every quad
    quads, meta_quads = import_statements(imp, kinds, base)
    others_quads = [q for other in others.values() for q in import_statements(other, kinds, base)[0]]
    if mapped is not None:
        mapped(quads, meta_quads)
    check_import_shapes(
        plan,
        quads,
        known,
        others,
        others_quads,
        data_dir,
        Path(ontology_dir) if ontology_dir else default_schemes_file(data_dir).parent,
    )
    return quads, meta_quads


@collector_paused()
def commit_import(
    prepared: PreparedImport,
    data_dir: str | Path = "data",
    store: str | Path | None = None,
    *,
    confirmed: bool = False,
    keep: int | None = None,
) -> ImportPlan:
    """Write a prepared import: the new state of ``data/imports/<slug>/`` (the old one kept) and its named graph.

    Nothing is written when the records are those already stored (provenance aside). If
    anything fails, nothing changes.

    Raises
    ------
    InputError
        When the import replaces or removes stored records and *confirmed* is False.
    StoreError
        When the store cannot be written.
    """
    try:
        return _commit(prepared, Path(data_dir), store, confirmed=confirmed, keep=keep)
    finally:
        if prepared.writer is not None:  # refused, failed or finished: nothing left running beside the store
            prepared.writer.cancel()


def _commit(
    prepared: PreparedImport, data_dir: Path, store: str | Path | None, *, confirmed: bool, keep: int | None
) -> ImportPlan:
    plan = prepared.plan
    if (
        plan.is_noop
    ):  # the same records as stored (or none at all): the graph keeps the earlier file as source
        return plan
    if prepared.replaces and not confirmed:
        raise InputError(
            [
                Problem(
                    plan.file.name,
                    None,
                    None,
                    f"réimporter « {plan.slug} » modifierait {len(plan.changed)} et supprimerait "
                    f"{len(plan.removed)} enregistrement(s) déjà importés (et en ajouterait {len(plan.added)})",
                    "relisez les changements, puis confirmez avec --oui (kg imports annuler "
                    f"{plan.slug} les défera) ; pour un import à part : --nom un-autre-nom"
                    + (
                        f" ; l'import est celui de « {prepared.owner} » : si ce n'est pas vous, donnez votre "
                        "nom (--par « votre structure ») et votre fichier aura son propre import"
                        if prepared.owner and not prepared.given_owner
                        else ""
                    ),
                    lang="fr",
                )
            ],
            f"l'import « {plan.slug} » n'a pas été remplacé sans confirmation ; rien n'a été écrit",
        )
    if not prepared.quads and not prepared.meta_quads:  # a plan checked elsewhere (apply_import)
        prepared.quads, prepared.meta_quads = _checked_quads(plan, data_dir, None)
    now = now_iso()
    before = prepared.previous
    info = ImportInfo(
        plan.slug,
        owner=prepared.owner,
        title=prepared.title,
        created=before.created if before and before.created else now,
        updated=now,
        file=plan.file.name,
        action="import",
        counts={k: len(v) for k, v in plan.records.items() if v and k != "documents"},
    )
    stored = Imported(plan.slug, plan.meta, plan.records, import_folder(data_dir, plan.slug))
    files: dict[str, Path | str] = {
        RECORDS_FILE: dump_records(stored),
        copy_name(plan.slug, plan.file.name): plan.file,
    }
    store_path = Path(store) if store else None
    writer = prepared.writer
    if writer is not None and (store_path is None or writer.store_path != store_path):
        writer.cancel()  # prepared for another store: written the usual way below
        writer = prepared.writer = None
    relations = None  # the relations of the graph as stored, when the store's tables are fresh
    with staged_state(data_dir, plan.slug, info, files, keep=keep) as install:
        if writer is not None and store_path is not None:  # written while the checks ran: swapped in now
            writer.finish(_tables_after)
            plan.store_updated = True
        elif store_path is not None and store_path.is_dir():
            from kg.store.columnar_update import graph_relation_rows
            from kg.store.write import replace_graph

            relations = graph_relation_rows(store_path, plan.graph)
            from pyoxigraph import Quad

            replace_graph(store_path, plan.graph, [Quad(*q) for q in prepared.quads], prepared.meta_quads)
            plan.store_updated = True
        install()
    plan.written = True
    if plan.store_updated and store_path is not None and writer is None:
        from kg.store.columnar_update import end_steps_after

        end_steps_after(store_path, relations, prepared.quads)
    return plan


def _tables_after(tmp: Path, updated: bool) -> None:
    """The store's end steps on the new store *tmp* before it takes the store's place: the relation tables,
    unless the writer's child brought them up to date (*updated*), written again from the whole new store.
    Before the swap: a failure here leaves the store as it was."""
    from kg.store.columnar_update import end_steps_after

    end_steps_after(tmp, None, [], tables_done=updated)


@collector_paused()
def apply_import(
    plan: ImportPlan,
    data_dir: str | Path = "data",
    store: str | Path | None = None,
    *,
    owner: str | None = None,
    confirmed: bool = False,
    keep: int | None = None,
    ontology_dir: str | Path | None = None,
) -> ImportPlan:
    """Check and write a plan made by :func:`~kg.sheets.plan.plan_import` (the checks of :func:`prepare_import`).

    Raises
    ------
    InputError
        A record other imports cite would be removed; stored records would be replaced
        without *confirmed*.
    ShapeViolation
        With every violation, located at its sheet and row.
    StoreError
        When the store cannot be written.
    """
    data_dir = Path(data_dir)
    info = import_info(data_dir, plan.slug)
    prepared = PreparedImport(plan, owner or (info.owner if info else None), info.title if info else "", info)
    if not plan.is_noop:
        check_cross_references(plan, data_dir)
        prepared.quads, prepared.meta_quads = _checked_quads(plan, data_dir, ontology_dir)
    return commit_import(prepared, data_dir, store, confirmed=confirmed, keep=keep)


def _context(plan: ImportPlan, data_dir: Path) -> tuple[Known, dict[str, Imported]]:
    """The records the plan was made against (loaded again when the plan does not carry them)."""
    if plan.known is not None and plan.others is not None:
        return plan.known, plan.others
    others = load_imports(data_dir, skip=plan.slug)
    return known_records(data_dir, skip=plan.slug, imports=others), others
