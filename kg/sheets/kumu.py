"""Kumu's conventions: its workbooks read as they are, and written back (``kg export-xlsx --format kumu``).

Kumu (kumu.io) imports and exports a workbook of two sheets (docs.kumu.io, « Structure
your data for Kumu », « Export », « How do I avoid duplicating data? »):

* **Elements**: ``Label`` (required, first column, or after ``ID``), ``Type`` (one free-text
  category: « Person », « Company »…), ``Description``, ``Tags`` (several values separated by
  ``|``), ``Image`` (an address), and any other column, a *custom field* (« Employees »,
  « Founded »…). Kumu matches an element by ``ID``, else by ``Label`` and ``Type``.
* **Connections**: ``From`` and ``To`` (labels, or the elements' ids when the Elements sheet
  has an ``ID`` column; several targets in ``To`` separated by ``|`` make one connection
  each), ``Type``, ``Label``, ``Description``, ``Tags``, ``Direction`` (``directed``,
  ``undirected`` or ``mutual``) and custom fields. Every row is a connection of its own, even
  between the same two elements (an ``ID`` column lets a new import update it).
* A sheet whose name contains ``(ignore)`` is left out.

Here a Kumu element of any type is imported: a type of ours (« Entreprise », « Company »
when it obviously is one, see :data:`KUMU_TYPES`) gives the actor's type; a person type
(« Person », « Employee/Founder »…) gives a :class:`~kg.model.records.Person`; any other is
kept as written, as a tag, with a provisional type, and every type is reported in one
summary. A connection keeps its Kumu type, label, direction and tags
(:class:`Connection`); when its type is one of our relation kinds it also becomes that
record (membership, support…), else a partnership between two actors. Custom fields are
kept as :class:`Property` (name, value as written) of the element or connection.

While a workbook is read, what Kumu says beyond our columns (the type as written, tags
that are not themes, properties, image, people, connections) is gathered in a
:class:`KumuBook`; the planner (:func:`kg.sheets.plan.plan_import`) hands it over as
records: the extras on the :class:`~kg.model.records.Actor` and
:class:`~kg.model.records.Person` records, and a :class:`~kg.model.records.Connection`
record per connection. So an import stores them, its diff sees them, and
:func:`kumu_rows` writes them back from the records alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg.model.names import normalise
from kg.model.records import Connection, Person, Property
from kg.sheets.cells import cell_text, formula_like
from kg.sheets.layout import Concepts, Sheet, Table

__all__ = [
    "DIRECTIONS",
    "KUMU_FIELDS",
    "KUMU_TYPES",
    "OTHER_TYPE",
    "PERSON",
    "Connection",
    "Element",
    "KumuBook",
    "Property",
    "is_kumu",
    "kumu_rows",
    "kumu_type",
    "with_kumu_extras",
    "write_kumu",
]

#: the values of Kumu's ``Direction`` field
DIRECTIONS = ("directed", "undirected", "mutual")
#: what :func:`kumu_type` returns for a person
PERSON = "person"
#: the actor type given to an element whose Kumu type has no obvious equivalent (when the scheme has it)
OTHER_TYPE = "autre"
#: Kumu element types (normalised) whose equivalent is obvious: an actor type of ours, or a person
KUMU_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "person",
            "people",
            "individual",
            "personne",
            "individu",
            "employee",
            "employe",
            "salarie",
            "founder",
            "fondateur",
            "fondatrice",
            "co founder",
            "cofounder",
            "employee founder",
            "ceo",
            "director",
            "directeur",
            "directrice",
            "volunteer",
            "benevole",
            "elu",
            "elue",
            "contact",
            "staff",
            "member person",
        ),
        PERSON,
    ),
    **dict.fromkeys(
        ("company", "business", "startup", "start up", "firm", "societe", "pme", "tpe"), "entreprise"
    ),
    **dict.fromkeys(
        ("non profit", "nonprofit", "ngo", "charity", "ong", "asso", "association loi 1901"), "association"
    ),
    **dict.fromkeys(("foundation", "corporate foundation", "fondation d entreprise"), "fondation"),
    **dict.fromkeys(("endowment fund", "endowment"), "fonds-de-dotation"),
    **dict.fromkeys(
        ("funder", "investor", "financer", "donor", "bailleur", "bailleur de fonds"), "financeur"
    ),
    **dict.fromkeys(
        ("local government", "local authority", "government", "collectivite", "public authority"),
        "collectivite-territoriale",
    ),
    **dict.fromkeys(("city", "town", "municipality", "town hall", "mairie", "ville"), "commune"),
    **dict.fromkeys(("public agency", "agency", "public body", "public institution"), "etablissement-public"),
    **dict.fromkeys(("state service", "ministry", "prefecture", "prefecture de region"), "service-etat"),
    **dict.fromkeys(("school", "ecole", "college", "high school"), "etablissement-scolaire"),
    **dict.fromkeys(
        ("university", "research", "research lab", "laboratory", "laboratoire", "universite"), "recherche"
    ),
    **dict.fromkeys(("network", "club", "reseau"), "reseau"),
    **dict.fromkeys(("business club", "business network"), "club-entreprises"),
    **dict.fromkeys(("trade association", "professional body", "federation"), "organisation-professionnelle"),
    **dict.fromkeys(("chamber of commerce", "cci", "cma"), "chambre-consulaire"),
    **dict.fromkeys(("media", "press", "newspaper", "journal"), "media"),
}


def is_kumu(sheet: Sheet, table: Table) -> bool:
    """True for a sheet written the Kumu way: named Elements or Connections, or headed ``Label`` / ``From``.

    >>> from kg.sheets.layout import sheet
    >>> is_kumu(sheet("actors"), Table("x.xlsx", "Elements", ["Label", "Type"], []))
    True
    >>> is_kumu(sheet("actors"), Table("x.xlsx", "Acteurs", ["nom", "type"], []))
    False
    """
    name = normalise(table.name)
    if name in ("elements", "element", "connections", "connection"):
        return True
    first = [h.strip() for h in table.headers if h.strip()][:2]
    return (sheet.key == "actors" and "Label" in first) or (sheet.key == "relations" and "From" in first)


def kumu_type(text: str, concepts: Concepts) -> str | None:
    """What a Kumu element type means here: an actor type, :data:`PERSON`, or None (no obvious equivalent).

    >>> from kg.model.paths import ONTOLOGY_DIR
    >>> from kg.sheets.layout import load_concepts
    >>> c = load_concepts(ONTOLOGY_DIR / "schemes.ttl")
    >>> kumu_type("Company", c), kumu_type("Employee/Founder", c), kumu_type("Association", c), kumu_type("Hub", c)
    ('entreprise', 'person', 'association', None)
    """
    own = concepts.notation("actor-type", text)
    if own:
        return own
    key = normalise(text)
    if key in KUMU_TYPES:
        return KUMU_TYPES[key]
    words = key.split()
    if words and all(w in KUMU_TYPES and KUMU_TYPES[w] == PERSON for w in words):
        return PERSON  # "Employee / Founder", "Founder CEO"
    return None


class Element(BaseModel):
    """What Kumu says of an element beyond our columns, until the planner puts it on its record."""

    model_config = ConfigDict(extra="forbid")
    #: the ``Type`` as written in Kumu, when it is not one of our labels
    type_label: str | None = None
    #: the ``Tags`` that are not themes
    tags: list[str] = []
    properties: list[Property] = []
    image: str | None = None


@dataclass
class KumuBook:
    """What a Kumu workbook says beyond the records: elements' extras, people, connections, the types met."""

    elements: dict[str, Element] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    connections: list[Connection] = field(default_factory=list)
    #: Kumu type as written → (what it became, how many elements)
    types: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: ids of the elements without any Type (their provisional type says nothing of them)
    untyped: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.elements or self.people or self.connections or self.types)

    def seen_type(self, written: str, became: str) -> None:
        n = self.types.get(written, (became, 0))[1]
        self.types[written] = (became, n + 1)


#: what a Kumu element says beyond our columns (:class:`~kg.model.records.Described`)
KUMU_FIELDS = ("type_label", "tags", "properties", "image")


def with_kumu_extras(rec: BaseModel, other: BaseModel) -> BaseModel:
    """*rec* with the Kumu fields it leaves empty taken from *other*: a row of a sheet without them
    (our own workbook, which has no Tags column) cites a record of a Kumu import without changing it."""
    empty = {f: getattr(other, f) for f in KUMU_FIELDS if hasattr(rec, f) and getattr(rec, f) in (None, [])}
    return rec.model_copy(update=empty) if empty else rec


# --------------------------------------------------------------------------- writing

ELEMENT_COLUMNS = ("ID", "Label", "Type", "Description", "Tags", "URL", "Image")
CONNECTION_COLUMNS = ("ID", "From", "To", "Type", "Direction", "Label", "Description", "Tags", "début", "fin")


def _typed(value: str) -> Any:
    """A custom field's value for a cell: a number stays a number (Kumu's numeric fields), text stays text."""
    if re.match(r"^-?\d{1,15}$", value):
        return int(value)
    if re.match(r"^-?\d{1,15}\.\d{1,6}$", value):
        return float(value)
    return value


def kumu_rows(
    records: dict[str, Sequence[BaseModel]],
    concepts: Concepts,
    cited: dict[str, BaseModel] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of a Kumu workbook (``Elements``, ``Connections``) for the records of an import.

    Parameters
    ----------
    records : dict
        Kind name (``actors``, ``people``, ``programmes``, ``participations``, ``memberships``,
        ``supports``, ``connections``…) → records, as in an :class:`~kg.sheets.plan.ImportPlan`
        or a stored import. The Kumu type as written, tags, properties and image of actors and
        people, and the connections, are read from them.
    concepts : Concepts
        For the French labels of types and themes.
    cited : dict, optional
        Id → record of the actors of the graph the connections cite (written as elements
        too, since Kumu needs both ends; re-imported, they designate the same records).

    Returns
    -------
    dict
        ``{"Elements": [row…], "Connections": [row…]}``, each row a dict of column → value;
        every element and connection has its id in ``ID``, and ``From``/``To`` are ids, as
        Kumu requires once elements have ids. A connection that became a record of ours has
        that record's id (a new import of the row finds the same record).
    """
    elements: list[dict[str, Any]] = []
    for rec in records.get("actors", []):
        elements.append(_element_row(rec, concepts))
    for person in records.get("people", []):
        p: Any = person
        elements.append(
            {"ID": p.id, "Label": p.name, "Type": p.type_label or "Person"}
            | ({"Description": p.description} if p.description else {})
            | ({"Tags": " | ".join(p.tags)} if p.tags else {})
            | _extras(p)
        )
    own = {row["ID"] for row in elements}
    connections: list[dict[str, Any]] = []
    done: set[str] = set()
    by_id: dict[str, Any] = {
        getattr(r, "id", ""): r for k in ("programmes", "memberships", "supports") for r in records.get(k, [])
    }
    for conn in records.get("connections", []):
        c: Any = conn
        row = {"ID": c.record or c.id, "From": c.source, "To": c.target, "Type": c.type}
        row |= {"Direction": c.direction, "Label": c.label, "Description": c.description}
        row |= {"Tags": " | ".join(c.tags) or None, "début": c.start, "fin": c.end}
        row |= {p.name: _typed(p.value) for p in c.properties}
        connections.append({k: v for k, v in row.items() if v is not None})
        if c.record:
            done.add(c.record)
    for rid, rec in by_id.items():  # records that did not come from a Kumu connection
        if rid in done or any(rid.startswith(d + "-") for d in done):
            continue
        connections.extend(_relation_rows(rec, records, concepts))
    for rec in (cited or {}).values():
        if rec.id not in own:  # type: ignore[attr-defined]
            elements.append(_element_row(rec, concepts, short=True))
    return {"Elements": elements, "Connections": connections}


def _extras(extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if extra.image:
        out["Image"] = extra.image
    for p in extra.properties:
        out[p.name] = _typed(p.value)
    return out


def _element_row(rec: Any, concepts: Concepts, *, short: bool = False) -> dict[str, Any]:
    types = " | ".join(concepts.label("actor-type", t) for t in rec.types)
    row: dict[str, Any] = {"ID": rec.id, "Label": rec.name, "Type": rec.type_label or types}
    if short:
        return row
    tags = [concepts.label("theme", t) for t in rec.themes] + rec.tags
    row |= {"Description": rec.description, "Tags": " | ".join(tags) or None, "URL": rec.homepage}
    for key, header in (("located_in", "commune"), ("siren", "SIREN"), ("siret", "SIRET"), ("rna", "RNA")):
        value = getattr(rec, key, None)
        if value:
            row[header] = value.split(":", 1)[1] if key == "located_in" else value
            if key == "located_in" and value.startswith("departement:"):
                row.pop("commune")
                row["département"] = value.split(":", 1)[1]
    row |= _extras(rec)
    return {k: v for k, v in row.items() if v is not None}


def _relation_rows(
    rec: Any, records: dict[str, Sequence[BaseModel]], concepts: Concepts
) -> list[dict[str, Any]]:
    label = concepts.label
    if rec.kind == "membership":
        return [
            {
                "ID": rec.id,
                "From": rec.member,
                "To": rec.organisation,
                "Type": label("relation-kind", "adhesion"),
            }
        ]
    if rec.kind == "support":
        return [
            {
                "ID": rec.id,
                "From": rec.provider,
                "To": rec.beneficiary,
                "Type": label("relation-kind", "soutien"),
                "type de soutien": label("support-kind", rec.support_kind),
            }
        ]
    if rec.kind == "programme" and rec.type == "demarche" and rec.id.startswith("partenariat-"):
        partners = [p.actor for p in records.get("participations", []) if p.programme == rec.id]  # type: ignore[attr-defined]
        if len(partners) == 2:
            return [
                {
                    "ID": rec.id,
                    "From": partners[0],
                    "To": partners[1],
                    "Type": label("relation-kind", "partenariat"),
                }
            ]
    return []


def write_kumu(rows: dict[str, list[dict[str, Any]]], path: str | Path) -> Path:
    """Write *rows* (``{"Elements": […], "Connections": […]}``) as a Kumu workbook (.xlsx).

    Columns are Kumu's (:data:`ELEMENT_COLUMNS`, :data:`CONNECTION_COLUMNS`) and then each
    custom field, in the order met; a sheet without rows still has its headers. Texts that a
    spreadsheet would run as formulas are written as text.

    Returns
    -------
    Path
        The file written.
    """
    import openpyxl
    from openpyxl.styles import Font

    path = Path(path)
    wb = openpyxl.Workbook()
    if wb.active is not None:
        wb.remove(wb.active)  # type: ignore[arg-type]
    for title, base in (("Elements", ELEMENT_COLUMNS), ("Connections", CONNECTION_COLUMNS)):
        ws = wb.create_sheet(title)
        items = rows.get(title, [])
        used = {k for r in items for k in r}
        headers = [c for c in base if c in used or c in ("Label", "From", "To", "Type")]
        if title == "Connections" and "ID" not in used:
            headers = [h for h in headers if h != "ID"]
        headers += _custom_columns(items, headers)
        ws.append(headers)
        for r in items:
            ws.append([r.get(h) for h in headers])
            for cell in ws[ws.max_row]:
                if formula_like(cell.value):
                    cell.data_type = "s"  # text, never a formula
        for cell in ws[1]:
            cell.font = Font(bold=True)
    wb.save(path)
    return path


def _custom_columns(items: Iterable[dict[str, Any]], known: list[str]) -> list[str]:
    out: list[str] = []
    for r in items:
        for k in r:
            if k not in known and k not in out:
                out.append(k)
    return out


def property_value(value: Any) -> str | None:
    """A custom field's cell as the text kept (numbers without ``.0``)."""
    return cell_text(value)
