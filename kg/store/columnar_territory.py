"""The territory questions on the columnar path: ``include/territory-ecosystem.rq`` as SQL over the tables.

:mod:`kg.store.columnar` writes the relations into one DuckDB table ``triples(p, s, lex, dt, lang, o)``
(``s`` and ``o`` in N-Triples form: ``<iri>``, ``_:b``, a literal's text; ``lex``/``dt``/``lang`` a
literal's parts). Here the 14 flat branches of the ecosystem definition become one SQL query: the places
of the territory (``dct:isPartOf*``: the table ``within``, its closure written with the tables), the actors
anchored there and their units (``org:unitOf*``, a recursive CTE), the activities acting there by place,
participant, part, component or funded item (``(dct:isPartOf|schema:superEvent)+``: the table ``parts``),
and everyone taking part in them. The outer queries of
``actors-of-territory`` and ``funders-of-territory`` then group as their ``.rq`` files do.

``actors-of-territory`` needs only *which* activities act there (not why nor where): the branches with the
territory taken out are written with the tables (``act_of``: the activities each located node or anchored
organisation brings), and its activities are two filtered scans of that table (layout 9).

The SPARQL solutions are bags, but both questions group their rows and keep only ``MIN`` and
``COUNT(DISTINCT …)`` of them, so sets give the same answer. A SPARQL expression that errs (``CONCAT``
with an unbound label) leaves its variable unbound: here the SQL ``||`` gives NULL.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TABLES", "actors_of_territory", "funders_of_territory", "sql"]

_IN_PLACE = "('spatial', 'location', 'areaServed')"
_DIRECT = "('recipient', 'fundedItem', 'beneficiary', 'member', 'organization', 'organizer', 'performer', 'attendee')"
_TAKE_PART = "('recipient', 'fundedItem', 'beneficiary', 'funder', 'provider', 'member', 'organization', "
_TAKE_PART += "'organizer', 'performer', 'attendee')"
_ACTIVITY = (
    "regexp_matches({}, '^<https://w3id.org/territorial-kg/id/(programme|funding|support|membership|event)/')"
)

#: the start of both questions below: the places of the territory $t (itself and what lies within), what is
#: located there, the organisations anchored there and their units (``unit_rows``: unit, organisation, place)
_PLACES = f"""WITH RECURSIVE
places(place) AS (SELECT $t UNION SELECT n FROM within WHERE w = $t),
located AS MATERIALIZED (
  SELECT DISTINCT t.s AS e, t.o AS place FROM triples t JOIN places ON t.o = places.place
  WHERE t.p IN {_IN_PLACE}
),
anchored AS MATERIALIZED (
  SELECT l.e AS a, l.place FROM located l
  WHERE l.e IN (SELECT s FROM classes WHERE cls = '<http://www.w3.org/ns/org#Organization>')
),
units(m, a) AS (
  SELECT DISTINCT a, a FROM anchored
  UNION
  SELECT t.s, u.a FROM triples t JOIN units u ON t.o = u.m WHERE t.p = 'unitOf'
),
unit_rows AS MATERIALIZED (SELECT u.m, u.a, an.place FROM units u JOIN anchored an ON an.a = u.a),
"""

#: (act, because, at, place) of every activity acting in the territory $t — the branches 2 to 14
_ACTS = f"""
{_PLACES}xs AS MATERIALIZED (SELECT DISTINCT m AS x, place FROM unit_rows),
-- n is linked to an anchored x: directly (lp the predicate), as a member, or with a role (three parts with
-- different lp: each made distinct, no union of them to make distinct again)
linked AS MATERIALIZED (
  SELECT DISTINCT t.s AS n, t.p AS lp, xs.x, xs.place FROM triples t JOIN xs ON t.o = xs.x
  WHERE t.p IN {_DIRECT}
  UNION ALL
  SELECT DISTINCT g.o, 'membership', xs.x, xs.place FROM triples m JOIN xs ON m.o = xs.x
  JOIN triples g ON g.s = m.s AND g.p = 'organization' WHERE m.p = 'member'
  UNION ALL
  SELECT DISTINCT q.s, 'role', xs.x, xs.place FROM triples a JOIN xs ON a.o = xs.x
  JOIN triples q ON q.o = a.s AND q.p = 'qualifiedAssociation' WHERE a.p = 'agent'
),
part_starts AS MATERIALIZED (
  SELECT e AS n FROM located UNION SELECT n FROM linked
),
-- n (isPartOf|superEvent)+ w (the closure, table parts), from the located parts up, the located wholes down
up AS (SELECT n, w FROM parts WHERE n IN (SELECT n FROM part_starts)),
down AS (SELECT n, w FROM parts WHERE w IN (SELECT e FROM located)),
grant_items AS MATERIALIZED (
  SELECT f.s AS act, f.o AS item FROM triples f
  WHERE f.p = 'fundedItem'
    AND f.s IN (SELECT s FROM classes WHERE cls = '<https://schema.org/MonetaryGrant>')
    AND f.o IN (SELECT s FROM classes WHERE cls IN ('<https://schema.org/Project>', '<https://schema.org/Event>'))
),
acts_all AS (
  SELECT e AS act, 'lieu' AS because, place AS at_node, place FROM located
  UNION ALL
  SELECT n, 'participant', x, place FROM linked
  UNION ALL
  SELECT d.n, 'partie', d.w, l.place FROM down d JOIN located l ON l.e = d.w
  WHERE d.n NOT IN (SELECT s FROM placed)
  UNION ALL
  SELECT u.w, 'composante', u.n, l.place FROM up u JOIN located l ON l.e = u.n
  UNION ALL
  SELECT u.w, 'composante', u.n, k.place FROM up u JOIN linked k ON k.n = u.n
  UNION ALL
  SELECT g.act, 'objet', g.item, l.place FROM grant_items g JOIN located l ON l.e = g.item
  UNION ALL
  SELECT g.act, 'objet', g.item, k.place FROM grant_items g JOIN linked k ON k.n = g.item
  WHERE k.lp IN ('organizer', 'performer', 'attendee', 'membership', 'role')
),
acts AS MATERIALIZED (SELECT DISTINCT * FROM acts_all WHERE {_ACTIVITY.format("act")})
"""


#: what actors-of-territory reads that no territory changes, written with the tables: who takes part in
#: an activity (directly, as a member, with a role), what has a place, and an actor's kind (its
#: classification's French label)
TABLES = {
    "takers": f"""
SELECT t.s AS act, t.o AS m FROM triples t WHERE t.p IN {_TAKE_PART}
UNION
SELECT g.o, m.o FROM triples g JOIN triples m ON m.s = g.s AND m.p = 'member' WHERE g.p = 'organization'
UNION
SELECT q.s, a.o FROM triples q JOIN triples a ON a.s = q.o AND a.p = 'agent' WHERE q.p = 'qualifiedAssociation'
ORDER BY act
""",
    "placed": f"SELECT DISTINCT s FROM triples WHERE p IN {_IN_PLACE} ORDER BY s",
    "actor_types": """
SELECT c.s AS member, arg_min(pl.lex, pl.lex) AS tlex
FROM triples c JOIN triples pl ON pl.s = c.o AND pl.p = 'prefLabel' AND pl.lang = 'fr'
WHERE c.p = 'classification' GROUP BY c.s
""",
}


def _strafter(s: str, n: str) -> str:
    """SQL for SPARQL's ``STRAFTER(s, n)``: what follows the first *n* in *s*, or "" (NULL for NULL)."""
    return (
        f"CASE WHEN position({n} IN {s}) = 0 THEN '' ELSE substr({s}, position({n} IN {s}) + length({n})) END"
    )


_ORG_CLASS = "'<http://www.w3.org/ns/org#Organization>'"
_PROJECT_CLASS = "'<https://schema.org/Project>'"


def _via_name(label: str, via: str) -> str:
    """SQL for the name the ``.rq`` gives the node *via* (an N-Triples text) with its label *label*: the
    label, else what follows ``/id/<kind>/`` in its IRI (NULL for a blank node)."""
    via_str = f"CASE WHEN starts_with({via}, '<') THEN trim({via}, '<>') END"
    tail = _strafter(via_str, "'/id/'")
    after = _strafter(via_str, "'/id/' || regexp_replace(" + tail + ", '/.*$', '') || '/'")
    return f"COALESCE({label}, {after})"


def _via_kind(via: str) -> str:
    """SQL for the kind of activity the ``.rq`` reads in the IRI of *via* (NULL for a blank node)."""
    return f"""CASE WHEN NOT starts_with({via}, '<') THEN NULL
           WHEN contains({via}, '/id/funding/') THEN 'financement'
           WHEN contains({via}, '/id/support/') THEN 'soutien'
           WHEN contains({via}, '/id/membership/') THEN 'adhésion'
           WHEN contains({via}, '/id/event/') THEN 'événement'
           ELSE 'programme' END"""


#: what no territory changes in actors-of-territory's reasons, written with the tables (layout 8): the reason
#: of an organisation taking part in an activity, « participe (kind) : name », depends on the activity only;
#: ``taker_why(act, m, why)`` holds it for every organisation (not a programme) taking part in an activity
#: other than itself. (The question computed it from labels and IRIs on ~400,000 rows for a région at
#: 100,000 actors, most of its time.)
TABLES["taker_why"] = f"""
WITH
lab AS (SELECT s, lex FROM triples WHERE p = 'label'),
act_why AS (
  SELECT DISTINCT a.act, 'participe (' || {_via_kind("a.act")} || ') : ' || {_via_name("vl.lex", "a.act")} AS why
  FROM (SELECT DISTINCT act FROM takers) a LEFT JOIN lab vl ON vl.s = a.act
)
SELECT DISTINCT t.act, t.m, w.why FROM takers t JOIN act_why w ON w.act = t.act
WHERE t.m <> t.act
  AND t.m IN (SELECT s FROM classes WHERE cls = {_ORG_CLASS})
  AND t.m NOT IN (SELECT s FROM classes WHERE cls = {_PROJECT_CLASS})
ORDER BY act
"""

#: the rows actors-of-territory gives for an organisation taking part in an activity, whatever the territory
#: (layout 9): each distinct (organisation, reason) of ``taker_why`` numbered (``taker_pid(act, pid)``) and
#: written once with the organisation's labels and kind (``taker_out``, one row per label, its sort key
#: ``mkey``); the question keeps the numbers of its activities' takers (the labels' and kinds' string joins,
#: and the distinct pairs of strings, were most of what was left of a région's SQL at 100,000 actors)
TABLES["taker_out"] = """
WITH ids AS (
  SELECT row_number() OVER (ORDER BY m, why) :: INTEGER AS pid, m, why FROM (SELECT DISTINCT m, why FROM taker_why)
)
SELECT i.pid, i.m AS member, l.lex, l.dt, l.lang, t.tlex, i.why, trim(i.m, '<>') AS mkey
FROM ids i JOIN triples l ON l.s = i.m AND l.p = 'label' LEFT JOIN actor_types t ON t.member = i.m
ORDER BY pid
"""
TABLES["taker_pid"] = """
SELECT DISTINCT w.act, o.pid FROM taker_why w JOIN (SELECT DISTINCT pid, member, why FROM taker_out) o
ON o.member = w.m AND o.why IS NOT DISTINCT FROM w.why ORDER BY act
"""

#: which activities act in a territory because of one node, whatever the territory (layout 9): an activity
#: acts there through a node located there (``via`` 'l': the node itself, its parts that have no place of
#: their own, its wholes, the grants funding it) or through an organisation anchored there or one of its
#: units (``via`` 'x': what it takes part in, the wholes of those, the grants funding the events and
#: programmes it runs or joins) — the branches of ``_ACTS`` with the territory taken out. actors-of-territory
#: keeps only the activities (not why nor where they act), so its acts are two filtered scans of this table;
#: the branches recomputed per question were most of a région's SQL at 100,000 actors
TABLES["act_of"] = f"""
WITH
linked_all AS (
  SELECT DISTINCT t.s AS n, t.p AS lp, t.o AS x FROM triples t WHERE t.p IN {_DIRECT}
  UNION ALL
  SELECT DISTINCT g.o, 'membership', m.o FROM triples m
  JOIN triples g ON g.s = m.s AND g.p = 'organization' WHERE m.p = 'member'
  UNION ALL
  SELECT DISTINCT q.s, 'role', a.o FROM triples a
  JOIN triples q ON q.o = a.s AND q.p = 'qualifiedAssociation' WHERE a.p = 'agent'
),
grant_items AS (
  SELECT f.s AS act, f.o AS item FROM triples f
  WHERE f.p = 'fundedItem'
    AND f.s IN (SELECT s FROM classes WHERE cls = '<https://schema.org/MonetaryGrant>')
    AND f.o IN (SELECT s FROM classes WHERE cls IN ('<https://schema.org/Project>', '<https://schema.org/Event>'))
),
reach(k, via, act) AS (
  SELECT s, 'l', s FROM placed
  UNION ALL
  SELECT d.w, 'l', d.n FROM parts d WHERE d.w IN (SELECT s FROM placed) AND d.n NOT IN (SELECT s FROM placed)
  UNION ALL
  SELECT u.n, 'l', u.w FROM parts u WHERE u.n IN (SELECT s FROM placed)
  UNION ALL
  SELECT g.item, 'l', g.act FROM grant_items g WHERE g.item IN (SELECT s FROM placed)
  UNION ALL
  SELECT x, 'x', n FROM linked_all
  UNION ALL
  SELECT k.x, 'x', u.w FROM linked_all k JOIN parts u ON u.n = k.n
  UNION ALL
  SELECT k.x, 'x', g.act FROM linked_all k JOIN grant_items g ON g.item = k.n
  WHERE k.lp IN ('organizer', 'performer', 'attendee', 'membership', 'role')
)
SELECT DISTINCT k, via, act FROM reach WHERE {_ACTIVITY.format("act")} ORDER BY via, k
"""


#: the activities acting in the territory $t (the set of ``_ACTS``'s ``act``), from the table ``act_of``
_ACTOR_ACTS = f"""
{_PLACES}acts AS MATERIALIZED (
  SELECT act FROM act_of WHERE via = 'l' AND k IN (SELECT e FROM located)
  UNION
  SELECT act FROM act_of WHERE via = 'x' AND k IN (SELECT m FROM unit_rows)
)
"""

#: the outer query of actors-of-territory over the ecosystem's rows: the anchored actors and their units
#: (« lieu : place », « unité de a (place) »), the activities acting there themselves (no reason: the
#: ``.rq``'s CONCAT errs), and those taking part in them (``taker_why``); one row per actor and reason
_ACTORS = f"""{_ACTOR_ACTS},
lab AS (SELECT s, lex, dt, lang FROM triples WHERE p = 'label'),
orgs AS (
  SELECT s FROM classes WHERE cls = {_ORG_CLASS}
  AND s NOT IN (SELECT s FROM classes WHERE cls = {_PROJECT_CLASS})
),
-- the anchored organisations and their units (« lieu : », « unité de ») and the activities that are
-- organisations (no reason): their reasons never begin as a taker's (« participe (kind) : »), so each part
-- is made distinct on its own
why AS (
  SELECT DISTINCT member, why FROM (
    SELECT u.m AS member,
           CASE WHEN u.m = u.a THEN 'lieu : ' || pl.lex
                ELSE 'unité de ' || {_via_name("vl.lex", "u.a")} || ' (' || pl.lex || ')' END AS why
    FROM unit_rows u LEFT JOIN lab pl ON pl.s = u.place LEFT JOIN lab vl ON vl.s = u.a
    WHERE u.m IN (SELECT s FROM orgs)
    UNION ALL
    SELECT act, NULL FROM (SELECT DISTINCT act FROM acts) WHERE act IN (SELECT s FROM orgs)
  )
)
SELECT member, lex, dt, lang, tlex, why FROM (
  SELECT w.member, l.lex, l.dt, l.lang, t.tlex, w.why, trim(w.member, '<>') AS mkey
  FROM why w JOIN lab l ON l.s = w.member LEFT JOIN actor_types t ON t.member = w.member
  UNION ALL
  SELECT member, lex, dt, lang, tlex, why, mkey FROM taker_out
  WHERE pid IN (SELECT pid FROM taker_pid WHERE act IN (SELECT act FROM acts))
)
ORDER BY lex, lang NULLS FIRST, why NULLS FIRST, mkey
"""

#: the outer query of funders-of-territory over the activities acting there (reason "agit")
_FUNDERS = f"""{_ACTS},
lab AS (SELECT s, lex, dt, lang, o FROM triples WHERE p = 'label'),
grants AS (
  SELECT act,
         MIN(CASE because WHEN 'lieu' THEN 'lieu' WHEN 'participant' THEN 'bénéficiaire ancré ici'
             WHEN 'objet' THEN 'finance' WHEN 'partie' THEN 'partie de' ELSE 'comprend' END) AS why,
         MIN(trim(at_node, '<>')) AS at_node
  FROM acts
  WHERE act IN (SELECT s FROM classes WHERE cls = '<https://schema.org/MonetaryGrant>')
  GROUP BY act
),
items AS (
  SELECT i.s AS act, COUNT(DISTINCT i.o) AS n,
         arg_min(struct_pack(lex := l.lex, dt := l.dt, lang := l.lang), (l.lex, COALESCE(l.lang, '')))
           FILTER (WHERE l.lex IS NOT NULL) AS name
  FROM triples i LEFT JOIN lab l ON l.s = i.o
  WHERE i.p = 'fundedItem' AND i.s IN (SELECT act FROM grants) GROUP BY i.s
),
rows AS (
  SELECT g.act, g.why, g.at_node, f.o AS funder, fl.lex AS flex, fl.dt AS fdt, fl.lang AS flang,
         rl.lex AS rlex, rl.dt AS rdt, rl.lang AS rlang,
         v.lex AS alex, v.dt AS adt, v.o AS ao, po.o AS part_of,
         st.lex AS slex, st.dt AS sdt, st.lang AS slang, st.o AS so,
         en.lex AS elex, en.dt AS edt, en.lang AS elang, en.o AS eo
  FROM grants g
  JOIN triples am ON am.s = g.act AND am.p = 'amount'
  JOIN triples v ON v.s = am.o AND v.p = 'value'
  LEFT JOIN triples f ON f.s = g.act AND f.p = 'funder'
  LEFT JOIN triples r ON r.s = g.act AND r.p = 'recipient'
  LEFT JOIN triples po ON po.s = g.act AND po.p = 'isPartOf'
  LEFT JOIN triples pe ON pe.s = g.act AND pe.p = 'temporal'
  LEFT JOIN triples st ON st.s = pe.o AND st.p = 'startDate'
  LEFT JOIN triples en ON en.s = pe.o AND en.p = 'endDate'
  LEFT JOIN lab fl ON fl.s = f.o
  LEFT JOIN lab rl ON rl.s = r.o
  WHERE (st.s IS NULL OR COALESCE(st.lex, trim(st.o, '<>')) <= $to)
    AND (en.s IS NULL OR substr($from, 1, length(COALESCE(en.lex, trim(en.o, '<>')))) <= COALESCE(en.lex, trim(en.o, '<>')))
)
SELECT * FROM (SELECT DISTINCT r.funder, r.flex, r.fdt, r.flang, r.rlex, r.rdt, r.rlang,
       i.name.lex AS ilex, i.name.dt AS idt, i.name.lang AS ilang, COALESCE(i.n, 0) AS n,
       r.alex, r.adt, r.ao, r.part_of, r.slex, r.sdt, r.slang, r.so, r.elex, r.edt, r.elang, r.eo,
       r.act, r.why, r.at_node, TRY_CAST(r.alex AS DOUBLE) AS amount_value
FROM rows r LEFT JOIN items i ON i.act = r.act)
ORDER BY amount_value DESC NULLS LAST, trim(act, '<>'), funder, flex, rlex, part_of, slex, elex
"""


def actors_of_territory(con: Any, bindings: dict[str, Any], term: Any, string: Any) -> tuple[list[str], list]:
    """The rows of ``actors-of-territory.rq`` from the tables (*term*, *string*: term makers of columnar)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    rows = con.execute(*sql("actors-of-territory", bindings)).fetchall()
    out = []
    # an actor's rows come together (sorted by label): its terms made once, each kind and reason once, the
    # terms made here directly (through term(), the loop was half the answer for a région at 100,000)
    key: tuple | None = None
    actor = label = kind = None
    kinds: dict[str | None, Any] = {None: None}
    whys: dict[str | None, Any] = {None: None}
    for member, lex, dt, lang, tlex, why in rows:
        if (member, lex, dt, lang, tlex) != key:
            key = (member, lex, dt, lang, tlex)
            actor = NamedNode(member[1:-1]) if member[0] == "<" else BlankNode(member[2:])
            label = (
                term(None, lex, dt, lang)
                if dt and dt != _XSD_STRING
                else (Literal(lex, language=lang) if lang else Literal(lex))
            )
            kind = kinds.get(tlex)
            if kind is None and tlex is not None:
                kind = kinds[tlex] = Literal(tlex, language="fr")
        reason = whys.get(why)
        if reason is None and why is not None:
            reason = whys[why] = string(why)
        out.append({"actor": actor, "label": label, "type": kind, "reason": reason})
    return ["actor", "label", "type", "reason"], out


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_FUNDERS_VARS = [
    "funder", "funderLabel", "recipientLabel", "itemLabel", "items", "amount", "counted",
    "start", "end", "grant", "partOf", "reason", "reasonNode",
]  # fmt: skip


def funders_of_territory(
    con: Any, bindings: dict[str, Any], term: Any, string: Any
) -> tuple[list[str], list]:
    """The rows of ``funders-of-territory.rq`` from the tables."""
    rows = con.execute(*sql("funders-of-territory", bindings)).fetchall()
    out = []
    for (
        funder, flex, fdt, flang, rlex, rdt, rlang, ilex, idt, ilang, n,
        alex, adt, ao, part_of, slex, sdt, slang, so, elex, edt, elang, eo, act, why, at, _,
    ) in rows:  # fmt: skip
        amount = term(ao, alex, adt, None)
        out.append(
            {
                "funder": term(funder, None, None, None),
                "funderLabel": term(None, flex, fdt, flang),
                "recipientLabel": term(None, rlex, rdt, rlang),
                "itemLabel": term(None, ilex, idt, ilang),
                "items": term(None, str(n), _XSD_INTEGER, None),
                "amount": amount,
                "counted": term(None, "0", _XSD_INTEGER, None) if part_of is not None else amount,
                "start": term(so, slex, sdt, slang),
                "end": term(eo, elex, edt, elang),
                "grant": term(act, None, None, None),
                "partOf": term(part_of, None, None, None),
                "reason": string(why),
                "reasonNode": term(f"<{at}>", None, None, None),
            }
        )
    return _FUNDERS_VARS, out


def sql(name: str, bindings: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The SQL of ``actors-of-territory`` or ``funders-of-territory`` (*name*) and its parameters, from the
    bound parameters."""
    if name == "actors-of-territory":
        return _ACTORS, {"t": f"<{bindings['territory']}>"}
    t = {"t": f"<{bindings['territory']}>", "from": str(bindings["from"]), "to": str(bindings["to"])}
    return _FUNDERS, t
