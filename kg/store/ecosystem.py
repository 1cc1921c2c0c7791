"""The ecosystem of a territory: the alliance around it, each member with the reasons it is there.

One definition, in SPARQL, in ``queries/include/territory-ecosystem.rq``; the named questions
``actors-of-territory`` and ``funders-of-territory`` include it (``INCLUDE territory-ecosystem``,
expanded by :mod:`kg.store.queries`), and :func:`ecosystem` runs it for ``kg view --territory``,
``kg analyse --territory`` and ``kg export-xlsx --territory``. In words:

- **anchored**: an actor whose own place (``dct:spatial``, ``schema:location``,
  ``schema:areaServed``) is the territory or lies in it (``dct:isPartOf*``), and every unit
  (``org:unitOf+``) of such an actor;
- an **activity** — programme, funding, support, membership, event — **acts there** when its own
  place lies in the territory, when one who takes part in it is anchored there (for a funding, what
  it funds: its recipient or funded item; for a support, its beneficiary), when it has no place of
  its own and is part of an activity whose place lies there, when one of its parts acts there, or
  (a funding) when a programme or event it funds acts there;
- **everyone who takes part** in an activity acting there (participants, members, funders and
  recipients, providers and beneficiaries, organisers, speakers and attendees).

The activities acting there are members too. Each member carries its :class:`Reason` s, which
:meth:`Ecosystem.explain` says in French or English.

>>> r = Reason("participe", via="https://w3id.org/territorial-kg/id/programme/aet")
>>> eco = Ecosystem("commune:94018", "https://w3id.org/territorial-kg/id/territory/commune/94018",
...                 {"https://w3id.org/territorial-kg/id/actor/le-rameau": [r]},
...                 {"https://w3id.org/territorial-kg/id/programme/aet": "AET"})
>>> eco.explain("https://w3id.org/territorial-kg/id/actor/le-rameau")
['participe au programme AET']
>>> eco.explain("https://w3id.org/territorial-kg/id/actor/le-rameau", "en")
['takes part in the programme AET']
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model.vocab import BASE
from kg.store.graph import IRI, to_term
from kg.store.queries import checked_ref, expand_includes, fragment_branches, territory_iri

__all__ = [
    "ACTIVITY_KINDS",
    "Q_ECOSYSTEM",
    "Q_ECOSYSTEM_BRANCHES",
    "TABLES_LEVELS",
    "Ecosystem",
    "Reason",
    "ecosystem",
    "kind_of",
    "with_labels",
]

#: the definition, with the labels it names (rows: one member, one reason); what ``?via`` and ``?at`` name is
#: a place (``?place``) or itself a member, so these two labels are all it needs (an OPTIONAL on ``?via``,
#: unbound in some rows, would match every label of the graph); a funding, support or membership has no
#: label: it is named by those who take part in it, which are members too
_SELECT = """SELECT DISTINCT ?member ?reason ?via ?because ?at ?place ?memberLabel ?placeLabel WHERE {
%s
  OPTIONAL { ?member rdfs:label ?memberLabel }
  OPTIONAL { ?place rdfs:label ?placeLabel }
}"""
Q_ECOSYSTEM = expand_includes(_SELECT % "  INCLUDE territory-ecosystem")

#: one query per branch of the definition (:func:`kg.store.queries.fragment_branches`), without labels: what
#: :func:`ecosystem` runs, each flat in its WHERE with the territory bound, so that the store starts every branch
#: from the territory (a département of the 10,000-actor synthetic graph: 8 s as one union, 8 s branch by branch with the
#: label OPTIONALs, which change the store's join order, about 1 s without them)
Q_ECOSYSTEM_BRANCHES = tuple(
    f"SELECT DISTINCT ?member ?reason ?via ?because ?at ?place WHERE {{\n{b}\n}}"
    for b in fragment_branches("territory-ecosystem")
)
#: the labels of the members and places found (``VALUES ?node`` is added, IRIs serialised by pyoxigraph)
Q_LABELS = "SELECT ?node ?label WHERE { ?node rdfs:label ?label }"
_LABEL_CHUNK = 2000
#: the levels whose ecosystem :func:`ecosystem` reads from the columnar tables when the store has fresh ones:
#: DuckDB scans the relations whatever the territory (about 2 s at 30,000 actors), the store starts from the
#: territory and follows its links, so a commune is faster in SPARQL (0.4 s), a département in DuckDB (3.6 s
#: against 10.2 s; same run, loaded machine)
TABLES_LEVELS = ("intercommunalite", "departement", "region")

#: kinds of the activities (the path segment of their IRIs) → (French, English) words
ACTIVITY_KINDS = {
    "programme": ("programme", "programme"),
    "funding": ("financement", "funding"),
    "support": ("soutien", "support"),
    "membership": ("adhésion", "membership"),
    "event": ("événement", "event"),
}


def kind_of(iri: str | None) -> str | None:
    """The kind of a node from its IRI: ``actor``, ``programme``, ``funding``, ``territory``…

    >>> kind_of("https://w3id.org/territorial-kg/id/funding/urgence-etudiante-3k")
    'funding'
    """
    if not iri or not iri.startswith(BASE + "id/"):
        return None
    return iri[len(BASE) + 3 :].split("/", 1)[0]


@dataclass(frozen=True, order=True)
class Reason:
    """Why a node is in a territory's ecosystem.

    ``kind``: ``lieu`` (its own place, *via*, lies in the territory), ``unite`` (a unit of the anchored
    actor *via*, whose place is *at*), ``participe`` (it takes part in the activity *via*) or ``agit``
    (it is an activity acting there). ``because`` says how the activity acts there — ``lieu``,
    ``participant``, ``partie``, ``composante``, ``objet`` — and ``at`` what that names: the place,
    the anchored participant, the whole, the part or the funded programme.
    """

    kind: str
    via: str | None = None
    because: str | None = None
    at: str | None = None


_TAKES_PART = {
    "fr": {
        "programme": "participe au programme",
        "funding": "participe au financement",
        "support": "participe au soutien",
        "membership": "participe à l'adhésion",
        "event": "participe à l'événement",
    },
    "en": {
        "programme": "takes part in the programme",
        "funding": "takes part in the funding",
        "support": "takes part in the support",
        "membership": "takes part in the membership",
        "event": "takes part in the event",
    },
}
_HOW = {
    "fr": {
        "lieu": "lieu : {x}",
        "participant": "participant ancré ici : {x}",
        "partie": "partie de {x}",
        "composante": "comprend {x}",
        "objet": "finance {x}",
    },
    "en": {
        "lieu": "place: {x}",
        "participant": "participant anchored here: {x}",
        "partie": "part of {x}",
        "composante": "includes {x}",
        "objet": "funds {x}",
    },
}


@dataclass
class Ecosystem:
    """The ecosystem of one territory: every member (IRI) with its reasons, and the labels they name."""

    territory: str
    iri: str
    reasons: dict[str, list[Reason]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    #: the members and places whose labels :func:`with_labels` asks for (left unasked by ``labels=False``)
    named: list[str] = field(default_factory=list, repr=False, compare=False)

    def __contains__(self, node: object) -> bool:
        return node in self.reasons

    def __len__(self) -> int:
        return len(self.reasons)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.reasons))

    def members(self, kinds: Collection[str] | None = None) -> list[str]:
        """The members (IRIs, sorted), only those of *kinds* (``actor``, ``person``, ``programme``…) if given."""
        return [n for n in sorted(self.reasons) if kinds is None or kind_of(n) in kinds]

    def label(self, node: str | None) -> str:
        """The label of *node* (its id when it has none)."""
        if node is None:
            return ""
        return self.labels.get(node) or node.rsplit("/", 1)[-1]

    def explain(self, node: str, lang: str = "fr") -> list[str]:
        """The reasons *node* is in the ecosystem, as short sentences in *lang* (fr or en).

        Those of an activity (why it acts there) come together in one sentence.
        """
        words = "en" if lang == "en" else "fr"
        out: list[str] = []
        how: dict[str, list[str]] = defaultdict(list)
        for r in sorted(set(self.reasons.get(node, []))):
            if r.kind == "lieu":
                out.append(("place: " if words == "en" else "lieu : ") + self.label(r.via))
            elif r.kind == "unite":
                text = ("unit of " if words == "en" else "unité de ") + self.label(r.via)
                out.append(text + (f" ({self.label(r.at)})" if r.at else ""))
            elif r.kind == "participe":
                verb = _TAKES_PART[words].get(kind_of(r.via) or "", _TAKES_PART[words]["programme"])
                out.append(f"{verb} {self.label(r.via)}")
            elif r.kind == "agit" and r.because:
                how[r.because].append(self.label(r.at))
        if how:
            said = [
                _HOW[words].get(b, b + " {x}").format(x=", ".join(sorted(set(xs)))) for b, xs in how.items()
            ]
            out.append(("acts here — " if words == "en" else "agit ici — ") + " ; ".join(said))
        counts = Counter(out)  # seven supports between the same two actors: one sentence, times 7
        return [s if counts[s] == 1 else f"{s} (x{counts[s]})" for s in dict.fromkeys(out)]

    def as_rows(self, lang: str = "fr") -> list[dict[str, Any]]:
        """One row per member: ``member``, ``label``, ``kind``, ``reasons`` (sentences in *lang*)."""
        return [
            {"member": n, "label": self.label(n), "kind": kind_of(n), "reasons": self.explain(n, lang)}
            for n in self.members()
        ]


#: the ecosystem's rows from the columnar tables (:mod:`kg.store.columnar`): the activities acting there
#: (``acts``, the branches 2 to 14, as :mod:`kg.store.columnar_territory` writes them in SQL), those taking part
#: in them, and the anchored actors with their units; then the labels of the members and places named
_SQL_ROWS = """{acts},
takes_part(act, m) AS (
  SELECT t.s, t.o FROM triples t WHERE t.p IN {take_part} AND t.s IN (SELECT act FROM acts)
  UNION
  SELECT g.o, m.o FROM triples g JOIN triples m ON m.s = g.s AND m.p = 'member'
  WHERE g.p = 'organization' AND g.o IN (SELECT act FROM acts)
  UNION
  SELECT q.s, a.o FROM triples q JOIN triples a ON a.s = q.o AND a.p = 'agent'
  WHERE q.p = 'qualifiedAssociation' AND q.s IN (SELECT act FROM acts)
)
SELECT DISTINCT m, CASE WHEN m = a THEN 'lieu' ELSE 'unite' END, CASE WHEN m = a THEN place ELSE a END,
       NULL, CASE WHEN m = a THEN NULL ELSE place END, place FROM unit_rows
UNION ALL
SELECT DISTINCT act, 'agit', NULL, because, at_node, place FROM acts
UNION ALL
SELECT DISTINCT p.m, 'participe', a.act, NULL, NULL, a.place FROM acts a JOIN takes_part p ON p.act = a.act
WHERE p.m <> a.act
"""


def _rows_from_tables(
    tables: str | Path, tiri: str
) -> list[tuple[str, str, str | None, str | None, str | None, str]]:
    """The ecosystem's rows ``(member, reason, via, because, at, place)`` (IRIs) from the tables file."""
    import duckdb

    from kg.store import columnar_territory as ct

    sql = _SQL_ROWS.format(acts=ct._ACTS, take_part=ct._TAKE_PART)
    with duckdb.connect(str(tables), read_only=True) as con:
        rows = con.execute(sql, {"t": f"<{tiri}>"}).fetchall()

    def iri(x: str | None) -> str | None:
        return x[1:-1] if x and x.startswith("<") else x

    return [(iri(m), r, iri(v), b, iri(a), iri(p)) for m, r, v, b, a, p in rows]  # type: ignore[misc]


def ecosystem(
    graph: Any, territory: str, *, tables: str | Path | bool | None = None, labels: bool = True
) -> Ecosystem:
    """The ecosystem of *territory* (``level:code``): anchored actors, activities acting there, their participants.

    Parameters
    ----------
    graph : kg.store.graph.Graph or kg.store.remote.RemoteGraph
        Anything with ``query(sparql, **bindings)``.
    territory : str
        ``commune:94018``, ``intercommunalite:200057941``, ``departement:94`` or ``region:11``.
    tables : path, bool or None
        Where the rows come from: ``None``, for the levels of :data:`TABLES_LEVELS`, the columnar tables
        of a local store when they are fresh (:func:`kg.store.columnar.fresh_tables`), else the SPARQL
        branches; ``False``, the SPARQL branches; a path,
        that tables file (:func:`kg.store.columnar.write_tables`). Both give the same ecosystem.
    labels : bool
        Ask for the labels the reasons name (:func:`with_labels`); ``False`` leaves ``labels`` empty, for a
        reader that needs only the members (a grouped view of 10,000 of them), which may ask later.

    Returns
    -------
    Ecosystem

    Raises
    ------
    TerritoryError
        For a malformed territory, a level that does not exist, or a territory that is not in the
        official geography (French first, naming the value and the fix).
    """
    ref = checked_ref(territory)
    tiri = territory_iri(graph, str(ref))
    reasons: dict[str, set[Reason]] = defaultdict(set)
    named: set[str] = set()
    if tables is None and ref.level not in TABLES_LEVELS:
        tables = False
    for m, kind, via, because, at, place in _rows(graph, tiri, tables):
        if m is None:
            continue
        if kind == "participe":  # why the activity acts there is said once, on the activity
            reasons[m].add(Reason(kind, via))
        else:
            reasons[m].add(Reason(kind, via, because, at))
        named.update(x for x in (m, place) if x)
    eco = Ecosystem(str(ref), tiri, {n: sorted(rs) for n, rs in reasons.items()}, named=sorted(named))
    return with_labels(graph, eco) if labels else eco


def with_labels(graph: Any, eco: Ecosystem) -> Ecosystem:
    """*eco* with the labels of the members and places its reasons name (asked once: an ecosystem that has
    them is returned as it is); an activity without a label is named after those who take part in it."""
    if eco.labels or not eco.named:
        return eco
    labels = _labels(graph, eco.named)
    parties: dict[str, set[str]] = defaultdict(set)
    for m, rs in eco.reasons.items():
        for x in rs:
            if x.kind == "participe" and x.via:
                parties[x.via].add(m)
    for n in eco.reasons:  # a funding, support or membership has no label: name those who take part in it
        if n not in labels and kind_of(n) in ACTIVITY_KINDS:
            names = sorted(labels.get(p) or p.rsplit("/", 1)[-1] for p in parties.get(n, ()))
            labels[n] = " – ".join(names) or n.rsplit("/", 1)[-1]
    eco.labels = labels
    return eco


def _rows(graph: Any, tiri: str, tables: str | Path | bool | None) -> Iterator[tuple[Any, ...]]:
    """The ecosystem's rows ``(member, reason, via, because, at, place)``: from the columnar tables (when
    *tables* is a path, or None and the store has fresh ones; the same rows, ``tests/test_ecosystem.py``
    checks it), else the SPARQL branches."""
    if tables is None:
        from kg.store.columnar import fresh_tables

        tables = fresh_tables(getattr(graph, "path", None))
    if isinstance(tables, (str, Path)):
        yield from _rows_from_tables(tables, tiri)
        return
    for q in Q_ECOSYSTEM_BRANCHES:
        for r in graph.query(q, territory=IRI(tiri)):
            yield r["member"], r["reason"], r.get("via"), r.get("because"), r.get("at"), r.get("place")


def _labels(graph: Any, nodes: list[str]) -> dict[str, str]:
    """The label of each of *nodes* (IRIs) that has one, asked in chunks bound as ``VALUES``."""
    labels: dict[str, str] = {}
    for i in range(0, len(nodes), _LABEL_CHUNK):
        values = " ".join(str(to_term(IRI(n))) for n in nodes[i : i + _LABEL_CHUNK])
        q = Q_LABELS.replace("WHERE {", f"WHERE {{ VALUES ?node {{ {values} }}", 1)
        for r in graph.query(q):
            if r.get("label") is not None:
                labels.setdefault(r["node"], str(r["label"]))
    return labels
