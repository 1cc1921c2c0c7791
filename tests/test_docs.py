"""docs/cli.md is generated from the help of the commands (``python -m kg.cli.docs > docs/cli.md``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kg.cli.docs import commands, missing_help, render

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "cli.md"


def test_docs_cli_md_is_up_to_date():
    expected = render()
    if DOCS.read_text(encoding="utf-8") != expected:
        raise AssertionError("docs/cli.md is stale: run  python -m kg.cli.docs > docs/cli.md")


def test_every_command_option_and_argument_has_help():
    assert missing_help() == []


def test_every_command_has_a_section():
    documented = re.findall(r"^## `kg ([a-z-]+)`$", render(), re.MULTILINE)
    assert documented == [name for name, _ in commands()]


def test_generator_output_does_not_depend_on_the_terminal():
    env = {"PATH": "", "COLUMNS": "40", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli.docs"], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    ).stdout
    assert out == render()
    assert "\x1b[" not in out and "╭" not in out
