"""The curated quads of :func:`kg.rdf.mapping.curated_quads`, made record by record, each record let go once mapped.

At 100,000 actors the pydantic records (~2.3 GB) and the pyoxigraph quads (~3.9 GB) were both whole in memory
at the end of the mapping, and the records stayed until the build had sorted and digested the quads. Here the
shortcuts (``graph:derived``, which need every record) are made first; then each record is mapped straight to
``pyoxigraph.Quad`` (no list of :class:`~kg.rdf.mapping.Stated` tuples beside them) and its slot in the
:class:`~kg.ingest.curated.Curated` emptied, so the records shrink as the quads grow. The quads are the same, in
the same order, as :func:`~kg.rdf.mapping.curated_quads` gives (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pyoxigraph import Quad

from kg.ingest.curated import Curated
from kg.model import iris
from kg.model.records import RECORD_TYPES
from kg.rdf.mapping import curation_quads, derived_triples, materialisation_quads, provenance_triples
from kg.rdf.packed import PackedQuads
from kg.rdf.records import N, node_of, record_triples

__all__ = ["consume_curated_quads", "pack_curated_quads"]


def consume_curated_quads(
    curated: Curated,
    *,
    generated_at: str | None = None,
    on_record: Callable[[str, Any, Mapping[str, str]], None] | None = None,
) -> list[Quad]:
    """:func:`kg.rdf.mapping.curated_quads` of *curated*, emptying it as it goes.

    Afterwards ``curated.records`` holds lists of None (its counts stay right), ``curated.index``,
    ``curated.lines`` and ``curated.partials`` are empty; ``curated.located`` is kept (where each record came
    from, to locate a SHACL violation). What else reads the records (the imports' mapping) must run before.
    *on_record* is called with each record's kind, the record and every record's kind by id, before it is
    let go (``kg build`` hands :meth:`kg.network.record_projection.RecordProjection.add`).
    """
    quads: list[Quad] = []
    for chunk in _consumed(curated, generated_at, on_record=on_record):
        quads += chunk
    return quads


def pack_curated_quads(
    curated: Curated,
    *,
    generated_at: str | None = None,
    on_record: Callable[[str, Any, Mapping[str, str]], None] | None = None,
) -> PackedQuads:
    """:func:`consume_curated_quads`, each record's quads kept as N-Quads text as soon as mapped
    (:class:`~kg.rdf.packed.PackedQuads`): the records' ``Quad`` objects are never all in memory."""
    packed = PackedQuads()
    for chunk in _consumed(curated, generated_at, hold=PackedQuads, on_record=on_record):
        packed.add(chunk)
    return packed


def _consumed(
    curated: Curated,
    generated_at: str | None,
    hold: Callable = list,
    on_record: Callable[[str, Any, Mapping[str, str]], None] | None = None,
) -> Iterator[Any]:
    """The quads of :func:`consume_curated_quads`, in its order, a record at a time (a few lists of many);
    the shortcuts, made first and given last, are held meanwhile as ``hold(quads)`` (a PackedQuads: 1.4
    million quads at 100,000 actors, ~780 MB as ``Quad`` objects, for the whole mapping)."""
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    meta = N(iris.META_GRAPH)
    derived = N(iris.DERIVED_GRAPH)
    # the shortcuts read every record: made first, put last (where curated_quads puts them)
    shortcuts = hold([Quad(*t, derived) for t in derived_triples(curated.all(), kinds)])
    curated.index.clear()
    curated.lines.clear()
    curated.partials.clear()
    stems = dict.fromkeys(d.id for d in curated.records.get("documents", []))  # type: ignore[attr-defined]
    yield curation_quads(stems, generated_at)
    graphs: dict[str, object] = {}
    rec = None
    for name, items in curated.records.items():
        kind = RECORD_TYPES[name].kind  # type: ignore[attr-defined]
        for i, rec in enumerate(items):
            items[i] = None  # type: ignore[call-overload]  # let go once mapped
            if on_record is not None:
                on_record(kind, rec, kinds)
            if kind == "document":
                yield [Quad(s, p, o, meta) for s, p, o in record_triples(rec, kinds)]
                continue
            doc = rec.sources[0].doc  # type: ignore[attr-defined]
            g = graphs.get(doc)
            if g is None:
                g = graphs[doc] = N(iris.document_graph(doc))
            node = node_of(kind, rec.id)  # type: ignore[attr-defined]
            triples = record_triples(rec, kinds) + provenance_triples(node, rec.sources)  # type: ignore[attr-defined]
            rec = None
            yield [Quad(s, p, o, g) for s, p, o in triples]  # type: ignore[arg-type]
    rec = None
    yield shortcuts
    yield materialisation_quads()
