"""The meeting header: municipality, committee (+ term, abbreviation), date,
start/end time, location, and the member/absence lists printed before the
first agenda item."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field, replace
from typing import Optional

from . import danish, labels
from .layout import Ln
from .members import NameEntry, is_name, parse_entry, parse_list

HEADER_KINDS = ("date", "start", "end", "time", "location", "members", "absent", "committee", "when_where")


@dataclass
class Header:
    committee: Optional[str] = None
    term: Optional[str] = None
    date: Optional[str] = None
    start: Optional[str] = None
    end: Optional[str] = None
    location: Optional[str] = None
    members: list[NameEntry] = field(default_factory=list)
    absent: list[NameEntry] = field(default_factory=list)
    spans: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def _any_label_re() -> re.Pattern:
    """Matches exactly where some ``labels.header_re(kind)`` of HEADER_KINDS matches."""
    words = [w for k in HEADER_KINDS for w in labels.header_words(k)]
    return re.compile(r"^(?:" + labels._alt(words) + r")(?:\s*[:.]\s*|\s+|$).*$", re.I)


@lru_cache(maxsize=8192)
def label_of(text: str) -> Optional[tuple[str, str]]:
    """(kind, value) when ``text`` starts with a header label; longest label wins.
    A table row "| Mødested | Rådhuset |" reads as "Mødested: Rådhuset"."""
    # memoised (speed only): a pure function of the text (the result is immutable)
    if text.startswith("|") and text.count("|") >= 3:
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        cells = [c for c in cells if c]
        if len(cells) >= 2:
            first = label_of(cells[0].rstrip(":") + ":")
            if first and not first[1]:
                return first[0], ", ".join(cells[1:])
        return None
    if not _any_label_re().match(text):     # speed only: no kind's label starts the text
        return None
    best = None
    for kind in HEADER_KINDS:
        m = labels.header_re(kind).match(text)
        if not m:
            continue
        lab = m.group("label")
        # a bare word label followed by text without ":" must be a known label word of that kind
        # and must not be a sentence ("Sted for afholdelse er ...")
        if best is None or len(lab) > len(best[2]):
            best = (kind, m.group("rest").strip(), lab)
    if best is None:
        return None
    kind, rest, lab = best
    after = text[len(lab):]
    if not after.lstrip().startswith((":", ".")) and rest and kind in ("time", "start", "end", "committee", "absent") \
            and not _KL_DIGIT.match(after):
        if kind != "absent" or not is_name(_PAREN_TAIL.sub("", rest).split(",")[0].strip()):
            return None
    return kind, rest


_KL_DIGIT = re.compile(r"^\s*(?:kl\.?\s*)?\d")
_PAREN_TAIL = re.compile(r"\s*\(.*")
_DOCTYPE_LEAD = re.compile(
    r"^(?:åbent\s+|offentligt\s+)?(?:referat|dagsorden|protokol|beslutningsprotokol|møteprotokoll)\s+"
    r"(?:(?:fra|af|for|til)\s+(?:[\wæøå.]+\s+){0,3}?(?:møde[t]?|mødet|møte[t]?)\s+(?:i|for)\s+|(?:for|fra)\s+)", re.I)


@lru_cache(maxsize=1)
def _doctype_res() -> tuple[re.Pattern, re.Pattern]:
    words = labels.header_words("doctype")
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return (re.compile(r"^(?:" + alt + r")\b\s*[:\-–—]?\s*", re.I),
            re.compile(r"\s*[:\-–—]?\s*\b(?:" + alt + r")$", re.I))


def _strip_doctype(s: str) -> str:
    lead, tail = _doctype_res()
    s = _DOCTYPE_LEAD.sub("", s)
    prev = None
    while prev != s:
        prev = s
        s = lead.sub("", s).strip()
        s = tail.sub("", s).strip()
    return s


_KL_TIME = re.compile(r"\b(?:kl\.?|klokken)\s*\d{1,2}(?:[.:]\d{2})?(?:\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?)?", re.I)
_DEN_TAIL = re.compile(r"\s+(?:den|d\.|,)\s*$", re.I)
_DEN_SEP_TAIL = re.compile(r"\s*(?:\b(?:den|d\.)|[,\-–—|:])\s*$", re.I)
_WEEKDAY_TAIL = re.compile(r"\b(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\s*$", re.I)


def _strip_dates(s: str) -> str:
    for iso, a, b in reversed(danish.find_dates(s)):
        s = s[:a] + s[b:]
    s = _KL_TIME.sub("", s)
    s = _DEN_TAIL.sub("", s.strip())
    s = _DEN_SEP_TAIL.sub("", s.strip())
    s = _WEEKDAY_TAIL.sub("", s.strip())
    return s.strip(" ,-–—|:\t")


_MUNI_LEAD = re.compile(r"^[A-ZÆØÅ][\wæøåÆØÅ-]*(?:\s+[A-ZÆØÅ][\wæøåÆØÅ-]*)?s?\s+(?:Regions)?Kommunes?\b\s*[-–—:,|]?\s*")
_MUNI_TAIL = re.compile(r"\s*[-–—:,|]?\s*\b[A-ZÆØÅ][\wæøåÆØÅ-]*\s+(?:Regions)?Kommune$")


def _strip_municipality(s: str) -> str:
    s = _MUNI_LEAD.sub("", s)
    s = _MUNI_TAIL.sub("", s)
    return s.strip()


def _council_name(name: str) -> str:
    """"Aabenraa Byråd" / "Byråd" -> "Byrådet": a municipality's council is named by its definite
    form, as its decisions print it (labels.toml [header] councils)."""
    from ..gazetteer import municipality_by_name
    for indef, definite in labels.table()["header"].get("councils", {}).items():
        m = re.fullmatch(r"(?:(?P<muni>[A-ZÆØÅ][\wæøåÆØÅ-]*(?:\s+[A-ZÆØÅ][\wæøåÆØÅ-]*)?)s?\s+)?" + re.escape(indef)
                         + r"(?:et|en)?", name, re.I)
        if m and (not m.group("muni") or municipality_by_name(m.group("muni"))):
            return definite
    return name


_BULLETS = re.compile(r"\s*[·•|]\s*")


@lru_cache(maxsize=4096)
def committee_from_line(text: str) -> Optional[tuple[str, Optional[str]]]:
    # memoised (speed only): a pure function of the text; the same title lines recur across meetings
    s = _BULLETS.sub(" - ", text.strip().strip("|").strip()).strip(" -")
    if not s or len(s) > 160:
        return None
    if _all_caps(s):
        s = s.title()
    s = _strip_doctype(s)
    s = _strip_dates(s)
    s = _strip_municipality(s)
    s = _strip_doctype(s)
    s = s.replace("\t", " ").strip()
    name, term = danish.split_term(s)
    name = _strip_dates(name)
    name = " ".join(name.split()).strip(" -–,:")      # = re.sub(r"\s+", " ", name).strip(...)
    if not name or len(name) > 120 or name.endswith("."):
        return None
    f = name.casefold()
    if not any(w in f for w in labels.header_words("committee_words")):
        return None
    if _is_place(name):
        return None
    if len(name.split()) > 14:
        return None
    return _council_name(name), term


@lru_cache(maxsize=1)
def _inline_label_re() -> re.Pattern:
    words = [w for k in HEADER_KINDS if k not in ("members", "absent") for w in labels.header_words(k)]
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))
    return re.compile(r"(?:(?<=\s)|(?<=\|))(?:" + alt + r")\s*:", re.I)


def _split_labels(ln: Ln) -> list[Ln]:
    """"Mødedato: 12.03.2024  Mødetidspunkt: 16:00  Mødested: Rådhuset" -> one line per label."""
    t = ln.text
    if ":" not in t or not label_of(t):
        return [ln]
    first_colon = t.find(":")
    cuts = [m.start() for m in _inline_label_re().finditer(t) if m.start() > 0 and m.end() - 1 > first_colon]
    if not cuts:
        return [ln]
    parts, prev = [], 0
    for c in cuts + [len(t)]:
        seg = t[prev:c].strip(" |\t,;")
        if seg:
            parts.append(Ln(ln.page, ln.no, seg, ln.raw))
        prev = c
    return parts


def _set_when(h, val: str, span) -> None:
    """Date, start and end time from a labelled value; the first value found for each wins."""
    if not h.date:
        d = danish.parse_date(val)
        if d:
            h.date, h.spans["date"] = d, span
    start, end = danish.parse_time_range(val)
    if start and not h.start:
        h.start, h.spans["start_time"] = start, span
    if end and not h.end:
        h.end, h.spans["end_time"] = end, span


def parse_header(lines: list[Ln]) -> Header:
    """Parse the lines before the first item (TOC and furniture already blanked)."""
    h = Header()
    L = [part for ln in lines if ln.text for part in _split_labels(ln)]
    i = 0
    title_lines: list[Ln] = []
    labelled_seen = False
    while i < len(L):
        ln = L[i]
        lab = label_of(ln.text)
        if lab is None:
            e = parse_entry(ln.text) if len(ln.text) < 120 else None
            if e and e.role and (e.party or e.role in ("formand", "næstformand")) and labels.role_re().match(ln.text):
                h.members.append(replace(e, span=_span(ln)))      # "Formand: Anna Berg (V)"
                h.spans.setdefault("members", _span(ln))
                i += 1
                continue
            if not labelled_seen or not h.committee:
                title_lines.append(ln)
            i += 1
            continue
        labelled_seen = True
        kind, val = lab
        val = val.strip().lstrip("|:").strip().rstrip("|").strip()
        span = _span(ln)
        if kind == "date":
            _set_when(h, val, span)
        elif kind == "when_where":
            # "Tid og sted: Tirsdag den 14. maj 2024 kl. 15:30 - 17:45, Udvalgsværelse 1, Rådhuset"
            _set_when(h, val, span)
            place = _place_after_when(val)
            if place and not h.location:
                h.location, h.spans["location"] = place, span
        elif kind in ("time", "start"):
            s, e = danish.parse_time_range(val if re.search(r"kl", val, re.I) else "kl. " + val)
            if s and not h.start:
                h.start, h.spans["start_time"] = s, span
            if e and not h.end:
                h.end, h.spans["end_time"] = e, span
            if not h.date:
                d = danish.parse_date(val)
                if d:
                    h.date, h.spans["date"] = d, span
        elif kind == "end":
            s, _ = danish.parse_time_range(val if re.search(r"kl", val, re.I) else "kl. " + val)
            if s and not h.end:
                h.end, h.spans["end_time"] = s, span
        elif kind == "location":
            if val and not h.location:
                h.location, h.spans["location"] = re.sub(r"\s+", " ", val).strip(" ,"), span
        elif kind == "committee":
            c = committee_from_line(val) or ((danish.split_term(val)[0], danish.split_term(val)[1]) if val else None)
            if c and not h.committee:
                h.committee, h.term = c
                h.spans["committee"] = span
        elif kind in ("members", "absent"):
            entries_text = [(val, ln)] if val else []
            j = i + 1
            while j < len(L):
                t = L[j].text
                if label_of(t) is not None:
                    break
                e = parse_entry(t)
                if e is None and not (t.startswith("|") and t.endswith("|")):
                    break
                entries_text.append((t, L[j]))
                j += 1
            entries: list[NameEntry] = []
            for t, tl in entries_text:
                entries.extend(replace(e, span=_span(tl)) for e in parse_list(t))
            if kind == "members":
                # staff listed with the members ("Lone Brink, beskæftigelseschef") are not members
                h.members.extend(e for e in entries if not (e.staff and not e.party and not e.role))
                h.spans.setdefault("members", span)
            else:
                h.absent.extend(replace(e, absent=True) for e in entries)
                h.spans.setdefault("absent", span)
            i = j
            continue
        i += 1
    # "Mødet startede kl. 16.00 og sluttede kl. 18.30." / "Mødet hævet kl. 18.30"
    if not h.end:
        for ln in L:
            m = _END_RE.search(ln.text)
            if m:
                h.end, h.spans["end_time"] = danish.parse_time("kl. " + m.group(1)), _span(ln)
                break
    # "Mødet blev afholdt ... kl. 17.30 i Udvalgsværelse B, Rådhuset."
    if not h.location:
        for ln in title_lines[:15]:
            m = _PROSE_LOC.search(ln.text)
            if m:
                h.location, h.spans["location"] = m.group("loc").strip(" ,."), _span(ln)
                break
    # an unlabelled line naming a place ("Rådhuset, Udvalgsværelse B")
    if not h.location:
        for ln in title_lines[:15]:
            t = ln.text.strip()
            if len(t) <= 90 and _is_place(t) and "|" not in t and not danish.find_dates(t) and not re.search(r"\bkl\b", t, re.I) \
                    and not re.search(r"\bKommune\b", t) and not t.endswith("."):
                h.location, h.spans["location"] = t.strip(" ,"), _span(ln)
                break
    # committee, term and date from the title lines ("REFERAT Udvalget for X - 2022-2025 d. 06-03-2024")
    for ln in title_lines[:12]:
        if not h.committee:
            c = committee_from_line(ln.text)
            if c:
                h.committee, h.term = c
                h.spans["committee"] = _span(ln)
        if not h.date:
            d = danish.parse_date(ln.text)
            if d:
                h.date, h.spans["date"] = d, _span(ln)
        if not h.start:
            s, e = danish.parse_time_range(ln.text) if re.search(r"\bkl\b", ln.text, re.I) else (None, None)
            if s:
                h.start, h.spans["start_time"] = s, _span(ln)
                if e and not h.end:
                    h.end, h.spans["end_time"] = e, _span(ln)
    return h


def _place_after_when(val: str) -> Optional[str]:
    """The place in a combined "date, time, place" value: the comma parts without a date or time."""
    parts = [p.strip() for p in re.split(r",\s+|;\s*", val) if p.strip()]
    keep = []
    for p in parts:
        q = re.sub(r"^.*?\bkl\.?\s*\d{1,2}(?:[.:]\d{2})?(?:\s*(?:-|–|til)\s*\d{1,2}(?:[.:]\d{2})?)?\s*", "", p) \
            if re.search(r"\bkl\b", p, re.I) else p
        if danish.find_dates(q) or re.fullmatch(r"(?:kl\.?\s*)?\d{1,2}(?:[.:]\d{2})?(?:\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?)?", q.strip()):
            continue
        q = re.sub(r"^(?:i|på)\s+", "", q.strip(" ,."))
        if q:
            keep.append(q)
    out = ", ".join(keep).strip(" ,.")
    return out or None


_END_RE = re.compile(r"\b(?:sluttede|slut|hævet|hævede[s]?|afsluttet|afsluttedes|sluttet)\b\D{0,20}?\bkl\.?\s*:?\s*(\d{1,2}[.:]\d{2})", re.I)
_PROSE_LOC = re.compile(
    r"\b(?:afholdt|holdt|afholdes|holdes|mødtes|samledes)\b.*?(?:\bkl\.?\s*\d{1,2}(?:[.:]\d{2})?"
    r"(?:\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?)?\s*,?\s*)?\b(?:i|på)\s+(?P<loc>[A-ZÆØÅ][^.;]{2,80}?)\s*(?:\.\s*$|$)")


@lru_cache(maxsize=1)
def _place_re() -> re.Pattern:
    # one alternation finds a match exactly when one of the words would on its own
    words = labels.header_words("location_words")
    return re.compile(r"(?<![\wæøå])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\wæøå])")


def _is_place(text: str) -> bool:
    return bool(_place_re().search(text.casefold()))


def _all_caps(line: str) -> bool:
    """At least 4 letters, all upper case."""
    if not line:
        return False
    if not line.isupper() and max(line) <= "\xff":
        # (speed only) in Latin-1 every cased character is a letter, so some letter is not upper
        # case, or no letter is cased (then none is upper case): the answer is False
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _span(ln: Ln):
    from ..records import Span
    return Span(ln.page, ln.no, ln.no)


def _uncap(text: str) -> str:
    """Lines printed in capitals (logo lines "VIBORG KOMMUNE") in ordinary case."""
    out = []
    for line in text.splitlines():
        if _all_caps(line):
            line = line.title()
        out.append(line)
    return "\n".join(out)


def _seat_mentions(text: str) -> list[str]:
    """Municipalities named by a seat cue: "<X> Rådhus", "Rådhuset i <X>" (labels.toml
    [header] seat_words)."""
    from ..gazetteer import find_municipalities
    names = []
    for w in labels.header_words("seat_words"):
        for rx in (r"(?<!\w)([A-ZÆØÅ][\wæøåÆØÅ.]{1,40}(?:[ -][A-ZÆØÅ][\wæøåÆØÅ-]{1,40})?)\s+" + re.escape(w) + r"\b",
                   re.escape(w) + r"(?:et|en)?\s+i\s+([A-ZÆØÅ][\wæøåÆØÅ-]+(?:[ -][A-ZÆØÅ][\wæøåÆØÅ-]+)?)"):
            for m in re.finditer(rx, text):
                ms = find_municipalities(m.group(1), bare=True)
                if ms:
                    names.append(ms[-1].name)
    return names


def _footer_lines(full_text: str) -> str:
    """Lines that look like a document's own footer or letterhead: the last non-empty lines,
    and lines carrying a postcode address or a page number next to "X Kommune"."""
    lines = [ln.strip() for ln in full_text.splitlines() if ln.strip()]
    out = [ln for ln in lines[-3:] if len(ln) < 120 and not ln.endswith((".", ":"))]
    for ln in lines:
        if re.search(r"\b[1-9]\d{3}\s+[A-ZÆØÅ][a-zæøå]+|\bSide\s+\d+|\b\w+\.dk\b|\b\d{2}[.-]\d{2}[.-]\d{4}\s*$", ln) \
                and len(ln) < 160 and len(ln.split()) <= 16 and not ln.endswith((".", ":")):
            out.append(ln)
    return "\n".join(out)


def municipality(header_text: str, furniture_text: str, full_text: str, location: Optional[str]) -> Optional[str]:
    """The municipality holding the meeting, by the strength of the cue: "<X> Kommune" in the
    header or page furniture; a seat cue ("<X> Rådhus") in the header or location; "<X> Kommune"
    in footer/letterhead lines (last lines, address or page-number lines); a municipality named in
    the location; only then the most frequent "<X> Kommune" mention in the prose."""
    from ..gazetteer import find_municipalities
    header_text, furniture_text = _uncap(header_text), _uncap(furniture_text)
    for text in (header_text, furniture_text):
        ms = [m for m in find_municipalities(text, bare=False) if m.cue in ("kommune", "jobcenter")]
        if ms:
            return Counter(m.name for m in ms).most_common(1)[0][0]
    seats = _seat_mentions("\n".join([header_text, location or "", furniture_text]))
    if seats:
        return Counter(seats).most_common(1)[0][0]
    ms = [m for m in find_municipalities(_uncap(_footer_lines(full_text)), bare=False) if m.cue == "kommune"]
    if ms:
        return Counter(m.name for m in ms).most_common(1)[0][0]
    if location:
        ms = find_municipalities(location, bare=True)
        if ms:
            return ms[0].name
    ms = find_municipalities(full_text, bare=False)
    cnt = Counter(m.name for m in ms if m.cue == "kommune")
    if not cnt:
        cnt = Counter(m.name for m in ms if m.cue == "jobcenter")
    if cnt:
        return cnt.most_common(1)[0][0]
    ms = find_municipalities(header_text, bare=True)
    if ms:
        return ms[0].name
    return None
