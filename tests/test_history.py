"""Imports that belong to someone, with a history: owners, confirmation, undo, delete, references across
imports, interrupted runs (kg.ingest.history, kg.store.history, kg.store.imports, kg import / kg imports)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import kg
from kg.errors import InputError
from kg.ingest.history import import_info, versions
from kg.ingest.imports import load_imports
from kg.model.iris import META_GRAPH, import_graph
from kg.store.history import remove_import, undo_import
from kg.store.imports import import_workbook, prepare_import

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "spreadsheets"
DEAD_PID = 2**22 + 12345  # above the default pid_max of Linux: no such process


@pytest.fixture
def env(data_env):
    """A fresh copy of a built data folder for one test: (data folder, store folder) (tests/conftest.py)."""
    return data_env()


@pytest.fixture
def cli():
    from kg.cli.sheets import register

    app = typer.Typer()
    register(app)
    return app


def _run(cli, *args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _graph(store: Path, graph: str) -> set:
    """Every quad of the named graph *graph*, and its description in graph:meta."""
    from pyoxigraph import NamedNode, Store

    s = Store.read_only(str(store))
    try:
        own = set(s.quads_for_pattern(None, None, None, NamedNode(graph)))
        meta = set(s.quads_for_pattern(NamedNode(graph), None, None, NamedNode(META_GRAPH)))
        return own | meta
    finally:
        del s


def _all(store: Path) -> set:
    from pyoxigraph import Store

    s = Store.read_only(str(store))
    try:
        return set(s)
    finally:
        del s


def _build_passes(data: Path, out: Path, shacl: str = "off") -> None:
    report = kg.build(data, out, None, ontology_dir=ROOT / "ontology", shacl=shacl)  # type: ignore[arg-type]
    assert report.quads > 0


# --------------------------------------------------------------------------- owners


@pytest.mark.slow
def test_two_catalysts_importing_files_of_the_same_name_keep_both_imports(env, tmp_path, cli):
    data, store = env
    common = ("--data", data, "--store", store)
    a = _csv(tmp_path / "a" / "acteurs.csv", "nom;type\nRessourcerie du Val;Association\n")
    b = _csv(tmp_path / "b" / "acteurs.csv", "nom;type\nFab Lab des Bords de Marne;Association\n")
    r = _run(cli, "import", a, "--par", "Réseau A", *common)
    assert r.exit_code == 0 and "« acteurs » de « Réseau A »" in r.output, r.output
    r = _run(cli, "import", b, *common)  # without --par: an update of A's import, so not without --oui
    assert r.exit_code == 3 and "- acteur ressourcerie-du-val" in r.output, r.output
    assert "l'import est celui de « Réseau A » : si ce n'est pas vous, donnez votre nom (--par" in r.output
    r = _run(cli, "import", b, "--par", "Réseau B", *common)
    assert r.exit_code == 0, r.output
    assert "le nom « acteurs » est celui de l'import de « Réseau A »" in r.output
    assert "votre fichier devient l'import « acteurs-2 »" in r.output
    imports = load_imports(data)
    assert sorted(imports) == ["acteurs", "acteurs-2"]
    assert [r.name for r in imports["acteurs"].records["actors"]] == ["Ressourcerie du Val"]
    assert [r.name for r in imports["acteurs-2"].records["actors"]] == ["Fab Lab des Bords de Marne"]
    assert import_info(data, "acteurs").owner == "Réseau A"
    assert import_info(data, "acteurs-2").owner == "Réseau B"
    assert {import_graph("acteurs"), import_graph("acteurs-2")} <= set(kg.open(store).named_graphs())
    # each one re-imports their own file into their own import, without --par: remembered
    _csv(b, "nom;type\nFab Lab des Bords de Marne;Association\nAtelier Vélo;Association\n")
    r = _run(cli, "import", b, "--par", "reseau b", *common)  # the same owner, written otherwise
    assert r.exit_code == 0 and "« acteurs-2 »" in r.output and "ajoutés : 1" in r.output, r.output
    r = _run(cli, "imports", "--data", data)
    assert r.exit_code == 0, r.output
    assert "acteurs " in r.output and "Réseau A" in r.output and "Réseau B" in r.output
    assert "acteur 2" in r.output and "v2" in r.output


@pytest.mark.slow
def test_a_second_catalyst_importing_the_same_file_is_told_whose_records_they_are(env, tmp_path, cli):
    """Nothing of its own: no import made, and the output says so, with the import that holds the records
    (it used to say only « Aucun changement » after « votre fichier devient l'import « acteurs-2 » »)."""
    data, store = env
    common = ("--data", data, "--store", store)
    a = _csv(
        tmp_path / "a" / "acteurs.csv",
        "nom;type\nRessourcerie du Val;Association\nAtelier Vélo;Association\n",
    )
    assert _run(cli, "import", a, "--par", "Réseau A", *common).exit_code == 0
    before = _all(store)
    r = _run(cli, "import", a, "--par", "Réseau B", *common)
    assert r.exit_code == 0, r.output
    assert "votre fichier serait l'import « acteurs-2 »" in r.output
    assert (
        "Aucun changement : tout ce que dit ce fichier est déjà dans le graphe (2 ligne(s) dans l'import "
        "« acteurs » de « Réseau A ») ; rien n'a été écrit et l'import « acteurs-2 » n'a pas été créé."
        in r.output
    ), r.output
    assert "Ces enregistrements restent ceux de l'import « acteurs »" in r.output
    assert sorted(load_imports(data)) == ["acteurs"] and _all(store) == before
    # the same file with one actor of its own: an import of its own, the other row cited
    _csv(a, "nom;type\nRessourcerie du Val;Association\nAtelier Vélo;Association\nFab Lab;Association\n")
    r = _run(cli, "import", a, "--par", "Réseau B", "--lang", "en", *common)
    assert r.exit_code == 0 and "added: 1" in r.output and "already in the graph: 2" in r.output, r.output
    assert "your file becomes the import « acteurs-2 »" in r.output
    assert [x.name for x in load_imports(data)["acteurs-2"].records["actors"]] == ["Fab Lab"]
    # its owner imports it again unchanged: the plain message (it has records of its own)
    r = _run(cli, "import", a, "--par", "Réseau B", "--nom", "acteurs-2", *common)
    assert r.exit_code == 0 and r.output.rstrip().endswith("Aucun changement : rien n'a été écrit."), r.output


@pytest.mark.slow
def test_the_name_of_another_catalysts_import_is_refused_and_its_records_stay(env, tmp_path, cli):
    """The fix « --nom <their import> » (from a message) never deletes another catalyst's records."""
    data, store = env
    common = ("--data", data, "--store", store)
    theirs = _csv(
        tmp_path / "gravelle.csv", "nom;type\nRessourcerie du Val;Association\nAtelier Vélo;Association\n"
    )
    assert _run(cli, "import", theirs, "--par", "Réseau A", *common).exit_code == 0
    before = _all(store)
    mine = _csv(tmp_path / "autre.csv", "nom;type\nRessourcerie du Val;Association\n")
    r = _run(cli, "import", mine, "--nom", "gravelle", "--par", "Réseau B", "--oui", *common)
    assert r.exit_code == 3 and "appartient à « Réseau A », pas à « Réseau B »" in r.output, r.output
    r = _run(cli, "import", mine, "--nom", "gravelle", "--oui", *common)  # no --par: still refused
    assert r.exit_code == 3 and "supprimerait 1 de ses enregistrements" in r.output, r.output
    assert "--par « Réseau A »" in r.output
    assert _all(store) == before and len(load_imports(data)["gravelle"].records["actors"]) == 2


# --------------------------------------------------------------------------- confirmation and undo


def test_an_empty_template_over_a_filled_import_is_refused_with_the_diff_then_undone_quad_by_quad(
    env, tmp_path, cli
):
    from kg.sheets.write import write_template

    data, store = env
    common = ("--data", data, "--store", store)
    r = _run(cli, "import", FIXTURES / "gravelle.xlsx", "--par", "Gravelle Alliances", *common)
    assert r.exit_code == 0, r.output
    graph = import_graph("gravelle")
    filled = _graph(store, graph)
    everything = _all(store)
    records = (data / "imports" / "gravelle" / "records.yaml").read_bytes()
    empty = write_template(tmp_path / "gravelle.xlsx", ROOT / "ontology" / "schemes.ttl")
    r = _run(cli, "import", empty, *common)  # no terminal, no --oui: refused, with the diff shown
    assert r.exit_code == 3, r.output
    assert "supprimés : 14" in r.output and "feuille Acteurs : ajoutés 0, modifiés 0, supprimés 4" in r.output
    assert "- acteur gravelle-alliances « Gravelle Alliances »" in r.output
    assert "n'a pas été remplacé sans confirmation" in r.output and "--oui" in r.output
    assert _all(store) == everything
    assert (data / "imports" / "gravelle" / "records.yaml").read_bytes() == records
    r = _run(cli, "import", empty, "--oui", *common)
    assert r.exit_code == 0 and "version 2" in r.output, r.output
    assert not load_imports(data)["gravelle"].records["actors"] and _graph(store, graph) != filled
    r = _run(cli, "imports", "historique", "gravelle", "--data", data)
    assert r.exit_code == 0 and "import de gravelle.xlsx" in r.output and "v2" in r.output, r.output
    r = _run(cli, "imports", "annuler", "gravelle", *common)
    assert r.exit_code == 0 and "version 1 rétablie" in r.output, r.output
    assert _graph(store, graph) == filled  # quad by quad, with its description in graph:meta
    assert _all(store) == everything
    assert (data / "imports" / "gravelle" / "records.yaml").read_bytes() == records
    # undoing the undo redoes; versions are numbered on
    r = _run(cli, "imports", "annuler", "gravelle", *common)
    assert r.exit_code == 0 and "version 2 rétablie" in r.output, r.output
    assert not load_imports(data)["gravelle"].records["actors"]
    assert import_info(data, "gravelle").version == 4
    _build_passes(data, tmp_path / "rebuilt")


@pytest.mark.slow
def test_import_and_undo_in_english(env, tmp_path, cli):
    data, store = env
    common = ("--data", data, "--store", store, "--lang", "en")
    path = _csv(tmp_path / "reseau.csv", "nom;type\nRessourcerie du Val;Association\n")
    r = _run(cli, "import", path, "--par", "Réseau A", *common)
    assert r.exit_code == 0 and "Import « reseau » of « Réseau A » from reseau.csv" in r.output, r.output
    assert "added: 1" in r.output
    r = _run(cli, "imports", "annuler", "reseau", *common)
    assert r.exit_code == 0 and "version 0 restored (before the first import)" in r.output, r.output
    assert "reseau" not in load_imports(data) and import_graph("reseau") not in kg.open(store).named_graphs()


@pytest.mark.slow
def test_versions_are_bounded(env, tmp_path):
    data, store = env
    path = tmp_path / "bornes.csv"
    for i in range(5):
        _csv(path, f"nom;type;description\nRessourcerie du Val;Association;version {i}\n")
        import_workbook(path, data, store, owner="Réseau A", confirmed=True, keep=3)
    assert [v.number for v in versions(data, "bornes")] == [2, 3, 4]  # the current one is 5
    assert import_info(data, "bornes").version == 5
    done = undo_import("bornes", data, store, keep=3)
    assert done.restored.number == 4
    [actor] = load_imports(data)["bornes"].records["actors"]
    assert actor.description == "version 3"


# --------------------------------------------------------------------------- references across imports


def _two_imports(data: Path, store: Path, tmp_path: Path) -> Path:
    """Import « a » (two actors, Réseau A) and « c » (Réseau C: a membership and fundings citing them)."""
    a = _csv(tmp_path / "a.csv", "nom;type\nAsso Alpha;Association\nAsso Gamma;Association\n")
    import_workbook(a, data, store, owner="Réseau A")
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Acteurs"
    ws.append(["nom", "type"])
    ws.append(["Asso Beta", "Association"])
    rel = wb.create_sheet("Relations")
    rel.append(["de", "vers", "type de relation"])
    rel.append(["Asso Beta", "Asso Alpha", "Adhésion"])
    fund = wb.create_sheet("Financements")
    fund.append(["financeur", "bénéficiaire", "montant en euros"])
    fund.append(["Asso Beta", "Asso Gamma", "1 000"])
    fund.append(["Asso Beta", "Asso Alpha", "2 000"])
    wb.save(tmp_path / "c.xlsx")
    import_workbook(tmp_path / "c.xlsx", data, store, owner="Réseau C")
    return a


def test_removing_an_actor_another_import_cites_is_refused_in_the_dry_run_too_not_with_a_key_error(
    env, tmp_path, cli
):
    """It passed --dry-run, then failed at import with KeyError: now both refuse, naming the citing rows."""
    data, store = env
    _two_imports(data, store, tmp_path)
    before = _all(store)
    a2 = _csv(tmp_path / "a2" / "a.csv", "nom;type\nAsso Gamma;Association\n")  # Asso Alpha left out
    common = ("--data", data, "--store", store)
    outputs = []
    for extra in (("--dry-run",), ("--oui",)):
        r = _run(cli, "import", a2, "--par", "Réseau A", *extra, *common)
        assert r.exit_code == 3 and not isinstance(r.exception, KeyError), r.output
        outputs.append(r.output)
    assert outputs[0] == outputs[1]  # the same checks, the same message
    text = outputs[0]
    assert "import « c », feuille Relations, ligne 2" in text
    assert "import « c », feuille Financements, ligne 3" in text
    assert "« Asso Alpha » (asso-alpha)" in text and "Financements, ligne 2" not in text  # Gamma stays
    with pytest.raises(InputError):
        prepare_import(a2, data, owner="Réseau A")
    assert _all(store) == before
    _build_passes(data, tmp_path / "rebuilt")


@pytest.mark.slow
def test_deleting_an_import_whose_actors_another_import_cites_is_refused(env, tmp_path, cli):
    data, store = env
    _two_imports(data, store, tmp_path)
    before = _all(store)
    common = ("--data", data, "--store", store)
    r = _run(cli, "imports", "supprimer", "a", "--oui", *common)
    assert r.exit_code == 3, r.output
    assert "l'import « a » n'est pas supprimé : 3 ligne(s)" in r.output
    for where in ("Relations, ligne 2", "Financements, ligne 2", "Financements, ligne 3"):
        assert f"import « c », feuille {where}" in r.output
    assert _all(store) == before and "a" in load_imports(data)
    with pytest.raises(InputError):
        remove_import("a", data, store)
    _build_passes(data, tmp_path / "rebuilt", shacl="curated")
    # once « c » is gone, « a » can go; undo brings it back
    assert _run(cli, "imports", "supprimer", "c", "--oui", *common).exit_code == 0
    with_a = _graph(store, import_graph("a"))
    r = _run(cli, "imports", "supprimer", "a", "--oui", *common)
    assert r.exit_code == 0 and "supprimé" in r.output, r.output
    assert import_graph("a") not in kg.open(store).named_graphs()
    r = _run(cli, "imports", "--tous", "--data", data)
    assert "supprimé" in r.output, r.output
    assert _run(cli, "imports", "annuler", "a", *common).exit_code == 0
    assert _graph(store, import_graph("a")) == with_a


@pytest.mark.slow
def test_undo_that_would_take_away_a_cited_actor_is_refused(env, tmp_path):
    data, store = env
    _two_imports(data, store, tmp_path)  # « a »'s previous version is "no import": undoing it removes Alpha
    with pytest.raises(InputError) as info:
        undo_import("a", data, store)
    assert "import « c », feuille Relations, ligne 2" in str(info.value)


# --------------------------------------------------------------------------- interrupted runs


@pytest.mark.slow
def test_leftovers_of_an_interrupted_import_are_cleaned_at_the_next_run_and_build_passes(env, tmp_path):
    data, store = env
    path = _csv(tmp_path / "reste.csv", "nom;type\nRessourcerie du Val;Association\n")
    import_workbook(path, data, store, owner="Réseau A")
    imports = data / "imports"
    new = imports / f".reste.new-{DEAD_PID}"
    new.mkdir()
    (new / "records.yaml").write_text("half written", encoding="utf-8")
    # died between its two renames: the import's folder is in .old, and must come back
    os.replace(imports / "reste", imports / f".reste.old-{DEAD_PID}")
    running = imports / f".autre.new-{os.getpid()}"  # a run still going: left alone
    running.mkdir()
    store_left = store.with_name(f".{store.name}.new-{DEAD_PID}")
    store_left.mkdir()
    store_left.with_name(store_left.name + ".nq").write_text("", encoding="utf-8")
    _build_passes(data, store)  # kg build cleans the store's leftovers
    assert not store_left.exists() and not store_left.with_name(store_left.name + ".nq").exists()
    import_workbook(path, data, store, owner="Réseau A", dry_run=True)  # the next run cleans the imports'
    assert sorted(p.name for p in imports.iterdir()) == [f".autre.new-{os.getpid()}", "reste"]
    assert [r.name for r in load_imports(data)["reste"].records["actors"]] == ["Ressourcerie du Val"]


_KILLED = """
import os, signal, sys
from pathlib import Path
import kg.store.write as write
from kg.store.imports import import_workbook

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 while the import writes the store

write.replace_graph = die  # the store written in the import's process
write.GraphWriter.finish = die  # or, written while the checks ran, about to be swapped in
import_workbook(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), owner="Réseau A", confirmed=True)
"""


@pytest.mark.slow
def test_an_import_killed_while_writing_leaves_the_previous_import_and_the_next_run_cleans(env, tmp_path):
    data, store = env
    path = _csv(tmp_path / "tue.csv", "nom;type\nRessourcerie du Val;Association\n")
    import_workbook(path, data, store, owner="Réseau A")
    before_records = (data / "imports" / "tue" / "records.yaml").read_bytes()
    before = _all(store)
    _csv(path, "nom;type\nAtelier Vélo;Association\n")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED, str(path), str(data), str(store)], cwd=ROOT, capture_output=True
    )
    assert proc.returncode == -9, proc.stderr.decode()
    left = [p.name for p in (data / "imports").iterdir() if p.name.startswith(".")]
    assert left and all(".tue.new-" in n for n in left)  # the half-written state
    assert (data / "imports" / "tue" / "records.yaml").read_bytes() == before_records
    assert _all(store) == before
    _build_passes(data, tmp_path / "rebuilt", shacl="curated")
    import_workbook(path, data, store, owner="Réseau A", dry_run=True)
    assert not [p for p in (data / "imports").iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- template and build


def test_template_refuses_to_overwrite_a_file(tmp_path, cli):
    path = tmp_path / "mon-ecosysteme.xlsx"
    path.write_bytes(b"my work")
    r = _run(cli, "template", path, "--ontology", ROOT / "ontology")
    assert r.exit_code == 8, r.output
    assert "existe déjà" in r.output and "--force" in r.output and "mon-ecosysteme-modele.xlsx" in r.output
    assert path.read_bytes() == b"my work"
    r = _run(cli, "template", path, "--ontology", ROOT / "ontology", "--force")
    assert r.exit_code == 0 and path.read_bytes() != b"my work", r.output


@pytest.mark.slow
def test_build_keeps_the_previous_store_and_can_put_it_back(env, tmp_path):
    from kg.store.build import previous_of, restore_previous

    data, store = env
    first = _all(store)
    import_workbook(FIXTURES / "gravelle.xlsx", data, store, owner="Gravelle Alliances")
    report = kg.build(data, store, None, ontology_dir=ROOT / "ontology", shacl="off")
    assert report.previous == previous_of(store) and _all(previous_of(store)) != _all(store)
    rebuilt = _all(store)
    # a second build (another date: with nothing changed, kg build writes nothing): one previous folder only
    again = kg.build(
        data, store, None, ontology_dir=ROOT / "ontology", shacl="off", generated_at="2026-01-02T00:00:00Z"
    )
    assert again.mode == "incremental"
    # (beside them, what a build keeps for the next one: <store>.records/, the parses of the curated files)
    beside = sorted(p.name for p in store.parent.iterdir() if p.name.startswith("store."))
    assert store.is_dir() and [b for b in beside if b != "store.records"] == ["store.previous"], beside
    assert restore_previous(store)
    assert _all(store) == rebuilt
    assert first != rebuilt


# --------------------------------------------------------------------------- CSV sets


def _csv_set(folder: Path) -> Path:
    """The CSV set of bad/dossier-csv (acteurs, relations, sources), its one mistake corrected."""
    shutil.copytree(FIXTURES / "bad" / "dossier-csv", folder)
    rel = folder / "relations.csv"
    rel.write_bytes(
        rel.read_bytes().replace(b"Convention 2024", "Convention de partenariat 2023".encode("cp1252"))
    )
    return folder


def test_a_folder_of_csvs_is_kept_as_a_zip_in_the_history_and_can_be_undone_and_imported_again(
    env, tmp_path, cli
):
    """Was: IsADirectoryError while the staged import copied the folder as a file."""
    from kg.store.imported import imported_quads

    data, store = env
    common = ("--data", data, "--store", store)
    folder = _csv_set(tmp_path / "reseau-csv")
    before = _all(store)
    # a zip of CSVs is kept as it is (.zip), not as an unreadable .bin
    shutil.make_archive(str(tmp_path / "lot"), "zip", folder)
    r = _run(cli, "import", tmp_path / "lot.zip", "--par", "Réseau CSV", *common)
    assert r.exit_code == 0 and "(version 1 ;" in r.output, r.output
    assert (data / "imports" / "lot" / "lot.zip").read_bytes() == (tmp_path / "lot.zip").read_bytes()
    r = _run(cli, "imports", "supprimer", "lot", "--oui", *common)
    assert r.exit_code == 0 and _all(store) == before, r.output
    r = _run(cli, "import", folder, "--par", "Réseau CSV", *common)
    assert r.exit_code == 0 and "(version 1 ;" in r.output, r.output
    stored = data / "imports" / "reseau-csv"
    copy = stored / "reseau-csv.zip"
    with zipfile.ZipFile(copy) as z:
        assert sorted(z.namelist()) == ["acteurs.csv", "relations.csv", "sources.csv"]
        assert z.read("relations.csv") == (folder / "relations.csv").read_bytes()
    graph = import_graph("reseau-csv")
    imported = {q for q in _graph(store, graph) if q.graph_name.value == graph}
    assert imported
    rebuilt = {q for q in imported_quads(data) if q.graph_name.value == graph}
    assert set(rebuilt) == imported
    # the copy kept is the same workbook: imported again under the name, it changes nothing
    r = _run(cli, "import", copy, "--nom", "reseau-csv", "--dry-run", *common)
    assert r.exit_code == 0 and "ajoutés : 0   modifiés : 0   supprimés : 0" in r.output, r.output
    r = _run(cli, "imports", "annuler", "reseau-csv", *common)
    assert r.exit_code == 0 and "version 0 rétablie" in r.output, r.output
    assert _all(store) == before
    r = _run(cli, "import", folder, "--par", "Réseau CSV", *common)
    assert r.exit_code == 0 and "(version 3 ;" in r.output, r.output
    assert {q for q in _graph(store, graph) if q.graph_name.value == graph} == imported
    _build_passes(data, tmp_path / "rebuilt")
