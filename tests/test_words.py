"""kg.model.words: euros, record-kind words, elision."""

from __future__ import annotations

from kg.model.words import KIND_WORDS, elide, euros, kind_word, lower_first, number


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_euros_in_french_and_english() -> None:
    assert _plain(euros(3000)) == "3 000 €"
    assert _plain(euros("12500.5")) == "12 500,50 €"
    assert euros(3000, "en") == "€3,000"
    assert euros(1500.5, "en") == "€1,500.50"


def test_number_without_the_sign() -> None:
    assert _plain(number(250000)) == "250 000"
    assert number(250000, "en") == "250,000"


def test_kind_words() -> None:
    assert kind_word("membership") == "adhésion"
    assert kind_word("membership", "en") == "membership"
    assert kind_word("unknown-kind") == "unknown-kind"
    # every kind a catalyst can import has its own French word (a Kumu connection is « connexion »)
    from kg.ingest.imports import IMPORT_KINDS, KIND_NAME

    for sheet in IMPORT_KINDS:
        kind = KIND_NAME.get(sheet, sheet)
        if kind != "document":
            assert kind in KIND_WORDS, kind
    assert kind_word("connection") == "connexion" and kind_word("connection", "en") == "connection"


def test_elision_and_lower_first() -> None:
    assert elide("membre de Le RAMEAU") == "membre du RAMEAU"
    assert elide("service de Agir") == "service d'Agir"
    assert elide("service de Bercy") == "service de Bercy"
    assert lower_first("Porteur") == "porteur"
    assert lower_first("ESS") == "ESS"
