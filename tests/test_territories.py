"""kg.model.territories (parse_territory) and the two views of "a territory and what lies in it":
kg.ingest.geo.Geography.has / within, and kg.store.queries.subterritories, on a tiny inline geography."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.errors import TerritoryError
from kg.ingest.geo import Commune, Departement, Geography, Intercommunality, Region, geography_quads
from kg.model.territories import TerritoryRef, is_territory, parse_territory, ref_of_iri
from kg.store.graph import Graph
from kg.store.queries import subterritories

EPT, METRO = "200057941", "200054781"


def _commune(code: str, name: str, dep: str, epci: str | None = None, ept: str | None = None, parent=None):
    return Commune(code, name, "commune" if parent is None else "arrondissement-municipal", dep, "11",
                   None, None, (), epci, ept, parent)  # fmt: skip


@pytest.fixture(scope="module")
def geo() -> Geography:
    communes = [
        _commune("75056", "Paris", "75", METRO),
        _commune("75101", "Paris 1er Arrondissement", "75", parent="75056"),
        _commune("94018", "Charenton-le-Pont", "94", METRO, EPT),
        _commune("94028", "Créteil", "94", METRO),
    ]
    return Geography(
        communes={c.code: c for c in communes},
        intercommunalities={
            EPT: Intercommunality(EPT, "Paris Est Marne et Bois", "EPT", None, 1, "94"),
            METRO: Intercommunality(METRO, "Métropole du Grand Paris", "METRO", "FPU", 2, None),
        },
        departements={
            "75": Departement("75", "Paris", "11", "75056"),
            "94": Departement("94", "Val-de-Marne", "11", "94028"),
        },
        regions={"11": Region("11", "Île-de-France", "75056")},
        by_name={},
        by_postcode={},
        by_intercommunality={},
    )  # fmt: skip


@pytest.mark.parametrize(
    "text, level, code",
    [
        ("commune:94018", "commune", "94018"),
        (" intercommunalite:200057941 ", "intercommunalite", "200057941"),
        ("departement:2A", "departement", "2A"),
        ("region:11", "region", "11"),
    ],
)
def test_parse_territory_reads_level_and_code(text: str, level: str, code: str) -> None:
    ref = parse_territory(text)
    assert ref == TerritoryRef(level, code)
    assert str(ref) == text.strip()
    assert ref_of_iri(ref.iri) == ref


@pytest.mark.parametrize("text", ["94018", "commune:", "canton:9401", "Commune:94018", "commune:94 018", ""])
def test_parse_territory_names_the_value_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(TerritoryError) as info:
        parse_territory(text)
    assert f'"{text.strip()}" is not a territory reference' in str(info.value)
    assert "commune:94018, intercommunalite:200057941, departement:94 or region:11" in str(info.value)
    assert isinstance(info.value, ValueError)  # so that pydantic validators report it
    assert not is_territory(text)


def test_ref_of_iri_is_none_for_other_iris() -> None:
    assert ref_of_iri("https://w3id.org/territorial-kg/id/actor/le-rameau") is None
    assert ref_of_iri("https://w3id.org/territorial-kg/id/territory/canton/9401") is None


@pytest.mark.parametrize(
    "level, code, known",
    [("commune", "94018", True), ("commune", "94069", False), ("intercommunalite", EPT, True),
     ("departement", "92", False), ("region", "11", True)],
)  # fmt: skip
def test_geography_has(geo: Geography, level: str, code: str, known: bool) -> None:
    assert geo.has(level, code) is known


@pytest.mark.parametrize(
    "ref, territory, inside",
    [
        ("commune:94018", "commune:94018", True),
        ("commune:94018", "departement:94", True),
        ("commune:94018", "departement:75", False),
        ("commune:94018", f"intercommunalite:{EPT}", True),
        ("commune:94028", f"intercommunalite:{EPT}", False),
        ("commune:75101", "commune:75056", True),  # an arrondissement lies in its commune
        ("commune:75101", f"intercommunalite:{METRO}", True),  # ... and in its commune's EPCI
        (f"intercommunalite:{EPT}", "region:11", True),
        (f"intercommunalite:{METRO}", "departement:94", False),  # spans two départements
        ("departement:94", "region:11", True),
        ("region:11", "departement:94", False),
        ("commune:99999", "region:11", False),
    ],
)
def test_geography_within(geo: Geography, ref: str, territory: str, inside: bool) -> None:
    assert geo.within(ref, territory) is inside


def test_store_and_geography_agree_on_what_lies_in_a_territory(geo: Geography) -> None:
    store = Store()
    store.bulk_extend(geography_quads(geo))
    graph = Graph(store)
    refs = [f"commune:{c}" for c in geo.communes] + [f"intercommunalite:{s}" for s in geo.intercommunalities]
    refs += [f"departement:{d}" for d in geo.departements] + [f"region:{r}" for r in geo.regions]
    for outer in refs:
        inside = subterritories(graph, parse_territory(outer))
        for inner in refs:
            assert (parse_territory(inner).iri in inside) is geo.within(inner, outer), (inner, outer)
    assert subterritories(graph, parse_territory("commune:94069")) == set()
