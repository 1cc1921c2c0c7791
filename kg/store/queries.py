"""Named questions: one documented SPARQL file each in ``kg/store/queries/``.

A file's header says the question in French and English, its parameters and an
example::

    # title.fr: Acteurs d'un territoire…
    # title.en: Actors of a territory…
    # param: territory territory  Territoire : commune:94018, …
    # example: kg query actors-of-territory --param territory=intercommunalite:200057941

A parameter has a name, a type and a help text. Types: ``territory`` (``level:code``,
checked against the graph's geography by :func:`territory_iri` and bound as the territory's IRI), ``actor`` / ``node`` (a name, case- and
accent-insensitive, or an IRI), ``date`` (YYYY, YYYY-MM or YYYY-MM-DD; bound as the
last day it may mean, an ISO string), ``iri``, ``string``, ``integer``.
Values are bound to the query's variables (:func:`kg.store.graph.bind`), never pasted.

A line ``INCLUDE <name>`` in a query's body is replaced, when the file is read, by the SPARQL
group pattern of ``queries/include/<name>.rq`` (indented like the line). This keeps one home for a
definition that several questions share — the ecosystem of a territory
(``include/territory-ecosystem.rq``, also run by :mod:`kg.store.ecosystem`). What ``kg query --show``
and the endpoint show is the expanded text, the query as it runs; an unexpanded ``INCLUDE`` is not
SPARQL and fails to parse rather than being silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import QueryError, TerritoryError, UnknownEntityError
from kg.model.dates import normalise_date
from kg.model.names import closest, suggestion
from kg.model.territories import FORMS, LEVELS, TerritoryRef, parse_territory
from kg.store.graph import IRI
from kg.store.names import Named, name_index, resolve_name

__all__ = [
    "INCLUDE_DIR",
    "QUERY_DIR",
    "Q_SUBTERRITORIES",
    "NamedQuery",
    "Param",
    "bind_params",
    "checked_ref",
    "fragment",
    "fragment_branches",
    "get_query",
    "list_queries",
    "param_text",
    "run_named",
    "run_sparql",
    "subterritories",
    "territory_iri",
]

QUERY_DIR = Path(__file__).parent / "queries"
INCLUDE_DIR = QUERY_DIR / "include"
PARAM_TYPES = ("territory", "actor", "node", "date", "iri", "string", "integer")


@dataclass(frozen=True)
class Param:
    """A parameter of a named query."""

    name: str
    type: str
    help: str


@dataclass(frozen=True)
class NamedQuery:
    """A named question: its SPARQL text and header."""

    name: str
    title: dict[str, str]
    params: tuple[Param, ...]
    examples: tuple[str, ...]
    sparql: str
    path: Path = field(compare=False)


_HEADER = re.compile(r"^#\s*([\w.]+):\s?(.*)$")
_INCLUDE = re.compile(r"^([ \t]*)INCLUDE[ \t]+([a-z0-9-]+)[ \t]*$", re.MULTILINE)


def fragment(name: str) -> str:
    """The SPARQL group pattern ``queries/include/<name>.rq`` (its comments included).

    Raises
    ------
    QueryError
        When there is no such fragment.
    """
    path = INCLUDE_DIR / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        known = sorted(p.stem for p in INCLUDE_DIR.glob("*.rq"))
        raise QueryError(f"INCLUDE {name}: no fragment {path}; the fragments: {', '.join(known)}")
    return path.read_text(encoding="utf-8").rstrip("\n")


_BRANCH_SEP = re.compile(r"^\}\nUNION\n\{\n", re.MULTILINE)


def fragment_branches(name: str) -> list[str]:
    """The branches of the fragment *name*, a top-level ``{ … } UNION { … }`` (its comments left out).

    Each is the inside of one ``{ … }``, to be written flat in a query's ``WHERE`` (a nested group
    is joined with the bound variable afterwards, like the union), and can be run alone: a store joins a bound variable with a ``UNION``
    only after evaluating every branch over the whole graph, but with each branch on its own, from
    that variable outwards (pyoxigraph: the ecosystem of a département of the 10,000-actor synthetic
    graph, 8 s as one union, under 1 s branch by branch). The union of their rows is the fragment's.

    Raises
    ------
    QueryError
        For a fragment that is not a union of ``{`` … ``}`` blocks, each opened and closed at
        the start of a line.
    """
    lines = [ln for ln in fragment(name).splitlines() if not ln.startswith("#")]
    body = "\n".join(lines).strip() + "\n"
    if not (body.startswith("{\n") and body.endswith("\n}\n")):
        raise QueryError(
            f"INCLUDE {name}: not a union of {{ … }} blocks opened and closed at the start of a line"
        )
    return [b.rstrip("\n") for b in _BRANCH_SEP.split(body[2:-2])]


def expand_includes(text: str) -> str:
    """*text* with every ``INCLUDE <name>`` line replaced by :func:`fragment` *name*, indented like the line.

    The fragment's comments are left in its file; one comment line names it instead.
    """

    def repl(m: re.Match[str]) -> str:
        indent, name = m.group(1), m.group(2)
        lines = fragment(name).splitlines()
        # the fragment's comments stay in its file: a query shown or sent carries one line naming it, so that it
        # stays under an endpoint's request size (kg serve: 20,000 bytes)
        body = [f"# INCLUDE {name}: queries/include/{name}.rq (the definition, with its notes)"]
        body += [ln for ln in lines if not ln.lstrip().startswith("#")]
        return "\n".join(indent + line if line else line for line in body)

    return _INCLUDE.sub(repl, text)


def _parse(path: Path) -> NamedQuery:
    title: dict[str, str] = {}
    params: list[Param] = []
    examples: list[str] = []
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        m = _HEADER.match(line)
        if not m:
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, value = m.group(1), m.group(2).strip()
        if key.startswith("title."):
            title[key.split(".", 1)[1]] = value
        elif key == "param":
            name, ptype, *rest = value.split(None, 2)
            if ptype not in PARAM_TYPES:
                raise QueryError(
                    f"{path}: parameter {name} has unknown type {ptype!r}; use one of {PARAM_TYPES}"
                )
            params.append(Param(name, ptype, rest[0] if rest else ""))
        elif key == "example":
            examples.append(value)
    return NamedQuery(path.stem, title, tuple(params), tuple(examples), expand_includes(text), path)


def list_queries(directory: Path = QUERY_DIR) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return [_parse(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """The named query *name*.

    Raises
    ------
    UnknownEntityError
        With the closest names as suggestions.
    """
    path = directory / f"{name}.rq"
    if re.fullmatch(r"[a-z0-9-]+", name) and path.exists():
        return _parse(path)
    names = [p.stem for p in sorted(directory.glob("*.rq"))]
    close = closest(name, names)
    hint = f" — {suggestion(close, lang='en')}" if close else ""
    raise UnknownEntityError(f'Unknown query "{name}"{hint} (kg query --list shows them all)', close)


_TERRITORY_IRI = re.compile(r"^https://w3id\.org/territorial-kg/id/territory/([a-z]+)/([0-9A-Za-z]+)$")


def param_text(query: NamedQuery, param: Param, value: Any) -> str:
    """A parameter's value of any simple Python type as the text ``--param`` would give.

    ``str`` as it is; ``int`` (a year, a number); ``datetime.date`` / ``datetime`` (ISO date);
    ``kg.IRI``, rdflib ``URIRef`` or pyoxigraph ``NamedNode`` (an IRI; a territory's IRI is read
    back as ``level:code``); an rdflib or pyoxigraph ``Literal`` (its text); a whole ``Decimal`` or
    ``float``.

    Raises
    ------
    QueryError
        For a value of another type, naming the parameter, what it takes and an example.

    Examples
    --------
    >>> import datetime
    >>> q = get_query("funders-of-territory")
    >>> frm = next(p for p in q.params if p.name == "from")
    >>> param_text(q, frm, 2020), param_text(q, frm, datetime.date(2020, 6, 30))
    ('2020', '2020-06-30')
    """
    import datetime as dt
    from decimal import Decimal

    kind = type(value).__name__
    if isinstance(value, bool):
        pass  # a bool is an int to Python, and no parameter's value
    elif isinstance(value, str) and kind not in ("URIRef", "Literal"):
        text = value.strip()
        m = _TERRITORY_IRI.match(text) if param.type == "territory" else None
        return f"{m.group(1)}:{m.group(2)}" if m else text
    elif kind in ("URIRef", "NamedNode", "Literal"):
        return param_text(
            query, param, str(value) if kind == "URIRef" else getattr(value, "value", str(value))
        )
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, (Decimal, float)) and value == int(value):
        return str(int(value))
    elif isinstance(value, dt.datetime):
        return value.date().isoformat()
    elif isinstance(value, dt.date):
        return value.isoformat()
    takes = {
        "territory": 'a territory "level:code" (e.g. "departement:94") or its IRI',
        "actor": "a name (str) or an IRI (kg.IRI)",
        "node": "a name (str) or an IRI (kg.IRI)",
        "date": "a year (int, e.g. 2020), a datetime.date or a str YYYY, YYYY-MM or YYYY-MM-DD",
        "iri": "an IRI (kg.IRI or str)",
        "string": "a str",
        "integer": "a whole number (int)",
    }[param.type]
    raise QueryError(
        f"{query.name}: parameter {param.name} = {value!r} ({kind}) is not a value it takes; "
        f"pass {takes} ({param.help})"
    )


def bind_params(graph: Any, query: NamedQuery, values: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the ``--param`` values of *query* into bindings.

    Values may be the command line's strings or any simple Python value (:func:`param_text`).

    Raises
    ------
    QueryError
        For a missing, unexpected or malformed parameter (naming it and the fix).
    UnknownEntityError
        For an actor name that is not in the graph (with suggestions).
    """
    declared = {p.name: p for p in query.params}
    extra = set(values) - set(declared)
    if extra:
        raise QueryError(
            f"{query.name} has no parameter {', '.join(sorted(extra))}; "
            f"its parameters: {', '.join(declared) or 'none'}"
        )
    out: dict[str, Any] = {}
    index: dict[str, Named] | None = None
    for p in query.params:
        raw = "" if values.get(p.name) is None else param_text(query, p, values[p.name])
        if raw == "":
            raise QueryError(
                f"{query.name} needs --param {p.name}=… ({p.help}); e.g. {query.examples[0] if query.examples else ''}"
                f" (in Python: run_named(graph, {query.name!r}, {p.name}=…))"
            )
        if p.type == "territory":
            out[p.name] = IRI(territory_iri(graph, raw))
        elif p.type in ("actor", "node"):
            if re.match(r"^https?://", raw):
                out[p.name] = IRI(raw)
            else:
                index = index if index is not None else name_index(graph)
                out[p.name] = IRI(
                    resolve_name(index, raw, kinds=None if p.type == "node" else ("actor", "person"))
                )
        elif p.type == "date":
            try:
                out[p.name] = normalise_date(raw)
            except ValueError as exc:
                raise QueryError(f"--param {p.name}: {exc}") from None
        elif p.type == "iri":
            if not re.match(r"^https?://\S+$", raw):
                raise QueryError(
                    f'--param {p.name}="{raw}" is not an IRI; write it in full, starting with http'
                )
            out[p.name] = IRI(raw)
        elif p.type == "integer":
            if not re.fullmatch(r"-?\d+", raw):
                raise QueryError(f'--param {p.name}="{raw}" is not a whole number')
            out[p.name] = int(raw)
        else:
            out[p.name] = raw
    return out


#: A territory and every territory in it, at any depth (the ``dct:isPartOf`` hierarchy of
#: ``graph:geography``); no row when ``?top`` is not in the graph.
Q_SUBTERRITORIES = "SELECT ?t WHERE { ?t dct:isPartOf* ?top . ?top rdfs:label ?l }"


def subterritories(graph: Any, ref: TerritoryRef) -> set[str]:
    """IRIs of the territory *ref* and of every territory in it, read from the store's geography.

    The same hierarchy as :meth:`kg.ingest.geo.Geography.within`, for callers that hold a
    graph (local or remote) rather than the loaded geography.

    Parameters
    ----------
    graph : kg.store.graph.Graph or kg.store.remote.RemoteGraph
        Anything with ``query(sparql, **bindings)``.
    ref : TerritoryRef
        From :func:`kg.model.territories.parse_territory`.

    Returns
    -------
    set of str
        Empty when the territory is not in the graph.
    """
    return {r["t"] for r in graph.query(Q_SUBTERRITORIES, top=IRI(ref.iri))}


def checked_ref(territory: str) -> TerritoryRef:
    """:func:`kg.model.territories.parse_territory`, with a message in French first that names the
    value and the fix (and says when the level does not exist: ``pays:FR``).

    Raises
    ------
    TerritoryError
        For a malformed reference.
    """
    raw = territory.strip() if isinstance(territory, str) else str(territory)
    try:
        return parse_territory(raw)
    except TerritoryError as exc:
        level = raw.split(":", 1)[0] if ":" in raw else None
        why = (
            f"le niveau « {level} » n'existe pas (niveaux : {', '.join(LEVELS)})"
            if level is not None and level not in LEVELS
            else "écrivez niveau:code"
        )
        raise TerritoryError(
            f"« {raw} » n'est pas une référence de territoire : {why} ; "
            f"p. ex. {FORMS.replace(' or ', ' ou ')} ({str(exc).split(';')[0]})"
        ) from None


def territory_iri(graph: Any, territory: str) -> str:
    """The IRI of *territory* (``level:code``), checked: well formed and in the graph's geography.

    Parameters
    ----------
    graph : kg.store.graph.Graph or kg.store.remote.RemoteGraph
        Anything with ``query(sparql, **bindings)``.
    territory : str
        ``commune:94018``, ``intercommunalite:200057941``, ``departement:94`` or ``region:11``.

    Raises
    ------
    TerritoryError
        (exit 4) In French first, naming the value and the fix: for a malformed reference, a level
        that does not exist (``pays:FR``), or a territory that is not in the official geography
        (``commune:00000``).
    """
    ref = checked_ref(territory)
    if not graph.query(_Q_KNOWN, t=IRI(ref.iri)):
        none, what = _NONE[ref.level]
        raise TerritoryError(
            f"« {ref} » n'est pas dans la géographie officielle (data/geo/) : {none} {ref.code} ; "
            f"vérifiez {what}, p. ex. {FORMS.replace(' or ', ' ou ')} "
            f'("{ref}" is not in the official geography)'
        )
    return ref.iri


_NONE = {
    "commune": ("aucune commune n'a le code INSEE", "le code INSEE de la commune (5 caractères)"),
    "intercommunalite": (
        "aucune intercommunalité n'a le SIREN",
        "le SIREN de l'intercommunalité (9 chiffres)",
    ),
    "departement": ("aucun département n'a le code", "le code du département (94, 2A, 971…)"),
    "region": ("aucune région n'a le code INSEE", "le code INSEE de la région (11, 84…)"),
}

#: the territory ``?t`` is in the graph's geography (it has a label in some graph)
_Q_KNOWN = "ASK { ?t rdfs:label ?l }"


def run_named(
    graph: Any, name: str, values: dict[str, Any] | None = None, *, raw: bool = False, **params: Any
) -> Any:
    """Run the named question *name* (what ``kg query NAME -p k=v`` does).

    Parameters
    ----------
    graph : kg.store.graph.Graph or kg.store.remote.RemoteGraph
        The opened graph.
    name : str
        A named question (:func:`list_queries`; ``kg query --list``).
    values : dict, optional
        Its parameters as a dict, e.g. ``{"territory": "departement:94", "from": 2020}``.
    raw : bool
        Values of the answer as pyoxigraph terms.
    **params
        Its parameters as keyword arguments, of any simple type (:func:`param_text`): ``int`` years,
        ``datetime.date``, ``str`` names, ``kg.IRI``. A trailing underscore is dropped, for the
        names Python reserves: ``from_=2020``.

    A national question (``ecosystem-as-of``, ``actors-of-territory``, ``funders-of-territory``) is
    answered from the relation tables of :mod:`kg.store.columnar` when ``kg build`` wrote them from this
    very store (same build id; same rows, in DuckDB); else, and always on an endpoint, by its SPARQL file.

    Names are matched, not compared as terms: an ``actor`` is looked up among every label,
    case- and accent-insensitively (``"le rameau"`` finds ``"Le RAMEAU"@fr``).

    Returns
    -------
    kg.store.graph.Result
        ``.value`` the rows, ``.frame()`` a pandas DataFrame.

    Raises
    ------
    QueryError
        For a missing, unexpected or malformed parameter, naming it and the fix.
    UnknownEntityError
        For an unknown question or actor (with the closest names).

    Examples
    --------
    >>> import kg
    >>> graph = kg.open()                                                                 # doctest: +SKIP
    >>> kg.query(graph, "funders-of-territory", territory="departement:94", from_=2020).frame()  # doctest: +SKIP
    """
    q = get_query(name)
    merged: dict[str, Any] = dict(values or {})
    for key, value in params.items():
        merged[key[:-1] if key.endswith("_") and key[:-1] else key] = value
    bindings = bind_params(graph, q, merged)
    from kg.store.columnar import FAST_QUESTIONS, answer, fresh_tables

    # the accelerator (kg.store.columnar) when relation tables written from this very store are in it;
    # the .rq file stays the definition, and tests/test_columnar.py checks they answer alike
    tables = fresh_tables(getattr(graph, "path", None)) if name in FAST_QUESTIONS else None
    if tables is not None:
        return answer(tables, name, bindings, raw=raw)
    return graph.run(q.sparql, raw=raw, **bindings)


def run_sparql(graph: Any, text: str, *, allow_service: bool = False, raw: bool = False) -> Any:
    """Check, then run any SPARQL query *text* on *graph* (what ``kg sparql`` does).

    The query is inspected by :func:`kg.store.guard.check_query` first: updates, ``LOAD`` and
    ``FROM`` of a graph that is not in *graph* are refused, and so is ``SERVICE`` unless
    *allow_service*. Returns a :class:`kg.store.graph.Result` (values as raw terms when *raw*).

    Raises
    ------
    QueryError
        For a malformed (line and column given) or refused query.
    """
    from kg.model.vocab import PREFIXES
    from kg.store.guard import check_query

    check_query(text, graphs=graph.named_graphs(), prefixes=PREFIXES, allow_service=allow_service)
    return graph.run(text, raw=raw)
