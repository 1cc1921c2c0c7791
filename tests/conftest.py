"""Shared fixtures: the real curated graph, built once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/territorial-kg/id/actor/"
PROGRAMME = "https://w3id.org/territorial-kg/id/programme/"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """Path of a store built from data/ (real curated data and geography)."""
    out = tmp_path_factory.mktemp("kg")
    kg.build(ROOT / "data", out / "store", out / "graph.trig", ontology_dir=ROOT / "ontology")
    return out / "store"


@pytest.fixture(scope="session")
def graph(built_store):
    return kg.open(built_store)


@pytest.fixture(scope="session")
def projection(graph):
    from kg.network.projection import project

    return project(graph)


# -- servers on loopback (kg serve, the Oxigraph server) ---------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cmd: list[str], url: str, what: str, **popen):
    """Start *cmd* (its output in a temporary file, never a pipe that could fill and block it) and wait
    until *url* answers ``ASK {}``; returns the process (output readable with :func:`server_output`)."""
    import subprocess
    import tempfile
    import time

    import httpx

    log = tempfile.TemporaryFile()  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **popen)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120  # generous: CI machines may be busy
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(server_output(proc))
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=10).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{what} did not start")


def server_output(proc) -> str:
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")


def stop(proc) -> None:
    import subprocess

    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
