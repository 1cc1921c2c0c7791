"""Dates at the precision the source gives: ``2014``, ``2014-09`` or ``2014-09-01``.

One home for reading such a date (:func:`check_date`), the span it may mean
(:func:`date_bounds`), an "as of" date (:func:`normalise_date`) and whether something dated
exists at a day (:func:`is_active`).

>>> date_bounds(check_date(" 2014-09 "))
('2014-09-01', '2014-09-30')
>>> is_active("2014", "2016", normalise_date(2015)), is_active("2014", "2016", normalise_date(2017))
(True, False)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

__all__ = ["check_date", "date_bounds", "is_active", "normalise_date", "to_date_string"]

_DATE_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def to_date_string(value: Any) -> Any:
    """A date as YAML or a spreadsheet may give it (``date``, ``datetime``, ``2021``) as text; anything else unchanged.

    >>> to_date_string(dt.date(2021, 6, 30)), to_date_string(2021), to_date_string("2021-06")
    ('2021-06-30', '2021', '2021-06')
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int):
        return str(value)
    return value


def check_date(value: str) -> str:
    """*value* stripped, if it is a real date written YYYY, YYYY-MM or YYYY-MM-DD.

    Raises
    ------
    ValueError
        Naming the value and the accepted forms (a plain ``ValueError``: pydantic
        validators turn it into a located validation error).

    Examples
    --------
    >>> check_date("2020-02-29")
    '2020-02-29'
    >>> check_date("2021-02-29")
    Traceback (most recent call last):
    ...
    ValueError: "2021-02-29" is not a real date (day is out of range for month); write YYYY, YYYY-MM or YYYY-MM-DD
    """
    value = value.strip()
    if not _DATE_RE.match(value):
        raise ValueError(f'"{value}" is not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021 or 2014-09)')
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f'"{value}" is not a real date ({exc}); write YYYY, YYYY-MM or YYYY-MM-DD') from None
    return value


def date_bounds(value: str) -> tuple[str, str]:
    """Earliest and latest full dates a date at the source's precision may mean.

    >>> date_bounds("2021")
    ('2021-01-01', '2021-12-31')
    >>> date_bounds("2020-02")
    ('2020-02-01', '2020-02-29')
    """
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return value, value
    if len(parts) == 2:
        y, m = parts
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return f"{y:04d}-{m:02d}-01", (nxt - dt.timedelta(days=1)).isoformat()
    return f"{parts[0]:04d}-01-01", f"{parts[0]:04d}-12-31"


def normalise_date(value: str | int) -> str:
    """An "as of" date as a full ISO date; a year or a month means its last day.

    Raises
    ------
    ValueError
        For a value that is not a date (see :func:`check_date`).

    Examples
    --------
    >>> normalise_date("2019"), normalise_date(2022), normalise_date("2020-02"), normalise_date("2021-06-30")
    ('2019-12-31', '2022-12-31', '2020-02-29', '2021-06-30')
    """
    return date_bounds(check_date(str(value)))[1]


def is_active(start: str | None, end: str | None, as_of: str) -> bool:
    """True if something from *start* to *end* (either may be None) exists at the full date *as_of*.

    >>> is_active("2019", None, "2019-01-01"), is_active(None, "2018-06", "2018-07-01")
    (True, False)
    """
    if start and date_bounds(start)[0] > as_of:
        return False
    return not (end and date_bounds(end)[1] < as_of)
