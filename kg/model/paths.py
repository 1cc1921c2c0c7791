"""Where the project's own files are: the ontology folder and the default data folder.

One home for these paths, so no module computes them from its own location.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "ONTOLOGY_DIR", "PROJECT_ROOT"]

#: the checkout (or installed tree) holding ``kg/``, ``ontology/`` and ``data/``
PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: the ontology, SKOS schemes, SHACL shapes and JSON-LD context
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
#: the data folder shipped with the project (curated records, sources, geography)
DATA_DIR = PROJECT_ROOT / "data"
