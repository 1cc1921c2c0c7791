"""What the workspace accepts as an upload: size limits, and workbooks that cannot explode or fetch.

An upload is one ``.xlsx``/``.ods`` workbook (a Kumu workbook is an ``.xlsx``), one ``.csv`` file, or a
set of ``.csv`` files (one per sheet), which :func:`save_upload` puts in one folder named after the import:
:func:`kg.sheets.plan.plan_import` reads a folder of CSV files as one workbook.

A workbook is a zip of XML files. Before any reader opens it, :func:`check_workbook` refuses

- a **zip bomb**: more than :data:`MAX_MEMBERS` members, more than :data:`MAX_UNPACKED` bytes unpacked in
  all (as the zip's directory declares them: Python's zip reader never inflates a member past its declared
  size), or a member that inflates more than :data:`MAX_RATIO` times;
- **XML entities**: any member whose XML has a ``<!DOCTYPE`` or ``<!ENTITY`` (an Office or OpenDocument
  file never has one; the « billion laughs » and external entities need one). openpyxl also parses with
  defusedxml when it is installed (a dependency of the package), which refuses them too.

>>> safe_name("../../etc/passwd.csv"), safe_name("Mon écosystème (v2).xlsx")
('passwd.csv', 'Mon-ecosysteme-v2.xlsx')
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from kg.errors import InputError, Problem

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
#: most members in a workbook's zip
MAX_MEMBERS = 2000
#: most bytes a workbook's members may unpack to, in all
MAX_UNPACKED = 100 * 1024 * 1024
#: most a member larger than 1 MB may inflate (unpacked / packed)
MAX_RATIO = 200
#: the kinds of file accepted
SUFFIXES = (".xlsx", ".ods", ".csv")

_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


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


def check_workbook(path: Path, lang: str = "fr") -> None:
    """Refuse a workbook (``.xlsx``, ``.ods``) that is no zip, a zip bomb, or XML with entities.

    Raises
    ------
    InputError
        With the file's name, what is wrong and what to do.
    """
    fr = lang == "fr"
    again = (
        "enregistrez-le à nouveau depuis Excel ou LibreOffice (.xlsx ou .ods), puis déposez-le"
        if fr
        else "save it again from Excel or LibreOffice (.xlsx or .ods), then upload it"
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _problem(
            path.name,
            "ce fichier n'est pas un classeur lisible (ce n'est pas une archive .xlsx/.ods)"
            if fr
            else "this file is not a readable workbook (not an .xlsx/.ods archive)",
            again,
            lang,
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        ratio = max(
            (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1024 * 1024), default=0
        )
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or ratio > MAX_RATIO:
            raise _problem(
                path.name,
                (
                    f"ce classeur se décompresse en {unpacked:,} octets ({len(members)} parties) : au-delà "
                    f"des limites de l'atelier ({MAX_UNPACKED:,} octets, {MAX_MEMBERS} parties, "
                    f"taux {MAX_RATIO})"
                    if fr
                    else f"this workbook unpacks to {unpacked:,} bytes ({len(members)} parts): past the "
                    f"workspace's limits ({MAX_UNPACKED:,} bytes, {MAX_MEMBERS} parts, ratio {MAX_RATIO})"
                ).replace(",", " " if fr else ","),
                "découpez-le en plusieurs classeurs, ou importez-le en ligne de commande (kg import)"
                if fr
                else "split it into several workbooks, or import it from the command line (kg import)",
                lang,
            )
        for m in members:
            if not m.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(m) as f:
                tail = b""
                while chunk := f.read(1 << 16):
                    if _ENTITY.search(tail + chunk):
                        raise _problem(
                            path.name,
                            f"la partie {m.filename} du classeur déclare des entités XML (<!DOCTYPE>/<!ENTITY>) : "
                            "un classeur Excel ou LibreOffice n'en a jamais"
                            if fr
                            else f"the part {m.filename} of the workbook declares XML entities "
                            "(<!DOCTYPE>/<!ENTITY>): an Excel or LibreOffice workbook never has any",
                            again,
                            lang,
                        )
                    tail = chunk[-16:]


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
