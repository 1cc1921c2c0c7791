"""Network exports of the projection: GraphML, GEXF 1.3 and Gephi's CSV tables.

All three are written from :func:`flat_projection`, the projection with labels in place of
notations and text in place of lists. A grant's amount is an attribute of the funding node
only (``amount``, euros, a double): summing it over a file counts each grant once, as
``SUM(?value)`` over the store's grants does.

- ``graphml`` — :func:`networkx.write_graphml` (keys ``d0``, ``d1``… with their ``attr.name``:
  node and edge keys of the same name stay distinct), read by NetworkX, igraph and Gephi;
- ``gexf`` — GEXF 1.3 (``http://gexf.net/1.3``) written here, ``mode="dynamic"``,
  ``timeformat="date"``: each node and edge with its own dates gets ``start``/``end`` (full
  dates: ``2021`` → ``2021-01-01`` … ``2021-12-31``), so Gephi's timeline shows the network
  growing; the source's precision is kept in the ``period`` attribute; nodes are coloured
  by actor family (``viz:color``) as in ``kg view``;
- ``csv`` — ``nodes.csv`` and ``edges.csv`` in Gephi's spreadsheet conventions.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from kg.network.attributes import concept_labels, listed, sources_of
from kg.sheets.cells import csv_cell

__all__ = ["GEXF_NS", "VIZ_NS", "flat_projection", "write_csv", "write_gexf", "write_graphml"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
_DATE_KEYS = ("start", "end")


def _text(v: Any) -> str:
    return "; ".join(str(x) for x in v)


def _sources_text(value: Any) -> str:
    return " | ".join(f"{doc.rsplit('/', 1)[-1]}: {quote}" for doc, quote in sources_of(value))


def flat_projection(graph: Any, *, territory: str | None = None, lang: str = "fr") -> nx.MultiDiGraph:
    """The projection with attributes every network tool reads: text, numbers, no ``None``.

    Node attributes: ``label``, ``kind``, ``type`` (label of the first type), ``types``,
    ``themes``, ``territory`` (labels, ``; ``-separated), ``start``/``end`` (as in the
    sources: ``2021``, ``2021-09``…), ``amount`` (a grant's euros, float: on the funding node
    only), ``sources`` (``document: quote | …``), ``iri``. Edge attributes: ``kind``,
    ``label`` (the relation kind's label), ``role``, ``via``, ``start``/``end``, ``sources``.
    """
    from kg.network.projection import cached_project
    from kg.present.selections import territory_nodes

    G = cached_project(graph)
    labels = concept_labels(G)
    keep = territory_nodes(graph, G, territory) if territory else set(G.nodes)

    def lab(notation: str, scheme: str) -> str:
        return (labels.get(f"{scheme}/{notation}") or labels.get(notation) or {}).get(lang) or notation

    F: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        if n not in keep:
            continue
        attrs: dict[str, Any] = {"label": str(d.get("label") or n), "kind": d.get("kind"), "iri": n}
        types = listed(d.get("types"))
        if types:
            attrs["type"] = lab(types[0], "actor-type")
            attrs["types"] = _text(types)
        if d.get("themes"):
            attrs["themes"] = _text(listed(d["themes"]))
        if d.get("territory"):
            places = [str(G.nodes[t].get("label") or t) for t in listed(d["territory"]) if t in G]
            attrs["territory"] = _text(places)
        for k in _DATE_KEYS:
            if d.get(k):
                attrs[k] = str(d[k])
        if d.get("amount") is not None:
            attrs["amount"] = float(d["amount"])
        attrs["sources"] = _sources_text(d.get("sources"))
        F.add_node(n, **{k: v for k, v in attrs.items() if v not in (None, "")})
    for a, b, d in G.edges(data=True):
        if a not in keep or b not in keep:
            continue
        attrs = {
            "kind": d.get("kind"),
            "label": lab(str(d.get("kind")), "relation-kind"),
            "role": d.get("role"),
            "via": d.get("via"),
            "start": d.get("start"),
            "end": d.get("end"),
            "sources": _sources_text(d.get("sources")),
        }
        F.add_edge(a, b, **{k: str(v) for k, v in attrs.items() if v not in (None, "")})
    return F


def write_graphml(F: nx.MultiDiGraph, out: Path) -> None:
    """*F* as GraphML; keys get ``d0``, ``d1``… ids, unique across nodes and edges."""
    nx.write_graphml(F, out, named_key_ids=False, edge_id_from_attribute=None)


def _rgb(hex_colour: str) -> dict[str, str]:
    h = hex_colour.lstrip("#")
    return {"r": str(int(h[0:2], 16)), "g": str(int(h[2:4], 16)), "b": str(int(h[4:6], 16)), "a": "1.0"}


def _gexf_type(values: list[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _declare(graph_el: ET.Element, cls: str, rows: list[dict[str, Any]], skip: set[str]) -> list[str]:
    keys = sorted({k for d in rows for k in d} - skip)
    el = ET.SubElement(graph_el, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
    for k in keys:
        kind = _gexf_type([d[k] for d in rows if k in d])
        ET.SubElement(el, f"{{{GEXF_NS}}}attribute", {"id": k, "title": k, "type": kind})
    return keys


def _interval(el: ET.Element, d: dict[str, Any]) -> None:
    from kg.model.dates import date_bounds

    if d.get("start"):
        el.set("start", date_bounds(str(d["start"]))[0])
    if d.get("end"):
        el.set("end", date_bounds(str(d["end"]))[1])


def _attvalues(el: ET.Element, d: dict[str, Any], keys: list[str]) -> None:
    values = ET.SubElement(el, f"{{{GEXF_NS}}}attvalues")
    for k in keys:
        if k in d:
            v = d[k]
            text = ("true" if v else "false") if isinstance(v, bool) else str(v)
            ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": k, "value": text})


def _with_period(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in d.items() if k not in _DATE_KEYS}
    if d.get("start") or d.get("end"):
        out["period"] = f"{d.get('start') or ''}/{d.get('end') or ''}"
    return out


def write_gexf(F: nx.MultiDiGraph, out: Path) -> None:
    """*F* as GEXF 1.3, ``mode="dynamic"``: dated nodes and edges carry their ``start``/``end``."""
    from kg.present.style import FAMILIES, family

    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", VIZ_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "Territorial KG"
    ET.SubElement(
        meta, f"{{{GEXF_NS}}}description"
    ).text = "Acteurs, programmes, financements et relations, datés par leurs sources"
    graph_el = ET.SubElement(
        root,
        f"{{{GEXF_NS}}}graph",
        {
            "defaultedgetype": "directed",
            "idtype": "string",
            "mode": "dynamic",
            "timeformat": "date",
            "timerepresentation": "interval",
        },
    )
    nodes = sorted(F.nodes(data=True), key=lambda x: x[0])
    edges = sorted(
        F.edges(data=True), key=lambda e: (e[0], e[1], str(e[2].get("kind")), str(e[2].get("via")))
    )
    node_rows = [_with_period(d) for _, d in nodes]
    edge_rows = [_with_period(d) for *_, d in edges]
    node_keys = _declare(graph_el, "node", node_rows, {"label"})
    edge_keys = _declare(graph_el, "edge", edge_rows, {"label"})
    nodes_el = ET.SubElement(graph_el, f"{{{GEXF_NS}}}nodes", {"count": str(len(nodes))})
    for (n, d), row in zip(nodes, node_rows, strict=True):
        el = ET.SubElement(nodes_el, f"{{{GEXF_NS}}}node", {"id": n, "label": str(d.get("label") or n)})
        _interval(el, d)
        _attvalues(el, row, node_keys)
        fam = family({"kind": d.get("kind"), "types": d.get("types", "").split("; ")})
        ET.SubElement(el, f"{{{VIZ_NS}}}color", _rgb(FAMILIES[fam][0]))
    edges_el = ET.SubElement(graph_el, f"{{{GEXF_NS}}}edges", {"count": str(len(edges))})
    for i, ((a, b, d), row) in enumerate(zip(edges, edge_rows, strict=True)):
        attrs = {"id": f"e{i}", "source": a, "target": b, "type": "directed"}
        if d.get("kind"):
            attrs["kind"] = str(d["kind"])
        if d.get("label"):
            attrs["label"] = str(d["label"])
        el = ET.SubElement(edges_el, f"{{{GEXF_NS}}}edge", attrs)
        _interval(el, d)
        _attvalues(el, row, edge_keys)
    ET.indent(root, space="  ")
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)


def write_csv(F: nx.MultiDiGraph, out: Path) -> list[Path]:
    """``nodes.csv`` and ``edges.csv`` in folder *out*, in Gephi's spreadsheet import conventions."""
    out.mkdir(parents=True, exist_ok=True)
    node_cols = [
        "Id",
        "Label",
        "Kind",
        "Type",
        "Types",
        "Themes",
        "Territory",
        "Start",
        "End",
        "Amount",
        "Sources",
    ]
    node_keys = ["label", "kind", "type", "types", "themes", "territory", "start", "end", "amount", "sources"]
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(node_cols)
        for n, d in F.nodes(data=True):  # a formula-like text opens as text
            w.writerow(map(csv_cell, [n, *(d.get(k, "") for k in node_keys)]))
    edge_cols = [
        "Source",
        "Target",
        "Type",
        "Id",
        "Label",
        "Weight",
        "Kind",
        "Role",
        "Via",
        "Start",
        "End",
        "Sources",
    ]
    edge_keys = ["kind", "role", "via", "start", "end", "sources"]
    with open(out / "edges.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(edge_cols)
        for i, (a, b, d) in enumerate(F.edges(data=True)):
            row = [a, b, "Directed", i, d.get("label", ""), 1, *(d.get(k, "") for k in edge_keys)]
            w.writerow(map(csv_cell, row))
    return [out / "nodes.csv", out / "edges.csv"]
