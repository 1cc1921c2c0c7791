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

The lexer reads the text as Oxigraph's parser does wherever a difference could hide a keyword
(its rules are spelt out next to the code): a comment ends at CR or LF; ``\\#`` and ``\\'`` in a
prefixed name are part of the name; a long string that never closes is ``''`` then a string; a
local name holds at most one run of dots; an IRI is what pyoxigraph's own IRI parser accepts (a
relative IRI holding ``'`` or ``#`` depends on the base IRI, so both readings are checked); and
keywords run together (``SERVICEex:``, ``trueSERVICE``, ``ServiceSILENT``) are keywords. The
SPARQL grammar decodes ``\\uXXXX`` escapes before parsing (so ``\\u0053ERVICE`` is ``SERVICE``, as
rdflib reads it); Oxigraph only inside strings and IRIs: the guard inspects both readings.

The guard gives a clear 403; it is not what keeps requests in: the workers that run queries have
no network (:mod:`kg.store.isolation`). ``benchmarks/fuzz_guard.py`` checks the guard against
pyoxigraph with a listener on 127.0.0.1 (10,000 queries in ``make test``, more with ``make fuzz``);
``tests/test_guard.py`` also cross-checks it against rdflib's parser. It takes about a
millisecond for a query of 1,500 characters, so it runs on every request.

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


_UPDATE = re.compile("|".join(sorted(UPDATE_KEYWORDS)))


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


# The lexical rules of Oxigraph's SPARQL grammar (spargebra), which the guard must read exactly as Oxigraph
# does wherever a difference could hide a keyword: white space is space, tab, CR and LF only; a comment runs
# from "#" to the first CR or LF; \u escapes are decoded inside strings and IRIs only.
_WS = " \t\r\n"
_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
_ECHAR = re.compile(r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}""")
_VAR = re.compile(r"[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+")
# names: ASCII exactly as the grammar; beyond ASCII a wider class than the grammar's (reading a non-ASCII
# character into a name where Oxigraph would not only hides a character no token may start with)
_BASE = r"A-Za-z\u00C0-\U000EFFFF"
_CHARS = _BASE + r"_\-0-9\u00B7"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_BASE}](?:[{_CHARS}]|\.+(?=[{_CHARS}]))*"
# PN_LOCAL as Oxigraph has it: at most one run of dots inside ("ex:a.b.c" is "ex:a.b", "." and "c")
_PN_LOCAL = rf"(?:[{_CHARS}:]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\.+(?:[{_CHARS}:]|{_PLX})+)?"
_PNAME = re.compile(rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
_BNODE = re.compile(rf"_:[{_CHARS}]+(?:\.+[{_CHARS}]+)*")
# DOUBLE, DECIMAL, INTEGER, tried in that order
_NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+")
# a word without ":": a keyword, "a", true, false, a function name, or keywords run together ("trueSERVICE")
_NAME = re.compile(rf"[{_BASE}_0-9][{_CHARS}]*")
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:")
_UCHAR = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_NOT_IN_IRI = frozenset('<>"{}|^`\\' + "".join(chr(c) for c in range(0x21)))


def _iri_end(text: str, i: int) -> tuple[int, bool]:
    """At a ``<``: (end of the IRI, ambiguous) where Oxigraph could read an IRI, (-1, False) where not.

    Oxigraph takes ``<`` up to the next ``>``, decodes ``\\u`` escapes, and keeps it as an IRI if it is
    valid (else ``<`` is the less-than operator). An absolute IRI is checked with pyoxigraph's own IRI
    parser. A relative one is valid only with a base IRI, which the guard does not know: it is
    ambiguous when reading it either way could hide text (it holds ``'`` or ``#``), and then both
    readings are checked.
    """
    j = text.find(">", i + 1)
    if j < 0:
        return -1, False
    raw = text[i + 1 : j]
    decoded = raw
    if "\\" in raw:
        if "\\" in _UCHAR.sub("", raw):
            return -1, False  # any other escape makes it invalid
        decoded = unescape_codepoints(raw)
    if any(ch in _NOT_IN_IRI for ch in decoded):
        return -1, False
    if _SCHEME.match(decoded):
        return (j + 1, False) if _valid_absolute(decoded) else (-1, False)
    return j + 1, ("'" in raw or "#" in raw)


def _valid_absolute(iri: str) -> bool:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _long_string_end(text: str, i: int, q: str) -> int:
    """End of the long string opened at *i* by three *q*, or -1 where Oxigraph would not read one.

    As the grammar: ``(("''" / "'")? (char / ECHAR / UCHAR))*`` then three quotes. When that fails (no
    closing quotes, or a bad escape), Oxigraph reads an empty string ``''`` and goes on at the third
    quote, so the guard must too.
    """
    n, j = len(text), i + 3
    while True:
        k = j + 2 if text.startswith(q * 2, j) else j + 1 if text.startswith(q, j) else j
        if k < n and text[k] != q and text[k] != "\\":
            j = k + 1
            continue
        m = _ECHAR.match(text, k) if k < n else None
        if m:
            j = m.end()
            continue
        break
    return j + 3 if text.startswith(q * 3, j) else -1


def _short_string_end(text: str, i: int) -> int:
    """End of the one-line string opened at *i* (an unterminated one is a syntax error for Oxigraph)."""
    q, n, j = text[i], len(text), i + 1
    while j < n and text[j] != q and text[j] not in "\r\n":
        j += 2 if text[j] == "\\" else 1
    return min(n, j + 1)


def tokens(query: str) -> Iterator[Token]:
    """Lex *query* as Oxigraph does, comments and white space dropped (a relative IRI read as an IRI).

    >>> [t.text for t in tokens("ASK { #x\\rSERVICE <http://a/> {} }")]
    ['ASK', '{', 'SERVICE', '<http://a/>', '{', '}', '}']
    """
    yield from _lex(query, frozenset(), [])


def _lex(query: str, split: frozenset[int], ambiguous: list[int]) -> Iterator[Token]:
    """Lex *query*, reading each ``<`` at a position in *split* as punctuation; record the ambiguous ones."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in _WS or c == "#":
            m = _SKIP.match(query, i)
            i = m.end() if m else i + 1
            continue
        if c == "<":
            end, unsure = (-1, False) if i in split else _iri_end(query, i)
            if end > 0:
                if unsure:
                    ambiguous.append(i)
                yield Token("iri", query[i:end], i)
                i = end
                continue
            yield Token("punct", c, i)
            i += 1
            continue
        if c in "\"'":
            end = _long_string_end(query, i, c) if query.startswith(c * 3, i) else -1
            if end < 0:
                end = i + 2 if query.startswith(c * 2, i) else _short_string_end(query, i)
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
        if query.startswith("_:", i):
            m = _BNODE.match(query, i)
        elif c.isdigit() or (c == "." and query[i + 1 : i + 2].isdigit()):
            m = _NUMBER.match(query, i)
        else:
            m = _PNAME.match(query, i) or _NAME.match(query, i)
        if m and m.end() > i:
            yield Token("word", m.group(0), i)
            i = m.end()
            continue
        yield Token("punct", c, i)
        i += 1


def has_dataset_clause(query: str) -> bool:
    """Whether *query* names its own dataset with ``FROM`` (comments, strings and IRIs skipped).

    >>> has_dataset_clause("# data from INSEE\\nSELECT * WHERE { ?s ?p 'from' }")
    False
    """
    for v in {query, unescape_codepoints(query)}:
        toks = list(tokens(v))
        if any(_from_clause(toks, k) for k in range(len(toks))):
            return True
    return False


def _from_clause(toks: list[Token], k: int) -> Token | None:
    """When ``toks[k]`` opens a ``FROM`` clause: the token naming the graph (or the FROM token itself).

    Oxigraph matches keywords without looking for the end of a word, so ``FROMNAMED<g>`` and
    ``FROMex:g`` are ``FROM NAMED <g>`` and ``FROM ex:g`` (before the first ``{`` only, where a
    dataset clause may be).
    """
    tok = toks[k]
    if tok.kind != "word":
        return None
    word = tok.text.upper()
    nxt = toks[k + 1] if k + 1 < len(toks) else tok
    if word == "FROM":
        if nxt.kind == "word" and nxt.text.upper() == "NAMED" and k + 2 < len(toks):
            return toks[k + 2]
        return nxt
    if word == "FROMNAMED":
        return nxt
    if (
        word.startswith("FROM")
        and ":" in word
        and not any(t.text == "{" for t in toks[:k])
        and not (k and toks[k - 1].text.upper() == "PREFIX")
    ):
        rest = tok.text[4:]
        if rest.upper().startswith("NAMED") and _PNAME.fullmatch(rest[5:]):
            rest = rest[5:]
        return Token("word", rest, tok.pos + len(tok.text) - len(rest))
    return None


def _where(text: str, pos: int) -> str:
    """Line and column of *pos*; a line ends at LF, CR or CRLF (as a comment does)."""
    head = text[:pos].replace("\r\n", "\n").replace("\r", "\n")
    return f"line {head.count(chr(10)) + 1}, column {len(head) - (head.rfind(chr(10)) + 1) + 1}"


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

    Examples
    --------
    A comment ends at a carriage return, as Oxigraph reads it:

    >>> check_query("SELECT * WHERE { #x\\rSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.store.guard.Refused: SERVICE is refused: no request may leave the server on a query's behalf (line 2, column 1)
    """
    decoded = unescape_codepoints(query)
    # Oxigraph decodes \u escapes only inside strings and IRIs, the SPARQL grammar (and rdflib) everywhere:
    # inspect both readings, so that neither can hide a keyword
    has_dataset = False
    for text in (query, decoded) if decoded != query else (query,):
        for toks in _readings(text):
            found = _check(text, toks, graphs, prefixes, allow_service, allow_update)
            has_dataset = has_dataset or found
    return Inspection(has_dataset)


#: most readings of one query (each relative IRI holding ' or # is read both as an IRI and as "<")
MAX_READINGS = 64


def _readings(text: str) -> Iterator[list[Token]]:
    """The token lists of every way Oxigraph could lex *text* (see :func:`_iri_end`), usually one."""
    todo: list[frozenset[int]] = [frozenset()]
    done = 0
    while todo:
        split = todo.pop()
        ambiguous: list[int] = []
        yield list(_lex(text, split, ambiguous))
        done += 1
        last = max(split, default=-1)
        todo.extend(split | {p} for p in ambiguous if p > last)
        if done + len(todo) > MAX_READINGS:
            raise Refused(
                "the query has too many relative IRIs holding ' or # to be checked (their meaning "
                "depends on the base IRI): write them as absolute IRIs",
                "IRI",
            )


def _check(
    text: str,
    toks: list[Token],
    graphs: Collection[str] | None,
    prefixes: Mapping[str, str] | None,
    allow_service: bool,
    allow_update: bool,
) -> bool:
    known = dict(prefixes or {})
    allowed = set(graphs or ())
    has_dataset = False
    for k, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        after_prefix = k > 0 and toks[k - 1].text.upper() == "PREFIX"
        if ":" in word:
            # Oxigraph matches a keyword without looking for the end of the word: "SERVICEex:{…}" is
            # SERVICE ex: {…}, and "LOADex:doc" is LOAD ex:doc
            head = word.split(":", 1)[0]
            if "SERVICE" in head and not allow_service and nxt is not None and nxt.text == "{":
                raise _refused("SERVICE", text, tok, glued=True)
            if "LOAD" in head and allow_update and not allow_service and not after_prefix:
                raise _refused("LOAD", text, tok, glued=True)
        elif word == "PREFIX" and nxt is not None and k + 2 < len(toks) and toks[k + 2].kind == "iri":
            known[nxt.text.rstrip(":")] = toks[k + 2].text[1:-1]
        elif "SERVICE" in word and not allow_service:
            raise _refused("SERVICE", text, tok, glued=word != "SERVICE")
        elif "LOAD" in word and not (allow_service and allow_update):
            raise _refused("LOAD", text, tok, glued=word != "LOAD")
        elif not allow_update and (m := _UPDATE.match(word)):
            raise _refused(m.group(0), text, tok, glued=word != m.group(0))
        named = _from_clause(toks, k)
        if named is None:
            continue
        has_dataset = True
        iri = _graph_iri(named if named is not tok else None, known)
        if iri is None or iri not in allowed:
            shown = named.text if named is not tok else "nothing"
            raise Refused(
                f"FROM {shown} is refused: only graphs of this store may be named "
                f"({_where(text, tok.pos)}); the default graph is already the union of all graphs, "
                "and GRAPH <…> { … } selects one",
                "FROM",
            )
    return has_dataset


def _refused(keyword: str, text: str, tok: Token, *, glued: bool) -> Refused:
    why = {
        "SERVICE": "no request may leave the server on a query's behalf",
        "LOAD": "this endpoint is read-only and never fetches a document on a query's behalf",
    }.get(keyword, "this endpoint is read-only (SPARQL Update is disabled)")
    where = _where(text, tok.pos)
    if glued:
        where += f'; "{tok.text}" is read by Oxigraph as {keyword} followed by the rest'
    return Refused(f"{keyword} is refused: {why} ({where})", keyword)


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
