"""The curated YAML read record by record, each record's parse kept by its text for the next build.

A curated file is one YAML list, one record per item, every item starting with ``- `` at the start of a
line. Reading a 37 MB ``actors.yaml`` (100,000 actors) is most of the curated step, and after one edit
every other record's text is the same as the build before. :class:`RecordReader` splits a file at its
items' first lines, parses only the items whose text it has not seen, and takes the others from what the
previous build kept (``<store>.records/<file>.pickle``: each item's text digest → its parse, with the
line numbers moved to where the item now starts). The records, their lines and every problem are those
:func:`kg.ingest.curated.read_yaml_records` gives for the whole file; whenever the split is not certain
to read the same (text before the first item, a line at column 0 that is neither an item, a comment nor
blank, an item that does not parse alone, an anchor or alias, a file that is not UTF-8), the whole file is
read by that function instead.

The kept parses are keyed by the code that makes them (this module, :mod:`kg.ingest.curated`, PyYAML's
version and loader): another version of any of them reads everything again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from kg.errors import Problem

__all__ = ["RECORDS_CACHE", "RecordReader", "records_cache", "split_items"]

#: the folder beside the store (``<store>.records``) where a build keeps each curated file's parsed items
RECORDS_CACHE = ".records"

_ITEM = re.compile(rb"^-(?: |\r?$)", re.M)
# a line at column 0 that is neither an item's first line, a comment, nor blank: "---", "key:", "[", "%YAML"…
_OTHER = re.compile(rb"^(?:[^\s#-]|-[^ \r\n])", re.M)
_BLANK_OR_COMMENT = re.compile(rb"\A(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?\Z")
# an anchor or an alias may tie one item to another: then the file is read whole
_ANCHOR = re.compile(rb"(?:^|[\s\[{,:-])[&*][^\s,\[\]{}]")


def records_cache(store: str | Path) -> Path:
    """The folder beside *store* where :class:`RecordReader` keeps the parsed items."""
    store = Path(store)
    return store.with_name(store.name + RECORDS_CACHE)


def split_items(data: bytes) -> list[tuple[int, bytes]] | None:
    """The items of a YAML list file as ``(first line, 0-based; text)``; None when the split may differ
    from the whole file's parse (then read it whole).

    >>> split_items(b"# c\\n- id: a\\n  x: 1\\n# d\\n- id: b\\n")
    [(1, b'- id: a\\n  x: 1\\n# d\\n'), (4, b'- id: b\\n')]
    >>> split_items(b"---\\n- id: a\\n") is None
    True
    """
    if _OTHER.search(data) or _ANCHOR.search(data):
        return None
    starts = [m.start() for m in _ITEM.finditer(data)]
    head = data[: starts[0]] if starts else data
    if not _BLANK_OR_COMMENT.match(head):
        return None
    out: list[tuple[int, bytes]] = []
    line = head.count(b"\n")
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        text = data[start:end]
        out.append((line, text))
        line += text.count(b"\n")
    return out


def _shift(value: Any, by: int) -> None:
    """Add *by* to every line number of a parsed item (its ``__lines__`` mappings, nested ones too)."""
    if isinstance(value, dict):
        lines = value.get("__lines__")
        if lines is not None:
            for k in lines:
                lines[k] += by
        for v in value.values():
            if isinstance(v, (dict, list)):
                _shift(v, by)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)):
                _shift(v, by)


def _code_key() -> str:
    import yaml

    from kg.ingest import curated

    h = hashlib.blake2b(digest_size=16)
    for module in (curated, __import__(__name__, fromlist=["_"])):
        h.update(Path(module.__file__ or "").read_bytes())
    h.update(yaml.__version__.encode())
    h.update(",".join(c.__name__ for c in curated.LineLoader.__mro__).encode())  # the C loader or not
    return h.hexdigest()


class RecordReader:
    """``read(path, problems)`` as :func:`kg.ingest.curated.read_yaml_records`, item by item, with the
    parses kept in *folder* (None: nothing kept, every item parsed).

    After a read, :attr:`parsed` and :attr:`reused` count the items parsed and taken from *folder*;
    :meth:`save` keeps this read's parses for the next build (only the files whose items changed).
    """

    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.key = _code_key()
        self.parsed = 0
        self.reused = 0
        self._new: dict[str, dict[bytes, tuple[int, bytes]]] = {}

    def _kept(self, name: str) -> dict[bytes, tuple[int, bytes]]:
        if self.folder is None:
            return {}
        try:
            key, items = pickle.loads((self.folder / f"{name}.pickle").read_bytes())
        except Exception:  # noqa: BLE001 - missing, broken or of another version: parsed again
            return {}
        return items if key == self.key else {}

    def read(self, path: Path, problems: list[Problem]) -> list[dict]:
        """The records of the YAML file *path*; problems appended to *problems* (never raised)."""
        from kg.ingest.curated import read_yaml_records

        path = Path(path)
        try:
            data = path.read_bytes()
            data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return read_yaml_records(path, problems)
        items = split_items(data)
        if items is None:
            return read_yaml_records(path, problems)
        kept = self._kept(path.name)
        out: list[dict] = []
        new: dict[bytes, tuple[int, bytes]] = {}
        found: list[Problem] = []
        parsed = reused = 0
        for line, text in items:
            digest = hashlib.blake2b(text, digest_size=16).digest()
            hit = kept.get(digest) or new.get(digest)
            if hit is not None:
                at, blob = hit
                item = pickle.loads(blob)
                if at != line:  # an item before it grew or shrank: kept as it was, moved on each read
                    _shift(item, line - at)
                new[digest] = hit
                out.append(item)
                reused += 1
                continue
            parsed += 1
            mine: list[Problem] = []
            item = _parse_item(text, str(path), mine)
            if item is None:  # does not parse alone: the whole file, for the same records and messages
                return read_yaml_records(path, problems)
            if line:
                _shift(item, line)
                mine = [replace(p, line=p.line + line) if p.line is not None else p for p in mine]
            if not mine:  # an item with a problem is parsed again next time (the build stops anyway)
                new[digest] = (line, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            found += mine
            out.append(item)
        problems += found
        self.parsed += parsed
        self.reused += reused
        if parsed or new.keys() != kept.keys():
            self._new[path.name] = new
        return out

    def save(self) -> None:
        """Keep the parses of the files read since the last save whose items changed (a read-only folder:
        nothing kept, the next build parses again)."""
        if self.folder is None or not self._new:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, items in self._new.items():
                target = self.folder / f"{name}.pickle"
                tmp = self.folder / f".{name}.pickle.{os.getpid()}"
                tmp.write_bytes(pickle.dumps((self.key, items), protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, target)
        except OSError:
            pass
        self._new = {}


def _parse_item(text: bytes, filename: str, problems: list[Problem]) -> dict | None:
    """One item's text parsed alone, its lines counted from 1 at its first line; None when it does not
    parse to exactly one mapping."""
    import yaml

    from kg.ingest.curated import LineLoader

    loader = LineLoader(text.decode("utf-8"))
    loader.problems, loader.filename = problems, filename
    try:
        data = loader.get_single_data()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], dict):
        return None
    return data[0]
