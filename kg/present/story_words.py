"""What a story says, French first: the words of the page's story panel and time axis (:data:`STORY_UI`,
sent to the page), those the builders of :mod:`kg.present.story` put around the data (:data:`WORDS`), and
the pieces they and :mod:`kg.present.story_file` share: a relation in its own words, a source with what is
known of its document, the story as the page reads it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.network.attributes import concept_labels, sources_of

__all__ = ["STORY_UI", "WORDS", "relation_sentence", "source_of", "story_data", "story_lang", "year_of"]

#: what the story panel and the time axis say, French first
STORY_UI = {
    "fr": {
        "step": "Étape",
        "of": "sur",
        "prev": "← Précédente",
        "next": "Suivante →",
        "overview": "Vue d'ensemble",
        "intro": "{n} étape{s} : flèches ← → du clavier ou boutons ci-contre.",
        "source": "Source",
        "no_source": "Aucune source citée pour cette étape.",
        "fragment": "etape",
        "undated": "date inconnue",
        "undated_note": "{n} nœud{s} sans date connue, toujours affiché{s} (bordure en tirets)",
        "all_years": "toutes les années",
        "links": "lien{s} commençant en {y}",
        "timeline": "Frise chronologique",
    },
    "en": {
        "step": "Step",
        "of": "of",
        "prev": "← Previous",
        "next": "Next →",
        "overview": "Overview",
        "intro": "{n} step{s}: arrow keys ← → or the buttons beside.",
        "source": "Source",
        "no_source": "No source quoted for this step.",
        "fragment": "step",
        "undated": "date unknown",
        "undated_note": "{n} node{s} with no known date, always shown (dashed border)",
        "all_years": "all years",
        "links": "link{s} starting in {y}",
        "timeline": "Timeline",
    },
}

#: the sentences the story builders say around the data
WORDS = {
    "fr": {
        "chain": "Chaîne {c} · lien {i}/{n}",
        "programme": "Début du programme {x} ({d})",
        "event": "Événement : {x} ({d})",
        "publication": "Publication : {x} ({d})",
        "with": "{x} ({d}) — avec {who}",
        "alone": "{x} ({d})",
        "undated": "date inconnue",
        "since": "depuis {d}",
        "history": "Histoire année par année",
        "territory": "Les programmes, dans l'ordre du temps",
        "chains": "La chaîne d'alliance, lien par lien",
    },
    "en": {
        "chain": "Chain {c} · link {i}/{n}",
        "programme": "Programme {x} starts ({d})",
        "event": "Event: {x} ({d})",
        "publication": "Publication: {x} ({d})",
        "with": "{x} ({d}) — with {who}",
        "alone": "{x} ({d})",
        "undated": "date unknown",
        "since": "since {d}",
        "history": "History year by year",
        "territory": "The programmes, in time order",
        "chains": "The alliance chain, link by link",
    },
}


def source_of(srcs: Iterable[Any] | None, docs: dict[str, dict[str, str]] | None) -> dict[str, str] | None:
    """The first ``(document, quote)`` of *srcs* with what is known of the document; ``None`` when none."""
    for doc, quote in sources_of(srcs):
        meta = (docs or {}).get(str(doc), {})
        out = {"document": str(doc).rsplit("/", 1)[-1], "quote": str(quote)}
        out["title"] = meta.get("title") or out["document"]
        out.update((k, meta[k]) for k in ("publisher", "date") if meta.get(k))
        return out
    return None


def story_data(title: str, steps: list[dict[str, Any]], lang: str, *, years: bool = False) -> dict[str, Any]:
    """The story as the page reads it; with *years*, each step sets the year slider to its ``year``."""
    return {"title": title, "lang": lang, "steps": steps, "ui": STORY_UI[lang], "years": years}


def story_lang(lang: str) -> str:
    return lang if lang in STORY_UI else "fr"


# ---------------------------------------------------------------- chains


def relation_sentence(G: nx.MultiDiGraph, rel: dict[str, Any], lang: str) -> str:
    """A relation of :func:`kg.network.chains.chain_graph` in its own words (no source)."""
    from kg.network.chains import Hop

    labels = concept_labels(G)
    role = rel.get("role")
    a, b = rel["a"], rel["b"]
    hop = Hop(
        source=a,
        target=b,
        source_label=str(G.nodes[a].get("label") or a),
        target_label=str(G.nodes[b].get("label") or b),
        kind=str(rel.get("kind")),
        forward=True,
        role=role,
        role_labels=(labels.get(f"role/{role}") or labels.get(role)) if role else None,
        via=rel.get("via"),
        via_label=rel.get("via_label"),
        start=rel.get("start"),
        end=rel.get("end"),
        amount=rel.get("amount"),
    )
    return hop.sentence(lang)


def year_of(value: Any) -> int | None:
    try:
        return int(str(value)[:4]) if value else None
    except ValueError:
        return None
