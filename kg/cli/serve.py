"""The ``kg serve`` command: parses its options and calls :func:`kg.serve.app.serve` (which starts uvicorn).

``register(app)`` adds the command to the ``kg`` Typer application; ``python -m kg.cli.serve``
runs it on its own.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.options import DEFAULT_STORE, Store, reports_errors
from kg.serve.settings import Settings

_DEFAULT = Settings()

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
        _DEFAULT.workers, "--workers", help="workers: query worker processes (queries run at once)."
    ),
    reserved_workers: int = typer.Option(
        _DEFAULT.reserved_workers,
        "--reserved-workers",
        help="reserved_workers: workers kept for short queries; at most workers - reserved_workers queries "
        "run past --short-query-ms at once (none reserved with a single worker).",
    ),
    short_query_ms: int = typer.Option(
        _DEFAULT.short_query_ms,
        "--short-query-ms",
        help="short_query_ms: CPU time (or 4x as much wall time) after which a query counts as long; a long "
        "query with no long place free is stopped and queued again as long.",
    ),
    queue_wait_ms: int = typer.Option(
        _DEFAULT.queue_wait_ms,
        "--queue-wait-ms",
        help="queue_wait_ms: longest a query waits for a worker; then 503 with Retry-After.",
    ),
    per_client_running: int = typer.Option(
        _DEFAULT.per_client_running,
        "--per-client-running",
        help="per_client_running: queries one client (remote address) may have running at once.",
    ),
    per_client_queued: int = typer.Option(
        _DEFAULT.per_client_queued,
        "--per-client-queued",
        help="per_client_queued: further queries one client may have waiting; past that, 503 with "
        "Retry-After at once.",
    ),
    worker_memory_mb: int = typer.Option(
        _DEFAULT.worker_memory_mb,
        "--worker-memory-mb",
        help="worker_memory_mb: memory each worker may take (RLIMIT_DATA); a query needing more is stopped "
        "with 503 and its worker replaced.",
    ),
    update_token: str | None = typer.Option(
        None,
        "--update-token",
        envvar="KG_UPDATE_TOKEN",
        help="Enable SPARQL Update for requests with 'Authorization: "
        "Bearer TOKEN' (private deployments only; read from "
        "KG_UPDATE_TOKEN if set).",
    ),
    base: str | None = typer.Option(
        None,
        "--base",
        help="Base of the links between the pages behind the IRIs, for a deployment behind a redirection "
        "(e.g. https://w3id.org/territorial-kg/); by default the project's IRIs are linked under this server's "
        "own address.",
    ),
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Data folder whose sources/ hold the documents' text (their pages) and whose records make the "
        "territories' workbooks; by default the data folder beside the store.",
    ),
    front_ends: int | None = typer.Option(
        None,
        "--front-ends",
        min=1,
        help="Processes that answer lookups (queries bounded by their shape) on the port; every other "
        "request is passed on to the server process. Default: one per core, at least 2 and at most 4 (1 "
        "with --update-token).",
    ),
    unsafe_allow_network: bool = typer.Option(
        False,
        "--unsafe-allow-network",
        help="unsafe_allow_network: serve even if the query workers cannot be denied the network by the "
        "operating system (seccomp, Linux x86_64/aarch64); without it, kg serve then refuses to start.",
    ),
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (query page at /sparql, ontology at /ontology) and
    a page behind every IRI (/id/…: HTML, Turtle, JSON-LD, N-Triples, RDF/XML by content negotiation)."""
    from kg.serve.app import serve
    from kg.serve.workers import check_isolation

    settings = Settings(
        time_limit_ms=time_limit_ms,
        max_returned_rows=max_returned_rows,
        max_request_bytes=max_request_bytes,
        workers=workers,
        reserved_workers=reserved_workers,
        short_query_ms=short_query_ms,
        queue_wait_ms=queue_wait_ms,
        per_client_running=per_client_running,
        per_client_queued=per_client_queued,
        worker_memory_mb=worker_memory_mb,
        update_token=update_token,
        unsafe_allow_network=unsafe_allow_network,
    )
    isolated, how = check_isolation(allow_network=unsafe_allow_network)  # StoreError when it does not hold
    typer.echo(f"SPARQL endpoint: http://{host}:{port}/sparql   ontology: http://{host}:{port}/ontology")
    typer.echo(f"  pages behind the IRIs: http://{host}:{port}/id/actor/le-rameau …")
    typer.echo(f"  {settings}")
    if isolated:
        typer.echo(f"  query workers: {how}")
    else:
        typer.echo(
            f"  UNSAFE (--unsafe-allow-network): the query workers can reach the network: {how}", err=True
        )
    if update_token is None:
        typer.echo(
            "  lookups (queries bounded by their shape): answered by the server process and its front ends, "
            "which deny themselves the network once they listen (by the workers where they cannot)"
        )
    if base is not None and not base.endswith("/"):
        base += "/"
    serve(store, host=host, port=port, settings=settings, base=base, data_dir=data, front_ends=front_ends)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``kg`` application."""
    app.command("serve")(serve_command)


def main() -> None:
    """Run ``serve`` alone (``python -m kg.cli.serve --store … --port …``)."""
    typer.run(serve_command)


if __name__ == "__main__":  # pragma: no cover
    main()
