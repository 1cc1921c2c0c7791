"""Source documents: reading them and checking that a quoted sentence is really in them.

The five documents live in ``data/sources/<stem>.txt``. A quote matches a document when
it occurs in it once both are *folded*: markdown marks and link targets dropped,
typographic apostrophes straightened, the known mojibake of PDF extractions repaired
(document 004: ``lô`` for ``l'``, ``®`` for ``é``…), and every white space removed
(PDF text runs words together or breaks them across lines).

>>> fold("Le **Fonds ODD17** a été [co-crée](#) en 2020 (*sic*)")
'lefondsodd17aétéco-créeen2020(sic)'
>>> fold("aveclôANCT, ¨ lô®coute, acc¯s", repair=True) == fold("avec l'ANCT, à l'écoute, accès", repair=True)
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Document", "fold", "is_garbled", "quote_in_dataset", "quote_in_document", "read_document"]

# Mojibake seen in PDF extractions (seeds README and document 004), repaired in one pass
# (a repaired character is never repaired again) and only in documents that show it.
# Characters that stand both for themselves and for another one there (``è`` for ``è`` and
# ``»``, ``ç`` for ``ç`` and ``«``, ``î`` for ``î`` and ``œ``, ``ï`` for ``ï`` and ``–``) are
# dropped from both sides when matching against such a document.
_MOJIBAKE = {
    "lô": "l'",
    "dô": "d'",
    "Lô": "L'",
    "Dô": "D'",
    "®": "é",
    "¨": "à",
    "°": "ê",
    "¯": "è",
    "Ç": "",
    "ƴ": "",
    "Å": "",
}
_AMBIGUOUS = str.maketrans("", "", "èçîïœ–«»")
_MOJIBAKE_RE = re.compile("|".join(sorted(map(re.escape, _MOJIBAKE), key=len, reverse=True)))
_MOJIBAKE_SIGNS = ("lô", "dô", "®")
_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\([^)]*\)")
_MARKS = re.compile(r"\*+|\^\{|\^|[{}\\]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Document:
    """A source document: its file stem, path and raw text."""

    stem: str
    path: Path
    text: str


def _repair(text: str) -> str:
    return _MOJIBAKE_RE.sub(lambda m: _MOJIBAKE[m.group(0)], text)


def is_garbled(text: str) -> bool:
    """True if *text* shows the mojibake of a broken PDF extraction (``lô`` for ``l'``…)."""
    return sum(text.count(sign) for sign in _MOJIBAKE_SIGNS) >= 3


def fold(text: str, *, repair: bool = False) -> str:
    """Fold *text* for quote matching (see module docstring); lower-cased, no white space."""
    text = unicodedata.normalize("NFC", text)
    if repair:
        text = _repair(text).translate(_AMBIGUOUS)
    text = _LINK.sub(r"\1", text)
    text = _MARKS.sub("", text)
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = text.replace("«", "").replace("»", "").replace('"', "").replace("\u2026", "...")
    return _SPACE.sub("", text).lower()


@lru_cache(maxsize=64)
def read_document(path: str | Path) -> Document:
    """Read a source document (UTF-8)."""
    p = Path(path)
    return Document(p.stem, p, p.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Folded:
    """A document folded whole (``plain``, ``repaired``), and its lines folded one by one when their
    concatenation is exactly the folded whole (then a quote equal to a folded line occurs in it)."""

    plain: str
    repaired: str
    lines: frozenset[str]
    repaired_lines: frozenset[str]


def _folded_lines(lines: list[str], whole: str, *, repair: bool) -> frozenset[str]:
    """The folded lines, or nothing when folding line by line does not give *whole* (a link or a mark
    spanning two lines): then only the substring search answers."""
    folded = [fold(line, repair=repair) for line in lines]
    return frozenset(f for f in folded if f) if "".join(folded) == whole else frozenset()


@lru_cache(maxsize=64)
def _folded(path: str) -> _Folded:
    text = read_document(path).text
    lines = text.splitlines()
    plain = fold(text)
    repaired = fold(text, repair=True) if is_garbled(text) else ""
    return _Folded(
        plain,
        repaired,
        _folded_lines(lines, plain, repair=False),
        _folded_lines(lines, repaired, repair=True) if repaired else frozenset(),
    )


@lru_cache(maxsize=8)
def _rows(path: str) -> frozenset[str]:
    return frozenset(line.strip() for line in read_document(path).text.splitlines() if line.strip())


def quote_in_dataset(quote: str, path: str | Path) -> bool:
    """Return True if *quote* is one whole row of the dataset at *path* (a CSV file), as written.

    A dataset is quoted by rows, not by folded text: a folded substring could straddle two
    rows and cite a fact that no row states.
    """
    return quote.strip() in _rows(str(path))


def quote_in_document(quote: str, path: str | Path) -> bool:
    """Return True if *quote* occurs in the document at *path* (after folding both)."""
    q = fold(quote)
    if not q:
        return False
    doc = _folded(str(path))
    # a quote that is a whole line is found in constant time; any other by a substring search, which
    # costs the document's length: with one quote per record in a few long documents, that search
    # alone made loading grow with the square of the data set
    if q in doc.lines or q in doc.plain:
        return True
    if not doc.repaired:
        return False
    r = fold(quote, repair=True)
    return r in doc.repaired_lines or r in doc.repaired
