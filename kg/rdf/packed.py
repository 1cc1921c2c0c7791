"""Quads held as N-Quads bytes, one block per named graph: what ``kg build`` keeps between its steps.

At 100,000 actors the records' 7 million ``pyoxigraph.Quad`` objects took ~3.9 GB (~560 B each) and stayed from
the mapping through SHACL, the store, the dump and the first end step. Their N-Quads text takes ~150 B a quad,
in one ``bytes`` per graph. :class:`PackedQuads` keeps that; each step that needs objects reads them again
(:meth:`PackedQuads.__iter__`, parsed graph by graph as it goes: never all at once), and what needs text (the
store's bulk load, the digests) reads the bytes themselves.

The text is kept compressed (zlib level 1, by pieces of about :data:`PIECE` bytes of whole lines: N-Quads text
repeats its IRIs, ~1.1 GB at 100,000 actors became ~0.1 GB) and each graph's block is decompressed when read, one
graph at a time (~0.7 GB/s each way: about 1.5 s a pass at 100,000 actors).

The order is that of a stable sort by graph name (:func:`kg.store.summary.graph_key`) of the quads as added:
graph by graph (sorted by name), each graph's quads in the order they were added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["PIECE", "PackedQuads"]

#: the size of the uncompressed text (whole lines, ~1 MB) compressed into one piece
PIECE = 1 << 20


class PackedQuads:
    """Quads as N-Quads text, one block per named graph (every quad must have one).

    Add with :meth:`add` (quads of any graphs) or :meth:`add_graph` (quads of one graph), then read them
    back as quads (iteration, sorted by graph), as text (:meth:`blocks`) or count them (``len``).
    """

    def __init__(self, quads: Iterable[Any] = ()) -> None:
        # each graph's text grown in a bytearray as records are added, compressed by pieces of PIECE bytes
        # (whole lines), the pieces kept in a list; a graph's block made again (decompressed, joined) at
        # each reading, one graph at a time
        self._pieces: dict[str, list[bytes]] = {}
        self._tails: dict[str, bytearray] = {}
        self._counts: dict[str, int] = {}
        self._n = 0
        self.add(quads)

    def add(self, quads: Iterable[Any]) -> None:
        """Add *quads* (``pyoxigraph.Quad``, each in a named graph, or another :class:`PackedQuads`), kept per
        graph in this order."""
        if isinstance(quads, PackedQuads):
            for g, text in quads.blocks():
                self._append(g, text, quads._counts[g])
            return
        by_graph: dict[str, list] = {}
        for q in quads:
            by_graph.setdefault(q.graph_name.value, []).append(q)
        for g, qs in by_graph.items():
            self.add_graph(g, qs)

    def add_graph(self, graph: str, quads: list) -> None:
        """Add *quads*, all in the named graph *graph* (not checked)."""
        if not quads:
            return
        from pyoxigraph import RdfFormat, serialize

        self._append(graph, serialize(quads, format=RdfFormat.N_QUADS) or b"", len(quads))

    def _append(self, graph: str, text: bytes, n: int) -> None:
        tail = self._tails.get(graph)
        if tail is None:
            tail = self._tails[graph] = bytearray()
            self._pieces[graph] = []
            self._counts[graph] = 0
        tail += text
        if len(tail) >= PIECE:
            self._seal(graph)
        self._counts[graph] += n
        self._n += n

    def _seal(self, graph: str) -> None:
        """The text of *graph* not yet compressed, compressed into its last piece."""
        import zlib

        tail = self._tails[graph]
        if tail:
            self._pieces[graph].append(zlib.compress(tail, 1))
            self._tails[graph] = bytearray()

    def _block(self, graph: str) -> bytes:
        """The N-Quads text of *graph*, made again (decompressed) at each call."""
        import zlib

        self._seal(graph)
        return b"".join([zlib.decompress(piece) for piece in self._pieces[graph]])

    def __len__(self) -> int:
        return self._n

    def graphs(self) -> list[str]:
        """The named graphs, sorted."""
        return sorted(self._pieces)

    def counts(self) -> dict[str, int]:
        """How many quads each graph holds (sorted by graph)."""
        return {g: self._counts[g] for g in self.graphs()}

    def blocks(self, graphs: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """``(graph, N-Quads text)`` of every graph (sorted), or of those of *graphs* that it holds."""
        for g in self.graphs() if graphs is None else sorted(set(graphs) & set(self._pieces)):
            yield g, self._block(g)

    def quads(self, graphs: Iterable[str] | None = None, *, but: Iterable[str] = ()) -> Iterable[Any]:
        """The quads of every graph (or of *graphs*), except those of the graphs in *but*: an iterable that
        parses them again each time it is read (a graph at a time)."""
        return _View(self, None if graphs is None else set(graphs), set(but))

    def __iter__(self) -> Iterator[Any]:
        return iter(_View(self, None, set()))

    def objects(self, prefix: str) -> set[str]:
        """The IRIs starting with *prefix* that are the object of a quad, read on the text (no quad made)."""
        return _objects(self.blocks(), prefix)

    def with_graph(self, graph: str, quads: list) -> PackedQuads:
        """A copy (sharing the text) that also holds *quads*, all in the named graph *graph*."""
        out = PackedQuads()
        for g in self._pieces:  # the compressed pieces shared by both (each adds to a list of its own)
            self._seal(g)
            out._pieces[g], out._tails[g] = list(self._pieces[g]), bytearray()
        out._counts = dict(self._counts)
        out._n = self._n
        out.add_graph(graph, quads)
        return out

    def before(self, graph: str) -> list[str]:
        """The graphs held that sort before *graph* or are it (where a block of *graph* goes: after them)."""
        return [g for g in self.graphs() if g <= graph]

    def drop(self, graphs: Iterable[str]) -> None:
        """Forget the quads of *graphs*."""
        for g in graphs:
            if g in self._pieces:
                self._n -= self._counts.pop(g)
                del self._pieces[g], self._tails[g]


class _View:
    """Some graphs of a :class:`PackedQuads`, read as quads (parsed again at each reading)."""

    def __init__(self, packed: PackedQuads, graphs: set[str] | None, but: set[str]) -> None:
        self.packed, self.graphs, self.but = packed, graphs, but

    def blocks(self) -> Iterator[tuple[str, bytes]]:
        """``(graph, N-Quads text)`` of the graphs of this view."""
        for g, text in self.packed.blocks(self.graphs):
            if g not in self.but:
                yield g, text

    def objects(self, prefix: str) -> set[str]:
        """The IRIs starting with *prefix* that are the object of a quad, read on the text (no quad made)."""
        return _objects(self.blocks(), prefix)

    def __iter__(self) -> Iterator[Any]:
        from pyoxigraph import RdfFormat, parse

        for g, text in self.packed.blocks(self.graphs):
            if g not in self.but:
                yield from parse(input=text, format=RdfFormat.N_QUADS)


def _objects(blocks: Iterable[tuple[str, bytes]], prefix: str) -> set[str]:
    """The IRIs starting with *prefix* in object position in N-Quads *blocks*: the IRI just before the graph
    name, at the end of a line (a literal object ends with a quote, a language tag or its datatype)."""
    import re

    at_end = re.compile(rb"<(%s[^>\s]*)> <[^>\s]*> \.$" % re.escape(prefix.encode()), re.M)
    return {m.decode() for _g, text in blocks for m in at_end.findall(text)}
