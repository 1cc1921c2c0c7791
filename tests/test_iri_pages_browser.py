"""The IRI pages in a real Chromium, with imported names, descriptions and quotes full of script payloads.

A project of its own (tests/conftest.py ``data_env``) imports a CSV set whose every text is a payload that
counts its own executions in ``window.__x``; one quote and one document title carry payloads too, and one
actor a ``javascript:`` home page. Then ``kg serve`` runs on it and Chromium, the network blocked except
127.0.0.1, opens every page that shows them (with the CSP bypassed, so that escaping alone is tested, and
with it, as a visitor gets it). Screenshots of an actor's and a territory's page are kept for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.serve.headers import CONTENT_SECURITY_POLICY
from tests.conftest import server_output, stop
from tests.test_iri_pages import ID, local, start
from tests.view_browser import require_chromium

SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
COUNT = "window.__x=(window.__x||0)+1"
PAYLOADS = [
    f'<img src=x onerror="{COUNT}">',
    f'"><script>{COUNT}</script>',
    f"</script><script>{COUNT}</script>",
    f"<svg onload={COUNT}>",
    f'\'><iframe srcdoc="<script>parent.{COUNT}</script>">',
    f"{{{{7*7}}}}<style>*{{display:none}}</style><a href=javascript:{COUNT}>x</a>",
]


@pytest.fixture(scope="module")
def hostile(data_env, tmp_path_factory):
    """(origin, store) of ``kg serve`` on a project with a hostile import."""
    import pyoxigraph as ox

    from kg.store.imports import import_workbook

    data, store = data_env("hostile")
    tmp = tmp_path_factory.mktemp("hostile-csv")
    actors = tmp / "acteurs.csv"
    actors.write_text(
        "nom;type;description;commune;id\n"
        + "".join(
            f"Acteur {i} {p};Association;Description {p};94069;hostile-{i}\n" for i, p in enumerate(PAYLOADS)
        ),
        encoding="utf-8",
    )
    import_workbook(actors, data, store, name="hostile")
    fundings = tmp / "financements.csv"
    fundings.write_text(
        "financeur;bénéficiaire;montant en euros;début;objet;id\n"
        + "".join(
            f"Acteur {i} {p};Le RAMEAU;1000;2022;Objet {p};fin-hostile-{i}\n" for i, p in enumerate(PAYLOADS)
        ),
        encoding="utf-8",
    )
    import_workbook(fundings, data, store, name="hostile-fin")
    # a quote, a document title and a home page of hostile text, as a hand-edited store could hold
    s = ox.Store(str(store))
    g = ox.NamedNode("https://w3id.org/territorial-kg/graph/import/hostile")
    a = ox.NamedNode(ID + "actor/hostile-0")
    d = ox.NamedNode(ID + "actor/hostile-0/source/9")
    doc = ox.NamedNode(ID + "document/import-hostile")
    prov, tkg = "http://www.w3.org/ns/prov#", "https://w3id.org/territorial-kg/ontology#"
    for t in [
        (a, ox.NamedNode(prov + "qualifiedDerivation"), d),
        (d, ox.NamedNode(prov + "entity"), doc),
        (d, ox.NamedNode(tkg + "quote"), ox.Literal(" ".join(PAYLOADS), language="fr")),
        (doc, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("Titre " + PAYLOADS[1])),
        (a, ox.NamedNode("http://xmlns.com/foaf/0.1/homepage"), ox.NamedNode("javascript:window.__x=1")),
    ]:
        s.add(ox.Quad(*t, g))
    s.flush()
    del s
    proc, origin = start(store, "--data", str(data))
    yield origin
    stop(proc)
    assert "Traceback" not in server_output(proc)


def pages_to_visit() -> list[str]:
    return [
        *(f"/id/actor/hostile-{i}" for i in range(len(PAYLOADS))),
        *(f"/id/funding/fin-hostile-{i}" for i in range(len(PAYLOADS))),
        "/id/actor/hostile-0/source/9",
        "/id/document/import-hostile",
        "/id/actor/le-rameau",
        "/id/territory/commune/94069",
        "/vue/acteur/hostile-0",
        "/vue/territoire/commune/94069",
    ]


def test_the_hostile_texts_are_in_the_pages_as_text(hostile):
    page = httpx.get(hostile + "/id/actor/hostile-0", timeout=60)
    assert page.status_code == 200
    assert "Acteur 0 &lt;img src=x onerror=" in page.text and "<img src=x" not in page.text
    assert 'href="javascript:' not in page.text.lower()
    quote = httpx.get(hostile + "/id/actor/hostile-0/source/9", timeout=60).text
    assert "&lt;/script&gt;&lt;script&gt;" in quote
    # the RDF says it as it is (a Turtle string, not markup)
    ttl = httpx.get(hostile + "/id/actor/hostile-0", headers={"Accept": "text/turtle"}, timeout=60).text
    assert PAYLOADS[0].replace('"', '\\"') in ttl


def test_every_iri_page_sends_the_strict_csp(hostile):
    for path in pages_to_visit():
        r = httpx.get(hostile + path, timeout=120)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        script = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, path
        if path.startswith("/id/"):
            assert csp == CONTENT_SECURITY_POLICY, path
        else:  # a view: its own scripts by hash, nothing fetched
            assert "'sha256-" in script and "connect-src 'none'" in csp and "default-src 'none'" in csp
    missing = httpx.get(hostile + "/id/actor/" + "x" * 5, timeout=60)
    assert (
        missing.status_code == 404 and missing.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    )


def _visit(ctx: Any, origin: str, path: str, blocked: list[str]) -> tuple[int, list[str], Any]:
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def route(r: Any) -> None:
        if r.request.url.startswith(origin + "/"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(origin + path, wait_until="load", timeout=120_000)
    page.wait_for_timeout(800)
    runs = sum(int(f.evaluate("window.__x || 0")) for f in page.frames)
    return runs, dialogs, page


@pytest.mark.parametrize("bypass_csp", [True, False], ids=["escaping-alone", "with-csp"])
def test_no_script_of_the_data_runs_on_any_iri_page(hostile, bypass_csp):
    require_chromium()
    from playwright.sync_api import sync_playwright

    from tests.view_browser import ARGS, CHROMIUM

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
            for path in pages_to_visit():
                runs, dialogs, page = _visit(ctx, hostile, path, blocked)
                assert runs == 0 and not dialogs, (path, runs, dialogs)
                if path.startswith("/id/"):  # the page's own text really holds the payloads, as text
                    body = page.inner_text("body")
                    assert "onerror" in body or "<" in body or path.endswith("94069"), path
                page.close()
            # a link the page shows for the hostile actor's home page is never a javascript: link
            _, _, page = _visit(ctx, hostile, "/id/actor/hostile-0", blocked)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert hrefs and not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
        finally:
            browser.close()
    assert not blocked, blocked


def test_screenshots_of_an_actor_and_a_territory_page(hostile):
    """Kept in build/screenshots/ for a person to look at (the README and the review)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from tests.view_browser import ARGS, CHROMIUM

    SHOTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            for name, path in [
                ("iri-actor", "/id/actor/le-rameau"),
                ("iri-territory", "/id/territory/commune/94069"),
            ]:
                _, _, page = _visit(ctx, hostile, path, blocked)
                page.wait_for_timeout(2500)  # the embedded view draws
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                assert page.locator("h1").inner_text() in ("Le RAMEAU", "Saint-Maurice")
                assert page.locator("html").get_attribute("lang") == "fr"
        finally:
            browser.close()
    assert not blocked, blocked
    assert local(hostile, ID + "x").endswith("/id/x")
