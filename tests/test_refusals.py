"""A refused import loses nothing: after each file of the bad-input corpus that must be refused, the
store holds byte-identical N-Quads and the data folder the same files, byte for byte.

The planner-level checks (which message, where) are in tests/test_bad_input.py; this runs the real
``import_workbook`` against a real store.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.store.imports import import_workbook
from tests.test_bad_input import BAD, CORPUS, ERROR

ROOT = Path(__file__).resolve().parents[1]
REFUSED = sorted({c[0] for c in CORPUS if c[1] == ERROR})

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(data_env):
    """A data folder (copy of the curated data, linked geography), its store, and one earlier import."""
    data, store = data_env("refusals")
    import_workbook(ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx", data, store)
    return data, store


def _nquads(store: Path) -> bytes:
    """The store's quads as sorted canonical N-Quads (the bytes compared)."""
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    return "\n".join(sorted(f"{q} ." for q in s)).encode()


def _tree(folder: Path) -> dict[str, str]:
    """Every file under *folder* (links followed for the copies, not the geography) → its SHA-256."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "geo" not in p.relative_to(folder).parts[:1]:
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_the_corpus_has_refusals():
    assert len(REFUSED) >= 25


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_import_leaves_the_graph_and_the_data_byte_identical(name, env):
    data, store = env
    quads, files = _nquads(store), _tree(data)
    with pytest.raises(InputError):
        import_workbook(BAD / name, data, store)
    assert _nquads(store) == quads
    assert _tree(data) == files
    hidden = [p.name for p in (data / "imports").iterdir() if p.name.startswith(".")]
    assert not hidden  # no staging folder left behind
    # nor the checkpoint the new graph was being written to while the checks ran (kg.store.write.GraphWriter)
    assert not [p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")]
