"""``kg.rdf.packed.PackedQuads``: quads kept as compressed N-Quads text, read back as added."""

from __future__ import annotations

import tracemalloc

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from kg.rdf.packed import PIECE, PackedQuads

EX = "https://example.org/"


def _quads(n: int, graph: str, start: int = 0) -> list:
    g = NamedNode(EX + graph)
    return [
        Quad(NamedNode(f"{EX}actor/{i}"), NamedNode(EX + "name"), Literal(f"Acteur {i}", language="fr"), g)
        for i in range(start, start + n)
    ]


def test_blocks_are_the_text_of_the_quads_as_added_graph_by_graph_past_one_piece() -> None:
    """Each graph's block is the N-Quads text of its quads in the order added (sorted by graph), also when it
    spans many compressed pieces, when read twice, and when added to after a reading."""
    b1, a1, b2 = _quads(30_000, "b"), _quads(10, "a"), _quads(5, "b", start=30_000)
    packed = PackedQuads()
    for q in b1:  # one record at a time, as the mapping adds them
        packed.add([q])
    packed.add(a1)
    assert len(serialize(b1, format=RdfFormat.N_QUADS)) > 2 * PIECE  # more than one piece
    expected = {EX + "a": a1, EX + "b": b1}
    for _ in range(2):
        assert list(packed.blocks()) == [
            (g, serialize(qs, format=RdfFormat.N_QUADS)) for g, qs in sorted(expected.items())
        ]
    packed.add(b2)
    assert list(packed) == a1 + b1 + b2
    assert len(packed) == len(a1 + b1 + b2)
    assert packed.counts() == {EX + "a": 10, EX + "b": 30_005}


def test_with_graph_and_drop_leave_the_other_copy_as_it_was() -> None:
    packed = PackedQuads(_quads(100, "a"))
    other = packed.with_graph(EX + "z", _quads(3, "z"))
    packed.add(_quads(2, "a", start=100))
    assert list(other) == _quads(100, "a") + _quads(3, "z")
    other.drop([EX + "a"])
    assert list(other) == _quads(3, "z")
    assert list(packed) == _quads(102, "a")


def test_the_text_is_held_compressed() -> None:
    """What a build keeps between its steps (~1.1 GB of N-Quads text at 100,000 actors) is held compressed:
    a tenth of the text's size in memory, beside the last piece of each graph, not yet compressed."""
    quads = _quads(60_000, "g")
    size = len(serialize(quads, format=RdfFormat.N_QUADS))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        packed = PackedQuads()
        for i in range(0, len(quads), 100):
            packed.add(quads[i : i + 100])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(packed) == 60_000
    assert held < PIECE + size / 10, (held, size)
