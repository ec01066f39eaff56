"""Agenda items: find the item headings (whichever numbering scheme the
document uses), cut the text into items and each item into its sections.

Heading detection is scheme-agnostic: every pattern of the label table
proposes candidate lines; for each pattern the best chain of candidates with
increasing numbers is chosen (candidates followed by item furniture such as
case numbers or section labels weigh more, entries with no body less), and the
best-scoring pattern wins.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Optional

from . import danish, labels
from .layout import Layout, Ln


@dataclass
class Heading:
    idx: int                 # index into layout.lines
    number: str
    key: float
    title: str
    rule: str
    keyword: bool
    title_idx: int = -1      # index of the last line used by the title
    part: int = 0            # agenda part ("Åbne punkter" / "Lukkede punkter"): numbering may restart in a new part
    part_closed: bool = False  # the heading sits under a "Lukkede punkter" line


@dataclass
class Block:
    """A section of an item: a label (kind) and its lines."""
    kind: str                # decision|recommendation|summary|description|attachments|history|casenumber|other|lead
    label: str
    lines: list[Ln] = field(default_factory=list)
    inline: str = ""
    committee: Optional[str] = None     # for decisions printed with a body name ("Beslutning Udvalget X den d")
    date: Optional[str] = None
    absence_lines: Optional[set] = None  # line numbers of absence notes found in the block (set by the assembler)


_PREFIX = re.compile(r"^(?P<prefix>[A-ZÆØÅ]{2,7}(?:\s*/\s*[A-ZÆØÅ]{1,7})*)\s*[-–—:]\s+(?P<rest>\S.*)$")


_NUMKEY = re.compile(r"(\d+)([a-z]?)")
_NUM_DASH = re.compile(r"^\d+[.\-/]\d")


def _numkey(num: str) -> float:
    m = _NUMKEY.match(num)
    if not m:
        return -1
    return int(m.group(1)) + (ord(m.group(2)) - 96) / 30 if m.group(2) else float(m.group(1))


def _title_ok(title: str, keyword: bool) -> bool:
    t = title.strip()
    if not t:
        return keyword
    if len(t) > 250:
        return False
    if keyword:
        return t[0].isupper() or t[0].isdigit() or t[0] in "\"'«»“(["
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "\"'«»“"):
        return False
    if labels.section_label(t):
        return False
    if re.match(r"^\d", t) and not re.match(r"^\d{4}\b", t):
        return False
    if t.endswith(("," , ";")):
        return False
    return True


def _is_furniture(text: str) -> bool:
    if not text:
        return False
    if danish.is_case_number_line(text):
        return True
    if labels.section_label(text) or decision_header(text):
        return True
    c, o = labels.closed_re()
    if (c.match(text) or o.match(text)) and len(text) < 40:
        return True
    return False


@lru_cache(maxsize=1)
def _part_res() -> tuple:
    parts = labels.table().get("parts", {})
    return tuple((re.compile(r"(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts.get(kind, []))
                             + r")", re.I), flag)
                 for kind, flag in (("closed", True), ("open", False)) if parts.get(kind))


@lru_cache(maxsize=8192)
def part_marker(text: str) -> Optional[bool]:
    # memoised (speed only): a pure function of the text, asked for the same lines by several steps
    """A line that opens a part of the agenda: True for "Lukkede punkter", False for "Åbne
    punkter" (labels.toml [parts]); None for any other line."""
    if len(text) > 40 and not (text[0].isspace() or text[-1].isspace() or text[-1] == ":"):
        return None             # (speed only) nothing to strip: too long
    t = text.strip().rstrip(":").strip()
    if len(t) > 40:
        return None
    for rx, flag in _part_res():
        if rx.fullmatch(t):
            return flag
    return None


def _table_row_heading(t: str) -> Optional[str]:
    """A two- or three-cell table row, its cells joined by spaces, else None."""
    if not (t.startswith("|") and t.endswith("|")):
        return None
    cells = [c.strip() for c in t.strip("|").split("|") if c.strip()]
    return " ".join(cells) if 2 <= len(cells) <= 3 else None


def candidates(lay: Layout) -> dict[str, list[Heading]]:
    L = lay.lines
    out: dict[str, list[Heading]] = {}
    part, part_closed = 0, False
    after_heading = False
    any_heading = labels.any_heading_re()
    for i, ln in enumerate(L):
        t = ln.text
        if not t or len(t) > 260:
            continue
        pm = part_marker(t)
        if pm is not None and not after_heading:    # right after a heading it marks that item only
            nxt = _next_text(L, i)
            # a part marker introduces headings; inside an item ("Sagsnr. ...", "Lukket") it marks that item
            if nxt is not None and any(pat.rx.match(L[nxt].text) for pat in labels.heading_patterns()):
                part, part_closed = part + 1, pm
                continue
        after_heading = False
        row = _table_row_heading(t) if t[0] == "|" else None
        if any_heading is not None and not any_heading.match(t) and not (row and any_heading.match(row)):
            continue                        # no heading pattern matches (speed only)
        for pat in labels.heading_patterns():
            m = pat.rx.match(t)
            if not m and row and pat.keyword:
                m = pat.rx.match(row)       # "| Punkt 2 | Demensvenlig by |": a heading printed as a table row
            if not m:
                continue
            after_heading = True
            title = (m.group("title") or "").strip()
            if not _title_ok(title, pat.keyword) or danish.is_case_number_line(t) or _NUM_DASH.match(title):
                continue
            out.setdefault(pat.name, []).append(
                Heading(i, m.group("num"), _numkey(m.group("num")), title, pat.name, pat.keyword,
                        part=part, part_closed=part_closed))
    return out


_ratio = None


def _fuzzy(a: str, b: str) -> float:
    return _fuzzy_folded(danish.fold(a), danish.fold(b))


def _fuzzy_folded(a: str, b: str) -> float:
    """_fuzzy of two texts already folded."""
    global _ratio
    if not a or not b:
        return 0.0
    if a == b or (len(b) > 20 and a.startswith(b)) or (len(a) > 20 and b.startswith(a)):
        return 1.0
    if _ratio is None:
        from rapidfuzz.fuzz import ratio as _ratio
    return _ratio(a, b) / 100.0


def _weight(h: Heading, nxt_idx: int, lay: Layout, toc: list[str]) -> float:
    """``toc``: the contents titles, stripped and folded (see best_chain)."""
    L = lay.lines
    body = []                   # the first non-blank lines of the body (up to 6: all this needs)
    for j in range(h.idx + 1, min(nxt_idx, len(L))):
        if L[j].text:
            body.append(L[j].text)
            if len(body) == 6:
                break
    w = 1.0
    if not body:
        w = 0.2
    elif any(_is_furniture(t) for t in body[:6]):
        w += 1.0
    elif len(body) == 1 and not h.title:
        w = 0.4
    if h.keyword:
        w += 0.5
    if toc and h.title:
        t = danish.fold(_strip_prefix(_strip_closed(h.title)[0])[0])
        if any(_fuzzy_folded(t, x) >= 0.85 for x in toc):
            w += 1.0
    # a blank line (or page start) before the heading
    if h.idx > 0 and L[h.idx - 1].text and not L[h.idx - 1].text.endswith((".", ":")) and len(L[h.idx - 1].text) > 80:
        w -= 0.3
    # inside a list: the line before introduces or continues an enumeration
    prev = next((L[j].text for j in range(h.idx - 1, max(-1, h.idx - 4), -1) if L[j].text), "")
    if prev and (_LIST_ITEM.match(prev) and not h.keyword
                 or _INTRO_END.search(prev) or labels.section_label(prev)):
        if not (labels.section_label(prev) and labels.section_label(prev).kind in ("casenumber", "docnumber")):
            w -= 1.0
    return w


_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[-•*·]|[a-z][.)])\s")
_INTRO_END = re.compile(r"(?:[:,]|\bat)$")


def best_chain(cands: list[Heading], lay: Layout, toc: list[str]) -> tuple[float, list[Heading]]:
    if not cands:
        return 0.0, []
    n = len(cands)
    toc = [danish.fold(_strip_prefix(_strip_closed(x)[0])[0]) for x in toc]
    ws = [_weight(c, cands[i + 1].idx if i + 1 < n else len(lay.lines), lay, toc) for i, c in enumerate(cands)]
    best = [0.0] * n
    prev = [-1] * n
    for j in range(n):
        best[j] = ws[j]
        for i in range(max(0, j - 300), j):
            gap = cands[j].key - cands[i].key
            if cands[j].part > cands[i].part and gap <= 0:
                gap = cands[j].key        # numbering restarts in a new part of the agenda
            if gap <= 0:
                continue
            pen = 0.0 if gap <= 1 else min(2.0, 0.25 * (gap - 1))
            if gap > 1 and gap == int(gap):
                pen = min(2.0, 0.25 * (gap - 1))
            s = best[i] + ws[j] - pen
            if s > best[j]:
                best[j], prev[j] = s, i
    j = max(range(n), key=lambda k: best[k])
    score = best[j]
    chain = []
    while j >= 0:
        chain.append(cands[j])
        j = prev[j]
    chain.reverse()
    # recompute weights along the chosen chain (bodies end at the next chosen heading)
    return score, chain


def find_headings(lay: Layout) -> list[Heading]:
    cands = candidates(lay)
    best: tuple[float, list[Heading]] = (0.0, [])
    for name, cs in cands.items():
        score, chain = best_chain(cs, lay, lay.toc_titles)
        if len(chain) == 1 and not chain[0].keyword and score < 2.0:
            continue
        if score > best[0]:
            best = (score, chain)
    chain = best[1]
    if len(chain) < max(1, len(lay.toc_titles) // 2):
        guided = toc_guided(lay)
        if len(guided) > len(chain):
            return guided
    if not chain:
        chain = unnumbered(lay)
        if chain:
            return chain
    # titles: empty title -> next line; wrapped title -> join a short continuation line
    L = lay.lines
    for h in chain:
        h.title_idx = h.idx
        nxt = _next_text(L, h.idx)
        if not h.title and nxt is not None and not _is_furniture(L[nxt].text):
            h.title = L[nxt].text
            h.title_idx = nxt
            nxt = _next_text(L, nxt)
        if (nxt is not None and nxt == h.title_idx + 1 and len(h.title) >= 50
                and not h.title.endswith((".", ":")) and not _is_furniture(L[nxt].text)
                and len(L[nxt].text) < 120):
            after = _next_text(L, nxt)
            if after is None or after > nxt + 1 or _is_furniture(L[after].text):
                h.title = h.title + " " + L[nxt].text
                h.title_idx = nxt
    return chain


def toc_guided(lay: Layout) -> list[Heading]:
    """Unnumbered headings: lines after the table of contents that repeat its titles, in order.
    The number is the entry's position in the TOC."""
    L = lay.lines
    start = max((t.no for t in lay.toc), default=0)
    titles = [_strip_prefix(_strip_closed(t)[0])[0] for t in lay.toc_titles]
    out: list[Heading] = []
    k = 0
    for i, ln in enumerate(L):
        if k >= len(titles) or ln.no <= start or not ln.text or len(ln.text) > 260:
            continue
        t = _strip_prefix(_strip_closed(ln.text)[0])[0]
        # a later TOC entry may match when an earlier one is missing in the body
        for j in range(k, min(k + 3, len(titles))):
            if _fuzzy(t, titles[j]) >= 0.9:
                out.append(Heading(i, str(j + 1), float(j + 1), ln.text, "toc-title", False, i))
                k = j + 1
                break
    return out


_ITEM_START_KINDS = ("casenumber", "summary", "description", "recommendation", "decision")


def unnumbered(lay: Layout) -> list[Heading]:
    """Headings with neither numbers nor a contents list: a short capitalised line after a
    blank line (not a sentence, label, name entry or date) directly followed by item furniture
    (a case-number line, or a Sagsfremstilling/Resumé/Indstilling/Beslutning label). The number is
    the position. Used only when no numbering scheme and no contents list gives headings."""
    from .members import parse_entry
    L = lay.lines
    out: list[Heading] = []
    for i, ln in enumerate(L):
        t = ln.text
        if not t or len(t) > 120 or (i > 0 and L[i - 1].text):
            continue
        if not (t[0].isupper() or t[0] in "\"«»“") or t.endswith((".", ":", ",", ";")):
            continue
        if labels.section_label(t) or decision_header(t) or danish.is_case_number_line(t):
            continue
        if danish.find_dates(t) and len(t) < 40:
            continue
        e = parse_entry(t)
        if e and (e.party or e.role):
            continue
        nxt = _next_text(L, i)
        if nxt is None or nxt != i + 1:
            continue
        nt = L[nxt].text
        hit = labels.section_label(nt)
        if not (danish.is_case_number_line(nt) or (hit and hit.kind in _ITEM_START_KINDS) or decision_header(nt)):
            continue
        if hit and hit.kind == "casenumber" and not (danish.labelled_case_numbers(nt) or danish.find_case_numbers(hit.rest)):
            continue
        n = len(out) + 1
        out.append(Heading(i, str(n), float(n), t, "unnumbered", False, i))
    return out if len(out) >= 2 else []


def _next_text(L: list[Ln], i: int) -> Optional[int]:
    for j in range(i + 1, len(L)):
        if L[j].text:
            return j
    return None


# --------------------------------------------------------------------------- titles

_CLOSED_LEAD = re.compile(r"^\(?(?:Lukket|Fortroligt|Fortrolig)(?:\s+(?:punkt|sag|møde|dagsordenspunkt))?\)?\s*[:.–—-]\s*(.+)$", re.I)
_CLOSED_PAREN = re.compile(r"^(.+?)\s*[(\[](?:Lukket|Fortroligt|Lukket punkt|Lukket sag)[)\]]\s*$", re.I)
_CLOSED_DASH = re.compile(r"^(.+?)\s+[-–—]\s+(?:Lukket punkt|Lukket sag|Lukket|Fortroligt)\s*$", re.I)
_OPEN_PAREN = re.compile(r"\s*[(\[](?:Åben|Åbent|Åben sag|Åbent punkt)[)\]]\s*$", re.I)
_STATE_LEAD = re.compile(r"^[(\[](Åben|Åbent|Åben sag|Åbent punkt|Lukket|Lukket punkt|Lukket sag|Fortroligt)[)\]]\s+(\S.*)$", re.I)
# every pattern above needs one of these words
_STATE_WORD = labels.guarded(r"lukket|fortrolig|åben", re.I)


def _strip_closed(title: str) -> tuple[str, bool]:
    """"Lukket: X" / "X (Lukket)" / "Lukket punkt - X" -> (X, True)."""
    t = title.strip()
    closed = False
    if not _STATE_WORD.possible(t):        # none of the patterns below can match (speed only)
        return t, closed
    m = _CLOSED_LEAD.match(t)
    if m:
        t, closed = m.group(1).strip(), True
    m = _CLOSED_PAREN.match(t)
    if m:
        t, closed = m.group(1).strip(), True
    m = _CLOSED_DASH.match(t)
    if m:
        t, closed = m.group(1).strip(), True
    t = _OPEN_PAREN.sub("", t)
    # "(Åben) Title" / "(Lukket) Title"
    m = _STATE_LEAD.match(t)
    if m:
        t = m.group(2).strip()
        closed = closed or not m.group(1).casefold().startswith("åben")
    return t, closed


def _strip_prefix(title: str) -> tuple[str, Optional[str]]:
    m = _PREFIX.match(title)
    if m:
        return m.group("rest").strip(), re.sub(r"\s+", "", m.group("prefix"))
    return title, None


_LEADER_TAIL = re.compile(r"\s*(?:\.{3,}|…)\s*\d*\s*$")


def clean_title(title: str) -> tuple[str, Optional[str], bool]:
    """Heading title -> (title without "Lukket: " and committee prefix, prefix, closed)."""
    t, closed = _strip_closed(title)
    t2, prefix = _strip_prefix(t)
    t3, closed2 = _strip_closed(t2)
    if "..." in t3 or "…" in t3:
        t3 = _LEADER_TAIL.sub("", t3)
    return t3.strip(), prefix, closed or closed2


# --------------------------------------------------------------------------- sections

_BODY_WORD = r"(?:[\wæøåÆØÅ&,.'’/-]+\s+){0,8}?"
_DEC_WITH_BODY = re.compile(
    r"^(?P<label>Beslutning|Beslutninger|Behandling|Afgørelse|Vedtak|Protokol|Referat)"
    r"(?:\s+(?:i|fra|på|af))?\s+(?P<committee>\S.*?)(?:\s*[-–,]?\s*(?:den|d\.)?\s*(?P<date>\d{1,2}[.\-/]\s*\d{1,2}[.\-/]\s*\d{2,4}|\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2}))?\s*:?\s*$",
    re.I)
_BODY_DECISION = re.compile(
    r"^(?P<committee>(?:\S.*?)?(?:udvalg|udvalget|udvalgets|bestyrelsen|bestyrelsens|byrådet|byrådets|rådet|rådets|"
    r"forum|formandskabet|formannskapet|kommunestyret|utvalget|nævnet|nævnets))s?\s+(?:beslutning|afgørelse|behandling|vedtak)"
    r"(?:\s*(?:den|d\.)?\s*(?P<date>\d{1,2}[.\-/]\s*\d{1,2}[.\-/]\s*\d{2,4}|\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2}))?\s*:?\s*$",
    re.I)
_DATE_FIRST = re.compile(
    r"^(?P<date>\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4})\s*[-–:,]?\s+(?P<committee>\S.*)$", re.I)
_DATE_LAST = re.compile(
    r"^(?P<committee>\S.*?)\s*[-–:,]?\s+(?:den\s+|d\.\s*)?(?P<date>\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4})\s*:?\s*$", re.I)


_BODY_DECISION_G = labels.guarded(_BODY_DECISION)      # skipped on lines without a decision word


def _committee_like(s: str) -> bool:
    f = s.casefold()
    return any(w in f for w in labels.table()["header"]["committee_words"])


@lru_cache(maxsize=8192)
def decision_header(text: str) -> Optional[tuple[str, Optional[str]]]:
    # memoised (speed only): a pure function of the text (the result is immutable)
    """"Beslutning Udvalget for X den 08-01-2020" / "Økonomiudvalgets beslutning den 12.03.2024"
    -> (committee, ISO date or None); None when the line is not such a header."""
    if not text or len(text) > 200:
        return None
    m = _DEC_WITH_BODY.match(text)
    if m:
        com = m.group("committee").strip(" -–,:")
        if _committee_like(com) and not com.endswith("."):
            com = re.sub(r"^(?:i|fra|på|af)\s+", "", com, flags=re.I)
            return danish.split_term(com)[0], danish.parse_date(m.group("date") or "")
    m = _BODY_DECISION_G.match(text)
    if m:
        com = m.group("committee").strip()
        com = re.sub(r"s$", "", com) if com.casefold().endswith(("udvalgets", "rådets", "byrådets", "bestyrelsens", "nævnets")) else com
        return danish.split_term(com)[0], danish.parse_date(m.group("date") or "")
    return None


def history_entry(text: str) -> Optional[tuple[str, Optional[str]]]:
    """A line in "Sagens forløb": "04-03-2024 Udvalget for X - 2022-2025" or "Udvalget for X 04-03-2024"."""
    if not text or len(text) > 200:
        return None
    d = decision_header(text)
    if d:
        return d
    for rx in (_DATE_FIRST, _DATE_LAST):
        m = rx.match(text)
        if m:
            com = danish.split_term(m.group("committee").strip(" -–:,"))[0]
            com = re.sub(r"^(?:behandlet|behandling|beslutning|besluttet|godkendt|drøftet|vedtaget|anbefalet)\s+"
                         r"(?:i|af|på)\s+", "", com, flags=re.I)
            com = re.sub(r"\s+(?:den|d\.)$", "", com)
            if _committee_like(com) and len(com.split()) <= 12:
                return com, danish.parse_date(m.group("date"))
    return None


def split_sections(lines: list[Ln]) -> list[Block]:
    """Cut an item's lines (after the heading) into labelled blocks; text before any
    label is the 'lead' block (case numbers, open/closed markers, unlabelled text)."""
    blocks = [Block("lead", "")]
    in_history = False
    for ln in lines:
        t = ln.text
        if not t:
            continue
        if blocks[-1].kind != "lead" and part_marker(t) is not None:
            continue            # "Lukkede punkter" between the last open item and the closed ones
        hit = labels.section_label(t)
        dh = None if hit else decision_header(t)
        if hit:
            blk = Block(hit.kind, hit.label, inline=hit.rest)
            if hit.kind == "casenumber" or hit.kind == "docnumber":
                blocks[-1].lines.append(ln)       # labelled case number: keep in place
                continue
            blocks.append(blk)
            in_history = hit.kind == "history"
            continue
        if dh:
            blocks.append(Block("decision", t, committee=dh[0], date=dh[1]))
            in_history = False
            continue
        sl = labels.section_line(t)
        if sl and blocks[-1].kind != sl:
            blocks.append(Block(sl, "", lines=[ln]))
            in_history = False
            continue
        if in_history:
            he = history_entry(t)
            if he:
                blocks.append(Block("history-entry", t, committee=he[0], date=he[1]))
                continue
        blocks[-1].lines.append(ln)
    return blocks
