"""One hop of an alliance chain and the chain itself (:class:`Hop`, :class:`Chain`, :class:`Near`), with the
words a hop says, in French or English; and how a hop is read from a chain graph's relations.

Kept apart from :mod:`kg.network.chains` (the search, which needs NetworkX and the projection) so that
``kg chains`` answered from the compact rows (:mod:`kg.network.chain_index`) imports neither.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from kg.model.dates import is_active
from kg.model.words import elide, euros, lower_first
from kg.network.attributes import concept_labels, sources_of

__all__ = ["Chain", "Hop", "Near", "at", "document_titles", "euros", "hop", "kept", "relation_ok"]

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
        "inspiration": ("{a} was inspired by {b}", "{a} inspired {b}"),
        "evenement": ("{a} is {role} of the event {b}", "the event {a} has {b} as {role}"),
        "publication": ("{a} is {role} of the publication {b}", "the publication {a} has {b} as {role}"),
        "sujet": ("{a} is about {b}", "{a} is the subject of {b}"),
    },
}
#: a relation kind without its own sentence (added to the projection later) still reads
_GENERIC = {
    "fr": ("{a} est lié à {b}", "{a} est lié à {b}"),
    "en": ("{a} is linked to {b}", "{a} is linked to {b}"),
}
#: the role word when the relation names none
_DEFAULT_ROLE = {
    "fr": {"evenement": "participant", "publication": "contributeur"},
    "en": {"evenement": "participant", "publication": "contributor"},
}
#: kinds whose date is a moment (« en 2020 »), not the start of a lasting relation (« depuis 2020 »)
_MOMENTS = ("fondation", "evenement", "publication")
_WORDS = {
    "fr": {
        "since": "depuis",
        "source": "source",
        "for": "pour",
        "until": "jusqu'en",
        "in": "en",
        "unknown": "date inconnue",
        "unknown_start": "début inconnu",
        "member": "membre",
    },
    "en": {
        "since": "since",
        "source": "source",
        "for": "for",
        "until": "until",
        "in": "in",
        "unknown": "date unknown",
        "unknown_start": "start unknown",
        "member": "member",
    },
}


@dataclass(frozen=True)
class Hop:
    """One hop of a chain: the relation between two consecutive nodes, with its evidence.

    ``start`` and ``end`` are the relation's own dates (``None`` when the source gives none);
    a hop without a start is *undated*: its sentence says « date inconnue ».
    """

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
    #: the title of the first source's document, when the graph knows it
    source_title: str | None = None

    @property
    def undated(self) -> bool:
        """True when the relation has no start date of its own (it may have begun at any date)."""
        return not self.start

    def _dates(self, lang: str) -> str:
        w = _WORDS[lang]
        if self.start and self.kind in _MOMENTS:
            return f" ({w['in']} {self.start})"
        if self.start and self.end:
            return f" ({self.start}–{self.end})"
        if self.start:
            return f" ({w['since']} {self.start})"
        if self.end:
            return f" ({w['unknown_start']}, {w['until']} {self.end})"
        return f" ({w['unknown']})"

    def sentence(self, lang: str = "fr") -> str:
        """The hop as one plain sentence, with its dates (« date inconnue » when none) and its first source:
        the document by its title (else by the end of its IRI), then the sentence quoted."""
        fwd, back = _TEMPLATES[lang].get(self.kind, _GENERIC[lang])
        role = self.role_labels.get(lang) if self.role_labels else None
        default_role = _DEFAULT_ROLE[lang].get(self.kind, _WORDS[lang]["member"])
        role = lower_first(role or self.role or default_role)
        text = (fwd if self.forward else back).format(a=self.source_label, b=self.target_label, role=role)
        if lang == "fr":
            text = elide(text)
        w = _WORDS[lang]
        if self.amount is not None:
            text += f" : {euros(self.amount, lang)}" if lang == "fr" else f": {euros(self.amount, lang)}"
        if self.via_label and self.kind == "financement":
            text += f" ({w['for']} {self.via_label})"
        text += self._dates(lang)
        if self.sources:
            doc, quote = self.sources[0]
            name = self.source_title or doc.rsplit("/", 1)[-1]
            open_q, close_q = ("« ", " »") if lang == "fr" else ("“", "”")
            text += (
                f" — {w['source']} : {name}, {open_q}{quote}{close_q}"
                if lang == "fr"
                else f" — {w['source']}: {name}, {open_q}{quote}{close_q}"
            )
        return text

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        """Plain data for JSON/CSV output (``date_known`` is false for an undated hop)."""
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
            "date_known": not self.undated,
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
        """The IRIs of the chain's nodes, from its first end to its last."""
        return [self.hops[0].source] + [h.target for h in self.hops] if self.hops else []

    @property
    def labels(self) -> list[str]:
        """The labels of the chain's nodes, from its first end to its last."""
        return [self.hops[0].source_label] + [h.target_label for h in self.hops] if self.hops else []

    @property
    def undated(self) -> int:
        """How many hops have no date of their own: the chain may not have existed at a given date."""
        return sum(1 for h in self.hops if h.undated)

    def __len__(self) -> int:
        return len(self.hops)


class Near(NamedTuple):
    """A node within reach of another (:func:`kg.network.chains.within`): ``undated`` counts the hops without a date of
    their own on the way (the fewest among the shortest ways)."""

    iri: str
    label: str
    hops: int
    undated: int = 0


def relation_ok(rel: dict[str, Any], kinds: set[str], day: str | None) -> bool:
    """*rel* is of a followed kind and, at *day*, not dated after it nor ended before it (an undated
    relation is kept: it may have existed)."""
    return rel["kind"] in kinds and (day is None or is_active(rel.get("start"), rel.get("end"), day))


def kept(H: Any, a: str, b: str, ks: set[str], day: str | None) -> list[dict[str, Any]]:
    """The relations between *a* and *b* kept at *day*: dated ones first, then those with a source."""
    rels = [r for r in H.edges[a, b]["rels"] if relation_ok(r, ks, day)]
    rels.sort(key=lambda r: (not r.get("start"), not r.get("sources"), r["kind"] == "territoire"))
    return rels


def hop(H: Any, a: str, b: str, ks: set[str], day: str | None) -> Hop:
    """The hop from *a* to *b* of the chain graph *H* (anything with its ``nodes``, ``edges`` and ``graph``):
    its best relation kept at *day* among the kinds *ks*, with its evidence."""
    r = kept(H, a, b, ks, day)[0]
    labels = concept_labels(H)
    role = r.get("role")
    sources = tuple(sources_of(r.get("sources")))
    return Hop(
        source=a,
        target=b,
        source_label=H.nodes[a].get("label", a),
        target_label=H.nodes[b].get("label", b),
        kind=r["kind"],
        forward=(r["a"] == a),
        role=role,
        role_labels=(labels.get(f"role/{role}") or labels.get(role)) if role else None,
        via=r.get("via"),
        via_label=r.get("via_label"),
        start=r.get("start"),
        end=r.get("end"),
        amount=r.get("amount"),
        sources=sources,
        source_title=document_titles(H).get(sources[0][0]) if sources else None,
    )


def document_titles(G: Any) -> dict[str, str]:
    """The title of each source document of the projection or chain graph *G* (its ``documents``, JSON text
    in ``G.graph``, or a plain dict in a hand-built graph): document IRI → title.

    >>> import networkx as nx
    >>> G = nx.Graph(documents='{"https://x/document/d1": {"title": "Fiche partenaire", "issued": "2023"}}')
    >>> document_titles(G), document_titles(nx.Graph())
    ({'https://x/document/d1': 'Fiche partenaire'}, {})
    """
    value = G.graph.get("documents")
    if not value:
        return {}
    return (
        _titles(value)
        if isinstance(value, str)
        else {d: v["title"] for d, v in value.items() if v.get("title")}
    )


@lru_cache(maxsize=4)
def _titles(text: str) -> dict[str, str]:
    """The titles of a ``documents`` JSON text, parsed once per text (a national graph's is large)."""
    return {d: v["title"] for d, v in json.loads(text).items() if v.get("title")}


def at(as_of: str | int, lang: str = "fr") -> str:
    """*as_of* inside a sentence: « en 2019 », « au 2019-06-30 », "in 2019", "on 2019-06-30".

    >>> at(2019), at("2019-06-30"), at("2019-06", "en")
    ('en 2019', 'au 2019-06-30', 'in 2019-06')
    """
    text = str(as_of).strip()
    if lang == "en":
        return f"on {text}" if len(text) == 10 else f"in {text}"
    return f"au {text}" if len(text) == 10 else f"en {text}"
