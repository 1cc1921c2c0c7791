"""Write docs/notebooks/views.ipynb, the notebook of the views (two views inline, one turned into pyvis),
without outputs, so that the committed file is reproducible: ``python scripts/make_views_notebook.py``.

tests/test_notebook_views.py checks that the committed notebook is what this script writes, then executes
it (nbclient) and opens the executed notebook, exported to HTML, in Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "views.ipynb"

CELLS = [
    (
        "md",
        """# Les vues du graphe dans un notebook

Chaque vue s'affiche dans le notebook, hors ligne : une page complète (vis-network compris) dans
une `<iframe>` à elle, si bien que deux vues ne se gênent jamais. Rien n'est écrit sur le disque
sans qu'on le demande (`show(..., out="ma-vue.html")` ou `vue.save("ma-vue.html")`).

*Views of the graph in a notebook: each view is shown inline, offline, in an iframe of its own;
nothing is written to disk unless asked.*""",
    ),
    (
        "code",
        """import os

import kg
from kg.present.notebook import inline_pyvis
from kg.present.view import show

# le graphe construit par `kg build` ; KG_STORE désigne un autre dossier (the store built by `kg build`)
graph = kg.open(os.environ["KG_STORE"]) if os.environ.get("KG_STORE") else kg.open()""",
    ),
    ("md", "## Un programme et ses acteurs (*a programme and its actors*)"),
    ("code", 'vitawin = show(graph, programme="VitaWin")\nvitawin'),
    ("md", "## Autour d'un acteur (*around an actor*)"),
    ("code", 'rameau = show(graph, actor="Le RAMEAU", hops=1)\nrameau'),
    (
        "md",
        """## La même vue dans pyvis (*the same view in pyvis*)

`to_pyvis()` rend un `pyvis.network.Network` : mêmes nœuds, liens, couleurs et positions (physique
coupée), infobulles en texte. `net.write_html("vitawin.html")` l'écrit ; `inline_pyvis(net)`
l'affiche ici sans écrire de fichier.""",
    ),
    (
        "code",
        """net = vitawin.to_pyvis()
print(len(net.nodes), "nœuds,", len(net.edges), "liens")
inline_pyvis(net, title=vitawin.title)""",
    ),
]


def notebook() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    nb = new_notebook(
        cells=[new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in CELLS],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    # stable cell ids: the same script writes the same file
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def text() -> str:
    """The notebook as the committed file holds it."""
    return nbformat.writes(notebook()) + "\n"


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text(), encoding="utf-8")
    print(f"written {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
