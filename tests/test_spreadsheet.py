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


# --------------------------------------------------------------------------- no silent corruption (issue 12)


@pytest.mark.parametrize(
    "value, fragment",
    [
        (21, "« 21 » est un nombre, pas une date (un tableur en ferait le 20/01/1900)"),
        ("21", "« 21 » est un nombre, pas une date"),
        (999.0, "« 999 » est un nombre, pas une date"),
        (dt.datetime(1900, 1, 21), "sans doute le nombre « 21 » tapé dans une cellule au format date"),
        (dt.date(1900, 3, 1), "sans doute le nombre « 61 »"),
        (-3, "« -3 » n'est pas une date"),
    ],
)
def test_a_small_number_in_a_date_cell_is_not_a_day_of_1900(value, fragment):
    got, problem = parse_date(value)
    assert got is None and fragment in problem


@pytest.mark.parametrize("value", ["1,500", "1.500", "-2,000", "12,500 €"])
def test_one_group_of_three_digits_after_a_comma_or_a_dot_is_ambiguous(value):
    got, problem = parse_amount(value)
    assert got is None and "est ambigu" in problem


@pytest.mark.parametrize(
    "value, expected", [("1,5", "1.5"), ("1,50", "1.50"), ("1 500", "1500"), ("1.500,00", "1500.00")]
)
def test_unambiguous_amounts_still_read(value, expected):
    assert parse_amount(value) == (Decimal(expected), None)


def test_excel_error_values_and_column_letters():
    from kg.sheets.cells import EXCEL_ERRORS, excel_error
    from kg.sheets.rows import column_letter

    assert {"#VALUE!", "#N/A", "#REF!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#GETTING_DATA"} <= set(
        EXCEL_ERRORS
    )
    assert all(excel_error(e) == e for e in EXCEL_ERRORS if e.startswith("#"))
    assert excel_error("#n/a") == "#N/A" and excel_error("N/A") is None and excel_error(3) is None
    assert [column_letter(i) for i in (0, 3, 25, 26, 27)] == ["A", "D", "Z", "AA", "AB"]


def test_duplicate_keys_ignore_town_hall_prefixes_saint_case_and_accents():
    from kg.sheets.duplicates import duplicate_key

    same = ["Mairie de Charenton-le-Pont", "Ville de Charenton le Pont", "Commune de CHARENTON-LE-PONT"]
    assert len({duplicate_key(n) for n in same}) == 1
    assert duplicate_key("Mairie de St-Maurice") == duplicate_key("Ville de Saint Maurice")
    assert duplicate_key("Réseau BusinessClass") == duplicate_key("RESEAU BUSINESS CLASS")
    assert duplicate_key("Ville de Paris Habitat") != duplicate_key("Paris")


def test_a_folder_or_a_zip_of_csv_files_reads_as_one_workbook(tmp_path):
    import zipfile

    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / "acteurs.csv").write_text("nom;type\nA;Association\n", encoding="utf-8")
    (folder / "sources.csv").write_bytes("titre\nConvention signée\n".encode("cp1252"))
    (folder / "notes.docx").write_bytes(b"PK")
    notices: list = []
    tables = read_tables(folder, notices)
    assert [(t.file, t.name) for t in tables] == [
        ("lot/acteurs.csv", "acteurs"),
        ("lot/sources.csv", "sources"),
    ]
    assert tables[1].rows[0][1] == ["Convention signée"]
    assert [n.file for n in notices] == ["lot/notes.docx"]
    with zipfile.ZipFile(tmp_path / "lot.zip", "w") as z:
        z.write(folder / "acteurs.csv", "lot/acteurs.csv")
        z.write(folder / "sources.csv", "lot/sources.csv")
    assert [t.name for t in read_tables(tmp_path / "lot.zip")] == ["acteurs", "sources"]


def test_hidden_sheets_merged_cells_and_formulas_without_values_are_seen(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Acteurs"
    ws.append(["nom", "type", "description"])
    ws.append(["A", "Association", '=A2&"!"'])
    ws.append(["B", None, None])
    ws.merge_cells("B2:B3")
    hidden = wb.create_sheet("Ancien")
    hidden.append(["nom", "type"])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "x.xlsx")
    acteurs, ancien = read_tables(tmp_path / "x.xlsx")
    assert (acteurs.hidden, ancien.hidden) == (False, True)
    assert acteurs.merged == [(2, 1, 3, 1)] and acteurs.uncached == [(2, 2)]


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_ole2_files_are_refused_with_the_fix(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(InputError) as info:
        read_tables(path)
    message = info.value.problems[0].message
    assert ("mot de passe" in message) == (suffix == ".xlsx") and ("format ancien" in message) == (
        suffix == ".xls"
    )
