"""Danish helpers for the minutes parser: dates, times, case numbers, party
letters, roles and decision outcomes.  Pure functions on strings.

    >>> parse_date("Onsdag den 29. maj 2024")
    '2024-05-29'
    >>> parse_time_range("kl. 16:00 - 18:00")
    ('16:00', '18:00')
    >>> find_case_numbers("Sagsnr. 24-000584, KLE 00.01.00-A00-1-24")
    ['24-000584', '00.01.00-A00-1-24']
    >>> party_to_letter("Enhedslisten")
    'Ø'
    >>> outcomes_of("Indstillingen tiltrådt.")
    ('approved',)
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from . import labels

OUTCOMES = ("approved", "noted", "discussed", "recommended", "rejected", "postponed", "none")

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4,
    "maj": 5, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12, "desember": 12,
}
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WD = r"(?:(?:" + "|".join(WEEKDAYS) + r")(?:\s+(?:den|d\.))?\s+|(?:den|d\.)\s+)?"
_DATE_TEXT = re.compile(
    r"(?<![\w.])" + _WD + r"(?P<d>[0-3]?\d)\.?\s*(?P<m>" + _MONTH_ALT + r")\.?,?\s+(?P<y>(?:19|20)\d\d)(?!\d)", re.I)
_DATE_NUM = re.compile(r"(?<![\w.:/-])(?P<d>[0-3]?\d)\s*(?P<sep>[.\-/])\s*(?P<m>[01]?\d)\s*(?P=sep)\s*(?P<y>(?:19|20)?\d\d)(?![\d:])")
_DATE_SLASH = re.compile(r"(?<![\w./-])(?P<d>[0-3]?\d)/(?P<m>[01]?\d)[\s-](?P<y>(?:19|20)\d\d)(?!\d)")
_DATE_ISO = re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")


_DIGIT = re.compile(r"\d")


def _iso(y: int, m: int, d: int) -> Optional[str]:
    import datetime
    if y < 100:
        y += 2000
    try:
        return datetime.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """All dates in ``text`` as (ISO date, start, end), in text order.

    Forms: "6. marts 2024", "Onsdag den 29. maj 2024", "06.03.2024", "06-03-2024",
    "6/3-2024" is not supported; "2024-03-06"."""
    if not text or not _DIGIT.search(text):          # every date form has digits
        return []
    hits = []
    for m in _DATE_TEXT.finditer(text):
        iso = _iso(int(m.group("y")), MONTHS[m.group("m").casefold().rstrip(".")], int(m.group("d")))
        if iso:
            hits.append((iso, m.start(), m.end()))
    for rx in (_DATE_ISO, _DATE_NUM, _DATE_SLASH):
        for m in rx.finditer(text):
            if any(s <= m.start() < e for _, s, e in hits):
                continue
            y = m.group("y")
            if len(y) == 2 and rx is _DATE_NUM and m.group("sep") == "-":
                continue  # "24-12-22" is more likely a case number than a date
            iso = _iso(int(y), int(m.group("m")), int(m.group("d")))
            if iso:
                hits.append((iso, m.start(), m.end()))
    return sorted(hits, key=lambda t: t[1])


def parse_date(text: str) -> Optional[str]:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    d = find_dates(text)
    return d[0][0] if d else None


_TIME = r"(?P<h{n}>[0-2]?\d)(?:[:.](?P<m{n}>[0-5]\d))?"
_KL = re.compile(r"\b(?:kl|klokken)\b\.?\s*:?\s*" + _TIME.format(n=1)
                 + r"(?:\s*(?:-|–|—|til|to)\s*(?:kl\.?\s*)?" + _TIME.format(n=2) + r")?(?!\d)", re.I)
_BARE = re.compile(r"(?<![\d.,:/-])" + r"(?P<h1>[0-2]?\d)[:.](?P<m1>[0-5]\d)"
                   + r"(?:\s*(?:-|–|—|til)\s*(?P<h2>[0-2]?\d)[:.](?P<m2>[0-5]\d))?(?![\d.,:/-]\d)")


def _hm(h, m) -> Optional[str]:
    if h is None:
        return None
    h = int(h)
    m = int(m or 0)
    if h > 23 or m > 59:
        return None
    return f"{h:02d}:{m:02d}"


def parse_time_range(text: str) -> tuple[Optional[str], Optional[str]]:
    """(start, end) from "kl. 16:00 - 18:00", "kl. 16.30", "16:30-18:00", "Mødetidspunkt 16.00"."""
    if not text:
        return None, None
    t = text
    for _, s, e in find_dates(text):       # a date's digits are not a time
        t = t[:s] + " " * (e - s) + t[e:]
    m = _KL.search(t) or _BARE.search(t)
    if not m:
        return None, None
    return _hm(m.group("h1"), m.group("m1")), _hm(m.group("h2"), m.group("m2"))


def parse_time(text: str) -> Optional[str]:
    return parse_time_range(text)[0]


# --------------------------------------------------------------------------- case numbers

_KLE = r"\d{2}\.\d{2}(?:\.\d{2})(?:[-.]?[A-ZÆØÅ]\d{2}(?:-\d{1,6}-\d{2,4})?)?"
_SAGSNR = r"(?:19|20)?\d{2}-\d{3,7}(?:-\d{1,4})?|\d{2}/\d{2,6}(?:-\d{1,4})?|(?:19|20)\d{2}/\d{2,6}|[A-Z]{1,3}\d{2}-\d{3,7}"
CASE_RE = re.compile(r"(?<![\w./-])(?:" + _KLE + r"|" + _SAGSNR + r")(?![\w/]|[.-]\d)")


def find_case_numbers(text: str) -> list[str]:
    """Case/journal numbers in ``text``: KLE ("00.01.00-A00-1-24", "15.20.00-P20",
    "15.20.00A00-1-18", "00.22.04.G01") and case ids ("24-000584", "19/11679")."""
    out = []
    if not text:
        return out
    for m in CASE_RE.finditer(text):
        v = m.group(0)
        if v not in out:
            out.append(v)
    return out


_CASE_TOKEN = re.compile(r"^(?:[A-ZÆØÅ]{1,6}[-\s]?)?\d[\w./-]*\d[\w]*$|^(?:[A-ZÆØÅ]{1,6}[-\s]?)?\d+$")


def labelled_case_numbers(line: str) -> Optional[list[str]]:
    """Values of a labelled case-number line ("Sagsnr.: 24/1234", "Sags-ID: EMN-2019-04411"),
    taken as printed; None when the line has no case-number label."""
    hit = labels.section_label((line or "").strip())
    if not hit or hit.kind != "casenumber" or not hit.rest:
        return None
    out = []
    for tok in re.split(r"\s*[,;]\s*|\s+og\s+|\s{2,}|\t", hit.rest):
        tok = tok.strip(" .")
        if tok and len(tok) <= 40 and _CASE_TOKEN.match(tok):
            out.append(tok)
    return out


_WORD = re.compile(r"\w")
_JOINERS = re.compile(r"\b(?:og|and|KLE|nr)\b", re.I)


@lru_cache(maxsize=8192)
def is_case_number_line(line: str) -> bool:
    """True when the whole line is one or more case numbers (with separators or a case label)."""
    # memoised (speed only): a pure function of the line, asked for the same lines by several steps
    s = line.strip()
    if not s or not _DIGIT.search(s):               # a case number (labelled or not) has digits
        return False
    hit = labels.section_label(s)
    if hit and hit.kind in ("casenumber", "docnumber"):
        if hit.kind == "casenumber" and labelled_case_numbers(s):
            return True
        s = hit.rest
    rest = CASE_RE.sub(" ", s)
    return bool(find_case_numbers(s)) and not _WORD.search(_JOINERS.sub("", rest))


# --------------------------------------------------------------------------- parties, roles

_LETTER = re.compile(r"^[A-ZÆØÅ]$")


def party_to_letter(text: Optional[str], strict: bool = False) -> Optional[str]:
    """A party's list letter from a printed letter ("A", "(Ø)", "Liste Ø") or name ("Socialdemokratiet").
    With ``strict`` the whole text must be a letter, a party name or a known alias."""
    if not text:
        return None
    t = unicodedata.normalize("NFC", text).strip().strip("()[].,;: ")
    t = re.sub(r"^(?:[Ll]iste|[Pp]arti)\s+", "", t).strip()
    if _LETTER.match(t):
        return t                    # local lists use letters outside the national table
    from ..gazetteer import parties, party_letter
    if strict:
        f = fold(t)
        for p in parties():
            if any(fold(n) == f for n in (p.name, *p.aliases)) and (len(f) > 3 or t.isupper()):
                return p.letter
        return None
    if len(t) > 40:
        return None
    return party_letter(t)


def role_of(text: Optional[str]) -> Optional[str]:
    """Normalised role ("formand", "næstformand", "medlem", "sekretær") of a printed word."""
    return labels.role_of(text or "")


# --------------------------------------------------------------------------- outcomes

_SPACES = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9])")


@lru_cache(maxsize=8192)
def outcomes_of(decision: Optional[str]) -> tuple[str, ...]:
    """Outcomes (closed vocabulary ``OUTCOMES``) of a decision text, in order of appearance.

    "ikke godkendt" is rejected, not approved; "anbefales godkendt" is recommended."""
    # memoised (speed only): a pure function of the text; short decisions ("Godkendt.") recur
    if not decision:
        return ()
    text = unicodedata.normalize("NFC", decision)
    text = _SPACES.sub(" ", text).strip()
    sentences = _SENTENCE.split(text)
    ignore = labels.outcome_ignore_set()
    kept = [s for s in sentences if not any(g.rx.search(s) for g in ignore.candidates(s))]
    if kept:
        text = " ".join(kept)
    outcome_set, kind_of = labels.outcome_set()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for g in outcome_set.candidates(text):      # in the order of labels.outcome_res()
        kind = kind_of[g]
        for m in g.rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), kind))
    kinds = []
    for _, k in sorted(found):
        if k not in kinds:
            kinds.append(k)
    if "recommended" in kinds and "approved" in kinds:
        kinds.remove("approved")      # "anbefales godkendt": sent on to a higher body
    if "none" in kinds and len(kinds) > 1:
        kinds.remove("none")
    return tuple(kinds)


# --------------------------------------------------------------------------- committee names

TERM_RE = re.compile(r"[\s,(–—-]*\(?\s*(?P<term>(?:19|20)\d\d\s*[-–—/]\s*(?:19|20)\d\d)\s*\)?\s*$")


def split_term(name: str) -> tuple[str, Optional[str]]:
    """("Udvalget for Job - 2022-2025") -> ("Udvalget for Job", "2022-2025")."""
    m = TERM_RE.search(name or "")
    if not m:
        return (name or "").strip(), None
    term = re.sub(r"\s*[-–—/]\s*", "-", m.group("term"))
    return name[:m.start()].strip(" -–—,"), term


def collapse(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    t = _SPACES.sub(" ", text).strip()
    return t or None


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    t = unicodedata.normalize("NFC", text or "").casefold()
    t = t.replace("&", " og ")
    t = re.sub(r"[\u2010-\u2015\u2212]", "-", t)
    return re.sub(r"\s+", " ", t).strip(" .:,;")
