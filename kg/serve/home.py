"""The public home page of ``kg serve`` (``GET /``): what this server is, a search box, where to go next.

French first (English with ``?lang=en`` or ``Accept-Language``), on ``templates/base.html`` like the IRI
pages. The search box (``/?q=…``) finds actors, people and programmes by name, other name or acronym with
:func:`kg.serve.search.search` (the workspace's own search, read-only) and links to their pages; the page also
links to ``/sparql`` (the query page), ``/ontology``, and the territories the graph places actors in.

The server only translates: :func:`home_data` reads the graph and returns plain data; :func:`home_routes`
renders it with :func:`kg.serve.render.render` (every value escaped).
"""

from __future__ import annotations

from typing import Any

__all__ = ["home_data", "home_routes"]

Q_COUNTS = """SELECT (COUNT(DISTINCT ?a) AS ?actors) (COUNT(DISTINCT ?p) AS ?programmes) (COUNT(DISTINCT ?e) AS ?events)
WHERE { { ?a a org:Organization } UNION { ?p a schema:Project } UNION { ?e a schema:Event } }"""

Q_TERRITORIES = """SELECT ?t (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a a org:Organization ; dct:spatial|schema:location|schema:areaServed ?t .
  ?t rdfs:label ?l .
} GROUP BY ?t ORDER BY DESC(?n) ?label LIMIT 24"""


def home_data(graph: Any, text: str = "") -> dict[str, Any]:
    """What the home page shows: the graph's counts, the territories with the most actors (``iri``,
    ``label``, ``n``), and, when *text* is given, the nodes whose names contain it (see
    :func:`kg.serve.search.search`)."""
    from kg.serve.search import MAX_TEXT, search

    counts = graph.query(Q_COUNTS)[0]
    territories = [
        {"iri": str(r["t"]), "label": str(r["label"]), "n": int(r["n"])} for r in graph.query(Q_TERRITORIES)
    ]
    text = text[:MAX_TEXT]
    return {
        "counts": {k: int(v) for k, v in counts.items()},
        "territories": territories,
        "text": text,
        "found": search(graph, text) if text.strip() else None,
    }


def home_routes(pages: Any) -> list[Any]:
    """The route of ``/`` over *pages* (:class:`kg.serve.resources.Pages`: the store opened read-only)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    from kg.serve.render import page_lang, render

    async def home(request: Request) -> Response:
        lang = page_lang(request.headers.get("accept-language"), request.query_params.get("lang"))
        text = request.query_params.get("q", "")
        data = await run_in_threadpool(home_data, pages.graph, text)
        origin = str(request.base_url)
        fr = lang == "fr"
        body = render(
            "pages/home.html",
            lang=lang,
            title="Le graphe des acteurs des territoires" if fr else "The graph of territorial actors",
            nav=[
                {"href": "/", "label": "Accueil" if fr else "Home", "current": True},
                {"href": "/sparql", "label": "SPARQL", "current": False},
                {"href": "/ontology", "label": "Ontologie" if fr else "Ontology", "current": False},
            ],
            link=lambda iri: pages.link(iri, origin),
            here=request.url.path,
            **data,
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language", "Content-Language": lang})

    return [Route("/", home, name="home")]
