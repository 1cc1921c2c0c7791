"""kg.model.names: one normaliser, one cutoff, one "did you mean"."""

from __future__ import annotations

import pytest

from kg.model.names import CUTOFF, closest, did_you_mean, normalise, similarity, suggestion


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("St-Maurice", "Saint-Maurice", True),
        ("STE-FOY-LÈS-LYON", "Sainte-Foy-lès-Lyon", True),
        ("Bœurs-en-Othe", "Boeurs en Othe", True),
        ("L’Île-Saint-Denis", "l'ile saint denis", True),
        ("Stains", "Saint-Ains", False),  # "st" only as a whole word
        ("Saint-Maurice", "Saint-Maur", False),
    ],
)
def test_normalise_ignores_case_accents_ligatures_punctuation_and_st(a: str, b: str, same: bool) -> None:
    assert (normalise(a) == normalise(b)) is same


def test_normalise_gives_words_split_by_single_spaces() -> None:
    assert normalise("  Fondation  TotalEnergies — Élèves d'Île ") == "fondation totalenergies eleves d ile"
    assert normalise("Stains") == "stains"


def test_similarity_is_one_for_the_same_name_and_low_for_another() -> None:
    assert similarity("St-Maurice", "Saint-Maurice") == 1.0
    assert similarity("Saint-Maurice", "Créteil") < CUTOFF
    assert similarity("rameau", "Le RAMEAU") >= CUTOFF  # a whole word of the name


def test_closest_prefers_the_nearer_name() -> None:
    towns = ["Mairie de Charenton-le-Pont", "Ville de Charenton-le-Pont", "Créteil"]
    assert closest("Ville de Charenton-le-Pont", towns)[0] == "Ville de Charenton-le-Pont"
    assert closest("Mairie de Charenton", towns)[0] == "Mairie de Charenton-le-Pont"
    assert closest("St-Maurice", ["Saint-Maurice", "Saint-Maur-des-Fossés"])[0] == "Saint-Maurice"
    assert closest("Paris", towns) == []


def test_closest_keeps_at_most_n_and_ignores_duplicates() -> None:
    names = ["actor-partners", "actor-partners", "actor-partner-list", "actors-of-territory"]
    assert closest("actor-partner", names, n=1) == ["actor-partners"]
    assert len(closest("actor-partner", names)) == len(set(closest("actor-partner", names)))


def test_did_you_mean_has_one_phrasing_per_language() -> None:
    names = ["Club Gravelle Entreprendre", "Le RAMEAU"]
    assert (
        did_you_mean("Club Gravel Entreprendre", names, lang="en")
        == 'did you mean "Club Gravelle Entreprendre"?'
    )
    assert (
        did_you_mean("Club Gravel Entreprendre", names)
        == "vouliez-vous dire « Club Gravelle Entreprendre » ?"
    )
    assert did_you_mean("Vitawin", names) == ""


def test_suggestion_lists_several_names() -> None:
    assert suggestion(["A", "B", "C"], "en") == 'did you mean "A", "B" or "C"?'
    assert suggestion(["A", "B"]) == "vouliez-vous dire « A » ou « B » ?"
    assert suggestion([]) == ""


def test_normalise_remembers_its_keys_but_a_bounded_number_of_them(monkeypatch) -> None:
    from kg.model import names

    monkeypatch.setattr(names, "_KEYS_MAX", 3)
    monkeypatch.setattr(names, "_KEYS", {})
    keys = [normalise(f"St-Maur {i}") for i in range(10)]
    assert keys == [f"saint maur {i}" for i in range(10)]
    assert 0 < len(names._KEYS) <= 3  # emptied when full: a long-running server's memory stays bounded
    assert normalise("St-Maur 9") is names._KEYS["St-Maur 9"]
