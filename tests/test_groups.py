"""kg.present.groups: large views open on nested groups with counts (by territory level or by type), and a
click opens a group, in the page (groups.js) opened in Chromium."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.present import groups as groups_module
from kg.present.groups import grouped_model
from kg.present.view import select_model, write_html
from tests.view_browser import browser, open_page, require_chromium

T = "https://w3id.org/territorial-kg/id/territory/"
# real communes: Charenton-le-Pont and Saint-Mandé (EPT Paris Est Marne et Bois, Val-de-Marne), Lyon 1er
# is not a commune of the extract, so Villeurbanne (Métropole de Lyon, Rhône, Auvergne-Rhône-Alpes)
CHARENTON, SAINT_MANDE, VILLEURBANNE = T + "commune/94018", T + "commune/94067", T + "commune/69266"


def located(
    per_place: dict[str, int], unlocated: int = 0, links: list[tuple[int, int]] = ()
) -> nx.MultiDiGraph:
    """Actors numbered in order, *per_place[territory]* in each territory, then *unlocated* without one."""
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = {
        "association": {"fr": "Association", "en": "Association"},
        "entreprise": {"fr": "Entreprise", "en": "Company"},
    }
    i = 0
    for place, n in [*per_place.items(), (None, unlocated)]:
        for _ in range(n):
            G.add_node(
                f"a{i}",
                kind="actor",
                label=f"Acteur {i:03d}",
                types=["association" if i % 2 else "entreprise"],
                territory=[place] if place else [],
                sources=[],
            )
            i += 1
    for a, b in links:
        G.add_edge(f"a{a}", f"a{b}", kind="adhesion", sources=[])
    return G


def _groups(m):
    return {row[0]: row for row in m.addons["groups"]["g"]}


# ---------------------------------------------------------------- the tree (no browser)


def test_by_territory_nests_region_departement_epci_commune_with_counts():
    G = located({CHARENTON: 3, SAINT_MANDE: 2, VILLEURBANNE: 4}, unlocated=1)
    m = grouped_model(G, G.nodes, title="T", by="territory")
    g = _groups(m)
    top = sorted(n["label"] for n in m.nodes)
    assert top == ["Auvergne-Rhône-Alpes (4)", "Sans territoire (1)", "Île-de-France (5)"]
    # [label, parent, count, level]
    assert g["Val-de-Marne"][2] == 5 and g["Val-de-Marne"][3] == 1
    assert g["Charenton-le-Pont"][2] == 3 and g["Charenton-le-Pont"][3] == 3
    epci = m.addons["groups"]["g"][g["Charenton-le-Pont"][1]]
    assert epci[0] == "Paris Est Marne et Bois"
    assert epci is m.addons["groups"]["g"][g["Saint-Mandé"][1]]  # one EPT holds both communes
    assert len(m.addons["groups"]["items"]) == 10


def test_by_type_gives_other_groups_than_by_territory():
    G = located({CHARENTON: 3, VILLEURBANNE: 4})
    m = grouped_model(G, G.nodes, title="T", by="type")
    assert sorted(n["label"] for n in m.nodes) == ["Association (3)", "Entreprise (4)"]
    assert grouped_model(G, G.nodes, title="T", lang="en", by="territory").nodes[0]["label"].endswith(")")


def test_links_are_counted_where_paths_part():
    # 0,1,2 in Charenton; 3,4 in Saint-Mandé; 5..8 in Villeurbanne
    G = located(
        {CHARENTON: 3, SAINT_MANDE: 2, VILLEURBANNE: 4}, links=[(0, 1), (0, 3), (1, 4), (0, 5), (2, 6)]
    )
    m = grouped_model(G, G.nodes, title="T", by="territory")
    A = m.addons["groups"]
    g = {row[0]: i for i, row in enumerate(A["g"])}
    links = {(a, b): c for a, b, c, _ in A["links"]}
    idf, ara = g["Île-de-France"], g["Auvergne-Rhône-Alpes"]
    assert links[(min(idf, ara), max(idf, ara))] == 2  # two links between the regions
    ch, sm = g["Charenton-le-Pont"], g["Saint-Mandé"]
    assert links[(min(ch, sm), max(ch, sm))] == 2  # two between the communes, inside the EPT
    assert links[(-2, -1)] == 1  # a0–a1, inside Charenton: between the nodes themselves
    top_edge = next(e for e in m.edges)
    assert top_edge["count"] == 2 and len(m.edges) == 1


def test_a_crowded_group_is_cut_into_slices(monkeypatch):
    monkeypatch.setattr(groups_module, "LEAF_MAX", 4)
    G = located({CHARENTON: 10})
    m = grouped_model(G, G.nodes, title="T", by="territory")
    A = m.addons["groups"]
    ch = next(i for i, row in enumerate(A["g"]) if row[0] == "Charenton-le-Pont")
    slices = [row for row in A["g"] if row[1] == ch]
    assert [s[2] for s in slices] == [3, 3, 4]
    assert slices[0][0] == "Acteur 000 … Acteur 002"
    assert all(A["g"][it[2]][1] == ch for it in A["items"])
    assert (
        len(
            grouped_model(located({CHARENTON: 4}), located({CHARENTON: 4}).nodes, title="T").addons["groups"][
                "g"
            ]
        )
        == 4
    )  # no slice at 4


def test_large_views_open_on_groups_small_ones_do_not(graph, projection):
    whole = set(projection.nodes)
    m = select_model(graph, whole=True, G=projection, groups_at=50, max_nodes=30, group_by="territory")
    assert "groups" in m.addons and m.grouped
    assert sum(n["memberCount"] for n in m.nodes) == len(m.addons["groups"]["items"])
    plain = select_model(graph, whole=True, G=projection, groups_at=len(whole), max_nodes=30)
    assert "groups" not in plain.addons


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    with browser() as ctx:
        yield ctx


def _click_node(p, node_id: str) -> None:
    xy = p.evaluate(
        """id => { const n = kgView.network; const d = n.canvasToDOM(n.getPositions([id])[id]);
                   const r = document.getElementById('kg-net').getBoundingClientRect();
                   return [r.left + d.x, r.top + d.y]; }""",
        node_id,
    )
    p.mouse.click(xy[0], xy[1])


@pytest.mark.browser
def test_groups_show_counts_and_open_on_click(chromium, tmp_path):
    G = located({CHARENTON: 3, SAINT_MANDE: 2, VILLEURBANNE: 4}, unlocated=2, links=[(0, 1), (0, 3), (0, 5)])
    m = grouped_model(G, G.nodes, title="Groupes", by="territory")
    page = open_page(chromium, write_html(m, tmp_path / "groups.html").path)
    p = page.page

    def labels() -> list[str]:
        return sorted(p.evaluate("kgView.nodes.get().map(n => n.label)"))

    assert labels() == ["Auvergne-Rhône-Alpes (4)", "Sans territoire (2)", "Île-de-France (5)"]
    idf = next(n["id"] for n in m.nodes if n["label"].startswith("Île-de-France"))
    _click_node(p, idf)
    assert labels() == ["Val-de-Marne (5)"]
    crumbs = p.evaluate("[...document.querySelectorAll('#kg-groups button')].map(b => b.textContent)")
    assert crumbs == ["↑ Remonter", "Tout", "Île-de-France (5)"]
    _click_node(p, p.evaluate("kgView.nodes.getIds()[0]"))  # Val-de-Marne
    _click_node(p, p.evaluate("kgView.nodes.getIds()[0]"))  # the EPT
    assert labels() == ["Charenton-le-Pont (3)", "Saint-Mandé (2)"]
    assert p.evaluate("kgView.edges.get().map(e => e.label || '')") == [""]  # one grouped link
    _click_node(p, p.evaluate("kgView.nodes.get().find(n => n.label.startsWith('Charenton')).id"))
    assert labels() == ["Acteur 000", "Acteur 001", "Acteur 002"]
    assert p.evaluate("kgView.edges.length") == 1  # a0–a1
    # a node inside a group: its tooltip and the click highlight work as on any view
    _click_node(p, "i0")
    assert p.evaluate("kgView.focused") == "i0"
    p.click("#kg-groups button:text('Tout')")
    # a name inside a group is found from the top: its group opens
    p.fill("#kg-search", "acteur 007")
    p.press("#kg-search", "Enter")
    assert p.evaluate("kgView.focused") == "i7"
    assert labels() == ["Acteur 005", "Acteur 006", "Acteur 007", "Acteur 008"]  # Villeurbanne
    assert p.evaluate("document.getElementById('kg-status').textContent") == ""
    p.click("#kg-groups button:text('Tout')")
    assert labels() == ["Auvergne-Rhône-Alpes (4)", "Sans territoire (2)", "Île-de-France (5)"]
    assert page.console_errors == [] and page.page_errors == [] and page.blocked == []
    p.close()
