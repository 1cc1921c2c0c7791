"""The spreadsheet commands: ``kg template``, ``kg import``, ``kg export-xlsx`` (``kg imports``: :mod:`kg.cli.imports`).

:func:`register` adds them to the ``kg`` application; each parses its options, calls one
library function (:mod:`kg.sheets.write`, :mod:`kg.store.imports`, :mod:`kg.sheets.export`) and
prints what comes back, in French (the catalysts' language).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from kg.cli.imports import Versions, Yes, confirm, print_noop, print_prepared, say
from kg.cli.imports import app as imports_app
from kg.cli.imports import remove as remove_command
from kg.cli.options import (
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    DEFAULT_STORE,
    DataDirFr,
    LangFr,
    StoreFr,
    Territory,
    fail,
    reports_errors,
)

__all__ = ["ecosystem_for_workbook", "print_workbook_report", "register"]


@reports_errors(lang="fr")
def template(
    file: Path = typer.Argument(Path("territoire.xlsx"), help="Classeur à écrire (.xlsx)."),
    ontology: Path = typer.Option(DEFAULT_ONTOLOGY, help="Dossier des schémas SKOS (listes déroulantes)."),
    force: bool = typer.Option(
        False, "--force", help="Écraser FILE s'il existe déjà (il contient peut-être votre travail)."
    ),
) -> None:
    """Écrit un classeur vide à remplir : une feuille par sorte d'information, listes déroulantes, un Lisez-moi.

    Un fichier existant n'est jamais remplacé, sauf avec --force."""
    from kg.errors import ExportError
    from kg.sheets.write import write_template

    if file.exists() and not force:
        raise ExportError(
            f"« {file} » existe déjà : il n'est pas remplacé (il contient peut-être votre travail) — "
            f"choisissez un autre nom (kg template {file.with_stem(file.stem + '-modele').name}) "
            "ou ajoutez --force pour l'écraser"
        )
    path = write_template(file, ontology / "schemes.ttl")
    typer.echo(f"Modèle écrit : {path}")
    typer.echo(f"Remplissez-le, puis : kg import {path} --par « Votre structure » --dry-run")


@reports_errors(lang="fr")
def import_(
    file: Path | None = typer.Argument(None, help="Tableur à importer : .xlsx, .ods ou .csv."),
    owner: str | None = typer.Option(
        None,
        "--par",
        "--owner",
        help="À qui appartient l'import (votre structure), donné une fois : il est gardé avec l'import. "
        "Le fichier de même nom d'un autre propriétaire devient un import à part.",
    ),
    name: str | None = typer.Option(
        None,
        "--nom",
        "--name",
        help="Nom de l'import (par défaut : le nom du fichier) ; réimporter sous le même nom le met à jour.",
    ),
    title: str | None = typer.Option(None, "--titre", "--title", help="Titre de l'import (gardé avec lui)."),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Montrer ce qui serait ajouté, modifié, supprimé, avec tous les contrôles de l'import ; ne rien écrire.",
    ),
    yes: Yes = False,
    remove: str | None = typer.Option(
        None, "--remove", hidden=True, help="Ancienne forme de : kg imports supprimer NOM."
    ),
    data: DataDirFr = DEFAULT_DATA,
    store: StoreFr = DEFAULT_STORE,
    versions: Versions = None,
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Lister chaque enregistrement ajouté, modifié ou supprimé."
    ),
    lang: LangFr = "fr",
) -> None:
    """Importe le tableur d'un catalyseur dans son propre graphe nommé (vérifié d'abord ; rien d'écrit si erreur).

    Réimporter sous le même nom montre les changements, feuille par feuille, et demande confirmation avant de remplacer ou de supprimer ce qui est enregistré (--oui dans un script) ; la version précédente est gardée (kg imports annuler NOM).

    Le graphe nommé de l'import dans --store est remplacé (sans store : lancez kg build)."""
    from kg.ingest.geo_tables import collector_paused
    from kg.store.imports import commit_import, prepare_import

    if remove:
        remove_command(remove, data, store, yes=yes, keep=versions, lang=lang)
        return
    if file is None:
        fail("donnez le tableur à importer (give the spreadsheet to import)", 2, lang)
    with collector_paused():  # from the plan to the write, as import_workbook (~10^6 objects, no garbage)
        # with the store (not for a dry run), the new graph is written beside it while the checks run
        prepared = prepare_import(
            file,
            data,
            name=name,
            owner=owner,
            title=title,
            lang=lang,
            store=None if dry_run else store,
            confirmed=yes,
        )
        plan = prepared.plan
        try:
            print_prepared(prepared, lang, verbose=verbose, dry_run=dry_run)
        except BaseException:
            if prepared.writer is not None:  # nothing written: the store is left as it was
                prepared.writer.cancel()
            raise
        if dry_run:
            return
        confirmed = yes
        if prepared.replaces and not yes:
            owner_text = say(lang, "of", owner=prepared.owner) if prepared.owner else ""
            answer = confirm(say(lang, "question", slug=plan.slug, owner=owner_text), yes)
            if answer is False:
                typer.echo(say(lang, "declined"))
                raise typer.Exit(1)
            confirmed = bool(answer)  # None (no terminal): commit_import refuses, with the fix
        commit_import(prepared, data, store, confirmed=confirmed, keep=versions)
        folder = data / "imports" / plan.slug
        if not plan.written:
            print_noop(prepared, lang)
        elif plan.store_updated:
            from kg.ingest.history import import_info

            info = import_info(data, plan.slug)
            version = info.version if info else 1
            typer.echo(say(lang, "written", folder=folder, graph=plan.graph, version=version, slug=plan.slug))
        else:
            typer.echo(say(lang, "written_no_store", folder=folder, store=store))


#: sheet names of the workbook report, in French
_SHEETS = {
    "actors": "acteurs",
    "relations": "relations",
    "programmes": "programmes",
    "partners": "partenaires",
    "fundings": "financements",
    "sources": "sources",
}


def print_workbook_report(report, lang: str = "fr") -> None:
    """Print what :func:`kg.sheets.export.export_xlsx` (or ``export_kumu``) wrote (also used by ``kg export xlsx``)."""
    if lang == "en":
        typer.echo(f"Workbook written: {report.path}")
        typer.echo("  " + ", ".join(f"{k} {v}" for k, v in report.rows.items()))
    else:
        typer.echo(f"Classeur écrit : {report.path}")
        typer.echo("  " + ", ".join(f"{_SHEETS.get(k, k)} {v}" for k, v in report.rows.items()))
    for note in report.notes:
        typer.echo(f"  ! {note}")


@reports_errors(lang="fr")
def export_xlsx(
    file: Path = typer.Argument(..., help="Classeur à écrire (.xlsx)."),
    territory: Territory = None,
    import_name: str | None = typer.Option(
        None,
        "--import",
        help="Seulement les enregistrements de cet import (réimporter le fichier sous ce nom le met à jour).",
    ),
    fmt: Literal["classeur", "kumu"] = typer.Option(
        "classeur",
        "--format",
        "-f",
        help="classeur : nos feuilles (Acteurs, Relations…), celles du modèle ; kumu : les feuilles "
        "Elements et Connections de Kumu (Label, Type, Tags avec « | », Direction…), avec leurs ID.",
    ),
    data: DataDirFr = DEFAULT_DATA,
    store: StoreFr = DEFAULT_STORE,
    lang: LangFr = "fr",
) -> None:
    """Écrit les enregistrements du graphe (ou l'écosystème d'un territoire, ou un import) en classeur.

    Les enregistrements sont lus dans --data ; avec --territory, l'écosystème (qui en fait partie, et
    pourquoi) est lu dans --store. Réimporter le classeur ne change rien. Avec --format kumu, le classeur
    s'importe dans Kumu (kumu.io) et, sous le même nom, dans kg import sans rien changer.
    """
    if fmt == "kumu":
        from kg.sheets.export import export_kumu

        if territory is not None:
            fail(say(lang, "kumu_territory", file=file), 2, lang)
        report = export_kumu(file, data, import_name=import_name)
    else:
        from kg.sheets.export import export_xlsx as write_workbook

        keep, reasons = ecosystem_for_workbook(territory, store)
        report = write_workbook(
            file, data, territory=territory, keep=keep, reasons=reasons, import_name=import_name
        )
    print_workbook_report(report, lang)


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
    """Add ``template``, ``import``, ``imports`` and ``export-xlsx`` to the ``kg`` application."""
    app.command("template")(template)
    app.command("import")(import_)
    app.add_typer(imports_app, name="imports")
    app.command("export-xlsx")(export_xlsx)
