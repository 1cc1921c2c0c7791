"""Spreadsheets as French catalysts make them: the workbook shape, the template, the readers.

One workbook shape serves the template (``kg template``), the import (``kg import``) and
the export (``kg export-xlsx``): one sheet per kind of record (:data:`SHEETS`), French
headers, each also accepted under English and Kumu names (``Label``, ``Type``,
``Description``, ``Tags``; ``From``, ``To``, ``Type``), so a Kumu export imports as it is.

Readers (:func:`read_tables`) turn an ``.xlsx`` (openpyxl), ``.ods`` (the standard library:
``content.xml`` is read as a stream) or ``.csv`` (UTF-8 with or without BOM, or
Windows-1252; ``;`` or ``,``) into :class:`Table` objects: the sheet, its headers and its
rows with their row numbers as the spreadsheet shows them. The cell parsers
(:func:`parse_date`, :func:`parse_amount`, :func:`parse_list`, :func:`parse_code`) read
French conventions: ``dd/mm/yyyy`` and Excel serial dates, decimal commas, spaces as
thousands separators. They return ``(value, problem)`` pairs and never raise, so an
import can report every bad cell at once.

Nothing here knows about the graph: :mod:`kg.sheets.convert` turns tables into records.

>>> parse_amount("1 500 000,50")
(Decimal('1500000.50'), None)
>>> parse_date("09/03/2023")
('2023-03-09', None)
>>> parse_date(44994)  # an Excel serial number
('2023-03-09', None)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.errors import InputError, Problem
from kg.model.names import normalise

__all__ = [
    "EXAMPLE_ID_PREFIX",
    "LISTS_SHEET",
    "README_SHEET",
    "SHEETS",
    "SHEET_RELATION_KINDS",
    "Column",
    "Concepts",
    "Sheet",
    "Table",
    "cell_text",
    "load_concepts",
    "match_columns",
    "match_sheet",
    "parse_amount",
    "parse_code",
    "parse_date",
    "parse_list",
    "read_tables",
    "sheet",
    "slugify",
    "write_template",
    "write_workbook",
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
    dropped. ``file`` is the file name, for messages.
    """

    file: str
    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]

    @property
    def where(self) -> str:
        """``"<file>, feuille <sheet>"``: the *file* of every :class:`Problem` about this table."""
        return f"{self.file}, feuille {self.name}"


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _table(file: str, name: str, rows: Iterator[tuple[int, list[Any]]]) -> Table | None:
    headers: list[str] | None = None
    body: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if all(_empty(v) for v in values):
            continue
        if headers is None:
            headers = ["" if v is None else str(v).strip() for v in values]
            continue
        body.append((number, values))
    if headers is None:
        return None
    while headers and not headers[-1]:
        headers.pop()
    return Table(file, name, headers, body)


def read_tables(path: str | Path) -> list[Table]:
    """Read every sheet of an ``.xlsx``, ``.ods`` or ``.csv`` file.

    Parameters
    ----------
    path : path
        The file. A CSV file is one table, named after the file.

    Returns
    -------
    list of Table
        In the order of the workbook; sheets without any cell are left out.

    Raises
    ------
    InputError
        When the file is missing, of another kind, or cannot be read (the message says
        which encoding or format to use).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "fichier introuvable (no such file)",
                    "donnez le chemin d'un fichier .xlsx, .ods ou .csv",
                )
            ]
        )
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        if suffix == ".ods":
            return _read_ods(path)
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"illisible comme {suffix} ({exc})",
                    "réenregistrez-le depuis le tableur au format .xlsx, .ods ou .csv",
                )
            ]
        ) from None
    raise InputError(
        [
            Problem(
                path.name,
                None,
                None,
                f"le format « {suffix} » n'est pas lu",
                "enregistrez le classeur en .xlsx, .ods ou .csv (séparateur « ; »)",
            )
        ]
    )


def _read_xlsx(path: Path) -> list[Table]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            t = _table(
                path.name, ws.title, ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), 1))
            )
            if t is not None:
                out.append(t)
    finally:
        wb.close()
    return out


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(ns: str, name: str) -> str:
    return f"{{{_ODS[ns]}}}{name}"


def _ods_text(cell: Any) -> str:
    """The text of an ODS cell: paragraphs joined by newlines; <text:s/> is spaces, <text:tab/> a tab."""
    s_tag, tab_tag, lb_tag, p_tag = (
        _q("text", "s"),
        _q("text", "tab"),
        _q("text", "line-break"),
        _q("text", "p"),
    )

    def inner(el: Any) -> str:
        parts = [el.text or ""]
        for child in el:
            if child.tag == s_tag:
                parts.append(" " * int(child.get(_q("text", "c"), "1")))
            elif child.tag == tab_tag:
                parts.append("\t")
            elif child.tag == lb_tag:
                parts.append("\n")
            else:
                parts.append(inner(child))
            parts.append(child.tail or "")
        return "".join(parts)

    return "\n".join(inner(p) for p in cell.iter(p_tag))


def _ods_value(cell: Any) -> Any:
    vtype = cell.get(_q("office", "value-type"))
    if vtype in ("float", "percentage", "currency"):
        raw = cell.get(_q("office", "value"))
        try:
            d = Decimal(raw)
        except (InvalidOperation, TypeError):
            return _ods_text(cell)
        return int(d) if d == d.to_integral_value() else float(raw)
    if vtype == "date":
        raw = cell.get(_q("office", "date-value"), "")
        try:
            return (
                dt.datetime.fromisoformat(raw) if "T" in raw else dt.datetime.fromisoformat(raw + "T00:00:00")
            )
        except ValueError:
            return raw
    if vtype == "boolean":
        return cell.get(_q("office", "boolean-value")) == "true"
    text = _ods_text(cell)
    return text if text else None


def _read_ods(path: Path) -> list[Table]:
    import xml.etree.ElementTree as ET

    table_tag, row_tag = _q("table", "table"), _q("table", "table-row")
    cell_tags = (_q("table", "table-cell"), _q("table", "covered-table-cell"))
    rep_rows, rep_cols, name_attr = (
        _q("table", "number-rows-repeated"),
        _q("table", "number-columns-repeated"),
        _q("table", "name"),
    )
    out: list[Table] = []
    with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
        rows: list[tuple[int, list[Any]]] = []
        number = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            if event == "start":
                if el.tag == table_tag:
                    rows, number = [], 0
                continue
            if el.tag == row_tag:
                values: list[Any] = []
                for cell in el:
                    if cell.tag not in cell_tags:
                        continue
                    v = _ods_value(cell)
                    values.extend([v] * int(cell.get(rep_cols, "1")))
                while values and _empty(values[-1]):
                    values.pop()
                repeat = int(el.get(rep_rows, "1"))
                if values:
                    for _ in range(repeat):
                        number += 1
                        rows.append((number, list(values)))
                else:
                    number += repeat
                el.clear()
            elif el.tag == table_tag:
                t = _table(path.name, el.get(name_attr, "Feuille"), iter(rows))
                if t is not None:
                    out.append(t)
                el.clear()
    return out


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _read_csv(path: Path) -> list[Table]:
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"encodage inconnu (octet {exc.start} illisible en UTF-8 comme en Windows-1252)",
                    "enregistrez le CSV en UTF-8",
                )
            ]
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    t = _table(path.name, path.stem, ((reader.line_num, row) for row in reader))
    return [t] if t is not None else []


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
    # a CSV file, or a sheet of another name: the headers tell (required columns all present)
    best, score = None, 0
    for s in SHEETS:
        cols = match_columns(table.headers, s)[0]
        keys = set(cols.values())
        required = {c.key for c in s.columns if c.required}
        if required <= keys and len(keys) > score:
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


# --------------------------------------------------------------------------- cells

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATE_FIX = "écrivez la date jj/mm/aaaa (09/03/2023), mm/aaaa ou aaaa"


def parse_date(value: Any) -> tuple[str | None, str | None]:
    """A date cell as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: ``(value, None)`` or ``(None, problem)``.

    Accepts spreadsheet dates, ``dd/mm/yyyy``, ``mm/yyyy``, ``yyyy``, ISO dates and Excel
    serial numbers (a whole number from 1000 to 2999 is a year).

    Examples
    --------
    >>> parse_date("2021"), parse_date("03/2021"), parse_date(2021)
    (('2021', None), ('2021-03', None), ('2021', None))
    >>> print(parse_date("31/02/2021")[1])
    « 31/02/2021 » n'est pas une date réelle (day is out of range for month)
    """
    if _empty(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1000 <= value <= 2999:
            return str(int(value)), None
        if 1 <= value < 2958466:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat(), None
        return None, f"« {value} » n'est pas une date"
    text = str(value).strip()
    try:
        if m := _DMY.match(text):
            d, mo, y = (int(x) for x in m.groups())
            return dt.date(y, mo, d).isoformat(), None
        if m := _MY.match(text):
            mo, y = (int(x) for x in m.groups())
            dt.date(y, mo, 1)
            return f"{y:04d}-{mo:02d}", None
        if m := _ISO.match(text[:10] if len(text) > 10 and text[10] in "T " else text):
            y, mo, d = m.groups()
            dt.date(int(y), int(mo or 1), int(d or 1))
            return m.group(0), None
        if re.match(r"^\d+([.,]\d+)?$", text):  # a serial number kept as text
            return parse_date(float(text.replace(",", ".")))
    except ValueError as exc:
        return None, f"« {text} » n'est pas une date réelle ({exc})"
    return None, f"« {text} » n'est pas une date"


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_amount(value: Any) -> tuple[Decimal | None, str | None]:
    """An amount in euros: decimal comma or point, spaces, dots or apostrophes between thousands, a € sign.

    Examples
    --------
    >>> parse_amount("1.500.000"), parse_amount("12 500,5 €"), parse_amount(1500.5)
    ((Decimal('1500000'), None), (Decimal('12500.5'), None), (Decimal('1500.5'), None))
    >>> parse_amount("environ 10k")[1]
    "« environ 10k » n'est pas un montant"
    """
    if _empty(value):
        return None, None
    if isinstance(value, bool):
        return None, f"« {value} » n'est pas un montant"
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        return Decimal(repr(value)).normalize() if value != int(value) else Decimal(int(value)), None
    text = _SPACES.sub("", str(value)).replace("€", "").replace("EUR", "").replace("eur", "")
    if re.match(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$", text):  # 1.500.000,50
        text = text.replace(".", "").replace(",", ".")
    elif re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", text):  # 1,500,000.50
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        if not re.match(r"^-?\d+(\.\d+)?$", text):
            raise InvalidOperation
        return Decimal(text), None
    except InvalidOperation:
        return None, f"« {value} » n'est pas un montant"


def parse_list(value: Any) -> list[str]:
    """Values separated by ``|`` (Kumu's convention), stripped, empty ones dropped.

    >>> parse_list("Jeunesse | Emploi||")
    ['Jeunesse', 'Emploi']
    """
    if _empty(value):
        return []
    return [p.strip() for p in str(value).split("|") if p.strip()]


def parse_code(value: Any, width: int = 0) -> str | None:
    """A code cell as text: numbers lose their ``.0``; a number shorter than *width* gets back its leading zeros.

    Spaces, dots and non-breaking spaces inside are removed (``219 400 181``).

    >>> parse_code(1001.0, 5), parse_code("219 400 181"), parse_code("2A004")
    ('01001', '219400181', '2A004')
    """
    if _empty(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text.zfill(width) if width and len(text) < width else text
    text = str(value).strip()
    if re.match(r"^[\d\s\u00a0\u202f.]+$", text):
        text = re.sub(r"[\s\u00a0\u202f.]", "", text)
    return text


def cell_text(value: Any) -> str | None:
    """A text cell, stripped (numbers written without ``.0``); None when empty."""
    if _empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def slugify(text: str) -> str:
    """A stable id from a name: lower-case ASCII words joined by dashes.

    >>> slugify("Club Gravelle-Entreprendre"), slugify("L'Œuvre d'Orient")
    ('club-gravelle-entreprendre', 'l-oeuvre-d-orient')
    """
    return normalise(text).replace(" ", "-")


# --------------------------------------------------------------------------- writing


def write_workbook(
    path: str | Path,
    rows: dict[str, list[dict[str, Any]]],
    concepts: Concepts,
    *,
    extra_readme: list[tuple[str, str]] = (),  # type: ignore[assignment]
    template_rows: int = TEMPLATE_ROWS,
) -> Path:
    """Write a workbook of the shape of :data:`SHEETS`, with drop-down lists and a read-me sheet.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    rows : dict
        Sheet key → list of rows, each a dict column key → cell value (strings, numbers,
        lists for the ``multi`` columns, which are written ``a | b``).
    concepts : Concepts
        The SKOS labels of the drop-down lists.
    extra_readme : list of (str, str)
        More lines of the read-me sheet (e.g. the import a workbook was exported from).
    template_rows : int
        How many rows carry the lists and the text format.

    Returns
    -------
    Path
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = README_SHEET
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    id_fill = PatternFill("solid", fgColor="EEEEEE")
    lists = wb.create_sheet(LISTS_SHEET)
    list_ranges: dict[str, str] = {}
    for i, (scheme, items) in enumerate(sorted(concepts.labels.items()), 1):
        letter = get_column_letter(i)
        lists.cell(1, i, scheme).font = bold
        if scheme == "relation-kind":
            items = [x for x in items if x[0] in SHEET_RELATION_KINDS]
        for j, (_, label) in enumerate(items, 2):
            lists.cell(j, i, label)
        list_ranges[scheme] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(items) + 1}"
    lists.sheet_state = "hidden"
    for s in SHEETS:
        ws = wb.create_sheet(s.name, index=wb.sheetnames.index(LISTS_SHEET))
        for j, c in enumerate(s.columns, 1):
            cell = ws.cell(1, j, c.header)
            cell.font, cell.fill = bold, (id_fill if c.key == "id" else head_fill)
            ws.column_dimensions[get_column_letter(j)].width = max(
                12, min(40, len(c.header) + 6, len(c.example) + 4)
            )
        ws.freeze_panes = "A2"
        data = rows.get(s.key, [])
        for i, row in enumerate(data, 2):
            for j, c in enumerate(s.columns, 1):
                v = row.get(c.key)
                if isinstance(v, (list, tuple)):
                    v = " | ".join(str(x) for x in v) if v else None
                if v is None or v == "":
                    continue
                cell = ws.cell(i, j, v)
                if c.text and isinstance(v, str):
                    cell.number_format = "@"
        last = max(template_rows, len(data) + 1)
        for j, c in enumerate(s.columns, 1):
            letter = get_column_letter(j)
            if c.text and len(data) < template_rows:
                for i in range(len(data) + 2, template_rows + 1):
                    ws.cell(i, j).number_format = "@"
            if c.scheme and c.scheme in list_ranges:
                dv = DataValidation(type="list", formula1=f"={list_ranges[c.scheme]}", allow_blank=True)
                if c.multi:  # "a | b" is allowed: a warning, not a refusal
                    dv.errorStyle = "information"
                    dv.error = "Plusieurs valeurs ? Séparez-les par « | »."
                else:
                    dv.error = "Choisissez une valeur de la liste."
                dv.errorTitle = c.header
                dv.promptTitle, dv.prompt = c.header[:32], c.help[:250]
                dv.showInputMessage = True
                dv.add(f"{letter}2:{letter}{last}")
                ws.add_data_validation(dv)
    # read-me
    readme.column_dimensions["A"].width = 22
    readme.column_dimensions["B"].width = 22
    readme.column_dimensions["C"].width = 100
    lines: list[tuple[str, str, str]] = [
        ("Territorial KG", "", "Classeur pour cartographier l'écosystème de votre territoire."),
        (
            "",
            "",
            (
                "Remplissez une ligne par acteur, relation, programme, partenaire, financement ou source, "
                "puis : kg import ce-fichier.xlsx (ajoutez --dry-run pour voir d'abord ce qui changerait)."
            ),
        ),
        (
            "",
            "",
            (
                "Les listes déroulantes viennent des listes contrôlées du graphe (feuille cachée Listes). "
                "Plusieurs valeurs dans une cellule : séparez-les par « | »."
            ),
        ),
        ("", "", "Dates : jj/mm/aaaa, mm/aaaa ou aaaa. Montants : en euros, virgule décimale acceptée."),
        (
            "",
            "",
            f"Les lignes d'exemple (id commençant par « {EXAMPLE_ID_PREFIX} ») sont ignorées à l'import.",
        ),
        (
            "",
            "",
            (
                "Acteurs, programmes : nommez-les comme dans le graphe (ou par leur id) pour les relier aux "
                "acteurs déjà connus, par exemple « Le RAMEAU »."
            ),
        ),
        (
            "",
            "",
            (
                "Colonnes Kumu acceptées : Label, Type, Description, Tags (feuille Elements) ; From, To, Type "
                "(feuille Connections)."
            ),
        ),
    ]
    lines += [(k, "", v) for k, v in extra_readme]
    r = 1
    for a, b, c_ in lines:
        readme.cell(r, 1, a).font = bold
        readme.cell(r, 2, b)
        readme.cell(r, 3, c_).alignment = Alignment(wrap_text=True)
        r += 1
    r += 1
    for col, text in enumerate(("feuille", "colonne", "ce qu'on y met"), 1):
        readme.cell(r, col, text).font = bold
    for s in SHEETS:
        r += 1
        readme.cell(r, 1, s.name).font = bold
        readme.cell(r, 3, s.help)
        for c in s.columns:
            r += 1
            readme.cell(r, 2, c.header + (" *" if c.required else ""))
            extra = f" Autres noms acceptés : {', '.join(c.aliases)}." if c.aliases else ""
            readme.cell(r, 3, c.help + extra).alignment = Alignment(wrap_text=True)
    r += 2
    readme.cell(r, 1, "* colonne obligatoire").font = Font(italic=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _example_rows(concepts: Concepts) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for s in SHEETS:
        row: dict[str, Any] = {c.key: c.example for c in s.columns if c.example}
        row["id"] = f"{EXAMPLE_ID_PREFIX}-{s.key}"
        out[s.key] = [row]
    out["actors"][0]["themes"] = [
        concepts.label("theme", "entrepreneuriat"),
        concepts.label("theme", "developpement-economique"),
    ]
    return out


def write_template(path: str | Path, schemes_file: str | Path = "ontology/schemes.ttl") -> Path:
    """Write the empty workbook catalysts fill in: one example row per sheet, lists, a read-me sheet.

    Examples
    --------
    >>> write_template(tmp / "territoire.xlsx")  # doctest: +SKIP
    PosixPath('.../territoire.xlsx')
    """
    concepts = load_concepts(schemes_file)
    return write_workbook(path, _example_rows(concepts), concepts)
