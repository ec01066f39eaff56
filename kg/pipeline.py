"""The extraction pipeline for one document: source -> parser -> entities.

Everything a build or `kg extract` does to a single file lives here, so that
worker processes can run it independently.
"""
from __future__ import annotations

from .parsers import parse_document
from .parsers.entities import extract_entities
from .records import Document
from .sources import SourceText, read_source


def parse(src: SourceText) -> Document:
    return extract_entities(parse_document(src), src)


def extract_path(path) -> Document:
    return parse(read_source(path))
