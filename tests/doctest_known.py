"""pytest plugin for ``make doctest`` (``-p tests.doctest_known``): the doctests in kg/ known to fail today,
each named with why, run as strict xfails — a fixed one then fails as XPASS, to be removed from the list.

This list must be empty once those docstrings are fixed (issue "One pipeline, one home for each idea").
"""

from __future__ import annotations

import pytest

KNOWN_FAILURES = {
    # the example's quote "q" is now too short (min 8 characters): 2 validation errors, not 1
    "kg/model/records.py::kg.model.records": "stale example: the quote is now too short",
    # pyoxigraph 0.5 prints the datatype as <NamedNode value=...>
    "kg/rdf/mapping.py::kg.rdf.mapping.date_literal": "stale expected output: pyoxigraph 0.5's Literal repr",
    # `report.conforms` runs although the line defining `report` is +SKIP
    "kg/store/build.py::kg.store.build.build": "NameError: the line defining report is skipped, not its use",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = KNOWN_FAILURES.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
