"""Parsers: text with positions -> plain records (no rdflib)."""
from __future__ import annotations

from ..records import Document
from ..sources import SourceText


def parse_document(src: SourceText) -> Document:
    """Parse one source into a Document (meeting header, members, items). Filled by issue 3."""
    return Document(source=src.name, path=src.path, sha256=src.sha256)
