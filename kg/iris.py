"""Deterministic, readable IRIs for every entity of the graph.

Data IRIs live under ``https://w3id.org/kgdk/id/`` (prefix ``kgd:``) as
``kgd:<type>/<path>``; ontology terms under ``https://w3id.org/kgdk/ontology#``.

Rules
-----
* Same input -> same IRI (no counters, no randomness, no corpus-wide state).
* Every builder returns a valid absolute IRI whatever the input text: path
  segments are *slugs* made only of ``[a-z0-9.-]`` (Danish letters spelled out:
  æ->ae, ø->oe, å->aa; other accents stripped; everything else becomes ``-``).
  A slug never starts or ends with ``-`` or ``.``, is never empty and is at most
  ``MAX_SLUG`` characters (longer text is cut and suffixed with a short hash so
  two long names stay distinct).
* ``slug(slug(x)) == slug(x)``: builders accept names or already-made slugs
  (e.g. the keys of :mod:`kg.resolve`).

Builders take plain strings/ints and return ``str``; :func:`node` wraps a
string into a ``pyoxigraph.NamedNode``.

    >>> municipality(350)
    'https://w3id.org/kgdk/id/municipality/350'
    >>> committee(350, "Udvalget for Job & Arbejdsmarked")
    'https://w3id.org/kgdk/id/committee/350/udvalget-for-job-og-arbejdsmarked'
    >>> meeting(350, "JAI", "2024-03-06", "16:30")
    'https://w3id.org/kgdk/id/meeting/350/jai/2024-03-06-1630'
    >>> item(meeting(350, "JAI", "2024-03-06"), "3")
    'https://w3id.org/kgdk/id/item/350/jai/2024-03-06/3'
    >>> person(665, "Søren Østergård")
    'https://w3id.org/kgdk/id/person/665/soeren-oestergaard'
    >>> party("Æ")
    'https://w3id.org/kgdk/id/party/ae'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Optional, Union

ONTOLOGY = "https://w3id.org/kgdk/ontology#"
DATA = "https://w3id.org/kgdk/id/"

MAX_SLUG = 80

# Letters NFKD does not decompose, spelled the Danish/Nordic way.
_TRANSLIT = str.maketrans({
    "æ": "ae", "Æ": "ae", "ø": "oe", "Ø": "oe", "å": "aa", "Å": "aa",
    "ß": "ss", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "đ": "d", "Đ": "d",
    "ł": "l", "Ł": "l", "œ": "oe", "Œ": "oe", "ı": "i", "&": " og ", "+": " plus ",
    "@": " at ", "§": " ",
})
_NON_SLUG = re.compile(r"[^a-z0-9.]+")
_DOTS = re.compile(r"\.{2,}")
_EDGE = re.compile(r"^[.-]+|[.-]+$")
_DASHDOT = re.compile(r"-*\.-*")
_IS_SLUG = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")     # what slug() returns (when not hashed)
_NON_DIGIT = re.compile(r"[^0-9]")
_HEX16 = re.compile(r"[0-9a-f]{16,}")


def short_hash(*parts: object, n: int = 16) -> str:
    """Stable hex digest (first ``n`` chars of SHA-256) of the parts joined by U+001F."""
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:n]


def _fold(s: str) -> str:
    """Danish letters spelled out, other accents stripped, lower case (the general path of :func:`slug`)."""
    s = unicodedata.normalize("NFKC", s).translate(_TRANSLIT)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=200_000)
def slug(text: object, keep_dots: bool = True) -> str:
    """ASCII-safe path segment: lower case ``[a-z0-9.-]``, never empty.

    Dots are kept by default (case and item numbers such as ``00.01.00`` or
    ``3.1``); pass ``keep_dots=False`` to turn them into dashes.
    """
    s = "" if text is None else str(text)
    # ASCII text (most keys, case and item numbers): NFKC/NFKD change nothing and there are no accents
    # to strip, so only the spelled-out symbols and the case change apply (same result, ~5x faster).
    s = s.translate(_TRANSLIT).lower() if s.isascii() else _fold(s)
    if not keep_dots:
        s = s.replace(".", "-")
    if len(s) <= MAX_SLUG and _IS_SLUG.fullmatch(s):    # already clean (keys, most numbers): the steps below
        return s                                          # would leave it unchanged
    return _clean(s, text)


def _clean(s: str, text: object) -> str:
    """The general path of :func:`slug` for folded text ``s`` (``text``: the original, for the hashes)."""
    s = _NON_SLUG.sub("-", s)
    s = _DOTS.sub(".", s)
    s = _DASHDOT.sub(".", s) if "." in s else s
    s = _EDGE.sub("", s)
    if len(s) > MAX_SLUG:
        s = _EDGE.sub("", s[:MAX_SLUG - 9]) + "-" + short_hash(text, n=8)
    if not s:
        # Nothing usable left (empty, only punctuation, a script we cannot spell):
        # a stable hash keeps distinct inputs distinct.
        s = "x" + short_hash(text, n=12)
    return s


@lru_cache(maxsize=10_000)
def _code(code: Union[int, str, None]) -> str:
    """Municipality code as 3 digits, or a slug if it is not a number."""
    if code is None or code == "":
        return "unknown"
    if isinstance(code, (bool, int)) and not (isinstance(code, int) and not isinstance(code, bool) and code >= 0):
        return slug(str(code))
    if (isinstance(code, int) and code >= 0) or (isinstance(code, str) and re.fullmatch(r"[0-9]{1,9}", code.strip())):
        return f"{int(code):03d}"
    return slug(code)


def _time(t: Optional[str]) -> str:
    return _NON_DIGIT.sub("", t or "")


def _tail(iri: str, prefix: str) -> str:
    """The path after ``DATA + prefix + '/'`` (or a slug of the whole IRI)."""
    head = DATA + prefix + "/"
    if iri.startswith(head):
        return iri[len(head):]
    return slug(iri)


# --------------------------------------------------------------------------- builders
def ontology(local: str) -> str:
    return ONTOLOGY + local


def municipality(code: Union[int, str, None]) -> str:
    return f"{DATA}municipality/{_code(code)}"


def committee(code, name: str) -> str:
    """A committee, timeless: municipality code + name slug (``committee/350/jai``)."""
    return f"{DATA}committee/{_code(code)}/{slug(name, keep_dots=False)}"


def committee_key(name: str) -> str:
    """The slug used for a committee in committee, meeting and item IRIs."""
    return slug(name, keep_dots=False)


def meeting(code, committee_name: str, date: Optional[str], time: Optional[str] = None,
            fallback: Optional[str] = None) -> str:
    """``meeting/<code>/<committee-slug>/<date>[-<HHMM>]``.

    Without a date the meeting is identified by ``fallback`` (e.g. the source
    document hash): ``.../undated-<fallback>``.
    """
    if date:
        d = slug(date)
        if time:
            d += "-" + _time(time) if _time(time) else ""
    else:
        d = "undated-" + slug(fallback or "x")
    return f"{DATA}meeting/{_code(code)}/{committee_key(committee_name)}/{d}"


def item(meeting_iri: str, number: Union[str, int, None], position: Optional[int] = None) -> str:
    """``item/<meeting path>/<number>`` (number as printed, slugged; ``p<position>`` if none)."""
    num = slug(number) if number not in (None, "") else f"p{position or 0}"
    return f"{DATA}item/{_tail(meeting_iri, 'meeting')}/{num}"


def decision(item_iri: str) -> str:
    """The decision taken on an agenda item: ``decision/<item path>``."""
    return f"{DATA}decision/{_tail(item_iri, 'item')}"


def other_decision(item_iri: str, committee_name: str, date: Optional[str]) -> str:
    """A decision on the same case by another committee, printed inside an item."""
    return f"{DATA}decision/{_tail(item_iri, 'item')}/by/{committee_key(committee_name)}/{slug(date or 'undated')}"


def case(code, case_number: str) -> str:
    """A case (journal number) within a municipality: ``case/<code>/<slug of number>``."""
    return f"{DATA}case/{_code(code)}/{slug(case_number, keep_dots=True)}"


def person(code, name_or_key: str) -> str:
    """A person within a municipality: ``person/<code>/<name slug>``."""
    return f"{DATA}person/{_code(code)}/{slug(name_or_key, keep_dots=False)}"


def party(letter: str) -> str:
    """A national party list by letter: ``party/a``, ``party/ae`` (Æ), ``party/oe`` (Ø)."""
    return f"{DATA}party/{slug(letter, keep_dots=False)}"


def organization(name_or_key: str) -> str:
    return f"{DATA}organization/{slug(name_or_key, keep_dots=False)}"


def project(name_or_key: str) -> str:
    return f"{DATA}project/{slug(name_or_key, keep_dots=False)}"


def grant(*parts: object) -> str:
    """``grant/<hash>``: a stable hash of what identifies the grant (funder key, recipients, amount, ...)."""
    return f"{DATA}grant/{short_hash(*parts)}"


def document(sha256: str) -> str:
    """A source document by content hash (also its named graph): ``document/<sha256[:16]>``."""
    h = (sha256 or "").lower()
    if not _HEX16.fullmatch(h):
        h = short_hash(sha256)
    return f"{DATA}document/{h[:16]}"


def membership(committee_iri: str, person_iri: str, role: Optional[str] = None) -> str:
    """A person's membership of a committee (in one role): ``membership/<code>/<committee>/<person>[/<role>]``."""
    c = _tail(committee_iri, "committee")          # <code>/<committee-slug>
    p = person_iri.rsplit("/", 1)[-1]
    tail = f"/{slug(role, keep_dots=False)}" if role else ""
    return f"{DATA}membership/{c}/{p}{tail}"


def party_membership(person_iri: str, letter: str) -> str:
    """A person's membership of a party list: ``membership/<code>/party-<letter>/<person>``."""
    p = _tail(person_iri, "person")                 # <code>/<person-slug>
    code, _, pslug = p.partition("/")
    return f"{DATA}membership/{code}/party-{slug(letter, keep_dots=False)}/{pslug or code}"


def outcome(name: str) -> str:
    """An outcome concept of the SKOS scheme (``outcome/approved``)."""
    return f"{DATA}outcome/{slug(name, keep_dots=False)}"


def outcome_scheme() -> str:
    return f"{DATA}outcome"


def role(name: str) -> str:
    """A membership role concept (``role/formand``)."""
    return f"{DATA}role/{slug(name, keep_dots=False)}"


def role_scheme() -> str:
    return f"{DATA}role"


def provenance(doc_iri: str, *parts: object) -> str:
    """A per-fact provenance node inside a document: ``provenance/<doc hash>/<parts...>``."""
    d = _tail(doc_iri, "document")
    tail = "/".join(slug(p) for p in parts if p not in (None, ""))
    return f"{DATA}provenance/{d}/{tail}" if tail else f"{DATA}provenance/{d}"


def extraction(version: str) -> str:
    """The software agent (kg at a version) that produced the data."""
    return f"{DATA}agent/kg-{slug(version)}"


def meta_graph() -> str:
    """The store's own bookkeeping graph (schema version, source paths)."""
    return f"{DATA}graph/meta"


def ontology_graph() -> str:
    """The graph holding the ontology and the SKOS schemes inside the store."""
    return f"{DATA}graph/ontology"


def node(iri: str):
    """Wrap an IRI string in a ``pyoxigraph.NamedNode``."""
    from pyoxigraph import NamedNode
    return NamedNode(iri)
