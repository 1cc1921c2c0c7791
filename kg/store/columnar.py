"""A columnar accelerator for the national questions: relation tables beside the store, asked in DuckDB.

At 100,000 actors, the whole-country named questions take tens of seconds in pyoxigraph (its joins
are the limit, not the query text: issue 15), and well under a second in DuckDB over the same
relations as tables. :func:`write_tables` extracts the relations these questions read from a store,
with one SPARQL scan per predicate over the union of the named graphs (what the questions see), into
``<store>/columnar/tables.duckdb`` inside the store's folder (so that a store put back by
``kg build --annuler`` keeps its own tables), stamped with the store's build id.
:func:`answer` then answers a named question from them, with the same variables, terms (values,
datatypes, languages) and order as its ``.rq`` file.

The ``.rq`` file stays the definition (the endpoint serves it); this is an accelerator only, used by
:func:`kg.store.queries.run_named` when the tables are there and fresh (:func:`fresh_tables`), and
checked row for row against the SPARQL file by ``tests/test_columnar.py``. Where the ``.rq`` leaves
an order to the engine (``GROUP_CONCAT`` of a grant's recipients, rows that tie on ``ORDER BY``), the
accelerator sorts by name, then by every column.

DuckDB is an optional extra (``pip install 'territorial-kg[national]'``); without it, or without
fresh tables, the SPARQL file is run.

Questions answered here (:data:`FAST_QUESTIONS`): ``ecosystem-as-of``, and ``actors-of-territory`` and
``funders-of-territory`` (their SQL in :mod:`kg.store.columnar_territory`).
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = [
    "FAST_QUESTIONS",
    "MIN_ACTORS",
    "TABLES_FILE",
    "answer",
    "count_actors",
    "fresh_tables",
    "sql_rows",
    "store_stamp",
    "tables_dir",
    "update_triples",
    "write_store_tables",
    "write_tables",
]

TABLES_FILE = "tables.duckdb"
_STAMP_FILE = "stamp.json"
#: the version of the tables' layout: tables of another version are not fresh
_LAYOUT = 9
#: an unbound value in the CSV file the tables are read from (no label or IRI is this text)
_NULL = "\\N(kg:none)"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SCHEMA = "https://schema.org/"
_TKG = "https://w3id.org/territorial-kg/ontology#"
_ORG = "http://www.w3.org/ns/org#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_PROV = "http://www.w3.org/ns/prov#"

#: short name in the tables → predicate IRI (the relations the fast questions read)
PREDICATES: dict[str, str] = {
    "type": _RDF + "type",  # of the CLASSES only
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "member": _ORG + "member",
    "organization": _ORG + "organization",
    "funder": _SCHEMA + "funder",
    "recipient": _TKG + "recipient",
    "fundedItem": _SCHEMA + "fundedItem",
    "provider": _TKG + "provider",
    "beneficiary": _TKG + "beneficiary",
    "temporal": _DCT + "temporal",
    "startDate": _DCAT + "startDate",
    "endDate": _DCAT + "endDate",
    "foundingDate": _SCHEMA + "foundingDate",
    # the territory questions (include/territory-ecosystem.rq and their outer queries)
    "isPartOf": _DCT + "isPartOf",
    "spatial": _DCT + "spatial",
    "location": _SCHEMA + "location",
    "areaServed": _SCHEMA + "areaServed",
    "unitOf": _ORG + "unitOf",
    "organizer": _SCHEMA + "organizer",
    "performer": _SCHEMA + "performer",
    "attendee": _SCHEMA + "attendee",
    "qualifiedAssociation": _PROV + "qualifiedAssociation",
    "agent": _PROV + "agent",
    "superEvent": _SCHEMA + "superEvent",
    "amount": _SCHEMA + "amount",
    "value": _SCHEMA + "value",
    "classification": _ORG + "classification",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
}

#: the classes the questions test, kept in their own table ``classes(s, cls)``
CLASSES = (_ORG + "Organization", _SCHEMA + "MonetaryGrant", _SCHEMA + "Project", _SCHEMA + "Event")

#: the named questions :func:`answer` knows
FAST_QUESTIONS = ("ecosystem-as-of", "actors-of-territory", "funders-of-territory")


def tables_dir(store_path: str | Path) -> Path:
    """Where the tables of the store at *store_path* live: ``<store>/columnar``, a folder RocksDB ignores
    (a folder beside the store would stay behind when ``kg build`` swaps or puts back a store)."""
    return Path(store_path) / "columnar"


def store_stamp(store_path: str | Path) -> str:
    """A hash of the store's files (names, sizes, modification times), RocksDB's own log excepted.

    It changes whenever the store is written; reading it (``kg.open``, read-only) leaves it as it is.
    """
    h = hashlib.sha256(f"layout {_LAYOUT}\n".encode())
    for f in sorted(Path(store_path).iterdir()):
        if f.name in ("LOCK", "LOG") or f.name.startswith("LOG.old") or not f.is_file():
            continue
        st = f.stat()
        h.update(f"{f.name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _stamp(store_path: str | Path) -> str:
    """What makes tables fresh: the store's build id (:mod:`kg.store.artefacts`), renewed by every build
    and every write through :func:`kg.store.write.replace_graph`; a store without one, by its files."""
    from kg.store.artefacts import build_id

    bid = build_id(store_path)
    return f"build {bid} layout {_LAYOUT}" if bid else f"files {store_stamp(store_path)}"


def fresh_tables(store_path: str | Path | None) -> Path | None:
    """The tables file of the store at *store_path* when it exists and was written from the store as it
    is now (same build id, or for a store without one the same files) and DuckDB is installed; else None."""
    if store_path is None or not Path(store_path).is_dir():
        return None
    folder = tables_dir(store_path)
    try:
        stamp = json.loads((folder / _STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("store") != _stamp(store_path):
        return None
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return None
    path = folder / TABLES_FILE
    return path if path.is_file() else None


def derive_tables(con: Any) -> None:
    """Create, in the DuckDB connection *con*, every table made from ``triples`` (the classes, the closures,
    the ecosystem's and the territories' tables); :func:`write_tables`, and after an import
    :func:`kg.store.columnar_update.update_tables` once ``triples`` is updated."""
    # the classes the questions test (a scan of every rdf:type each time cost seconds at 100,000 actors)
    con.execute(
        "CREATE TABLE classes AS SELECT DISTINCT s, o AS cls FROM triples WHERE p = 'type' AND o IN "
        "(SELECT unnest(?)) ORDER BY cls, s",
        [[f"<{c}>" for c in CLASSES]],
    )
    # what no question's parameter changes, closed once here: dct:isPartOf+ (the places of a
    # territory: a recursive CTE per question cost 0.35-0.7 s at 30,000 actors) and
    # (dct:isPartOf|schema:superEvent)+ (the parts and wholes of the activities)
    for table, preds in (("within", "('isPartOf')"), ("parts", "('isPartOf', 'superEvent')")):
        con.execute(
            f"CREATE TABLE {table} AS WITH RECURSIVE c(n, w) AS ("
            f"SELECT s, o FROM triples WHERE p IN {preds} "
            f"UNION SELECT c.n, t.o FROM c JOIN triples t ON t.s = c.w AND t.p IN {preds}) "
            "SELECT n, w FROM c ORDER BY w, n"
        )
    from kg.store.columnar_territory import TABLES

    for table, sql in {**_ECOSYSTEM_TABLES, **TABLES}.items():
        con.execute(f"CREATE TABLE {table} AS {sql}")


def write_tables(store_or_graph: Any, folder: str | Path | None = None, *, derive: bool = True) -> Path:
    """Write the relations the fast questions read, from a store, as one DuckDB file, and its stamp.

    Parameters
    ----------
    store_or_graph : kg.store.graph.Graph or pyoxigraph.Store
        An opened store (a :class:`~kg.store.graph.Graph` knows its folder).
    folder : path, optional
        Where to write; by default :func:`tables_dir` of the graph's store. The stamp (which makes
        the tables fresh for :func:`fresh_tables`) is written only for a store on disk.
    derive : bool
        Also the tables made from ``triples`` (:func:`derive_tables`); without them, ``triples`` alone and
        no stamp (for :func:`update_triples` to update, which derives them: ``kg import``'s writer).

    Returns
    -------
    Path
        The tables file.

    Raises
    ------
    StoreError
        When DuckDB is not installed (the message says how to install it), or no folder is known.
    """
    from kg.errors import StoreError
    from kg.store.columnar_scan import LITERAL_PREDICATES, READ_TSV, scan, scan_nodes

    try:
        import duckdb
    except ImportError:
        raise StoreError("the national tables need DuckDB: pip install 'territorial-kg[national]'") from None
    store = getattr(store_or_graph, "store", store_or_graph)
    store_path = getattr(store_or_graph, "path", None)
    if folder is None:
        if store_path is None:
            raise StoreError("write_tables: an in-memory store has no folder; pass folder=…")
        folder = tables_dir(store_path)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(store_path) if store_path is not None else None
    target = folder / TABLES_FILE
    tmp = folder / (TABLES_FILE + ".tmp")
    tmp.unlink(missing_ok=True)
    (folder / _STAMP_FILE).unlink(missing_ok=True)
    # through a CSV file: DuckDB reads one in a fraction of a second, where inserting Python lists took minutes
    csv_path = folder / "triples.csv.tmp"
    # the IRIs and blank nodes of a predicate that is not a literal's are written by pyoxigraph itself, as
    # SPARQL TSV (their N-Triples form, as str() gives it): no Python object per row (the Python scans were
    # half of the tables' CPU time at 10,000 actors); literals (and any literal of another predicate) as before
    nodes: list[tuple[str, Path]] = []
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for short, iri in PREDICATES.items():
            objects = CLASSES if short == "type" else ()
            literals: bool | None = None
            if short not in LITERAL_PREDICATES:
                tsv = folder / f"{short}.tsv.tmp"
                if scan_nodes(store, iri, objects, tsv):
                    nodes.append((short, tsv))
                literals = True
            for row in scan(store, iri, objects, literals=literals):
                out.writerow([short, *(_NULL if v is None else v for v in row)])
    con = duckdb.connect(str(tmp))
    con.execute("SET enable_progress_bar = false")  # a library prints nothing (a session option, not global)
    try:
        parts = [_READ_CSV.replace("SELECT *", "SELECT p, s, lex, dt, lang, o", 1)]
        params: list[str] = [str(csv_path), _NULL]
        for short, tsv in nodes:
            parts.append(f"SELECT '{short}', s, NULL, NULL, NULL, o FROM {READ_TSV}")
            params.append(str(tsv))
        # sorted by predicate: each question's scans of one predicate skip the other row groups
        con.execute(
            f"CREATE TABLE triples AS SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY p, s", params
        )
        if derive:
            derive_tables(con)
        con.execute("CREATE TABLE meta AS SELECT ? AS layout", [_LAYOUT])
    finally:
        con.close()
        csv_path.unlink(missing_ok=True)
        for _, tsv in nodes:
            tsv.unlink(missing_ok=True)
    tmp.replace(target)
    if stamp is not None and derive:
        (folder / _STAMP_FILE).write_text(json.dumps({"store": stamp, "layout": _LAYOUT}), encoding="utf-8")
    return target


def _write_rows(path: Path, rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            out.writerow([_NULL if v is None else v for v in row])


_COLUMNS = ("p", "s", "lex", "dt", "lang", "o")
_READ_CSV = (
    "SELECT * FROM read_csv(?, header = false, quote = '\"', escape = '\"', nullstr = ?, "
    "allow_quoted_nulls = true, all_varchar = true, columns = {'p': 'VARCHAR', 's': 'VARCHAR', "
    "'lex': 'VARCHAR', 'dt': 'VARCHAR', 'lang': 'VARCHAR', 'o': 'VARCHAR'})"
)


def update_triples(
    store_path: str | Path, added: list[tuple], gone: list[tuple], *, min_actors: int | None = None
) -> Path | None:
    """The tables of the store at *store_path* made again from its old ``triples`` table with the rows
    *gone* removed and *added* added (rows as :func:`kg.store.columnar_scan.scan` gives them, the predicate's short name first),
    then every derived table (:func:`derive_tables`) and the stamp: what
    :func:`kg.store.columnar_update.update_tables` computes after an import's write. None (the tables
    removed) when the store now holds fewer than *min_actors* organisations (default :data:`MIN_ACTORS`)."""
    import shutil

    import duckdb

    folder = tables_dir(store_path)
    target = folder / TABLES_FILE
    (folder / _STAMP_FILE).unlink(missing_ok=True)
    tmp, old = folder / (TABLES_FILE + ".tmp"), folder / (TABLES_FILE + ".old.tmp")
    added_csv, gone_csv = folder / "added.csv.tmp", folder / "gone.csv.tmp"
    for f in (tmp, old):
        f.unlink(missing_ok=True)
    target.rename(old)  # a new file: the old store's folder may share this one (a hard link)
    _write_rows(added_csv, added)
    _write_rows(gone_csv, gone)
    con = duckdb.connect(str(tmp))
    con.execute("SET enable_progress_bar = false")  # a library prints nothing (a session option, not global)
    try:
        for table, path, rows in (("added", added_csv, added), ("gone", gone_csv, gone)):
            con.execute(f"CREATE TEMP TABLE {table} ({', '.join(f'{c} VARCHAR' for c in _COLUMNS)})")
            if rows:  # DuckDB cannot sniff an empty file
                con.execute(f"INSERT INTO {table} {_READ_CSV}", [str(path), _NULL])
        con.execute(f"ATTACH '{str(old).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)")
        con.execute(
            "CREATE TABLE triples AS SELECT * FROM (SELECT * FROM old.triples t WHERE NOT EXISTS "
            "(SELECT 1 FROM gone g WHERE g.p = t.p AND g.s = t.s AND g.o = t.o) "
            "UNION SELECT * FROM added) ORDER BY p, s"
        )
        con.execute("DETACH old")
        actors = con.execute(
            "SELECT count(DISTINCT s) FROM triples WHERE p = 'type' AND o = ?", [f"<{_ORG}Organization>"]
        ).fetchone()
        if actors is None or actors[0] < (MIN_ACTORS if min_actors is None else min_actors):
            con.close()
            shutil.rmtree(folder, ignore_errors=True)
            return None
        derive_tables(con)
        con.execute("CREATE TABLE meta AS SELECT ? AS layout", [_LAYOUT])
    finally:
        con.close()
        for f in (old, added_csv, gone_csv):
            f.unlink(missing_ok=True)
    tmp.replace(target)
    (folder / _STAMP_FILE).write_text(
        json.dumps({"store": _stamp(store_path), "layout": _LAYOUT}), encoding="utf-8"
    )
    return target


#: below this many organisations (``org:Organization``) in a store, no tables are written: the curated
#: data (39) is answered by the ``.rq`` files in 0.2–1.9 s per question, where writing the tables (mostly
#: the territories' labels and ``dct:isPartOf``, a fixed cost) took 1.6–2 s of every build; at 200
#: synthetic actors the ``.rq`` files already take 1.7–5 s (loaded machine), at 2,000 up to 26 s
#: (benchmarks/README.md, national questions)
MIN_ACTORS = 100


def count_actors(store: Any) -> int:
    """How many distinct organisations (``rdf:type org:Organization``, in any graph) the store holds."""
    from pyoxigraph import NamedNode

    pattern = (NamedNode(_RDF + "type"), NamedNode(_ORG + "Organization"))
    return len({q.subject for q in store.quads_for_pattern(None, *pattern, None)})


def write_store_tables(store_path: Path, min_actors: int | None = None) -> Path | None:
    """The end-of-build step (:data:`kg.store.build.END_STEPS`), also run after an import's write or its
    undoing: the tables of the store at *store_path*; nothing when DuckDB is not installed, or when the
    store holds fewer than *min_actors* organisations (default :data:`MIN_ACTORS`), its old tables then
    removed (the questions are then answered in SPARQL)."""
    import shutil

    try:
        import duckdb  # noqa: F401
    except ImportError:
        return None
    from kg.store.graph import open_store

    graph = open_store(store_path)
    if count_actors(graph.store) < (MIN_ACTORS if min_actors is None else min_actors):
        shutil.rmtree(tables_dir(store_path), ignore_errors=True)
        return None
    return write_tables(graph)


_CONNECTIONS: dict[tuple[str, int], Any] = {}


def _connect(tables: Path) -> Any:
    import duckdb

    key = (str(tables), tables.stat().st_mtime_ns)
    con = _CONNECTIONS.get(key)
    if con is None:
        for old in [k for k in _CONNECTIONS if k[0] == key[0]]:
            _CONNECTIONS.pop(old).close()
        con = _CONNECTIONS[key] = duckdb.connect(str(tables), read_only=True)
    return con.cursor()


def _terms() -> tuple[Any, Any]:
    """The term makers of one answer, ``term(o, lex, dt, lang)`` and ``string(text)``: each term made once
    (the same places, dates and kinds recur); None for an unbound value. pyoxigraph is imported once per
    answer, not per term (its import statement was a fifth of the Python time at 100,000 rows)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    made: dict[tuple, Any] = {}
    datatypes: dict[str, Any] = {}

    def make(o: str, lex: str | None, dt: str | None, lang: str | None) -> Any:
        if lex is not None:
            if lang:
                return Literal(lex, language=lang)
            iri = dt or _XSD_STRING
            datatype = datatypes.get(iri)
            if datatype is None:
                datatype = datatypes[iri] = NamedNode(iri)
            return Literal(lex, datatype=datatype)
        if o.startswith("<"):
            return NamedNode(o[1:-1])
        return BlankNode(o[2:])

    def term(o: str | None, lex: str | None, dt: str | None, lang: str | None) -> Any:
        key = (o, lex, dt, lang)
        found = made.get(key)
        if found is None and (o is not None or lex is not None):
            found = made[key] = make(o or "", lex, dt, lang)
        return found

    def string(text: str | None) -> Any:
        return None if text is None else term(None, text, None, None)

    return term, string


#: what ecosystem-as-of reads that no date changes, written with the tables (layout 8): its four kinds of
#: relations with their labels, one id ``rel`` each (``eco_rel``), the ends ``x``, ``y`` of each (``eco_pairs``),
#: its output rows (a relation with its own start and end dates) already in the ``.rq``'s order (``eco_rows``,
#: ``ord``), and per node the latest date it began (``since_max``) and its end dates (``ends``). What is left
#: for a date: which nodes did not exist then, which relations keep a pair of ends that did, which rows'
#: own dates hold (the whole-country question was 12 string hash joins per date before)
_ECOSYSTEM_TABLES = {
    "eco_rel": """
WITH
lab AS (SELECT s, lex, dt, lang FROM triples WHERE p = 'label'),
rel AS (
  SELECT 'programme' AS kind, t.s AS node, l.lex AS llex, l.dt AS ldt, l.lang AS llang, t.s AS x, t.s AS y
  FROM classes t JOIN lab l ON l.s = t.s
  WHERE t.cls = '<https://schema.org/Project>'
  UNION ALL
  SELECT 'adhésion / participation', m.s, la.lex || ' → ' || lb.lex, NULL, NULL, m.o, g.o
  FROM triples m JOIN triples g ON g.s = m.s AND g.p = 'organization'
  JOIN lab la ON la.s = m.o JOIN lab lb ON lb.s = g.o
  WHERE m.p = 'member'
  UNION ALL
  -- one row per funder and recipient or funded item, the grant standing for a missing end: the grant
  -- is kept when one such pair existed at $date (the question's DISTINCT merges the pairs)
  SELECT 'financement', gr.s,
         COALESCE(fa.a, '?') || ' → ' || CASE WHEN COALESCE(rb.b, '') = '' THEN '?' ELSE rb.b END,
         NULL, NULL, COALESCE(f.o, gr.s), COALESCE(r.o, gr.s)
  FROM (SELECT s FROM classes WHERE cls = '<https://schema.org/MonetaryGrant>') gr
  LEFT JOIN triples f ON f.s = gr.s AND f.p = 'funder'
  LEFT JOIN triples r ON r.s = gr.s AND r.p IN ('recipient', 'fundedItem')
  LEFT JOIN (SELECT f.s, MIN(l.lex) AS a FROM triples f JOIN lab l ON l.s = f.o
             WHERE f.p = 'funder' GROUP BY f.s) fa ON fa.s = gr.s
  LEFT JOIN (SELECT s, string_agg(lex, ', ' ORDER BY lex) AS b FROM (
               SELECT DISTINCT r.s, l.lex, l.dt, l.lang FROM triples r JOIN lab l ON l.s = r.o
               WHERE r.p IN ('recipient', 'fundedItem')) GROUP BY s) rb ON rb.s = gr.s
  UNION ALL
  SELECT 'soutien', pv.s, la.lex || ' → ' || lb.lex, NULL, NULL, pv.o, bn.o
  FROM triples pv JOIN triples bn ON bn.s = pv.s AND bn.p = 'beneficiary'
  JOIN lab la ON la.s = pv.o JOIN lab lb ON lb.s = bn.o
  WHERE pv.p = 'provider'
)
SELECT dense_rank() OVER (ORDER BY kind, node, llex, ldt, llang) :: INTEGER AS rel, *
FROM (SELECT DISTINCT * FROM rel)
""",
    "periods": """  SELECT t.s AS node, d.lex, d.dt, d.lang, d.o, d.p
  FROM triples t JOIN triples d ON d.s = t.o AND d.p IN ('startDate', 'endDate')
  WHERE t.p = 'temporal' ORDER BY node
""",
    "eco_pairs": "SELECT DISTINCT rel, x, y FROM eco_rel ORDER BY rel",
    # the few distinct values of the rows' small columns, each once: the rows hold their ids (fetching and
    # making 100,000 rows' terms was most of the question's time)
    "eco_dates": """
SELECT dense_rank() OVER (ORDER BY o, lex, dt, lang) :: INTEGER AS id, *
FROM (SELECT DISTINCT o, lex, dt, lang FROM periods)
""",
    "eco_lt": """
SELECT dense_rank() OVER (ORDER BY ldt, llang) :: INTEGER AS id, * FROM (SELECT DISTINCT ldt, llang FROM eco_rel)
""",
    "eco_rows": """
SELECT row_number() OVER (
         ORDER BY dating, kind, so IS NOT NULL, slex, llex, trim(node, '<>'), elex) :: INTEGER AS ord,
       rel, node, llex, lt.id AS lt, sd.id AS sid, ed.id AS eid,
       CASE kind WHEN 'programme' THEN 0 WHEN 'adhésion / participation' THEN 1 WHEN 'financement' THEN 2
                 ELSE 3 END * 2 + CASE dating WHEN 'date connue' THEN 0 ELSE 1 END AS kd,
       skey, ekey
FROM (
  SELECT DISTINCT r.rel, r.kind, r.node, r.llex, r.ldt, r.llang,
         st.o AS so, st.lex AS slex, st.dt AS sdt, st.lang AS slang,
         en.o AS eo, en.lex AS elex, en.dt AS edt, en.lang AS elang,
         CASE WHEN st.node IS NULL THEN 'date inconnue' ELSE 'date connue' END AS dating,
         COALESCE(st.lex, st.o) AS skey, COALESCE(en.lex, en.o) AS ekey
  FROM (SELECT DISTINCT rel, kind, node, llex, ldt, llang FROM eco_rel) r
  LEFT JOIN periods st ON st.node = r.node AND st.p = 'startDate'
  LEFT JOIN periods en ON en.node = r.node AND en.p = 'endDate'
) x
JOIN eco_lt lt ON lt.ldt IS NOT DISTINCT FROM x.ldt AND lt.llang IS NOT DISTINCT FROM x.llang
LEFT JOIN eco_dates sd ON sd.o = x.so AND sd.lex IS NOT DISTINCT FROM x.slex
  AND sd.dt IS NOT DISTINCT FROM x.sdt AND sd.lang IS NOT DISTINCT FROM x.slang
LEFT JOIN eco_dates ed ON ed.o = x.eo AND ed.lex IS NOT DISTINCT FROM x.elex
  AND ed.dt IS NOT DISTINCT FROM x.edt AND ed.lang IS NOT DISTINCT FROM x.elang
ORDER BY ord
""",
    # what did not exist yet at a date: founded or started after it (the latest such date of each node)
    "since_max": """
SELECT e, MAX(v) AS v FROM (
  SELECT s AS e, COALESCE(lex, o) AS v FROM triples WHERE p = 'foundingDate'
  UNION ALL SELECT node, COALESCE(lex, o) FROM periods WHERE p = 'startDate'
) GROUP BY e
""",
    # or no longer: ended before it (at the end date's precision: every end date of a node is kept)
    "ends": "SELECT DISTINCT node AS e, COALESCE(lex, o) AS v FROM periods WHERE p = 'endDate'",
}


def _lazy(module: str, which: str) -> Any:
    def run(
        con: Any, bindings: dict[str, Any], term: Any, string: Any
    ) -> tuple[list[str], list[dict[str, Any]]]:
        import importlib

        return getattr(importlib.import_module(module), which)(con, bindings, term, string)

    return run


_ANSWERS = {
    "ecosystem-as-of": _lazy("kg.store.columnar_as_of", "ecosystem_as_of"),
    "actors-of-territory": _lazy("kg.store.columnar_territory", "actors_of_territory"),
    "funders-of-territory": _lazy("kg.store.columnar_territory", "funders_of_territory"),
}


def _sql(name: str, bindings: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The SQL of the question *name* and its parameters, from the bound parameters."""
    from kg.store import columnar_as_of, columnar_territory

    if name == "ecosystem-as-of":
        return columnar_as_of.sql(bindings)
    return columnar_territory.sql(name, bindings)


def sql_rows(tables: str | Path, name: str, bindings: dict[str, Any]) -> int:
    """How many rows DuckDB gives for the question *name* over the tables, fetched as its own tuples (no
    terms made): the benchmark's "DuckDB over the same tables", beside which :func:`answer` is timed."""
    from kg.ingest.geo_tables import collector_paused

    with collector_paused():  # as answer(): the same tuples fetched, none of them garbage
        return len(_connect(Path(tables)).execute(*_sql(name, bindings)).fetchall())


def answer(tables: str | Path, name: str, bindings: dict[str, Any], *, raw: bool = False) -> Any:
    """The named question *name* answered from the tables file *tables*, with its bound parameters.

    Parameters
    ----------
    tables : path
        From :func:`fresh_tables` (or :func:`write_tables`).
    name : str
        One of :data:`FAST_QUESTIONS`.
    bindings : dict
        The parameters as :func:`kg.store.queries.bind_params` binds them.
    raw : bool
        Values as pyoxigraph terms (else plain Python, as :meth:`kg.store.graph.Graph.run` gives).

    Returns
    -------
    kg.store.graph.Result
        The same variables, values and order as the ``.rq`` file's answer.
    """
    from kg.ingest.geo_tables import collector_paused
    from kg.store.graph import Result
    from kg.store.terms import plain_rows, to_python

    # up to ~10^5 rows of tuples, terms and dicts, none of them garbage: the cyclic collector's passes over
    # them were about half of the Python part of a région's actors (0.25 s → 0.14 s CPU for 130,000 rows)
    with collector_paused():
        variables, rows = _ANSWERS[name](_connect(Path(tables)), bindings, *_terms())
        if not raw:  # each term object's value made once (an actor's rows share its terms)
            rows = plain_rows(rows, to_python)
    return Result("select", variables, rows)
