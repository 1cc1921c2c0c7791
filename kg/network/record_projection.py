"""The projection made from the build's records, one record at a time: what ``kg build`` writes.

:func:`kg.network.projection.project` reads the quads (or the store) predicate by predicate and joins the
pairs into nodes and edges: at 100,000 actors, 7.5 s to read them and 9 s to join them. The build has
the records themselves, each with its own sources, dates, ends and types, so :class:`RecordProjection`
(made by ``kg build``, handed the records by the mapping: :func:`kg.rdf.mapping_stream.consume_curated_quads`
and :func:`kg.store.build.imported_quads` call :meth:`RecordProjection.add`) keeps of each record one compact
tuple, never the record, and :meth:`RecordProjection.graph` assembles the projection in one small pass:
the nodes in the order the store gives them (sorted by IRI, by kind), then the edges in the same order as
:func:`~kg.network.projection.project` adds them. What crosses records is read there: the documents' publishers
by label, the sources that name both ends of a link first (:func:`~kg.network.projection._cited`), and from the
new store the few quads that are not records (the concepts' labels of the ontology, the territories' names
of the geography).

The result **equals** ``project(store)``: graph attributes, nodes, edges, keys, every attribute, and the
orders of nodes, successors, predecessors and keys (``tests/test_projection_records.py`` checks it on the tiny
graph, the curated data, a curated data set with imports, and a 10,000-actor synthetic data set).

>>> from kg.model.records import Person
>>> rp = RecordProjection()
>>> rp.add("person", Person(id="ada", name="Ada", sources=[{"doc": "d1", "quote": "Ada"}]), {})
>>> rp.persons[0][:2]
('https://w3id.org/territorial-kg/id/person/ada', 'Ada')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kg.model import iris
from kg.model.records import (
    Actor,
    Document,
    Event,
    Funding,
    Membership,
    Participation,
    Person,
    Post,
    Programme,
    Publication,
    Support,
)
from kg.model.territories import IRI_PREFIX as _TERRITORY

__all__ = ["RecordProjection"]

#: binary links in the order :func:`kg.network.projection.project` adds them (its ``_BINARY_KINDS``)
_BINARY = ("founder", "unitOf", "continues", "isPartOf", "superEvent", "wasInfluencedBy")
_BINARY_KIND = {
    "founder": "fondation",
    "unitOf": "unite",
    "continues": "succession",
    "isPartOf": "partie",
    "superEvent": "partie",
    "wasInfluencedBy": "inspiration",
}
#: who takes part in an event or a publication, in :func:`project`'s order: (edge kind, role, node kind)
_TAKING_PART = (
    ("organizer", "evenement", "organisateur", "event"),
    ("performer", "evenement", "intervenant", "event"),
    ("author", "publication", "auteur", "publication"),
    ("publisher", "publication", "editeur", "publication"),
)
#: what places a node, in :func:`project`'s order (``dct:spatial``, ``schema:location``, ``schema:areaServed``)
_PLACES = ("spatial", "location", "areaServed")


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class RecordProjection:
    """Keeps of each record what the projection needs (compact tuples), then assembles it (:meth:`graph`).

    Made by the caller of :func:`kg.store.build.build` and handed to it (``on_record=rp.add``); the artefacts'
    projection step (:func:`kg.network.artefacts.build_steps`) calls :meth:`graph` once the store is written.
    """

    def __init__(self) -> None:
        self.actors: list[tuple] = []
        self.persons: list[tuple] = []
        self.programmes: list[tuple] = []
        self.fundings: list[tuple] = []
        self.events: list[tuple] = []
        self.publications: list[tuple] = []
        self.memberships: list[tuple] = []
        self.supports: list[tuple] = []
        self.posts: list[tuple] = []
        self.documents: list[tuple] = []
        self.binary: dict[str, list[tuple[str, str]]] = {p: [] for p in _BINARY}
        self.taking_part: dict[str, list[tuple[str, str]]] = {p: [] for p, *_ in _TAKING_PART}
        self.qualified: dict[str, list[tuple[str, str, str, str]]] = {"event": [], "publication": []}
        self.about: list[tuple[str, str]] = []
        self.places: dict[str, list[tuple[str, str]]] = {p: [] for p in _PLACES}
        #: fundings named as a funded item (or recipient) of a grant with a funder: ``graph:derived`` says
        #: ``schema:funder`` of them too
        self.derived_funders: dict[str, list[str]] = defaultdict(list)
        self._ids: dict[tuple[str, str], str] = {}
        self._concepts: dict[tuple[str, str], str] = {}
        self._territories: dict[str, str] = {}

    # -- minting, cached (the same few thousand ids, concepts and territories recur) --------------------
    def _node(self, kind: str, rid: str) -> str:
        key = (kind, rid)
        iri = self._ids.get(key)
        if iri is None:
            iri = self._ids[key] = iris.document(rid) if kind == "document" else iris.entity(kind, rid)
        return iri

    def _concept(self, scheme: str, notation: str) -> str:
        key = (scheme, notation)
        iri = self._concepts.get(key)
        if iri is None:
            iri = self._concepts[key] = iris.concept(scheme, notation)
        return iri

    def _territory(self, ref: str) -> str:
        iri = self._territories.get(ref)
        if iri is None:
            level, code = ref.split(":", 1)
            iri = self._territories[ref] = iris.territory(level, code)
        return iri

    def _notations(self, scheme: str, values: list[str]) -> list[str]:
        """The notations of *values* once each, in the order of their concepts' IRIs (what the quads give)."""
        if not values:
            return []
        return [_tail(c) for c in sorted({self._concept(scheme, v) for v in values})]

    def _sources(self, rec: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for src in rec.sources:
            pair = (self._node("document", src.doc), src.quote)
            if pair not in out:
                out.append(pair)
        return out

    def _refs(self, kinds: Mapping[str, str], ids: list[str]) -> list[str]:
        return [self._node(kinds[rid], rid) for rid in ids]

    # -- one record ----------------------------------------------------------------------------------
    def add(self, kind: str, rec: Any, kinds: Mapping[str, str]) -> None:
        """Keep what the projection needs of the record *rec* of *kind*; *kinds* maps every record id to its
        kind (the references' IRIs). Records of kinds the projection does not draw are ignored."""
        d = rec.__dict__  # pydantic's attributes, read without its __getattr__
        if isinstance(rec, Document):
            publisher = self._node("actor", rec.publisher) if rec.publisher else ""
            self.documents.append((self._node("document", rec.id), rec.title, publisher, rec.issued or ""))
            return
        if not isinstance(
            rec,
            (Actor, Person, Programme, Funding, Event, Publication, Participation, Membership, Support, Post),
        ):
            return  # connections, figures: no node nor edge
        s = self._node(kind, rec.id)
        desc = d.get("description") or None
        sources = self._sources(rec)
        binary, places = self.binary, self.places
        if isinstance(rec, Actor):
            self.actors.append(
                (
                    s,
                    rec.name,
                    sorted(set(rec.alt_names)),
                    self._notations("actor-type", rec.types),
                    self._notations("theme", rec.themes),
                    rec.founded,
                    rec.active_since,
                    rec.group,
                    desc,
                    sources,
                )
            )
            for f in dict.fromkeys(self._refs(kinds, rec.founders)):
                binary["founder"].append((s, f))
            if rec.part_of:
                binary["unitOf"].append((s, self._node("actor", rec.part_of)))
            for y in dict.fromkeys(self._refs(kinds, rec.inspired_by)):
                binary["wasInfluencedBy"].append((s, y))
            if rec.territory:
                places["spatial"].append((s, self._territory(rec.territory)))
            if rec.located_in:
                places["location"].append((s, self._territory(rec.located_in)))
            for t in dict.fromkeys(self._territory(p) for p in rec.area_served):
                places["areaServed"].append((s, t))
        elif isinstance(rec, Person):
            self.persons.append((s, rec.name, desc, sources))
        elif isinstance(rec, Programme):
            self.programmes.append(
                (
                    s,
                    rec.name,
                    sorted(set(rec.alt_names)),
                    [_tail(self._concept("project-type", rec.type))],
                    self._notations("theme", rec.themes),
                    rec.start,
                    rec.end,
                    desc,
                    sources,
                )
            )
            for t in dict.fromkeys(self._territory(p) for p in rec.area_served):
                places["areaServed"].append((s, t))
            if rec.continues:
                binary["continues"].append((s, self._node("programme", rec.continues)))
            if rec.part_of:
                binary["isPartOf"].append((s, self._node("programme", rec.part_of)))
            for y in dict.fromkeys(self._refs(kinds, rec.inspired_by)):
                binary["wasInfluencedBy"].append((s, y))
        elif isinstance(rec, (Participation, Membership)):
            if isinstance(rec, Participation):
                member, org = self._node("actor", rec.actor), self._node("programme", rec.programme)
            else:
                member, org = self._node(kinds[rec.member], rec.member), self._node("actor", rec.organisation)
            self.memberships.append((s, member, org, rec.role, rec.start, rec.end, sources))
        elif isinstance(rec, Funding):
            funder = self._node("actor", rec.funder) if rec.funder else None
            recipient = self._node("actor", rec.recipient) if rec.recipient else None
            items = sorted(set(self._refs(kinds, rec.funded_items)))
            from kg.rdf.records import decimal_text

            amount = float(decimal_text(rec.amount_eur))
            self.fundings.append((s, desc, rec.start, rec.end, amount, sources, funder, recipient, items))
            if rec.part_of:
                binary["isPartOf"].append((s, self._node("funding", rec.part_of)))
            if funder:
                ends = ([rec.recipient] if rec.recipient else []) + list(rec.funded_items)
                for x in dict.fromkeys(ends):
                    if kinds.get(x) == "funding":
                        self.derived_funders[self._node("funding", x)].append(funder)
        elif isinstance(rec, Support):
            self.supports.append(
                (
                    s,
                    self._node("actor", rec.provider),
                    self._node("actor", rec.beneficiary),
                    rec.support_kind,
                    rec.start,
                    rec.end,
                    sources,
                )
            )
        elif isinstance(rec, Post):
            holder = self._node("person", rec.holder) if rec.holder else None
            org = self._node("actor", rec.organisation)
            self.posts.append((s, holder, org, rec.label, rec.start, rec.end, sources))
        elif isinstance(rec, (Event, Publication)):
            node_kind = "event" if isinstance(rec, Event) else "publication"
            themes = self._notations("theme", rec.themes)
            if isinstance(rec, Event):
                self.events.append((s, rec.name, themes, rec.start, rec.end, desc, sources))
                pairs = (("organizer", rec.organisers), ("performer", rec.speakers))
                if rec.part_of:
                    binary["superEvent"].append((s, self._node("programme", rec.part_of)))
                if rec.location:
                    places["location"].append((s, self._territory(rec.location)))
            else:
                self.publications.append((s, rec.title, themes, rec.issued, desc, sources))
                pairs = (("author", rec.authors), ("publisher", rec.publishers))
            for pred, ids in pairs:
                for who in dict.fromkeys(self._refs(kinds, ids)):
                    self.taking_part[pred].append((s, who))
            seen: set[str] = set()
            for p in rec.participants:
                q = iris.participant(s, p.who, p.role)
                if q not in seen:
                    seen.add(q)
                    self.qualified[node_kind].append((s, q, self._node(kinds[p.who], p.who), p.role))
            for x in dict.fromkeys(self._refs(kinds, rec.about)):
                self.about.append((s, x))

    # -- the projection ------------------------------------------------------------------------------
    def graph(self, store: Any, *, territories: bool = True) -> Any:
        """The projection of the records added, with the concepts' labels and the territories' names read
        from *store* (the new :class:`kg.store.graph.Graph`): equal to ``project(store)``."""
        from kg.ingest.geo_tables import collector_paused
        from kg.network.projection import _scalar

        with collector_paused():  # hundreds of thousands of dicts, no cyclic garbage
            return _scalar(self._assemble(store, territories=territories))

    def _assemble(self, store: Any, *, territories: bool) -> Any:
        import networkx as nx

        from kg.model.vocab import expand as _iri
        from kg.network.attributes import concept_label_table
        from kg.network.pairs import Scanner
        from kg.network.projection import _cited, _SourceTexts

        G: Any = nx.MultiDiGraph()
        sc = Scanner(store)
        concepts = set(sc.of_type(_iri("skos:Concept")))
        G.graph["concept_labels"] = concept_label_table(
            (c, lab.value, lab.language) for c, lab in sc.pairs(_iri("skos:prefLabel")) if c in concepts
        )
        node: dict[str, dict[str, Any]] = G._node
        succ: dict[str, dict[str, dict]] = G._succ
        pred: dict[str, dict[str, dict]] = G._pred

        def new(n: str, attrs: dict[str, Any]) -> None:
            succ[n] = {}
            pred[n] = {}
            node[n] = attrs

        label: dict[str, str] = {}
        for s, name, alts, types, themes, founded_on, active, group, desc, srcs in sorted(self.actors):
            label[s] = name
            new(
                s,
                {
                    "kind": "actor",
                    "label": name or _tail(s),
                    "types": types,
                    "themes": themes,
                    "start": founded_on or active,
                    "end": None,
                    "territory": [],
                    "sources": srcs,
                    "group": group,
                },
            )
            if alts:
                node[s]["alt_labels"] = alts
            if desc:
                node[s]["description"] = desc
        for s, name, desc, srcs in sorted(self.persons):
            new(s, _attrs("person", name or _tail(s), [], [], None, None, srcs))
            if desc:
                node[s]["description"] = desc
        programmes = set()
        for s, name, alts, types, themes, start, end, desc, srcs in sorted(self.programmes):
            programmes.add(s)
            new(s, _attrs("programme", name or _tail(s), types, themes, start, end, srcs))
            if alts:
                node[s]["alt_labels"] = alts
            if desc:
                node[s]["description"] = desc
        fundings = sorted(self.fundings)
        for s, desc, start, end, _amount, srcs, *_ends in fundings:
            new(s, _attrs("funding", _tail(s), [], [], start, end, srcs))
            if desc:
                node[s]["description"] = desc
        events = sorted(self.events)
        for s, name, themes, start, end, desc, srcs in events:
            new(s, _attrs("event", name or _tail(s), [], themes, start, end, srcs))
            if desc:
                node[s]["description"] = desc
        for s, title, themes, issued, desc, srcs in sorted(self.publications):
            new(s, _attrs("publication", title or _tail(s), [], themes, issued, None, srcs))
            if desc:
                node[s]["description"] = desc
        G.graph["documents"] = {
            d: {"title": title or _tail(d), "publisher": label.get(publisher, ""), "issued": issued}
            for d, title, publisher, issued in sorted(self.documents)
        }

        source_text = _SourceTexts()

        def edge(a: str, b: str, kind: str, via: str | None, srcs: list, **attrs: Any) -> None:
            if a in node and b in node:
                d: dict[str, Any] = {"kind": kind}
                if via is not None:
                    d["via"] = via
                d["sources"] = source_text(srcs)
                for k, v in attrs.items():
                    if v is not None:
                        d[k] = v
                keys = succ[a].get(b)
                if keys is None:
                    succ[a][b] = pred[b][a] = {0: d}
                else:
                    keys[len(keys)] = d

        for m, member, org, role, start, end, srcs in sorted(self.memberships):
            kind = "participation" if org in programmes else "adhesion"
            edge(member, org, kind, m, srcs, role=role, start=start, end=end)
        derived = self.derived_funders
        for g, _desc, start, end, amount, srcs, funder, rcp, items in fundings:
            node[g]["amount"] = amount
            extra = derived.get(g)
            if extra:
                funder = min([*extra, *([funder] if funder else [])])
            if funder:
                edge(funder, g, "financement", g, srcs, role="financeur", start=start, end=end)
            if rcp:
                edge(g, rcp, "financement", g, srcs, role="beneficiaire", start=start, end=end)
            for it in items:
                if it != rcp:
                    edge(g, it, "financement", g, srcs, role="beneficiaire", start=start, end=end)
        for sp, a, b, k, start, end, srcs in sorted(self.supports):
            edge(a, b, "soutien", sp, srcs, role=k, start=start, end=end)
        founded = {a[0]: a[5] for a in self.actors}
        programme_start = {p[0]: p[5] for p in self.programmes}
        for p in _BINARY:
            kind = _BINARY_KIND[p]
            for x, y in sorted(self.binary[p]):
                a, b = (y, x) if kind == "fondation" else (x, y)
                if a not in node or b not in node:
                    continue
                date = (
                    founded.get(x)
                    if kind == "fondation"
                    else programme_start.get(x)
                    if kind == "succession"
                    else None
                )
                srcs = _cited(node[x]["sources"], G, x, y)
                edge(a, b, kind, None, srcs, role=None, end=None, start=date)
        for p, kind, role, node_kind in _TAKING_PART:
            for x, who in sorted(self.taking_part[p]):
                if x in node and node[x]["kind"] == node_kind:
                    n = node[x]
                    edge(
                        who,
                        x,
                        kind,
                        x,
                        _cited(n["sources"], G, x, who),
                        role=role,
                        start=n["start"],
                        end=n["end"],
                    )
        for node_kind, kind in (("event", "evenement"), ("publication", "publication")):
            for x, _q, by, role in sorted(self.qualified[node_kind]):
                if x in node:
                    n = node[x]
                    edge(
                        by,
                        x,
                        kind,
                        x,
                        _cited(n["sources"], G, x, by),
                        role=role,
                        start=n["start"],
                        end=n["end"],
                    )
        for x, subject in sorted(self.about):
            if x in node and node[x]["kind"] in ("event", "publication"):
                n = node[x]
                edge(
                    x,
                    subject,
                    "sujet",
                    x,
                    _cited(n["sources"], G, x, subject),
                    role=None,
                    start=n["start"],
                    end=None,
                )
        for post, person, org, post_label, start, end, srcs in sorted(self.posts):
            if person and org:
                edge(person, org, "poste", post, srcs, role="elu", label=post_label, start=start, end=end)
        if territories:
            names = _territory_names(store)
            for p in _PLACES:
                for a, t in sorted(self.places[p]):
                    if a not in node or not t.startswith(_TERRITORY) or node[a]["kind"] == "territory":
                        continue
                    if t not in node:
                        new(
                            t,
                            _attrs(
                                "territory",
                                names.get(t, t),
                                [t[len(_TERRITORY) :].split("/")[0]],
                                [],
                                None,
                                None,
                                [],
                            ),
                        )
                    if t not in node[a]["territory"]:
                        node[a]["territory"].append(t)
                        edge(a, t, "territoire", None, node[a]["sources"], role=None, start=None, end=None)
        for attrs in node.values():
            attrs["sources"] = source_text(attrs["sources"])
        return G


def _attrs(
    kind: str, label: str, types: list, themes: list, start: Any, end: Any, srcs: list
) -> dict[str, Any]:
    return {
        "kind": kind,
        "label": label,
        "types": types,
        "themes": themes,
        "start": start,
        "end": end,
        "territory": [],
        "sources": srcs,
    }


def _territory_names(store: Any) -> dict[str, str]:
    """Each territory's name (its first ``rdfs:label`` in order) from the geography's graph of *store*."""
    from kg.model.vocab import RDFS

    names: dict[str, str] = {}
    rows: Iterable[tuple[str, str]]
    raw = getattr(store, "store", None)
    if raw is not None and hasattr(raw, "quads_for_pattern"):
        from pyoxigraph import NamedNode

        rows = (
            (q.subject.value, q.object.value)
            for q in raw.quads_for_pattern(
                None, NamedNode(str(RDFS.label)), None, NamedNode(iris.GEOGRAPHY_GRAPH)
            )
        )
    else:
        from kg.network.pairs import Scanner

        rows = iter(Scanner(store).values(str(RDFS.label)))
    for t, name in rows:
        if t.startswith(_TERRITORY):
            old = names.get(t)
            if old is None or name < old:
                names[t] = name
    return names
