"""A fast screen before pySHACL: which focus nodes may not conform to the shapes (:func:`screen`).

pySHACL walks rdflib graphs in pure Python: ~10 ms per record and more than linear with size (131 s at
10,000 synthetic actors, 957 s at 30,000). The screen evaluates the same shapes on plain dictionaries
built from the pyoxigraph quads, in one linear pass, and only says *which focus nodes may not conform*.
It errs on the safe side: whatever it cannot decide exactly (an unknown datatype, a value it cannot
compare) counts as "may not conform". :func:`kg.rdf.shacl.check_shapes` then has pySHACL validate only
those nodes, so what a user reads is pySHACL's report, unchanged; a graph that conforms is never handed
to rdflib at all. Shapes using a SHACL feature the screen does not know (SPARQL constraints, sequence
paths, …) make :func:`screen` return None, and everything is validated with pySHACL as before.

What it reads of a SPARQL target (SHACL-AF): the triples whose predicate the query names, or every
triple when a pattern may have a variable predicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["screen"]

_SH = "http://www.w3.org/ns/shacl#"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE, _FIRST, _REST, _NIL = (_RDF_NS + n for n in ("type", "first", "rest", "nil"))
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_IMPLICIT_TARGET = {"http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class"}

#: shape predicates that carry no constraint (or are read together with another one)
_NOT_CONSTRAINTS = {
    _SH + n
    for n in [
        "message",
        "name",
        "description",
        "order",
        "group",
        "targetClass",
        "targetNode",
        "target",
        "targetSubjectsOf",
        "targetObjectsOf",
        "property",
        "path",
        "deactivated",
        "severity",
        "declare",
        "prefixes",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "flags",
        "defaultValue",
    ]
}

_LEXICAL = {
    "integer": r"[+-]?[0-9]+",
    "int": r"[+-]?[0-9]+",
    "long": r"[+-]?[0-9]+",
    "nonNegativeInteger": r"\+?[0-9]+|-0+",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "double": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "float": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "boolean": r"true|false|1|0",
    "gYear": r"[0-9]{4}",
    "gYearMonth": r"[0-9]{4}-(0[1-9]|1[0-2])",
    "duration": r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?",
    "dateTime": r"-?[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
    "anyURI": r"[^\s<>\"{}|\\^`]*",
}


_COMPILED: dict[str, Any] = {}  # _LEXICAL's patterns, compiled at first use


def _well_formed(lit, datatype: str) -> bool:
    """Whether *lit* (of *datatype*) is a valid lexical form; False when unsure (the screen's safe side)."""
    if datatype in (_XSD + "string", _RDF_NS + "langString"):
        return True
    if not datatype.startswith(_XSD):
        return False
    local, text = datatype[len(_XSD) :], lit.value
    if local == "date":
        from datetime import date

        try:
            return len(text) == 10 and date.fromisoformat(text) is not None
        except ValueError:
            return False
    pattern = _COMPILED.get(local)
    if pattern is None:
        if local not in _LEXICAL:
            return False
        import re

        pattern = _COMPILED[local] = re.compile(_LEXICAL[local])
    return pattern.fullmatch(text) is not None


def _number(lit):
    """The value of a numeric literal, or None (not a number, or not one the screen compares)."""
    from decimal import Decimal, InvalidOperation

    dt = getattr(getattr(lit, "datatype", None), "value", "")
    if dt[len(_XSD) :] not in ("integer", "int", "long", "decimal", "double", "float", "nonNegativeInteger"):
        return None
    if not _well_formed(lit, dt):
        return None
    try:
        return Decimal(lit.value)
    except InvalidOperation:
        return None


class _Unsupported(Exception):
    """The shapes use a SHACL feature the screen does not evaluate: validate with pySHACL."""


class _Shape:
    __slots__ = ("checks", "node", "path", "properties", "tests")

    def __init__(self, node) -> None:
        self.node = node
        self.path: tuple[Any, bool] | None = None
        self.checks: list[tuple[str, Any]] = []
        #: each check compiled once into a function of a node's values (:meth:`_Screen._test`)
        self.tests: list[Callable[[Any], bool]] = []
        self.properties: list[_Shape] = []


class _Screen:
    """The shapes of one file, compiled, and the data they read, indexed by subject (and object)."""

    def __init__(self, shape_triples: list) -> None:
        from pyoxigraph import NamedNode

        # the data index is keyed by pyoxigraph terms (no string made per quad)
        self.rdf_type, self.subclass = NamedNode(_TYPE), NamedNode(_SUBCLASS)
        self.sg: dict = {}
        for t in shape_triples:
            self.sg.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        self.compiled: dict = {}
        self.targeted: list[tuple[_Shape, dict[str, list]]] = []
        for node, props in self.sg.items():
            targets = {
                k: props[_SH + k]
                for k in ("targetClass", "targetNode", "target", "targetSubjectsOf", "targetObjectsOf")
                if _SH + k in props
            }
            kinds = {t.value for t in props.get(_TYPE, [])}
            if kinds & _IMPLICIT_TARGET and kinds & {_SH + "NodeShape", _SH + "PropertyShape"}:
                raise _Unsupported(f"implicit class target of {node}")
            if targets and not self._deactivated(node):
                self.targeted.append((self._compile(node), targets))
        self.predicates = {self.rdf_type, self.subclass}
        self.inverse: set = set()
        for shape in self.compiled.values():
            if shape.path is not None:
                (self.inverse if shape.path[1] else self.predicates).add(shape.path[0])
        for _shape, targets in self.targeted:
            for p in targets.get("targetSubjectsOf", []) + targets.get("targetObjectsOf", []):
                self.predicates.add(p)
                self.inverse.add(p)

    # compiling the shapes graph

    def _one(self, node, pred: str):
        values = self.sg.get(node, {}).get(pred, [])
        return values[0] if values else None

    def _list(self, node) -> list:
        out = []
        while node is not None and getattr(node, "value", None) != _NIL:
            first = self._one(node, _FIRST)
            if first is None:
                raise _Unsupported(f"malformed RDF list at {node}")
            out.append(first)
            node = self._one(node, _REST)
        return out

    def _deactivated(self, node) -> bool:
        flag = self._one(node, _SH + "deactivated")
        return flag is not None and flag.value == "true"

    def _compile(self, node) -> _Shape:
        if node in self.compiled:
            return self.compiled[node]
        shape = self.compiled[node] = _Shape(node)
        props = self.sg.get(node, {})
        severity = self._one(node, _SH + "severity")
        if severity is not None and severity.value != _SH + "Violation":
            raise _Unsupported(f"severity {severity.value} on {node}")
        path = self._one(node, _SH + "path")
        if path is not None:
            if type(path).__name__ == "NamedNode":
                shape.path = (path, False)
            else:
                inverse = self._one(path, _SH + "inversePath")
                if inverse is None or type(inverse).__name__ != "NamedNode" or len(self.sg[path]) != 1:
                    raise _Unsupported(f"path {path} of {node}")
                shape.path = (inverse, True)
        for pred, objects in props.items():
            if not pred.startswith(_SH) or pred in _NOT_CONSTRAINTS:
                continue
            name = pred[len(_SH) :]
            for obj in objects:
                shape.checks.append(self._check(node, name, obj))
        shape.tests = [self._test(name, arg) for name, arg in shape.checks]
        shape.properties = [
            self._compile(p) for p in props.get(_SH + "property", []) if not self._deactivated(p)
        ]
        return shape

    def _check(self, node, name: str, obj) -> tuple[str, Any]:
        import re

        if name in ("class", "datatype", "nodeKind", "hasValue"):
            return name, obj.value if name != "hasValue" else obj
        if name in ("minCount", "maxCount"):
            return name, int(obj.value)
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            bound = _number(obj)
            if bound is None:
                raise _Unsupported(f"sh:{name} {obj} on {node}")
            return name, bound
        if name == "pattern":
            flags = self._one(node, _SH + "flags")
            if flags is not None and flags.value.strip("ismx"):
                raise _Unsupported(f"sh:flags {flags.value} on {node}")
            f = sum(getattr(re, c.upper()) for c in (flags.value if flags is not None else ""))
            return name, re.compile(obj.value, f)
        if name == "languageIn":
            return name, [t.value.lower() for t in self._list(obj)]
        if name == "in":
            return name, set(self._list(obj))
        if name in ("node", "not"):
            return name, self._compile(obj)
        if name in ("or", "and", "xone"):
            return name, [self._compile(s) for s in self._list(obj)]
        if name == "uniqueLang":
            return name, obj.value == "true"
        if name == "qualifiedValueShape":
            if self._one(node, _SH + "qualifiedValueShapesDisjoint") is not None:
                raise _Unsupported(f"sh:qualifiedValueShapesDisjoint on {node}")
            low, high = self._one(node, _SH + "qualifiedMinCount"), self._one(node, _SH + "qualifiedMaxCount")
            return name, (
                self._compile(obj),
                int(low.value) if low is not None else None,
                int(high.value) if high is not None else None,
            )
        raise _Unsupported(f"sh:{name} on {node}")

    # reading the data

    def index(self, quads: Iterable) -> None:
        """Index the triples the shapes read (their paths, rdf:type, rdfs:subClassOf), graph names dropped.

        *quads* is read once, as it comes (a list or any iterator), and only these triples are kept, in a
        compact form: each term once (pyoxigraph makes a new object at every ``q.subject``; the same
        concept, type or territory is the object of thousands of quads), and the values of a node's
        property in a tuple (a set past :data:`_SMALL` values): a set of one costs four times a tuple of one.
        """
        out: dict = {}
        inc: dict = {}
        terms: dict = {}  # each term once
        term = terms.setdefault
        wanted, inverse = self.predicates, self.inverse
        for p in wanted | inverse:
            term(p, p)
        both = wanted & inverse
        for q in quads:
            p = q.predicate
            if p in wanted:
                p, s, o = terms[p], q.subject, q.object
                s, o = term(s, s), term(o, o)
                props = out.get(s)
                if props is None:
                    out[s] = {p: (o,)}
                else:
                    _add(props, p, o)
                if p in both:
                    _add_in(inc, o, p, s)
            elif p in inverse:
                p, s, o = terms[p], q.subject, q.object
                _add_in(inc, term(o, o), p, term(s, s))
        self.out, self.inc = out, inc
        self.supers: dict = {}
        self.instances: dict | None = None
        self.memo: dict = {}  # (shape, value node) → conforms, for the shapes values are checked against

    def _superclasses(self, cls) -> set[str]:
        found = self.supers.get(cls)
        if found is None:
            found, todo = {cls.value}, [cls]
            self.supers[cls] = found  # set before the walk: a cycle ends here
            while todo:
                for sup in self.out.get(todo.pop(), {}).get(self.subclass, ()):
                    if sup.value not in found:
                        found.add(sup.value)
                        todo.append(sup)
        return found

    def _is_a(self, node, cls: str) -> bool:
        return any(cls in self._superclasses(t) for t in self.out.get(node, {}).get(self.rdf_type, ()))

    def _values(self, node, path: tuple[Any, bool]) -> tuple | set:
        return (self.inc if path[1] else self.out).get(node, {}).get(path[0], ())

    def conforms(self, shape: _Shape, node) -> bool:
        values = (node,) if shape.path is None else self._values(node, shape.path)
        for test in shape.tests:
            if not test(values):
                return False
        for v in values if shape.properties else ():
            for p in shape.properties:
                if not self.conforms(p, v):
                    return False
        return True

    def _conforms(self, shape: _Shape, node) -> bool:
        """:meth:`conforms` for a value checked against a nested shape (``sh:node``, ``sh:or``…), remembered:
        the same concept, territory or actor is the value of many nodes, and the index does not change."""
        key = (id(shape), node)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.conforms(shape, node)
        return found

    def _test(self, name: str, arg) -> Callable[[Any], bool]:
        """The check *name* with *arg* as a function of a node's values, chosen once (not at every value):
        the same answers as SHACL's constraint, on the safe side where the screen cannot decide."""
        conforms = self._conforms
        if name == "minCount":
            return lambda values: len(values) >= arg
        if name == "maxCount":
            return lambda values: len(values) <= arg
        if name == "hasValue":
            return lambda values: arg in values
        if name == "uniqueLang":

            def unique_lang(values) -> bool:
                langs = [v.language for v in values if getattr(v, "language", None)]
                return not arg or len(langs) == len(set(langs))

            return unique_lang
        if name == "qualifiedValueShape":
            shape, low, high = arg

            def qualified(values) -> bool:
                n = sum(1 for v in values if conforms(shape, v))
                return (low is None or n >= low) and (high is None or n <= high)

            return qualified
        ok: Callable[[Any], bool]
        if name == "class":
            is_a = self._is_a

            def ok(v) -> bool:
                return type(v).__name__ != "Literal" and is_a(v, arg)
        elif name == "datatype":

            def ok(v) -> bool:
                return type(v).__name__ == "Literal" and v.datatype.value == arg and _well_formed(v, arg)
        elif name == "nodeKind":
            kinds = _NODE_KINDS.get(arg, ())

            def ok(v) -> bool:
                return type(v).__name__ in kinds
        elif name == "pattern":
            search = arg.search

            def ok(v) -> bool:
                return type(v).__name__ != "BlankNode" and search(v.value) is not None
        elif name == "languageIn":

            def ok(v) -> bool:
                lang = (getattr(v, "language", None) or "").lower()
                return bool(lang) and any(lang == t or lang.startswith(t + "-") or t == "*" for t in arg)
        elif name == "in":

            def ok(v) -> bool:
                return v in arg
        elif name == "node":

            def ok(v) -> bool:
                return conforms(arg, v)
        elif name == "not":

            def ok(v) -> bool:
                return not conforms(arg, v)
        elif name == "or":

            def ok(v) -> bool:
                return any(conforms(s, v) for s in arg)
        elif name == "and":

            def ok(v) -> bool:
                return all(conforms(s, v) for s in arg)
        elif name == "xone":

            def ok(v) -> bool:
                return sum(1 for s in arg if conforms(s, v)) == 1
        else:  # min/max inclusive/exclusive
            compare = _COMPARE[name]

            def ok(v) -> bool:
                x = _number(v)
                return x is not None and compare(x, arg)

        def every(values) -> bool:  # a loop, not all(…): no generator made for one or two values
            for v in values:  # noqa: SIM110
                if not ok(v):
                    return False
            return True

        return every

    def _focus_nodes(self, targets: dict[str, list], sparql: Callable[[Any], list]) -> set:
        nodes: set = set(targets.get("targetNode", []))
        classes = {c.value for c in targets.get("targetClass", [])}
        if classes:
            if self.instances is None:  # rdf:type index, built once
                self.instances = {}
                for s, props in self.out.items():
                    for t in props.get(self.rdf_type, ()):
                        self.instances.setdefault(t, []).append(s)
            for t, members in self.instances.items():
                if self._is_a_any(t, classes):
                    nodes.update(members)
        for p in targets.get("targetSubjectsOf", []):
            nodes |= {s for s, props in self.out.items() if p in props}
        for p in targets.get("targetObjectsOf", []):
            nodes |= {o for o, props in self.inc.items() if p in props}
        for target in targets.get("target", []):
            nodes |= set(sparql(target))
        return nodes

    def _is_a_any(self, t, classes: set[str]) -> bool:
        return not classes.isdisjoint(self._superclasses(t))


#: a node's values of one property are kept in a tuple up to this many, then in a set
_SMALL = 8


def _add(props: dict, p, o) -> None:
    """Add the value *o* of *p* to a node's *props* (values distinct, as in a set)."""
    values = props.get(p)
    if values is None:
        props[p] = (o,)
    elif type(values) is tuple:
        if o not in values:
            props[p] = (*values, o) if len(values) < _SMALL else {*values, o}
    else:
        values.add(o)


def _add_in(inc: dict, o, p, s) -> None:
    """Record that *s* points at *o* through *p* (the index of inverse paths)."""
    props = inc.get(o)
    if props is None:
        inc[o] = {p: (s,)}
    else:
        _add(props, p, s)


_NODE_KINDS = {
    _SH + "IRI": ("NamedNode",),
    _SH + "Literal": ("Literal",),
    _SH + "BlankNode": ("BlankNode",),
    _SH + "BlankNodeOrIRI": ("BlankNode", "NamedNode"),
    _SH + "BlankNodeOrLiteral": ("BlankNode", "Literal"),
    _SH + "IRIOrLiteral": ("NamedNode", "Literal"),
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "minInclusive": lambda x, b: x >= b,
    "maxInclusive": lambda x, b: x <= b,
    "minExclusive": lambda x, b: x > b,
    "maxExclusive": lambda x, b: x < b,
}


def screen(quads: Iterable, shapes_file: Path, focus: Iterable[str] | None = None) -> set[str] | None:
    """The focus nodes (IRIs or blank-node ids) that may not conform to the shapes of *shapes_file*.

    Every node a violation would name is in the answer (nodes that do conform may be too, when the
    screen cannot decide); an empty set means the data conforms. None when the shapes use a SHACL
    feature the screen does not evaluate.

    Parameters
    ----------
    quads : iterable of pyoxigraph.Quad or Triple
        The data, as :func:`check_shapes` gives it to pySHACL (graph names are ignored), read once: a
        list or any iterator (a list is made only when a SPARQL target may read every triple).
    shapes_file : Path
        SHACL shapes in Turtle.
    focus : iterable of str, optional
        Screen only these nodes (IRIs); every targeted node by default.
    """
    from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

    shape_triples = list(parse(path=str(shapes_file), format=RdfFormat.TURTLE))
    try:
        sc = _Screen(shape_triples)
    except _Unsupported:
        return None
    # what the SPARQL targets read, indexed with the rest: the data is then read once, as it comes
    reads: list[set | None] = []
    for _shape, targets in sc.targeted:
        for target in targets.get("target", []):
            kind, select = sc._one(target, _TYPE), sc._one(target, _SH + "select")
            if kind is None or kind.value != _SH + "SPARQLTarget" or select is None:
                return None
            named = _named_iris(_sparql_prefixes(sc, sc._one(target, _SH + "prefixes")) + select.value)
            reads.append(None if named is None else {NamedNode(i) for i in named})
    every = any(r is None for r in reads)  # a query with a variable predicate: it needs every triple
    if every and not isinstance(quads, list):
        quads = list(quads)
    for r in reads:
        sc.predicates |= r or set()
    sc.index(quads)
    stores: dict = {}

    def sparql(target) -> list:
        select = sc._one(target, _SH + "select")
        heads = _sparql_prefixes(sc, sc._one(target, _SH + "prefixes"))
        if target not in stores:  # the triples whose predicate the query names, in a store of their own
            named = _named_iris(heads + select.value)
            store = stores[target] = Store()
            if named is None:
                store.bulk_extend(_as_quad(q, Quad) for q in quads)
            else:  # rdf:type only when the query reads it (every typed node: ~600 MB at 100,000 actors)
                keep = {NamedNode(i) for i in named}
                store.bulk_extend(
                    Quad(s, p, o) for p in keep for s, props in sc.out.items() for o in props.get(p, ())
                )
        query = heads + select.value
        return [row["this"] for row in stores[target].query(query, use_default_graph_as_union=True)]

    wanted = None if focus is None else set(focus)
    flagged: set = set()
    try:
        for shape, targets in sc.targeted:
            for node in sc._focus_nodes(targets, sparql):
                if wanted is not None and node.value not in wanted:
                    continue
                if not sc.conforms(shape, node):
                    flagged.add(node)
    except _Unsupported:
        return None
    finally:
        # the compiled shapes' tests hold the screen (its bound methods): a cycle, which would leave its index
        # (~10^6 tuples and dicts at 50,000 rows) to the cyclic collector, 1.3 s later; freed here at once
        sc.__dict__.clear()
    if any(type(n).__name__ != "NamedNode" for n in flagged):  # pySHACL's focus list takes IRIs only
        return None
    return {n.value for n in flagged}


def _sparql_prefixes(sc: _Screen, ontology) -> str:
    heads = []
    for decl in sc.sg.get(ontology, {}).get(_SH + "declare", []) if ontology is not None else []:
        prefix, ns = sc._one(decl, _SH + "prefix"), sc._one(decl, _SH + "namespace")
        if prefix is not None and ns is not None:
            heads.append(f"PREFIX {prefix.value}: <{ns.value}>\n")
    return "".join(heads)


def _named_iris(query: str) -> set[str] | None:
    """The IRIs a SPARQL query names (written <…> or prefix:local with its PREFIX lines).

    None when a triple pattern may have a variable predicate (``?s ?p ?o``): the query needs every triple.
    """
    import re

    if re.search(r"[?$]\w+\s+[?$]\w+", query):
        return None

    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]*)>", query, flags=re.I))
    body = re.sub(r"PREFIX\s+[\w-]*:\s*<[^>]*>", "", query, flags=re.I)
    iris_ = set(re.findall(r"<([^>\s]+)>", body))
    iris_ |= {
        prefixes[p] + local for p, local in re.findall(r"\b([A-Za-z][\w-]*):([\w-]+)", body) if p in prefixes
    }
    # the keyword ``a`` (rdf:type) as a word of its own, outside an IRI or a variable (one inside a string
    # literal counts too: the safe side)
    if re.search(r"(?<![\w?$:.-])a(?![\w:-])", re.sub(r"<[^>\s]*>", "", body)):
        iris_.add(_TYPE)
    return iris_


def _as_quad(q, Quad):  # Quad: pyoxigraph's class, imported once by the caller
    """*q* itself when it is a quad (the store reads the union of its graphs), else the triple as a quad."""
    return q if hasattr(q, "graph_name") else Quad(q.subject, q.predicate, q.object)
