"""kg.model.dates: dates at the source's precision."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.model.dates import check_date, date_bounds, is_active, normalise_date, to_date_string


def test_check_date_accepts_three_precisions_and_refuses_the_rest() -> None:
    assert check_date(" 2014 ") == "2014"
    assert check_date("2014-09") == "2014-09"
    with pytest.raises(ValueError, match='"2014-13" is not a real date'):
        check_date("2014-13")
    with pytest.raises(ValueError, match='"hier" is not a date'):
        check_date("hier")


def test_bounds_and_as_of() -> None:
    assert date_bounds("2020-02") == ("2020-02-01", "2020-02-29")
    assert date_bounds("2021-02") == ("2021-02-01", "2021-02-28")
    assert normalise_date(2019) == "2019-12-31"
    assert to_date_string(dt.date(2021, 6, 30)) == "2021-06-30"


def test_is_active() -> None:
    assert is_active("2014", "2016", "2015-06-30")
    assert not is_active("2014", "2016", "2017-01-01")
    assert not is_active("2018-07", None, "2018-06-30")
