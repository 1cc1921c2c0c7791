"""Workbooks that cannot explode or fetch: the check every reader of a stranger's workbook runs first.

An ``.xlsx`` or ``.ods`` workbook is a zip of XML files, and so is a ``.zip`` of CSV files.
:func:`kg.sheets.read.read_tables` — the one entry point of ``kg import``, ``kg atelier``'s uploads and
:func:`kg.sheets.plan.plan_import` — calls :func:`check_workbook` before any parser opens the file. It refuses

- a **zip bomb**: more than :data:`MAX_MEMBERS` members, more than :data:`MAX_UNPACKED` bytes unpacked in
  all (as the zip's directory declares them: Python's zip reader never inflates a member past its declared
  size), or a member larger than 1 MB that inflates more than :data:`MAX_RATIO` times;
- **XML entities** (workbooks only): any member that declares ``<!DOCTYPE`` or ``<!ENTITY`` (an Office or
  OpenDocument file never has one; the « billion laughs » and the external entities that read a local file
  or a URL need one), or an XML member not written in UTF-8 (a UTF-16 file would hide its declaration from
  the scan; Office and OpenDocument files are always UTF-8). openpyxl also parses with defusedxml (a
  dependency), but the ``.ods`` reader is the standard library's expat, and ``OPENPYXL_DEFUSEDXML=False``
  turns openpyxl's defence off: this check does not depend on either.

A third bomb needs no compression: an ``.ods`` cell or row may say it repeats a billion times
(``table:number-columns-repeated``) in a few bytes. The ``.ods`` reader unfolds at most :data:`MAX_COLUMNS`
columns a row and :data:`MAX_CELLS` cells in all, and refuses more with :func:`too_many_cells`.

The messages are French first (``lang="en"`` for English) and name the file and the fix.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from kg.errors import InputError, Problem

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "check_workbook",
    "too_many_cells",
]

#: most members in a workbook's zip
MAX_MEMBERS = 2000
#: most bytes a workbook's members may unpack to, in all
MAX_UNPACKED = 100 * 1024 * 1024
#: most a member larger than 1 MB may inflate (unpacked / packed)
MAX_RATIO = 200
#: a sheet's last column (LibreOffice's and Excel's 16,384): an ``.ods`` cell repeated past it is refused
#: when it holds a value, and cut there when empty (LibreOffice writes a row's trailing empty cells so)
MAX_COLUMNS = 16_384
#: most cells the ``.ods`` reader unfolds from repeated rows and cells, over the whole workbook
MAX_CELLS = 10_000_000

_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: pictures are not parsed by any reader (an SVG picture may well have a DOCTYPE)
_PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg")
_XML = (".xml", ".rels", ".vml")


def _refuse(name: str, lang: str, fr: str, en: str, fix_fr: str, fix_en: str) -> InputError:
    msg, fix = (en, fix_en) if lang == "en" else (fr, fix_fr)
    summary = (
        f"{name}: {msg}; nothing was written" if lang == "en" else f"{name} : {msg} ; rien n'a été écrit"
    )
    return InputError([Problem(name, None, None, msg, fix, lang=lang)], summary)


def check_workbook(path: Path, lang: str = "fr", *, xml: bool = True) -> None:
    """Refuse a workbook (``.xlsx``, ``.ods``, a ``.zip`` of CSV) that is no zip, a zip bomb, or XML with entities.

    Parameters
    ----------
    path : Path
        The file, not opened by any parser yet.
    lang : str
        Language of the messages: ``"fr"`` (default) or ``"en"``.
    xml : bool
        Also scan the members for XML entities (a workbook); ``False`` for a ``.zip`` of CSV files, whose
        cells may hold any text.

    Raises
    ------
    InputError
        With the file's name, what is wrong and what to do; nothing has been parsed.
    """
    again_fr = "enregistrez-le à nouveau depuis Excel ou LibreOffice (.xlsx ou .ods), puis importez-le"
    again_en = "save it again from Excel or LibreOffice (.xlsx or .ods), then import it"
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(
            path.name,
            lang,
            f"fichier endommagé, illisible comme {path.suffix.lower()} : ce n'est pas un classeur lisible "
            "(pas une archive .xlsx/.ods)",
            f"damaged file, unreadable as {path.suffix.lower()}: this is not a readable workbook (not an "
            ".xlsx/.ods archive)",
            again_fr,
            again_en,
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        ratio = max(
            (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1024 * 1024), default=0
        )
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED or ratio > MAX_RATIO:
            raise _refuse(
                path.name,
                lang,
                f"ce classeur se décompresse en {unpacked:,} octets ({len(members)} parties) : au-delà des "
                f"limites d'un classeur ({MAX_UNPACKED:,} octets, {MAX_MEMBERS} parties, taux "
                f"{MAX_RATIO}) ; c'est peut-être une « bombe zip »".replace(",", " "),
                f"this workbook unpacks to {unpacked:,} bytes ({len(members)} parts): past the limits of a "
                f"workbook ({MAX_UNPACKED:,} bytes, {MAX_MEMBERS} parts, ratio {MAX_RATIO}); it may be a "
                "« zip bomb »",
                "n'importez pas un fichier dont vous ne connaissez pas l'origine ; un vrai classeur trop "
                "grand se découpe en plusieurs classeurs",
                "do not import a file whose origin you do not know; a real workbook this large is split "
                "into several workbooks",
            )
        if not xml:
            return
        for m in members:
            name = m.filename.lower()
            if m.is_dir() or name.endswith(_PICTURES):
                continue
            with archive.open(m) as f:
                tail = b""
                first = True
                while chunk := f.read(1 << 16):
                    if first and name.endswith(_XML) and not _utf8_xml(chunk):
                        raise _refuse(
                            path.name,
                            lang,
                            f"la partie {m.filename} du classeur n'est pas du XML en UTF-8 : un classeur "
                            "Excel ou LibreOffice l'est toujours",
                            f"the part {m.filename} of the workbook is not XML in UTF-8: an Excel or "
                            "LibreOffice workbook always is",
                            again_fr,
                            again_en,
                        )
                    first = False
                    if _ENTITY.search(tail + chunk):
                        raise _refuse(
                            path.name,
                            lang,
                            f"la partie {m.filename} du classeur déclare des entités XML (<!DOCTYPE>/"
                            "<!ENTITY>) : un classeur Excel ou LibreOffice n'en a jamais",
                            f"the part {m.filename} of the workbook declares XML entities "
                            "(<!DOCTYPE>/<!ENTITY>): an Excel or LibreOffice workbook never has any",
                            again_fr,
                            again_en,
                        )
                    tail = chunk[-16:]


def too_many_cells(name: str, lang: str = "fr") -> InputError:
    """The refusal of an ``.ods`` whose repeated rows or cells unfold past :data:`MAX_COLUMNS` columns or
    :data:`MAX_CELLS` cells (the reader raises it as soon as it counts that far)."""
    return _refuse(
        name,
        lang,
        f"ce classeur répète des lignes ou des cellules remplies au-delà de {MAX_COLUMNS:,} colonnes par "
        f"ligne ou de {MAX_CELLS:,} cellules en tout : c'est peut-être une « bombe »".replace(",", " "),
        f"this workbook repeats filled rows or cells past {MAX_COLUMNS:,} columns a row or {MAX_CELLS:,} "
        "cells in all: it may be a « bomb »",
        "n'importez pas un fichier dont vous ne connaissez pas l'origine ; sinon, ouvrez-le dans LibreOffice, "
        "supprimez les lignes et colonnes au-delà du tableau, puis enregistrez-le",
        "do not import a file whose origin you do not know; else open it in LibreOffice, delete the rows and "
        "columns past the table, then save it",
    )


def _utf8_xml(head: bytes) -> bool:
    """Whether an XML part starts as UTF-8 does: an optional UTF-8 BOM, blanks, then ``<`` and no NUL byte.

    >>> _utf8_xml(b'<?xml version="1.0"?><a/>'), _utf8_xml("<a/>".encode("utf-16"))
    (True, False)
    """
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return head[:1] == b"<" and b"\x00" not in head[:64]
