"""The ``kg serve`` command: parses its options and calls :func:`kg.serve.app.serve` (which starts uvicorn).

``register(app)`` adds the command to the ``kg`` Typer application; ``python -m kg.cli.serve``
runs it on its own.
"""

from __future__ import annotations

import typer

from kg.cli.options import DEFAULT_STORE, Store, reports_errors

__all__ = ["main", "register"]


@reports_errors
def serve_command(
    store: Store = DEFAULT_STORE,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(7878, "--port", help="TCP port to listen on."),
    time_limit_ms: int = typer.Option(
        10_000,
        "--time-limit-ms",
        help="time_limit_ms: longest a query may run, "
        "in milliseconds; past it its worker is killed and the client gets 503.",
    ),
    max_returned_rows: int = typer.Option(
        10_000,
        "--max-returned-rows",
        help="max_returned_rows: most rows or "
        "triples in one answer (cut answers carry X-KG-Truncated: true).",
    ),
    max_request_bytes: int = typer.Option(
        65_536,
        "--max-request-bytes",
        help="max_request_bytes: largest request (body or GET query string) accepted; larger gets 413.",
    ),
    workers: int = typer.Option(
        2, "--workers", help="workers: query worker processes (queries run at once)."
    ),
    update_token: str | None = typer.Option(
        None,
        "--update-token",
        envvar="KG_UPDATE_TOKEN",
        help="Enable SPARQL Update for requests with 'Authorization: "
        "Bearer TOKEN' (private deployments only; read from "
        "KG_UPDATE_TOKEN if set).",
    ),
    unsafe_allow_network: bool = typer.Option(
        False,
        "--unsafe-allow-network",
        help="unsafe_allow_network: serve even if the query workers cannot be denied the network by the "
        "operating system (seccomp, Linux x86_64/aarch64); without it, kg serve then refuses to start.",
    ),
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (query page at /sparql, ontology at /ontology)."""
    from kg.serve.app import Settings, serve
    from kg.serve.workers import check_isolation

    settings = Settings(
        time_limit_ms=time_limit_ms,
        max_returned_rows=max_returned_rows,
        max_request_bytes=max_request_bytes,
        workers=workers,
        update_token=update_token,
        unsafe_allow_network=unsafe_allow_network,
    )
    isolated, how = check_isolation(allow_network=unsafe_allow_network)  # StoreError when it does not hold
    typer.echo(f"SPARQL endpoint: http://{host}:{port}/sparql   ontology: http://{host}:{port}/ontology")
    typer.echo(f"  {settings}")
    if isolated:
        typer.echo(f"  query workers: {how}")
    else:
        typer.echo(
            f"  UNSAFE (--unsafe-allow-network): the query workers can reach the network: {how}", err=True
        )
    serve(store, host=host, port=port, settings=settings)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``kg`` application."""
    app.command("serve")(serve_command)


def main() -> None:
    """Run ``serve`` alone (``python -m kg.cli.serve --store … --port …``)."""
    typer.run(serve_command)


if __name__ == "__main__":  # pragma: no cover
    main()
