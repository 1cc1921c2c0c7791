"""kg build's store written from the packed N-Quads text by slices (kg.store.write.StoreLoader, slice_bytes).

The child bulk-loads the text a slice at a time so that its memory does not grow with the whole text; each
bulk_load names blank nodes anew, so the lines holding one must still be loaded together.
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, serialize

from kg.store.write import StoreLoader

G = NamedNode("https://example.org/graph/test")
P = NamedNode("urn:p")


def _quads(n: int) -> list[Quad]:
    """*n* plain quads, then a blank node described by quads far apart in the text (first, middle, last)."""
    b = BlankNode("shared")
    plain = [Quad(NamedNode(f"urn:s{i}"), P, Literal(f"value {i}"), G) for i in range(n)]
    # a literal holding "_:" (not a blank node): must be loaded whatever slice it falls in
    plain.append(Quad(NamedNode("urn:text"), P, Literal("ends with _: here"), G))
    return [
        Quad(b, P, Literal("first"), G),
        *plain[: n // 2],
        Quad(NamedNode("urn:a"), P, b, G),
        *plain[n // 2 :],
        Quad(b, P, Literal("last"), G),
    ]


def _load(tmp_path, name: str, quads: list[Quad], slice_bytes: int) -> Store:
    path = tmp_path / name
    text = serialize(quads, format=RdfFormat.N_QUADS) or b""
    half = text.index(b"\n", len(text) // 2) + 1  # two blocks, as the build hands one per graph
    loader = StoreLoader([text[:half], text[half:]], path, optimize=False, slice_bytes=slice_bytes)
    loader.wait()
    return Store.read_only(str(path))


def _shape(store: Store) -> tuple[set, int, set]:
    """The quads without blank nodes, how many blank nodes, and what each blank node is said to be."""
    plain, blanks, about = set(), set(), set()
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, BlankNode):
            blanks.add(q.subject)
        elif isinstance(q.object, BlankNode):
            blanks.add(q.object)
        else:
            plain.add(q)
    for b in blanks:
        about.add(
            (
                frozenset(q.object.value for q in store.quads_for_pattern(b, None, None, None)),
                frozenset(q.subject.value for q in store.quads_for_pattern(None, None, b, None)),
            )
        )
    return plain, len(blanks), about


def test_a_store_loaded_by_small_slices_holds_the_same_quads_as_one_loaded_at_once(tmp_path):
    """Slices of ~300 bytes (dozens of them) against one slice for everything: the same quads, and the blank
    node whose lines lie in the first, a middle and the last slice is still one node with all three."""
    quads = _quads(60)
    whole = _shape(_load(tmp_path, "whole", quads, 1 << 30))
    sliced = _shape(_load(tmp_path, "sliced", quads, 300))
    assert whole[1] == 1, whole[1]  # the reference itself: one blank node
    assert sliced == whole
    assert whole[2] == {(frozenset({"first", "last"}), frozenset({"urn:a"}))}
    assert len(whole[0]) == 61  # the literal with "_:" kept


def test_a_store_loaded_by_slices_holds_what_it_was_given(tmp_path):
    """Two data sets loaded by slices give their own quads (a loader that dropped or repeated a slice fails
    one or the other)."""
    small, large = (
        _shape(_load(tmp_path, "small", _quads(5), 120)),
        _shape(_load(tmp_path, "large", _quads(200), 120)),
    )
    assert len(small[0]) == 6 and len(large[0]) == 201
    assert small[0] < large[0]
