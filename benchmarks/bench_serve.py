"""Load benchmark of ``kg serve``: concurrent clients for a fixed time, loopback only.

    .venv/bin/python benchmarks/bench_serve.py                # 8 clients, 15 s, built store
    .venv/bin/python benchmarks/bench_serve.py --clients 16 --duration 30 --check

Starts ``kg serve`` (``python -m kg.cli.serve``) on 127.0.0.1 with a free port over the
built store (curated graph plus geography), waits until it answers, warms up for 2 s,
then runs ``--clients`` concurrent keep-alive HTTP/1.1 clients (one asyncio task each,
raw sockets so that the client costs little of the 2 cores) for ``--duration`` seconds,
each sending simple SELECTs (label of an actor, types of an actor, facts of a commune,
chosen at random with a fixed seed). It reports throughput, p50/p90/p99/max latency and
errors (non-200 answers, socket errors), writes them as JSON (``--out``) and stops the
server. Bounded: duration ≤ 120 s, clients ≤ 64, requests ≤ ``--max-requests``; the target
is 127.0.0.1 only. ``--check`` exits 1 when the target (≥ 300 q/s, p99 ≤ 100 ms, no
error) is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, by construction
TARGET_QPS, TARGET_P99_MS = 300, 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pick_queries(store: Path, n: int = 200, seed: int = 42) -> list[str]:
    """Simple SELECTs about real actors and communes of the store."""
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
        out.append(t.format(rnd.choice(pool)))
    return out


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "kg.cli.serve",
        "--store",
        str(store),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{HOST}:{port}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer within 60 s")


async def client(
    port: int,
    requests: list[bytes],
    stop_at: float,
    budget: list[int],
    latencies: list[float],
    errors: dict[str, int],
    rnd: random.Random,
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            req = rnd.choice(requests)
            t0 = time.perf_counter()
            try:
                writer.write(req)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
    finally:
        writer.close()


async def load(
    port: int, queries: list[str], clients: int, duration: float, max_requests: int, seed: int
) -> tuple[list[float], dict[str, int], float]:
    requests = [
        (
            f"GET /sparql?{urllib.parse.urlencode({'query': q})} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Accept: application/sparql-results+json\r\n\r\n"
        ).encode()
        for q in queries
    ]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    budget = [max_requests]
    t0 = time.monotonic()
    stop_at = t0 + duration
    await asyncio.gather(
        *(
            client(port, requests, stop_at, budget, latencies, errors, random.Random(seed + i))
            for i in range(clients)
        )
    )
    return latencies, errors, time.monotonic() - t0


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=ROOT / "build" / "store")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of measured load (≤ 120)")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "bench_serve.json")
    ap.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    a = ap.parse_args(argv)
    if not (0 < a.duration <= 120 and 0 < a.clients <= 64 and 0 <= a.warmup <= 30):
        ap.error("keep --duration in (0, 120], --clients in (0, 64], --warmup in [0, 30]")
    if not a.store.is_dir():
        ap.error(f"no store at {a.store}; run kg build first")
    queries = pick_queries(a.store, seed=a.seed)
    port = free_port()
    proc = start_server(a.store, port, a.workers)
    try:
        if a.warmup:
            asyncio.run(load(port, queries, a.clients, a.warmup, a.max_requests, a.seed + 1000))
        lat, errors, elapsed = asyncio.run(load(port, queries, a.clients, a.duration, a.max_requests, a.seed))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat.sort()
    n_err = sum(errors.values())
    qps = len(lat) / elapsed
    res = {
        "clients": a.clients,
        "duration_s": round(elapsed, 2),
        "workers": a.workers,
        "requests": len(lat),
        "throughput_qps": round(qps, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 2),
        "p90_ms": round(percentile(lat, 90) * 1000, 2),
        "p99_ms": round(percentile(lat, 99) * 1000, 2),
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
        "errors": n_err,
        "error_kinds": errors,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_1min_after": os.getloadavg()[0],
        },
        "target": {"qps": TARGET_QPS, "p99_ms": TARGET_P99_MS},
    }
    res["target_met"] = qps >= TARGET_QPS and res["p99_ms"] <= TARGET_P99_MS and n_err == 0
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(
        f"{len(lat)} requests in {elapsed:.1f} s from {a.clients} clients: {qps:.0f} q/s, "
        f"p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms, max {res['max_ms']} ms, "
        f"errors {n_err} {errors or ''}"
    )
    print(
        f"target (≥ {TARGET_QPS} q/s, p99 ≤ {TARGET_P99_MS:.0f} ms, no error): "
        f"{'met' if res['target_met'] else 'MISSED'}   -> {a.out}"
    )
    return 1 if a.check and not res["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
