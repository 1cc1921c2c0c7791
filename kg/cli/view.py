"""The ``kg view`` and ``kg export`` commands: parse options, call :mod:`kg.present.view` / :mod:`kg.present.export`, print.

``kg.cli.commands`` adds them with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]

STORE_HELP = "Folder of the built store (kg build)."


def register(app: typer.Typer) -> None:
    """Add the ``view`` and ``export`` commands to *app*."""

    @app.command()
    def view(
        territory: str | None = typer.Option(
            None,
            "--territory",
            help="A territory and its actors (commune:94018, intercommunalite:200057941, departement:94…).",
        ),
        actor: str | None = typer.Option(
            None, "--actor", help="An actor (name or IRI) and its neighbourhood."
        ),
        hops: int = typer.Option(1, "--hops", help="How far around --actor."),
        programme: str | None = typer.Option(None, "--programme", help="A programme and everyone around it."),
        chain: tuple[str, str] | None = typer.Option(
            None, "--chain", help="Two actors: their alliance chains, highlighted."
        ),
        whole: bool = typer.Option(False, "--all", help="The whole graph (grouped beyond --max-nodes)."),
        lang: str = typer.Option("fr", "--lang", help="fr or en."),
        out: Path = typer.Option(Path("exports/view.html"), "--out", help="The HTML file to write."),
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
            200, "--max-nodes", help="Group nodes beyond this many (0: never group)."
        ),
        group_by: str = typer.Option("type", "--group-by", help="Grouping: type or territory."),
        title: str | None = typer.Option(None, "--title", help="Title shown on the page."),
        store: Path = typer.Option(Path("build/store"), "--store", help=STORE_HELP),
        endpoint: str | None = typer.Option(
            None,
            "--endpoint",
            envvar="KG_ENDPOINT",
            help="Work against a SPARQL 1.1 endpoint instead of the local store.",
        ),
    ) -> None:
        """Write an interactive HTML view (self-contained, works offline) of a territory, an actor, a programme,
        an alliance chain or the whole graph."""
        from kg.cli.commands import _fail
        from kg.present.picture import write_png, write_svg
        from kg.present.view import iframe_snippet
        from kg.present.view import view as make_view

        pair = chain if chain and all(chain) else None
        try:
            from kg.store.remote import open_graph

            result = make_view(
                open_graph(store, endpoint),
                territory=territory,
                actor=actor,
                hops=hops,
                programme=programme,
                chain=pair,
                whole=whole,
                lang=lang,
                out=out,
                as_of=as_of,
                title=title,
                max_nodes=max_nodes or None,
                group_by=group_by,
            )
            pictures = []
            if svg:
                pictures.append(write_svg(result.model, out.with_suffix(".svg")))
            if png:
                pictures.append(write_png(result.model, out.with_suffix(".png")))
        except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
            _fail(exc)
            return
        grouped = " (grouped)" if result.grouped else ""
        typer.echo(
            f"View written: {result.path} — {result.nodes} nodes, {result.edges} links{grouped}, "
            f"{result.bytes / 1e6:.2f} MB, {result.seconds:.2f} s"
        )
        for p in pictures:
            typer.echo(f"Picture written: {p}")
        if embed:
            typer.echo(iframe_snippet(result.path.name, result.model.title if result.model else ""))

    @app.command()
    def export(
        fmt: str = typer.Argument(
            ...,
            metavar="FORMAT",
            help="ttl, trig, nq, jsonld, graphml, gexf, csv, or "
            "xlsx (the catalysts' workbook, as kg export-xlsx).",
        ),
        out: Path | None = typer.Option(
            None, "--out", help="File to write (a folder for csv); default exports/graph.<suffix>."
        ),
        territory: str | None = typer.Option(
            None, "--territory", help="Only this territory's actors, their programmes and what hangs on them."
        ),
        store: Path = typer.Option(Path("build/store"), "--store", help=STORE_HELP),
    ) -> None:
        """Export the graph for other tools: RDF (Turtle, TriG, N-Quads, JSON-LD) or networks (GraphML, GEXF, CSV)."""
        import kg
        from kg.cli.commands import _fail
        from kg.present.export import export as run_export

        if fmt == "xlsx":
            from kg.cli.sheets import _export_xlsx

            _export_xlsx(
                out or Path("exports/graph.xlsx"), territory=territory, import_name=None, data=Path("data")
            )
            return
        try:
            result = run_export(kg.open(store), fmt, out, territory=territory)
        except Exception as exc:  # noqa: BLE001
            _fail(exc)
            return
        size = (
            f"{result.quads:,} quads"
            if result.quads is not None
            else f"{result.nodes} nodes, {result.edges} edges"
        )
        typer.echo(f"Exported {result.format} ({size}): " + ", ".join(str(p) for p in result.paths))
        for note in result.notes:
            typer.echo(f"  {note}")
