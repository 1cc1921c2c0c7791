"""The query page and the browser-facing side of ``kg serve`` (issue 11, item 2): security headers on every
response, no inline script, CORS without credentials, no cross-origin update, and, in a real headless
Chromium, a page that never takes its endpoint from the URL and renders a hostile result as text."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import sys
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import free_port, server_output, start_server, stop

from kg.serve.app import CONTENT_SECURITY_POLICY, SECURITY_HEADERS, YASGUI_STYLE_HASHES
from tests.view_browser import CHROMIUM, require_chromium

ROOT = Path(__file__).resolve().parent.parent
YASGUI_JS = ROOT / "kg" / "serve" / "static" / "yasgui" / "yasgui.min.js"
HOSTILE_LANG = '<img src=x onerror="window.__pwned=1;alert(1)">'
HOSTILE_RESULTS = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "hostile", "xml:lang": HOSTILE_LANG}}]},
}
#: records every CSP violation the page reports (and echoes it to the console, where tests also look)
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
  console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
});
"""


def start(store: Path, *extra: str) -> tuple[Any, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(store), "--port", str(port), *extra]
    return start_server(cmd, url, "kg serve", cwd=ROOT), url


@pytest.fixture(scope="module")
def endpoint(built_store):
    proc, url = start(built_store)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc)


# --- the vendored YASGUI ------------------------------------------------------------------------------------

#: (upstream text, our text) of each edit listed in kg/serve/static/yasgui/PATCHES.md
PATCHES = [
    (
        'if(e[`xml:lang`])n=`"${n}"<sup>@${e[`xml:lang`]}</sup>`',
        'if(e[`xml:lang`])n=`"${n}"<sup>@${escape$1(e[`xml:lang`])}</sup>`',
    ),
    (":e==`endpoint`?n.requestConfig.endpoint=t:", ":e==`endpoint`?void 0:"),
    ("copyEndpointOnNewTab:!0,populateFromUrl:!0,", "copyEndpointOnNewTab:!0,populateFromUrl:!1,"),
]


@pytest.mark.parametrize("upstream,ours", PATCHES)
def test_vendored_yasgui_carries_the_security_patches(upstream, ours):
    js = YASGUI_JS.read_text(encoding="utf-8")
    assert js.count(ours) == 1 and upstream not in js


def test_csp_style_hashes_are_the_two_styles_yasgui_adds():
    """The column resizer of YASGUI's table adds two fixed <style> texts; the CSP allows exactly these."""
    js = YASGUI_JS.read_text(encoding="utf-8")
    resizer = re.findall(r"r\.createStyle\(a,`([^`$\\]*)`\)", js)
    default_cursor = re.search(r"dragCursor:`([^`]*)`", js)
    assert len(resizer) == 1 and default_cursor and "*{cursor:`+n.opt.dragCursor+`!important}" in js
    texts = [resizer[0], "*{cursor:" + default_cursor.group(1) + "!important}"]
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'" for t in texts
    ]
    assert hashes == list(YASGUI_STYLE_HASHES)
    style_src = next(d for d in CONTENT_SECURITY_POLICY.split("; ") if d.startswith("style-src"))
    assert style_src.split() == ["style-src", "'self'", *hashes]
    assert "unsafe" not in CONTENT_SECURITY_POLICY


# --- headers ------------------------------------------------------------------------------------------------


@pytest.mark.server
def test_every_response_carries_the_security_headers(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    responses = {
        "page": httpx.get(endpoint, headers={"Accept": "text/html"}),
        "service description": httpx.get(endpoint, headers={"Accept": "text/turtle"}),
        "answer": httpx.get(endpoint, params={"query": "ASK {}"}),
        "400": httpx.get(endpoint, params={"query": "ASK {"}),
        "403": httpx.post(endpoint, data={"update": "CLEAR ALL"}),
        "404": httpx.get(base + "/nothing-here"),
        "405": httpx.put(endpoint),
        "415": httpx.post(endpoint, content=b"ASK {}", headers={"Content-Type": "text/plain"}),
        "redirect": httpx.get(base + "/", follow_redirects=False),
        "script": httpx.get(base + "/static/query.js"),
        "style": httpx.get(base + "/static/query.css"),
        "yasgui": httpx.get(base + "/static/yasgui/yasgui.min.js"),
        "preflight": httpx.options(
            endpoint, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
        ),
    }
    for what, r in responses.items():
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (what, r.status_code, name, r.headers.get(name))
    assert "text/html" in responses["page"].headers["content-type"]
    assert "javascript" in responses["script"].headers["content-type"]


@pytest.mark.server
def test_csp_directives(endpoint):
    csp = httpx.get(endpoint, headers={"Accept": "text/html"}).headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


class _Inline(HTMLParser):
    """Collects what a strict CSP would block in a page: inline scripts, style elements and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in a:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            if a.get("src"):
                self.scripts.append(a["src"] or "")
            elif a.get("type") != "application/json":  # a data block, never run
                self.problems.append("inline <script>")
        if tag in ("a", "link", "img") and re.match(
            r"\s*javascript:", a.get("href") or a.get("src") or "", re.I
        ):
            self.problems.append(f"javascript: URL in <{tag}>")


@pytest.mark.server
def test_query_page_has_no_inline_script_or_style(endpoint):
    r = httpx.get(endpoint, headers={"Accept": "text/html"})
    parser = _Inline()
    parser.feed(r.text)
    assert parser.problems == []
    assert parser.scripts == ["static/yasgui/yasgui.min.js", "static/query.js"]


@pytest.mark.server
def test_ontology_page_style_is_allowed_by_its_hash(endpoint):
    r = httpx.get(endpoint.rsplit("/", 1)[0] + "/ontology")
    assert r.status_code == 200 and "<script" not in r.text
    csp = r.headers["content-security-policy"]
    for css in re.findall(r"<style>(.*?)</style>", r.text, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp and "connect-src 'self'" in csp


# --- CORS ---------------------------------------------------------------------------------------------------


@pytest.mark.server
def test_cors_lets_any_origin_query_but_never_with_credentials(endpoint):
    evil = {"Origin": "https://evil.example"}
    for r in (
        httpx.get(endpoint, params={"query": "ASK {}"}, headers={**evil, "Cookie": "session=1"}),
        httpx.post(endpoint, data={"query": "ASK {}"}, headers=evil),
        httpx.post(endpoint, content=b"ASK {}", headers={**evil, "Content-Type": "application/sparql-query"}),
    ):
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] in ("*", "https://evil.example")
        assert "access-control-allow-credentials" not in r.headers
    ok = httpx.options(
        endpoint,
        headers={
            **evil,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert ok.status_code == 200 and "access-control-allow-credentials" not in ok.headers
    # an update token travels in Authorization: a cross-origin page may not send it
    token = httpx.options(
        endpoint,
        headers={
            **evil,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert token.status_code >= 400
    assert "authorization" not in token.headers.get("access-control-allow-headers", "").lower()


@pytest.mark.server
def test_updates_from_another_origin_are_refused(built_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(built_store, copy)
    proc, url = start(copy, "--update-token", "s3cret")
    own = url.rsplit("/", 1)[0]
    auth = {"Authorization": "Bearer s3cret"}
    ask = "ASK { <http://example.org/a> <http://example.org/b> ?o }"

    def update(value: int, **headers: str) -> httpx.Response:
        triple = f"<http://example.org/a> <http://example.org/b> {value}"
        text = f"INSERT DATA {{ GRAPH <http://example.org/g> {{ {triple} }} }}"
        return httpx.post(url, data={"update": text}, headers={**auth, **headers})

    try:
        for origin in (
            "https://evil.example",
            "null",
            own.replace("127.0.0.1", "localhost"),
            "https://" + own[7:],
        ):
            r = update(1, Origin=origin)
            assert r.status_code == 403 and "origin" in r.text, (origin, r.text)
            direct = httpx.post(
                url,
                content=b"CLEAR ALL",
                headers={**auth, "Origin": origin, "Content-Type": "application/sparql-update"},
            )
            assert direct.status_code == 403
        assert (
            httpx.get(url, params={"query": ask}, headers={"Accept": "application/json"}).json()["boolean"]
            is False
        )
        assert update(2, Origin=own).status_code == 204  # this server's own page
        assert update(3).status_code == 204  # a program: no Origin
        got = httpx.get(
            url,
            params={
                "query": "SELECT ?o WHERE { <http://example.org/a> <http://example.org/b> ?o } ORDER BY ?o"
            },
            headers={"Accept": "application/json"},
        ).json()
        assert [b["o"]["value"] for b in got["results"]["bindings"]] == ["2", "3"]
    finally:
        stop(proc)


# --- in Chromium --------------------------------------------------------------------------------------------


class HostileEndpoint:
    """A SPARQL endpoint on 127.0.0.1 answering every request with a result whose language tag is a script;
    it records every request it gets (it must get none)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits
        body = json.dumps(HOSTILE_RESULTS).encode()

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_OPTIONS = answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Recorder:
    """What a page did: requests, console errors, page errors, dialogs."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)


def chromium(p: Any, **context: Any) -> Any:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    return browser, browser.new_context(**context)


@pytest.mark.browser
@pytest.mark.server
def test_endpoint_in_the_url_is_ignored_and_a_hostile_endpoint_never_reached(endpoint):
    """Issue 11: /sparql#endpoint=http://attacker/&query=… ran the query on load against the attacker, whose
    language tag then ran script in the endpoint's origin."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    hostile = HostileEndpoint()
    base = endpoint.rsplit("/", 1)[0] + "/"
    fragment = (
        f"#endpoint={quote(hostile.url, safe='')}&requestMethod=GET"
        f"&query={quote('SELECT * WHERE { ?s ?p ?o } LIMIT 1', safe='')}"
    )
    try:
        with sync_playwright() as p:
            browser, ctx = chromium(p)
            try:
                page = ctx.new_page()
                page.add_init_script(CSP_WATCH)
                rec = Recorder(page)
                response = page.goto(endpoint + fragment)
                assert response is not None
                headers = response.headers
                page.wait_for_selector(".yasqe", timeout=30_000)
                page.wait_for_timeout(1_000)  # the old page queried on load
                # the page's own query, against the page's own endpoint
                page.click(".tabPanel.active .yasqe_queryButton")
                page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=30_000)
                # a fragment set after load (YASQE listens to hashchange) is ignored too
                page.evaluate(f"location.hash = {json.dumps(fragment)}")
                page.wait_for_timeout(500)
                page.click(".tabPanel.active .yasqe_queryButton")
                page.wait_for_timeout(1_000)
                pwned = page.evaluate("window.__pwned")
                violations = page.evaluate("window.__csp")
            finally:
                browser.close()
    finally:
        hostile.close()
    assert hostile.hits == []
    assert [u for u in rec.requests if not u.startswith(base)] == []
    assert pwned is None and rec.dialogs == []
    assert violations == [] and rec.errors == []
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


@pytest.mark.browser
@pytest.mark.server
def test_hostile_language_tag_renders_as_text(endpoint):
    """The results table escapes a literal's language tag (our patch of YASGUI). The CSP is bypassed here, so
    that the escaping alone is tested: with the CSP, the onerror handler could not run anyway."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    def hostile_answer(route: Any) -> None:
        if route.request.method == "POST":
            route.fulfill(
                status=200, content_type="application/sparql-results+json", body=json.dumps(HOSTILE_RESULTS)
            )
        else:
            route.continue_()

    with sync_playwright() as p:
        browser, ctx = chromium(p, bypass_csp=True)
        try:
            page = ctx.new_page()
            rec = Recorder(page)
            page.route(endpoint, hostile_answer)  # this server's own endpoint answers with a hostile result
            page.goto(endpoint)
            page.wait_for_selector(".yasqe", timeout=30_000)
            page.click(".tabPanel.active .yasqe_queryButton")
            cell = page.locator(".tabPanel.active .yasr table tbody tr td .nonIri").first
            cell.wait_for(timeout=30_000)
            text = cell.inner_text()
            images = page.locator(".tabPanel.active .yasr img").count()
            page.wait_for_timeout(500)
            pwned = page.evaluate("window.__pwned")
        finally:
            browser.close()
    assert text == f'"hostile"@{HOSTILE_LANG}'
    assert images == 0 and pwned is None and rec.dialogs == []


@pytest.mark.browser
@pytest.mark.server
def test_query_page_works_under_its_csp(endpoint, graph):
    """The CSP breaks nothing: a named question runs, its table renders, a column can be resized (YASGUI's
    two hashed styles), and the page reports no CSP violation and no error."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from kg.serve.app import query_examples

    with sync_playwright() as p:
        browser, ctx = chromium(p)
        try:
            page = ctx.new_page()
            page.add_init_script(CSP_WATCH)
            rec = Recorder(page)
            page.goto(endpoint)
            page.wait_for_selector(".yasqe", timeout=30_000)
            page.get_by_role("button", name="actor-partners", exact=True).click()
            page.click(".tabPanel.active .yasqe_queryButton")
            page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=30_000)
            rows = page.locator(".tabPanel.active .yasr table tbody tr").count()
            grip = page.locator(".tabPanel.active .grip-handle .grip-resizable").first
            box = grip.bounding_box()
            if box:  # drag a column border: the resizer adds its cursor style while dragging
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 5)
                page.mouse.down()
                page.mouse.move(box["x"] + 60, box["y"] + 5, steps=5)
                page.mouse.up()
            page.wait_for_timeout(300)
            violations = page.evaluate("window.__csp")
        finally:
            browser.close()
    example = next(e for e in query_examples(graph) if e["name"] == "actor-partners")
    assert rows == len(graph.query(example["query"])) > 0
    assert box is not None
    assert violations == [] and rec.errors == []
    assert all(u.startswith(endpoint.rsplit("/", 1)[0] + "/") for u in rec.requests)
