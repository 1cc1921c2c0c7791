"""What a story says, French first: the words of the page's story panel and time axis (:data:`STORY_UI`,
sent to the page) and those the builders of :mod:`kg.present.story` put around the data (:data:`WORDS`)."""

from __future__ import annotations

__all__ = ["STORY_UI", "WORDS"]

#: what the story panel and the time axis say, French first
STORY_UI = {
    "fr": {
        "step": "Étape",
        "of": "sur",
        "prev": "← Précédente",
        "next": "Suivante →",
        "overview": "Vue d'ensemble",
        "intro": "{n} étapes : flèches ← → du clavier ou boutons ci-contre.",
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
        "intro": "{n} steps: arrow keys ← → or the buttons beside.",
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
