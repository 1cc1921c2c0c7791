"""Differential fuzzer of the SPARQL guard against Oxigraph, with a real listener on 127.0.0.1.

    .venv/bin/python benchmarks/fuzz_guard.py                         # 100,000 queries, seed 1
    .venv/bin/python benchmarks/fuzz_guard.py --queries 1000000 --seed 7 --out fuzz.json

Generates queries that mix comments (ended by LF, CR or CRLF), strings of every form (with
escapes, unterminated long strings), IRIs (absolute, relative, with ``'`` and ``#``), prefixed
names with backslash escapes, ``\\u`` escapes, keywords run together (``trueSERVICE``,
``SERVICEl:``), and ``SERVICE`` clauses aimed at a TCP listener on 127.0.0.1 that counts the
connections it receives. Each query goes through :func:`kg.store.guard.check_query`; every
query the guard accepts is then run by pyoxigraph (in process: pyoxigraph executes ``SERVICE``
by sending HTTP, which is what the guard stands in front of), on a small store whose triples
match the generated patterns, with and without a base IRI. A query that the guard accepts and
that makes the listener see a connection is a failure. A share of the refused queries are run
too, to show the listener does see the connections of the ``SERVICE`` clauses that Oxigraph
parses (the oracle is live).

``tests/test_fuzz_guard.py`` runs a fixed-seed slice of 10,000 queries on every ``make test``;
``make fuzz`` runs a longer one. Loopback only; nothing is written unless ``--out`` is given.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

# ---------------------------------------------------------------------------------------------------
# the listener


class Listener:
    """A TCP server on 127.0.0.1 that accepts, counts and closes every connection (in a thread)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1  # counted before the close the client waits for
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


# ---------------------------------------------------------------------------------------------------
# the generator

EOLS = ["\n", "\r", "\r\n"]
WS = [" ", " ", "\t", "\n", "\r", "\r\n", ""]
KEYWORDS = ["SERVICE", "service", "Service", "sErViCe"]


def _service(rnd: random.Random, url: str) -> str:
    """A SERVICE clause Oxigraph runs (when it is reached), in one of its spellings."""
    kw = rnd.choice(KEYWORDS)
    silent = rnd.choice(["", "", " SILENT", "SILENT ", " silent "])
    sp = rnd.choice(WS[:-1])
    group = rnd.choice(["{ ?s ?p ?o }", "{?s ?p ?o}", "{ }", "{ ?a ?b ?c }"])
    target = rnd.choice(
        [
            f"<{url}>",
            f"{sp}<{url}>",
            f" l:{rnd.choice(['', 'x', 'a.b'])}",  # l: is the listener's prefix
            f"l:{rnd.choice(['', 'x'])}",  # run together: SERVICEl:
            " ?ep",  # bound by VALUES before
            f"{sp}<rel/>",  # relative: resolved against the base IRI when there is one
        ]
    )
    glued = kw + silent.strip() if target.startswith("l:") else kw + silent
    if target == " ?ep":
        return f"VALUES ?ep {{ <{url}> }} {glued}{target} {group}"
    return f"{glued}{target}{rnd.choice(WS)}{group}"


def _hider(rnd: random.Random, inner: str) -> str:
    """*inner* placed where it may or may not be code, depending on the finest lexical rules."""
    eol = rnd.choice(EOLS)
    q = rnd.choice(["'", '"'])
    forms = [
        f"#x{eol}{inner}",  # a comment ends at CR or LF: inner is code
        f"#x {inner}{eol}",  # inner is in the comment
        f"#x\\{eol}{inner}",
        f"OPTIONAL {{ ?s ?p l:a\\#b }} {inner}",  # an escaped # in a prefixed name is no comment
        f"OPTIONAL {{ ?s ?p l:x\\' }} {inner} OPTIONAL {{ ?s ?p 'y' }}",
        f"VALUES ?v {{ l:a\\#b }}{inner}",
        f"VALUES ?v {{ {q}x\\{q}y{q} }} {inner}",  # an escaped quote inside a string
        f"VALUES ?v {{ {q}x\\\\{q} }} {inner} VALUES ?w {{ {q}z{q} }}",
        f"VALUES ?v {{ {q}x {inner} {q} }}",  # inner is in the string
        f"VALUES ?v {{ {q * 3}abc{q} }} {inner}",  # no closing '''  : '' then 'abc'
        f"VALUES ?v {{ {q * 3}a{q} }} {inner} VALUES ?w {{ {q}\\q{q * 3} }}",
        f"VALUES ?v {{ {q * 3}a\n{inner}{q * 3} }}",  # inner is in the long string
        f"VALUES ?v {{ {q * 3}a{q}{q}{q}{q} }} {inner}",
        f"VALUES ?v {{ {q}a\\u0027{q} }} {inner}",
        f'VALUES ?v {{ "\\u0022" }} {inner} VALUES ?w {{ "\\u0022" }}',
        f"VALUES ?v {{ <http://127.0.0.1/a#b> }} {inner}",
        f"VALUES ?v {{ <rel#x> }} {inner}",  # relative: an IRI only with a base
        f"VALUES ?v {{ <'x> }} {inner} VALUES ?w {{ 'z' }}",
        f"VALUES ?v {{ <http://127.0.0.1/\\u0041#> }} {inner}",
        f"FILTER(1<'x>') {inner}",
        f"BIND(1<2 AS ?b) {inner} BIND('>' AS ?c)",
        f"?s ?p true{inner}",  # keywords run together: trueSERVICE
        f"?s ?p 1{inner}",
        f"?s ?p l:o.{inner}",
        f"?s ?p l:o .{inner}",
        f"FILTER EXISTS {{ {inner} }}",
        f"FILTER NOT EXISTS {{ {inner} }}",
        f"{{ {{ {inner} }} }}",
        f"OPTIONAL {{ {inner} }}",
        f"{{ {inner} }} UNION {{ ?s ?p ?o }}",
        f"?s ?p ?o . {inner}",
        f"<{inner}>",
        f"l:{inner}",
        f"\\u0053ERVICE <{inner}>",
    ]
    return rnd.choice(forms)


SOUP = [
    "SERVICE",
    "service",
    "SILENT",
    "l:",
    "l:a\\#b",
    "l:x\\'",
    "'",
    '"',
    "'''",
    '"""',
    "#",
    "\r",
    "\n",
    "\r\n",
    "{",
    "}",
    "?s ?p ?o",
    ".",
    "<",
    ">",
    "\\",
    "\\'",
    '\\"',
    "\\u0027",
    "\\u0022",
    "\\u003E",
    "true",
    "1",
    "VALUES ?v {",
    "FILTER(",
    ")",
    "(",
    "<#",
    "<'",
    "x",
    " ",
    "\t",
    "OPTIONAL",
    "EXISTS",
    ";",
    ",",
    "@en",
    "^^",
]


def generate(rnd: random.Random, url: str) -> str:
    """One query: a structured one (a SERVICE clause inside a hider) or a token soup."""
    head = f"PREFIX l: <{url}> "
    if rnd.random() < 0.2:
        url_iri = f"<{url}>"
        body = "".join(rnd.choice([*SOUP, url_iri, url_iri]) for _ in range(rnd.randint(3, 14)))
        return f"{head}SELECT * WHERE {{ {body} }}"
    inner = _service(rnd, url)
    for _ in range(rnd.choice([0, 1, 1, 1, 2])):
        inner = _hider(rnd, inner)
    if rnd.random() < 0.3:
        inner = inner.replace("SERVICE", rnd.choice(["GRAPH", "OPTIONAL", "SERVICE"]), 1)
    before = rnd.choice(["", "?s ?p ?o . ", "VALUES ?z { 1 } ", "BIND(1 AS ?one) "])
    form = rnd.choice(["SELECT *", "SELECT ?s", "ASK", "SELECT (COUNT(*) AS ?n)"])
    return f"{head}{form} WHERE {{ {before}{inner}{rnd.choice(WS)}}}"


# ---------------------------------------------------------------------------------------------------
# the run


@dataclass
class FuzzReport:
    """What one run saw: counts, time, and the queries that failed (accepted, yet connected)."""

    seed: int
    queries: int = 0
    accepted: int = 0
    accepted_parsed: int = 0
    accepted_connected: int = 0
    refused: int = 0
    refused_run: int = 0
    refused_parsed: int = 0
    refused_connected: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def make_store(url: str):
    import pyoxigraph as ox

    store = ox.Store()
    g = ox.NamedNode(url + "g")
    s, p = ox.NamedNode(url + "s"), ox.NamedNode(url + "p")
    for o in [
        ox.NamedNode(url + "o"),
        ox.NamedNode(url + "a#b"),
        ox.NamedNode(url + "x'"),
        ox.NamedNode(url + "a.b"),
        ox.Literal("y"),
        ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ]:
        store.add(ox.Quad(s, p, o, g))
    return store


def run_query(store, query: str, base: str | None) -> bool:
    """Run *query* with pyoxigraph; whether it parsed."""
    import pyoxigraph as ox

    from kg.model.vocab import PREFIXES

    try:
        result = store.query(query, base_iri=base, prefixes=PREFIXES, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    except SyntaxError:
        return False
    except (OSError, RuntimeError, ValueError):
        pass  # the SERVICE call failed (the listener closes at once): it parsed, and it connected
    return True


def fuzz(queries: int, seed: int, *, refused_share: float = 0.25, keep: int = 20) -> FuzzReport:
    """Generate *queries* queries with *seed*; run every accepted one and a share of the refused ones."""
    from kg.model.vocab import PREFIXES
    from kg.store.guard import Refused, check_query

    rnd = random.Random(seed)
    report = FuzzReport(seed=seed)
    listener = Listener()
    url = f"http://127.0.0.1:{listener.port}/"
    store = make_store(url)
    start = time.perf_counter()
    try:
        for _ in range(queries):
            query = generate(rnd, url)
            base = rnd.choice([None, url + "base/"])
            report.queries += 1
            try:
                check_query(query, graphs=[url + "g"], prefixes=PREFIXES)
                accepted = True
            except Refused:
                accepted = False
            if not accepted:
                report.refused += 1
                if rnd.random() >= refused_share:
                    continue
                report.refused_run += 1
            before = listener.connections
            parsed = run_query(store, query, base)
            connected = listener.connections > before
            if accepted:
                report.accepted += 1
                report.accepted_parsed += parsed
                if connected:
                    report.accepted_connected += 1
                    if len(report.failures) < keep:
                        report.failures.append(repr(query) + (f" (base {base})" if base else ""))
            else:
                report.refused_parsed += parsed
                report.refused_connected += connected
    finally:
        listener.close()
        report.seconds = round(time.perf_counter() - start, 2)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the report as JSON here")
    args = parser.parse_args(argv)
    report = fuzz(args.queries, args.seed)
    text = json.dumps(asdict(report), indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 1 if report.accepted_connected else 0


if __name__ == "__main__":
    sys.exit(main())
