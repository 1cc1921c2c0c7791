"""The look of a view: node families (colour and shape per actor type), edge styles, and the page's words.

:func:`family` puts a node in its legend family, for the HTML view (:mod:`kg.present.view_model`)
and the exports (:mod:`kg.present.export`) alike.
"""

from __future__ import annotations

from typing import Any

from kg.model.words import kind_word
from kg.network.attributes import listed

__all__ = ["EDGE_STYLES", "FAMILIES", "UI", "family", "label_of"]

# family -> (colour, vis-network shape); actor types map to their top concept (docs/design.md)
FAMILIES: dict[str, tuple[str, str]] = {
    "collectivite-territoriale": ("#1f77b4", "hexagon"),
    "service-etat": ("#17becf", "triangle"),
    "etablissement-public": ("#9edae5", "triangleDown"),
    "entreprise": ("#d62728", "square"),
    "association": ("#2ca02c", "dot"),
    "catalyseur-territorial": ("#ff7f0e", "star"),
    "financeur": ("#bcbd22", "diamond"),
    "reseau": ("#98df8a", "dot"),
    "organisation-professionnelle": ("#ff9896", "square"),
    "recherche": ("#9467bd", "dot"),
    "etablissement-scolaire": ("#c5b0d5", "square"),
    "service-interne": ("#aec7e8", "dot"),
    "media": ("#e377c2", "triangle"),
    "acteur": ("#7f7f7f", "dot"),
    "programme": ("#8c564b", "box"),
    "person": ("#f7b6d2", "dot"),
    "funding": ("#dbdb8d", "diamond"),
    "territory": ("#c7c7c7", "square"),
    "group": ("#636363", "dot"),
    "event": ("#ffbb78", "ellipse"),
    "publication": ("#c49c94", "square"),
}
_TYPE_FAMILY = {
    "commune": "collectivite-territoriale",
    "intercommunalite": "collectivite-territoriale",
    "departement": "collectivite-territoriale",
    "region": "collectivite-territoriale",
    "fondation": "financeur",
    "fonds-de-dotation": "financeur",
    "lycee": "etablissement-scolaire",
    "chaire": "recherche",
    "club-entreprises": "reseau",
    "chambre-consulaire": "organisation-professionnelle",
}
# relation kind -> (colour, width)
EDGE_STYLES: dict[str, tuple[str, float]] = {
    "participation": ("#8c564b", 1.2),
    "adhesion": ("#2ca02c", 1.2),
    "financement": ("#bcbd22", 2.5),
    "fondation": ("#ff7f0e", 2.0),
    "soutien": ("#9467bd", 1.5),
    "unite": ("#1f77b4", 1.0),
    "succession": ("#d62728", 3.0),
    "poste": ("#e377c2", 1.0),
    "territoire": ("#c7c7c7", 0.8),
    "partenariat": ("#17becf", 1.0),
    "groupe": ("#969696", 1.0),
    "partie": ("#637939", 2.0),
    "inspiration": ("#7b4173", 1.5),
    "evenement": ("#ffbb78", 1.0),
    "publication": ("#c49c94", 1.0),
    "sujet": ("#dbdb8d", 0.8),
}
_NON_ACTOR_LABELS = {
    lang: {"acteur": other, "group": group, "groupe": grouped}
    | {
        kind: kind_word(kind, lang).capitalize()
        for kind in ("programme", "person", "funding", "territory", "event", "publication")
    }
    for lang, other, group, grouped in (
        ("fr", "Autre acteur", "Groupe de nœuds", "Liens regroupés"),
        ("en", "Other actor", "Group of nodes", "Grouped links"),
    )
}
UI = {
    "fr": {
        "search": "Nom, sigle ou thème…",
        "year": "Année",
        "all_years": "toutes",
        "filters": "Filtres",
        "types": "Types d'acteurs",
        "kinds": "Relations",
        "theme": "Thème",
        "all_themes": "Tous les thèmes",
        "legend": "Légende",
        "type": "Type",
        "territory": "Territoire",
        "dates": "Dates",
        "since": "depuis",
        "until": "jusqu'en",
        "amount": "Montant",
        "role": "Rôle",
        "source": "Source",
        "themes": "Thèmes",
        "relation": "Relation",
        "members": "nœuds",
        "figures": "Chiffres",
        "reasons": "Dans l'écosystème parce que",
        "not_found": "Aucun nœud ne porte ce nom",
        "grouped": "Vue regroupée : {n} nœuds, au-delà de {max}, sont réunis en {g} groupes par {by} "
        "(cliquez un groupe pour voir ses membres dans l'infobulle).",
        "by_type": "type d'acteur",
        "by_territory": "territoire",
        "caption": "{nodes} nœuds, {edges} liens. Chaque fait renvoie à son document source et à la phrase "
        "citée (survolez un nœud ou un lien). Généré par Territorial KG le {date}.",
        "caption_still": "{nodes} nœuds, {edges} liens. Chaque fait renvoie à son document source et à la "
        "phrase citée (dans la vue HTML). Généré par Territorial KG le {date}.",
        "reset": "Vue initiale",
        "reset_help": "Revenir à la vue initiale (Échap)",
        "close": "Fermer",
        "description": "Description",
        "alt": "Autres noms",
        "sources": "Sources",
        "published": "publié le",
        "by": "par",
        "undated_doc": "non daté",
        "click": "Cliquez un nœud pour sa fiche et ses sources.",
    },
    "en": {
        "search": "Find a name, acronym, theme…",
        "year": "Year",
        "all_years": "all",
        "filters": "Filters",
        "types": "Actor types",
        "kinds": "Relations",
        "theme": "Theme",
        "all_themes": "All themes",
        "legend": "Legend",
        "type": "Type",
        "territory": "Territory",
        "dates": "Dates",
        "since": "since",
        "until": "until",
        "amount": "Amount",
        "role": "Role",
        "source": "Source",
        "themes": "Themes",
        "relation": "Relation",
        "members": "nodes",
        "figures": "Figures",
        "reasons": "In the ecosystem because",
        "not_found": "No node has that name",
        "grouped": "Grouped view: {n} nodes, beyond {max}, are gathered into {g} groups by {by} "
        "(hover a group to see its members).",
        "by_type": "actor type",
        "by_territory": "territory",
        "caption": "{nodes} nodes, {edges} links. Every fact points to its source document and the quoted "
        "sentence (hover a node or a link). Generated by Territorial KG on {date}.",
        "caption_still": "{nodes} nodes, {edges} links. Every fact points to its source document and the "
        "quoted sentence (in the HTML view). Generated by Territorial KG on {date}.",
        "reset": "Initial view",
        "reset_help": "Back to the initial view (Esc)",
        "close": "Close",
        "description": "Description",
        "alt": "Other names",
        "sources": "Sources",
        "published": "published",
        "by": "by",
        "undated_doc": "undated",
        "click": "Click a node for its card and sources.",
    },
}


def family(d: dict[str, Any]) -> str:
    """The legend family (a key of :data:`FAMILIES`) of a node with attributes *d* (``kind``, ``types``).

    >>> family({"kind": "actor", "types": ["fondation"]}), family({"kind": "programme"}), family({"kind": "x"})
    ('financeur', 'programme', 'acteur')
    """
    kind = d.get("kind")
    if kind != "actor":
        return kind if kind in FAMILIES else "acteur"
    for t in listed(d.get("types")):
        fam = _TYPE_FAMILY.get(t, t)
        if fam in FAMILIES:
            return fam
    return "acteur"


def label_of(labels: dict[str, dict[str, str]], notation: str, lang: str, scheme: str | None = None) -> str:
    """The label of a concept *notation* in *lang*, looked up in *scheme* first (``theme``, ``role``,
    ``relation-kind``…: a notation such as « recherche » is in several schemes), then by the bare notation."""
    entry = (labels.get(f"{scheme}/{notation}") if scheme else None) or labels.get(notation) or {}
    return entry.get(lang) or entry.get("fr") or _NON_ACTOR_LABELS[lang].get(notation) or notation
