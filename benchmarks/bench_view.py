"""Benchmark of ``kg view`` against raw pyvis, on synthetic graphs shaped like the projection.

For 100, 1,000 and 5,000 nodes (``--quick``: 100 and 1,000, one run) it measures, medians of 3:

* **ours**: :func:`kg.present.view.build_model` (igraph layout included, no grouping) +
  :func:`kg.present.view.write_html`; file size; time to interactive in headless Chromium =
  ``performance.now()`` at vis-network's first ``afterDrawing`` (physics is off, so the first frame is
  the final one);
* **raw pyvis 0.3.2**: ``Network(cdn_resources="in_line")`` + ``from_nx`` + ``write_html``, physics on
  (pyvis defaults); time to interactive = the first ``afterDrawing`` after
  ``stabilizationIterationsDone``, capped by ``--pyvis-timeout`` seconds (a run that hits the cap
  is reported as "> cap" and not repeated).

Chromium is Debian's (``/usr/bin/chromium``), fresh profile per run, every request but the
page's own file aborted and counted (pyvis's page still asks for Bootstrap from a CDN).

``--large`` measures instead the **default views of national synthetic graphs** (``benchmarks/synthetic.py``,
20,000 and 100,000 actors, seed 42, in a pyoxigraph store kept in ``--store-dir``): ``kg view --all``, which
opens on nested groups by territory (:mod:`kg.present.groups`), written from the projection (write time,
file size, first frame in Chromium), beside **raw pyvis with physics off** drawing every node of the same
selection at fixed positions (the rows of :func:`kg.present.groups.grid`; pyvis's ``add_node``/``add_edge``
check membership in a list, quadratic, so its node and edge lists are filled directly and written by its
own ``write_html``), with the ratios of the same run.

Usage::

    .venv/bin/python benchmarks/bench_view.py            # 100 / 1,000 / 5,000 nodes, 3 runs (~10–15 min)
    .venv/bin/python benchmarks/bench_view.py --large    # 20,000 / 100,000 actors (first run builds stores)
    .venv/bin/python benchmarks/bench_view.py --quick    # 100 / 1,000 nodes, 1 run, pyvis capped at 30 s
    .venv/bin/python benchmarks/bench_view.py --json benchmarks/out/bench_view.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.present.view import build_model, write_html  # noqa: E402 - after the sys.path line
from tests.view_browser import CHROMIUM, browser, chromium_available, open_page  # noqa: E402

ID = "https://w3id.org/territorial-kg/id/"
ACTOR_TYPES = [
    ("entreprise", 40),
    ("association", 29),
    ("commune", 7),
    ("intercommunalite", 3),
    ("etablissement-scolaire", 10),
    ("catalyseur-territorial", 5),
    ("fondation", 3),
    ("fonds-de-dotation", 2),
    ("reseau", 1),
]
THEMES = ["jeunesse", "insertion", "emploi", "ess", "education", "transition-ecologique", "innovation"]


def projection_like(n: int, seed: int = 42) -> nx.MultiDiGraph:
    """A seeded graph with the projection's node and edge attributes, about 3 edges per node.

    Of *n* nodes: 70 % actors (types in the synthetic generator's proportions), 15 %
    programmes, 5 % people, 5 % fundings, 5 % territories.
    """
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = {}
    counts = {
        "actor": int(n * 0.70),
        "programme": int(n * 0.15),
        "person": int(n * 0.05),
        "funding": int(n * 0.05),
    }
    counts["territory"] = n - sum(counts.values())
    src = ("https://w3id.org/territorial-kg/id/document/synth-1", "Phrase synthétique citée comme source.")
    nodes: dict[str, list[str]] = {k: [] for k in counts}
    types = [t for t, w in ACTOR_TYPES for _ in range(w)]
    for kind, c in counts.items():
        for i in range(c):
            iri = f"{ID}{kind}/synth-{i}"
            year = rng.randint(1990, 2025) if rng.random() < 0.6 else None
            G.add_node(
                iri,
                kind=kind,
                label=f"{kind.capitalize()} synthétique {i}",
                types=[rng.choice(types)] if kind == "actor" else [],
                themes=rng.sample(THEMES, rng.randint(0, 2)) if kind in ("actor", "programme") else [],
                start=str(year) if year else None,
                end=None,
                territory=[],
                sources=[src],
            )
            nodes[kind].append(iri)
    actors, progs = nodes["actor"], nodes["programme"] or nodes["actor"]
    # preferential attachment keeps degrees skewed like a real ecosystem
    pool = list(actors)
    for a in actors:  # ≈ 2 participations or memberships per actor
        for _ in range(2):
            if rng.random() < 0.6:
                G.add_edge(
                    a,
                    rng.choice(progs),
                    kind="participation",
                    role="partenaire",
                    start=str(rng.randint(2008, 2025)),
                    end=None,
                    sources=[src],
                )
            else:
                b = rng.choice(pool)
                if b != a:
                    G.add_edge(a, b, kind="adhesion", role="membre", start=None, end=None, sources=[src])
                    pool.append(b)
    funders = [a for a in actors if G.nodes[a]["types"][0] in ("fondation", "fonds-de-dotation")] or actors
    for g in nodes["funding"]:
        G.add_edge(
            rng.choice(funders),
            g,
            kind="financement",
            role="financeur",
            amount=10000,
            start="2021",
            end=None,
            sources=[src],
        )
        G.add_edge(
            g,
            rng.choice(actors),
            kind="financement",
            role="beneficiaire",
            amount=10000,
            start="2021",
            end=None,
            sources=[src],
        )
    for p in nodes["person"]:
        G.add_edge(p, rng.choice(actors), kind="poste", role="elu", start=None, end=None, sources=[src])
    for a in actors:
        if nodes["territory"] and rng.random() < 0.3:
            t = rng.choice(nodes["territory"])
            G.nodes[a]["territory"].append(t)
            G.add_edge(a, t, kind="territoire", start=None, end=None, sources=[src])
    return G


def pyvis_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """What a pyvis user passes to ``from_nx``: a simple graph with label, title and group."""
    H = nx.Graph()
    for n, d in G.nodes(data=True):
        H.add_node(
            n, label=d["label"], title=f"{d['label']}\n{d['kind']}", group=(d["types"] or [d["kind"]])[0]
        )
    for a, b, d in G.edges(data=True):
        H.add_edge(a, b, title=d["kind"])
    return H


def ours(G: nx.MultiDiGraph, out: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    model = build_model(G, G.nodes, title=f"Synthétique {G.number_of_nodes()}", max_nodes=None)
    r = write_html(model, out)
    return time.perf_counter() - t0, r.bytes


def raw_pyvis(G: nx.MultiDiGraph, out: Path) -> tuple[float, int]:
    from pyvis.network import Network

    H = pyvis_graph(G)
    t0 = time.perf_counter()
    net = Network(height="750px", width="100%", cdn_resources="in_line")
    net.from_nx(H)
    net.write_html(str(out))
    return time.perf_counter() - t0, out.stat().st_size


def interactive(path: Path, *, physics: bool, timeout: float) -> dict[str, Any]:
    """Open *path* in a fresh Chromium; ms to interactive (or None past *timeout* s), blocked requests."""
    with browser() as ctx:
        page = open_page(ctx, path, wait_draw=False, timeout=max(timeout, 5) * 1000, wait_until="commit")
        expr = "window.__kg.drawAfterStab" if physics else "window.__kg.firstDraw"
        try:
            page.page.wait_for_function(f"{expr} !== null", timeout=timeout * 1000, polling=200)
            ms = page.page.evaluate(expr)
        except Exception:  # noqa: BLE001 - a timeout is a result here
            ms = None
        return {
            "ms": ms,
            "blocked": len(page.blocked),
            "errors": len(page.console_errors) + len(page.page_errors),
        }


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def run(sizes: list[int], repeats: int, pyvis_timeout: float) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-view-") as tmp:
        for n in sizes:
            G = projection_like(n)
            print(f"[{n} nodes, {G.number_of_edges()} edges]", file=sys.stderr)
            for name in ("ours", "pyvis"):
                gen, sizes_b, ttis, blocked, errors, timed_out = [], [], [], 0, 0, False
                for i in range(repeats):
                    path = Path(tmp) / f"{name}-{n}-{i}.html"
                    secs, size = (ours if name == "ours" else raw_pyvis)(G, path)
                    gen.append(secs)
                    sizes_b.append(size)
                    res = interactive(
                        path, physics=name == "pyvis", timeout=60 if name == "ours" else pyvis_timeout
                    )
                    blocked, errors = res["blocked"], res["errors"]
                    print(
                        f"  {name} run {i + 1}: {secs:.2f} s, {size / 1e6:.2f} MB, interactive "
                        f"{res['ms'] if res['ms'] is not None else 'timeout'} ms",
                        file=sys.stderr,
                    )
                    if res["ms"] is None:
                        timed_out = True
                        break
                    ttis.append(res["ms"])
                rows.append(
                    {
                        "nodes": n,
                        "edges": G.number_of_edges(),
                        "view": name,
                        "runs": len(gen),
                        "mb": median(sizes_b) / 1e6,
                        "gen_s": median(gen),
                        "gen_min": min(gen),
                        "gen_max": max(gen),
                        "tti_ms": None if timed_out else median(ttis),
                        "tti_min": min(ttis) if ttis else None,
                        "tti_max": max(ttis) if ttis else None,
                        "timed_out": timed_out,
                        "blocked": blocked,
                        "errors": errors,
                    }
                )
    return rows


# ---------------------------------------------------------------- national default views (--large)


def national(actors: int, where: Path) -> tuple[Any, nx.MultiDiGraph, float]:
    """The synthetic national graph of *actors* actors in a store at *where* (built once, then reused), its
    projection (saved beside the store by ``cached_project``) and the seconds the projection took here."""
    import kg
    from kg.network.projection import cached_project

    marker = where.parent / "bench_view.actors"  # beside the store: a file inside would void its cache stamp
    if not (marker.exists() and marker.read_text().strip() == str(actors)):
        from pyoxigraph import Store

        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synthetic import generate, synthetic_quads

        from kg.ingest.geo import load_geography

        t = time.perf_counter()
        geo = load_geography()
        quads = synthetic_quads(generate(actors, seed=42, geo=geo), geo)
        import shutil

        shutil.rmtree(where, ignore_errors=True)
        where.parent.mkdir(parents=True, exist_ok=True)
        store = Store(str(where))
        store.bulk_extend(quads)
        store.flush()
        del store, quads
        marker.write_text(str(actors))
        print(f"  store of {actors:,} actors built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    graph = kg.open(where)
    t = time.perf_counter()
    G = cached_project(graph)
    return graph, G, time.perf_counter() - t


def pyvis_fixed(G: nx.MultiDiGraph, out: Path) -> tuple[float, int, int]:
    """Raw pyvis, physics off, every node of the whole view but the territories (the groups of ours) at
    fixed positions; returns seconds, bytes and nodes."""
    from pyvis.network import Network

    from kg.present.groups import grid
    from kg.present.style import FAMILIES, family

    t0 = time.perf_counter()
    ids = sorted((n for n, d in G.nodes(data=True) if d.get("kind") != "territory"), key=str)
    index = {n: i for i, n in enumerate(ids)}
    where = grid(len(ids), width=200, height=90)
    net = Network(height="750px", width="100%", directed=True, cdn_resources="in_line")
    net.toggle_physics(False)
    for i, n in enumerate(ids):
        d = G.nodes[n]
        colour, shape = FAMILIES[family(d)]
        net.nodes.append(
            {
                "id": i,
                "label": str(d.get("label") or n),
                "x": where[i][0],
                "y": where[i][1],
                "color": colour,
                "shape": shape,
                "physics": False,
            }
        )
    net.node_ids = list(range(len(ids)))
    net.node_map = {node["id"]: node for node in net.nodes}
    for a, b in G.edges():
        if a in index and b in index:
            net.edges.append({"from": index[a], "to": index[b], "arrows": "to"})
    net.write_html(str(out))
    return time.perf_counter() - t0, out.stat().st_size, len(ids)


def run_large(actors_list: list[int], store_dir: Path, timeout: float) -> list[dict[str, Any]]:
    from kg.present.view import view

    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-view-") as tmp:
        for actors in actors_list:
            graph, G, proj_s = national(actors, store_dir / str(actors) / "store")
            print(
                f"[{actors:,} actors: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; "
                f"projection loaded in {proj_s:.1f} s]",
                file=sys.stderr,
            )
            t0 = time.perf_counter()
            r = view(graph, whole=True, G=G, group_by="territory", out=Path(tmp) / f"ours-{actors}.html")
            ours_s = time.perf_counter() - t0
            ours = interactive(r.path, physics=False, timeout=timeout)
            groups = len(r.model.addons["groups"]["g"]) if r.model else 0
            print(
                f"  ours: {ours_s:.1f} s, {r.bytes / 1e6:.1f} MB, first frame {ours['ms']} ms",
                file=sys.stderr,
            )
            path = Path(tmp) / f"pyvis-{actors}.html"
            pv_s, pv_bytes, pv_nodes = pyvis_fixed(G, path)
            pv = interactive(path, physics=False, timeout=timeout)
            print(
                f"  pyvis: {pv_s:.1f} s, {pv_bytes / 1e6:.1f} MB, first frame {pv['ms']} ms", file=sys.stderr
            )
            rows.append(
                {
                    "actors": actors,
                    "nodes": G.number_of_nodes(),
                    "edges": G.number_of_edges(),
                    "ours_drawn": r.nodes,
                    "ours_groups": groups,
                    "ours_s": ours_s,
                    "ours_mb": r.bytes / 1e6,
                    "ours_ms": ours["ms"],
                    "ours_errors": ours["errors"],
                    "pyvis_nodes": pv_nodes,
                    "pyvis_s": pv_s,
                    "pyvis_mb": pv_bytes / 1e6,
                    "pyvis_ms": pv["ms"],
                }
            )
    return rows


def large_table(rows: list[dict[str, Any]], cap: float) -> str:
    def ms(v: float | None) -> str:
        return f"> {cap * 1000:,.0f} (cap)" if v is None else f"{v:,.0f}"

    def ratio(a: float | None, b: float | None) -> str:
        return "–" if a is None or b is None or not a else f"{b / a:.1f} x"

    lines = [
        "| actors (projection nodes, edges) | view | drawn at first | write s | HTML MB | first frame ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = "PASS" if r["ours_s"] < 30 and r["ours_mb"] < 10 else "FAIL"
        if r["actors"] <= 20_000:
            target = "PASS" if r["ours_ms"] is not None and r["ours_ms"] < 2000 else "FAIL"
        head = f"{r['actors']:,} ({r['nodes']:,}, {r['edges']:,})"
        lines.append(
            f"| {head} | kg view --all (groups by territory; {r['ours_groups']:,} groups in the file) | "
            f"{r['ours_drawn']} groups | {r['ours_s']:.1f} | {r['ours_mb']:.1f} | "
            f"{ms(r['ours_ms'])} ({target}) |"
        )
        lines.append(
            f"| {head} | raw pyvis, physics off, fixed positions | {r['pyvis_nodes']:,} nodes | "
            f"{r['pyvis_s']:.1f} | {r['pyvis_mb']:.1f} | {ms(r['pyvis_ms'])} |"
        )
        lines.append(
            f"| {head} | pyvis / ours | | {ratio(r['ours_s'], r['pyvis_s'])} | "
            f"{ratio(r['ours_mb'], r['pyvis_mb'])} | {ratio(r['ours_ms'], r['pyvis_ms'])} |"
        )
    return "\n".join(lines)


def table(rows: list[dict[str, Any]], cap: float) -> str:
    lines = [
        (
            "| nodes (edges) | view | runs | HTML MB | generation s (layout incl.) | interactive ms "
            "| requests blocked | targets |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        tti = (
            f"> {cap * 1000:,.0f} (cap)"
            if r["timed_out"]
            else f"{r['tti_ms']:,.0f} [{r['tti_min']:,.0f}–{r['tti_max']:,.0f}]"
        )
        target = ""
        if r["view"] == "ours" and r["nodes"] >= 5000:
            ok = r["gen_s"] <= 10 and r["tti_ms"] is not None and r["tti_ms"] <= 1500
            target = ("PASS" if ok else "FAIL") + " (≤ 10 s, ≤ 1,500 ms)"
        name = (
            "kg view (igraph layout, physics off)"
            if r["view"] == "ours"
            else "raw pyvis (from_nx, in_line, physics on)"
        )
        lines.append(
            f"| {r['nodes']:,} ({r['edges']:,}) | {name} | {r['runs']} | {r['mb']:.2f} | "
            f"{r['gen_s']:.2f} [{r['gen_min']:.2f}–{r['gen_max']:.2f}] | {tti} | {r['blocked']} | {target} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100 and 1,000 nodes, one run, pyvis capped at 30 s")
    ap.add_argument("--sizes", type=int, nargs="*", help="node counts (default 100 1000 5000)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per measure (default 3, 1 with --quick)")
    ap.add_argument(
        "--pyvis-timeout",
        type=float,
        default=None,
        help="seconds before a physics-on pyvis page counts as not interactive (default 120, 30 quick)",
    )
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    ap.add_argument(
        "--large", action="store_true", help="the national default views (20,000 / 100,000 actors)"
    )
    ap.add_argument("--actors", type=int, nargs="*", help="actor counts with --large (default 20000 100000)")
    ap.add_argument(
        "--store-dir",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "view-stores",
        help="where --large keeps its synthetic stores between runs",
    )
    args = ap.parse_args()
    if not chromium_available():
        sys.exit(
            "Debian's chromium (/usr/bin/chromium) and playwright are needed: apt-get install chromium; "
            "pip install playwright"
        )
    if args.large:
        cap = args.pyvis_timeout or 180.0
        load = os.getloadavg()
        large = run_large(args.actors or [20_000, 100_000], args.store_dir, cap)
        print(large_table(large, cap))
        print(
            f"\n{os.cpu_count()} CPUs; load average (1 min) {load[0]:.1f} at start, "
            f"{os.getloadavg()[0]:.1f} at end"
        )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(large, indent=2), encoding="utf-8")
        return
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 5000])
    repeats = args.repeats or (1 if args.quick else 3)
    cap = args.pyvis_timeout or (30.0 if args.quick else 120.0)
    load = os.getloadavg()
    rows = run(sizes, repeats, cap)
    print(table(rows, cap))
    end = os.getloadavg()
    print(
        f"\n{os.cpu_count()} CPUs; load average (1 min) {load[0]:.1f} at start, {end[0]:.1f} at end; "
        f"Chromium {CHROMIUM}; repeats {repeats}; pyvis cap {cap:.0f} s"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
