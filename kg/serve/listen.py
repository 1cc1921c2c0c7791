"""The listening socket and the uvicorn run shared by ``kg serve`` and ``kg atelier``.

The socket is made before the app starts, so that the server process can deny itself the network
(``socket()`` of AF_INET refused; ``accept()`` still works) once it listens.
"""

from __future__ import annotations

from typing import Any

__all__ = ["listen", "run"]


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


def run(app: Any, sock: Any, log_level: str = "warning") -> None:
    """Serve *app* on the listening *sock* until interrupted (blocking)."""
    import uvicorn

    # asyncio's own loop, even where uvloop is installed: uvloop makes the workers' pipes non-blocking when it
    # watches them (add_reader), and a large reply then fails half read
    config = uvicorn.Config(app, log_level=log_level, access_log=False, loop="asyncio")
    uvicorn.Server(config).run(sockets=[sock])
