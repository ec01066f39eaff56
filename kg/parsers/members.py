"""Names of people as printed in member lists, absence notes and signature
sheets: "Christian Plank (F) (Formand)", "Formand Lars Hansen (C)",
"Claus Jørgensen (Afbud)", "Anna Jensen, Socialdemokratiet, næstformand",
"| Anna Jensen | V | Formand |", "Tina Nielsen (Æ) deltog ikke i mødet".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from . import danish, labels

_TOKEN = r"(?:[A-ZÆØÅÉÜÖÄ][\wæøåéüöäçğışÇĞİŞ'’.-]*|[A-ZÆØÅ]\.)"
_PARTICLE = r"(?:von|van|de|la|af|du|le|der|den|el|al|bin|ibn)"
NAME_RE = re.compile(r"^" + _TOKEN + r"(?:\s+(?:" + _TOKEN + r"|" + _PARTICLE + r"))*\s+" + _TOKEN + r"$")
_STOP = {
    "Kommune", "Kommunes", "Udvalget", "Udvalg", "Forvaltningen", "Direktionen", "Sagsfremstilling", "Beslutning",
    "Indstilling", "Bilag", "Punkt", "Sag", "Lukket", "Åben", "Referat", "Dagsorden", "Mødested", "Mødedato",
    "Side", "Jobcenter", "Region", "Styrelsen", "Ministeriet", "Godkendt", "Taget", "Intet", "Drøftet",
    "Borgerservice", "Center", "Team", "Afdeling", "Rådhus", "Rådhuset", "Økonomi", "Status", "Orientering",
    "Kommunalbestyrelsen", "Byrådet", "Formand", "Næstformand", "Medlem", "Afbud", "Fraværende", "Deltagere",
    "Medlemmer", "Lov", "Bekendtgørelse", "Projekt", "Plan", "Politik", "Strategi", "Den", "Det", "De", "Der",
    "Og", "For", "Til", "Fra", "Med", "Om", "Eventuelt", "Meddelelser", "Underskriftsblad", "Underskriftside",
    "Danmark", "Danske", "Dansk", "Tilstede", "Protokollen", "Oplæg", "Ingen", "Alle", "Se", "Jf", "Kl",
}


@dataclass(frozen=True)
class NameEntry:
    name: str
    party: Optional[str] = None
    role: Optional[str] = None
    absent: bool = False          # marked absent in the entry itself ("(Afbud)")
    item_only: bool = False       # absent for one item only ("deltog ikke i behandlingen")
    staff: Optional[str] = None   # a staff job title printed with the name ("Lone Brink, beskæftigelseschef")
    span: object = None           # records.Span of the line it was read from


def is_name(s: str) -> bool:
    s = (s or "").strip()
    if not (3 <= len(s) <= 60) or not NAME_RE.match(s):
        return False
    toks = s.split()
    if len(toks) > 6:
        return False
    if any(t.strip(".,") in _STOP for t in toks):
        return False
    if any(labels.role_of(t) for t in toks):
        return False
    if danish.find_dates(s) or re.search(r"\d", s):
        return False
    return True


def _paren_groups(s: str) -> tuple[str, list[str]]:
    groups = re.findall(r"\(([^()]{1,60})\)", s)
    return re.sub(r"\s*\([^()]{1,60}\)", " ", s).strip(), groups


@lru_cache(maxsize=8192)
def parse_entry(text: str) -> Optional[NameEntry]:
    """One member entry -> NameEntry, or None when it is not a person's name."""
    # memoised (speed only): a pure function of the text with a frozen result; absence notes and
    # member lines are printed again under every item
    s = (text or "").strip()
    if _TABLE.match(s):
        cells = [c.strip() for c in s.strip("|").split("|")]
        cells = [c for c in cells if c]
        if not cells:
            return None
        s = ", ".join(cells)
    s = s.strip().strip("-•*·").strip().rstrip(".;,").strip()
    if not s:
        return None
    absent = item_only = False
    meet_rx, item_rx = labels.absence_phrases()
    m = item_rx.search(s)
    if m and m.start() > 0:
        item_only = True
        s = s[:m.start()].strip(" ,-–")
    else:
        m = meet_rx.search(s)
        if m and m.start() > 0 and not s[:m.start()].rstrip().endswith(("(",)):
            absent = True
            s = s[:m.start()].strip(" ,-–:")
    role = party = staff = None
    # leading role "Formand: X" / "Formand X"
    rm = labels.role_re().match(s)
    if rm:
        r = labels.role_of(rm.group("role"))
        rest = s[rm.end():].lstrip(" :,-–")
        if rest and rest[0].isupper():
            role, s = r, rest
    s, groups = _paren_groups(s)
    parts = [p.strip() for p in re.split(r"\s*[,;]\s*|\s+[-–—]\s+", s) if p.strip()]
    if not parts:
        return None
    name = parts[0]
    extras = groups + parts[1:]
    for g in extras:
        g = g.strip().rstrip(".")
        if not g:
            continue
        gr = labels.role_of(g)
        if gr:
            role = role or gr
            continue
        if labels.is_staff_title(g):
            staff = staff or g
            continue
        if meet_rx.fullmatch(g) or re.fullmatch(r"(?i)afbud|fraværende|fravær|syg", g):
            absent = True
            continue
        p = danish.party_to_letter(g, strict=True) or (danish.party_to_letter(g) if len(g) < 40 else None)
        if p and party is None:
            party = p
            continue
        # "formand (A)" style mixed groups
        for tok in re.split(r"[\s,/]+", g):
            if labels.role_of(tok):
                role = role or labels.role_of(tok)
    name = re.sub(r"\s+", " ", name).strip(" .,:;")
    if not is_name(name):
        return None
    return NameEntry(name, party, role, absent, item_only, staff)


_TABLE = re.compile(r"^\|.*\|$")


def split_entries(value: str) -> list[str]:
    """Split an inline list "A (F), B (Afbud), C og D" into entries; party names and
    roles after a comma stay with the name before them."""
    v = (value or "").strip()
    if not v:
        return []
    if _TABLE.match(v):
        return [v]
    parts = [p.strip() for p in re.split(r"\s*[;,]\s*|\s+og\s+|\s+&\s+", v) if p.strip()]
    out: list[str] = []
    for p in parts:
        bare = re.sub(r"\([^()]*\)", " ", p).strip("() .")
        if out and (not bare or labels.role_of(bare) or danish.party_to_letter(bare, strict=True) or re.fullmatch(r"(?i)afbud|fraværende", bare)
                    or labels.is_staff_title(bare)):
            out[-1] = out[-1] + ", " + p
        else:
            out.append(p)
    return out


def parse_list(value: str) -> list[NameEntry]:
    return list(_parse_list(value))


@lru_cache(maxsize=4096)
def _parse_list(value: str) -> tuple[NameEntry, ...]:
    # memoised (speed only): member lists recur in every meeting of a committee
    return tuple(e for e in (parse_entry(p) for p in split_entries(value)) if e)
