"""The spreadsheet commands: ``kg template``, ``kg import``, ``kg export-xlsx``.

:func:`register` adds them to the ``kg`` application; each parses its options, calls one
library function (:mod:`kg.sheets.write`, :mod:`kg.store.imports`, :mod:`kg.sheets.export`) and
prints what comes back, in French (the catalysts' language).
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.options import (
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    DEFAULT_STORE,
    DataDir,
    Store,
    Territory,
    fail,
    reports_errors,
)

__all__ = ["ecosystem_for_workbook", "print_workbook_report", "register"]


@reports_errors
def template(
    file: Path = typer.Argument(Path("territoire.xlsx"), help="Workbook to write (.xlsx)."),
    ontology: Path = typer.Option(DEFAULT_ONTOLOGY, help="Folder with the SKOS schemes (drop-down lists)."),
) -> None:
    """Write an empty workbook to fill in: one sheet per kind of record, drop-down lists, a read-me sheet."""
    from kg.sheets.write import write_template

    path = write_template(file, ontology / "schemes.ttl")
    typer.echo(f"Modèle écrit : {path}")
    typer.echo(f"Remplissez-le, puis : kg import {path} --dry-run")


@reports_errors
def import_(
    file: Path | None = typer.Argument(None, help="Spreadsheet to import: .xlsx, .ods or .csv."),
    name: str | None = typer.Option(
        None,
        "--nom",
        "--name",
        help="Name of the import (default: the file name); importing again under the same name updates it.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be added, changed and removed; write nothing."
    ),
    remove: str | None = typer.Option(
        None, "--remove", help="Remove the import of this name (its folder and named graph)."
    ),
    data: DataDir = DEFAULT_DATA,
    store: Store = DEFAULT_STORE,
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="List every record added, changed or removed."
    ),
) -> None:
    """Import a catalyst's spreadsheet into its own named graph (checked first; nothing written on any error).

    The import's named graph in --store is replaced (skipped when there is no store: run kg build)."""
    from kg.store.imports import import_workbook, remove_import

    if remove:
        done = remove_import(remove, data, store)
        typer.echo(f"Import « {remove} » supprimé." if done else f"Aucun import « {remove} ».")
        return
    if file is None:
        fail("give the spreadsheet to import (or --remove NAME)", 2)
    plan = import_workbook(file, data, store, name=name, dry_run=dry_run)
    head = "Simulation (rien n'est écrit)" if dry_run else "Import"
    typer.secho(f"{head} « {plan.slug} » depuis {plan.file.name}", bold=True)
    typer.echo(
        f"  ajoutés : {len(plan.added)}   modifiés : {len(plan.changed)}   supprimés : {len(plan.removed)}   "
        f"inchangés : {plan.unchanged}   déjà dans le graphe : {len(plan.references)}"
    )
    limit = None if verbose else 10
    for title, items in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
        for c in items[:limit]:
            typer.echo(f"  {title} {c}")
        if limit and len(items) > limit:
            typer.echo(f"  {title} … et {len(items) - limit} autres (--verbose pour tout voir)")
    for w in plan.warnings[:limit]:
        typer.secho(f"  ! {w}", fg=typer.colors.YELLOW)
    if limit and len(plan.warnings) > limit:
        typer.secho(f"  ! … et {len(plan.warnings) - limit} autres remarques", fg=typer.colors.YELLOW)
    if verbose:
        for r in plan.references:
            typer.echo(f"  = {r}")
    if dry_run:
        return
    if not plan.written:
        typer.echo("Aucun changement : rien n'a été écrit.")
    elif plan.store_updated:
        typer.echo(f"Écrit : {data / 'imports' / plan.slug} et le graphe nommé {plan.graph}")
    else:
        typer.echo(f"Écrit : {data / 'imports' / plan.slug} (pas de store à {store} : lancez kg build)")


#: sheet names of the workbook report, in French
_SHEETS = {
    "actors": "acteurs",
    "relations": "relations",
    "programmes": "programmes",
    "partners": "partenaires",
    "fundings": "financements",
    "sources": "sources",
}


def print_workbook_report(report) -> None:
    """Print what :func:`kg.sheets.export.export_xlsx` wrote (also used by ``kg export xlsx``)."""
    typer.echo(f"Classeur écrit : {report.path}")
    typer.echo("  " + ", ".join(f"{_SHEETS.get(k, k)} {v}" for k, v in report.rows.items()))


@reports_errors
def export_xlsx(
    file: Path = typer.Argument(..., help="Workbook to write (.xlsx)."),
    territory: Territory = None,
    import_name: str | None = typer.Option(
        None, "--import", help="Only the records of this import (importing the file again then updates it)."
    ),
    data: DataDir = DEFAULT_DATA,
    store: Store = DEFAULT_STORE,
) -> None:
    """Write the graph's records (or one territory's ecosystem, or one import's) as the catalysts' workbook.

    The records are read from --data; with --territory, the ecosystem (who is in it, and why) is read
    from --store. Importing the workbook again changes nothing.
    """
    from kg.sheets.export import export_xlsx as write_workbook

    keep, reasons = ecosystem_for_workbook(territory, store)
    report = write_workbook(
        file, data, territory=territory, keep=keep, reasons=reasons, import_name=import_name
    )
    print_workbook_report(report)


def ecosystem_for_workbook(territory: str | None, store: Path) -> tuple[set[str] | None, list[str]]:
    """The members (IRIs) of *territory*'s ecosystem in the store, and why each is there (French sentences)."""
    if territory is None:
        return None, []
    import kg
    from kg.store.ecosystem import ecosystem

    eco = ecosystem(kg.open(store), territory)
    reasons = [
        f"{eco.label(n)} — {' ; '.join(eco.explain(n))}"
        for n in eco.members(("actor", "person", "programme"))
    ]
    return set(eco.reasons), reasons


def register(app: typer.Typer) -> None:
    """Add ``template``, ``import`` and ``export-xlsx`` to the ``kg`` application."""
    app.command("template")(template)
    app.command("import")(import_)
    app.command("export-xlsx")(export_xlsx)
