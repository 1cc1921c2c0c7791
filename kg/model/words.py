"""Words the project writes in French and English: amounts in euros, kinds of records, elision.

>>> euros(12500.5, "fr").replace("\u202f", " ").replace("\xa0", " ")
'12 500,50 €'
>>> kind_word("membership"), kind_word("membership", "en")
('adhésion', 'membership')
>>> elide("Fonds B est financé par de Agir")
"Fonds B est financé par d'Agir"
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

__all__ = ["KIND_WORDS", "elide", "euros", "kind_word", "lower_first", "number"]

#: kind of record (or node of the projection) → its common noun in French and English
KIND_WORDS: dict[str, dict[str, str]] = {
    "actor": {"fr": "acteur", "en": "actor"},
    "person": {"fr": "personne", "en": "person"},
    "post": {"fr": "poste", "en": "post"},
    "programme": {"fr": "programme", "en": "programme"},
    "participation": {"fr": "participation", "en": "participation"},
    "membership": {"fr": "adhésion", "en": "membership"},
    "funding": {"fr": "financement", "en": "funding"},
    "support": {"fr": "soutien", "en": "support"},
    "event": {"fr": "événement", "en": "event"},
    "publication": {"fr": "publication", "en": "publication"},
    "figure": {"fr": "chiffre", "en": "figure"},
    "document": {"fr": "source", "en": "source"},
    "connection": {"fr": "connexion", "en": "connection"},  # a Kumu connection, kept as drawn
    "territory": {"fr": "territoire", "en": "territory"},
}


def kind_word(kind: str, lang: str = "fr") -> str:
    """The common noun for a *kind* of record (``actor`` → ``acteur``); the kind itself when it has none.

    >>> kind_word("funding"), kind_word("funding", "en"), kind_word("dataset")
    ('financement', 'funding', 'dataset')
    """
    words = KIND_WORDS.get(kind)
    return words.get(lang, words["fr"]) if words else kind


def number(amount: Any, lang: str = "fr") -> str:
    """A number for a sentence: thousands split by a narrow space and a decimal comma in French,
    by commas with a decimal point in English; whole numbers have no decimals, others two.

    >>> number(250000).replace("\u202f", " "), number(250000, "en"), number(2.5), number(2.5, "en")
    ('250 000', '250,000', '2,50', '2.50')
    """
    value = Decimal(str(amount))
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return text if lang != "fr" else text.replace(",", "\u202f").replace(".", ",")


def euros(amount: Any, lang: str = "fr") -> str:
    """An amount in euros for a sentence: :func:`number` and the sign, after it in French, before it in English.

    >>> euros(3000).replace("\u202f", " ").replace("\xa0", " "), euros(1500.5, "en")
    ('3 000 €', '€1,500.50')
    """
    return number(amount, lang) + "\u00a0€" if lang == "fr" else f"€{number(amount, lang)}"


def lower_first(text: str) -> str:
    """Lower-case a label's first letter inside a sentence, unless it is an acronym (ESS, ODD…).

    >>> lower_first("Porteur"), lower_first("ESS")
    ('porteur', 'ESS')
    """
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


_VOWELS = "AEIOUYÉÈÊÀÂÎÔÛHaeiouyéèêàâîôûh"
_ELISIONS = (
    (re.compile(r"\bde Le "), "du "),
    (re.compile(r"\bà Le "), "au "),
    (re.compile(r"\bde Les "), "des "),
    (re.compile(rf"\b([dD])e ([{_VOWELS}])"), r"\1'\2"),
)


def elide(text: str) -> str:
    """French elision: « de Agir » → « d'Agir », « de Le RAMEAU » → « du RAMEAU », « à Le » → « au ».

    >>> elide("membre de Le RAMEAU"), elide("un soutien à Le Club"), elide("service de Habitat")
    ('membre du RAMEAU', 'un soutien au Club', "service d'Habitat")
    """
    for pattern, replacement in _ELISIONS:
        text = pattern.sub(replacement, text)
    return text
