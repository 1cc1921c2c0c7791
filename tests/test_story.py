"""kg.present.story and static/story.js: the guided story of a view, built from the data, stepped through
with the arrow keys in headless Chromium, in a page and inside an iframe."""

from __future__ import annotations

import os
import re
from pathlib import Path

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from kg.errors import InputError
from kg.network.chains import find_chains
from kg.present.story import chain_story, documents, history_story, load_story, territory_story
from tests.view_browser import browser, open_page, require_chromium

DOCS = {"doc/d1": {"title": "Document un", "publisher": "Éditeur", "date": "2021-03-04"}}


def graph(*, late: bool = False) -> nx.MultiDiGraph:
    """Alpha, Beta, Gamma; programmes P (2012, or 2019 when *late*) and Q (2016); a grant Alpha → Beta."""
    G = nx.MultiDiGraph()
    G.graph["concept_labels"] = {"porteur": {"fr": "Porteur", "en": "Lead"}}
    for n in ("alpha", "beta", "gamma"):
        G.add_node(n, kind="actor", label=n.capitalize(), start=None, end=None, sources=[])
    G.add_node(
        "p",
        kind="programme",
        label="Programme P",
        start="2019" if late else "2012",
        end=None,
        sources=[("doc/d1", "P commence.")],
    )
    G.add_node("q", kind="programme", label="Programme Q", start="2016", end=None, sources=[])
    G.add_node("g", kind="funding", label="g", start="2018", end=None, sources=[])
    G.add_edge("alpha", "p", kind="participation", role="porteur", start="2013", end=None, sources=[])
    G.add_edge(
        "gamma",
        "q",
        kind="participation",
        role="porteur",
        start="2017",
        end=None,
        sources=[("doc/d1", "Gamma porte Q.")],
    )
    grant = {"kind": "financement", "via": "g", "start": "2018", "end": None, "amount": 5000}
    G.add_edge("alpha", "g", role="financeur", sources=[("doc/d1", "Alpha finance Beta.")], **grant)
    G.add_edge("g", "beta", role="beneficiaire", sources=[("doc/d1", "Alpha finance Beta.")], **grant)
    G.add_edge("q", "p", kind="partie", via=None, start=None, end=None, sources=[("doc/d1", "Q dans P.")])
    return G


# ---------------------------------------------------------------- the builders, each on two inputs


def test_chain_story_one_step_per_hop_with_its_source():
    G = graph()
    short = chain_story(G, find_chains(G, "Alpha", "Beta"), docs=DOCS)
    long = chain_story(G, find_chains(G, "Gamma", "Beta"), docs=DOCS)
    assert [s["sentence"] for s in short["steps"]] == ["Alpha finance Beta : 5\u202f000\u00a0€ (depuis 2018)"]
    step = short["steps"][0]
    assert step["nodes"] == ["alpha", "beta", "g"]  # the grant is focused with its two ends
    assert step["edges"] == [["alpha", "g"], ["g", "beta"]]
    assert step["source"] == {
        "document": "d1",
        "quote": "Alpha finance Beta.",
        "title": "Document un",
        "publisher": "Éditeur",
        "date": "2021-03-04",
    }
    assert [s["title"] for s in long["steps"]] == [f"Chaîne 1 · lien {i}/4" for i in range(1, 5)]
    assert long["steps"][0]["sentence"].startswith("Gamma est porteur de Programme Q")
    assert long["steps"][1]["source"]["quote"] == "Q dans P."
    en = chain_story(G, find_chains(G, "Gamma", "Beta"), lang="en", docs=DOCS)
    assert (
        en["steps"][0]["sentence"].startswith("Gamma is lead of Programme Q") and en["ui"]["step"] == "Step"
    )


def test_a_hop_shared_by_two_chains_is_told_once():
    G = graph()
    G.add_edge("gamma", "alpha", kind="soutien", via="s", role=None, start=None, end=None, sources=[])
    chains = find_chains(G, "Gamma", "Beta", k=3)
    assert len(chains) >= 2
    steps = chain_story(G, chains)["steps"]
    told = [(s["nodes"][0], s["nodes"][1]) for s in steps]
    assert len(told) == len(set(told)) < sum(len(c) for c in chains)


def test_history_story_one_step_per_year_in_time_order():
    early, late = graph(), graph(late=True)
    a = history_story(early, early.nodes, docs=DOCS)
    b = history_story(late, late.nodes, docs=DOCS)
    assert [s["year"] for s in a["steps"]] == [2012, 2013, 2016, 2017, 2018]
    assert [s["year"] for s in b["steps"]] == [2013, 2016, 2017, 2018, 2019]
    assert a["years"] is True  # each step sets the slider
    first = a["steps"][0]
    assert first["sentence"] == "Début du programme Programme P (2012)"
    assert first["source"]["quote"] == "P commence." and first["source"]["title"] == "Document un"
    # the undated « Q part of P » is told when the later of the two starts
    assert any("Programme Q fait partie de Programme P" in m for m in b["steps"][-1]["more"])
    assert any("Programme Q fait partie de Programme P" in m for m in a["steps"][2]["more"])
    # only what the selection holds
    assert [s["year"] for s in history_story(early, ["alpha", "p"])["steps"]] == [2012, 2013]


def test_territory_story_one_step_per_programme_in_time_order():
    early, late = graph(), graph(late=True)
    a = territory_story(early, early.nodes, docs=DOCS)
    b = territory_story(late, late.nodes, docs=DOCS)
    assert [s["title"] for s in a["steps"]] == ["Programme P", "Programme Q"]
    assert [s["title"] for s in b["steps"]] == ["Programme Q", "Programme P"]
    p = a["steps"][0]
    assert p["sentence"] == "Programme P (depuis 2012) — avec Alpha (porteur)"
    assert set(p["nodes"]) == {"p", "alpha", "q"} and ["alpha", "p"] in p["edges"]
    q = a["steps"][1]
    assert q["source"]["quote"] == "Gamma porte Q."  # Q has none of its own: a participation's
    en = territory_story(early, early.nodes, lang="en")
    assert en["steps"][0]["sentence"].startswith("Programme P (since 2012) — with Alpha (lead)")


def test_a_view_keeps_the_steps_about_what_it_draws():
    from kg.present.story import attach
    from kg.present.view import build_model

    G = graph()
    whole = build_model(G, G.nodes, title="t")
    grouped = build_model(G, G.nodes, title="t", max_nodes=2)  # only Alpha drawn, the rest in a group
    for m in (whole, grouped):
        attach(m, None, G, G.nodes, story=True)
    assert [s["year"] for s in whole.addons["story"]["steps"]] == [2012, 2013, 2016, 2017, 2018]
    assert [s["year"] for s in grouped.addons["story"]["steps"]] == [2013, 2018]
    assert "timeline" in whole.addons
    assert grouped.years is None and "timeline" not in grouped.addons  # no date drawn: no axis
    chain = build_model(G, G.nodes, title="t")
    attach(chain, None, G, G.nodes, story=True, chains=find_chains(G, "Alpha", "Beta"))
    assert len(chain.addons["story"]["steps"]) == 1 and "timeline" not in chain.addons


def test_documents_have_titles_publishers_and_dates(graph):
    docs = documents(graph)
    sheet = next(d for iri, d in docs.items() if iri.endswith("002_cd60e692da181ed7"))
    letter = next(d for iri, d in docs.items() if iri.endswith("000_41ce6054b7228f2a"))
    assert sheet == {
        "title": "Fonds ODD17 – fiche partenaire Paris Est Marne et Bois",
        "publisher": "Fonds ODD17",
    }
    assert letter["date"] == "2023-03-09" and "publisher" not in letter


# ---------------------------------------------------------------- a story written in YAML


GOOD = """\
titre: Une histoire
etapes:
  - noeuds: [Alpha]
    liens: [[Gamma, Programme Q]]
    phrase: Gamma porte le programme Q.
  - liens: [[alpha, g]]
    source: {document: Document un, citation: "Alpha finance Beta."}
    annee: 2018
"""


def test_yaml_story_reads_names_and_takes_sources_from_the_data(tmp_path):
    path = tmp_path / "histoire.yaml"
    path.write_text(GOOD, encoding="utf-8")
    story = load_story(path, graph(), docs=DOCS)
    one, two = story["steps"]
    assert story["title"] == "Une histoire" and story["years"] is True
    assert one["nodes"] == ["alpha", "gamma", "q"] and one["edges"] == [["gamma", "q"]]
    assert one["sentence"] == "Gamma porte le programme Q." and one["source"]["quote"] == "Gamma porte Q."
    assert two["sentence"].startswith("Alpha finance g") and two["year"] == 2018
    assert two["source"]["title"] == "Document un" and two["source"]["quote"] == "Alpha finance Beta."
    path.write_text(GOOD.replace("[Alpha]", "[Beta]"), encoding="utf-8")
    assert load_story(path, graph(), docs=DOCS)["steps"][0]["nodes"][0] == "beta"


BAD = """\
etapes:
  - noeuds: [Alpah]
    phrase: Alpha commence.
  - liens: [[Alpha, Beta]]
    source: {document: Document un, citation: "Une phrase que personne n'a écrite."}
  - noeuds: [Gamma]
    couleur: rouge
"""


def test_bad_yaml_story_lists_every_problem_located_in_french(tmp_path):
    path = tmp_path / "mauvaise.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_story(path, graph(), docs=DOCS)
    text = str(err.value)
    assert text.startswith(f"{path} : histoire invalide")
    lines = text.splitlines()[1:]
    assert len(lines) == 4, text
    assert (
        f"{path}, ligne 2, colonne « noeuds » : étape 1 : « Alpah » n'est pas dans le graphe ; "
        "vouliez-vous dire « Alpha » ?" in lines[0]
    )
    assert "ligne 4, colonne « liens » : étape 2 : aucun lien entre « Alpha » et « Beta »" in lines[1]
    assert (
        "ligne 4, colonne « citation »" in lines[2] and "n'est pas une phrase que le graphe cite" in lines[2]
    )
    assert "ligne 6, colonne « couleur » : étape 3 : champ inconnu" in lines[3]
    assert all("correction :" in line for line in lines)
    path.write_text("etapes: [\n  - a", encoding="utf-8")
    with pytest.raises(InputError, match=r"ligne \d+ : YAML invalide"):
        load_story(path, graph())
    path.write_text("titre: rien\n", encoding="utf-8")
    with pytest.raises(InputError, match="colonne « etapes » : aucune liste d'étapes"):
        load_story(path, graph())


# ---------------------------------------------------------------- the command and the page


def _cli(args: list[str]):
    from kg.cli.view import register

    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["view", *args])


@pytest.fixture(scope="module")
def chain_page(built_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("story") / "chaine.html"
    res = _cli(
        [
            "--chain",
            "Fondation TotalEnergies",
            "Club ESS",
            "--story",
            "--store",
            str(built_store),
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    assert "Récit : 7 étapes" in res.output
    return out


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    with browser() as ctx:
        yield ctx


def _story_data(path: Path) -> dict:
    import json

    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="kg-data">(.*?)</script>', text, re.S).group(1))["addons"]["story"]


def _panel(frame) -> dict:
    return frame.evaluate(
        """() => ({counter: document.getElementById('kg-story-counter').textContent,
                  sentence: document.getElementById('kg-story-sentence').textContent,
                  quote: document.getElementById('kg-story-quote').textContent,
                  source: document.getElementById('kg-story-source').textContent,
                  hash: location.hash, step: kgView.storyStep})"""
    )


def _clean(page) -> None:
    assert page.blocked == [] and page.console_errors == [] and page.page_errors == [] and page.dialogs == []


def _dimmed(frame) -> list[str]:
    return frame.evaluate(
        "kgView.nodes.get().filter(n => n.color && n.color.background === 'rgba(200,200,200,0.35)')"
        ".map(n => n.id)"
    )


def _screenshot(p, name: str, tmp_path: Path) -> None:
    """Saved beside the test's files, and into $KG_SCREENSHOTS when set (to look at them)."""
    for folder in filter(None, [tmp_path, os.environ.get("KG_SCREENSHOTS")]):
        Path(folder).mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(Path(folder) / name))
    assert (tmp_path / name).stat().st_size > 10_000


@pytest.mark.browser
def test_arrow_keys_step_through_the_chain_with_sentence_source_and_fragment(chain_page, chromium, tmp_path):
    steps = _story_data(chain_page)["steps"]
    page = open_page(chromium, chain_page)
    p = page.page
    start = _panel(p)
    assert start["counter"] == "Vue d'ensemble" and start["hash"] == "" and _dimmed(p) == []
    seen = []
    for i, step in enumerate(steps, 1):
        p.keyboard.press("ArrowRight")
        now = _panel(p)
        assert now["counter"] == f"Étape {i} sur {len(steps)}"
        assert now["sentence"] == step["sentence"]
        assert now["quote"] == f"« {step['source']['quote']} »"
        assert now["source"].startswith("Source : Fonds ODD17 – fiche partenaire Paris Est Marne et Bois")
        assert now["hash"] == f"#etape={i}"
        seen.append(now["sentence"])
        ids = {n["iri"]: n["id"] for n in _nodes(p)}
        focused = {ids[iri] for iri in step["nodes"]}
        dimmed = set(_dimmed(p))
        assert focused.isdisjoint(dimmed) and dimmed  # its nodes stand out, the rest is dimmed
        if i == 2:
            _screenshot(p, "story-step-2.png", tmp_path)
    assert len(set(seen)) == len(steps)
    assert seen[0].startswith("Fondation TotalEnergies a fondé ou cofondé Fonds ODD17")
    assert seen[1].startswith("Fonds ODD17 finance Club ESS : 3")
    p.keyboard.press("ArrowRight")  # at the end: stays
    assert _panel(p)["hash"] == f"#etape={len(steps)}"
    p.keyboard.press("ArrowLeft")
    assert _panel(p)["hash"] == f"#etape={len(steps) - 1}"
    p.click("#kg-story button.prev")
    assert _panel(p)["step"] == len(steps) - 2
    p.keyboard.press("Home")
    assert _panel(p)["hash"] == "" and _dimmed(p) == []
    _clean(page)
    p.close()


def _nodes(frame) -> list[dict]:
    return frame.evaluate("kgView.data.nodes.filter(n => n.iri).map(n => ({iri: n.iri, id: n.id}))")


#: how much of the canvas the given IRIs' nodes span once the view has settled (largest of width, height)
SPAN = """iris => { const n = kgView.network;
  const c = document.getElementById('kg-net').getBoundingClientRect();
  const ids = kgView.data.nodes.filter(x => iris.includes(x.iri)).map(x => x.id);
  const ps = n.getPositions(ids); const xs = [], ys = [];
  for (const id of ids) { const d = n.canvasToDOM(ps[id]); xs.push(d.x); ys.push(d.y); }
  if (!xs.every(x => x >= 0 && x <= c.width) || !ys.every(y => y >= 0 && y <= c.height)) return 0;
  return Math.max((Math.max(...xs) - Math.min(...xs)) / c.width,
                  (Math.max(...ys) - Math.min(...ys)) / c.height); }"""

#: how far the middle of the given IRIs' nodes is from the canvas's centre (fraction of its width, height)
CENTRE = """iris => { const n = kgView.network;
  const c = document.getElementById('kg-net').getBoundingClientRect();
  const ids = kgView.data.nodes.filter(x => iris.includes(x.iri)).map(x => x.id);
  const ds = Object.values(n.getPositions(ids)).map(p => n.canvasToDOM(p));
  const xs = ds.map(d => d.x), ys = ds.map(d => d.y);
  return Math.max(Math.abs((Math.max(...xs) + Math.min(...xs)) / 2 - c.width / 2) / c.width,
                  Math.abs((Math.max(...ys) + Math.min(...ys)) / 2 - c.height / 2) / c.height); }"""


def _settled_span(p, iris: list[str]) -> float:
    p.wait_for_function("window.kgView && window.kgView.drawn")
    last, same = -1.0, 0
    while same < 3:  # until the fit's animation is over: the same span three frames in a row
        span = p.evaluate(f"new Promise(r => requestAnimationFrame(() => r(({SPAN})({iris!r}))))")
        same = same + 1 if span == last else 0
        last = span
    return last


@pytest.mark.browser
def test_opening_with_a_fragment_opens_that_step(chain_page, chromium):
    steps = _story_data(chain_page)["steps"]
    for n in (2, 4):
        p = chromium.new_page()
        p.goto(chain_page.resolve().as_uri() + f"#etape={n}")
        p.wait_for_function("window.kgView && window.kgView.drawn")
        now = _panel(p)
        assert now["counter"] == f"Étape {n} sur {len(steps)}" and now["sentence"] == steps[n - 1]["sentence"]
        p.evaluate("location.hash = '#etape=1'")  # a slide that changes the fragment moves the story
        p.wait_for_function("kgView.storyStep === 1")
        p.close()


@pytest.mark.browser
def test_territory_story_opened_on_a_step_zooms_on_that_programme(graph, projection, chromium, tmp_path):
    from kg.present.view import view

    r = view(graph, territory="intercommunalite:200057941", story=True, out=tmp_path / "t.html", G=projection)
    steps = r.model.addons["story"]["steps"]
    q2er = next(
        i for i, s in enumerate(steps, 1) if s["title"] == "Quand Elèves et Entreprises se rencontrent"
    )
    assert [s["title"] for s in steps][:2] == ["Agir Ensemble en Territoire", steps[q2er - 1]["title"]]
    p = chromium.new_page()
    p.goto(r.path.resolve().as_uri())
    whole = _settled_span(p, steps[q2er - 1]["nodes"])
    p.close()
    p = chromium.new_page()
    p.set_viewport_size({"width": 960, "height": 540})
    p.goto(r.path.resolve().as_uri() + f"#etape={q2er}")
    assert _panel(p)["sentence"].startswith(
        "Quand Elèves et Entreprises se rencontrent (depuis 2014-09) — avec"
    )
    assert _settled_span(p, steps[q2er - 1]["nodes"]) > 1.3 * whole > 0  # not left at the whole view
    p.set_viewport_size({"width": 1280, "height": 720})  # the slide grows: the step stays in view, centred
    assert _settled_span(p, steps[q2er - 1]["nodes"]) > 1.3 * whole
    assert p.evaluate(CENTRE, steps[q2er - 1]["nodes"]) < 0.1
    p.close()


def _host(tmp_path: Path, body: str) -> Path:
    host = tmp_path / "diapo.html"
    host.write_text(f"<!DOCTYPE html><html><body style='margin:0;width:960px'>{body}</body></html>", "utf-8")
    return host


@pytest.mark.browser
@pytest.mark.parametrize("how", ["file", "srcdoc"])
def test_the_story_works_inside_an_iframe(chain_page, chromium, tmp_path, how):
    import html

    steps = _story_data(chain_page)["steps"]
    target = tmp_path / chain_page.name
    target.write_bytes(chain_page.read_bytes())
    if how == "file":
        frame_tag = f'<iframe src="{target.name}#etape=2" style="width:960px;height:540px;border:0"></iframe>'
    else:
        frame_tag = (
            f'<iframe srcdoc="{html.escape(target.read_text(encoding="utf-8"))}" '
            'style="width:960px;height:540px;border:0"></iframe>'
        )
    host = _host(tmp_path, frame_tag)
    page = chromium.new_page()
    blocked: list[str] = []
    errors: list[str] = []
    allowed = {host.resolve().as_uri(), target.resolve().as_uri()}
    page.route(
        "**/*",
        lambda rt: (
            rt.continue_()
            if rt.request.url.split("#")[0] in allowed
            else (blocked.append(rt.request.url), rt.abort())
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(host.resolve().as_uri(), wait_until="load")
    frame = page.frames[1]
    frame.wait_for_function("window.kgView && window.kgView.drawn")
    first = 2 if how == "file" else 0
    assert _panel(frame)["step"] == first
    page.click("iframe", position={"x": 480, "y": 400})  # the presenter clicks into the slide
    page.keyboard.press("ArrowRight")
    now = _panel(frame)
    assert now["sentence"] == steps[first]["sentence"] and now["hash"] == f"#etape={first + 1}"
    assert now["source"].startswith("Source : ")
    assert page.evaluate("location.hash") == ""  # the slide's own address is left alone
    assert blocked == [] and errors == []
    page.close()


STORY = """\
titre: AET, puis Q2ER
etapes:
  - noeuds: [AET]
    phrase: La démarche AET commence en 2008.
    annee: 2008
  - liens: [[Q2ER, AET]]
    annee: 2014
"""


@pytest.mark.browser
def test_a_yaml_story_in_the_page_and_a_bad_one_at_the_command(built_store, chromium, tmp_path):
    story = tmp_path / "histoire.yaml"
    story.write_text(STORY, encoding="utf-8")
    out = tmp_path / "aet.html"
    res = _cli(["--programme", "AET", "--story", str(story), "--store", str(built_store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = open_page(chromium, out)
    p = page.page
    p.keyboard.press("ArrowRight")
    one = _panel(p)
    assert one["sentence"] == "La démarche AET commence en 2008." and one["hash"] == "#etape=1"
    assert one["source"].startswith("Source : Fonds ODD17 – fiche partenaire")  # AET's own, from the data
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2008"
    p.keyboard.press("ArrowRight")
    two = _panel(p)
    assert two["sentence"].startswith(
        "Quand Elèves et Entreprises se rencontrent fait partie d'Agir Ensemble"
    )
    assert p.evaluate("document.getElementById('kg-year-out').textContent") == "2014"
    _clean(page)
    p.close()
    story.write_text(STORY.replace("[Q2ER, AET]", "[Q2ER, Club ESS]"), encoding="utf-8")
    res = _cli(["--programme", "AET", "--story", str(story), "--store", str(built_store), "--out", str(out)])
    assert res.exit_code == 3
    said = " ".join(res.output.split())  # the terminal may wrap the long line
    assert (
        f"{story}, ligne 6, colonne « liens » : étape 2 : aucun lien entre « Q2ER » et « Club ESS »" in said
    )
    res = _cli(["--programme", "AET", str(story), "--store", str(built_store), "--out", str(out)])
    assert res.exit_code == 2 and "a story file goes after --story" in res.output


@pytest.mark.browser
def test_english_story(built_store, chromium, tmp_path):
    out = tmp_path / "en.html"
    res = _cli(
        [
            "--chain",
            "Fondation TotalEnergies",
            "Club ESS",
            "--story",
            "--lang",
            "en",
            "--store",
            str(built_store),
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    page = open_page(chromium, out)
    p = page.page
    p.keyboard.press("ArrowRight")
    now = _panel(p)
    assert now["counter"] == "Step 1 of 7" and now["hash"] == "#step=1"
    assert now["sentence"].startswith("Fondation TotalEnergies founded or co-founded Fonds ODD17")
    assert now["quote"].startswith("“") and now["source"].startswith("Source: Fonds ODD17 – fiche partenaire")
    _clean(page)
    p.close()


PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.mark.browser
def test_injected_names_and_quotes_stay_text_in_the_story_and_the_time_axis(chromium, tmp_path):
    from kg.present.story import attach
    from kg.present.view import build_model, write_html

    G = graph()
    G.nodes["alpha"]["label"] = PAYLOAD
    G.nodes["p"]["sources"] = [("doc/d1", f"<script>alert(2)</script> {PAYLOAD}")]
    m = build_model(G, G.nodes, title="t")
    attach(m, None, G, G.nodes, story=True)
    page = open_page(chromium, write_html(m, tmp_path / "x.html").path)
    p = page.page
    p.keyboard.press("ArrowRight")
    assert _panel(p)["quote"] == f"« <script>alert(2)</script> {PAYLOAD} »"
    p.keyboard.press("ArrowRight")
    assert _panel(p)["sentence"] == f"{PAYLOAD} est porteur de Programme P (depuis 2013)"
    assert PAYLOAD in p.evaluate("document.querySelector('#kg-timeline .year[data-year=\"2013\"]').title")
    assert (
        p.evaluate("document.querySelectorAll('#kg-story img, #kg-story script, #kg-timeline img').length")
        == 0
    )
    _clean(page)
    p.close()
