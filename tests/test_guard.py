"""kg.store.guard: the lexer-based inspection, by examples and cross-checked against rdflib's SPARQL
parser."""

from __future__ import annotations

import random

import pytest

from kg.model.vocab import PREFIXES
from kg.store.guard import (
    Refused,
    check_dataset,
    check_query,
    has_dataset_clause,
    tokens,
    unescape_codepoints,
)

GRAPHS = {PREFIXES["graph"] + "meta", PREFIXES["graph"] + "geography"}


def refused(query: str, **kw) -> str | None:
    try:
        check_query(query, graphs=GRAPHS, prefixes=PREFIXES, **kw)
    except Refused as exc:
        return exc.keyword
    return None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?load ?service ?insert WHERE { ?load ex:service ?insert }",
        "SELECT * WHERE { ?s ex:LOAD $delete ; :drop ?x }",
        'SELECT * WHERE { ?s rdfs:label "SERVICE <http://127.0.0.1:1/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s rdfs:label '''multi\nline INSERT DATA { <a> <b> <c> }''' }",
        'SELECT * WHERE { ?s rdfs:label """LOAD <http://x/> \\""" DROP ALL""" }',
        "SELECT * WHERE { ?s ?p <http://example.org/SERVICE/LOAD> }"
        "  # SERVICE <http://127.0.0.1/> in a comment",
        "# DELETE WHERE { ?s ?p ?o }\nASK { ?s ?p ?o }",
        "SELECT * FROM <https://w3id.org/territorial-kg/graph/meta> WHERE { ?s ?p ?o }",
        "SELECT * FROM graph:geography FROM NAMED graph:meta WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s rdfs:label "x"@fr . ?s ex:with ?using } ORDER BY ?using',
        "SELECT * WHERE { ?s service:x ?o . ?s load:y ?o }",
        "SELECT (COUNT(*) AS ?add) WHERE { ?a ?b ?c FILTER(?a < ?b && ?c > 1) }",
        'SELECT * WHERE { ?s ?p "a\\u0022 AS ?x" }',
        "SELECT * WHERE { ?s ex:a.service ?o ; ex:o.LOAD 1.5 . _:b1 ?p true . }",
    ],
)
def test_accepted(query):
    assert refused(query) is None


@pytest.mark.parametrize(
    "query,keyword",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:8000/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { service silent ?endpoint { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE {SERVICE<http://127.0.0.1:1/>{?s ?p ?o}}", "SERVICE"),
        ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)SERVICE<http://127.0.0.1:1/>{?s ?p ?o} }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p 1.SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p true.SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p 1.5e3.service <http://127.0.0.1:1/> { ?a ?b ?c } }", "SERVICE"),
        ("LOAD <http://127.0.0.1:1/data.ttl>", "LOAD"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://g>", "DROP"),
        ("CREATE GRAPH <http://g>", "CREATE"),
        ("COPY <http://a> TO <http://b>", "COPY"),
        ("MOVE <http://a> TO <http://b>", "MOVE"),
        ("ADD <http://a> TO <http://b>", "ADD"),
        ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:1/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
        ("PREFIX x: <http://example.org/> SELECT * FROM x:g WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_refused(query, keyword):
    assert refused(query) == keyword


def test_message_names_the_keyword_and_where_it_is():
    with pytest.raises(Refused, match=r"SERVICE is refused.*line 2, column 3"):
        check_query("SELECT * WHERE {\n  SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_flags_allow_service_and_update_for_trusted_callers():
    assert refused("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", allow_service=True) is None
    assert refused("INSERT DATA { <http://a> <http://b> <http://c> }", allow_update=True) is None
    assert refused("LOAD <http://x/>", allow_update=True) == "LOAD"  # LOAD also needs the network
    assert refused("LOAD <http://x/>", allow_update=True, allow_service=True) is None


def test_dataset_parameters_must_be_graphs_of_the_store():
    check_dataset([PREFIXES["graph"] + "meta"], [], GRAPHS)
    with pytest.raises(Refused, match=r"default-graph-uri=http://example\.org/x"):
        check_dataset(["http://example.org/x"], [], GRAPHS)
    with pytest.raises(Refused, match="named-graph-uri"):
        check_dataset([], ["http://127.0.0.1:1/"], GRAPHS)


def test_inspection_says_when_the_query_has_its_own_dataset():
    assert check_query(
        "SELECT * FROM graph:meta WHERE { ?s ?p ?o }", graphs=GRAPHS, prefixes=PREFIXES
    ).has_dataset
    assert not check_query("SELECT * WHERE { ?s ?p 'from' }").has_dataset
    assert not has_dataset_clause("# rows from INSEE\nSELECT * WHERE { ?s ex:from ?o }")


def test_lexer_tokens():
    kinds = [(t.kind, t.text) for t in tokens('SELECT ?x WHERE { <a> ex:p "s\\"t"@fr ; :q 1.5 . } # c')]
    assert kinds == [
        ("word", "SELECT"),
        ("var", "?x"),
        ("word", "WHERE"),
        ("punct", "{"),
        ("iri", "<a>"),
        ("word", "ex:p"),
        ("string", '"s\\"t"'),
        ("lang", "@fr"),
        ("punct", ";"),
        ("word", ":q"),
        ("word", "1.5"),
        ("punct", "."),
        ("punct", "}"),
    ]
    assert unescape_codepoints("\\U00000053ERVICE") == "SERVICE"


def test_named_questions_and_projection_queries_pass():
    from kg.network import projection
    from kg.store.queries import list_queries

    texts = [q.sparql for q in list_queries()] + [
        v for k, v in vars(projection).items() if k.startswith("Q_")
    ]
    for text in texts:
        assert refused(text) is None, text[:80]


# --- property-style cross-check against rdflib's parser --------------------------------------------------

FILLERS = [
    "?s ?p ?o .",
    "?load ex:service ?insert .",
    "?s ex:LOAD ?delete .",
    "?s :drop $with .",
    '?s rdfs:label "SERVICE <http://127.0.0.1:9/> { ?a ?b ?c }" .',
    "?s rdfs:label 'LOAD <http://x/>' .",
    '?s rdfs:label """multi\nline INSERT DATA { <a> <b> <c> }""" .',
    "?s ?p <http://example.org/SERVICE> .",
    '?s rdfs:label "x"@fr .',
    "?s ex:from ?using .",
    "?s ex:p 42 .",
    "OPTIONAL { ?s ex:service ?add }",
    "FILTER(?s != ?o)",
    "?s (ex:a|ex:copy)+ ?move .",
    "?s ex:a.service 1.5 .",
    "?s ?p true .",
    "# SERVICE <http://127.0.0.1:9/> {}\n ?s ?p ?o .",
]
SERVICES = [
    "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "service silent ?endpoint { ?s ?p ?o }",
    "SERVICE<http://127.0.0.1:9/>{?s ?p ?o}",
    "\\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "Service ex:endpoint { ?s ?p ?o }",
    "?s ?p 1.SERVICE <http://127.0.0.1:9/> { ?a ?b ?c }",
    "?s ?p false.Service ?x { ?a ?b ?c }",
]
DATASETS = [
    "",
    "FROM <https://w3id.org/territorial-kg/graph/meta>",
    "FROM NAMED graph:geography",
    "FROM <http://example.org/remote.ttl>",
    "FROM NAMED <http://127.0.0.1:9/g>",
]
UPDATES = [
    'INSERT DATA { <http://a> <http://b> "SERVICE" }',
    "DELETE WHERE { ?s ex:load ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR ALL",
    "DROP SILENT GRAPH <http://g>",
    "WITH <http://g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "CREATE GRAPH <http://g>",
    "COPY DEFAULT TO <http://g>",
    "MOVE <http://a> TO <http://b>",
    "ADD <http://a> TO DEFAULT",
    "INSERT { ?s ex:p ?o } USING <http://g> WHERE { ?s ex:q ?o }",
]


def generate(rnd: random.Random) -> str:
    head = (
        "PREFIX ex: <http://example.org/> PREFIX : <http://example.org/e#> PREFIX rdfs: "
        "<http://www.w3.org/2000/01/rdf-schema#> PREFIX graph: <https://w3id.org/territorial-kg/graph/>\n"
    )
    if rnd.random() < 0.2:
        return head + rnd.choice(UPDATES)
    body = " ".join(rnd.choice(FILLERS) for _ in range(rnd.randint(1, 4)))
    if rnd.random() < 0.35:
        body += " " + rnd.choice(SERVICES)
    form = rnd.choice(["SELECT *", "SELECT ?s", "ASK", "CONSTRUCT { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n)"])
    if form.startswith(("SELECT ?s", "CONSTRUCT")):
        body += " ?s ?p ?o ."
    dataset = rnd.choice(DATASETS)
    return f"{head}{form} {dataset} WHERE {{ {body} }}"


def rdflib_verdict(query: str) -> str | None:
    """What rdflib's parser sees: 'update', 'SERVICE', 'FROM' (outside the allowed graphs) or None."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(query)
    except Exception:  # noqa: BLE001 - not a query: is it an update?
        parseUpdate(query)  # raises if neither
        return "update"
    prefixes = {}
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                found.append("SERVICE")
            if node.name == "PrefixDecl":
                prefixes[dict.get(node, "prefix", "")] = str(
                    node["iri"]
                )  # CompValue.get(k) returns k if absent
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            for v in node:
                walk(v)

    walk(tree)
    if found:
        return "SERVICE"
    for clause in dict.get(tree[1], "datasetClause") or []:
        ref = dict.get(clause, "default") or dict.get(clause, "named")
        if isinstance(ref, CompValue):
            iri = prefixes.get(dict.get(ref, "prefix", ""), "") + dict.get(ref, "localname", "")
        else:
            iri = str(ref)
        if iri not in GRAPHS:
            return "FROM"
    return None


@pytest.mark.slow
def test_guard_agrees_with_rdflib_on_generated_queries():
    rnd = random.Random(17)
    checked = disagreements = 0
    for _ in range(400):
        q = generate(rnd)
        expected = rdflib_verdict(q)
        got = refused(q)
        got_kind = (
            None
            if got is None
            else ("SERVICE" if got == "SERVICE" else "FROM" if got == "FROM" else "update")
        )
        if expected == "SERVICE" and got_kind == "FROM":
            got_kind = "SERVICE"  # both refused; the guard stops at the first reason (FROM comes first)
        if expected == "FROM" and got_kind == "SERVICE":
            expected = "SERVICE"
        checked += 1
        if got_kind != expected:
            disagreements += 1
            pytest.fail(f"guard says {got!r}, rdflib says {expected!r} for:\n{q}")
    assert checked == 400 and disagreements == 0


def test_what_the_guard_accepts_never_makes_oxigraph_connect():
    """Every generated query the guard lets through runs on pyoxigraph with SERVICE IRIs aimed at a
    listener on 127.0.0.1: the listener must see no connection. Queries the guard refuses for SERVICE
    do make pyoxigraph connect when they parse (so the refusal is needed)."""
    import socket
    import threading

    import pyoxigraph as ox

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.05)
    port = sock.getsockname()[1]
    seen = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                seen.append(1)
                conn.close()
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("http://example.org/s"),
            ox.NamedNode("http://example.org/p"),
            ox.NamedNode("http://example.org/o"),
            ox.NamedNode("http://example.org/g"),
        )
    )
    rnd = random.Random(23)
    accepted = refused_service_connected = 0
    try:
        for _ in range(300):
            q = generate(rnd).replace("127.0.0.1:9/", f"127.0.0.1:{port}/")
            verdict = refused(q)
            before = len(seen)
            try:
                result = store.query(q, use_default_graph_as_union=True)
                if not isinstance(result, ox.QueryBoolean):
                    list(result)
            except (SyntaxError, OSError, RuntimeError, ValueError):
                pass
            if verdict is None:
                accepted += 1
                assert len(seen) == before, f"accepted, yet pyoxigraph connected:\n{q}"
            elif verdict == "SERVICE" and len(seen) > before:
                refused_service_connected += 1
    finally:
        stop.set()
        t.join(2)
        sock.close()
    assert accepted > 50 and refused_service_connected > 0, (accepted, refused_service_connected)


# --- bypasses found against Oxigraph's grammar (issue 11), each refused ------------------------------------

BYPASSES = [
    # a comment ends at a carriage return for Oxigraph
    ("SELECT * WHERE { #x\rSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { #x\r\nSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
    # a backslash escape in a prefixed name is neither a comment nor a string
    (
        "PREFIX e: <http://e/> SELECT * WHERE { VALUES ?v { e:a\\#b } SERVICE <http://127.0.0.1:1/> { } }",
        "SERVICE",
    ),
    (
        "PREFIX e: <http://e/> SELECT * WHERE { VALUES ?v { e:x\\' } SERVICE <http://127.0.0.1:1/> { } "
        "VALUES ?w { 'y' } }",
        "SERVICE",
    ),
    # inside FILTER EXISTS and nested groups
    ("ASK { FILTER EXISTS { #x\rSERVICE <http://127.0.0.1:1/> { } } }", "SERVICE"),
    ("ASK { { { #\rservice silent <http://127.0.0.1:1/> { } } } }", "SERVICE"),
    # keywords run together: Oxigraph matches a keyword without looking for the end of the word
    ("PREFIX l: <http://127.0.0.1:1/> SELECT * WHERE { SERVICEl: { ?s ?p ?o } }", "SERVICE"),
    ("PREFIX l: <http://127.0.0.1:1/> SELECT * WHERE { SERVICESILENTl:x { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ServiceSILENT <http://127.0.0.1:1/> { } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p trueSERVICE<http://127.0.0.1:1/>{ ?s ?p ?o } }", "SERVICE"),
    # a long string without its closing quotes is an empty string '' then a string 'abc'
    ("SELECT * WHERE { VALUES ?x { '''abc' } SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
    ('SELECT * WHERE { VALUES ?x { """a" } SERVICE <http://127.0.0.1:1/> { } }', "SERVICE"),
    # a prefixed name has at most one run of dots for Oxigraph: ex:a.b.SERVICE is ex:a.b . SERVICE
    (
        "PREFIX l: <http://127.0.0.1:1/> SELECT * WHERE { "
        "?s ?p l:a.b.SERVICE<http://127.0.0.1:1/>{ ?s ?p ?o } }",
        "SERVICE",
    ),
    # a relative IRI holding ' is an IRI with a base IRI, and "<" then a string without one
    (
        "SELECT * WHERE { ?s ?p ?o FILTER(1<'x>') SERVICE <http://127.0.0.1:1/> { } FILTER('a'='b') }",
        "SERVICE",
    ),
    ("SELECT * WHERE { VALUES ?v { <rel#x> } SERVICE <http://127.0.0.1:1/> { } }", "SERVICE"),
    # an escaped character in an IRI is decoded there
    (
        "SELECT * WHERE { VALUES ?v { <http://127.0.0.1/\\u0041#> } SERVICE <http://127.0.0.1:1/> { } }",
        "SERVICE",
    ),
    # LOAD for an endpoint with an update token: refused without --allow-service
    ("LOAD <http://127.0.0.1:1/x.ttl>", "LOAD"),
    ("PREFIX l: <http://127.0.0.1:1/> LOADl:x.ttl", "LOAD"),
    ("LOADSILENT<http://127.0.0.1:1/x.ttl>", "LOAD"),
    # update keywords run together
    ("INSERTDATA { <http://a> <http://b> <http://c> }", "INSERT"),
    ("SELECT * FROMNAMED <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }", "FROM"),
]


@pytest.mark.parametrize("query,keyword", BYPASSES)
def test_bypasses_of_the_old_lexer_are_refused(query, keyword):
    assert refused(query, allow_update=keyword == "LOAD") == keyword


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:1/> { }' }  # SERVICE <x> {}\r\n",
        "SELECT * WHERE { ?s ?p '''a'b''c SERVICE <http://127.0.0.1:1/> { }''' }",
        'SELECT * WHERE { ?s ?p "a\\"SERVICE <http://x/> {}" }',
        "SELECT * WHERE { ?s ?p <http://127.0.0.1/SERVICE#x> }",
        "PREFIX e: <http://e/> SELECT * WHERE { ?s e:service\\#x ?o ; e:a.b ?o }",
        "PREFIX service: <http://e/> SELECT * WHERE { ?s service:x ?o }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) }",
    ],
)
def test_what_looks_like_service_but_is_not_passes(query):
    assert refused(query) is None


def test_comment_ends_at_carriage_return_in_the_lexer():
    assert [t.text for t in tokens("ASK { #x\rSERVICE\n#y\r\n}")] == ["ASK", "{", "SERVICE", "}"]
    assert [t.text for t in tokens("e:a\\#b ?x")] == ["e:a\\#b", "?x"]
    assert [t.text for t in tokens("ex:a.b.c")] == ["ex:a.b", ".", "c"]
    assert [t.kind for t in tokens("'''abc' x")] == ["string", "string", "word"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { #x\rSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "PREFIX e: <http://e/> SELECT * WHERE { VALUES ?v { e:a\\#b } SERVICE <http://127.0.0.1:1/> { } }",
    ],
)
def test_kg_sparql_refuses_the_bypasses_without_allow_service(tmp_path, query):
    import pyoxigraph as ox
    from typer.testing import CliRunner

    from kg.cli import app

    store = ox.Store(str(tmp_path / "store"))
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    store.flush()
    del store
    (tmp_path / "q.rq").write_bytes(query.encode())
    result = CliRunner().invoke(app, ["sparql", str(tmp_path / "q.rq"), "--store", str(tmp_path / "store")])
    assert result.exit_code == 6 and "SERVICE is refused" in result.output, result.output
