"""The build a ``kg build`` replaced, kept beside the new one: ``<store>.previous``, ``<dump>.previous``.

:func:`restore_previous` puts them back when a build was a mistake (``kg build --annuler``); undoing twice
redoes. Re-exported by :mod:`kg.store.build`, which keeps them.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import StoreError

__all__ = ["PREVIOUS", "previous_of", "restore_previous"]

#: suffix of the store and dump a build replaced
PREVIOUS = ".previous"


#: the default store (as :data:`kg.store.build.DEFAULT_STORE`)
_DEFAULT_STORE = Path("build/store")


def previous_of(path: str | Path) -> Path:
    """Where the store (or dump) *path* a build replaced is kept: ``<path>.previous`` beside it.

    >>> previous_of("build/store").as_posix()
    'build/store.previous'
    """
    path = Path(path)
    return path.with_name(path.name + PREVIOUS)


def restore_previous(store: str | Path | None = _DEFAULT_STORE, dump: str | Path | None = None) -> bool:
    """Undo the last build: swap the store (and the dump) with the previous ones. Returns False when none is kept.

    Undoing twice redoes. Raises :class:`~kg.errors.StoreError` when the folders cannot be renamed.
    """
    done = False
    try:
        for path in (p for p in (store, dump) if p is not None):
            path, previous = Path(path), previous_of(path)
            if not previous.exists():
                continue
            swapped = path.with_name(f".{path.name}.old-{os.getpid()}")
            if path.exists():
                os.replace(path, swapped)
            os.replace(previous, path)
            if swapped.exists():
                os.replace(swapped, previous)
            done = True
    except OSError as exc:
        raise StoreError(
            f"impossible de remettre la construction précédente : {exc} (cannot put the previous build back)"
        ) from None
    return done
