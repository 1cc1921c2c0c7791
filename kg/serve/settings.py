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
    workers: int = 3
    reserved_workers: int = 1
    short_query_ms: int = 250
    queue_wait_ms: int = 2_000
    per_client_running: int = 1
    per_client_queued: int = 4
    worker_memory_mb: int = 1_024
    update_token: str | None = field(default=None, repr=False)
    unsafe_allow_network: bool = False

    def __post_init__(self) -> None:
        from kg.errors import QueryError

        least = {
            "time_limit_ms": 1,
            "max_returned_rows": 1,
            "max_request_bytes": 1,
            "workers": 1,
            "reserved_workers": 0,
            "short_query_ms": 1,
            "queue_wait_ms": 0,
            "per_client_running": 1,
            "per_client_queued": 0,
            "worker_memory_mb": 64,
        }
        for f, low in least.items():
            if getattr(self, f) < low:
                raise QueryError(f"setting {f} must be at least {low}, not {getattr(self, f)}")

    @property
    def reserved(self) -> int:
        """The workers actually kept for short queries: ``reserved_workers``, but never every worker."""
        return min(self.reserved_workers, self.workers - 1)


SETTINGS_HELP = {
    "time_limit_ms": "Longest a query may run, in milliseconds. Past it the query's worker process is killed "
    "(and replaced) and the client gets 503.",
    "max_returned_rows": "Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; a longer answer is "
    "cut there and flagged with the response header X-KG-Truncated: true.",
    "max_request_bytes": "Largest request accepted (body, or query string for GET), in bytes; larger requests "
    "get 413.",
    "workers": "Worker processes running queries, i.e. the most queries running at once.",
    "reserved_workers": "Workers kept for short queries: at most workers - reserved_workers queries run past "
    "short_query_ms at once, so a short query never waits behind long ones (none with a single worker).",
    "short_query_ms": "CPU time (or 4x as much wall time) a query may use before it counts as long. A long "
    "query needs one of the workers - reserved_workers places for long queries; when none is free it is "
    "stopped and queued again as a long query.",
    "queue_wait_ms": "Longest a query waits for a worker, in milliseconds; then the client gets 503 with "
    "Retry-After.",
    "per_client_running": "Queries one client (its remote address) may have running at once.",
    "per_client_queued": "Further queries one client may have waiting; past that it gets 503 with Retry-After "
    "at once.",
    "worker_memory_mb": "Memory each worker process may take, in MB (RLIMIT_DATA: heap and anonymous mappings, "
    "about 100 MB of it before the first query). A query that needs more is stopped, the client gets 503 "
    "'the query used more than N MB', and the worker is replaced.",
    "update_token": "If set, SPARQL Update is enabled for requests with 'Authorization: Bearer <token>' "
    "(private deployments only; one worker, store opened read-write).",
    "unsafe_allow_network": "Serve even where the query workers cannot be denied the network by the operating "
    "system (seccomp on Linux x86_64/aarch64). Off by default: kg serve then refuses to start, because a "
    "query that got past the SERVICE/LOAD guard could make the server send requests on its behalf.",
}
