"""kg.store.isolation and the workers of kg serve: the processes that run queries cannot reach the network,
whatever the guard lets through; kg serve refuses to start when that cannot be enforced."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import free_port, server_output, start_server, stop

from kg.errors import StoreError
from kg.store.isolation import SUPPORTED, network_probe, seccomp_program

ROOT = Path(__file__).resolve().parent.parent
MACHINE_OK = sys.platform.startswith("linux") and __import__("platform").machine() in (*SUPPORTED, "arm64")
needs_seccomp = pytest.mark.skipif(
    not MACHINE_OK, reason="seccomp isolation needs Linux on x86_64 or aarch64"
)


class Listener:
    """A TCP server on 127.0.0.1 counting the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


# --- the filter ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("machine", sorted(SUPPORTED))
def test_filter_jumps_stay_inside_the_program_and_end_in_a_return(machine):
    program = seccomp_program(machine)
    for i, (code, jt, jf, _) in enumerate(program):
        if code & 0x07 == 0x05:  # a jump
            assert i + 1 + jt < len(program) and i + 1 + jf < len(program)
    assert program[-1] == (0x06, 0, 0, 0x00050000 | 1)  # RET ERRNO(EPERM)
    assert program[1][3] == SUPPORTED[machine][0]  # the architecture is checked first


def test_another_architecture_is_refused_clearly():
    with pytest.raises(StoreError, match=r"riscv64.*x86_64 or aarch64"):
        seccomp_program("riscv64")


def test_the_test_process_itself_is_not_isolated():
    assert network_probe() == "socket(AF_INET) was opened"


CHILD = """
import socket, sys
import pyoxigraph as ox
from kg.store.isolation import deny_network, network_probe
deny_network()
print("probe", network_probe())
a, b = socket.socketpair(); a.send(b"x"); print("unix", b.recv(1) == b"x")
try:
    list(ox.Store().query("SELECT * WHERE { SERVICE <%s> { ?s ?p ?o } }"))
except OSError as exc:
    print("service", type(exc).__name__)
try:
    socket.create_connection(("127.0.0.1", %d), timeout=2)
except OSError as exc:
    print("connect", type(exc).__name__)
"""


@needs_seccomp
def test_a_denied_process_cannot_connect_and_keeps_its_unix_sockets(listener):
    out = subprocess.run(
        [sys.executable, "-c", CHILD % (listener.url, listener.port)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:4] == [
        "probe None",
        "unix True",
        "service PermissionError",
        "connect PermissionError",
    ]
    time.sleep(0.2)
    assert listener.connections == 0


@needs_seccomp
def test_the_start_up_check_sees_a_denied_worker():
    from kg.serve.workers import check_isolation

    isolated, how = check_isolation()
    assert isolated and "seccomp" in how


# --- kg serve ---------------------------------------------------------------------------------------------

ISSUE_BYPASSES = [
    "SELECT * WHERE { #x\rSERVICE <URL> { ?s ?p ?o } }",
    "PREFIX e: <http://e/> SELECT * WHERE { VALUES ?v { e:a\\#b } SERVICE <URL> { ?s ?p ?o } }",
]
METHODS = ("get", "post-form", "post-direct")


def ask(url: str, query: str, method: str, **headers: str) -> httpx.Response:
    if method == "get":
        return httpx.get(url, params={"query": query}, headers=headers, timeout=30)
    if method == "post-form":
        return httpx.post(url, data={"query": query}, headers=headers, timeout=30)
    return httpx.post(
        url,
        content=query.encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
        timeout=30,
    )


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    """A store of one quad (kg serve needs no more, and it is built in milliseconds)."""
    path = tmp_path_factory.mktemp("tiny") / "store"
    store = ox.Store(str(path))
    e = "http://example.org/"
    store.add(
        ox.Quad(ox.NamedNode(e + "s"), ox.NamedNode(e + "p"), ox.NamedNode(e + "o"), ox.NamedNode(e + "g"))
    )
    store.flush()
    del store
    return path


# kg serve with the guard switched off, as a bypass of it would leave things
NO_GUARD = textwrap.dedent(
    """
    import sys
    import kg.serve.app as app
    from kg.store.guard import Inspection
    app.check_query = lambda *args, **kwargs: Inspection()
    from kg.cli.serve import main
    main()
    """
)


def serve(store: Path, *extra: str, guard: bool = True, env: dict[str, str] | None = None):
    port = free_port()
    entry = ["-m", "kg.cli.serve"] if guard else ["-c", NO_GUARD]
    cmd = [sys.executable, *entry, "--store", str(store), "--port", str(port), "--workers", "1", *extra]
    url = f"http://127.0.0.1:{port}/sparql"
    return start_server(cmd, url, "kg serve", cwd=ROOT, env=env), url


@pytest.fixture(scope="module")
def unguarded(tiny_store):
    proc, url = serve(tiny_store, guard=False)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc), server_output(proc)


@pytest.fixture(scope="module")
def guarded(tiny_store):
    proc, url = serve(tiny_store)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc), server_output(proc)


@needs_seccomp
@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
def test_without_the_guard_the_workers_still_cannot_connect(unguarded, listener, method):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    r = ask(unguarded, query, method)
    assert r.status_code == 403, r.text
    assert "no network" in r.text and "Traceback" not in r.text
    ok = ask(unguarded, "ASK { ?s ?p ?o }", method, Accept="application/sparql-results+json")
    assert ok.status_code == 200 and ok.json()["boolean"] is True  # the worker goes on serving
    time.sleep(0.2)
    assert listener.connections == 0


@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bypass", ISSUE_BYPASSES, ids=["comment-ended-by-CR", "escape-in-prefixed-name"])
def test_the_bypasses_of_the_issue_get_403(guarded, listener, method, bypass):
    r = ask(guarded, bypass.replace("URL", listener.url), method)
    assert r.status_code == 403 and "SERVICE is refused" in r.text, r.text
    time.sleep(0.1)
    assert listener.connections == 0


@needs_seccomp
@pytest.mark.server
def test_load_of_a_remote_document_fails_cleanly_in_the_writable_worker(tiny_store, tmp_path, listener):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(tiny_store, store)
    headers = {"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"}
    for guard in (True, False):
        proc, url = serve(store, "--update-token", "s3cret", guard=guard)
        try:
            r = httpx.post(
                url, content=f"LOAD <{listener.url}data.ttl>".encode(), headers=headers, timeout=30
            )
        finally:
            stop(proc)
        assert r.status_code == 403, r.text
        assert ("LOAD is refused" if guard else "no network") in r.text
        assert "Traceback" not in server_output(proc)
    time.sleep(0.2)
    assert listener.connections == 0


# a sitecustomize that makes every Python process (the workers too) fail to install the filter
NO_SECCOMP = textwrap.dedent(
    """
    import kg.errors, kg.store.isolation as iso
    def deny_network():
        raise kg.errors.StoreError("seccomp is not available here (simulated by the test)")
    iso.deny_network = deny_network
    """
)


def _no_seccomp_env(tmp_path: Path) -> dict[str, str]:
    import os

    (tmp_path / "sitecustomize.py").write_text(NO_SECCOMP, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}


@pytest.mark.server
def test_kg_serve_refuses_to_start_when_the_workers_cannot_be_isolated(tiny_store, tmp_path):
    env = _no_seccomp_env(tmp_path)
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(tiny_store), "--port", str(free_port())]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert out.returncode == StoreError.exit_code, out.stdout + out.stderr
    assert "simulated by the test" in out.stderr and "--unsafe-allow-network" in out.stderr


@pytest.mark.server
def test_unsafe_allow_network_serves_and_says_so(tiny_store, tmp_path):
    proc, url = serve(tiny_store, "--unsafe-allow-network", env=_no_seccomp_env(tmp_path))
    try:
        r = ask(url, "ASK { ?s ?p ?o }", "get", Accept="application/sparql-results+json")
        assert r.status_code == 200
        # a lookup: the server process could not deny itself the network either, so a worker answers it
        r = ask(url, "ASK { <http://example.org/s> ?p ?o }", "get", Accept="application/sparql-results+json")
        assert r.status_code == 200 and r.json()["boolean"] is True
        described = httpx.get(url, headers={"Accept": "text/turtle"}, timeout=30).text
        assert "UNSAFE" in described and "NOT denied the network" in described
    finally:
        stop(proc)
    assert "UNSAFE" in server_output(proc)


# --- one call without network (what kg sparql on a local store can use) -------------------------------------


def run_stored(path: str, text: str):
    """What kg sparql does on a local store (module level: the child process imports it)."""
    from kg.store.graph import open_store

    return open_store(path).run(text, raw=True)


@needs_seccomp
def test_call_without_network_returns_the_answer_and_stops_service(tiny_store, listener):
    from kg.errors import QueryError
    from kg.store.isolation import call_without_network

    result = call_without_network(run_stored, str(tiny_store), "SELECT ?s WHERE { ?s ?p ?o }")
    assert result.form == "select" and [r["s"].value for r in result.value] == ["http://example.org/s"]
    # raised while the rows are read, outside Graph.run's OSError → QueryError translation
    with pytest.raises(OSError, match=r"os error 1"):
        call_without_network(
            run_stored, str(tiny_store), f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ }} }}"
        )
    with pytest.raises(QueryError, match="syntax error"):
        call_without_network(run_stored, str(tiny_store), "SELECT WHERE")
    time.sleep(0.2)
    assert listener.connections == 0


@needs_seccomp
@pytest.mark.server
def test_an_isolated_endpoint_does_not_describe_itself_as_unsafe(unguarded):
    described = httpx.get(unguarded, headers={"Accept": "text/turtle"}, timeout=30).text
    assert "sd:Service" in described or "Service" in described
    assert "UNSAFE" not in described


# kg serve with the guard switched off and every query taken for a lookup: every query then runs in the
# server process itself, which must have denied itself the network once it listened
EVERYTHING_A_LOOKUP = NO_GUARD.replace(
    "from kg.cli.serve import main", "app.is_lookup = lambda query: True\nfrom kg.cli.serve import main"
)


def _seccomp_mode(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("Seccomp:")).split()[1])


@needs_seccomp
@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
def test_the_server_process_that_answers_lookups_cannot_connect_either(tiny_store, listener, method):
    port = free_port()
    cmd = [sys.executable, "-c", EVERYTHING_A_LOOKUP, "--store", str(tiny_store), "--port", str(port)]
    url = f"http://127.0.0.1:{port}/sparql"
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    try:
        assert _seccomp_mode(proc.pid) == 2  # a filter on the server process itself
        r = ask(url, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", method)
        assert r.status_code == 403, r.text
        assert "no network" in r.text and "Traceback" not in r.text
        ok = ask(url, "ASK { ?s ?p ?o }", method, Accept="application/sparql-results+json")
        assert ok.status_code == 200 and ok.json()["boolean"] is True  # it goes on serving
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        stop(proc)
    assert "Traceback" not in server_output(proc), server_output(proc)
