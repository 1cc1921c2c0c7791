"""Cell parsers for French conventions: ``dd/mm/yyyy`` and Excel serial dates, decimal
commas, spaces as thousands separators. They return ``(value, problem)`` pairs and never
raise, so an import can report every bad cell at once.

>>> parse_amount("1 500 000,50")
(Decimal('1500000.50'), None)
>>> parse_date(44994)  # an Excel serial number
('2023-03-09', None)
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.model.names import normalise

__all__ = [
    "EXCEL_ERRORS",
    "FORMULA_STARTS",
    "MAX_CELL",
    "cell_text",
    "csv_cell",
    "excel_error",
    "formula_like",
    "is_empty",
    "parse_amount",
    "parse_code",
    "parse_date",
    "parse_list",
    "read_csv_cell",
    "say",
    "slugify",
]

#: first characters that make a spreadsheet read a text cell as a formula (OWASP's CSV-injection rule)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for a text that a spreadsheet would run as a formula if written as is.

    >>> formula_like('=HYPERLINK("http://evil.example/")'), formula_like("Ville de Charenton"), formula_like(-1)
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: a formula-like text gets a leading ``'`` so that it opens as text.

    :func:`read_csv_cell` takes it off again, so an exported file re-imports unchanged.

    >>> csv_cell("=1+1"), csv_cell("Q2ER"), csv_cell(3)
    ("'=1+1", 'Q2ER', 3)
    """
    return "'" + value if formula_like(value) else value


def read_csv_cell(text: str) -> str:
    """The text of a CSV cell written by :func:`csv_cell` (the guarding ``'`` taken off).

    >>> read_csv_cell("'=1+1"), read_csv_cell("'quoted"), read_csv_cell("plain")
    ('=1+1', "'quoted", 'plain')
    """
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text


def say(lang: str, fr: str, en: str) -> str:
    """The French text, or the English one when *lang* is ``"en"`` (every message a catalyst reads is French).

    >>> say("fr", "ligne", "row"), say("en", "ligne", "row")
    ('ligne', 'row')
    """
    return en if lang == "en" else fr


# --------------------------------------------------------------------------- cells

#: the error values a spreadsheet shows in a cell whose formula failed (Excel's and LibreOffice's)
EXCEL_ERRORS = (
    "#VALUE!",
    "#N/A",
    "#REF!",
    "#DIV/0!",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#UNKNOWN!",
    "Err:502",
    "Err:504",
    "Err:508",
    "Err:511",
    "Err:522",
    "Err:523",
)
_ERRORS = {e.upper() for e in EXCEL_ERRORS}
#: the most characters a spreadsheet cell holds (Excel's limit): a longer CSV cell is a quote left open
MAX_CELL = 32767


def excel_error(value: Any) -> str | None:
    """The error value a cell shows (``#VALUE!``, ``#N/A``…), or None.

    >>> excel_error("#N/A"), excel_error(" #value! "), excel_error("N/A")
    ('#N/A', '#VALUE!', None)
    """
    if isinstance(value, str) and value.strip().upper() in _ERRORS:
        return value.strip().upper()
    return None


def is_empty(value: Any) -> bool:
    """True for a cell with nothing in it: None, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_FIX = "écrivez la date jj/mm/aaaa (09/03/2023), mm/aaaa ou aaaa"


def parse_date(value: Any, lang: str = "fr") -> tuple[str | None, str | None]:
    """A date cell as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: ``(value, None)`` or ``(None, problem)``.

    Accepts spreadsheet dates, ``dd/mm/yyyy``, ``mm/yyyy``, ``yyyy``, ISO dates and Excel
    serial numbers (a whole number from 1000 to 2999 is a year; a serial number is from
    3000, 18/03/1908, on). A smaller number is refused, not read as a day of 1900 (« 21 »
    typed in a date cell, which a spreadsheet shows as 20/01/1900), and so is a date cell
    before 1901, the trace of such a number.

    Examples
    --------
    >>> parse_date("2021"), parse_date("03/2021"), parse_date(2021)
    (('2021', None), ('2021-03', None), ('2021', None))
    >>> print(parse_date("31/02/2021")[1])
    « 31/02/2021 » n'est pas une date réelle (ce jour n'existe pas)
    >>> print(parse_date(21)[1])
    « 21 » est un nombre, pas une date (un tableur en ferait le 20/01/1900)
    """
    if is_empty(value):
        return None, None
    if isinstance(value, (dt.datetime, dt.date)):
        when = value.date() if isinstance(value, dt.datetime) else value
        if when.year <= 1900:
            # Excel counts 29/02/1900, which never was: before 01/03/1900 its serial is one day less
            serial = (when - (_EXCEL_EPOCH if when >= dt.date(1900, 3, 1) else dt.date(1899, 12, 31))).days
            return None, say(
                lang,
                f"« {when.strftime('%d/%m/%Y')} » : sans doute le nombre « {serial} » tapé dans une cellule "
                "au format date",
                f'"{when.isoformat()}": probably the number "{serial}" typed in a date-formatted cell',
            )
        return when.isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = str(int(value)) if float(value).is_integer() else str(value)
        if float(value).is_integer() and 1000 <= value <= 2999:
            return str(int(value)), None
        if 3000 <= value < 2958466:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat(), None
        if 0 < value < 1000:
            shown_as = (_EXCEL_EPOCH + dt.timedelta(days=int(value))).strftime("%d/%m/%Y")
            return None, say(
                lang,
                f"« {shown} » est un nombre, pas une date (un tableur en ferait le {shown_as})",
                f'"{shown}" is a number, not a date (a spreadsheet would make it {shown_as})',
            )
        return None, say(lang, f"« {shown} » n'est pas une date", f'"{shown}" is not a date')
    text = str(value).strip()
    try:
        if m := _DMY.match(text):
            d, mo, y = (int(x) for x in m.groups())
            return dt.date(y, mo, d).isoformat(), None
        if m := _MY.match(text):
            mo, y = (int(x) for x in m.groups())
            dt.date(y, mo, 1)
            return f"{y:04d}-{mo:02d}", None
        if m := _ISO.match(text[:10] if len(text) > 10 and text[10] in "T " else text):
            year, month, day = m.groups()
            dt.date(int(year), int(month or 1), int(day or 1))
            return m.group(0), None
        if re.match(r"^\d+([.,]\d+)?$", text):  # a serial number kept as text
            return parse_date(float(text.replace(",", ".")), lang)
    except ValueError:
        return None, say(
            lang,
            f"« {text} » n'est pas une date réelle (ce jour n'existe pas)",
            f'"{text}" is not a real date (no such day)',
        )
    return None, say(lang, f"« {text} » n'est pas une date", f'"{text}" is not a date')


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(value: Any, lang: str = "fr") -> tuple[Decimal | None, str | None]:
    """An amount in euros: decimal comma or point, spaces, dots or apostrophes between thousands, a € sign.

    Examples
    --------
    >>> parse_amount("1.500.000"), parse_amount("12 500,5 €"), parse_amount(1500.5)
    ((Decimal('1500000'), None), (Decimal('12500.5'), None), (Decimal('1500.5'), None))
    >>> parse_amount("environ 10k")[1]
    "« environ 10k » n'est pas un montant"

    One group of three digits after a single comma or dot (``1,500``, ``1.500``) is
    ambiguous — 1 500 with an English or French thousands separator, or 1,5 — and refused:

    >>> parse_amount("1,500")[1]
    '« 1,500 » est ambigu : 1 500 € (séparateur de milliers) ou 1,5 € (virgule décimale) ?'
    """
    if is_empty(value):
        return None, None
    if isinstance(value, bool):
        return None, say(lang, f"« {value} » n'est pas un montant", f'"{value}" is not an amount')
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        return Decimal(repr(value)).normalize() if value != int(value) else Decimal(int(value)), None
    text = _SPACES.sub("", str(value)).replace("€", "").replace("EUR", "").replace("eur", "")
    if m := re.match(r"^-?(\d{1,3})[.,](\d{3})$", text):
        whole, part = m.groups()
        return None, say(
            lang,
            f"« {value} » est ambigu : {whole} {part} € (séparateur de milliers) ou "
            f"{whole},{part.rstrip('0') or '0'} € (virgule décimale) ?",
            f'"{value}" is ambiguous: {whole}{part} € (thousands separator) or '
            f"{whole}.{part.rstrip('0') or '0'} € (decimal comma)?",
        )
    if re.match(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$", text):  # 1.500.000,50
        text = text.replace(".", "").replace(",", ".")
    elif re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", text):  # 1,500,000.50
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        if not re.match(r"^-?\d+(\.\d+)?$", text):
            raise InvalidOperation
        return Decimal(text), None
    except InvalidOperation:
        return None, say(lang, f"« {value} » n'est pas un montant", f'"{value}" is not an amount')


def parse_list(value: Any) -> list[str]:
    """Values separated by ``|`` (Kumu's convention), stripped, empty ones dropped.

    >>> parse_list("Jeunesse | Emploi||")
    ['Jeunesse', 'Emploi']
    """
    if is_empty(value):
        return []
    return [p.strip() for p in str(value).split("|") if p.strip()]


def parse_code(value: Any, width: int = 0) -> str | None:
    """A code cell as text: numbers lose their ``.0``; a number shorter than *width* gets back its leading zeros.

    Spaces, dots and non-breaking spaces inside are removed (``219 400 181``).

    >>> parse_code(1001.0, 5), parse_code("219 400 181"), parse_code("2A004")
    ('01001', '219400181', '2A004')
    """
    if is_empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text.zfill(width) if width and len(text) < width else text
    text = str(value).strip()
    if re.match(r"^[\d\s\u00a0\u202f.]+$", text):
        text = re.sub(r"[\s\u00a0\u202f.]", "", text)
    return text


def cell_text(value: Any) -> str | None:
    """A text cell, stripped (numbers written without ``.0``); None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def slugify(text: str) -> str:
    """A stable id from a name: lower-case ASCII words joined by dashes.

    >>> slugify("Club Gravelle-Entreprendre"), slugify("L'Œuvre d'Orient")
    ('club-gravelle-entreprendre', 'l-oeuvre-d-orient')
    """
    return normalise(text).replace(" ", "-")
