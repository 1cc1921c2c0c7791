"""The workbook shape: the sheets and their columns (:data:`SHEETS`), the SKOS drop-down
labels (:class:`Concepts`), a sheet's cells (:class:`Table`) and how a table's name and
headers are matched to a sheet (:func:`match_sheet`, :func:`match_columns`).

One shape serves the template (``kg template``), the import (``kg import``) and the
export (``kg export-xlsx``): French headers, each also accepted under English and Kumu names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model.names import normalise

__all__ = [
    "EXAMPLE_ID_PREFIX",
    "LISTS_SHEET",
    "README_SHEET",
    "SHEETS",
    "SHEET_RELATION_KINDS",
    "TEMPLATE_ROWS",
    "Column",
    "Concepts",
    "Sheet",
    "Table",
    "load_concepts",
    "match_columns",
    "match_sheet",
    "sheet",
]

README_SHEET = "Lisez-moi"
LISTS_SHEET = "Listes"
#: rows whose id starts with this are the template's examples: the import skips them
EXAMPLE_ID_PREFIX = "exemple"
#: how many rows of the template carry drop-down lists and the text format
TEMPLATE_ROWS = 1000
#: the relation kinds a row of the Relations sheet may state (the others have no record a row
#: could fill); not the kinds of the projection's edges, :data:`kg.network.projection.EDGE_KINDS`
SHEET_RELATION_KINDS = (
    "partenariat",
    "adhesion",
    "soutien",
    "participation",
    "fondation",
    "unite",
    "succession",
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its French header, the other names it may have."""

    key: str
    header: str
    help: str
    aliases: tuple[str, ...] = ()
    #: SKOS scheme whose French labels fill the drop-down list
    scheme: str | None = None
    #: several values separated by "|"
    multi: bool = False
    required: bool = False
    #: kept as text in the template (codes with leading zeros)
    text: bool = False
    example: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: its key, French name, other names, columns."""

    key: str
    name: str
    help: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


_ID = Column(
    "id",
    "id",
    "Identifiant stable de la ligne. Laissez vide : il est calculé à partir du nom. "
    "Gardez-le tel quel ensuite : c'est lui qui fait qu'un nouvel import met à jour au lieu de dupliquer.",
    ("identifiant", "ID"),
    text=True,
)
_SOURCE = Column(
    "source",
    "source",
    "Titre ou id d'une ligne de la feuille Sources qui atteste ce fait (facultatif).",
    ("Source",),
)
_START = Column(
    "debut",
    "début",
    "Date de début : jj/mm/aaaa, mm/aaaa ou aaaa.",
    ("debut", "start", "date de début", "Start Date"),
)
_END = Column("fin", "fin", "Date de fin : jj/mm/aaaa, mm/aaaa ou aaaa.", ("end", "date de fin", "End Date"))
_THEMES = Column(
    "themes",
    "thèmes",
    "Thèmes, séparés par « | » (liste Thèmes).",
    ("themes", "thématiques", "tags", "Tags"),
    scheme="theme",
    multi=True,
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "actors",
        "Acteurs",
        "Une ligne par acteur : collectivité, entreprise, association, financeur…",
        (
            Column(
                "name",
                "nom",
                "Nom de l'acteur, tel qu'on l'écrit d'habitude.",
                ("name", "label", "libellé", "raison sociale", "Label"),
                required=True,
                example="Club Gravelle Entreprendre",
            ),
            Column(
                "types",
                "type",
                "Type d'acteur (liste) ; plusieurs types séparés par « | ».",
                ("types", "type d'acteur", "Type"),
                scheme="actor-type",
                multi=True,
                required=True,
                example="Club d'entreprises",
            ),
            Column(
                "description",
                "description",
                "Ce que fait l'acteur, en une ou deux phrases.",
                ("Description",),
                example="Club des entreprises du territoire.",
            ),
            _THEMES,
            Column(
                "commune",
                "commune",
                "Commune du siège : code INSEE (94018) ou nom (Charenton-le-Pont).",
                ("code insee", "ville", "city", "code commune"),
                text=True,
                example="94018",
            ),
            Column(
                "departement",
                "département",
                "Code du département (94) : départage les communes homonymes.",
                ("departement", "dept", "department"),
                text=True,
            ),
            Column(
                "postcode",
                "code postal",
                "Code postal : départage aussi les communes homonymes.",
                ("cp", "postcode", "postal code", "zip"),
                text=True,
            ),
            Column("siren", "SIREN", "9 chiffres (registre Sirene).", text=True),
            Column("siret", "SIRET", "14 chiffres (SIREN + NIC).", text=True),
            Column("rna", "RNA", "Numéro d'association : W suivi de 9 chiffres.", ("numéro rna",), text=True),
            Column(
                "homepage", "site web", "Adresse du site (https://…).", ("site", "website", "url", "Website")
            ),
            _SOURCE,
            _ID,
        ),
        aliases=("acteur", "actors", "actor", "elements", "éléments", "element", "organisations"),
    ),
    Sheet(
        "relations",
        "Relations",
        "Une ligne par relation entre deux acteurs, ou entre un acteur et un programme.",
        (
            Column(
                "from",
                "de",
                "Acteur d'où part la relation : son nom ou son id.",
                ("from", "From", "acteur"),
                required=True,
                example="Club Gravelle Entreprendre",
            ),
            Column(
                "to",
                "vers",
                "Acteur (ou programme) où arrive la relation.",
                ("to", "To", "à"),
                required=True,
                example="Le RAMEAU",
            ),
            Column(
                "kind",
                "type de relation",
                "Genre de relation (liste) : partenariat, adhésion, soutien, participation…",
                ("type", "relation", "kind", "Type"),
                scheme="relation-kind",
                example="Partenariat",
            ),
            Column(
                "role",
                "rôle",
                "Rôle de « de » (liste) : membre, partenaire, porteur…",
                ("role",),
                scheme="role",
            ),
            Column(
                "support_kind",
                "type de soutien",
                "Pour un soutien : sa nature (liste).",
                ("support kind",),
                scheme="support-kind",
            ),
            _START,
            _END,
            Column("description", "description", "Ce que recouvre la relation.", ("Description",)),
            _SOURCE,
            _ID,
        ),
        aliases=("relation", "liens", "connections", "connexions", "connection"),
    ),
    Sheet(
        "programmes",
        "Programmes",
        "Une ligne par programme, démarche, plateforme, parcours, opération…",
        (
            Column(
                "name",
                "nom",
                "Nom du programme.",
                ("name", "label", "Label"),
                required=True,
                example="Parcours Entreprendre Gravelle",
            ),
            Column(
                "type",
                "type de programme",
                "Genre de programme (liste).",
                ("type", "Type"),
                scheme="project-type",
                example="Programme",
            ),
            Column("description", "description", "Objet du programme.", ("Description",)),
            _THEMES,
            _START,
            _END,
            Column("homepage", "site web", "Adresse du site (https://…).", ("site", "website", "url")),
            _SOURCE,
            _ID,
        ),
        aliases=("programme", "programs", "projets", "projects"),
    ),
    Sheet(
        "partners",
        "Partenaires",
        "Qui fait quoi dans chaque programme : une ligne par acteur et par programme.",
        (
            Column(
                "programme",
                "programme",
                "Nom ou id du programme (feuille Programmes, ou déjà dans le graphe).",
                required=True,
                example="Parcours Entreprendre Gravelle",
            ),
            Column(
                "actor",
                "acteur",
                "Nom ou id de l'acteur.",
                ("actor",),
                required=True,
                example="Club Gravelle Entreprendre",
            ),
            Column(
                "role",
                "rôle",
                "Rôle dans le programme (liste) : porteur, partenaire, financeur…",
                ("role",),
                scheme="role",
                required=True,
                example="Porteur",
            ),
            _START,
            _END,
            Column("description", "description", "Ce que l'acteur apporte au programme.", ("Description",)),
            _SOURCE,
            _ID,
        ),
        aliases=("partenaires des programmes", "participations", "partners"),
    ),
    Sheet(
        "fundings",
        "Financements",
        "Une ligne par subvention ou financement.",
        (
            Column(
                "funder",
                "financeur",
                "Acteur qui finance (laisser vide s'il n'est pas connu).",
                ("funder",),
                example="Le RAMEAU",
            ),
            Column(
                "recipient",
                "bénéficiaire",
                "Acteur qui reçoit le financement.",
                ("beneficiaire", "recipient"),
                required=True,
                example="Club Gravelle Entreprendre",
            ),
            Column(
                "programme",
                "programme",
                "Programme financé, s'il y en a un.",
                ("funded item",),
                example="Parcours Entreprendre Gravelle",
            ),
            Column(
                "amount",
                "montant en euros",
                "Montant en euros ; virgule décimale acceptée (12 500,50).",
                ("montant", "montant (€)", "montant en €", "amount"),
                required=True,
                example="12 500,50",
            ),
            _START,
            _END,
            Column("purpose", "objet", "Ce que le financement paie.", ("description", "purpose")),
            Column(
                "support_kind",
                "type de soutien",
                "Nature du soutien (liste) ; par défaut : financement direct.",
                ("support kind",),
                scheme="support-kind",
                example="Financement direct",
            ),
            _THEMES,
            _SOURCE,
            _ID,
        ),
        aliases=("financement", "fundings", "funding", "subventions"),
    ),
    Sheet(
        "sources",
        "Sources",
        "Les documents qui attestent les faits (convention, article, rapport…).",
        (
            Column(
                "title",
                "titre",
                "Titre du document.",
                ("title", "Label"),
                required=True,
                example="Convention de partenariat 2024",
            ),
            Column("date", "date", "Date du document : jj/mm/aaaa, mm/aaaa ou aaaa.", example="15/01/2024"),
            Column("url", "url", "Adresse du document en ligne.", ("lien", "link")),
            _ID,
        ),
        aliases=("source", "documents"),
    ),
)

_SHEET_BY_KEY = {s.key: s for s in SHEETS}


def sheet(key: str) -> Sheet:
    """The :class:`Sheet` of *key* (``actors``, ``relations``…)."""
    return _SHEET_BY_KEY[key]


# --------------------------------------------------------------------------- concepts


@dataclass
class Concepts:
    """The SKOS concepts offered in drop-down lists, and how to read them back.

    ``labels[scheme]`` lists ``(notation, French label)`` in the order of the scheme file;
    ``lookup[scheme]`` maps :func:`kg.model.names.normalise` of a French or English label, or
    of a notation, to the notation.
    """

    labels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    lookup: dict[str, dict[str, str]] = field(default_factory=dict)

    def notation(self, scheme: str, value: str) -> str | None:
        """The notation a cell means (French or English label, or the notation), or None."""
        return self.lookup.get(scheme, {}).get(normalise(value))

    def label(self, scheme: str, notation: str) -> str:
        """The French label of *notation* (the notation itself when unknown)."""
        for n, lab in self.labels.get(scheme, []):
            if n == notation:
                return lab
        return notation


def load_concepts(schemes_file: str | Path = "ontology/schemes.ttl") -> Concepts:
    """Read the SKOS schemes: French labels for the lists, and every accepted spelling.

    Examples
    --------
    >>> from kg.model.paths import ONTOLOGY_DIR
    >>> c = load_concepts(ONTOLOGY_DIR / "schemes.ttl")
    >>> c.notation("actor-type", "Club d'entreprises"), c.notation("role", "PORTEUR")
    ('club-entreprises', 'porteur')
    """
    from kg.ingest.schemes import read_concepts

    out = Concepts()
    for scheme, n, fr, en in read_concepts(schemes_file):
        out.labels.setdefault(scheme, []).append((n, fr))
        lk = out.lookup.setdefault(scheme, {})
        for spelling in (en, n, n.replace("-", " "), fr):  # French last: it wins on a clash
            lk[normalise(spelling)] = n
    return out


# --------------------------------------------------------------------------- tables


@dataclass
class Table:
    """The cells of one sheet: headers (first non-empty row) and the rows after it.

    ``rows`` holds ``(row number as the spreadsheet shows it, values)``; empty rows are
    dropped. ``file`` is the file name, for messages. What the reader saw besides the
    values, for the import to report it: ``hidden`` (a hidden sheet), ``merged`` (merged
    ranges as ``(first row, first column, last row, last column)``, rows as shown, columns
    from 0) and ``uncached`` (``(row, column)`` of formulas saved without their value).
    """

    file: str
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    uncached: list[tuple[int, int]] = field(default_factory=list)
    #: row number of the headers
    header_row: int = 1

    @property
    def where(self) -> str:
        """``"<file>, feuille <sheet>"``: the *file* of every :class:`Problem` about this table."""
        return f"{self.file}, feuille {self.name}"

    def where_in(self, lang: str = "fr") -> str:
        """:attr:`where` said in *lang*: ``"<file>, sheet <sheet>"`` in English (``where`` stays the key)."""
        return f"{self.file}, sheet {self.name}" if lang == "en" else self.where


# --------------------------------------------------------------------------- headers


def _key(text: str) -> str:
    return normalise(str(text))


def match_sheet(table: Table) -> Sheet | None:
    """The :class:`Sheet` a table is: by its name (French, English, Kumu), else by its headers.

    Examples
    --------
    >>> match_sheet(Table("x.xlsx", "Elements", ["Label", "Type"], [])).name
    'Acteurs'
    >>> match_sheet(Table("liens.csv", "liens", ["From", "To", "Type"], [])).name
    'Relations'
    """
    name = _key(table.name)
    if name in (_key(README_SHEET), _key(LISTS_SHEET), "read me", "readme"):
        return None
    for s in SHEETS:
        if name in {_key(s.name), _key(s.key), *(_key(a) for a in s.aliases)}:
            return s
    # a CSV file, or a sheet of another name: the headers tell (required columns all present, and
    # at least as many known columns as unknown ones: a list of contacts with a "Nom" is no programme)
    best, score = None, 0
    for s in SHEETS:
        cols, unknown = match_columns(table.headers, s)
        keys = set(cols.values())
        required = {c.key for c in s.columns if c.required}
        if required <= keys and len(keys) >= len(unknown) and len(keys) > score:
            best, score = s, len(keys)
    return best


def match_columns(headers: list[str], sheet_: Sheet) -> tuple[dict[int, str], list[int]]:
    """Map header positions to column keys; also return the positions of unknown headers."""
    names: dict[str, str] = {}
    for c in sheet_.columns:
        for spelling in (c.key, c.header, *c.aliases):
            names.setdefault(_key(spelling), c.key)
    found: dict[int, str] = {}
    unknown: list[int] = []
    for i, h in enumerate(headers):
        if not h:
            continue
        k = names.get(_key(h))
        if k is None or k in found.values():
            unknown.append(i)
        else:
            found[i] = k
    return found, unknown
