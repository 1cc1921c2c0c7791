"""Pydantic models of the curated records (one YAML file per kind in ``data/curated/``).

Each model validates one record on its own (types, formats, identifiers, dates,
amounts); cross-record checks (unknown references, duplicate ids, quotes that are not
in their document, unknown territories) are made by :mod:`kg.ingest.curated`.

>>> Funding.model_validate({"id": "x", "recipient": "a", "amount_eur": -1,
...     "sources": [{"doc": "d", "quote": "a long enough quote"}]})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Funding
amount_eur
  Input should be greater than or equal to 0 ...
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from kg.model import identifiers
from kg.model.dates import check_date, date_bounds, to_date_string
from kg.model.iris import SLUG_RE
from kg.model.territories import parse_territory

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "Connection",
    "DateLike",
    "Described",
    "Document",
    "Duration",
    "Event",
    "Figure",
    "Funding",
    "Membership",
    "Participant",
    "Participation",
    "Person",
    "Post",
    "Programme",
    "Property",
    "Publication",
    "Record",
    "Source",
    "Support",
]

#: A date at the precision the source gives: ``2014``, ``2014-09`` or ``2014-09-01``.
DateLike = Annotated[str, BeforeValidator(to_date_string), AfterValidator(check_date)]


def _check_duration(value: str) -> str:
    if not re.match(r"^P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?$", value):
        raise ValueError(f'"{value}" is not an ISO 8601 duration; write e.g. P3Y for three years')
    return value


#: An ISO 8601 duration in years, months, days: ``P3Y``.
Duration = Annotated[str, AfterValidator(_check_duration)]


Slug = Annotated[str, Field(pattern=SLUG_RE.pattern)]
Text = Annotated[str, Field(min_length=1)]


class Source(BaseModel):
    """Where a fact comes from: a document of ``data/sources/`` and the sentence quoted."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    doc: Text
    quote: Annotated[str, Field(min_length=8)]


class Property(BaseModel):
    """A described property of a record: a name and its value as written (a Kumu custom field).

    >>> Property(name="Employees", value="12")
    Property(name='Employees', value='12')
    """

    model_config = ConfigDict(extra="forbid")
    name: Text
    value: str


class Described(BaseModel):
    """What a Kumu element says of an actor or a person beyond our fields.

    ``type_label`` is its ``Type`` as written when it is not one of ours (« Incubator »,
    « Employee/Founder »); ``tags`` its ``Tags`` that are not themes; ``properties`` its custom
    fields; ``image`` its ``Image`` (an address). All optional: a curated record has none.
    """

    type_label: str | None = None
    tags: list[Text] = Field(default_factory=list)
    properties: list[Property] = Field(default_factory=list)
    image: str | None = None


class Record(BaseModel):
    """Fields shared by every curated record."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: ClassVar[str] = "record"
    #: fields that hold references, and the kinds they may point to
    references: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: date fields checked for "end before start"
    periods: ClassVar[tuple[tuple[str, str], ...]] = (("start", "end"),)

    id: Slug
    description: str | None = None
    sources: Annotated[list[Source], Field(min_length=1)]

    @model_validator(mode="after")
    def _dates_and_periods(self) -> Record:
        for start, end in self.periods:
            a, b = getattr(self, start, None), getattr(self, end, None)
            if a and b and date_bounds(b)[1] < date_bounds(a)[0]:
                raise ValueError(f'"{end}" ({b}) is before "{start}" ({a}); swap them or fix the year')
        return self


class Document(BaseModel):
    """A source document: ``data/sources/<id>.txt``, or a dataset of ``data/`` named by ``file``.

    A dataset (``genre: dataset``, e.g. the official geography ``geo/communes.csv``) is quoted
    by whole rows: a quote must be one line of the file (see :mod:`kg.ingest.sources`).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: ClassVar[str] = "document"
    references: ClassVar[dict[str, tuple[str, ...]]] = {"publisher": ("actor",)}

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    title: Text
    genre: Literal["newsletter", "partner-sheet", "slides", "report", "webpage", "spreadsheet", "dataset"]
    issued: DateLike | None = None
    publisher: Slug | None = None
    description: str | None = None
    url: str | None = None
    #: path of the file under the data folder (``geo/communes.csv``); default ``sources/<id>.txt``
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")] | None = None

    @model_validator(mode="after")
    def _dataset_file(self) -> Document:
        if (self.genre == "dataset") != (self.file is not None):
            raise ValueError('a dataset names its "file" (e.g. geo/communes.csv), and only a dataset does')
        if self.file and any(part in (".", "..") for part in self.file.split("/")):
            raise ValueError(f'"{self.file}" leaves the data folder; give a path under it (geo/communes.csv)')
        return self

    @property
    def file_name(self) -> str:
        """The bare name of the document's file (``tkg:sourceFile``)."""
        return self.file.rsplit("/", 1)[-1] if self.file else f"{self.id}.txt"


class Actor(Record, Described):
    """An organisation (or a unit of one): collectivité, company, association, funder…

    ``group`` marks a collective actor the text names without naming its members
    (« les lycées de Charenton »). ``founded`` is a founding date the text gives;
    ``active_since`` a date from which the text says the actor is active (« depuis 1998 »,
    « préfiguré dès 2008 »), which is not a founding date. ``located_in`` is the seat.
    """

    kind: ClassVar[str] = "actor"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "founders": ("actor", "person"),
        "part_of": ("actor",),
        "inspired_by": ("programme", "actor"),
    }

    name: Text
    alt_names: list[Text] = Field(default_factory=list)
    types: Annotated[list[Slug], Field(min_length=1)]
    group: bool = False
    founded: DateLike | None = None
    active_since: DateLike | None = None
    founders: list[Slug] = Field(default_factory=list)
    part_of: Slug | None = None
    inspired_by: list[Slug] = Field(default_factory=list)
    territory: str | None = None
    located_in: str | None = None
    area_served: list[str] = Field(default_factory=list)
    themes: list[Slug] = Field(default_factory=list)
    siren: str | None = None
    siret: str | None = None
    rna: str | None = None
    uai: str | None = None
    homepage: str | None = None

    @field_validator("territory", "located_in")
    @classmethod
    def _territory(cls, v: str | None) -> str | None:
        return _check_territory(v) if v else v

    @field_validator("area_served")
    @classmethod
    def _areas(cls, v: list[str]) -> list[str]:
        return [_check_territory(x) for x in v]

    @field_validator("siren", "siret", "rna", "uai", mode="before")
    @classmethod
    def _ident(cls, v: Any, info: Any) -> Any:
        if v is None:
            return v
        v = str(v).strip()
        check = getattr(identifiers, f"{info.field_name}_problem")
        problem = check(v)
        if problem:
            raise ValueError(problem)
        return v


def _check_territory(value: str) -> str:
    return str(parse_territory(value))


class Person(Record, Described):
    """A person, for a public role only."""

    kind: ClassVar[str] = "person"
    name: Text


class Post(Record):
    """A seat in an organisation (e.g. an elected councillor in charge of economic development)."""

    kind: ClassVar[str] = "post"
    references: ClassVar[dict[str, tuple[str, ...]]] = {"organisation": ("actor",), "holder": ("person",)}

    label: Text
    organisation: Slug
    holder: Slug | None = None
    role: Slug = "elu"
    start: DateLike | None = None
    end: DateLike | None = None


class Programme(Record):
    """A programme, approach, platform, learning path, operation… carried by several actors.

    ``part_of`` is the larger programme it belongs to (Q2ER is part of the démarche AET);
    ``inspired_by`` what it was modelled on (a programme or an actor).
    """

    kind: ClassVar[str] = "programme"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "continues": ("programme",),
        "part_of": ("programme",),
        "inspired_by": ("programme", "actor"),
    }

    name: Text
    alt_names: list[Text] = Field(default_factory=list)
    type: Slug = "programme"
    start: DateLike | None = None
    end: DateLike | None = None
    duration: Duration | None = None
    themes: list[Slug] = Field(default_factory=list)
    area_served: list[str] = Field(default_factory=list)
    continues: Slug | None = None
    part_of: Slug | None = None
    inspired_by: list[Slug] = Field(default_factory=list)
    homepage: str | None = None

    @model_validator(mode="after")
    def _not_part_of_itself(self) -> Programme:
        if self.part_of == self.id:
            raise ValueError(f'"part_of" is the programme itself ({self.id}); name the larger programme')
        return self

    @field_validator("area_served")
    @classmethod
    def _areas(cls, v: list[str]) -> list[str]:
        return [_check_territory(x) for x in v]


class Participation(Record):
    """An actor's role in a programme."""

    kind: ClassVar[str] = "participation"
    references: ClassVar[dict[str, tuple[str, ...]]] = {"actor": ("actor",), "programme": ("programme",)}

    actor: Slug
    programme: Slug
    role: Slug
    start: DateLike | None = None
    end: DateLike | None = None


class Membership(Record):
    """Membership of an actor (or person) in an organisation, network or club."""

    kind: ClassVar[str] = "membership"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "member": ("actor", "person"),
        "organisation": ("actor",),
    }

    member: Slug
    organisation: Slug
    role: Slug = "membre"
    start: DateLike | None = None
    end: DateLike | None = None


class Funding(Record):
    """A grant: funder and recipient (each when the source names it), what it funds, amount, period.

    ``funded_items`` lists what the source says the money paid for (programmes or actors);
    nothing is inferred from the recipient. ``part_of`` names a larger grant that this one is
    a part of: it is never added to a total beside it.
    """

    kind: ClassVar[str] = "funding"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "funder": ("actor",),
        "recipient": ("actor",),
        "funded_items": ("programme", "actor"),
        "part_of": ("funding",),
    }

    funder: Slug | None = None
    recipient: Slug | None = None
    funded_items: list[Slug] = Field(default_factory=list)
    part_of: Slug | None = None
    amount_eur: Annotated[Decimal, Field(ge=0)]
    start: DateLike | None = None
    end: DateLike | None = None
    duration: Duration | None = None
    themes: list[Slug] = Field(default_factory=list)
    support_kind: Slug | None = "financement-direct"

    @model_validator(mode="before")
    @classmethod
    def _one_item(cls, data: Any) -> Any:
        """Accept the single ``funded_item`` of a spreadsheet row as a one-item ``funded_items``."""
        if isinstance(data, dict) and "funded_item" in data:
            data = dict(data)
            item = data.pop("funded_item")
            if item and "funded_items" not in data:
                data["funded_items"] = [item]
        return data

    @property
    def funded_item(self) -> str | None:
        """The first funded item (the spreadsheet side states one per row)."""
        return self.funded_items[0] if self.funded_items else None

    @model_validator(mode="after")
    def _not_part_of_itself(self) -> Funding:
        if self.part_of == self.id:
            raise ValueError(f'"part_of" is the grant itself ({self.id}); name the larger grant')
        return self


class Support(Record):
    """A support of one of the seven kinds given by a provider to a beneficiary."""

    kind: ClassVar[str] = "support"
    references: ClassVar[dict[str, tuple[str, ...]]] = {"provider": ("actor",), "beneficiary": ("actor",)}

    provider: Slug
    beneficiary: Slug
    support_kind: Slug
    start: DateLike | None = None
    end: DateLike | None = None


class Participant(BaseModel):
    """Who took part in an event, a meeting or a publication, and in which role (``concept:role``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    who: Slug
    role: Slug = "participant"


class Event(Record):
    """An event: meeting, webinar, seminar, live, award…

    ``participants`` lists who took part, each with a role of ``concept:role`` (participant,
    partenaire, intervenant…); organisers and speakers keep their own fields.
    """

    kind: ClassVar[str] = "event"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "organisers": ("actor", "person"),
        "speakers": ("person",),
        "participants": ("actor", "person"),
        "about": ("programme", "actor", "publication"),
        "part_of": ("programme",),
    }

    name: Text
    start: DateLike | None = None
    end: DateLike | None = None
    online: bool = False
    organisers: list[Slug] = Field(default_factory=list)
    speakers: list[Slug] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    about: list[Slug] = Field(default_factory=list)
    part_of: Slug | None = None
    themes: list[Slug] = Field(default_factory=list)
    location: str | None = None

    @field_validator("location")
    @classmethod
    def _loc(cls, v: str | None) -> str | None:
        return _check_territory(v) if v else v


class Publication(Record):
    """A publication: research paper, report, kit, charter, MOOC, article…"""

    kind: ClassVar[str] = "publication"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "authors": ("actor", "person"),
        "publishers": ("actor",),
        "participants": ("actor", "person"),
        "about": ("programme", "actor", "event"),
    }
    periods: ClassVar[tuple[tuple[str, str], ...]] = ()

    title: Text
    genre: Literal["report", "article", "press-release", "toolkit", "course", "video", "webpage", "other"] = (
        "other"
    )
    issued: DateLike | None = None
    authors: list[Slug] = Field(default_factory=list)
    publishers: list[Slug] = Field(default_factory=list)
    participants: list[Participant] = Field(default_factory=list)
    about: list[Slug] = Field(default_factory=list)
    themes: list[Slug] = Field(default_factory=list)


class Figure(Record):
    """A figure stated by a source about a record (250 pupils a year, 140 actors met…)."""

    kind: ClassVar[str] = "figure"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "about": ("programme", "actor", "event", "funding", "publication")
    }

    about: Slug
    measure: Text
    value: Decimal
    unit: Text
    start: DateLike | None = None
    end: DateLike | None = None


class Connection(Record):
    """A Kumu connection as it was written: its type, label, direction, tags and custom fields.

    ``source`` and ``target`` are the ids of its two ends (actors, people or programmes);
    ``type`` the Kumu type as written (« Partner », « Works at »); ``record`` the id of the
    record of ours it also became (a partnership programme, a membership, a support), None
    when it joins a person or edits a field (a founder, a parent organisation). Several
    connections between the same pair stay distinct records.

    >>> Connection(id="lien-a-b", source="a", target="b", direction="both",
    ...     sources=[{"doc": "d", "quote": "Feuille Connections, ligne 2"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Connection
    direction
      Input should be 'directed', 'undirected' or 'mutual' ...
    """

    kind: ClassVar[str] = "connection"
    references: ClassVar[dict[str, tuple[str, ...]]] = {
        "source": ("actor", "person", "programme"),
        "target": ("actor", "person", "programme"),
    }

    source: Slug
    target: Slug
    type: str | None = None
    label: str | None = None
    direction: Literal["directed", "undirected", "mutual"] | None = None
    tags: list[Text] = Field(default_factory=list)
    properties: list[Property] = Field(default_factory=list)
    start: DateLike | None = None
    end: DateLike | None = None
    record: Slug | None = None


#: file name (without .yaml) → model, in the order they are loaded
RECORD_TYPES: dict[str, type[BaseModel]] = {
    "documents": Document,
    "actors": Actor,
    "people": Person,
    "posts": Post,
    "programmes": Programme,
    "participations": Participation,
    "memberships": Membership,
    "fundings": Funding,
    "supports": Support,
    "events": Event,
    "publications": Publication,
    "figures": Figure,
    "connections": Connection,
}
