"""What a projection reads of a store besides the pairs: the territories' names (:mod:`kg.network.pairs`)."""

from __future__ import annotations

from kg.model import iris
from kg.network import pairs


def test_territory_names_by_territory_and_in_one_query_are_the_projection_s(graph, projection, monkeypatch):
    """Read one by one (a few territories) or in one query over the geography's labels (many): the same
    names, those the projection gives its territories; a territory the geography lacks has none."""
    named = {n: d["label"] for n, d in projection.nodes(data=True) if d["kind"] == "territory"}
    others = {
        iris.territory("departement", "94"): "Val-de-Marne",
        iris.territory("region", "11"): "Île-de-France",
    }
    missing = iris.territory("commune", "00000")
    wanted = {*named, *others, missing}
    by_territory = pairs.territory_names(graph, wanted)
    monkeypatch.setattr(pairs, "_SCAN_FROM", 0)
    in_one_query = pairs.territory_names(graph, wanted)
    assert len(named) >= 5
    assert by_territory == in_one_query == {**named, **others}
    assert missing not in in_one_query
