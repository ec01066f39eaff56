"""Gazetteers of public Danish facts: the 98 municipalities, the national party
list letters and (in ``kg/data/organisations.csv``) public national bodies.

Data lives in CSV files under ``kg/data/``; this module only loads and matches.

    >>> municipality_by_name("Lejre Kommunes").code
    350
    >>> [m.name for m in find_municipalities("Sorø, Solrød og Roskilde Kommuner")]
    ['Sorø', 'Solrød', 'Roskilde']
    >>> party_letter("Socialdemokratiet")
    'A'
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

DATA = Path(__file__).with_name("data")

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")


@dataclass(frozen=True)
class Municipality:
    code: int                 # official 3-digit kommunekode
    name: str                 # name without "Kommune" ("Lejre")
    region: str               # Hovedstaden|Sjælland|Syddanmark|Midtjylland|Nordjylland
    wikidata: Optional[str] = None
    aliases: tuple[str, ...] = ()

    @property
    def code3(self) -> str:
        return f"{self.code:03d}"


@dataclass(frozen=True)
class MunicipalityMatch:
    """One mention of a municipality in a text (character offsets into it)."""
    name: str                 # canonical name ("Lemvig")
    code: int
    start: int
    end: int
    text: str                 # as printed ("Lemvig Kommunes")
    cue: str                  # kommune|list|jobcenter|bare


@dataclass(frozen=True)
class Party:
    letter: str
    name: str
    aliases: tuple[str, ...] = ()


@lru_cache(maxsize=65536)      # pure function of the text (speed)
def _fold(s: str) -> str:
    """Case-fold, NFC, unify dashes and white space (for lookups)."""
    s = unicodedata.normalize("NFC", s).casefold()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"\s*-\s*", "-", s)
    return re.sub(r"\s+", " ", s).strip(" .,;:")


# --------------------------------------------------------------------------- municipalities

@lru_cache(maxsize=1)
def municipalities() -> tuple[Municipality, ...]:
    """All 98 municipalities, in code order."""
    out = []
    with open(DATA / "municipalities.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Municipality(
                code=int(row["code"]), name=row["name"].strip(), region=row["region"].strip(),
                wikidata=(row.get("wikidata") or "").strip() or None,
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
            ))
    return tuple(sorted(out, key=lambda m: m.code))


@lru_cache(maxsize=1)
def _name_index() -> dict[str, Municipality]:
    idx: dict[str, Municipality] = {}
    for m in municipalities():
        for n in (m.name, *m.aliases):
            idx[_fold(n)] = m
            idx[_fold(n).replace("-", " ")] = m
    return idx


def municipality_by_code(code) -> Optional[Municipality]:
    try:
        c = int(code)
    except (TypeError, ValueError):
        return None
    for m in municipalities():
        if m.code == c:
            return m
    return None


_SUFFIX = re.compile(r"\s+(?:regions)?kommune(?:s|r|rne|rnes)?$")


@lru_cache(maxsize=65536)      # pure function of the text (speed)
def municipality_by_name(name: str) -> Optional[Municipality]:
    """Look a municipality up by name as printed: "Lejre", "Lejre Kommune",
    "Lejre Kommunes", "Københavns Kommune", "Høje Taastrup",
    "Bornholms Regionskommune", "Jobcenter Struer" (case-insensitive)."""
    if not name:
        return None
    idx = _name_index()
    f = _fold(name)
    f = re.sub(r"^(?:jobcenter|borgerservice)\s+", "", f)
    cands = [f]
    g = _SUFFIX.sub("", f)
    if g != f:
        cands.append(g)
    for c in list(cands):
        cands.append(c.replace("-", " "))
        if c.endswith("'"):
            cands.append(c[:-1])
        if c.endswith("s"):
            cands.append(c[:-1])
    for c in cands:
        if c in idx:
            return idx[c]
    return None


# Names that are also common words or places that are not the municipality:
# only counted with a strong cue ("X Kommune", "Jobcenter X", a list of municipalities).
AMBIGUOUS_BARE = frozenset({"Vejen", "Odder", "Greve", "Lolland", "Jammerbugt", "Faxe", "Billund",
                            "Stevns", "Rebild", "Halsnæs", "Copenhagen"})


def _name_pattern(n: str) -> str:
    parts = re.split(r"[\s-]+", n)
    return r"(?:\s*-\s*|\s+)".join(re.escape(p) for p in parts)


@lru_cache(maxsize=1)
def _mention_re() -> re.Pattern:
    names = set()
    for m in municipalities():
        names.add(m.name)
        names.update(m.aliases)
    alts = sorted(names, key=len, reverse=True)
    # a capitalised name, optionally genitive (-s or -'), not inside a longer word. Written as
    # "first letter, then (?<![\w-].), then the rest" and grouped by first letter (longest first
    # within a group, as in one flat alternation): the same matches as
    # (?<![\w-])(?P<name>name1|name2|...), but the regex engine can skip to the first letters.
    groups: dict = {}
    for n in alts:
        pat = _name_pattern(n)
        assert pat.startswith(n[0]) and n[0].isalpha()
        groups.setdefault(n[0], []).append(pat[1:])
    body = "|".join(c + r"(?<![\w-].)(?:" + "|".join(rest) + ")" for c, rest in groups.items())
    return re.compile(r"(?P<name>" + body + r")(?P<gen>s|')?(?![\w-])")


_SEP = re.compile(r"^(?:\s*,\s*|\s+og\s+|\s+samt\s+|\s*&\s*|\s+eller\s+|\s*/\s*)$")
_KOMMUNE_AFTER = re.compile(r"^\s+(?:[Rr]egions)?[Kk]ommune(?:rnes|rne|r|s)?(?![\w])")
_LIST_BEFORE = re.compile(r"(?:[Kk]ommunerne|[Kk]ommuner(?:ne)?(?:s)?|[Kk]ommunerne?s)\s*:?\s*$")
_JOBCENTER_BEFORE = re.compile(r"(?:[Jj]obcenter|[Bb]orgerservice|[Yy]delsesservice)\s+$")


def find_municipalities(text: str, bare: bool = True) -> list[MunicipalityMatch]:
    """All municipality mentions in ``text`` with character offsets.

    Cues: ``kommune`` ("Lemvig Kommune", "Københavns Kommune", "Lejre Kommunes"),
    ``list`` (every name in "Sorø, Solrød og Roskilde Kommuner" or "kommunerne
    Lemvig og Struer"), ``jobcenter`` ("Jobcenter Struer"), ``bare`` (the name
    alone, capitalised; names in ``AMBIGUOUS_BARE`` are left out). With
    ``bare=False`` only strongly cued mentions are returned.
    """
    if "ommuner" not in text and _mention_re().search(text) is None:
        return []           # no name and no list of municipalities (speed only)
    idx = _name_index()
    raw = []
    for m in _mention_re().finditer(text):
        name = m.group("name")
        muni = idx.get(_fold(name)) or idx.get(_fold(name).replace("-", " "))
        if muni is None:
            continue
        raw.append([m, muni, None])
    # group runs "A, B og C" and look at what follows/precedes the run
    i = 0
    while i < len(raw):
        j = i
        while j + 1 < len(raw) and _SEP.match(text[raw[j][0].end():raw[j + 1][0].start()]):
            j += 1
        run = raw[i:j + 1]
        after = text[run[-1][0].end():run[-1][0].end() + 30]
        before = text[max(0, run[0][0].start() - 40):run[0][0].start()]
        if _KOMMUNE_AFTER.match(after):
            for k, r in enumerate(run):
                r[2] = "kommune" if len(run) == 1 else "list"
        elif _LIST_BEFORE.search(before):
            for r in run:
                r[2] = "list"
        else:
            if _JOBCENTER_BEFORE.search(before):
                run[0][2] = "jobcenter"
            for r in run:
                if r[2] is None:
                    r[2] = "bare"
        i = j + 1
    out = []
    seen_spans = set()
    for m, muni, cue in raw:
        end = m.end()
        printed = m.group(0)
        if cue == "kommune":
            k = _KOMMUNE_AFTER.match(text[end:end + 30])
            if k:
                end += k.end()
                printed = text[m.start():end]
        if cue == "bare":
            if not bare or m.group("name") in AMBIGUOUS_BARE or muni.name in AMBIGUOUS_BARE:
                continue
        out.append(MunicipalityMatch(muni.name, muni.code, m.start(), end, printed, cue))
        seen_spans.add(m.start())
    # names in an explicit list of municipalities that are misspelt ("Stevn"): fuzzy match
    for lm in (_LIST_RE.finditer(text) if "ommuner" in text else ()):     # every list ends in "[Kk]ommuner"
        for em in re.finditer(r"[A-ZÆØÅ][\w]+(?:[\s-]+[A-ZÆØÅ][\w]+)?", lm.group("names")):
            start = lm.start("names") + em.start()
            if start in seen_spans:
                continue
            muni = _fuzzy_municipality(em.group(0))
            if muni is not None:
                out.append(MunicipalityMatch(muni.name, muni.code, start, start + len(em.group(0)),
                                             em.group(0), "list-fuzzy"))
                seen_spans.add(start)
    out.sort(key=lambda x: x.start)
    return out


_LIST_RE = re.compile(r"(?<!\w)(?P<names>(?:[A-ZÆØÅ][\w]+(?:[\s-]+[A-ZÆØÅ][\w]+)?\s*,\s*){2,40}"
                      r"[A-ZÆØÅ][\w]+(?:[\s-]+[A-ZÆØÅ][\w]+)?\s+(?:og|samt)\s+[A-ZÆØÅ][\w]+)\s+[Kk]ommuner")


def _fuzzy_municipality(word: str) -> Optional[Municipality]:
    import difflib
    m = municipality_by_name(word)
    if m is not None:
        return m
    names = {_fold(n): mu for mu in municipalities() for n in (mu.name, *mu.aliases)}
    hit = difflib.get_close_matches(_fold(word), list(names), n=1, cutoff=0.8)
    return names[hit[0]] if hit else None


# --------------------------------------------------------------------------- parties

@lru_cache(maxsize=1)
def parties() -> tuple[Party, ...]:
    out = []
    with open(DATA / "parties.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Party(row["letter"].strip(), row["name"].strip(),
                             tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())))
    return tuple(out)


@lru_cache(maxsize=1)
def _party_index() -> list[tuple[str, str]]:
    pairs = []
    for p in parties():
        for n in (p.name, *p.aliases):
            pairs.append((_fold(n), p.letter))
    pairs.sort(key=lambda t: len(t[0]), reverse=True)
    return pairs


def party_letter(text: Optional[str]) -> Optional[str]:
    """The national list letter for a printed party letter or name:
    "A", "(A)", "Liste Ø", "Socialdemokratiet", "Radikale Venstre", "SF" ... else None."""
    if not text:
        return None
    t = unicodedata.normalize("NFC", text).strip()
    t = re.sub(r"^[(\[]\s*|\s*[)\]]$", "", t).strip()
    t = re.sub(r"^(?:[Ll]iste|[Pp]arti)\s+", "", t).strip(" .,;:")
    letters = {p.letter for p in parties()}
    if len(t) == 1 and t.upper() in letters:
        return t.upper()
    f = _fold(t)
    for n, letter in _party_index():
        if len(n) <= 3:
            # abbreviations must match exactly (and in upper case as printed)
            if t == n.upper() or f == n and t.isupper():
                return letter
            continue
        if f == n:
            return letter
    for n, letter in _party_index():
        if len(n) > 3 and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", f):
            return letter
    return None


def party_name(letter: str) -> Optional[str]:
    for p in parties():
        if p.letter == letter:
            return p.name
    return None


# --------------------------------------------------------------------------- organisations

@dataclass(frozen=True)
class OrgEntry:
    id: str                   # stable slug ("star")
    name: str                 # canonical name
    abbreviation: Optional[str]
    kind: str
    aliases: tuple[str, ...] = ()
    wikidata: Optional[str] = None


@lru_cache(maxsize=1)
def organisations() -> tuple[OrgEntry, ...]:
    """Public national bodies, funds and associations (``kg/data/organisations.csv``)."""
    p = DATA / "organisations.csv"
    if not p.exists():
        return ()
    out = []
    with open(p, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(OrgEntry(
                id=row["id"].strip(), name=row["name"].strip(),
                abbreviation=(row.get("abbreviation") or "").strip() or None,
                kind=(row.get("kind") or "other").strip() or "other",
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                wikidata=(row.get("wikidata") or "").strip() or None,
            ))
    return tuple(out)
