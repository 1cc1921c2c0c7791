"""The one configuration of the Virtuoso instances the tests and benchmarks start (Debian's virtuoso-t).

Nothing listens beyond 127.0.0.1, the database is the folder's own; the tests keep the defaults, the
national benchmarks ask for room (buffers, rows, time).

>>> "ServerPort = 127.0.0.1:1111" in virtuoso_ini("/tmp/v", sql=1111, http=8890)
True
>>> "ResultSetMaxRows = 10000000" in virtuoso_ini("/tmp/v", sql=1, http=2, max_rows=10_000_000)
True
"""

from __future__ import annotations

from pathlib import Path

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {limit}
"""


def virtuoso_ini(
    folder: str | Path,
    *,
    sql: int,
    http: int,
    buffers: int = 10_000,
    dirty: int = 6_000,
    max_rows: int = 10_000,
    limit: int = 120,
) -> str:
    """The ``virtuoso.ini`` of an instance whose database lives in *folder*, listening on 127.0.0.1 only."""
    return _INI.format(
        d=folder, sql=sql, http=http, buffers=buffers, dirty=dirty, max_rows=max_rows, limit=limit
    )
