"""Write docs/notebooks/researcher.ipynb: the researchers' tour of the Python API, outputs stripped.

The notebook is generated (this script, with nbformat) so that it is reproducible and reviewed as
code; ``tests/test_notebook_research.py`` executes it from a folder outside the checkout, with
``KG_STORE`` set, and fails on any error.

Usage: ``python scripts/make_researcher_notebook.py [OUT]`` (default ``docs/notebooks/researcher.ipynb``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "notebooks" / "researcher.ipynb"

CELLS: list[tuple[str, str]] = [
    (
        "md",
        """# Territorial KG from Python: a researcher's tour

The graph of the actors of French territories and their alliances, from a notebook: open it, ask it
SPARQL into pandas, run the named questions, project it to NetworkX, explain alliance chains, analyse
the actor network, draw a view, and use it as an rdflib `Dataset`. The guide is `docs/api.md`.

**Where the graph is.** `kg.open()` takes the store named by the environment variable `KG_STORE`
(the `build/store` folder written by `kg build`, or a SPARQL endpoint URL), else the `build/store`
of the nearest project folder above the notebook's folder. Start Jupyter with
`KG_STORE=/path/to/territorial-kg/build/store jupyter lab`, or set it below.""",
    ),
    (
        "code",
        """import os

import networkx as nx
import pandas as pd
from IPython.display import HTML, display

import kg

# os.environ["KG_STORE"] = "/path/to/territorial-kg/build/store"   # when not set before starting Jupyter
graph = kg.open()
print(graph.path, f"{len(graph):,} quads in {len(graph.named_graphs())} named graphs")""",
    ),
    (
        "md",
        """## SPARQL into pandas

`graph.frame(query, **bindings)` returns a DataFrame with typed columns: amounts as `float64`,
integers as `Int64`, `xsd:date` as `datetime64`, a column of years only as yearly periods (a column
mixing years and full dates stays text, so that no day is invented). The project's prefixes
(`tkg:`, `org:`, `schema:`, `dct:`, `dcat:`…) are known; the default graph is the union of the named
graphs.""",
    ),
    (
        "code",
        """grants = graph.frame('''
SELECT ?grant ?funderName ?amount ?start WHERE {
  ?grant a schema:MonetaryGrant ; schema:amount/schema:value ?amount .
  OPTIONAL { ?grant schema:funder/rdfs:label ?funderName }
  OPTIONAL { ?grant dct:temporal/dcat:startDate ?start }
  FILTER NOT EXISTS { ?grant dct:isPartOf ?whole }   # a part of a larger grant is not counted twice
} ORDER BY DESC(?amount)''')
print(grants.dtypes)
print(f"{grants.amount.sum():,.0f} EUR in {len(grants)} grants")
grants.head()""",
    ),
    (
        "md",
        """## Values keep their meaning

Keyword arguments are *bound* to the query's variables as RDF terms, never pasted into its text.
SPARQL compares terms: the labels are French (`"Le RAMEAU"@fr`), and a plain Python `str` is a
plain string, which is **not** equal to them. Bind `kg.fr("Le RAMEAU")` (or `kg.lang(text, "en")`,
or an rdflib `Literal` with its language). An `int` is an `xsd:integer`, a `datetime.date` an
`xsd:date`, `kg.IRI(...)` an IRI. `terms=True` answers with rdflib terms, languages and datatypes
kept.""",
    ),
    (
        "code",
        """find = "SELECT ?actor WHERE { ?actor rdfs:label ?label }"
print("plain str :", graph.query(find, label="Le RAMEAU"))
print("kg.fr     :", graph.query(find, label=kg.fr("Le RAMEAU")))
graph.query(
    "SELECT ?label ?founded WHERE { ?actor rdfs:label ?label "
    "OPTIONAL { ?actor schema:foundingDate ?founded } }",
    actor=kg.IRI("https://w3id.org/territorial-kg/id/actor/le-rameau"),
    terms=True,
)""",
    ),
    (
        "md",
        """## The named questions

`kg.list_queries()` lists them (`kg query --list` on the command line); `kg.query(graph, name, **params)`
runs one, with parameters of any simple type: a year as an `int`, a `datetime.date`, a name, an IRI.
`from` is a Python keyword: write `from_`. Names are matched, not compared as terms: an actor's name is
looked up among all its labels, case- and accent-insensitively.""",
    ),
    (
        "code",
        """for q in kg.list_queries():
    print(f"{q.name:24} {q.title.get('en', '')}")
funders = kg.query(graph, "funders-of-territory", territory="departement:94", from_=2020, to=2023)
funders.frame()""",
    ),
    (
        "md",
        """## The NetworkX projection and alliance chains

`kg.project(graph)` is a `networkx.MultiDiGraph`: actors, persons, programmes, fundings, events,
publications and territories as nodes (attribute `kind`), relations as edges (attribute `kind`:
`participation`, `financement`, `adhesion`, `soutien`…, with `start`, `end`, `source`).
`kg.chains(G, a, b)` explains the shortest alliance chains hop by hop, each hop with its dates and its
source.""",
    ),
    (
        "code",
        """G = kg.project(graph)
print(G.number_of_nodes(), "nodes,", G.number_of_edges(), "edges")
print(pd.Series([k for _, k in G.nodes(data="kind")]).value_counts().to_string())
for hop in kg.chains(G, "Fondation TotalEnergies", "Club ESS", k=1)[0].hops:
    print("-", hop.sentence(lang="en"))""",
    ),
    (
        "md",
        """## The actor network

Centralities computed on `project()` itself would mislead: it holds programmes, grants, territories
and events as nodes, so a programme or a département would come out as the best "broker".
`kg.actor_graph(G)` is the network every measure of `kg analyse` runs on: **one node per actor**;
two actors are **tied** when a relation joins them directly (membership, support, founding, unit…,
any kind but `territoire`) or when both take part in the **same activity** (a programme, a grant, an
event, a publication: activities are never nodes, so never brokers). Persons count through the
organisation of their post. `H.graph["activities"]` says which activities tie each actor.""",
    ),
    (
        "code",
        """H = kg.actor_graph(G)
print(H.number_of_nodes(), "actors,", H.number_of_edges(), "ties")
between = nx.betweenness_centrality(H)
top = sorted(between, key=between.get, reverse=True)[:5]
pd.DataFrame({"actor": [H.nodes[n]["label"] for n in top], "betweenness": [between[n] for n in top]})""",
    ),
    (
        "code",
        """report = kg.analyse(graph, territory="intercommunalite:200057941", lang="en")
for name, title, findings in report.titled_sections():
    if findings:
        print(title)
        for finding in findings[:2]:
            print("  -", finding.sentence)""",
    ),
    (
        "md",
        """## A view, inline

`kg.view(graph, ...)` writes an offline HTML page (vis-network inlined, nothing fetched); without
`out=` it goes to a new temporary folder, never into the notebook's folder. Shown inline here in an
`<iframe srcdoc>`.""",
    ),
    (
        "code",
        """import html
from pathlib import Path

result = kg.view(graph, actor="Fonds ODD17", hops=1, lang="en")
print(result.path, result.nodes, "nodes", result.edges, "edges")
if hasattr(result, "_repr_html_"):
    display(result)
else:
    page = Path(result.path).read_text(encoding="utf-8")
    display(HTML(f'<div><iframe srcdoc="{html.escape(page)}" title="Fonds ODD17" '
                 'style="width:100%;aspect-ratio:16/9;border:0"></iframe></div>'))""",
    ),
    (
        "md",
        """## rdflib

`graph.rdflib()` is a read-only rdflib `Dataset` over the store (nothing is copied): SPARQL with
`initBindings` (run by pyoxigraph), `ds.graph(iri)` for one named graph, iteration, `len`,
serialisation. Literals are what rdflib makes of them (`"EUR"` is `Literal("EUR")`). Writes raise
`kg.StoreError`. For pySHACL, `graph.rdflib(union=True)` is one graph of the union.""",
    ),
    (
        "code",
        """from rdflib import URIRef

ds = graph.rdflib()
rows = ds.query(
    "SELECT ?partner ?label WHERE { ?actor tkg:partnerOf ?partner . ?partner rdfs:label ?label } "
    "ORDER BY ?label",
    initBindings={"actor": URIRef("https://w3id.org/territorial-kg/id/actor/le-rameau")},
)
for row in list(rows)[:5]:
    print(row.label, row.label.language)
meta = ds.graph("https://w3id.org/territorial-kg/graph/meta")
print(len(ds), "quads;", len(meta), "in graph/meta")
print(meta.serialize(format="turtle")[:600])""",
    ),
]


def notebook() -> nbformat.NotebookNode:
    """The notebook, outputs empty."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, text) in enumerate(CELLS):
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell["id"] = f"cell-{i:02d}"  # stable ids: the file changes only when a cell does
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main() -> int:
    """Write the notebook (to the path given, else docs/notebooks/researcher.ipynb)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(), str(out))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
