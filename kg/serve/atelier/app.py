"""``kg atelier``: the catalysts' workspace, a local web app over the same library as the command line.

:func:`create_atelier_app` is the public application of :func:`kg.serve.app.create_app` (SPARQL endpoint,
ontology, the page behind every IRI) with the workspace's routes under ``/atelier`` in front of it. The
workspace's routes, and every write, exist only in this application: a public ``kg serve`` has no
``/atelier`` route at all (every workspace URL gives 404 there). One app, two faces.

Writes go only to the local project: ``data/imports/`` and the store (an import or an undo replaces one
named graph, through :func:`kg.store.imports.commit_import` and :func:`kg.store.history.undo_import`),
and the workspace's own files (uploads, views) under ``build/atelier/``. After each write the pages read a
new handle on the store, and the public face's query workers are started again
(:meth:`kg.serve.pool.WorkerPool.reopen`): a read-only handle sees the store as it was when opened.

The pages are Jinja2 templates under ``templates/atelier/`` (:mod:`kg.serve.render`), French first
(``--lang en`` or ``?lang=en``), their style and script from ``/static``; every response carries the
strict Content-Security-Policy of :mod:`kg.serve.headers`. A view (:func:`kg.present.view.view`) is one
self-contained file whose inline scripts are allowed by their hashes only, and only for that response.
Access and forms are checked by :mod:`kg.serve.atelier.guard`, uploads by :mod:`kg.serve.atelier.uploads`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from kg.serve.atelier import work
from kg.serve.atelier.guard import Gate, Guard, check_listen
from kg.serve.atelier.uploads import MAX_UPLOAD_BYTES, save_upload
from kg.serve.headers import view_policy

__all__ = ["create_atelier_app", "serve_atelier"]

log = logging.getLogger("kg.serve.atelier")

#: uploads checked but not confirmed yet that the workspace keeps (the oldest is forgotten past that)
KEPT_UPLOADS = 20


def create_atelier_app(
    data_dir: str | Path = "data",
    store: str | Path = "build/store",
    *,
    host: str = "127.0.0.1",
    port: int = 7879,
    token: str | None = None,
    lang: str = "fr",
    work_dir: str | Path | None = None,
    settings: Any = None,
    isolate: bool = False,
) -> Any:
    """The workspace's Starlette application over the project *data_dir* and its *store*.

    Parameters
    ----------
    data_dir, store : path
        The project: ``data/`` (imports are written in ``data/imports/``) and the store ``kg build`` made.
    host, port : str, int
        Where the server listens: requests naming another host are refused (403).
    token : str, optional
        Required (cookie set by ``/atelier/?jeton=TOKEN``) when given; needed on an address other than
        loopback (:func:`kg.serve.atelier.guard.check_listen`).
    lang : {"fr", "en"}
        The pages' language (``?lang=`` on a page overrides it).
    work_dir : path, optional
        Uploads and views (default ``build/atelier`` beside the store).
    settings : kg.serve.settings.Settings, optional
        Of the public face (default: one query worker).
    isolate : bool
        Deny the server process the network once it starts (:func:`kg.store.isolation.deny_network`: for
        good, so never in a test runner); what :func:`serve_atelier` asks. Nothing the workspace does
        needs it: imports, views and pictures are all local.

    Raises
    ------
    StoreError
        No store at *store*; no token on an address other than loopback.
    """
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route

    from kg.errors import InputError, KGError, UnknownEntityError
    from kg.serve.app import create_app
    from kg.serve.headers import SecurityHeaders
    from kg.serve.render import LANGS, render
    from kg.serve.settings import Settings
    from kg.store.graph import open_store

    check_listen(host, token)
    data_dir, store = Path(data_dir), Path(store)
    work_dir = Path(work_dir) if work_dir else store.parent / "atelier"
    public = create_app(store, settings or Settings(workers=1, reserved_workers=0), data_dir=data_dir)
    guard = Guard(host, port, token)
    state: dict[str, Any] = {"graph": None, "stamp": f"{time.time():.0f}-0", "writes": 0}
    uploads: dict[str, dict[str, Any]] = {}  # upload id → where its file is, and for whom
    views: dict[str, work.ViewMade] = {}
    write_lock = asyncio.Lock()

    def graph() -> Any:
        if state["graph"] is None:
            state["graph"] = open_store(store)
        return state["graph"]

    def written() -> None:
        """After a write: read the store anew (pages and public face)."""
        state["graph"] = None
        state["writes"] += 1
        state["stamp"] = f"{time.time():.0f}-{state['writes']}"
        views.clear()
        public.state.pool.reopen()
        public.state.pages.refresh()  # the IRI pages' own read-only handle and their views, anew

    def page_lang(request: Request) -> str:
        asked = request.query_params.get("lang")
        return asked if asked in LANGS else lang

    def nav(current: str, la: str) -> list[dict[str, Any]]:
        q = "" if la == lang else f"?lang={la}"
        items = [
            ("accueil", "/atelier/", "Accueil", "Home"),
            ("importer", "/atelier/importer", "Importer", "Import"),
            ("imports", "/atelier/imports", "Historique", "History"),
            ("explorer", "/atelier/explorer", "Explorer", "Explore"),
        ]
        return [
            {"href": h + q, "label": fr if la == "fr" else en, "current": key == current}
            for key, h, fr, en in items
        ]

    def page(request: Request, template: str, current: str, status: int = 200, **context: Any) -> Response:
        la = context.pop("lang", None) or page_lang(request)
        html = render(
            f"atelier/{template}",
            lang=la,
            nav=nav(current, la),
            csrf=guard.csrf_value(request),
            q="" if la == lang else f"?lang={la}",
            amp="" if la == lang else f"&lang={la}",
            **context,
        )
        # same-origin, not no-referrer: under no-referrer Chromium sends « Origin: null » with the page's own
        # form POSTs, which the Origin check cannot tell from a sandboxed page of another site
        headers = {"Referrer-Policy": "same-origin"}
        return guard.set_cookies(request, HTMLResponse(html, status_code=status, headers=headers))

    def refused(request: Request, status: int, fr: str, en: str) -> Response:
        la = page_lang(request)
        return Response(
            (fr if la == "fr" else en) + "\n", status_code=status, media_type="text/plain; charset=utf-8"
        )

    async def read_form(request: Request) -> Any:
        """The form of a POST, its size checked before it is parsed; None when too large."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
            return None
        body, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                return None
            body.append(chunk)
        data = b"".join(body)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": data, "more_body": False}

        return await Request(request.scope, receive).form(max_files=50, max_fields=50)

    async def guarded_post(request: Request) -> Any:
        """The form of a POST from this workspace's own page, or the response refusing it."""
        why = guard.cross_site(request)
        if why:
            return refused(
                request,
                403,
                f"formulaire refusé : il vient d'un autre site ({why}) ; ouvrez l'atelier et envoyez-le depuis ses pages",
                f"form refused: it comes from another site ({why}); open the workspace and send it from its pages",
            )
        form = await read_form(request)
        if form is None:
            mb = MAX_UPLOAD_BYTES // (1024 * 1024)
            return refused(
                request,
                413,
                f"envoi refusé : plus de {mb} Mo ; découpez le classeur, ou importez-le en ligne de commande (kg import)",
                f"upload refused: more than {mb} MB; split the workbook, or import it from the command line (kg import)",
            )
        if not guard.csrf_ok(request, form.get("csrf")):
            return refused(
                request,
                403,
                "formulaire refusé : jeton de formulaire absent ou périmé ; rechargez la page de l'atelier et recommencez",
                "form refused: its form token is missing or stale; reload the workspace page and try again",
            )
        return form

    # -- pages ----------------------------------------------------------------------------------------

    async def home(request: Request) -> Response:
        la = page_lang(request)
        glance = await run_in_threadpool(work.overview, graph(), data_dir, la)
        return page(request, "home.html", "accueil", title="Atelier" if la == "fr" else "Workspace", **glance)

    async def find(request: Request) -> Response:
        la = page_lang(request)
        text = request.query_params.get("q", "")[:200]
        found = await run_in_threadpool(work.search, graph(), text) if text.strip() else []
        return page(
            request,
            "search.html",
            "accueil",
            title="Recherche" if la == "fr" else "Search",
            text=text,
            found=found,
        )

    async def template_file(request: Request) -> Response:
        from kg.ingest.imports import default_schemes_file
        from kg.sheets.write import write_template

        path = work_dir / "modele-territoire.xlsx"
        if not path.is_file():
            work_dir.mkdir(parents=True, exist_ok=True)
            await run_in_threadpool(write_template, path, default_schemes_file(data_dir))
        return FileResponse(
            path,
            media_type=work.DOWNLOADS["xlsx"],
            filename="modele-territoire.xlsx",
            content_disposition_type="attachment",
        )

    async def import_form(request: Request) -> Response:
        la = page_lang(request)
        return page(
            request,
            "import.html",
            "importer",
            title="Importer un classeur" if la == "fr" else "Import a workbook",
        )

    async def import_upload(request: Request) -> Response:
        form = await guarded_post(request)
        if isinstance(form, Response):
            return form
        la = page_lang(request)
        owner = str(form.get("owner") or "").strip()[:200] or None
        files = [(f.filename or "", await f.read()) for f in form.getlist("file") if hasattr(f, "read")]
        upload_id = secrets.token_urlsafe(12)
        title = "Importer un classeur" if la == "fr" else "Import a workbook"
        folder = work_dir / "uploads" / upload_id
        try:
            path = save_upload(files, folder, None, la)
            prepared = await run_in_threadpool(_prepare, path, owner, la)
        except InputError as exc:
            shutil.rmtree(folder, ignore_errors=True)  # nothing to confirm: the upload is not kept
            return page(
                request,
                "import.html",
                "importer",
                422,
                title=title,
                problems=work.problems(exc),
                summary=exc.summary,
                owner=owner,
            )
        while len(uploads) >= KEPT_UPLOADS:  # the oldest upload never confirmed is forgotten
            shutil.rmtree(work_dir / "uploads" / uploads.pop(next(iter(uploads)))["id"], ignore_errors=True)
        uploads[upload_id] = {"path": path, "owner": owner, "id": upload_id, "seen": _seen(prepared)}
        return page(
            request,
            "import.html",
            "importer",
            title=title,
            diff=work.diff(prepared, la),
            upload=upload_id,
            owner=owner,
        )

    def _prepare(path: Path, owner: str | None, la: str, into: Any = None) -> Any:
        """Plan and check the import; with *into* (the store, the catalyst having confirmed), its new graph
        is written beside the store while the checks run (:class:`kg.store.write.GraphWriter`)."""
        from kg.store.imports import prepare_import

        return prepare_import(path, data_dir, owner=owner, lang=la, store=into, confirmed=into is not None)

    def _seen(prepared: Any) -> tuple:
        """What the catalyst confirms: the records the import adds, changes and removes."""
        plan = prepared.plan
        return plan.slug, *(
            tuple(sorted(c.id for c in items)) for items in (plan.added, plan.changed, plan.removed)
        )

    def _commit(up: dict[str, Any], la: str) -> Any:
        from kg.store.imports import commit_import

        # checked again (the project may have changed), the new graph written meanwhile, as kg import does
        prepared = _prepare(up["path"], up["owner"], la, store)
        if _seen(prepared) != up["seen"]:  # not what the catalyst saw: show the new diff to confirm
            if prepared.writer is not None:  # nothing written: the store stays as it was
                prepared.writer.cancel()
            up["seen"] = _seen(prepared)
            return prepared, None
        return prepared, commit_import(prepared, data_dir, store, confirmed=True)

    async def import_confirm(request: Request) -> Response:
        form = await guarded_post(request)
        if isinstance(form, Response):
            return form
        la = page_lang(request)
        up = uploads.get(str(form.get("upload") or ""))
        if up is None:
            return refused(
                request,
                404,
                "cet envoi n'est plus connu de l'atelier (il a été redémarré ?) : déposez à nouveau le classeur",
                "this upload is no longer known to the workspace (was it restarted?): upload the workbook again",
            )
        title = "Importer un classeur" if la == "fr" else "Import a workbook"
        async with write_lock:
            try:
                prepared, plan = await run_in_threadpool(_commit, up, la)
            except InputError as exc:
                return page(
                    request,
                    "import.html",
                    "importer",
                    422,
                    title=title,
                    problems=work.problems(exc),
                    summary=exc.summary,
                )
            if plan is None:
                return page(
                    request,
                    "import.html",
                    "importer",
                    409,
                    title=title,
                    diff=work.diff(prepared, la),
                    upload=up["id"],
                    owner=up["owner"],
                    moved=True,
                )
            if plan.written:
                written()
        uploads.pop(up["id"], None)
        shutil.rmtree(work_dir / "uploads" / up["id"], ignore_errors=True)  # the import keeps its own copy
        return page(
            request,
            "imported.html",
            "importer",
            title=title,
            diff=work.diff(prepared, la),
            written=plan.written,
        )

    async def imports_list(request: Request) -> Response:
        from kg.store.history import list_imports

        la = page_lang(request)
        found = await run_in_threadpool(list_imports, data_dir, deleted=True)
        return page(
            request,
            "imports.html",
            "imports",
            title="Historique des imports" if la == "fr" else "Imports and their history",
            imports=[work.import_rows(i) for i in found],
        )

    async def import_history(request: Request) -> Response:
        from kg.store.history import import_history

        slug = request.path_params["slug"]
        try:
            info, kept = await run_in_threadpool(import_history, slug, data_dir)
        except KGError:
            return refused(request, 404, f"aucun import « {slug} »", f"no import « {slug} »")
        return page(
            request,
            "history.html",
            "imports",
            title=(f"Import « {info.slug} »"),
            info=work.import_rows(info),
            versions=[work.import_rows(v.info) | {"number": v.number} for v in reversed(kept)],
            undone=request.query_params.get("annule", "")[:6],
        )

    async def import_undo(request: Request) -> Response:
        from kg.store.history import undo_import

        form = await guarded_post(request)
        if isinstance(form, Response):
            return form
        la = page_lang(request)
        slug = request.path_params["slug"]
        async with write_lock:
            try:
                done = await run_in_threadpool(undo_import, slug, data_dir, store)
            except InputError as exc:
                return page(
                    request,
                    "history.html",
                    "imports",
                    422,
                    title=f"Import « {slug} »",
                    problems=work.problems(exc),
                    summary=exc.summary,
                    info=None,
                    versions=[],
                    undone="",
                )
            except KGError:
                return refused(request, 404, f"aucun import « {slug} »", f"no import « {slug} »")
            written()
        target = f"/atelier/imports/{done.slug}?annule={done.restored.number}" + (
            "" if la == lang else f"&lang={la}"
        )
        return RedirectResponse(target, status_code=303)

    async def explore(request: Request) -> Response:
        la = page_lang(request)
        params = request.query_params
        source, target = params.get("de", "").strip()[:200], params.get("vers", "").strip()[:200]
        place = params.get("territoire", "").strip()[:100] or None
        k = int(params["k"]) if params.get("k", "").isdigit() and 1 <= int(params["k"]) <= 10 else 3
        context: dict[str, Any] = {"source": source, "target": target, "k": k, "place": place}
        g = graph()
        context["names"] = await run_in_threadpool(work.name_choices, g)
        context["territories"] = (await run_in_threadpool(work.overview, g, data_dir, la))["territories"]
        status = 200
        try:
            if source and target:
                context["chains"] = await run_in_threadpool(work.chains, g, source, target, k=k, lang=la)
                if context["chains"]:
                    context["view"] = await _view(g, la, chain=(source, target), k=k)
            elif place:
                context["view"] = await _view(g, la, territory=place)
                context["place_href"] = "/id/territory/" + place.replace(":", "/", 1)
        except UnknownEntityError as exc:
            context["unknown"] = {"message": str(exc), "suggestions": list(exc.suggestions or [])[:5]}
            status = 404
        except KGError as exc:
            context["unknown"] = {"message": str(exc), "suggestions": []}
            status = 400
        return page(
            request,
            "explore.html",
            "explorer",
            status,
            title="Explorer" if la == "fr" else "Explore",
            **context,
        )

    async def _view(g: Any, la: str, **selection: Any) -> work.ViewMade:
        async with write_lock:  # one view written at a time (two cores)
            made = await run_in_threadpool(
                lambda: work.make_view(g, work_dir / "vues", lang=la, stamp=state["stamp"], **selection)
            )
        views[made.key] = made
        return made

    async def view_file(request: Request) -> Response:
        key, fmt = request.path_params["key"], request.path_params["fmt"]
        made = views.get(key)
        if made is None or fmt not in work.DOWNLOADS:
            return refused(
                request,
                404,
                "vue inconnue : refaites-la depuis la page Explorer",
                "unknown view: make it again from the Explore page",
            )
        path = made.path.with_suffix(f".{fmt}")
        if not path.is_file():
            path = await run_in_threadpool(
                work.write_download, graph(), made, fmt, data_dir, page_lang(request)
            )
        download = request.query_params.get("telecharger") is not None or fmt in ("xlsx", "gexf")
        headers = {}
        if fmt == "html":
            headers["Content-Security-Policy"] = view_policy(path.read_text(encoding="utf-8"))
        if fmt == "svg":
            headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
            )
        name = f"vue-{key}.{fmt}"
        return FileResponse(
            path,
            media_type=work.DOWNLOADS[fmt],
            headers=headers,
            filename=name,
            content_disposition_type="attachment" if download else "inline",
        )

    async def to_atelier(request: Request) -> Response:
        return RedirectResponse(
            "/atelier/" + (f"?{request.url.query}" if request.url.query else ""), status_code=303
        )

    @asynccontextmanager
    async def lifespan(app: Any):
        async with public.router.lifespan_context(public):
            if isolate:
                from kg.store.isolation import deny_network

                try:
                    deny_network()
                    app.state.isolation = "the server process cannot open a network connection (seccomp)"
                except KGError as exc:
                    app.state.isolation = f"the server process could not deny itself the network: {exc}"
                    log.warning("%s", app.state.isolation)
            yield

    routes = [
        Route("/", to_atelier),
        Route("/atelier", to_atelier),
        Route("/atelier/", home),
        Route("/atelier/recherche", find),
        Route("/atelier/modele.xlsx", template_file),
        Route("/atelier/importer", import_form, methods=["GET"]),
        Route("/atelier/importer", import_upload, methods=["POST"]),
        Route("/atelier/importer/confirmer", import_confirm, methods=["POST"]),
        Route("/atelier/imports", imports_list),
        Route("/atelier/imports/{slug:str}", import_history),
        Route("/atelier/imports/{slug:str}/annuler", import_undo, methods=["POST"]),
        Route("/atelier/explorer", explore),
        Route("/atelier/vues/{key:str}.{fmt:str}", view_file),
        Mount("", app=public),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, guard=guard), Middleware(SecurityHeaders)],
        lifespan=lifespan,
    )
    app.state.public = public
    app.state.atelier = {"data": data_dir, "store": store, "work": work_dir}
    return app


def serve_atelier(
    data_dir: str | Path = "data",
    store: str | Path = "build/store",
    *,
    host: str = "127.0.0.1",
    port: int = 7879,
    token: str | None = None,
    lang: str = "fr",
    log_level: str = "warning",
) -> None:
    """Serve the workspace on http://host:port/atelier/ until interrupted (blocking): what ``kg atelier`` calls.

    Raises
    ------
    StoreError
        No store; no token on an address other than loopback; the port is taken.
    """
    from kg.serve.listen import listen, run

    check_listen(host, token)
    sock = listen(host, port, "kg atelier", backlog=128, lang=lang)
    run(
        create_atelier_app(data_dir, store, host=host, port=port, token=token, lang=lang, isolate=True),
        sock,
        log_level,
    )
