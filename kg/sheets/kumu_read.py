"""Reading Kumu's sheets as they are: elements of any type, connections with their type, direction and tags.

:class:`KumuReader` is the part of :class:`kg.sheets.convert.Converter` that reads a sheet
written the Kumu way (:func:`kg.sheets.kumu.is_kumu`): its element types are mapped, never
refused (:func:`kg.sheets.kumu.kumu_type`), its people become :class:`~kg.model.records.Person`
records, its custom fields are kept as properties, and each of its connections is kept as a
:class:`~kg.model.records.Connection` — and, between two actors, also as a record of ours. What
Kumu says beyond our columns is gathered in :attr:`KumuReader.kumu` (a :class:`~kg.sheets.kumu.KumuBook`),
which the planner hands over as records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from kg.errors import Problem
from kg.model.names import normalise
from kg.model.records import Actor, Connection, Person, Property
from kg.model.words import kind_word
from kg.sheets.cells import cell_text, parse_list, say, slugify
from kg.sheets.kumu import (
    DIRECTIONS,
    OTHER_TYPE,
    PERSON,
    Element,
    KumuBook,
    is_kumu,
    kumu_type,
    with_kumu_extras,
)
from kg.sheets.layout import Sheet, Table, match_columns
from kg.sheets.relations import RelationReader

if TYPE_CHECKING:
    from kg.sheets.known import Known
    from kg.sheets.rows import Rows

__all__ = ["KumuReader", "hand_over"]

#: Kumu's own fields, read by name from the columns that are not ours
_OWN = ("direction", "label", "tags", "image")
#: the columns of the Elements sheet a person record holds (or that say what it is)
_PERSON_FIELDS = ("name", "types", "description", "themes", "id", "source", "_extra")
#: Kumu connection types read as one of our relation kinds (the others are kept as a link: a partnership)
_KINDS = ("partenariat", "adhesion", "soutien", "fondation", "unite")


class KumuReader(RelationReader):
    """Reads Kumu sheets (a mixin of :class:`kg.sheets.convert.Converter`)."""

    kumu: KumuBook
    filename: str
    #: normalised name or id of a person of the workbook → its id
    person_ids: dict[str, str]
    #: id → (table, row) of every record read, connections included
    where: dict[str, tuple[Table, int]]

    def kumu_table(self, sheet: Sheet, table: Table) -> bool:
        return is_kumu(sheet, table)

    def extras(self, row: dict) -> tuple[dict[str, Any], list[Property]]:
        """Kumu's own fields (by normalised name) and the custom fields of a row, from its other columns."""
        own: dict[str, Any] = {}
        props: list[Property] = []
        for header, value in (row.get("_extra") or {}).items():
            key = normalise(header)
            text = cell_text(value)
            if key in _OWN:
                own[key] = value
            elif text is not None:
                props.append(Property(name=header, value=text))
        return own, sorted(props, key=lambda p: normalise(p.name))

    # -- elements

    def kumu_element(
        self, table: Table, number: int, row: dict, headers: dict, sheet: Sheet, rid: str
    ) -> tuple[list[str], Element] | None:
        """The actor types of an element and its extras; None when the element is a person (then recorded)."""
        own, props = self.extras(row)
        written = parse_list(row.get("types"))
        types: list[str] = []
        labels: list[str] = []
        person = False
        for v in written:
            n = kumu_type(v, self.concepts)
            if n == PERSON:
                person = True
                self.kumu.seen_type(v, say(self.rows.lang, "personne", "person"))
                continue
            if self.concepts.notation("actor-type", v) is None:
                labels.append(v)  # Kumu's word, kept as written
            if n is None:
                self.kumu.seen_type(v, "")
            else:
                self.kumu.seen_type(v, self.concepts.label("actor-type", n))
                if n not in types:
                    types.append(n)
        if not written:
            self.kumu.seen_type("", "")
        tags = [t for t in labels if not person]
        for t in parse_list(row.get("themes")):  # a person has no themes: all its tags are kept as tags
            if (person or self.concepts.notation("theme", t) is None) and t not in tags:
                tags.append(t)
        extra = Element(
            type_label=" | ".join(written) if (labels or person) else None,
            tags=tags,
            properties=props,
            image=cell_text(own.get("image")),
        )
        if person:  # the columns of ours a person has no field for are kept as properties
            for key, value in row.items():
                if key not in _PERSON_FIELDS and cell_text(value) is not None:
                    extra.properties.append(
                        Property(name=headers.get(key, key), value=cell_text(value) or "")
                    )
            extra.properties.sort(key=lambda p: normalise(p.name))
            rec = self.model(
                Person,
                {
                    "id": rid,
                    "name": cell_text(row.get("name")),
                    "description": cell_text(row.get("description")),
                    "sources": self.provenance(table, number, row, headers, sheet),
                },
                table,
                number,
                headers,
                sheet,
            )
            if isinstance(rec, Person):
                if rid in self.kumu.people:
                    self.rows.bad(
                        table,
                        number,
                        headers.get("id", "id"),
                        say(
                            self.rows.lang,
                            f"deux lignes décrivent la même personne « {rid} »",
                            f'two rows describe the same person "{rid}"',
                        ),
                        say(
                            self.rows.lang,
                            "fusionnez-les, ou donnez à chacune son id",
                            "merge them, or give each an id",
                        ),
                    )
                    return None
                self.kumu.people[rid] = rec
                self.kumu.elements[rid] = extra
                for key in (rid, normalise(rec.name)):
                    self.person_ids.setdefault(key, rid)
            return None
        if not types:
            types = [self.provisional_type()]
            if not written:  # no Type at all: the type says nothing (a row that only names the element)
                self.kumu.untyped.add(rid)
        return types, extra

    def provisional_type(self) -> str:
        """The type of an element whose Kumu type has no equivalent: « autre » when the scheme has it."""
        return OTHER_TYPE if self.concepts.label("actor-type", OTHER_TYPE) != OTHER_TYPE else "association"

    # -- connections

    def read_kumu_connections(self, sheet: Sheet, table: Table, later: list[Callable[[], object]]) -> None:
        for number, row, headers in self.cells(sheet, table):
            src = self.required(table, number, row, headers, sheet, "from")
            dst = self.required(table, number, row, headers, sheet, "to")
            if not (src and dst):
                continue
            ktype = cell_text(row.get("kind"))
            notation = self.concepts.notation("relation-kind", ktype) if ktype else None
            kind = notation if notation in _KINDS else "partenariat"
            sk_text = cell_text(row.get("support_kind"))
            if kind == "soutien" and not (sk_text and self.concepts.notation("support-kind", sk_text)):
                kind = "partenariat"  # a support without its nature is kept as a link, with its Kumu type
            generic = ktype if kind == "partenariat" and notation != "partenariat" else None
            for target in parse_list(dst):  # Kumu: several targets in "To", one connection each
                later.append(
                    partial(
                        self._kumu_connection,
                        sheet,
                        table,
                        number,
                        row,
                        headers,
                        src,
                        target,
                        kind,
                        ktype,
                        generic,
                    )
                )

    def kumu_end(self, table: Table, number: int, header: str, value: str) -> tuple[str, str] | None:
        """(id, "person" or the kind) of a connection's end: a person of the workbook, else an actor."""
        for key in (value, slugify(value), normalise(value)):
            if key in self.person_ids:
                return self.person_ids[key], "person"
        return self.resolve(table, number, header, value, ("actor",))

    def _kumu_connection(
        self,
        sheet: Sheet,
        table: Table,
        number: int,
        row: dict,
        headers: dict,
        src: str,
        dst: str,
        kind: str,
        ktype: str | None,
        generic: str | None,
    ) -> None:
        lang = self.rows.lang
        h_from, h_to = self.header(headers, sheet, "from"), self.header(headers, sheet, "to")
        a = self.kumu_end(table, number, h_from, src)
        b = self.kumu_end(table, number, h_to, dst)
        own, props = self.extras(row)
        direction = cell_text(own.get("direction"))
        if direction is not None and direction.lower() not in DIRECTIONS:
            self.rows.warn(
                table,
                number,
                next((h for h in (row.get("_extra") or {}) if normalise(h) == "direction"), "Direction"),
                say(
                    lang,
                    f"« {direction} » n'est pas une direction Kumu ; la connexion est gardée sans direction",
                    f'"{direction}" is not a Kumu direction; the connection is kept without one',
                ),
                say(lang, "écrivez directed, undirected ou mutual", "write directed, undirected or mutual"),
            )
            direction = None
        if not (a and b):
            return
        explicit = cell_text(row.get("id"))
        record = None
        if a[1] == "actor" and b[1] == "actor":
            record = self.relation_record(sheet, table, number, row, headers, a[0], b[0], kind, generic)
            if record is None and self.rows.problems:
                return
        # ids are unique across kinds: a connection that became a record is "lien-<that record>" (the
        # export writes the record's id in ID, so a new import finds both again)
        if record:
            rid = f"lien-{record}"
        elif explicit:
            rid = slugify(explicit)
        else:
            rid = self.unique_id(
                "connection", f"lien-{a[0]}-{b[0]}" + (f"-{slugify(ktype)}" if ktype else "")
            )
        rec = self.model(
            Connection,
            {
                "id": rid,
                "source": a[0],
                "target": b[0],
                "type": ktype,
                "label": cell_text(own.get("label")),
                "direction": direction.lower() if direction else None,
                "tags": parse_list(own.get("tags")),
                "properties": props,
                "description": cell_text(row.get("description")),
                "start": self.date(table, number, row, headers, sheet, "debut"),
                "end": self.date(table, number, row, headers, sheet, "fin"),
                "record": record,
                "sources": self.provenance(table, number, row, headers, sheet),
            },
            table,
            number,
            headers,
            sheet,
        )
        if isinstance(rec, Connection):
            if any(c.id == rec.id for c in self.kumu.connections):
                self.rows.bad(
                    table,
                    number,
                    headers.get("id", "ID"),
                    say(
                        lang,
                        f"deux connexions ont l'id « {rec.id} »",
                        f'two connections have the id "{rec.id}"',
                    ),
                    say(lang, "donnez à chacune son propre ID", "give each its own ID"),
                )
                return
            self.kumu.connections.append(rec)
            self.where[rec.id] = (table, number)  # where a problem with it is located (:func:`hand_over`)

    def unique_id(self, name: str, base: str) -> str:
        """*base*, or *base*-2, -3…: Kumu keeps every row, even two connections of the same pair and type."""
        taken = {c.id for c in self.kumu.connections} if name == "connection" else set(self.records[name])
        rid, n = base, 1
        while rid in taken:
            n += 1
            rid = f"{base}-{n}"
        return rid

    def kumu_summary(self, tables: list[tuple[Sheet, Table]]) -> None:
        """One notice per Kumu type met, per sheet's kept columns, and for the tags that are not themes."""
        lang = self.rows.lang
        for sheet, table in tables:
            if not self.kumu_table(sheet, table):
                continue
            unknown = [table.headers[i] for i in match_columns(table.headers, sheet)[1] if table.headers[i]]
            if unknown:
                self.rows.warn(
                    table,
                    None,
                    None,
                    say(
                        lang,
                        "colonnes Kumu gardées : "
                        + ", ".join(f"« {h} »" for h in unknown)
                        + " (Direction, Label, Tags, Image comme chez Kumu ; les autres comme propriétés)",
                        "Kumu columns kept: "
                        + ", ".join(f'"{h}"' for h in unknown)
                        + " (Direction, Label, Tags, Image as in Kumu; the others as properties)",
                    ),
                )
            if sheet.key != "actors":
                continue
            cols = match_columns(table.headers, sheet)[0]
            header = next((table.headers[i] for i, k in cols.items() if k == "types"), "Type")
            provisional = self.concepts.label("actor-type", self.provisional_type())
            for written, (became, n) in self.kumu.types.items():
                what = say(lang, f"{n} élément{'s' if n > 1 else ''}", f"{n} element{'s' if n > 1 else ''}")
                if not written:
                    text = say(
                        lang,
                        f"sans type ({what}) : type provisoire « {provisional} »",
                        f'no type ({what}): provisional type "{provisional}"',
                    )
                elif not became:
                    text = say(
                        lang,
                        f"type Kumu « {written} » ({what}) : pas d'équivalent évident ; gardé tel quel et comme "
                        f"étiquette, avec le type provisoire « {provisional} »",
                        f'Kumu type "{written}" ({what}): no obvious equivalent; kept as written and as a tag, '
                        f'with the provisional type "{provisional}"',
                    )
                elif became == say(lang, "personne", "person"):
                    text = say(
                        lang,
                        f"type Kumu « {written} » ({what}) : lu comme une personne (une fiche personne, pas un "
                        "acteur) ; type gardé tel quel",
                        f'Kumu type "{written}" ({what}): read as a person (a person record, not an actor); '
                        "type kept as written",
                    )
                elif self.concepts.notation("actor-type", written):
                    continue  # one of ours: nothing to say
                else:
                    text = say(
                        lang,
                        f"type Kumu « {written} » ({what}) : lu « {became} » ; gardé tel quel et comme étiquette",
                        f'Kumu type "{written}" ({what}): read as "{became}"; kept as written and as a tag',
                    )
                self.rows.warn(
                    table,
                    None,
                    header,
                    text,
                    say(
                        lang,
                        "si ce n'est pas le bon type, écrivez-en un de la liste (Entreprise, Association…) "
                        "dans la colonne Type",
                        "if it is not the right type, write one of the list in the Type column",
                    ),
                )
        tags = sorted({t for e in self.kumu.elements.values() for t in e.tags} - set(self.kumu.types))
        if tags:
            self.rows.warn(
                self.filename,
                None,
                "Tags",
                say(
                    lang,
                    "étiquettes Kumu gardées, qui ne sont pas des thèmes : "
                    + ", ".join(f"« {t} »" for t in tags),
                    "Kumu tags kept that are not themes: " + ", ".join(f'"{t}"' for t in tags),
                ),
            )


def hand_over(
    book: KumuBook,
    own: dict[str, list[BaseModel]],
    known: Known,
    where: dict[str, tuple[Table, int]],
    references: list[str],
    rows: Rows,
) -> None:
    """Put what Kumu sheets said beyond our columns into the records: extras on actors, people, connections.

    An actor's Kumu type as written, tags, properties and image go on its :class:`Actor`
    record; each person becomes a ``people`` record and each connection a ``connections``
    record, so the import stores them and its diff sees a change to any of them. A row that
    designates a record of the graph (curated or another import) keeps it as it is: what
    Kumu says beyond it is reported, not kept.
    """
    lang = rows.lang
    actors = {getattr(a, "id", ""): i for i, a in enumerate(own["actors"])}
    for rid, extra in book.elements.items():
        if rid in book.people:
            continue
        if rid in actors:
            i = actors[rid]
            own["actors"][i] = Actor.model_validate(own["actors"][i].model_dump() | extra.model_dump())
            continue
        located = where.get(rid)  # a row that designates a graph's actor
        if located is not None:
            rows.warn(
                located[0],
                located[1],
                None,
                say(
                    lang,
                    f"« {rid} » est déjà dans le graphe : ce que Kumu en dit de plus (type "
                    f"« {extra.type_label or ''} », étiquettes, propriétés) n'est pas gardé",
                    f'"{rid}" is already in the graph: what Kumu says beyond it (type, tags, properties) '
                    "is not kept",
                ),
                say(
                    lang,
                    "ajoutez-le à la source de cet acteur si c'est à garder",
                    "add it at this actor's source",
                ),
            )
    for rid, person in book.people.items():
        said = book.elements.get(rid)
        rec = Person.model_validate(person.model_dump() | (said.model_dump() if said else {}))
        hit = known.index.get(rid)
        if hit is not None:  # a person of the graph: designated, kept as it is there
            located = where.get(rid)
            references.append(f"« {rec.name} » est déjà dans le graphe ({rid})")
            if (
                hit[0] == "person" and hit[2] == "curated"
            ):  # the curated record is authoritative: said, not silent
                if _content(hit[1]) != _content(rec):
                    rows.warn(
                        located[0] if located else "Elements",
                        located[1] if located else None,
                        None,
                        say(
                            lang,
                            f"« {rec.name} » est déjà dans les données curées ({rid}) : ce que Kumu en dit "
                            "de plus (type, étiquettes, propriétés) n'est pas gardé",
                            f'"{rec.name}" is already in the curated data ({rid}): what Kumu says beyond it '
                            "(type, tags, properties) is not kept",
                        ),
                    )
            elif hit[0] != "person" or _content(with_kumu_extras(rec, hit[1])) != _content(hit[1]):
                _id_taken(
                    rows,
                    located or ("Elements", None),
                    rid,
                    hit,
                    ("", ""),
                    (
                        "donnez à cette personne son propre ID, ou citez-la sans rien changer",
                        "give this person its own ID, or cite it without changing anything",
                    ),
                )
            continue
        own["people"].append(rec)
    for conn in book.connections:  # a link of the graph (another catalyst's import of the same map): cited
        hit = known.index.get(conn.id)
        if hit is None:
            own["connections"].append(conn)
            continue
        located = where.get(conn.id)
        if hit[0] == "connection" and _content(hit[1]) == _content(conn):
            references.append(f"« {conn.label or conn.id} » est déjà dans le graphe ({conn.id})")
            continue
        _id_taken(
            rows,
            located or ("Connections", None),
            conn.id,
            hit,
            (", décrit autrement", ", described otherwise"),
            (
                "donnez à ce lien son propre ID (colonne ID de la feuille Connections), ou citez-le sans "
                "rien changer ; pour le modifier, c'est dans l'import qui l'a apporté",
                "give this link its own ID (ID column of the Connections sheet), or cite it without changing "
                "anything; to change it, do so in the import it came from",
            ),
        )


def _id_taken(
    rows: Rows,
    located: tuple[Any, int | None],
    rid: str,
    hit: tuple,
    more: tuple[str, str],
    fix: tuple[str, str],
) -> None:
    """The problem of a Kumu row whose id is that of another record of the graph (*hit*: kind, record,
    where), located at *located* (its table, or a sheet name, and row), *more* said after, *fix* (fr, en)."""
    where, row = located
    rows.problems.append(
        Problem(
            where.where if isinstance(where, Table) else where,
            row,
            "ID",
            say(
                rows.lang,
                f"l'id « {rid} » est déjà celui d'un {kind_word(hit[0])} du graphe ({hit[2]}){more[0]}",
                f'the id "{rid}" is already that of a {kind_word(hit[0], "en")} of the graph ({hit[2]}){more[1]}',
            ),
            say(rows.lang, *fix),
            where="row",
            lang=rows.lang,
        )
    )


def _content(rec: BaseModel) -> dict[str, Any]:
    """A record without its provenance, as the planner compares them."""
    return rec.model_dump(exclude={"sources"})
