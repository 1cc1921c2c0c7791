"""JSON-LD of the graph, compacted with a real ``@context``: terms a web developer reads.

The context (:func:`context`, published as ``ontology/context.jsonld``) keeps the project's
prefixes and adds terms for the classes and properties the data uses::

    {"@id": "id:actor/le-rameau", "type": ["Organization", "schema:Organization"],
     "label": "Le RAMEAU", "knowsAbout": ["concept:theme/…"], "derivation": ["id:…/source/1"]}

- ``"@language": "fr"``: a bare string is French; English is ``{"@value": …, "@language": "en"}``
  and a string without a language ``{"@value": …}``; codes (``siren``, ``codeINSEE``,
  ``postalCode``, ``notation``…) are terms with ``"@language": null``: bare strings, no language;
- ``type`` is ``@type``; classes are terms (``Organization``, ``Membership``, ``MonetaryGrant``…);
- links (``member``, ``organization``, ``funder``, ``recipient``, ``isPartOf``…) are
  ``"@type": "@id"``: their value is the IRI itself (``"id:actor/le-rameau"``);
- typed values keep their datatype: ``value`` is ``xsd:decimal`` and ``population``
  ``xsd:integer`` (bare strings); dates (``startDate``, ``endDate``, ``foundingDate``…) are
  ``{"@value": "2021", "@type": "xsd:gYear"}``, at the precision of their source.

:func:`compact` turns the expanded JSON-LD that pyoxigraph writes into that form, value by
value, choosing for each the form that expands back to the same term (the tests check it
through PyLD, rdflib and pyoxigraph).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CLASSES", "PROPERTIES", "compact", "context"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: class terms: term -> compact IRI
CLASSES = {
    "Organization": "org:Organization",
    "FormalOrganization": "org:FormalOrganization",
    "OrganizationalUnit": "org:OrganizationalUnit",
    "OrganizationalCollaboration": "org:OrganizationalCollaboration",
    "Membership": "org:Membership",
    "Post": "org:Post",
    "Role": "org:Role",
    "Project": "schema:Project",
    "Event": "schema:Event",
    "CreativeWork": "schema:CreativeWork",
    "MonetaryGrant": "schema:MonetaryGrant",
    "MonetaryAmount": "schema:MonetaryAmount",
    "Observation": "schema:Observation",
    "Person": "foaf:Person",
    "Group": "foaf:Group",
    "Document": "foaf:Document",
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    "PeriodOfTime": "dct:PeriodOfTime",
    "Derivation": "prov:Derivation",
    "Support": "tkg:Support",
    "TerritorialCatalyst": "tkg:TerritorialCatalyst",
    "Commune": "igeo:Commune",
    "Intercommunalite": "igeo:Intercommunalite",
    "Departement": "igeo:Departement",
    "Region": "igeo:Region",
    "ArrondissementMunicipal": "igeo:ArrondissementMunicipal",
}

_LINK = "@id"
_CODE = "code"  # a plain string, no language
_TEXT = "text"  # a string in French unless said otherwise
#: property terms: term -> (compact IRI, kind of value: _LINK, _CODE, _TEXT or a datatype)
PROPERTIES: dict[str, tuple[str, str]] = {
    "label": ("rdfs:label", _TEXT),
    "altLabel": ("skos:altLabel", _TEXT),
    "prefLabel": ("skos:prefLabel", _TEXT),
    "definition": ("skos:definition", _TEXT),
    "scopeNote": ("skos:scopeNote", _TEXT),
    "description": ("dct:description", _TEXT),
    "title": ("dct:title", _TEXT),
    "quote": ("tkg:quote", _TEXT),
    "notation": ("skos:notation", _CODE),
    "siren": ("tkg:siren", _CODE),
    "postalCode": ("tkg:postalCode", _CODE),
    "codeINSEE": ("igeo:codeINSEE", _CODE),
    "intercommunalityType": ("tkg:intercommunalityType", _CODE),
    "currency": ("schema:currency", _CODE),
    "startDate": ("dcat:startDate", _TEXT),  # dates keep their own datatype: xsd:gYear, xsd:date…
    "endDate": ("dcat:endDate", _TEXT),
    "foundingDate": ("schema:foundingDate", _TEXT),
    "activeSince": ("tkg:activeSince", _TEXT),
    "issued": ("dct:issued", _TEXT),
    "population": ("tkg:population", "xsd:integer"),
    "value": ("schema:value", "xsd:decimal"),
    "member": ("org:member", _LINK),
    "memberOf": ("org:memberOf", _LINK),
    "hasMember": ("org:hasMember", _LINK),
    "organization": ("org:organization", _LINK),
    "role": ("org:role", _LINK),
    "classification": ("org:classification", _LINK),
    "unitOf": ("org:unitOf", _LINK),
    "hasUnit": ("org:hasUnit", _LINK),
    "postIn": ("org:postIn", _LINK),
    "heldBy": ("org:heldBy", _LINK),
    "holds": ("org:holds", _LINK),
    "hasPost": ("org:hasPost", _LINK),
    "funder": ("schema:funder", _LINK),
    "recipient": ("tkg:recipient", _LINK),
    "fundedItem": ("schema:fundedItem", _LINK),
    "funds": ("tkg:funds", _LINK),
    "amount": ("schema:amount", _LINK),
    "provider": ("tkg:provider", _LINK),
    "beneficiary": ("tkg:beneficiary", _LINK),
    "supportKind": ("tkg:supportKind", _LINK),
    "supports": ("tkg:supports", _LINK),
    "partnerOf": ("tkg:partnerOf", _LINK),
    "continues": ("tkg:continues", _LINK),
    "founder": ("schema:founder", _LINK),
    "knowsAbout": ("schema:knowsAbout", _LINK),
    "about": ("schema:about", _LINK),
    "areaServed": ("schema:areaServed", _LINK),
    "location": ("schema:location", _LINK),
    "organizer": ("schema:organizer", _LINK),
    "performer": ("schema:performer", _LINK),
    "attendee": ("schema:attendee", _LINK),
    "author": ("schema:author", _LINK),
    "publisher": ("schema:publisher", _LINK),
    "superEvent": ("schema:superEvent", _LINK),
    "temporal": ("dct:temporal", _LINK),
    "spatial": ("dct:spatial", _LINK),
    "isPartOf": ("dct:isPartOf", _LINK),
    "hasPart": ("dct:hasPart", _LINK),
    "subject": ("dct:subject", _LINK),
    "derivation": ("prov:qualifiedDerivation", _LINK),
    "entity": ("prov:entity", _LINK),
    "wasDerivedFrom": ("prov:wasDerivedFrom", _LINK),
    "inScheme": ("skos:inScheme", _LINK),
    "broader": ("skos:broader", _LINK),
    "narrower": ("skos:narrower", _LINK),
    "subdivisionOf": ("igeo:subdivisionDirecteDe", _LINK),
    "chefLieu": ("igeo:chefLieu", _LINK),
}


def _prefixes() -> dict[str, str]:
    from kg.model.vocab import PREFIXES

    return dict(PREFIXES)


def _definition(iri: str, kind: str) -> dict[str, Any]:
    if kind == _LINK:
        return {"@id": iri, "@type": "@id"}
    if kind == _CODE:
        return {"@id": iri, "@language": None}
    if kind == _TEXT:
        return {"@id": iri}
    return {"@id": iri, "@type": kind}


def context() -> dict[str, Any]:
    """The project's JSON-LD context (``ontology/context.jsonld``): prefixes, then terms."""
    ctx: dict[str, Any] = {"@version": 1.1, "@language": "fr"}
    ctx.update(_prefixes())
    ctx["type"] = "@type"
    ctx.update(CLASSES)
    ctx.update({term: _definition(iri, kind) for term, (iri, kind) in PROPERTIES.items()})
    return {"@context": ctx}


def _expand(curie: str, prefixes: dict[str, str]) -> str:
    p, _, local = curie.partition(":")
    return prefixes[p] + local


def _iri_compactor(prefixes: dict[str, str]) -> Callable[[str], str]:
    spaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
    cache: dict[str, str] = {}

    def compact_iri(iri: str) -> str:
        out = cache.get(iri)
        if out is None:
            out = iri
            for ns, p in spaces:
                if iri.startswith(ns):
                    local = iri[len(ns) :]
                    if local and not local.startswith("//"):
                        out = f"{p}:{local}"
                    break
            cache[iri] = out
        return out

    return compact_iri


def compact(expanded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Expanded JSON-LD (named graphs of node objects) compacted with :func:`context`."""
    prefixes = _prefixes()
    compact_iri = _iri_compactor(prefixes)
    classes = {_expand(c, prefixes): term for term, c in CLASSES.items()}
    props = {_expand(iri, prefixes): (term, kind) for term, (iri, kind) in PROPERTIES.items()}
    datatypes = {kind: _expand(kind, prefixes) for _, kind in PROPERTIES.values() if ":" in kind}

    def value(v: dict[str, Any], kind: str | None) -> Any:
        if "@id" in v:
            iri = compact_iri(v["@id"])
            return iri if kind == _LINK else {"@id": iri}
        text, lang, dt = v["@value"], v.get("@language"), v.get("@type")
        if dt is not None:
            if kind is not None and datatypes.get(kind) == dt:
                return text
            return {"@value": text, "@type": compact_iri(dt)}
        if kind in (None, _TEXT, _CODE):
            expected = None if kind == _CODE else "fr"  # the language a bare string gets
            if lang == expected and isinstance(text, str):
                return text
        return {"@value": text, "@language": lang} if lang else {"@value": text}

    def node(n: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, vs in n.items():
            if k == "@id":
                out["@id"] = compact_iri(vs)
            elif k == "@graph":
                out["@graph"] = [node(x) for x in vs]
            elif k == "@type" or k == _RDF_TYPE:
                types = [x if isinstance(x, str) else x["@id"] for x in vs]
                names = [classes.get(t) or compact_iri(t) for t in types]
                out["type"] = names[0] if len(names) == 1 else names
            elif k.startswith("@"):
                out[k] = vs
            else:
                term, kind = props.get(k, (compact_iri(k), None))
                values = [value(v, kind) for v in vs]
                out[term] = values[0] if len(values) == 1 else values
        return out

    return [node(g) for g in expanded]
