"""Owners and history of the stored imports: who an import belongs to, and every state it replaced.

An import's folder (``data/imports/<slug>/``, see :mod:`kg.ingest.imports`) holds::

    records.yaml, <slug>.<ext>   the current records and the copy of the file (absent once deleted)
    import.yaml                  owner, title, created, updated, file, action, version, counts
    versions/<NNNN>/             an earlier state: the same three files, or import.yaml alone for
                                 "no import yet" (0000) and "deleted"; the newest KEEP are kept

Every change (an import, an undo, a deletion) writes the new state in a hidden folder
beside the old one (``.<slug>.new-<pid>``), with ``versions/`` made of hard links to the
files of the earlier states and of the state it replaces, then swaps it in with two
renames (:func:`staged_state`). Undoing restores the newest version as a new state, so
undoing twice redoes. :func:`clean_stale` removes what an interrupted run (``kill -9``)
left behind. Records only: the store is :mod:`kg.store.imports`'s business.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from kg.ingest.imports import IMPORTS_DIR, RECORDS_FILE, import_folder
from kg.model.names import normalise

__all__ = [
    "DEFAULT_KEEP",
    "KEEP_ENV",
    "META_FILE",
    "VERSIONS_DIR",
    "ImportInfo",
    "Version",
    "clean_stale",
    "import_info",
    "keep_versions",
    "list_imports",
    "now_iso",
    "pid_alive",
    "same_owner",
    "staged_state",
    "versions",
    "zip_folder",
]

META_FILE = "import.yaml"
VERSIONS_DIR = "versions"
#: versions kept per import, unless ``KG_IMPORT_VERSIONS`` (or ``--versions``) says otherwise
DEFAULT_KEEP = 10
KEEP_ENV = "KG_IMPORT_VERSIONS"
#: the hidden folders a write leaves while it runs: ``.<name>.new-<pid>`` and ``.<name>.old-<pid>``
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<step>new|old)-(?P<pid>\d+)(?P<rest>(\.nq)?)$")


def now_iso() -> str:
    """The current time, UTC, to the second (ISO 8601)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def keep_versions(value: int | str | None = None) -> int:
    """How many versions to keep: *value*, else ``$KG_IMPORT_VERSIONS``, else :data:`DEFAULT_KEEP` (at least 1).

    >>> keep_versions(3), keep_versions("0")
    (3, 1)
    """
    raw = value if value is not None else os.environ.get(KEEP_ENV) or DEFAULT_KEEP
    try:
        return max(1, int(raw))
    except ValueError:
        return DEFAULT_KEEP


def same_owner(a: str | None, b: str | None) -> bool:
    """Whether two owner names designate the same catalyst (case, accents and punctuation aside).

    >>> same_owner("Réseau X", "reseau-x"), same_owner("Réseau X", "Réseau Y"), same_owner(None, "A")
    (True, False, False)
    """
    return bool(a) and bool(b) and normalise(str(a)) == normalise(str(b))


@dataclass
class ImportInfo:
    """What ``import.yaml`` says of one state of an import."""

    slug: str
    owner: str | None = None
    title: str = ""
    created: str = ""
    updated: str = ""
    file: str | None = None
    #: what made this state: "import", "annulation" (an undo), "suppression", or "absent" (before the first import)
    action: str = "import"
    #: number of this state: 1 for the first import, then one more per change; 0 for "absent"
    version: int = 1
    #: records by kind (names of kg.model.records.RECORD_TYPES), documents aside
    counts: dict[str, int] = field(default_factory=dict)
    #: whether the import has records (False once deleted)
    present: bool = True
    #: for an undo: the version it restored
    restored: int | None = None

    def dump(self) -> str:
        return yaml.safe_dump(
            {k: v for k, v in asdict(self).items() if v is not None},
            allow_unicode=True,
            sort_keys=False,
        )

    @classmethod
    def load(cls, slug: str, folder: Path) -> ImportInfo | None:
        """The state stored in *folder* (an import's folder or one of its versions); None when there is none."""
        meta = folder / META_FILE
        if meta.is_file():
            try:
                data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError):
                data = {}
            known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
            known["slug"] = slug
            info = cls(**known)
            info.present = (folder / RECORDS_FILE).is_file()
            return info
        if (folder / RECORDS_FILE).is_file():  # written before owners existed: one version, no owner
            when = dt.datetime.fromtimestamp((folder / RECORDS_FILE).stat().st_mtime, dt.UTC)
            stamp = when.replace(microsecond=0).isoformat()
            copies = [p.name for p in folder.iterdir() if p.is_file() and p.name != RECORDS_FILE]
            return cls(slug, created=stamp, updated=stamp, file=copies[0] if copies else None)
        return None


@dataclass
class Version:
    """One earlier state of an import, kept in ``versions/<number>/``."""

    number: int
    info: ImportInfo
    folder: Path


def import_info(data_dir: str | Path, slug: str) -> ImportInfo | None:
    """The current state of the import *slug*; None when no import ever had that name."""
    folder = import_folder(data_dir, slug)
    return ImportInfo.load(slug, folder) if folder.is_dir() else None


def list_imports(data_dir: str | Path, *, deleted: bool = False) -> list[ImportInfo]:
    """Every import under ``<data_dir>/imports/`` (the deleted ones too with *deleted*), by name."""
    root = Path(data_dir) / IMPORTS_DIR
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        info = ImportInfo.load(folder.name, folder)
        if info is not None and (info.present or deleted):
            out.append(info)
    return out


def versions(data_dir: str | Path, slug: str) -> list[Version]:
    """The earlier states of the import *slug*, oldest first."""
    root = import_folder(data_dir, slug) / VERSIONS_DIR
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        if folder.is_dir() and folder.name.isdigit():
            info = ImportInfo.load(slug, folder)
            if info is not None:
                out.append(Version(int(folder.name), info, folder))
    return sorted(out, key=lambda v: v.number)


# --------------------------------------------------------------------------- writing a state


def _link(src: Path, dst: Path) -> None:
    """*dst* as a hard link to *src* (a copy where links are not possible)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def staged_state(
    data_dir: str | Path,
    slug: str,
    info: ImportInfo,
    files: Mapping[str, Path | str] | None,
    *,
    keep: int | None = None,
) -> Iterator[Callable[[], Path]]:
    """Write a new state of the import *slug* beside its folder; yield ``install``.

    Parameters
    ----------
    data_dir : path
        The data folder.
    slug : str
        The import.
    info : ImportInfo
        The new state's ``import.yaml`` (its ``version`` is set here: one more than any before).
    files : mapping of name to path or text, or None
        The new state's files (``records.yaml`` and the copy of the file): a path is copied,
        a str is written; None for a state without records (deleted).
    keep : int, optional
        Versions to keep (:func:`keep_versions`); the oldest are left out.

    ``install()`` swaps the new folder in (two renames) and returns it; leaving the block
    without calling it removes the new folder and leaves the old one as it was.
    """
    folder = import_folder(data_dir, slug)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{slug}.new-{os.getpid()}")
    tmp: Path | None = staging
    shutil.rmtree(staging, ignore_errors=True)

    def install() -> Path:
        nonlocal tmp
        old = None
        if folder.exists():
            old = folder.with_name(f".{slug}.old-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
        os.replace(tmp, folder)  # type: ignore[arg-type]
        tmp = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return folder

    try:
        staging.mkdir()
        earlier = versions(data_dir, slug)
        current = ImportInfo.load(slug, folder) if folder.is_dir() else None
        if current is None:  # the state before the first import: nothing
            current = ImportInfo(slug, info.owner, info.title, action="absent", version=0, present=False)
        number = max([current.version, *(v.number for v in earlier)]) + 1
        (staging / VERSIONS_DIR).mkdir()
        room = keep_versions(keep) - 1  # the state replaced takes one place
        kept = [v for v in earlier if v.number != current.version][-room:] if room else []
        for v in kept:
            target = staging / VERSIONS_DIR / v.folder.name
            target.mkdir()
            for p in v.folder.iterdir():
                if p.is_file():
                    _link(p, target / p.name)
        snapshot = staging / VERSIONS_DIR / f"{current.version:04d}"
        snapshot.mkdir()
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_file():
                    _link(p, snapshot / p.name)
        if not (snapshot / META_FILE).exists():
            (snapshot / META_FILE).write_text(current.dump(), encoding="utf-8")
        for name, content in (files or {}).items():
            if isinstance(content, Path) and content.is_dir():
                zip_folder(content, staging / name)
            elif isinstance(content, Path):
                shutil.copyfile(content, staging / name)
            else:
                (staging / name).write_text(content, encoding="utf-8")
        new = replace(info, slug=slug, version=number, present=bool(files))
        (staging / META_FILE).write_text(new.dump(), encoding="utf-8")
        yield install
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def zip_folder(folder: Path, path: Path) -> Path:
    """Write the files of *folder* (not its sub-folders, as :func:`kg.sheets.read.read_tables` reads it) in
    the zip *path*, in name order, dated 1980-01-01: the same folder gives the same bytes.

    A folder of CSV files imported is kept this way in its import's history, and reads again as
    the same workbook.
    """
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            if p.is_file():
                z.writestr(
                    zipfile.ZipInfo(p.name, (1980, 1, 1, 0, 0, 0)), p.read_bytes(), zipfile.ZIP_DEFLATED
                )
    return path


# --------------------------------------------------------------------------- interrupted runs


def pid_alive(pid: int) -> bool:
    """Whether a process *pid* is running (ours included)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(folder: str | Path, names: Callable[[str], bool] | None = None) -> list[Path]:
    """Remove what interrupted writes left in *folder*; return what was removed or put back.

    A hidden ``.<name>.new-<pid>`` (a state being written) or ``.<name>.old-<pid>`` (the
    state being replaced) whose process is gone is removed, except an ``.old`` whose
    ``<name>`` is missing: the run died between its two renames, so it is put back.
    *names* restricts the cleaning to the names it accepts. Folders of running
    processes are left alone.
    """
    folder = Path(folder)
    done: list[Path] = []
    if not folder.is_dir():
        return done
    for path in sorted(folder.iterdir()):
        m = _TEMPORARY.match(path.name)
        if m is None or pid_alive(int(m["pid"])) or (names is not None and not names(m["name"])):
            continue
        target = folder / m["name"]
        if m["step"] == "old" and not m["rest"] and not target.exists():
            os.replace(path, target)
        elif path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        done.append(path)
    return done
