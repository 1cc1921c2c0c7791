"""Records derived at ingest from official data, cited like any other record.

:func:`geography_memberships` states that each *Ville* of the curated data (an actor of type
``commune`` whose ``territory`` is ``commune:X``) is a member of the EPCI or EPT actor whose
territory contains X, as the official geography says (``data/geo/communes.csv``, columns
``epci`` and ``ept``). Only actors that exist are linked: no Ville and no intercommunality
is created. Each membership cites the geography dataset (a ``genre: dataset`` record of
``documents.yaml``) and quotes the commune's row of the CSV file, which the loader checks
like any quote (:func:`kg.ingest.sources.quote_in_dataset`).

>>> from kg.model.records import Actor, Document
>>> doc = Document(id="geo", title="Géographie", genre="dataset", file="geo/communes.csv")
>>> src = [{"doc": "d", "quote": "a long enough quote"}]
>>> ville = Actor(id="ville-a", name="Ville A", types=["commune"], territory="commune:94018", sources=src)
>>> ept = Actor(id="ept-b", name="EPT B", types=["intercommunalite"], territory="intercommunalite:200057941", sources=src)
>>> rows = ["code,nom,type,departement,region,siren,population,codes_postaux,epci,ept,commune",
...         "94018,Charenton-le-Pont,commune,94,11,219400181,28830,94220,200054781,200057941,"]
>>> [(m.id, m.member, m.organisation, line) for m, line in geography_memberships([ville, ept], [], doc, rows)]
[('ville-a-ept-b', 'ville-a', 'ept-b', 2)]
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from kg.model.records import Actor, Document, Membership, Source

__all__ = ["GEOGRAPHY_FILE", "geography_memberships"]

#: the dataset file (under ``data/``) whose rows give each commune's EPCI and EPT
GEOGRAPHY_FILE = "geo/communes.csv"

_COLUMNS = {"epci": "l'EPCI", "ept": "l'EPT"}


def geography_memberships(
    actors: Iterable[Actor],
    memberships: Iterable[Membership],
    dataset: Document,
    lines: Sequence[str],
) -> list[tuple[Membership, int]]:
    """The memberships of the Ville actors in the EPCI/EPT actors that the geography states.

    Parameters
    ----------
    actors : iterable of Actor
        The curated actors (only Villes and intercommunalities with a territory count).
    memberships : iterable of Membership
        The curated memberships: a pair already stated there is not derived again.
    dataset : Document
        The record of the geography dataset, cited by every derived membership.
    lines : sequence of str
        The lines of the dataset file, its header first.

    Returns
    -------
    list of (Membership, line number in the file)
    """
    actors = list(actors)
    villes = {
        a.territory.split(":", 1)[1]: a
        for a in actors
        if "commune" in a.types and a.territory and a.territory.startswith("commune:")
    }
    inters = {
        a.territory.split(":", 1)[1]: a
        for a in actors
        if a.territory and a.territory.startswith("intercommunalite:")
    }
    stated = {(m.member, m.organisation) for m in memberships}
    if not villes or not inters or not lines:
        return []
    header = next(csv.reader([lines[0]]))
    out: list[tuple[Membership, int]] = []
    for number, line in enumerate(lines[1:], start=2):
        code = line.split(",", 1)[0]
        ville = villes.get(code)
        if ville is None:
            continue
        row = dict(zip(header, next(csv.reader([line])), strict=False))
        for column, article in _COLUMNS.items():
            siren = row.get(column) or ""
            inter = inters.get(siren)
            if inter is None or (ville.id, inter.id) in stated:
                continue
            out.append(
                (
                    Membership(
                        id=f"{ville.id}-{inter.id}",
                        member=ville.id,
                        organisation=inter.id,
                        role="membre",
                        description=(
                            f"{row.get('nom', code)} ({code}) est membre de {article} {inter.name} "
                            f"({siren}) selon la géographie officielle (data/{GEOGRAPHY_FILE}, colonne {column})."
                        ),
                        sources=[Source(doc=dataset.id, quote=line)],
                    ),
                    number,
                )
            )
    return out
