"""Tests of kg.ingest.geo on the committed extract data/geo and on tiny inline geographies."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.errors import InputError, UnknownEntityError
from kg.ingest.geo import (
    Geography,
    GeographyError,
    commune_by_code,
    find_communes,
    geography_quads,
    intercommunality_by_siren,
    load_geography,
    members,
    territory_iri,
)
from kg.model import iris
from kg.model.vocab import DCT, IGEO, RDF, RDFS, TKG, XSD

PEMB = "200057941"
PEMB_COMMUNES = [
    "94015",
    "94017",
    "94018",
    "94033",
    "94042",
    "94046",
    "94052",
    "94058",
    "94067",
    "94068",
    "94069",
    "94079",
    "94080",
]
MGP = "200054781"  # Métropole du Grand Paris
PREFIXES = "PREFIX dct: <http://purl.org/dc/terms/> PREFIX igeo: <http://rdf.insee.fr/def/geo#>\n"


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


@pytest.fixture(scope="module")
def quads(geo: Geography) -> list[Quad]:
    return geography_quads(geo)


@pytest.fixture(scope="module")
def store(quads: list[Quad]) -> Store:
    store = Store()
    store.bulk_extend(quads)
    return store


def count(store: Store, query: str) -> int:
    rows = list(store.query(PREFIXES + query, use_default_graph_as_union=True))
    return int(rows[0]["n"].value)


# --------------------------------------------------------------------------- the extract


def test_counts_of_the_official_geography(geo: Geography) -> None:
    kinds = [c.kind for c in geo.communes.values()]
    assert kinds.count("commune") == 34969
    assert kinds.count("arrondissement-municipal") == 45
    assert len(geo.intercommunalities) == 1266
    assert len(geo.departements) == 109
    assert len(geo.regions) == 26


def test_load_geography_accepts_a_relative_or_absolute_folder(geo: Geography) -> None:
    here = load_geography(Path(__file__).resolve().parent.parent / "data" / "geo")
    assert here.communes == geo.communes


def test_paris_est_marne_et_bois_has_exactly_its_13_communes(geo: Geography) -> None:
    pemb = intercommunality_by_siren(geo, PEMB)
    assert pemb is not None
    assert (pemb.name, pemb.kind, pemb.departement) == ("Paris Est Marne et Bois", "EPT", "94")
    assert [c.code for c in members(geo, PEMB)] == PEMB_COMMUNES
    assert all(c.ept == PEMB and c.epci == MGP for c in members(geo, PEMB))


def test_every_commune_has_a_departement_and_a_region_that_exist(geo: Geography) -> None:
    for commune in geo.communes.values():
        assert commune.departement in geo.departements, commune
        assert commune.region in geo.regions, commune
        assert geo.departements[commune.departement].region == commune.region, commune


def test_every_reference_resolves(geo: Geography) -> None:
    for commune in geo.communes.values():
        for siren in (commune.epci, commune.ept):
            assert siren is None or siren in geo.intercommunalities, commune
    for dep in geo.departements.values():
        assert dep.region in geo.regions and dep.chef_lieu in geo.communes, dep
    for region in geo.regions.values():
        assert region.chef_lieu in geo.communes, region


def test_arrondissements_municipaux_belong_to_paris_lyon_marseille(geo: Geography) -> None:
    parents: dict[str, int] = {}
    for commune in geo.communes.values():
        if commune.kind == "arrondissement-municipal":
            parents[commune.parent] = parents.get(commune.parent, 0) + 1
            assert commune.siren is None and commune.epci is None
        else:
            assert commune.parent is None
    assert parents == {"13055": 16, "69123": 9, "75056": 20}


def test_each_epci_member_is_a_commune_actuelle_in_at_most_one(geo: Geography) -> None:
    total = 0
    for siren, codes in geo.by_intercommunality.items():
        assert codes, siren
        total += len(codes)
        for code in codes:
            assert geo.communes[code].kind == "commune"
    with_epci = sum(1 for c in geo.communes.values() if c.epci)
    with_ept = sum(1 for c in geo.communes.values() if c.ept)
    assert total == with_epci + with_ept


def test_intercommunality_departement_only_when_all_members_share_it(geo: Geography) -> None:
    for inter in geo.intercommunalities.values():
        deps = {c.departement for c in members(geo, inter.siren)}
        assert inter.departement == (deps.pop() if len(deps) == 1 else None), inter
    assert geo.intercommunalities[MGP].departement is None
    assert geo.intercommunalities[MGP].kind == "METRO"


def test_kinds_and_financing(geo: Geography) -> None:
    kinds = {i.kind for i in geo.intercommunalities.values()}
    assert kinds == {"CC", "CA", "CU", "METRO", "MET69", "EPT"}
    for inter in geo.intercommunalities.values():
        if inter.kind == "EPT":
            assert inter.financing is None
        else:
            assert inter.financing in {"FPU", "FA"}


# --------------------------------------------------------------------------- lookups


def test_find_communes_saint_maurice_is_ambiguous(geo: Geography) -> None:
    found = find_communes(geo, "saint maurice")
    assert [c.code for c in found] == ["52453", "58257", "63378", "67427", "94069"]
    assert [c.code for c in find_communes(geo, "Saint-Maurice", departement="94")] == ["94069"]
    assert [c.code for c in find_communes(geo, "ST MAURICE", postcode="94410")] == ["94069"]
    assert find_communes(geo, "Saint-Maurice", departement="75") == []


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Charenton-le-Pont", "94018"),
        ("CHARENTON LE PONT", "94018"),
        ("L'Haÿ-les-Roses", "94038"),
        ("l hay les roses", "94038"),
        ("Saint-Maur-des-Fossés", "94068"),
        ("St-Maur-des-Fosses", "94068"),
        ("Fontenay-sous-Bois", "94033"),
    ],
)
def test_find_communes_ignores_case_accents_and_punctuation(geo: Geography, written: str, code: str) -> None:
    assert [c.code for c in find_communes(geo, written, departement="94")] == [code]


def test_find_communes_pads_a_one_digit_departement(geo: Geography) -> None:
    assert [c.code for c in find_communes(geo, "Bourg-en-Bresse", departement="1")] == ["01053"]


def test_postcode_index(geo: Geography) -> None:
    assert set(geo.by_postcode["75001"]) == {"75056", "75101"}
    assert geo.by_postcode["94410"] == ("94069",)


def test_commune_by_code_and_unknowns(geo: Geography) -> None:
    assert commune_by_code(geo, "94018").name == "Charenton-le-Pont"
    assert commune_by_code(geo, "2A004").name == "Ajaccio"
    assert commune_by_code(geo, "00000") is None
    assert intercommunality_by_siren(geo, "000000000") is None
    with pytest.raises(UnknownEntityError, match="000000000"):
        members(geo, "000000000")


def test_territory_iri_wraps_kg_iris() -> None:
    assert territory_iri("commune", "94018") == iris.territory("commune", "94018")
    with pytest.raises(ValueError):
        territory_iri("canton", "9401")


# --------------------------------------------------------------------------- RDF


def test_quads_are_all_in_the_geography_graph(quads: list[Quad]) -> None:
    graph = NamedNode(iris.GEOGRAPHY_GRAPH)
    assert all(q.graph_name == graph for q in quads)
    assert len(set(quads)) == len(quads)


def test_pemb_has_13_parts_in_sparql(store: Store) -> None:
    pemb = iris.territory("intercommunalite", PEMB)
    assert count(store, f"SELECT (COUNT(?c) AS ?n) {{ ?c dct:isPartOf <{pemb}> }}") == 13


def test_sub_territories_by_property_path(store: Store) -> None:
    idf = iris.territory("region", "11")
    paris = iris.territory("commune", "75056")
    # 20 arrondissements are part of Paris, and through it of the Métropole du Grand Paris
    assert count(store, f"SELECT (COUNT(?c) AS ?n) {{ ?c dct:isPartOf <{paris}> }}") == 20
    n = count(store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ ?c a igeo:Commune ; dct:isPartOf+ <{idf}> }}")
    assert n == 1266  # communes-actuelles of Île-de-France, COG 2026
    mgp = iris.territory("intercommunalite", MGP)
    n = count(
        store, f"SELECT (COUNT(?c) AS ?n) {{ ?c a igeo:ArrondissementMunicipal ; dct:isPartOf+ <{mgp}> }}"
    )
    assert n == 20


def test_commune_triples(store: Store) -> None:
    node = NamedNode(iris.territory("commune", "94018"))
    graph = NamedNode(iris.GEOGRAPHY_GRAPH)

    def objects(predicate: object) -> set:
        return {q.object for q in store.quads_for_pattern(node, NamedNode(str(predicate)), None, graph)}

    assert objects(RDF.type) == {NamedNode(str(IGEO.Commune))}
    assert objects(RDFS.label) == {Literal("Charenton-le-Pont", language="fr")}
    assert objects(IGEO.codeINSEE) == {Literal("94018")}
    assert objects(TKG.siren) == {Literal("219400181")}
    (population,) = objects(TKG.population)
    assert population.datatype == NamedNode(str(XSD.integer)) and int(population.value) > 25000
    assert objects(TKG.postalCode) == {Literal("94220")}
    dep = NamedNode(iris.territory("departement", "94"))
    assert objects(IGEO.subdivisionDirecteDe) == {dep}
    assert objects(DCT.isPartOf) == {
        dep,
        NamedNode(iris.territory("intercommunalite", MGP)),
        NamedNode(iris.territory("intercommunalite", PEMB)),
    }


def test_departement_region_and_intercommunality_triples(store: Store) -> None:
    dep = iris.territory("departement", "94")
    reg = iris.territory("region", "11")
    pemb = iris.territory("intercommunalite", PEMB)
    ask = PREFIXES + (
        "PREFIX tkg: <https://w3id.org/territorial-kg/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ASK { "
        f'<{dep}> a igeo:Departement ; rdfs:label "Val-de-Marne"@fr ; igeo:codeINSEE "94" ; '
        f"igeo:subdivisionDirecteDe <{reg}> ; dct:isPartOf <{reg}> ; "
        f"igeo:chefLieu <{iris.territory('commune', '94028')}> . "
        f'<{reg}> a igeo:Region ; rdfs:label "Île-de-France"@fr ; igeo:codeINSEE "11" ; '
        f"igeo:chefLieu <{iris.territory('commune', '75056')}> . "
        f'<{pemb}> a igeo:Intercommunalite ; rdfs:label "Paris Est Marne et Bois"@fr ; '
        f'tkg:siren "{PEMB}" ; tkg:intercommunalityType "EPT" ; dct:isPartOf <{dep}> ; '
        "tkg:population ?p . FILTER(datatype(?p) = xsd:integer) }"
    )
    assert store.query(ask, use_default_graph_as_union=True)


def test_metropole_du_grand_paris_has_no_single_departement(store: Store) -> None:
    mgp = iris.territory("intercommunalite", MGP)
    assert count(store, f"SELECT (COUNT(?d) AS ?n) {{ <{mgp}> dct:isPartOf ?d }}") == 0


def test_quads_bulk_load_into_a_store(quads: list[Quad], store: Store) -> None:
    """Every quad goes in (the timings of both steps are in benchmarks/bench_steps.py)."""
    assert len(store) == len(quads)


# --------------------------------------------------------------------------- tiny inline geographies

TINY = {
    "regions.csv": "code,nom,chef_lieu\n11,Île-de-France,75056\n",
    "departements.csv": "code,nom,region,chef_lieu\n75,Paris,11,75056\n",
    "intercommunalites.csv": (
        "siren,nom,type,mode_financement,population,departement\n"
        "200054781,Métropole du Grand Paris,METRO,FPU,7000000,75\n"
    ),
    "communes.csv": (
        "code,nom,type,departement,region,siren,population,codes_postaux,epci,ept,commune\n"
        "75056,Paris,commune,75,11,217500016,2100000,75001 75002,200054781,,\n"
        "75101,Paris 1er Arrondissement,arrondissement-municipal,75,11,,15000,75001,,,75056\n"
    ),
}


def write_tiny(folder: Path, **changes: str) -> Path:
    for name, text in {**TINY, **changes}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_tiny_geography_gives_exactly_the_designed_triples(tmp_path: Path) -> None:
    geo = load_geography(write_tiny(tmp_path))
    t = iris.territory
    g = NamedNode(iris.GEOGRAPHY_GRAPH)

    def n(s: object) -> NamedNode:
        return NamedNode(str(s))

    reg, dep = n(t("region", "11")), n(t("departement", "75"))
    mgp, paris, arr = (
        n(t("intercommunalite", "200054781")),
        n(t("commune", "75056")),
        n(t("commune", "75101")),
    )
    integer = n(XSD.integer)
    expected = {
        (reg, n(RDF.type), n(IGEO.Region)),
        (reg, n(RDFS.label), Literal("Île-de-France", language="fr")),
        (reg, n(IGEO.codeINSEE), Literal("11")),
        (reg, n(IGEO.chefLieu), paris),
        (dep, n(RDF.type), n(IGEO.Departement)),
        (dep, n(RDFS.label), Literal("Paris", language="fr")),
        (dep, n(IGEO.codeINSEE), Literal("75")),
        (dep, n(IGEO.subdivisionDirecteDe), reg),
        (dep, n(DCT.isPartOf), reg),
        (dep, n(IGEO.chefLieu), paris),
        (mgp, n(RDF.type), n(IGEO.Intercommunalite)),
        (mgp, n(RDFS.label), Literal("Métropole du Grand Paris", language="fr")),
        (mgp, n(TKG.siren), Literal("200054781")),
        (mgp, n(TKG.intercommunalityType), Literal("METRO")),
        (mgp, n(TKG.population), Literal("7000000", datatype=integer)),
        (mgp, n(DCT.isPartOf), dep),
        (paris, n(RDF.type), n(IGEO.Commune)),
        (paris, n(RDFS.label), Literal("Paris", language="fr")),
        (paris, n(IGEO.codeINSEE), Literal("75056")),
        (paris, n(TKG.siren), Literal("217500016")),
        (paris, n(TKG.population), Literal("2100000", datatype=integer)),
        (paris, n(TKG.postalCode), Literal("75001")),
        (paris, n(TKG.postalCode), Literal("75002")),
        (paris, n(IGEO.subdivisionDirecteDe), dep),
        (paris, n(DCT.isPartOf), dep),
        (paris, n(DCT.isPartOf), mgp),
        (arr, n(RDF.type), n(IGEO.ArrondissementMunicipal)),
        (arr, n(RDFS.label), Literal("Paris 1er Arrondissement", language="fr")),
        (arr, n(IGEO.codeINSEE), Literal("75101")),
        (arr, n(TKG.population), Literal("15000", datatype=integer)),
        (arr, n(TKG.postalCode), Literal("75001")),
        (arr, n(IGEO.subdivisionDirecteDe), dep),
        (arr, n(DCT.isPartOf), dep),
        (arr, n(IGEO.subdivisionDirecteDe), paris),
        (arr, n(DCT.isPartOf), paris),
    }
    quads = geography_quads(geo)
    assert {(q.subject, q.predicate, q.object) for q in quads} == expected
    assert len(quads) == len(expected)
    assert all(q.graph_name == g for q in quads)


def test_missing_file_names_it_and_the_fix(tmp_path: Path) -> None:
    write_tiny(tmp_path)
    (tmp_path / "communes.csv").unlink()
    with pytest.raises(GeographyError, match=r"communes\.csv is missing; regenerate data/geo"):
        load_geography(tmp_path)


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    write_tiny(tmp_path, **{"regions.csv": "code,name,chef_lieu\n11,Île-de-France,75056\n"})
    with pytest.raises(GeographyError, match=r"regions\.csv, row 1: header is 'code,name,chef_lieu'"):
        load_geography(tmp_path)


def test_row_with_an_extra_cell_is_reported(tmp_path: Path) -> None:
    bad = TINY["communes.csv"].replace("200054781,,\n", "200054781,,,\n")
    write_tiny(tmp_path, **{"communes.csv": bad})
    with pytest.raises(GeographyError, match=r"communes\.csv, row 2: 12 cells, expected 11"):
        load_geography(tmp_path)


def test_non_numeric_population(tmp_path: Path) -> None:
    bad = TINY["communes.csv"].replace(",2100000,", ",2.1M,")
    write_tiny(tmp_path, **{"communes.csv": bad})
    with pytest.raises(
        GeographyError, match=r'communes\.csv, row 2, column "population": "2\.1M" is not a whole'
    ):
        load_geography(tmp_path)


def test_unknown_departement_is_reported(tmp_path: Path) -> None:
    bad = TINY["communes.csv"].replace(
        "75101,Paris 1er Arrondissement,arrondissement-municipal,75,",
        "75101,Paris 1er Arrondissement,arrondissement-municipal,76,",
    )
    write_tiny(tmp_path, **{"communes.csv": bad})
    with pytest.raises(GeographyError, match=r'row 3, column "departement": "76" is not a département'):
        load_geography(tmp_path)


def test_geography_error_is_an_input_error_and_still_a_value_error(tmp_path: Path) -> None:
    assert issubclass(GeographyError, InputError) and issubclass(GeographyError, ValueError)
    with pytest.raises(GeographyError) as info:
        load_geography(tmp_path)
    assert info.value.exit_code == InputError.exit_code
    assert info.value.message.startswith(f"{tmp_path / 'regions.csv'} is missing; regenerate data/geo")
    assert [p.message for p in info.value.problems] == [info.value.message]
