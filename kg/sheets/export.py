"""The graph back to the catalysts' workbook: ``kg export-xlsx`` (``kg export xlsx``).

:func:`export_rows` turns the records the graph is built from — the curated data and the
stored imports, or one import, or one territory's ecosystem — into rows of the sheets
of :data:`kg.sheets.layout.SHEETS`; :func:`export_xlsx` writes them with the template's
drop-down lists and read-me sheet. The rows are exactly those :mod:`kg.sheets.convert` reads
back: importing the file again changes nothing (a test checks it).

Why records rather than SPARQL over the store: the store is built from these records by
one mapping, and the export must be lossless for the round trip; the records carry the
stable ids, the dates at their precision and the amounts as written.

A territory's workbook holds its ecosystem, the one definition of :mod:`kg.store.ecosystem`. This module
works on records and does not read the store (``kg.sheets`` sits below ``kg.store``): the caller passes
the ecosystem's members as ``keep`` (their IRIs), e.g.
``export_xlsx(path, data, territory=t, keep=ecosystem(graph, t).reasons)`` — what ``kg export-xlsx
--territory`` does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kg.errors import ExportError, InputError, Problem, UnknownEntityError
from kg.ingest.geo import Geography
from kg.model import iris
from kg.model.territories import parse_territory

__all__ = ["FORMATS", "ExportReport", "export_kumu", "export_rows", "export_xlsx", "kumu_records"]

#: the workbooks ``kg export-xlsx --format`` writes: ours (the template's sheets) or Kumu's (Elements, Connections)
FORMATS = ("classeur", "kumu")


@dataclass
class ExportReport:
    """What an export wrote: the file and the number of rows per sheet."""

    path: Path
    rows: dict[str, int]
    #: what the workbook cannot hold, in French, with the fix (e.g. a Kumu import's people and connections)
    notes: list[str] = field(default_factory=list)


def _date(value: str | None) -> str | None:
    if value and len(value) == 10:
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    return value


def export_rows(
    data_dir: str | Path = "data",
    *,
    territory: str | None = None,
    keep: Collection[str] | None = None,
    import_name: str | None = None,
    geo: Geography | None = None,
    concepts: Any = None,
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every sheet, from the curated data and the stored imports.

    Parameters
    ----------
    data_dir : path
        The data folder (``curated/``, ``imports/``, ``geo/``).
    territory : str, optional
        ``level:code`` (``departement:94``, ``commune:94018``, ``intercommunalite:200057941``,
        ``region:11``): only its ecosystem, whose members *keep* lists; named in the read-me sheet.
    keep : collection of str
        With *territory*: the IRIs of the ecosystem's members (:func:`kg.store.ecosystem.ecosystem`):
        its actors, programmes, fundings, supports and memberships, and the participations and
        relations between two of its members.
    import_name : str, optional
        Only the records of this import (the workbook then names it in its read-me sheet,
        so importing it again updates that import).
    geo, concepts : optional
        Already loaded geography and SKOS labels.

    Returns
    -------
    dict
        Sheet key → list of rows (column key → value).

    Raises
    ------
    UnknownEntityError
        When the import or the territory does not exist.
    ExportError
        For a territory without *keep*.
    """
    from kg.ingest.geo import load_geography
    from kg.ingest.imports import default_schemes_file, import_doc_id, load_imports
    from kg.sheets.cells import slugify
    from kg.sheets.known import known_records
    from kg.sheets.layout import load_concepts

    data_dir = Path(data_dir)
    geo = geo or load_geography(data_dir / "geo")
    concepts = concepts or load_concepts(default_schemes_file(data_dir))
    imports = load_imports(data_dir)
    if import_name is not None:
        slug = slugify(import_name)
        if slug not in imports:
            raise UnknownEntityError(f"aucun import « {import_name} » (no such import)", sorted(imports))
        groups = [(slug, list(imports[slug].all()))]
    else:
        known = known_records(data_dir, imports=imports)
        groups = [("curated", [(k, r) for k, r in known.curated.all() if k != "document"])]
        groups += [(s, list(imp.all())) for s, imp in imports.items()]
    if territory is not None and not geo.has(*parse_territory(territory)):
        raise UnknownEntityError(
            f"« {territory} » n'est pas un territoire connu ; écrivez niveau:code, p. ex. "
            "departement:94, commune:94018, intercommunalite:200057941, region:11"
        )
    if territory is not None and keep is None:
        raise ExportError(
            f"the workbook of {territory} needs its ecosystem: pass keep=kg.store.ecosystem.ecosystem(graph, "
            f'"{territory}").reasons (kg export-xlsx --territory does it from --store)'
        )
    records: list[tuple[str, str, Any]] = [(owner, k, r) for owner, items in groups for k, r in items]
    by_id = {r.id: (k, r) for _, k, r in records if k != "document"}  # type: ignore[attr-defined]
    # everything the graph knows, for names and for the filter's reach
    all_names: dict[str, list[str]] = {}
    if import_name is not None:
        known = known_records(data_dir, imports=imports)
        everything = {rid: (k, r) for rid, (k, r, _) in known.index.items()} | by_id
    else:
        everything = by_id
    for rid, (_, r) in everything.items():
        n = getattr(r, "name", None)
        if n:
            all_names.setdefault(n, []).append(rid)

    def ref(rid: str) -> str:
        """The name of a record when it designates it unambiguously, else its id."""
        k_r = everything.get(rid)
        n = getattr(k_r[1], "name", None) if k_r else None
        return n if n and all_names.get(n) == [rid] and n != rid else rid

    kept_iris = set(keep) if territory is not None and keep is not None else None

    def kept(kind: str, rid: str | None) -> bool:
        """Everything without a territory; in a territory's workbook, the ecosystem's members."""
        if kept_iris is None:
            return True
        if rid is None:
            return False
        try:
            return iris.entity(kind, rid) in kept_iris
        except ValueError:
            return False

    def kept_actor(rid: str | None) -> bool:
        return kept("actor", rid)

    def kept_prog(rid: str | None) -> bool:
        return kept("programme", rid)

    def labels(scheme: str, values: list[str]) -> list[str]:
        return [concepts.label(scheme, v) for v in values]

    def source_of(owner: str, rec: BaseModel) -> str | None:
        for s in getattr(rec, "sources", [])[1:]:
            prefix = import_doc_id(owner) + "." if owner != "curated" else None
            if prefix and s.doc.startswith(prefix):
                sid = s.doc[len(prefix) :]
                return sid if import_name is not None else f"{owner}-{sid}"
        return None

    out: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("actors", "relations", "programmes", "partners", "fundings", "sources")
    }
    used_sources: set[str] = set()
    for owner, kind, rec in records:
        r = rec
        if kind == "document":
            continue
        src = source_of(owner, r)
        if src:
            used_sources.add(src)
        common = {
            "id": r.id,
            "source": src,
            "debut": _date(getattr(r, "start", None)),
            "fin": _date(getattr(r, "end", None)),
            "description": r.description,
        }
        if kind == "actor" and kept_actor(r.id):
            commune = departement = None
            located = parse_territory(r.located_in) if r.located_in else None
            if located and located.level == "commune":
                c = geo.communes.get(located.code)
                commune = f"{c.name} ({located.code})" if c else located.code
            elif located and located.level == "departement":
                departement = located.code
            out["actors"].append(
                common
                | {
                    "name": r.name,
                    "types": labels("actor-type", r.types),
                    "themes": labels("theme", r.themes),
                    "commune": commune,
                    "departement": departement,
                    "siren": r.siren,
                    "siret": r.siret,
                    "rna": r.rna,
                    "homepage": r.homepage,
                }
            )
            for f in r.founders:
                if f in everything and everything[f][0] == "actor":
                    out["relations"].append(
                        {
                            "from": ref(f),
                            "to": ref(r.id),
                            "kind": concepts.label("relation-kind", "fondation"),
                        }
                    )
            if r.part_of:
                out["relations"].append(
                    {
                        "from": ref(r.id),
                        "to": ref(r.part_of),
                        "kind": concepts.label("relation-kind", "unite"),
                    }
                )
        elif kind == "programme" and kept_prog(r.id):
            out["programmes"].append(
                common
                | {
                    "name": r.name,
                    "type": concepts.label("project-type", r.type),
                    "themes": labels("theme", r.themes),
                    "homepage": r.homepage,
                }
            )
            if r.continues:
                out["relations"].append(
                    {
                        "from": ref(r.id),
                        "to": ref(r.continues),
                        "kind": concepts.label("relation-kind", "succession"),
                    }
                )
        elif kind == "participation" and kept_actor(r.actor) and kept_prog(r.programme):
            out["partners"].append(
                common
                | {
                    "programme": ref(r.programme),
                    "actor": ref(r.actor),
                    "role": concepts.label("role", r.role),
                }
            )
        elif kind == "membership" and kept("membership", r.id):
            if everything.get(r.member, ("",))[0] != "actor":
                continue  # a person's membership has no row in the workbook
            out["relations"].append(
                common
                | {
                    "from": ref(r.member),
                    "to": ref(r.organisation),
                    "kind": concepts.label("relation-kind", "adhesion"),
                    "role": concepts.label("role", r.role),
                }
            )
        elif kind == "support" and kept("support", r.id):
            out["relations"].append(
                common
                | {
                    "from": ref(r.provider),
                    "to": ref(r.beneficiary),
                    "kind": concepts.label("relation-kind", "soutien"),
                    "support_kind": concepts.label("support-kind", r.support_kind),
                }
            )
        elif kind == "funding" and kept("funding", r.id):
            item = (
                r.funded_item
                if r.funded_item and everything.get(r.funded_item, ("",))[0] == "programme"
                else None
            )
            amount = r.amount_eur
            out["fundings"].append(
                common
                | {
                    "funder": ref(r.funder) if r.funder else None,
                    "recipient": ref(r.recipient),
                    "programme": ref(item) if item else None,
                    "amount": int(amount) if amount == amount.to_integral_value() else float(amount),
                    "purpose": r.description,
                    "description": None,
                    "support_kind": concepts.label("support-kind", r.support_kind)
                    if r.support_kind
                    else None,
                    "themes": labels("theme", r.themes),
                }
            )
    for owner, kind, rec in records:
        if kind != "document" or owner == "curated":
            continue
        r = rec
        prefix = import_doc_id(owner) + "."
        if not r.id.startswith(prefix):  # type: ignore[attr-defined]
            continue
        sid = r.id[len(prefix) :]  # type: ignore[attr-defined]
        sid = sid if import_name is not None else f"{owner}-{sid}"
        if territory is not None and sid not in used_sources:
            continue
        out["sources"].append({"title": r.title, "date": _date(r.issued), "url": r.url, "id": sid})  # type: ignore[attr-defined]
    return out


def export_xlsx(
    path: str | Path,
    data_dir: str | Path = "data",
    *,
    territory: str | None = None,
    keep: Collection[str] | None = None,
    reasons: Sequence[str] = (),
    import_name: str | None = None,
    schemes_file: str | Path | None = None,
) -> ExportReport:
    """Write the graph's records (or one import, or one territory) as the catalysts' workbook.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    data_dir : path
        The data folder.
    territory, keep : optional
        Only this territory's ecosystem, whose members (IRIs) *keep* lists (see :func:`export_rows`).
    reasons : sequence of str
        Why each member is in the ecosystem (``"Club ESS — participe au programme Urgence Etudiante"``),
        written in the read-me sheet (lines « pourquoi », which an import ignores).
    import_name : str, optional
        Only this import.
    schemes_file : path, optional
        The SKOS schemes (labels of the lists).

    Returns
    -------
    ExportReport

    Raises
    ------
    ExportError
        When the file cannot be written.
    UnknownEntityError
        When the import or the territory does not exist.
    InputError
        When the data does not load.

    Examples
    --------
    >>> eco = kg.store.ecosystem.ecosystem(kg.open(), "departement:94")  # doctest: +SKIP
    >>> export_xlsx(tmp / "val-de-marne.xlsx", territory="departement:94", keep=eco.reasons).rows  # doctest: +SKIP
    {'actors': 12, 'relations': 3, ...}
    """
    from kg.ingest.imports import default_schemes_file
    from kg.sheets.layout import load_concepts
    from kg.sheets.write import write_workbook

    data_dir = Path(data_dir)
    concepts = load_concepts(Path(schemes_file) if schemes_file else default_schemes_file(data_dir))
    rows = export_rows(data_dir, territory=territory, keep=keep, import_name=import_name, concepts=concepts)
    extra = []
    if import_name is not None:
        from kg.sheets.cells import slugify

        extra.append(("import", slugify(import_name)))
    if territory is not None:
        extra.append(("territoire", territory))
        extra += [("pourquoi", text) for text in reasons]
    path = Path(path)
    _check_xlsx(path)
    try:
        write_workbook(path, rows, concepts, extra_readme=extra, template_rows=0)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc}") from None
    return ExportReport(path, {k: len(v) for k, v in rows.items()}, _lost_in_workbook(data_dir, import_name))


def _lost_in_workbook(data_dir: Path, import_name: str | None) -> list[str]:
    """What our workbook cannot hold of an import from Kumu (its people and connections), with the fix."""
    if import_name is None:
        return []
    from kg.ingest.imports import load_import
    from kg.sheets.cells import slugify

    slug = slugify(import_name)
    imp = load_import(data_dir / "imports" / slug, slug)
    if imp is None:
        return []
    people, conns = len(imp.records.get("people", [])), len(imp.records.get("connections", []))
    if not people and not conns:
        return []
    return [
        f"l'import « {slug} » vient de Kumu : ses {people} personne(s) et {conns} connexion(s) n'ont pas de "
        f"feuille dans ce classeur, et le réimporter sous ce nom les supprimerait — pour tout garder : "
        f"kg export-xlsx {slug}-kumu.xlsx --import {slug} --format kumu"
    ]


def kumu_records(
    data_dir: str | Path = "data", *, import_name: str | None = None
) -> tuple[dict[str, Sequence[BaseModel]], dict[str, BaseModel]]:
    """The records a Kumu workbook is written from, and the records of the graph they cite.

    Parameters
    ----------
    data_dir : path
        The data folder.
    import_name : str, optional
        Only this import: its records, and (as *cited*) the actors of the curated data or of other
        imports its connections and relations name, which Kumu needs as elements too. Without it, the
        curated data and every import, merged.

    Returns
    -------
    tuple
        ``(records, cited)``: kind name (``actors``, ``people``, ``connections``…) → records, and
        id → record of the cited actors and people (what :func:`kg.sheets.kumu.kumu_rows` takes).

    Raises
    ------
    UnknownEntityError
        When the import does not exist.
    """
    from kg.ingest.imports import IMPORT_KINDS, NAME_OF_KIND, load_imports
    from kg.sheets.cells import slugify
    from kg.sheets.known import known_records

    data_dir = Path(data_dir)
    imports = load_imports(data_dir)
    if import_name is None:
        known = known_records(data_dir, imports=imports)
        merged: dict[str, list[BaseModel]] = {k: [] for k in IMPORT_KINDS}
        for kind, rec in known.curated.all():
            merged.setdefault(NAME_OF_KIND.get(kind, kind), []).append(rec)
        for imp in imports.values():
            for name in IMPORT_KINDS:
                merged[name].extend(imp.records.get(name, []))
        return dict(merged.items()), {}
    slug = slugify(import_name)
    if slug not in imports:
        raise UnknownEntityError(f"aucun import « {import_name} » (no such import)", sorted(imports))
    records: dict[str, Sequence[BaseModel]] = dict(imports[slug].records)
    known = known_records(data_dir, skip=slug, imports=imports)
    ends: list[str] = []
    for c in records.get("connections", []):
        ends += [c.source, c.target]  # type: ignore[attr-defined]
    for m in records.get("memberships", []):
        ends += [m.member, m.organisation]  # type: ignore[attr-defined]
    for s in records.get("supports", []):
        ends += [s.provider, s.beneficiary]  # type: ignore[attr-defined]
    for p in records.get("participations", []):
        ends.append(p.actor)  # type: ignore[attr-defined]
    cited = {
        rid: known.index[rid][1]
        for rid in ends
        if rid in known.index and known.index[rid][0] in ("actor", "person")
    }
    return records, cited


def export_kumu(
    path: str | Path,
    data_dir: str | Path = "data",
    *,
    import_name: str | None = None,
    schemes_file: str | Path | None = None,
) -> ExportReport:
    """Write one import (or the whole graph) as a Kumu workbook: ``kg export-xlsx --format kumu``.

    The sheets are Kumu's, ``Elements`` and ``Connections``, with its column names (``Label``,
    ``Type``, ``Description``, ``Tags`` separated by ``|``, ``Image``, then custom fields; ``From``,
    ``To``, ``Type``, ``Direction``, ``Label``…) and an ``ID`` for each element and connection, so
    that Kumu, and ``kg import`` under the same name, update rather than duplicate: re-importing the
    file of an import changes nothing.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    data_dir : path
        The data folder.
    import_name : str, optional
        Only this import (the actors of the graph it cites are written as elements too).
    schemes_file : path, optional
        The SKOS schemes (labels of types and themes).

    Returns
    -------
    ExportReport
        Rows per sheet (``Elements``, ``Connections``).

    Raises
    ------
    UnknownEntityError
        When the import does not exist.
    InputError
        When *path* is not an ``.xlsx`` file.
    ExportError
        When the file cannot be written.
    """
    from kg.ingest.imports import default_schemes_file
    from kg.sheets.kumu import kumu_rows, write_kumu
    from kg.sheets.layout import load_concepts

    data_dir = Path(data_dir)
    path = Path(path)
    _check_xlsx(path)
    concepts = load_concepts(Path(schemes_file) if schemes_file else default_schemes_file(data_dir))
    records, cited = kumu_records(data_dir, import_name=import_name)
    rows = kumu_rows(records, concepts, cited=cited)
    try:
        write_kumu(rows, path)
    except OSError as exc:
        raise ExportError(f"impossible d'écrire {path} : {exc} (cannot write the file)") from None
    return ExportReport(path, {k: len(v) for k, v in rows.items()})


def _check_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "l'export est un classeur .xlsx (the export is an .xlsx workbook)",
                    "donnez un nom de fichier en .xlsx",
                    lang="fr",
                )
            ]
        )
