"""kg build: the real data builds and conforms; bad input fails with every problem and writes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli.commands import app
from kg.errors import InputError, ShapeViolation

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
ACTOR = "https://w3id.org/territorial-kg/id/actor/"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build from nothing: the geography loaded, mapped and written (not from the user's cache, which
    ``tests/test_incremental_build.py`` tests)."""
    out = tmp_path_factory.mktemp("build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_CACHE_DIR", "")
        report = kg.build(DATA, out / "store", out / "graph.trig", ontology_dir=ONTOLOGY)
    assert report.work["geography"] == "loaded"
    return report, out


@pytest.fixture
def data_copy(tmp_path):
    """A copy of data/ to break (geography linked, not copied)."""
    d = tmp_path / "data"
    d.mkdir()
    shutil.copytree(DATA / "curated", d / "curated")
    shutil.copytree(DATA / "sources", d / "sources")
    (d / "geo").symlink_to(DATA / "geo")
    return d


def test_build_reports_every_graph_and_conforms(built):
    report, _out = built
    assert report.conforms
    assert report.store.is_dir() and report.dump.stat().st_size > 0
    graphs = set(report.graphs)
    stems = {p.stem for p in (DATA / "sources").glob("*.txt")}
    for stem in stems:
        assert f"https://w3id.org/territorial-kg/graph/document/{stem}" in graphs
    for name in ("geography", "derived", "meta", "ontology"):
        assert f"https://w3id.org/territorial-kg/graph/{name}" in graphs


def test_store_holds_every_commune_of_france(built):
    _report, out = built
    g = kg.open(out / "store")
    n = g.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a igeo:Commune }")[0]["n"]
    communes = sum(
        1
        for line in (DATA / "geo" / "communes.csv").read_text(encoding="utf-8").splitlines()[1:]
        if ",commune," in line
    )
    assert n == communes > 34000


def test_pemb_members_are_the_13_official_communes(built):
    _, out = built
    g = kg.open(out / "store")
    rows = g.query(
        """SELECT ?code WHERE { ?pemb dct:spatial ?ept . ?c dct:isPartOf ?ept ; a igeo:Commune ; igeo:codeINSEE ?code }
           ORDER BY ?code""",
        pemb=kg.IRI(ACTOR + "pemb"),
    )
    assert [r["code"] for r in rows] == [
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


def test_totalenergies_cofounded_fonds_odd17_which_funded_urgence_etudiante(built):
    _, out = built
    g = kg.open(out / "store")
    rows = g.query(
        """SELECT ?amount ?quote ?doc WHERE {
             ?fonds schema:founder ?fondation .
             GRAPH ?g { ?grant a schema:MonetaryGrant ; schema:funder ?fonds ; tkg:recipient ?club ;
                               schema:amount/schema:value ?amount ;
                               prov:qualifiedDerivation [ prov:entity ?doc ; tkg:quote ?quote ] . }
             ?grant schema:fundedItem/rdfs:label ?item .
             FILTER(CONTAINS(LCASE(STR(?item)), "urgence"))
           }""",
        fondation=kg.IRI(ACTOR + "fondation-totalenergies"),
        fonds=kg.IRI(ACTOR + "fonds-odd17"),
        club=kg.IRI(ACTOR + "club-ess"),
    )
    assert rows, "the grant Fonds ODD17 → Club ESS (Urgence Étudiante) is missing"
    assert {int(r["amount"]) for r in rows} == {3000}
    assert any(r["doc"].endswith("002_cd60e692da181ed7") and "3k" in r["quote"] for r in rows)


ID = "https://w3id.org/territorial-kg/id/"


def _ask(g, where: str, **bindings) -> bool:
    return bool(g.query(f"SELECT * WHERE {{ {where} }} LIMIT 1", **bindings))


def test_the_relations_of_issue_10_are_in_the_store(built):
    """Part of, modelled on, participants with roles, groups, active since: stated in RDF as docs/design.md says."""
    _, out = built
    g = kg.open(out / "store")
    q2er, aet = kg.IRI(ID + "programme/q2er"), kg.IRI(ID + "programme/aet")
    assert _ask(g, "?q dct:isPartOf ?a . ?a dct:hasPart ?q", q=q2er, a=aet)
    assert _ask(
        g, "?a prov:wasInfluencedBy ?labo", a=aet, labo=kg.IRI(ACTOR + "labo-des-partenariats-strasbourg")
    )
    dialogue = kg.IRI(ID + "event/dialogue-eleves-entreprises-2018-2019")
    rows = g.query(
        """SELECT ?who ?role WHERE { ?e prov:qualifiedAssociation ?q . ?q a prov:Association ;
             prov:agent ?who ; prov:hadRole ?role . ?e schema:attendee ?who }""",
        e=dialogue,
    )
    assert {r["who"].rsplit("/", 1)[-1] for r in rows} == {
        "ministere-education-nationale",
        "medef",
        "chambre-de-commerce",
    }
    assert {r["role"].rsplit("/", 1)[-1] for r in rows} == {"participant"}
    assert _ask(g, "?l a foaf:Group", l=kg.IRI(ACTOR + "lycees-de-charenton"))
    gaia = kg.IRI(ACTOR + "gaia")
    assert _ask(g, '?a tkg:activeSince "1998"^^xsd:gYear', a=gaia)
    assert not _ask(g, "?a schema:foundingDate ?d", a=gaia)
    assert _ask(
        g,
        "?r schema:location ?t",
        r=kg.IRI(ACTOR + "le-rameau"),
        t=kg.IRI(ID + "territory/intercommunalite/200057941"),
    )


def test_the_10k_grant_has_its_items_no_recipient_and_the_3k_as_a_part(built):
    _, out = built
    g = kg.open(out / "store")
    tenk, threek = (
        kg.IRI(ID + "funding/fonds-odd17-pemb-2021-2022"),
        kg.IRI(ID + "funding/urgence-etudiante-3k"),
    )
    assert not _ask(g, "?grant tkg:recipient ?r", grant=tenk)
    items = {
        r["i"].rsplit("/", 1)[-1]
        for r in g.query("SELECT ?i WHERE { ?grant schema:fundedItem ?i }", grant=tenk)
    }
    assert items == {"fonds-de-soutien-entreprises", "urgence-etudiante"}
    assert _ask(g, "?p dct:isPartOf ?w . ?w dct:hasPart ?p", p=threek, w=tenk)
    # the funder's shortcut reaches what the grant paid for, never PEMB through it
    assert not _ask(g, "?f tkg:funds ?p", f=kg.IRI(ACTOR + "fonds-odd17"), p=kg.IRI(ACTOR + "pemb"))


def test_the_villes_memberships_cite_the_geography_dataset_row(built):
    _, out = built
    g = kg.open(out / "store")
    rows = g.query(
        """SELECT ?ville ?quote ?file WHERE {
             GRAPH ?graph { ?m a org:Membership ; org:member ?ville ; org:organization ?pemb ;
                              prov:qualifiedDerivation [ prov:entity ?doc ; tkg:quote ?quote ] }
             ?doc tkg:sourceFile ?file ; a fabio:Dataset }""",
        pemb=kg.IRI(ACTOR + "pemb"),
        graph=kg.IRI("https://w3id.org/territorial-kg/graph/document/decoupage-administratif-2026"),
    )
    by_ville = {r["ville"].rsplit("/", 1)[-1]: r for r in rows}
    assert set(by_ville) == {
        "ville-de-charenton-le-pont",
        "ville-de-saint-maurice",
        "ville-de-vincennes",
        "ville-de-saint-mande",
    }
    assert by_ville["ville-de-vincennes"]["quote"].startswith("94080,Vincennes,commune,94,")
    assert {r["file"] for r in rows} == {"communes.csv"}


def test_each_document_contributes_cited_facts(built):
    _, out = built
    g = kg.open(out / "store")
    rows = g.query(
        """SELECT ?doc (COUNT(DISTINCT ?fact) AS ?n) WHERE {
             ?fact prov:qualifiedDerivation [ prov:entity ?doc ; tkg:quote ?q ] } GROUP BY ?doc"""
    )
    counts = {r["doc"].rsplit("/", 1)[-1]: r["n"] for r in rows}
    for stem in (p.stem for p in (DATA / "sources").glob("*.txt")):
        assert counts.get(stem, 0) >= 3, f"{stem} contributes {counts.get(stem, 0)} cited facts"


def test_every_curated_node_cites_a_document_in_its_own_graph(built):
    _, out = built
    g = kg.open(out / "store")
    orphans = g.query(
        """SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/territorial-kg/graph/document/"))
             FILTER(?p = rdf:type) FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?doc }
             FILTER NOT EXISTS { ?s a dct:PeriodOfTime } FILTER NOT EXISTS { ?s a prov:Derivation }
             FILTER NOT EXISTS { ?s a schema:MonetaryAmount } FILTER NOT EXISTS { ?s a adms:Identifier }
             FILTER NOT EXISTS { ?s a prov:Association } FILTER NOT EXISTS { ?s a prov:Attribution } }"""
    )
    assert orphans == []


# -- bad input -------------------------------------------------------------------------------

BAD_RECORDS = {
    "actors.yaml": """
- id: acteur-siren-faux
  name: Acteur au SIREN faux
  types: [entreprise]
  siren: "21940018"
  sources: [{doc: 002_cd60e692da181ed7, quote: "Création du Club Gravelle Entreprendre"}]
- id: acteur-siren-luhn
  name: Acteur au SIREN sans clé
  types: [entreprise]
  siren: "219400182"
  located_in: commune:99999
  sources: [{doc: 002_cd60e692da181ed7, quote: "Création du Club Gravelle Entreprendre"}]
- id: le-rameau
  name: Doublon
  types: [association]
  sources: [{doc: 002_cd60e692da181ed7, quote: "Création du Club Gravelle Entreprendre"}]
""",
    "fundings.yaml": """
- id: financement-negatif
  funder: fonds-odd17
  recipient: club-esss
  amount_eur: -3000
  sources: [{doc: 002_cd60e692da181ed7, quote: "à hauteur de 3k €"}]
- id: financement-a-l-envers
  funder: fonds-odd17
  recipient: club-ess
  amount_eur: 10000
  start: 2022
  end: 2021
  sources: [{doc: 002_cd60e692da181ed7, quote: "à hauteur de 3k €"}]
""",
}

EXPECTED = [
    ("actors.yaml", "siren", "8 digits"),
    ("actors.yaml", "siren", "Luhn"),
    ("actors.yaml", "located_in", "commune:99999"),
    ("actors.yaml", "id", 'duplicate id "le-rameau"'),
    ("fundings.yaml", "amount_eur", "greater than or equal to 0"),
    ("fundings.yaml", "recipient", '"club-esss"'),
    ("fundings.yaml", None, "before"),
]


def _append_bad(data: Path) -> None:
    for name, text in BAD_RECORDS.items():
        with open(data / "curated" / name, "a", encoding="utf-8") as f:
            f.write(text)


def test_bad_input_lists_every_problem_and_keeps_the_old_store(built, data_copy):
    _report, out = built
    before = _digest(out / "graph.trig")
    n_before = len(kg.open(out / "store"))
    _append_bad(data_copy)
    with pytest.raises(InputError) as info:
        kg.build(data_copy, out / "store", out / "graph.trig", ontology_dir=ONTOLOGY)
    problems = info.value.problems
    text = str(info.value)
    for file, field, words in EXPECTED:
        assert any(
            p.file.endswith(file) and (field is None or p.field == field) and words in str(p)
            for p in problems
        ), f"no problem for {file} {field} {words!r} in:\n{text}"
    assert all(p.line for p in problems if p.file.endswith(".yaml")), text
    assert 'did you mean "club-ess"?' in text
    assert _digest(out / "graph.trig") == before
    assert len(kg.open(out / "store")) == n_before


def test_malformed_yaml_names_file_and_line(data_copy, tmp_path):
    path = data_copy / "curated" / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n- id: x\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        kg.build(data_copy, tmp_path / "store", tmp_path / "g.trig", ontology_dir=ONTOLOGY)
    (problem,) = info.value.problems
    assert problem.file.endswith("events.yaml") and problem.line and "not valid YAML" in problem.message
    assert not (tmp_path / "store").exists() and not (tmp_path / "g.trig").exists()


def test_shacl_violation_is_located_and_writes_nothing(data_copy, tmp_path):
    # a shape the pydantic models cannot see: break the ontology's concept labels
    onto = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, onto)
    schemes = onto / "schemes.ttl"
    text = schemes.read_text(encoding="utf-8")
    assert '"Jeunesse"@fr' in text
    schemes.write_text(text.replace('"Youth"@en', '"Youth"@de'), encoding="utf-8")
    with pytest.raises(ShapeViolation) as info:
        kg.build(data_copy, tmp_path / "store", tmp_path / "g.trig", ontology_dir=onto)
    assert any("jeunesse" in str(p) for p in info.value.problems), str(info.value)
    assert not (tmp_path / "store").exists()


def test_cli_build_exits_non_zero_with_the_problems(data_copy, tmp_path):
    _append_bad(data_copy)
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--data",
            str(data_copy),
            "--store",
            str(tmp_path / "s"),
            "--dump",
            str(tmp_path / "g.trig"),
            "--ontology",
            str(ONTOLOGY),
        ],
    )
    assert result.exit_code == 3
    assert "fundings.yaml, line" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s").exists()


def test_cli_build_ok(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--store",
            str(tmp_path / "s"),
            "--dump",
            str(tmp_path / "g.trig"),
            "--data",
            str(DATA),
            "--ontology",
            str(ONTOLOGY),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Graphe construit : ") and "  fiches : documents " in result.output
    assert "acteurs " in result.output and "SHACL : conforme" in result.output


def test_build_summary_in_french_and_english():
    from types import SimpleNamespace

    from kg.cli.commands import build_summary

    report = SimpleNamespace(
        quads=328731,
        graphs=list(range(10)),
        seconds={"a": 1.5, "b": 0.25},
        records={"actors": 39, "fundings": 0},
        territories=36415,
        conforms=True,
        store="build/store",
        dump="build/graph.trig",
    )
    fr, en = build_summary(report, "curated", "fr"), build_summary(report, "off", "en")
    assert fr[0] == "Graphe construit : 328\u202f731 quads dans 10 graphes nommés (1,75 s)"
    assert fr[1] == "  fiches : acteurs 39" and fr[2] == "  territoires : 36\u202f415 ; SHACL : conforme"
    assert en[0] == "Graph built: 328,731 quads in 10 named graphs (1.75 s)"
    assert en[2] == "  territories: 36,415; SHACL: skipped (--shacl off)"


def _quads(store: Path) -> set:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        return set(s)
    finally:
        del s


@pytest.mark.slow
def test_cli_build_annuler_puts_the_previous_build_back_and_again_redoes(data_env, tmp_path):
    """``kg build --annuler`` (``--undo``): the store and dump of the build before, quad by quad, and back."""
    data, store = data_env("annuler")
    dump = tmp_path / "graph.trig"
    where = ["--data", str(data), "--store", str(store), "--dump", str(dump), "--ontology", str(ONTOLOGY)]
    run = CliRunner().invoke
    nothing = run(app, ["build", "--annuler", "--store", str(tmp_path / "none"), "--dump", str(dump)])
    assert nothing.exit_code == 7, nothing.output
    assert "aucune construction précédente gardée" in nothing.output
    first = run(app, ["build", "--shacl", "off", *where])
    assert first.exit_code == 0, first.output
    one, one_dump = _quads(store), dump.read_bytes()
    from kg.store.imports import import_workbook

    import_workbook(ROOT / "tests" / "fixtures" / "spreadsheets" / "gravelle.xlsx", data, None)  # data only
    second = run(app, ["build", "--shacl", "off", *where])
    assert second.exit_code == 0, second.output
    assert (
        "SHACL : non vérifié (--shacl off)" in second.output
    )  # was « conforme », though nothing was checked
    two = _quads(store)
    assert one != two and dump.read_bytes() != one_dump
    undone = run(app, ["build", "--annuler", *where])
    assert undone.exit_code == 0 and "Construction précédente rétablie" in undone.output, undone.output
    assert _quads(store) == one and dump.read_bytes() == one_dump
    redone = run(app, ["build", "--undo", *where])  # the English alias; undoing the undo redoes
    assert redone.exit_code == 0, redone.output
    assert _quads(store) == two


def _collections_during(call, inside: str) -> tuple[int, bool]:
    """How many cyclic collections started while a function named *inside* was running in *call*, and
    whether the collector was on after it."""
    import gc
    import sys

    runs: list[str] = []

    def count(phase: str, _info: dict) -> None:
        frame = sys._getframe(1)
        while frame is not None and phase == "start":
            if frame.f_code.co_name == inside:
                runs.append(phase)
                break
            frame = frame.f_back  # type: ignore[assignment]

    gc.callbacks.append(count)
    try:
        call()
    finally:
        gc.callbacks.remove(count)
    return len(runs), gc.isenabled()


def test_the_cyclic_collector_is_paused_during_a_build_and_restored_after(data_copy, tmp_path):
    """Each full collection walked every record and quad the build holds: the build's time grew faster
    than its data. A build that fails late (after loading everything) must leave the collector as it was."""
    import gc

    from kg.ingest.curated import load_curated

    _append_bad(data_copy)

    def failing_build() -> None:
        with pytest.raises(InputError):
            kg.build(data_copy, tmp_path / "store", tmp_path / "g.trig", ontology_dir=ONTOLOGY)

    def loading_alone() -> None:  # the same loading outside a build: the collector runs in it
        with pytest.raises(InputError):
            load_curated(
                data_copy / "curated",
                sources_dir=data_copy / "sources",
                schemes_file=ONTOLOGY / "schemes.ttl",
            )

    assert gc.isenabled()
    assert _collections_during(failing_build, "load_curated") == (0, True)
    during, enabled = _collections_during(loading_alone, "load_curated")
    assert during > 0 and enabled
    gc.disable()
    try:
        assert _collections_during(failing_build, "load_curated") == (0, False)  # and not switched on
    finally:
        gc.enable()


def test_digests_in_one_pass_equal_the_graph_and_subject_digests():
    """``build_digests`` makes each quad's text once for both digests; they must be those of
    ``graph_digests`` and ``subject_digests``, which the incremental build compares with the last state."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.store.incremental import build_digests, graph_digests, subject_digests

    def quads(name: str) -> list:
        a, b, g, skip = (NamedNode(f"https://example.org/{x}") for x in ("a", "b", "g", "onto"))
        label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        return [
            Quad(a, label, Literal(name), g),
            Quad(b, label, Literal("B"), g),
            Quad(a, label, Literal("class"), skip),
        ]

    skip = ("https://example.org/onto",)
    one, two = build_digests(quads("one"), [], None, skip), build_digests(quads("two"), [], None, skip)
    for q, (graphs, subjects) in ((quads("one"), one), (quads("two"), two)):
        assert graphs == graph_digests(q)
        assert subjects == subject_digests(q, skip)
        assert (
            "<https://example.org/a>" in subjects and len(subjects) == 2
        )  # the skipped graph's subject: once
    assert one[0]["https://example.org/g"] != two[0]["https://example.org/g"]
    assert one[1]["<https://example.org/a>"] != two[1]["<https://example.org/a>"]
    assert one[1]["<https://example.org/b>"] == two[1]["<https://example.org/b>"]


def test_the_report_gives_each_step_its_cpu_time_beside_its_wall_time(built):
    """On a loaded machine the wall time of a step is mostly waiting: the report says the CPU time too."""
    report, _out = built
    assert list(report.cpu_seconds) == list(report.seconds)
    assert all(v >= 0 for v in report.cpu_seconds.values())
    assert report.cpu_seconds["mapping"] > 0.05  # 330,000 quads made in this process


def _synthetic_data(folder: Path) -> Path:
    import importlib.util
    import sys

    from kg.ingest.geo import load_geography

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.write_yaml(module.generate(120, seed=3, geo=load_geography()), folder)


@pytest.mark.parametrize("which", ["project", "synthetic"])
def test_records_mapped_one_by_one_and_let_go_give_the_same_quads(which, tmp_path):
    """kg build maps the records one by one, letting each go (kg.rdf.mapping_stream): the same quads in the
    same order as curated_quads, on the project's data and on a synthetic set (different quads); afterwards
    the records are gone, their counts and places kept."""
    from kg.ingest.curated import load_curated
    from kg.rdf.mapping import curated_quads
    from kg.rdf.mapping_stream import consume_curated_quads

    data = DATA if which == "project" else _synthetic_data(tmp_path / "data")

    def load():
        return load_curated(
            data / "curated", sources_dir=data / "sources", schemes_file=ONTOLOGY / "schemes.ttl"
        )

    when = "2026-01-01T00:00:00+00:00"
    expected = curated_quads(load(), generated_at=when)
    curated = load()
    counts, located = curated.count(), dict(curated.located)
    got = consume_curated_quads(curated, generated_at=when)
    assert got == expected
    assert len(got) > 3000 and (counts["actors"] == 120) == (which == "synthetic")
    assert curated.count() == counts and curated.located == located
    assert not curated.index and not curated.lines
    assert all(r is None for items in curated.records.values() for r in items)


@pytest.mark.parametrize("which", ["project", "synthetic"])
def test_records_kept_as_text_give_the_same_quads_sorted_by_graph(which, tmp_path):
    """kg build keeps the records' quads as N-Quads text, one block per graph (kg.rdf.packed), between its
    steps: read back, they are the quads of curated_quads in the order of a stable sort by graph, with the
    same counts per graph, organisations and digests as the quads themselves; the geography goes where a
    sort by graph puts it. On the project's data and on a synthetic set (different quads and counts)."""
    from pyoxigraph import NamedNode, Quad

    from kg.ingest.curated import load_curated
    from kg.model import iris
    from kg.rdf.mapping import curated_quads
    from kg.rdf.mapping_stream import pack_curated_quads
    from kg.store.incremental import GeoCodes, build_digests, territory_scope
    from kg.store.summary import count_actors, count_packed_actors, graph_key, splice

    data = DATA if which == "project" else _synthetic_data(tmp_path / "data")

    def load():
        return load_curated(
            data / "curated", sources_dir=data / "sources", schemes_file=ONTOLOGY / "schemes.ttl"
        )

    when = "2026-01-01T00:00:00+00:00"
    expected = sorted(curated_quads(load(), generated_at=when), key=graph_key)
    packed = pack_curated_quads(load(), generated_at=when)
    assert list(packed) == expected and len(packed) == len(expected)
    counts: dict[str, int] = {}
    for q in expected:
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    assert packed.counts() == counts
    assert count_packed_actors(packed) == count_actors(expected)
    assert (count_actors(expected) == 120) == (which == "synthetic")
    skip = (iris.GEOGRAPHY_GRAPH, iris.ONTOLOGY_GRAPH)
    assert build_digests(packed, [], None, skip) == build_digests(expected, [], None, skip)
    no_codes = GeoCodes(frozenset(), frozenset(), frozenset(), frozenset())
    places = territory_scope(packed, no_codes)  # read on the text, the territories the records point at
    assert places == territory_scope(expected, no_codes) and len(places) >= 8
    geo = NamedNode(iris.GEOGRAPHY_GRAPH)
    block = [Quad(NamedNode(iris.territory("region", c)), NamedNode(iris.BASE + "p"), geo, geo) for c in "12"]
    whole = packed.with_graph(iris.GEOGRAPHY_GRAPH, block)
    assert list(whole) == splice(expected, block, iris.GEOGRAPHY_GRAPH) and len(packed) == len(expected)
    some = sorted(counts)[:2]
    assert list(packed.quads(some)) == [q for q in expected if q.graph_name.value in some]
    assert list(packed.quads(but=some)) == [q for q in expected if q.graph_name.value not in some]
    prefix = iris.BASE + "id/"  # objects read on the text of some graphs: those of the quads themselves
    for view, kept in (
        (packed.quads(some), expected[: counts[some[0]] + counts[some[1]]]),
        (packed, expected),
    ):
        assert view.objects(prefix) == {
            v for q in kept if (v := getattr(q.object, "value", "")).startswith(prefix)
        }
