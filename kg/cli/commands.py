"""The ``kg`` command: parses arguments, calls one library function, prints what comes back.

Every :class:`kg.errors.KGError` is printed as a message (never a traceback) and
exits with the code of its family (see :mod:`kg.errors`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

app = typer.Typer(
    name="kg",
    help="Territorial KG: the actors of French territories and the alliances between them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

__all__ = ["app", "main"]


@app.callback()
def _root() -> None:
    """Territorial KG: the actors of French territories and the alliances between them."""


def _fail(exc: Exception) -> None:
    from kg.errors import KGError

    if isinstance(exc, KGError):
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(exc.exit_code)
    raise exc


@app.command()
def build(
    data: Path = typer.Option(Path("data"), help="Folder with curated/, geo/ and sources/."),
    store: Path = typer.Option(Path("build/store"), help="Folder of the embedded store to write."),
    dump: Path = typer.Option(Path("build/graph.trig"), help="TriG dump to write (every named graph)."),
    ontology: Path = typer.Option(
        Path("ontology"), help="Folder with the ontology, SKOS schemes and SHACL shapes."
    ),
    shacl: str = typer.Option(
        "curated", help="SHACL validation: curated (default), full (whole geography too) or off."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON."),
    to: str | None = typer.Option(
        None,
        "--to",
        help="Also load the graph (named graphs kept) into this SPARQL "
        "1.1 server, one Graph Store Protocol PUT per graph (its query URL, e.g. "
        "http://127.0.0.1:7878/query).",
    ),
    gsp: str | None = typer.Option(
        None,
        "--gsp",
        help="The server's Graph Store Protocol URL, when it is not "
        "derived from --to (Oxigraph …/query → …/store, Fuseki …/sparql → …/data).",
    ),
) -> None:
    """Build the graph: load data/, validate (pydantic, then SHACL), write the store and a TriG dump."""
    from kg.store.build import build as run_build

    if shacl not in ("curated", "full", "off"):
        typer.secho(
            f'Error: --shacl "{shacl}" is not one of curated, full, off', err=True, fg=typer.colors.RED
        )
        raise typer.Exit(2)
    try:
        report = run_build(data, store, dump, ontology_dir=ontology, shacl=shacl)  # type: ignore[arg-type]
        loaded = None
        if to:
            from kg.store.remote import load_to_endpoint

            loaded = load_to_endpoint(report.dump, to, gsp_url=gsp)
    except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
        _fail(exc)
        return
    if as_json:
        out = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(report).items()}
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    total = sum(report.seconds.values())
    typer.echo(f"Graph built: {report.quads:,} quads in {len(report.graphs)} named graphs ({total:.2f} s)")
    typer.echo("  curated records: " + ", ".join(f"{k} {v}" for k, v in report.records.items() if v))
    typer.echo(
        f"  territories: {report.territories:,}; SHACL: {'conforms' if report.conforms else 'skipped'}"
    )
    typer.echo(f"  store: {report.store}   dump: {report.dump}")
    if loaded is not None:
        typer.echo(
            f"  loaded into {loaded.gsp_url}: {loaded.triples:,} triples in {len(loaded.graphs)} graphs"
        )


STORE_OPTION = typer.Option(Path("build/store"), "--store", help="Folder of the built store (kg build).")
ENDPOINT_OPTION = typer.Option(
    None,
    "--endpoint",
    envvar="KG_ENDPOINT",
    help="Work against a SPARQL 1.1 endpoint (URL, e.g. http://127.0.0.1:7878/query) "
    "instead of the local store.",
)
FORMAT_HELP = "Output: table (default), csv, json or sparql-json."


def _print_result(result, fmt: str) -> None:
    from kg.store.results import FORMATS, render, table_rows

    if fmt not in FORMATS:
        typer.secho(
            f'Error: --format "{fmt}" is not one of {", ".join(FORMATS)}', err=True, fg=typer.colors.RED
        )
        raise typer.Exit(2)
    if fmt != "table":
        typer.echo(render(result, fmt))
        return
    from rich.console import Console
    from rich.table import Table

    names, rows = table_rows(result)
    table = Table(*names, show_lines=False)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")


def _parse_params(params: list[str]) -> dict[str, str]:
    out = {}
    for p in params:
        if "=" not in p:
            typer.secho(
                f'Error: --param "{p}" must be key=value, e.g. --param territory=departement:94',
                err=True,
                fg=typer.colors.RED,
            )
            raise typer.Exit(2)
        k, v = p.split("=", 1)
        out[k.strip()] = v
    return out


@app.command()
def query(
    name: str | None = typer.Argument(None, help="Name of the question (kg query --list shows them)."),
    param: list[str] = typer.Option([], "--param", "-p", help="A parameter as key=value (repeatable)."),
    list_: bool = typer.Option(False, "--list", help="List the named questions with their parameters."),
    lang: str = typer.Option("fr", "--lang", help="Language of the listing: fr or en."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    store: Path = STORE_OPTION,
    endpoint: str | None = ENDPOINT_OPTION,
) -> None:
    """Ask a named question (documented SPARQL in kg/store/queries/), with bound parameters."""
    from kg.store.queries import list_queries, run_named

    try:
        if list_ or not name:
            for q in list_queries():
                typer.secho(q.name, bold=True)
                typer.echo(f"  {q.title.get(lang) or q.title.get('fr', '')}")
                for p in q.params:
                    typer.echo(f"  --param {p.name}=…  ({p.type}) {p.help}")
                for ex in q.examples:
                    typer.echo(f"  e.g. {ex}")
            return
        from kg.store.remote import open_graph

        result = run_named(open_graph(store, endpoint), name, _parse_params(param), raw=True)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
        return
    _print_result(result, fmt)


@app.command()
def sparql(
    file: str = typer.Argument(..., help="A .rq file, or - to read the query from standard input."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    store: Path = STORE_OPTION,
    endpoint: str | None = ENDPOINT_OPTION,
    allow_service: bool = typer.Option(
        False,
        "--allow-service",
        help="Let the query use SERVICE, which sends HTTP requests to other endpoints (refused by default).",
    ),
) -> None:
    """Run any SPARQL query on the graph (default graph = union of all named graphs)."""
    from kg.errors import InputError

    try:
        if file == "-":
            text = sys.stdin.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise InputError(file, "no such file; pass the path of a .rq file, or - for standard input")
            text = path.read_text(encoding="utf-8")
        from kg.model.vocab import PREFIXES
        from kg.store.guard import check_query
        from kg.store.remote import open_graph

        graph = open_graph(store, endpoint)
        check_query(text, graphs=graph.named_graphs(), prefixes=PREFIXES, allow_service=allow_service)
        result = graph.run(text, raw=True)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
        return
    _print_result(result, fmt)


@app.command()
def chains(
    source: str = typer.Argument(..., help="Actor or programme: name (any case, accents optional) or IRI."),
    target: str | None = typer.Argument(None, help="Second actor or programme (omit with --within)."),
    k: int = typer.Option(3, "-k", help="How many chains, shortest first."),
    max_hops: int = typer.Option(6, "--max-hops", help="Longest chain shown."),
    kinds: str | None = typer.Option(
        None,
        "--kinds",
        help="Relation kinds to follow, comma-separated "
        "(participation, adhesion, financement, fondation, soutien, unite, "
        "succession, poste, territoire).",
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Only relations active at that date (YYYY[-MM[-DD]])."
    ),
    within_hops: int | None = typer.Option(None, "--within", help="List who is within N hops of SOURCE."),
    lang: str = typer.Option("fr", "--lang", help="fr or en."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    store: Path = STORE_OPTION,
    endpoint: str | None = ENDPOINT_OPTION,
) -> None:
    """Alliance chains between two actors, each hop explained with its programme or funding, dates and source."""
    from kg.errors import QueryError
    from kg.network.chains import chain_graph, find_chains, within
    from kg.network.projection import cached_project

    kind_list = [x.strip() for x in kinds.split(",")] if kinds else None
    try:
        if target is None and within_hops is None:
            raise QueryError("give a second actor, or --within N to list who is within N hops")
        from kg.store.remote import open_graph

        H = chain_graph(cached_project(open_graph(store, endpoint)))
        if within_hops is not None:
            rows = within(H, source, within_hops, kinds=kind_list, as_of=as_of)
            if as_json:
                typer.echo(
                    json.dumps(
                        [{"iri": i, "label": lab, "hops": d} for i, lab, d in rows],
                        ensure_ascii=False,
                        indent=2,
                    )
                )
            else:
                for _, lab, d in rows:
                    typer.echo(f"{d}  {lab}")
            return
        found = find_chains(H, source, target, k=k, max_hops=max_hops, kinds=kind_list, as_of=as_of)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
        return
    if as_json:
        typer.echo(
            json.dumps([[h.as_dict(lang) for h in c.hops] for c in found], ensure_ascii=False, indent=2)
        )
        return
    if not found:
        typer.echo("Aucune chaîne trouvée." if lang == "fr" else "No chain found.")
        return
    for i, c in enumerate(found, 1):
        typer.secho(
            f"{i}. " + " → ".join(c.labels) + f"  ({len(c)} {'étape' if lang == 'fr' else 'hop'}"
            f"{'s' if len(c) > 1 else ''})",
            bold=True,
        )
        for h in c.hops:
            typer.echo(f"   - {h.sentence(lang)}")


@app.command()
def analyse(
    territory: str | None = typer.Option(
        None,
        "--territory",
        help="Only this territory and its sub-territories "
        "(commune:94018, intercommunalite:200057941, departement:94, region:11).",
    ),
    lang: str = typer.Option("fr", "--lang", help="fr or en."),
    top: int = typer.Option(10, "--top", help="How many brokers, communities and suggestions."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    store: Path = STORE_OPTION,
    endpoint: str | None = ENDPOINT_OPTION,
) -> None:
    """Brokers, communities, isolated actors, suggested links and growth, each explained in one sentence."""
    from kg.network.analysis import analyse as run_analyse
    from kg.network.projection import cached_project, territory_members

    titles = {
        "fr": {
            "brokers": "Passeurs (intermédiaires entre groupes)",
            "communities": "Communautés",
            "isolated": "Acteurs isolés",
            "suggestions": "Rencontres suggérées",
            "growth": "Croissance de l'écosystème",
        },
        "en": {
            "brokers": "Brokers (between groups)",
            "communities": "Communities",
            "isolated": "Isolated actors",
            "suggestions": "Suggested links",
            "growth": "Growth of the ecosystem",
        },
    }
    try:
        from kg.store.remote import open_graph

        graph = open_graph(store, endpoint)
        G = cached_project(graph)
        keep = territory_members(graph, G, territory) if territory else None
        result = run_analyse(G, keep=keep, lang=lang, top=top)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
        return
    if as_json:
        out = {name: [vars(f) for f in items] for name, items in result.sections()}
        out["summary"] = result.summary
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    for name, items in result.sections():
        typer.secho(titles.get(lang, titles["fr"])[name], bold=True)
        if not items:
            typer.echo("  —")
        for f in items:
            typer.echo(f"  - {f.sentence}")


def _register_extensions() -> None:
    """Commands defined in their own modules (each imports only typer at load time)."""
    from kg.cli.serve import register as register_serve
    from kg.cli.sheets import register as register_sheets
    from kg.cli.view import register as register_view

    register_view(app)
    register_serve(app)
    register_sheets(app)

    @app.command()
    def examples(
        out: Path = typer.Option(Path("exports"), "--out", help="Folder of the example views."),
        store: Path = STORE_OPTION,
    ) -> None:
        """Write the example views (HTML, SVG, PNG): the PEMB ecosystem, the Fonds ODD17 funding chains, and the
        history AET (2008) → Q2ER (2014) → VitaWin (2021)."""
        import kg
        from kg.present.examples import write_examples

        try:
            paths = write_examples(kg.open(store), out)
        except Exception as exc:  # noqa: BLE001
            _fail(exc)
            return
        for p in paths:
            typer.echo(f"Written: {p}")


_register_extensions()


def main() -> None:
    """Entry point of the ``kg`` console script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
