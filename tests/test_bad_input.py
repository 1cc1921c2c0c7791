"""The corpus of bad workbooks (tests/fixtures/spreadsheets/bad/): each mistake is an error or an explicit
warning, located (file, sheet, row, column) with its French fix, at the planner (kg.sheets.plan.plan_import),
which writes nothing. The files are written by bad/make_bad.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg.errors import InputError, Problem
from kg.ingest.geo import load_geography
from kg.model.records import Actor, Source
from kg.sheets.known import known_records
from kg.sheets.plan import plan_import

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "fixtures" / "spreadsheets" / "bad"

ERROR, WARNING = "erreur", "remarque"

#: file → (error or warning, fragment of the French message, sheet, row, column); a file may have several
CORPUS: list[tuple[str, str, str, str | None, int | None, str | None]] = [
    # dates
    ("date-nombre.xlsx", ERROR, "« 21 » est un nombre, pas une date", "Programmes", 2, "début"),
    (
        "date-format-date.xlsx",
        ERROR,
        "sans doute le nombre « 21 » tapé dans une cellule au format date",
        "Programmes",
        2,
        "début",
    ),
    ("date-31-fevrier.csv", ERROR, "« 31/02/2023 » n'est pas une date réelle", "date-31-fevrier", 2, "début"),
    (
        "fin-avant-debut.ods",
        ERROR,
        "la fin (2021-06-30) est avant le début (2023-09-01)",
        "Programmes",
        2,
        "fin",
    ),
    (
        "date-numero-de-serie.csv",
        WARNING,
        "« 45000 » est un nombre : lu comme un numéro de série de date du tableur, le 15/03/2023",
        "date-numero-de-serie",
        2,
        "début",
    ),
    # amounts
    (
        "milliers-ambigu.csv",
        ERROR,
        "« 1,500 » est ambigu : 1 500 € (séparateur de milliers) ou 1,5 € (virgule décimale)",
        "milliers-ambigu",
        2,
        "montant en euros",
    ),
    ("montant-negatif.xlsx", ERROR, "« -500 » est négatif", "Financements", 2, "montant en euros"),
    (
        "montant-texte.csv",
        ERROR,
        "« environ 10 k€ » n'est pas un montant",
        "montant-texte",
        2,
        "montant en euros",
    ),
    # rows and cells
    (
        "ligne-trop-longue.csv",
        ERROR,
        "« Saint-Maur » est dans une colonne sans en-tête",
        "ligne-trop-longue",
        2,
        "D (sans en-tête)",
    ),
    (
        "cellule-geante.csv",
        ERROR,
        "plus que les 32767 qu'un tableur accepte : sans doute un guillemet",
        "cellule-geante",
        3,
        "description",
    ),
    ("erreur-value.xlsx", ERROR, "« #VALUE! » est une erreur de formule", "Acteurs", 2, "description"),
    ("erreur-na.csv", ERROR, "« #N/A » est une erreur de formule", "erreur-na", 2, "type"),
    ("erreur-ref.xlsx", ERROR, "« #REF! » est une erreur de formule", "Acteurs", 2, "commune"),
    (
        "erreur-div0.ods",
        ERROR,
        "« #DIV/0! » est une erreur de formule",
        "Financements",
        2,
        "montant en euros",
    ),
    ("erreurs-diverses.xlsx", ERROR, "« #NAME? » est une erreur de formule", "Acteurs", 2, "description"),
    ("erreurs-diverses.xlsx", ERROR, "« #NULL! » est une erreur de formule", "Acteurs", 3, "description"),
    ("erreurs-diverses.xlsx", ERROR, "« #NUM! » est une erreur de formule", "Acteurs", 4, "description"),
    (
        "erreurs-diverses.xlsx",
        ERROR,
        "« #GETTING_DATA » est une erreur de formule",
        "Acteurs",
        5,
        "description",
    ),
    ("formule-sans-valeur.xlsx", ERROR, "formule enregistrée sans sa valeur", "Acteurs", 2, "description"),
    ("cellules-fusionnees.xlsx", ERROR, "cellules fusionnées B2:B4", "Acteurs", 2, "type"),
    ("cellules-fusionnees.ods", ERROR, "cellules fusionnées B2:B4", "Acteurs", 2, "type"),
    # sheets and files
    (
        "feuille-masquee.xlsx",
        WARNING,
        "feuille masquée : elle n'est pas importée",
        "Acteurs 2019",
        None,
        None,
    ),
    ("feuille-masquee.ods", WARNING, "feuille masquée : elle n'est pas importée", "Acteurs 2019", None, None),
    ("feuille-inconnue.xlsx", ERROR, "aucune feuille reconnue : « Contacts »", None, None, None),
    ("classeur-vide.xlsx", ERROR, "le classeur est vide", None, None, None),
    ("colonne-manquante.zip", ERROR, "la colonne obligatoire « type » manque", "acteurs", 1, "type"),
    ("fichier-corrompu.xlsx", ERROR, "fichier endommagé", None, None, None),
    ("ancien-format.xls", ERROR, "un format ancien qui n'est pas lu", None, None, None),
    ("mot-de-passe.xlsx", ERROR, "protégé par un mot de passe", None, None, None),
    # CSV sets: sources.csv counts (the suggestion comes from it)
    (
        "dossier-csv",
        ERROR,
        "« Convention 2024 » n'est ni le titre ni l'id d'une ligne de la feuille Sources",
        "relations",
        2,
        "source",
    ),
    (
        "lot-csv.zip",
        ERROR,
        "aucun acteur ne s'appelle « Club Gravel Entreprendre »",
        "relations",
        2,
        "vers",
    ),
    ("zip-avec-image.zip", WARNING, "fichier ignoré : seuls les fichiers .csv", None, None, None),
    # relations
    ("fondation-perd-champs.xlsx", WARNING, "« Porteur » n'est pas gardé", "Relations", 2, "rôle"),
    ("fondation-perd-champs.xlsx", WARNING, "« 2019 » n'est pas gardé", "Relations", 2, "début"),
    (
        "fondation-perd-champs.xlsx",
        WARNING,
        "« Créé avec le club » n'est pas gardé",
        "Relations",
        2,
        "description",
    ),
    (
        "soutien-sans-nature.csv",
        ERROR,
        "un soutien doit dire sa nature",
        "soutien-sans-nature",
        2,
        "type de soutien",
    ),
    (
        "financement-en-relation.xlsx",
        ERROR,
        "« Financement » : ce type de relation ne s'importe pas depuis la feuille Relations",
        "Relations",
        2,
        "type de relation",
    ),
    (
        "acteur-inexistant.xlsx",
        ERROR,
        "aucun acteur ne s'appelle « Fondation Total »",
        "Financements",
        2,
        "financeur",
    ),
    ("role-manquant.ods", ERROR, "cellule vide : elle est obligatoire", "Partenaires", 2, "rôle"),
    (
        "id-collision.xlsx",
        ERROR,
        "cet id est déjà pris par acteur « parcours-jeunes »",
        "Programmes",
        2,
        "id",
    ),
    # actors
    ("concept-inconnu.xlsx", ERROR, "« Startup » n'est pas dans la liste", "Acteurs", 2, "type"),
    (
        "territoire-inconnu.csv",
        ERROR,
        "aucune commune n'a le code INSEE « 94999 »",
        "territoire-inconnu",
        2,
        "commune",
    ),
    ("commune-ambigue.xlsx", ERROR, "« Saint-Maurice » désigne 5 communes", "Acteurs", 2, "commune"),
    ("siren-cle-fausse.csv", ERROR, "la clé de contrôle du SIREN est fausse", "siren-cle-fausse", 2, "SIREN"),
    (
        "reference-curee-modifiee.csv",
        WARNING,
        "« Club ESS » est déjà dans les données curées (club-ess) : ce que la ligne en dit d'autre "
        "(type, description) n'est pas importé",
        "reference-curee-modifiee",
        2,
        None,
    ),
    # probable duplicates: the existing actor's name, id and owner
    (
        "doublon-mairie.csv",
        WARNING,
        "« Mairie de Charenton-le-Pont » (mairie-de-charenton-le-pont) ressemble à "
        "« Ville de Charenton-le-Pont » (ville-de-charenton-le-pont, données curées)",
        "doublon-mairie",
        2,
        "nom",
    ),
    (
        "doublon-saint.xlsx",
        WARNING,
        "« Mairie de St-Maurice » (mairie-de-saint-maurice) ressemble à « Ville de Saint-Maurice »",
        "Acteurs",
        2,
        "nom",
    ),
    (
        "doublon-casse-accents.csv",
        WARNING,
        "« RESEAU BUSINESS CLASS » (reseau-business-class) ressemble à « Réseau BusinessClass »",
        "doublon-casse-accents",
        2,
        "nom",
    ),
    (
        "doublon-autre-import.csv",
        WARNING,
        "ressemble à « Ville de Joinville-le-Pont » (ville-de-joinville-le-pont, import « reseau-est »)",
        "doublon-autre-import",
        2,
        "nom",
    ),
    (
        "doublon-dans-le-fichier.csv",
        WARNING,
        "« Maison des jeunes de Gravele » (maison-des-jeunes-de-gravele) s'écrit presque comme "
        "« Maison des Jeunes de Gravelle » (maison-des-jeunes-de-gravelle, ligne 2)",
        "doublon-dans-le-fichier",
        3,
        "nom",
    ),
]

FILES = sorted({c[0] for c in CORPUS})


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A data folder without imports: links to the curated data, the documents and the geography."""
    d = tmp_path_factory.mktemp("data")
    for sub in ("curated", "sources", "geo"):
        (d / sub).symlink_to(ROOT / "data" / sub)
    return d


@pytest.fixture(scope="module")
def context(data):
    """The geography and what the graph knows: the curated data and another import, « reseau-est »."""
    known = known_records(data)
    known.add(
        "actor",
        Actor(
            id="ville-de-joinville-le-pont",
            name="Ville de Joinville-le-Pont",
            types=["commune"],
            located_in="commune:94042",
            sources=[Source(doc="import-reseau-est", quote="Feuille Acteurs, ligne 2")],
        ),
        "reseau-est",
    )
    return {"geo": load_geography(data / "geo"), "known": known}


def _located(p: Problem) -> tuple[str | None, int | None, str | None]:
    """(sheet, row, column) of a problem: its file is "<file>, feuille <sheet>"."""
    sheet = p.file.split(", feuille ", 1)[1] if ", feuille " in p.file else None
    return sheet, p.line, p.field


def _outcome(path: Path, data: Path, context: dict) -> tuple[list[Problem], list[Problem]]:
    try:
        plan = plan_import(path, data, **context)
    except InputError as exc:
        return list(exc.problems), []
    return [], plan.notices


def test_the_corpus_has_at_least_30_files_each_expected():
    on_disk = {p.name for p in BAD.iterdir() if p.name not in ("make_bad.py", "__pycache__")}
    assert len(on_disk) >= 30
    assert on_disk == set(FILES), "every file of bad/ has its expected message here, and each exists"


@pytest.mark.parametrize("name", FILES)
def test_each_mistake_is_reported_located_in_french(name, data, context):
    errors, notices = _outcome(BAD / name, data, context)
    expected = [c for c in CORPUS if c[0] == name]
    if any(level == ERROR for _, level, *_ in expected):
        # refused: exactly the expected errors, nothing else (each file has one kind of mistake)
        assert len(errors) == len([c for c in expected if c[1] == ERROR]), errors
        found = errors
    else:
        assert not errors, errors  # a warning only: the import goes on, and says so
        found = notices
    for _, _, fragment, sheet, row, column in expected:
        hits = [p for p in found if fragment in p.message]
        assert hits, f"{name}: « {fragment} » not in {[p.message for p in found]}"
        assert _located(hits[0]) == (sheet, row, column), hits[0]
        assert hits[0].file.startswith(name)
        assert hits[0].fix, hits[0]  # every message says how to fix it


def test_messages_are_french_with_no_english_connectors(data, context):
    """The summary and the warnings a catalyst reads: no « row », « field », « fix: », « problem(s) »."""
    with pytest.raises(InputError) as info:
        plan_import(BAD / "erreurs-diverses.xlsx", data, **context)
    assert info.value.summary == "4 problèmes dans erreurs-diverses.xlsx ; rien n'a été écrit"
    plan = plan_import(BAD / "doublon-mairie.csv", data, **context)
    [w] = [w for w in plan.warnings if "doublon" in w]
    assert w.startswith(
        "doublon-mairie.csv, feuille doublon-mairie, ligne 2, colonne « nom » : doublon probable"
    )
    assert "correction : si c'est le même acteur" in w
    for english in ("row ", "field ", "fix:", "problem"):
        assert english not in w and english not in info.value.summary


def test_english_is_available_with_lang(data, context):
    with pytest.raises(InputError) as info:
        plan_import(BAD / "erreur-value.xlsx", data, lang="en", **context)
    assert info.value.summary == "1 problem in erreur-value.xlsx; nothing was written"
    assert "spreadsheet formula error" in info.value.problems[0].message
    plan = plan_import(BAD / "doublon-mairie.csv", data, lang="en", **context)
    assert any(
        w.startswith('doublon-mairie.csv, sheet doublon-mairie, row 2, column "nom": probable duplicate')
        for w in plan.warnings
    )


def test_a_folder_of_csv_files_is_one_workbook_and_sources_csv_counts(data, context, tmp_path):
    folder = tmp_path / "gravelle-csv"
    shutil.copytree(BAD / "dossier-csv", folder)
    text = (
        (folder / "relations.csv")
        .read_bytes()
        .replace(b"Convention 2024", "Convention de partenariat 2023".encode("cp1252"))
    )
    (folder / "relations.csv").write_bytes(text)
    plan = plan_import(folder, data, **context)
    assert plan.slug == "gravelle-csv"
    [doc] = [d for d in plan.records["documents"] if d.id.endswith(".convention-de-partenariat-2023")]
    assert doc.issued == "2023-01-15"
    [partnership] = [p for p in plan.records["programmes"] if p.id.startswith("partenariat-")]
    assert doc.id in {s.doc for s in partnership.sources}
    shutil.make_archive(str(tmp_path / "gravelle-zip"), "zip", folder)
    zipped = plan_import(tmp_path / "gravelle-zip.zip", data, **context)
    assert {r.id for r in zipped.records["programmes"]} == {r.id for r in plan.records["programmes"]}
    assert any(
        d.id == "import-gravelle-zip.convention-de-partenariat-2023" for d in zipped.records["documents"]
    )


def test_a_huge_csv_cell_does_not_crash_the_reader(tmp_path):
    from kg.sheets.read import read_tables

    path = tmp_path / "acteurs.csv"
    path.write_text("nom;description\nA;" + "x" * 200_000 + "\n", encoding="utf-8")
    [t] = read_tables(path)
    assert len(t.rows[0][1][1]) == 200_000


@pytest.mark.parametrize("name", FILES)
def test_each_message_is_english_with_lang_en(name, data, context):
    """The same corpus with lang="en": no French connector or guillemet left in a message or a fix."""
    french = re.compile(
        r"[«»]|\bn'est\b|\bécrivez\b|\bligne\b|\bcolonne\b|\bvouliez\b|\bremplissez\b|\bmettez\b"
    )
    try:
        plan = plan_import(BAD / name, data, lang="en", **context)
        found = plan.notices
    except InputError as exc:
        found = list(exc.problems)
        assert not french.search(exc.summary.replace(name, "")), exc.summary
    assert found
    for p in found:
        said = (p.message + " " + (p.fix or "")).replace(name, "")
        assert not french.search(said), p


def test_kg_import_says_the_same_bad_file_in_french_then_in_english_with_lang_en(data, tmp_path):
    """``kg import --lang en`` reaches the planner: before, its located messages stayed French."""
    from typer.testing import CliRunner

    from kg.cli.commands import app

    where = ["--data", str(data), "--store", str(tmp_path / "store")]
    for name, fr, en in (
        (
            "siren-cle-fausse.csv",
            "siren-cle-fausse.csv, feuille siren-cle-fausse, ligne 2, colonne « SIREN » : « ",
            'siren-cle-fausse.csv, sheet siren-cle-fausse, row 2, column "SIREN": "',
        ),
        (
            "erreur-value.xlsx",
            "Erreur : 1 problème dans erreur-value.xlsx ; rien n'a été écrit",
            "Error: 1 problem in erreur-value.xlsx; nothing was written",
        ),
    ):
        french = CliRunner().invoke(app, ["import", str(BAD / name), *where])
        english = CliRunner().invoke(app, ["import", str(BAD / name), "--lang", "en", *where])
        assert french.exit_code == english.exit_code == 3, (french.output, english.output)
        assert fr in french.output and en not in french.output, french.output
        assert en in english.output and fr not in english.output, english.output
        assert "correction :" in french.output and "fix:" in english.output
    assert not (tmp_path / "store").exists()
