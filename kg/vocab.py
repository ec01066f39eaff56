"""Namespace IRIs and SPARQL prefixes (no predicates: those are named only in :mod:`kg.mapping`)."""
from __future__ import annotations

from .iris import DATA, ONTOLOGY

KG = ONTOLOGY
KGD = DATA
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
PERSON = "http://www.w3.org/ns/person#"
SCHEMA = "http://schema.org/"
FRAPO = "http://purl.org/cerif/frapo/"
BESLUIT = "http://data.vlaanderen.be/ns/besluit#"
MANDAAT = "http://data.vlaanderen.be/ns/mandaat#"
OA = "http://www.w3.org/ns/oa#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"

PREFIXES = {
    "kg": KG, "kgd": KGD, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS,
    "dcterms": DCTERMS, "prov": PROV, "org": ORG, "foaf": FOAF, "person": PERSON, "schema": SCHEMA,
    "frapo": FRAPO, "besluit": BESLUIT, "mandaat": MANDAAT, "oa": OA, "wd": WD,
}

def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
