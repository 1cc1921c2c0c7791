"""Probable duplicates: an actor of a workbook that looks like another one, of the workbook or of the graph.

Two names are probably the same actor when they are equal once case, accents, spaces,
hyphens and apostrophes are ignored and « St » is read « Saint »
(:func:`kg.model.names.normalise`), and once a town hall's usual prefixes are taken off
(« Mairie de X », « Ville de X », « Commune de X » are all X), or when they differ by a
letter or two (« Club Gravel Entreprendre » / « Club Gravelle Entreprendre »). Each is
reported before anything is written, at the row of the workbook, with the existing
actor's name, id and owner (the curated data or another import). They are warnings: two
different actors may have close names.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from kg.model.names import normalise, similarity
from kg.sheets.cells import say
from kg.sheets.known import Known, names_of
from kg.sheets.layout import Table
from kg.sheets.rows import Rows

__all__ = ["duplicate_key", "report_duplicates"]

_TOWN_HALL = ("mairie", "ville", "commune", "municipalite")
_OF = ("de", "d", "du", "des")
_ARTICLES = ("le", "la", "les", "l")


def duplicate_key(name: str) -> str:
    """What two names of the same actor probably share.

    Examples
    --------
    >>> duplicate_key("Mairie de Charenton-le-Pont") == duplicate_key("Ville de Charenton le Pont")
    True
    >>> duplicate_key("Commune du Perreux-sur-Marne"), duplicate_key("St-Maurice")
    ('perreuxsurmarne', 'saintmaurice')
    """
    words = normalise(name).split()
    if len(words) > 2 and words[0] in _TOWN_HALL and words[1] in _OF:
        words = words[2:]
        if len(words) > 1 and words[0] in _ARTICLES:
            words = words[1:]
    return "".join(words)


class _Entry:
    __slots__ = ("id", "key", "name", "owner", "where")

    def __init__(
        self, rid: str, name: str, owner: str | None, where: tuple[Table, int] | None, key: str
    ) -> None:
        self.id, self.name, self.owner, self.where, self.key = rid, name, owner, where, key

    def said(self, lang: str) -> str:
        if self.owner is None and self.where:
            return say(lang, f"{self.id}, ligne {self.where[1]}", f"{self.id}, row {self.where[1]}")
        if self.owner == "curated":
            return say(lang, f"{self.id}, données curées", f"{self.id}, curated data")
        return say(lang, f"{self.id}, import « {self.owner} »", f'{self.id}, import "{self.owner}"')


def _warn(rows: Rows, own: _Entry, other: _Entry, header: str, close: bool) -> None:
    if own.where is None:
        return
    table, number = own.where
    lang = rows.lang
    how = (
        say(lang, "s'écrit presque comme", "is spelt almost like")
        if close
        else say(lang, "ressemble à", "looks like")
    )
    rows.warn(
        table,
        number,
        header,
        say(
            lang,
            f"doublon probable : « {own.name} » ({own.id}) {how} « {other.name} » ({other.said(lang)})",
            f'probable duplicate: "{own.name}" ({own.id}) {how} "{other.name}" ({other.said(lang)})',
        ),
        say(
            lang,
            f"si c'est le même acteur, écrivez « {other.name} » ou son id « {other.id} » (colonne id) ; "
            "sinon, ignorez cette remarque",
            f'if it is the same actor, write "{other.name}" or its id "{other.id}" (id column); '
            "otherwise ignore this warning",
        ),
    )


def report_duplicates(
    actors: Iterable[BaseModel],
    known: Known,
    where: dict[str, tuple[Table, int]],
    headers: dict[str, str],
    rows: Rows,
    *,
    cutoff: float = 0.9,
    block_limit: int = 200,
) -> None:
    """Warn, at its row, about each actor of the workbook that is probably another one.

    Parameters
    ----------
    actors : records
        The workbook's own actors (not the rows that designate actors of the graph).
    known : Known
        The curated records and those of the other imports.
    where : dict
        Id → (table, row) of the workbook's records.
    headers : dict
        Table name → the header of its name column, as written.
    rows : Rows
        Receives the warnings.
    cutoff, block_limit
        Near names: a :func:`~kg.model.names.similarity` of at least *cutoff*, compared only
        within blocks sharing their first or last four letters (so 10,000 rows stay fast);
        blocks larger than *block_limit* are skipped.
    """
    entries: list[_Entry] = []
    for rec in actors:
        rid, name = rec.id, rec.name  # type: ignore[attr-defined]
        entries.append(_Entry(rid, name, None, where.get(rid), duplicate_key(name)))
    for rid, (kind, rec, owner) in known.index.items():
        if kind == "actor":
            for n in names_of(rec):
                entries.append(_Entry(rid, n, owner, None, duplicate_key(n)))
    seen: set[tuple[str, str]] = set()

    def pair(a: _Entry, b: _Entry, close: bool) -> None:
        if a.id == b.id or (a.owner is not None and b.owner is not None):
            return
        key = (min(a.id, b.id), max(a.id, b.id))
        if key in seen:
            return
        seen.add(key)
        if a.owner is None and b.owner is None:  # two rows: warn at the later one
            own, other = (a, b) if (a.where and b.where and a.where[1] > b.where[1]) else (b, a)
        else:
            own, other = (a, b) if a.owner is None else (b, a)
        if own.where:
            _warn(rows, own, other, headers.get(own.where[0].name, "nom"), close)

    by_key: dict[str, list[_Entry]] = {}
    for e in entries:
        by_key.setdefault(e.key, []).append(e)
    for group in by_key.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pair(a, b, False)
    blocks: dict[str, list[_Entry]] = {}
    for e in entries:
        if len(e.key) >= 6:
            blocks.setdefault("^" + e.key[:4], []).append(e)
            blocks.setdefault("$" + e.key[-4:], []).append(e)
    for members in blocks.values():
        if len(members) < 2 or len(members) > block_limit:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (a.owner is not None and b.owner is not None) or a.key == b.key:
                    continue
                if abs(len(a.key) - len(b.key)) <= 2 and similarity(a.key, b.key) >= cutoff:
                    pair(a, b, True)
