"""Entity extraction from item prose (organisations, municipalities, persons,
projects, grants). Filled in by issue 5; until then it adds nothing."""
from __future__ import annotations

from ..records import Document
from ..sources import SourceText


def extract_entities(doc: Document, src: SourceText) -> Document:
    return doc
