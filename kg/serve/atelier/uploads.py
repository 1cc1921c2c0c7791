"""What the workspace accepts as an upload: size limits, and workbooks that cannot explode or fetch.

An upload is one ``.xlsx``/``.ods`` workbook (a Kumu workbook is an ``.xlsx``), one ``.csv`` file, or a
set of ``.csv`` files (one per sheet), which :func:`save_upload` puts in one folder named after the import:
:func:`kg.sheets.plan.plan_import` reads a folder of CSV files as one workbook.

A workbook is a zip of XML files. As soon as it is saved, :func:`check_workbook` (the library's
:func:`kg.sheets.safety.check_workbook`, which every reader runs first, ``kg import`` too) refuses a zip bomb
or XML entities, so a refused upload is never shown as read.

>>> safe_name("../../etc/passwd.csv"), safe_name("Mon écosystème (v2).xlsx")
('passwd.csv', 'Mon-ecosysteme-v2.xlsx')
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kg.errors import InputError, Problem
from kg.sheets.safety import MAX_MEMBERS, MAX_RATIO, MAX_UNPACKED, check_workbook

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "MAX_UPLOAD_BYTES",
    "SUFFIXES",
    "check_workbook",
    "safe_name",
    "save_upload",
]

#: largest upload (all files of one form together), in bytes
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: the kinds of file accepted
SUFFIXES = (".xlsx", ".ods", ".csv")


def _problem(name: str, message: str, fix: str, lang: str) -> InputError:
    return InputError([Problem(name, None, None, message, fix, lang=lang)], message)


def safe_name(name: str) -> str:
    """A file name of letters, digits, ``-``, ``_`` and ``.`` only (its folders dropped, accents removed)."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-.") or "classeur"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()
    return f"{stem[:80]}.{suffix}" if suffix else stem[:80]


def save_upload(files: list[tuple[str, bytes]], folder: Path, name: str | None, lang: str = "fr") -> Path:
    """Write uploaded *files* (name, content) under *folder* and return what to import.

    One workbook or CSV file: that file. Several CSV files: a folder (named *name*, else after the first
    file) holding them, one per sheet.

    Raises
    ------
    InputError
        No file; a kind of file not accepted; several files that are not all CSV; a bad workbook.
    """
    fr = lang == "fr"
    files = [(n, b) for n, b in files if n]
    if not files:
        raise _problem(
            "—",
            "aucun fichier n'a été déposé" if fr else "no file was uploaded",
            "choisissez un classeur .xlsx/.ods, ou des fichiers .csv"
            if fr
            else "choose an .xlsx/.ods workbook, or .csv files",
            lang,
        )
    names = [safe_name(n) for n, _ in files]
    for original, clean in zip(files, names, strict=True):
        if Path(clean).suffix not in SUFFIXES:
            raise _problem(
                original[0],
                f"« {original[0]} » n'est ni un classeur .xlsx/.ods ni un fichier .csv"
                if fr
                else f"« {original[0]} » is neither an .xlsx/.ods workbook nor a .csv file",
                "enregistrez-le au format .xlsx (Excel, LibreOffice) ou .csv"
                if fr
                else "save it as .xlsx (Excel, LibreOffice) or .csv",
                lang,
            )
    folder.mkdir(parents=True, exist_ok=True)
    if len(files) == 1:
        path = folder / names[0]
        path.write_bytes(files[0][1])
        if path.suffix in (".xlsx", ".ods"):
            check_workbook(path, lang)
        return path
    if any(Path(n).suffix != ".csv" for n in names):
        raise _problem(
            ", ".join(n for n, _ in files),
            "plusieurs fichiers ne s'importent ensemble que s'ils sont tous des .csv (un par feuille)"
            if fr
            else "several files import together only when they are all .csv files (one per sheet)",
            "déposez un seul classeur .xlsx/.ods, ou seulement les .csv"
            if fr
            else "upload one .xlsx/.ods workbook, or only the .csv files",
            lang,
        )
    target = folder / safe_name(name or Path(names[0]).stem.split("-")[0] or "import").removesuffix(".")
    target.mkdir(parents=True, exist_ok=True)
    for clean, (_, content) in zip(names, files, strict=True):
        (target / clean).write_bytes(content)
    return target
