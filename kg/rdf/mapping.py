"""The one mapping from records to RDF quads (see ``docs/design.md``).

:func:`kg.rdf.records.record_triples` gives the triples of one record (plain data: tuples of
pyoxigraph terms). :func:`records_statements` is the one way records become quads: each
record's triples, its provenance (``prov:wasDerivedFrom`` and a qualified derivation
quoting the source) and the materialised shortcuts, in a given named graph.
:func:`curated_quads` calls it for the curated data (one graph per source document,
shortcuts in ``graph:derived``), :mod:`kg.store.imports` and :mod:`kg.store.build` for
each spreadsheet import (one graph per import); :func:`graph_description` states a
graph in ``graph:meta``. Every IRI is minted by :mod:`kg.model.iris`.

The quads are first :class:`Stated` tuples (four shared pyoxigraph terms); :func:`records_quads` and
:func:`import_quads` turn them into ``pyoxigraph.Quad``. ``kg import`` keeps the tuples
(:func:`import_statements`) for its checks: reading a part of a tuple costs nothing, where each
attribute read of a ``Quad`` makes a new Python term (1.27 M quads read several times at 50,000 rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg.ingest.curated import Curated
from kg.ingest.imports import Imported, copy_name, import_doc_id
from kg.model import iris
from kg.model.records import Funding, Membership, Participation, Support
from kg.model.vocab import ORG, PROV, SCHEMA, TKG, XSD
from kg.rdf.records import LABEL, A, N, Terms, Triple, fr, node_of, record_triples

_ORG, _PROV, _SCHEMA, _TKG, _XSD = Terms(ORG), Terms(PROV), Terms(SCHEMA), Terms(TKG), Terms(XSD)

__all__ = [
    "Stated",
    "curated_quads",
    "curation_quads",
    "derived_triples",
    "graph_description",
    "import_quads",
    "import_statements",
    "materialisation_quads",
    "provenance_triples",
    "records_quads",
    "records_statements",
]


class Stated(NamedTuple):
    """A quad as the mapping states it: its four terms in a tuple (``Quad(*stated)`` is the pyoxigraph quad).

    It reads as a ``Quad`` does (``.subject``, ``.predicate``, ``.object``, ``.graph_name``), without making
    a new Python term at each read.
    """

    subject: NamedNode | BlankNode
    predicate: NamedNode
    object: NamedNode | Literal | BlankNode
    graph_name: NamedNode


def provenance_triples(node: NamedNode, sources: list) -> list[Triple]:
    """``prov:wasDerivedFrom`` each source document, and a qualified derivation quoting it."""
    out: list[Triple] = []
    for i, src in enumerate(sources, 1):
        doc = N(iris.document(src.doc))
        d = N(iris.derivation(node.value, i))
        out += [
            (node, _PROV.wasDerivedFrom, doc),
            (node, _PROV.qualifiedDerivation, d),
            (d, A, _PROV.Derivation),
            (d, _PROV.entity, doc),
            (d, _TKG.quote, fr(src.quote)),
        ]
    return out


def derived_triples(
    records: Curated | Iterable[tuple[str, BaseModel]], kinds: Mapping[str, str] | None = None
) -> list[Triple]:
    """The binary shortcuts materialised from the qualified records (see design.md).

    *records* is a :class:`~kg.ingest.curated.Curated` or ``(kind, record)`` pairs; *kinds*
    maps every id they cite to its kind (default: the curated index).
    """
    if isinstance(records, Curated):
        kinds = kinds if kinds is not None else {rid: k for rid, (k, _) in records.index.items()}
        records = records.all()
    if kinds is None:
        raise TypeError("derived_triples needs kinds when given records rather than a Curated")
    out: list[Triple] = []
    add = out.append
    by_programme: dict[str, set[str]] = {}
    for _kind, rec in records:
        if isinstance(rec, (Participation, Membership)):
            if isinstance(rec, Participation):
                m, o = node_of("actor", rec.actor), node_of("programme", rec.programme)
                by_programme.setdefault(rec.programme, set()).add(rec.actor)
            else:
                m, o = node_of(kinds[rec.member], rec.member), node_of("actor", rec.organisation)
            add((m, _ORG.memberOf, o))
            add((o, _ORG.hasMember, m))
        elif isinstance(rec, Funding) and rec.funder:
            funder = node_of("actor", rec.funder)
            ends = ([rec.recipient] if rec.recipient else []) + rec.funded_items
            for target in dict.fromkeys(node_of(kinds[x], x) for x in ends):
                add((funder, _TKG.funds, target))
                add((target, _SCHEMA.funder, funder))
        elif isinstance(rec, Support):
            add((node_of("actor", rec.provider), _TKG.supports, node_of("actor", rec.beneficiary)))
    for members in by_programme.values():
        ordered = sorted(members)
        for a in ordered:
            for b in ordered:
                if a != b:
                    add((node_of("actor", a), _TKG.partnerOf, node_of("actor", b)))
    # two actors sharing several programmes (or a funder reaching one recipient twice) would repeat a
    # shortcut: keep each once, in a stable order
    return list(dict.fromkeys(out))


#: tkg:sourceFile, replaced for the documents of an import (see :func:`records_quads`)
_SOURCE_FILE = _TKG.sourceFile


def records_statements(
    records: Iterable[tuple[str, BaseModel]],
    graph: str | Callable[[str, BaseModel], str],
    kinds: Mapping[str, str],
    *,
    derived_graph: str | None = None,
    base: Iterable[tuple[str, BaseModel]] = (),
    source_file: str | None = None,
) -> list[Stated]:
    """The quads stating *records* in a named graph, as :class:`Stated` tuples: each record, its provenance
    and the shortcuts (:func:`records_quads` gives them as pyoxigraph quads).

    Parameters
    ----------
    records : iterable of (kind, record)
        The records (documents included) to state.
    graph : str or callable
        IRI of the named graph (minted by :mod:`kg.model.iris`), or ``graph(kind, record)``
        giving it for each record (the curated data: one graph per source document).
    kinds : mapping
        Kind of every record id the records cite (to resolve references).
    derived_graph : str, optional
        Named graph of the materialised shortcuts (``partnerOf``, ``funds``…); default *graph*.
    base : iterable of (kind, record), optional
        Records stated elsewhere that *records* build on (the curated data, under an
        import): the shortcuts they imply alone are left out, those they imply together
        with *records* are kept.
    source_file : str, optional
        ``tkg:sourceFile`` of the documents (default ``<id>.txt``, the curated sources).

    Returns
    -------
    list of Stated
    """
    records = list(records)
    if callable(graph):
        graph_of = graph
    else:
        fixed = iris.check_graph(graph)

        def graph_of(kind: str, rec: Any) -> str:
            return fixed

    if derived_graph is None and callable(graph):
        raise TypeError("records_statements needs derived_graph when graph is a function")
    shortcuts_graph = N(iris.check_graph(derived_graph or graph))  # type: ignore[arg-type]
    out: list[tuple] = []
    file_literal = Literal(source_file) if source_file else None
    for kind, rec in records:
        g = N(graph_of(kind, rec))
        if kind == "document":
            for s, p, o in record_triples(rec, kinds):
                out.append((s, p, file_literal if file_literal is not None and p == _SOURCE_FILE else o, g))
            continue
        node = node_of(kind, rec.id)  # type: ignore[attr-defined]
        triples = record_triples(rec, kinds) + provenance_triples(node, rec.sources)  # type: ignore[attr-defined]
        out += [(*t, g) for t in triples]
    own = [(k, r) for k, r in records if k != "document"]
    base = [(k, r) for k, r in base if k != "document"]
    if base:
        already = set(derived_triples(base, kinds))
        shortcuts = [t for t in derived_triples(base + own, kinds) if t not in already]
    else:
        shortcuts = derived_triples(own, kinds)
    out += [(*t, shortcuts_graph) for t in shortcuts]
    return list(map(Stated._make, out))


def records_quads(
    records: Iterable[tuple[str, BaseModel]],
    graph: str | Callable[[str, BaseModel], str],
    kinds: Mapping[str, str],
    **options: Any,
) -> list[Quad]:
    """:func:`records_statements` as ``pyoxigraph.Quad`` (same arguments, same quads in the same order)."""
    return [Quad(*q) for q in records_statements(records, graph, kinds, **options)]


def graph_description(
    graph: str, derived_from: str, generated_at: str, *, attributed_to: str | None = None
) -> list[Quad]:
    """The quads of ``graph:meta`` describing a named graph: what it derives from, when it was made."""
    g, meta = N(iris.check_graph(graph)), N(iris.META_GRAPH)
    out = [
        Quad(g, A, _PROV.Entity, meta),
        Quad(g, _PROV.wasDerivedFrom, N(iris.document(derived_from)), meta),
    ]
    if attributed_to is not None:
        out.append(Quad(g, _PROV.wasAttributedTo, N(attributed_to), meta))
    out.append(Quad(g, _PROV.generatedAtTime, Literal(generated_at, datatype=_XSD.dateTime), meta))
    return out


def curated_quads(curated: Curated, *, generated_at: str | None = None) -> list[Quad]:
    """Every quad of the curated data: per-document graphs, ``graph:meta`` and ``graph:derived``."""
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    quads: list[Quad] = []
    docs = {d.id: d for d in curated.records.get("documents", [])}  # type: ignore[attr-defined]
    quads += curation_quads(docs, generated_at)

    def graph_of(kind: str, rec: BaseModel) -> str:
        # the documents are described in graph:meta; every other record in one graph, that of its first
        # source: pyoxigraph's union default graph is a multiset, so a triple stored in two graphs would
        # answer twice; the other sources are cited by derivations
        if kind == "document":
            return iris.META_GRAPH
        return iris.document_graph(rec.sources[0].doc)  # type: ignore[attr-defined]

    quads += records_quads(curated.all(), graph_of, kinds, derived_graph=iris.DERIVED_GRAPH)
    return quads + materialisation_quads()


def curation_quads(stems: Iterable[str], generated_at: str | None = None) -> list[Quad]:
    """The description of each source document's graph (generated now, or at *generated_at*, attributed to the
    curation), then the curation agent itself in ``graph:meta``: the first quads of the curated data."""
    meta = N(iris.META_GRAPH)
    now = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    curation = iris.entity("agent", "curation")
    quads: list[Quad] = []
    for stem in stems:
        quads += graph_description(iris.document_graph(stem), stem, now, attributed_to=curation)
    quads += [
        Quad(N(curation), A, _PROV.Agent, meta),
        Quad(N(curation), LABEL, fr("Curation des documents sources (Territorial KG)"), meta),
    ]
    return quads


def materialisation_quads() -> list[Quad]:
    """What ``graph:meta`` says of ``graph:derived``: an entity generated by the materialisation of the
    binary shortcuts (the last quads of the curated data)."""
    meta, derived = N(iris.META_GRAPH), N(iris.DERIVED_GRAPH)
    activity = N(iris.entity("agent", "materialisation"))
    return [
        Quad(derived, A, _PROV.Entity, meta),
        Quad(derived, _PROV.wasGeneratedBy, activity, meta),
        Quad(activity, A, _PROV.Activity, meta),
        Quad(
            activity,
            LABEL,
            fr("Matérialisation des liens binaires (partenaire de, finance, membre de, soutient)"),
            meta,
        ),
    ]


def import_statements(
    imp: Imported,
    kinds: Mapping[str, str],
    base: Iterable[tuple[str, BaseModel]],
    *,
    generated_at: str | None = None,
) -> tuple[list[Stated], list[Quad]]:
    """The quads of one spreadsheet import: its named graph (:class:`Stated` tuples), and its description
    in ``graph:meta``.

    Parameters
    ----------
    imp : Imported
        The import (:mod:`kg.ingest.imports`).
    kinds : mapping
        Kind of every record id (curated and imported) the import may cite.
    base : iterable of (kind, record)
        The curated records: the import's graph holds only the shortcuts it adds to them.
    generated_at : str, optional
        Default ``prov:generatedAtTime`` when the import does not say when it was made.

    Returns
    -------
    (list of Stated, list of pyoxigraph.Quad)
    """
    g = iris.import_graph(imp.slug)
    # the copy kept in data/imports/<slug>/: a document of the Sources sheet has no text of ours, its
    # source file is the spreadsheet that cites it
    copy = copy_name(imp.slug, str(imp.meta.get("file", ".xlsx")))
    quads = records_statements(imp.all(), g, kinds, base=base, source_file=copy)
    when = (
        imp.meta.get("imported_at")
        or generated_at
        or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )
    return quads, graph_description(g, import_doc_id(imp.slug), str(when))


def import_quads(
    imp: Imported,
    kinds: Mapping[str, str],
    base: Iterable[tuple[str, BaseModel]],
    *,
    generated_at: str | None = None,
) -> tuple[list[Quad], list[Quad]]:
    """:func:`import_statements` with the import's quads as ``pyoxigraph.Quad``: ``(quads, meta_quads)``."""
    quads, meta = import_statements(imp, kinds, base, generated_at=generated_at)
    return [Quad(*q) for q in quads], meta
