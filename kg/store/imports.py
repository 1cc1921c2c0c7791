"""``kg import``: a catalyst's workbook → checked records → its own named graph, written at once.

The steps, each in its own module:

1. :func:`kg.sheets.plan.plan_import` reads the workbook, converts its rows to records
   and compares them with the previous import of the same name (every bad cell is
   reported at once; nothing is written);
2. :func:`kg.rdf.mapping.import_quads` maps the records to the import's named graph
   ``graph:import/<slug>``, with the same mapping as the curated data;
3. :func:`kg.rdf.shacl.check_shapes` validates them with the curated data, as ``kg
   build`` does (a violation is located at its sheet and row; nothing is written);
4. :func:`kg.ingest.imports.staged_import` writes ``data/imports/<slug>/`` beside the
   old folder, :func:`kg.store.write.replace_graph` replaces the named graph in one
   transaction, and only then is the folder swapped in.

:func:`import_workbook` runs them all; :func:`remove_import` undoes an import. ``kg
build`` rebuilds the imports' graphs from ``data/imports/`` (:func:`kg.store.build.imported_quads`).
See ``docs/spreadsheets.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.ingest.imports import (
    Imported,
    check_references,
    default_schemes_file,
    delete_import,
    import_folder,
    import_graph,
    load_imports,
    record_kinds,
    staged_import,
)
from kg.sheets.known import Known, known_records
from kg.sheets.plan import Change, ImportPlan, plan_import
from kg.store.build import imported_quads

__all__ = [
    "Change",
    "ImportPlan",
    "apply_import",
    "check_import_shapes",
    "import_graph",
    "import_workbook",
    "imported_quads",
    "load_imports",
    "plan_import",
    "remove_import",
]


def import_workbook(
    path: str | Path,
    data_dir: str | Path = "data",
    store: str | Path | None = "build/store",
    *,
    name: str | None = None,
    dry_run: bool = False,
    **kwargs: Any,
) -> ImportPlan:
    """Plan an import (:func:`~kg.sheets.plan.plan_import`) and, unless *dry_run*, apply it (:func:`apply_import`).

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
    dry_run : bool
        Only say what the import would do.
    **kwargs
        Passed to :func:`~kg.sheets.plan.plan_import`.

    Returns
    -------
    ImportPlan

    Raises
    ------
    InputError
        Every bad cell at once, located; nothing is written.
    ShapeViolation
        The records break a SHACL shape, located at their sheet and row; nothing is written.
    StoreError
        The store cannot be written; nothing is written.

    Examples
    --------
    >>> plan = import_workbook("gravelle.xlsx", dry_run=True)  # doctest: +SKIP
    >>> [str(c) for c in plan.added][:1]  # doctest: +SKIP
    ['acteur club-gravelle-entreprendre « Club Gravelle Entreprendre »']
    """
    plan = plan_import(path, data_dir, name=name, **kwargs)
    if dry_run:
        return plan
    return apply_import(plan, data_dir, store)


def apply_import(
    plan: ImportPlan,
    data_dir: str | Path = "data",
    store: str | Path | None = None,
    *,
    ontology_dir: str | Path | None = None,
) -> ImportPlan:
    """Write a planned import: ``data/imports/<slug>/`` and the named graph of the store.

    Nothing is written when the records are those already stored (provenance aside).
    The records are first mapped and validated with the SHACL shapes; the folder is
    then written beside the old one and swapped in only after the store was updated
    in one transaction. If anything fails, nothing changes.

    Parameters
    ----------
    plan : ImportPlan
        What :func:`~kg.sheets.plan.plan_import` returned.
    data_dir : path
        The data folder.
    store : path, optional
        The store to update (if it exists).
    ontology_dir : path, optional
        Holds ``shapes.ttl`` and the ontology (default: the folder of the SKOS schemes).

    Returns
    -------
    ImportPlan
        *plan*, with ``written`` and ``store_updated`` set.

    Raises
    ------
    ShapeViolation
        With every violation, located at its sheet and row.
    StoreError
        When the store cannot be written.
    """
    from kg.rdf.mapping import import_quads

    data_dir = Path(data_dir)
    if (
        plan.is_noop
    ):  # the same records as stored (or none at all): the graph keeps the earlier file as source
        return plan
    known, others = _context(plan, data_dir)
    curated = known.curated
    imp = Imported(plan.slug, plan.meta, plan.records, import_folder(data_dir, plan.slug))
    kinds = record_kinds(curated, [*others.values(), imp])
    base = [(k, r) for k, r in curated.all() if k != "document"]
    quads, meta_quads = import_quads(imp, kinds, base)
    others_quads = [q for other in others.values() for q in import_quads(other, kinds, base)[0]]
    check_import_shapes(
        plan,
        quads,
        known,
        others,
        others_quads,
        data_dir,
        Path(ontology_dir) if ontology_dir else default_schemes_file(data_dir).parent,
    )
    store_path = Path(store) if store else None
    with staged_import(imp, plan.file, data_dir) as install:
        if store_path is not None and store_path.is_dir():
            from kg.store.write import replace_graph

            replace_graph(store_path, plan.graph, quads, meta_quads)
            plan.store_updated = True
        install()
    plan.written = True
    return plan


def _context(plan: ImportPlan, data_dir: Path) -> tuple[Known, dict[str, Imported]]:
    """The records the plan was made against (loaded again when the plan does not carry them)."""
    if plan.known is not None and plan.others is not None:
        return plan.known, plan.others
    others = load_imports(data_dir, skip=plan.slug)
    return known_records(data_dir, skip=plan.slug, imports=others), others


def check_import_shapes(
    plan: ImportPlan,
    quads: list,
    known: Known,
    others: dict[str, Imported],
    others_quads: list,
    data_dir: Path,
    ontology_dir: Path,
) -> None:
    """Validate an import's quads as ``kg build`` validates the graph: with the curated data and the other imports.

    Raises
    ------
    ShapeViolation
        With every violation, located at the sheet and row of the workbook the record
        comes from (else at its curated file, or at the node).
    """
    from kg.ingest.geo import geography_quads, load_geography
    from kg.model.iris import BASE
    from kg.rdf.mapping import curated_quads
    from kg.rdf.shacl import check_shapes, ontology_quads

    curated = known.curated
    records_quads = curated_quads(curated) + others_quads + quads
    geo = _territories_used(plan.geo or load_geography(data_dir / "geo"), records_quads)
    owners = {rid: imp.where for imp in others.values() for rid in imp.index()}
    prefix = BASE + "id/"

    def locate(focus: str) -> tuple:
        rid = (
            focus[len(prefix) :].split("/")[1] if focus.startswith(prefix) and focus.count("/") > 5 else None
        )
        if rid in plan.located:
            where, row = plan.located[rid]
            return where, row, "row"
        if rid in curated.located:
            return curated.located[rid]
        if rid in owners:
            return owners[rid], None
        return focus, None

    check_shapes(
        records_quads,
        ontology_quads(ontology_dir),
        geography_quads(geo),
        ontology_dir / "shapes.ttl",
        locate,
    )


def remove_import(name: str, data_dir: str | Path = "data", store: str | Path | None = "build/store") -> bool:
    """Remove an import: its folder and its named graph. Returns False when there was none.

    Raises
    ------
    InputError
        When another import cites one of its records.
    StoreError
        When the store cannot be written (the folder is then kept).
    """
    from kg.sheets.cells import slugify
    from kg.store.write import drop_graph

    data_dir = Path(data_dir)
    slug = slugify(name)
    if not slug or not import_folder(data_dir, slug).is_dir():
        return False
    others = load_imports(data_dir, skip=slug)
    if others:
        known = known_records(data_dir, skip=slug, imports=others)
        check_references(others, record_kinds(known.curated, others.values()))
    if store is not None and Path(store).is_dir():
        drop_graph(Path(store), import_graph(slug))
    return delete_import(data_dir, slug)


def _territories_used(geo, quads: list):
    """The part of *geo* the shapes see (see :func:`kg.rdf.shacl.territory_scope`): the territories *quads*
    point at, with every département and région (and what their quads name), so mapping it stays quick."""
    from dataclasses import replace

    from kg.model.iris import BASE

    prefix = BASE + "id/territory/"
    used: dict[str, set[str]] = {"commune": set(), "intercommunalite": set()}
    for q in quads:
        value = getattr(q.object, "value", "")
        if value.startswith(prefix):
            level, _, code = value[len(prefix) :].partition("/")
            if level in used:
                used[level].add(code)
    communes = {c for c in used["commune"] if c in geo.communes}
    communes |= {p.chef_lieu for p in (*geo.departements.values(), *geo.regions.values())}
    communes |= {geo.communes[c].parent for c in communes if geo.communes[c].parent is not None}
    inters = {i for i in used["intercommunalite"] if i in geo.intercommunalities}
    inters |= {e for c in communes for e in (geo.communes[c].epci, geo.communes[c].ept) if e is not None}
    return replace(
        geo,
        communes={c: geo.communes[c] for c in communes},
        intercommunalities={i: geo.intercommunalities[i] for i in inters if i in geo.intercommunalities},
    )
