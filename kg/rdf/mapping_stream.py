"""The curated quads of :func:`kg.rdf.mapping.curated_quads`, made record by record, each record let go once mapped.

At 100,000 actors the pydantic records (~2.3 GB) and the pyoxigraph quads (~3.9 GB) were both whole in memory
at the end of the mapping, and the records stayed until the build had sorted and digested the quads. Here the
shortcuts (``graph:derived``, which need every record) are made first; then each record is mapped straight to
``pyoxigraph.Quad`` (no list of :class:`~kg.rdf.mapping.Stated` tuples beside them) and its slot in the
:class:`~kg.ingest.curated.Curated` emptied, so the records shrink as the quads grow. The quads are the same, in
the same order, as :func:`~kg.rdf.mapping.curated_quads` gives (a test checks).
"""

from __future__ import annotations

import datetime as dt

from pyoxigraph import Quad

from kg.ingest.curated import Curated
from kg.model import iris
from kg.model.records import RECORD_TYPES
from kg.model.vocab import PROV, TKG
from kg.rdf.mapping import derived_triples, graph_description
from kg.rdf.records import LABEL, A, N, Terms, Triple, fr, node_of, record_triples

__all__ = ["consume_curated_quads"]

_PROV, _TKG = Terms(PROV), Terms(TKG)


def _provenance(node, sources: list) -> list[Triple]:
    """What ``kg.rdf.mapping._provenance`` states (private there; the same triples, which a test checks
    through :func:`consume_curated_quads` equal to ``curated_quads``)."""
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


def consume_curated_quads(curated: Curated, *, generated_at: str | None = None) -> list[Quad]:
    """:func:`kg.rdf.mapping.curated_quads` of *curated*, emptying it as it goes.

    Afterwards ``curated.records`` holds lists of None (its counts stay right), ``curated.index``,
    ``curated.lines`` and ``curated.partials`` are empty; ``curated.located`` is kept (where each record came
    from, to locate a SHACL violation). What else reads the records (the imports' mapping) must run before.
    """
    kinds = {rid: k for rid, (k, _) in curated.index.items()}
    meta = N(iris.META_GRAPH)
    derived = N(iris.DERIVED_GRAPH)
    # the shortcuts read every record: made first, put last (where curated_quads puts them)
    shortcuts = [Quad(*t, derived) for t in derived_triples(curated.all(), kinds)]
    curated.index.clear()
    curated.lines.clear()
    curated.partials.clear()
    now = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    curation = iris.entity("agent", "curation")
    quads: list[Quad] = []
    for stem in dict.fromkeys(d.id for d in curated.records.get("documents", [])):  # type: ignore[attr-defined]
        quads += graph_description(iris.document_graph(stem), stem, now, attributed_to=curation)
    quads += [
        Quad(N(curation), A, _PROV.Agent, meta),
        Quad(N(curation), LABEL, fr("Curation des documents sources (Territorial KG)"), meta),
    ]
    add = quads.append
    graphs: dict[str, object] = {}
    rec = None
    for name, items in curated.records.items():
        kind = RECORD_TYPES[name].kind  # type: ignore[attr-defined]
        for i, rec in enumerate(items):
            items[i] = None  # type: ignore[call-overload]  # let go once mapped
            if kind == "document":
                for s, p, o in record_triples(rec, kinds):
                    add(Quad(s, p, o, meta))
                continue
            doc = rec.sources[0].doc  # type: ignore[attr-defined]
            g = graphs.get(doc)
            if g is None:
                g = graphs[doc] = N(iris.document_graph(doc))
            node = node_of(kind, rec.id)  # type: ignore[attr-defined]
            for s, p, o in record_triples(rec, kinds) + _provenance(node, rec.sources):  # type: ignore[attr-defined]
                add(Quad(s, p, o, g))  # type: ignore[arg-type]
    rec = None
    quads += shortcuts
    activity = N(iris.entity("agent", "materialisation"))
    quads += [
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
    return quads
