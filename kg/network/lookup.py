"""Finding a node of the projection by name (case- and accent-insensitive) or by IRI.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("http://x/a", label="Club Gravelle Entreprendre", kind="actor")
>>> G.add_node("http://x/b", label="Le RAMEAU", kind="actor")
>>> resolve(G, "le rameau")
'http://x/b'
>>> resolve(G, "Club Gravel Entreprendre")
Traceback (most recent call last):
...
kg.errors.UnknownEntityError: Unknown actor "Club Gravel Entreprendre" — did you mean “Club Gravelle Entreprendre”?
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from kg.errors import UnknownEntityError

__all__ = ["candidates", "normalise", "resolve"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, accents removed, punctuation as single spaces.

    >>> normalise("Fondation  TotalEnergies — Élèves d'Île")
    'fondation totalenergies eleves d ile'
    """
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def _names(G: Any, node: str) -> list[str]:
    d = G.nodes[node]
    return [d.get("label") or "", *d.get("alt_labels", [])]


def candidates(G: Any, text: str, *, kinds: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
    """Labels of the nodes whose names are closest to *text* (best first)."""
    key = normalise(text)
    scored: dict[str, float] = {}
    for node, d in G.nodes(data=True):
        if kinds and d.get("kind") not in kinds:
            continue
        for name in _names(G, node):
            nk = normalise(name)
            if not nk:
                continue
            score = difflib.SequenceMatcher(None, key, nk).ratio()
            if key and (key in nk.split() or nk.startswith(key)):
                score = max(score, 0.8)
            label = d.get("label") or node
            scored[label] = max(scored.get(label, 0.0), score)
    best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    return [label for label, score in best[:n] if score >= 0.5]


def resolve(
    G: Any,
    text: str,
    *,
    kinds: tuple[str, ...] | None = ("actor", "person", "programme"),
    what: str = "actor",
) -> str:
    """The node named *text* (or whose IRI is *text*).

    Raises
    ------
    UnknownEntityError
        When no node has that name (with the closest names as suggestions), or when
        several do (with those as candidates).
    """
    if text in G:
        return text
    key = normalise(text)
    exact = [
        n
        for n, d in G.nodes(data=True)
        if (not kinds or d.get("kind") in kinds) and any(normalise(x) == key for x in _names(G, n))
    ]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        labels = [f"{G.nodes[n].get('label')} <{n}>" for n in exact]
        raise UnknownEntityError(f'"{text}" names several nodes: {"; ".join(labels)} — pass the IRI', labels)
    sugg = candidates(G, text, kinds=kinds)
    hint = f" — did you mean {' or '.join(f'“{s}”' for s in sugg[:3])}?" if sugg else ""
    raise UnknownEntityError(f'Unknown {what} "{text}"{hint}', sugg)
