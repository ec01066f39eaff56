"""Sources: bytes to text with page/line positions.

Minimal first version (plain text only); PDF, HTML and encoding detection
come with the sources work of issue 3.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


class SourceError(Exception):
    """A source that cannot be read. str(err) is one line naming file and problem."""


@dataclass(frozen=True)
class Line:
    page: int   # 1-based
    line: int   # 1-based line number within the whole document
    text: str


@dataclass(frozen=True)
class SourceText:
    path: str
    name: str
    sha256: str
    media_type: str
    pages: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\f".join(self.pages)

    def lines(self) -> Iterator[Line]:
        n = 0
        for p, page in enumerate(self.pages, start=1):
            for t in page.split("\n"):
                n += 1
                yield Line(p, n, t)


SUPPORTED = {".txt": "text/plain", ".md": "text/markdown"}


def iter_paths(paths) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                if q.is_file() and q.suffix.lower() in SUPPORTED:
                    yield q
        else:
            yield p


def read_source(path) -> SourceText:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise SourceError(f"{path}: empty file")
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(str(path), path.name, hashlib.sha256(data).hexdigest(),
                      SUPPORTED.get(path.suffix.lower(), "text/plain"), tuple(text.split("\f")))
