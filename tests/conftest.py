"""Shared fixtures: the real curated graph, built once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]
ACTOR = "https://w3id.org/territorial-kg/id/actor/"
PROGRAMME = "https://w3id.org/territorial-kg/id/programme/"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """Path of a store built from data/ (real curated data and geography)."""
    out = tmp_path_factory.mktemp("kg")
    kg.build(ROOT / "data", out / "store", out / "graph.trig", ontology_dir=ROOT / "ontology")
    return out / "store"


@pytest.fixture(scope="session")
def graph(built_store):
    return kg.open(built_store)


@pytest.fixture(scope="session")
def projection(graph):
    from kg.projection import project

    return project(graph)
