"""Network analysis for non-specialists: brokers, communities, isolated actors, suggested links, growth.

Every finding carries one plain sentence saying what it means, in French (default)
or English. The heavy algorithms run on igraph (C) when it is installed and the graph
is large, else on NetworkX; ``tests/test_analysis.py`` checks both give the same
answers on small graphs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.errors import QueryError
from kg.network.chains import DEFAULT_KINDS

__all__ = [
    "Analysis",
    "Finding",
    "actor_graph",
    "analyse",
    "betweenness",
    "communities",
    "constraint",
    "effective_size",
    "growth",
    "suggest_links",
]

#: below this many nodes, betweenness is exact; above, it is estimated from k pivots
EXACT_BELOW = 2000


@dataclass
class Finding:
    """One result: what it is about, its figures, and a sentence for non-specialists."""

    kind: str
    subject: str
    label: str
    figures: dict[str, Any]
    sentence: str


@dataclass
class Analysis:
    """The findings of :func:`analyse`, by section."""

    brokers: list[Finding] = field(default_factory=list)
    communities: list[Finding] = field(default_factory=list)
    isolated: list[Finding] = field(default_factory=list)
    suggestions: list[Finding] = field(default_factory=list)
    growth: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def sections(self) -> list[tuple[str, list[Finding]]]:
        return [
            ("brokers", self.brokers),
            ("communities", self.communities),
            ("isolated", self.isolated),
            ("suggestions", self.suggestions),
            ("growth", self.growth),
        ]


def actor_graph(G: nx.MultiDiGraph, *, keep: set[str] | None = None) -> nx.Graph:
    """The undirected alliance graph (actors, people, programmes; grants as funder–recipient edges).

    *keep* restricts it to those nodes (e.g. the actors of a territory and their programmes).
    The same links as :func:`kg.network.chains.chain_graph` over the default relation kinds, without
    the per-relation details (analysis needs only who is linked to whom).
    """
    H: nx.Graph[str] = nx.Graph()
    H.add_nodes_from(
        (n, d)
        for n, d in G.nodes(data=True)
        if d.get("kind") not in ("territory", "funding") and (keep is None or n in keep)
    )
    kinds = set(DEFAULT_KINDS) - {"financement"}
    H.add_edges_from(
        (a, b) for a, b, d in G.edges(data=True) if d.get("kind") in kinds and a != b and a in H and b in H
    )
    for g, d in G.nodes(data=True):
        if d.get("kind") != "funding":
            continue
        funders = [a for a, _, e in G.in_edges(g, data=True) if e.get("kind") == "financement" and a in H]
        targets = [b for _, b, e in G.out_edges(g, data=True) if e.get("kind") == "financement" and b in H]
        H.add_edges_from((a, b) for a in funders for b in targets if a != b)
    return H


def _igraph(H: nx.Graph):
    """H as an igraph Graph with its node order (built once per graph and kept in ``H.graph``)."""
    cached = H.graph.get("_igraph")
    if cached is not None and cached[2] == (H.number_of_nodes(), H.number_of_edges()):
        return cached[0], cached[1]
    try:
        import igraph
    except ImportError:  # pragma: no cover - igraph is a dependency; NetworkX is the fallback
        return None, None
    nodes = list(H.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in H.edges()], directed=False)
    H.graph["_igraph"] = (g, nodes, (H.number_of_nodes(), H.number_of_edges()))
    return g, nodes


def betweenness(
    H: nx.Graph, *, k: int | None = None, seed: int = 42, engine: str = "auto"
) -> dict[str, float]:
    """Normalised betweenness centrality; estimated from *k* random pivots when *k* < n.

    Same definition as :func:`networkx.betweenness_centrality` (normalised, undirected).
    With ``engine="auto"`` igraph is used when installed and the graph is large.
    """
    n = H.number_of_nodes()
    if n < 3:
        return dict.fromkeys(H, 0.0)
    if k is None and n > EXACT_BELOW:
        k = 200
    use_igraph = engine == "igraph" or (engine == "auto" and n > 500)
    pivots = None
    if k is not None and k < n:
        pivots = random.Random(seed).sample(list(H.nodes), k)
    if use_igraph:
        g, nodes = _igraph(H)
        if g is not None:
            index = {v: i for i, v in enumerate(nodes)}
            if pivots is None:
                raw = g.betweenness(directed=False)
                scale = 2.0 / ((n - 1) * (n - 2))
            else:
                # Brandes' estimate: the pivots' dependencies scaled by n / k (as NetworkX does); igraph's
                # undirected subset betweenness halves each pair's count, hence the factor 2
                raw = g.betweenness(directed=False, sources=[index[p] for p in pivots])
                scale = 2.0 * (n / len(pivots)) / ((n - 1) * (n - 2))
            return {v: raw[i] * scale for i, v in enumerate(nodes)}
    if pivots is None:
        return nx.betweenness_centrality(H, normalized=True)
    raw = nx.betweenness_centrality_subset(H, sources=pivots, targets=list(H.nodes), normalized=False)
    scale = (n / len(pivots)) * 1.0 / ((n - 1) * (n - 2))
    return {v: b * 2 * scale for v, b in raw.items()}


def constraint(H: nx.Graph, nodes: Iterable[str] | None = None, *, engine: str = "auto") -> dict[str, float]:
    """Burt's constraint (unweighted): low values mean contacts that are not linked to each other."""
    nodes = list(H.nodes) if nodes is None else list(nodes)
    if engine != "networkx" and H.number_of_nodes() > 500:
        g, order = _igraph(H)
        if g is not None:
            index = {v: i for i, v in enumerate(order)}
            values = g.constraint([index[v] for v in nodes])
            return {v: (float("nan") if H.degree(v) == 0 else c) for v, c in zip(nodes, values, strict=False)}
    return nx.constraint(H, nodes=nodes)


def effective_size(H: nx.Graph, nodes: Iterable[str]) -> dict[str, float]:
    """Burt's effective size of each node's ego network (Borgatti's formula for unweighted graphs)."""
    out = {}
    for v in nodes:
        neigh = set(H[v])
        d = len(neigh)
        if d == 0:
            out[v] = float("nan")
            continue
        ties = sum(1 for a in neigh for b in H[a] if b in neigh) / 2
        out[v] = d - 2 * ties / d
    return out


def communities(H: nx.Graph, *, seed: int = 42, engine: str = "auto") -> list[set[str]]:
    """Communities by modularity (Leiden on igraph for large graphs, Louvain on NetworkX otherwise)."""
    if H.number_of_nodes() == 0:
        return []
    if engine != "networkx" and H.number_of_nodes() > 2000:
        g, nodes = _igraph(H)
        if g is not None:
            import igraph

            igraph.set_random_number_generator(random.Random(seed))
            parts = g.community_leiden(objective_function="modularity", n_iterations=2)
            return sorted(({nodes[i] for i in part} for part in parts), key=len, reverse=True)
    return sorted(nx.community.louvain_communities(H, seed=seed), key=len, reverse=True)


def _themes_of(G: nx.MultiDiGraph, H: nx.Graph) -> dict[str, set[str]]:
    """An actor's themes: its own, plus those of the programmes it takes part in."""
    themes = {n: set(G.nodes[n].get("themes", [])) for n in H}
    for n in H:
        if G.nodes[n].get("kind") == "programme":
            for m in H[n]:
                themes[m] |= set(G.nodes[n].get("themes", []))
    return themes


def suggest_links(G: nx.MultiDiGraph, H: nx.Graph, *, top: int = 10, max_group: int = 40) -> list[tuple]:
    """Pairs of actors sharing a theme and a territory but not yet linked, best first.

    An actor's territory is its most specific one (its jurisdiction or seat, else where it
    acts): "both in Charenton", not "both somewhere in Île-de-France". In a crowded
    (territory, theme) group only the *max_group* best-connected actors are paired, which
    keeps the cost linear in the number of groups.

    Returns ``(a, b, shared_themes, territory, common_neighbours, score)`` tuples.
    """
    themes = _themes_of(G, H)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in H:
        if G.nodes[n].get("kind") != "actor":
            continue
        for t in G.nodes[n].get("territory", [])[:1]:
            for th in themes[n]:
                groups[(t, th)].append(n)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for (terr, th), members in groups.items():
        if len(members) < 2:
            continue
        if len(members) > max_group:
            members = sorted(members, key=lambda m: (-H.degree(m), m))[:max_group]
        for a, b in itertools.combinations(sorted(members), 2):
            if H.has_edge(a, b):
                continue
            p = pairs.setdefault((a, b), {"themes": set(), "territory": terr})
            p["themes"].add(th)
    # common partners only for the pairs sharing the most themes (a pair's score is themes + ½ common)
    by_themes = sorted(pairs.items(), key=lambda kv: (-len(kv[1]["themes"]), kv[0]))
    if by_themes:
        floor = len(by_themes[min(len(by_themes), 50 * top) - 1][1]["themes"])
        by_themes = [kv for kv in by_themes if len(kv[1]["themes"]) >= floor]
    scored = []
    for (a, b), p in by_themes:
        common = len(set(H[a]) & set(H[b]))
        score = len(p["themes"]) + 0.5 * common
        scored.append((a, b, sorted(p["themes"]), p["territory"], common, score))
    scored.sort(key=lambda x: (-x[5], G.nodes[x[0]].get("label", ""), G.nodes[x[1]].get("label", "")))
    return scored[:top]


def growth(G: nx.MultiDiGraph, *, first: int | None = None, last: int | None = None) -> list[dict[str, int]]:
    """Per year: actors and programmes existing, relations active (dated items only).

    One pass over the graph: each dated item adds +1 from its start year and −1 after its
    end year (a difference array), so the cost does not grow with the number of years.
    """
    spans: dict[str, list[tuple[int, int | None]]] = {"actors": [], "programmes": [], "relations": []}
    for _, d in G.nodes(data=True):
        kind = d.get("kind")
        if d.get("start") and kind in ("actor", "programme"):
            end = int(str(d["end"])[:4]) if kind == "programme" and d.get("end") else None
            spans[kind + "s"].append((int(str(d["start"])[:4]), end))
    for *_, d in G.edges(data=True):
        if d.get("start") and d.get("kind") != "territoire":
            spans["relations"].append(
                (int(str(d["start"])[:4]), int(str(d["end"])[:4]) if d.get("end") else None)
            )
    starts = [a for items in spans.values() for a, _ in items]
    if not starts:
        return []
    ends = [b for items in spans.values() for _, b in items if b is not None]
    first = first or min(starts)
    last = last or max(starts + ends + [dt.date.today().year])
    width = last - first + 2
    counts: dict[str, list[int]] = {}
    for key, items in spans.items():
        delta = [0] * width
        for a, b in items:
            if a > last or (b is not None and b < first):
                continue
            delta[max(a, first) - first] += 1
            if b is not None and b < last:
                delta[b - first + 1] -= 1
        running, out = 0, []
        for v in delta[:-1]:
            running += v
            out.append(running)
        counts[key] = out
    return [
        {
            "year": first + i,
            "actors": counts["actors"][i],
            "programmes": counts["programmes"][i],
            "relations": counts["relations"][i],
        }
        for i in range(width - 1)
    ]


_S = {
    "fr": {
        "broker": "{label} relie des groupes qui sans lui ne se parlent pas : il se trouve sur {pct} des plus courts "
        "chemins entre acteurs, et ses {deg} contacts sont peu liés entre eux (contrainte de Burt {c}, "
        "taille effective {e}).",
        "community": "Groupe {i} : {n} membres autour de {members}{theme}.",
        "theme": " ; thème dominant : « {t} »",
        "isolated": "{label} n'a encore aucun lien d'alliance dans le graphe : une rencontre à organiser.",
        "suggestion": "{a} et {b} travaillent tous deux sur {themes} ({territory}) mais ne sont pas encore liés{common}.",
        "common": " ; ils ont {n} partenaire(s) en commun",
        "growth": "En {year} : {actors} acteur(s) daté(s), {programmes} programme(s) en cours et {relations} relation(s) "
        "active(s).",
    },
    "en": {
        "broker": "{label} links groups that would not talk to each other without it: it lies on {pct} of the "
        "shortest paths between actors, and its {deg} contacts are loosely linked to each other "
        "(Burt's constraint {c}, effective size {e}).",
        "community": "Group {i}: {n} members around {members}{theme}.",
        "theme": "; main theme: “{t}”",
        "isolated": "{label} has no alliance link in the graph yet: a meeting to organise.",
        "suggestion": "{a} and {b} both work on {themes} ({territory}) but are not linked yet{common}.",
        "common": "; they share {n} partner(s)",
        "growth": "In {year}: {actors} dated actor(s), {programmes} running programme(s) and {relations} active "
        "relation(s).",
    },
}


def _number(lang: str):
    """Formatter of decimals: a decimal comma in French."""

    def fmt(value: float, digits: int) -> str:
        text = f"{value:.{digits}f}"
        return text.replace(".", ",") if lang == "fr" else text

    return fmt


def _label(G: Any, concept: str, lang: str) -> str:
    labels = G.graph.get("concept_labels", {}).get(concept, {})
    return labels.get(lang) or labels.get("fr") or concept


def analyse_network(
    G: nx.MultiDiGraph,
    *,
    keep: set[str] | None = None,
    lang: str = "fr",
    top: int = 10,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
) -> Analysis:
    """Brokers, communities, isolated actors, suggested links and growth of the projection *G*.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.projection.project`).
    keep : set of str, optional
        Only these nodes (e.g. a territory's actors and their programmes).
    lang : {"fr", "en"}
        Language of the sentences.
    top : int
        How many brokers, communities and suggestions to report.
    k : int, optional
        Pivots for estimated betweenness (default: exact below 2,000 nodes, else 200).
    """
    if lang not in _S:
        raise QueryError(f"unknown language {lang!r}; use fr or en")
    import gc

    # millions of small objects are created and none is cyclic garbage: without the cyclic
    # collector's full passes over the projection, a national graph is analysed ~20-30 % faster
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse(G, keep=keep, lang=lang, top=top, k=k, seed=seed, engine=engine)
    finally:
        if enabled:
            gc.enable()


def _analyse(
    G: nx.MultiDiGraph, *, keep: set[str] | None, lang: str, top: int, k: int | None, seed: int, engine: str
) -> Analysis:
    S = _S[lang]
    H = actor_graph(G, keep=keep)
    res = Analysis(
        summary={
            "nodes": H.number_of_nodes(),
            "edges": H.number_of_edges(),
            "actors": sum(1 for _, d in H.nodes(data=True) if d.get("kind") == "actor"),
        }
    )
    actors = [n for n, d in H.nodes(data=True) if d.get("kind") == "actor"]
    bet = betweenness(H, k=k, seed=seed, engine=engine)
    best = sorted(actors, key=lambda v: (-bet.get(v, 0.0), H.nodes[v].get("label", "")))
    best = [v for v in best if bet.get(v, 0.0) > 0][:top]
    cons = constraint(H, best, engine=engine)
    eff = effective_size(H, best)
    for v in best:
        label = H.nodes[v].get("label", v)
        num = _number(lang)
        res.brokers.append(
            Finding(
                "broker",
                v,
                label,
                {
                    "betweenness": bet[v],
                    "constraint": cons.get(v),
                    "effective_size": eff.get(v),
                    "degree": H.degree(v),
                },
                S["broker"].format(
                    label=label,
                    pct=num(100 * bet[v], 1) + (" %" if lang == "fr" else "%"),
                    deg=H.degree(v),
                    c=num(cons.get(v, 0), 2),
                    e=num(eff.get(v, 0), 1),
                ),
            )
        )
    themes = _themes_of(G, H)
    for i, comm in enumerate(communities(H, seed=seed, engine=engine)[:top], 1):
        if len(comm) < 2:
            break
        members = sorted(comm, key=lambda v: (-H.degree(v), H.nodes[v].get("label", "")))
        names = ", ".join(H.nodes[v].get("label", v) for v in members[:3])
        counts = Counter(t for v in comm for t in themes.get(v, ()))
        theme = S["theme"].format(t=_label(G, counts.most_common(1)[0][0], lang)) if counts else ""
        res.communities.append(
            Finding(
                "community",
                f"community-{i}",
                names,
                {"size": len(comm), "members": members},
                S["community"].format(i=i, n=len(comm), members=names, theme=theme),
            )
        )
    for v in sorted((v for v in actors if H.degree(v) == 0), key=lambda v: H.nodes[v].get("label", "")):
        label = H.nodes[v].get("label", v)
        res.isolated.append(Finding("isolated", v, label, {}, S["isolated"].format(label=label)))
    for a, b, shared, terr, common, score in suggest_links(G, H, top=top):
        la, lb = H.nodes[a].get("label", a), H.nodes[b].get("label", b)
        shared_names = [
            f"« {_label(G, c, lang)} »" if lang == "fr" else f"“{_label(G, c, lang)}”" for c in shared
        ]
        tlabel = G.nodes[terr].get("label", terr) if terr in G else terr
        res.suggestions.append(
            Finding(
                "suggestion",
                f"{a} {b}",
                f"{la} — {lb}",
                {
                    "a": a,
                    "b": b,
                    "themes": shared,
                    "territory": terr,
                    "common_neighbours": common,
                    "score": score,
                },
                S["suggestion"].format(
                    a=la,
                    b=lb,
                    themes=", ".join(shared_names),
                    territory=tlabel,
                    common=S["common"].format(n=common) if common else "",
                ),
            )
        )
    nodes = set(H) if keep is not None else None
    for row in growth(G.subgraph(nodes) if nodes is not None else G):
        res.growth.append(
            Finding("growth", str(row["year"]), str(row["year"]), row, S["growth"].format(**row))
        )
    return res


# ---------------------------------------------------------------- the call of ``kg analyse``

__all__ += ["SECTION_TITLES", "AnalysisReport", "analyse_network"]


#: the titles of the sections of an analysis, per language
SECTION_TITLES = {
    "fr": {
        "brokers": "Passeurs (intermédiaires entre groupes)",
        "communities": "Communautés",
        "isolated": "Acteurs isolés",
        "suggestions": "Rencontres suggérées",
        "growth": "Croissance de l'écosystème",
    },
    "en": {
        "brokers": "Brokers (between groups)",
        "communities": "Communities",
        "isolated": "Isolated actors",
        "suggestions": "Suggested links",
        "growth": "Growth of the ecosystem",
    },
}


@dataclass
class AnalysisReport(Analysis):
    """An :class:`Analysis` with what it is about and its section titles in its language."""

    lang: str = "fr"
    territory: str | None = None
    titles: dict[str, str] = field(default_factory=dict)

    def titled_sections(self) -> list[tuple[str, str, list[Finding]]]:
        """``(name, title, findings)`` of each section, in order."""
        return [(name, self.titles.get(name, name), items) for name, items in self.sections()]

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): findings per section, the summary, the section titles."""
        out: dict[str, Any] = {name: [vars(f) for f in items] for name, items in self.sections()}
        out["summary"] = self.summary
        out["titles"] = dict(self.titles)
        out["territory"] = self.territory
        out["lang"] = self.lang
        return out


def analyse(  # the same call, now also on an opened graph
    graph: Any,
    *,
    territory: str | None = None,
    lang: str = "fr",
    top: int = 10,
    keep: set[str] | None = None,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
) -> AnalysisReport:
    """Brokers, communities, isolated actors, suggested links and growth (what ``kg analyse`` prints).

    Parameters
    ----------
    graph : kg.store.graph.Graph, kg.store.remote.RemoteGraph or networkx.MultiDiGraph
        The opened graph (:func:`kg.open`; projected, and the projection cached beside a local
        store), or a projection already computed (:func:`kg.network.projection.project`).
    territory : str, optional
        Only this territory (``level:code``) and its sub-territories: their actors and the
        programmes these take part in. Needs an opened graph, not a projection.
    lang : {"fr", "en"}
        Language of the sentences and section titles.
    top : int
        How many brokers, communities and suggestions to report.
    keep, k, seed, engine
        As in :func:`analyse_network`.

    Returns
    -------
    AnalysisReport
        The findings by section, with the section titles in *lang*.

    Raises
    ------
    QueryError
        For a malformed territory, or a territory asked of a projection.
    UnknownEntityError
        For a territory that is not in the official geography.
    """
    from dataclasses import fields

    from kg.errors import QueryError

    if lang not in SECTION_TITLES:
        raise QueryError(f"unknown language {lang!r}; use fr or en")
    from kg.network.projection import cached_project

    G: nx.MultiDiGraph
    if isinstance(graph, nx.MultiDiGraph):
        if territory:
            raise QueryError(
                "territory= needs the opened graph (kg.open()), not a projection; or pass keep= instead"
            )
        G = graph
    else:
        G = cached_project(graph)
        if territory:
            from kg.store.ecosystem import ecosystem

            keep = {n for n in ecosystem(graph, territory).reasons if n in G}
    found = analyse_network(G, keep=keep, lang=lang, top=top, k=k, seed=seed, engine=engine)
    init = {f.name: getattr(found, f.name) for f in fields(found) if f.init}
    return AnalysisReport(**init, lang=lang, territory=territory, titles=SECTION_TITLES[lang])
