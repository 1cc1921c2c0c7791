"""Deny a process the network, enforced by the kernel: what makes a query unable to call out.

:func:`deny_network` installs a seccomp-BPF filter (Linux ≥ 3.17, x86_64 or aarch64) on every thread
of the calling process and on everything it starts afterwards; it cannot be lifted. From then on

- ``socket()`` of any family but ``AF_UNIX`` fails with ``EPERM`` (``AF_INET``, ``AF_INET6``,
  ``AF_PACKET``, ``AF_NETLINK``…): no TCP or UDP connection, no DNS lookup, no raw socket;
- ``io_uring_setup()`` fails (io_uring can open sockets without calling ``socket()``);
- a system call through another ABI (x32, or 32-bit ``int 0x80`` and its ``socketcall``) fails.

``AF_UNIX`` stays: the pipe between a worker and the server is a Unix socket pair, created by the
server before the worker starts (``multiprocessing.Pipe``), and the worker needs nothing else.
Everything else (files, memory, threads) is untouched.

The filter is a few BPF instructions assembled here and handed to the kernel with ``ctypes``
(``prctl(PR_SET_NO_NEW_PRIVS)``, then ``seccomp(SECCOMP_SET_MODE_FILTER, TSYNC)``): no compiled
dependency. :func:`network_probe` then tries to open ``AF_INET`` and ``AF_INET6`` sockets and
says what happened, so a caller checks that the denial holds rather than trusting that it was
installed. The SPARQL guard (:mod:`kg.store.guard`) still refuses ``SERVICE`` and ``LOAD`` with a
clear message; this is what holds when a query gets past it.

>>> sorted(SUPPORTED)
['aarch64', 'x86_64']
"""

from __future__ import annotations

import ctypes
import errno
import os
import pickle
import platform
import socket
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import StoreError

__all__ = ["SUPPORTED", "call_without_network", "deny_network", "network_probe", "seccomp_program"]

T = TypeVar("T")

# kernel ABI constants (linux/audit.h, linux/seccomp.h, linux/filter.h, asm/unistd.h)
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_X32_SYSCALL_BIT = 0x40000000
_IO_URING_SETUP = 425  # the same number on every architecture (unified table)

#: machine → (AUDIT_ARCH_*, socket syscall number, seccomp syscall number)
SUPPORTED = {
    "x86_64": (0xC000003E, 41, 317),
    "aarch64": (0xC00000B7, 198, 277),
}


def _machine() -> str:
    m = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(m, m)


def seccomp_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The BPF filter for *machine* as (code, jt, jf, k) instructions: deny non-Unix sockets and io_uring.

    seccomp hands the filter a ``struct seccomp_data``: ``nr`` at offset 0, ``arch`` at 4,
    ``args[0]`` at 16 (its low 32 bits on these little-endian machines; ``socket()`` takes an
    ``int`` domain, so the high bits do not matter).

    >>> len(seccomp_program("x86_64"))
    11
    """
    if machine not in SUPPORTED:
        raise StoreError(_unsupported(machine))
    arch, nr_socket, _ = SUPPORTED[machine]
    deny = _RET_ERRNO | errno.EPERM
    return [
        (_LD_W_ABS, 0, 0, 4),  # 0: A = arch
        (_JEQ_K, 0, 8, arch),  # 1: another ABI (32-bit x86 …) → deny
        (_LD_W_ABS, 0, 0, 0),  # 2: A = syscall number
        (_JGE_K, 6, 0, _X32_SYSCALL_BIT),  # 3: x32 system call → deny
        (_JEQ_K, 2, 0, nr_socket),  # 4: socket() → look at its domain
        (_JEQ_K, 4, 0, _IO_URING_SETUP),  # 5: io_uring_setup() → deny
        (_RET_K, 0, 0, _RET_ALLOW),  # 6: anything else is allowed
        (_LD_W_ABS, 0, 0, 16),  # 7: A = domain
        (_JEQ_K, 0, 1, socket.AF_UNIX),  # 8: AF_UNIX → allow, any other family → deny
        (_RET_K, 0, 0, _RET_ALLOW),  # 9
        (_RET_K, 0, 0, deny),  # 10: fail with EPERM
    ]


def _unsupported(machine: str) -> str:
    return (
        f"cannot deny the query workers the network on {sys.platform}/{machine or 'unknown machine'}: "
        "this needs Linux with seccomp on x86_64 or aarch64"
    )


class _SockFilter(ctypes.Structure):
    _fields_ = [  # the ctypes layout, read by the kernel
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [  # the ctypes layout, read by the kernel
        ("len", ctypes.c_uint16),
        ("filter", ctypes.POINTER(_SockFilter)),
    ]


def deny_network() -> None:
    """Forbid this process, its threads and its children every non-Unix socket, for good (seccomp-BPF).

    Raises
    ------
    StoreError
        When the filter cannot be installed (not Linux, another architecture, seccomp disabled in
        the kernel or refused by a container's own policy), naming why.
    """
    machine = _machine()
    if not sys.platform.startswith("linux") or machine not in SUPPORTED:
        raise StoreError(_unsupported(machine))
    program = seccomp_program(machine)
    filters = (_SockFilter * len(program))(*(_SockFilter(*ins) for ins in program))
    prog = _SockFprog(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    ulong = ctypes.c_ulong
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        raise StoreError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    _, _, nr_seccomp = SUPPORTED[machine]
    rc = libc.syscall(
        ctypes.c_long(nr_seccomp),
        ulong(_SECCOMP_SET_MODE_FILTER),
        ulong(_SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(prog),
    )
    if rc == 0:
        return
    err = ctypes.get_errno()
    # without seccomp(2) (kernel < 3.17), prctl installs the filter on this thread only: enough
    # when it is the only one (a worker installs it first thing)
    if err == errno.ENOSYS and len(os.listdir("/proc/self/task")) == 1:
        if libc.prctl(_PR_SET_SECCOMP, ulong(_SECCOMP_MODE_FILTER), ctypes.byref(prog), 0, 0) == 0:
            return
        err = ctypes.get_errno()
    raise StoreError(
        f"cannot deny the query workers the network: the kernel refused the seccomp filter "
        f"({os.strerror(err)}); run on Linux with seccomp enabled (a container needs a policy that "
        "allows seccomp(2))"
    )


def network_probe() -> str | None:
    """Try to reach the network from this process: None when it cannot, else what it could do.

    Opens (and closes at once, without connecting) an ``AF_INET`` and an ``AF_INET6`` socket,
    and looks for an inherited Internet socket among the open file descriptors.

    Examples
    --------
    In a process that was not isolated, the probe opens a socket:

    >>> network_probe()  # doctest: +SKIP
    'socket(AF_INET) was opened'
    """
    for family, name in ((socket.AF_INET, "AF_INET"), (socket.AF_INET6, "AF_INET6")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES, errno.EAFNOSUPPORT):
                continue
            return f"socket({name}) failed unexpectedly: {exc}"
        s.close()
        return f"socket({name}) was opened"
    for fd in _open_fds():
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            continue  # not a socket
        try:
            if s.family in (socket.AF_INET, socket.AF_INET6):
                return f"an Internet socket is open (file descriptor {fd})"
        finally:
            s.detach()
    return None


def _open_fds() -> list[int]:
    try:
        return [int(x) for x in os.listdir("/proc/self/fd")]
    except OSError:
        return []


def call_without_network(fn: Callable[..., T], *args: Any, timeout_s: float | None = None) -> T:
    """Run ``fn(*args)`` in a new process that first denies itself the network; return what it returns.

    For one-off untrusted work in a command (``kg sparql`` on a local store): the process is
    started with ``spawn`` (nothing inherited but the arguments), *fn* must be a module-level
    function, and its arguments, result and errors travel pickled. It costs a process start and
    the imports of *fn*'s module (a few tenths of a second).

    Raises
    ------
    StoreError
        When the network cannot be denied here (then nothing ran), or the process died.
    Exception
        Whatever *fn* raised, raised again here.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_call_child, args=(child, fn, args), daemon=True, name="kg-no-network")
    proc.start()
    child.close()
    try:
        if not conn.poll(timeout_s):
            raise StoreError(f"the isolated process gave no answer within {timeout_s} s")
        ok, value = pickle.loads(conn.recv_bytes())
    except EOFError:
        proc.join(5)
        raise StoreError(f"the isolated process died (exit code {proc.exitcode})") from None
    finally:
        conn.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
    if ok:
        return value
    raise value


def _call_child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:  # pragma: no cover - child
    try:
        deny_network()
        if network_probe() is not None:
            raise StoreError(f"the seccomp filter was installed, yet {network_probe()}")
        reply = (True, fn(*args))
    except Exception as exc:  # noqa: BLE001 - sent back and raised again in the caller
        reply = (False, exc)
    try:
        data = pickle.dumps(reply)
    except Exception as exc:  # noqa: BLE001 - an unpicklable error: send its text
        data = pickle.dumps((False, StoreError(f"{type(exc).__name__}: {exc}")))
    conn.send_bytes(data)
    conn.close()
