"""The ``kg`` command: each command parses its options, calls one library function, prints what comes back.

======================  ==============================================================
command                 library call
======================  ==============================================================
``kg build``            :func:`kg.store.build.build` (``--to``: :func:`kg.store.gsp.load_to_endpoint`)
``kg query``            :func:`kg.store.queries.run_named`
``kg sparql``           :func:`kg.store.queries.run_sparql`
``kg chains``           :func:`kg.network.chains.find_chains` (``--within``: :func:`kg.network.chains.within`)
``kg analyse``          :func:`kg.network.analysis.analyse`
``kg view``             :func:`kg.present.view.view`
``kg export``           :func:`kg.present.export.export` (``xlsx``: :func:`kg.sheets.export.export_xlsx`)
``kg examples``         :func:`kg.present.examples.write_examples`
``kg serve``            :func:`kg.serve.app.serve`
``kg atelier``          :func:`kg.serve.atelier.serve_atelier`
``kg template``         :func:`kg.sheets.write.write_template`
``kg import``           :func:`kg.store.imports.import_workbook` (``--remove``: ``remove_import``)
``kg export-xlsx``      :func:`kg.sheets.export.export_xlsx`
======================  ==============================================================

Graphs are opened with :func:`kg.open` (the ``--endpoint`` URL, else the ``--store`` folder).
Every :class:`kg.errors.KGError` is printed as a message (never a traceback) and exits with
the code of its family (:func:`kg.cli.options.reports_errors`, :mod:`kg.errors`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

import typer

from kg.cli.options import (
    DEFAULT_DATA,
    DEFAULT_ONTOLOGY,
    DEFAULT_STORE,
    Auth,
    DataDir,
    Endpoint,
    GspUrl,
    JsonAlias,
    Lang,
    ResultFormat,
    Store,
    Territory,
    TextFormat,
    To,
    check_territory,
    fail,
    pick_format,
    remote_auth,
    reports_errors,
    where,
)
from kg.model.words import number

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


#: the curated records' kinds, as `kg build` counts them, in French
_RECORDS_FR = {
    "documents": "documents",
    "actors": "acteurs",
    "people": "personnes",
    "posts": "postes",
    "programmes": "programmes",
    "participations": "participations",
    "memberships": "adhésions",
    "fundings": "financements",
    "supports": "soutiens",
    "events": "événements",
    "publications": "publications",
    "figures": "chiffres",
}


def build_summary(report: Any, shacl: str, lang: str) -> list[str]:
    """What `kg build` says it did, in *lang* (French by default)."""
    total = sum(report.seconds.values())
    if lang == "en":
        checked = "skipped (--shacl off)" if shacl == "off" else "conforms" if report.conforms else "skipped"
        return [
            f"Graph built: {report.quads:,} quads in {len(report.graphs)} named graphs ({total:.2f} s)",
            "  curated records: " + ", ".join(f"{k} {v}" for k, v in report.records.items() if v),
            f"  territories: {report.territories:,}; SHACL: {checked}",
            f"  store: {report.store}   dump: {report.dump}",
            *_MODE["en"].get(getattr(report, "mode", "full"), ()),
        ]
    checked = (
        "non vérifié (--shacl off)" if shacl == "off" else "conforme" if report.conforms else "non vérifié"
    )
    records = ", ".join(f"{_RECORDS_FR.get(k, k)} {number(v)}" for k, v in report.records.items() if v)
    return [
        f"Graphe construit : {number(report.quads)} quads dans {len(report.graphs)} graphes nommés "
        f"({number(round(total, 2))} s)",
        "  fiches : " + records,
        f"  territoires : {number(report.territories)} ; SHACL : {checked}",
        f"  store : {report.store}   dump : {report.dump}",
        *_MODE["fr"].get(getattr(report, "mode", "full"), ()),
    ]


#: what `kg build` says when it did not write everything (kg.store.incremental)
_MODE = {
    "fr": {
        "unchanged": ("  rien n'a changé depuis la dernière construction : rien n'a été réécrit",),
        "incremental": ("  seuls les graphes et les fiches qui ont changé ont été réécrits et vérifiés",),
    },
    "en": {
        "unchanged": ("  nothing changed since the last build: nothing was written again",),
        "incremental": ("  only the graphs and records that changed were written and checked again",),
    },
}


@app.command()
@reports_errors
def build(
    data: DataDir = DEFAULT_DATA,
    store: Store = DEFAULT_STORE,
    dump: Path = typer.Option(Path("build/graph.trig"), help="TriG dump to write (every named graph)."),
    ontology: Path = typer.Option(
        DEFAULT_ONTOLOGY, help="Folder with the ontology, SKOS schemes and SHACL shapes."
    ),
    shacl: Literal["curated", "full", "off"] = typer.Option(
        "curated",
        help="SHACL validation: curated (default; after a first build, only what changed), full (everything, "
        "whole geography too) or off.",
    ),
    fmt: TextFormat = "text",
    as_json: JsonAlias = False,
    to: To = None,
    gsp: GspUrl = None,
    auth: Auth = None,
    undo: bool = typer.Option(
        False,
        "--annuler",
        "--undo",
        help="Annuler la dernière construction : remettre le store et le dump précédents, gardés à côté "
        "(<store>.previous) ; recommencer refait. Undo the last build.",
    ),
    lang: Lang = "fr",
) -> None:
    """Build the graph: load data/, validate (pydantic, then SHACL), write the store and a TriG dump.

    The store and dump replaced are kept beside them: kg build --annuler puts them back."""
    from kg.store.build import build as run_build

    output = pick_format(fmt, as_json)
    if undo:
        from kg.errors import StoreError
        from kg.store.build import previous_of, restore_previous

        if not restore_previous(store, dump):
            fail(
                f"aucune construction précédente gardée à côté de {store} ({previous_of(store)} n'existe pas) : "
                "rien n'a été changé — elle est gardée à chaque kg build réussi (no previous build kept)",
                StoreError.exit_code,
            )
        if output == "json":
            typer.echo(json.dumps({"restored": str(store), "dump": str(dump)}, ensure_ascii=False))
            return
        typer.echo(
            f"Construction précédente rétablie : {store} (et {dump} s'il était gardé) ; celle qu'elle "
            "remplace est gardée à sa place : kg build --annuler la remet (previous build restored)."
        )
        return
    from kg.network.artefacts import build_steps
    from kg.network.record_projection import RecordProjection

    records = RecordProjection()  # the projection made from the records as the build maps them
    report = run_build(
        data,
        store,
        dump,
        ontology_dir=ontology,
        shacl=shacl,
        steps=build_steps(records),
        on_record=records.add,
    )
    loaded = None
    if to:
        from kg.store.gsp import load_to_endpoint

        loaded = load_to_endpoint(report.dump, to, gsp_url=gsp, **remote_auth(auth, to))
    if output == "json":
        out = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(report).items()}
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for line in build_summary(report, shacl, lang):
        typer.echo(line)
    if loaded is not None:
        typer.echo(
            f"  loaded into {loaded.gsp_url}: {loaded.triples:,} triples in {len(loaded.graphs)} graphs"
            if lang == "en"
            else f"  chargé dans {loaded.gsp_url} : {number(loaded.triples)} triplets "
            f"dans {len(loaded.graphs)} graphes"
        )


#: beyond this many rows, ``kg query``/``kg sparql`` print a plain table (:func:`kg.store.results.text_table`)
LONG_TABLE = 2_000


def _print_result(result, fmt: str) -> None:
    from kg.store.results import render, table_rows

    if fmt != "table":
        typer.echo(render(result, fmt))
        return
    from rich.console import Console
    from rich.table import Table

    names, rows = table_rows(result)
    if len(rows) > LONG_TABLE:  # rich measures and wraps every cell: minutes for a région at 100,000 actors
        import shutil

        from kg.store.results import text_table

        typer.echo(text_table(names, rows, shutil.get_terminal_size().columns))
        typer.echo(f"{len(rows)} rows")
        return
    table = Table(*names, show_lines=False)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")


def _parse_params(name: str, params: list[str], lang: str = "fr") -> dict[str, str]:
    """``--param key=value`` strings as a dict; territory parameters checked like ``--territory``, dates
    like ``--as-of`` (a message in *lang* naming the value and the fix, exit 6)."""
    from kg.store.queries import get_query

    out = {}
    for p in params:
        if "=" not in p:
            raise typer.BadParameter(
                f'"{p}" must be key=value, e.g. --param territory=departement:94', param_hint="'--param'"
            )
        k, v = p.split("=", 1)
        out[k.strip()] = v
    for declared in get_query(name).params:
        if declared.type == "territory" and out.get(declared.name):
            out[declared.name] = check_territory(out[declared.name], f"'--param {declared.name}'")
        elif declared.type == "date" and out.get(declared.name):
            from kg.network.projection import as_of_day  # networkx: only for a question with a date

            as_of_day(out[declared.name], lang=lang, option=f"--param {declared.name}")
    return out


@app.command()
@reports_errors
def query(
    name: str | None = typer.Argument(None, help="Name of the question (kg query --list shows them)."),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        metavar="KEY=VALUE",
        help="A parameter as key=value (repeatable); a malformed territory exits 4, a date that is not a "
        "date exits 6.",
    ),
    list_: bool = typer.Option(False, "--list", help="List the named questions with their parameters."),
    lang: Lang = "fr",
    fmt: ResultFormat = "table",
    store: Store = DEFAULT_STORE,
    endpoint: Endpoint = None,
    auth: Auth = None,
) -> None:
    """Ask a named question (documented SPARQL in kg/store/queries/), with bound parameters."""
    import kg
    from kg.store.queries import list_queries, run_named

    if list_ or not name:
        for q in list_queries():
            typer.secho(q.name, bold=True)
            typer.echo(f"  {q.title.get(lang) or q.title.get('fr', '')}")
            for p in q.params:
                typer.echo(f"  --param {p.name}=…  ({p.type}) {p.help}")
            for ex in q.examples:
                typer.echo(f"  e.g. {ex}")
        return
    values = _parse_params(name, param, lang)
    result = run_named(kg.open(where(store, endpoint), **remote_auth(auth, endpoint)), name, values, raw=True)
    _print_result(result, fmt)


@app.command()
@reports_errors
def sparql(
    file: typer.FileText = typer.Argument(
        ..., encoding="utf-8", metavar="FILE", help="A .rq file, or - to read the query from standard input."
    ),
    fmt: ResultFormat = "table",
    store: Store = DEFAULT_STORE,
    endpoint: Endpoint = None,
    auth: Auth = None,
    allow_service: bool = typer.Option(
        False,
        "--allow-service",
        help="Let the query use SERVICE, which sends HTTP requests to other endpoints (refused by default).",
    ),
) -> None:
    """Run any SPARQL query on the graph (default graph = union of all named graphs)."""
    import kg
    from kg.store.queries import run_sparql

    text = file.read()
    result = run_sparql(
        kg.open(where(store, endpoint), **remote_auth(auth, endpoint)),
        text,
        allow_service=allow_service,
        raw=True,
    )
    _print_result(result, fmt)


@app.command()
@reports_errors
def chains(
    source: str = typer.Argument(..., help="Actor or programme: name (any case, accents optional) or IRI."),
    target: str | None = typer.Argument(None, help="Second actor or programme (omit with --within)."),
    k: int = typer.Option(3, "-k", min=1, help="How many chains, shortest first."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, help="Longest chain shown."),
    kinds: str | None = typer.Option(
        None,
        "--kinds",
        help="Relation kinds to follow, comma-separated "
        "(participation, adhesion, financement, fondation, soutien, unite, "
        "succession, poste, territoire).",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Only what may have existed at that date (YYYY[-MM[-DD]]): relations dated after it or ended "
        "before it are left out; undated ones are kept and counted. Not a date: exit 6.",
    ),
    within_hops: int | None = typer.Option(
        None, "--within", min=0, help="List who is within N hops of SOURCE (instead of TARGET)."
    ),
    lang: Lang = "fr",
    fmt: TextFormat = "text",
    as_json: JsonAlias = False,
    store: Store = DEFAULT_STORE,
    endpoint: Endpoint = None,
    auth: Auth = None,
) -> None:
    """Alliance chains between two actors, each hop explained with its programme or funding, dates and source."""
    import kg
    from kg.network.chain_index import stored_chains
    from kg.network.chain_words import (
        NO_CHAIN,
        NO_NEAR,
        headline,
        undated_summary,
        undated_words,
        within_summary,
    )

    output = pick_format(fmt, as_json)
    kind_list = [x.strip() for x in kinds.split(",") if x.strip()] if kinds else None
    if (target is None) == (within_hops is None):
        raise typer.BadParameter(
            "give a second actor (TARGET), or --within N to list who is within N hops", param_hint="TARGET"
        )
    found = None
    if target is not None:  # the rows kg build keeps beside a store, when they can answer (else None)
        found = stored_chains(
            where(store, endpoint), source, target, k=k, max_hops=max_hops, kinds=kind_list, as_of=as_of
        )
    if found is None:  # --within, --kinds, --as-of, an endpoint, no rows: the whole chain graph
        from kg.network.chains import absent_at, find_chains, within

        graph = kg.open(where(store, endpoint), **remote_auth(auth, endpoint))
    if within_hops is not None:
        rows = within(graph, source, within_hops, kinds=kind_list, as_of=as_of, lang=lang)
        if output == "json":
            near = [{"iri": r.iri, "label": r.label, "hops": r.hops, "undated": r.undated} for r in rows]
            typer.echo(json.dumps(near, ensure_ascii=False, indent=2))
            return
        for r in rows:
            note = f"  ({undated_words(r.undated, lang)})" if as_of is not None and r.undated else ""
            typer.echo(f"{r.hops}  {r.label}{note}")
        if not rows:
            typer.echo(NO_NEAR[lang])
            for line in absent_at(graph, [source], as_of, lang) if as_of is not None else []:
                typer.echo(line)
        elif as_of is not None:
            typer.echo(within_summary(rows, as_of, lang))
        return
    assert target is not None  # checked above: TARGET or --within
    if found is None:
        found = find_chains(
            graph, source, target, k=k, max_hops=max_hops, kinds=kind_list, as_of=as_of, lang=lang
        )
    if output == "json":
        hops = [[h.as_dict(lang) for h in c.hops] for c in found]
        typer.echo(json.dumps(hops, ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo(NO_CHAIN[lang])
        if as_of is not None:
            for line in absent_at(graph, [source, target], as_of, lang):
                typer.echo(line)
    for i, c in enumerate(found, 1):
        typer.secho(f"{i}. {headline(c, lang, as_of=as_of)}", bold=True)
        for h in c.hops:
            typer.echo(f"   - {h.sentence(lang)}")
    if found and as_of is not None:
        typer.echo(undated_summary(found, as_of, lang))


@app.command()
@reports_errors
def analyse(
    territory: Territory = None,
    lang: Lang = "fr",
    top: int = typer.Option(10, "--top", min=1, help="How many brokers, communities and suggestions."),
    fmt: TextFormat = "text",
    as_json: JsonAlias = False,
    store: Store = DEFAULT_STORE,
    endpoint: Endpoint = None,
    auth: Auth = None,
) -> None:
    """Brokers, communities, isolated actors, suggested links and growth, each explained in one sentence."""
    import kg
    from kg.network.analysis import analyse as run_analyse

    output = pick_format(fmt, as_json)
    graph = kg.open(where(store, endpoint), **remote_auth(auth, endpoint))
    result = run_analyse(graph, territory=territory, lang=lang, top=top)
    members: list[dict] = []
    if territory:  # who the analysis is about, and why (the same ecosystem it analysed)
        from kg.store.ecosystem import ecosystem

        members = ecosystem(graph, territory).as_rows(lang)
    if output == "json":
        data = result.as_dict() | ({"ecosystem": members} if territory else {})
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    if territory:
        actors = [m for m in members if m["kind"] in ("actor", "person")]
        head = (
            f"Ecosystem analysed ({territory}): {len(actors)} actors"
            if lang == "en"
            else f"Écosystème analysé ({territory}) : {len(actors)} acteurs"
        )
        typer.secho(head, bold=True)
        for m in actors:
            typer.echo(f"  - {m['label']} — {' ; '.join(m['reasons'])}")
    typer.echo(result.summary["sentence"])
    for _, title, items in result.titled_sections():
        typer.secho(title, bold=True)
        if not items:
            typer.echo("  —")
        for f in items:
            typer.echo(f"  - {f.sentence}")


@app.command()
@reports_errors
def examples(
    out: Path = typer.Option(Path("exports"), "--out", help="Folder of the example views."),
    lang: Lang = "fr",
    store: Store = DEFAULT_STORE,
) -> None:
    """Write the example views (HTML, SVG, PNG) of the README.

    The PEMB ecosystem, the Fonds ODD17 funding chains, and the history AET (2008) → Q2ER (2014) → VitaWin
    (2021).
    """
    import kg
    from kg.present.examples import EXAMPLES, write_examples

    written = write_examples(kg.open(store), out, lang=lang)
    for p in written:
        typer.echo(f"Written: {p}")
    for name in EXAMPLES:
        if out / f"{name}.html" not in written:
            typer.echo(
                f"Unchanged: {out / name}.html, .svg, .png (the same view but for the day it was made)"
            )


def _register_extensions() -> None:
    """Commands defined in their own modules (each imports only typer at load time)."""
    from kg.cli.atelier import register as register_atelier
    from kg.cli.serve import register as register_serve
    from kg.cli.sheets import register as register_sheets
    from kg.cli.view import register as register_view

    register_view(app)
    register_serve(app)
    register_sheets(app)
    register_atelier(app)


_register_extensions()


def main() -> None:
    """The ``kg`` command (``sys.argv``); it ends with ``SystemExit``, as a typer application does."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


def run() -> None:
    """Entry point of the ``kg`` console script: :func:`main`, then the process ends (:func:`_exit`)."""
    try:
        main()
    except SystemExit as exc:
        _exit(exc.code)
    _exit(0)


def _exit(code: Any) -> None:
    """End the process as ``sys.exit(code)`` does, without freeing its objects one by one: a large import
    holds millions of them (0.6 s of its 15 s at 50,000 rows). The ``atexit`` functions still run (temporary
    folders removed) and the output is flushed; while another thread runs (a server's), the usual exit."""
    import atexit
    import os
    import threading
    from contextlib import suppress

    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)  # its threads joined as the interpreter does (their own exit hooks first)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
