"""The query workers: processes that each hold a handle on the store, have no network, and can be killed.

pyoxigraph cannot interrupt a query, so a process is the unit that can be stopped at the time limit.
Each worker denies itself the network (:func:`kg.store.isolation.deny_network`, a seccomp filter)
before it opens the store, then checks that an ``AF_INET`` socket really cannot be opened, and tells
the server so in its first message. :class:`WorkerPool` refuses to start (:class:`StoreError`) when a
worker is not isolated, unless it was built with ``allow_network=True`` (``kg serve
--unsafe-allow-network``); then :attr:`WorkerPool.network_isolated` is False and
:attr:`WorkerPool.isolation` says why, for the log and the service description.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import threading
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.serve.protocol import execute

__all__ = ["Busy", "TimeLimit", "WorkerPool", "check_isolation"]

log = logging.getLogger("kg.serve.workers")

#: what the client reads when a query tried to reach the network from an isolated worker
NO_NETWORK = (
    "the query tried to open a network connection (SERVICE, LOAD or a remote document), and this "
    "endpoint's query workers have no network: the operating system refused it"
)


def _isolate() -> tuple[bool, str]:  # pragma: no cover - runs in a child
    """Deny this process the network and check it holds: (isolated, what was done or why not)."""
    from kg.store.isolation import deny_network, network_probe

    try:
        deny_network()
    except StoreError as exc:
        return False, str(exc)
    leak = network_probe()
    if leak is not None:
        return False, f"the seccomp filter was installed, yet {leak}"
    return (
        True,
        "network denied by a seccomp filter (socket(AF_INET/AF_INET6) refused), checked in each worker",
    )


def _worker_main(
    conn: Any, store_path: str | None, writable: bool, allow_network: bool = False
) -> None:  # pragma: no cover - runs in a child
    """Loop of a worker process: isolate, report, then receive a pickled job and send back the pickled reply.

    The first message is ``{"isolated": bool, "isolation": str, "ready": bool}``; a worker that is
    not isolated (and not allowed the network) sends it with ``ready`` False and exits before it
    opens the store. With *store_path* None it only reports (the start-up check of ``kg serve``).
    """
    isolated, how = _isolate()
    ready = isolated or allow_network
    if not ready or store_path is None:
        conn.send_bytes(pickle.dumps({"isolated": isolated, "isolation": how, "ready": ready}))
        return
    import pyoxigraph as ox

    store = ox.Store(store_path) if writable else ox.Store.read_only(store_path)
    conn.send_bytes(pickle.dumps({"isolated": isolated, "isolation": how, "ready": True}))
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            reply = execute(store, pickle.loads(data))
        except Exception as exc:  # noqa: BLE001 - reported to the client as a 500, never a traceback
            reply = (
                500,
                "text/plain; charset=utf-8",
                f"the query failed: {type(exc).__name__}: {exc}".encode(),
                {},
            )
        if isolated and reply[0] >= 500 and b"(os error 1)" in reply[2]:
            reply = (403, reply[1], f"{NO_NETWORK} ({reply[2].decode(errors='replace')})".encode(), reply[3])
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


# ---------------------------------------------------------------------------------------------------
# the worker pool (in the server process)


def _refusal(why: str) -> str:
    return (
        f"kg serve will not run queries in processes that can reach the network: {why}. "
        "Run it on Linux (x86_64 or aarch64) with seccomp available, or, knowing that a query that gets "
        "past the SERVICE/LOAD guard could then make the server send requests, pass --unsafe-allow-network"
    )


def check_isolation(allow_network: bool = False) -> tuple[bool, str]:
    """Start one throw-away worker (no store) and report whether it could deny itself the network.

    What ``kg serve`` checks before it listens: (isolated, how or why not).

    Raises
    ------
    StoreError
        When the worker is not isolated and *allow_network* is False, with the reason and the way out.
    """
    w = _Worker(None, False, allow_network)
    if not w.isolated and not allow_network:
        raise StoreError(_refusal(w.isolation or "the check process did not answer"))
    return w.isolated, w.isolation


class TimeLimit(Exception):
    """A query ran past the time limit (its worker was killed)."""


class Busy(Exception):
    """No worker became free in time."""


class _Worker:
    def __init__(self, store_path: str | None, writable: bool, allow_network: bool = False):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()  # a Unix socket pair, made here: the worker opens no socket itself
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, store_path, writable, allow_network),
            daemon=True,
            name="kg-serve-worker",
        )
        self.proc.start()
        child.close()
        hello: dict[str, Any] = {}
        try:
            if self.conn.poll(60):
                hello = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            hello = {}
        self.isolated = bool(hello.get("isolated"))
        self.isolation = str(hello.get("isolation", ""))
        if store_path is None:
            self.kill()
            return
        if not hello.get("ready"):
            self.kill()
            if hello:
                raise StoreError(_refusal(self.isolation))
            raise StoreError(f"a query worker could not open the store at {store_path}")

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class WorkerPool:
    """``size`` worker processes; :meth:`submit` runs a job on a free one within a deadline.

    A job still running at its deadline has its process killed (SIGKILL) and replaced in the
    background: pyoxigraph cannot interrupt a query (an ``ORDER BY`` or an aggregate computes
    everything before its first row), so a process is the unit that can be stopped.
    """

    def __init__(
        self, store_path: str | Path, size: int = 2, *, writable: bool = False, allow_network: bool = False
    ):
        self.store_path, self.size, self.writable = str(store_path), size, writable
        self.allow_network = allow_network
        #: whether every worker started so far denies itself the network (checked, not assumed)
        self.network_isolated = False
        #: how, or why not: one line for the log and the service description
        self.isolation = "not started"
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self._replacing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start the processes (blocking; call before serving)."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            w = self._spawn()
            self._workers.append(w)
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        w = _Worker(self.store_path, self.writable, self.allow_network)
        first = self.isolation == "not started"
        self.network_isolated = w.isolated and (first or self.network_isolated)
        self.isolation = w.isolation if first or not w.isolated else self.isolation
        if not w.isolated and first:
            log.warning(
                "UNSAFE: --unsafe-allow-network: the query workers can open network connections (%s)",
                w.isolation,
            )
        return w

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            for w in self._workers:
                w.kill()
            self._workers.clear()

    async def _replace(self, dead: _Worker) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, dead.kill)
        with self._lock:
            if dead in self._workers:
                self._workers.remove(dead)
        w = await loop.run_in_executor(None, self._spawn)
        with self._lock:
            self._workers.append(w)
        if self._idle is not None:
            self._idle.put_nowait(w)

    async def submit(self, job: dict[str, Any], timeout_s: float) -> tuple[int, str, bytes, dict[str, str]]:
        """Run *job* on a free worker: wait at most *timeout_s* for one, then at most *timeout_s* for the reply.

        Raises
        ------
        Busy
            When no worker became free in time.
        TimeLimit
            When the job ran past *timeout_s* (its worker is killed and replaced).
        """
        if self._idle is None:
            raise RuntimeError("WorkerPool.start() was not called")
        try:
            w = await asyncio.wait_for(self._idle.get(), timeout_s)
        except TimeoutError:
            raise Busy() from None
        loop = asyncio.get_running_loop()
        ok = False
        try:
            w.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            ready = loop.create_future()
            fd = w.conn.fileno()

            def wake() -> None:
                if not ready.done():
                    ready.set_result(None)

            loop.add_reader(fd, wake)
            try:
                await asyncio.wait_for(ready, timeout_s)
            except TimeoutError:
                raise TimeLimit() from None
            finally:
                loop.remove_reader(fd)
            reply = pickle.loads(w.conn.recv_bytes())
            ok = True
            return reply
        finally:
            if ok:
                self._idle.put_nowait(w)
            else:  # timed out, cancelled or crashed: the worker's state is unknown, replace it
                task = asyncio.ensure_future(self._replace(w))
                self._replacing.add(task)
                task.add_done_callback(self._replacing.discard)
