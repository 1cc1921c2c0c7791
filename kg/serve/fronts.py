"""Front-end processes: more than one process answers the lookups of ``kg serve`` on its one port.

Why: past the fast path (:mod:`kg.serve.listen`), a lookup's time in the server process is pyoxigraph and the
socket's ``send``, on one core, while Oxigraph's own server answers on threads (``benchmarks/README.md``).
Lookups (:mod:`kg.serve.lookup`) need no worker and no state but a read-only store and the guard, so any
process can answer them; everything else needs the server process, whose pool keeps the per-client limits.

How (:func:`open_fronts`, called by :func:`kg.serve.app.serve` before anything opens the store or starts a
thread): *count* - 1 front-end processes are forked, each with one end of a Unix ``SOCK_SEQPACKET`` pair. A
front end names itself ``kg-serve-front``, dies with the server (``PR_SET_PDEATHSIG``), denies itself the
network (:func:`kg.serve.lookup.open_local_store`, as the server process does), and opens the store
read-only; one that cannot exits. The server process alone listens: it **deals** the connections it accepts,
in turn, to itself and to each front end (:meth:`Fronts.deal`: the connection's descriptor, ``SCM_RIGHTS``,
before anything is read from it), so the load is spread evenly whatever the clients' addresses and ports.
A front end answers the plain GETs of lookups of its connections itself. **Every other request is not run
there:** the front end passes the connection back (its descriptor, with the bytes received since that
request began) to the server process, which takes it over for good. The server's pool thus sees the client's
real address, and every property of the endpoint (the guard, per-client limits, the queue, the time limit,
the memory cap, hang-ups, updates, CORS, the pages) is the server process's, as with one process. Not with
an update token (the store may change; one process then answers everything).
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
from typing import Any

__all__ = ["FRONT_NAME", "Fronts", "listen_to", "open_fronts"]

log = logging.getLogger("kg.serve.fronts")

#: the name front ends take (``/proc/<pid>/comm``), at most 15 bytes
FRONT_NAME = "kg-serve-front"
#: bytes of a request in one message of the hand-off (the first message carries the descriptor)
MESSAGE = 60_000
_LENGTH = struct.Struct("!I")  # heads the first message: how many bytes of the request follow in all
_PR_SET_NAME, _PR_SET_PDEATHSIG = 15, 1


class Fronts:
    """The front-end processes of a server: their ids and the server's ends of their channels."""

    def __init__(self, pids: list[int], channels: list[Any]) -> None:
        self.pids, self.channels = pids, channels
        self._adopting: set[Any] = set()
        self._turn = 0

    def adopt_from(self, server: Any) -> None:
        """Take over, in the running uvicorn *server*, the connections the front ends pass back."""
        listen_to(self.channels, server, self._adopting)

    def deal(self, transport: Any) -> bool:
        """Whether the connection just accepted on *transport* was dealt to a front end (in turn with the
        server itself, which keeps every *n*-th); False: the server keeps it (its turn, or no front end could
        take it). Before anything is read from it: the front end reads the request."""
        import socket

        self._turn = (self._turn + 1) % (len(self.channels) + 1)
        if self._turn == 0:
            return False
        chan = self.channels[self._turn - 1]
        try:
            socket.send_fds(chan, [_LENGTH.pack(0)], [transport.get_extra_info("socket").fileno()])
        except OSError:  # that front end is gone, or its channel full: the server keeps the connection
            return False
        transport.abort()  # closes this process's descriptor only: the front end holds the connection now
        return True

    def stop(self) -> None:
        """Stop the front ends (SIGTERM, then SIGKILL past 5 s) and wait for them; once."""
        import signal
        import time

        pids, self.pids = self.pids, []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for pid in pids:
            while True:
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)


def listen_to(channels: list[Any], server: Any, adopting: set[Any]) -> None:
    """Take over, in the running uvicorn *server*, the connections passed on *channels*."""
    import asyncio

    loop = asyncio.get_running_loop()
    for chan in channels:
        chan.setblocking(False)
        loop.add_reader(chan.fileno(), _receive, loop, chan, server, adopting)


def _receive(loop: Any, chan: Any, server: Any, adopting: set[Any]) -> None:
    """One connection passed on *chan*: its descriptor, then the bytes of its request so far."""
    import socket

    try:
        first, fds, _, _ = socket.recv_fds(chan, _LENGTH.size + MESSAGE, 1)
    except BlockingIOError:
        return
    except OSError:
        first, fds = b"", []
    if not first:  # the other end is gone
        loop.remove_reader(chan.fileno())
        return
    if not fds or len(first) < _LENGTH.size:
        return  # not the start of a hand-off (cannot happen: each is sent whole, in order)
    conn = socket.socket(fileno=fds[0])
    total, parts = _LENGTH.unpack_from(first)[0], [first[_LENGTH.size :]]
    got = len(parts[0])
    if got < total:
        try:
            chan.settimeout(5)  # the rest was sent at once, right behind
            while got < total:
                part = chan.recv(MESSAGE)
                if not part:
                    break
                parts.append(part)
                got += len(part)
        except OSError:
            pass
        finally:
            chan.setblocking(False)
    if got != total:
        log.warning("a connection was passed on without its request; closed")
        conn.close()
        return
    raw = b"".join(parts)
    task = loop.create_task(loop.connect_accepted_socket(lambda: _protocol(server, raw), conn))
    adopting.add(task)
    task.add_done_callback(adopting.discard)


def _protocol(server: Any, raw: bytes) -> Any:
    """uvicorn's protocol for a connection passed on, fed *raw* (the request so far) before it reads more."""
    config = server.config
    protocol = config.http_protocol_class(
        config=config, server_state=server.server_state, app_state=server.lifespan.state
    )
    protocol.keep = True  # the server's fast protocol: a connection passed back is not dealt again
    made = protocol.connection_made

    def connection_made(transport: Any) -> None:
        made(transport)
        if raw:
            protocol.data_received(raw)  # before the transport's first read (scheduled after this call)

    protocol.connection_made = connection_made
    return protocol


def open_fronts(
    store: Any, settings: Any, host: str, port: int, check: Any, *, count: int, log_level: str = "warning"
) -> tuple[Any, Fronts | None]:
    """The server's listening socket, and its *count* - 1 front ends (None when *count* ≤ 1).
    *check(query, graphs)* is the guard (:func:`kg.store.guard.check_query`).

    Raises
    ------
    StoreError
        When the address cannot be bound (:func:`kg.serve.listen.listen`).
    """
    import socket

    from kg.serve.listen import listen

    sock = listen(host, port, "kg serve")
    if count <= 1:
        return sock, None
    pids: list[int] = []
    channels: list[Any] = []
    for _ in range(count - 1):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the front end
            code = 0
            try:
                sock.close()
                ours.close()
                for chan in channels:
                    chan.close()
                _front(store, settings, theirs, check, parent, log_level)
            except (
                Exception
            ):  # logged; in every case (finally) a front end never returns into the server's code
                log.exception("a front end stopped")
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        pids.append(pid)
        channels.append(ours)
    return sock, Fronts(pids, channels)


def _front(store: Any, settings: Any, chan: Any, check: Any, parent: int, log_level: str) -> None:
    """A front end's life (in the forked process): isolate, open the store, take the connections dealt to
    it, answer their lookups, pass the rest on."""
    import ctypes
    import signal

    import uvicorn

    from kg.serve.listen import fast_protocol, uvicorn_config
    from kg.serve.lookup import lookup_answer, open_local_store

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_NAME, FRONT_NAME.encode(), 0, 0, 0)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # it holds nothing to save
    if os.getppid() != parent:  # the server died before the line above
        return
    local, why = open_local_store(store)
    if local is None:
        log.warning("front end %s not started: %s", os.getpid(), why)
        return
    graphs = sorted(g.value for g in local.named_graphs())  # a read-only store: they never change
    inspected: dict[str, Any] = {}

    def inspect(query: str) -> Any:
        """The guard's verdict, remembered for the texts it accepted (as the server process does)."""
        inspection = inspected.get(query)
        if inspection is None:
            inspection = check(query, graphs)
            inspected[query] = inspection
            if len(inspected) > 4096:
                del inspected[next(iter(inspected))]
        return inspection

    answer = lookup_answer(lambda: local, lambda: graphs, settings, inspect)

    async def nothing(scope: Any, receive: Any, send: Any) -> None:  # every other request is passed on
        raise RuntimeError("a front end runs no application")

    config = uvicorn_config(
        nothing, log_level, fast_protocol(answer, _handoff(chan)), lifespan="off", ws="none"
    )
    adopting: set[Any] = set()

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            listen_to([chan], self, adopting)  # the connections the server deals to this front end

    Server(config).run(sockets=[])


def _handoff(chan: Any) -> Any:
    """``handoff(transport, raw)``: pass the connection of *transport* and *raw* on to the server process,
    once what was written to it has been sent (the answers it had already got stay in order)."""
    import asyncio
    import socket

    def handoff(transport: Any, raw: bytes) -> None:
        loop = asyncio.get_running_loop()
        transport.pause_reading()

        def attempt(tries: int) -> None:
            if transport.is_closing():
                return
            if transport.get_write_buffer_size():
                if tries < 10_000:  # the client reads its earlier answers slowly: wait, up to ~10 s
                    loop.call_later(0.001, attempt, tries + 1)
                else:
                    transport.abort()
                return
            fd = transport.get_extra_info("socket").fileno()
            try:
                socket.send_fds(chan, [_LENGTH.pack(len(raw)) + raw[:MESSAGE]], [fd])
                for i in range(MESSAGE, len(raw), MESSAGE):
                    chan.send(raw[i : i + MESSAGE])
            except OSError as exc:
                log.warning("could not pass a connection on to the server process: %s", exc)
            transport.abort()  # closes this process's descriptor only: the server holds the connection now

        attempt(0)

    return handoff
