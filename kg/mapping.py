"""Records -> RDF quads. The ONLY module that names predicates and classes.

(Work in progress: the bookkeeping terms used by :mod:`kg.store` come first.)
"""
from __future__ import annotations

from .vocab import KG

# Bookkeeping terms (see ontology/kg.ttl).
SCHEMA_VERSION_P = KG + "schemaVersion"   # meta graph node -> xsd:integer
SHA256_P = KG + "sha256"                  # SourceDocument -> hex content hash (in the document's graph)
SOURCE_PATH_P = KG + "sourcePath"         # SourceDocument -> absolute path it was read from (meta graph)
