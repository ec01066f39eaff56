"""Entity resolution: deterministic canonical keys for organisations, persons,
projects and municipalities.

Every key is computed from the name alone (plus the municipality for persons)
and the curated data files, never from corpus-wide state, so an incremental
build that replaces one document gives the same keys as a full rebuild.

Each ``*_key`` function returns ``(slug, canonical_name, evidence)``: ``slug`` is
an ASCII path segment for the IRI (``kg.iris`` builds the IRI from it),
``canonical_name`` the preferred label, ``evidence`` a short text saying why
two spellings got the same key ("alias STAR in gazetteer", "aliases.toml",
"normalised name").

Order of precedence: ``kg/data/aliases.toml`` (curated overrides) >
gazetteers (``kg/data/organisations.csv``, ``municipalities.csv``) >
normalisation rules.

    >>> org_key("STAR")[0] == org_key("Styrelsen for Arbejdsmarked og Rekrutterings")[0]
    True
    >>> project_key("projekt jobformidling først")[0] == project_key("”Jobformidling Først”")[0]
    True
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Optional

from . import gazetteer

ALIASES = Path(__file__).with_name("data") / "aliases.toml"

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "&": " og "})


def slug(text: str) -> str:
    """Lower-case ASCII ``[a-z0-9-]`` slug (Danish letters spelled out)."""
    s = unicodedata.normalize("NFKC", text or "").casefold().translate(_TRANSLIT)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:80].strip("-") or "x"


@lru_cache(maxsize=65536)      # pure function of the name and the data files (speed)
def norm(text: str) -> str:
    """Case-folded, NFC, one space, unified dashes and quotes removed."""
    s = unicodedata.normalize("NFC", text or "")
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[\"“”„«»‘’'`*]", "", s)
    s = s.replace("&", " og ")
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s).strip(" .,;:")
    return s.casefold()


# --------------------------------------------------------------------------- curated aliases

@lru_cache(maxsize=1)
def _aliases() -> dict:
    if not ALIASES.exists():
        return {}
    with open(ALIASES, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _alias_index() -> dict:
    """(kind, municipality-or-None, normalised name) -> (slug, canonical name)."""
    idx = {}
    data = _aliases()
    for kind in ("organisation", "project", "person"):
        for e in data.get(kind, []) or []:
            name = e.get("name")
            if not name:
                continue
            code = e.get("municipality") if kind == "person" else None
            code = int(code) if code is not None else None
            key = e.get("id") or (slug(_person_norm(name)) if kind == "person" else slug(name))
            for n in [name, *(e.get("aliases") or [])]:
                nn = _person_norm(n) if kind == "person" else norm(n)
                idx[(kind, code, nn)] = (key, name)
    return idx


# --------------------------------------------------------------------------- organisations

_LEGAL = re.compile(r"(?:\s*,)?\s+(?:a/s|aps|i/s|p/s|k/s|ivs|smba|s\.m\.b\.a\.?|amba|a\.m\.b\.a\.?|"
                    r"consulting|consult|consultants|consultant)$")
_GENITIVE_END = re.compile(r"(?<=[nrgtdklm])s$")


@lru_cache(maxsize=1)
def _org_index() -> dict:
    idx = {}
    for e in gazetteer.organisations():
        for n in (e.name, *e.aliases):
            idx.setdefault(norm(n), (e, "name" if n == e.name else f"alias {n}"))
        if e.abbreviation:
            idx.setdefault(norm(e.abbreviation), (e, f"abbreviation {e.abbreviation}"))
    return idx


def _degenitive(n: str) -> str:
    n = re.sub(r"'s?$", "", n)
    last = n.rsplit(" ", 1)[-1]
    if len(last) < 4 or last.isupper() or not last.isalpha():
        return n
    return _GENITIVE_END.sub("", n)


@lru_cache(maxsize=65536)      # pure function of the name and the data files (speed)
def gazetteer_org(name: str):
    """The gazetteer entry for a printed organisation name (or None)."""
    idx = _org_index()
    n = norm(name)
    m = re.match(r"^(.*?)\s*\(([^()]+)\)$", n)
    cands = [n]
    if m:
        cands += [m.group(1), m.group(2)]
    for c in list(cands):
        cands.append(_degenitive(c))
        cands.append(re.sub(r"\s+(?:under|i|på)\s+.*$", "", c))
    for c in cands:
        if c in idx:
            return idx[c]
    return None


@lru_cache(maxsize=65536)      # pure function of the name and the data files (speed)
def org_key(name: str) -> tuple[str, str, str]:
    """Canonical key of an organisation: full name, abbreviation and genitive
    forms of the same body give the same slug."""
    n = norm(name)
    al = _alias_index()
    hit = al.get(("organisation", None, n)) or al.get(("organisation", None, _degenitive(n)))
    if hit:
        return hit[0], hit[1], "aliases.toml"
    g = gazetteer_org(name)
    if g:
        e, how = g
        return e.id, e.name, f"{how} in gazetteer" if how != "name" else "name in gazetteer"
    muni = _municipality_body(name)
    if muni:
        return muni
    m = re.match(r"^(.*?)\s*\(([^()]+)\)$", n)
    if m:
        n = m.group(1)
    base = _degenitive(n)
    base = _LEGAL.sub("", base) or base
    ev = "normalised name"
    if base != n:
        ev = "normalised name (genitive/legal form dropped)"
    canon = re.sub(r"\s+", " ", (name or "").strip())
    canon = re.sub(r"\s*\([^()]*\)$", "", canon).strip() or canon
    if _degenitive(norm(canon)) != norm(canon) and canon.endswith("s"):
        canon = canon[:-1]
    canon = canon.rstrip("'")
    return slug(base), canon, ev


def _municipality_body(name: str):
    """'Jobcenter Lejre' == 'Lejre Jobcenter' == 'Jobcenter Lejres'."""
    n = norm(name)
    m = re.match(r"^(jobcenter|borgerservice|ydelsesservice)\s+(.+)$", n) or \
        re.match(r"^(.+?)\s+(jobcenter|borgerservice)$", n)
    if not m:
        return None
    head, place = (m.group(1), m.group(2)) if m.group(1) in ("jobcenter", "borgerservice", "ydelsesservice") \
        else (m.group(2), m.group(1))
    mu = gazetteer.municipality_by_name(place)
    if mu is None:
        return None
    return f"{head}-{mu.code:03d}", f"{head.capitalize()} {mu.name}", f"{head} of municipality {mu.code:03d}"


# --------------------------------------------------------------------------- persons

def _person_norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = unicodedata.normalize("NFC", s).casefold()
    s = re.sub(r"[\u2010-\u2015\u2212-]", " ", s)
    s = re.sub(r"[.,()]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def person_key(municipality_code, name: str) -> tuple[str, str, str]:
    """Key of a person within a municipality: case, accents and hyphens are
    normalised; different middle names/initials merge only via aliases.toml;
    two people are never merged on a shared surname."""
    try:
        code = int(municipality_code) if municipality_code is not None else None
    except (TypeError, ValueError):
        code = None
    n = _person_norm(name)
    al = _alias_index()
    hit = al.get(("person", code, n)) or al.get(("person", None, n))
    if hit:
        return hit[0], hit[1], "aliases.toml"
    canon = re.sub(r"\s+", " ", (name or "").strip())
    return slug(n), canon, "normalised name (case, accents, hyphens)"


# --------------------------------------------------------------------------- projects

_PROJ_PREFIX = re.compile(r"^(?:det\s+|den\s+)?(?:projekt(?:et)?|puljen|pulje|initiativet|indsatsen|"
                          r"udviklingsindsatsen|programmet|kampagnen)\s+(?:til\s+|for\s+)?", re.I)


def project_norm(name: str) -> str:
    n = norm(name)
    n = _PROJ_PREFIX.sub("", n)
    n = re.sub(r"'s?$", "", n)
    n = re.sub(r"(?<=[a-zæøå]{3})s$", "", n) if n.endswith("ets") or n.endswith("ens") else n
    return n.strip(" -–")


def project_key(name: str) -> tuple[str, str, str]:
    """Key of a project/programme: "projekt", "puljen", quotes, case and a
    final genitive are ignored ("Jobformidling Først" == "projekt jobformidling først")."""
    n = norm(name)
    al = _alias_index()
    hit = al.get(("project", None, n)) or al.get(("project", None, project_norm(name)))
    if hit:
        return hit[0], hit[1], "aliases.toml"
    base = project_norm(name)
    canon = re.sub(r"^[\"“”'‘’*]+|[\"“”'‘’*]+$", "", (name or "").strip())
    return slug(base or n), canon, "normalised name (prefix, quotes, case dropped)"


# --------------------------------------------------------------------------- municipalities

def municipality(name) -> Optional[gazetteer.Municipality]:
    """The municipality record for a printed name or a code, or None."""
    if name is None:
        return None
    if isinstance(name, int) or (isinstance(name, str) and name.strip().isdigit()):
        return gazetteer.municipality_by_code(name)
    return gazetteer.municipality_by_name(name)
