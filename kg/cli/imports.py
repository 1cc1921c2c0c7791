"""``kg imports``: list the imports, show one's history, undo its last change, delete it.

Each subcommand calls one function of :mod:`kg.store.history` and prints what comes back,
in French (``--lang en`` for English). :func:`print_prepared` and :func:`confirm` are
shared with ``kg import`` (:mod:`kg.cli.sheets`): the diff per sheet, and the question
asked before stored records are replaced or removed (``--oui`` answers it in scripts;
without a terminal and without ``--oui``, the command refuses).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from kg.cli.options import DEFAULT_DATA, DEFAULT_STORE, DataDirFr, LangFr, StoreFr, reports_errors

__all__ = ["MESSAGES", "Versions", "Yes", "app", "confirm", "print_noop", "print_prepared", "remove", "say"]

#: the messages of kg import and kg imports, in French and English
MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "head_import": "Import « {slug} »{owner} depuis {file}",
        "head_dry": "Simulation (rien n'est écrit) « {slug} »{owner} depuis {file}",
        "of": " de « {owner} »",
        "renamed": "le nom « {name} » est celui de l'import de « {other} » : votre fichier devient l'import "
        "« {slug} » (le sien n'est pas touché)",
        "renamed_noop": "le nom « {name} » est celui de l'import de « {other} » : votre fichier serait l'import "
        "« {slug} » (le sien n'est pas touché)",
        "no_owner": "cet import n'a pas de propriétaire : ajoutez --par « Votre structure » (une fois suffit)",
        "totals": "  ajoutés : {added}   modifiés : {changed}   supprimés : {removed}   inchangés : {unchanged}"
        "   déjà dans le graphe : {refs}",
        "sheet": "  feuille {sheet} : ajoutés {added}, modifiés {changed}, supprimés {removed}",
        "more": "  {sign} … et {n} autres (--verbose pour tout voir)",
        "more_warnings": "  ! … et {n} autres remarques",
        "will_ask": "Ces changements remplacent des enregistrements déjà importés : l'import demandera "
        "confirmation (--oui dans un script).",
        "question": "Remplacer l'import « {slug} »{owner} ? L'état actuel reste dans l'historique "
        "(kg imports annuler {slug}). [o/N] ",
        "declined": "Rien n'a été écrit.",
        "noop": "Aucun changement : rien n'a été écrit.",
        "noop_held": "Aucun changement : tout ce que dit ce fichier est déjà dans le graphe ({held}) ; rien n'a "
        "été écrit{not_created}.",
        "held_import": "{n} ligne(s) dans l'import « {slug} »{owner}",
        "held_curated": "{n} ligne(s) dans les données curées",
        "not_created": " et l'import « {slug} » n'a pas été créé",
        "held_note": "Ces enregistrements restent ceux de l'import {imports} : s'ils y sont modifiés ou supprimés, "
        "ils le sont dans le graphe. Pour les compléter, ajoutez à votre fichier ce qui est à vous (autres "
        "acteurs, relations, financements) et réimportez-le.",
        "written": "Écrit : {folder} et le graphe nommé {graph} (version {version} ; kg imports annuler {slug} "
        "la défait)",
        "written_no_store": "Écrit : {folder} (pas de store à {store} : lancez kg build)",
        "none": "Aucun import dans {data}.",
        "list_head": "{n} import(s) dans {data} :",
        "list_row": "  {slug:<24} {owner:<24} {date}  v{version}  {counts}",
        "nobody": "(sans propriétaire)",
        "deleted": "supprimé",
        "history_head": "Import « {slug} »{owner} — « {title} », créé le {created}",
        "current": "actuel",
        "action_import": "import de {file}",
        "action_annulation": "annulation (retour à la version {restored})",
        "action_suppression": "suppression",
        "action_absent": "avant le premier import",
        "undone": "Import « {slug} » : version {restored} rétablie ({what}) ; le graphe nommé est celui "
        "d'alors. kg imports annuler {slug} refait le changement annulé.",
        "undone_no_store": "Import « {slug} » : version {restored} rétablie dans {folder} (pas de store : "
        "lancez kg build).",
        "delete_question": "Supprimer l'import « {slug} »{owner} ({counts}) ? Il reste dans l'historique "
        "(kg imports annuler {slug}). [o/N] ",
        "delete_needs_yes": "supprimer l'import « {slug} » demande confirmation : relancez avec --oui",
        "removed": "Import « {slug} » supprimé (kg imports annuler {slug} le rétablit).",
        "no_import": "Aucun import « {slug} ».",
        "records": "{n} enregistrement(s)",
        "kumu_territory": "--format kumu écrit un import ou tout le graphe, pas un territoire : retirez "
        "--territory (kg export-xlsx {file} --import NOM --format kumu), ou gardez --territory sans --format kumu",
    },
    "en": {
        "head_import": "Import « {slug} »{owner} from {file}",
        "head_dry": "Dry run (nothing is written) « {slug} »{owner} from {file}",
        "of": " of « {owner} »",
        "renamed": "the name « {name} » is that of « {other} »'s import: your file becomes the import « {slug} » "
        "(theirs is untouched)",
        "renamed_noop": "the name « {name} » is that of « {other} »'s import: your file would be the import "
        "« {slug} » (theirs is untouched)",
        "no_owner": 'this import has no owner: add --par "Your organisation" (once is enough)',
        "totals": "  added: {added}   changed: {changed}   removed: {removed}   unchanged: {unchanged}"
        "   already in the graph: {refs}",
        "sheet": "  sheet {sheet}: added {added}, changed {changed}, removed {removed}",
        "more": "  {sign} … and {n} more (--verbose to see them all)",
        "more_warnings": "  ! … and {n} more notices",
        "will_ask": "These changes replace records already imported: the import will ask for confirmation "
        "(--oui in a script).",
        "question": "Replace the import « {slug} »{owner}? The current state stays in the history "
        "(kg imports annuler {slug}). [y/N] ",
        "declined": "Nothing was written.",
        "noop": "No change: nothing was written.",
        "noop_held": "No change: everything this file says is already in the graph ({held}); nothing was "
        "written{not_created}.",
        "held_import": "{n} row(s) in the import « {slug} »{owner}",
        "held_curated": "{n} row(s) in the curated data",
        "not_created": " and the import « {slug} » was not created",
        "held_note": "Those records remain those of the import {imports}: if they are changed or removed there, "
        "they are in the graph. To add to them, put what is yours in your file (other actors, relations, fundings) and "
        "import it again.",
        "written": "Written: {folder} and the named graph {graph} (version {version}; kg imports annuler {slug} "
        "undoes it)",
        "written_no_store": "Written: {folder} (no store at {store}: run kg build)",
        "none": "No import in {data}.",
        "list_head": "{n} import(s) in {data}:",
        "list_row": "  {slug:<24} {owner:<24} {date}  v{version}  {counts}",
        "nobody": "(no owner)",
        "deleted": "deleted",
        "history_head": "Import « {slug} »{owner} — « {title} », created {created}",
        "current": "current",
        "action_import": "import of {file}",
        "action_annulation": "undo (back to version {restored})",
        "action_suppression": "deletion",
        "action_absent": "before the first import",
        "undone": "Import « {slug} »: version {restored} restored ({what}); the named graph is the one of then. "
        "kg imports annuler {slug} redoes the change undone.",
        "undone_no_store": "Import « {slug} »: version {restored} restored in {folder} (no store: run kg build).",
        "delete_question": "Delete the import « {slug} »{owner} ({counts})? It stays in the history "
        "(kg imports annuler {slug}). [y/N] ",
        "delete_needs_yes": "deleting the import « {slug} » needs confirmation: run again with --oui",
        "removed": "Import « {slug} » deleted (kg imports annuler {slug} restores it).",
        "no_import": "No import « {slug} ».",
        "records": "{n} record(s)",
        "kumu_territory": "--format kumu writes one import or the whole graph, not a territory: drop "
        "--territory (kg export-xlsx {file} --import NAME --format kumu), or keep --territory without --format kumu",
    },
}

#: ``--oui``: confirm in a script
Yes = Annotated[
    bool,
    typer.Option(
        "--oui",
        "--yes",
        help="Confirmer sans question (scripts) : remplacer ou supprimer ce qui est enregistré ; la version précédente est gardée.",
    ),
]
#: ``--versions``: how many versions an import keeps
Versions = Annotated[
    int | None,
    typer.Option(
        "--versions",
        envvar="KG_IMPORT_VERSIONS",
        help="Versions gardées par import (10 par défaut ; aussi KG_IMPORT_VERSIONS).",
        show_default=False,
    ),
]


def say(lang: str, key: str, **values: Any) -> str:
    """The message *key* in *lang* (French when there is no English one), filled with *values*."""
    return MESSAGES.get(lang, MESSAGES["fr"]).get(key, MESSAGES["fr"][key]).format(**values)


def confirm(question: str, yes: bool) -> bool | None:
    """True when *yes*, else the answer to *question* on a terminal; None without a terminal (refuse)."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return None
    answer = typer.prompt(question, default="", show_default=False, prompt_suffix="")
    return answer.strip().lower() in ("o", "oui", "y", "yes")


def _owner(lang: str, owner: str | None) -> str:
    return say(lang, "of", owner=owner) if owner else ""


def _counts(counts: dict[str, int], lang: str) -> str:
    from kg.ingest.imports import KIND_NAME
    from kg.model.words import kind_word

    if not counts:
        return say(lang, "records", n=0)
    return ", ".join(f"{kind_word(KIND_NAME.get(k, k), lang)} {n}" for k, n in counts.items())


def print_noop(prepared, lang: str = "fr") -> None:
    """Say that an import wrote nothing: when the file only designates records already in the graph, where
    they are and that no import of the file's own was made."""
    plan, held_by = prepared.plan, prepared.held_elsewhere
    if not held_by:
        typer.echo(say(lang, "noop"))
        return
    held = ", ".join(
        say(lang, "held_curated", n=n)
        if where == "curated"
        else say(lang, "held_import", n=n, slug=where, owner=_owner(lang, owner))
        for where, owner, n in held_by
    )
    fresh = prepared.previous is None or not prepared.previous.present
    typer.echo(
        say(
            lang,
            "noop_held",
            held=held,
            not_created=say(lang, "not_created", slug=plan.slug) if fresh else "",
        )
    )
    others = [f"« {where} »" for where, _, _ in held_by if where != "curated"]
    if others:
        typer.echo(say(lang, "held_note", imports=", ".join(others)))


def print_prepared(prepared, lang: str = "fr", *, verbose: bool = False, dry_run: bool = False) -> None:
    """Print what an import would do (:class:`kg.store.imports.PreparedImport`): head, notices, diff per sheet."""
    plan = prepared.plan
    head = "head_dry" if dry_run else "head_import"
    typer.secho(
        say(lang, head, slug=plan.slug, owner=_owner(lang, prepared.owner), file=plan.file.name), bold=True
    )
    if prepared.renamed_from:
        typer.secho(
            "  ! "
            + say(
                lang,
                "renamed_noop" if plan.is_noop else "renamed",
                name=prepared.renamed_from,
                other=prepared.renamed_owner,
                slug=plan.slug,
            ),
            fg=typer.colors.YELLOW,
        )
    if not prepared.owner:
        typer.secho("  ! " + say(lang, "no_owner"), fg=typer.colors.YELLOW)
    typer.echo(
        say(
            lang,
            "totals",
            added=len(plan.added),
            changed=len(plan.changed),
            removed=len(plan.removed),
            unchanged=plan.unchanged,
            refs=len(plan.references),
        )
    )
    for sheet, n in prepared.by_sheet().items():
        typer.echo(say(lang, "sheet", sheet=sheet, **n))
    limit = None if verbose else 10
    for sign, items in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
        for c in items[:limit]:
            typer.echo(f"  {sign} {c}")
        if limit and len(items) > limit:
            typer.echo(say(lang, "more", sign=sign, n=len(items) - limit))
    for w in plan.warnings[:limit]:
        typer.secho(f"  ! {w}", fg=typer.colors.YELLOW)
    if limit and len(plan.warnings) > limit:
        typer.secho(say(lang, "more_warnings", n=len(plan.warnings) - limit), fg=typer.colors.YELLOW)
    if verbose:
        for r in plan.references:
            typer.echo(f"  = {r}")
    if dry_run and prepared.replaces:
        typer.secho(say(lang, "will_ask"), fg=typer.colors.YELLOW)


# --------------------------------------------------------------------------- kg imports

app = typer.Typer(
    help="Les imports : à qui ils sont, leur historique ; annuler le dernier changement, supprimer un import.",
    no_args_is_help=False,
    invoke_without_command=True,
)


@app.callback(invoke_without_command=True)
def imports_list(
    ctx: typer.Context,
    data: DataDirFr = DEFAULT_DATA,
    everything: bool = typer.Option(False, "--tous", "--all", help="Lister aussi les imports supprimés."),
    lang: LangFr = "fr",
) -> None:
    """Liste les imports : nom, propriétaire, date du dernier changement, version et enregistrements."""
    if ctx.invoked_subcommand is not None:
        return
    from kg.store.history import list_imports

    found = list_imports(data, deleted=everything)
    if not found:
        typer.echo(say(lang, "none", data=data / "imports"))
        return
    typer.echo(say(lang, "list_head", n=len(found), data=data / "imports"))
    for info in found:
        counts = _counts(info.counts, lang) if info.present else say(lang, "deleted")
        typer.echo(
            say(
                lang,
                "list_row",
                slug=info.slug,
                owner=info.owner or say(lang, "nobody"),
                date=(info.updated or info.created)[:16].replace("T", " "),
                version=info.version,
                counts=counts,
            )
        )


def _what(info, lang: str) -> str:
    return say(lang, f"action_{info.action}", file=info.file, restored=info.restored)


@app.command("historique")
@reports_errors(lang="fr")
def history(
    name: str = typer.Argument(..., help="Nom de l'import (kg imports les liste)."),
    data: DataDirFr = DEFAULT_DATA,
    lang: LangFr = "fr",
) -> None:
    """Montre l'historique d'un import : sa version actuelle, puis chaque version gardée, la plus récente d'abord."""
    from kg.store.history import import_history

    info, kept = import_history(name, data)
    typer.secho(
        say(
            lang,
            "history_head",
            slug=info.slug,
            owner=_owner(lang, info.owner),
            title=info.title or info.slug,
            created=info.created[:16].replace("T", " "),
        ),
        bold=True,
    )
    rows = [(info, say(lang, "current"))] + [(v.info, "") for v in reversed(kept)]
    for state, mark in rows:
        counts = _counts(state.counts, lang) if state.present else "—"
        when = (state.updated or state.created)[:16].replace("T", " ") or "—"
        typer.echo(f"  v{state.version:<3} {when:<16}  {_what(state, lang)}  {counts}  {mark}".rstrip())


@app.command("annuler")
@reports_errors(lang="fr")
def undo(
    name: str = typer.Argument(..., help="Nom de l'import."),
    version: int | None = typer.Option(
        None,
        "--version",
        help="Rétablir cette version (kg imports historique NOM) plutôt que la plus récente.",
    ),
    data: DataDirFr = DEFAULT_DATA,
    store: StoreFr = DEFAULT_STORE,
    versions: Versions = None,
    lang: LangFr = "fr",
) -> None:
    """Annule le dernier changement d'un import (import, annulation, suppression) : rétablit la version d'avant."""
    from kg.store.history import undo_import

    done = undo_import(name, data, store, version=version, keep=versions)
    what = _what(done.restored.info, lang)
    if done.store_updated:
        typer.echo(say(lang, "undone", slug=done.slug, restored=done.restored.number, what=what))
    else:
        typer.echo(
            say(
                lang,
                "undone_no_store",
                slug=done.slug,
                restored=done.restored.number,
                folder=data / "imports",
            )
        )


@app.command("supprimer")
@reports_errors(lang="fr")
def delete(
    name: str = typer.Argument(..., help="Nom de l'import."),
    data: DataDirFr = DEFAULT_DATA,
    store: StoreFr = DEFAULT_STORE,
    yes: Yes = False,
    versions: Versions = None,
    lang: LangFr = "fr",
) -> None:
    """Supprime un import (ses enregistrements et son graphe nommé) après confirmation ; refusé s'il est cité."""
    remove(name, data, store, yes=yes, keep=versions, lang=lang)


def remove(name: str, data, store, *, yes: bool, keep: int | None, lang: str) -> None:
    """``kg imports supprimer`` (and the older ``kg import --remove``)."""
    from kg.cli.options import fail
    from kg.store.history import import_history, remove_import

    info, _ = import_history(name, data)
    if not info.present:
        typer.echo(say(lang, "no_import", slug=info.slug))
        return
    question = say(
        lang,
        "delete_question",
        slug=info.slug,
        owner=_owner(lang, info.owner),
        counts=_counts(info.counts, lang),
    )
    answer = confirm(question, yes)
    if answer is None:
        fail(say(lang, "delete_needs_yes", slug=info.slug), 3, lang)
    if not answer:
        typer.echo(say(lang, "declined"))
        raise typer.Exit(1)
    done = remove_import(info.slug, data, store, keep=keep)
    typer.echo(say(lang, "removed" if done else "no_import", slug=info.slug))
