"""The words of ``kg chains`` around the chains of :mod:`kg.network.chains`: the headline of a chain, and
how many of its hops have no date of their own (« maillons sans date connue »), in French or English.

>>> from kg.network.chains import Chain, Hop
>>> c = Chain((Hop("a", "b", "A", "B", "soutien", True), Hop("b", "c", "B", "C", "adhesion", True, start="2015")))
>>> headline(c), headline(c, as_of=2020)
('A → B → C  (2 étapes)', 'A → B → C  (2 étapes, dont 1 maillon sans date connue)')
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.network.hops import Chain, Near, at

__all__ = ["NO_CHAIN", "NO_NEAR", "headline", "undated_summary", "undated_words", "within_summary"]

#: what ``kg chains`` says when no chain links the two nodes
NO_CHAIN = {"fr": "Aucune chaîne trouvée.", "en": "No chain found."}
#: what ``kg chains --within`` says when nothing is within reach
NO_NEAR = {"fr": "Aucun nœud à portée.", "en": "Nothing within reach."}


def undated_words(n: int, lang: str = "fr") -> str:
    """``3 maillons sans date connue`` / ``3 hops with no known date``."""
    if lang == "en":
        return f"{n} hop{'s' if n != 1 else ''} with no known date"
    return f"{n} maillon{'s' if n > 1 else ''} sans date connue"


def headline(chain: Chain, lang: str = "fr", *, as_of: str | int | None = None) -> str:
    """One line naming the chain's nodes and its length, e.g. ``A → B → C  (2 étapes)``.

    With *as_of*, also how many of its hops have no date of their own
    (``(2 étapes, dont 1 maillon sans date connue)``).
    """
    word = {"fr": "étape", "en": "hop"}[lang]
    text = " → ".join(chain.labels) + f"  ({len(chain)} {word}{'s' if len(chain) > 1 else ''}"
    if as_of is not None and chain.undated:
        text += (", dont " if lang == "fr" else ", ") + undated_words(chain.undated, lang)
    return text + ")"


def undated_summary(chains: Iterable[Chain], as_of: str | int, lang: str = "fr") -> str:
    """What ``kg chains --as-of`` says under the chains: how many distinct hops without a date it kept.

    >>> undated_summary([], 1900)
    'Au total : 0 maillon sans date connue.'
    """
    hops = {(h.source, h.target, h.kind, h.via) for c in chains for h in c.hops if h.undated}
    n = len(hops)
    text = ("Au total : " if lang == "fr" else "In all: ") + undated_words(n, lang)
    if n == 0:
        return text + "."
    if lang == "fr":
        return (
            text + f". Rien ne dit qu'ils existaient {at(as_of, lang)} : une chaîne qui passe par eux "
            "est possible à cette date, pas certaine."
        )
    return (
        text + f". Nothing says they existed {at(as_of, lang)}: a chain through them is possible at "
        "that date, not certain."
    )


def within_summary(rows: Iterable[Near], as_of: str | int, lang: str = "fr") -> str:
    """What ``kg chains --within N --as-of`` says under the list: how many nodes are reached, on the
    shortest way, through at least one hop without a date of its own.

    >>> within_summary([Near("x", "X", 1, 1), Near("y", "Y", 1, 0)], 1900)
    "Au total : 1 nœud sur 2 atteint par au moins un maillon sans date connue : rien ne dit qu'il était à portée en 1900."
    """
    rows = list(rows)
    n = sum(1 for r in rows if r.undated)
    if lang == "en":
        text = f"In all: {n} node{'s' if n != 1 else ''} of {len(rows)} reached through at least one hop with no known date"
        return text + (
            f": nothing says {'they were' if n != 1 else 'it was'} within reach {at(as_of, lang)}."
            if n
            else "."
        )
    s = "s" if n > 1 else ""
    text = f"Au total : {n} nœud{s} sur {len(rows)} atteint{s} par au moins un maillon sans date connue"
    return text + (
        f" : rien ne dit qu'{'ils étaient' if n > 1 else 'il était'} à portée {at(as_of, lang)}."
        if n
        else "."
    )
