"""Where the project's own files are: the ontology folder and the default data folder.

One home for these paths, so no module computes them from its own location. In a checkout
(or an editable install) they are ``ontology/`` and ``data/`` at its root; an installed wheel
ships them inside the package as ``kg/ontology`` and ``kg/data`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "ONTOLOGY_DIR", "PROJECT_ROOT"]

_PACKAGE = Path(__file__).resolve().parents[1]
_CHECKOUT = _PACKAGE.parent
_IN_CHECKOUT = (_CHECKOUT / "ontology" / "tkg.ttl").is_file() and (_CHECKOUT / "kg").resolve() == _PACKAGE

#: the checkout holding ``kg/``, ``ontology/`` and ``data/``; the package folder in a wheel install
PROJECT_ROOT = _CHECKOUT if _IN_CHECKOUT else _PACKAGE
#: the ontology, SKOS schemes, SHACL shapes and JSON-LD context
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
#: the data folder shipped with the project (curated records, sources, geography)
DATA_DIR = PROJECT_ROOT / "data"
