"""Quotes are checked against their source document."""

from pathlib import Path

from kg.ingest.sources import fold, quote_in_document

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


def test_quote_found_despite_markdown_and_line_breaks():
    doc = SOURCES / "002_cd60e692da181ed7.txt"
    assert quote_in_document("Création du Club Gravelle Entreprendre : un réseau d'entreprises locales.", doc)
    assert quote_in_document("Après 8 ans d'existence le programme Q2ER est toujours actif.", doc)


def test_quote_found_in_the_mojibake_document_written_in_proper_french():
    doc = SOURCES / "004_5748514661b30466.txt"
    assert quote_in_document(
        "Une Plateforme lancée en décembre 2018 par Le RAMEAU en partenariat avec l'ANCT, "
        "la Caisse des Dépôts et le Groupe La Poste",
        doc,
    )


def test_invented_quote_is_not_found():
    doc = SOURCES / "002_cd60e692da181ed7.txt"
    assert not quote_in_document("Le Fonds ODD17 a financé cet effort à hauteur de 30k €", doc)
    assert not quote_in_document("", doc)


def test_fold_is_whitespace_and_case_insensitive():
    assert fold("Le  RAMEAU\n a") == fold("le rameau a")
