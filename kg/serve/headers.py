"""The headers of every response of ``kg serve``: a strict Content-Security-Policy, ``nosniff``, no referrer."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "YASGUI_STYLE_HASHES",
    "SecurityHeaders",
    "content_security_policy",
    "source_hash",
    "view_policy",
]

#: The two fixed ``<style>`` texts that YASGUI's results table (its column resizer) adds to the page: the
#: resizer's rules, and ``*{cursor:col-resize!important}`` while a column is dragged. Their hashes let
#: exactly these two in, with no ``'unsafe-inline'``; tests/test_query_page.py recomputes them from
#: yasgui.min.js, so a new YASGUI build cannot change them unnoticed.
YASGUI_STYLE_HASHES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)


def content_security_policy(page: str = "") -> str:
    """The Content-Security-Policy of every response, allowing *page*'s own inline ``<style>`` blocks by hash.

    The query page loads YASGUI and its own script and style from ``/static`` (no inline script; no
    inline style but YASGUI's two of :data:`YASGUI_STYLE_HASHES`), talks to this server only
    (``connect-src 'self'``: even a YASGUI tab pointed elsewhere cannot send a request), and cannot be
    framed by another site (nothing on it needs embedding; the views of ``kg view --embed`` are files).
    *page* is HTML this server generates itself (the ontology page keeps its style inline); its styles
    are allowed one by one by hash, never with ``'unsafe-inline'``, and no inline script ever is.

    >>> "'unsafe-inline'" in content_security_policy("<style>p{color:red}</style>")
    False
    >>> "'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y='" in content_security_policy("<style>p{}</style>")
    True
    """
    import re

    own = [source_hash(css) for css in re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)]
    return "; ".join(
        [
            "default-src 'self'",
            "connect-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *YASGUI_STYLE_HASHES, *dict.fromkeys(own)]),
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def source_hash(text: str) -> str:
    """The CSP source letting exactly the inline *text* in (``'sha256-…'``).

    >>> source_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def view_policy(page: str) -> str:
    """The CSP of an HTML view (:mod:`kg.present.view`) served by ``kg serve`` or ``kg atelier``.

    Its own inline scripts are let in one by one by hash, never with ``'unsafe-inline'``; inline styles
    are allowed, as in the view file's own policy (vis-network and the view's script set style attributes
    as they draw: tooltips, sizes); nothing is fetched, no form, framed by this server's pages only.

    >>> p = view_policy("<script>go()</script><script>go()</script><style>a{}</style>")
    >>> p.split("; ")[1] == "script-src " + source_hash("go()"), "'unsafe-inline'" in p.split("; ")[1]
    (True, False)
    """
    import re

    scripts = dict.fromkeys(
        source_hash(s) for s in re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    )
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src", *scripts]) if scripts else "script-src 'none'",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src 'none'",
            "connect-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )


#: The policy of every response but the ontology page (which adds the hash of its own style).
CONTENT_SECURITY_POLICY = content_security_policy()
#: Headers added to every response (pages, answers, errors, static files, CORS preflights); a response
#: that sets its own Content-Security-Policy (the ontology page: :func:`content_security_policy`) keeps it.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response of *app*."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                from starlette.datastructures import MutableHeaders

                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
