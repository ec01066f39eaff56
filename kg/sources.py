"""Sources: bytes to text with page/line positions.

``read_source(path)`` turns one file into a :class:`SourceText`: a tuple of
pages of clean text (``\\n`` line ends, no control characters except ``\\t``),
plus the file's name, SHA-256 and media type.  Readers:

* ``.txt`` / ``.md``: encoding detected, never guessed blindly: BOM (UTF-8,
  UTF-16/32 LE/BE), then strict UTF-8, then BOM-less UTF-16 (NUL-byte pattern),
  then single-byte code pages (cp1252, latin-1, cp850) accepted only when the
  decoded text looks like West-European text (see ``_plausible``), then
  charset-normalizer's best guess under the same check.  Form feed = page break.
* ``.pdf``: text per page with pypdf (chosen by measurement, docs/sources.md).
* ``.html`` / ``.htm``: visible text with block structure (stdlib html.parser,
  no recursion, so arbitrarily deep nesting is fine); table rows become Markdown-style
  lines ``| cell | cell |``, the form tables have in the text minutes the parsers know.

The content decides over the extension: a ``.txt`` that starts with ``%PDF-``
is read as a PDF, a ``.txt`` that starts with ``<!DOCTYPE html``/``<html`` as
HTML, known binary formats are refused.  Every failure is a :class:`SourceError`
whose message is one line: ``<path>: <problem>``.
"""
from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator


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
    encoding: str = ""      # how the bytes were decoded ("utf-8", "cp1252", "pdf", ...)

    @property
    def text(self) -> str:
        return "\f".join(self.pages)

    def lines(self) -> Iterator[Line]:
        n = 0
        for p, page in enumerate(self.pages, start=1):
            for t in page.split("\n"):
                n += 1
                yield Line(p, n, t)


SUPPORTED = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
}


# --------------------------------------------------------------------------- paths
def iter_paths(paths: Iterable) -> Iterator[Path]:
    """Expand inputs: files are yielded as given (even unsupported or missing ones, so that
    read_source can report them); directories recursively, supported extensions only,
    hidden files/directories skipped, symlinked directories not followed, sorted by path."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = []         # (path components below p, path): string work, 100k files in a second
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rel = os.path.relpath(root, p)
                below = () if rel == "." else tuple(rel.split(os.sep))
                for f in files:
                    if not f.startswith(".") and os.path.splitext(f)[1].lower() in SUPPORTED:
                        found.append((below + (f,), os.path.join(root, f)))
            found.sort()
            yield from (Path(f) for _, f in found)
        else:
            yield p


# --------------------------------------------------------------------------- clean-up
# C0 controls except \t \n \v \f \r, DEL, C1 controls, soft hyphen, zero-width space/joiners, BOM.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffe\uffff]+")
_LINEBREAK = re.compile("\r\n?|[\v\x85\u2028\u2029]")
_SPACES = re.compile("[\u00a0\u2007\u202f]")


def clean_text(text: str) -> str:
    """Normalise decoded text: NFC, \\n line ends, no control characters (keeps \\n \\t \\f),
    non-breaking spaces as plain spaces. Linear in the length of the text."""
    # (speed only) each substitution runs only when the text holds a character it acts on; the
    # space mapping goes first (it commutes with the deletion: the two character sets are disjoint
    # and neither makes a character of the other) so that the printable test can skip the deletion
    if any(c in text for c in "\r\v\x85\u2028\u2029"):
        text = _LINEBREAK.sub("\n", text)
    if "\u00a0" in text or "\u2007" in text or "\u202f" in text:
        text = _SPACES.sub(" ", text)
    # every character _CONTROL removes is non-printable; \n \t \f are the non-printables kept
    if not text.replace("\n", "").replace("\t", "").replace("\f", "").isprintable():
        text = _CONTROL.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


# --------------------------------------------------------------------------- sniffing
_CTRL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_MAGIC = [
    (b"PK\x03\x04", "ZIP archive, e.g. .docx/.xlsx/.odt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office 97-2003 document (.doc/.xls)"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
]
_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                         re.IGNORECASE | re.DOTALL)


def _bom(data: bytes):
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return bom, enc
    return None, None


def _utf16_without_bom(data: bytes):
    """UTF-16 text without BOM: Latin-script text has a NUL in (nearly) every other byte."""
    sample = data[:65536]
    if len(sample) < 8:
        return None
    half = len(sample) // 2
    odd_nul = sample[1::2].count(0) / half
    even_nul = sample[0::2].count(0) / half
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def sniff(data: bytes) -> str:
    """What the bytes are, regardless of extension: 'pdf', 'html', 'text' or 'binary: <kind>'."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return f"binary: {kind}"
    bom, enc = _bom(data)
    if enc is None:
        enc = _utf16_without_bom(data)
    if enc and enc != "utf-8":
        try:
            start = data[len(bom or b""):len(bom or b"") + 4096].decode(enc, errors="ignore")
        except LookupError:  # pragma: no cover
            start = ""
        return "html" if _HTML_START.match(start.encode("utf-8", "ignore")) else "text"
    body = data[len(bom or b""):]
    sample = body[:65536]
    if sample:
        ctrl = len(sample) - len(sample.translate(None, _CTRL_BYTES))
        # text with a few stray NULs/controls stays text (they are removed later)
        if ctrl >= 16 and ctrl / len(sample) > 0.05 or ctrl / len(sample) > 0.30:
            return "binary: control bytes"
    if _HTML_START.match(body[:4096]):
        return "html"
    return "text"


# --------------------------------------------------------------------------- decoding
_LETTER_RUN = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f](?=[A-Za-z])")


def _plausible(text: str) -> bool:
    """Does text decoded with a single-byte code page look like (Danish/West-European) text?

    A wrong code page turns letters into symbols or controls *inside words* ("m›de" for
    "møde" when cp850 is read as cp1252, "mÃ¸de" for UTF-8 as cp1252).  Accept when few
    non-ASCII characters are controls, and few of those that sit between two ASCII letters
    are non-letters."""
    nonascii = len(text) - len(text.encode("ascii", "ignore"))
    if nonascii == 0:
        return True
    c1 = len(re.findall("[\x80-\x9f\ufffd]", text))
    if c1 > max(2, nonascii // 50):
        return False
    inner = _LETTER_RUN.findall(text)
    bad = sum(1 for ch in inner if not ch.isalpha())
    if bad > max(2, len(inner) // 5):
        return False
    # UTF-8 read as a code page: pairs like "Ã¸" where a capital A-tilde precedes a symbol
    mojibake = len(re.findall("[\u00c2\u00c3][\u0080-\u00bf\u2010-\u203a\u20ac\u0152-\u0178\u02c6-\u02dc]", text))
    if mojibake > max(2, nonascii // 10):
        return False
    return True


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes; returns (text, encoding). Raises ValueError when no encoding fits."""
    bom, enc = _bom(data)
    if enc:
        return data[len(bom):].decode(enc, errors="replace"), enc + "-bom"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    enc = _utf16_without_bom(data)
    if enc:
        return data.decode(enc, errors="replace"), enc
    # Mostly UTF-8 with a few damaged bytes (many valid multi-byte sequences, few errors)?
    loose = data.decode("utf-8", errors="replace")
    errors = loose.count("\ufffd")
    multibyte = len(loose) - len(loose.encode("ascii", "ignore")) - errors
    if multibyte >= 4 * errors:
        return loose, "utf-8 (damaged bytes replaced)"
    for cand in ("cp1252", "latin-1", "cp850"):
        try:
            text = data.decode(cand)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, cand
    # No code page fits. UTF-8 text with a blob of junk inside still has its valid multi-byte
    # characters; random bytes form one valid sequence per ~15 invalid ones, so >= 1 per 4 is text.
    if multibyte and multibyte * 4 >= errors:
        return loose, "utf-8 (damaged bytes replaced)"
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:1_000_000]).best()
    except Exception:  # pragma: no cover - defensive: the detector must never crash a read
        best = None
    if best is not None and best.encoding:
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None and _plausible(text):
            return text, best.encoding
    raise ValueError("cannot detect the text encoding (not UTF-8, UTF-16 or a Western code page)")


# --------------------------------------------------------------------------- readers
def _read_text(data: bytes) -> tuple[tuple[str, ...], str]:
    text, enc = decode_text(data)
    text = clean_text(text)
    return tuple(text.split("\f")), enc


logging.getLogger("pypdf").setLevel(logging.ERROR)


def _read_pdf(data: bytes) -> tuple[tuple[str, ...], str]:
    try:
        import pypdf  # noqa: F401
    except ImportError as e:  # pragma: no cover
        raise ValueError(f"PDF support needs pypdf ({e})") from None
    if b"%%EOF" not in data[-2048:]:
        raise ValueError("truncated PDF (no %%EOF end marker)")
    with warnings.catch_warnings():           # pypdf's warnings about damaged files: not for stderr
        warnings.simplefilter("ignore")
        return _read_pdf_pages(data)


def _read_pdf_pages(data: bytes) -> tuple[tuple[str, ...], str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise ValueError("encrypted PDF (AES): install the 'cryptography' package to open it") from None
            except Exception as e:
                raise ValueError(f"encrypted PDF that cannot be opened ({e})") from None
            if not ok:
                raise ValueError("encrypted PDF: a password is required")
        pages = []
        for page in reader.pages:
            pages.append(clean_text(page.extract_text() or "").replace("\f", "\n").rstrip())
    except ValueError:
        raise
    except FileNotDecryptedError:
        raise ValueError("encrypted PDF: a password is required") from None
    except (PdfReadError, Exception) as e:  # pypdf raises many types on damaged files
        msg = " ".join(str(e).split())[:200] or type(e).__name__
        raise ValueError(f"damaged PDF ({msg})") from None
    if not pages:
        raise ValueError("PDF has no pages")
    if not any(p.strip() for p in pages):
        raise ValueError("PDF has no extractable text (scanned images? OCR is not supported)")
    return tuple(pages), "pdf"


_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
                           rb"""|<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Elements whose content is never visible.
_SKIP = {"script", "style", "template", "title", "noscript", "svg", "math", "object",
         "iframe", "select", "datalist"}
# Elements that start a new paragraph (blank line) or a new line.
_PARA = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "pre",
         "section", "article", "header", "footer", "main", "aside", "nav", "figure", "form",
         "fieldset", "address", "details", "hr", "caption"}
_LINE = {"div", "li", "dt", "dd", "br", "tr", "tbody", "thead", "tfoot", "figcaption", "summary",
         "legend", "option", "center", "body", "html", "label"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
_WS = re.compile(r"[ \t\n\r\f\v]+")
_BREAK_BEFORE = re.compile(r"(?:page-break-before|break-before)\s*:\s*(?:always|page)", re.I)
_AROUND_FF = re.compile(r"\n*\f\n*")


class _Table:
    __slots__ = ("cells", "cell")

    def __init__(self) -> None:
        self.cells: list[str] | None = None   # cells of the open row
        self.cell: list[str] | None = None    # text pieces of the open cell


_MAX_TABLES = 16   # table nesting kept as structure; real pages nest 2-3 deep

# Elements that an HTML parser closes implicitly when the same element starts again.
_SELF_CLOSING_SIBLINGS = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page. Keeps no element tree (only a stack of open invisible
    elements and open tables), so deep nesting costs nothing and cannot recurse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []          # finished lines
        self.cur: list[str] = []          # pieces of the current line
        self.skip: list[str] = []         # open invisible elements (same-name nesting stack)
        self.pre = 0
        self.tables: list[_Table] = []
        self.open_cells: list[list[str]] = []   # open cells of all tables, innermost last
        self.flat = 0                     # open tables nested deeper than _MAX_TABLES: plain text

    # -- output helpers
    def _open_cell(self):
        return self.open_cells[-1] if self.open_cells else None

    def _sink(self) -> list[str]:
        cell = self._open_cell()
        return self.cur if cell is None else cell

    def _newline(self, blank: bool = False) -> None:
        cell = self._open_cell()
        if cell is not None:               # line breaks inside a table cell become spaces
            cell.append(" ")
            return
        if self.tables and self.tables[-1].cells:
            self._end_row(self.tables[-1])  # a block after a row's cells, outside any cell
        line = "".join(self.cur)
        line = line.rstrip() if self.pre else line.strip()
        self.cur = []
        if line:
            self.out.append(line)
        if blank and self.out and self.out[-1] != "":
            self.out.append("")

    # -- tables
    def _table(self) -> _Table:
        if not self.tables:                # cell or row outside any table: treat as one
            self.tables.append(_Table())
        return self.tables[-1]

    def _end_cell(self, t: _Table) -> None:
        if t.cell is None:
            return
        if self.open_cells and self.open_cells[-1] is t.cell:
            self.open_cells.pop()
        text = _WS.sub(" ", "".join(t.cell)).strip()
        t.cell = None
        if t.cells is None:
            t.cells = []
        t.cells.append(text)

    def _end_row(self, t: _Table) -> None:
        self._end_cell(t)
        cells, t.cells = t.cells, None
        if not cells or not any(cells):
            return
        row = " | ".join(cells)
        outer = self._open_cell()          # nested table: the row goes into the outer cell
        if outer is not None:
            outer.append(" " + row + " ")
        else:                              # the Markdown table-row form the seeds' text uses
            self._newline()
            self.out.append("| " + row + " |")

    # -- parser callbacks
    def handle_starttag(self, tag, attrs):
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                if tag in _SELF_CLOSING_SIBLINGS and len(self.skip) == 1:
                    self.skip.pop()        # <p hidden>..<p>: the second <p> closes the first
                else:
                    self.skip.append(tag)
                    return
            else:
                return
        a = dict(attrs)
        hidden = "hidden" in a or a.get("aria-hidden") == "true" or \
            re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", a.get("style") or "", re.I)
        if (tag in _SKIP or hidden) and tag not in _VOID:
            self.skip.append(tag)
            return
        style = a.get("style") or ""
        if _BREAK_BEFORE.search(style) and self._open_cell() is None:
            self._newline()
            self.out.append("\f")             # printed page break: a page in SourceText
        if tag in ("table", "tr", "td", "th") and (self.flat or len(self.tables) >= _MAX_TABLES):
            if tag == "table":             # absurd nesting: folding rows into cells would be
                self.flat += 1             # quadratic, so deeper tables are read as plain text
            self._sink().append(" ")
            return
        if tag == "table":
            if self._open_cell() is None:
                self._newline(blank=True)
            self.tables.append(_Table())
            return
        if tag == "tr":
            t = self._table()
            self._end_row(t)
            t.cells = []
            return
        if tag in ("td", "th"):
            t = self._table()
            self._end_cell(t)
            t.cell = []
            self.open_cells.append(t.cell)
            return
        if tag == "pre":
            self.pre += 1
        if tag in _PARA:
            self._newline(blank=True)
        elif tag in _LINE:
            self._newline()
        elif tag == "img" and a.get("alt"):
            self._sink().append(" " + a["alt"] + " ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if self.flat and tag in ("table", "tr", "td", "th"):
            if tag == "table":
                self.flat -= 1
            return
        if tag in ("td", "th"):
            if self.tables:
                self._end_cell(self.tables[-1])
            return
        if tag == "tr":
            if self.tables:
                self._end_row(self.tables[-1])
            return
        if tag == "table":
            if self.tables:
                t = self.tables[-1]
                self._end_row(t)
                self.tables.pop()
                if self._open_cell() is None:
                    self._newline(blank=True)
            return
        if tag in _PARA:
            self._newline(blank=True)
        elif tag in _LINE:
            self._newline()
        if tag == "pre" and self.pre:
            self.pre -= 1

    def handle_data(self, data):
        if self.skip:
            return
        if self.tables and self._open_cell() is None and self.tables[-1].cells and data.strip():
            self._end_row(self.tables[-1])   # text after a row's cells but outside any cell
        if self.pre and self._open_cell() is None:
            for i, part in enumerate(data.split("\n")):
                if i:
                    self._newline()
                self.cur.append(part)
            return
        self._sink().append(_WS.sub(" ", data))

    def text(self) -> str:
        while self.tables:
            self._end_row(self.tables[-1])
            self.tables.pop()
        self._newline()
        lines = self.out
        while lines and lines[-1] in ("", "\f"):
            lines.pop()
        while lines and lines[0] in ("", "\f"):
            lines.pop(0)
        return _AROUND_FF.sub("\f", "\n".join(lines))


# Python's html.parser (3.11 before 3.11.13) rescans an unfinished construct from every later "<"
# ("<a<a<a...", '<a "<a "', "<!--<!--"), which is quadratic, and some ("<![<![") make it raise.
# So every "<" that does not begin a well-formed tag, end tag, comment, declaration or processing
# instruction is escaped first. The pattern can only scan from a "<" to the next "<", ">" or quote
# (or through one quoted attribute value), so the pass is linear.
_TAGLIKE = re.compile(r"""<(?:[A-Za-z][^\s/<>]*(?:\s+[^\s=<>"'/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?|\s*/)*\s*>"""
                      r"""|/[A-Za-z][^<>]*>|!--|![^<>]*>|\?[^<>]*>)?""")
_TAG = re.compile(r"<[^>]*>")


def _escape_stray_lt(html: str) -> str:
    last_comment_end = html.rfind("-->")

    def keep(m: re.Match) -> str:
        t = m.group(0)
        if t == "<" or (t == "<!--" and m.start() > last_comment_end):
            return "&lt;" + t[1:]
        return t
    return _TAGLIKE.sub(keep, html)


def html_to_text(html: str) -> str:
    html = _escape_stray_lt(html)
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:                  # html.parser gave up (old-Python bugs on odd markup):
        import html as _html           # fall back to the crudest reading, tags stripped
        return "\n".join(ln.strip() for ln in _html.unescape(_TAG.sub("\n", html)).split("\n") if ln.strip())
    return parser.text()


def _decode_html(data: bytes) -> tuple[str, str]:
    bom, enc = _bom(data)
    if enc:
        return data[len(bom):].decode(enc, errors="replace"), enc + "-bom"
    m = _META_CHARSET.search(data[:8192])
    if m:
        label = (m.group(1) or m.group(2)).decode("ascii", "ignore").lower()
        # WHATWG: the latin-1/ascii labels mean windows-1252
        if label in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "l1"):
            label = "cp1252"
        try:
            codecs.lookup(label)
        except LookupError:
            label = ""
        if label and not label.startswith(("utf-16", "utf16", "utf-32")):   # a meta can't be UTF-16
            if codecs.lookup(label).name not in ("utf-8", "ascii") and not data.isascii():
                try:      # valid non-ASCII UTF-8 is practically never a single-byte code page:
                    return data.decode("utf-8"), f"utf-8 (declared {label})"   # the meta is stale
                except UnicodeDecodeError:
                    pass
            try:
                return data.decode(label), label + " (meta)"
            except UnicodeDecodeError:
                pass                                 # the declaration is wrong: detect instead
    return decode_text(data)


def _read_html(data: bytes) -> tuple[tuple[str, ...], str]:
    html, enc = _decode_html(data)
    text = clean_text(html_to_text(clean_text(html)))
    return tuple(text.split("\f")), enc


def _max_bytes() -> int:
    try:
        return int(float(os.environ.get("KG_MAX_SOURCE_MB", "512")) * 2**20)
    except ValueError:
        return 512 * 2**20


MAX_BYTES = _max_bytes()   # whole files are read into memory; refuse absurd sizes clearly

_READERS = {"pdf": (_read_pdf, "application/pdf"), "html": (_read_html, "text/html")}


def read_source(path) -> SourceText:
    """Read one file into a SourceText. Raises SourceError('<path>: <problem>') on any failure."""
    try:
        return _read_source(Path(path))
    except SourceError as e:
        msg = str(e)
        if any(c in msg for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):  # keep it one line, even for
            msg = msg.encode("unicode_escape").decode("ascii")                # odd file names
            raise SourceError(msg) from None
        raise


def _read_source(path: Path) -> SourceText:
    suffix = path.suffix.lower()
    if path.is_dir():
        raise SourceError(f"{path}: is a directory")
    if path.exists() and not path.is_file():
        raise SourceError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_BYTES:
        raise SourceError(f"{path}: file too large ({size // 2**20} MB; the limit is {MAX_BYTES // 2**20} MB, "
                          f"set KG_MAX_SOURCE_MB to change it)")
    if suffix and suffix not in SUPPORTED:
        raise SourceError(f"{path}: unsupported file type '{path.suffix}' "
                          f"(supported: {', '.join(sorted(SUPPORTED))})")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read: {e.strerror or e}") from None
    if not data:
        raise SourceError(f"{path}: empty file")
    kind = sniff(data)
    if kind.startswith("binary"):
        detail = kind.split(": ", 1)[1]
        extra = f" ({detail})" if detail != "control bytes" else ""
        raise SourceError(f"{path}: binary file, not text{extra}")
    try:
        if kind == "text" and suffix in (".html", ".htm"):
            kind = "html"                     # an HTML fragment without <html>/<body>
        if kind == "text":
            pages, enc = _read_text(data)
            media = SUPPORTED.get(suffix, "text/plain")
            if media not in ("text/plain", "text/markdown"):
                media = "text/plain"          # .pdf/.html whose content is plain text
        else:
            reader, media = _READERS[kind]
            pages, enc = reader(data)
    except ValueError as e:
        raise SourceError(f"{path}: {' '.join(str(e).split())}") from None
    except RecursionError:  # pragma: no cover - the readers are iterative; belt and braces
        raise SourceError(f"{path}: document nesting too deep") from None
    if not any(p.strip() for p in pages):
        raise SourceError(f"{path}: empty file (no text)")
    return SourceText(str(path), path.name, hashlib.sha256(data).hexdigest(), media, pages, enc)
