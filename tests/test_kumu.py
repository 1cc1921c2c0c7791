"""Kumu files as they are (kg.sheets.kumu, kg.sheets.kumu_read).

A Kumu workbook of 34 elements and 49 connections (tests/fixtures/spreadsheets/kumu-reseau.xlsx, written by
make_kumu.py) imports with every element and connection: free-text types mapped or kept, connection types,
directions, tags and custom fields kept; our own Kumu export (kumu_rows + write_kumu) imports again
to the same records. At the planner: nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kg.errors import InputError
from kg.ingest.geo import load_geography
from kg.sheets.known import known_records
from kg.sheets.kumu import kumu_rows, kumu_type, write_kumu
from kg.sheets.layout import load_concepts
from kg.sheets.plan import ImportPlan, plan_import

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
KUMU = FIXTURES / "kumu-reseau.xlsx"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A data folder of links to the curated data (the planner only reads it)."""
    d = tmp_path_factory.mktemp("data")
    for sub in ("curated", "sources", "geo"):
        (d / sub).symlink_to(ROOT / "data" / sub)
    return d


@pytest.fixture(scope="module")
def context(data):
    return {"geo": load_geography(data / "geo"), "known": known_records(data)}


@pytest.fixture(scope="module")
def concepts():
    return load_concepts(ROOT / "ontology" / "schemes.ttl")


@pytest.fixture(scope="module")
def plan(data, context) -> ImportPlan:
    return plan_import(KUMU, data, name="reseau", **context)


def _actor(plan, name):
    return next(a for a in plan.records["actors"] if a.name == name)


def test_every_element_and_connection_is_imported(plan):
    wb = openpyxl.load_workbook(KUMU, read_only=True)
    elements = [r[0] for r in wb["Elements"].iter_rows(min_row=2, values_only=True)]
    connections = list(wb["Connections"].iter_rows(min_row=2, values_only=True))
    assert (len(elements), len(connections)) == (34, 49)
    referenced = [r for r in plan.references if "Le RAMEAU" in r]  # the curated actor a Kumu element names
    assert len(plan.records["actors"]) + len(plan.records["people"]) + len(referenced) == 34
    assert len(plan.records["connections"]) == 49
    assert len({c.id for c in plan.records["connections"]}) == 49


def test_free_text_types_are_mapped_when_obvious_kept_otherwise_never_an_error(plan):
    assert _actor(plan, "Atelier Bois et Compagnie").types == ["entreprise"]  # « Company »
    assert _actor(plan, "Business Angels de l'Est").types == ["financeur"]  # « Investor »
    assert _actor(plan, "Maison des Solidarités de Gravelle").types == ["association"]  # « Non-profit »
    incubator = _actor(plan, "Incubateur Est Innovation")
    assert (
        incubator.type_label == "Incubator" and "Incubator" in incubator.tags
    )  # kept as written and as a tag
    people = {p.name: p.type_label for p in plan.records["people"]}
    assert people["Claire Dubois"] == "Person" and people["Hugo Marchand"] == "Employee/Founder"
    assert len(people) == 12
    summary = [n for n in plan.notices if n.field == "Type"]
    said = " ".join(n.message for n in summary)
    for written in (
        "« Incubator » (2 éléments)",
        "« Hub »",
        "« Person » (9 éléments)",
        "« Employee/Founder »",
    ):
        assert written in said
    assert all(n.file == "kumu-reseau.xlsx, feuille Elements" for n in summary)


def test_connections_keep_type_label_direction_tags_and_stay_distinct(plan):
    by_pair: dict[tuple[str, str], list] = {}
    for c in plan.records["connections"]:
        by_pair.setdefault((c.source, c.target), []).append(c)
    bois, ga = "atelier-bois-et-compagnie", "gravelle-alliances"
    [partner] = by_pair[(ga, bois)]
    assert (partner.type, partner.direction, partner.label, partner.tags) == (
        "Partner",
        "mutual",
        "Parcours apprentis",
        ["apprentissage", "emploi"],
    )
    [supplier] = by_pair[(bois, ga)]
    assert (supplier.type, supplier.direction) == ("Supplier", "directed")
    # the same pair twice with another type, and twice with the same type: distinct connections and records
    angels = by_pair[("business-angels-de-l-est", "studio-pixel-est")]
    assert sorted(c.type for c in angels) == ["Invests in", "Mentoring"]
    twice = by_pair[("ressourcerie-gravelle", bois)]
    assert [c.label for c in twice] == ["Bois de réemploi", "Chutes de bois"]
    assert len({c.record for c in twice}) == 2
    programmes = {p.id: p for p in plan.records["programmes"]}
    assert all(c.record in programmes for c in twice)
    # an untyped connection is a partnership, as before; a membership a membership
    assert any(p.id == "partenariat-gravelle-alliances-tiers-lieu-la-halle" for p in programmes.values())
    assert any(m.organisation == "le-rameau" for m in plan.records["memberships"])
    assert {c.direction for c in plan.records["connections"]} == {"directed", "undirected", "mutual", None}


def test_connections_of_people_are_kept(plan):
    works = [c for c in plan.records["connections"] if c.type == "Works at"]
    assert len(works) == 9 and all(c.record is None for c in works)
    claire = next(c for c in works if c.source == "claire-dubois")
    assert claire.target == "gravelle-alliances" and claire.label == "Déléguée générale"


def test_custom_fields_are_kept_as_properties(plan):
    atelier = _actor(plan, "Atelier Bois et Compagnie")
    assert {p.name: p.value for p in atelier.properties} == {
        "Attribution": "Photo : A. Martin",
        "Employees": "12",
        "Founded": "1998",
    }
    assert atelier.image == "https://images.example.org/bois.png"
    first = plan.records["connections"][0]
    assert [(p.name, p.value) for p in first.properties] == [("Strength", "3")]
    assert _actor(plan, "Studio Pixel Est").homepage == "https://www.pixel-est.example.org"


def test_our_kumu_export_imports_again_unchanged(plan, data, context, concepts, tmp_path):
    cited = {
        rid: context["known"].index[rid][1]
        for c in plan.records["connections"]
        for rid in (c.source, c.target)
        if rid in context["known"].index
    }
    rows = kumu_rows(plan.records, concepts, cited=cited)
    path = write_kumu(rows, tmp_path / "export-kumu.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Elements", "Connections"]
    assert [c.value for c in wb["Elements"][1]][:3] == ["ID", "Label", "Type"]
    assert [c.value for c in wb["Connections"][1]][:5] == ["ID", "From", "To", "Type", "Direction"]
    assert wb["Elements"].max_row - 1 == 34 and wb["Connections"].max_row - 1 == 49
    again = plan_import(path, data, name="reseau", **context)
    assert _records(again) == _records(plan)


def _records(p: ImportPlan) -> dict:
    return {
        k: sorted((r.model_dump(exclude={"sources"}) for r in v), key=lambda d: d["id"])
        for k, v in p.records.items()
        if k != "documents"
    }


def test_several_targets_in_to_and_an_unknown_direction(data, context, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Elements"
    for row in (["Label", "Type"], ["A Coop", "Company"], ["B Coop", "Company"], ["C Coop", "Company"]):
        ws.append(row)
    ws = wb.create_sheet("Connections")
    for row in (["From", "To", "Type", "Direction"], ["A Coop", "B Coop | C Coop", "Partner", "both ways"]):
        ws.append(row)
    wb.create_sheet("Notes (ignore)").append(["anything"])
    wb.save(tmp_path / "k.xlsx")
    plan = plan_import(tmp_path / "k.xlsx", data, **context)
    assert [(c.source, c.target, c.direction) for c in plan.records["connections"]] == [
        ("a-coop", "b-coop", None),
        ("a-coop", "c-coop", None),
    ]
    assert any("« both ways » n'est pas une direction Kumu" in n.message for n in plan.notices)
    assert any("(ignore)" in n.message and n.file.endswith("Notes (ignore)") for n in plan.notices)


def test_a_french_sheet_stays_strict(data, context, tmp_path):
    path = tmp_path / "acteurs.csv"
    path.write_text("nom;type\nUn Incubateur;Incubator\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        plan_import(path, data, **context)
    assert "« Incubator » n'est pas dans la liste" in info.value.problems[0].message


def test_kumu_type(concepts):
    assert kumu_type("Employee / Founder", concepts) == "person"
    assert kumu_type("Fondation", concepts) == "fondation"
    assert kumu_type("Local Government", concepts) == "collectivite-territoriale"
    assert kumu_type("Incubator", concepts) is None


# --- through the real store: every element and connection in the graph, export, re-import ---------------


@pytest.fixture(scope="module")
def stored(data_env):
    """The Kumu workbook imported into a store built from a copy of the curated data: (data, store, plan)."""
    from kg.store.imports import import_workbook

    data, store = data_env("stored")
    plan = import_workbook(KUMU, data, store, name="reseau")
    return data, store, plan


_CONNECTIONS = """
PREFIX tkg: <https://w3id.org/territorial-kg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?c ?src ?dst ?type ?direction (GROUP_CONCAT(?tag; SEPARATOR="|") AS ?tags) WHERE {
  GRAPH <https://w3id.org/territorial-kg/graph/import/reseau> {
    ?c a tkg:Connection ; tkg:source ?src ; tkg:target ?dst .
    OPTIONAL { ?c tkg:typeLabel ?type }
    OPTIONAL { ?c tkg:direction ?direction }
    OPTIONAL { ?c schema:keywords ?tag }
  }
} GROUP BY ?c ?src ?dst ?type ?direction
"""

_ELEMENTS = """
PREFIX tkg: <https://w3id.org/territorial-kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?e ?type (GROUP_CONCAT(DISTINCT ?tag; SEPARATOR="|") AS ?tags)
       (GROUP_CONCAT(DISTINCT CONCAT(?name, "=", ?value); SEPARATOR="|") AS ?props) WHERE {
  GRAPH <https://w3id.org/territorial-kg/graph/import/reseau> {
    { ?e a org:Organization } UNION { ?e a foaf:Person }
    OPTIONAL { ?e tkg:typeLabel ?type }
    OPTIONAL { ?e schema:keywords ?tag }
    OPTIONAL { ?e schema:additionalProperty [ schema:name ?name ; schema:value ?value ] }
  }
} GROUP BY ?e ?type
"""


def _select(store: Path, query: str) -> list[dict[str, str]]:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        solutions: Any = s.query(query)
        names = solutions.variables
        return [{v.value: sol[v].value for v in names if sol[v] is not None} for sol in solutions]
    finally:
        del s


def _id(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def test_every_element_and_connection_is_in_the_graph_with_type_tags_direction_and_properties(stored):
    data, store, plan = stored
    from kg.ingest.imports import load_imports

    records = load_imports(data)["reseau"].records  # what the import stored
    conns = {c.id: c for c in records["connections"]}
    assert len(conns) == 49
    found = {_id(r["c"]): r for r in _select(store, _CONNECTIONS)}
    assert found.keys() == conns.keys()
    for cid, c in conns.items():
        r = found[cid]
        assert (_id(r["src"]), _id(r["dst"])) == (c.source, c.target)
        assert r.get("type") == c.type and r.get("direction") == c.direction
        assert sorted(filter(None, r.get("tags", "").split("|"))) == sorted(c.tags)
    assert {c.direction for c in conns.values()} == {"directed", "undirected", "mutual", None}
    assert {"Partner", "Supplier", "Works at", "Invests in", "Mentoring"} <= {c.type for c in conns.values()}
    elements = {_id(r["e"]): r for r in _select(store, _ELEMENTS)}
    referenced = [r for r in plan.references if "Le RAMEAU" in r]
    assert len(elements) + len(referenced) == 34
    assert len(records["people"]) == 12 and len(records["actors"]) + 12 + len(referenced) == 34
    incubator = next(a for a in records["actors"] if a.name == "Incubateur Est Innovation")
    assert elements[incubator.id]["type"] == "Incubator" and "Incubator" in elements[incubator.id].get(
        "tags", ""
    )
    assert elements["claire-dubois"]["type"] == "Person"
    assert set(elements["atelier-bois-et-compagnie"]["props"].split("|")) == {
        "Attribution=Photo : A. Martin",
        "Employees=12",
        "Founded=1998",
    }
    # each connection that became a record points to it
    became = _select(
        store,
        "PREFIX tkg: <https://w3id.org/territorial-kg/ontology#> "
        "SELECT ?c ?r WHERE { GRAPH ?g { ?c tkg:becameRecord ?r } }",
    )
    assert {(_id(r["c"]), _id(r["r"])) for r in became} == {
        (c.id, c.record) for c in conns.values() if c.record
    }
    assert any(c.record and c.record.startswith("partenariat-") for c in conns.values())


def test_kg_build_maps_the_stored_kumu_import_as_the_import_did(stored):
    from pyoxigraph import NamedNode, Store

    from kg.store.imported import imported_quads

    data, store, _ = stored
    graph = "https://w3id.org/territorial-kg/graph/import/reseau"
    s = Store.read_only(str(store))
    try:
        in_store = {
            (q.subject, q.predicate, q.object)
            for q in s.quads_for_pattern(None, None, None, NamedNode(graph))
        }
    finally:
        del s
    rebuilt = {
        (q.subject, q.predicate, q.object) for q in imported_quads(data) if q.graph_name.value == graph
    }
    assert rebuilt == in_store


def _export(data: Path, concepts, path: Path) -> Path:
    from kg.ingest.imports import load_imports

    records = load_imports(data)["reseau"].records
    known = known_records(data, skip="reseau")
    cited = {
        rid: known.index[rid][1]
        for c in records["connections"]
        for rid in (c.source, c.target)  # type: ignore[attr-defined]
        if rid in known.index
    }
    return write_kumu(kumu_rows(records, concepts, cited=cited), path)


def test_kumu_export_of_the_stored_import_reimports_as_no_change_and_a_tag_edit_is_a_change(
    stored, concepts, tmp_path
):
    from kg.store.imports import import_workbook

    data, store, _ = stored
    path = _export(data, concepts, tmp_path / "reseau-kumu.xlsx")
    again = import_workbook(path, data, store, name="reseau", dry_run=True)
    assert again.is_noop, (again.added, again.changed, again.removed)
    # one tag of one element, then one tag of one connection: each alone is a change
    wb = openpyxl.load_workbook(path)
    for sheet, rid in (("Elements", "atelier-bois-et-compagnie"), ("Connections", None)):
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        row = next(r for r in ws.iter_rows(min_row=2) if rid is None or r[0].value == rid)
        cell = row[headers.index("Tags")]
        old = cell.value
        cell.value = f"{old} | nouvelle étiquette" if old else "nouvelle étiquette"
        edited = tmp_path / f"edited-{sheet}.xlsx"
        wb.save(edited)
        cell.value = old
        plan = import_workbook(edited, data, store, name="reseau", dry_run=True)
        assert not plan.added and not plan.removed
        [change] = plan.changed
        assert change.fields == ["tags"], change
        assert change.kind == ("actor" if sheet == "Elements" else "connection")


def test_a_kumu_person_of_the_curated_data_is_cited_and_its_connection_kept(data, context, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Elements"
    for row in (["Label", "Type", "Tags"], ["Pierre Miroudot", "Person", "élu"], ["A Coop", "Company", None]):
        ws.append(row)
    ws = wb.create_sheet("Connections")
    for row in (["From", "To", "Type"], ["Pierre Miroudot", "A Coop", "Advises"]):
        ws.append(row)
    wb.save(tmp_path / "k.xlsx")
    plan = plan_import(tmp_path / "k.xlsx", data, **context)
    assert plan.records["people"] == []  # the curated person is authoritative
    assert any("pierre-miroudot" in r for r in plan.references)
    assert any("données curées (pierre-miroudot)" in n.message for n in plan.notices)
    [link] = plan.records["connections"]
    assert (link.source, link.target, link.type, link.record) == (
        "pierre-miroudot",
        "a-coop",
        "Advises",
        None,
    )


# --- kg export-xlsx --format kumu, then kg import under the same name: nothing changes -----------------


def _quads(store: Path) -> list[str]:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        return sorted(str(q) for q in s)
    finally:
        del s


def _kg(*args: Any):
    from typer.testing import CliRunner

    from kg.cli.commands import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_kumu_export_has_kumus_sheets_and_reimports_with_a_diff_of_zero_quad_by_quad(stored, tmp_path):
    data, store, _ = stored
    where = ("--data", data, "--store", store)
    out = tmp_path / "reseau-kumu.xlsx"
    result = _kg("export-xlsx", out, "--import", "reseau", "--format", "kumu", *where)
    assert result.exit_code == 0, result.output
    assert "Elements 34, Connections 49" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Elements", "Connections"]
    elements = [[c.value for c in row] for row in wb["Elements"].iter_rows()]
    connections = [[c.value for c in row] for row in wb["Connections"].iter_rows()]
    head, conn_head = elements[0], connections[0]
    assert head[:4] == ["ID", "Label", "Type", "Description"] and {"Tags", "Image", "Employees"} <= set(head)
    assert conn_head[:6] == ["ID", "From", "To", "Type", "Direction", "Label"] and "Strength" in conn_head
    atelier = dict(zip(head, next(r for r in elements if r[0] == "atelier-bois-et-compagnie"), strict=True))
    assert atelier["Employees"] == 12 and atelier["Image"] == "https://images.example.org/bois.png"
    assert " | " in atelier["Tags"]
    directions = {r[conn_head.index("Direction")] for r in connections[1:]}
    assert directions == {"directed", "undirected", "mutual", None}
    before = _quads(store)
    dry = _kg("import", out, "--nom", "reseau", "--dry-run", *where)
    assert dry.exit_code == 0, dry.output
    assert "ajoutés : 0   modifiés : 0   supprimés : 0" in dry.output
    again = _kg("import", out, "--nom", "reseau", "--oui", *where)
    assert again.exit_code == 0, again.output
    assert "Aucun changement : rien n'a été écrit." in again.output
    assert _quads(store) == before


def test_cli_kumu_export_of_a_kumu_element_edited_in_kumu_is_a_change(stored, tmp_path):
    """The other input: the same export with one connection's direction changed is not a no-op."""
    data, store, _ = stored
    where = ("--data", data, "--store", store)
    out = tmp_path / "reseau-kumu.xlsx"
    assert _kg("export-xlsx", out, "--import", "reseau", "--format", "kumu", *where).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Connections"]
    col = [c.value for c in ws[1]].index("Direction")
    row = next(r for r in ws.iter_rows(min_row=2) if r[col].value == "directed")
    row[col].value = "mutual"
    wb.save(out)
    dry = _kg("import", out, "--nom", "reseau", "--dry-run", *where)
    assert dry.exit_code == 0, dry.output
    assert "ajoutés : 0   modifiés : 1   supprimés : 0" in dry.output


def test_kumu_export_of_a_territory_is_refused_with_the_fix(stored, tmp_path):
    data, store, _ = stored
    result = _kg(
        "export-xlsx", tmp_path / "t.xlsx", "--format", "kumu", "--territory", "departement:94",
        "--data", data, "--store", store,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--format kumu écrit un import ou tout le graphe, pas un territoire" in result.output
    assert not (tmp_path / "t.xlsx").exists()


def test_kumu_export_of_the_whole_graph_has_every_actor_and_person(stored, tmp_path):
    from kg.sheets.export import export_kumu

    data, _, _ = stored
    report = export_kumu(tmp_path / "tout.xlsx", data)
    known = known_records(data)
    actors_people = {rid for rid, (kind, _, _) in known.index.items() if kind in ("actor", "person")}
    wb = openpyxl.load_workbook(tmp_path / "tout.xlsx")
    ids = {r[0] for r in wb["Elements"].iter_rows(min_row=2, values_only=True)}
    assert ids == actors_people and report.rows["Elements"] == len(actors_people)
    one = export_kumu(tmp_path / "un.xlsx", data, import_name="reseau")
    assert one.rows == {"Elements": 34, "Connections": 49}


def test_the_fix_for_an_actor_of_a_kumu_import_exports_it_in_kumus_format(stored, tmp_path):
    """Our workbook would lose a Kumu import's people and connections: the fix says --format kumu."""
    data, _, _ = stored
    path = tmp_path / "acteurs.csv"
    path.write_text("nom;type\nAtelier Bois et Compagnie;Association\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        plan_import(path, data)
    [problem] = info.value.problems
    assert "(kg export-xlsx reseau.xlsx --import reseau --format kumu)" in (problem.fix or "")
    path.write_text(
        "nom;type\nAtelier Bois et Compagnie;Entreprise\n", encoding="utf-8"
    )  # says the same: cites it
    assert any("atelier-bois-et-compagnie" in r for r in plan_import(path, data).references)


def test_a_second_catalyst_importing_the_same_kumu_map_cites_its_links_and_a_changed_link_is_refused(
    data_env, tmp_path
):
    """Two catalysts share one map: the second import of the same Kumu file cites the first one's actors
    and links (nothing added twice: before, its 49 links were added again under the same IRIs and their
    derivations collided, a SHACL refusal in English); a link described
    otherwise under the same id is refused, located, and the store stays byte-identical."""
    import shutil

    import openpyxl

    from kg.ingest.imports import load_import

    data, store = data_env("two-catalysts")
    first = _kg("import", KUMU, "--par", "Catalyseur A", "--data", data, "--store", store, "--oui")
    assert first.exit_code == 0, first.output
    copy = tmp_path / "kumu-reseau.xlsx"  # the same file, as a second catalyst received it
    shutil.copy(KUMU, copy)
    second = _kg("import", copy, "--par", "Catalyseur B", "--data", data, "--store", store, "--oui")
    assert second.exit_code == 0, second.output
    said = " ".join(second.output.split())
    # every actor, person and link of the map is already the first catalyst's: cited, nothing written twice
    assert "déjà dans le graphe : 184" in said and "ajoutés : 0" in said and "Aucun changement" in said
    assert sorted(p.name for p in (data / "imports").iterdir() if p.is_dir()) == ["kumu-reseau"]
    first_import = load_import(data / "imports" / "kumu-reseau")
    assert first_import is not None and len(first_import.records["connections"]) == 49

    edited = tmp_path / "edited" / "kumu-reseau.xlsx"
    edited.parent.mkdir()
    wb = openpyxl.load_workbook(KUMU)
    wb["Connections"].cell(2, 6).value = "Accueil d'apprentis, autrement dit."
    wb.save(edited)
    before = _quads(store)
    third = _kg("import", edited, "--par", "Catalyseur C", "--data", data, "--store", store, "--oui")
    assert third.exit_code != 0
    text = " ".join(third.output.split())
    assert "Connections" in text and "ligne 2" in text and "déjà celui d'un" in text
    assert "donnez à ce lien son propre ID" in text
    assert _quads(store) == before
