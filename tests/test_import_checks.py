"""The SHACL check of an import (:mod:`kg.store.import_checks`): its focus and the territories its records
point at, found in one pass, are those the shapes' scope would find on its own."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg.model.iris import BASE
from kg.rdf.mapping import Stated
from kg.rdf.shacl import territory_scope
from kg.store.import_checks import _import_focus

ID = BASE + "id/"
TERRITORY = ID + "territory/"
G = NamedNode(BASE + "graph/import/test")
P, LABEL = NamedNode("http://example.org/p"), NamedNode("http://example.org/label")


def _n(local: str) -> NamedNode:
    return NamedNode(ID + local)


def test_focus_and_territories_found_in_one_pass() -> None:
    mine, curated, cited = _n("actor/mine"), _n("actor/curated"), _n("actor/cited")
    quads = [  # the import's own, as the mapping states them
        Stated(mine, P, cited, G),
        Stated(mine, P, NamedNode(TERRITORY + "commune/94018"), G),
        Stated(mine, LABEL, Literal("Mine"), G),
    ]
    others = [  # the curated data and the other imports
        Quad(curated, P, mine),  # points at the import's node: in the focus
        Quad(curated, P, NamedNode(TERRITORY + "departement/94")),
        Quad(curated, LABEL, Literal(TERRITORY + "commune/75056")),  # a literal's text counts, as before
        Quad(_n("actor/far"), P, _n("actor/elsewhere")),
    ]
    records = others + quads
    geography = [
        Quad(NamedNode(TERRITORY + code), LABEL, Literal(code))
        for code in ("commune/94018", "commune/75056", "commune/13055", "departement/94", "region/11")
    ]

    focus, territories = _import_focus(quads, records)

    assert focus == {mine.value, cited.value, TERRITORY + "commune/94018", curated.value}
    assert territories == {
        TERRITORY + "commune/94018",
        TERRITORY + "departement/94",
        TERRITORY + "commune/75056",
    }
    # the scope made from them is the one made from the records themselves
    assert territory_scope(records, geography, wanted=territories) == territory_scope(records, geography)
    assert [q.subject.value for q in territory_scope([], geography, wanted=territories)] == [
        TERRITORY + c for c in ("commune/94018", "commune/75056", "departement/94", "region/11")
    ]
