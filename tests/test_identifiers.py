"""Tests of kg.model.identifiers: tiny inline cases, then every official code of data/geo."""

from __future__ import annotations

import pytest

from kg.ingest.geo import Geography, load_geography
from kg.model.identifiers import (
    REGION_CODES,
    departement_problem,
    insee_commune_problem,
    luhn_ok,
    region_problem,
    rna_problem,
    siren_problem,
    siret_problem,
    uai_problem,
)

# --------------------------------------------------------------------------- SIREN


@pytest.mark.parametrize("value", ["219400181", "200057941", "356000000", "552100554"])
def test_siren_accepts_valid_values(value: str) -> None:
    assert siren_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("21940018", '"21940018" has 8 digits; a SIREN has 9 digits'),
        ("2194001810", '"2194001810" has 10 digits; a SIREN has 9 digits'),
        ("219400182", '"219400182" fails the SIREN check digit (Luhn); check for a typo'),
        ("21940018A", '"21940018A" has characters other than digits; a SIREN has 9 digits'),
        ("219 400 181", '"219 400 181" contains spaces; write the SIREN without spaces'),
        ("", '"" is empty; a SIREN has 9 digits'),
        (  # fullwidth digits, on purpose
            "２１９４００１８１",  # noqa: RUF001
            '"２１９４００１８１" has characters other than digits; a SIREN has 9 digits',  # noqa: RUF001
        ),
    ],
)
def test_siren_rejects_with_a_helpful_message(value: str, message: str) -> None:
    assert siren_problem(value) == message


def test_validators_never_raise_on_non_text() -> None:
    for check in (
        siren_problem,
        siret_problem,
        rna_problem,
        insee_commune_problem,
        departement_problem,
        region_problem,
        uai_problem,
    ):
        for value in (None, 219400181, 94.0, b"94018"):
            message = check(value)
            assert message is not None and "not text" in message, (check, value)


# --------------------------------------------------------------------------- SIRET


@pytest.mark.parametrize(
    "value",
    [
        "21940018100018",  # Luhn-valid SIRET of SIREN 219400181
        "35600000000048",  # La Poste head office: Luhn
        "35600000049837",  # La Poste establishment: digit sum 45, a multiple of 5
    ],
)
def test_siret_accepts_valid_values(value: str) -> None:
    assert siret_problem(value) is None


def test_la_poste_establishments_need_not_pass_luhn() -> None:
    assert not luhn_ok("35600000049837")
    assert siret_problem("35600000049837") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2194001810001", '"2194001810001" has 13 digits; a SIRET has 14 digits'),
        ("21940018100019", '"21940018100019" fails the SIRET check digit (Luhn); check for a typo'),
        (
            "21940018200016",
            (
                '"21940018200016" starts with "219400182", which fails the SIREN check digit (Luhn); '
                "check for a typo"
            ),
        ),
        (
            "35600000049838",
            '"35600000049838" fails the La Poste SIRET check (sum of digits a multiple of 5); '
            "check for a typo",
        ),
        ("219 400 181 00018", '"219 400 181 00018" contains spaces; write the SIRET without spaces'),
    ],
)
def test_siret_rejects_with_a_helpful_message(value: str, message: str) -> None:
    assert siret_problem(value) == message


# --------------------------------------------------------------------------- RNA, UAI


def test_rna() -> None:
    assert rna_problem("W943001234") is None
    assert rna_problem("W94300123A") is None
    assert "capitals" in rna_problem("w943001234")
    assert "starts with" in rna_problem("W94300123")
    assert "starts with" in rna_problem("943001234X")


def test_uai() -> None:
    assert uai_problem("0941234A") is None
    assert "capitals" in uai_problem("0941234a")
    assert "7 digits then a capital letter" in uai_problem("09412345")
    assert "contains spaces" in uai_problem("0941234 A")


# --------------------------------------------------------------------------- INSEE codes


@pytest.mark.parametrize("value", ["94018", "01001", "2A004", "2B033", "75101", "97411", "97611", "98818"])
def test_insee_commune_accepts(value: str) -> None:
    assert insee_commune_problem(value) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1001", 'try "01001"'),
        ("2a004", '("2A004")'),
        ("20004", "2A or 2B, not 20"),
        ("00001", "expected a département"),
        ("96001", "expected a département"),
        ("940180", "has 6 characters"),
    ],
)
def test_insee_commune_rejects(value: str, fragment: str) -> None:
    message = insee_commune_problem(value)
    assert message is not None and fragment in message and f'"{value}"' in message


@pytest.mark.parametrize(("value", "ok"), [("94", True), ("2A", True), ("976", True), ("988", True)])
def test_departement_accepts(value: str, ok: bool) -> None:
    assert (departement_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("1", 'try "01"'), ("2a", '("2A")'), ("20", "Corsica is 2A"), ("00", "expected 01 to 95"), ("985", "")],
)
def test_departement_rejects(value: str, fragment: str) -> None:
    message = departement_problem(value)
    assert message is not None and fragment in message


def test_region() -> None:
    assert region_problem("11") is None
    assert region_problem("94") is None
    assert 'try "06"' in region_problem("6")
    assert "not a current région code" in region_problem("22")


# --------------------------------------------------------------------------- official data


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


def test_every_official_commune_siren_passes_luhn(geo: Geography) -> None:
    """All 34,875 commune SIRENs of COG 2026 pass (none is an official exception)."""
    sirens = [c.siren for c in geo.communes.values() if c.siren]
    assert len(sirens) == 34875
    failures = [s for s in sirens if siren_problem(s)]
    assert failures == []


def test_every_intercommunality_siren_passes(geo: Geography) -> None:
    assert [s for s in geo.intercommunalities if siren_problem(s)] == []


def test_every_official_code_is_accepted(geo: Geography) -> None:
    assert [c for c in geo.communes if insee_commune_problem(c)] == []
    assert [d for d in geo.departements if departement_problem(d)] == []
    assert set(geo.regions) == REGION_CODES
