"""Inspect a SPARQL request before anything runs: what a public endpoint refuses.

:func:`check_query` reads the query text with a small SPARQL-aware lexer (it skips
strings, long strings, IRIs and comments; ``ex:service`` and ``?load`` are a prefixed
name and a variable, not keywords) and raises :class:`Refused` for

- every update keyword (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``CREATE``, ``DROP``,
  ``COPY``, ``MOVE``, ``ADD``, ``WITH``, ``USING``): the endpoint is read-only;
- ``SERVICE``: no request may leave the server on a query's behalf (pyoxigraph and
  Oxigraph's server both execute ``SERVICE <http://127.0.0.1:…/>`` by sending HTTP);
- ``FROM`` / ``FROM NAMED`` with an IRI that is not a graph of the store (and the
  protocol's ``default-graph-uri`` / ``named-graph-uri``, see :func:`check_dataset`).

The SPARQL grammar decodes ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes before parsing (so
``\\u0053ERVICE`` is ``SERVICE``, as rdflib reads it); Oxigraph decodes them only inside strings
and IRIs. The guard inspects both readings, so neither can hide a keyword. A word without
``:`` is read as the real lexer reads it: ``1.SERVICE`` is the number 1, ``.``, ``SERVICE``. The lexer costs a few microseconds per query,
so it runs on every request; ``tests/test_guard.py`` cross-checks its verdict against
rdflib's SPARQL parser on many generated queries.

>>> check_query("SELECT ?load WHERE { ?s ex:service ?load }")
Inspection(has_dataset=False)
>>> try:
...     check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:8000/> { ?s ?p ?o } }")
... except Refused as exc:
...     print(exc)
SERVICE is refused: no request may leave the server on a query's behalf (line 1, column 18)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from kg.errors import QueryError

__all__ = [
    "UPDATE_KEYWORDS",
    "Inspection",
    "Refused",
    "Token",
    "check_dataset",
    "check_query",
    "has_dataset_clause",
    "tokens",
    "unescape_codepoints",
]

#: keywords that only occur in SPARQL Update
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)


class Refused(QueryError):
    """A request the endpoint refuses on purpose (HTTP 403): update, SERVICE, LOAD, remote FROM."""

    def __init__(self, message: str, keyword: str = ""):
        self.keyword = keyword
        super().__init__(message)


@dataclass(frozen=True)
class Token:
    """A lexed token: ``kind`` is word, var, iri, string, punct; ``pos`` an offset in the decoded text."""

    kind: str
    text: str
    pos: int


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    r"""Decode ``\uXXXX`` and ``\UXXXXXXXX`` as the SPARQL grammar does before parsing.

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """
    if "\\u" not in text and "\\U" not in text:
        return text

    def dec(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _CODEPOINT.sub(dec, text)


_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+")
# a word: keyword, prefixed name (with ':'), blank node label, number, boolean
_WORD = re.compile(
    r"[A-Za-z0-9_\u00C0-\U000EFFFF][A-Za-z0-9_\-.:%\\\u00B7\u00C0-\U000EFFFF]*|:[A-Za-z0-9_\-.:%\\\u00B7\u00C0-\U000EFFFF]*"
)
# a prefix before ":" (PN_PREFIX), and what a word without ":" really is: a number or a name
_PN_PREFIX = re.compile(
    r"(?:[A-Za-z\u00C0-\U000EFFFF](?:[A-Za-z0-9_\-.\u00B7\u00C0-\U000EFFFF]*"
    r"[A-Za-z0-9_\-\u00B7\u00C0-\U000EFFFF])?)?$"
)
_PLAIN = re.compile(
    r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[A-Za-z_\u00C0-\U000EFFFF][A-Za-z0-9_\u00C0-\U000EFFFF]*"
)
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_SPACE = re.compile(r"\s+")


def tokens(query: str) -> Iterator[Token]:
    """Lex *query* (already decoded, see :func:`unescape_codepoints`), comments and whitespace dropped."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            m = _SPACE.match(query, i)
            i = m.end() if m else i + 1
            continue
        if c == "#":
            j = query.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "<":
            m = _IRI.match(query, i)
            if m:
                yield Token("iri", m.group(0), i)
                i = m.end()
                continue
            yield Token("punct", c, i)
            i += 1
            continue
        if c in "\"'":
            q3 = query[i : i + 3]
            if q3 in ('"""', "'''"):
                j = i + 3
                while j < n and not query.startswith(q3, j):
                    j += 2 if query[j] == "\\" else 1
                end = min(n, j + 3)
            else:
                j = i + 1
                while j < n and query[j] != c and query[j] not in "\r\n":
                    j += 2 if query[j] == "\\" else 1
                end = min(n, j + 1)
            yield Token("string", query[i:end], i)
            i = end
            continue
        if c in "?$":
            m = _VAR.match(query, i)
            if m:
                yield Token("var", m.group(0), i)
                i = m.end()
                continue
            yield Token("punct", c, i)
            i += 1
            continue
        if c == "@":
            m = _LANG.match(query, i)
            if m:
                yield Token("lang", m.group(0), i)
                i = m.end()
                continue
        m = _WORD.match(query, i)
        if m:
            run = m.group(0)
            head = run.split(":", 1)[0] if ":" in run else None
            if head is not None and (head in ("", "_") or _PN_PREFIX.match(head)):
                text = run.rstrip(".")  # a prefixed name (or blank node label) never ends with "."
                yield Token("word", text, i)
                i += len(text)
                continue
            p = _PLAIN.match(query, i)  # a keyword, boolean or number stops at "." or "-": "1.SERVICE"
            if p:
                yield Token("word", p.group(0), i)
                i = p.end()
                continue
        yield Token("punct", c, i)
        i += 1


def has_dataset_clause(query: str) -> bool:
    """Whether *query* names its own dataset with ``FROM`` (comments, strings and IRIs skipped).

    >>> has_dataset_clause("# data from INSEE\\nSELECT * WHERE { ?s ?p 'from' }")
    False
    """
    return any(
        t.kind == "word" and t.text.upper() == "FROM"
        for v in {query, unescape_codepoints(query)}
        for t in tokens(v)
    )


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


@dataclass(frozen=True)
class Inspection:
    """What :func:`check_query` learnt: ``has_dataset`` when the query names graphs with ``FROM``."""

    has_dataset: bool = False


def check_query(
    query: str,
    *,
    graphs: Collection[str] | None = None,
    prefixes: Mapping[str, str] | None = None,
    allow_service: bool = False,
    allow_update: bool = False,
) -> Inspection:
    """Refuse *query* when it updates, loads, calls a SERVICE or reads a graph that is not in *graphs*.

    Parameters
    ----------
    query
        The SPARQL text as received.
    graphs
        IRIs of the store's named graphs: ``FROM`` / ``FROM NAMED`` may only name these.
        ``None`` refuses every ``FROM``.
    prefixes
        Prefixes predeclared by the endpoint (used to expand ``FROM graph:geography``).
    allow_service, allow_update
        For a local, trusted caller (``kg sparql --allow-service``, an endpoint with an update token).
        ``LOAD`` fetches a document, so it needs both.

    Returns
    -------
    Inspection
        Whether the query has a dataset clause (then the endpoint must not impose the union default graph).

    Raises
    ------
    Refused
        Naming the keyword, why, and where it is (line and column).
    """
    decoded = unescape_codepoints(query)
    # Oxigraph decodes \u escapes only inside strings and IRIs, the SPARQL grammar (and rdflib) everywhere:
    # inspect both readings, so that neither can hide a keyword
    has_dataset = _check(query, graphs, prefixes, allow_service, allow_update)
    if decoded != query:
        has_dataset = _check(decoded, graphs, prefixes, allow_service, allow_update) or has_dataset
    return Inspection(has_dataset)


def _check(
    text: str,
    graphs: Collection[str] | None,
    prefixes: Mapping[str, str] | None,
    allow_service: bool,
    allow_update: bool,
) -> bool:
    known = dict(prefixes or {})
    allowed = set(graphs or ())
    toks = list(tokens(text))
    has_dataset = False
    for k, tok in enumerate(toks):
        if tok.kind != "word" or ":" in tok.text:
            continue
        word = tok.text.upper()
        if (
            word == "PREFIX"
            and k + 2 < len(toks)
            and toks[k + 1].kind == "word"
            and toks[k + 2].kind == "iri"
        ):
            known[toks[k + 1].text.rstrip(":")] = toks[k + 2].text[1:-1]
        elif word == "SERVICE" and not allow_service:
            raise Refused(
                "SERVICE is refused: no request may leave the server on a query's behalf "
                f"({_where(text, tok.pos)})",
                "SERVICE",
            )
        elif word == "LOAD" and not (allow_service and allow_update):
            raise Refused(
                "LOAD is refused: this endpoint is read-only and never fetches a document on a "
                f"query's behalf ({_where(text, tok.pos)})",
                "LOAD",
            )
        elif word in UPDATE_KEYWORDS and not allow_update:
            raise Refused(
                f"{word} is refused: this endpoint is read-only (SPARQL Update is disabled) "
                f"({_where(text, tok.pos)})",
                word,
            )
        elif word == "FROM":
            has_dataset = True
            j = k + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED":
                j += 1
            iri = _graph_iri(toks[j] if j < len(toks) else None, known)
            if iri is None or iri not in allowed:
                shown = toks[j].text if j < len(toks) else "nothing"
                raise Refused(
                    f"FROM {shown} is refused: only graphs of this store may be named "
                    f"({_where(text, tok.pos)}); the default graph is already the union of all graphs, "
                    "and GRAPH <…> { … } selects one",
                    "FROM",
                )
    return has_dataset


def _graph_iri(tok: Token | None, prefixes: Mapping[str, str]) -> str | None:
    if tok is None:
        return None
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "word" and ":" in tok.text:
        prefix, local = tok.text.split(":", 1)
        if prefix in prefixes and "\\" not in local and "%" not in local:
            return prefixes[prefix] + local
    return None


def check_dataset(
    default_graphs: Collection[str], named_graphs: Collection[str], graphs: Collection[str]
) -> None:
    """Refuse protocol ``default-graph-uri`` / ``named-graph-uri`` values that are not graphs of the store.

    Raises
    ------
    Refused
        Naming the first unknown graph.
    """
    allowed = set(graphs)
    for param, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for g in values:
            if g not in allowed:
                raise Refused(
                    f"{param}={g} is refused: it is not a graph of this store "
                    f"(the service description at the endpoint URL lists them)",
                    "FROM",
                )
