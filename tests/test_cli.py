"""The kg command: every command has help; errors are messages with their documented exit code, not tracebacks."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import kg
from kg.cli.commands import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "cli.md"
runner = CliRunner()


def _commands() -> dict:
    return get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_documented():
    documented = set(re.findall(r"^## `kg ([a-z-]+)", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    for name, cmd in _commands().items():
        assert (cmd.help or "").strip(), f"kg {name} has no help"
        assert name in documented, f"kg {name} is missing from docs/cli.md"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


#: the catalysts' commands, and the shared options each has (its own or its subcommands'): their help is French
CATALYSTS = {
    "template": set(),
    "import": {"--data", "--store", "--lang"},
    "imports": {"--data", "--store", "--lang"},
    "atelier": {"--data", "--store", "--lang"},
    "export-xlsx": {"--data", "--store", "--lang"},
}
_SHARED = {"--data": "Dossier des données", "--store": "Dossier du store", "--lang": "Langue des messages"}


def _helps(cmd) -> list[tuple[str, str]]:
    """(option, help) of *cmd* and of its subcommands, if it is a group."""
    out = [(p.opts[0], p.help or "") for p in cmd.params if getattr(p, "help", None) is not None]
    for sub in getattr(cmd, "commands", {}).values():
        out += _helps(sub)
    return out


@pytest.mark.parametrize(("name", "shared"), sorted(CATALYSTS.items()))
def test_catalysts_commands_are_helped_in_french_throughout(name, shared):
    helps = _helps(_commands()[name])
    assert {opt for opt, _ in helps if opt in _SHARED} == shared
    for opt, text in helps:
        assert not text.startswith(("Folder ", "Language of the output")), (name, opt, text)
        if opt in _SHARED:
            assert text.startswith(_SHARED[opt]), (name, opt, text)
    # a developer's command keeps its English help
    build = dict(_helps(_commands()["build"]))
    assert build["--store"].startswith("Folder of the built store") and build["--data"].startswith("Folder ")


def test_help_is_instant_no_heavy_import():
    import subprocess

    code = (
        "import sys, kg.cli.commands; print(sorted(m for m in "
        "('pyshacl','networkx','pyvis','igraph','starlette','uvicorn','pyoxigraph') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nothing_in_the_library_imports_the_cli():
    for path in (ROOT / "kg").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "kg").parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) kg\.cli\b", text, re.MULTILINE), path


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["query", "actor-partner"], 4, 'did you mean "actor-partners"'),
        (["query", "actors-of-territory"], 6, "needs --param territory"),
        (
            ["query", "ecosystem-as-of", "-p", "date=2019-13"],
            6,
            "« 2019-13 » n'est pas une date du calendrier",
        ),
        (
            ["query", "actor-partners", "-p", "actor=Club Gravel Entreprendre"],
            4,
            "Club Gravelle Entreprendre",
        ),
        (
            ["chains", "Club Gravel Entreprendre", "vitawin"],
            4,
            "vouliez-vous dire « Club Gravelle Entreprendre » ?",
        ),
        (["chains", "le rameau", "vitawin", "--as-of", "hier"], 6, "« hier » n'est pas une date"),
        (["chains", "Fonds ODD17", "Club ESS", "--kinds", "friendship"], 4, "friendship"),
        (["chains", "Fonds ODD17"], 2, "--within"),
        (["analyse", "--territory", "commune:00000"], 4, "not in the official geography"),
        (["query", "founders", "--format", "xml"], 2, "'xml' is not one of"),
    ],
)
def test_bad_input_is_a_message_and_its_exit_code(built_store, args, code, words):
    result = runner.invoke(app, args + ["--store", str(built_store)])
    assert result.exit_code == code, result.output
    assert words in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["chains", "Fonds ODD17", "Club ESS"],
        ["analyse"],
        ["query", "--list"],
        ["view", "--actor", "Fonds ODD17"],
        ["examples"],
    ],
)
def test_lang_de_is_a_usage_error_not_a_traceback(built_store, args):
    result = runner.invoke(app, args + ["--lang", "de", "--store", str(built_store)])
    assert result.exit_code == 2, result.output
    assert "'de' is not one of 'fr', 'en'" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _territory_commands(territory: str, tmp_path: Path, store: Path) -> dict[str, list[str]]:
    return {
        "analyse": ["analyse", "--territory", territory, "--store", str(store)],
        "view": ["view", "--territory", territory, "--store", str(store), "--out", str(tmp_path / "v.html")],
        "export": [
            "export",
            "gexf",
            "--territory",
            territory,
            "--store",
            str(store),
            "--out",
            str(tmp_path / "g"),
        ],
        "export-xlsx": [  # a territory's workbook is its ecosystem, read from the store
            "export-xlsx",
            str(tmp_path / "t.xlsx"),
            "--territory",
            territory,
            "--data",
            str(ROOT / "data"),
            "--store",
            str(store),
        ],
        "query": ["query", "actors-of-territory", "-p", f"territory={territory}", "--store", str(store)],
    }


@pytest.mark.parametrize("territory", ["paris", "departement:ninety-four", "commune:00000"])
def test_a_bad_territory_exits_4_in_every_command(built_store, tmp_path, territory):
    """Malformed (checked while parsing) or not in the official geography (the library): exit 4 everywhere."""
    for name, args in _territory_commands(territory, tmp_path, built_store).items():
        if name == "query" and ":" in territory and territory.split(":")[1].isdigit():
            continue  # a well-formed territory is a value of the question: no actors there, no error
        result = runner.invoke(app, args)
        assert result.exit_code == 4, (name, result.output)
        assert territory in result.output, (name, result.output)
        assert "Traceback" not in result.output


def test_sparql_syntax_error_gives_line_and_column(built_store, tmp_path):
    q = tmp_path / "bad.rq"
    q.write_text("SELECT ?s WHERE {\n  ?s ?p \n}", encoding="utf-8")
    result = runner.invoke(app, ["sparql", str(q), "--store", str(built_store)])
    assert result.exit_code == 6 and "line 3, column" in result.output, result.output


def test_sparql_missing_file_is_a_usage_error(built_store, tmp_path):
    result = runner.invoke(app, ["sparql", str(tmp_path / "nowhere.rq"), "--store", str(built_store)])
    assert result.exit_code == 2 and "nowhere.rq" in result.output, result.output


def test_sparql_refuses_service_unless_allowed(built_store):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    result = runner.invoke(app, ["sparql", "-", "--store", str(built_store)], input=text)
    assert result.exit_code == 6 and "SERVICE" in result.output, result.output


def test_sparql_from_stdin_as_csv(built_store):
    result = runner.invoke(
        app,
        ["sparql", "-", "--format", "csv", "--store", str(built_store)],
        input="SELECT (COUNT(*) AS ?n) WHERE { ?a a igeo:Region }",
    )
    assert result.exit_code == 0 and result.output.splitlines()[0] == "n"
    assert int(result.output.splitlines()[1]) >= 18


def test_query_formats(built_store):
    args = ["query", "founders", "--store", str(built_store)]
    out = runner.invoke(app, args + ["-f", "sparql-json"]).output
    data = json.loads(out)
    assert "founder" in data["head"]["vars"] and data["results"]["bindings"]
    rows = json.loads(runner.invoke(app, args + ["-f", "json"]).output)
    assert any(r["founderLabel"] == "Fondation TotalEnergies" for r in rows)
    table = runner.invoke(app, args).output
    assert "Le RAMEAU" in table and "3 rows" in table


def test_chains_prints_sentences_with_sources(built_store):
    result = runner.invoke(
        app, ["chains", "Fondation TotalEnergies", "Club ESS", "-k", "1", "--store", str(built_store)]
    )
    assert result.exit_code == 0
    assert "Fonds ODD17 finance Club ESS" in result.output and "étape" in result.output
    # each source by its title, from the stored rows and from the whole chain graph (--as-of) alike
    title = "source : Fonds ODD17 – fiche partenaire Paris Est Marne et Bois, « "
    assert title in result.output and "002_cd60e692da181ed7" not in result.output
    dated = runner.invoke(
        app,
        [
            "chains",
            "Fondation TotalEnergies",
            "Club ESS",
            "-k",
            "1",
            "--as-of",
            "2024",
            "--store",
            str(built_store),
        ],
    )
    assert dated.exit_code == 0 and title in dated.output, dated.output


def test_chains_format_json_and_the_deprecated_json_alias(built_store):
    args = [
        "chains",
        "Fondation TotalEnergies",
        "Club ESS",
        "-k",
        "1",
        "--lang",
        "en",
        "--store",
        str(built_store),
    ]
    new = runner.invoke(app, args + ["--format", "json"])
    assert new.exit_code == 0, new.output
    hops = json.loads(new.stdout)[0]
    assert hops[-1]["sentence"].startswith("Fonds ODD17")
    old = runner.invoke(app, args + ["--json"])
    assert old.exit_code == 0 and json.loads(old.stdout) == json.loads(new.stdout)
    assert "deprecated" in old.stderr


def test_chains_within_and_no_chain(built_store):
    near = runner.invoke(
        app, ["chains", "Fonds ODD17", "--within", "1", "-f", "json", "--store", str(built_store)]
    )
    assert near.exit_code == 0 and any(r["label"] == "Club ESS" for r in json.loads(near.output))
    none = runner.invoke(
        app,
        ["chains", "le rameau", "vitawin", "--as-of", "2019", "--lang", "en", "--store", str(built_store)],
    )
    assert none.exit_code == 0 and "No chain found." in none.output


def test_analyse_titles_come_from_the_library(built_store):
    from kg.network.analysis import SECTION_TITLES

    text = runner.invoke(app, ["analyse", "--lang", "en", "--top", "2", "--store", str(built_store)])
    assert text.exit_code == 0, text.output
    assert all(title in text.output for title in SECTION_TITLES["en"].values())
    data = json.loads(
        runner.invoke(app, ["analyse", "-f", "json", "--top", "2", "--store", str(built_store)]).output
    )
    assert data["titles"] == SECTION_TITLES["fr"] and data["summary"]["actors"] > 0


def test_export_xlsx_reads_the_data_and_for_a_territory_the_store(built_store, tmp_path):
    result = runner.invoke(
        app, ["export", "xlsx", "--out", str(tmp_path / "w.xlsx"), "--store", str(built_store)]
    )
    assert result.exit_code == 2 and "--data" in result.output, result.output
    result = runner.invoke(
        app,
        [
            "export",
            "xlsx",
            "--out",
            str(tmp_path / "w.xlsx"),
            "--data",
            str(ROOT / "data"),
            "--territory",
            "departement:94",
            "--store",
            str(built_store),
        ],
    )
    assert result.exit_code == 0 and (tmp_path / "w.xlsx").is_file(), result.output


def test_missing_store_exits_7(tmp_path):
    result = runner.invoke(app, ["analyse", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 7 and "kg build" in result.output


# -- kg.open: a folder or an endpoint URL ------------------------------------------------------


def test_open_a_folder_or_an_endpoint_url(built_store):
    from kg.store.remote import RemoteGraph

    assert isinstance(kg.open(built_store), kg.Graph)
    assert isinstance(kg.open(str(built_store)), kg.Graph)
    remote = kg.open("http://127.0.0.1:9/sparql", timeout=1)
    assert isinstance(remote, RemoteGraph) and remote.url == "http://127.0.0.1:9/sparql"
    with pytest.raises(TypeError):
        kg.open(built_store, timeout=1)


@pytest.fixture(scope="module")
def kg_serve(built_store):
    from conftest import free_port, server_output, start_server, stop

    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    cmd = [sys.executable, "-m", "kg.cli.serve", "--store", str(built_store), "--port", str(port)]
    proc = start_server(cmd, url, "kg serve", cwd=ROOT)
    yield url
    stop(proc)
    assert "Traceback" not in server_output(proc)


def test_kg_open_on_kg_serve_answers_like_the_store(kg_serve, graph):
    from kg.store.remote import RemoteGraph

    remote = kg.open(kg_serve)
    assert isinstance(remote, RemoteGraph)
    ask = "SELECT (COUNT(*) AS ?n) WHERE { ?a a igeo:Region }"
    assert remote.query(ask) == graph.query(ask)
    found = kg.chains(remote, "Fondation TotalEnergies", "Club ESS", k=1)
    assert [c.labels for c in found] == [
        c.labels for c in kg.chains(graph, "Fondation TotalEnergies", "Club ESS", k=1)
    ]
    result = runner.invoke(app, ["query", "founders", "-f", "json", "--endpoint", kg_serve])
    assert result.exit_code == 0 and any(
        r["founderLabel"] == "Fondation TotalEnergies" for r in json.loads(result.output)
    )


def test_error_prefix_follows_the_language(tmp_path) -> None:
    """A catalyst reads « Erreur : … »; with --lang en, « Error: … »."""
    runner = CliRunner()
    missing = str(tmp_path / "nowhere")
    fr = runner.invoke(app, ["query", "founders", "--store", missing])
    en = runner.invoke(app, ["query", "founders", "--store", missing, "--lang", "en"])
    assert fr.exit_code == en.exit_code != 0
    assert fr.output.startswith("Erreur : ") and en.output.startswith("Error: "), (fr.output, en.output)


def test_view_says_what_it_wrote_in_the_readers_language(built_store, tmp_path) -> None:
    runner = CliRunner()
    args = ["view", "--programme", "VitaWin", "--store", str(built_store)]
    fr = runner.invoke(app, [*args, "--out", str(tmp_path / "fr.html"), "--png"])
    en = runner.invoke(app, [*args, "--out", str(tmp_path / "en.html"), "--lang", "en"])
    assert fr.exit_code == en.exit_code == 0, (fr.output, en.output)
    assert fr.output.startswith(f"Vue écrite : {tmp_path / 'fr.html'} — ") and " nœuds, " in fr.output
    assert f"Image écrite : {tmp_path / 'fr.png'}" in fr.output
    assert en.output.startswith(f"View written: {tmp_path / 'en.html'} — ") and " nodes, " in en.output


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["--help"], 0, "Usage"),  # the usual end
        (["query", "no-such-question"], 4, "no-such-question"),  # an error's exit code kept
    ],
)
def test_the_kg_process_ends_quickly_but_as_an_exit_does(tmp_path, args, status, said):
    """The ``kg`` script (``kg.cli.run``) ends its process without freeing every object (``_exit``), yet as
    ``sys.exit`` would: the exit status, everything printed (to a pipe), and the ``atexit`` functions run."""
    import subprocess

    mark = tmp_path / "atexit-ran"
    code = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes')\n"
        "from kg.cli import run\n"
        f"sys.argv = ['kg', *{args!r}]\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == status, done.stderr
    assert said in done.stdout + done.stderr
    assert mark.read_text() == "yes"
