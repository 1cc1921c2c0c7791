"""Network analysis for non-specialists: brokers, communities, isolated actors, suggested links, growth.

Every measure runs on the **actor network** (:func:`kg.network.actors.actor_graph`): actors tied
directly or through a shared programme, funding, event or publication; activities are never
nodes, so never brokers. Every finding carries one plain sentence in French (default) or English
that states the measure as computed, and a sentence (or a clause of it) is written only when
the figure supports it; the thresholds below say why. The same graph gives byte-identical
findings from run to run (sorted nodes, fixed seed, ties broken by name).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

import networkx as nx

from kg.errors import QueryError
from kg.ingest.geo_tables import collector_paused
from kg.model.words import number
from kg.network.actors import actor_graph, cached_actor_graph
from kg.network.attributes import concept_labels
from kg.network.brokerage import (
    communities,
    constraint,
    contact_density,
    cut_offs,
    effective_size,
    pivot_betweenness,
    pivot_count,
)
from kg.network.growth import describe_growth, growth
from kg.network.measures import (
    group_figures,
    stored_betweenness,
    stored_cut_offs,
    stored_group,
    stored_groups,
)
from kg.network.suggestions import EXACT_BELOW, search_links

__all__ = [
    "BROKER_MIN_BETWEENNESS",
    "CROSS_GROUP_MIN_BETWEENNESS",
    "LOOSE_CONTACTS_MAX_DENSITY",
    "SECTION_TITLES",
    "THEME_MIN_MEMBERS",
    "Analysis",
    "AnalysisReport",
    "Finding",
    "analyse",
    "analyse_network",
]

#: a broker lies on some of the shortest paths between two other actors: strictly above zero (an actor
#: on no such path links nobody, however many contacts it has)
BROKER_MIN_BETWEENNESS = 0.0
#: "relie des groupes" needs shortest paths between actors of two different communities through it:
#: strictly above zero, else its betweenness comes from pairs inside one group
CROSS_GROUP_MIN_BETWEENNESS = 0.0
#: "ses contacts sont peu liés entre eux" when fewer than half of the possible ties between its
#: contacts exist (and it has at least two contacts): at half or more, its contacts mostly know
#: each other already. In the actor network actors sharing an activity are all tied, so a low
#: figure is measured, not a consequence of how the graph is drawn
LOOSE_CONTACTS_MAX_DENSITY = 0.5
#: a community's theme is named only when at least this many members share it (one member's is not shared)
THEME_MIN_MEMBERS = 2
_SECTIONS = ("brokers", "communities", "isolated", "suggestions", "growth")


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
        """The findings by section, in the order they are told: ``(name, findings)`` pairs."""
        return [(name, getattr(self, name)) for name in _SECTIONS]


_S: dict[str, dict[str, str]] = {
    "fr": {
        "network": "Réseau des acteurs : {actors} acteurs et {ties} liens (deux acteurs sont liés par une relation "
        "directe ou un programme, un financement, un événement ou une publication en commun ; une personne "
        "compte pour l'organisation de son poste{persons}) ; {pairs} paires d'acteurs.",
        "persons": ", {n} personne{s} sans poste laissée{s} de côté",
        "broker": "{label} est un passeur : {pct} des plus courts chemins entre les {pairs} paires d'autres acteurs "
        "passent par lui (intermédiarité sur le réseau des acteurs).",
        "groups": " Il relie des groupes (ses contacts sont dans les groupes {which}) : {pct} des plus courts "
        "chemins entre les {pairs} paires d'acteurs de groupes différents passent par lui.",
        "between_groups": " Entre groupes, {pct} des plus courts chemins des {pairs} paires d'acteurs de groupes "
        "différents passent par lui.",
        "estimate": " Estimation à partir des plus courts chemins de {k} acteurs tirés au hasard.",
        "cut": " Sans lui, {n} acteur{s} n'aurai{ent} plus aucun chemin vers les {m} autres acteurs de son réseau.",
        "loose": " Ses {deg} contacts sont peu liés entre eux : {density} des liens possibles entre eux existent "
        "(contrainte de Burt {c}).",
        "community": "Groupe {i} : {n} acteurs plus liés entre eux qu'avec les autres (communautés de modularité) ; "
        "les plus liés : {members}{theme}.",
        "theme": " ; thème le plus partagé : {t} ({k} membres sur {n})",
        "isolated": "{label} n'a aucun lien avec un autre acteur dans le graphe : ni relation directe, ni programme, "
        "financement, événement ou publication en commun. Une rencontre à organiser.",
        "suggestion": "{a} et {b} n'ont pas encore de lien entre eux, mais {reasons}.",
        "bounded": " Rencontres suggérées cherchées dans des groupes bornés : parmi les contacts d'un acteur ou "
        "les acteurs d'un territoire qui en comptent plus de {cap}, seuls les {cap} plus liés sont mis en paires "
        "({partners} acteur{ps} et {places} territoire{ts} concernés).",
        "narrowed": " Pour {n} acteur{s}, seuls les {k} candidats ayant le plus de partenaires en commun avec lui "
        "ont été évalués (recherche bornée au-delà de {above} acteurs).",
        "partners": "sont tous deux liés {same} ({names})",
        "same_one": "au même acteur",
        "same_many": "aux {n} mêmes acteurs",
        "themes": "travaillent tous deux sur {names}",
        "territories": "agissent tous deux sur {names}",
        "and": " et ",
        "more": ", …",
        "quote": "« {} »",
    },
    "en": {
        "network": "Actor network: {actors} actors and {ties} ties (two actors are tied by a direct relation or a "
        "shared programme, funding, event or publication; a person counts for the organisation of their "
        "post{persons}); {pairs} pairs of actors.",
        "persons": ", {n} person{s} with no post left out",
        "broker": "{label} is a broker: {pct} of the shortest paths between the {pairs} pairs of other actors go "
        "through it (betweenness on the actor network).",
        "groups": " It links groups (its contacts are in groups {which}): {pct} of the shortest paths between the "
        "{pairs} pairs of actors in different groups go through it.",
        "between_groups": " Between groups, {pct} of the shortest paths of the {pairs} pairs of actors in different "
        "groups go through it.",
        "estimate": " Estimated from the shortest paths of {k} actors drawn at random.",
        "cut": " Without it, {n} actor{s} would have no path to the {m} other actors of its network.",
        "loose": " Its {deg} contacts are loosely linked to each other: {density} of the possible ties between them "
        "exist (Burt's constraint {c}).",
        "community": "Group {i}: {n} actors more tied to each other than to the others (modularity communities); "
        "the most tied: {members}{theme}.",
        "theme": "; most shared theme: {t} ({k} of {n} members)",
        "isolated": "{label} has no tie to any other actor in the graph: no direct relation, no shared programme, "
        "funding, event or publication. A meeting to organise.",
        "suggestion": "{a} and {b} have no tie to each other yet, but they {reasons}.",
        "bounded": " Suggested links searched in bounded groups: among the contacts of an actor or the actors of "
        "a territory that has more than {cap}, only the {cap} best-tied are paired ({partners} actor{ps} and "
        "{places} territor{ts} concerned).",
        "narrowed": " For {n} actor{s}, only the {k} candidates sharing the most partners with it were weighed "
        "(search bounded above {above} actors).",
        "partners": "are both tied to {same} ({names})",
        "same_one": "the same actor",
        "same_many": "the same {n} actors",
        "themes": "both work on {names}",
        "territories": "both act in {names}",
        "and": " and ",
        "more": ", …",
        "quote": "“{}”",
    },
}


def _percent(value: float, lang: str) -> str:
    """A share as a percentage with one decimal; "< 0,1 %" rather than a rounded zero."""
    pct = 100 * value
    sign = " %" if lang == "fr" else "%"
    if 0 < pct < 0.05:
        return ("< 0,1" if lang == "fr" else "< 0.1") + sign
    text = f"{pct:.1f}"
    return (text.replace(".", ",") if lang == "fr" else text) + sign


def _decimal(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def _label(G: Any, concept: str, lang: str) -> str:
    """The label of a theme."""
    every = concept_labels(G)
    labels = every.get(f"theme/{concept}") or every.get(concept, {})
    return labels.get(lang) or labels.get("fr") or concept


def _names(items: list[str], lang: str, most: int = 3) -> str:
    S = _S[lang]
    if len(items) > most:
        return ", ".join(items[:most]) + S["more"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + S["and"] + items[-1]


def _s(n: int) -> str:
    return "s" if n > 1 else ""


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def analyse_network(
    G: nx.MultiDiGraph,
    *,
    keep: set[str] | None = None,
    lang: str = "fr",
    top: int = 10,
    k: int | None = None,
    seed: int = 42,
    engine: str = "auto",
    actors: nx.Graph | None = None,
) -> Analysis:
    """Brokers, communities, isolated actors, suggested links and growth of the projection *G*.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The projection (:func:`kg.network.projection.project`).
    keep : set of str, optional
        Only these actors and activities (e.g. a territory's ecosystem).
    lang : {"fr", "en"}
        Language of the sentences.
    top : int
        How many brokers, communities and suggestions to report.
    k : int, optional
        Pivots for estimated betweenness (default: exact below 2,000 actors, else 200).
    actors : networkx.Graph, optional
        The whole *G*'s actor network, already made (:func:`kg.network.actors.cached_actor_graph`).
    """
    if lang not in _S:
        raise QueryError(f"unknown language {lang!r}; use fr or en")
    # millions of small objects and no cyclic garbage: without the collector's passes, ~20-30 % faster
    with collector_paused():
        H = actors if actors is not None and keep is None else actor_graph(G, keep=keep)
        return _analyse(G, H, keep=keep, lang=lang, top=top, k=k, seed=seed, engine=engine)


def _analyse(
    G: nx.MultiDiGraph,
    H: nx.Graph,
    *,
    keep: set[str] | None,
    lang: str,
    top: int,
    k: int | None,
    seed: int,
    engine: str,
) -> Analysis:
    S = _S[lang]
    n = H.number_of_nodes()
    m = H.number_of_edges()
    groups = stored_groups(H, seed=seed, engine=engine)  # measured when the network was stored
    if groups is None:
        groups = [c for c in communities(H, seed=seed, engine=engine) if len(c) >= 2]
    group_number = {v: i for i, members in enumerate(groups, 1) for v in members}
    persons = H.graph["persons"]
    res = Analysis(
        summary={
            "nodes": n,  # the actor network's nodes and edges: its actors and ties
            "edges": m,
            "actors": n,
            "ties": m,
            "pairs": _pairs(n),
            "persons": persons,
            "communities": len(groups),
            "sentence": S["network"].format(
                actors=number(n, lang),
                ties=number(m, lang),
                pairs=number(_pairs(n), lang),
                persons=S["persons"].format(n=persons["left_out"], s=_s(persons["left_out"]))
                if persons["left_out"]
                else "",
            ),
        }
    )
    _brokers(res, H, groups, group_number, lang=lang, top=top, k=k, seed=seed, engine=engine)
    _communities(res, G, H, groups, lang=lang, top=top)
    for v in sorted((v for v in H if H.degree(v) == 0), key=lambda v: (str(H.nodes[v].get("label", v)), v)):
        label = H.nodes[v].get("label", v)
        res.isolated.append(Finding("isolated", v, label, {"degree": 0}, S["isolated"].format(label=label)))
    _suggestions(res, G, H, lang=lang, top=top)
    series = H.graph.get("growth") if keep is None else growth(G.subgraph(_kept_nodes(G, H, keep)))
    _growth(res, growth(G) if series is None else series, lang=lang)  # whole: made with H
    return res


def _kept_nodes(G: nx.MultiDiGraph, H: nx.Graph, keep: set[str]) -> set[str]:
    """The nodes whose dated facts count in a selection's growth: its actors and activities, their persons."""
    nodes = set(H) | {x for acts in H.graph["activities"].values() for x in acts}
    nodes |= {a for a, b, d in G.edges(data=True) if d.get("kind") == "poste" and b in H}
    return nodes | (keep & set(G))


def _brokers(
    res: Analysis,
    H: nx.Graph,
    groups: list[list[str]],
    group_number: dict[str, int],
    *,
    lang: str,
    top: int,
    k: int | None,
    seed: int,
    engine: str,
) -> None:
    S = _S[lang]
    n = H.number_of_nodes()
    # both betweenness figures from one sweep per pivot when they are estimated (same figures)
    kept = stored_betweenness(H, groups, k=k, seed=seed, engine=engine)
    bet, cross_of = kept or pivot_betweenness(H, groups, k=k, seed=seed, engine=engine)

    def label(v: str) -> str:
        return str(H.nodes[v].get("label", v))

    best = [
        v
        for v in sorted(H, key=lambda v: (-bet.get(v, 0.0), label(v), v))
        if bet.get(v, 0.0) > BROKER_MIN_BETWEENNESS
    ]
    best = best[:top]
    if not best:
        return
    cross = cross_of(best)
    sizes = Counter(group_number.get(v, 0) for v in H)
    cross_pairs_all = (_pairs(n) - sum(_pairs(c) for g, c in sizes.items() if g)) if n else 0
    pivots = pivot_count(n, k)
    cons = constraint(H, best, engine=engine)
    eff = effective_size(H, best)
    density = contact_density(H, best)
    cuts = stored_cut_offs(H, best, engine=engine) or cut_offs(H, best, engine=engine)
    for v in best:
        deg = H.degree(v)
        # pairs of other actors in different groups: all cross pairs but those with v at one end
        own = group_number.get(v)
        cross_pairs = cross_pairs_all - (n - (sizes[own] if own else 1))
        share = cross[v] / cross_pairs if cross_pairs else 0.0
        contact_groups = sorted({group_number[u] for u in H[v] if u in group_number})
        cut, rest = cuts[v]
        loose = deg >= 2 and not math.isnan(density[v]) and density[v] < LOOSE_CONTACTS_MAX_DENSITY
        sentence = S["broker"].format(
            label=label(v), pct=_percent(bet[v], lang), pairs=number(_pairs(n - 1), lang)
        )
        if cross[v] > CROSS_GROUP_MIN_BETWEENNESS and cross_pairs:
            figures = {"pct": _percent(share, lang), "pairs": number(cross_pairs, lang)}
            if len(contact_groups) >= 2:
                which = _names([str(g) for g in contact_groups], lang, len(contact_groups))
                sentence += S["groups"].format(which=which, **figures)
            else:
                sentence += S["between_groups"].format(**figures)
        if pivots:
            sentence += S["estimate"].format(k=number(pivots, lang))
        if cut:
            sentence += S["cut"].format(
                n=number(cut, lang), s=_s(cut), ent="ent" if cut > 1 else "t", m=number(rest, lang)
            )
        if loose:
            sentence += S["loose"].format(
                deg=number(deg, lang), density=_percent(density[v], lang), c=_decimal(cons[v], lang)
            )
        res.brokers.append(
            Finding(
                "broker",
                v,
                label(v),
                {
                    "betweenness": bet[v],
                    "pairs": _pairs(n - 1),
                    "pivots": pivots,
                    "cross_group_betweenness": share,
                    "cross_group_pairs": cross_pairs,
                    "contact_groups": contact_groups,
                    "cut_off": cut,
                    "degree": deg,
                    "contact_density": density[v],
                    "constraint": cons.get(v),
                    "effective_size": eff.get(v),
                },
                sentence,
            )
        )


def _communities(
    res: Analysis, G: nx.MultiDiGraph, H: nx.Graph, groups: list[list[str]], *, lang: str, top: int
) -> None:
    S = _S[lang]
    for i, members in enumerate(groups[:top], 1):
        # its members by ties, and how many share each theme: kept with a stored network, else counted here
        ranked, counts = stored_group(H, groups, i - 1) or group_figures(G, H, members)
        names = ", ".join(str(H.nodes[v].get("label", v)) for v in ranked[:3])
        most = max(counts.values(), default=0)
        themes = sorted((t for t, c in counts.items() if c == most), key=lambda t: (_label(G, t, lang), t))
        theme = ""
        if most >= THEME_MIN_MEMBERS:
            quoted = [S["quote"].format(_label(G, t, lang)) for t in themes]
            theme = S["theme"].format(t=_names(quoted, lang, most=len(quoted)), k=most, n=len(members))
        res.communities.append(
            Finding(
                "community",
                f"community-{i}",
                names,
                {"size": len(members), "members": ranked, "themes": themes if theme else [], "sharing": most},
                S["community"].format(i=i, n=len(members), members=names, theme=theme),
            )
        )


def _suggestions(res: Analysis, G: nx.MultiDiGraph, H: nx.Graph, *, lang: str, top: int) -> None:
    S = _S[lang]

    def label(v: str) -> str:
        return str((H.nodes[v] if v in H else G.nodes[v] if v in G else {}).get("label", v))

    search = search_links(G, H, top=top)
    if search.capped_partners or search.capped_territories or search.narrowed:
        res.summary["suggestion_search"] = {
            "max_group": search.max_group,
            "capped_partners": search.capped_partners,
            "capped_territories": search.capped_territories,
            "per_actor": search.per_actor,
            "narrowed": search.narrowed,
        }
    if search.capped_partners or search.capped_territories:
        res.summary["sentence"] += S["bounded"].format(
            cap=search.max_group,
            partners=number(search.capped_partners, lang),
            ps=_s(search.capped_partners),
            places=number(search.capped_territories, lang),
            ts=(
                _s(search.capped_territories)
                if lang == "fr"
                else "ies"
                if search.capped_territories > 1
                else "y"
            ),
        )
    if search.narrowed:
        res.summary["sentence"] += S["narrowed"].format(
            n=number(search.narrowed, lang),
            s=_s(search.narrowed),
            k=search.per_actor,
            above=number(EXACT_BELOW, lang),
        )
    for s in search.suggestions:
        reasons = []
        if s.partners:
            names = _names([label(p) for p in s.partners], lang)
            same = S["same_one"] if len(s.partners) == 1 else S["same_many"].format(n=len(s.partners))
            reasons.append(S["partners"].format(same=same, names=names))
        if s.themes:
            reasons.append(
                S["themes"].format(
                    names=_names([S["quote"].format(_label(G, t, lang)) for t in s.themes], lang)
                )
            )
        if s.territories:
            reasons.append(S["territories"].format(names=_names([label(t) for t in s.territories], lang)))
        la, lb = label(s.a), label(s.b)
        res.suggestions.append(
            Finding(
                "suggestion",
                f"{s.a} {s.b}",
                f"{la} — {lb}",
                {
                    "a": s.a,
                    "b": s.b,
                    "partners": list(s.partners),
                    "themes": list(s.themes),
                    "territories": list(s.territories),
                    "score": s.score,
                },
                S["suggestion"].format(a=la, b=lb, reasons=_names(reasons, lang, most=len(reasons))),
            )
        )


def _growth(res: Analysis, series: dict[str, Any], *, lang: str) -> None:
    for kind, figures, sentence in describe_growth(series, lang):
        year = str(figures.get("year", ""))
        res.growth.append(Finding(kind, year or "method", year, figures, sentence))


# ---------------------------------------------------------------- the call of ``kg analyse``

#: the titles of the sections of an analysis, per language
SECTION_TITLES = {
    "fr": {
        "brokers": "Passeurs (intermédiaires entre acteurs)",
        "communities": "Communautés",
        "isolated": "Acteurs isolés",
        "suggestions": "Rencontres suggérées",
        "growth": "Croissance de l'écosystème (faits datés)",
    },
    "en": {
        "brokers": "Brokers (intermediaries between actors)",
        "communities": "Communities",
        "isolated": "Isolated actors",
        "suggestions": "Suggested links",
        "growth": "Growth of the ecosystem (dated facts)",
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


def analyse(
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
        The opened graph (:func:`kg.open`; the whole graph is read from its stored actor network,
        a territory from its projection), or a projection (:func:`kg.network.projection.project`).
    territory : str, optional
        Only this territory (``level:code``): its ecosystem. Needs an opened graph.
    lang : {"fr", "en"}
        Language of the sentences and section titles.
    top : int
        How many brokers, communities and suggestions to report.
    keep, k, seed, engine
        As in :func:`analyse_network`.

    Returns
    -------
    AnalysisReport
        The findings by section, with the section titles in *lang*; ``summary["sentence"]``
        says what the actor network is.

    Raises
    ------
    QueryError
        For a malformed territory, or a territory asked of a projection.
    UnknownEntityError
        For a territory not in the official geography.
    """
    if lang not in SECTION_TITLES:
        raise QueryError(f"unknown language {lang!r}; use fr or en")

    G: nx.MultiDiGraph
    whole = None
    if isinstance(graph, nx.MultiDiGraph):
        if territory:
            raise QueryError("territory= needs the opened graph (kg.open()), not a projection; or pass keep=")
        G = graph
    elif territory or keep is not None:
        from kg.network.projection import cached_project

        G = cached_project(graph)
        if territory:
            from kg.store.ecosystem import ecosystem

            keep = {n for n in ecosystem(graph, territory).reasons if n in G}
    else:
        whole = cached_actor_graph(graph)  # with what the measures read of the projection: not loaded
        G = whole.graph["context"]
    found = analyse_network(G, keep=keep, lang=lang, top=top, k=k, seed=seed, engine=engine, actors=whole)
    init = {f.name: getattr(found, f.name) for f in fields(found) if f.init}
    return AnalysisReport(**init, lang=lang, territory=territory, titles=SECTION_TITLES[lang])
