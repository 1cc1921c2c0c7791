"""Who runs next: the query workers shared fairly between clients, short queries never behind long ones.

:class:`WorkerPool` holds ``workers`` worker processes (:mod:`kg.serve.workers`) and puts each query
through four rules, all named settings (:class:`kg.serve.settings.Settings`):

- **Per client** (a client is the request's remote address): at most ``per_client_running`` queries
  running and ``per_client_queued`` waiting; one more is refused at once (:class:`Busy`, 503 with
  ``Retry-After``). Waiting clients are served in turn, not first come first served, so a client that
  sends many queries does not push the others back: the client served least recently goes first. A worker
  replaced because of a client's query (time limit, memory cap, hang-up) keeps that client's place until the
  new one is ready, so hanging up on heavy queries cannot keep every worker restarting.
- **A short queue**: a query waits at most ``queue_wait_ms`` for a worker, then :class:`Busy`; its
  ``Retry-After`` is when a place will free up at the latest (the time limit of the oldest query running).
- **Two lanes, by what a query does rather than by its text**: every query starts as *short*, on any free
  worker. Once it has used ``short_query_ms`` of CPU time (or 4 times that much wall time, for a query that
  waits on the disk), it is *long*, and at most ``workers - reserved_workers`` long queries run at once:
  the reserved workers are always free for short queries, so an ``ASK {}`` does not wait behind two
  heavy ``COUNT``\\ s; long queries also run at a lower CPU priority (``nice`` + 10). A query that turns
  long when every long place is taken is stopped (its worker killed and replaced) and queued again as
  long, to start over when a place frees. Texts that turned
  long are remembered (the last 1,024), so the same heavy query queues as long next time at once
  instead of taking a reserved worker for its first ``short_query_ms``.
- **Stopped when it must be**: past ``time_limit_ms`` (:class:`TimeLimit`), past the worker's memory cap
  (:class:`MemoryLimit`), or when the coroutine is cancelled (the app cancels it when the client
  disconnects): its worker is killed and replaced; a query still waiting just leaves the queue.

Why not classify queries by their text (``ORDER BY``, aggregates, ``LIMIT``)? Shape does not tell cost:
``SELECT (COUNT(*) AS ?n) WHERE { <x> ?p ?o }`` is instant and ``ASK { ?a ?b ?c . ?d ?e ?f FILTER(false) }``
is a cross product. Measuring costs a query at most ``short_query_ms`` on a reserved worker, and a
misjudged query is still answered.

Everything here runs on the server's event loop: no lock, no thread, except the blocking start and
kill of a process, done in the loop's executor.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.serve.settings import Settings
from kg.serve.workers import Worker, WorkerDied

__all__ = ["Busy", "EngineFailure", "MemoryLimit", "TimeLimit", "WorkerPool"]

log = logging.getLogger("kg.serve.pool")

Reply = tuple[int, str, bytes, dict[str, str]]
#: how many texts of long queries are remembered
REMEMBERED = 1024


class TimeLimit(Exception):
    """A query ran past the time limit (its worker was killed and replaced)."""


class MemoryLimit(Exception):
    """A query needed more memory than a worker may take (the worker died and was replaced)."""


class EngineFailure(Exception):
    """The worker running a query exited unexpectedly (it was replaced)."""


class Busy(Exception):
    """No worker for this query now; ``retry_after`` is when a place should be free, in seconds.

    ``reason``: ``"client"`` (the client already has as many queries running and waiting as it may: refused
    at once), ``"own"`` (it waited ``queue_wait_ms`` behind the client's own running queries) or ``"queue"``
    (it waited ``queue_wait_ms`` and no worker became free).
    """

    def __init__(self, retry_after: int, reason: str):
        super().__init__(f"busy ({reason}): retry after {retry_after} s")
        self.retry_after, self.reason = retry_after, reason


@dataclass(eq=False)
class _Ticket:
    job: dict[str, Any]
    client: str
    key: str
    long: bool
    granted: asyncio.Future[Worker] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    worker: Worker | None = None
    started: float = 0.0
    queued_at: float = field(default_factory=time.monotonic)


def _key(job: dict[str, Any]) -> str:
    what = repr((job.get("kind"), job.get("text"), job.get("default_graphs"), job.get("named_graphs")))
    return hashlib.blake2b(what.encode(), digest_size=16).hexdigest()


class WorkerPool:
    """``settings.workers`` worker processes on *store_path*, shared by the rules of this module.

    With *writable* (updates enabled) there is one worker and no reserve.
    """

    def __init__(self, store_path: str | Path, settings: Settings, *, writable: bool = False):
        self.store_path, self.writable, self.settings = str(store_path), writable, settings
        self.size = 1 if writable else settings.workers
        self.reserved = 0 if writable else settings.reserved
        self.memory_mb = settings.worker_memory_mb
        #: whether every worker started so far denies itself the network (checked, not assumed)
        self.network_isolated = False
        #: how, or why not: one line for the log and the service description
        self.isolation = "not started"
        self._workers: list[Worker] = []
        self._idle: list[Worker] = []
        self._queues: dict[str, deque[_Ticket]] = {}  # waiting clients (in order of arrival) -> their queries
        self._served: dict[str, int] = {}  # client -> when it was last given a worker (a turn number)
        self._turn = 0
        self._inflight: dict[str, int] = {}  # client -> queries waiting or running
        self._running: dict[str, int] = {}  # client -> queries running
        self._active: set[_Ticket] = set()
        self._long = 0
        self._long_texts: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._stale: set[int] = set()  # busy workers to replace once their query ends (reopen)

    # -- processes ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the processes (blocking; call before serving)."""
        for _ in range(self.size):
            w = self._spawn()
            self._workers.append(w)
            self._idle.append(w)

    def _spawn(self) -> Worker:
        w = Worker(
            self.store_path, self.writable, self.settings.unsafe_allow_network, self.memory_mb
        )  # StoreError when not isolated (and not allowed) or when the store cannot be opened
        first = self.isolation == "not started"
        self.network_isolated = w.isolated and (first or self.network_isolated)
        self.isolation = w.isolation if first or not w.isolated else self.isolation
        if not w.isolated and first:
            log.warning(
                "UNSAFE: --unsafe-allow-network: the query workers can open network connections (%s)",
                w.isolation,
            )
        return w

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.pid for w in self._workers]

    def stats(self) -> dict[str, int]:
        """Counts for logs and tests: live workers, idle ones, queries running (long ones among them), waiting."""
        return {
            "workers": len(self._workers),
            "idle": len(self._idle),
            "running": len(self._active),
            "long": self._long,
            "waiting": sum(len(q) for q in self._queues.values()),
        }

    def close(self) -> None:
        """Stop every worker process."""
        self._closed = True
        for w in self._workers:
            w.kill()
        self._workers.clear()
        self._idle.clear()

    def reopen(self) -> None:
        """Stop the idle workers and start new ones, which open the store as it is now (a read-only handle
        sees the store as it was when opened): what ``kg atelier`` calls after an import or an undo. Busy
        workers are replaced when their query ends (they finish it on the store as it was)."""
        for w in list(self._idle):
            w.kill()
            self._idle.remove(w)
            self._workers.remove(w)
            fresh = self._spawn()
            self._workers.append(fresh)
            self._idle.append(fresh)
        self._stale = {w.pid for w in self._workers if w not in self._idle}

    def _replace(self, dead: Worker, client: str) -> None:
        """Take *dead* out at once (it no longer counts as a place) and start another in the background.

        The replacement is charged to *client*, whose query left the worker in that state (killed at the
        time limit, past its memory cap, or when the client went away): its place stays taken until the new
        worker is ready, so a client that sends heavy queries and hangs up cannot keep every worker restarting.
        """
        if dead in self._workers:
            self._workers.remove(dead)
        if dead in self._idle:
            self._idle.remove(dead)
        task = asyncio.ensure_future(self._respawn(dead, client))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respawn(self, dead: Worker, client: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, dead.kill)
            delay = 0.5
            while not self._closed:
                try:
                    w = await loop.run_in_executor(None, self._spawn)
                except StoreError:
                    log.exception("a query worker could not be started; trying again in %.1f s", delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                if self._closed:
                    await loop.run_in_executor(None, w.kill)
                    return
                self._workers.append(w)
                self._idle.append(w)
                return
        finally:
            self._not_running(client)
            self._dispatch()

    def _not_running(self, client: str) -> None:
        self._running[client] -= 1
        if not self._running[client]:
            del self._running[client]

    # -- turns ----------------------------------------------------------------------------------------

    def _long_place_free(self) -> bool:
        return self._long < len(self._workers) - self.reserved

    def _dispatch(self) -> None:
        """Give idle workers to waiting queries: the client served least recently first, its queries in order."""
        while self._idle:
            chosen = None
            for client, queue in self._queues.items():
                if self._running.get(client, 0) >= self.settings.per_client_running:
                    continue
                if queue[0].long and not self._long_place_free():
                    continue
                if chosen is None or self._served.get(client, 0) < self._served.get(chosen, 0):
                    chosen = client
            if chosen is None:
                return
            queue = self._queues[chosen]
            t = queue.popleft()
            if not queue:
                del self._queues[chosen]
            self._turn += 1
            self._served[chosen] = self._turn
            self._grant(t, self._idle.pop())

    def _grant(self, t: _Ticket, w: Worker) -> None:
        t.worker, t.started = w, time.monotonic()
        self._running[t.client] = self._running.get(t.client, 0) + 1
        self._long += t.long
        if t.long and self.reserved:
            w.lower_priority(True)
        self._active.add(t)
        t.granted.set_result(w)

    def _release(self, t: _Ticket, healthy: bool) -> None:
        """The query of *t* no longer runs: free its place, and its worker (or replace it)."""
        w, t.worker = t.worker, None
        self._active.discard(t)
        self._long -= t.long
        if w is not None and w.pid in self._stale:
            self._stale.discard(w.pid)
            healthy = False  # it holds the store as it was before reopen(): replace it
        if w is not None and healthy and t.long and self.reserved and not w.lower_priority(False):
            healthy = False  # lowered for a long query, and this system does not let us raise it back
        if w is None or healthy:
            if w is not None:
                self._idle.append(w)
            self._not_running(t.client)
        else:
            self._replace(w, t.client)  # the client's place is freed once the new worker is ready
        self._dispatch()

    def _unqueue(self, t: _Ticket) -> None:
        queue = self._queues.get(t.client)
        if queue is not None and t in queue:
            queue.remove(t)
            if not queue:
                del self._queues[t.client]

    def _retry_after(self, running: list[_Ticket]) -> int:
        """Seconds until one of *running* is over at the latest (the time limit), at least 1."""
        limit = self.settings.time_limit_ms / 1000
        now = time.monotonic()
        left = (t.started + limit - now if t.long else 1 for t in running)  # a short one is over soon
        return max(1, math.ceil(min(left, default=1)))

    async def _wait_turn(self, t: _Ticket, front: bool) -> Worker:
        loop = asyncio.get_running_loop()
        t.granted = loop.create_future()
        self._queues.setdefault(t.client, deque())
        if front:
            self._queues[t.client].appendleft(t)
        else:
            self._queues[t.client].append(t)
        self._dispatch()
        try:
            await asyncio.wait({t.granted}, timeout=self.settings.queue_wait_ms / 1000)
        except asyncio.CancelledError:
            if t.granted.done() and not t.granted.cancelled():
                self._release(t, healthy=True)  # granted as the client left: the worker is untouched
            else:
                self._unqueue(t)
                t.granted.cancel()
            raise
        if not t.granted.done():
            self._unqueue(t)
            t.granted.cancel()
            if self._running.get(t.client, 0) >= self.settings.per_client_running:
                mine = [a for a in self._active if a.client == t.client]
                raise Busy(self._retry_after(mine), "own")
            raise Busy(self._retry_after([a for a in self._active if a.long] if t.long else []), "queue")
        return t.granted.result()

    # -- running one query ----------------------------------------------------------------------------

    async def run(self, job: dict[str, Any], client: str) -> Reply:
        """Run *job* for *client* under the rules of this module; return (status, media type, body, headers).

        Raises
        ------
        Busy
            When the client is over its limits, or no worker became free within ``queue_wait_ms``.
        TimeLimit
            When the query ran past ``time_limit_ms`` (its worker was killed and replaced).
        MemoryLimit
            When the query needed more than ``worker_memory_mb`` (its worker died and was replaced).
        EngineFailure
            When its worker exited for another reason (and was replaced).
        """
        if (
            self._inflight.get(client, 0)
            >= self.settings.per_client_running + self.settings.per_client_queued
        ):
            raise Busy(self._retry_after([a for a in self._active if a.client == client]), "client")
        key = _key(job)
        t = _Ticket(job, client, key, long=self.reserved == 0 or key in self._long_texts)
        self._inflight[client] = self._inflight.get(client, 0) + 1
        try:
            front = False
            while True:
                w = await self._wait_turn(t, front)
                reply = await self._execute(t, w)
                if reply is not None:
                    return reply
                front = True  # turned long with every long place taken: queued again, first of its client's
        finally:
            self._inflight[client] -= 1
            if not self._inflight[client]:
                del self._inflight[client]
                self._served.pop(client, None)  # nothing left: its next query is a new arrival

    def _remember_long(self, key: str) -> None:
        self._long_texts[key] = None
        self._long_texts.move_to_end(key)
        while len(self._long_texts) > REMEMBERED:
            self._long_texts.popitem(last=False)

    async def _execute(self, t: _Ticket, w: Worker) -> Reply | None:
        """Run *t* on *w*; None when it turned long with no long place free (it must queue again)."""
        limit = self.settings.time_limit_ms / 1000
        short = self.settings.short_query_ms / 1000
        try:
            w.send(t.job)
            cpu0 = w.cpu_seconds()
            while not t.long:
                elapsed = time.monotonic() - t.started
                cpu = w.cpu_seconds()
                used = elapsed if cpu is None or cpu0 is None else cpu - cpu0
                if used >= short or elapsed >= 4 * short:
                    self._remember_long(t.key)
                    if not self._long_place_free():
                        log.info("a query turned long with every long place taken: it queues again as long")
                        self._release(t, healthy=False)  # frees the short place it held
                        t.long = True
                        return None
                    t.long = True
                    self._long += 1
                    w.lower_priority(True)  # (a short query only ever runs where there is a reserve)
                    break
                if elapsed >= limit:
                    raise TimeLimit()
                got = await w.reply(max(0.01, min(short - used, 4 * short - elapsed, limit - elapsed)))
                if got is not None:
                    return self._done(t, got)
            got = await w.reply(limit - (time.monotonic() - t.started))
            if got is None:
                raise TimeLimit()
            return self._done(t, got)
        except WorkerDied as exc:
            if exc.memory:
                raise MemoryLimit() from None
            why = f": {exc.why}" if exc.why else ""
            raise EngineFailure(
                f"the query engine stopped on this query (exit status {exc.exitcode}){why}"
            ) from None
        finally:
            if t.worker is not None:  # timed out, failed or cancelled: its worker is killed and replaced
                self._release(t, healthy=False)

    def _done(self, t: _Ticket, got: tuple[Reply, bool]) -> Reply:
        reply, retire = got
        self._release(t, healthy=not retire)
        return reply
