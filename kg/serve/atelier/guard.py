"""Who may use the workspace, and what it accepts: host, token, CSRF, upload size, the policy of its views.

- **Host.** The workspace answers only requests whose ``Host`` is the address it listens on (or
  ``localhost`` for a loopback address): a page of another site that rebinds its own name to 127.0.0.1
  (DNS rebinding) gets 403.
- **Token.** On an address other than loopback, a token is required (:func:`check_listen`): the first visit
  opens ``/atelier/?jeton=TOKEN``, which sets an HttpOnly, SameSite=Strict cookie; every request without it
  gets 403.
- **CSRF.** Every page sets a random cookie (HttpOnly, SameSite=Strict, path ``/atelier``) and every form
  carries the same value in a hidden field; a POST is refused (403) when the two differ, when its
  ``Origin`` is another origin, or when the browser says it is cross-site (``Sec-Fetch-Site``).
- **Size.** A POST larger than :data:`kg.serve.atelier.uploads.MAX_UPLOAD_BYTES` gets 413 before its body
  is parsed.

>>> check_listen("127.0.0.1", None), check_listen("::1", None)
(None, None)
>>> check_listen("0.0.0.0", None)
Traceback (most recent call last):
...
kg.errors.StoreError: kg atelier on 0.0.0.0 needs a token: add --token (or KG_ATELIER_TOKEN=…); on 127.0.0.1 (the default) none is needed
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from kg.errors import StoreError

__all__ = ["CSRF_COOKIE", "LOOPBACK", "TOKEN_COOKIE", "Gate", "Guard", "check_listen", "view_csp"]

#: the addresses on which the workspace needs no token
LOOPBACK = ("127.0.0.1", "::1", "localhost")
CSRF_COOKIE = "kg_atelier_csrf"
TOKEN_COOKIE = "kg_atelier_jeton"


def check_listen(host: str, token: str | None) -> None:
    """Refuse to listen on an address other than loopback without a token.

    Raises
    ------
    StoreError
        Naming the address and the fix.
    """
    if host not in LOOPBACK and not token:
        raise StoreError(
            f"kg atelier on {host} needs a token: add --token (or KG_ATELIER_TOKEN=…); "
            "on 127.0.0.1 (the default) none is needed"
        )


class Guard:
    """The checks of one workspace server: host, token, CSRF (see the module's docstring)."""

    def __init__(self, host: str, port: int, token: str | None) -> None:
        names = {host, "localhost", "127.0.0.1", "[::1]"} if host in LOOPBACK else {host}
        self.hosts = {f"{n}:{port}" for n in names} | ({f"[{host}]:{port}"} if ":" in host else set())
        self.token = token

    def host_ok(self, request: Any) -> bool:
        """Whether the request's ``Host`` header names this server."""
        return request.headers.get("host", "").lower() in self.hosts

    def token_ok(self, request: Any) -> bool:
        """Whether the request carries the token (cookie), when one is needed."""
        if self.token is None:
            return True
        given = request.cookies.get(TOKEN_COOKIE, "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    def token_in_url(self, request: Any) -> bool:
        """Whether the URL carries the token (``?jeton=``): the first visit, which sets the cookie."""
        given = request.query_params.get("jeton", "")
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    @staticmethod
    def csrf_value(request: Any) -> str:
        """The CSRF value of this browser (its cookie), or a new one (set by :meth:`set_cookies`)."""
        value = request.cookies.get(CSRF_COOKIE, "")
        if len(value) == 43 and value.replace("-", "").replace("_", "").isalnum():
            return value
        if not hasattr(request.state, "new_csrf"):
            request.state.new_csrf = secrets.token_urlsafe(32)
        return str(request.state.new_csrf)

    def set_cookies(self, request: Any, response: Any) -> Any:
        """Set the CSRF cookie when the browser has none yet, and the token's after ``?jeton=``."""
        if getattr(request.state, "new_csrf", None):
            response.set_cookie(
                CSRF_COOKIE, request.state.new_csrf, httponly=True, samesite="strict", path="/atelier"
            )
        if self.token_in_url(request):
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict", path="/")
        return response

    @staticmethod
    def cross_site(request: Any) -> str | None:
        """Why a POST comes from another site (its ``Origin`` or ``Sec-Fetch-Site``), None when it does not."""
        from kg.serve.app import same_origin

        origin = request.headers.get("origin")
        if origin is not None and not same_origin(origin, request.url):
            return f"Origin {origin}"
        site = request.headers.get("sec-fetch-site")
        if site not in (None, "same-origin", "none"):
            return f"Sec-Fetch-Site {site}"
        return None

    @staticmethod
    def csrf_ok(request: Any, form_value: str | None) -> bool:
        """Whether the form's hidden field carries this browser's CSRF cookie."""
        cookie = request.cookies.get(CSRF_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie.encode(), (form_value or "").encode())


class Gate:
    """ASGI middleware: the host and token checks of *guard* in front of everything (the public face too)."""

    def __init__(self, app: Any, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.requests import Request
        from starlette.responses import Response

        if scope["type"] == "http":
            request = Request(scope)
            if not self.guard.host_ok(request):
                why = Response("unknown host: open the address kg atelier printed\n", status_code=403)
                await why(scope, receive, send)
                return
            if not self.guard.token_ok(request) and not self.guard.token_in_url(request):
                why = Response(
                    "jeton requis : ouvrez l'adresse que kg atelier a affichée (…/atelier/?jeton=…)\n"
                    "token required: open the address kg atelier printed (…/atelier/?jeton=…)\n",
                    status_code=403,
                    media_type="text/plain; charset=utf-8",
                )
                await why(scope, receive, send)
                return
        await self.app(scope, receive, send)


def view_csp(html: str) -> str:
    """The Content-Security-Policy of a view served by the workspace: its own inline scripts and styles
    allowed by their hashes (never ``'unsafe-inline'``), nothing fetched, framed by this server only.

    >>> p = view_csp("<script>go()</script><script type=\\"application/json\\">{}</script><style>a{}</style>")
    >>> "'unsafe-inline'" in p, p.count("'sha256-")
    (False, 2)
    """
    import base64
    import hashlib
    import re

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    scripts = dict.fromkeys(digest(s) for s in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL))
    styles = dict.fromkeys(digest(s) for s in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL))
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src", *scripts]) if scripts else "script-src 'none'",
            " ".join(["style-src", *styles]) if styles else "style-src 'none'",
            "img-src data:",
            "font-src 'none'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )
