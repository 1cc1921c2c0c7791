"""Territory references: ``level:code``, parsed in one place.

A record, a command option or a query parameter names a territory as
``commune:94018``, ``intercommunalite:200057941``, ``departement:94`` or ``region:11``
(INSEE code, or SIREN for an intercommunality). :func:`parse_territory` reads one into a
:class:`TerritoryRef`; whether it exists and what lies in it are questions for the
geography (:meth:`kg.ingest.geo.Geography.has`, :meth:`kg.ingest.geo.Geography.within`)
or for the store (:func:`kg.store.queries.subterritories`).

>>> parse_territory(" commune:94018 ")
TerritoryRef(level='commune', code='94018')
>>> parse_territory("departement:94").iri
'https://w3id.org/territorial-kg/id/territory/departement/94'
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.errors import TerritoryError
from kg.model import iris
from kg.model.vocab import BASE

__all__ = [
    "FORMS",
    "IRI_PREFIX",
    "LEVELS",
    "TERRITORY_REF_RE",
    "TerritoryRef",
    "is_territory",
    "parse_territory",
    "ref_of_iri",
]

#: Levels of territory, from the smallest (an arrondissement municipal is a ``commune``).
LEVELS = iris.TERRITORY_LEVELS

#: A territory reference: a level, a colon, an INSEE code or a SIREN.
TERRITORY_REF_RE = re.compile(r"^(commune|intercommunalite|departement|region):([0-9A-Z]{1,9})$")

#: What every territory IRI starts with (:func:`kg.model.iris.territory` mints ``<IRI_PREFIX><level>/<code>``).
IRI_PREFIX = BASE + "id/territory/"

#: The accepted forms, as every message says them.
FORMS = "commune:94018, intercommunalite:200057941, departement:94 or region:11"


class TerritoryRef(NamedTuple):
    """A territory named by its level and its code (INSEE code, or SIREN of an intercommunality)."""

    level: str
    code: str

    def __str__(self) -> str:
        return f"{self.level}:{self.code}"

    @property
    def iri(self) -> str:
        """The territory's IRI (:func:`kg.model.iris.territory`)."""
        return iris.territory(self.level, self.code)


def parse_territory(ref: str) -> TerritoryRef:
    """Read a territory reference ``level:code`` (spaces around it are ignored).

    Parameters
    ----------
    ref : str
        ``commune:94018``, ``intercommunalite:200057941``, ``departement:94`` or ``region:11``.

    Returns
    -------
    TerritoryRef

    Raises
    ------
    TerritoryError
        (a :class:`ValueError` too, so pydantic validators report it) naming the value
        and the accepted forms.

    Examples
    --------
    >>> parse_territory("intercommunalite:200057941").code
    '200057941'
    >>> parse_territory("94018")
    Traceback (most recent call last):
    ...
    kg.errors.TerritoryError: "94018" is not a territory reference; write level:code, e.g. commune:94018, intercommunalite:200057941, departement:94 or region:11
    """
    text = ref.strip() if isinstance(ref, str) else ref
    m = TERRITORY_REF_RE.match(text) if isinstance(text, str) else None
    if m is None:
        raise TerritoryError(f'"{text}" is not a territory reference; write level:code, e.g. {FORMS}')
    return TerritoryRef(m.group(1), m.group(2))


def is_territory(ref: object) -> bool:
    """True if *ref* is a well-formed territory reference (it may still be absent from the geography).

    >>> is_territory("region:11"), is_territory("canton:9401"), is_territory(None)
    (True, False, False)
    """
    return isinstance(ref, str) and TERRITORY_REF_RE.match(ref.strip()) is not None


def ref_of_iri(iri: str) -> TerritoryRef | None:
    """The territory an IRI minted by :func:`kg.model.iris.territory` names; None for any other IRI.

    >>> ref_of_iri("https://w3id.org/territorial-kg/id/territory/commune/94018")
    TerritoryRef(level='commune', code='94018')
    >>> ref_of_iri("https://w3id.org/territorial-kg/id/actor/le-rameau") is None
    True
    """
    if not iri.startswith(IRI_PREFIX):
        return None
    level, _, code = iri[len(IRI_PREFIX) :].partition("/")
    return TerritoryRef(level, code) if level in LEVELS and code else None
