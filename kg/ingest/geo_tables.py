"""The tables of ``data/geo/`` (the committed extract of the Code officiel géographique): their columns,
their rows as records (:class:`Commune`, :class:`Intercommunality`, :class:`Departement`, :class:`Region`),
and reading a CSV file with its header and cells checked. :mod:`kg.ingest.geo` builds the
:class:`kg.ingest.geo.Geography` from them.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from kg.errors import InputError, Problem
from kg.model.paths import DATA_DIR

__all__ = [
    "COMMUNE_COLUMNS",
    "COMMUNE_KINDS",
    "DEFAULT_GEO_DIR",
    "DEPARTEMENT_COLUMNS",
    "INTERCOMMUNALITY_COLUMNS",
    "INTERCOMMUNALITY_KINDS",
    "REGION_COLUMNS",
    "Commune",
    "Departement",
    "GeographyError",
    "Intercommunality",
    "Region",
    "bad_value",
    "collector_paused",
    "int_value",
    "read_table",
]

#: The committed extract, ``data/geo/`` at the root of the repository.
DEFAULT_GEO_DIR = DATA_DIR / "geo"

_REGENERATE = "regenerate data/geo with `python scripts/geo_extract.py` (see data/geo/README.md)"

COMMUNE_COLUMNS = (
    "code",
    "nom",
    "type",
    "departement",
    "region",
    "siren",
    "population",
    "codes_postaux",
    "epci",
    "ept",
    "commune",
)
INTERCOMMUNALITY_COLUMNS = ("siren", "nom", "type", "mode_financement", "population", "departement")
DEPARTEMENT_COLUMNS = ("code", "nom", "region", "chef_lieu")
REGION_COLUMNS = ("code", "nom", "chef_lieu")

COMMUNE_KINDS = ("commune", "arrondissement-municipal")
INTERCOMMUNALITY_KINDS = ("CC", "CA", "CU", "METRO", "MET69", "EPT")


class GeographyError(InputError, ValueError):
    """A file of ``data/geo/`` is missing or malformed: an :class:`kg.errors.InputError`.

    Its one :class:`kg.errors.Problem` names the file, the row (line number, the header
    being row 1), the column, the value, and the fix. Still a ``ValueError``, as it was
    before it joined the :mod:`kg.errors` tree.
    """

    def __init__(self, path: Path, message: str) -> None:
        super().__init__([Problem(str(path.parent), None, None, message)])
        #: the message alone, without the summary of :class:`kg.errors.InputError`
        self.message = message


class Commune(NamedTuple):
    """A commune-actuelle or an arrondissement municipal (Paris, Lyon, Marseille).

    Attributes
    ----------
    code : str
        INSEE code (``"94018"``, ``"2A004"``, ``"75101"``).
    name : str
        Official name (``"Charenton-le-Pont"``).
    kind : str
        ``"commune"`` or ``"arrondissement-municipal"``.
    departement, region : str
        Codes of its département and région.
    siren : str or None
        SIREN of the commune; None for arrondissements municipaux and some communes
        of the collectivités d'outre-mer.
    population : int or None
        Population municipale (INSEE legal population).
    postcodes : tuple of str
        Postcodes (La Poste), sorted.
    epci, ept : str or None
        SIREN of its EPCI à fiscalité propre and of its EPT (Grand Paris only).
    parent : str or None
        For an arrondissement municipal, the INSEE code of its commune.
    """

    code: str
    name: str
    kind: str
    departement: str
    region: str
    siren: str | None
    population: int | None
    postcodes: tuple[str, ...]
    epci: str | None
    ept: str | None
    parent: str | None


class Intercommunality(NamedTuple):
    """An EPCI à fiscalité propre (CC, CA, CU, METRO, MET69) or an EPT of Grand Paris.

    Attributes
    ----------
    siren : str
        Its SIREN, which is also its code.
    name : str
        Official name.
    kind : str
        One of :data:`INTERCOMMUNALITY_KINDS`.
    financing : str or None
        Fiscal regime (``"FPU"`` or ``"FA"``); None for EPT.
    population : int
        Population municipale.
    departement : str or None
        Its département when all its communes lie in one, else None.
    """

    siren: str
    name: str
    kind: str
    financing: str | None
    population: int
    departement: str | None


class Departement(NamedTuple):
    """A département (or a collectivité d'outre-mer listed as one)."""

    code: str
    name: str
    region: str
    chef_lieu: str


class Region(NamedTuple):
    """A région (or a collectivité d'outre-mer listed as one)."""

    code: str
    name: str
    chef_lieu: str


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: building ~10^5 small objects, none of them
    garbage, otherwise triggers many useless collections (loading takes twice as long)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def read_table(path: Path, columns: tuple[str, ...]) -> list[list[str]]:
    """Rows of a CSV file of ``data/geo`` (header checked and dropped)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise GeographyError(path, f"{path} is missing; {_REGENERATE}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GeographyError(path, f"{path} cannot be read as UTF-8 CSV ({exc}); {_REGENERATE}") from exc
    if not rows or tuple(rows[0]) != columns:
        header = ",".join(rows[0]) if rows else "(empty file)"
        raise GeographyError(
            path, f"{path}, row 1: header is {header!r}, expected {','.join(columns)!r}; {_REGENERATE}"
        )
    width = len(columns)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise GeographyError(
                path,
                f"{path}, row {number}: {len(row)} cells, expected {width} ({','.join(columns)}); {_REGENERATE}",
            )
    return rows[1:]


def bad_value(path: Path, number: int, column: str, value: str, expected: str) -> GeographyError:
    return GeographyError(
        path, f'{path}, row {number}, column "{column}": "{value}" {expected}; {_REGENERATE}'
    )


def int_value(path: Path, number: int, column: str, value: str) -> int:
    if value.isascii() and value.isdigit():
        return int(value)
    raise bad_value(path, number, column, value, "is not a whole number")
