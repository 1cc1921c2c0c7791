"""The synthetic national ecosystem (``benchmarks/synthetic.py``) is deterministic, consistent and in the
model."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.ingest.geo import load_geography
from kg.model import iris
from kg.model.records import RECORD_TYPES
from kg.model.territories import parse_territory
from kg.rdf.mapping import curated_quads, node_of

ROOT = Path(__file__).resolve().parent.parent
N_ACTORS, SEED = 2_000, 1


def _load_synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


synthetic = _load_synthetic()


@pytest.fixture(scope="module")
def geo():
    return load_geography()


@pytest.fixture(scope="module")
def curated(geo):
    return synthetic.generate(N_ACTORS, seed=SEED, geo=geo)


@pytest.fixture(scope="module")
def quads(curated):
    return curated_quads(curated, generated_at=synthetic.GENERATED_AT)


def test_same_seed_gives_the_same_quads(geo, quads):
    again = curated_quads(
        synthetic.generate(N_ACTORS, seed=SEED, geo=geo), generated_at=synthetic.GENERATED_AT
    )
    assert sorted(map(str, again)) == sorted(map(str, quads))


@pytest.mark.slow
def test_another_seed_gives_other_quads(geo, quads):
    other = curated_quads(
        synthetic.generate(N_ACTORS, seed=SEED + 1, geo=geo), generated_at=synthetic.GENERATED_AT
    )
    assert set(map(str, other)) != set(map(str, quads))


def test_counts_and_mix(curated):
    counts = curated.count()
    assert counts["actors"] == N_ACTORS
    assert counts["programmes"] == N_ACTORS // 5
    assert counts["documents"] == 50
    assert set(counts) == set(RECORD_TYPES)
    # Kumu connections are held by spreadsheet imports only, as in the curated data
    assert all(counts[name] > 0 for name in RECORD_TYPES if name != "connections"), counts
    first_type = [a.types[0] for a in curated.records["actors"]]
    share = {t: first_type.count(t) / N_ACTORS for t in set(first_type)}
    assert share["entreprise"] == pytest.approx(0.40, abs=0.01)
    assert share["association"] == pytest.approx(0.29, abs=0.01)
    assert share["commune"] + share["intercommunalite"] == pytest.approx(0.10, abs=0.01)
    assert share["etablissement-scolaire"] == pytest.approx(0.10, abs=0.01)
    assert share["catalyseur-territorial"] == pytest.approx(0.05, abs=0.01)
    assert share["fondation"] + share["fonds-de-dotation"] == pytest.approx(0.05, abs=0.01)
    per_programme: dict[str, list[str]] = {}
    for p in curated.records["participations"]:
        per_programme.setdefault(p.programme, []).append(p.role)
    assert len(per_programme) == counts["programmes"]
    for roles in per_programme.values():
        assert roles.count("porteur") == 1 and 2 <= len(roles) <= 11


def test_everything_is_marked_synthetic(curated):
    for _kind, rec in curated.all():
        assert rec.id.startswith("synth-"), rec.id
    assert all(a.name.startswith("Acteur synthétique ") for a in curated.records["actors"])
    assert all(d.title.startswith("Rapport synthétique n°") for d in curated.records["documents"])


def test_every_reference_resolves(curated, geo):
    docs = {d.id for d in curated.records["documents"]}
    levels = {
        "commune": geo.communes,
        "intercommunalite": geo.intercommunalities,
        "departement": geo.departements,
        "region": geo.regions,
    }
    notations = {
        "types": synthetic.ACTOR_TYPES,
        "themes": synthetic.THEMES,
        "role": synthetic.ROLES,
        "support_kind": synthetic.SUPPORT_KINDS,
        "type": synthetic.PROJECT_TYPES,
    }
    for kind, rec in curated.all():
        for field, allowed in type(rec).references.items():
            value = getattr(rec, field, None)
            for ref in value if isinstance(value, list) else [value] if value else []:
                assert ref in curated.index, (rec.id, field, ref)
                assert curated.index[ref][0] in allowed, (rec.id, field, ref)
        if kind == "document":
            continue
        assert len(rec.sources) == 1 and rec.sources[0].doc in docs
        for field in ("territory", "located_in", "area_served", "location"):
            value = getattr(rec, field, None)
            for ref in value if isinstance(value, list) else [value] if value else []:
                level, code = parse_territory(ref)
                assert code in levels[level], (rec.id, field, ref)
        for field, allowed in notations.items():
            value = getattr(rec, field, None)
            for v in value if isinstance(value, list) else [value] if value else []:
                assert v in allowed, (rec.id, field, v)


def test_collectivites_point_at_their_real_territory(curated, geo):
    towns = [a for a in curated.records["actors"] if a.types == ["commune"]]
    assert towns
    assert len({a.territory for a in towns}) == len(towns)  # one actor per commune
    for a in towns:
        code = a.territory.split(":", 1)[1]
        assert a.located_in == a.territory and a.siren == geo.communes[code].siren


def test_concepts_are_in_the_skos_schemes(curated):
    schemes = ROOT / "ontology" / "schemes.ttl"
    from kg.ingest.curated import concept_notations

    known = concept_notations(schemes)
    for name, values in (
        ("actor-type", synthetic.ACTOR_TYPES),
        ("theme", synthetic.THEMES),
        ("role", synthetic.ROLES),
        ("support-kind", synthetic.SUPPORT_KINDS),
        ("project-type", synthetic.PROJECT_TYPES),
    ):
        assert set(values) <= known.get(name, set()), (name, set(values) - known.get(name, set()))


def test_a_sample_of_records_passes_validation(curated):
    records = list(curated.all())
    sample = random.Random(0).sample(records, 1_000)
    for _kind, rec in sample:
        data = rec.model_dump()
        again = type(rec).model_validate(data)
        assert again == rec


def test_the_mapping_yields_quads_for_every_record_kind(curated, quads):
    subjects = {q.subject for q in quads if isinstance(q.subject, NamedNode)}
    for name, items in curated.records.items():
        kind = RECORD_TYPES[name].kind
        missing = [r.id for r in items if node_of(kind, r.id) not in subjects]
        assert (items or name == "connections") and not missing, (
            name,
            missing[:5],
        )  # connections: imports only
    graphs = {q.graph_name.value for q in quads}
    assert {iris.META_GRAPH, iris.DERIVED_GRAPH} <= graphs
    assert sum(g.startswith(iris.graph("document/synth-rapport-")) for g in graphs) == 50


def test_pyoxigraph_counts_the_actors(quads):
    store = Store()
    store.bulk_extend(quads)
    query = """PREFIX org: <http://www.w3.org/ns/org#>
        SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
          ?a a org:Organization ; org:classification ?t .
          FILTER(STRSTARTS(STR(?a), "https://w3id.org/territorial-kg/id/actor/"))
        }"""
    n = next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value
    assert int(n) == N_ACTORS


@pytest.mark.slow
def test_the_nquads_file_loads_back(tmp_path, quads):
    path = tmp_path / "small.nq"
    assert synthetic.main(["--actors", "200", "--seed", "3", "--out", str(path), "--json"]) == 0
    store = Store()
    store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    query = (
        "PREFIX org: <http://www.w3.org/ns/org#> "
        "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a org:classification ?t }"
    )
    assert next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value == "200"


def test_yaml_export_loads_back_with_every_check(tmp_path, geo):
    from kg.ingest.curated import load_curated
    from kg.store.build import _territory_exists

    small = synthetic.generate(200, seed=5, geo=geo)
    data = synthetic.write_yaml(small, tmp_path / "data")
    schemes = ROOT / "ontology" / "schemes.ttl"
    loaded = load_curated(
        data / "curated",
        sources_dir=data / "sources",
        schemes_file=schemes,
        territory_exists=lambda level, code: _territory_exists(geo, level, code),
    )
    assert loaded.count() == small.count()
    assert sorted(map(str, curated_quads(loaded, generated_at=synthetic.GENERATED_AT))) == sorted(
        map(str, curated_quads(small, generated_at=synthetic.GENERATED_AT))
    )


def _store_of(quads=None, path=None) -> set[str]:
    store = Store()
    if path is not None:
        store.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    else:
        store.bulk_extend(quads)
    return set(map(str, store))  # through a store: literals canonical ("+00:00" → "Z"), duplicates one


@pytest.mark.parametrize(("n", "seed", "batch"), [(N_ACTORS, SEED, 500), (300, 3, 64)])
def test_streaming_writes_the_quads_of_generate(tmp_path, geo, n, seed, batch):
    out = tmp_path / "streamed.nq"
    stats = synthetic.stream(n, out, seed=seed, geo=geo, batch=batch)
    expected = _store_of(synthetic.synthetic_quads(synthetic.generate(n, seed=seed, geo=geo), geo))
    assert _store_of(path=out) == expected
    assert stats["records"]["actors"] == n and stats["records"]["programmes"] == n // 5
    assert stats["lines"] >= len(expected)  # shortcuts implied by two batches are written twice


def test_streaming_writes_the_yaml_of_write_yaml(tmp_path, geo):
    streamed, whole = tmp_path / "streamed", tmp_path / "whole"
    synthetic.stream(300, tmp_path / "s.nq", seed=4, geo=geo, yaml_dir=streamed, batch=64)
    synthetic.write_yaml(synthetic.generate(300, seed=4, geo=geo), whole)
    names = sorted(p.name for p in (whole / "curated").iterdir())
    assert names == sorted(p.name for p in (streamed / "curated").iterdir())
    for name in names:
        assert (streamed / "curated" / name).read_bytes() == (whole / "curated" / name).read_bytes(), name
    # the quotes of a source file come in generation order rather than grouped by file: same lines
    for path in (whole / "sources").iterdir():
        got = (streamed / "sources" / path.name).read_text(encoding="utf-8").splitlines()
        want = path.read_text(encoding="utf-8").splitlines()
        assert got[:3] == want[:3] and sorted(got) == sorted(want), path.name
    other = tmp_path / "other"
    synthetic.stream(300, tmp_path / "o.nq", seed=5, geo=geo, yaml_dir=other, batch=64)
    assert (other / "curated" / "actors.yaml").read_bytes() != (
        streamed / "curated" / "actors.yaml"
    ).read_bytes()
