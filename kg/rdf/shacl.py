"""SHACL validation of the graph against ``ontology/shapes.ttl`` (pySHACL).

pySHACL validates each named graph of a dataset on its own, so the build hands it
one *union* graph: the curated records, the ontology and SKOS schemes, and the
territories the records point at. Every validation result becomes a
:class:`~kg.errors.Problem` located at the curated record it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from kg.errors import Problem
from kg.model.vocab import shorten

__all__ = ["shape_problems", "to_rdflib"]

_SH = "http://www.w3.org/ns/shacl#"


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
    locate: Callable[[str], tuple[str, int | None]] | None = None,
) -> list[Problem]:
    """Validate *data_graph* with the shapes of *shapes_file*; one Problem per violation.

    Parameters
    ----------
    data_graph : rdflib.Graph
        The union graph to validate (it must contain the types the shapes target).
    shapes_file : Path
        SHACL shapes in Turtle.
    locate : callable, optional
        ``locate(focus_iri) -> (file, line)`` for the messages; defaults to the IRI itself.
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
    )
    if conforms:
        return []
    problems: list[Problem] = []

    def sh(name: str) -> URIRef:
        return URIRef(_SH + name)

    for result in results.subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sh("ValidationResult")
    ):
        if results.value(result, sh("resultSeverity")) != sh("Violation"):
            continue
        focus = str(results.value(result, sh("focusNode")))
        path = results.value(result, sh("resultPath"))
        value = results.value(result, sh("value"))
        messages = list(results.objects(result, sh("resultMessage")))
        msg = next((str(m) for m in messages if isinstance(m, Literal) and m.language == "en"), None)
        msg = msg or (str(messages[0]) if messages else "does not conform to its shape")
        field = shorten(str(path)) if isinstance(path, URIRef) else None
        where, line = locate(focus) if locate else (focus, None)
        if line is None and locate and value is not None:  # e.g. a concept shape naming the actor as value
            where, line = locate(str(value))
        text = f"<{focus}>: {msg}"
        if value is not None:
            text += f' (value "{value}")'
        shape = results.value(result, sh("sourceShape"))
        problems.append(
            Problem(where, line, field, text, f"see the shape {shorten(str(shape))} in {shapes_file}")
        )
    problems.sort(key=lambda p: (p.file, p.line or 0, p.field or ""))
    return problems
