"""The package's layout, checked on its import graph (every kg/**/*.py parsed with ``ast``, imports at module
level and inside functions): layers in the order the data flows, the CLI and the server imported by nobody,
no import cycle, short modules, no private name borrowed from another module; ``import kg`` stays light.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
KG = ROOT / "kg"

# Violations of today, each named: (rule, what). This set must be empty when the architecture issue ("One
# pipeline, one home for each idea") is resolved; remove an entry as soon as its violation is gone (a stale
# entry fails test_known_violations_are_still_there).
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()

# The layers, bottom to top (the package docstring of kg/__init__.py): a module may import its own layer
# and the layers below. kg.sheets and kg.rdf are side by side above kg.ingest: neither imports the other.
LAYERS: list[set[str]] = [
    {"kg.errors"},
    {"kg.model"},
    {"kg.ingest"},
    {"kg.sheets", "kg.rdf"},
    {"kg.store"},
    {"kg.network"},
    {"kg.present"},
    {"kg.serve"},
    {"kg.cli"},
]
TOP_ONLY = ("kg.cli", "kg.serve")  # imported by no other part of kg
# third-party packages a layer must not import (records → workbooks need no RDF and no store)
FORBIDDEN_THIRD_PARTY = {"kg.sheets": {"pyoxigraph", "rdflib", "pyshacl"}}
MAX_LINES = 600


@dataclass(frozen=True)
class Import:
    importer: str  # module name, e.g. kg.present.export
    target: str  # module imported, e.g. kg.present.view (or pyoxigraph)
    names: tuple[str, ...]  # names taken from it with ``from ... import``
    top_level: bool  # executed when the module is imported (not in a function, not under TYPE_CHECKING)
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(KG.rglob("*.py"))}


def _deferred(node: ast.AST) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return True
    if isinstance(node, ast.If):
        test = node.test
        return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
    return False


def _imports_of(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    out.append(Import(name, alias.name, (), top, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                if child.level:  # relative: from . import x, from ..model import y
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                names = tuple(a.name for a in child.names)
                # ``from kg.model import iris``: iris is a module, the import is of kg.model.iris
                subs = [n for n in names if f"{source}.{n}" in MODULES]
                for n in subs:
                    out.append(Import(name, f"{source}.{n}", (), top, child.lineno))
                rest = tuple(n for n in names if n not in subs)
                if rest or not subs:
                    out.append(Import(name, source, rest, top, child.lineno))
            else:  # imports in a function or under `if TYPE_CHECKING:` do not run at import time
                visit(child, top and not _deferred(child))

    visit(tree, True)
    return out


IMPORTS: list[Import] = [i for name, path in MODULES.items() for i in _imports_of(name, path)]


def _package(module: str) -> str:
    """kg.present.view → kg.present; kg.errors → kg.errors; kg → kg."""
    return ".".join(module.split(".")[:2])


def _layer(module: str) -> int | None:
    pkg = _package(module)
    return next((i for i, layer in enumerate(LAYERS) if pkg in layer), None)


def _internal(i: Import) -> bool:
    return i.target == "kg" or i.target.startswith("kg.")


def violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for i in IMPORTS:
        src_pkg = _package(i.importer)
        if _internal(i):
            dst_pkg = _package(i.target)
            # (a) the CLI and the server are the top: nothing else in kg imports them
            if dst_pkg in TOP_ONLY and src_pkg not in TOP_ONLY:
                found.add(("top-only", f"{i.importer} -> {i.target}"))
            # (b) layers: down or sideways within one package only (kg itself, the facade, is exempt)
            src, dst = _layer(i.importer), _layer(i.target)
            if src is not None and dst is not None and src_pkg != dst_pkg and dst >= src:
                found.add(("layer", f"{i.importer} -> {i.target}"))
            # (e) no private name of another module
            for n in i.names:
                if n.startswith("_") and not n.startswith("__") and i.target != i.importer:
                    found.add(("private", f"{i.importer} -> {i.target}.{n}"))
        else:
            top = i.target.split(".")[0]
            if top in FORBIDDEN_THIRD_PARTY.get(src_pkg, set()):
                found.add(("layer", f"{i.importer} -> {top}"))
    # (c) no cycle among the imports run at import time
    G = nx.DiGraph()
    G.add_edges_from(
        (i.importer, i.target)
        for i in IMPORTS
        if i.top_level and i.target in MODULES and i.target != i.importer
    )
    for cycle in nx.simple_cycles(G):
        start = cycle.index(min(cycle))  # one name per cycle, whatever node it was found from
        found.add(("cycle", " -> ".join([*cycle[start:], *cycle[:start], cycle[start]])))
    # (d) short modules
    for name, path in MODULES.items():
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES:
            found.add(("too-long", name))
    return found


def _explain(items: set[tuple[str, str]]) -> str:
    lines = []
    for rule, what in sorted(items):
        where = ""
        if rule in ("layer", "top-only", "private"):
            importer, target = what.split(" -> ")
            hits = [
                i.line
                for i in IMPORTS
                if i.importer == importer and (i.target == target or target.startswith(i.target + "."))
            ]
            where = f" ({MODULES[importer].relative_to(ROOT)}, line {min(hits)})" if hits else ""
        if rule == "too-long":
            n = len(MODULES[what].read_text(encoding="utf-8").splitlines())
            where = f" ({n} lines > {MAX_LINES})"
        lines.append(f"  {rule}: {what}{where}")
    return "\n".join(lines)


def test_the_parser_sees_imports_inside_functions_and_the_layers_cover_every_package() -> None:
    """Guards the guard: lazy imports are seen, and every package of kg has a layer."""
    lazy = [i for i in IMPORTS if not i.top_level and _internal(i)]
    assert lazy, "no import inside a function found: the parser misses lazy imports"
    packages = {_package(m) for m in MODULES} - {"kg"}
    assert packages <= set().union(*LAYERS), packages - set().union(*LAYERS)


def test_no_new_layout_violation() -> None:
    new = violations() - KNOWN_VIOLATIONS
    assert not new, (
        "the import graph of kg breaks the layout "
        "(kg/__init__.py docstring; rules in tests/test_layout.py):\n" + _explain(new)
    )


def test_known_violations_are_still_there() -> None:
    """A fixed violation leaves KNOWN_VIOLATIONS, so that it cannot come back unnoticed."""
    fixed = KNOWN_VIOLATIONS - violations()
    assert not fixed, f"fixed, remove from KNOWN_VIOLATIONS in tests/test_layout.py: {sorted(fixed)}"


@pytest.mark.parametrize(
    ("source", "rules"),
    [
        ("from kg.cli import commands", {"top-only", "layer"}),
        ("from kg.store.graph import open_store", {"layer"}),
        ("import pyoxigraph", {"layer"}),
        ("from kg.model.iris import _slug", {"private"}),
    ],
)
def test_the_rules_catch_a_bad_import(monkeypatch, source, rules) -> None:
    """Each rule fires on a deliberately bad import in a module of kg.sheets (function-level imports too)."""
    bad = KG / "sheets" / "_layout_probe.py"
    name = "kg.sheets._layout_probe"
    monkeypatch.setitem(MODULES, name, bad)
    body = f"def f():\n    {source}\n"
    monkeypatch.setattr(Path, "read_text", _fake_read(bad, body, Path.read_text))
    monkeypatch.setattr(sys.modules[__name__], "IMPORTS", [*IMPORTS, *_imports_of(name, bad)])
    assert {r for r, what in violations() - KNOWN_VIOLATIONS if name in what} == rules


def _fake_read(path: Path, text: str, real):
    def read_text(self: Path, *args, **kwargs) -> str:
        return text if self == path else real(self, *args, **kwargs)

    return read_text


def test_import_kg_loads_only_the_facade_and_errors() -> None:
    """``import kg`` is instant: the heavy parts load on first use (kg/__init__.py's lazy names)."""
    code = "import kg, sys; print(sorted(m for m in sys.modules if m == 'kg' or m.startswith('kg.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == str(["kg", "kg.errors"])
