"""France's official geography: loading ``data/geo/``, lookups, and its RDF.

``data/geo/`` is a committed extract of the Code officiel géographique 2026
(communes, arrondissements municipaux, EPCI, EPT, départements, régions), made by
``scripts/geo_extract.py``. :func:`load_geography` reads it into a frozen
:class:`Geography`; the lookup helpers (:func:`find_communes`,
:func:`commune_by_code`, :func:`intercommunality_by_siren`, :func:`members`) serve
the import of spreadsheets, and :func:`geography_quads` gives the named graph
``graph:geography`` described in ``docs/design.md`` ("Territories").

>>> geo = load_geography()
>>> geo.communes["94018"].name
'Charenton-le-Pont'
>>> [c.code for c in find_communes(geo, "Saint-Maurice", departement="94")]
['94069']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UnknownEntityError
from kg.ingest.geo_tables import (
    COMMUNE_COLUMNS,
    COMMUNE_KINDS,
    DEFAULT_GEO_DIR,
    DEPARTEMENT_COLUMNS,
    INTERCOMMUNALITY_COLUMNS,
    INTERCOMMUNALITY_KINDS,
    REGION_COLUMNS,
    Commune,
    Departement,
    GeographyError,
    Intercommunality,
    Region,
    bad_value,
    collector_paused,
    int_value,
    read_table,
)
from kg.model import iris
from kg.model.names import normalise
from kg.model.territories import TerritoryRef, parse_territory
from kg.model.vocab import DCT, IGEO, RDF, RDFS, TKG, XSD

if TYPE_CHECKING:  # pragma: no cover
    from pyoxigraph import Quad

__all__ = [
    "DEFAULT_GEO_DIR",
    "Commune",
    "Departement",
    "Geography",
    "GeographyError",
    "Intercommunality",
    "Region",
    "commune_by_code",
    "find_communes",
    "geography_quads",
    "intercommunality_by_siren",
    "load_geography",
    "members",
    "territory_iri",
]


@dataclass(frozen=True, eq=False)
class Geography:
    """The official geography, loaded by :func:`load_geography`; treat it as read-only.

    Attributes
    ----------
    communes : Mapping[str, Commune]
        Communes and arrondissements municipaux by INSEE code.
    intercommunalities : Mapping[str, Intercommunality]
        EPCI and EPT by SIREN.
    departements, regions : Mapping[str, Departement], Mapping[str, Region]
        By code.
    by_name : Mapping[str, tuple[str, ...]]
        INSEE codes of the communes by :func:`kg.model.names.normalise` of their name.
    by_postcode : Mapping[str, tuple[str, ...]]
        INSEE codes of the communes by postcode.
    by_intercommunality : Mapping[str, tuple[str, ...]]
        INSEE codes of the member communes by SIREN of the EPCI or EPT.
    """

    communes: Mapping[str, Commune]
    intercommunalities: Mapping[str, Intercommunality]
    departements: Mapping[str, Departement]
    regions: Mapping[str, Region]
    by_name: Mapping[str, tuple[str, ...]]
    by_postcode: Mapping[str, tuple[str, ...]]
    by_intercommunality: Mapping[str, tuple[str, ...]]

    def table(self, level: str) -> Mapping[str, tuple]:
        """The territories of *level* (``commune``, ``intercommunalite``, ``departement``, ``region``) by code.

        Raises
        ------
        KeyError
            For another level (:func:`kg.model.territories.parse_territory` only gives these four).
        """
        return {
            "commune": self.communes,
            "intercommunalite": self.intercommunalities,
            "departement": self.departements,
            "region": self.regions,
        }[level]

    def has(self, level: str, code: str) -> bool:
        """True if the territory *level*:*code* is in the official geography.

        Examples
        --------
        >>> geo = load_geography()
        >>> geo.has("commune", "94018"), geo.has("departement", "100"), geo.has("intercommunalite", "200057941")
        (True, False, True)
        """
        return code in self.table(level)

    def within(self, ref: str | TerritoryRef, territory: str | TerritoryRef) -> bool:
        """True if the territory *ref* lies in *territory* (both ``level:code``), or is it.

        A commune lies in its département, région, EPCI and EPT; an arrondissement
        municipal also in its commune; an intercommunality in its département when all
        its communes lie in one (and then in that région); a département in its région.
        This is the ``dct:isPartOf`` hierarchy of :func:`geography_quads`, which
        :func:`kg.store.queries.subterritories` walks in the store.

        Raises
        ------
        QueryError
            For a malformed reference (:func:`kg.model.territories.parse_territory`).

        Examples
        --------
        >>> geo = load_geography()
        >>> geo.within("commune:94018", "departement:94"), geo.within("commune:94018", "region:11")
        (True, True)
        >>> geo.within("commune:94018", "intercommunalite:200057941"), geo.within("departement:75", "departement:94")
        (True, False)
        """
        part, whole = _ref(ref), _ref(territory)
        if part == whole:
            return True
        if part.level == "commune":
            c = self.communes.get(part.code)
            if c is None:
                return False
            if c.parent and self.within(TerritoryRef("commune", c.parent), whole):
                return True
            return {
                "commune": c.code == whole.code,
                "departement": c.departement == whole.code,
                "region": c.region == whole.code,
                "intercommunalite": whole.code in (c.epci, c.ept),
            }[whole.level]
        if part.level == "departement":
            d = self.departements.get(part.code)
            return d is not None and whole.level == "region" and d.region == whole.code
        if part.level == "intercommunalite":
            i = self.intercommunalities.get(part.code)
            if i is None or not i.departement:
                return False
            if whole.level == "region":
                return self.within(TerritoryRef("departement", i.departement), whole)
            return whole.level == "departement" and i.departement == whole.code
        return False


def _ref(ref: str | TerritoryRef) -> TerritoryRef:
    return ref if isinstance(ref, TerritoryRef) else parse_territory(ref)


#: Former name of :func:`kg.model.names.normalise`, kept while ``kg/sheets/imports.py`` imports it.

# --------------------------------------------------------------------------- loading


def load_geography(directory: str | Path | None = None) -> Geography:
    """Load the official geography extract (the four CSV files of ``data/geo/``).

    Parameters
    ----------
    directory : str or Path, optional
        Folder holding ``communes.csv``, ``intercommunalites.csv``,
        ``departements.csv`` and ``regions.csv``; default :data:`DEFAULT_GEO_DIR`
        (``data/geo`` of this repository, whatever the working directory).

    Returns
    -------
    Geography
        Every territory, with indexes by normalised name, postcode and intercommunality.

    Raises
    ------
    GeographyError
        A file is missing, has another header, or a cell is malformed or refers to a
        territory absent from the extract.

    Examples
    --------
    >>> geo = load_geography()
    >>> len(geo.communes), len(geo.intercommunalities), len(geo.departements), len(geo.regions)
    (35014, 1266, 109, 26)
    """
    folder = Path(directory) if directory is not None else DEFAULT_GEO_DIR
    with collector_paused():
        return _load(folder)


def _load(folder: Path) -> Geography:

    path = folder / "regions.csv"
    regions = {code: Region(code, name, chef) for code, name, chef in read_table(path, REGION_COLUMNS)}
    reg_rows = path

    path = folder / "departements.csv"
    departements: dict[str, Departement] = {}
    for number, (code, name, region, chef) in enumerate(read_table(path, DEPARTEMENT_COLUMNS), start=2):
        if region not in regions:
            raise bad_value(path, number, "region", region, "is not a région of regions.csv")
        departements[code] = Departement(code, name, region, chef)
    dep_rows = path

    path = folder / "intercommunalites.csv"
    inters: dict[str, Intercommunality] = {}
    for number, (siren, name, kind, financing, population, dep) in enumerate(
        read_table(path, INTERCOMMUNALITY_COLUMNS), start=2
    ):
        if kind not in INTERCOMMUNALITY_KINDS:
            raise bad_value(path, number, "type", kind, f"is not one of {', '.join(INTERCOMMUNALITY_KINDS)}")
        if dep and dep not in departements:
            raise bad_value(path, number, "departement", dep, "is not a département of departements.csv")
        if siren in inters:
            raise bad_value(path, number, "siren", siren, "appears twice")
        inters[siren] = Intercommunality(
            siren,
            name,
            kind,
            financing or None,
            int_value(path, number, "population", population),
            dep or None,
        )

    path = folder / "communes.csv"
    communes: dict[str, Commune] = {}
    by_name: dict[str, list[str]] = {}
    by_postcode: dict[str, list[str]] = {}
    by_inter: dict[str, list[str]] = {}
    for number, (code, name, kind, dep, reg, siren, pop, postcodes, epci, ept, parent) in enumerate(
        read_table(path, COMMUNE_COLUMNS), start=2
    ):
        if kind not in COMMUNE_KINDS:
            raise bad_value(path, number, "type", kind, f"is not one of {', '.join(COMMUNE_KINDS)}")
        if dep not in departements:
            raise bad_value(path, number, "departement", dep, "is not a département of departements.csv")
        if reg not in regions:
            raise bad_value(path, number, "region", reg, "is not a région of regions.csv")
        for column, siren_ref in (("epci", epci), ("ept", ept)):
            if siren_ref:
                if siren_ref not in inters:
                    raise bad_value(
                        path, number, column, siren_ref, "is not a SIREN of intercommunalites.csv"
                    )
                by_inter.setdefault(siren_ref, []).append(code)
        if code in communes:
            raise bad_value(path, number, "code", code, "appears twice")
        codes = tuple(postcodes.split())
        communes[code] = Commune(
            code,
            name,
            kind,
            dep,
            reg,
            siren or None,
            int_value(path, number, "population", pop) if pop else None,
            codes,
            epci or None,
            ept or None,
            parent or None,
        )
        by_name.setdefault(normalise(name), []).append(code)
        for postcode in codes:
            by_postcode.setdefault(postcode, []).append(code)

    for number, commune in enumerate(communes.values(), start=2):
        if commune.parent is not None and commune.parent not in communes:
            raise bad_value(path, number, "commune", commune.parent, "is not a commune of communes.csv")
    tables: tuple[tuple[Mapping[str, Departement | Region], Path], ...] = (
        (departements, dep_rows),
        (regions, reg_rows),
    )
    for places, where in tables:
        for number, place in enumerate(places.values(), start=2):
            if place.chef_lieu not in communes:
                raise bad_value(
                    where, number, "chef_lieu", place.chef_lieu, "is not a commune of communes.csv"
                )

    return Geography(
        communes=communes,
        intercommunalities=inters,
        departements=departements,
        regions=regions,
        by_name={key: tuple(codes) for key, codes in by_name.items()},
        by_postcode={key: tuple(codes) for key, codes in by_postcode.items()},
        by_intercommunality={key: tuple(codes) for key, codes in by_inter.items()},
    )


# --------------------------------------------------------------------------- lookups


def find_communes(
    geo: Geography, name: str, departement: str | None = None, postcode: str | None = None
) -> list[Commune]:
    """All the communes (and arrondissements municipaux) a name may designate.

    The name is compared with :func:`kg.model.names.normalise` (case, accents, hyphens,
    apostrophes and "St" do not matter); *departement* and *postcode* narrow the
    candidates down. The caller decides what to do with zero or several candidates.

    Parameters
    ----------
    geo : Geography
        The loaded geography.
    name : str
        The name as written in the source (``"saint maurice"``, ``"St-Maurice"``).
    departement : str, optional
        Keep only the communes of this département code (``"94"``; ``"1"`` is read as ``"01"``).
    postcode : str, optional
        Keep only the communes served by this postcode.

    Returns
    -------
    list of Commune
        The candidates, sorted by INSEE code; empty when none matches.

    Examples
    --------
    >>> geo = load_geography()
    >>> [c.departement for c in find_communes(geo, "saint maurice")]
    ['52', '58', '63', '67', '94']
    >>> [c.code for c in find_communes(geo, "ST-MAURICE", postcode="94410")]
    ['94069']
    """
    codes = geo.by_name.get(normalise(name), ())
    if departement is not None:
        departement = departement.strip().upper()
        if len(departement) == 1:
            departement = "0" + departement
    if postcode is not None:
        postcode = postcode.strip()
    found = []
    for code in codes:
        commune = geo.communes[code]
        if departement is not None and commune.departement != departement:
            continue
        if postcode is not None and postcode not in commune.postcodes:
            continue
        found.append(commune)
    found.sort(key=lambda c: c.code)
    return found


def commune_by_code(geo: Geography, code: str) -> Commune | None:
    """The commune or arrondissement municipal with INSEE *code*, or None if there is none.

    Examples
    --------
    >>> geo = load_geography()
    >>> commune_by_code(geo, "75056").name, commune_by_code(geo, "75101").parent
    ('Paris', '75056')
    >>> commune_by_code(geo, "99999") is None
    True
    """
    return geo.communes.get(code)


def intercommunality_by_siren(geo: Geography, siren: str) -> Intercommunality | None:
    """The EPCI or EPT whose SIREN is *siren*, or None if there is none.

    Examples
    --------
    >>> geo = load_geography()
    >>> pemb = intercommunality_by_siren(geo, "200057941")
    >>> pemb.name, pemb.kind, pemb.departement
    ('Paris Est Marne et Bois', 'EPT', '94')
    """
    return geo.intercommunalities.get(siren)


def members(geo: Geography, siren: str) -> list[Commune]:
    """The member communes of the EPCI or EPT with SIREN *siren*, sorted by INSEE code.

    Raises
    ------
    UnknownEntityError
        If no intercommunality has this SIREN.

    Examples
    --------
    >>> geo = load_geography()
    >>> len(members(geo, "200057941"))
    13
    """
    if siren not in geo.intercommunalities:
        raise UnknownEntityError(
            f'no EPCI or EPT has SIREN "{siren}" in data/geo; check the SIREN '
            "(intercommunality_by_siren, find_communes) or regenerate data/geo"
        )
    return [geo.communes[code] for code in sorted(geo.by_intercommunality.get(siren, ()))]


def territory_iri(level: str, code: str) -> str:
    """IRI of a territory: thin wrapper of :func:`kg.model.iris.territory`.

    Parameters
    ----------
    level : str
        ``commune`` (arrondissements municipaux included), ``intercommunalite``,
        ``departement`` or ``region``.
    code : str
        INSEE code, or SIREN for an intercommunality.

    Examples
    --------
    >>> territory_iri("intercommunalite", "200057941")
    'https://w3id.org/territorial-kg/id/territory/intercommunalite/200057941'
    """
    return iris.territory(level, code)


# --------------------------------------------------------------------------- RDF


def geography_quads(geo: Geography) -> list[Quad]:
    """Every triple of the territories (docs/design.md, "Territories") in ``graph:geography``.

    Feed the result to ``Store.bulk_extend`` (fastest) or ``Store.extend``.

    Parameters
    ----------
    geo : Geography
        The loaded geography.

    Returns
    -------
    list of pyoxigraph.Quad
        All quads, in the named graph :data:`kg.model.iris.GEOGRAPHY_GRAPH`, grouped by
        territory (régions, départements, intercommunalities, communes).

    Examples
    --------
    >>> from pyoxigraph import Store
    >>> store = Store()
    >>> store.bulk_extend(geography_quads(load_geography()))
    >>> query = '''PREFIX dct: <http://purl.org/dc/terms/>
    ... SELECT (COUNT(?c) AS ?n) {
    ...   ?c dct:isPartOf <https://w3id.org/territorial-kg/id/territory/intercommunalite/200057941> }'''
    >>> next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value
    '13'
    """
    with collector_paused():
        return _quads(geo)


def _quads(geo: Geography) -> list[Quad]:
    from pyoxigraph import Literal, NamedNode
    from pyoxigraph import Quad as Q

    graph = NamedNode(iris.GEOGRAPHY_GRAPH)
    a = NamedNode(str(RDF.type))
    label = NamedNode(str(RDFS.label))
    code_insee = NamedNode(str(IGEO.codeINSEE))
    subdivision_of = NamedNode(str(IGEO.subdivisionDirecteDe))
    chef_lieu = NamedNode(str(IGEO.chefLieu))
    part_of = NamedNode(str(DCT.isPartOf))
    siren_p = NamedNode(str(TKG.siren))
    population_p = NamedNode(str(TKG.population))
    postcode_p = NamedNode(str(TKG.postalCode))
    inter_type = NamedNode(str(TKG.intercommunalityType))
    integer = NamedNode(str(XSD.integer))
    classes = {
        "region": NamedNode(str(IGEO.Region)),
        "departement": NamedNode(str(IGEO.Departement)),
        "intercommunalite": NamedNode(str(IGEO.Intercommunalite)),
        "commune": NamedNode(str(IGEO.Commune)),
        "arrondissement-municipal": NamedNode(str(IGEO.ArrondissementMunicipal)),
    }

    territory = iris.territory
    regions = {code: NamedNode(territory("region", code)) for code in geo.regions}
    departements = {code: NamedNode(territory("departement", code)) for code in geo.departements}
    inters = {siren: NamedNode(territory("intercommunalite", siren)) for siren in geo.intercommunalities}
    communes = {code: NamedNode(territory("commune", code)) for code in geo.communes}
    postcodes: dict[str, Literal] = {}

    quads: list[Q] = []
    add = quads.append

    for region in geo.regions.values():
        node = regions[region.code]
        add(Q(node, a, classes["region"], graph))
        add(Q(node, label, Literal(region.name, language="fr"), graph))
        add(Q(node, code_insee, Literal(region.code), graph))
        add(Q(node, chef_lieu, communes[region.chef_lieu], graph))

    for dep in geo.departements.values():
        node = departements[dep.code]
        add(Q(node, a, classes["departement"], graph))
        add(Q(node, label, Literal(dep.name, language="fr"), graph))
        add(Q(node, code_insee, Literal(dep.code), graph))
        add(Q(node, subdivision_of, regions[dep.region], graph))
        add(Q(node, part_of, regions[dep.region], graph))
        add(Q(node, chef_lieu, communes[dep.chef_lieu], graph))

    for inter in geo.intercommunalities.values():
        node = inters[inter.siren]
        add(Q(node, a, classes["intercommunalite"], graph))
        add(Q(node, label, Literal(inter.name, language="fr"), graph))
        add(Q(node, siren_p, Literal(inter.siren), graph))
        add(Q(node, inter_type, Literal(inter.kind), graph))
        add(Q(node, population_p, Literal(str(inter.population), datatype=integer), graph))
        if inter.departement is not None:
            add(Q(node, part_of, departements[inter.departement], graph))

    commune_class = classes["commune"]
    arrondissement_class = classes["arrondissement-municipal"]
    for c in geo.communes.values():
        node = communes[c.code]
        add(Q(node, a, commune_class if c.kind == "commune" else arrondissement_class, graph))
        add(Q(node, label, Literal(c.name, language="fr"), graph))
        add(Q(node, code_insee, Literal(c.code), graph))
        if c.siren is not None:
            add(Q(node, siren_p, Literal(c.siren), graph))
        if c.population is not None:
            add(Q(node, population_p, Literal(str(c.population), datatype=integer), graph))
        for postcode in c.postcodes:
            literal = postcodes.get(postcode)
            if literal is None:
                literal = postcodes[postcode] = Literal(postcode)
            add(Q(node, postcode_p, literal, graph))
        dep_node = departements[c.departement]
        add(Q(node, subdivision_of, dep_node, graph))
        add(Q(node, part_of, dep_node, graph))
        if c.parent is not None:
            parent = communes[c.parent]
            add(Q(node, subdivision_of, parent, graph))
            add(Q(node, part_of, parent, graph))
        if c.epci is not None:
            add(Q(node, part_of, inters[c.epci], graph))
        if c.ept is not None:
            add(Q(node, part_of, inters[c.ept], graph))
    return quads
