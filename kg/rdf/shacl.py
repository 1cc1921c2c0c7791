"""SHACL validation of the graph against ``ontology/shapes.ttl`` (pySHACL).

pySHACL validates each named graph of a dataset on its own, so :func:`check_shapes`
hands it one *union* graph: the records' quads (curated and imported), the ontology
and SKOS schemes, and the territories the records point at. Every validation result
becomes a :class:`~kg.errors.Problem` located at the record it comes from (a line of a
curated file, a row of a workbook). ``kg build`` and ``kg import`` both call
:func:`check_shapes`.

With the default scope, :func:`kg.rdf.shacl_screen.screen` first evaluates the shapes on the
pyoxigraph quads in one linear pass; pySHACL then validates only the focus nodes it could not
clear, on their :func:`neighbourhood`, and reports only them. A conforming graph never goes
through rdflib. ``--shacl full`` still hands everything to pySHACL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import Problem, ShapeViolation
from kg.model import iris
from kg.model.vocab import RDF, SH, shorten

__all__ = [
    "ONTOLOGY_FILES",
    "Locate",
    "check_shapes",
    "neighbourhood",
    "ontology_quads",
    "shape_problems",
    "territory_scope",
    "to_rdflib",
]

#: ``locate(focus_iri) -> (file, line)`` or ``(file, row, "row")``: where a focus node comes from
Locate = Callable[[str], tuple]

_SH = str(SH)


def to_rdflib(quads_or_triples: Iterable, extra_files: Iterable[Path] = ()):
    """An rdflib Graph holding the triples of *quads_or_triples* (graph names dropped) and *extra_files*."""
    from pyoxigraph import RdfFormat, Triple, serialize
    from rdflib import Graph

    triples = (
        Triple(q.subject, q.predicate, q.object) if hasattr(q, "graph_name") else q for q in quads_or_triples
    )
    data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    g = Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    for f in extra_files:
        g.parse(Path(f).resolve().as_uri(), format="turtle")
    return g


def shape_problems(
    data_graph,
    shapes_file: Path,
    locate: Locate | None = None,
    focus: Iterable[str] | None = None,
    *,
    only: Iterable[str] | None = None,
) -> list[Problem]:
    """Validate *data_graph* with the shapes of *shapes_file*; one Problem per violation.

    Parameters
    ----------
    data_graph : rdflib.Graph
        The union graph to validate (it must contain the types the shapes target).
    shapes_file : Path
        SHACL shapes in Turtle.
    locate : callable, optional
        ``locate(focus_iri) -> (file, line)`` for the messages, or ``(file, row, "row")``
        for a spreadsheet; defaults to the IRI itself.
    focus : iterable of str, optional
        Check only these nodes (IRIs) against the shapes that target them; every node by default.
        (pySHACL's own focus list: it also skips the nested shapes of values outside the list.)
    only : iterable of str, optional
        Keep only the results about these focus nodes (with their ``sh:detail``): every node is
        validated, but only these are reported (the others may lack context in *data_graph*).
    """
    import pyshacl
    from rdflib import Graph, Literal, URIRef

    shapes_file = Path(shapes_file)
    if not shapes_file.is_file():
        return [
            Problem(
                str(shapes_file),
                None,
                None,
                "the SHACL shapes file is missing",
                "restore ontology/shapes.ttl from the repository or pass --ontology",
            )
        ]
    shapes = Graph().parse(shapes_file.resolve().as_uri(), format="turtle")
    conforms, results, _text = pyshacl.validate(
        data_graph,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,  # the date-order shape uses a SHACL-AF SPARQL target
        inplace=True,  # the union graph is built for this call: no need for pySHACL's copy
        focus_nodes=None if focus is None else [URIRef(f) for f in sorted(focus)],
    )
    if conforms:
        return []
    problems: list[Problem] = []

    def sh(name: str) -> URIRef:
        return URIRef(_SH + name)

    kept = None if only is None else _about(results, {URIRef(f) for f in only})
    for result in results.subjects(URIRef(str(RDF.type)), sh("ValidationResult")):
        if kept is not None and result not in kept:
            continue
        if results.value(result, sh("resultSeverity")) != sh("Violation"):
            continue
        focus = str(results.value(result, sh("focusNode")))
        path = results.value(result, sh("resultPath"))
        value = results.value(result, sh("value"))
        messages = list(results.objects(result, sh("resultMessage")))
        msg = next((str(m) for m in messages if isinstance(m, Literal) and m.language == "en"), None)
        msg = msg or (str(messages[0]) if messages else "does not conform to its shape")
        field = shorten(str(path)) if isinstance(path, URIRef) else None
        where, line, unit = _located(locate, focus)
        if line is None and locate and value is not None:  # e.g. a concept shape naming the actor as value
            where, line, unit = _located(locate, str(value))
        text = f"<{focus}>: {msg}"
        if value is not None:
            text += f' (value "{value}")'
        shape = results.value(result, sh("sourceShape"))
        problems.append(
            Problem(where, line, field, text, f"see the shape {shorten(str(shape))} in {shapes_file}", unit)
        )
    problems.sort(key=lambda p: (p.file, p.line or 0, p.field or ""))
    return problems


def _about(report, nodes: set) -> set:
    """The results of *report* whose focus is one of *nodes*, and the results they detail (``sh:detail``)."""
    from rdflib import URIRef

    result, focus, detail = (URIRef(_SH + n) for n in ("result", "focusNode", "detail"))
    todo = [r for r in report.objects(None, result) if report.value(r, focus) in nodes]
    kept: set = set()
    while todo:
        r = todo.pop()
        if r not in kept:
            kept.add(r)
            todo.extend(report.objects(r, detail))
    return kept


def neighbourhood(data: Iterable, nodes: set[str], ontology: list, depth: int = 4) -> list:
    """What pySHACL reads to validate *nodes*: their triples and those of what they point at (to *depth*
    hops), the nodes pointing at them (inverse paths) and theirs, and the whole ontology."""
    by_subject: dict = {}
    for q in data:
        by_subject.setdefault(q.subject, []).append(q)
    seeds = {n for n in by_subject if n.value in nodes}
    seeds |= {q.subject for quads in by_subject.values() for q in quads if q.object in seeds}
    seen, frontier = set(seeds), set(seeds)
    for _ in range(depth):
        step = set()
        for s in frontier:
            for q in by_subject.get(s, ()):
                if type(q.object).__name__ != "Literal" and q.object not in seen:
                    seen.add(q.object)
                    step.add(q.object)
        frontier = step
    return [q for s in seen for q in by_subject.get(s, ())] + ontology


def _located(locate: Locate | None, iri: str) -> tuple[str, int | None, str]:
    if locate is None:
        return iri, None, "line"
    found = locate(iri)
    return (found[0], found[1], found[2] if len(found) > 2 else "line")


def territory_scope(
    records_quads: Iterable, geography_quads: Iterable, *, wanted: set[str] | None = None
) -> list:
    """Geography quads about the territories *records_quads* point at, and all départements and régions.

    *wanted*, when the caller already has them, are those territories' IRIs (then *records_quads* is not read).
    """
    prefix = iris.BASE + "id/territory/"
    if wanted is None and hasattr(records_quads, "objects"):  # kg.rdf.packed's text: none parsed
        wanted = records_quads.objects(prefix)
    elif wanted is None:
        wanted = {q.object.value for q in records_quads if getattr(q.object, "value", "").startswith(prefix)}
    keep_prefixes = (prefix + "departement/", prefix + "region/")
    out: list = []
    last, keep = None, False
    for q in geography_quads:  # a territory's quads follow each other: decided once per territory
        s = q.subject.value
        if s != last:
            last, keep = s, s in wanted or s.startswith(keep_prefixes)
        if keep:
            out.append(q)
    return out


def check_shapes(
    records_quads: list,
    ontology_quads: list,
    geography_quads: list,
    shapes_file: Path,
    locate: Locate | None = None,
    *,
    scope: str = "curated",
    focus: Iterable[str] | None = None,
    territories: set[str] | None = None,
) -> None:
    """Validate records' quads with the SHACL shapes; raise :class:`~kg.errors.ShapeViolation` listing every violation.

    Parameters
    ----------
    records_quads : list of pyoxigraph.Quad
        The quads of the records (curated data and imports).
    ontology_quads, geography_quads : list of pyoxigraph.Quad
        The ontology and SKOS schemes; the official geography.
    shapes_file : Path
        ``ontology/shapes.ttl``.
    locate : callable, optional
        Where a focus node comes from (see :func:`shape_problems`).
    scope : {"curated", "full", "off"}
        The records with the ontology and the territories they use (default: screened first by
        :func:`kg.rdf.shacl_screen.screen`, pySHACL only on the nodes it does not clear); everything
        (the whole geography too, all of it through pySHACL: slower); nothing.
    focus : iterable of str, optional
        Check only these nodes (what a build changed, :func:`kg.store.incremental.changed_focus`).
    territories : set of str, optional
        The territories' IRIs *records_quads* point at, when the caller found them already (``kg import``,
        in the pass that finds its focus): *records_quads* is then not read again for them.

    Raises
    ------
    ShapeViolation
        With every violation, located.
    """
    if scope == "off":
        return
    if scope == "full":
        data = records_quads + ontology_quads + geography_quads
        problems = shape_problems(to_rdflib(data), Path(shapes_file), locate, focus)
    else:
        from itertools import chain

        scope_quads = territory_scope(records_quads, geography_quads, wanted=territories)

        def union() -> Iterable:  # read as it comes, each time: no list of every quad made beside the parts
            return chain(records_quads, ontology_quads, scope_quads)

        flagged = None
        if Path(shapes_file).is_file():
            from kg.rdf.shacl_screen import screen

            flagged = screen(union(), Path(shapes_file), focus)
        if flagged is None:  # shapes the screen cannot read: pySHACL on everything
            problems = shape_problems(to_rdflib(union()), Path(shapes_file), locate, focus)
        elif not flagged:
            return  # the screen found every focus node conforming: no need for rdflib and pySHACL
        else:  # pySHACL on what the screen could not clear, with all it reads, reporting only those nodes
            near = neighbourhood(union(), flagged, ontology_quads)
            problems = shape_problems(to_rdflib(near), Path(shapes_file), locate, only=flagged)
    if problems:
        raise ShapeViolation(problems, f"{len(problems)} SHACL violation(s); nothing was written")


#: ontology files loaded into graph:ontology (shapes.ttl is used for validation only)
ONTOLOGY_FILES = ("tkg.ttl", "schemes.ttl", "pair-mapping.ttl")


def ontology_quads(ontology_dir: str | Path) -> list:
    """The ontology and SKOS schemes (:data:`ONTOLOGY_FILES` found in *ontology_dir*) in ``graph:ontology``."""
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    g = NamedNode(iris.ONTOLOGY_GRAPH)
    out: list = []
    for name in ONTOLOGY_FILES:
        path = Path(ontology_dir) / name
        if path.exists():
            out.extend(
                Quad(t.subject, t.predicate, t.object, g)
                for t in parse(path=str(path), format=RdfFormat.TURTLE)
            )
    return out
