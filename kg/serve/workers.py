"""The query workers: processes that each hold a handle on the store, have no network, a memory cap, and can be killed.

pyoxigraph cannot interrupt a query, so a process is the unit that can be stopped: at the time limit,
when its client goes away, or when it runs past the memory cap. :mod:`kg.serve.pool` decides which
query runs on which worker; this module only starts, talks to and stops them.

Each worker, forked from a fork server that has already imported pyoxigraph (about 0.07 s to start,
against 0.6 s for a fresh interpreter, so that replacing a killed worker is cheap):

1. denies itself the network (:func:`kg.store.isolation.deny_network`, a seccomp filter) and checks
   that an ``AF_INET`` socket really cannot be opened;
2. caps its own memory (``RLIMIT_DATA``: the heap, the anonymous mappings and the thread stacks; a
   worker takes about 100 MB of it before its first query), so that an allocation past the cap fails:
   pyoxigraph then aborts the process, Python raises ``MemoryError`` (the worker exits with
   :data:`MEMORY_EXIT`), and the server reports "the query used more than N MB" and starts another;
3. opens the store, and tells the server (its first message) whether it is isolated and its pid.

:class:`Worker` refuses (:class:`StoreError`) a worker that is not isolated, unless
``allow_network=True`` (``kg serve --unsafe-allow-network``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
from typing import Any

from kg.errors import StoreError
from kg.serve.protocol import execute

__all__ = [
    "MEMORY_EXIT",
    "NO_NETWORK",
    "Worker",
    "WorkerDied",
    "check_isolation",
]

log = logging.getLogger("kg.serve.workers")

#: what the client reads when a query tried to reach the network from an isolated worker
NO_NETWORK = (
    "the query tried to open a network connection (SERVICE, LOAD or a remote document), and this "
    "endpoint's query workers have no network: the operating system refused it"
)
#: exit status of a worker whose query raised MemoryError (pyoxigraph itself aborts: SIGABRT)
MEMORY_EXIT = 3
#: the name the workers take (``/proc/<pid>/comm``, ``ps -o comm``), at most 15 bytes
WORKER_NAME = "kg-serve-worker"
_PR_SET_NAME, _PR_SET_PDEATHSIG = 15, 1


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


def _prepare(memory_mb: int | None) -> None:  # pragma: no cover - runs in a child
    """Name this process, die with its parent, cap its memory, and keep Rust's failure reports short."""
    import ctypes
    import resource

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_NAME, WORKER_NAME.encode(), 0, 0, 0)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the fork server, i.e. kg serve, is gone
    except (OSError, AttributeError):  # not Linux: names and parent-death signals are conveniences
        pass
    # the server reports an allocation failure itself; a 40-frame backtrace in its log helps nobody
    os.environ["RUST_BACKTRACE"] = "0"
    if memory_mb is not None:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def _say(conn: Any, message: dict[str, Any]) -> bool:  # pragma: no cover - runs in a child
    """Send *message* to the server; False when the server has gone (it stopped or gave up on us)."""
    try:
        conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        return False
    return True


def _worker_main(
    conn: Any,
    store_path: str | None,
    writable: bool,
    allow_network: bool = False,
    memory_mb: int | None = None,
    stderr: Any = None,
) -> None:  # pragma: no cover - runs in a child
    """Loop of a worker process: isolate, cap, report, then receive a pickled job and send back the pickled reply.

    The first message is ``{"isolated": bool, "isolation": str, "ready": bool, "pid": int}``; a worker
    that is not isolated (and not allowed the network) sends it with ``ready`` False and exits before
    it opens the store. With *store_path* None it only reports (the start-up check of ``kg serve``).
    Then each reply is ``{"reply": (status, media type, body, headers), "retire": bool}``; ``retire``
    asks the server to replace this worker (the query engine panicked: its state is unknown).
    """
    isolated, how = _isolate()
    ready = isolated or allow_network
    hello = {"isolated": isolated, "isolation": how, "ready": ready, "pid": os.getpid()}
    if not ready or store_path is None:
        _say(conn, hello)
        return
    if stderr is not None:  # read by the server: how it tells an allocation failure from another abort
        os.dup2(stderr.fileno(), 2)
        stderr.close()
    _prepare(memory_mb)
    import pyoxigraph as ox

    from kg.store.graph import read_only_store

    try:
        store = ox.Store(store_path) if writable else read_only_store(store_path)
    except MemoryError:
        os._exit(MEMORY_EXIT)
    if not _say(conn, hello):
        return
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        retire = False
        try:
            reply = execute(store, pickle.loads(data))
        except MemoryError:
            os._exit(MEMORY_EXIT)
        except Exception as exc:  # noqa: BLE001 - reported to the client as a 500, never a traceback
            reply = (
                500,
                "text/plain; charset=utf-8",
                f"the query failed: {type(exc).__name__}: {exc}".encode(),
                {},
            )
        except BaseException as exc:  # pyo3's PanicException: the engine panicked (e.g. an ORDER BY's sort)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            retire = True
            reply = (500, "text/plain; charset=utf-8", f"the query engine failed: {exc}".encode(), {})
        if isolated and reply[0] >= 500 and b"(os error 1)" in reply[2]:
            reply = (403, reply[1], f"{NO_NETWORK} ({reply[2].decode(errors='replace')})".encode(), reply[3])
        try:
            said = _say(conn, {"reply": reply, "retire": retire})
        except MemoryError:
            os._exit(MEMORY_EXIT)
        if retire or not said:
            return


# ---------------------------------------------------------------------------------------------------
# the server's side


def _context() -> Any:
    """The multiprocessing context of the workers: a fork server that has imported pyoxigraph already."""
    import multiprocessing as mp

    try:
        ctx = mp.get_context("forkserver")
    except ValueError:  # pragma: no cover - platforms without fork (kg serve needs Linux for seccomp anyway)
        return mp.get_context("spawn")
    ctx.set_forkserver_preload(["kg.serve.workers", "pyoxigraph"])
    return ctx


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
    w = Worker(None, False, allow_network)
    if not w.isolated and not allow_network:
        raise StoreError(_refusal(w.isolation or "the check process did not answer"))
    return w.isolated, w.isolation


class WorkerDied(Exception):
    """A worker exited while it ran a query; ``memory`` is True when it ran past its memory cap.

    ``why`` is the last line the worker wrote before it died (a Rust panic's message), or "".
    """

    def __init__(self, memory: bool, exitcode: int | None, why: str = ""):
        super().__init__(f"worker exited with {exitcode}")
        self.memory, self.exitcode, self.why = memory, exitcode, why


class Worker:
    """One worker process and its end of the pipe (blocking start: call it in a thread from async code).

    Raises
    ------
    StoreError
        When the worker is not isolated (and not allowed the network), or cannot open the store.
    """

    def __init__(
        self,
        store_path: str | None,
        writable: bool,
        allow_network: bool = False,
        memory_mb: int | None = None,
    ):
        ctx = _context()
        self.conn, child = ctx.Pipe()  # a Unix socket pair, made here: the worker opens no socket itself
        self.stderr, child_stderr = ctx.Pipe(duplex=False)  # the worker's standard error, read by drain()
        self.memory_mb = memory_mb
        self.said = b""  # the end of what the worker wrote on its standard error
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, store_path, writable, allow_network, memory_mb, child_stderr),
            daemon=True,
            name=WORKER_NAME,
        )
        self.proc.start()
        child.close()
        child_stderr.close()
        os.set_blocking(self.stderr.fileno(), False)
        hello: dict[str, Any] = {}
        try:
            if self.conn.poll(60):
                hello = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            hello = {}
        self.isolated = bool(hello.get("isolated"))
        self.isolation = str(hello.get("isolation", ""))
        self.pid = int(hello.get("pid") or self.proc.pid or 0)
        self.nice: int | None = None
        if store_path is None:
            self.kill()
            return
        if not hello.get("ready"):
            self.kill()
            if hello:
                raise StoreError(_refusal(self.isolation))
            if self._ran_out_of_memory():
                raise StoreError(
                    f"a query worker could not open the store at {store_path} within worker_memory_mb="
                    f"{memory_mb} MB; raise --worker-memory-mb"
                )
            raise StoreError(f"a query worker could not open the store at {store_path}")

    def _ran_out_of_memory(self) -> bool:
        self.drain()
        code = self.proc.exitcode
        if self.memory_mb is None:
            return False
        # pyoxigraph (Rust) aborts on an allocation failure, and says so; a panic aborts too, saying otherwise
        return code == MEMORY_EXIT or (code == -signal.SIGABRT and b"memory allocation of" in self.said)

    def drain(self) -> None:
        """Read what the worker wrote on its standard error, pass it on to the log, keep its end."""
        try:
            while chunk := os.read(self.stderr.fileno(), 65536):
                self.said = (self.said + chunk)[-8192:]
                for line in chunk.decode(errors="replace").splitlines():
                    if line.strip():
                        log.warning("query worker %s: %s", self.pid, line)
        except (BlockingIOError, OSError, ValueError):
            pass

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the worker has used so far, from ``/proc``; None where there is none."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def lower_priority(self, lower: bool) -> bool:
        """Run the worker *lower* on the CPU (``nice`` + 10), or back at its own priority; False if refused.

        Raising a priority back needs a privilege most servers do not have: then the worker must be replaced.
        """
        try:
            if self.nice is None:
                self.nice = os.getpriority(os.PRIO_PROCESS, self.pid)
            os.setpriority(os.PRIO_PROCESS, self.pid, min(19, self.nice + 10) if lower else self.nice)
        except (OSError, AttributeError):
            return False
        return True

    def send(self, job: dict[str, Any]) -> None:
        self.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))

    async def reply(self, timeout_s: float) -> tuple[tuple[int, str, bytes, dict[str, str]], bool] | None:
        """The reply to the job sent, with whether to retire the worker; None if none came within *timeout_s*.

        Raises
        ------
        WorkerDied
            When the worker exited instead (``memory`` says whether it ran past its cap).
        """
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = self.conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(ready, max(timeout_s, 0.0))
        except TimeoutError:
            return None
        finally:
            loop.remove_reader(fd)
        try:
            message = pickle.loads(self.conn.recv_bytes())
            self.drain()  # often enough to keep the pipe from filling: a worker writes there only when it fails
        except (EOFError, OSError):
            await loop.run_in_executor(None, self.proc.join, 5)
            memory = self._ran_out_of_memory()
            lines = [x.strip() for x in self.said.decode(errors="replace").splitlines()]
            why = [x for x in lines if x and not x.startswith(("note:", "thread '"))]
            raise WorkerDied(memory, self.proc.exitcode, why[-1][:300] if why else "") from None
        return message["reply"], bool(message["retire"])

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()
            self.stderr.close()
