"""kg serve under load: the rules of kg.serve.pool (per-client limits, a short queue, workers reserved for
short queries, cancellation) on fake workers, then on a real ``kg serve`` on 127.0.0.1 with its processes.

Clients are told apart by their remote address: each client here connects from its own loopback address
(127.0.0.2, 127.0.0.3…). Nothing asserts a duration: the tests wait for states (a worker running a long query
runs at a lower CPU priority, which /proc shows) and assert what the server answers.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import free_port, server_output, start_server, stop

from kg.serve import pool as pool_module
from kg.serve.pool import Busy, TimeLimit, WorkerPool
from kg.serve.settings import Settings
from kg.serve.workers import WORKER_NAME

ROOT = Path(__file__).resolve().parent.parent

# --- the rules, on fake workers ---------------------------------------------------------------------------


class FakeWorker:
    """Stands for a worker process: a job {"text": name, "cost": seconds} takes *cost* seconds of 'CPU'."""

    pids = itertools.count(1000)
    start_delay = 0.0
    killed: list[int] = []  # noqa: RUF012 - shared on purpose: the pool makes and kills its own workers
    ran: list[str] = []  # noqa: RUF012

    def __init__(self, store_path: Any, writable: Any, allow_network: Any = False, memory_mb: Any = None):
        time.sleep(self.start_delay)
        self.isolated, self.isolation, self.pid = True, "fake", next(self.pids)
        self.sent_at = 0.0
        self.cost = 0.0
        self.niced = False

    def cpu_seconds(self) -> float:
        return min(time.monotonic() - self.sent_at, self.cost) if self.sent_at else 0.0

    def lower_priority(self, lower: bool) -> bool:
        self.niced = lower
        return True

    def send(self, job: dict[str, Any]) -> None:
        self.sent_at, self.cost = time.monotonic(), job["cost"]
        self.text = job["text"]

    async def reply(self, timeout_s: float):
        left = self.sent_at + self.cost - time.monotonic()
        if left > timeout_s:
            await asyncio.sleep(timeout_s)
            return None
        await asyncio.sleep(max(left, 0))
        self.ran.append(self.text)
        self.sent_at = 0.0
        return (200, "text/plain", self.text.encode(), {}), False

    def kill(self) -> None:
        self.killed.append(self.pid)


def fake_pool(monkeypatch, **settings: Any) -> WorkerPool:
    monkeypatch.setattr(pool_module, "Worker", FakeWorker)
    FakeWorker.killed.clear()
    FakeWorker.ran.clear()
    FakeWorker.start_delay = 0.0
    base = {"time_limit_ms": 3000, "queue_wait_ms": 300, "short_query_ms": 50}
    pool = WorkerPool("unused", Settings(**{**base, **settings}))
    pool.start()
    return pool


def job(text: str, cost: float) -> dict[str, Any]:
    return {"kind": "query", "text": text, "cost": cost}


async def until(condition, what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)


def test_a_short_query_passes_two_long_ones_and_a_third_long_one_waits(monkeypatch):
    async def main() -> None:
        pool = fake_pool(monkeypatch, workers=3, reserved_workers=1)
        heavy = [asyncio.ensure_future(pool.run(job(f"heavy {c}", 60), c)) for c in "ab"]
        await until(lambda: pool.stats()["long"] == 2, "both heavy queries turned long")
        assert await pool.run(job("ASK {}", 0.001), "c") == (200, "text/plain", b"ASK {}", {})
        with pytest.raises(Busy) as refused:  # a third heavy query: no long place, so stopped and queued
            await pool.run(job("heavy d", 60), "d")
        assert refused.value.reason == "queue" and refused.value.retry_after >= 1
        await until(lambda: len(FakeWorker.killed) == 1, "d's worker stopped when its query turned long")
        for h in heavy:
            h.cancel()
        await asyncio.gather(*heavy, return_exceptions=True)
        await until(
            lambda: pool.stats() == {"workers": 3, "idle": 3, "running": 0, "long": 0, "waiting": 0}, ""
        )
        assert len(FakeWorker.killed) == 3  # cancelled while running: their workers were replaced

    asyncio.run(main())


def test_a_text_that_turned_long_queues_as_long_next_time(monkeypatch):
    async def main() -> None:
        pool = fake_pool(monkeypatch, workers=2, reserved_workers=1)
        first = asyncio.ensure_future(pool.run(job("heavy", 60), "a"))
        await until(lambda: pool.stats()["long"] == 1, "the first turned long")
        with pytest.raises(Busy):
            await pool.run(job("heavy", 60), "b")  # remembered as long: it waits for the long place
        assert FakeWorker.killed == []  # ... without taking the reserved worker first
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)

    asyncio.run(main())


def test_clients_are_served_in_turn(monkeypatch):
    async def main() -> None:
        # none of the queries may turn long (the order would then be the long queue's): a loaded machine once
        # ran a 50 ms job past the 50 ms of short_query_ms
        pool = fake_pool(
            monkeypatch, workers=1, per_client_queued=5, queue_wait_ms=5000, time_limit_ms=20_000,
            short_query_ms=10_000,
        )  # fmt: skip
        a = [asyncio.ensure_future(pool.run(job(f"a{i}", 0.05), "a")) for i in range(3)]
        await asyncio.sleep(0)
        b = asyncio.ensure_future(pool.run(job("b0", 0.05), "b"))
        await asyncio.gather(*a, b)
        assert FakeWorker.ran == ["a0", "b0", "a1", "a2"]

    asyncio.run(main())


def test_a_client_over_its_limits_is_refused_at_once(monkeypatch):
    async def main() -> None:
        pool = fake_pool(monkeypatch, workers=3, per_client_running=1, per_client_queued=1)
        mine = [asyncio.ensure_future(pool.run(job(f"q{i}", 1), "a")) for i in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(Busy) as refused:
            await pool.run(job("q2", 0.01), "a")
        assert refused.value.reason == "client"
        assert await pool.run(job("other", 0.01), "b")  # the server is not busy for others
        with pytest.raises(Busy) as waited:  # q1 waited 300 ms behind q0 (1 s): queued, then refused
            await asyncio.gather(*mine)
        assert waited.value.reason == "own"
        for m in mine:
            m.cancel()

    asyncio.run(main())


def test_a_replaced_worker_keeps_its_clients_place_until_it_is_ready(monkeypatch):
    async def main() -> None:
        pool = fake_pool(monkeypatch, workers=2, reserved_workers=0, time_limit_ms=100, queue_wait_ms=10_000)
        FakeWorker.start_delay = 0.3  # a replacement takes a while to start
        with pytest.raises(TimeLimit):
            await pool.run(job("slow", 60), "a")
        following = asyncio.ensure_future(pool.run(job("next", 0.01), "a"))
        await until(lambda: pool.stats()["waiting"] == 1, "a's next query waits for the replacement")
        await until(
            lambda: len(FakeWorker.killed) == 1 and pool.stats()["workers"] == 2, "the worker replaced"
        )
        assert await following == (200, "text/plain", b"next", {})

    asyncio.run(main())


def test_a_query_cancelled_while_waiting_leaves_the_queue_and_kills_nothing(monkeypatch):
    async def main() -> None:
        pool = fake_pool(monkeypatch, workers=1, queue_wait_ms=5000)
        running = asyncio.ensure_future(pool.run(job("first", 0.3), "a"))
        waiting = asyncio.ensure_future(pool.run(job("second", 0.01), "b"))
        await until(lambda: pool.stats()["waiting"] == 1, "the second waits")
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        assert pool.stats()["waiting"] == 0
        assert await running == (200, "text/plain", b"first", {})
        assert FakeWorker.killed == [] and FakeWorker.ran == ["first"]

    asyncio.run(main())


def test_settings_of_fairness_have_bounds():
    from kg.errors import QueryError

    assert Settings(workers=1).reserved == 0  # a single worker is never reserved
    assert Settings().reserved == 1
    with pytest.raises(QueryError):
        Settings(worker_memory_mb=10)
    with pytest.raises(QueryError):
        Settings(per_client_running=0)


# --- a real kg serve ---------------------------------------------------------------------------------------

# a cross product: never done within the time limit, and cheap in memory
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
ASK = "ASK { ?s ?p ?o }"
MEMORY_MB = 600


def concat_doubling(n: int = 31) -> str:
    """One row whose string doubles *n* times (2 GB at 31): memory, fast, and little CPU."""
    binds = ' BIND("x" AS ?a0)' + "".join(
        f" BIND(CONCAT(?a{i - 1}, ?a{i - 1}) AS ?a{i})" for i in range(1, n + 1)
    )
    return f"SELECT (STRLEN(?a{n}) AS ?n) WHERE {{{binds} }}"


def _loopback_addresses_work() -> bool:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.9", 0))
        return True
    except OSError:
        return False


needs_loopback = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not _loopback_addresses_work()
    or os.getpriority(os.PRIO_PROCESS, 0) >= 19,
    reason="needs loopback addresses 127.0.0.x, /proc (Linux), and a nice value below 19",
)


class Server:
    def __init__(self, proc: Any, url: str):
        self.proc, self.url = proc, url
        self.port = urllib.parse.urlsplit(url).port

    def workers(self) -> list[int]:
        """Pids of this server's workers (children of its fork server), from /proc."""
        out = []
        for d in os.listdir("/proc"):
            if d.isdigit() and _comm(int(d)) == WORKER_NAME and _parent(_parent(int(d))) == self.proc.pid:
                out.append(int(d))
        return sorted(out)

    def long_ones(self) -> list[int]:
        """Workers running a long query: kg serve runs them at a lower CPU priority."""
        return [p for p in self.workers() if _nice(p) > _nice(self.proc.pid)]

    def get(self, query: str, client: str, **kw: Any) -> httpx.Response:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=client), timeout=60) as c:
            headers = {"Accept": "application/json", **kw.pop("headers", {})}
            return c.get(self.url, params={"query": query}, headers=headers, **kw)

    def send(self, query: str, client: str) -> socket.socket:
        """Send a query from *client* on a raw socket and return it, unread (close it to hang up)."""
        s = socket.create_connection(("127.0.0.1", self.port), source_address=(client, 0))
        target = "/sparql?" + urllib.parse.urlencode({"query": query})
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
        return s


def _stat(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _parent(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else 0


def _nice(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[16]) if fields else 0


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def wait_for(condition, what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {within} s: {what}")
        time.sleep(0.05)


def read_answer(s: socket.socket) -> str:
    """One whole HTTP response (kg serve's answers carry Content-Length)."""
    s.settimeout(60)
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = [x for x in head.split(b"\r\n") if x.lower().startswith(b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                return data.decode(errors="replace")
        chunk = s.recv(65536)
        if not chunk:
            return data.decode(errors="replace")
        data += chunk


@pytest.fixture(scope="module")
def server(built_store):
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "kg.cli.serve",
        "--store",
        str(built_store),
        "--port",
        str(port),
        "--workers",
        "3",
        "--reserved-workers",
        "1",
        "--time-limit-ms",
        "60000",  # long: a heavy query here ends because its client hangs up, never at the time limit
        "--queue-wait-ms",
        "1000",
        "--short-query-ms",
        "100",
        "--per-client-running",
        "1",
        "--per-client-queued",
        "1",
        "--worker-memory-mb",
        str(MEMORY_MB),
    ]
    url = f"http://127.0.0.1:{port}/sparql"
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    srv = Server(proc, url)
    wait_for(lambda: len(srv.workers()) == 3, "three workers")
    yield srv
    stop(proc)
    out = server_output(proc)
    assert "Traceback" not in out, out


def quiet(server: Server) -> list[int]:
    """Wait until the server runs no long query and has its three workers; return their pids."""
    wait_for(lambda: not server.long_ones() and len(server.workers()) == 3, "a quiet server")
    return server.workers()


@needs_loopback
@pytest.mark.server
@pytest.mark.slow
def test_a_fast_ask_is_answered_while_two_heavy_queries_hold_the_long_lane(server):
    quiet(server)
    heavy = [server.send(HEAVY, "127.0.0.2"), server.send(HEAVY, "127.0.0.3")]
    try:
        wait_for(lambda: len(server.long_ones()) == 2, "two long queries running")
        r = server.get(ASK, "127.0.0.4")
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert len(server.long_ones()) == 2  # the heavy ones still hold the long lane
    finally:
        for s in heavy:
            s.close()


@needs_loopback
@pytest.mark.server
@pytest.mark.slow
def test_a_client_over_its_limit_gets_503_with_retry_after(server):
    quiet(server)
    first = server.send(HEAVY, "127.0.0.5")
    try:
        wait_for(lambda: len(server.long_ones()) == 1, "its first query running")
        second, third = server.send(ASK, "127.0.0.5"), server.send(ASK, "127.0.0.5")
        answers = [read_answer(second), read_answer(third)]
        second.close()
        third.close()
        for a in answers:
            assert a.startswith("HTTP/1.1 503"), a
            retry = [line for line in a.split("\r\n") if line.lower().startswith("retry-after:")]
            assert retry and int(retry[0].split(":")[1]) >= 1, a
        # one was refused at once (over per_client_queued), the other waited queue_wait_ms behind the first
        assert sorted("already has" in a for a in answers) == [False, True], answers
        assert any("behind this client's own running" in a for a in answers), answers
        other = server.get(ASK, "127.0.0.6")  # the server is not busy for others
        assert other.status_code == 200
    finally:
        first.close()


@needs_loopback
@pytest.mark.server
@pytest.mark.slow
def test_a_forwarded_for_header_does_not_make_another_client(server):
    quiet(server)
    first = server.send(HEAVY, "127.0.0.1")
    try:
        wait_for(lambda: len(server.long_ones()) == 1, "its first query running")
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: the same client would pass as 10.1.2.3
        r = server.get(ASK, "127.0.0.1", headers={"X-Forwarded-For": "10.1.2.3"})
        assert r.status_code == 503, r.text
        assert server.get(ASK, "127.0.0.9").status_code == 200  # another address is another client
    finally:
        first.close()


@needs_loopback
@pytest.mark.server
@pytest.mark.slow
def test_a_disconnected_clients_query_is_killed(server):
    before = quiet(server)
    s = server.send(HEAVY, "127.0.0.7")
    wait_for(lambda: len(server.long_ones()) == 1, "the heavy query running")
    busy = server.long_ones()[0]
    s.close()
    # the time limit is 60 s: only the hang-up can stop it, and the worker is replaced
    wait_for(lambda: busy not in server.workers(), "the worker of the abandoned query killed", within=30)
    wait_for(lambda: len(server.workers()) == 3, "the worker replaced", within=30)
    assert busy in before and server.get(ASK, "127.0.0.7").status_code == 200


@needs_loopback
@pytest.mark.server
def test_a_memory_hungry_query_gets_a_clear_error_and_the_next_runs_on_a_fresh_worker(server):
    before = quiet(server)
    r = server.get(concat_doubling(), "127.0.0.8")
    assert r.status_code == 503, r.text
    assert f"the query used more than {MEMORY_MB} MB" in r.text and "worker_memory_mb" in r.text
    ok = server.get(ASK, "127.0.0.8")
    assert ok.status_code == 200 and ok.json()["boolean"] is True
    wait_for(lambda: len(server.workers()) == 3, "the worker replaced", within=30)
    assert server.workers() != before  # one worker died past its cap and was replaced


LOOKUP = "ASK { <https://w3id.org/territorial-kg/id/territory/commune/75056> ?p ?o }"


@needs_loopback
@pytest.mark.server
@pytest.mark.slow
def test_a_lookup_needs_no_worker_where_another_query_of_the_same_client_waits(server):
    quiet(server)
    first = server.send(HEAVY, "127.0.0.9")
    try:
        wait_for(lambda: len(server.long_ones()) == 1, "its heavy query running")
        # bounded by its shape, a lookup is answered by the server process itself, at once
        lookup = server.get(LOOKUP, "127.0.0.9")
        assert lookup.status_code == 200 and lookup.json()["boolean"] is True
        # any other query of the same client waits behind its running one (per_client_running=1)
        other = server.get(ASK, "127.0.0.9")
        assert other.status_code == 503 and "behind this client's own running" in other.text, other.text
        assert len(server.long_ones()) == 1  # the lookup took no worker and stopped nothing
    finally:
        first.close()
