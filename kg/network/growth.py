"""Growth of an ecosystem year by year, from its dated facts only.

What is counted, and how (:func:`growth`):

- only **dated** facts; the undated ones are counted apart and reported, never placed in a year;
- **spans** — an actor from its founding (or first activity) date, a programme, a funding, a
  lasting relation (participation, adhesion, soutien, unite, poste, partie) — count in every year
  from their start to their end; one with no end date counts until the last year of the series;
- **one-year events** — a founding tie (``fondation``), a programme continuing another
  (``succession``), an inspiration, an event, a publication — count in their year only, so a
  founding is not "active" forever;
- a **funding counts once** (its grant), not once per funder or recipient relation; the
  relations of an event or publication (``evenement``, ``publication``, ``sujet``) are counted
  with the event or publication itself;
- the series runs from the first dated fact to the **last dated fact** (a start or an end), never
  on to the current year.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", kind="actor", start="2019")
>>> G.add_node("b", kind="actor", start=None)
>>> G.add_node("g", kind="funding", start="2020", end="2021")
>>> _ = G.add_edge("a", "g", kind="financement", start="2020", end="2021")
>>> _ = G.add_edge("g", "b", kind="financement", start="2020", end="2021")
>>> series = growth(G)
>>> [(r["year"], r["actors"], r["fundings"]) for r in series["years"]]
[(2019, 1, 0), (2020, 1, 1), (2021, 1, 1)]
>>> series["undated"]
{'actors': 1}
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

__all__ = [
    "COUNTED_WITH_THEIR_NODE",
    "COUNTS",
    "ONE_YEAR_KINDS",
    "SPAN_NODE_KINDS",
    "describe_growth",
    "growth",
]

#: node kinds counted as spans (from start to end), under these names
SPAN_NODE_KINDS = {"actor": "actors", "programme": "programmes", "funding": "fundings"}
#: node kinds counted in their year only
EVENT_NODE_KINDS = {"event": "events", "publication": "publications"}
#: edge kinds that are one-year events: counted in their start year only
ONE_YEAR_KINDS = {"fondation": "foundings", "succession": "continuations", "inspiration": "inspirations"}
#: edge kinds counted with their node (a grant, an event, a publication), not as relations; and territories,
#: which are where an actor works, not a fact with a date
COUNTED_WITH_THEIR_NODE = frozenset({"financement", "evenement", "publication", "sujet", "territoire"})

#: every count of a year, in the order the sentences give them
COUNTS = (
    "actors",
    "programmes",
    "relations",
    "fundings",
    "foundings",
    "continuations",
    "inspirations",
    "events",
    "publications",
)


def _year(value: Any) -> int | None:
    text = str(value or "")[:4]
    return int(text) if len(text) == 4 and text.isdigit() else None


def growth(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Per year, what existed or happened, from the dated facts of *G* (see the module docstring).

    Returns
    -------
    dict
        ``years``: one dict per year from the first to the last dated fact, with ``year`` and
        each of :data:`COUNTS` (spans running that year, events of that year); ``dated`` and
        ``undated``: how many facts of each kind were counted and left out; ``first``, ``last``.
        ``years`` is empty when no fact is dated.
    """
    spans: list[tuple[str, int, int | None]] = []
    events: list[tuple[str, int]] = []
    undated: Counter[str] = Counter()
    # the same dates come back on many facts: each text is read once (a national graph has ~1 M of them)
    years_of: dict[Any, int | None] = {}

    def year(value: Any) -> int | None:
        try:
            return years_of[value]
        except KeyError:
            found = years_of[value] = _year(value)
            return found
        except TypeError:  # pragma: no cover - a list value of a hand-built graph
            return _year(value)

    # in the graph's order: only counts are kept, so the order of the facts does not matter
    for _, d in G.nodes(data=True):
        kind = str(d.get("kind"))
        name = SPAN_NODE_KINDS.get(kind) or EVENT_NODE_KINDS.get(kind)
        if name is None:
            continue
        start = year(d.get("start"))
        if start is None:
            undated[name] += 1
        elif kind in SPAN_NODE_KINDS:
            spans.append((name, start, year(d.get("end"))))
        else:
            events.append((name, start))
    for *_, d in G.edges(data=True):
        kind = str(d.get("kind"))
        if kind in COUNTED_WITH_THEIR_NODE:
            continue
        name = ONE_YEAR_KINDS.get(kind, "relations")
        start = year(d.get("start"))
        if start is None:
            undated[name] += 1
        elif kind in ONE_YEAR_KINDS:
            events.append((name, start))
        else:
            spans.append((name, start, year(d.get("end"))))
    dated = Counter(name for name, *_ in spans) + Counter(name for name, _ in events)
    years = [a for _, a, _ in spans] + [b for _, _, b in spans if b is not None] + [a for _, a in events]
    out: dict[str, Any] = {
        "years": [],
        "dated": dict(sorted(dated.items())),
        "undated": dict(sorted(undated.items())),
    }
    if not years:
        out["first"] = out["last"] = None
        return out
    first, last = min(years), max(years)
    width = last - first + 1
    counts = {name: [0] * (width + 1) for name in COUNTS}
    for name, a, b in spans:
        delta = counts[name]
        delta[a - first] += 1
        if b is not None and b >= a:
            delta[b - first + 1] -= 1
        elif b is not None:  # an end before its start: counted in its start year only
            delta[a - first + 1] -= 1
    for name, a in events:
        counts[name][a - first] += 1
        counts[name][a - first + 1] -= 1
    for name in COUNTS:
        running = 0
        for i in range(width):
            running += counts[name][i]
            counts[name][i] = running
    out["years"] = [{"year": first + i, **{name: counts[name][i] for name in COUNTS}} for i in range(width)]
    out["first"], out["last"] = first, last
    return out


#: (singular, plural) of each count in a sentence, per language
_WORDS = {
    "fr": {
        "actors": ("acteur daté", "acteurs datés"),
        "programmes": ("programme en cours", "programmes en cours"),
        "relations": ("relation en cours", "relations en cours"),
        "fundings": ("financement en cours", "financements en cours"),
        "foundings": ("lien de fondation", "liens de fondation"),
        "continuations": ("programme qui en prolonge un autre", "programmes qui en prolongent d'autres"),
        "inspirations": ("inspiration", "inspirations"),
        "events": ("événement", "événements"),
        "publications": ("publication", "publications"),
    },
    "en": {
        "actors": ("dated actor", "dated actors"),
        "programmes": ("running programme", "running programmes"),
        "relations": ("running relation", "running relations"),
        "fundings": ("running funding", "running fundings"),
        "foundings": ("founding tie", "founding ties"),
        "continuations": ("programme continuing another", "programmes continuing another"),
        "inspirations": ("inspiration", "inspirations"),
        "events": ("event", "events"),
        "publications": ("publication", "publications"),
    },
}
_SENTENCES = {
    "fr": {
        "method": "Comptés : {dated} faits datés ({detail}) ; {undated} faits sans date laissés de côté ({left}). "
        "Un acteur compte à partir de sa date de création ou de début d'activité ; chaque financement compte une "
        "fois ; une fondation, un événement ou une publication compte l'année où il a lieu ; un programme ou une "
        "relation sans date de fin compte jusqu'en {last}, dernière année datée.",
        "none": "Aucun fait daté : pas de croissance à montrer ({undated} faits sans date).",
        "year": "En {year} : {counts}.",
        "of_the_year": " ; dans l'année : {counts}",
    },
    "en": {
        "method": "Counted: {dated} dated facts ({detail}); {undated} undated facts left out ({left}). An actor "
        "counts from its founding or start date; each funding counts once; a founding, an event or a publication "
        "counts in its year; a programme or relation with no end date counts until {last}, the last dated year.",
        "none": "No dated fact: no growth to show ({undated} undated facts).",
        "year": "In {year}: {counts}.",
        "of_the_year": "; in the year: {counts}",
    },
}
_FACTS = {
    "fr": {
        "actors": ("acteur", "acteurs"),
        "programmes": ("programme", "programmes"),
        "relations": ("relation", "relations"),
        "fundings": ("financement", "financements"),
        "foundings": ("lien de fondation", "liens de fondation"),
        "continuations": ("prolongement", "prolongements"),
        "inspirations": ("inspiration", "inspirations"),
        "events": ("événement", "événements"),
        "publications": ("publication", "publications"),
    },
    "en": {
        "actors": ("actor", "actors"),
        "programmes": ("programme", "programmes"),
        "relations": ("relation", "relations"),
        "fundings": ("funding", "fundings"),
        "foundings": ("founding tie", "founding ties"),
        "continuations": ("continuation", "continuations"),
        "inspirations": ("inspiration", "inspirations"),
        "events": ("event", "events"),
        "publications": ("publication", "publications"),
    },
}
_LASTING = COUNTS[:4]


def _count(n: int, name: str, lang: str, words: dict[str, dict[str, tuple[str, str]]] = _WORDS) -> str:
    """``n`` and the noun of *name*, singular or plural (0 is singular in French, plural in English)."""
    one, many = words[lang][name]
    return f"{n} {one if n == 1 or (lang == 'fr' and n == 0) else many}"


def describe_growth(series: dict[str, Any], lang: str = "fr") -> list[tuple[str, dict[str, Any], str]]:
    """Sentences of a :func:`growth` series: ``(kind, figures, sentence)``, the method first.

    The method sentence says what was counted and how many undated facts were left out; then one
    sentence per year in which a count changes (and the first and last years).
    """
    S = _SENTENCES[lang]
    dated, undated = series["dated"], series["undated"]

    def listing(counts: dict[str, int]) -> str:
        return ", ".join(_count(counts[c], c, lang, _FACTS) for c in COUNTS if counts.get(c)) or "0"

    if not series["years"]:
        figures = {"dated": dated, "undated": undated}
        return [("growth-method", figures, S["none"].format(undated=sum(undated.values())))]
    figures = {key: series[key] for key in ("dated", "undated", "first", "last")}
    out = [
        (
            "growth-method",
            figures,
            S["method"].format(
                dated=sum(dated.values()),
                detail=listing(dated),
                undated=sum(undated.values()),
                left=listing(undated),
                last=series["last"],
            ),
        )
    ]
    rows = series["years"]
    previous: tuple[int, ...] | None = None
    for i, row in enumerate(rows):
        lasting = tuple(row[c] for c in _LASTING)
        happened = [c for c in COUNTS[4:] if row[c]]
        if lasting == previous and not happened and i != len(rows) - 1:
            continue
        previous = lasting
        text = ", ".join(_count(row[c], c, lang) for c in _LASTING)
        if happened:
            text += S["of_the_year"].format(counts=", ".join(_count(row[c], c, lang) for c in happened))
        out.append(("growth", dict(row), S["year"].format(year=row["year"], counts=text)))
    return out
