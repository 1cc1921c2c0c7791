"""Alliance chains: who is linked to whom, hop by hop, through which programme or funding, since when, per which source.

Works on the projection of :mod:`kg.network.projection`. :func:`chain_graph` turns it into an
undirected graph whose edges list the relations between two nodes (a grant becomes a
relation funder → recipient carried by that grant); :func:`find_chains` returns the k
shortest chains between two nodes, :func:`within` who is within N hops.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, label in [("a", "Fondation A"), ("b", "Fonds B"), ("c", "Club C")]:
...     G.add_node(n, kind="actor", label=label, start=None)
>>> G.add_node("g", kind="funding", label="g", start="2021")
>>> _ = G.add_edge("a", "b", kind="fondation", via=None, start="2020", end=None, sources=[("doc/x", "B a été co-créé par A")])
>>> _ = G.add_edge("b", "g", kind="financement", via="g", role="financeur", start="2021", end=None, amount=3000, sources=[("doc/x", "3k €")])
>>> _ = G.add_edge("g", "c", kind="financement", via="g", role="beneficiaire", start="2021", end=None, amount=3000, sources=[("doc/x", "3k €")])
>>> [c.labels for c in find_chains(G, "Fondation A", "club c")]
[['Fondation A', 'Fonds B', 'Club C']]
>>> print(find_chains(G, "a", "c")[0].hops[1].sentence().replace("\u202f", " ").replace("\xa0", " "))
Fonds B finance Club C : 3 000 € (depuis 2021) — source : x, « 3k € »
>>> find_chains(G, "a", "c", as_of=2020)
[]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.errors import QueryError, UnknownEntityError
from kg.model.dates import is_active, normalise_date
from kg.model.words import elide, euros, lower_first
from kg.network.lookup import resolve
from kg.network.projection import EDGE_KINDS, cached_project

__all__ = ["DEFAULT_KINDS", "Chain", "Hop", "chain_graph", "euros", "find_chains", "within"]

#: relation kinds followed by default (territories are context, not alliances)
DEFAULT_KINDS = tuple(k for k in EDGE_KINDS if k != "territoire")

# (forward, backward) sentence templates; {a} is the hop's start, {b} its end
_TEMPLATES = {
    "fr": {
        "participation": ("{a} est {role} de {b}", "{a} a pour {role} {b}"),
        "adhesion": ("{a} est {role} de {b}", "{a} a pour {role} {b}"),
        "financement": ("{a} finance {b}", "{a} est financé par {b}"),
        "fondation": ("{a} a fondé ou cofondé {b}", "{a} a été fondé ou cofondé par {b}"),
        "soutien": ("{a} apporte à {b} un soutien « {role} »", "{a} reçoit de {b} un soutien « {role} »"),
        "unite": ("{a} est un service de {b}", "{a} a pour service {b}"),
        "succession": ("{a} prolonge {b}", "{a} se prolonge dans {b}"),
        "poste": ("{a} occupe un poste à {b}", "{a} compte parmi ses élus ou responsables {b}"),
        "territoire": ("{a} agit sur le territoire {b}", "{a} est le territoire de {b}"),
        "partie": ("{a} fait partie de {b}", "{a} comprend {b}"),
        "inspiration": ("{a} s'inspire de {b}", "{a} a inspiré {b}"),
        "evenement": ("{a} est {role} de l'événement {b}", "l'événement {a} a pour {role} {b}"),
        "publication": ("{a} est {role} de la publication {b}", "la publication {a} a pour {role} {b}"),
        "sujet": ("{a} porte sur {b}", "{a} est le sujet de {b}"),
    },
    "en": {
        "participation": ("{a} is {role} of {b}", "{a} has {b} as {role}"),
        "adhesion": ("{a} is {role} of {b}", "{a} has {b} as {role}"),
        "financement": ("{a} funds {b}", "{a} is funded by {b}"),
        "fondation": ("{a} founded or co-founded {b}", "{a} was founded or co-founded by {b}"),
        "soutien": ("{a} gives {b} “{role}” support", "{a} receives “{role}” support from {b}"),
        "unite": ("{a} is a unit of {b}", "{a} has {b} as a unit"),
        "succession": ("{a} continues {b}", "{a} is continued by {b}"),
        "poste": ("{a} holds a post at {b}", "{a} has {b} among its officers"),
        "territoire": ("{a} works in the territory {b}", "{a} is the territory of {b}"),
        "partie": ("{a} is part of {b}", "{a} includes {b}"),
        "inspiration": ("{a} was modelled on {b}", "{a} inspired {b}"),
        "evenement": ("{a} is {role} of the event {b}", "the event {a} has {b} as {role}"),
        "publication": ("{a} is {role} of the publication {b}", "the publication {a} has {b} as {role}"),
        "sujet": ("{a} is about {b}", "{a} is the subject of {b}"),
    },
}
_WORDS = {
    "fr": {"since": "depuis", "source": "source", "for": "pour", "until": "jusqu'en"},
    "en": {"since": "since", "source": "source", "for": "for", "until": "until"},
}


@dataclass(frozen=True)
class Hop:
    """One hop of a chain: the relation between two consecutive nodes, with its evidence."""

    source: str
    target: str
    source_label: str
    target_label: str
    kind: str
    forward: bool
    role: str | None = None
    role_labels: dict[str, str] | None = None
    via: str | None = None
    via_label: str | None = None
    start: str | None = None
    end: str | None = None
    amount: Any = None
    sources: tuple[tuple[str, str], ...] = ()

    def sentence(self, lang: str = "fr") -> str:
        """The hop as one plain sentence, with its dates and its first source."""
        fwd, back = _TEMPLATES[lang][self.kind]
        role = self.role_labels.get(lang) if self.role_labels else None
        role = lower_first(role or self.role or ("membre" if lang == "fr" else "member"))
        text = (fwd if self.forward else back).format(a=self.source_label, b=self.target_label, role=role)
        if lang == "fr":
            text = elide(text)
        w = _WORDS[lang]
        if self.amount is not None:
            text += f" : {euros(self.amount, lang)}" if lang == "fr" else f": {euros(self.amount, lang)}"
        if self.via_label and self.kind == "financement":
            text += f" ({w['for']} {self.via_label})"
        if self.start and self.kind == "fondation":
            text += f" ({'en' if lang == 'fr' else 'in'} {self.start})"
        elif self.start and self.end:
            text += f" ({self.start}–{self.end})"
        elif self.start:
            text += f" ({w['since']} {self.start})"
        elif self.end:
            text += f" ({w['until']} {self.end})"
        if self.sources:
            doc, quote = self.sources[0]
            open_q, close_q = ("« ", " »") if lang == "fr" else ("“", "”")
            text += (
                f" — {w['source']} : {doc.rsplit('/', 1)[-1]}, {open_q}{quote}{close_q}"
                if lang == "fr"
                else f" — {w['source']}: {doc.rsplit('/', 1)[-1]}, {open_q}{quote}{close_q}"
            )
        return text

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        """Plain data for JSON/CSV output."""
        return {
            "from": self.source,
            "from_label": self.source_label,
            "to": self.target,
            "to_label": self.target_label,
            "kind": self.kind,
            "role": self.role,
            "via": self.via,
            "start": self.start,
            "end": self.end,
            "amount": None if self.amount is None else float(self.amount),
            "sources": [{"document": d, "quote": q} for d, q in self.sources],
            "sentence": self.sentence(lang),
        }


@dataclass(frozen=True)
class Chain:
    """A chain of hops from one node to another."""

    hops: tuple[Hop, ...] = field(default_factory=tuple)

    @property
    def nodes(self) -> list[str]:
        return [self.hops[0].source] + [h.target for h in self.hops] if self.hops else []

    @property
    def labels(self) -> list[str]:
        return [self.hops[0].source_label] + [h.target_label for h in self.hops] if self.hops else []

    def __len__(self) -> int:
        return len(self.hops)


def chain_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected graph of the projection's relations, grants contracted to funder → recipient edges.

    Each edge has ``rels``: a list of relation dicts (``a``, ``b`` in the relation's own
    direction, plus the projection's edge attributes).
    """
    H: nx.Graph[str] = nx.Graph()
    H.graph.update(G.graph)
    for n, d in G.nodes(data=True):
        if d.get("kind") != "funding":
            H.add_node(n, **d)

    def add(a: str, b: str, rel: dict[str, Any]) -> None:
        if a == b or a not in H or b not in H:
            return
        if H.has_edge(a, b):
            H.edges[a, b]["rels"].append(rel)
        else:
            H.add_edge(a, b, rels=[rel])

    for a, b, d in G.edges(data=True):
        if d.get("kind") == "financement":
            continue
        add(a, b, dict(d, a=a, b=b))
    for g, gd in G.nodes(data=True):
        if gd.get("kind") != "funding":
            continue
        funders = [(a, d) for a, _, d in G.in_edges(g, data=True) if d.get("kind") == "financement"]
        targets = [(b, d) for _, b, d in G.out_edges(g, data=True) if d.get("kind") == "financement"]
        items = [b for b, _ in targets if G.nodes[b].get("kind") == "programme"]
        via_label = G.nodes[items[0]].get("label") if items else None
        for (funder, _fd), (target, td) in itertools.product(funders, targets):
            rel = dict(
                td,
                a=funder,
                b=target,
                via=g,
                via_label=via_label if target not in items else None,
                role="financeur",
                start=gd.get("start") or td.get("start"),
                end=td.get("end"),
            )
            add(funder, target, rel)
    return H


def _ok(rel: dict[str, Any], kinds: set[str], day: str | None) -> bool:
    return rel["kind"] in kinds and (day is None or is_active(rel.get("start"), rel.get("end"), day))


def _restricted(
    H: nx.Graph, kinds: Iterable[str] | None, as_of: str | int | None
) -> tuple[nx.Graph, set, Any]:
    ks = set(kinds) if kinds else set(DEFAULT_KINDS)
    unknown = ks - set(EDGE_KINDS)
    if unknown:
        raise UnknownEntityError(
            f"unknown relation kind(s) {sorted(unknown)}; use {', '.join(EDGE_KINDS)}",
            list(EDGE_KINDS),
        )
    try:
        day = normalise_date(as_of) if as_of is not None else None
    except ValueError as exc:
        raise QueryError(f"--as-of: {exc}") from None
    if ks == set(DEFAULT_KINDS) | {"territoire"} and day is None:
        return H, ks, day

    def node_ok(n: str) -> bool:
        return day is None or is_active(H.nodes[n].get("start"), None, day)

    def edge_ok(a: str, b: str) -> bool:
        return any(_ok(r, ks, day) for r in H.edges[a, b]["rels"])

    return nx.subgraph_view(H, filter_node=node_ok, filter_edge=edge_ok), ks, day


def _hop(H: nx.Graph, a: str, b: str, ks: set[str], day: str | None) -> Hop:
    rels = [r for r in H.edges[a, b]["rels"] if _ok(r, ks, day)]
    rels.sort(key=lambda r: (not r.get("sources"), r["kind"] == "territoire"))
    r = rels[0]
    labels = H.graph.get("concept_labels", {})
    role = r.get("role")
    return Hop(
        source=a,
        target=b,
        source_label=H.nodes[a].get("label", a),
        target_label=H.nodes[b].get("label", b),
        kind=r["kind"],
        forward=(r["a"] == a),
        role=role,
        role_labels=labels.get(role) if role else None,
        via=r.get("via"),
        via_label=r.get("via_label"),
        start=r.get("start"),
        end=r.get("end"),
        amount=r.get("amount"),
        sources=tuple(tuple(s) for s in r.get("sources", [])),
    )


def _network(graph: Any) -> nx.Graph:
    """*graph* as a chain graph: a NetworkX graph is used as it is (a projection is turned into its
    :func:`chain_graph`); a store, local or remote, is projected first (cached beside a local store)."""
    if isinstance(graph, nx.MultiDiGraph):
        return chain_graph(graph)
    if isinstance(graph, nx.Graph):
        return graph
    return chain_graph(cached_project(graph))


def find_chains(
    G: Any,
    source: str,
    target: str,
    *,
    k: int = 3,
    max_hops: int = 6,
    kinds: Iterable[str] | None = None,
    as_of: str | int | None = None,
) -> list[Chain]:
    """The *k* shortest chains from *source* to *target* (names or IRIs), each at most *max_hops* long.

    Parameters
    ----------
    G : kg.store.graph.Graph, kg.store.remote.RemoteGraph or networkx graph
        The opened graph (:func:`kg.open`: projected, the projection cached beside a local
        store), the projection (:func:`kg.network.projection.project`) or, faster when called
        many times, its :func:`chain_graph`.
    source, target : str
        Names (case- and accent-insensitive) or IRIs.
    k : int
        How many chains, shortest first.
    max_hops : int
        Longest chain returned.
    kinds : iterable of str, optional
        Relation kinds to follow (default: every kind but ``territoire``).
    as_of : str or int, optional
        Only relations and nodes active at that date (``2019``, ``2019-06``, ``2019-06-30``).

    Raises
    ------
    UnknownEntityError
        For an unknown or ambiguous name (with suggestions) or relation kind.
    """
    H = _network(G)
    s, t = resolve(H, source), resolve(H, target)
    view, ks, day = _restricted(H, kinds, as_of)
    if s not in view or t not in view:
        return []
    out: list[Chain] = []
    try:
        for path in nx.shortest_simple_paths(view, s, t):
            if len(path) - 1 > max_hops or len(out) >= k:
                break
            out.append(Chain(tuple(_hop(H, a, b, ks, day) for a, b in itertools.pairwise(path))))
    except nx.NetworkXNoPath:
        return out
    return out


def within(
    G: Any,
    source: str,
    hops: int = 2,
    *,
    kinds: Iterable[str] | None = None,
    as_of: str | int | None = None,
) -> list[tuple[str, str, int]]:
    """Nodes within *hops* of *source*: ``(iri, label, distance)`` sorted by distance then label.

    *G* is any graph :func:`find_chains` takes (what ``kg chains SOURCE --within N`` prints).
    """
    H = _network(G)
    s = resolve(H, source)
    view, _, _ = _restricted(H, kinds, as_of)
    if s not in view:
        return []
    dist = nx.single_source_shortest_path_length(view, s, cutoff=hops)
    rows = [(str(n), str(H.nodes[n].get("label", n)), int(d)) for n, d in dist.items() if n != s]
    return sorted(rows, key=lambda r: (r[2], r[1]))


# ---------------------------------------------------------------- the words of ``kg chains``

__all__ += ["NO_CHAIN", "headline"]

#: what ``kg chains`` says when no chain links the two nodes
NO_CHAIN = {"fr": "Aucune chaîne trouvée.", "en": "No chain found."}


def headline(chain: Chain, lang: str = "fr") -> str:
    """One line naming the chain's nodes and its length, e.g. ``A → B → C  (2 étapes)``."""
    word = {"fr": "étape", "en": "hop"}[lang]
    return " → ".join(chain.labels) + f"  ({len(chain)} {word}{'s' if len(chain) > 1 else ''})"
