"""The projection made from the build's records, one record at a time: what ``kg build`` writes.

:func:`kg.network.projection.project` reads the quads (or the store) predicate by predicate and joins the
pairs into nodes and edges: at 100,000 actors, 7.5 s to read them and 9 s to join them. The build has
the records themselves, each with its own sources, dates, ends and types, so :class:`RecordProjection`
(made by ``kg build``, handed the records by the mapping: :func:`kg.rdf.mapping_stream.pack_curated_quads`
and :func:`kg.store.imported.imported_quads` call :meth:`RecordProjection.add`) keeps of each record one compact
tuple, never the record, and :meth:`RecordProjection.graph` assembles the projection in one small pass:
the nodes in the order the store gives them (sorted by IRI, by kind), then the edges in the same order as
:func:`~kg.network.projection.project` adds them. What crosses records is read there: the documents' publishers
by label, the sources that name both ends of a link first (:func:`~kg.network.projection._cited`), and from the
new store the few quads that are not records (the concepts' labels of the ontology, the territories' names
of the geography).

The result **equals** ``project(store)``: graph attributes, nodes, edges, keys, every attribute, and the
orders of nodes, successors, predecessors and keys (``tests/test_projection_records.py`` checks it on the tiny
graph, the curated data, a curated data set with imports, and a 2,000-actor synthetic data set).

>>> from kg.model.records import Person
>>> rp = RecordProjection()
>>> rp.add("person", Person(id="ada", name="Ada", sources=[{"doc": "d1", "quote": "Ada Lovelace"}]), {})
>>> rp.persons[0][:2]
('https://w3id.org/territorial-kg/id/person/ada', 'Ada')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from kg.model import iris
from kg.model.names import normalise
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
from kg.network.attributes import joined, sources_of
from kg.rdf.records import decimal_text

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


def _joined(items: list[str]) -> str:
    """:func:`kg.network.attributes.joined` of texts, joined at once when none holds a ``|`` or a ``\\``
    (as the projection joins them)."""
    text = "|".join(items)
    if "\\" not in text and text.count("|") == len(items) - 1:
        return text
    return joined(items)


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class RecordProjection:
    """Keeps of each record what the projection needs (compact tuples), then assembles it (:meth:`graph`).

    Made by the caller of :func:`kg.store.build.build` and handed to it (``on_record=rp.add``); the artefacts'
    projection step (:func:`kg.network.artefacts.build_steps`) calls :meth:`graph` once the store is written.
    Each tuple holds texts already in the projection's form (types, themes and sources joined), so that
    :meth:`graph` only sorts them and makes the dictionaries.
    """

    def __init__(self) -> None:
        self.actors: list[tuple] = []
        self.persons: list[tuple] = []
        self.programmes: list[tuple] = []
        self.fundings: list[tuple] = []
        self.events: list[tuple] = []
        self.publications: list[tuple] = []
        #: (IRI, member, organisation, the edge's attributes)
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
        self._ids: dict[str, dict[str, str]] = defaultdict(dict)
        #: True once :meth:`graph` has made the projection (and let the records go)
        self.made = False
        self._notation: dict[tuple[str, ...], str] = {}
        self._doc_head: dict[str, str] = {}
        self._prefix: dict[str, str] = {}
        self._concepts: dict[tuple[str, str], str] = {}
        self._territories: dict[str, str] = {}
        self._add: dict[type, Callable[[str, Any, Mapping[str, str]], None]] = {
            Actor: self._actor,
            Person: self._person,
            Programme: self._programme,
            Participation: self._participation,
            Membership: self._membership,
            Funding: self._funding,
            Support: self._support,
            Post: self._post,
            Event: self._event,
            Publication: self._event,
        }

    # -- minting, cached (the same ids, concepts and territories recur) ------------------------------
    def _node(self, kind: str, rid: str) -> str:
        try:
            return self._ids[kind][rid]
        except KeyError:
            iri = self._ids[kind][rid] = iris.document(rid) if kind == "document" else iris.entity(kind, rid)
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

    def _notations(self, scheme: str, values: list[str]) -> str:
        """The notations of *values* once each, in the order of their concepts' IRIs (what the quads give),
        as one text (kept once made for the same values: the same types and themes recur)."""
        if not values:
            return ""
        key = (scheme, values[0]) if len(values) == 1 else (scheme, *values)
        text = self._notation.get(key)
        if text is None:
            concepts = sorted({self._concept(scheme, v) for v in values})
            text = self._notation[key] = _joined([_tail(c) for c in concepts])
        return text

    def _sources(self, rec: Any) -> str:
        """The record's ``(document, quote)`` pairs, once each in its order, as the ``sources`` text."""
        srcs = rec.sources
        if not srcs:
            return ""
        if len(srcs) == 1:  # the document's IRI and a space kept once made: one concatenation
            src = srcs[0]
            head = self._doc_head.get(src.doc)
            if head is None:
                head = self._doc_head[src.doc] = self._node("document", src.doc) + " "
            text = head + src.quote
            return joined([text]) if "|" in text or "\\" in text else text
        out: list[tuple[str, str]] = []
        for src in srcs:
            pair = (self._node("document", src.doc), src.quote)
            if pair not in out:
                out.append(pair)
        return _joined([f"{doc} {quote}" for doc, quote in out])

    def _refs(self, kinds: Mapping[str, str], ids: list[str]) -> list[str]:
        return [self._node(kinds[rid], rid) for rid in ids]

    # -- one record ----------------------------------------------------------------------------------
    def add(self, kind: str, rec: Any, kinds: Mapping[str, str]) -> None:
        """Keep what the projection needs of the record *rec* of *kind*; *kinds* maps every record id to its
        kind (the references' IRIs). Records of kinds the projection does not draw are ignored."""
        add = self._add.get(type(rec))
        if add is not None:
            rid, ids = rec.id, self._ids[kind]
            s = ids.get(rid)
            if s is None:  # the record's id, a slug checked by its model: minted without checking it again
                prefix = self._prefix.get(kind)
                if prefix is None:
                    prefix = self._prefix[kind] = iris.entity(kind, "x")[:-1]
                s = ids[rid] = prefix + rid
            add(s, rec, kinds)
        elif isinstance(rec, Document):
            publisher = self._node("actor", rec.publisher) if rec.publisher else ""
            self.documents.append((self._node("document", rec.id), rec.title, publisher, rec.issued or ""))
        # connections, figures: no node nor edge

    def _actor(self, s: str, rec: Actor, kinds: Mapping[str, str]) -> None:
        d = rec.__dict__  # pydantic's attributes, read without its __getattr__
        self.actors.append(
            (
                s,
                rec.name,
                sorted(set(rec.alt_names)) if rec.alt_names else None,
                self._notations("actor-type", rec.types),
                self._notations("theme", rec.themes),
                rec.founded,
                rec.active_since,
                rec.group,
                d.get("description") or None,
                self._sources(rec),
            )
        )
        binary, places = self.binary, self.places
        if rec.founders:
            for f in dict.fromkeys(self._refs(kinds, rec.founders)):
                binary["founder"].append((s, f))
        if rec.part_of:
            binary["unitOf"].append((s, self._node("actor", rec.part_of)))
        if rec.inspired_by:
            for y in dict.fromkeys(self._refs(kinds, rec.inspired_by)):
                binary["wasInfluencedBy"].append((s, y))
        if rec.territory:
            places["spatial"].append((s, self._territory(rec.territory)))
        if rec.located_in:
            places["location"].append((s, self._territory(rec.located_in)))
        if rec.area_served:
            for t in dict.fromkeys(self._territory(p) for p in rec.area_served):
                places["areaServed"].append((s, t))

    def _person(self, s: str, rec: Person, kinds: Mapping[str, str]) -> None:
        self.persons.append((s, rec.name, rec.__dict__.get("description") or None, self._sources(rec)))

    def _programme(self, s: str, rec: Programme, kinds: Mapping[str, str]) -> None:
        self.programmes.append(
            (
                s,
                rec.name,
                sorted(set(rec.alt_names)) if rec.alt_names else None,
                _joined([_tail(self._concept("project-type", rec.type))]),
                self._notations("theme", rec.themes),
                rec.start,
                rec.end,
                rec.__dict__.get("description") or None,
                self._sources(rec),
            )
        )
        for t in dict.fromkeys(self._territory(p) for p in rec.area_served):
            self.places["areaServed"].append((s, t))
        binary = self.binary
        if rec.continues:
            binary["continues"].append((s, self._node("programme", rec.continues)))
        if rec.part_of:
            binary["isPartOf"].append((s, self._node("programme", rec.part_of)))
        for y in dict.fromkeys(self._refs(kinds, rec.inspired_by)):
            binary["wasInfluencedBy"].append((s, y))

    def _participation(self, s: str, rec: Participation, kinds: Mapping[str, str]) -> None:
        ids = self._ids  # the ids seen already (most), without a call
        member = ids["actor"].get(rec.actor) or self._node("actor", rec.actor)
        org = ids["programme"].get(rec.programme) or self._node("programme", rec.programme)
        # the edge's attributes made now (no tuple to unpack later); drawn when both ends are nodes
        d = _edge_attributes("participation", s, self._sources(rec), rec.role, rec.start, rec.end)
        self.memberships.append((s, member, org, d))

    def _membership(self, s: str, rec: Membership, kinds: Mapping[str, str]) -> None:
        ids = self._ids
        member = ids[kinds[rec.member]].get(rec.member) or self._node(kinds[rec.member], rec.member)
        org = ids["actor"].get(rec.organisation) or self._node("actor", rec.organisation)
        d = _edge_attributes("adhesion", s, self._sources(rec), rec.role, rec.start, rec.end)
        self.memberships.append((s, member, org, d))

    def _funding(self, s: str, rec: Funding, kinds: Mapping[str, str]) -> None:
        funder = self._node("actor", rec.funder) if rec.funder else None
        recipient = self._node("actor", rec.recipient) if rec.recipient else None
        items = sorted(set(self._refs(kinds, rec.funded_items)))
        amount = float(decimal_text(rec.amount_eur))  # the literal's text read as a number, as the store's
        desc = rec.__dict__.get("description") or None
        self.fundings.append(
            (s, desc, rec.start, rec.end, amount, self._sources(rec), funder, recipient, items)
        )
        if rec.part_of:
            self.binary["isPartOf"].append((s, self._node("funding", rec.part_of)))
        if funder:
            ends = ([rec.recipient] if rec.recipient else []) + list(rec.funded_items)
            for x in dict.fromkeys(ends):
                if kinds.get(x) == "funding":
                    self.derived_funders[self._node("funding", x)].append(funder)

    def _support(self, s: str, rec: Support, kinds: Mapping[str, str]) -> None:
        provider, beneficiary = self._node("actor", rec.provider), self._node("actor", rec.beneficiary)
        self.supports.append(
            (s, provider, beneficiary, rec.support_kind, rec.start, rec.end, self._sources(rec))
        )

    def _post(self, s: str, rec: Post, kinds: Mapping[str, str]) -> None:
        holder = self._node("person", rec.holder) if rec.holder else None
        org = self._node("actor", rec.organisation)
        self.posts.append((s, holder, org, rec.label, rec.start, rec.end, self._sources(rec)))

    def _event(self, s: str, rec: Event | Publication, kinds: Mapping[str, str]) -> None:
        themes = self._notations("theme", rec.themes)
        desc = rec.__dict__.get("description") or None
        if isinstance(rec, Event):
            node_kind = "event"
            self.events.append((s, rec.name, themes, rec.start, rec.end, desc, self._sources(rec)))
            pairs = (("organizer", rec.organisers), ("performer", rec.speakers))
            if rec.part_of:
                self.binary["superEvent"].append((s, self._node("programme", rec.part_of)))
            if rec.location:
                self.places["location"].append((s, self._territory(rec.location)))
        else:
            node_kind = "publication"
            self.publications.append((s, rec.title, themes, rec.issued, desc, self._sources(rec)))
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
        from *store* (the new :class:`kg.store.graph.Graph`): equal to ``project(store)``.

        Called once: the records' tuples are let go as it returns, so that their texts are held by the graph
        alone, and ``marshal`` (:func:`kg.store.artefacts.save`) writes an object held once without looking it
        up among those it has seen (at 100,000 actors the save takes 1.85 s of CPU instead of 2.24, median of
        3); :attr:`made` is then true, and a second call raises :class:`RuntimeError`.
        """
        from kg.ingest.geo_tables import collector_paused

        if self.made:
            raise RuntimeError("RecordProjection.graph() was called already: its records are let go")
        try:
            with collector_paused():  # hundreds of thousands of dicts, no cyclic garbage
                return self._assemble(store, territories=territories)
        finally:
            self.__dict__.clear()  # the tuples and the caches (the bound methods of _add made a cycle)
            self.made = True

    def _assemble(self, store: Any, *, territories: bool) -> Any:
        import json

        import networkx as nx

        from kg.model.vocab import expand as _iri
        from kg.network.attributes import concept_label_table
        from kg.network.pairs import Scanner

        G: Any = nx.MultiDiGraph()
        sc = Scanner(store)
        concepts = set(sc.of_type(_iri("skos:Concept")))
        labels = concept_label_table(
            (c, lab.value, lab.language) for c, lab in sc.pairs(_iri("skos:prefLabel")) if c in concepts
        )
        G.graph["concept_labels"] = json.dumps(labels, ensure_ascii=False, sort_keys=True)
        # the graph's own dictionaries, filled as add_node and add_edge fill them, every attribute a scalar
        # already (what kg.network.projection._scalar makes of project()'s): same keys, same orders
        node: dict[str, dict[str, Any]] = G._node
        succ: dict[str, dict[str, dict]] = G._succ
        pred: dict[str, dict[str, dict]] = G._pred
        names: dict[str, tuple[str, list[str]]] = {}  # label and alternative labels, for _cited

        def new(
            n: str, kind: str, label: str, types: str, themes: str, start: Any, end: Any, srcs: str
        ) -> dict:
            d: dict[str, Any] = {"kind": kind, "label": label, "types": types, "themes": themes}
            if start is not None:
                d["start"] = start
            if end is not None:
                d["end"] = end
            d["territory"] = ""
            d["sources"] = srcs
            succ[n] = {}
            pred[n] = {}
            node[n] = d
            return d

        first = itemgetter(0)
        actors = sorted(self.actors, key=first)
        for s, name, alts, types, themes, founded_on, active, group, desc, srcs in actors:
            d = new(s, "actor", name or _tail(s), types, themes, founded_on or active, None, srcs)
            d["group"] = group
            if alts:
                d["alt_labels"] = _joined(alts)
                names[s] = (d["label"], alts)
            if desc:
                d["description"] = desc
        for s, name, desc, srcs in sorted(self.persons, key=first):
            d = new(s, "person", name or _tail(s), "", "", None, None, srcs)
            if desc:
                d["description"] = desc
        for s, name, alts, types, themes, start, end, desc, srcs in sorted(self.programmes, key=first):
            d = new(s, "programme", name or _tail(s), types, themes, start, end, srcs)
            if alts:
                d["alt_labels"] = _joined(alts)
                names[s] = (d["label"], alts)
            if desc:
                d["description"] = desc
        fundings = sorted(self.fundings, key=first)
        for s, desc, start, end, _amount, srcs, *_ends in fundings:
            d = new(s, "funding", _tail(s), "", "", start, end, srcs)
            if desc:
                d["description"] = desc
        for s, name, themes, start, end, desc, srcs in sorted(self.events, key=first):
            d = new(s, "event", name or _tail(s), "", themes, start, end, srcs)
            if desc:
                d["description"] = desc
        for s, title, themes, issued, desc, srcs in sorted(self.publications, key=first):
            d = new(s, "publication", title or _tail(s), "", themes, issued, None, srcs)
            if desc:
                d["description"] = desc
        actor_label = {a[0]: a[1] for a in self.actors}
        documents = {
            doc: {"title": title or _tail(doc), "publisher": actor_label.get(publisher, ""), "issued": issued}
            for doc, title, publisher, issued in sorted(self.documents)
        }
        G.graph["documents"] = json.dumps(documents, ensure_ascii=False, sort_keys=True)

        def put(a: str, b: str, d: dict[str, Any]) -> None:
            """``G.add_edge(a, b, **d)`` when both ends are nodes (the next free key)."""
            sa, pb = succ.get(a), pred.get(b)  # None when not a node (succ, pred and node share their keys)
            if sa is not None and pb is not None:
                keys = sa.get(b)
                if keys is None:
                    sa[b] = pb[a] = {0: d}
                else:  # nothing is removed: the next key is the count
                    keys[len(keys)] = d

        def edge(
            a: str,
            b: str,
            kind: str,
            via: str | None,
            srcs: str,
            role: Any,
            start: Any,
            end: Any,
            label: str | None = None,
        ) -> None:
            """``G.add_edge(a, b, kind=…, via=…, sources=…, role=…, label=…, start=…, end=…)`` when both
            ends are nodes, an attribute without a value left out (:func:`_edge_attributes`)."""
            put(a, b, _edge_attributes(kind, via, srcs, role, start, end, label))

        def cited(x: str, other: str) -> str:
            return _cited(node[x]["sources"], node, names, x, other)

        for _m, member, org, d in sorted(self.memberships, key=first):  # their attributes made by add()
            put(member, org, d)
        derived = self.derived_funders
        for g, _desc, start, end, amount, srcs, funder, rcp, items in fundings:
            node[g]["amount"] = amount
            extra = derived.get(g)
            if extra:
                funder = min([*extra, *([funder] if funder else [])])
            if funder:
                edge(funder, g, "financement", g, srcs, "financeur", start, end)
            if rcp:
                edge(g, rcp, "financement", g, srcs, "beneficiaire", start, end)
            for it in items:
                if it != rcp:
                    edge(g, it, "financement", g, srcs, "beneficiaire", start, end)
        for sp, a, b, k, start, end, srcs in sorted(self.supports, key=first):
            edge(a, b, "soutien", sp, srcs, k, start, end)
        founded = {a[0]: a[5] for a in self.actors}
        programme_start = {p[0]: p[5] for p in self.programmes}
        for p in _BINARY:
            kind = _BINARY_KIND[p]
            for x, y in sorted(self.binary[p]):
                a, b = (y, x) if kind == "fondation" else (x, y)  # the founder acts; a unit or a sequel acts
                if a not in node or b not in node:
                    continue
                date = founded.get(x) if kind == "fondation" else None
                if kind == "succession":
                    date = programme_start.get(x)
                edge(a, b, kind, None, cited(x, y), None, date, None)
        for p, kind, role, node_kind in _TAKING_PART:
            for x, who in sorted(self.taking_part[p]):
                if x in node and node[x]["kind"] == node_kind and who in node:
                    n = node[x]
                    edge(who, x, kind, x, cited(x, who), role, n.get("start"), n.get("end"))
        for node_kind, kind in (("event", "evenement"), ("publication", "publication")):
            for x, _q, by, role in sorted(self.qualified[node_kind]):
                if x in node and by in node:
                    n = node[x]
                    edge(by, x, kind, x, cited(x, by), role, n.get("start"), n.get("end"))
        for x, subject in sorted(self.about):
            if x in node and node[x]["kind"] in ("event", "publication") and subject in node:
                edge(x, subject, "sujet", x, cited(x, subject), None, node[x].get("start"), None)
        for post, person, org, post_label, start, end, srcs in sorted(self.posts, key=first):
            if person and org:
                edge(person, org, "poste", post, srcs, "elu", start, end, post_label)
        if territories:
            self._territory_edges(store, node, succ, pred, new)
        return G

    def _territory_edges(self, store: Any, node: dict, succ: dict, pred: dict, new: Any) -> None:
        """The territories the nodes point at (nodes the first time, named once all are made), and a
        ``territoire`` edge to each."""
        from kg.network.pairs import territory_names

        placed: dict[str, list[str]] = {}
        made: list[dict] = []
        for p in _PLACES:
            for a, t in sorted(self.places[p]):
                sa = succ.get(a)  # None when a is not a node
                if sa is None:
                    continue
                n = node[a]
                if n["kind"] == "territory" or not t.startswith(_TERRITORY):
                    continue
                seen = placed.get(a)
                if seen is None:
                    placed[a] = [t]
                elif t in seen:
                    continue
                else:
                    seen.append(t)
                pt = pred.get(t)
                if pt is None:  # named below (its label's place in the dict kept)
                    level = t[len(_TERRITORY) :].split("/")[0]
                    made.append(new(t, "territory", t, _joined([level]), "", None, None, ""))
                    pt = pred[t]
                # edge(a, t, "territoire", None, sources, …): a territory is a node only from here on and
                # each (a, t) is drawn once, so the pair has no edge yet: key 0
                sa[t] = pt[a] = {0: {"kind": "territoire", "sources": n["sources"]}}
        names = territory_names(store, {d["label"] for d in made})
        for d in made:
            d["label"] = names.get(d["label"], d["label"])
        for a, ts in placed.items():  # a territory's IRI holds no "|" nor "\\": one is its own text
            node[a]["territory"] = ts[0] if len(ts) == 1 else _joined(ts)


def _edge_attributes(
    kind: str, via: str | None, srcs: str, role: Any, start: Any, end: Any, label: str | None = None
) -> dict[str, Any]:
    """An edge's attributes in the projection's order (``kind``, ``via``, ``sources``, ``role``, ``label``,
    ``start``, ``end``), an attribute without a value left out."""
    d: dict[str, Any] = {"kind": kind}
    if via is not None:
        d["via"] = via
    d["sources"] = srcs
    if role is not None:
        d["role"] = role
    if label is not None:
        d["label"] = label
    if start is not None:
        d["start"] = start
    if end is not None:
        d["end"] = end
    return d


def _cited(
    srcs: str, node: dict[str, dict], names: dict[str, tuple[str, list[str]]], own: str, other: str
) -> str:
    """The ``sources`` text *srcs* of a record *own*, those naming the *other* end of a link first (then
    *own*): :func:`kg.network.projection._cited` on the text."""
    if not srcs:
        return ""
    pairs = sources_of(srcs)
    if len(pairs) == 1:
        return srcs
    pairs.sort(
        key=lambda src: -(2 * _mentions(src[1], node, names, other) + _mentions(src[1], node, names, own))
    )
    return _joined([f"{doc} {quote}" for doc, quote in pairs])


def _mentions(quote: str, node: dict[str, dict], names: dict[str, tuple[str, list[str]]], n: str) -> int:
    """1 when the *quote* names the node *n* (by label or alternative label, any case or accent)."""
    if n not in node:
        return 0
    label, alts = names.get(n) or (node[n].get("label") or "", [])
    text = f" {normalise(quote)} "
    return int(any(f" {normalise(x)} " in text for x in (label, *alts) if x))
