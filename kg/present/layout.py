"""Where a view's nodes go: igraph's layouts, then — for views that fit on a slide — the boxes each node
draws (shape and label, estimated from the text's length and the font size) spread apart until none overlaps
another, in the frame's proportions, so that the page can zoom the network to fill the frame.

The HTML page (vis-network, physics off) and the SVG/PNG pictures draw the same positions.

>>> import networkx as nx
>>> G = nx.path_graph(["a", "b", "c"])
>>> pos = layout(G, ["a", "b", "c"], boxes={n: node_box("dot", "Un nom assez long", 12) for n in "abc"})
>>> boxes_overlap(pos, {n: node_box("dot", "Un nom assez long", 12) for n in "abc"})
0
"""

from __future__ import annotations

import math
import random
from typing import Any

import networkx as nx

__all__ = [
    "ASPECT",
    "FONT",
    "FONT_BIG",
    "GAP",
    "SEPARATE_MAX",
    "Box",
    "boxes_overlap",
    "layout",
    "node_box",
    "separate",
    "text_width",
    "wrap",
]

#: what a node draws, around its position: (width, height, vertical offset of the box's centre)
Box = tuple[float, float, float]
#: the frame's width / height the layout aims at: a 16:9 slide less the legend and the title bars
ASPECT = 1.7
#: beyond this many nodes labels are too small to matter and separation would cost O(n²) per pass
SEPARATE_MAX = 400
#: up to this many nodes the separated layout is then pulled together (a few more passes)
COMPACT_MAX = 250
#: the space kept between two drawn boxes (canvas pixels)
GAP = 6.0
#: the room given to the boxes before they are separated, as a multiple of their total area
DENSITY = 2.0
STRETCH = 1.0
SHRINK, SHRINK2, ROUNDS = 0.75, 0.85, 16
BIAS_MAX, BIAS_POW, ROUND_PASSES = 10.0, 3.0, 60
#: up to this many nodes the boxes are separated with every pass and round above; beyond, the passes and
#: rounds shrink as (FULL_MAX / n)², so that the work (a pass costs about n times the neighbours) stays near that of
#: FULL_MAX nodes: a 200-node view of a national graph is laid out in a fraction of a second instead of seconds
FULL_MAX = 100
SEPARATE_PASSES = 300
FONT = 14.0
FONT_BIG = 18.0
_NARROW = set("iljtfr.,;:'!|()[] ·-’«»")
_WIDE = set("mwMWÉ@%&")


def layout(
    G: nx.Graph | nx.MultiDiGraph,
    nodes: list[str],
    *,
    seed: int = 1,
    scale: float | None = None,
    boxes: dict[str, Box] | None = None,
    aspect: float = ASPECT,
) -> dict[str, tuple[float, float]]:
    """Positions in pixels for *nodes*: igraph's Kamada–Kawai up to 500 nodes, grid Fruchterman–Reingold beyond.

    Without *boxes*, the mean distance between linked nodes comes out near 120 px whatever the size.
    With *boxes* (what each node draws, shape and label: :func:`node_box`), up to :data:`SEPARATE_MAX`
    nodes, the layout is made to read on a slide: turned so that its long side is horizontal, packed into
    the frame's *aspect* ratio, then spread until no drawn box overlaps another (:func:`separate`), so the
    page can zoom it to fill the frame. Deterministic for a given *seed*.
    """
    import igraph as ig

    index = {n: i for i, n in enumerate(nodes)}
    pairs = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in G.edges()
        if a in index and b in index and a != b
    }
    g = ig.Graph(n=len(nodes), edges=sorted(pairs))
    if len(nodes) == 0:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    state = random.getstate()
    random.seed(seed)
    ig.set_random_number_generator(random)
    try:
        if (
            len(nodes) <= 500
        ):  # small views (slides): Kamada–Kawai spreads nodes evenly, components side by side
            coords = g.layout_kamada_kawai().coords if g.is_connected() else _packed(g)
        else:
            # the grid variant is O(n) per iteration instead of O(n²): 0.6 s instead of 23 s at 5,000 nodes
            coords = g.layout_fruchterman_reingold(niter=500, grid="grid").coords
    finally:
        random.setstate(state)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    if boxes is not None and len(nodes) <= SEPARATE_MAX:
        return _fit_boxes([(c[0] - cx, c[1] - cy) for c in coords], nodes, boxes, aspect)
    if scale is None:
        lengths = [math.dist(coords[a], coords[b]) for a, b in pairs] or [1.0]
        lengths.sort()
        median = lengths[len(lengths) // 2] or 1.0
        scale = (170.0 if len(nodes) <= 500 else 120.0) / median
    return {n: ((coords[i][0] - cx) * scale, (coords[i][1] - cy) * scale) for n, i in index.items()}


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of *text*'s width in pixels at font *size* (Arial-like metrics, slightly generous).

    >>> round(text_width("Club ESS", 14))
    63
    """
    w = 0.0
    for ch in text:
        if ch in _WIDE:
            w += 0.86
        elif ch in _NARROW:
            w += 0.32
        elif ch.isupper() or ch.isdigit():
            w += 0.68
        else:
            w += 0.56
    return w * size


def wrap(text: str, width: int = 22, lines: int = 2) -> str:
    """*text* cut into at most *lines* lines of about *width* characters (at spaces), "…" when cut short.

    >>> wrap("Pôle Innovation de la Direction Economique et de l'Emploi de PEMB")
    'Pôle Innovation de la\\nDirection Economique…'
    >>> wrap("Club ESS")
    'Club ESS'
    """
    out: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    cut = len(out) > lines
    out = [x if len(x) <= width + 6 else x[: width + 5] + "…" for x in out[:lines]]  # a very long word
    if cut:
        out[-1] = out[-1].rstrip(",;:") + "…"
    return "\n".join(out)


def node_box(shape: str, label: str, size: float, font: float = FONT) -> Box:
    """What vis-network draws for a node (and the SVG picture alike): ``(width, height, dy)``.

    Shapes that hold their label (box, ellipse) are sized by it; the others draw the label under a
    shape of radius *size*; *dy* is the offset of the box's centre below the node's position.
    """
    lines = label.split("\n")
    tw = max(text_width(line, font) for line in lines)
    th = len(lines) * font  # vis-network's line height is the font size
    if shape == "box":  # margin 6 around the text, and the border
        return tw + 24, th + 24, 0.0
    if shape == "ellipse":
        return tw + th + 14, 2 * th + 4, 0.0
    # the label under the shape: vis-network's label box (hit test) starts font / 2 + 4 below the shape,
    # its bounding box right under it; the union of both
    below = 0.5 * font + 4 + th
    return max(2 * size, tw + 4), 2 * size + below, below / 2


def _fit_boxes(
    coords: list[tuple[float, float]], nodes: list[str], boxes: dict[str, Box], aspect: float
) -> dict[str, tuple[float, float]]:
    # turn the layout so that its long axis is horizontal (a slide is wider than high)
    sxx = sum(x * x for x, _ in coords)
    syy = sum(y * y for _, y in coords)
    sxy = sum(x * y for x, y in coords)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    c, s = math.cos(-angle), math.sin(-angle)
    pts = [(x * c - y * s, x * s + y * c) for x, y in coords]
    # pack it into the frame's shape, with about the room its boxes need, then spread the boxes apart
    need = sum((boxes[n][0] + GAP) * (boxes[n][1] + GAP) for n in nodes) * DENSITY
    width, height = math.sqrt(need * aspect * STRETCH), math.sqrt(need / aspect / STRETCH)
    span_x = (max(p[0] for p in pts) - min(p[0] for p in pts)) or 1.0
    span_y = (max(p[1] for p in pts) - min(p[1] for p in pts)) or 1.0
    fx, fy = width / span_x, height / span_y
    if span_y < 1e-6 * span_x:  # a line
        fy = 0.0
    xs = [p[0] * fx for p in pts]
    ys = [p[1] * fy + boxes[n][2] for p, n in zip(pts, nodes, strict=True)]  # the boxes' centres
    ws = [boxes[n][0] for n in nodes]
    hs = [boxes[n][1] for n in nodes]
    passes, rounds, round_passes = _budget(len(nodes))
    separate(xs, ys, ws, hs, aspect=aspect, passes=passes)
    # then pull it together while that makes it bigger on screen: the frame shows max(w / aspect, h)
    best = (_screen(xs, ys, ws, hs, aspect), list(xs), list(ys))
    strong, weak = SHRINK, SHRINK2
    failed = 0
    for _ in range(rounds if len(nodes) <= COMPACT_MAX else 0):
        if failed >= 3:
            break
        w, h = _extent(xs, ys, ws, hs)
        fx, fy = (strong, weak) if w / h > aspect else (weak, strong)
        xs = [x * fx for x in xs]
        ys = [y * fy for y in ys]
        if separate(xs, ys, ws, hs, aspect=aspect, passes=round_passes, expand=False):
            size = _screen(xs, ys, ws, hs, aspect)
            if size < best[0]:
                best = (size, list(xs), list(ys))
                failed = 0
                continue
        failed += 1
        # too tight to come apart quickly, or no better: back to the best, and pull more gently
        xs, ys = list(best[1]), list(best[2])
        strong, weak = (1 + strong) / 2, (1 + weak) / 2
    _, xs, ys = best
    return {n: (round(xs[i], 1), round(ys[i] - boxes[n][2], 1)) for i, n in enumerate(nodes)}


def _budget(n: int) -> tuple[int, int, int]:
    """The passes of the first separation, the compaction rounds and their passes for *n* boxes.

    >>> _budget(42), _budget(100), _budget(200), _budget(400)
    ((300, 16, 60), (300, 16, 60), (75, 4, 30), (30, 2, 30))
    """
    if n <= FULL_MAX:
        return SEPARATE_PASSES, ROUNDS, ROUND_PASSES
    f = (FULL_MAX / n) ** 2
    return max(30, int(SEPARATE_PASSES * f)), max(2, int(ROUNDS * f)), max(30, int(ROUND_PASSES * f))


def _extent(xs: list[float], ys: list[float], ws: list[float], hs: list[float]) -> tuple[float, float]:
    """Width and height of the boxes' union."""
    w = max(x + v / 2 for x, v in zip(xs, ws, strict=True)) - min(
        x - v / 2 for x, v in zip(xs, ws, strict=True)
    )
    h = max(y + v / 2 for y, v in zip(ys, hs, strict=True)) - min(
        y - v / 2 for y, v in zip(ys, hs, strict=True)
    )
    return max(w, 1.0), max(h, 1.0)


def _screen(xs: list[float], ys: list[float], ws: list[float], hs: list[float], aspect: float) -> float:
    """The height a frame of ratio *aspect* needs to show the boxes (smaller: bigger on screen)."""
    w, h = _extent(xs, ys, ws, hs)
    return max(w / aspect, h)


def separate(
    xs: list[float],
    ys: list[float],
    ws: list[float],
    hs: list[float],
    *,
    gap: float = GAP,
    passes: int = 300,
    aspect: float | None = None,
    expand: bool = True,
) -> int:
    """Move the boxes (centres *xs*, *ys*, sizes *ws*, *hs*; changed in place) until none overlaps another.

    Each pass pushes every overlapping pair apart along the axis where they overlap least (a sweep
    along x finds the pairs), favouring the axis that brings the layout's width / height towards *aspect*
    when one is given; when passes run out, the whole layout is spread by 10 % and the passes
    start again, which always ends (unless *expand* is false: then 0 says the boxes still overlap).
    Returns the number of passes.

    >>> xs, ys = [0.0, 1.0, 2.0], [0.0, 0.0, 1.0]
    >>> _ = separate(xs, ys, [10.0] * 3, [10.0] * 3, gap=0)
    >>> all(abs(xs[i] - xs[j]) >= 10 - 1e-6 or abs(ys[i] - ys[j]) >= 10 - 1e-6 for i in range(3) for j in range(i))
    True
    """
    n = len(xs)
    total = 0
    while True:
        for _ in range(passes):
            total += 1
            order = sorted(range(n), key=lambda i: xs[i] - ws[i] / 2)
            bias = 1.0
            if aspect:
                w, h = _extent(xs, ys, ws, hs)
                bias = min(BIAS_MAX, max(1 / BIAS_MAX, (aspect * h / w) ** BIAS_POW))
            moved = False
            for k, i in enumerate(order):
                right = xs[i] + ws[i] / 2 + gap
                for j in order[k + 1 :]:
                    if xs[j] - ws[j] / 2 >= right:
                        break
                    dx, dy = xs[j] - xs[i], ys[j] - ys[i]
                    ox = (ws[i] + ws[j]) / 2 + gap - abs(dx)
                    oy = (hs[i] + hs[j]) / 2 + gap - abs(dy)
                    if ox <= 0 or oy <= 0:
                        continue
                    moved = True
                    if ox < oy * bias:
                        step = (ox / 2 + 0.01) * (1 if dx > 0 or (dx == 0 and j > i) else -1)
                        xs[i] -= step
                        xs[j] += step
                    else:
                        step = (oy / 2 + 0.01) * (1 if dy > 0 or (dy == 0 and j > i) else -1)
                        ys[i] -= step
                        ys[j] += step
            if not moved:
                return total
        if not expand:
            return 0
        for i in range(n):
            xs[i] *= 1.1
            ys[i] *= 1.1


def _packed(g: Any) -> list[list[float]]:
    """Kamada–Kawai per connected component, components placed side by side (largest first)."""
    coords: list[list[float]] = [[0.0, 0.0] for _ in range(g.vcount())]
    comps = sorted(g.connected_components(), key=len, reverse=True)
    x_offset = 0.0
    row_height = 0.0
    y_offset = 0.0
    layouts = [
        g.induced_subgraph(c).layout_kamada_kawai().coords if len(c) > 1 else [[0.0, 0.0]] for c in comps
    ]
    first = layouts[0]
    width = max(4.0, max(p[0] for p in first) - min(p[0] for p in first) + 1.5)
    for comp, pts in zip(comps, layouts, strict=False):
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        w, h = max(xs) - min(xs) + 1.5, max(ys) - min(ys) + 1.5
        if x_offset + w > width and x_offset > 0:
            x_offset, y_offset, row_height = 0.0, y_offset + row_height, 0.0
        for v, (px, py) in zip(comp, pts, strict=False):
            coords[v] = [px - min(xs) + x_offset, py - min(ys) + y_offset]
        x_offset += w
        row_height = max(row_height, h)
    return coords


def boxes_overlap(pos: dict[str, tuple[float, float]], boxes: dict[str, Box]) -> int:
    """How many pairs of drawn boxes overlap (0 after :func:`layout` with *boxes*)."""
    items = [(pos[n][0], pos[n][1] + boxes[n][2], boxes[n][0], boxes[n][1]) for n in pos]
    count = 0
    for i, (x1, y1, w1, h1) in enumerate(items):
        for x2, y2, w2, h2 in items[i + 1 :]:
            if abs(x1 - x2) < (w1 + w2) / 2 - 0.5 and abs(y1 - y2) < (h1 + h2) / 2 - 0.5:
                count += 1
    return count
