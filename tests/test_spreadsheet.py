"""kg.sheets (layout, read, cells, write): the workbook shape, the template, readers of .xlsx/.ods/.csv as French users make them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from kg.errors import InputError
from kg.sheets.cells import parse_amount, parse_code, parse_date, parse_list, slugify
from kg.sheets.layout import SHEETS, Table, load_concepts, match_columns, match_sheet, sheet
from kg.sheets.read import read_tables
from kg.sheets.write import write_template

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
SCHEMES = ROOT / "ontology" / "schemes.ttl"


@pytest.fixture(scope="module")
def concepts():
    return load_concepts(SCHEMES)


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "value, expected",
    [
        ("09/03/2023", "2023-03-09"),
        ("9/3/2023", "2023-03-09"),
        ("09.03.2023", "2023-03-09"),
        ("03/2023", "2023-03"),
        ("2023", "2023"),
        (2023, "2023"),
        ("2023-03-09", "2023-03-09"),
        ("2023-03", "2023-03"),
        (44994, "2023-03-09"),
        (44995.0, "2023-03-10"),
        ("45000", "2023-03-15"),
        (dt.datetime(2023, 3, 9), "2023-03-09"),
        (dt.date(2023, 3, 9), "2023-03-09"),
        ("2023-03-09 00:00:00", "2023-03-09"),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_date_reads_french_and_excel_dates(value, expected):
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize("value", ["31/02/2023", "13/2023", "demain", "2023-13"])
def test_parse_date_names_the_bad_value(value):
    got, problem = parse_date(value)
    assert got is None and f"« {value} »" in problem


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12 500,50", "12500.50"),
        ("12\u00a0500,50 €", "12500.50"),
        ("12\u202f500", "12500"),
        ("1.500.000", "1500000"),
        ("1.500.000,25", "1500000.25"),
        ("1,500,000.25", "1500000.25"),
        ("1500000.5", "1500000.5"),
        ("10,5", "10.5"),
        (12500.5, "12500.5"),
        (1500000, "1500000"),
        ("15 000 EUR", "15000"),
    ],
)
def test_parse_amount_reads_decimal_commas_and_thousands(value, expected):
    assert parse_amount(value) == (Decimal(expected), None)


@pytest.mark.parametrize("value", ["environ 10k", "12,500,50", "deux mille", True])
def test_parse_amount_refuses_what_is_not_a_number(value):
    got, problem = parse_amount(value)
    assert got is None and "n'est pas un montant" in problem


def test_parse_list_code_and_slug():
    assert parse_list(" Jeunesse |Emploi | ") == ["Jeunesse", "Emploi"]
    assert parse_code(94018) == "94018" and parse_code(1001, 5) == "01001" and parse_code(1.0, 2) == "01"
    assert parse_code("812 345 676") == "812345676" and parse_code("2B033") == "2B033"
    assert (
        slugify("Club Gravelle-Entreprendre")
        == slugify("club gravelle entreprendre")
        == "club-gravelle-entreprendre"
    )
    assert slugify("Lycée des Métiers du Bois") == "lycee-des-metiers-du-bois"


# --------------------------------------------------------------------------- concepts and headers


def test_concepts_read_french_english_labels_and_notations(concepts):
    assert concepts.notation("actor-type", "Catalyseur territorial") == "catalyseur-territorial"
    assert concepts.notation("actor-type", "catalyseur-territorial") == "catalyseur-territorial"
    assert concepts.notation("actor-type", "Territorial catalyst") == "catalyseur-territorial"
    assert concepts.notation("relation-kind", "ADHÉSION") == "adhesion"
    assert concepts.notation("support-kind", "Apport en ingénierie") == "apport-ingenierie"
    assert concepts.notation("theme", "pas un thème") is None
    assert concepts.label("role", "beneficiaire") == "Bénéficiaire"


def test_every_drop_down_scheme_has_labels(concepts):
    for s in SHEETS:
        for c in s.columns:
            if c.scheme:
                assert concepts.labels[c.scheme], c.scheme


@pytest.mark.parametrize(
    "name, headers, key",
    [
        ("Acteurs", [], "actors"),
        ("actors", [], "actors"),
        ("Elements", [], "actors"),
        ("Connections", [], "relations"),
        ("Financements", [], "fundings"),
        ("feuille 1", ["financeur", "bénéficiaire", "montant en euros"], "fundings"),
        ("export", ["From", "To", "Type"], "relations"),
        ("x", ["Label", "Type", "Tags"], "actors"),
    ],
)
def test_sheets_are_recognised_by_name_or_headers(name, headers, key):
    assert match_sheet(Table("f.csv", name, headers, [])).key == key


def test_columns_accept_french_english_and_kumu_names():
    cols, unknown = match_columns(
        ["Label", "Type", "Description", "Tags", "Image", "Code INSEE", "SIREN "], sheet("actors")
    )
    assert sorted(cols.values()) == ["commune", "description", "name", "siren", "themes", "types"]
    assert unknown == [4]
    cols, _ = match_columns(["de", "vers", "type de relation", "rôle", "début", "fin"], sheet("relations"))
    assert list(cols.values()) == ["from", "to", "kind", "role", "debut", "fin"]


# --------------------------------------------------------------------------- readers (files LibreOffice wrote)


def _by_name(tables):
    return {t.name: t for t in tables}


@pytest.mark.parametrize("name", ["gravelle.xlsx", "gravelle.ods"])
def test_workbooks_written_by_libreoffice_read_alike(name):
    tables = _by_name(read_tables(FIXTURES / name))
    assert set(tables) == {"Acteurs", "Relations", "Programmes", "Partenaires", "Financements", "Sources"}
    actors = tables["Acteurs"]
    assert actors.headers[:3] == ["nom", "type", "description"]
    assert [n for n, _ in actors.rows] == [2, 3, 4, 5, 6]
    assert actors.rows[0][1][7] == "812345676"  # a text cell stays text: no lost zero, no float
    fund = tables["Financements"].rows[0][1]
    assert fund[3] == 12500.5 and fund[4] == 44995 and fund[5] == dt.datetime(2024, 12, 31)
    assert tables["Financements"].where == f"{name}, feuille Financements"


def test_csv_written_by_libreoffice_in_windows_1252_with_semicolons():
    raw = (FIXTURES / "gravelle-acteurs.csv").read_bytes()
    assert b";" in raw and "é".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    [t] = read_tables(FIXTURES / "gravelle-acteurs.csv")
    assert match_sheet(t).key == "actors"
    assert t.rows[4][1][0] == "Lycée des Métiers du Bois"
    [f] = read_tables(FIXTURES / "gravelle-financements.csv")
    row = f.rows[0][1]
    assert row[3] == "12500,50" and row[4] == "44995" and row[5] == "31/12/2024"
    assert parse_amount(row[3])[0] == Decimal("12500.50") and parse_date(row[4])[0] == "2023-03-10"


@pytest.mark.parametrize(
    "encoding, sep", [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("cp1252", ",")]
)
def test_csv_encodings_and_separators_are_sniffed(tmp_path, encoding, sep):
    text = (
        sep.join(["nom", "type", "commune"])
        + "\n"
        + sep.join(['"Crèche Les Œillets, Saint-Maur"', "Association", "94068"])
        + "\n"
    )
    path = tmp_path / "acteurs.csv"
    path.write_bytes(text.encode(encoding))
    [t] = read_tables(path)
    assert t.headers == ["nom", "type", "commune"]
    assert t.rows == [(2, ["Crèche Les Œillets, Saint-Maur", "Association", "94068"])]


def test_unreadable_and_unknown_files_are_input_errors(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(InputError, match="illisible"):
        read_tables(bad)
    with pytest.raises(InputError, match="introuvable"):
        read_tables(tmp_path / "missing.ods")
    other = tmp_path / "x.pdf"
    other.write_text("%PDF")
    with pytest.raises(InputError, match="format"):
        read_tables(other)


# --------------------------------------------------------------------------- the template


def test_template_has_a_sheet_per_kind_lists_examples_and_read_me(tmp_path, concepts):
    path = write_template(tmp_path / "modele.xlsx", SCHEMES)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Lisez-moi",
        "Acteurs",
        "Relations",
        "Programmes",
        "Partenaires",
        "Financements",
        "Sources",
        "Listes",
    ]
    assert wb["Listes"].sheet_state == "hidden"
    for s in SHEETS:
        ws = wb[s.name]
        assert [c.value for c in ws[1]] == [c.header for c in s.columns]
        assert ws.cell(2, len(s.columns)).value == f"exemple-{s.key}"  # one example row, skipped on import
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        for j, c in enumerate(s.columns, 1):
            if c.scheme:
                letter = openpyxl.utils.get_column_letter(j)
                assert f"{letter}2" in lists, (s.name, c.header)
    acteurs = wb["Acteurs"]
    type_col = [c.value for c in acteurs[1]].index("type") + 1
    formula = next(
        dv.formula1
        for dv in acteurs.data_validations.dataValidation
        if str(dv.sqref).startswith(openpyxl.utils.get_column_letter(type_col))
    )
    col = formula.split("!")[1].split(":")[0].replace("$", "")[0]
    labels = [c.value for c in wb["Listes"][col][1:] if c.value]
    assert "Catalyseur territorial" in labels and "Club d'entreprises" in labels
    readme = "\n".join(str(c.value) for row in wb["Lisez-moi"].iter_rows() for c in row if c.value)
    for s in SHEETS:
        for c in s.columns:
            assert c.help in readme
    assert acteurs.cell(3, [c.value for c in acteurs[1]].index("SIREN") + 1).number_format == "@"
