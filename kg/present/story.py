"""Guided stories through a view: steps that each focus a few nodes and links and show one sentence with its
source (document title, publisher and date when known, and the quoted sentence), as plain data.

The page add-on ``kg/present/static/story.js`` reads them (``DATA.addons.story``): arrow keys and buttons
move through the steps, the step is in the URL fragment (``#etape=3``). Sentences come from the data —
a relation's own words (:meth:`kg.network.chains.Hop.sentence`) and the quote its source gives —, never
from anywhere else.

- :func:`chain_story`: one step per hop of alliance chains (:func:`kg.network.chains.find_chains`);
- :func:`territory_story`: one step per programme of a selection, in time order;
- :func:`history_story`: one step per year in which something in the selection starts;
- :func:`load_story`: a story written by hand in YAML (nodes and links by name or IRI);
- :func:`timeline_addon`: the data of the time axis under the network (``static/timeline.js``).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="actor", label="Alpha", start=None, end=None, sources=[])
>>> G.add_node("p", kind="programme", label="Programme P", start="2019", end=None,
...            sources=[("doc/d1", "Le programme P démarre en 2019.")])
>>> _ = G.add_edge("a", "p", kind="participation", role="porteur", start="2020", end=None,
...                sources=[("doc/d1", "Alpha porte P depuis 2020.")])
>>> story = history_story(G, G.nodes, docs={"doc/d1": {"title": "Document 1", "date": "2021"}})
>>> [(s["year"], s["sentence"]) for s in story["steps"]]
[(2019, 'Début du programme Programme P (2019)'), (2020, 'Alpha est porteur de Programme P (depuis 2020)')]
>>> story["steps"][1]["source"]["title"], story["steps"][1]["source"]["quote"]
('Document 1', 'Alpha porte P depuis 2020.')
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.network.attributes import concept_labels, sources_of
from kg.present.story_words import STORY_UI, relation_sentence, source_of, story_data, story_lang, year_of
from kg.present.story_words import WORDS as _WORDS

__all__ = [
    "STORY_UI",
    "attach",
    "chain_story",
    "documents",
    "history_story",
    "load_story",
    "territory_story",
    "timeline_addon",
]

Q_DOCUMENTS = """
SELECT ?doc ?title ?issued ?publisher WHERE {
  ?doc a foaf:Document ; dct:title ?title .
  OPTIONAL { ?doc dct:issued ?issued }
  OPTIONAL { ?doc dct:publisher ?p . ?p rdfs:label ?publisher }
}"""


def documents(graph: Any) -> dict[str, dict[str, str]]:
    """The source documents of *graph*: IRI → ``{"title", "publisher", "date"}`` (those known)."""
    out: dict[str, dict[str, str]] = {}
    for r in graph.query(Q_DOCUMENTS):
        d = out.setdefault(str(r["doc"]), {"title": str(r["title"])})
        if r.get("issued") is not None:
            d.setdefault("date", str(r["issued"]))
        if r.get("publisher") is not None:
            d.setdefault("publisher", str(r["publisher"]))
    return out


def chain_story(
    G: nx.MultiDiGraph, chains: Iterable[Any], *, lang: str = "fr", docs: dict | None = None
) -> dict[str, Any]:
    """One step per hop of *chains* (:class:`kg.network.chains.Chain`), a hop told once even when several
    chains share it; a hop carried by a grant also focuses the grant's node.

    >>> import networkx as nx
    >>> from kg.network.chains import find_chains
    >>> G = nx.MultiDiGraph()
    >>> for n in "abc": G.add_node(n, kind="actor", label=n.upper(), start=None)
    >>> _ = G.add_edge("a", "b", kind="fondation", via=None, start="2020", end=None, sources=[("d/x", "A fonde B")])
    >>> _ = G.add_edge("b", "c", kind="soutien", via="s", role=None, start=None, end=None, sources=[])
    >>> [(s["title"], s["sentence"], s["source"] and s["source"]["quote"])
    ...  for s in chain_story(G, find_chains(G, "a", "c"))["steps"]]
    [('Chaîne 1 · lien 1/2', 'A a fondé ou cofondé B (en 2020)', 'A fonde B'), ('Chaîne 1 · lien 2/2', 'B apporte à C un soutien « membre » (date inconnue)', None)]
    """
    lang = story_lang(lang)
    w = _WORDS[lang]
    steps: list[dict[str, Any]] = []
    told: set[tuple[str, str, str]] = set()
    for c, chain in enumerate(chains, 1):
        for i, hop in enumerate(chain.hops, 1):
            key = (hop.source, hop.target, hop.kind)
            if key in told:
                continue
            told.add(key)
            nodes = [hop.source, hop.target]
            edges = [[hop.source, hop.target]]
            if hop.via and hop.via in G and G.nodes[hop.via].get("kind") == "funding":
                nodes.append(hop.via)
                edges = [[hop.source, hop.via], [hop.via, hop.target]]
            steps.append(
                {
                    "title": w["chain"].format(c=c, i=i, n=len(chain.hops)),
                    "sentence": dataclasses.replace(hop, sources=()).sentence(lang),
                    "source": source_of(hop.sources, docs),
                    "nodes": nodes,
                    "edges": edges,
                }
            )
    return story_data(w["chains"], steps, lang)


# ---------------------------------------------------------------- relations as sentences


#: undated links that a year-by-year story tells in the year their later end starts
_STRUCTURE = ("partie", "succession", "inspiration")


def _relations(G: nx.MultiDiGraph, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """The relations between *nodes* (grants contracted funder → recipient), territories left out."""
    from kg.network.chains import chain_graph

    H = chain_graph(G.subgraph(list(nodes)))
    rels = [r for _, _, d in H.edges(data=True) for r in d["rels"] if r.get("kind") != "territoire"]
    return sorted(rels, key=lambda r: (str(r.get("start") or ""), r["a"], r["b"], str(r.get("kind"))))


def _rel_nodes_edges(G: nx.MultiDiGraph, rel: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    a, b, via = rel["a"], rel["b"], rel.get("via")
    if via and via in G and G.nodes[via].get("kind") == "funding":
        return [a, via, b], [[a, via], [via, b]]
    return [a, b], [[a, b]]


# ---------------------------------------------------------------- history: one step per year


def history_story(
    G: nx.MultiDiGraph, nodes: Iterable[str], *, lang: str = "fr", docs: dict | None = None
) -> dict[str, Any]:
    """One step per year in which something among *nodes* starts: a programme, an event, a publication
    (their own dates) or a relation (its own start). Each step sets the page's year slider to its year,
    focuses what starts then and tells the first of it with its source (``more`` lists the rest).
    Undated relations tell no year: they are not steps (the time axis marks them).
    """
    lang = story_lang(lang)
    w = _WORDS[lang]
    keep = [n for n in nodes if n in G]
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in sorted(keep, key=lambda n: (str(G.nodes[n].get("start") or ""), str(n))):
        d = G.nodes[n]
        y = year_of(d.get("start"))
        kind = d.get("kind")
        if y is None or kind not in ("programme", "event", "publication"):
            continue
        items[y].append(
            {
                "sentence": w[kind].format(x=d.get("label") or n, d=d.get("start")),
                "source": source_of(d.get("sources"), docs),
                "nodes": [n],
                "edges": [],
            }
        )
    for rel in _relations(G, keep):
        y = year_of(rel.get("start"))
        if y is None and rel.get("kind") in _STRUCTURE:
            # an undated link between programmes (Q2ER part of AET) is told when the later end starts
            ends = [year_of(G.nodes[n].get("start")) for n in (rel["a"], rel["b"])]
            y = max(ends) if all(ends) else None  # type: ignore[type-var]
        if y is None:
            continue
        ns, es = _rel_nodes_edges(G, rel)
        items[y].append(
            {
                "sentence": relation_sentence(G, rel, lang),
                "source": source_of(rel.get("sources"), docs),
                "nodes": ns,
                "edges": es,
            }
        )
    steps = []
    for y in sorted(items):
        first = items[y][0]
        step_nodes: list[str] = []
        step_edges: list[list[str]] = []
        for it in items[y]:
            step_nodes += [n for n in it["nodes"] if n not in step_nodes]
            step_edges += [e for e in it["edges"] if e not in step_edges]
        steps.append(
            {
                "title": str(y),
                "year": y,
                "sentence": first["sentence"],
                "source": first["source"],
                "more": [it["sentence"] for it in items[y][1:4]],  # a slide holds a few lines
                "nodes": step_nodes,
                "edges": step_edges,
            }
        )
    return story_data(w["history"], steps, lang, years=True)


# ---------------------------------------------------------------- territory: one step per programme


def territory_story(
    G: nx.MultiDiGraph, nodes: Iterable[str], *, lang: str = "fr", docs: dict | None = None
) -> dict[str, Any]:
    """One step per programme among *nodes*, in time order (undated ones last, by name): the programme,
    who takes part in it (with their roles), and its first source — else the first source of a
    participation.
    """
    lang = story_lang(lang)
    w = _WORDS[lang]
    keep = {n for n in nodes if n in G}
    labels = concept_labels(G)
    progs = sorted(
        (n for n in keep if G.nodes[n].get("kind") == "programme"),
        key=lambda n: (G.nodes[n].get("start") is None, str(G.nodes[n].get("start") or ""), str(n)),
    )
    steps = []
    for p in progs:
        d = G.nodes[p]
        near: list[str] = []
        edges: list[list[str]] = []
        who: list[str] = []
        srcs = sources_of(d.get("sources"))
        for a, b, e in sorted(
            list(G.in_edges(p, data=True)) + list(G.out_edges(p, data=True)), key=lambda t: (t[0], t[1])
        ):
            other = a if b == p else b
            if other not in keep or e.get("kind") == "territoire":
                continue
            if other not in near:
                near.append(other)
            if [a, b] not in edges:
                edges.append([a, b])
            if e.get("kind") == "participation":
                role = e.get("role")
                word = (
                    (labels.get(f"role/{role}") or labels.get(role) or {}).get(lang, role) if role else None
                )
                name = str(G.nodes[other].get("label") or other)
                who.append(f"{name} ({str(word).lower()})" if word else name)
                srcs += sources_of(e.get("sources"))
        dates = (
            f"{d['start']}–{d['end']}"
            if d.get("start") and d.get("end") and d["start"] != d["end"]
            else w["since"].format(d=d["start"])
            if d.get("start")
            else w["undated"]
        )
        label = str(d.get("label") or p)
        sentence = (
            w["with"].format(x=label, d=dates, who=", ".join(who[:6]) + ("…" if len(who) > 6 else ""))
            if who
            else w["alone"].format(x=label, d=dates)
        )
        steps.append(
            {
                "title": label,
                "year": year_of(d.get("start")),
                "sentence": sentence,
                "source": source_of(srcs, docs),
                "nodes": [p, *near],
                "edges": edges,
            }
        )
    return story_data(w["territory"], steps, lang)


# ---------------------------------------------------------------- a story written by hand


def load_story(
    path: str | Path,
    G: nx.MultiDiGraph,
    *,
    lang: str = "fr",
    docs: dict | None = None,
) -> dict[str, Any]:
    """A story written in YAML (its format: :func:`kg.present.story_file.read_story`).

    Raises
    ------
    InputError
        With every problem at once (in French), each naming the file, the step's line and the field.
    """
    from kg.present.story_file import read_story

    return read_story(path, G, lang=lang, docs=docs)


# ---------------------------------------------------------------- the time axis


def timeline_addon(lang: str = "fr") -> dict[str, Any]:
    """The data of the ``timeline`` add-on: its words (the years and marks come from the view's own data)."""
    return {"ui": STORY_UI[story_lang(lang)]}


# ---------------------------------------------------------------- the hook of kg.present.view.view


def attach(
    model: Any,
    graph: Any,
    G: nx.MultiDiGraph,
    nodes: Iterable[str],
    *,
    story: bool | str | Path | None = None,
    chains: Iterable[Any] | None = None,
    territory: bool = False,
    timeline: bool = False,
    lang: str = "fr",
) -> None:
    """Add the story (and the time axis) to *model*'s add-ons: a YAML file when *story* is a path, else
    the chain's hops (*chains*), a territory's programmes (*territory*) or the history year by year —
    which brings the time axis with it."""
    if not story and not timeline:
        return
    docs = documents(graph) if story and graph is not None else {}
    if isinstance(story, (str, Path)) and not isinstance(story, bool):
        model.addons["story"] = load_story(story, G, lang=lang, docs=docs)
    elif story and chains:
        model.addons["story"] = chain_story(G, chains, lang=lang, docs=docs)
    elif story and territory:
        model.addons["story"] = territory_story(G, nodes, lang=lang, docs=docs)
    elif story:
        model.addons["story"] = history_story(G, nodes, lang=lang, docs=docs)
        timeline = True
    if story and not isinstance(story, (str, Path)):  # a step about grouped nodes only would show nothing
        drawn = {n.get("iri") for n in model.nodes}
        steps = model.addons["story"]["steps"]
        steps[:] = [s for s in steps if drawn.intersection(s["nodes"])]
    if timeline and model.years:
        model.addons["timeline"] = timeline_addon(lang)
