"""The ``kg view`` and ``kg export`` commands: parse options, call :func:`kg.present.view.view` /
:func:`kg.present.export.export` (or :func:`kg.sheets.export.export_xlsx` for ``xlsx``), print.

``kg.cli.commands`` adds them with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from kg.cli.options import (
    DEFAULT_DATA,
    DEFAULT_STORE,
    Auth,
    DataDir,
    Endpoint,
    Lang,
    Store,
    Territory,
    remote_auth,
    reports_errors,
    where,
)

__all__ = ["export", "register", "view"]


@reports_errors
def view(
    territory: Territory = None,
    actor: str | None = typer.Option(None, "--actor", help="An actor (name or IRI) and its neighbourhood."),
    hops: int = typer.Option(1, "--hops", min=1, help="How far around --actor."),
    programme: str | None = typer.Option(None, "--programme", help="A programme and everyone around it."),
    chain: tuple[str, str] | None = typer.Option(
        None, "--chain", help="Two actors: their alliance chains, highlighted."
    ),
    whole: bool = typer.Option(False, "--all", help="The whole graph (grouped beyond --max-nodes)."),
    lang: Lang = "fr",
    out: Path = typer.Option(Path("exports/view.html"), "--out", "-o", help="The HTML file to write."),
    embed: bool = typer.Option(
        False, "--embed", help="Also print the <iframe> snippet that embeds the view."
    ),
    png: bool = typer.Option(False, "--png", help="Also write a PNG picture beside the HTML file."),
    svg: bool = typer.Option(False, "--svg", help="Also write an SVG picture beside the HTML file."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Start the year slider at that year (YYYY; default: the latest, everything shown).",
    ),
    max_nodes: int = typer.Option(
        200, "--max-nodes", min=0, help="Group nodes beyond this many (0: never group)."
    ),
    group_by: Literal["type", "territory"] = typer.Option(
        "territory",
        "--group-by",
        help="Grouping: territory (région → département → EPCI/EPT → commune) or type.",
    ),
    title: str | None = typer.Option(None, "--title", help="Title shown on the page."),
    story: bool = typer.Option(
        False,
        "--story",
        help="A guided story (arrow keys; #etape=N in the URL opens step N): the chain hop by hop, the "
        "territory programme by programme, else year by year; followed by a YAML file, that story.",
    ),
    story_file: Path | None = typer.Argument(
        None,
        metavar="STORY.yaml",
        help="With --story: a story written in YAML (steps, nodes, sentence, source).",
    ),
    timeline: bool = typer.Option(
        False, "--timeline", help="Draw the time axis under the network (implied by a year-by-year story)."
    ),
    store: Store = DEFAULT_STORE,
    endpoint: Endpoint = None,
    auth: Auth = None,
) -> None:
    """Write an interactive HTML view: one self-contained file that works offline.

    Of a territory, an actor, a programme, an alliance chain or the whole graph.
    """
    import kg
    from kg.present.view import iframe_snippet
    from kg.present.view import view as make_view

    if story_file is not None and not story:
        raise typer.BadParameter(f"{story_file}: a story file goes after --story", param_hint="'--story'")

    result = make_view(
        kg.open(where(store, endpoint), **remote_auth(auth, endpoint)),
        territory=territory,
        actor=actor,
        hops=hops,
        programme=programme,
        chain=chain if chain and all(chain) else None,
        whole=whole,
        lang=lang,
        out=out,
        as_of=as_of,
        title=title,
        max_nodes=max_nodes or None,
        group_by=group_by,
        pictures=[kind for kind, wanted in (("svg", svg), ("png", png)) if wanted],
        story=(story_file or True) if story else None,
        timeline=timeline,
    )
    en = lang == "en"
    from kg.model.words import number

    size = f"{number(round(result.bytes / 1e6, 2), lang)} {'MB' if en else 'Mo'}"
    secs = f"{number(round(result.seconds, 2), lang)} s"
    if en:
        grouped = " (grouped)" if result.grouped else ""
        typer.echo(
            f"View written: {result.path} — {result.nodes} nodes, {result.edges} links{grouped}, "
            f"{size}, {secs}"
        )
    else:
        grouped = " (regroupés)" if result.grouped else ""
        typer.echo(
            f"Vue écrite : {result.path} — {result.nodes} nœuds, {result.edges} liens{grouped}, "
            f"{size}, {secs}"
        )
    steps = result.model.addons.get("story", {}).get("steps") if result.model else None
    if steps is not None:
        typer.echo(
            f"Story: {len(steps)} steps (arrow keys; #step=N opens step N)"
            if en
            else f"Récit : {len(steps)} étapes (flèches du clavier ; #etape=N ouvre l'étape N)"
        )
    for p in result.pictures:
        typer.echo(f"Picture written: {p}" if en else f"Image écrite : {p}")
    if embed:
        typer.echo(iframe_snippet(result.path.name, result.model.title if result.model else ""))


@reports_errors
def export(
    ctx: typer.Context,
    fmt: str = typer.Argument(
        ...,
        metavar="FORMAT",
        help="ttl, trig, nq, jsonld, owl, graphml, gexf, csv (the formats registered in kg.present.export), or "
        "xlsx (the catalysts' workbook, as kg export-xlsx: written from the records in --data).",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="File to write (a folder for csv); default exports/graph.<suffix>."
    ),
    territory: Territory = None,
    store: Store = DEFAULT_STORE,
    data: DataDir = DEFAULT_DATA,
) -> None:
    """Export the graph for other tools: RDF, networks or the catalysts' workbook.

    RDF: Turtle, TriG, N-Quads, JSON-LD; networks: GraphML, GEXF, CSV; workbook: xlsx.
    """
    if fmt == "xlsx":
        from kg.cli.sheets import ecosystem_for_workbook, print_workbook_report
        from kg.sheets.export import export_xlsx

        if _given(ctx, "store") and territory is None:
            raise typer.BadParameter(
                "the workbook is written from the records in --data, not from a store "
                "(--store is read only for --territory: its ecosystem)",
                param_hint="'--store'",
            )
        keep, reasons = ecosystem_for_workbook(territory, store)
        report = export_xlsx(
            out or Path("exports/graph.xlsx"), data, territory=territory, keep=keep, reasons=reasons
        )
        print_workbook_report(report)
        return
    if _given(ctx, "data"):
        raise typer.BadParameter(
            f"--data is for xlsx; {fmt} is written from the store (--store)", param_hint="'--data'"
        )
    import kg
    from kg.present.export import export as run_export

    result = run_export(kg.open(store), fmt, out, territory=territory)
    size = (
        f"{result.quads:,} quads"
        if result.quads is not None
        else f"{result.nodes} nodes, {result.edges} edges"
    )
    typer.echo(f"Exported {result.format} ({size}): " + ", ".join(str(p) for p in result.paths))
    for note in result.notes:
        typer.echo(f"  {note}")


def register(app: typer.Typer) -> None:
    """Add the ``view`` and ``export`` commands to *app*."""
    app.command("view")(view)
    app.command("export")(export)


def _given(ctx: typer.Context, name: str) -> bool:
    """True when the option *name* was given on the command line (or by its environment variable)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"
