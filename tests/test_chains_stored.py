"""``kg chains`` from the compact rows ``kg build`` writes (:mod:`kg.network.chain_index`): the same chains,
hop by hop, as the whole chain graph; and the whole chain graph whenever the rows cannot answer (stale,
missing, an unknown or ambiguous name, ``--kinds``, ``--as-of``)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.errors import UnknownEntityError
from kg.network.artefacts import write_artefacts
from kg.network.chain_index import SLIM, SLIM_SHAPE, rels_path, stored_chains
from kg.network.chains import cached_chain_graph, find_chains
from kg.store import artefacts

PAIRS = [
    ("Le RAMEAU", "Vitawin"),
    ("Fondation TotalEnergies", "Club ESS"),
    ("PEMB", "Le RAMEAU"),
    ("le rameau", "pemb"),  # any case, accents optional
]


@pytest.fixture(scope="module")
def env(data_env):
    """A built data folder whose store has its artefacts, as ``kg build`` leaves it."""
    data, store = data_env("chains-stored")
    artefacts.new_build_id(store)
    write_artefacts(store)
    return data, store


def _hops(chains) -> list:
    return [[h.as_dict("fr") for h in c.hops] for c in chains]


def test_the_rows_give_the_whole_chain_graphs_chains_hop_by_hop(env):
    _, store = env
    graph = kg.open(store)
    assert artefacts.load(store, SLIM, shape=SLIM_SHAPE) is not None and rels_path(store).is_file()
    H = cached_chain_graph(graph)
    answers = []
    for a, b in PAIRS:
        for k in (1, 5):
            stored = stored_chains(graph, a, b, k=k)
            assert stored is not None, (a, b)
            assert _hops(stored) == _hops(find_chains(H, a, b, k=k)), (a, b, k)
            answers.append(_hops(stored))
        assert _hops(stored_chains(graph, a, b, max_hops=2) or []) == _hops(find_chains(H, a, b, max_hops=2))
    assert all(answers) and answers[0] != answers[2]  # two pairs, two answers
    assert len(answers[1]) == 5 and len(answers[0]) == 1


def test_the_rows_leave_what_they_cannot_answer_to_the_whole_graph(env):
    _, store = env
    graph = kg.open(store)
    assert stored_chains(graph, "Le RAMEAU", "Club Gravel Entreprendre") is None  # unknown: the usual error
    with pytest.raises(UnknownEntityError, match="Gravelle"):
        find_chains(graph, "Le RAMEAU", "Club Gravel Entreprendre")
    rels = rels_path(store)
    kept = rels.read_bytes()
    try:
        rels.write_bytes(b"x" * 16 + kept[16:])  # relations of another write: the rows are not used
        assert stored_chains(graph, "Le RAMEAU", "Vitawin") is None
        assert find_chains(graph, "Le RAMEAU", "Vitawin")
    finally:
        rels.write_bytes(kept)
    assert stored_chains(graph, "Le RAMEAU", "Vitawin") is not None


def _cli(store, *args: str) -> list:
    result = CliRunner().invoke(app, ["chains", *args, "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_kg_chains_prints_the_same_with_or_without_the_rows(env):
    _, store = env
    slim = artefacts.artefact_path(store, SLIM)
    with_rows = [_cli(store, a, b, "-k", "4") for a, b in PAIRS]
    filtered = _cli(store, "Le RAMEAU", "Vitawin", "--kinds", "fondation,financement")
    dated = _cli(store, "Le RAMEAU", "Vitawin", "--as-of", "2010")
    hidden = slim.with_name(slim.name + ".hidden")
    slim.rename(hidden)
    try:
        assert [_cli(store, a, b, "-k", "4") for a, b in PAIRS] == with_rows
        assert _cli(store, "Le RAMEAU", "Vitawin", "--kinds", "fondation,financement") == filtered
        assert _cli(store, "Le RAMEAU", "Vitawin", "--as-of", "2010") == dated
    finally:
        hidden.rename(slim)
    assert with_rows[0] and filtered != with_rows[0][:1] and dated != with_rows[0]


def test_a_stale_store_rewrites_its_rows(env, data_env):
    """After a write of the store the rows are stale: never read, and written again with the chain graph."""
    _, store = data_env("chains-stored-stale")
    artefacts.new_build_id(store)
    write_artefacts(store)
    artefacts.new_build_id(store)  # what kg import does
    graph = kg.open(store)
    assert stored_chains(graph, "Le RAMEAU", "Vitawin") is None
    chains = find_chains(graph, "Le RAMEAU", "Vitawin")  # the whole graph, computed and saved again
    assert _hops(stored_chains(graph, "Le RAMEAU", "Vitawin") or []) == _hops(chains) != []


def test_kg_chains_by_name_opens_neither_networkx_nor_the_store(env):
    """With its rows, ``kg chains A B`` imports neither NetworkX nor pyoxigraph; with ``--kinds`` it does."""
    import subprocess
    import sys

    _, store = env
    code = (
        "import sys; from kg.cli import main\n"
        "sys.argv = ['kg', 'chains', 'Le RAMEAU', 'Vitawin', '--store', {s!r}{extra}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('networkx' in sys.modules, 'pyoxigraph' in sys.modules)"
    )
    fast = subprocess.run(
        [sys.executable, "-c", code.format(s=str(store), extra="")], capture_output=True, text=True
    )
    slow = subprocess.run(
        [sys.executable, "-c", code.format(s=str(store), extra=", '--kinds', 'adhesion,fondation'")],
        capture_output=True,
        text=True,
    )
    assert fast.stdout.splitlines()[-1] == "False False", fast.stderr
    assert slow.stdout.splitlines()[-1] == "True True", slow.stderr
    assert "Le RAMEAU" in fast.stdout
