"""kg.model.dates: dates at the source's precision; "as of" dates typed by users, on every command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tiny_graph import tiny_graph

from kg.errors import QueryError
from kg.model.dates import check_date, date_bounds, is_active, normalise_date, to_date_string
from kg.network.projection import as_of_day


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


# ---------------------------------------------------------------- "as of" dates typed by a user


@pytest.mark.parametrize(
    "value, words",
    [
        ("hier", "« hier » n'est pas une date ; écrivez AAAA, AAAA-MM ou AAAA-MM-JJ"),
        ("2019-13", "« 2019-13 » n'est pas une date du calendrier"),
        ("31/02/2019", "« 31/02/2019 » n'est pas une date"),
        ("2019-02-29", "« 2019-02-29 » n'est pas une date du calendrier"),
    ],
)
def test_as_of_day_names_the_value_and_the_fix_in_french(value: str, words: str) -> None:
    with pytest.raises(QueryError) as info:
        as_of_day(value)
    assert str(info.value).startswith("--as-of : ") and words in str(info.value)
    assert "par exemple --as-of 2019 ou --as-of 2019-06-30" in str(info.value)


def test_as_of_day_in_english_and_for_a_query_parameter() -> None:
    assert as_of_day(" 2020-02 ") == "2020-02-29"
    with pytest.raises(QueryError, match=r'^--as-of: "hier" is not a date; .*e\.g\. --as-of 2019'):
        as_of_day("hier", lang="en")
    with pytest.raises(QueryError, match=r"^--param date : « 31/02/2019 ».*--param date=2019 ou"):
        as_of_day("31/02/2019", option="--param date")


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "store"
    tiny_graph(path)
    return path


@pytest.mark.parametrize("value", ["2019-13", "hier", "31/02/2019"])
@pytest.mark.parametrize("command", ["chains", "within", "view", "query"])
def test_a_date_that_is_not_a_date_is_a_message_on_every_command(
    tiny_store: Path, tmp_path: Path, command: str, value: str
) -> None:
    from typer.testing import CliRunner

    from kg.cli.commands import app

    args = {
        "chains": ["chains", "Alpha", "Gamma", "--as-of", value],
        "within": ["chains", "Alpha", "--within", "2", "--as-of", value],
        "view": ["view", "--all", "--as-of", value, "--out", str(tmp_path / "v.html")],
        "query": ["query", "ecosystem-as-of", "-p", f"date={value}"],
    }[command]
    result = CliRunner().invoke(app, [*args, "--store", str(tiny_store)])
    assert result.exit_code == 6, result.output
    assert f"« {value} » n'est pas une date" in result.output and "AAAA-MM-JJ" in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "v.html").exists()
    english = CliRunner().invoke(app, [*args, "--lang", "en", "--store", str(tiny_store)])
    assert english.exit_code == 6 and f'"{value}" is not a' in english.output, english.output


def test_kg_query_ecosystem_as_of_shows_the_unknown_dates(tiny_store: Path) -> None:
    from typer.testing import CliRunner

    from kg.cli.commands import app

    def csv(date: str) -> str:
        out = CliRunner().invoke(
            app, ["query", "ecosystem-as-of", "-p", f"date={date}", "-f", "csv", "--store", str(tiny_store)]
        )
        assert out.exit_code == 0, out.output
        return out.output

    in_2020 = csv("2020")
    assert "Beta → Programme Deux,,,date inconnue" in in_2020 and "2018" not in in_2020
    assert "Alpha → Programme Deux,2019,,date connue" in in_2020
    assert "Alpha → Programme Deux" not in csv("2014")


def test_kg_view_as_of_says_how_many_undated_relations_it_keeps(tiny_store: Path, tmp_path: Path) -> None:
    import kg
    from kg.present.view import view

    graph = kg.open(tiny_store)
    fr = view(graph, whole=True, as_of=2014, out=tmp_path / "fr.html")
    assert fr.model is not None
    # un-gamma, g2 (Alpha → Programme Un), s1, Gamma's founding, Bob's post, Beta's participation, g3 ⊂ g1
    assert fr.model.note.startswith("En 2014 : 7 relations sans date connue restent affichées")
    assert "rien ne dit qu'elles existaient à cette date" in fr.model.note
    assert "7 relations sans date connue" in (tmp_path / "fr.html").read_text(encoding="utf-8")
    en = view(graph, whole=True, as_of="2014-06-30", lang="en", out=tmp_path / "en.html")
    assert en.model is not None and en.model.note.startswith("On 2014-06-30: 7 relations with no known date")
    plain = view(graph, whole=True, out=tmp_path / "plain.html")
    assert plain.model is not None and "sans date connue" not in plain.model.note
