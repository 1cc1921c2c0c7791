"""The ontology's documentation page: one HTML file generated from ``ontology/``.

:func:`ontology_page` reads ``tkg.ttl`` (classes and properties, own and reused, with
their French and English labels and definitions) and ``schemes.ttl`` (the SKOS concept
schemes) and returns a self-contained HTML page. Every value taken from the files is
escaped (:func:`html.escape`); no script, no external asset.

>>> page = ontology_page()
>>> "tkg:TerritorialCatalyst" in page and "Actor types" in page
True
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from kg.model.paths import ONTOLOGY_DIR
from kg.model.vocab import BASE, DCT, OWL, PREFIXES, RDF, RDFS, SKOS

__all__ = ["ONTOLOGY_DIR", "ontology_graph", "ontology_page"]


_PROPERTY_TYPES = {
    str(OWL.ObjectProperty): "object",
    str(OWL.DatatypeProperty): "datatype",
    str(OWL.AnnotationProperty): "annotation",
    str(RDF.Property): "property",
}


def _short(iri: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best) and "/" not in iri[len(ns) :]:
            best, name = ns, f"{prefix}:{iri[len(ns) :]}"
    return name if best else iri


def _load(paths: list[Path]) -> Any:
    from pyoxigraph import RdfFormat, Store

    store = Store()
    for p in paths:
        store.load(path=str(p), format=RdfFormat.TURTLE)
    return store


def _texts(store: Any, node: Any, prop: str) -> dict[str, str]:
    from pyoxigraph import NamedNode

    out: dict[str, str] = {}
    for q in store.quads_for_pattern(node, NamedNode(prop), None, None):
        lang = getattr(q.object, "language", None) or ""
        out.setdefault(lang, q.object.value)
    return out


def _objects(store: Any, node: Any, prop: str) -> list[Any]:
    from pyoxigraph import NamedNode

    return sorted({q.object for q in store.quads_for_pattern(node, NamedNode(prop), None, None)}, key=str)


def _subjects(store: Any, prop: str, obj: str) -> list[Any]:
    from pyoxigraph import NamedNode

    return sorted(
        {q.subject for q in store.quads_for_pattern(None, NamedNode(prop), NamedNode(obj), None)},
        key=lambda n: _short(n.value),
    )


def _link(node: Any) -> str:
    if type(node).__name__ != "NamedNode":
        return escape(getattr(node, "value", str(node)))
    short = _short(node.value)
    anchor = short.replace(":", "-").replace("/", "-")
    return f'<a href="#{escape(anchor)}"><code>{escape(short)}</code></a>'


def _term_block(store: Any, node: Any, extra: list[tuple[str, str]]) -> str:
    short = _short(node.value)
    labels = _texts(store, node, str(RDFS.label)) or _texts(store, node, str(SKOS.prefLabel))
    defs = _texts(store, node, str(SKOS.definition)) or _texts(store, node, str(RDFS.comment))
    rows = [
        ("fr", escape(labels.get("fr", ""))),
        ("en", escape(labels.get("en", ""))),
        ("définition", escape(defs.get("fr", ""))),
        ("definition", escape(defs.get("en", ""))),
        *extra,
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    anchor = escape(short.replace(":", "-").replace("/", "-"))
    # an own term's IRI is …/ontology#Name: its fragment is an anchor too, so the IRI lands on the term
    own = node.value[len(BASE + "ontology#") :] if node.value.startswith(BASE + "ontology#") else ""
    heading = f' id="{escape(own)}"' if own else ""
    return (
        f'<section class="term" id="{anchor}"><h3{heading}><code>{escape(short)}</code></h3>'
        f'<p class="iri">{escape(node.value)}</p><table>{body}</table></section>'
    )


def ontology_graph(ontology_dir: str | Path = ONTOLOGY_DIR, media: str = "text/turtle") -> bytes:
    """The ontology and its SKOS schemes (``tkg.ttl`` and ``schemes.ttl``) serialised as *media*
    (``text/turtle``, ``application/ld+json``, ``application/n-triples`` or ``application/rdf+xml``).

    >>> b"tkg:TerritorialCatalyst" in ontology_graph()
    True
    """
    from pyoxigraph import RdfFormat, serialize

    d = Path(ontology_dir)
    store = _load([d / "tkg.ttl", d / "schemes.ttl"])
    fmt = RdfFormat.from_media_type(media)
    if fmt is None:
        raise ValueError(f"no RDF format for {media!r}")
    triples = [q.triple for q in store]
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.JSON_LD, RdfFormat.RDF_XML) else None
    return serialize(triples, format=fmt, prefixes=prefixes) or b""


def ontology_page(ontology_dir: str | Path = ONTOLOGY_DIR) -> str:
    """The HTML documentation of the ontology and SKOS schemes found in *ontology_dir*."""
    from pyoxigraph import NamedNode

    d = Path(ontology_dir)
    store = _load([d / "tkg.ttl", d / "schemes.ttl"])
    onto = NamedNode(BASE + "ontology")
    title = _texts(store, onto, str(DCT["title"]))
    desc = _texts(store, onto, str(DCT.description))

    classes = _subjects(store, str(RDF.type), str(OWL.Class))
    props: list[tuple[Any, str]] = []
    seen = set()
    for t, kind in _PROPERTY_TYPES.items():
        for p in _subjects(store, str(RDF.type), t):
            if p not in seen:
                seen.add(p)
                props.append((p, kind))
    props.sort(key=lambda x: _short(x[0].value))

    def listing(nodes: list[Any], prop: str) -> str:
        return ", ".join(_link(n) for n in _objects(store, nodes, prop))

    parts = [
        f"<h1>{escape(title.get('fr', 'Ontologie'))}<br><small>{escape(title.get('en', ''))}</small></h1>",
        f'<p lang="fr">{escape(desc.get("fr", ""))}</p><p lang="en">{escape(desc.get("en", ""))}</p>',
        (
            '<nav><a href="#classes">Classes</a> · <a href="#properties">Propriétés / Properties</a> · '
            '<a href="#schemes">Schémas SKOS / SKOS schemes</a> · <a href="sparql">SPARQL</a></nav>'
        ),
        f'<h2 id="classes">Classes ({len(classes)})</h2>',
    ]
    own = [c for c in classes if c.value.startswith(PREFIXES["tkg"])]
    for c in own + [c for c in classes if c not in own]:
        extra = [("rdfs:subClassOf", listing(c, str(RDFS.subClassOf)))]
        parts.append(_term_block(store, c, extra))
    parts.append(f'<h2 id="properties">Propriétés / Properties ({len(props)})</h2>')
    own_p = [p for p in props if p[0].value.startswith(PREFIXES["tkg"])]
    for p, kind in own_p + [p for p in props if p not in own_p]:
        extra = [
            ("type", escape(kind)),
            ("rdfs:domain", listing(p, str(RDFS.domain))),
            ("rdfs:range", listing(p, str(RDFS.range))),
            ("rdfs:subPropertyOf", listing(p, str(RDFS.subPropertyOf))),
        ]
        parts.append(_term_block(store, p, extra))

    schemes = _subjects(store, str(RDF.type), str(SKOS.ConceptScheme))
    parts.append(f'<h2 id="schemes">Schémas SKOS / SKOS schemes ({len(schemes)})</h2>')
    for s in schemes:
        labels = _texts(store, s, str(SKOS.prefLabel))
        sdesc = _texts(store, s, str(DCT.description))
        concepts = sorted(
            _subjects(store, str(SKOS.inScheme), s.value),
            key=lambda c: _texts(store, c, str(SKOS.notation)).get("", c.value),
        )
        rows = []
        for c in concepts:
            pl = _texts(store, c, str(SKOS.prefLabel))
            df = _texts(store, c, str(SKOS.definition))
            broader = ", ".join(
                escape(_texts(store, b, str(SKOS.notation)).get("", _short(b.value)))
                for b in _objects(store, c, str(SKOS.broader))
            )
            rows.append(
                f"<tr><td><code>{escape(_texts(store, c, str(SKOS.notation)).get('', ''))}</code></td>"
                f"<td>{escape(pl.get('fr', ''))}</td><td>{escape(pl.get('en', ''))}</td>"
                f"<td>{broader}</td><td>{escape(df.get('fr', ''))}<br><i>{escape(df.get('en', ''))}</i></td></tr>"
            )
        anchor = escape(_short(s.value).replace(":", "-").replace("/", "-"))
        parts.append(
            f'<section class="scheme" id="{anchor}"><h3>{escape(labels.get("fr", ""))} / '
            f"{escape(labels.get('en', ''))} <code>{escape(_short(s.value))}</code></h3>"
            f'<p>{escape(sdesc.get("fr", ""))}</p><p lang="en">{escape(sdesc.get("en", ""))}</p>'
            "<table><tr><th>notation</th><th>fr</th><th>en</th><th>skos:broader</th>"
            f"<th>définition / definition</th></tr>{''.join(rows)}</table></section>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:70em;margin:auto;padding:1em;line-height:1.4}"
        "table{border-collapse:collapse;margin:.3em 0 1em}td,th{border:1px solid #ccc;padding:.2em .5em;"
        "vertical-align:top;text-align:left}.iri{color:#666;font-size:.85em;margin:0}h3{margin-bottom:.2em}"
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(title.get('fr', 'Ontologie'))}</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )
