"""What every ``kg`` command shares, declared once: the options, and the one error handler.

Options (``Annotated`` types, used as ``store: Store = DEFAULT_STORE``):

``Store``       ``--store``: folder of the built store
``Endpoint``    ``--endpoint`` (or ``KG_ENDPOINT``): a SPARQL 1.1 endpoint instead of the store
``Auth``        ``--auth KIND[:USER]``: credentials for ``--endpoint`` or ``--to`` (the secret is never an
                argument: :func:`remote_auth` reads it from the environment, a file or a prompt)
``To`` / ``GspUrl``  ``--to`` and ``--gsp`` of ``kg build``: a server to load, and its Graph Store URL
``Lang``        ``--lang``: fr or en (anything else is a usage error, exit 2)
``Territory``   ``--territory``: ``level:code``, checked while parsing
``DataDir``     ``--data``: folder of the input data
``JsonAlias``   ``--json``: hidden, deprecated spelling of ``--format json``

``ResultFormat`` / ``TextFormat``  ``--format/-f``, a closed set of choices (table|csv|json|sparql-json,
or text|json)

Errors: :func:`reports_errors` wraps a command so that every :class:`kg.errors.KGError`
is printed as one message (never a traceback) and exits with the code of its class
(:func:`exit_code`, as documented in :mod:`kg.errors`). Bad usage — an unknown option,
a value outside its choices — exits 2. A bad territory, malformed or not in the
official geography, exits 4 in every command (:class:`BadTerritory` while parsing,
:class:`kg.errors.UnknownEntityError` from the library).

Only typer and :mod:`kg.errors` are imported here, so ``kg --help`` stays instant.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import typer

from kg.errors import KGError, UnknownEntityError
from kg.model.paths import DATA_DIR, ONTOLOGY_DIR

__all__ = [
    "DEFAULT_DATA",
    "DEFAULT_ONTOLOGY",
    "DEFAULT_STORE",
    "SECRET_ENV",
    "SECRET_FILE_ENV",
    "Auth",
    "BadTerritory",
    "DataDir",
    "DataDirFr",
    "Endpoint",
    "GspUrl",
    "JsonAlias",
    "Lang",
    "LangFr",
    "ResultFormat",
    "Store",
    "StoreFr",
    "Territory",
    "TextFormat",
    "To",
    "check_territory",
    "exit_code",
    "fail",
    "pick_format",
    "remote_auth",
    "reports_errors",
    "where",
]


def _here_or_shipped(name: str, shipped: Path) -> Path:
    """``./name`` when the current folder has one (a checkout, a catalyst's project), else kg's own copy."""
    return Path(name) if Path(name).is_dir() else shipped


DEFAULT_STORE = Path("build/store")
#: ``./data``, or the embedded default data shipped with kg (an install outside a checkout)
DEFAULT_DATA = _here_or_shipped("data", DATA_DIR)
#: ``./ontology``, or the ontology shipped with kg
DEFAULT_ONTOLOGY = _here_or_shipped("ontology", ONTOLOGY_DIR)

# ---------------------------------------------------------------- errors

F = TypeVar("F", bound=Callable[..., Any])


def exit_code(exc: BaseException) -> int:
    """The exit code of a library error: its class's ``exit_code`` (the table in :mod:`kg.errors`)."""
    return exc.exit_code if isinstance(exc, KGError) else 1


def fail(message: str, code: int, lang: str = "fr") -> NoReturn:
    """Print ``Erreur : message`` (``Error: message`` in English) on standard error and exit with *code*."""
    prefix = "Error:" if lang == "en" else "Erreur :"
    typer.secho(f"{prefix} {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def reports_errors(command: F | None = None, *, lang: str | None = None) -> Any:
    """Decorator of a command: a :class:`kg.errors.KGError` becomes a message and its exit code.

    The message starts « Erreur : », or « Error: » when the command's ``--lang`` (else *lang*) is ``en``.
    Any other exception is a bug and keeps its traceback.
    """
    if command is None:
        return functools.partial(reports_errors, lang=lang)

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KGError as exc:
            fail(str(exc), exit_code(exc), kwargs.get("lang") or lang or "fr")

    return run


# ---------------------------------------------------------------- territories

TERRITORY_HELP = "level:code, e.g. commune:94018, intercommunalite:200057941, departement:94 or region:11"


class BadTerritory(typer.BadParameter):
    """A malformed ``--territory``: a usage message, with the exit code of an unknown territory (4)."""

    exit_code = UnknownEntityError.exit_code


def check_territory(value: str, where: str = "--territory") -> str:
    """*value* stripped, or :class:`BadTerritory` (with the library's message, French first) when it is not
    ``level:code``; whether it is in the geography is checked by the library (:func:`kg.store.queries.territory_iri`)."""
    from kg.errors import TerritoryError
    from kg.store.queries import checked_ref

    try:
        return str(checked_ref(value))
    except TerritoryError as exc:
        raise BadTerritory(str(exc), param_hint=where) from None


def territory_ref(value: str) -> str:
    """The parser of ``--territory``: ``level:code`` (commune, intercommunalite, departement, region)."""
    return check_territory(value, "'--territory'")


# ---------------------------------------------------------------- options

Store = Annotated[
    Path,
    typer.Option("--store", help="Folder of the built store (kg build).", show_default=True),
]
Endpoint = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        envvar="KG_ENDPOINT",
        help="Work against a SPARQL 1.1 endpoint (URL, e.g. http://127.0.0.1:7878/query) "
        "instead of the local store.",
    ),
]
#: where ``--auth`` reads the secret: this environment variable, else the file named by the next one, else a
#: prompt
SECRET_ENV = "KG_ENDPOINT_SECRET"
SECRET_FILE_ENV = "KG_ENDPOINT_SECRET_FILE"
Auth = Annotated[
    str | None,
    typer.Option(
        "--auth",
        metavar="KIND[:USER]",
        help="Credentials for the server: basic:USER, digest:USER (Virtuoso: digest:dba) or bearer. The "
        f"secret is read from {SECRET_ENV}, else from the file named by {SECRET_FILE_ENV}, else asked "
        "(never given on the command line). Without --auth: KG_ENDPOINT_AUTH=KIND:USER:SECRET, if set.",
    ),
]
To = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="Also load the graph (named graphs kept) into this SPARQL 1.1 server, one Graph Store "
        "Protocol PUT per graph (its query URL, e.g. http://127.0.0.1:7878/query for Oxigraph, "
        "http://127.0.0.1:8890/sparql for Virtuoso).",
    ),
]
GspUrl = Annotated[
    str | None,
    typer.Option(
        "--gsp",
        help="The server's Graph Store Protocol URL, when it is not derived from --to (Oxigraph …/query → "
        "…/store, Fuseki …/<ds>/sparql → …/<ds>/data, Virtuoso …/sparql → …/sparql-graph-crud-auth, "
        "GraphDB …/repositories/<id> → …/rdf-graphs/service, QLever: the same URL).",
    ),
]
Lang = Annotated[Literal["fr", "en"], typer.Option("--lang", help="Language of the output: fr or en.")]
# the same three options, helped in French, for the catalysts' commands (template, import, imports, atelier,
# export-xlsx), whose help is French first
LangFr = Annotated[
    Literal["fr", "en"], typer.Option("--lang", help="Langue des messages : fr (par défaut) ou en.")
]
StoreFr = Annotated[
    Path,
    typer.Option("--store", help="Dossier du store construit (kg build).", show_default=True),
]
DataDirFr = Annotated[
    Path,
    typer.Option("--data", help="Dossier des données : curated/, geo/, sources/ et imports/."),
]
Territory = Annotated[
    str | None,
    typer.Option(
        "--territory",
        parser=territory_ref,
        metavar="LEVEL:CODE",
        help=f"Only this territory's ecosystem — actors anchored in it or its sub-territories, and those "
        f"taking part in a programme, funding, support, membership or event acting there: {TERRITORY_HELP}. "
        "A malformed or unknown territory exits 4.",
    ),
]
DataDir = Annotated[
    Path,
    typer.Option("--data", help="Folder with curated/, geo/, sources/ and imports/."),
]
JsonAlias = Annotated[
    bool,
    typer.Option("--json", hidden=True, help="Deprecated: use --format json."),
]

#: ``--format`` of the commands that print query results (kg query, kg sparql)
ResultFormat = Annotated[
    Literal["table", "csv", "json", "sparql-json"],
    typer.Option("--format", "-f", help="Output: table (default), csv, json or sparql-json."),
]
#: ``--format`` of the commands that print sentences or a report (kg build, kg chains, kg analyse)
TextFormat = Annotated[
    Literal["text", "json"], typer.Option("--format", "-f", help="Output: text (default) or json.")
]


def pick_format(fmt: str, as_json: bool) -> str:
    """*fmt*, or ``json`` when the deprecated ``--json`` was given (with a warning on standard error)."""
    if as_json:
        typer.secho("Warning: --json is deprecated; use --format json", err=True, fg=typer.colors.YELLOW)
        return "json"
    return fmt


def where(store: Path, endpoint: str | None) -> str | Path:
    """What :func:`kg.open` opens: the endpoint URL when given, else the store folder."""
    return endpoint or store


def remote_auth(auth: str | None, url: str | None) -> dict[str, Any]:
    """The ``auth=`` keyword of :func:`kg.open` / :func:`kg.store.gsp.load_to_endpoint` for ``--auth``.

    ``{}`` without ``--auth`` (the library then reads ``KG_ENDPOINT_AUTH``). The secret comes from
    ``KG_ENDPOINT_SECRET``, else the file named by ``KG_ENDPOINT_SECRET_FILE`` (its first line), else a
    hidden prompt. ``--auth`` without a server, or of an unknown kind, is a usage error (exit 2).
    """
    import os

    if auth is None:
        return {}
    if not url:
        raise typer.BadParameter("--auth goes with --endpoint (or kg build --to)", param_hint="'--auth'")
    kind, _, user = auth.partition(":")
    kind = kind.strip().lower()
    if ":" in user or (kind == "bearer" and user):
        raise typer.BadParameter(
            "the secret is never given on the command line (it would stay in the shell's history): "
            f"set {SECRET_ENV}, or {SECRET_FILE_ENV} to a file holding it, or let kg ask for it",
            param_hint="'--auth'",
        )
    if kind not in ("basic", "digest", "bearer") or (kind != "bearer" and not user):
        raise typer.BadParameter(
            f'"{auth}": write basic:USER, digest:USER or bearer (the secret is never given here)',
            param_hint="'--auth'",
        )
    secret = os.environ.get(SECRET_ENV)
    if not secret and os.environ.get(SECRET_FILE_ENV):
        path = Path(os.environ[SECRET_FILE_ENV])
        try:
            secret = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        except OSError as exc:
            raise typer.BadParameter(
                f"{SECRET_FILE_ENV}: cannot read {path}: {exc}", param_hint="'--auth'"
            ) from None
    if not secret:
        secret = typer.prompt(
            f"{'token' if kind == 'bearer' else 'password'} for {user or url}", hide_input=True
        )
    from kg.store.remote import Credentials

    return {"auth": Credentials(kind, user if kind != "bearer" else "", secret)}
