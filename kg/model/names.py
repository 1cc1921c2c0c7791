"""Names: one normaliser, one measure of closeness, one "did you mean".

Every place that compares a name written by someone (a commune in a spreadsheet, an
actor on the command line, a concept notation in a YAML file, a named query) uses
:func:`normalise` to compare and :func:`closest` / :func:`did_you_mean` to suggest, so
``kg import`` and ``kg chains`` agree on what "the same name" and "a close name" mean.

>>> normalise("St-Maurice") == normalise("Saint-Maurice")
True
>>> did_you_mean("Club Gravel Entreprendre", ["Club Gravelle Entreprendre", "Le RAMEAU"], lang="en")
'did you mean "Club Gravelle Entreprendre"?'
>>> did_you_mean("Charenton", ["Charenton-le-Pont", "Chartres"])
'vouliez-vous dire « Charenton-le-Pont » ?'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

__all__ = ["CUTOFF", "closest", "did_you_mean", "normalise", "similarity", "suggestion"]

#: The one threshold of :func:`similarity` above which a name is suggested (0 … 1).
CUTOFF = 0.6

#: Score given to a name of which the value is a whole word or the beginning
#: (``rameau`` for ``le rameau``, ``charenton`` for ``charenton le pont``).
_PART_SCORE = 0.8

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_ABBREVIATION_RE = re.compile(r"\b(st|ste|sts|stes)\b")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def _expand(match: re.Match[str]) -> str:
    return _ABBREVIATIONS[match.group(1)]


#: the keys already made, by text (a large import asks for the same names five or six times: its slug, its
#: duplicate key, its reference, its concept…); emptied when it reaches :data:`_KEYS_MAX`, so that a
#: long-running server's memory stays bounded
_KEYS: dict[str, str] = {}
_KEYS_MAX = 1 << 17


def normalise(text: str) -> str:
    """Key for comparing names: lower case, no accents, words split by single spaces.

    Ligatures are spelt out (``œ`` → ``oe``); hyphens, apostrophes and other
    punctuation become spaces; the abbreviations ``St``, ``Ste``, ``Sts``, ``Stes``
    become ``saint``, ``sainte``, ``saints``, ``saintes``.

    Parameters
    ----------
    text : str
        A name as written anywhere (a place, an actor, a column header…).

    Returns
    -------
    str
        The normalised key.

    Examples
    --------
    >>> normalise("L'Haÿ-les-Roses")
    'l hay les roses'
    >>> normalise("ST-MAUR-DES-FOSSÉS") == normalise("Saint-Maur-des-Fossés")
    True
    >>> normalise("Œuilly"), normalise("L’Île-Saint-Denis"), normalise("Stains")
    ('oeuilly', 'l ile saint denis', 'stains')
    >>> normalise("Fondation  TotalEnergies — Élèves d'Île")
    'fondation totalenergies eleves d ile'
    """
    key = _KEYS.get(text)
    if key is None:
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        key = _KEYS[text] = _normalised(text)
    return key


def _normalised(text: str) -> str:
    """:func:`normalise`, made (not remembered)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
        # drop the accents, then any other non-ASCII character (’, –, ...) separates words
        text = _COMBINING.sub("", text).encode("ascii", "replace").decode()
    key = _NON_ALNUM.sub(" ", text.lower()).strip()
    if "st" in key:
        key = _ABBREVIATION_RE.sub(_expand, key)
    return key


def _score(key: str, other: str, floor: float = 0.0) -> float:
    """:func:`similarity` of two normalised keys; 0 when it is surely below *floor*."""
    if not key or not other:
        return 0.0
    part = key in other.split() or other.startswith(key)
    matcher = SequenceMatcher(None, key, other)
    if not part and (matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor):
        return 0.0
    ratio = matcher.ratio()
    return max(ratio, _PART_SCORE) if part else ratio


def similarity(value: str, name: str) -> float:
    """How close *value* is to *name*, from 0 to 1, once both are :func:`normalise`-d.

    The ratio of :class:`difflib.SequenceMatcher`, raised to 0.8 when *value* is a
    whole word or the beginning of *name*.

    Examples
    --------
    >>> similarity("Saint-Maurice", "St Maurice")
    1.0
    >>> similarity("rameau", "Le RAMEAU"), similarity("Paris", "Lyon")
    (0.8, 0.0)
    """
    return _score(normalise(value), normalise(name))


def closest(value: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The *n* candidates closest to *value* (best first), those with a similarity of at least :data:`CUTOFF`.

    Parameters
    ----------
    value : str
        What was written.
    candidates : iterable of str
        What exists, as it should be shown (duplicates are ignored).
    n : int
        At most that many.

    Returns
    -------
    list of str
        Candidates, best first (ties in alphabetical order); empty when none is close.

    Examples
    --------
    >>> closest("Ville de Charenton-le-Pont", ["Charenton-le-Pont", "Mairie de Charenton-le-Pont"])
    ['Mairie de Charenton-le-Pont', 'Charenton-le-Pont']
    >>> closest("actor-partner", ["actor-partners", "actors-of-territory", "funders"])
    ['actor-partners']
    >>> closest("xyz", ["Charenton-le-Pont"])
    []
    """
    key = normalise(value)
    scored = []
    for candidate in dict.fromkeys(candidates):
        score = _score(key, normalise(candidate), CUTOFF)
        if score >= CUTOFF:
            scored.append((-score, candidate))
    scored.sort()
    return [candidate for _, candidate in scored[:n]]


def suggestion(names: Sequence[str], lang: str = "fr") -> str:
    """The one phrasing of "did you mean" for *names* already chosen; empty when there is none.

    Examples
    --------
    >>> suggestion(["Saint-Maurice", "Saint-Maur-des-Fossés"])
    'vouliez-vous dire « Saint-Maurice » ou « Saint-Maur-des-Fossés » ?'
    >>> suggestion(["a", "b", "c"], lang="en")
    'did you mean "a", "b" or "c"?'
    >>> suggestion([])
    ''
    """
    if not names:
        return ""
    if lang == "fr":
        quoted = [f"« {x} »" for x in names]
        head = ", ".join(quoted[:-1])
        return f"vouliez-vous dire {head + ' ou ' if head else ''}{quoted[-1]} ?"
    quoted = [f'"{x}"' for x in names]
    head = ", ".join(quoted[:-1])
    return f"did you mean {head + ' or ' if head else ''}{quoted[-1]}?"


def did_you_mean(value: str, candidates: Iterable[str], lang: str = "fr", n: int = 3) -> str:
    """« vouliez-vous dire « X » ? » / 'did you mean "X"?' for the :func:`closest` candidates; empty when none is close.

    Examples
    --------
    >>> did_you_mean("Mairie de Charenton-le-Pont", ["Ville de Charenton-le-Pont"], lang="en")
    'did you mean "Ville de Charenton-le-Pont"?'
    >>> did_you_mean("Paris", ["Lyon"])
    ''
    """
    return suggestion(closest(value, candidates, n), lang)
