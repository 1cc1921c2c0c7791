"""Kumu files as they are (kg.sheets.kumu, kg.sheets.kumu_read).

A Kumu workbook of 34 elements and 49 connections (tests/fixtures/spreadsheets/kumu-reseau.xlsx, written by
make_kumu.py) imports with every element and connection: free-text types mapped or kept, connection types,
directions, tags and custom fields kept; our own Kumu export (kumu_rows + write_kumu) imports again
to the same records. At the planner: nothing is written."""

from __future__ import annotations

from pathlib import Path

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
