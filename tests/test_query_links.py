"""A link to ``/sparql?query=…`` opened in a browser shows the query page with that query loaded and run;
the same GET from a SPARQL client answers results, as the protocol says (content negotiation on ``Accept``,
with ``Vary: Accept``). In a real headless Chromium: an actor page's named questions open YASGUI with their
query and its results table, and a hostile query string is only text (no script of it runs)."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kg.serve.headers import CONTENT_SECURITY_POLICY
from tests.conftest import server_output, stop
from tests.test_iri_pages import start
from tests.test_query_page import CSP_WATCH, Recorder, chromium
from tests.view_browser import require_chromium

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SPARQLWRAPPER = "application/sparql-results+json,application/json,text/javascript,application/javascript"
RAMEAU = "https://w3id.org/territorial-kg/id/actor/le-rameau"
#: a lookup (answered in the server process, before the app) and a query that goes to a worker
LOOKUP = f"SELECT ?label WHERE {{ <{RAMEAU}> rdfs:label ?label }}"
WORKER = "SELECT (COUNT(*) AS ?n) WHERE { ?s a org:Organization }"
#: each payload, if it ran, would add one to window.__ran
RUN = "window.__ran=(window.__ran||0)+1"
HOSTILE = (
    f'# </script><script>{RUN}</script><img src=x onerror="{RUN}">\n'
    f'SELECT ?x WHERE {{ VALUES ?x {{ "<img src=x onerror=\'{RUN}\'>" "</script><script>{RUN}</script>" }} }}'
)


@pytest.fixture(scope="module")
def server(built_store):
    proc, origin = start(built_store)
    yield origin
    stop(proc)
    assert "Traceback" not in server_output(proc)


def _preloaded(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="preload-data">(.*?)</script>', page, re.S)
    assert found, page[:500]
    return json.loads(found.group(1))


def _questions(origin: str) -> list[tuple[str, str, str]]:
    """The named questions an actor page links to: (title, query, name)."""
    page = httpx.get(f"{origin}/id/actor/le-rameau", headers={"Accept": "text/html"}).text
    out = []
    for href, title, name in re.findall(
        r'<li><a href="(/sparql\?[^"]+)">([^<]+)</a> <span class="muted">\(([^)]+)\)', page
    ):
        query = parse_qs(urlsplit(html.unescape(href)).query)["query"][0]
        out.append((html.unescape(title), query, name))
    return out


# ------------------------------------------------------------------------------------------- HTTP


@pytest.mark.server
@pytest.mark.parametrize("query", [LOOKUP, WORKER])
def test_a_browser_gets_the_page_a_sparql_client_gets_results(server, query):
    url = f"{server}/sparql"
    page = httpx.get(url, params={"query": query}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert _preloaded(page.text) == {"query": query} and "Accept" in page.headers["vary"]
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for accept, media in [
        (SPARQLWRAPPER, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+xml,text/html;q=0.5", "application/sparql-results+xml"),
    ]:
        results = httpx.get(url, params={"query": query}, headers={"Accept": accept})
        assert results.status_code == 200 and results.headers["content-type"].startswith(media), accept
        assert "Accept" in results.headers["vary"], accept
    answer = httpx.get(url, params={"query": query}).json()["results"]["bindings"]  # httpx sends */*
    assert answer and ("label" in answer[0]) == (query == LOOKUP)


@pytest.mark.server
def test_the_page_without_a_query_preloads_nothing_and_a_hostile_query_stays_data(server):
    plain = httpx.get(f"{server}/sparql", headers={"Accept": BROWSER}).text
    assert _preloaded(plain) is None
    page = httpx.get(f"{server}/sparql", params={"query": HOSTILE}, headers={"Accept": BROWSER}).text
    assert _preloaded(page) == {"query": HOSTILE}
    assert "<img" not in page and page.count("<script") == page.count("</script>") == 4


# ------------------------------------------------------------------------------------------- Chromium


def _editor(page: Any) -> str:
    return page.evaluate("document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.getValue()")


@pytest.mark.browser
@pytest.mark.server
def test_an_actor_pages_questions_open_yasgui_with_their_query_and_results(server, graph):
    require_chromium()
    from playwright.sync_api import sync_playwright

    questions = [(t, q, n) for t, q, n in _questions(server) if len(graph.query(q)) > 0]
    assert len(questions) >= 2
    seen = []
    with sync_playwright() as p:
        browser, ctx = chromium(p, locale="fr-FR")  # the page's titles are French
        try:
            page = ctx.new_page()
            page.add_init_script(CSP_WATCH)
            rec = Recorder(page)
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            for title, _, _ in questions[:2]:
                page.goto(f"{server}/id/actor/le-rameau")
                page.get_by_role("link", name=title, exact=True).click()
                page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=60_000)
                rows = page.locator(".tabPanel.active .yasr table tbody tr")
                tab = page.locator(".tabsList .tab.active").inner_text().split("\n")[0].strip()  # then its ✖
                seen.append((_editor(page), rows.count(), rows.first.inner_text(), page.url, tab))
            violations = page.evaluate("window.__csp")
        finally:
            browser.close()
    for (title, query, name), (text, count, _, url, tab) in zip(questions, seen, strict=False):
        assert text == query and url.startswith(f"{server}/sparql?") and tab == name, (title, tab)
        assert count == len(graph.query(query)) > 0, title
    assert seen[0][0] != seen[1][0] and seen[0][2] != seen[1][2]  # two questions, two answers
    assert violations == [] and failed == [] and rec.errors == []
    assert all(u.startswith(server + "/") for u in rec.requests)


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.parametrize("bypass_csp", [False, True])
def test_a_hostile_query_string_is_text_in_the_editor_and_the_results(server, bypass_csp):
    """With the CSP bypassed, the escaping alone is tested: nothing of the query string may run."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, ctx = chromium(p, bypass_csp=bypass_csp)
        try:
            page = ctx.new_page()
            rec = Recorder(page)
            page.goto(f"{server}/sparql?" + httpx.QueryParams({"query": HOSTILE}).__str__())
            page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=60_000)
            text = _editor(page)
            cells = page.locator(".tabPanel.active .yasr table tbody td .nonIri").all_inner_texts()
            images = page.locator("img[src=x]").count()
            page.wait_for_timeout(500)
            ran = page.evaluate("window.__ran")
        finally:
            browser.close()
    assert text == HOSTILE
    values = re.findall(r'"([^"]+)"', HOSTILE.split("\n", 1)[1])  # the two literals, shown as they are
    assert len(values) == 2 and sorted(cells) == sorted(values)
    assert ran is None and images == 0 and rec.dialogs == []
