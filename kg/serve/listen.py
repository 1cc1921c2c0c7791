"""The listening socket and the uvicorn run shared by ``kg serve`` and ``kg atelier``.

The socket is made before the app starts, so that the server process can deny itself the network
(``socket()`` of AF_INET refused; ``accept()`` still works) once it listens.

**The fast path.** An app whose ``state.fast_lookup`` is set (``kg serve`` answering lookups in its own
process, :mod:`kg.serve.lookup`) is run with :func:`fast_protocol`: uvicorn's httptools protocol, but a
*plain* GET of ``/sparql`` is offered to ``fast_lookup`` as soon as its headers are parsed, and when that
answers, the whole response (status line, headers, body) is written in one ``write``, without an asyncio
task, ASGI messages, Starlette or its middleware (about half of a lookup's time in the server process,
``benchmarks/README.md``). Plain means: HTTP/1.1 kept alive, no request in progress on the connection,
the client reading its answers (the transport not paused), the exact path ``/sparql``, and only the headers
of :data:`PLAIN_HEADERS` (no ``Origin``: CORS; no ``X-Forwarded-*``: the proxy headers; no body); anything
else, and any query ``fast_lookup`` declines, takes uvicorn's ordinary path, unchanged.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["PLAIN_HEADERS", "fast_protocol", "listen", "run", "uvicorn_config"]

#: the request headers a fast-path GET may carry (lower case); any other sends it down the full path
PLAIN_HEADERS = frozenset({b"host", b"accept", b"user-agent", b"accept-encoding", b"connection", b"te"})
#: a Host header the base IRI can be written from as it is (what Starlette's URL would give)
_HOST = re.compile(rb"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


def listen(host: str, port: int, command: str, *, backlog: int = 2048, lang: str = "en") -> Any:
    """A TCP socket bound to *host*:*port* and listening, not inherited by child processes.

    Raises
    ------
    StoreError
        When the address cannot be bound (the port is taken): the message names *command* and the fix,
        in *lang* (``"fr"`` or ``"en"``).
    """
    import socket

    from kg.errors import StoreError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio then sets TCP_NODELAY on each accepted connection (headers and body are two
    # writes; with Nagle's algorithm the body would wait for the client's delayed ACK, 40 ms)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if lang == "fr":
            raise StoreError(
                f"{command} ne peut pas écouter sur {host}:{port} ({exc}) : choisissez un autre --port"
            ) from None
        raise StoreError(f"{command} cannot listen on {host}:{port}: {exc}; choose another --port") from None
    sock.listen(backlog)
    sock.set_inheritable(False)
    return sock


def _status_line(status: int) -> bytes:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


def fast_protocol(answer: Any, handoff: Any = None, deal: Any = None) -> type:
    """uvicorn's httptools protocol with the fast path (see the module) through *answer*.

    ``answer(query_string: bytes, accept: str | None, base_iri: str)`` returns ``(status, media type, body,
    headers)`` for a request it answers at once, or None (the request then takes the full path).

    With *handoff* (a front-end process of :mod:`kg.serve.fronts`, which has no app behind it), a request
    the fast path does not answer is not run here: ``handoff(transport, raw)`` passes the connection on, with
    *raw*, every byte received since that request began. The bytes of each request answered here are cut at
    the end of its headers (a fast-path GET has no body), and one whose end cannot be told for sure is passed
    on rather than answered.

    With *deal* (the server process of :mod:`kg.serve.fronts`), ``deal(transport)`` is asked first about each
    connection accepted; when it says True, the connection was given to a front end, and is no more this one's.
    """
    import asyncio
    from types import SimpleNamespace

    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    status_lines: dict[int, bytes] = {}

    class FastProtocol(HttpToolsProtocol):
        _raw = b""  # with handoff: the bytes of the request in progress, and of any after it
        _gone = False  # with handoff: the connection was passed on
        _dealt = False  # with deal: the connection was given to a front end before anything was read
        keep = False  # a connection passed back by a front end: never dealt again

        def connection_made(self, transport: Any) -> None:
            if deal is not None and not self.keep and deal(transport):
                self._dealt = True
            else:
                super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if not self._dealt:
                super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if handoff is None:
                super().data_received(data)
            elif not self._gone:
                self._raw += data
                super().data_received(data)

        def on_headers_complete(self) -> None:
            if self._gone or self._fast():
                return
            if handoff is None:
                super().on_headers_complete()
                return
            self._gone = True
            self.cycle = done  # type: ignore[assignment]
            raw, self._raw = self._raw, b""
            handoff(self.transport, raw)

        def _fast(self) -> bool:
            parser = self.parser
            cycle = self.cycle
            if (
                (cycle is not None and not cycle.response_complete)
                or self.pipeline
                or self.flow.write_paused
                or self.limit_concurrency is not None
                or parser.get_method() != b"GET"
                or parser.get_http_version() != "1.1"
                or not parser.should_keep_alive()
                or parser.should_upgrade()
                or self.root_path
            ):
                return False
            path, _, query_string = self.url.partition(b"?")
            if path != b"/sparql" or b"#" in query_string:
                return False
            host = accept = None
            for name, value in self.headers:
                if name not in PLAIN_HEADERS:
                    return False
                if name == b"host" and host is None:
                    host = value
                elif name == b"accept" and accept is None:
                    accept = value
            if host is not None and _HOST.fullmatch(host) is None:
                return False
            end = 0
            if handoff is not None:  # where this request's bytes end: its headers, ended by CRLF, no bare LF
                end = self._raw.find(b"\r\n\r\n") + 4
                head = self._raw[:end]
                if (
                    end < 4
                    or not head.startswith(b"GET /sparql?")
                    or head.count(b"\n") != head.count(b"\r\n")
                ):
                    return False
            if host is None:  # as Starlette's URL writes it from the socket's address
                server_host, port = self.server or ("", 0)
                default = {"http": 80, "https": 443}.get(str(self.scheme))
                authority = server_host if port == default else f"{server_host}:{port}"
            else:
                authority = host.decode("ascii")
            base_iri = f"{self.scheme}://{authority}/sparql"
            try:
                reply = answer(query_string, None if accept is None else accept.decode("latin-1"), base_iri)
            except Exception:  # the full path answers it, and logs what goes wrong there
                self.logger.exception("the fast path failed; the request takes the full path")
                reply = None
            if reply is None:
                return False
            status, media, body, headers = reply
            line = status_lines.get(status)
            if line is None:
                line = status_lines[status] = _status_line(status)
            out = [line]
            for name, value in self.server_state.default_headers:  # date, server
                out += [name, b": ", value, b"\r\n"]
            if media.startswith("text/") and "charset=" not in media:
                media += "; charset=utf-8"
            out.append(f"content-length: {len(body)}\r\ncontent-type: {media}\r\n".encode("latin-1"))
            out += [f"{name}: {value}\r\n".encode("latin-1") for name, value in headers.items()]
            out += [b"\r\n", body]
            # on_body, on_message_complete and connection_lost then see a finished exchange
            self.cycle = done  # type: ignore[assignment]
            if end:
                self._raw = self._raw[end:]
            self.transport.write(b"".join(out))
            self.on_response_complete()  # counts it, arms the keep-alive timeout
            return True

    done = SimpleNamespace(
        response_complete=True, keep_alive=True, disconnected=False, message_event=asyncio.Event()
    )
    return FastProtocol


def uvicorn_config(app: Any, log_level: str, http: Any, **extra: Any) -> Any:
    """The one uvicorn configuration of the server process and its front ends: no access log, asyncio's own
    loop, and no proxy headers (a client is its address: ``X-Forwarded-For`` cannot borrow another client's
    limits)."""
    import uvicorn

    # asyncio's own loop, even where uvloop is installed: uvloop makes the workers' pipes non-blocking when it
    # watches them (add_reader), and a large reply then fails half read
    return uvicorn.Config(
        app, log_level=log_level, access_log=False, proxy_headers=False, loop="asyncio", http=http, **extra
    )


def run(app: Any, sock: Any, log_level: str = "warning", fronts: Any = None) -> None:
    """Serve *app* on the listening *sock* until interrupted (blocking); with the fast path when the app has
    a ``state.fast_lookup`` (see the module). *fronts* (:class:`kg.serve.fronts.Fronts`): front-end processes
    on the same port, whose connections this process takes over when they pass them on; stopped at the end.
    """
    import uvicorn

    answer = getattr(getattr(app, "state", None), "fast_lookup", None)
    config = uvicorn_config(
        app,
        log_level,
        fast_protocol(answer, deal=None if fronts is None else fronts.deal)
        if answer is not None
        else "httptools",
    )

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if fronts is not None and not self.should_exit:
                fronts.adopt_from(self)

        async def shutdown(self, sockets: Any = None) -> None:
            if fronts is not None:  # here: uvicorn ends by raising the signal it caught, past any finally
                fronts.stop()
            await super().shutdown(sockets)

    try:
        Server(config).run(sockets=[sock])
    finally:
        if fronts is not None:
            fronts.stop()  # a second time does nothing
