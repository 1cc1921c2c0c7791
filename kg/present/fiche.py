"""What the page behind an IRI shows (« fiche »), as plain data: :func:`fiche` for any node of the graph,
with :func:`actor_relations` for an actor, and :mod:`kg.present.fiche_places` for territories and documents.

Every value is read with bound queries (``graph.query(text, node=IRI(…))``), never pasted into a query.
Labels are chosen in the page's language: its own, else French, else a label without a language, else the
IRI's last segment. Nothing here writes HTML: :mod:`kg.serve.resources` renders these dicts with Jinja2
(autoescape), so a name full of markup stays text.

>>> kind_of_iri("https://w3id.org/territorial-kg/id/actor/le-rameau/source/1")
('actor', 'source')
>>> kind_of_iri("https://w3id.org/territorial-kg/id/territory/commune/94018")
('territory', '')
>>> kind_of_iri("https://w3id.org/territorial-kg/concept/theme/recherche")
('concept', '')
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from kg.model.vocab import BASE, PREFIXES

__all__ = [
    "KIND_NAMES",
    "RELATION_KINDS",
    "actor_questions",
    "actor_relations",
    "exists",
    "fiche",
    "kind_of_iri",
    "pick",
    "relation_names",
    "short_iri",
    "sources",
]

#: the kinds of records whose node links two or more others: an actor's relations, grouped by these
RELATION_KINDS = (
    "participation",
    "membership",
    "funding",
    "support",
    "post",
    "event",
    "publication",
    "connection",
    "figure",
)
#: the name of each kind of node, singular and plural, in French and English
KIND_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "actor": {"fr": ("Acteur", "Acteurs"), "en": ("Actor", "Actors")},
    "person": {"fr": ("Personne", "Personnes"), "en": ("Person", "People")},
    "programme": {"fr": ("Programme", "Programmes"), "en": ("Programme", "Programmes")},
    "participation": {"fr": ("Participation", "Participations"), "en": ("Participation", "Participations")},
    "membership": {"fr": ("Adhésion", "Adhésions"), "en": ("Membership", "Memberships")},
    "funding": {"fr": ("Financement", "Financements"), "en": ("Funding", "Fundings")},
    "support": {"fr": ("Soutien", "Soutiens"), "en": ("Support", "Supports")},
    "post": {"fr": ("Poste", "Postes"), "en": ("Post", "Posts")},
    "event": {"fr": ("Événement", "Événements"), "en": ("Event", "Events")},
    "publication": {"fr": ("Publication", "Publications"), "en": ("Publication", "Publications")},
    "connection": {"fr": ("Lien (Kumu)", "Liens (Kumu)"), "en": ("Link (Kumu)", "Links (Kumu)")},
    "figure": {"fr": ("Chiffre", "Chiffres"), "en": ("Figure", "Figures")},
    "document": {
        "fr": ("Document source", "Documents sources"),
        "en": ("Source document", "Source documents"),
    },
    "dataset": {"fr": ("Jeu de données", "Jeux de données"), "en": ("Dataset", "Datasets")},
    "agent": {"fr": ("Agent", "Agents"), "en": ("Agent", "Agents")},
    "territory": {"fr": ("Territoire", "Territoires"), "en": ("Territory", "Territories")},
    "concept": {"fr": ("Concept", "Concepts"), "en": ("Concept", "Concepts")},
    "graph": {"fr": ("Graphe nommé", "Graphes nommés"), "en": ("Named graph", "Named graphs")},
    "source": {"fr": ("Source", "Sources"), "en": ("Source", "Sources")},
    "period": {"fr": ("Période", "Périodes"), "en": ("Period", "Periods")},
    "amount": {"fr": ("Montant", "Montants"), "en": ("Amount", "Amounts")},
    "participant": {"fr": ("Participant", "Participants"), "en": ("Participant", "Participants")},
    "property": {"fr": ("Propriété", "Propriétés"), "en": ("Property", "Properties")},
}
_PART = re.compile(
    r"^"
    + re.escape(BASE)
    + r"id/([a-z]+)/[^/]+(?:/[^/]+)?/(source|period|amount|participant|property)(?:/|$)"
)
_ID = re.compile(r"^" + re.escape(BASE) + r"(?:id/([a-z]+)/|(concept|graph)/)")
#: the most links into one node a page lists (a region is part of nothing, but thousands of communes are in it)
MAX_INCOMING = 300

_OUT = """SELECT ?p ?o ?ol ?pl WHERE {
  ?node ?p ?o
  OPTIONAL { ?o rdfs:label|skos:prefLabel|dct:title ?ol }
  OPTIONAL { ?p rdfs:label ?pl }
}"""
_IN = f"SELECT ?s ?p WHERE {{ ?s ?p ?node }} LIMIT {MAX_INCOMING + 1}"
_LABELS_OF = """SELECT ?node ?l WHERE { ?node rdfs:label|skos:prefLabel|dct:title ?l }"""
#: the predicates naming who acts in a relation (the funder, the member…): named first
_ACTING = (
    PREFIXES["schema"] + "funder",
    PREFIXES["org"] + "member",
    PREFIXES["tkg"] + "provider",
    PREFIXES["org"] + "heldBy",
)
#: what an unnamed relation node names, with their labels: to call it by them (« Adhésion : A – B »)
_NAMED_BY = (
    """SELECT ?node ?p ?x ?l WHERE { ?node ?p ?x . FILTER(isIRI(?x)) ?x rdfs:label|skos:prefLabel ?l }"""
)
_CHUNK = 200
_SOURCES = """SELECT ?d ?doc ?quote ?title ?issued WHERE {
  ?node prov:qualifiedDerivation ?d . ?d prov:entity ?doc .
  OPTIONAL { ?d tkg:quote ?quote }
  OPTIONAL { ?doc dct:title ?title }
  OPTIONAL { ?doc dct:issued ?issued }
}"""
_DATES = """SELECT ?start ?end WHERE {
  { ?node dct:temporal ?t . OPTIONAL { ?t dcat:startDate ?start } OPTIONAL { ?t dcat:endDate ?end } }
  UNION { ?node schema:startDate ?start OPTIONAL { ?node schema:endDate ?end } }
  UNION { ?node dct:issued ?start }
}"""
_EXISTS = "ASK { ?node ?p ?o }"
_USED = "ASK { ?s ?p ?node }"
_TYPES = (PREFIXES["rdf"] + "type",)
_LABELS = {PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["dct"] + "title"}
_DESCRIPTIONS = {
    PREFIXES["dct"] + "description",
    PREFIXES["skos"] + "definition",
    PREFIXES["rdfs"] + "comment",
}
#: what a page shows elsewhere (its sources, its dates) or that is bookkeeping of provenance
_SHOWN_APART = {
    PREFIXES["prov"] + "qualifiedDerivation",
    PREFIXES["prov"] + "wasDerivedFrom",
    PREFIXES["dct"] + "temporal",
}


def kind_of_iri(iri: str) -> tuple[str, str]:
    """(kind, part) of a project IRI: ``("actor", "")``, ``("actor", "source")``, ``("concept", "")``,
    ``("", "")`` for an IRI that is not the project's."""
    m = _PART.match(iri)
    if m:
        return m.group(1), m.group(2)
    m = _ID.match(iri)
    if m:
        return m.group(1) or m.group(2), ""
    return "", ""


def short_iri(iri: str) -> str:
    """*iri* with the longest known prefix (``schema:founder``), else as it is."""
    best, out = "", iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, out = ns, f"{prefix}:{iri[len(ns) :]}"
    return out


def pick(labels: list[tuple[str, str]], lang: str, fallback: str = "") -> str:
    """The best of *labels* (``(text, language)`` pairs) for *lang*: its own, French, none, any.

    >>> pick([("Le RAMEAU", "fr"), ("The RAMEAU", "en")], "en"), pick([("x", "de")], "fr"), pick([], "fr", "id")
    ('The RAMEAU', 'x', 'id')
    """
    for want in (lang, "fr", ""):
        for text, language in labels:
            if language == want:
                return text
    return labels[0][0] if labels else fallback


def _last(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _term(t: Any) -> tuple[str, str, str]:
    """(kind, value, language or datatype) of a pyoxigraph term."""
    name = type(t).__name__
    if name == "NamedNode":
        return "iri", t.value, ""
    if name == "BlankNode":
        return "bnode", t.value, ""
    lang = getattr(t, "language", None)
    if lang:
        return "literal", t.value, lang
    datatype = getattr(t, "datatype", None)
    return "literal", t.value, short_iri(datatype.value) if datatype is not None else ""


def _rows(graph: Any, text: str, **bindings: Any) -> list[dict[str, Any]]:
    return list(graph.query(text, raw=True, **bindings))


def _iri(value: str) -> Any:
    from kg.store.graph import IRI

    return IRI(value)


def _rows_of(graph: Any, text: str, iris: list[str]) -> Iterator[dict[str, Any]]:
    """The rows of the query *text* with ``?node`` bound to each of *iris*, asked in chunks as ``VALUES``
    (the IRIs written as terms by :func:`kg.store.graph.to_term`, never pasted as text)."""
    from kg.store.graph import to_term

    for i in range(0, len(iris), _CHUNK):
        values = " ".join(str(to_term(_iri(n))) for n in iris[i : i + _CHUNK])
        yield from _rows(graph, text.replace("WHERE {", f"WHERE {{ VALUES ?node {{ {values} }}", 1))


def _labels_of(graph: Any, iris: list[str]) -> dict[str, list[Any]]:
    """The labels (pyoxigraph literals) of each of *iris*."""
    out: dict[str, list[Any]] = defaultdict(list)
    for r in _rows_of(graph, _LABELS_OF, iris):
        out[r["node"].value].append(r["l"])
    return out


def relation_names(graph: Any, iris: list[str], lang: str = "fr") -> dict[str, str]:
    """A readable name for each unnamed relation node of *iris* (a membership, a funding…): its kind, then
    the actors, people and programmes it names, in the order of their predicates — « Adhésion : Club ESS –
    Réseau des catalyseurs territoriaux ». Nothing is invented: a node that names none of them is left out.
    """
    words = "en" if lang == "en" else "fr"
    wanted = [i for i in iris if kind_of_iri(i)[0] in RELATION_KINDS and not kind_of_iri(i)[1]]
    named: dict[str, dict[tuple[str, str], list[tuple[str, str]]]] = defaultdict(dict)
    for r in _rows_of(graph, _NAMED_BY, wanted):
        x = r["x"].value
        kind, part = kind_of_iri(x)
        if part or kind not in ("actor", "person", "programme"):
            continue
        label = r["l"]
        named[r["node"].value].setdefault((r["p"].value, x), []).append(
            (label.value, getattr(label, "language", None) or "")
        )
    out = {}
    for node, others in named.items():
        order = sorted(others, key=lambda px: (px[0] not in _ACTING, px[0], px[1]))
        names = list(dict.fromkeys(pick(sorted(set(others[px])), lang) for px in order))
        kind_word = KIND_NAMES[kind_of_iri(node)[0]][words][0]
        out[node] = (
            f"{kind_word} : {' – '.join(names)}" if words == "fr" else f"{kind_word}: {' – '.join(names)}"
        )
    return out


_PART_VALUES = """SELECT ?node ?v ?c ?s ?e WHERE {
  OPTIONAL { ?node schema:value ?v } OPTIONAL { ?node schema:currency ?c }
  OPTIONAL { ?node dcat:startDate ?s } OPTIONAL { ?node dcat:endDate ?e }
}"""


def part_names(graph: Any, iris: list[str]) -> dict[str, str]:
    """What an amount or a period node holds, as its name: « 3000 EUR », « 2021 – 2022 », « 2014 – »."""
    wanted = [i for i in iris if kind_of_iri(i)[1] in ("amount", "period")]
    out: dict[str, str] = {}
    for r in _rows_of(graph, _PART_VALUES, wanted):
        got = {k: r[k].value for k in ("v", "c", "s", "e") if r.get(k) is not None}
        if "v" in got:
            name = f"{got['v']} {got.get('c', '')}".strip()
        elif "s" in got or "e" in got:
            name = f"{got.get('s', '')} – {got.get('e', '')}".strip()
        else:
            continue
        out.setdefault(r["node"].value, name)
    return out


def _name_unnamed(graph: Any, groups: list[dict[str, Any]], lang: str) -> None:
    """Give the unnamed relation nodes among *groups*' values their :func:`relation_names`, and amounts and
    periods their :func:`part_names`, in place."""
    unnamed = {
        v["value"]
        for g in groups
        for v in g["values"]
        if v["own"]
        and v["label"] == short_iri(v["value"])
        and (kind_of_iri(v["value"])[0] in RELATION_KINDS or kind_of_iri(v["value"])[1])
    }
    if not unnamed:
        return
    names = relation_names(graph, sorted(unnamed), lang)
    names.update(part_names(graph, sorted(unnamed)))
    for g in groups:
        for v in g["values"]:
            if v["value"] in names and v["label"] == short_iri(v["value"]):
                v["label"] = names[v["value"]]
        g["values"].sort(key=lambda i: (i["label"].lower(), i["value"]))


def exists(graph: Any, iri: str) -> bool:
    """Whether the graph says anything of *iri* (as a subject, or else as an object)."""
    node = _iri(iri)
    return bool(graph.query(_EXISTS, node=node) or graph.query(_USED, node=node))


def sources(graph: Any, iri: str) -> list[dict[str, str]]:
    """The sources of *iri*: one dict per derivation, ``document``, ``title``, ``date``, ``quote``, in order."""
    out: dict[str, dict[str, str]] = {}
    for r in _rows(graph, _SOURCES, node=_iri(iri)):
        d = r["d"].value
        item = out.setdefault(
            d,
            {"derivation": d, "document": r["doc"].value, "title": "", "date": "", "quote": ""},
        )
        for key, var in (("title", "title"), ("date", "issued"), ("quote", "quote")):
            if r.get(var) is not None and not item[key]:
                item[key] = r[var].value
        if not item["title"]:
            item["title"] = _last(item["document"])

    def order(d: str) -> tuple[int, str]:
        tail = _last(d)
        return (int(tail), d) if tail.isdigit() else (0, d)

    return [out[d] for d in sorted(out, key=order)]


def dates(graph: Any, iri: str) -> tuple[str, str]:
    """(start, end) of *iri* as the source gives them (ISO text; empty when unknown)."""
    start = end = ""
    for r in _rows(graph, _DATES, node=_iri(iri)):
        if r.get("start") is not None and not start:
            start = r["start"].value
        if r.get("end") is not None and not end:
            end = r["end"].value
    return start, end


def _grouped(rows: list[dict[str, Any]], other: str, lang: str) -> list[dict[str, Any]]:
    """Rows of (predicate, node, labels) as groups per predicate: ``{predicate, label, values}``."""
    plabels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    values: dict[str, dict[tuple[str, str, str], list[tuple[str, str]]]] = defaultdict(dict)
    for r in rows:
        p = r["p"].value
        if r.get("pl") is not None:
            plabels[p].append((r["pl"].value, r["pl"].language or ""))
        key = _term(r[other])
        labels = values[p].setdefault(key, [])
        if r.get(other[0] + "l") is not None:
            label = r[other[0] + "l"]
            labels.append((label.value, getattr(label, "language", None) or ""))
    groups = []
    for p in sorted(values, key=lambda p: (pick(sorted(set(plabels[p])), lang, short_iri(p)).lower(), p)):
        items = []
        for (kind, value, extra), labels in values[p].items():
            item: dict[str, Any] = {"kind": kind, "value": value, "extra": extra}
            item["iri"] = value if kind == "iri" else ""
            item["label"] = pick(sorted(set(labels)), lang, short_iri(value) if kind == "iri" else value)
            item["own"] = kind == "iri" and value.startswith(BASE)
            items.append(item)
        items.sort(key=lambda i: (i["label"].lower(), i["value"]))
        groups.append(
            {
                "predicate": p,
                "short": short_iri(p),
                "label": pick(sorted(set(plabels[p])), lang, short_iri(p)),
                "values": items,
            }
        )
    return groups


def fiche(graph: Any, iri: str, lang: str = "fr") -> dict[str, Any] | None:
    """Everything the graph says of *iri*, for its page; None when it says nothing of it.

    Returns
    -------
    dict
        ``iri``, ``kind``, ``part`` (see :func:`kind_of_iri`), ``kind_label``, ``label``, ``types``
        (``[{iri, label}]``), ``description``, ``start``, ``end``, ``sources`` (:func:`sources`),
        ``properties`` (what it says, grouped by predicate: ``{predicate, short, label, values:
        [{kind, value, extra, iri, label, own}]}``), ``incoming`` (what says something of it, the same
        shape, at most :data:`MAX_INCOMING` in all) and ``incoming_cut`` (more were left out).
    """
    if not exists(graph, iri):
        return None
    kind, part = kind_of_iri(iri)
    node = _iri(iri)
    out_rows = _rows(graph, _OUT, node=node)
    in_rows = _rows(graph, _IN, node=node)
    cut = len(in_rows) > MAX_INCOMING
    in_rows = in_rows[:MAX_INCOMING]
    names = _labels_of(graph, sorted({r["s"].value for r in in_rows if _term(r["s"])[0] == "iri"}))
    names.update(_labels_of(graph, sorted({r["p"].value for r in in_rows})))
    in_rows = [
        {"s": r["s"], "p": r["p"], "sl": lab, "pl": plab}
        for r in in_rows
        for lab in names.get(r["s"].value) or [None]
        for plab in names.get(r["p"].value) or [None]
    ]
    labels = [
        (r["o"].value, getattr(r["o"], "language", None) or "")
        for r in out_rows
        if r["p"].value in _LABELS and _term(r["o"])[0] == "literal"
    ]
    descriptions = [
        (r["o"].value, getattr(r["o"], "language", None) or "")
        for r in out_rows
        if r["p"].value in _DESCRIPTIONS and _term(r["o"])[0] == "literal"
    ]
    props = _grouped(
        [r for r in out_rows if r["p"].value not in _LABELS | _DESCRIPTIONS | _SHOWN_APART],
        "o",
        lang,
    )
    types: list[dict[str, Any]] = []
    for g in props:
        if g["predicate"] in _TYPES:
            types = [{"iri": v["value"], "label": v["label"]} for v in g["values"]]
    props = [g for g in props if g["predicate"] not in _TYPES]
    incoming = _grouped(in_rows, "s", lang)
    _name_unnamed(graph, props + incoming, lang)
    start, end = dates(graph, iri)
    kind_names = KIND_NAMES.get(part or kind, {}).get("en" if lang == "en" else "fr", ("", ""))
    return {
        "iri": iri,
        "kind": kind,
        "part": part,
        "kind_label": kind_names[0],
        "label": pick(sorted(set(labels)), lang, "")
        or relation_names(graph, [iri], lang).get(iri, _last(iri)),
        "named": bool(labels),
        "types": types,
        "description": pick(sorted(set(descriptions)), lang, ""),
        "start": start,
        "end": end,
        "sources": sources(graph, iri),
        "properties": props,
        "incoming": incoming,
        "incoming_cut": cut,
    }


# ------------------------------------------------------------------------------------------ an actor


def actor_relations(graph: Any, page: dict[str, Any], lang: str = "fr") -> list[dict[str, Any]]:
    """The relations of the actor of *page* (a :func:`fiche`), grouped by kind, each with its dates and sources.

    A relation is a record node that names the actor (a participation, membership, funding, support, post,
    event, publication, Kumu link or figure): ``[{kind, label, relations: [{iri, label, role, others, start,
    end, sources}]}]`` where ``role`` is how the relation names the actor (« financeur », « membre ») and
    ``others`` the other nodes it names (``[{role, label, iri}]``).
    """
    iri = page["iri"]
    words = "en" if lang == "en" else "fr"
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for group in page["incoming"]:
        for v in group["values"]:
            node = v["iri"]
            kind, part = kind_of_iri(node)
            if part or kind not in RELATION_KINDS or node in seen:
                continue
            seen.add(node)
            rel = fiche(graph, node, lang)
            if rel is None:
                continue
            roles = [g["label"] for g in rel["properties"] if any(x["value"] == iri for x in g["values"])]
            others = [
                {"role": g["label"], "label": x["label"], "iri": x["iri"]}
                for g in rel["properties"]
                for x in g["values"]
                if x["own"]
                and x["value"] != iri
                and kind_of_iri(x["value"])[0] not in ("concept", "")
                and not kind_of_iri(x["value"])[1]
            ]
            concepts = [
                x["label"]
                for g in rel["properties"]
                for x in g["values"]
                if kind_of_iri(x["value"])[0] == "concept"
            ]
            amounts = [
                x["label"]
                for g in rel["properties"]
                for x in g["values"]
                if kind_of_iri(x["value"])[1] == "amount"
            ]
            by_kind[kind].append(
                {
                    "iri": node,
                    "label": rel["label"]
                    if rel["named"]
                    else " – ".join(
                        o["label"] for o in others if kind_of_iri(o["iri"])[0] not in RELATION_KINDS
                    )
                    or rel["label"],
                    "role": ", ".join(roles),
                    "others": others,
                    "concepts": concepts,
                    "amount": _amount(graph, node) if kind == "funding" else "",
                    "has_amount": bool(amounts),
                    "description": rel["description"],
                    "start": rel["start"],
                    "end": rel["end"],
                    "sources": rel["sources"],
                }
            )
    out = []
    for kind in RELATION_KINDS:
        if by_kind.get(kind):
            rels = sorted(by_kind[kind], key=lambda r: (r["start"] or "9999", r["label"].lower(), r["iri"]))
            out.append({"kind": kind, "label": KIND_NAMES[kind][words][1], "relations": rels})
    return out


_AMOUNT = "SELECT ?value ?currency WHERE { ?node schema:amount ?a . ?a schema:value ?value OPTIONAL { ?a schema:currency ?currency } }"


def _amount(graph: Any, iri: str) -> str:
    """A grant's amount as written by the graph (« 150000 EUR »), empty when it has none."""
    for r in _rows(graph, _AMOUNT, node=_iri(iri)):
        currency = r["currency"].value if r.get("currency") is not None else ""
        return f"{r['value'].value} {currency}".strip()
    return ""


def actor_questions(graph: Any, iri: str, lang: str = "fr") -> list[dict[str, str]]:
    """The named questions that take one actor, bound to *iri*: ``[{name, title, query}]`` (runnable SPARQL,
    the value bound as ``VALUES``, for a link to the endpoint)."""
    from kg.errors import KGError
    from kg.store.graph import bind
    from kg.store.queries import bind_params, list_queries

    out = []
    for q in list_queries():
        if [p.type for p in q.params] not in (["actor"], ["node"]):
            continue
        try:
            text = bind(q.sparql, bind_params(graph, q, {q.params[0].name: _iri(iri)}))
        except KGError:
            continue
        out.append({"name": q.name, "title": q.title.get(lang) or q.title.get("fr", q.name), "query": text})
    return out
