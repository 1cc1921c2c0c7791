"""A tiny graph stated inline, for the named questions and chains (tests/test_queries.py, test_chains.py).

Four actors, two programmes, memberships with and without their own dates, grants (one without a
recipient, one part of another), a support, posts and foundings — each case that a question must
answer differently for two actors or two dates:

- Alpha (founded 2010) leads Programme Un (2012–2016) since 2012 and Programme Deux since 2019;
- Gamma (no founding date) is a partner of Programme Un, undated; a member of Delta 2015–2017;
- Beta (founded 2018 by Alpha) is a partner of Programme Deux, undated: as of 2020 that participation
  has no date, not Beta's 2018 nor anything else taken from another node;
- Delta (founded 2005, founder of Gamma at no stated date) funds Alpha 5,000 € in 2019 for Programme
  Deux, and 2,000 € of it the same year (part of the 5,000 €); Alpha gives 1,000 € to Programme Un,
  undated, with no recipient named; Delta supports Gamma, undated.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.model.vocab import PREFIXES
from kg.store.graph import Graph

ID = "https://w3id.org/territorial-kg/id/"
ALPHA, BETA, GAMMA, DELTA = (ID + f"actor/{n}" for n in ("alpha", "beta", "gamma", "delta"))
UN, DEUX = ID + "programme/un", ID + "programme/deux"

TINY_TTL = """
@prefix role: <https://w3id.org/territorial-kg/concept/role/> .

role:porteur a skos:Concept ; skos:prefLabel "Porteur"@fr, "Lead"@en .
role:partenaire a skos:Concept ; skos:prefLabel "Partenaire"@fr, "Partner"@en .
role:membre a skos:Concept ; skos:prefLabel "Membre"@fr, "Member"@en .

id:document/doc-a dct:title "Document A" .
id:document/doc-b dct:title "Document B" .

id:actor/alpha a org:Organization ; rdfs:label "Alpha" ; schema:foundingDate "2010"^^xsd:gYear ;
    prov:qualifiedDerivation id:actor/alpha/source/1 .
id:actor/alpha/source/1 a prov:Derivation ; prov:entity id:document/doc-a ;
    tkg:quote "Alpha, fondée en 2010" .
id:actor/beta a org:Organization ; rdfs:label "Beta" ; schema:foundingDate "2018"^^xsd:gYear ;
    schema:founder id:actor/alpha ; prov:qualifiedDerivation id:actor/beta/source/1 .
id:actor/beta/source/1 a prov:Derivation ; prov:entity id:document/doc-b ;
    tkg:quote "Beta, créée par Alpha en 2018" .
id:actor/gamma a org:Organization ; rdfs:label "Gamma" ; schema:founder id:actor/delta .
id:actor/delta a org:Organization ; rdfs:label "Delta" ; schema:foundingDate "2005"^^xsd:gYear .

id:programme/un a schema:Project ; rdfs:label "Programme Un" ; dct:temporal id:programme/un/period .
id:programme/un/period dcat:startDate "2012"^^xsd:gYear ; dcat:endDate "2016"^^xsd:gYear .
id:programme/deux a schema:Project ; rdfs:label "Programme Deux" .

id:participation/un-alpha a org:Membership ; org:member id:actor/alpha ; org:organization id:programme/un ;
    org:role role:porteur ; dct:temporal id:participation/un-alpha/period ;
    prov:qualifiedDerivation id:participation/un-alpha/source/1 .
id:participation/un-alpha/period dcat:startDate "2012"^^xsd:gYear .
id:participation/un-alpha/source/1 a prov:Derivation ; prov:entity id:document/doc-a ;
    tkg:quote "Alpha porte le Programme Un depuis 2012" .
id:participation/un-gamma a org:Membership ; org:member id:actor/gamma ; org:organization id:programme/un ;
    org:role role:partenaire .
id:participation/deux-beta a org:Membership ; org:member id:actor/beta ; org:organization id:programme/deux ;
    org:role role:partenaire .
id:participation/deux-alpha a org:Membership ; org:member id:actor/alpha ;
    org:organization id:programme/deux ; org:role role:porteur ;
    dct:temporal id:participation/deux-alpha/period .
id:participation/deux-alpha/period dcat:startDate "2019"^^xsd:gYear .
id:membership/gamma-delta a org:Membership ; org:member id:actor/gamma ; org:organization id:actor/delta ;
    org:role role:membre ; dct:temporal id:membership/gamma-delta/period .
id:membership/gamma-delta/period dcat:startDate "2015"^^xsd:gYear ; dcat:endDate "2017"^^xsd:gYear .

id:funding/g1 a schema:MonetaryGrant ; schema:funder id:actor/delta ; tkg:recipient id:actor/alpha ;
    schema:fundedItem id:programme/deux ; schema:amount id:funding/g1/amount ;
    dct:temporal id:funding/g1/period ; dct:description "Pour le Programme Deux" .
id:funding/g1/amount schema:value 5000.0 .
id:funding/g1/period dcat:startDate "2019"^^xsd:gYear .
id:funding/g3 a schema:MonetaryGrant ; schema:funder id:actor/delta ; tkg:recipient id:actor/alpha ;
    schema:amount id:funding/g3/amount ; dct:temporal id:funding/g1/period ; dct:isPartOf id:funding/g1 .
id:funding/g3/amount schema:value 2000.0 .
id:funding/g2 a schema:MonetaryGrant ; schema:funder id:actor/alpha ; schema:fundedItem id:programme/un ;
    schema:amount id:funding/g2/amount .
id:funding/g2/amount schema:value 1000.0 .

id:support/s1 a tkg:Support ; tkg:provider id:actor/delta ; tkg:beneficiary id:actor/gamma .

id:person/ada a foaf:Person ; rdfs:label "Ada Lovelace" .
id:person/bob a foaf:Person ; rdfs:label "Bob Morane" .
id:post/alpha-presidente a org:Post ; rdfs:label "Présidente" ; org:postIn id:actor/alpha ;
    org:heldBy id:person/ada ; dct:temporal id:post/alpha-presidente/period .
id:post/alpha-presidente/period dcat:startDate "2011"^^xsd:gYear .
id:post/delta-tresorier a org:Post ; rdfs:label "Trésorier" ; org:postIn id:actor/delta ;
    org:heldBy id:person/bob .
"""


def tiny_graph(path: Path | None = None) -> Graph:
    """The tiny graph in one named graph of a new store: in memory, or on disk at *path* (then closed,
    for ``kg … --store path``)."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    body = re.sub(r"\bid:([\w/-]+)", lambda m: f"<{ID}{m.group(1)}>", TINY_TTL)  # id:actor/x: a "/" needs <…>
    text = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items()) + body
    store = Store(str(path)) if path is not None else Store()
    store.load(text, format=RdfFormat.TURTLE, to_graph=NamedNode(ID.replace("/id/", "/graph/") + "tiny"))
    if path is not None:
        store.flush()
        del store
        import kg

        return kg.open(path)
    return Graph(store)
