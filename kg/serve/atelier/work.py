"""What the workspace's pages show and do, as plain data: the same library calls as the command line.

Each function takes the opened graph (:func:`kg.open`) or the project's folders and returns dicts, lists
and paths; :mod:`kg.serve.atelier.app` only turns requests into these calls and their answers into pages.

============================  ==================================================================
page                          library calls
============================  ==================================================================
home                          :func:`overview` (SPARQL counts, :func:`kg.store.history.list_imports`)
search box                    :func:`kg.serve.search.search` (:func:`kg.store.names.name_index`: names,
                              other names, acronyms), shared with the public home page
import                        :func:`kg.store.imports.prepare_import` / :func:`~kg.store.imports.commit_import`
                              (what ``kg import`` calls), :func:`problems`, :func:`diff`
history, undo                 :func:`kg.store.history.import_history`, :func:`~kg.store.history.undo_import`
chain finder                  :func:`chains` (:func:`kg.network.chains.find_chains`, sentences with sources)
views and downloads           :func:`make_view` (:func:`kg.present.view.view`: HTML, SVG, PNG, story mode),
                              :func:`write_download` (GEXF: :mod:`kg.present.export_network`; XLSX:
                              :func:`kg.sheets.export.export_xlsx` for a territory, the view's nodes else)
============================  ==================================================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.model.vocab import BASE
from kg.serve.search import href, search  # shared with the public home page (kg.serve.home)

__all__ = [
    "DOWNLOADS",
    "ViewMade",
    "chains",
    "diff",
    "href",
    "import_rows",
    "make_view",
    "name_choices",
    "overview",
    "problems",
    "search",
    "territory_code",
    "write_download",
]

#: the formats a view downloads in: suffix → media type
DOWNLOADS = {
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gexf": "application/xml",
}

Q_TYPES = """SELECT ?type ?label (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a a org:Organization ; org:classification ?type .
  OPTIONAL { ?type skos:prefLabel ?label }
} GROUP BY ?type ?label"""

Q_TERRITORIES = """SELECT ?t ?label (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a a org:Organization ; dct:spatial|schema:location|schema:areaServed ?t .
  ?t rdfs:label ?label .
} GROUP BY ?t ?label"""


def territory_code(iri: str) -> str | None:
    """``level:code`` of a territory IRI (what ``kg view --territory`` takes), None for another IRI.

    >>> territory_code("https://w3id.org/territorial-kg/id/territory/departement/94")
    'departement:94'
    """
    prefix = f"{BASE}id/territory/"
    if not iri.startswith(prefix):
        return None
    level, _, code = iri[len(prefix) :].partition("/")
    return f"{level}:{code}" if level and code else None


def _by_lang(rows: list[dict[str, Any]], key: str, lang: str) -> dict[str, dict[str, Any]]:
    """One row per *key*, the label in *lang* preferred (labels of other languages as fallback)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        label = r.get("label")
        lang_of = getattr(label, "language", None)
        k = str(r[key])
        kept = out.get(k)
        if kept is None or (lang_of == lang and kept["lang"] != lang):
            out[k] = {
                "iri": k,
                "label": str(label) if label is not None else k,
                "n": int(r["n"]),
                "lang": lang_of,
            }
    return out


def overview(graph: Any, data_dir: Path, lang: str = "fr", *, imports: int = 8) -> dict[str, Any]:
    """The graph at a glance: actors by type, territories with actors, the latest imports (owner and date)."""
    from kg.store.history import list_imports

    types = sorted(
        _by_lang(graph.query(Q_TYPES, terms=True), "type", lang).values(), key=lambda r: (-r["n"], r["label"])
    )
    places = sorted(
        _by_lang(graph.query(Q_TERRITORIES, terms=True), "t", lang).values(),
        key=lambda r: (-r["n"], r["label"]),
    )
    for p in places:
        p["href"], p["code"] = href(p["iri"]), territory_code(p["iri"])
    actors = int(graph.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a org:Organization }")[0]["n"])
    latest = sorted(list_imports(data_dir), key=lambda i: i.updated or i.created, reverse=True)
    return {
        "actors": actors,
        "types": types,
        "territories": [p for p in places if p["code"]][:40],
        "imports": [import_rows(i) for i in latest[:imports]],
        "import_count": len(latest),
    }


def import_rows(info: Any) -> dict[str, Any]:
    """One import (:class:`kg.ingest.history.ImportInfo`) as a row: name, owner, date, version, counts."""
    return {
        "slug": info.slug,
        "owner": info.owner,
        "title": info.title,
        "date": (info.updated or info.created)[:16].replace("T", " "),
        "version": info.version,
        "action": info.action,
        "file": info.file,
        "restored": info.restored,
        "present": info.present,
        "records": sum(info.counts.values()),
    }


def name_choices(graph: Any) -> list[str]:
    """Every name the chain finder takes (labels, other names, acronyms), sorted, for the inputs' list."""
    from kg.store.names import name_index

    index = name_index(graph)
    return sorted({n for named in index.values() for n in named.names if n}, key=str.casefold)


# ---------------------------------------------------------------------------------------------- imports


def problems(error: InputError) -> list[dict[str, Any]]:
    """Every problem of a refused import, located: file, sheet, row, column, what is wrong, the fix."""
    out = []
    for p in error.problems:
        file, _, sheet = p.file.partition(", feuille ")
        out.append(
            {
                "file": file,
                "sheet": sheet or None,
                "row": p.line,
                "column": p.field,
                "message": p.message,
                "fix": p.fix,
            }
        )
    return out


def diff(prepared: Any, lang: str = "fr") -> dict[str, Any]:
    """What a prepared import (:class:`kg.store.imports.PreparedImport`) would do, as plain data."""
    from kg.model.words import kind_word

    plan = prepared.plan

    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [
            {"kind": kind_word(c.kind, lang), "id": c.id, "label": c.label, "fields": list(c.fields)}
            for c in items
        ]

    return {
        "slug": plan.slug,
        "file": plan.file.name,
        "owner": prepared.owner,
        "renamed_from": prepared.renamed_from,
        "renamed_owner": prepared.renamed_owner,
        "added": rows(plan.added),
        "changed": rows(plan.changed),
        "removed": rows(plan.removed),
        "unchanged": plan.unchanged,
        "references": len(plan.references),
        "by_sheet": prepared.by_sheet(),
        "warnings": [str(w) for w in plan.warnings],
        "replaces": prepared.replaces,
        "noop": plan.is_noop,
        # a file that only designates records already in the graph: where they are (no import is made)
        "held": [
            {"import": None if where == "curated" else where, "owner": owner, "rows": n}
            for where, owner, n in prepared.held_elsewhere
        ],
    }


# ---------------------------------------------------------------------------------------------- explore


def chains(graph: Any, source: str, target: str, *, k: int = 3, lang: str = "fr") -> list[dict[str, Any]]:
    """The *k* shortest chains from *source* to *target*, hop by hop in sentences, each source by its title.

    Raises
    ------
    UnknownEntityError
        For a name that is not in the graph (with the closest names).
    """
    from kg.network.chain_words import headline
    from kg.network.chains import find_chains
    from kg.present.story import documents

    docs = documents(graph)
    out = []
    for chain in find_chains(graph, source, target, k=k, lang=lang):
        hops = []
        for hop in chain.hops:
            hops.append(
                {
                    "sentence": hop.sentence(lang).split(" — ")[0],
                    "from": {"label": hop.source_label, "href": href(hop.source)},
                    "to": {"label": hop.target_label, "href": href(hop.target)},
                    "sources": [
                        {
                            "title": docs.get(doc, {}).get("title") or doc.rsplit("/", 1)[-1],
                            "date": docs.get(doc, {}).get("date"),
                            "publisher": docs.get(doc, {}).get("publisher"),
                            "href": href(doc),
                            "quote": quote,
                        }
                        for doc, quote in hop.sources
                    ],
                }
            )
        out.append({"headline": headline(chain, lang), "hops": hops, "nodes": chain.nodes})
    return out


@dataclass
class ViewMade:
    """A view written by :func:`make_view`: its files, and what it shows (for the downloads)."""

    key: str
    title: str
    path: Path
    nodes: list[str] = field(default_factory=list)
    territory: str | None = None
    steps: int = 0


def make_view(
    graph: Any,
    folder: Path,
    *,
    chain: tuple[str, str] | None = None,
    territory: str | None = None,
    k: int = 3,
    lang: str = "fr",
    stamp: str = "",
) -> ViewMade:
    """Write the view of a chain or a territory in *folder* (HTML with its story, SVG and PNG beside it).

    The same view for the same question on the same store (*stamp*) is written once.
    """
    from kg.present.view import view

    what = repr((chain, territory, k, lang, stamp)).encode("utf-8")
    key = hashlib.sha256(what).hexdigest()[:16]
    out = folder / f"{key}.html"
    folder.mkdir(parents=True, exist_ok=True)
    if chain is not None:
        result = view(graph, chain=chain, k=k, lang=lang, out=out, story=True, pictures=("svg", "png"))
    else:
        result = view(graph, territory=territory, lang=lang, out=out, story=True, pictures=("svg", "png"))
    model = result.model
    steps = len(model.addons.get("story", {}).get("steps", [])) if model else 0
    return ViewMade(
        key,
        model.title if model else key,
        out,
        [str(n["iri"]) for n in model.nodes if n.get("iri")] if model else [],
        territory,
        steps,
    )


def write_download(graph: Any, made: ViewMade, fmt: str, data_dir: Path, lang: str = "fr") -> Path:
    """The file of *made* in format *fmt* (a key of :data:`DOWNLOADS`), written beside its HTML if needed."""
    path = made.path.with_suffix(f".{fmt}")
    if path.is_file():
        return path
    if fmt == "gexf":
        from kg.present.export_network import flat_projection, write_gexf

        F = flat_projection(graph, lang=lang)
        write_gexf(F.subgraph([n for n in made.nodes if n in F]).copy(), path)
    elif fmt == "xlsx":
        if made.territory:
            from kg.sheets.export import export_xlsx
            from kg.store.ecosystem import ecosystem

            eco = ecosystem(graph, made.territory)
            export_xlsx(path, data_dir, territory=made.territory, keep=set(eco.reasons))
        else:
            _nodes_workbook(graph, made, path, lang)
    else:
        raise InputError(
            [Problem(path.name, None, None, f"no {fmt} file for this view", "regenerate the view")]
        )
    return path


def _nodes_workbook(graph: Any, made: ViewMade, path: Path, lang: str) -> None:
    """A workbook of what a chain view shows: its nodes and its links, with their sources (sheets « Nœuds », « Liens »)."""
    from openpyxl import Workbook

    from kg.present.export_network import flat_projection

    F = flat_projection(graph, lang=lang)
    keep = [n for n in made.nodes if n in F]
    wb = Workbook()
    nodes = wb.active
    assert nodes is not None
    nodes.title = "Nœuds" if lang == "fr" else "Nodes"
    cols = ["label", "kind", "type", "territory", "start", "end", "sources", "iri"]
    nodes.append(cols)
    for n in keep:
        d = F.nodes[n]
        nodes.append([str(d.get(c, "")) for c in cols])
    links = wb.create_sheet("Liens" if lang == "fr" else "Links")
    ecols = ["kind", "label", "role", "start", "end", "sources"]
    links.append(["from", "to", *ecols])
    for a, b, d in F.subgraph(keep).edges(data=True):
        links.append(
            [F.nodes[a].get("label", a), F.nodes[b].get("label", b), *(str(d.get(c, "")) for c in ecols)]
        )
    wb.save(path)
