"""Load benchmark of ``kg serve`` beside Oxigraph's own server, on the same store, loopback only.

    .venv/bin/python benchmarks/bench_serve.py                  # every scenario, both servers, 15 s each
    .venv/bin/python benchmarks/bench_serve.py --duration 30 --check
    .venv/bin/python benchmarks/bench_serve.py --before ../main-checkout    # and kg serve as it was, same run

In one run, for ``kg serve`` (``python -m kg.cli.serve``, default settings) and then for Oxigraph's server
(``oxigraph serve-read-only --union-default-graph``, with ``--timeout-s 10`` in the floods: the baseline, same
store, same engine, a thread per request, no fairness rules), each scenario on a freshly started server:

1. **simple SELECTs** from ``--clients`` concurrent keep-alive clients (8 and 32): throughput, p50/p99, and
   the CPU time per answer of all the server's processes (and of the load generator), which a busy
   machine's scheduler distorts less than q/s;
2. **a fast ASK while two clients flood heavy queries** (a ``COUNT`` over a cross product, never done within
   the time limit): one prober sends the ASK every 50 ms; its p99 (goal ≤ 200 ms) and its failures;
3. the same, the two heavy clients **hanging up after 0.3 s** and sending the next one at once;
4. **a flood of ORDER BY over the whole store** from two clients (the store sorted, and the store times itself
   sorted): the peak RSS of the query processes (``kg serve``'s workers, against their ``worker_memory_mb``
   cap; Oxigraph's server process, stopped by the benchmark past ``--oxigraph-rss-cap-mb``), and the answers.

Every client connects from its own loopback address (127.0.0.x): ``kg serve`` tells clients apart by address.
Clients are asyncio tasks on raw sockets (the load generator costs little of the 2 cores). Queries carry their
``PREFIX`` declarations, so both servers run the same text. Ratios are ``kg serve`` / Oxigraph, measured in
the same run. Writes ``benchmarks/out/bench_serve.json``. Bounded: ``--duration`` ≤ 120 s, ≤ 64 clients,
loopback only. ``--check`` exits 1 if a target is missed (≥ 300 q/s and p99 ≤ 100 ms at 8 clients; fast
ASK p99 ≤ 200 ms under both floods; no worker past its cap).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, by construction
TARGET_QPS, TARGET_P99_MS, TARGET_ASK_P99_MS = 300, 100.0, 200.0
TARGET_RATIO = 3.0  # issue 15: simple SELECTs at 8 clients within 3x of Oxigraph's server
WORKER_NAME = "kg-serve-worker"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
ORDER_BY = [
    "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY STR(?o) ?s",
    "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } ORDER BY ?o ?c",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def address(i: int) -> str:
    """The loopback address of client *i* (127.0.0.10 onwards)."""
    return f"127.0.0.{10 + i}"


def with_prefixes(query: str) -> str:
    from kg.model.vocab import PREFIXES

    used = [p for p in PREFIXES if f"{p}:" in query]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + query


def pick_queries(store: Path, n: int = 200, seed: int = 42) -> tuple[list[str], str]:
    """Simple SELECTs about real actors and communes of the store, and a fast ASK."""
    import kg

    g = kg.open(store)
    actors = [r["a"] for r in g.query("SELECT ?a WHERE { ?a a org:Organization }")]
    communes = [r["c"] for r in g.query("SELECT ?c WHERE { ?c a igeo:Commune } LIMIT 2000")]
    rnd = random.Random(seed)
    templates = [
        (actors, "SELECT ?label WHERE {{ <{}> rdfs:label ?label }}"),
        (actors, "SELECT ?type WHERE {{ <{}> a ?type }}"),
        (communes, "SELECT ?p ?o WHERE {{ <{}> ?p ?o }} LIMIT 20"),
        (communes, "SELECT ?label ?pop WHERE {{ <{}> rdfs:label ?label ; tkg:population ?pop }}"),
    ]
    out = []
    for _ in range(n):
        pool, t = rnd.choice(templates)
        out.append(with_prefixes(t.format(rnd.choice(pool))))
    return out, with_prefixes(f"ASK {{ <{actors[0]}> rdfs:label ?label }}")


# --- the two servers ---------------------------------------------------------------------------------------


class Target:
    """A server under test: how to start it, its URL path, and its query processes."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        path: str,
        flood_args: tuple[str, ...] = (),
        memory_args: tuple[str, ...] = (),
        cwd: Path = ROOT,
    ):
        self.name, self.cmd, self.path, self.flood_args = name, cmd, path, flood_args
        self.memory_args, self.cwd = memory_args, cwd
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self, flood: bool = False, memory: bool = False) -> None:
        self.port = free_port()
        cmd = [c.replace("PORT", str(self.port)) for c in self.cmd] + list(self.flood_args if flood else ())
        cmd += list(self.memory_args if memory else ())
        env = {**os.environ, "PYTHONPATH": str(self.cwd)}  # kg from that checkout
        self.proc = subprocess.Popen(
            cmd, cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://{HOST}:{self.port}{self.path}?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited at start")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within 60 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def query_pids(self) -> list[int]:
        """The processes that run queries: kg serve's workers, or Oxigraph's server itself."""
        assert self.proc is not None
        if not self.name.startswith("kg serve"):
            return [self.proc.pid]
        out = []
        for d in os.listdir("/proc"):
            if d.isdigit() and _comm(int(d)) == WORKER_NAME and _parent(_parent(int(d))) == self.proc.pid:
                out.append(int(d))
        return out


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _rss_mb(pid: int, field: str = "VmHWM") -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- HTTP on raw sockets -----------------------------------------------------------------------------------


def request_bytes(target: Target, query: str) -> bytes:
    return (
        f"GET {target.path}?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\n"
        f"Host: {HOST}:{target.port}\r\n"
        "Accept: application/sparql-results+json\r\n\r\n"
    ).encode()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(status, body) of one response: Content-Length or chunked."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked = None, False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if length is not None:
        return status, await reader.readexactly(length)
    body = b""
    while chunked:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        body += await reader.readexactly(size + 2)
        if size == 0:
            break
    return status, body


class Load:
    """Latencies and failures of one scenario."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.failures: dict[str, int] = {}

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


async def closed_loop(
    target: Target, requests: list[bytes], i: int, stop_at: float, load: Load, pause: float
):
    """One client from its own address: a request, its answer, *pause*, again, until *stop_at*."""
    rnd = random.Random(i)
    reader, writer = await asyncio.open_connection(HOST, target.port, local_addr=(address(i), 0))
    try:
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                writer.write(rnd.choice(requests))
                status, _ = await asyncio.wait_for(read_response(reader), 30)
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                load.fail(type(exc).__name__)
                writer.close()
                while time.monotonic() < stop_at:  # the server may have stopped answering: count, retry
                    try:
                        reader, writer = await asyncio.open_connection(
                            HOST, target.port, local_addr=(address(i), 0)
                        )
                        break
                    except OSError as again:
                        load.fail(type(again).__name__)
                        await asyncio.sleep(0.1)
                continue
            load.latencies.append(time.perf_counter() - t0)
            if status != 200:
                load.fail(f"HTTP {status}")
            if pause:
                await asyncio.sleep(pause)
    finally:
        writer.close()


async def heavy_client(
    target: Target, queries: list[str], i: int, stop_at: float, hang_up: float | None, seen: Load
):
    """Send heavy queries one after another from address *i*; with *hang_up*, hang up after that long."""
    k = 0
    while time.monotonic() < stop_at:
        req = request_bytes(target, queries[k % len(queries)])
        k += 1
        try:
            reader, writer = await asyncio.open_connection(HOST, target.port, local_addr=(address(i), 0))
        except OSError as exc:
            seen.fail(type(exc).__name__)
            await asyncio.sleep(0.1)
            continue
        try:
            writer.write(req)
            left = stop_at - time.monotonic()
            status, body = await asyncio.wait_for(read_response(reader), min(hang_up or 30, max(left, 0.01)))
            seen.fail(f"HTTP {status} {body[:40].decode(errors='replace').strip()}")
        except TimeoutError:
            seen.fail("hung up" if hang_up else "cut at the end of the scenario")
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            seen.fail(type(exc).__name__)
        finally:
            writer.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def summary(load: Load, elapsed: float) -> dict[str, Any]:
    lat = load.latencies
    return {
        "requests": len(lat),
        "qps": round(len(lat) / elapsed, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat) * 1000, 1) if lat else None,
        "failures": load.failures,
    }


# --- scenarios ---------------------------------------------------------------------------------------------


def selects(
    target: Target, queries: list[str], clients: int, duration: float, warmup: float
) -> dict[str, Any]:
    requests = [request_bytes(target, q) for q in queries]

    async def run(seconds: float) -> tuple[Load, float]:
        load, t0 = Load(), time.monotonic()
        await asyncio.gather(
            *(closed_loop(target, requests, i, t0 + seconds, load, 0) for i in range(clients))
        )
        return load, time.monotonic() - t0

    if warmup:
        asyncio.run(run(warmup))
    assert target.proc is not None
    server0, client0 = tree_cpu_s(target.proc.pid), os.times()
    load, elapsed = asyncio.run(run(duration))
    server1, client1 = tree_cpu_s(target.proc.pid), os.times()
    out = summary(load, elapsed)
    n = max(len(load.latencies), 1)
    # CPU per answer, all the server's processes (front ends, workers) and the load generator: what the
    # scheduler's share of a busy machine does not distort, unlike q/s
    out["server_cpu_us"] = round(1e6 * sum(server1[p] - server0.get(p, 0.0) for p in server1) / n, 1)
    out["client_cpu_us"] = round(1e6 * (client1.user + client1.system - client0.user - client0.system) / n, 1)
    return out


def tree_cpu_s(root: int) -> dict[int, float]:
    """CPU seconds (user + system) of *root* and every process under it, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(d))
        cpu[int(d)] = (int(fields[11]) + int(fields[12])) / tick
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in cpu:
            out[pid] = cpu[pid]
        todo.extend(children.get(pid, []))
    return out


def flood(
    target: Target, ask: str, heavy: list[str], duration: float, hang_up: float | None, cap_mb: float | None
) -> dict[str, Any]:
    """Two heavy clients and one prober sending *ask* every 50 ms; peak RSS of the query processes."""
    peak = {"mb": 0.0, "stopped": False}
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid in target.query_pids():
                peak["mb"] = max(peak["mb"], _rss_mb(pid))
                if cap_mb and _rss_mb(pid, "VmRSS") > cap_mb:  # Oxigraph has no cap: the benchmark is one
                    peak["stopped"] = True
                    target.proc.kill()  # type: ignore[union-attr]
            time.sleep(0.05)

    async def run() -> tuple[Load, Load, float]:
        probe, heavy_seen, t0 = Load(), Load(), time.monotonic()
        stop_at = t0 + duration
        await asyncio.gather(
            heavy_client(target, heavy, 0, stop_at, hang_up, heavy_seen),
            heavy_client(target, heavy[::-1], 1, stop_at, hang_up, heavy_seen),
            closed_loop(target, [request_bytes(target, ask)], 2, stop_at, probe, 0.05),
        )
        return probe, heavy_seen, time.monotonic() - t0

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        probe, heavy_seen, elapsed = asyncio.run(run())
    finally:
        done.set()
        watcher.join()
    out = summary(probe, elapsed)
    out["heavy_answers"] = heavy_seen.failures
    out["peak_rss_mb"] = round(peak["mb"], 1)
    out["stopped_past_mb"] = cap_mb if peak["stopped"] else None
    return out


def run_all(target: Target, a: argparse.Namespace, queries: list[str], ask: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    cap = None if target.name.startswith("kg serve") else a.oxigraph_rss_cap_mb
    scenarios: list[tuple[str, Any]] = [
        *((f"select_{c}", lambda c=c: selects(target, queries, c, a.duration, a.warmup)) for c in a.clients),
        ("ask_under_heavy", lambda: flood(target, ask, [with_prefixes(HEAVY)], a.duration, None, cap)),
        ("ask_under_heavy_hang_up", lambda: flood(target, ask, [with_prefixes(HEAVY)], a.duration, 0.3, cap)),
        ("order_by_flood", lambda: flood(target, ask, ORDER_BY, a.duration, None, cap)),
    ]
    for name, scenario in scenarios:
        print(f"  {target.name}: {name}…", file=sys.stderr, flush=True)
        target.start(flood=not name.startswith("select"), memory=name == "order_by_flood")
        try:
            results[name] = scenario()
        finally:
            target.stop()
    return results


def ratio(kg: float | None, ox: float | None) -> str:
    return f"{kg / ox:.2f}" if kg and ox else "–"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=ROOT / "build" / "store")
    ap.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32])
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of each scenario (≤ 120)")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--oxigraph", default=str(Path(sys.executable).parent / "oxigraph"))
    ap.add_argument(
        "--oxigraph-rss-cap-mb", type=float, default=3000, help="stop Oxigraph's server past this"
    )
    ap.add_argument(
        "--memory-cap-mb",
        type=int,
        default=512,
        help="kg serve --worker-memory-mb in the ORDER BY flood (low enough to be reached within the time "
        "limit on a busy machine; the default cap is 1024)",
    )
    ap.add_argument(
        "--before",
        type=Path,
        help="also run kg serve from this checkout (e.g. a worktree of main) as 'before', in the same run",
    )
    ap.add_argument(
        "--before-python", default=sys.executable, help="the Python of --before (e.g. its own venv)"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "bench_serve.json")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    a = ap.parse_args(argv)
    if not (0 < a.duration <= 120 and all(0 < c <= 64 for c in a.clients) and 0 <= a.warmup <= 30):
        ap.error("keep --duration in (0, 120], --clients in (0, 64], --warmup in [0, 30]")
    if not a.store.is_dir():
        ap.error(f"no store at {a.store}; run kg build first")
    from kg.serve.settings import Settings

    settings = Settings()
    queries, ask = pick_queries(a.store)
    kg_serve = Target(
        "kg serve",
        [sys.executable, "-m", "kg.cli.serve", "--store", str(a.store), "--host", HOST, "--port", "PORT"],
        "/sparql",
        memory_args=("--worker-memory-mb", str(a.memory_cap_mb)),
    )
    oxigraph = Target(
        "oxigraph",
        [
            a.oxigraph,
            "serve-read-only",
            "--location",
            str(a.store),
            "--bind",
            f"{HOST}:PORT",
            "--union-default-graph",
        ],
        "/query",
        # its time limit, as kg serve's, only in the floods: with --timeout-s, Oxigraph 0.5.13 keeps a thread
        # per query for the whole timeout, and at thousands of SELECTs a second runs out of threads
        ("--timeout-s", str(settings.time_limit_ms // 1000)),
    )
    version = subprocess.run([a.oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    load_before = os.getloadavg()[0]
    res = {"kg serve": run_all(kg_serve, a, queries, ask), "oxigraph": run_all(oxigraph, a, queries, ask)}
    if a.before:
        before = Target(
            "kg serve (before)",
            [a.before_python, *kg_serve.cmd[1:]],
            "/sparql",
            memory_args=kg_serve.memory_args,
            cwd=a.before.resolve(),
        )
        res["before"] = run_all(before, a, queries, ask)
    k, o = res["kg serve"], res["oxigraph"]
    cap = a.memory_cap_mb
    rows = [
        *(
            (
                f"SELECT, {c} clients: q/s (p50 / p99 ms)",
                f"select_{c}",
                "qps",
                f"{TARGET_QPS}+, ≥ {1 / TARGET_RATIO:.2f} of Oxigraph" if c == 8 else "",
            )
            for c in a.clients
        ),
        *(
            (f"SELECT, {c} clients: server CPU µs per answer", f"select_{c}", "server_cpu_us", "")
            for c in a.clients
        ),
        ("fast ASK, 2 clients flooding heavy COUNTs: p99 ms", "ask_under_heavy", "p99_ms", "≤ 200"),
        ("fast ASK, the same hanging up after 0.3 s: p99 ms", "ask_under_heavy_hang_up", "p99_ms", "≤ 200"),
        ("fast ASK, 2 clients flooding ORDER BY: p99 ms", "order_by_flood", "p99_ms", ""),
        ("ORDER BY flood: peak RSS of a query process, MB", "order_by_flood", "peak_rss_mb", f"cap {cap}"),
    ]
    print(
        f"\nkg serve (defaults: {settings.workers} workers, {settings.reserved} reserved; "
        f"worker_memory_mb {cap} in the ORDER BY flood) vs {version}"
    )
    print(
        f"same store ({a.store}), 127.0.0.1, {os.cpu_count()} CPUs, load average {load_before:.1f} at start\n"
    )
    print(f"{'scenario':<52} {'kg serve':>22} {'Oxigraph':>22} {'kg/Oxigraph':>12}  target")
    for label, scenario, key, target in rows:
        kv, ov = k[scenario][key], o[scenario][key]
        if key == "qps":
            ks = f"{kv:,.0f} ({k[scenario]['p50_ms']} / {k[scenario]['p99_ms']})"
            os_ = f"{ov:,.0f} ({o[scenario]['p50_ms']} / {o[scenario]['p99_ms']})"
        else:
            ks, os_ = (
                f"{kv}",
                f"{ov}" + (" (stopped)" if key == "peak_rss_mb" and o[scenario]["stopped_past_mb"] else ""),
            )
        print(f"{label:<52} {ks:>22} {os_:>22} {ratio(kv, ov):>12}  {target}")
        if a.before:
            b = res["before"][scenario]
            bs = f"{b[key]:,.0f} ({b['p50_ms']} / {b['p99_ms']})" if key == "qps" else f"{b[key]}"
            print(f"{'  before (' + str(a.before) + ')':<52} {bs:>22} {'':>22} {ratio(b[key], ov):>12}")
    print("\nfailures and answers (fast ASK prober; heavy clients):")
    for name in ("ask_under_heavy", "ask_under_heavy_hang_up", "order_by_flood"):
        for who, r in (("kg serve", k[name]), ("oxigraph", o[name])):
            print(
                f"  {name:<24} {who:<9} ASK max {r['max_ms']} ms, failed {r['failures'] or 0}; "
                f"heavy {r['heavy_answers']}"
            )
    for c in a.clients:
        for who, r in (("kg serve", k[f"select_{c}"]), ("oxigraph", o[f"select_{c}"])):
            if r["failures"]:
                print(f"  select_{c:<17} {who:<9} failures {r['failures']}")
    met = {
        "select_8": k.get("select_8", {}).get("qps", 0) >= TARGET_QPS
        and k.get("select_8", {}).get("p99_ms", 1e9) <= TARGET_P99_MS,
        "ask_p99": all(
            k[s]["p99_ms"] <= TARGET_ASK_P99_MS and not k[s]["failures"]
            for s in ("ask_under_heavy", "ask_under_heavy_hang_up")
        ),
        "select_8_within_3x": bool(o.get("select_8", {}).get("qps"))
        and k.get("select_8", {}).get("qps", 0) * TARGET_RATIO >= o["select_8"]["qps"],
        "memory_cap": k["order_by_flood"]["peak_rss_mb"] <= cap + 100,  # RSS also counts shared code, ~40 MB
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps(
            {
                "results": res,
                "targets_met": met,
                "oxigraph": version,
                "settings": {
                    "workers": settings.workers,
                    "reserved": settings.reserved,
                    "worker_memory_mb": cap,
                },
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "loadavg_1min_start": load_before,
                    "loadavg_1min_end": os.getloadavg()[0],
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    verdicts = ", ".join(f"{n} {'met' if v else 'MISSED'}" for n, v in met.items())
    print(f"\ntargets: {verdicts}   -> {a.out}")
    return 1 if a.check and not all(met.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
