"""The query workers: processes that each hold a read-only handle on the store and can be killed.

pyoxigraph cannot interrupt a query, so a process is the unit that can be stopped at the time limit.
"""

from __future__ import annotations

import asyncio
import pickle
import threading
from pathlib import Path
from typing import Any

from kg.serve.protocol import execute

__all__ = ["Busy", "TimeLimit", "WorkerPool"]


def _worker_main(conn: Any, store_path: str, writable: bool) -> None:  # pragma: no cover - runs in a child
    """Loop of a worker process: receive a pickled job, send back the pickled reply."""
    import pyoxigraph as ox

    store = ox.Store(store_path) if writable else ox.Store.read_only(store_path)
    conn.send_bytes(b"ready")
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
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


# ---------------------------------------------------------------------------------------------------
# the worker pool (in the server process)


class TimeLimit(Exception):
    """A query ran past the time limit (its worker was killed)."""


class Busy(Exception):
    """No worker became free in time."""


class _Worker:
    def __init__(self, store_path: str, writable: bool):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(child, store_path, writable), daemon=True, name="kg-serve-worker"
        )
        self.proc.start()
        child.close()
        if not self.conn.poll(60) or self.conn.recv_bytes() != b"ready":
            self.kill()
            from kg.errors import StoreError

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

    def __init__(self, store_path: str | Path, size: int = 2, *, writable: bool = False):
        self.store_path, self.size, self.writable = str(store_path), size, writable
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self._replacing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start the processes (blocking; call before serving)."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            w = _Worker(self.store_path, self.writable)
            self._workers.append(w)
            self._idle.put_nowait(w)

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
        w = await loop.run_in_executor(None, _Worker, self.store_path, self.writable)
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
