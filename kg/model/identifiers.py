"""Validators of French official identifiers (SIREN, SIRET, RNA, INSEE codes, UAI).

Each validator takes a value and returns ``None`` when it is well formed, else an
English message that names the value and says how to fix it. They never raise, so a
caller can collect every problem of a spreadsheet before reporting, and prefix the
message with the place it comes from (``data/actors.csv, row 14, column "siren": ...``).

>>> siren_problem("219400181") is None
True
>>> siren_problem("21940018")
'"21940018" has 8 digits; a SIREN has 9 digits'

Only the form is checked (length, characters, check digit where there is one), not
that the identifier exists: for that, look the value up in the official register
(Sirene, RNA, the COG in ``data/geo/``).
"""

from __future__ import annotations

import re

__all__ = [
    "REGION_CODES",
    "departement_problem",
    "insee_commune_problem",
    "luhn_ok",
    "region_problem",
    "rna_problem",
    "siren_problem",
    "siret_problem",
    "uai_problem",
]

#: SIREN of La Poste: its establishments (except the head office) use another check rule.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE_SIRET = "35600000000048"

_DEPARTEMENT = r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])"
_DEPARTEMENT_RE = re.compile(rf"^(?:{_DEPARTEMENT}|97[1-8]|98[46789])$")
_COMMUNE_RE = re.compile(rf"^(?:{_DEPARTEMENT}[0-9]{{3}}|9[78][0-9]{{3}})$")
_RNA_RE = re.compile(r"^W[0-9A-Z]{9}$")
_UAI_RE = re.compile(r"^[0-9]{7}[A-Z]$")

#: Codes of the 18 régions (COG since 2016) and of the collectivités d'outre-mer, which
#: the official geography (``data/geo/regions.csv``) lists as régions of their own.
_REGIONS = "01 02 03 04 06 11 24 27 28 32 44 52 53 75 76 84 93 94"
_COLLECTIVITES_OUTRE_MER = "975 977 978 984 986 987 988 989"
REGION_CODES = frozenset(f"{_REGIONS} {_COLLECTIVITES_OUTRE_MER}".split())


def luhn_ok(digits: str) -> bool:
    """Return True if the string of *digits* passes the Luhn check (sum mod 10 == 0).

    Parameters
    ----------
    digits : str
        Decimal digits only.

    Examples
    --------
    >>> luhn_ok("219400181"), luhn_ok("219400182")
    (True, False)
    """
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _not_text(value: object, what: str, form: str) -> str:
    return f"{value!r} is a {type(value).__name__}, not text; give the {what} as text ({form})"


def _spaces(value: str, what: str) -> str | None:
    if any(ch.isspace() for ch in value):
        return f'"{value}" contains spaces; write the {what} without spaces'
    return None


def _digits_problem(value: object, what: str, length: int) -> str | None:
    if not isinstance(value, str):
        return _not_text(value, what, f"{length} digits")
    problem = _spaces(value, what)
    if problem:
        return problem
    if not value:
        return f'"" is empty; a {what} has {length} digits'
    if not value.isascii() or not value.isdigit():
        return f'"{value}" has characters other than digits; a {what} has {length} digits'
    if len(value) != length:
        return f'"{value}" has {len(value)} digits; a {what} has {length} digits'
    return None


def siren_problem(value: object) -> str | None:
    """Check a SIREN: 9 digits whose last one is a Luhn check digit.

    Parameters
    ----------
    value : object
        The candidate SIREN, as text.

    Returns
    -------
    str or None
        None if *value* is a well-formed SIREN, else what is wrong and how to fix it.

    Examples
    --------
    >>> siren_problem("219400181") is None
    True
    >>> siren_problem("21940018")
    '"21940018" has 8 digits; a SIREN has 9 digits'
    >>> siren_problem("219400182")
    '"219400182" fails the SIREN check digit (Luhn); check for a typo'
    >>> siren_problem("219 400 181")
    '"219 400 181" contains spaces; write the SIREN without spaces'
    >>> siren_problem(219400181)
    '219400181 is a int, not text; give the SIREN as text (9 digits)'
    """
    problem = _digits_problem(value, "SIREN", 9)
    if problem or not isinstance(value, str):
        return problem
    if not luhn_ok(value):
        return f'"{value}" fails the SIREN check digit (Luhn); check for a typo'
    return None


def siret_problem(value: object) -> str | None:
    """Check a SIRET: 14 digits, a valid SIREN followed by a 5-digit NIC, Luhn over all 14.

    La Poste (SIREN 356000000) has more establishments than Luhn-valid numbers: for
    them, except the head office 35600000000048, the sum of the 14 digits must be a
    multiple of 5 instead.

    Parameters
    ----------
    value : object
        The candidate SIRET, as text.

    Returns
    -------
    str or None
        None if *value* is a well-formed SIRET, else what is wrong and how to fix it.

    Examples
    --------
    >>> siret_problem("21940018100018") is None
    True
    >>> siret_problem("35600000049837") is None  # La Poste: digit sum 45
    True
    >>> siret_problem("2194001810001")
    '"2194001810001" has 13 digits; a SIRET has 14 digits'
    >>> siret_problem("21940018100019")
    '"21940018100019" fails the SIRET check digit (Luhn); check for a typo'
    >>> siret_problem("21940018200016")
    '"21940018200016" starts with "219400182", which fails the SIREN check digit (Luhn); check for a typo'
    >>> siret_problem("35600000049838")
    '"35600000049838" fails the La Poste SIRET check (sum of digits a multiple of 5); check for a typo'
    """
    problem = _digits_problem(value, "SIRET", 14)
    if problem or not isinstance(value, str):
        return problem
    siren = value[:9]
    if siren == LA_POSTE_SIREN and value != LA_POSTE_HEAD_OFFICE_SIRET:
        if sum(ord(ch) - 48 for ch in value) % 5:
            return (
                f'"{value}" fails the La Poste SIRET check (sum of digits a multiple of 5); check for a typo'
            )
        return None
    if not luhn_ok(siren):
        return f'"{value}" starts with "{siren}", which fails the SIREN check digit (Luhn); check for a typo'
    if not luhn_ok(value):
        return f'"{value}" fails the SIRET check digit (Luhn); check for a typo'
    return None


def rna_problem(value: object) -> str | None:
    """Check an RNA number (répertoire national des associations): ``W`` then 9 digits or capitals.

    Parameters
    ----------
    value : object
        The candidate RNA number, as text.

    Returns
    -------
    str or None
        None if *value* is well formed, else what is wrong and how to fix it.

    Examples
    --------
    >>> rna_problem("W943001234") is None
    True
    >>> rna_problem("w943001234")
    '"w943001234" is not an RNA number: write it in capitals ("W943001234")'
    >>> rna_problem("943001234")
    '"943001234" is not an RNA number: it starts with "W" followed by 9 digits or capitals'
    """
    if not isinstance(value, str):
        return _not_text(value, "RNA number", '"W" then 9 digits or capitals')
    problem = _spaces(value, "RNA number")
    if problem:
        return problem
    if _RNA_RE.match(value):
        return None
    if _RNA_RE.match(value.upper()):
        return f'"{value}" is not an RNA number: write it in capitals ("{value.upper()}")'
    return f'"{value}" is not an RNA number: it starts with "W" followed by 9 digits or capitals'


def insee_commune_problem(value: object) -> str | None:
    """Check the form of an INSEE commune code (COG): 5 characters.

    The first two give the département (01 to 95, 2A and 2B for Corsica, never 20),
    the last three the commune; overseas codes start with 97 or 98 (département or
    collectivité of 3 characters, then 2 digits).

    Parameters
    ----------
    value : object
        The candidate code, as text.

    Returns
    -------
    str or None
        None if *value* is well formed, else what is wrong and how to fix it.

    Examples
    --------
    >>> [insee_commune_problem(c) for c in ("94018", "2A004", "97411", "98818")]
    [None, None, None, None]
    >>> insee_commune_problem("1001")
    '"1001" has 4 characters; an INSEE commune code has 5 (a leading zero lost by a spreadsheet? try "01001")'
    >>> insee_commune_problem("2a004")
    '"2a004" is not an INSEE commune code: write the Corsican département in capitals ("2A004")'
    >>> insee_commune_problem("20004")
    '"20004" is not an INSEE commune code: Corsican communes start with 2A or 2B, not 20'
    >>> insee_commune_problem("94 018")
    '"94 018" contains spaces; write the INSEE commune code without spaces'
    """
    what = "INSEE commune code"
    if not isinstance(value, str):
        return _not_text(value, what, "5 characters, e.g. 94018 or 2A004")
    problem = _spaces(value, what)
    if problem:
        return problem
    if _COMMUNE_RE.match(value):
        return None
    if len(value) == 4 and value.isascii() and value.isdigit():
        return (
            f'"{value}" has 4 characters; an INSEE commune code has 5 '
            f'(a leading zero lost by a spreadsheet? try "0{value}")'
        )
    if len(value) != 5:
        return f'"{value}" has {len(value)} characters; an {what} has 5'
    if _COMMUNE_RE.match(value.upper()):
        return f'"{value}" is not an {what}: write the Corsican département in capitals ("{value.upper()}")'
    if value.startswith("20"):
        return f'"{value}" is not an {what}: Corsican communes start with 2A or 2B, not 20'
    return (
        f'"{value}" is not an {what}: expected a département (01 to 95, 2A, 2B) then 3 digits, '
        "or 97/98 then 3 digits"
    )


def departement_problem(value: object) -> str | None:
    """Check the form of a département code: 01 to 95, 2A, 2B, or 971 to 978, 984, 986 to 989.

    The 3-digit codes are the overseas départements (971 to 974, 976) and the
    collectivités d'outre-mer the official geography lists as départements.

    Parameters
    ----------
    value : object
        The candidate code, as text.

    Returns
    -------
    str or None
        None if *value* is well formed, else what is wrong and how to fix it.

    Examples
    --------
    >>> [departement_problem(c) for c in ("01", "2B", "94", "974")]
    [None, None, None, None]
    >>> departement_problem("1")
    '"1" is not a département code; département codes have 2 characters (try "01")'
    >>> departement_problem("20")
    '"20" is not a département code: Corsica is 2A (Corse-du-Sud) or 2B (Haute-Corse)'
    >>> departement_problem("96")
    '"96" is not a département code: expected 01 to 95, 2A, 2B, 971 to 978, 984 or 986 to 989'
    """
    if not isinstance(value, str):
        return _not_text(value, "département code", 'e.g. "01", "2A", "974"')
    problem = _spaces(value, "département code")
    if problem:
        return problem
    if _DEPARTEMENT_RE.match(value):
        return None
    if len(value) == 1 and value.isascii() and value.isdigit():
        return f'"{value}" is not a département code; département codes have 2 characters (try "0{value}")'
    if _DEPARTEMENT_RE.match(value.upper()):
        return f'"{value}" is not a département code: write it in capitals ("{value.upper()}")'
    if value == "20":
        return f'"{value}" is not a département code: Corsica is 2A (Corse-du-Sud) or 2B (Haute-Corse)'
    return f'"{value}" is not a département code: expected 01 to 95, 2A, 2B, 971 to 978, 984 or 986 to 989'


def region_problem(value: object) -> str | None:
    """Check a région code against :data:`REGION_CODES` (the régions of the COG since 2016).

    Parameters
    ----------
    value : object
        The candidate code, as text.

    Returns
    -------
    str or None
        None if *value* is a current région code, else what is wrong and how to fix it.

    Examples
    --------
    >>> region_problem("11") is None
    True
    >>> region_problem("6")
    '"6" is not a région code; région codes have at least 2 characters (try "06")'
    >>> region_problem("22")
    '"22" is not a current région code (Picardie and the other régions merged in 2016 have no code now); expected one of 01, 02, 03, 04, 06, 11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94, 975, 977, 978, 984, 986, 987, 988, 989'
    """
    if not isinstance(value, str):
        return _not_text(value, "région code", 'e.g. "11"')
    problem = _spaces(value, "région code")
    if problem:
        return problem
    if value in REGION_CODES:
        return None
    if len(value) == 1 and f"0{value}" in REGION_CODES:
        return f'"{value}" is not a région code; région codes have at least 2 characters (try "0{value}")'
    return (
        f'"{value}" is not a current région code (Picardie and the other régions merged in 2016 have '
        f"no code now); expected one of {', '.join(sorted(REGION_CODES, key=lambda c: (len(c), c)))}"
    )


def uai_problem(value: object) -> str | None:
    """Check the form of a UAI (unité administrative immatriculée, a school's number): 7 digits, 1 capital.

    Only the form is checked, not the check letter.

    Parameters
    ----------
    value : object
        The candidate UAI, as text.

    Returns
    -------
    str or None
        None if *value* is well formed, else what is wrong and how to fix it.

    Examples
    --------
    >>> uai_problem("0941234A") is None
    True
    >>> uai_problem("0941234a")
    '"0941234a" is not a UAI: write the final letter in capitals ("0941234A")'
    >>> uai_problem("941234A")
    '"941234A" is not a UAI: a UAI is 7 digits then a capital letter, e.g. "0941234A"'
    """
    if not isinstance(value, str):
        return _not_text(value, "UAI", '7 digits then a capital letter, e.g. "0941234A"')
    problem = _spaces(value, "UAI")
    if problem:
        return problem
    if _UAI_RE.match(value):
        return None
    if _UAI_RE.match(value.upper()):
        return f'"{value}" is not a UAI: write the final letter in capitals ("{value.upper()}")'
    return f'"{value}" is not a UAI: a UAI is 7 digits then a capital letter, e.g. "0941234A"'
