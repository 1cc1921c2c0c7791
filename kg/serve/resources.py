"""A page behind every IRI: the public, read-only routes of ``kg serve`` for the project's IRIs.

``/id/{kind}/{id…}`` (actors, people, programmes, fundings, events, publications, territories, documents and
every node the graph mints, down to ``…/source/1``), ``/concept/…`` and ``/graph/…`` answer with the node's
page (HTML, French first, English with ``?lang=en`` or ``Accept-Language``) or its RDF, chosen by the
``Accept`` header (``Vary: Accept``), or explicitly by ``?format=ttl|jsonld|nt|rdf|html`` or a suffix
(``/id/actor/le-rameau.ttl``). The RDF is the endpoint's own ``DESCRIBE`` of the IRI (run by
:func:`kg.serve.protocol.execute`, the IRI bound as ``VALUES``), so the two never differ. The IRI answers
itself with 200 (no 303 to a document URL; see ``docs/design.md``). An IRI the graph says nothing of gets a
French 404 page.

``/ontology`` (and ``/ontology.ttl``, ``/ontology.jsonld``) serves the ontology in HTML, Turtle or JSON-LD;
``/vue/…`` the interactive view of an actor's neighbourhood or a territory (embedded in their pages, served
with a CSP that lets in exactly its own inline scripts by hash); ``/classeur/territoire/…`` the catalysts'
workbook of a territory.

The server only translates: the pages' data come from :mod:`kg.present.fiche` and
:mod:`kg.present.fiche_places` (plain dicts), rendered by :func:`kg.serve.render.render` (Jinja2, autoescape).
Links to the project's IRIs use the server's base (``kg serve --base``; by default the server's own origin).

>>> choose("text/html,application/xhtml+xml,*/*;q=0.8")
'html'
>>> choose("text/turtle;q=0.9, application/ld+json"), choose("application/rdf+xml, text/n3")
('jsonld', 'ttl')
>>> choose("*/*"), choose(None), choose("application/json") is None
('html', 'html', True)
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from kg.model.vocab import BASE
from kg.serve.headers import view_policy

__all__ = ["FORMATS", "Pages", "choose", "resource_routes"]

#: the formats of a node, by their short name (``?format=``, suffix): media type
FORMATS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
_ALIASES = {"text/n3": "ttl", "application/x-turtle": "ttl", "text/plain": "nt", "application/xml": "rdf"}
_PATH = re.compile(r"^[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*$")
#: the views kept once drawn (each holds vis-network: about 1 MB), the least recently asked dropped first
MAX_VIEWS = 32


def choose(accept: str | None) -> str | None:
    """The format (a key of :data:`FORMATS`) that *accept* prefers; HTML when it says nothing; None when it
    takes none of them. Ties go to the order of :data:`FORMATS` (HTML first)."""
    if not accept or not accept.strip():
        return "html"
    best: tuple[float, int, int] | None = None
    chosen = None
    order = list(FORMATS)
    for i, part in enumerate(accept.split(",")):
        media, *params = (x.strip() for x in part.split(";"))
        media = media.lower()
        q = 1.0
        for p in params:
            k, _, v = p.partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media == "*/*":
            names, specific = order, 0
        elif media.endswith("/*"):
            names = [n for n in order if FORMATS[n].startswith(media[:-1])]
            specific = 1
        else:
            names = [n for n, m in FORMATS.items() if m == media]
            names += [_ALIASES[media]] if media in _ALIASES else []
            specific = 2
        for name in names:
            rank = (q, specific, -order.index(name))
            if best is None or rank > best:
                best, chosen = rank, name
        del i
    return chosen


class Pages:
    """What the IRI routes share: the store (opened read-only in the server process on first use), the base
    of links, the data folder (documents' text, workbooks), and the views already drawn."""

    def __init__(
        self,
        store: str | Path,
        *,
        base: str | None = None,
        data_dir: str | Path | None = None,
        max_rows: int = 10_000,
        ontology_dir: str | Path | None = None,
    ) -> None:
        from kg.present.ontology_page import ONTOLOGY_DIR

        self.ontology_dir = Path(ontology_dir or ONTOLOGY_DIR)
        self.ontology: dict[str, bytes] = {}
        self.store_path = Path(store)
        self.base = base
        self.data_dir = Path(data_dir) if data_dir else _find_data(self.store_path)
        self.max_rows = max_rows
        self._graph: Any = None
        self.views: OrderedDict[tuple[str, str], str] = OrderedDict()
        # the costly pages (a territory's ecosystem, a view, a workbook: a second or more of the server process'
        # time each) are made one at a time, so that a crawler cannot take every core from /sparql
        self.heavy = asyncio.Semaphore(1)

    @property
    def graph(self) -> Any:
        if self._graph is None:
            from kg.store.graph import Graph, read_only_store

            # with updates on, the update worker writes and compacts the store while this handle opens
            self._graph = Graph(read_only_store(self.store_path), self.store_path)
        return self._graph

    def refresh(self) -> None:
        """Forget the store handle and the views: after an update, pages read the store as it is now (a
        read-only handle sees the store as it was when opened)."""
        self._graph = None
        self.views.clear()

    def link(self, iri: str, origin: str) -> str:
        """Where a page links for *iri*: a project IRI under the base (the server's *origin* by default), any
        other http(s) IRI as it is, anything else (``javascript:``…) nowhere."""
        if iri.startswith(BASE):
            return (self.base or origin) + iri[len(BASE) :]
        if re.match(r"^https?://", iri):
            return iri
        return ""

    def describe(self, iri: str, accept: str) -> tuple[int, str, bytes, dict[str, str]]:
        """The endpoint's DESCRIBE of *iri*, serialised for *accept* (what ``/sparql`` answers)."""
        from kg.serve.protocol import execute
        from kg.store.graph import IRI, bind

        text = bind("DESCRIBE ?node WHERE { }", {"node": IRI(iri)})
        job = {"kind": "query", "text": text, "accept": accept, "max_rows": self.max_rows}
        return execute(self.graph.store, job)


def _find_data(store: Path) -> Path:
    """The data folder beside a store: ``<project>/data`` for ``<project>/build/store`` or ``<root>/store``."""
    for root in (store.parent, store.parent.parent, Path.cwd()):
        if (root / "data" / "sources").is_dir():
            return root / "data"
    return Path("data")


def _write_workbook(pages: Pages, territory: str, out: Path, lang: str) -> None:
    """The catalysts' workbook of *territory*'s ecosystem (what ``kg export-xlsx --territory`` writes)."""
    from kg.sheets.export import export_xlsx
    from kg.store.ecosystem import ecosystem

    eco = ecosystem(pages.graph, territory)
    reasons = [f"{eco.label(n)} — {'; '.join(eco.explain(n, lang))}" for n in eco.members()]
    export_xlsx(out, pages.data_dir, territory=territory, keep=eco.reasons, reasons=reasons)


def resource_routes(pages: Pages) -> list[Any]:
    """The Starlette routes of the IRI pages (see the module)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    from kg.present import fiche as F
    from kg.serve.render import page_lang, render

    def origin(request: Request) -> str:
        return str(request.base_url)

    def not_found(request: Request, lang: str, what: str) -> Response:
        body = render(
            "pages/not_found.html",
            lang=lang,
            title="Introuvable" if lang == "fr" else "Not found",
            what=what,
        )
        return HTMLResponse(body, status_code=404, headers={"Vary": "Accept, Accept-Language"})

    def page_of(iri: str, lang: str, request: Request, fmt_links: list[dict[str, str]]) -> str | None:
        graph = pages.graph
        data = F.fiche(graph, iri, lang)
        if data is None:
            return None
        extra: dict[str, Any] = {}
        if data["kind"] in ("actor", "person", "programme") and not data["part"]:
            extra["relations"] = F.actor_relations(graph, data, lang)
        if data["kind"] == "actor" and not data["part"]:
            extra["questions"] = F.actor_questions(graph, iri, lang)
            extra["view"] = f"/vue/acteur/{iri.rsplit('/', 1)[-1]}?lang={lang}"
        elif data["kind"] == "programme" and not data["part"]:
            extra["view"] = f"/vue/programme/{iri.rsplit('/', 1)[-1]}?lang={lang}"
        elif data["kind"] == "territory" and not data["part"] and iri.count("/") == BASE.count("/") + 3:
            from kg.errors import KGError
            from kg.present.fiche_places import territory_page

            try:
                extra["territory"] = territory_page(graph, iri, lang)
            except KGError:  # a territory the geography does not have as such: its plain page
                pass
            else:
                where = f"{extra['territory']['level']}/{extra['territory']['code']}"
                extra["view"] = f"/vue/territoire/{where}?lang={lang}"
                extra["workbook"] = f"/classeur/territoire/{where}.xlsx"
        elif data["kind"] == "document" and not data["part"]:
            from kg.present.fiche_places import document_page

            extra["document"] = document_page(graph, iri, pages.data_dir, lang)
        return render(
            "pages/resource.html",
            lang=lang,
            title=data["label"],
            page=data,
            formats=fmt_links,
            alternates=[f for f in fmt_links if f["name"] != "html"],
            link=lambda i: pages.link(i, origin(request)),
            here=request.url.path,
            **extra,
        )

    async def resource(request: Request) -> Response:
        prefix = request.scope["path"].split("/", 2)[1]  # id, concept or graph
        rest = request.path_params["rest"]
        lang = page_lang(request.headers.get("accept-language"), request.query_params.get("lang"))
        if not _PATH.match(rest):
            return not_found(request, lang, request.url.path)
        asked = request.query_params.get("format")
        iri = f"{BASE}{prefix}/{rest}"
        stem, dot, suffix = rest.rpartition(".")
        graph = pages.graph
        if dot and suffix in FORMATS and not await run_in_threadpool(F.exists, graph, iri):
            iri, asked = f"{BASE}{prefix}/{stem}", asked or suffix
        fmt = asked if asked in FORMATS else choose(request.headers.get("accept"))
        if asked and asked not in FORMATS:
            return Response(
                f"format={asked!r} n'existe pas ; formats : {', '.join(FORMATS)}\n",
                status_code=400,
                media_type="text/plain; charset=utf-8",
            )
        vary = {"Vary": "Accept, Accept-Language"}
        if fmt is None:
            return Response(
                "aucun des types demandés (Accept) n'est servi ; types : "
                + ", ".join(FORMATS.values())
                + "\n",
                status_code=406,
                media_type="text/plain; charset=utf-8",
                headers=vary,
            )
        path = f"/{prefix}/{iri[len(BASE) + len(prefix) + 1 :]}"
        fmt_links = [{"name": n, "type": FORMATS[n], "href": f"{path}?format={n}"} for n in FORMATS]
        links = ", ".join(f'<{f["href"]}>; rel="alternate"; type="{f["type"]}"' for f in fmt_links)
        headers = {**vary, "Link": links}
        if fmt == "html":
            if iri.startswith(BASE + "id/territory/"):
                async with pages.heavy:
                    body = await run_in_threadpool(page_of, iri, lang, request, fmt_links)
            else:
                body = await run_in_threadpool(page_of, iri, lang, request, fmt_links)
            if body is None:
                return not_found(request, lang, iri)
            return HTMLResponse(body, headers={**headers, "Content-Language": lang})
        if not await run_in_threadpool(F.exists, graph, iri):
            return not_found(request, lang, iri)
        status, media, rdf, extra = await run_in_threadpool(pages.describe, iri, FORMATS[fmt])
        if media.startswith("text/turtle") or media.startswith("application/n-triples"):
            media = media if "charset" in media else media + "; charset=utf-8"
        return Response(rdf, status_code=status, media_type=media, headers={**headers, **extra})

    async def ontology(request: Request) -> Response:
        from kg.present.ontology_page import ontology_graph, ontology_page
        from kg.serve.headers import content_security_policy

        path = request.url.path
        asked = request.query_params.get("format") or (path.rsplit(".", 1)[1] if "." in path else None)
        fmt = asked if asked in FORMATS else choose(request.headers.get("accept"))
        vary = {"Vary": "Accept"}
        if fmt is None or (asked and asked not in FORMATS):
            return Response(
                "formats : " + ", ".join(FORMATS) + "\n",
                status_code=406,
                media_type="text/plain",
                headers=vary,
            )
        if fmt not in pages.ontology:
            if fmt == "html":
                pages.ontology[fmt] = ontology_page(pages.ontology_dir).encode("utf-8")
            else:
                pages.ontology[fmt] = await run_in_threadpool(
                    ontology_graph, pages.ontology_dir, FORMATS[fmt]
                )
        body = pages.ontology[fmt]
        links = ", ".join(f'</ontology?format={n}>; rel="alternate"; type="{m}"' for n, m in FORMATS.items())
        headers = {**vary, "Link": links}
        if fmt == "html":
            headers["Content-Security-Policy"] = content_security_policy(body.decode("utf-8"))
            return HTMLResponse(body, headers=headers)
        media = FORMATS[fmt] + ("; charset=utf-8" if fmt in ("ttl", "nt") else "")
        return Response(body, media_type=media, headers=headers)

    def draw(what: str, value: str, lang: str) -> str:
        from kg.present.html import render_html
        from kg.present.view import select_model

        key = (f"{what}:{value}", lang)
        if key in pages.views:
            pages.views.move_to_end(key)
        else:
            if what == "actor":
                model = select_model(pages.graph, actor=value, lang=lang)
            elif what == "programme":
                model = select_model(pages.graph, programme=value, lang=lang)
            else:
                model = select_model(pages.graph, territory=value, lang=lang)
            pages.views[key] = render_html(model)
            while len(pages.views) > MAX_VIEWS:
                pages.views.popitem(last=False)
        return pages.views[key]

    async def view(request: Request) -> Response:
        from kg.errors import KGError

        lang = page_lang(request.headers.get("accept-language"), request.query_params.get("lang"))
        p = request.path_params
        if "slug" in p:
            what = "programme" if request.url.path.startswith("/vue/programme/") else "actor"
            value = f"{BASE}id/{what}/{p['slug']}"
            ok = _PATH.match(p["slug"]) is not None and await run_in_threadpool(F.exists, pages.graph, value)
        else:
            what, value = "territory", f"{p['level']}:{p['code']}"
            ok = _PATH.match(p["level"] + "/" + p["code"]) is not None
        if not ok:
            return not_found(request, lang, request.url.path)
        try:
            async with pages.heavy:
                body = await run_in_threadpool(draw, what, value, lang)
        except KGError:
            return not_found(request, lang, request.url.path)
        return HTMLResponse(
            body, headers={"Content-Security-Policy": view_policy(body), "Vary": "Accept-Language"}
        )

    async def workbook(request: Request) -> Response:
        import tempfile

        from kg.errors import KGError

        lang = page_lang(request.headers.get("accept-language"), request.query_params.get("lang"))
        level, code = request.path_params["level"], request.path_params["code"]
        if not _PATH.match(f"{level}/{code}"):
            return not_found(request, lang, request.url.path)
        try:
            with tempfile.TemporaryDirectory(prefix="kg-classeur-") as tmp:
                out = Path(tmp) / f"{level}-{code}.xlsx"
                async with pages.heavy:
                    await run_in_threadpool(_write_workbook, pages, f"{level}:{code}", out, lang)
                body = out.read_bytes()
        except KGError:
            return not_found(request, lang, request.url.path)
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{level}-{code}.xlsx"'},
        )

    return [
        Route("/vue/acteur/{slug}", view, name="actor_view"),
        Route("/vue/programme/{slug}", view, name="programme_view"),
        Route("/vue/territoire/{level}/{code}", view, name="territory_view"),
        Route("/classeur/territoire/{level}/{code}.xlsx", workbook, name="territory_workbook"),
        Route("/ontology", ontology, name="ontology"),
        Route("/ontology.{suffix:str}", ontology),
        Route("/id/{rest:path}", resource, name="id"),
        Route("/concept/{rest:path}", resource, name="concept"),
        Route("/graph/{rest:path}", resource, name="graph"),
    ]
