"""Lines of a source, cleaned for parsing: page furniture (headers/footers
repeated on every page, "Side 2 af 9", table rules) dropped, markdown/bold
markers removed, and the table of contents recognised and set aside.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from . import labels


@dataclass(slots=True)
class Ln:
    page: int
    no: int          # 1-based line number in the whole document
    text: str        # cleaned text ("" for blank lines)
    raw: str


@dataclass
class Layout:
    lines: list[Ln]                        # all lines, furniture and TOC blanked out
    furniture: list[Ln] = field(default_factory=list)   # dropped header/footer lines
    toc: list[Ln] = field(default_factory=list)         # table-of-contents entry lines
    toc_titles: list[str] = field(default_factory=list)


_MD = re.compile(r"^(?:#{1,6}\s+|>\s+)")
_BOLD = re.compile(r"^(\*\*|__)(.*)\1$")
_TOC_TAIL = re.compile(r"(?:\s*(?:\.{3,}|…+|\.\s\.\s\.)\s*\|?\s*\d{1,3}\s*\|?\s*$)|(?:\t\s*\d{1,3}\s*$)|(?:\|\s*\d{1,3}\s*\|\s*$)")
_TABLE_ROW = re.compile(r"^\|.*\|$")
_LEAD_BOLD = re.compile(r"^\*\*(.+?)\*\*")


@lru_cache(maxsize=16384)
def clean(text: str) -> str:
    # memoised (speed only): a pure function of the line text
    s = text.replace("\u00a0", " ").replace("\u200b", "").rstrip()
    s = s.strip(" ")
    # (speed only) each pattern below is anchored: tried only on lines starting with its marker
    if s.startswith(("#", ">")):
        s = _MD.sub("", s)
    if s.strip().startswith(("**", "__")):
        m = _BOLD.match(s.strip())
        if m:
            s = m.group(2)
    if s.startswith("**"):
        s = _LEAD_BOLD.sub(r"\1", s)
    m = _TWO_CELLS.match(s) if s.startswith("|") else None
    if m and _is_label(m.group(1)):
        s = m.group(1).strip().rstrip(":") + ": " + m.group(2).strip()     # "| Sagsnr. | 24/1 |" -> "Sagsnr.: 24/1"
    return s.strip()


def _clean_already(t: str) -> bool:
    """clean(t) == t (speed only): no outer white space, no markup marker first, no NBSP/ZWSP."""
    return not t or (not t[0].isspace() and not t[-1].isspace() and t[0] not in "#>*_|"
                     and "\u00a0" not in t and "\u200b" not in t)


_TWO_CELLS = re.compile(r"^\|\s*([^|]{2,40}?)\s*\|\s*([^|]+?)\s*\|$")


def _is_label(cell: str) -> bool:
    c = cell.strip().rstrip(":").strip()
    if labels.section_label(c):
        return True
    return any(labels.header_re(k).fullmatch(c) for k in ("date", "time", "start", "end", "location", "members",
                                                          "absent", "committee"))


_PAGE_WORD = re.compile(r"\b(?:side|page|sida|s\.)\s*\d", re.I)
_DIGITS = re.compile(r"\d+")


def _key(s: str) -> str:
    """Comparison key of a possible header/footer line: page numbers are normalised only
    on lines that name a page ("Side 3 af 12"), so case numbers never look alike."""
    k = " ".join(s.split()).casefold()      # = re.sub(r"\s+", " ", s).strip(): \s is str.isspace()
    if _PAGE_WORD.search(k):
        k = _DIGITS.sub("#", k)
    return k


def build(src) -> Layout:
    lines = []
    no = 0
    for page, text in enumerate(src.pages, start=1):      # the positions of SourceText.lines()
        for t in text.split("\n"):
            no += 1
            lines.append(Ln(page, no, t if _clean_already(t) else clean(t), t))
    lay = Layout(lines)
    drop = labels.drop_res()
    # page furniture by pattern
    for ln, cands in zip(lines, drop.candidates_each([ln.text for ln in lines])):
        t = ln.text
        if not t:
            continue
        if drop.match_any(t, cands):
            if re.search(r"[A-Za-zÆØÅæøå]", ln.text):
                lay.furniture.append(Ln(ln.page, ln.no, ln.text, ln.raw))
            ln.text = ""
    # lines repeated at the top or bottom of most pages
    pages: dict[int, list[Ln]] = {}
    for ln in lines:
        if ln.text:
            pages.setdefault(ln.page, []).append(ln)
    if len(pages) >= 2:
        cnt: Counter = Counter()
        interior: Counter = Counter()
        for pl in pages.values():
            edge = pl[:3] + pl[-3:]
            for k in {_key(x.text) for x in edge}:
                cnt[k] += 1
            for x in pl[3:-3]:
                interior[_key(x.text)] += 1
        # furniture sits at page edges: a line that also runs through page bodies is content
        rep = {k for k, c in cnt.items() if c >= max(2, (len(pages) + 1) // 2) and len(k) >= 12
               and interior[k] <= max(1, c // 2)}
        for pl in pages.values():
            for x in pl[:3] + pl[-3:]:
                if x.text and _key(x.text) in rep and not labels.section_label(x.text) \
                        and not any(p.rx.match(x.text) for p in labels.heading_patterns()):
                    lay.furniture.append(Ln(x.page, x.no, x.text, x.raw))
                    x.text = ""
    _find_toc(lay)
    return lay


_NUMERIC_CELL = re.compile(r"(?:\t|\|)\s*[\d.,%-]+\s*\|?\s*$")
_THREE_LETTERS = re.compile(r"[A-Za-zÆØÅæøå]{3}")


def is_toc_line(text: str) -> bool:
    """A table-of-contents entry: a title with dot leaders or a tab and a page number
    (a row of a numeric table, "Drift\t271\t12", is not)."""
    if not text:
        return False
    last = text.rstrip()[-1:]
    if not (last == "|" or last.isdecimal()):     # every _TOC_TAIL form ends with a digit or "|" (speed only)
        return False
    m = _TOC_TAIL.search(text)
    if not m:
        return False
    before = text[:m.start()]
    if _NUMERIC_CELL.search(before) or not _THREE_LETTERS.search(before):
        return False
    return True


def _has_leaders(text: str) -> bool:
    return bool(re.search(r"\.{3,}|…", text or ""))


def toc_title(text: str) -> str:
    s = _TOC_TAIL.sub("", text)
    s = s.strip().strip("|").strip()
    s = re.sub(r"\s*(?:\.{2,}|…+)\s*$", "", s)
    for pat in labels.heading_patterns():
        m = pat.rx.match(s)
        if m and (m.group("title") or "").strip():
            s = m.group("title").strip()
            break
    return s.strip()


def _find_toc(lay: Layout) -> None:
    L = lay.lines
    n = len(L)
    toc_label = labels.toc_re()
    # an unlabelled TOC precedes the items: only before the first section label
    limit = n
    for k, ln in enumerate(L):
        if ln.text and labels.section_label(ln.text) and not is_toc_line(ln.text):
            limit = k
            break
    i = 0
    while i < n:
        t = L[i].text
        start = None
        if t and toc_label.match(t):
            start = i + 1
        elif i < limit and is_toc_line(t):
            # an unlabelled run of >= 3 toc-like lines
            j, k, lead = i, 0, 0
            while j < n and (not L[j].text or is_toc_line(L[j].text)):
                k += bool(L[j].text)
                lead += _has_leaders(L[j].text)
                j += 1
            if k >= 3 and (lead or j <= limit):
                start = i
        if start is None:
            i += 1
            continue
        j = start
        entries = []
        markers = []
        while j < n:
            tj = L[j].text
            if not tj:
                j += 1
                continue
            if is_toc_line(tj):
                entries.append(L[j])
                j += 1
                continue
            if entries and _part_marker(tj) is not None:
                markers.append(L[j])
                j += 1
                continue
            break
        if not entries and toc_label.match(t or ""):
            entries, markers, j = _unpaged_toc(L, start)
        for mk in markers:
            if entries:
                mk.text = ""
        if entries:
            if toc_label.match(L[i].text or ""):
                L[i].text = ""
            for e in entries:
                lay.toc.append(Ln(e.page, e.no, e.text, e.raw))
                lay.toc_titles.append(toc_title(e.text))
                e.text = ""
            i = j
        else:
            i += 1


def _part_marker(text: str):
    from .items import part_marker
    return part_marker(text)


def _heading_title(text: str):
    for pat in labels.heading_patterns():
        m = pat.rx.match(text)
        if m and (m.group("title") or "").strip():
            return m.group("title").strip()
    return None


def _unpaged_toc(L: list, start: int):
    """A labelled contents list without page numbers ("Indhold" then "1 Godkendelse af
    dagsorden", "Sag 2 - X", ..., maybe "Lukkede punkter"): a run of heading-like lines, each
    directly followed by the next, whose titles are printed again as headings further on."""
    from .danish import fold
    n = len(L)
    j = start
    entries, markers = [], []
    while j < n:
        tj = L[j].text
        if not tj:
            j += 1
            continue
        ht = _heading_title(tj)
        if ht:
            if any(fold(ht) == fold(_heading_title(e.text)) for e in entries):
                break       # the same title again: the body's first heading
            entries.append(L[j])
            j += 1
            continue
        if _part_marker(tj) is not None:
            markers.append(L[j])
            j += 1
            continue
        break
    if entries:
        last = entries[-1].no
        tail = [m for m in markers if m.no > last]
        markers = [m for m in markers if m.no < last]
        if tail:
            j = min(L.index(m) for m in tail)
    if len(entries) < 2:
        return [], [], start
    later = {fold(t) for t in (_heading_title(x.text or "") for x in L[j:]) if t}
    later |= {fold(x.text) for x in L[j:] if x.text}
    seen = sum(1 for e in entries if fold(_heading_title(e.text)) in later)
    if seen < max(2, (len(entries) + 1) // 2):
        return [], [], start
    # the run may have swallowed the first real heading: an entry whose own body follows it
    return entries, markers, j

