"""The kg command: every command has help and is documented; errors are messages, not tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from kg.cli.commands import app

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
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


def test_help_is_instant_no_heavy_import():
    import subprocess
    import sys

    code = "import sys, kg.cli.commands; print(sorted(m for m in ('pyshacl','networkx','pyvis','igraph') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["query", "actor-partner"], 4, 'did you mean "actor-partners"'),
        (["query", "actors-of-territory"], 6, "needs --param territory"),
        (["query", "ecosystem-as-of", "-p", "date=2019-13"], 6, "not a real date"),
        (
            ["query", "actor-partners", "-p", "actor=Club Gravel Entreprendre"],
            4,
            "Club Gravelle Entreprendre",
        ),
        (["chains", "Club Gravel Entreprendre", "vitawin"], 4, 'did you mean "Club Gravelle Entreprendre"?'),
        (["chains", "le rameau", "vitawin", "--as-of", "hier"], 1, "not a date"),
        (["analyse", "--territory", "commune:00000"], 4, "not in the official geography"),
    ],
)
def test_bad_input_is_a_message_and_a_non_zero_exit(built_store, args, code, words):
    result = runner.invoke(app, args + ["--store", str(built_store)])
    assert result.exit_code != 0, result.output
    assert words in result.output, result.output
    assert "Traceback" not in result.output


def test_sparql_syntax_error_gives_line_and_column(built_store, tmp_path):
    q = tmp_path / "bad.rq"
    q.write_text("SELECT ?s WHERE {\n  ?s ?p \n}", encoding="utf-8")
    result = runner.invoke(app, ["sparql", str(q), "--store", str(built_store)])
    assert result.exit_code == 6 and "line 3, column" in result.output, result.output


def test_sparql_from_stdin_as_csv(built_store):
    result = runner.invoke(
        app,
        ["sparql", "-", "--format", "csv", "--store", str(built_store)],
        input="SELECT (COUNT(*) AS ?n) WHERE { ?a a igeo:Region }",
    )
    assert result.exit_code == 0 and result.output.splitlines()[0] == "n"
    assert int(result.output.splitlines()[1]) >= 18


def test_query_formats(built_store):
    import json

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
    assert "Fonds ODD17 finance Club ESS" in result.output and "002_cd60e692da181ed7" in result.output
