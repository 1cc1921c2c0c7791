"""The SHACL check of an import: its quads validated with the curated data and the other imports, as
``kg build`` validates the graph, on what the import can change (its nodes and their neighbours), every
violation located at the sheet and row of the workbook it comes from. Used by :mod:`kg.store.imports`.
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.imports import Imported
from kg.sheets.known import Known
from kg.sheets.plan import ImportPlan

__all__ = ["check_import_shapes"]


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
    focus, territories = _import_focus(quads, records_quads)
    geo = _territories_used(plan.geo or load_geography(data_dir / "geo"), territories)
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
        focus=focus,
        territories=territories,
    )


def _import_focus(quads: list, records_quads: list) -> tuple[set[str], set[str]]:
    """What an import can make conform or not: its own nodes and their neighbours, in either direction;
    and the territories *records_quads* point at (their IRIs), found in the same pass.

    Its subjects, the IRIs its quads point at (an actor of the curated data it cites, an actor-type
    concept whose shape looks at every actor classified with it) and the subjects pointing at its
    nodes. The rest of the graph was validated when it was built or imported. The territories are those
    :func:`kg.rdf.shacl.territory_scope` keeps and :func:`_territories_used` maps: one pass over the
    ~1.3 M quads of a 50,000-row import for the three, where each made its own.
    """
    from kg.model.iris import BASE

    own = {q.subject.value for q in quads}
    near = {q.object.value for q in quads if type(q.object).__name__ == "NamedNode"}
    prefix = BASE + "id/territory/"
    territories: set[str] = set()
    for q in records_quads:
        value = getattr(q.object, "value", "")
        if value in own:
            near.add(q.subject.value)
        if value.startswith(prefix):
            territories.add(value)
    return own | near, territories


def _territories_used(geo, territories: set[str]):
    """The part of *geo* the shapes see (see :func:`kg.rdf.shacl.territory_scope`): the *territories* (IRIs)
    the records point at, with every département and région (and what their quads name), so mapping it
    stays quick."""
    from dataclasses import replace

    from kg.model.iris import BASE

    prefix = BASE + "id/territory/"
    used: dict[str, set[str]] = {"commune": set(), "intercommunalite": set()}
    for value in territories:
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
