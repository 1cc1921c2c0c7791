"""What the pages of a territory and of a source document show, as plain data (see :mod:`kg.present.fiche`).

A territory's page: its ecosystem (:func:`kg.store.ecosystem.ecosystem`: who is there and why), the fundings
acting there with their amounts by year (the named question ``funders-of-territory``), its parts. A
document's page: its text, paragraph by paragraph, each with the facts the graph draws from the sentences
quoted in it.

>>> split_paragraphs("Un.\\n\\nDeux,\\ntrois.\\n")
['Un.', 'Deux,\\ntrois.']
>>> squeeze("**Le** RAMEAU,  *accompagne*") == squeeze("Le RAMEAU, accompagne")
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from kg.present.fiche import KIND_NAMES, kind_of_iri, pick

__all__ = ["document_page", "split_paragraphs", "squeeze", "territory_page"]

#: the widest period asked of ``funders-of-territory`` (a page shows every year the graph knows)
YEARS = ("1900", "2100")
#: the most parts of a territory a page lists (a region has thousands of communes)
MAX_PARTS = 400

_PARTS = """SELECT ?part ?l WHERE { ?part dct:isPartOf ?node . OPTIONAL { ?part rdfs:label ?l } }"""
_FACTS = """SELECT ?node ?d ?quote ?l WHERE {
  ?d prov:entity ?doc ; tkg:quote ?quote .
  ?node prov:qualifiedDerivation ?d .
  OPTIONAL { ?node rdfs:label ?l }
}"""
_FILE = """SELECT ?file WHERE { ?node tkg:sourceFile ?file }"""
_MARKS = re.compile(r"[\s*_#>`~\[\]|]+")


def squeeze(text: str) -> str:
    """*text* without whitespace nor markdown marks, lower-cased: how a quote is found in its document."""
    return _MARKS.sub("", text).lower()


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of *text* (separated by blank lines), stripped, empty ones left out."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def territory_page(graph: Any, iri: str, lang: str = "fr") -> dict[str, Any]:
    """A territory's ecosystem, fundings by year and parts.

    Returns
    -------
    dict
        ``ref`` (``level:code``), ``ecosystem`` (``[{kind, label, members: [{iri, label, reasons}]}]``),
        ``members`` (how many), ``fundings`` (``[{year, total, rows: [{grant, funder, funder_label,
        recipient_label, item_label, amount, counted, start, end, part_of}]}]``, the undated ones last under
        year ``""``), ``parts`` (``[{iri, label}]``, at most :data:`MAX_PARTS`) and ``parts_cut``.
    """
    from decimal import Decimal

    from kg.store.ecosystem import ecosystem
    from kg.store.graph import IRI
    from kg.store.queries import run_named

    level, code = iri.rstrip("/").split("/")[-2:]
    ref = f"{level}:{code}"
    words = "en" if lang == "en" else "fr"
    eco = ecosystem(graph, ref)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in eco.as_rows(lang):
        by_kind[row["kind"] or ""].append(
            {"iri": row["member"], "label": row["label"], "reasons": row["reasons"]}
        )
    groups: list[dict[str, Any]] = [
        {
            "kind": kind,
            "label": KIND_NAMES.get(kind, {}).get(words, (kind, kind))[1],
            "members": sorted(rows, key=lambda r: (r["label"].lower(), r["iri"])),
        }
        for kind, rows in sorted(by_kind.items(), key=lambda kv: _KIND_ORDER.get(kv[0], 99))
    ]
    years: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in run_named(graph, "funders-of-territory", territory=ref, from_=YEARS[0], to=YEARS[1]).value:
        start = str(r.get("start") or "")
        years[start[:4]].append(
            {
                "grant": r.get("grant") or "",
                "funder": r.get("funder") or "",
                "funder_label": r.get("funderLabel") or "",
                "recipient_label": r.get("recipientLabel") or "",
                "item_label": r.get("itemLabel") or "",
                "items": int(r.get("items") or 0),
                "amount": r.get("amount"),
                "counted": r.get("counted"),
                "start": start,
                "end": str(r.get("end") or ""),
                "part_of": r.get("partOf") or "",
            }
        )
    fundings = []
    for year in sorted(years, key=lambda y: (y == "", y)):
        total = sum((Decimal(str(x["counted"])) for x in years[year] if x["counted"] is not None), Decimal(0))
        fundings.append({"year": year, "total": total, "rows": years[year]})
    parts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in graph.query(_PARTS, raw=True, node=IRI(iri)):
        label = r.get("l")
        parts[r["part"].value] += [(label.value, label.language or "")] if label is not None else []
    listed = sorted(
        ({"iri": p, "label": pick(ls, lang, p.rsplit("/", 1)[-1])} for p, ls in parts.items()),
        key=lambda x: (x["label"].lower(), x["iri"]),
    )
    return {
        "ref": ref,
        "level": level,
        "code": code,
        "members": len(eco),
        "ecosystem": groups,
        "fundings": fundings,
        "parts": listed[:MAX_PARTS],
        "parts_count": len(listed),
        "parts_cut": len(listed) > MAX_PARTS,
    }


_KIND_ORDER = {
    k: i
    for i, k in enumerate(
        [
            "actor",
            "person",
            "programme",
            "funding",
            "support",
            "membership",
            "participation",
            "event",
            "publication",
        ]
    )
}


def document_page(graph: Any, iri: str, data_dir: str | Path, lang: str = "fr") -> dict[str, Any]:
    """A document's text, paragraph by paragraph, with the facts drawn from the sentences it quotes.

    The text is read from ``<data_dir>/sources/<tkg:sourceFile>`` (a file name only: nothing outside that
    folder is read). Returns ``{"found": bool, "paragraphs": [{text, quotes: [{quote, facts: [{iri, label,
    kind}]}]}], "unplaced": [quotes not found in the text, same shape], "facts": how many}``.
    """
    from kg.store.graph import IRI

    node = IRI(iri)
    files = [r["file"] for r in graph.query(_FILE, node=node)]
    text, found = "", False
    sources = Path(data_dir) / "sources"
    for name in files:
        path = sources / Path(str(name)).name
        if path.name and path.is_file() and path.resolve().parent == sources.resolve():
            text, found = path.read_text(encoding="utf-8", errors="replace"), True
            break
    quotes: dict[str, list[dict[str, str]]] = defaultdict(list)
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in graph.query(_FACTS, raw=True, doc=node):
        n = r["node"].value
        if r.get("l") is not None:
            labels[n].append((r["l"].value, r["l"].language or ""))
        entry = {"iri": n}
        if entry not in quotes[r["quote"].value]:
            quotes[r["quote"].value].append(entry)
    words = "en" if lang == "en" else "fr"

    def facts(q: str) -> list[dict[str, str]]:
        out = []
        for e in quotes[q]:
            kind, _part = kind_of_iri(e["iri"])
            name = KIND_NAMES.get(kind, {}).get(words, (kind, kind))[0]
            out.append(
                {
                    "iri": e["iri"],
                    "label": pick(labels[e["iri"]], lang, e["iri"].rsplit("/", 1)[-1]),
                    "kind": name,
                }
            )
        return sorted(out, key=lambda f: (f["kind"], f["label"].lower(), f["iri"]))

    paragraphs: list[dict[str, Any]] = [
        {"text": p, "key": squeeze(p), "quotes": []} for p in split_paragraphs(text)
    ]
    unplaced: list[dict[str, Any]] = []
    for q in sorted(quotes):
        key = squeeze(q)
        home = next((p for p in paragraphs if key and key in p["key"]), None)
        item = {"quote": q, "facts": facts(q)}
        if home is None:
            unplaced.append(item)
        else:
            home["quotes"].append(item)
    for p in paragraphs:
        del p["key"]
    return {
        "found": found,
        "paragraphs": paragraphs,
        "unplaced": unplaced,
        "facts": sum(len(v) for v in quotes.values()),
    }
