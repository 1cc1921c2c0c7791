"""The endpoint's limits: named settings, each with its help text (as datasette's settings)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SETTINGS_HELP", "Settings"]


@dataclass(frozen=True)
class Settings:
    """The endpoint's limits (named settings, each with help text in :data:`SETTINGS_HELP`)."""

    time_limit_ms: int = 10_000
    max_returned_rows: int = 10_000
    max_request_bytes: int = 65_536
    workers: int = 2
    update_token: str | None = field(default=None, repr=False)
    unsafe_allow_network: bool = False

    def __post_init__(self) -> None:
        from kg.errors import QueryError

        for f in ("time_limit_ms", "max_returned_rows", "max_request_bytes", "workers"):
            if getattr(self, f) < 1:
                raise QueryError(f"setting {f} must be at least 1, not {getattr(self, f)}")


SETTINGS_HELP = {
    "time_limit_ms": "Longest a query may run, in milliseconds. Past it the query's worker process is killed "
    "(and replaced) and the client gets 503.",
    "max_returned_rows": "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; a longer answer is "
    "cut there and flagged with the response header X-KG-Truncated: true.",
    "max_request_bytes": "Largest request accepted (body, or query string for GET), in bytes; larger requests "
    "get 413.",
    "workers": "Worker processes running queries, i.e. the most queries running at once; a request waits at "
    "most time_limit_ms for a free worker, then gets 503.",
    "update_token": "If set, SPARQL Update is enabled for requests with 'Authorization: Bearer <token>' "
    "(private deployments only; one worker, store opened read-write).",
    "unsafe_allow_network": "Serve even where the query workers cannot be denied the network by the operating "
    "system (seccomp on Linux x86_64/aarch64). Off by default: kg serve then refuses to start, because a "
    "query that got past the SERVICE/LOAD guard could make the server send requests on its behalf.",
}
