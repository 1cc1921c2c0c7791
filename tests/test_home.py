"""The public home page (``GET /`` of ``kg serve``, :mod:`kg.serve.home`): French first, what the server is,
a search box over names, other names and acronyms (:func:`kg.serve.search.search`, the workspace's own)
leading to the actors' pages, links to /sparql, /ontology and the territories; a hostile search text is text
(in Chromium, no script of it runs)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from kg.serve.headers import CONTENT_SECURITY_POLICY
from kg.serve.search import search
from tests.conftest import server_output, stop
from tests.test_iri_pages import start
from tests.test_query_page import Recorder, chromium
from tests.view_browser import require_chromium

RUN = "window.__ran=(window.__ran||0)+1"
HOSTILE = f'"><script>{RUN}</script><img src=x onerror="{RUN}">'


@pytest.fixture(scope="module")
def server(built_store):
    proc, origin = start(built_store)
    yield origin
    stop(proc)
    assert "Traceback" not in server_output(proc)


def _found(page: str) -> list[tuple[str, str]]:
    """The search results of a home page: (href, label)."""
    block = page.split('<ul class="results">', 1)[1].split("</ul>", 1)[0] if "results" in page else ""
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block)


@pytest.mark.server
def test_the_home_page_says_what_the_server_is_in_french_first(server):
    fr = httpx.get(f"{server}/")
    assert fr.status_code == 200 and fr.headers["content-type"].startswith("text/html")
    assert fr.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<html lang="fr">' in fr.text and "lecture seule" in fr.text and "Trouver un acteur" in fr.text
    for link in ('href="/sparql"', 'href="/ontology"', "/id/territory/intercommunalite/200057941"):
        assert link in fr.text, link
    assert "<script" not in fr.text  # nothing to run: a form and links
    en = httpx.get(f"{server}/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in en.text and "read-only" in en.text and "Find an actor" in en.text
    assert "lecture seule" not in en.text and "Vary" in en.headers and "Accept-Language" in en.headers["vary"]


@pytest.mark.server
@pytest.mark.parametrize(
    "text,first",
    [
        ("rameau", "/id/actor/le-rameau"),  # a name
        ("ESS Club", "/id/actor/club-ess"),  # another name
        ("businessclass", "/id/actor/reseau-businessclass"),  # part of a name, any case
    ],
)
def test_the_search_box_leads_to_the_actors_pages(server, graph, text, first):
    page = httpx.get(f"{server}/", params={"q": text}).text
    found = _found(page)
    assert found and found[0][0].endswith(first), found
    assert [label for _, label in found] == [r["label"] for r in search(graph, text)]
    assert found[0][0] == server + first  # a link under this server (or under kg serve --base)
    assert httpx.get(found[0][0], headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.server
def test_a_search_that_finds_nothing_says_so_and_a_hostile_text_is_escaped(server):
    none = httpx.get(f"{server}/", params={"q": "zzzz-aucun-acteur"}).text
    assert _found(none) == [] and "Aucun nom, autre nom ni sigle ne contient ce texte." in none
    hostile = httpx.get(f"{server}/", params={"q": HOSTILE}).text
    assert "<img" not in hostile and "<script>window" not in hostile
    assert "&lt;script&gt;" in hostile and hostile.count("<script") == 0


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.parametrize("bypass_csp", [False, True])
def test_search_from_the_home_page_in_chromium(server, bypass_csp):
    """A catalyst types a name, opens the actor's page; a hostile search text runs nothing (the escaping alone
    is tested with the CSP bypassed)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    shots: dict[str, Any] = {}
    with sync_playwright() as p:
        browser, ctx = chromium(p, bypass_csp=bypass_csp, locale="fr-FR")
        try:
            page = ctx.new_page()
            rec = Recorder(page)
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.goto(f"{server}/")
            page.get_by_label("Nom, autre nom ou sigle").fill("rameau")
            page.get_by_role("button", name="Chercher").click()
            page.get_by_role("link", name="Le RAMEAU", exact=True).click()
            page.wait_for_url(re.compile(r".*/id/actor/le-rameau$"))
            shots["title"] = page.locator("h1").inner_text()
            page.goto(f"{server}/")
            page.get_by_label("Nom, autre nom ou sigle").fill(HOSTILE)
            page.get_by_role("button", name="Chercher").click()
            page.wait_for_selector("[role=status]")
            shots["value"] = page.locator("#q").input_value()
            shots["images"] = page.locator("img[src=x]").count()
            page.wait_for_timeout(300)
            shots["ran"] = page.evaluate("window.__ran")
        finally:
            browser.close()
    assert shots["title"] == "Le RAMEAU"
    assert shots["value"] == HOSTILE and shots["images"] == 0 and shots["ran"] is None
    assert rec.dialogs == [] and rec.errors == [] and failed == []
