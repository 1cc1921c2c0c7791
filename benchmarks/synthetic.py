"""A seeded, national-scale synthetic ecosystem on the real geography, for benchmarks and tests.

:func:`generate` returns a :class:`kg.ingest.curated.Curated` (the same object ``kg build``
maps to RDF), so ``kg.rdf.mapping.curated_quads(generate(...))`` is a graph *in the same
model* as the real one: same record kinds, same IRIs, same named graphs, same
provenance pattern, same materialised shortcuts. Everything is fake and says so:
actors are "Acteur synthétique 12345", documents "Rapport synthétique n°7", and
every id starts with ``synth-``.

What is generated for ``n`` actors (docs/design.md notations):

* actors: entreprise 40 %, association 29 %, reseau / club-entreprises 1 % (the
  networks that memberships point at), collectivités 10 % (commune actors on distinct
  real communes drawn by population, pointing at their territory and carrying its
  official SIREN, plus up to 15 % intercommunalités), etablissement-scolaire 10 % (40 %
  of them also ``lycee``), catalyseur-territorial 5 %, fondation / fonds-de-dotation
  5 %. Each is located in a real commune drawn by population, has 1–3 themes, often a
  founding year and an area served (its département or région);
* one synthetic elected person and post per collectivité;
* ``n/5`` programmes, each with a porteur and 2–10 partners (mostly from the porteur's
  département) as participations with roles and start years 2008–2025, some with
  end years; 0–3 fundings per programme from the foundations and endowment funds;
* about ``0.6 n`` memberships in the networks; 1–6 supports per catalyst (the seven
  support kinds); ``n/10`` figures, ``n/50`` events, ``n/100`` publications;
* 50 synthetic documents (genre "report"): each record has one source, one of them,
  with a quote that names the record.

Records are built with ``model_construct`` (no validation) for speed;
``tests/test_synthetic.py`` validates a sample with ``model_validate``.

:func:`stream` writes the same records straight to N-Quads (and YAML) in bounded memory; the
command line uses it (N-Quads of the curated quads plus ``graph:geography``; ``quads`` in its
statistics counts lines, where a ``partnerOf`` shortcut implied by two batches appears twice)::

    .venv/bin/python benchmarks/synthetic.py --actors 100000 --out benchmarks/out/national.nq
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kg.ingest.curated import Curated
from kg.ingest.geo import DEFAULT_GEO_DIR, Geography, load_geography
from kg.model.records import (
    RECORD_TYPES,
    Actor,
    Document,
    Event,
    Figure,
    Funding,
    Membership,
    Participation,
    Person,
    Post,
    Programme,
    Publication,
    Source,
    Support,
)

__all__ = [
    "ACTOR_TYPES",
    "GENERATED_AT",
    "PROJECT_TYPES",
    "ROLES",
    "SUPPORT_KINDS",
    "THEMES",
    "generate",
    "main",
    "stream",
    "synthetic_quads",
    "write_yaml",
]

# Concept notations of docs/design.md ("Concept notations (fixed …)").
ACTOR_TYPES = (
    "collectivite-territoriale",
    "commune",
    "intercommunalite",
    "departement",
    "region",
    "entreprise",
    "association",
    "catalyseur-territorial",
    "financeur",
    "fondation",
    "fonds-de-dotation",
    "service-etat",
    "etablissement-public",
    "etablissement-scolaire",
    "lycee",
    "recherche",
    "chaire",
    "reseau",
    "club-entreprises",
    "organisation-professionnelle",
    "chambre-consulaire",
    "service-interne",
    "media",
)
ROLES = (
    "porteur",
    "pilote",
    "partenaire",
    "beneficiaire",
    "financeur",
    "membre",
    "fondateur",
    "animateur",
    "organisateur",
    "elu",
    "contributeur",
)
THEMES = (
    "jeunesse",
    "handicap",
    "precarite",
    "decrochage-scolaire",
    "orientation",
    "insertion",
    "emploi",
    "ess",
    "developpement-economique",
    "entrepreneuriat",
    "innovation",
    "transition-ecologique",
    "education",
    "co-construction",
    "alliances-odd17",
    "recherche",
    "covid-19",
    "cohesion-territoriale",
)
SUPPORT_KINDS = (
    "donnees",
    "outils-ressources",
    "reseaux",
    "apport-ingenierie",
    "dialogue-gouvernance",
    "financement-direct",
    "valorisation",
)
PROJECT_TYPES = (
    "programme",
    "demarche",
    "plateforme",
    "parcours-formation",
    "operation",
    "fonds-de-soutien",
    "cycle-evenements",
    "etude",
    "outil",
)

#: ``prov:generatedAtTime`` used for synthetic graphs, so that two runs give the same quads.
GENERATED_AT = "2025-01-01T00:00:00+00:00"

_PROJECT_TYPE_WEIGHTS = (40, 15, 8, 8, 10, 5, 6, 5, 3)
_PARTNER_ROLES = ("partenaire", "beneficiaire", "financeur", "pilote", "animateur", "contributeur")
_PARTNER_ROLE_WEIGHTS = (60, 15, 8, 7, 5, 5)
_MEASURES = (
    ("élèves touchés par an", "élèves"),
    ("acteurs rencontrés", "acteurs"),
    ("emplois créés", "emplois"),
    ("bénévoles mobilisés", "bénévoles"),
    ("jeunes accompagnés", "jeunes"),
    ("structures accompagnées", "structures"),
)
_PUBLICATION_GENRES = ("report", "article", "press-release", "toolkit", "course", "video", "webpage", "other")
_NOTE = "Donnée synthétique générée par benchmarks/synthetic.py ; elle ne décrit aucun acteur réel."

# categories of actors: (category, share of n, types)
_CATEGORIES = (
    ("entreprise", 0.40, ["entreprise"]),
    ("association", 0.29, ["association"]),
    ("reseau", 0.005, ["reseau"]),
    ("club", 0.005, ["club-entreprises"]),
    ("collectivite", 0.10, None),  # commune or intercommunalite, see _Generator.actors
    ("ecole", 0.06, ["etablissement-scolaire"]),
    ("lycee", 0.04, ["etablissement-scolaire", "lycee"]),
    ("catalyseur", 0.05, ["catalyseur-territorial"]),
    ("fondation", 0.03, ["fondation"]),
    ("fonds", 0.02, ["fonds-de-dotation"]),
)
_TYPES_OF = {cat: types for cat, _, types in _CATEGORIES if types}


class _Generator:
    """Holds the random state, the geography and the records built so far."""

    def __init__(
        self,
        n_actors: int,
        seed: int,
        geo: Geography,
        n_documents: int,
        sink: Callable[[str, BaseModel], None] | None = None,
    ) -> None:
        if n_actors < 20:
            raise ValueError(f"n_actors={n_actors} is too small; ask for at least 20 actors")
        self.n = n_actors
        self.seed = seed
        self.rng = random.Random(seed)
        self.geo = geo
        self.n_documents = n_documents
        self.records: dict[str, list[BaseModel]] = {name: [] for name in RECORD_TYPES}
        # where each record goes: kept in self.records (generate), or handed to a streaming writer (stream)
        self._sink = sink
        # per actor (index 0..n-1)
        self.actor_ids: list[str] = []
        self.actor_commune: list[str] = []
        self.actor_category: list[str] = []
        self.by_departement: dict[str, list[int]] = {}
        self.by_category: dict[str, list[int]] = {}
        self.programme_ids: list[str] = []
        self.programme_years: list[tuple[int, int | None]] = []
        self.funding_ids: list[str] = []

    # ------------------------------------------------------------------ helpers

    def emit(self, name: str, rec: BaseModel) -> None:
        """Hand one record of file *name* to the sink (default: keep it in ``self.records``)."""
        if self._sink is None:
            self.records[name].append(rec)
        else:
            self._sink(name, rec)

    def run(self) -> None:
        """Every phase, in the order that fixes the random stream (same seed, same records)."""
        self.documents()
        self.actors()
        self.people_and_posts()
        self.programmes()
        self.memberships()
        self.supports()
        self.events()
        self.publications()
        self.figures()

    def source(self, label: str) -> list[Source]:
        d = self.rng.randrange(self.n_documents) + 1
        quote = f"{label} figure dans le rapport synthétique {d} (fait synthétique, sans réalité)."
        return [Source.model_construct(doc=_document_id(d), quote=quote)]

    def themes(self, low: int = 1, high: int = 3) -> list[str]:
        return self.rng.sample(THEMES, self.rng.randint(low, high))

    def weighted_distinct(self, items: list[Any], weights: list[float], k: int) -> list[Any]:
        """*k* distinct items drawn with probability proportional to *weights* (Efraimidis–Spirakis)."""
        rnd = self.rng.random
        keyed = sorted(
            ((math.log(rnd() or 1e-300) / w, i) for i, w in enumerate(weights) if w > 0), reverse=True
        )
        return [items[i] for _, i in keyed[:k]]

    def nearby_actor(self, i: int, p_local: float = 0.7) -> int:
        """An actor index other than *i*, from the same département with probability *p_local*."""
        rng = self.rng
        local = self.by_departement[self.geo.communes[self.actor_commune[i]].departement]
        for _ in range(20):
            j = rng.choice(local) if len(local) > 1 and rng.random() < p_local else rng.randrange(self.n)
            if j != i:
                return j
        return (i + 1) % self.n

    # ------------------------------------------------------------------ documents

    def documents(self) -> None:
        rng = self.rng
        for d in range(1, self.n_documents + 1):
            self.emit(
                "documents",
                Document.model_construct(
                    id=_document_id(d),
                    title=f"Rapport synthétique n°{d}",
                    genre="report",
                    issued=str(rng.randint(2010, 2025)),
                    description=_NOTE,
                ),
            )

    # ------------------------------------------------------------------ actors

    def actors(self) -> None:
        rng, geo, n = self.rng, self.geo, self.n
        # where actors are located: communes and arrondissements (not the parents of arrondissements),
        # by population
        parents = {c.parent for c in geo.communes.values() if c.parent}
        seats = [c for c in geo.communes.values() if c.code not in parents and c.population]
        seat_codes = [c.code for c in seats]
        cum: list[float] = []
        total = 0.0
        for c in seats:
            total += c.population  # type: ignore[operator]
            cum.append(total)
        located = rng.choices(seat_codes, cum_weights=cum, k=n)

        counts = {cat: round(share * n) for cat, share, _ in _CATEGORIES}
        counts["reseau"] = max(counts["reseau"], 1)
        counts["club"] = max(counts["club"], 1)
        counts["entreprise"] = n - sum(v for k, v in counts.items() if k != "entreprise")
        categories = [cat for cat, _, _ in _CATEGORIES for _ in range(counts[cat])]
        rng.shuffle(categories)

        # collectivités: distinct real communes and intercommunalities, by population
        n_coll = counts["collectivite"]
        inters = sorted(geo.intercommunalities.values(), key=lambda x: x.siren)
        n_inter = min(len(inters), round(0.15 * n_coll))
        town_pool = sorted(
            (c for c in geo.communes.values() if c.kind == "commune" and c.population), key=lambda c: c.code
        )
        n_town = min(n_coll - n_inter, len(town_pool))
        chosen_inters = self.weighted_distinct(inters, [x.population for x in inters], n_inter)
        chosen_towns = self.weighted_distinct(town_pool, [c.population for c in town_pool], n_town)
        territories: list[tuple[str, str, str | None, str]] = [
            ("commune", c.code, c.siren, c.code) for c in chosen_towns
        ] + [("intercommunalite", x.siren, x.siren, self._inter_seat(x.siren)) for x in chosen_inters]
        rng.shuffle(territories)

        construct = Actor.model_construct
        for idx, cat in enumerate(categories):
            i = idx + 1
            rid = f"synth-acteur-{i:06d}"
            name = f"Acteur synthétique {i}"
            fields: dict[str, Any] = {}
            if cat == "collectivite":
                if territories:
                    level, code, siren, seat = territories.pop()
                    fields.update(
                        types=[level],
                        territory=f"{level}:{code}",
                        area_served=[f"{level}:{code}"],
                        siren=siren,
                    )
                    located[idx] = seat
                else:  # more collectivités asked than there are communes: an association instead
                    cat = "association"
            if cat != "collectivite":
                fields["types"] = list(_TYPES_OF[cat])
                if rng.random() < 0.7:
                    fields["founded"] = str(rng.randint(1950, 2024))
                r = rng.random()
                commune = geo.communes[located[idx]]
                if r < 0.3:
                    fields["area_served"] = [f"departement:{commune.departement}"]
                elif r < 0.45:
                    fields["area_served"] = [f"region:{commune.region}"]
                elif r < 0.5:
                    fields["area_served"] = [f"commune:{commune.code}"]
                if rng.random() < 0.2:
                    fields["homepage"] = f"https://example.org/synthetique/acteur-{i}"
            if rng.random() < 0.3:
                fields["description"] = f"Description synthétique de l'acteur {i}."
            self.emit(
                "actors",
                construct(
                    id=rid,
                    name=name,
                    types=fields.pop("types"),
                    located_in=f"commune:{located[idx]}",
                    themes=self.themes(),
                    sources=self.source(name),
                    **fields,
                ),
            )
            self.actor_ids.append(rid)
            self.actor_commune.append(located[idx])
            self.actor_category.append(cat)
            self.by_departement.setdefault(geo.communes[located[idx]].departement, []).append(idx)
            self.by_category.setdefault(cat, []).append(idx)

    def _inter_seat(self, siren: str) -> str:
        """The most populous member commune of an intercommunality (stands in for its seat)."""
        codes = self.geo.by_intercommunality.get(siren, ())
        best = max(codes, key=lambda c: (self.geo.communes[c].population or 0, c), default=None)
        if best is None:  # pragma: no cover - every EPCI has members
            raise ValueError(f"intercommunality {siren} has no member commune in data/geo")
        return best

    def people_and_posts(self) -> None:
        for k, i in enumerate(self.by_category.get("collectivite", []), 1):
            pid = f"synth-personne-{k:06d}"
            name = f"Personne synthétique {k}"
            self.emit("people", Person.model_construct(id=pid, name=name, sources=self.source(name)))
            label = f"Élu synthétique {k} de l'acteur synthétique {i + 1}"
            self.emit(
                "posts",
                Post.model_construct(
                    id=f"synth-mandat-{k:06d}",
                    label=label,
                    organisation=self.actor_ids[i],
                    holder=pid,
                    role="elu",
                    start="2020",
                    end="2026",
                    sources=self.source(label),
                ),
            )

    # ------------------------------------------------------------------ programmes

    def programmes(self) -> None:
        rng, geo = self.rng, self.geo
        m = max(1, self.n // 5)
        funders = self.by_category.get("fondation", []) + self.by_category.get("fonds", [])
        funders.sort()
        k_part = k_fund = 0
        for j in range(1, m + 1):
            pid = f"synth-programme-{j:06d}"
            name = f"Programme synthétique {j}"
            porteur = rng.randrange(self.n)
            commune = geo.communes[self.actor_commune[porteur]]
            start = rng.randint(2008, 2025)
            end = start + rng.randint(0, 6) if rng.random() < 0.4 else None
            fields: dict[str, Any] = {}
            if end is not None:
                fields["end"] = str(end)
                if rng.random() < 0.5:
                    fields["duration"] = f"P{end - start + 1}Y"
            r = rng.random()
            if r < 0.6:
                fields["area_served"] = [f"departement:{commune.departement}"]
            elif r < 0.85:
                fields["area_served"] = [f"region:{commune.region}"]
            if j > 10 and rng.random() < 0.05:
                fields["continues"] = self.programme_ids[rng.randrange(j - 1)]
            if rng.random() < 0.5:
                fields["description"] = f"Description synthétique du programme {j}."
            themes = self.themes()
            self.emit(
                "programmes",
                Programme.model_construct(
                    id=pid,
                    name=name,
                    type=rng.choices(PROJECT_TYPES, _PROJECT_TYPE_WEIGHTS)[0],
                    start=str(start),
                    themes=themes,
                    sources=self.source(name),
                    **fields,
                ),
            )
            self.programme_ids.append(pid)
            self.programme_years.append((start, end))
            # participations: the porteur, then 2-10 distinct partners
            members = [porteur]
            seen = {porteur}
            for _ in range(rng.randint(2, 10)):
                a = self.nearby_actor(porteur)
                if a not in seen:
                    seen.add(a)
                    members.append(a)
            last = min(2025, end) if end is not None else 2025
            for r_idx, a in enumerate(members):
                k_part += 1
                role = "porteur" if r_idx == 0 else rng.choices(_PARTNER_ROLES, _PARTNER_ROLE_WEIGHTS)[0]
                p_start = start if r_idx == 0 else rng.randint(start, max(start, last))
                pf: dict[str, Any] = {}
                if rng.random() < 0.3:
                    hi = end if end is not None else p_start + 5
                    pf["end"] = str(rng.randint(p_start, max(p_start, hi)))
                label = f"Participation synthétique {k_part}"
                self.emit(
                    "participations",
                    Participation.model_construct(
                        id=f"synth-participation-{k_part:07d}",
                        actor=self.actor_ids[a],
                        programme=pid,
                        role=role,
                        start=str(p_start),
                        sources=self.source(label),
                        **pf,
                    ),
                )
            # fundings: 0-3, from foundations and endowment funds, to the porteur for the programme
            for _ in range(rng.randint(0, 3) if funders else 0):
                k_fund += 1
                fid = f"synth-financement-{k_fund:06d}"
                amount = int(round(10 ** rng.uniform(3.7, 5.7) / 500) * 500)
                f_start = rng.randint(start, max(start, last))
                ff: dict[str, Any] = {}
                if rng.random() < 0.6:
                    f_end = f_start + rng.randint(0, 3)
                    ff["end"] = str(f_end)
                    if rng.random() < 0.3:
                        ff["duration"] = f"P{f_end - f_start + 1}Y"
                if rng.random() < 0.5:
                    ff["themes"] = themes[:1]
                if rng.random() < 0.5:
                    ff["description"] = f"Subvention synthétique {k_fund} pour le programme synthétique {j}."
                label = f"Financement synthétique {k_fund}"
                self.emit(
                    "fundings",
                    Funding.model_construct(
                        id=fid,
                        funder=self.actor_ids[rng.choice(funders)],
                        recipient=self.actor_ids[porteur],
                        funded_item=pid,
                        amount_eur=Decimal(amount),
                        start=str(f_start),
                        support_kind="financement-direct",
                        sources=self.source(label),
                        **ff,
                    ),
                )
                self.funding_ids.append(fid)

    # ------------------------------------------------------------------ networks, supports

    def memberships(self) -> None:
        rng = self.rng
        networks = sorted(self.by_category.get("reseau", []) + self.by_category.get("club", []))
        by_region: dict[str, list[int]] = {}
        for x in networks:
            by_region.setdefault(self.geo.communes[self.actor_commune[x]].region, []).append(x)
        target = round(0.6 * self.n)
        seen: set[tuple[int, int]] = set()
        k = 0
        attempts = 0
        while k < target and attempts < 4 * target:
            attempts += 1
            member = rng.randrange(self.n)
            if self.actor_category[member] in ("reseau", "club"):
                continue
            regional = by_region.get(self.geo.communes[self.actor_commune[member]].region)
            org = rng.choice(regional) if regional and rng.random() < 0.6 else rng.choice(networks)
            if (member, org) in seen:
                continue
            seen.add((member, org))
            k += 1
            fields: dict[str, Any] = {}
            if rng.random() < 0.6:
                start = rng.randint(2000, 2025)
                fields["start"] = str(start)
                if rng.random() < 0.15:
                    fields["end"] = str(start + rng.randint(1, 5))
            label = f"Adhésion synthétique {k}"
            self.emit(
                "memberships",
                Membership.model_construct(
                    id=f"synth-adhesion-{k:06d}",
                    member=self.actor_ids[member],
                    organisation=self.actor_ids[org],
                    role=rng.choices(("membre", "animateur", "fondateur"), (90, 5, 5))[0],
                    sources=self.source(label),
                    **fields,
                ),
            )

    def supports(self) -> None:
        rng = self.rng
        k = 0
        for c in self.by_category.get("catalyseur", []):
            for _ in range(rng.randint(1, 6)):
                k += 1
                fields: dict[str, Any] = {}
                if rng.random() < 0.8:
                    start = rng.randint(2015, 2025)
                    fields["start"] = str(start)
                    if rng.random() < 0.3:
                        fields["end"] = str(start + rng.randint(0, 4))
                if rng.random() < 0.3:
                    fields["description"] = f"Soutien synthétique {k}."
                label = f"Soutien synthétique {k}"
                self.emit(
                    "supports",
                    Support.model_construct(
                        id=f"synth-soutien-{k:06d}",
                        provider=self.actor_ids[c],
                        beneficiary=self.actor_ids[self.nearby_actor(c)],
                        support_kind=rng.choice(SUPPORT_KINDS),
                        sources=self.source(label),
                        **fields,
                    ),
                )

    # ------------------------------------------------------------------ events, publications, figures

    def events(self) -> None:
        rng = self.rng
        catalysts = self.by_category.get("catalyseur") or list(range(self.n))
        for k in range(1, max(1, self.n // 50) + 1):
            organiser = rng.choice(catalysts)
            online = rng.random() < 0.3
            y, mth, day = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
            fields: dict[str, Any] = {}
            if rng.random() < 0.6:
                fields["about"] = [rng.choice(self.programme_ids)]
            if rng.random() < 0.2:
                fields["part_of"] = rng.choice(self.programme_ids)
            if not online:
                fields["location"] = f"commune:{self.actor_commune[organiser]}"
            name = f"Événement synthétique {k}"
            organisers = [self.actor_ids[organiser]]
            if rng.random() < 0.3:
                other = self.actor_ids[self.nearby_actor(organiser)]
                if other not in organisers:
                    organisers.append(other)
            self.emit(
                "events",
                Event.model_construct(
                    id=f"synth-evenement-{k:06d}",
                    name=name,
                    start=f"{y:04d}-{mth:02d}-{day:02d}",
                    online=online,
                    organisers=organisers,
                    themes=self.themes(1, 2),
                    sources=self.source(name),
                    **fields,
                ),
            )

    def publications(self) -> None:
        rng = self.rng
        for k in range(1, max(1, self.n // 100) + 1):
            title = f"Publication synthétique {k}"
            fields: dict[str, Any] = {}
            if rng.random() < 0.5:
                fields["publishers"] = [self.actor_ids[rng.randrange(self.n)]]
            if rng.random() < 0.5:
                fields["about"] = [rng.choice(self.programme_ids)]
            authors = sorted({self.actor_ids[rng.randrange(self.n)] for _ in range(rng.randint(1, 2))})
            self.emit(
                "publications",
                Publication.model_construct(
                    id=f"synth-publication-{k:06d}",
                    title=title,
                    genre=rng.choice(_PUBLICATION_GENRES),
                    issued=str(rng.randint(2010, 2025)),
                    authors=authors,
                    themes=self.themes(1, 2),
                    sources=self.source(title),
                    **fields,
                ),
            )

    def figures(self) -> None:
        rng = self.rng
        for k in range(1, max(1, self.n // 10) + 1):
            r = rng.random()
            if r < 0.6 or not self.funding_ids:
                about = rng.choice(self.programme_ids)
            elif r < 0.85:
                about = rng.choice(self.funding_ids)
            else:
                about = self.actor_ids[rng.randrange(self.n)]
            measure, unit = rng.choice(_MEASURES)
            fields: dict[str, Any] = {}
            if rng.random() < 0.7:
                fields["start"] = str(rng.randint(2010, 2025))
            label = f"Chiffre synthétique {k}"
            self.emit(
                "figures",
                Figure.model_construct(
                    id=f"synth-chiffre-{k:06d}",
                    about=about,
                    measure=measure,
                    value=Decimal(rng.randint(5, 5000)),
                    unit=unit,
                    sources=self.source(label),
                    **fields,
                ),
            )

    def curated(self) -> Curated:
        result = Curated(records=self.records)
        for name, items in self.records.items():
            kind = RECORD_TYPES[name].kind  # type: ignore[attr-defined]
            for rec in items:
                rid = rec.id  # type: ignore[attr-defined]
                if rid in result.index:  # pragma: no cover - ids are numbered
                    raise ValueError(f"synthetic id {rid!r} was generated twice")
                result.index[rid] = (kind, rec)
                result.located[rid] = (f"synthetic/{name}.yaml", 0)
        return result


def _document_id(d: int) -> str:
    return f"synth-rapport-{d:03d}"


def generate(
    n_actors: int = 100_000, seed: int = 42, geo: Geography | None = None, *, n_documents: int = 50
) -> Curated:
    """A synthetic ecosystem of *n_actors* actors on the real geography (see the module docstring).

    Parameters
    ----------
    n_actors : int
        Number of actors (at least 20); programmes are ``n_actors // 5``.
    seed : int
        Seed of the random generator: the same seed gives the same records.
    geo : Geography, optional
        The official geography; loaded from ``data/geo`` when not given.
    n_documents : int
        Number of synthetic source documents ("Rapport synthétique n°1" …).

    Returns
    -------
    Curated
        Records by file name and the id index, as :func:`kg.ingest.curated.load_curated` returns
        them (``located`` points at ``synthetic/<kind>.yaml``, line 0).

    Examples
    --------
    >>> curated = generate(200, seed=1)
    >>> curated.count()["actors"], curated.count()["programmes"]
    (200, 40)
    >>> curated.index["synth-acteur-000001"][1].name
    'Acteur synthétique 1'
    """
    gen = _Generator(n_actors, seed, geo if geo is not None else load_geography(), n_documents)
    gen.run()
    return gen.curated()


def synthetic_quads(curated: Curated, geo: Geography | None = None) -> list:
    """The curated quads of *curated* (fixed ``prov:generatedAtTime``) plus ``graph:geography``."""
    from kg.ingest.geo import geography_quads
    from kg.rdf.mapping import curated_quads

    quads = curated_quads(curated, generated_at=GENERATED_AT)
    quads.extend(geography_quads(geo if geo is not None else load_geography()))
    return quads


def _record_dicts(items: list[BaseModel]) -> Iterator[dict]:
    for rec in items:
        yield rec.model_dump(mode="json", exclude_defaults=True)


def write_yaml(curated: Curated, directory: str | Path) -> Path:
    """Write *curated* as a data folder that ``kg build --data <directory>`` can build.

    Writes ``curated/<kind>.yaml``, one ``sources/<doc>.txt`` per document holding every
    quote that cites it, and a copy of ``data/geo``.

    Returns
    -------
    Path
        *directory*.
    """
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    root = Path(directory)
    (root / "curated").mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(parents=True, exist_ok=True)
    quotes: dict[str, list[str]] = {}
    for name, items in curated.records.items():
        if not items:
            continue
        with open(root / "curated" / f"{name}.yaml", "w", encoding="utf-8") as fh:
            yaml.dump(
                list(_record_dicts(items)), fh, Dumper=dumper, allow_unicode=True, sort_keys=False, width=200
            )
        for rec in items:
            for src in getattr(rec, "sources", None) or []:
                quotes.setdefault(src.doc, []).append(src.quote)
    for doc in curated.records.get("documents", []):
        lines = [doc.title, _NOTE, "", *quotes.get(doc.id, [])]  # type: ignore[attr-defined]
        (root / "sources" / f"{doc.id}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")  # type: ignore[attr-defined]
    shutil.copytree(DEFAULT_GEO_DIR, root / "geo", dirs_exist_ok=True)
    return root


class _KindsByPrefix(Mapping[str, str]):
    """Kind of a synthetic id from its prefix (``synth-acteur-000001`` → ``actor``), learnt as records pass.

    Stands in for the ``{id: kind}`` index of the whole data set, so that the streaming writer keeps
    memory bounded: references always point at records emitted earlier, and every id of one file shares
    one prefix.
    """

    def __init__(self) -> None:
        self.by_prefix: dict[str, str] = {}

    def learn(self, rid: str, kind: str) -> None:
        self.by_prefix.setdefault(rid.rpartition("-")[0], kind)

    def __getitem__(self, rid: str) -> str:
        try:
            return self.by_prefix[rid.rpartition("-")[0]]
        except KeyError:
            raise KeyError(
                f"synthetic id {rid!r} is cited before any record of its kind was written"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_prefix)

    def __len__(self) -> int:
        return len(self.by_prefix)


class _StreamWriter:
    """Receives records one by one and writes them as N-Quads (and YAML) in batches: bounded memory.

    A batch is mapped with :func:`kg.rdf.mapping.records_quads`, exactly as ``curated_quads`` maps the
    whole data set. A batch is cut only before a record that starts a new group (never between a
    programme and its participations and fundings), so the ``tkg:partnerOf`` shortcuts among the partners
    of a programme are all in the batch of that programme. Shortcuts implied by two batches together
    (two actors partners in two programmes) are then written twice; a store keeps one (``quads_distinct``
    of the statistics counts them in a store). The set of quads is that of
    ``synthetic_quads(generate(...))``; only their order in the file differs.
    """

    _GROUPED = ("participations", "fundings")

    def __init__(
        self, nq: Any, yaml_dir: Path | None, geo: Geography, generated_at: str, batch: int = 5_000
    ) -> None:
        from kg.model import iris

        self.nq = nq
        self.yaml_dir = yaml_dir
        self.geo = geo
        self.generated_at = generated_at
        self.batch_size = batch
        self.kinds = _KindsByPrefix()
        self.batch: list[tuple[str, str, BaseModel]] = []
        self.counts: dict[str, int] = dict.fromkeys(RECORD_TYPES, 0)
        self.lines = 0
        self._yaml_files: dict[str, Any] = {}
        self._source_files: dict[str, Any] = {}
        self._meta = iris.META_GRAPH
        self._derived = iris.DERIVED_GRAPH

    def __call__(self, name: str, rec: BaseModel) -> None:
        if len(self.batch) >= self.batch_size and name not in self._GROUPED:
            self.flush()
        kind = RECORD_TYPES[name].kind  # type: ignore[attr-defined]
        self.kinds.learn(rec.id, kind)  # type: ignore[attr-defined]
        self.batch.append((name, kind, rec))
        self.counts[name] += 1

    def _graph_of(self, kind: str, rec: BaseModel) -> str:
        from kg.model import iris

        if kind == "document":
            return self._meta
        return iris.document_graph(rec.sources[0].doc)  # type: ignore[attr-defined]

    def _write_quads(self, quads: list) -> None:
        from pyoxigraph import RdfFormat, serialize

        serialize(quads, self.nq, RdfFormat.N_QUADS)
        self.lines += len(quads)

    def flush(self) -> None:
        from kg.rdf.mapping import records_quads

        if not self.batch:
            return
        pairs = [(kind, rec) for _, kind, rec in self.batch]
        self._write_quads(records_quads(pairs, self._graph_of, self.kinds, derived_graph=self._derived))
        if self.yaml_dir is not None:
            self._write_yaml()
        self.batch = []

    def _write_yaml(self) -> None:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        assert self.yaml_dir is not None
        by_name: dict[str, list[dict]] = {}
        for name, kind, rec in self.batch:
            by_name.setdefault(name, []).append(rec.model_dump(mode="json", exclude_defaults=True))
            if kind == "document":
                fh = open(self.yaml_dir / "sources" / f"{rec.id}.txt", "w", encoding="utf-8")  # type: ignore[attr-defined]  # noqa: SIM115
                fh.write("\n".join([rec.title, _NOTE, ""]) + "\n")  # type: ignore[attr-defined]
                self._source_files[rec.id] = fh  # type: ignore[attr-defined]
            else:
                for src in getattr(rec, "sources", None) or []:
                    self._source_files[src.doc].write(src.quote + "\n")
        for name, dicts in by_name.items():
            fh = self._yaml_files.get(name)
            if fh is None:
                fh = open(self.yaml_dir / "curated" / f"{name}.yaml", "w", encoding="utf-8")  # noqa: SIM115
                self._yaml_files[name] = fh
            # a block list dumped after another block list continues it: one list per file
            yaml.dump(dicts, fh, Dumper=dumper, allow_unicode=True, sort_keys=False, width=200)

    def open(self) -> None:
        """Start the YAML folder (``curated/``, ``sources/``, a copy of ``data/geo``)."""
        if self.yaml_dir is not None:
            (self.yaml_dir / "curated").mkdir(parents=True, exist_ok=True)
            (self.yaml_dir / "sources").mkdir(parents=True, exist_ok=True)
            shutil.copytree(DEFAULT_GEO_DIR, self.yaml_dir / "geo", dirs_exist_ok=True)

    def close(self, n_documents: int) -> None:
        """Last batch, then what ``curated_quads`` writes around the records, then the geography."""
        from pyoxigraph import Literal as Lit
        from pyoxigraph import NamedNode, Quad

        from kg.ingest.geo import geography_quads
        from kg.model import iris
        from kg.rdf.mapping import graph_description

        self.flush()
        for fh in [*self._yaml_files.values(), *self._source_files.values()]:
            fh.close()
        meta = NamedNode(self._meta)
        rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        prov = "http://www.w3.org/ns/prov#"
        curation = iris.entity("agent", "curation")
        quads = []
        for d in range(1, n_documents + 1):
            stem = _document_id(d)
            quads += graph_description(
                iris.document_graph(stem), stem, self.generated_at, attributed_to=curation
            )
        derived = NamedNode(self._derived)
        activity = NamedNode(iris.entity("agent", "materialisation"))
        quads += [
            Quad(NamedNode(curation), rdf_type, NamedNode(prov + "Agent"), meta),
            Quad(
                NamedNode(curation),
                label,
                Lit("Curation des documents sources (Territorial KG)", language="fr"),
                meta,
            ),
            Quad(derived, rdf_type, NamedNode(prov + "Entity"), meta),
            Quad(derived, NamedNode(prov + "wasGeneratedBy"), activity, meta),
            Quad(activity, rdf_type, NamedNode(prov + "Activity"), meta),
            Quad(
                activity,
                label,
                Lit(
                    "Matérialisation des liens binaires (partenaire de, finance, membre de, soutient)",
                    language="fr",
                ),
                meta,
            ),
        ]
        self._write_quads(quads)
        self.curated_lines = self.lines
        self._write_quads(geography_quads(self.geo))


def stream(
    n_actors: int,
    out: str | Path,
    *,
    seed: int = 42,
    geo: Geography | None = None,
    yaml_dir: str | Path | None = None,
    n_documents: int = 50,
    batch: int = 5_000,
) -> dict[str, Any]:
    """Generate *n_actors* actors straight to an N-Quads file (and a YAML data folder), in bounded memory.

    Same records and the same set of quads as ``synthetic_quads(generate(n_actors, seed))``, and the
    same YAML files as :func:`write_yaml`; memory holds one batch of records and a few small arrays per
    actor (ids, commune, category), not the whole data set.

    Returns
    -------
    dict
        ``records`` (count per file), ``lines`` (N-Quads lines written, geography included),
        ``curated_lines``, ``geography_lines``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     stats = stream(200, pathlib.Path(d) / "s.nq", seed=1)
    >>> stats["records"]["actors"], stats["records"]["programmes"]
    (200, 40)
    """
    geo = geo if geo is not None else load_geography()
    ydir = Path(yaml_dir) if yaml_dir is not None else None
    with open(out, "wb") as fh:
        writer = _StreamWriter(fh, ydir, geo, GENERATED_AT, batch)
        writer.open()
        gen = _Generator(n_actors, seed, geo, n_documents, sink=writer)
        gen.run()
        writer.close(n_documents)
    return {
        "records": writer.counts,
        "lines": writer.lines,
        "curated_lines": writer.curated_lines,
        "geography_lines": writer.lines - writer.curated_lines,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, map, write N-Quads (and optionally YAML); print statistics."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000, help="number of actors (default 100000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmarks/out/national.nq"),
        help="N-Quads file to write (curated quads + graph:geography)",
    )
    parser.add_argument(
        "--yaml",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write a data folder buildable with `kg build --data DIR`",
    )
    parser.add_argument("--json", action="store_true", help="print the statistics as one JSON line")
    args = parser.parse_args(argv)

    seconds: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        seconds[name] = round(now - t, 3)
        t = now

    geo = load_geography()
    lap("geography")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    streamed = stream(args.actors, args.out, seed=args.seed, geo=geo, yaml_dir=args.yaml)
    lap("generate_map_write" + ("_yaml" if args.yaml else ""))
    stats = {
        "actors": args.actors,
        "seed": args.seed,
        "records": streamed["records"],
        "curated_quads": streamed["curated_lines"],
        "geography_quads": streamed["geography_lines"],
        "quads": streamed["lines"],
        "bytes": args.out.stat().st_size,
        "out": str(args.out),
        "seconds": seconds,
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        print(
            f"{stats['quads']:,} quads ({stats['curated_quads']:,} curated + {stats['geography_quads']:,} "
            f"geography) → {args.out} "
            f"({stats['bytes'] / 1e6:.0f} MB)"
        )
        print("records: " + ", ".join(f"{k} {v:,}" for k, v in stats["records"].items()))
        print("seconds: " + ", ".join(f"{k} {v}" for k, v in seconds.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
