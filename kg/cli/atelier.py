"""The ``kg atelier`` command: parses its options and calls :func:`kg.serve.atelier.serve_atelier`.

``register(app)`` adds the command to the ``kg`` Typer application.
"""

from __future__ import annotations

import typer

from kg.cli.options import DEFAULT_DATA, DEFAULT_STORE, DataDirFr, LangFr, StoreFr, reports_errors

__all__ = ["register"]


@reports_errors(lang="fr")
def atelier(
    data: DataDirFr = DEFAULT_DATA,
    store: StoreFr = DEFAULT_STORE,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Adresse d'écoute (127.0.0.1 par défaut : cet ordinateur seulement)."
    ),
    port: int = typer.Option(7879, "--port", help="Port TCP d'écoute."),
    token: str | None = typer.Option(
        None,
        "--token",
        "--jeton",
        envvar="KG_ATELIER_TOKEN",
        help="Jeton exigé de chaque navigateur (obligatoire sur une autre adresse que 127.0.0.1 ; aussi "
        "KG_ATELIER_TOKEN) : ouvrez l'adresse affichée, qui le porte.",
    ),
    lang: LangFr = "fr",
) -> None:
    """L'atelier des catalyseurs dans le navigateur : importer un classeur, l'historique, explorer les chaînes.

    Un serveur local (127.0.0.1 par défaut) qui n'écrit que dans ce projet (data/imports et son store) ; il
    sert aussi le point SPARQL et les pages des IRI, en lecture seule. Sans terminal ensuite : ouvrez l'adresse affichée."""
    from kg.serve.atelier import serve_atelier
    from kg.serve.atelier.guard import check_listen

    check_listen(host, token)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/atelier/" + (f"?jeton={token}" if token else "")
    typer.echo(("Atelier : " if lang == "fr" else "Workspace: ") + url)
    typer.echo(
        "  Ctrl+C pour arrêter ; rien n'est écrit ailleurs que dans " + f"{data}/imports et {store}"
        if lang == "fr"
        else f"  Ctrl+C to stop; nothing is written elsewhere than {data}/imports and {store}"
    )
    serve_atelier(data, store, host=host, port=port, token=token, lang=lang)


def register(app: typer.Typer) -> None:
    """Add ``atelier`` to the ``kg`` application."""
    app.command("atelier")(atelier)
