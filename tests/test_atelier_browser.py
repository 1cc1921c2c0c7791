"""kg atelier in a real headless Chromium, the network blocked except 127.0.0.1: a catalyst's whole path
without a terminal, the public face without the workspace, a cross-site form refused, script payloads inert.

The browser enforces the pages' Content-Security-Policy here (no ``bypass_csp``), so the view embedded in
the Explore page runs under the policy the workspace sends with it. ``KG_SCREENSHOTS=1`` writes the
README's screenshot (``docs/img/atelier.png``) from the catalyst's path.
"""

from __future__ import annotations

import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import pytest
from atelier_server import MISTAKES, NEW_ACTOR, ROOT, SECOND_ACTOR, fill, start_atelier, start_public
from conftest import free_port, stop

from tests.view_browser import ARGS, CHROMIUM, open_page, require_chromium

#: every path of the workspace: each must 404 on a public kg serve
WORKSPACE_GETS = [
    "/atelier/",
    "/atelier/recherche?q=rameau",
    "/atelier/modele.xlsx",
    "/atelier/importer",
    "/atelier/imports",
    "/atelier/imports/mon-ecosysteme",
    "/atelier/explorer",
    "/atelier/vues/0123456789abcdef.html",
]
WORKSPACE_POSTS = [
    "/atelier/importer",
    "/atelier/importer/confirmer",
    "/atelier/imports/mon-ecosysteme/annuler",
]


@contextmanager
def chromium(
    width: int = 1280, height: int = 800, *, bypass_csp: bool = False
) -> Iterator[tuple[Any, dict[str, list[str]]]]:
    """A fresh headless Chromium that enforces CSP (unless *bypass_csp*: then escaping alone must keep
    payloads inert); every request not to 127.0.0.1 is aborted and recorded.

    Yields the context and what it saw: ``blocked`` requests, ``dialogs`` (alert, confirm), ``errors``."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[str]] = {"blocked": [], "dialogs": [], "errors": []}
    profile = tempfile.mkdtemp(prefix="kg-atelier-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=ARGS,
                viewport={"width": width, "height": height},
                accept_downloads=True,
                bypass_csp=bypass_csp,
            )

            def route(r: Any) -> None:
                url = r.request.url
                if url.startswith(("http://127.0.0.1:", "file://", "data:", "blob:")):
                    r.continue_()
                else:
                    seen["blocked"].append(url)
                    r.abort()

            ctx.route("**/*", route)

            def watch(page: Any) -> None:
                def dialog(d: Any) -> None:
                    seen["dialogs"].append(d.message)
                    d.dismiss()

                page.on("dialog", dialog)
                page.on("pageerror", lambda e: seen["errors"].append(str(e)))

            ctx.on("page", watch)
            try:
                yield ctx, seen
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def atelier(data_env):
    """kg atelier over a data folder of its own: (base URL, data folder, store)."""
    require_chromium()
    data, store = data_env("atelier")
    proc, base = start_atelier(data, store)
    try:
        yield base, data, store
    finally:
        stop(proc)


def submit(page: Any, button: Any) -> Any:
    """Click *button* (a locator) and wait for the page the server answers; returns its response."""
    with page.expect_navigation() as nav:
        button.click()
    return nav.value


def _actors(base: str) -> int:
    """How many actors the store holds, asked of the running server's SPARQL endpoint."""
    r = httpx.get(
        f"{base}/sparql",
        params={"query": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a org:Organization }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_catalyst_goes_the_whole_path_in_the_browser(atelier, tmp_path):
    base, data, _ = atelier
    actors_before = _actors(base)
    with chromium() as (ctx, seen):
        page = ctx.new_page()
        # 1. open the workspace and download the template
        page.goto(f"{base}/atelier/")
        assert page.locator("h1").inner_text() == "Atelier"
        with page.expect_download() as got:
            page.get_by_role("link", name="Télécharger le modèle (.xlsx)").click()
        template = tmp_path / "modele.xlsx"
        got.value.save_as(template)
        assert openpyxl.load_workbook(template).sheetnames[:3] == ["Lisez-moi", "Acteurs", "Relations"]

        # 2. upload a filled workbook with three mistakes: three located French messages, nothing written
        workbook = fill(template, tmp_path / "mon-ecosysteme.xlsx", mistakes=True)
        submit(page, page.get_by_role("link", name="Importer", exact=True))
        page.get_by_label("Votre structure (propriétaire de l'import)").fill("Atelier Solidaire")
        page.set_input_files("#file", workbook)
        submit(page, page.get_by_role("button", name="Vérifier"))
        rows = page.locator("tr.problem")
        assert rows.count() == 3
        located = set()
        for i in range(3):
            cells = rows.nth(i).locator("td").all_inner_texts()
            located.add((cells[1], int(cells[2]), cells[3]))
            assert cells[5], f"no fix for {cells}"
        assert located == MISTAKES
        text = page.locator("section.problems").inner_text()
        assert "a 8 chiffres ; un SIREN en a 9" in text
        assert (
            "« Asociation » n'est pas dans la liste" in text and "vouliez-vous dire « Association »" in text
        )
        assert "« Club Gravel Entreprendre »" in text and "« Club Gravelle Entreprendre »" in text
        assert not (data / "imports" / "mon-ecosysteme").exists()

        # 3. upload the corrected file, see the diff, confirm
        fill(template, workbook, mistakes=False)
        page.set_input_files("#file", workbook)
        submit(page, page.get_by_role("button", name="Vérifier"))
        assert "ajoutés : 6" in page.locator("p.totals").inner_text()
        added = page.locator("ul.changes.added").inner_text()
        assert NEW_ACTOR in added and SECOND_ACTOR in added and "Le RAMEAU" in added
        submit(page, page.get_by_role("button", name="Confirmer l'import"))
        assert "écrit" in page.get_by_role("status").inner_text()
        assert (data / "imports" / "mon-ecosysteme").is_dir()
        assert _actors(base) == actors_before + 2

        # 4. find the new actor with the search box, open its page, see its sources
        page.get_by_label("Chercher un acteur, un programme").fill("atelier solidaire")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        submit(page, page.get_by_role("link", name=NEW_ACTOR))
        page.wait_for_url("**/id/actor/atelier-solidaire-du-val")
        fiche = page.locator("main").inner_text()
        assert NEW_ACTOR in fiche
        assert "mon-ecosysteme.xlsx" in fiche  # its source: the workbook it came from

        # 5. a chain from it to Le RAMEAU, stepped through in story mode
        page.goto(f"{base}/atelier/explorer")
        page.get_by_label("De", exact=True).fill(NEW_ACTOR)
        page.get_by_label("Vers", exact=True).fill("Le RAMEAU")
        submit(page, page.get_by_role("button", name="Trouver les chaînes"))
        first = page.locator("article.chain").first
        assert f"1. {NEW_ACTOR} → Le RAMEAU" in first.locator("h3").inner_text()
        hop = first.locator("ol.hops li").first.inner_text()
        assert f"{NEW_ACTOR} est membre du RAMEAU" in hop  # its sentence, with its source (the workbook, row)
        assert "mon-ecosysteme.xlsx" in hop and "Feuille Relations, ligne 3" in hop
        view = page.frame_locator("#kg-view")
        counter = view.locator("#kg-story-counter")
        counter.wait_for(timeout=60_000)
        start = counter.inner_text()
        view.locator("#kg-story button.next").click()
        assert counter.inner_text() != start
        assert NEW_ACTOR in view.locator("#kg-story-sentence").inner_text()
        view.locator("#kg-story-title").click()
        page.keyboard.press("ArrowLeft")
        assert counter.inner_text() == start
        if os.environ.get("KG_SCREENSHOTS"):  # the README's picture: the Explore page, its top
            page.set_viewport_size({"width": 1280, "height": 1300})
            page.goto(f"{base}/atelier/explorer?de={quote(NEW_ACTOR)}&vers=Le+RAMEAU&k=1")
            page.frame_locator("#kg-view").locator("#kg-story button.next").click()
            page.screenshot(path=str(ROOT / "docs" / "img" / "atelier.png"))
            page.set_viewport_size({"width": 1280, "height": 800})

        # 6. download the view, and open the downloaded file offline
        downloads = {}
        for fmt in ("html", "png", "svg", "xlsx", "gexf"):
            with page.expect_download() as got:
                page.locator(f"#download-{fmt}").click()
            downloads[fmt] = tmp_path / f"vue.{fmt}"
            got.value.save_as(downloads[fmt])
        assert downloads["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert NEW_ACTOR in downloads["svg"].read_text(encoding="utf-8")
        assert NEW_ACTOR in downloads["gexf"].read_text(encoding="utf-8")
        nodes = openpyxl.load_workbook(downloads["xlsx"])["Nœuds"]
        assert NEW_ACTOR in [row[0] for row in nodes.iter_rows(values_only=True)]
    from tests.view_browser import browser

    with browser() as offline:
        opened = open_page(offline, downloads["html"])
        assert not opened.blocked and not opened.page_errors
        assert NEW_ACTOR in opened.page.locator("#kg-story-sentence, body").first.inner_text()

    with chromium() as (ctx, seen2):
        page = ctx.new_page()
        # 7. undo the import, and see the graph as before
        page.goto(f"{base}/atelier/imports")
        submit(page, page.get_by_role("link", name="mon-ecosysteme.xlsx"))
        submit(page, page.get_by_role("button", name="Annuler le dernier changement"))
        assert "Annulé" in page.get_by_role("status").inner_text()
        assert _actors(base) == actors_before
        page.get_by_label("Chercher un acteur, un programme").fill("atelier solidaire")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Résultats pour « atelier solidaire » : 0" in page.get_by_role("status").inner_text()
        page.goto(f"{base}/atelier/explorer?de={NEW_ACTOR}&vers=Le+RAMEAU")
        assert (
            "Unknown" in page.get_by_role("alert").inner_text()
            or "inconnu" in page.get_by_role("alert").inner_text()
        )
    assert not seen["blocked"] and not seen2["blocked"], seen["blocked"] + seen2["blocked"]
    assert not seen["dialogs"] and not seen["errors"], seen


def test_the_public_face_has_no_workspace_and_a_cross_site_form_is_refused(atelier, tmp_path):
    base, data, store = atelier
    # another origin on this machine (another port: same site, other origin) serves a form aimed at the
    # workspace
    (tmp_path / "evil.html").write_text(
        f"""<!doctype html><form method="post" action="{base}/atelier/imports/mon-ecosysteme/annuler">
        <input type="hidden" name="csrf" value="guessed"><button id="go">Gagnez un prix</button></form>""",
        encoding="utf-8",
    )
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    public, public_base = start_public(store)
    try:
        with chromium() as (ctx, seen):
            page = ctx.new_page()
            page.goto(f"{base}/atelier/")  # the catalyst has the workspace open: its cookies are set
            history_before = sorted(p.name for p in (data / "imports").glob("*/versions/*"))
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/evil.html")
            with page.expect_response(lambda r: "/annuler" in r.url) as answer:
                page.locator("#go").click()
            assert answer.value.status == 403
            assert "autre site" in page.locator("body").inner_text()
            assert sorted(p.name for p in (data / "imports").glob("*/versions/*")) == history_before
            # the public kg serve: every workspace URL is 404, by GET and by POST (a form from its own page)
            for path in WORKSPACE_GETS:
                assert page.goto(public_base + path).status == 404, path
            for path in WORKSPACE_POSTS:
                page.goto(f"{public_base}/sparql")
                status = page.request.post(public_base + path, form={"csrf": "x"}).status
                assert status == 404, path
            assert page.goto(f"{public_base}/sparql").status == 200  # the public face itself is there
        assert not seen["blocked"]
    finally:
        stop(public)
        evil.shutdown()


PAYLOADS = {
    "name": '<img src=x onerror="alert(\'name\')">Asso <script>alert("nom")</script>',
    "description": "\"><svg onload=alert('desc')></svg><script>alert('description')</script>{{7*7}}",
}
OWNER = "<b onmouseover=alert('owner')>Structure</b><script>alert('owner')</script>"


def test_script_payloads_do_not_run_on_any_workspace_page(atelier, tmp_path):
    base, _, _ = atelier
    from kg.sheets.write import write_template

    template = write_template(tmp_path / "modele.xlsx", ROOT / "ontology" / "schemes.ttl")
    workbook = fill(template, tmp_path / "charges.xlsx", mistakes=False, payloads=PAYLOADS)
    # the CSP is bypassed: escaping alone must keep the payloads inert (the CSP is checked on every answer)
    with chromium(bypass_csp=True) as (ctx, seen):
        page = ctx.new_page()
        page.goto(f"{base}/atelier/importer")
        page.locator("#owner").fill(OWNER)
        page.set_input_files("#file", workbook)
        submit(page, page.locator("#check"))
        assert PAYLOADS["name"] in page.locator("ul.changes.added").inner_text()  # shown as text
        submit(page, page.locator("#confirm"))
        pages = [
            "/atelier/",
            "/atelier/recherche?q=asso",
            "/atelier/imports",
            "/atelier/imports/charges",
            f"/atelier/explorer?de={quote(PAYLOADS['name'])}&vers=Club+Gravelle+Entreprendre",
            "/atelier/recherche?q=" + quote("<script>alert('q')</script>"),
        ]
        for path in pages:
            response = page.goto(base + path)
            assert response is not None
            policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
            page.mouse.move(300, 300)
            page.mouse.move(600, 400)
        text = page.locator("main").inner_text()
        assert "<script>alert('q')</script>" in text
        page.goto(base + "/atelier/recherche?q=asso")
        fiche = submit(
            page, page.get_by_role("link", name=PAYLOADS["name"], exact=True)
        )  # the actor's page (its fiche)
        assert fiche.status == 200 and PAYLOADS["name"] in page.locator("main").inner_text()
        page.mouse.move(200, 200)
        page.mouse.move(640, 400)
        page.goto(base + pages[4])
        page.frame_locator("#kg-view").locator("#kg-story-counter").wait_for(timeout=60_000)
        page.frame_locator("#kg-view").locator("#kg-story button.next").click()
        # undo, so that the other tests of the module see the graph as it was
        page.goto(f"{base}/atelier/imports/charges")
        submit(page, page.locator("#undo"))
    assert seen["dialogs"] == [], seen["dialogs"]
    assert not seen["blocked"]
