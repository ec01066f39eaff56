"""Records -> RDF quads. The ONLY module that names predicates and classes.

``map_document(doc)`` yields ``pyoxigraph.Quad`` s, all in the document's named
graph (= its ``kg:SourceDocument`` IRI, ``kgd:document/<sha256[:16]>``). The model
is described in ``ontology/README.md``; in short:

* entities get deterministic IRIs from :mod:`kg.iris`, with keys from
  :mod:`kg.resolve` (organisations, persons, projects, municipalities) so the same
  real-world entity gets the same IRI in every document;
* every entity links to its document with ``prov:wasDerivedFrom`` and keeps the
  surface names it was read as (``kg:mentionedAs``);
* every record (meeting header field, member, item, decision, organisation,
  person, project, grant, municipality mention) gets a provenance node
  ``kgd:provenance/<doc>/<kind>/<key>`` of class ``kg:Evidence`` with
  ``kg:about`` (the entity), ``kg:document``, ``kg:page``, ``kg:line``,
  ``kg:endLine``, ``kg:rule`` (the parser rule that produced it),
  ``kg:resolution`` (why names were merged) and optionally ``kg:confidence``
  (when the rule is written ``name@0.8``) — so a SPARQL user can filter weak facts;
* no blank nodes; the same Document always gives the same quads (deduplicated,
  in a deterministic order).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date as _date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterator, Optional

from pyoxigraph import NamedNode, Quad, RdfFormat
from pyoxigraph import parse as ox_parse

from . import iris
from .records import Document
from .vocab import (BESLUIT, DCTERMS, FOAF, FRAPO, KG, ORG, OWL, PERSON, PROV, RDF, RDFS, SCHEMA, SKOS, WD,
                    XSD)

# --------------------------------------------------------------------------- bookkeeping terms
SCHEMA_VERSION_P = KG + "schemaVersion"   # meta graph node -> xsd:integer
SHA256_P = KG + "sha256"                  # SourceDocument -> hex content hash (in the document's graph)
SOURCE_PATH_P = KG + "sourcePath"         # SourceDocument -> absolute path it was read from (meta graph)

# --------------------------------------------------------------------------- classes
C_MUNICIPALITY = KG + "Municipality"
C_COMMITTEE = KG + "Committee"
C_MEETING = KG + "Meeting"
C_ITEM = KG + "AgendaItem"
C_CASE = KG + "Case"
C_DECISION = KG + "Decision"
C_PERSON = KG + "Person"
C_MEMBERSHIP = KG + "Membership"
C_PARTY = KG + "Party"
C_ORGANIZATION = KG + "Organization"
C_PROJECT = KG + "Project"
C_GRANT = KG + "Grant"
C_DOCUMENT = KG + "SourceDocument"
C_EVIDENCE = KG + "Evidence"

# Standard classes every instance also gets (cheap interoperability).
EXTRA_TYPES = {
    C_MUNICIPALITY: (ORG + "FormalOrganization", BESLUIT + "Bestuurseenheid"),
    C_COMMITTEE: (ORG + "Organization", BESLUIT + "Bestuursorgaan"),
    C_MEETING: (BESLUIT + "Zitting",),
    C_ITEM: (BESLUIT + "Agendapunt",),
    C_CASE: (),
    C_DECISION: (BESLUIT + "Besluit",),
    C_PERSON: (FOAF + "Person", PERSON + "Person"),
    C_MEMBERSHIP: (ORG + "Membership",),
    C_PARTY: (ORG + "Organization",),
    C_ORGANIZATION: (ORG + "Organization",),
    C_PROJECT: (FOAF + "Project", SCHEMA + "Project"),
    C_GRANT: (SCHEMA + "MonetaryGrant", FRAPO + "Grant"),
    C_DOCUMENT: (FOAF + "Document",),
    C_EVIDENCE: (),
}

# --------------------------------------------------------------------------- predicates
TYPE = RDF + "type"
LABEL = RDFS + "label"
ALT_LABEL = SKOS + "altLabel"
NOTATION = SKOS + "notation"
SAME_AS = OWL + "sameAs"
NAME = FOAF + "name"
TITLE = DCTERMS + "title"
IDENTIFIER = DCTERMS + "identifier"
DATE = DCTERMS + "date"
REFERENCES = DCTERMS + "references"        # item -> case
DERIVED_FROM = PROV + "wasDerivedFrom"     # entity -> source document
VALUE = PROV + "value"                     # decision -> decision text
PRIMARY_TOPIC = FOAF + "primaryTopic"      # document -> meeting
SUB_ORG_OF = ORG + "subOrganizationOf"     # committee -> municipality
MEMBER = ORG + "member"                    # membership -> person
ORGANIZATION = ORG + "organization"        # membership -> committee | party
ROLE = ORG + "role"                        # membership -> role concept
HELD_BY = BESLUIT + "isGehoudenDoor"       # meeting -> committee
LOCATION = SCHEMA + "location"             # meeting -> place (text)
JOB_TITLE = SCHEMA + "jobTitle"
FUNDER = SCHEMA + "funder"                 # grant | project -> organisation | municipality
FUNDED_ITEM = SCHEMA + "fundedItem"        # grant -> project
AMOUNT = SCHEMA + "amount"                 # grant -> xsd:decimal (DKK)
CURRENCY = SCHEMA + "currency"             # grant -> "DKK"
START_DATE = SCHEMA + "startDate"
END_DATE = SCHEMA + "endDate"

MUNICIPALITY = KG + "municipality"         # committee | meeting | case | person -> municipality
REGION = KG + "region"
KIND = KG + "kind"
MENTIONED_AS = KG + "mentionedAs"
MENTIONS = KG + "mentions"                 # item | meeting -> any entity named in it
COMMITTEE_TERM = KG + "committeeTerm"
START_TIME = KG + "startTime"
END_TIME = KG + "endTime"
IN_MEETING = KG + "meeting"                # item -> meeting (exactly one)
POSITION = KG + "position"
PREFIX = KG + "prefix"
CLOSED = KG + "closed"
ATTACHMENT = KG + "attachment"
RECOMMENDATION = KG + "recommendation"
ABSENT = KG + "absent"                     # meeting | item -> person
PRESENT = KG + "present"                   # meeting -> person
OUTCOME = KG + "outcome"                   # decision -> outcome concept
ON_ITEM = KG + "agendaItem"                # decision -> item
DECIDED_BY = KG + "decidedBy"              # decision -> committee
OBSERVED_IN = KG + "observedIn"            # membership -> meeting where it was seen
PARTICIPANT = KG + "participant"           # project -> municipality taking part
PARTNER = KG + "partner"                   # project -> partner organisation
RECIPIENT = KG + "recipient"               # grant -> municipality | organisation
PER_PERIOD = KG + "perPeriod"              # grant -> xsd:duration ("P1Y")
PROGRAMME = KG + "programme"               # grant -> programme/pool name (text)
AFFILIATION_NAME = KG + "affiliationName"
WARNING = KG + "warning"
TOC_ENTRIES = KG + "tocEntryCount"          # SourceDocument -> entries in its table of contents
TOC_MATCHED = KG + "tocMatchedCount"        # SourceDocument -> of those, found as items in the body
# evidence (per-record provenance)
ABOUT = KG + "about"
PROPERTY = KG + "property"
DOCUMENT = KG + "document"
PAGE = KG + "page"
LINE = KG + "line"
END_LINE = KG + "endLine"
RULE = KG + "rule"
CONFIDENCE = KG + "confidence"
RESOLUTION = KG + "resolution"

ORG_KINDS = ("agency", "authority", "region", "fund", "foundation", "programme", "network", "company", "union",
             "association", "education", "municipality-body", "other")
OUTCOMES = ("approved", "noted", "discussed", "recommended", "rejected", "postponed", "none")
ROLES = ("formand", "næstformand", "medlem", "sekretær")

TOC_MISSED_WARNING = "toc entry not found in body"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YM_RE = re.compile(r"^\d{4}-\d{2}$")
_Y_RE = re.compile(r"^\d{4}$")
_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_RULE_CONF = re.compile(r"@(0(?:\.\d+)?|1(?:\.0+)?)$")
_QID_RE = re.compile(r"^Q[0-9]+$")
_PARTY_RE = re.compile(r"^[A-ZÆØÅ]{1,3}$")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------- term helpers
# Terms are kept as N-Triples text while mapping (fast: plain string work, one Rust parse at the end):
# an IRI is a plain string "https://...", a literal is its N-Triples form starting with '"'.
@lru_cache(maxsize=500_000)
def N(iri: str) -> NamedNode:
    return NamedNode(iri)


_ESC = re.compile(r'["\\\n\r]')
_ESC_MAP = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_DT = {k: f"^^<{XSD}{k}>" for k in ("date", "gYearMonth", "gYear", "time", "integer", "decimal", "boolean",
                                     "duration")}
_INT = _DT["integer"]
_TRUE = '"true"' + _DT["boolean"]
_FALSE = '"false"' + _DT["boolean"]


def _lit(value: str, dt: str = "") -> str:
    if _ESC.search(value):
        value = _ESC.sub(lambda m: _ESC_MAP[m.group(0)], value)
    return f'"{value}"{dt}'


def text(s) -> Optional[str]:
    """A plain (xsd:string) literal with characters RDF/XML cannot carry removed; None if empty."""
    if s is None:
        return None
    if type(s) is str and len(s) < 200:
        return _text_cached(s)
    return _text(str(s))


@lru_cache(maxsize=200_000)
def _text_cached(s: str) -> Optional[str]:
    return _text(s)


def _text(s: str) -> Optional[str]:
    if _CTRL.search(s):
        s = _CTRL.sub("", s)
    s = s.strip()
    return _lit(s) if s else None


def integer(n) -> str:
    return f'"{int(n)}"{_DT["integer"]}'


def date_lit(s) -> Optional[str]:
    """xsd:date for YYYY-MM-DD (also gYearMonth / gYear for partial dates); None if not a date."""
    if not s:
        return None
    s = str(s).strip()
    if _DATE_RE.match(s):
        try:
            _date(int(s[:4]), int(s[5:7]), int(s[8:10]))
        except ValueError:
            return None
        return f'"{s}"{_DT["date"]}'
    if _YM_RE.match(s) and 1 <= int(s[5:7]) <= 12:
        return f'"{s}"{_DT["gYearMonth"]}'
    if _Y_RE.match(s):
        return f'"{s}"{_DT["gYear"]}'
    return None


def time_lit(s) -> Optional[str]:
    """xsd:time ("16:30" -> "16:30:00"); None if not a time of day."""
    if not s:
        return None
    m = _TIME_RE.match(str(s).strip())
    if not m:
        return None
    h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or se > 59:
        return None
    return f'"{h:02d}:{mi:02d}:{se:02d}"{_DT["time"]}'


def decimal_str(x) -> Optional[str]:
    """Canonical-ish xsd:decimal lexical form (710000.0 -> "710000", 1.25 -> "1.25"), None if not finite."""
    if x is None or isinstance(x, bool):
        return None
    try:
        d = Decimal(str(x))
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def decimal_lit(x) -> Optional[str]:
    v = decimal_str(x)
    return None if v is None else f'"{v}"{_DT["decimal"]}'


def amount_key(x) -> str:
    return decimal_str(x) or ""


# --------------------------------------------------------------------------- resolution (kg.resolve)
try:  # the entities helper's resolver; fall back to plain slugs until it lands
    from . import resolve as _resolve  # type: ignore
except Exception:  # pragma: no cover - depends on work in progress
    _resolve = None


def _strip_project(name: str) -> str:
    s = re.sub(r"^\s*(projekt(et)?|puljen|pulje|initiativet|indsatsen)\s+", "", name.strip(), flags=re.I)
    return s.strip(" \"'«»“”„")


@lru_cache(maxsize=100_000)
def org_key(name: str) -> tuple[str, str, str]:
    if _resolve is not None and hasattr(_resolve, "org_key"):
        return _resolve.org_key(name)
    return iris.slug(name, keep_dots=False), name.strip(), "name slug (no resolver)"


@lru_cache(maxsize=100_000)
def person_key(code, name: str) -> tuple[str, str, str]:
    if _resolve is not None and hasattr(_resolve, "person_key"):
        return _resolve.person_key(code, name)
    return iris.slug(" ".join(name.split()), keep_dots=False), " ".join(name.split()), "name slug (no resolver)"


@lru_cache(maxsize=100_000)
def project_key(name: str) -> tuple[str, str, str]:
    if _resolve is not None and hasattr(_resolve, "project_key"):
        return _resolve.project_key(name)
    n = _strip_project(name)
    return iris.slug(n, keep_dots=False), n, "name slug (no resolver)"


@lru_cache(maxsize=10_000)
def municipality(name: Optional[str]):
    """Municipality record (code, name, region, wikidata) for a name, or None."""
    if not name:
        return None
    if _resolve is not None and hasattr(_resolve, "municipality"):
        return _resolve.municipality(name)
    try:
        from .gazetteer import municipality_by_name
    except ImportError:  # pragma: no cover
        return None
    return municipality_by_name(name)


@lru_cache(maxsize=1)
def _org_wikidata() -> dict[str, str]:
    try:
        from .gazetteer import organisations
    except ImportError:  # pragma: no cover
        return {}
    return {o.id: o.wikidata for o in organisations() if o.wikidata}


@lru_cache(maxsize=64)
def _party_name(letter: str) -> Optional[str]:
    try:
        from .gazetteer import party_name
    except ImportError:  # pragma: no cover
        return None
    return party_name(letter)


# --------------------------------------------------------------------------- the mapping
_EVIDENCE_O = f"<{C_EVIDENCE}>"


class _Emitter:
    """Collects the triples of one document graph as N-Triples text; dedupes, keeps first-seen order."""

    __slots__ = ("g", "t", "doc", "keys", "names")

    def __init__(self, graph_iri: str):
        self.g = graph_iri
        self.t: dict = {}
        self.doc = graph_iri
        self.keys: dict[str, int] = {}
        self.names: dict = {}      # (subject, predicate) -> (rank, literal): one label/name per entity and graph

    def add(self, s: str, p: str, o: Optional[str]) -> None:
        """o: an IRI (plain string) or a literal from the helpers above (N-Triples text), or None."""
        if o is None:
            return
        self.t[(s, p, o if o[0] == '"' else f"<{o}>")] = None

    def name(self, s: str, p: str, value, rank: int = 1) -> None:
        """Propose a display name (rdfs:label / foaf:name); the best-ranked one is kept.

        Lower rank wins; on a tie the first seen wins, except that a name with capitals
        beats an all-lower-case one (resolver keys are often case-folded).
        """
        if value is None:
            return
        v = str(value)
        lit = text(v)
        if lit is None:
            return
        k = (s, p)
        r = (rank, 0 if v != v.lower() else 1)
        cur = self.names.get(k)
        if cur is None or r < cur[0]:
            self.names[k] = (r, lit)

    def typed(self, s: str, cls: str) -> None:
        t = self.t
        t[(s, TYPE, f"<{cls}>")] = None
        for extra in EXTRA_TYPES.get(cls, ()):
            t[(s, TYPE, f"<{extra}>")] = None
        if s != self.doc:
            t[(s, DERIVED_FROM, f"<{self.doc}>")] = None

    def evidence(self, kind: str, key: str, about: str, span=None, rule: str = "",
                 prop: Optional[str] = None, resolution: Optional[str] = None) -> str:
        """A provenance node for one record; keys repeat-safe (``key``, ``key-2`` ...)."""
        k = f"{kind}/{key}"
        n = self.keys.get(k, 0) + 1
        self.keys[k] = n
        e = iris.provenance(self.doc, kind, key if n == 1 else f"{key}-{n}")
        t = self.t
        t[(e, TYPE, _EVIDENCE_O)] = None
        t[(e, ABOUT, f"<{about}>")] = None
        t[(e, DOCUMENT, f"<{self.doc}>")] = None
        if prop:
            t[(e, PROPERTY, f"<{prop}>")] = None
        if span is not None:
            page, line, end = span.page, span.line, span.end_line
            if page and page > 0:
                t[(e, PAGE, f'"{int(page)}"{_INT}')] = None
            if line and line > 0:
                t[(e, LINE, f'"{int(line)}"{_INT}')] = None
                if end and end > line:
                    t[(e, END_LINE, f'"{int(end)}"{_INT}')] = None
        if rule:
            r = text(rule)
            if r is not None:          # a rule of only blanks/control characters has no text to keep
                t[(e, RULE, r)] = None
            if "@" in rule:
                m = _RULE_CONF.search(rule)
                if m:
                    t[(e, CONFIDENCE, decimal_lit(m.group(1)))] = None
        if resolution:
            r = text(resolution)
            if r:
                t[(e, RESOLUTION, r)] = None
        return e

    def nquads(self) -> bytes:
        g = f"<{self.g}> .\n"
        parts = [f"<{s}> <{p}> {o} {g}" for (s, p, o) in self.t]
        parts += [f"<{s}> <{p}> {lit} {g}" for (s, p), (_r, lit) in self.names.items()]
        return "".join(parts).encode("utf-8")

    def count(self) -> int:
        return len(self.t) + len(self.names)

    def quads(self) -> Iterator[Quad]:
        return ox_parse(self.nquads(), format=RdfFormat.N_QUADS)


# Header fields of Document.spans -> the predicate they support.
_HEADER_PROPS = {
    "municipality": MUNICIPALITY, "committee": HELD_BY, "committee_abbreviation": HELD_BY,
    "committee_term": COMMITTEE_TERM, "date": DATE, "start_time": START_TIME, "end_time": END_TIME,
    "location": LOCATION, "members": PRESENT, "absent": ABSENT,
}


def document_iri(doc: Document) -> str:
    return iris.document(doc.sha256 or iris.short_hash(doc.path or doc.source, n=64))


def map_document(doc: Document) -> Iterator[Quad]:
    """All quads for one document, in its named graph (see the module docstring)."""
    return _map(doc).quads()


def map_document_nquads(doc: Document) -> tuple[bytes, int]:
    """The same quads as N-Quads bytes (what `kg build` loads) and their number."""
    em = _map(doc)
    return em.nquads(), em.count()


def _name_target(name: str, em: _Emitter) -> Optional[str]:
    """IRI for a funder/recipient/partner name: a municipality if it is one, else an organisation."""
    if not name or not name.strip():
        return None
    m = municipality(name)
    if m is not None:
        return _municipality(m, em)
    return _organization(name, em)


def _municipality(m, em: _Emitter, surface: Optional[str] = None) -> str:
    u = iris.municipality(m.code)
    em.typed(u, C_MUNICIPALITY)
    em.name(u, LABEL, m.name, 0)
    em.add(u, NOTATION, text(f"{int(m.code):03d}"))
    if getattr(m, "region", None):
        em.add(u, REGION, text(m.region))
    if getattr(m, "wikidata", None) and _QID_RE.match(m.wikidata):
        em.add(u, SAME_AS, WD + m.wikidata)
    if surface and surface != m.name:
        em.add(u, MENTIONED_AS, text(surface))
    return u


def _organization(name: str, em: _Emitter, kind: Optional[str] = None, aliases=()) -> str:
    key, canonical, _ev = org_key(name)
    o = iris.organization(key)
    em.typed(o, C_ORGANIZATION)
    em.name(o, LABEL, canonical, 1 if kind is None else 0)
    em.add(o, MENTIONED_AS, text(name))
    for a in aliases:
        if a and a != canonical:
            em.add(o, ALT_LABEL, text(a))
    if kind:
        k = kind.strip().lower()
        em.add(o, KIND, text(k if k in ORG_KINDS else "other"))
    qid = _org_wikidata().get(key)
    if qid and _QID_RE.match(qid):
        em.add(o, SAME_AS, WD + qid)
    return o


def _map(doc: Document) -> _Emitter:
    d = document_iri(doc)
    em = _Emitter(d)
    add = em.add

    # ---- the source document
    em.typed(d, C_DOCUMENT)
    add(d, LABEL, text(doc.source))
    add(d, TITLE, text(doc.source))
    if doc.sha256:
        add(d, SHA256_P, text(doc.sha256.lower()))
    for w in doc.warnings:
        add(d, WARNING, text(w))
    if doc.toc_titles:   # the parser warns "toc entry not found in body: <title>" for each one it missed
        missed = sum(1 for w in doc.warnings if w.startswith(TOC_MISSED_WARNING))
        add(d, TOC_ENTRIES, integer(len(doc.toc_titles)))
        add(d, TOC_MATCHED, integer(max(0, len(doc.toc_titles) - missed)))

    # ---- municipality, committee, meeting
    mrec = municipality(doc.municipality)
    if mrec is not None:
        code = mrec.code
        mu = _municipality(mrec, em, surface=doc.municipality)
    elif doc.municipality:
        code = iris.slug(doc.municipality, keep_dots=False)
        mu = iris.municipality(code)
        em.typed(mu, C_MUNICIPALITY)
        em.name(mu, LABEL, doc.municipality, 0)
    else:
        code, mu = None, None

    cname = doc.committee or doc.committee_abbreviation or "unknown committee"
    c = iris.committee(code, cname)
    em.typed(c, C_COMMITTEE)
    em.name(c, LABEL, cname, 0)
    if doc.committee_abbreviation and doc.committee_abbreviation != cname:
        add(c, ALT_LABEL, text(doc.committee_abbreviation))
    if mu:
        add(c, SUB_ORG_OF, mu)
        add(c, MUNICIPALITY, mu)

    m = iris.meeting(code, cname, doc.date, doc.start_time, fallback=d.rsplit("/", 1)[-1])
    em.typed(m, C_MEETING)
    add(d, PRIMARY_TOPIC, m)
    add(m, HELD_BY, c)
    if mu:
        add(m, MUNICIPALITY, mu)
    add(m, LABEL, text(f"{cname} {doc.date or '(no date)'}"))
    add(m, DATE, date_lit(doc.date))
    add(m, START_TIME, time_lit(doc.start_time))
    add(m, END_TIME, time_lit(doc.end_time))
    add(m, LOCATION, text(doc.location))
    add(m, COMMITTEE_TERM, text(doc.committee_term))
    for field_name, span in sorted((doc.spans or {}).items()):
        prop = _HEADER_PROPS.get(field_name)
        if prop and span is not None:
            em.evidence("meeting", iris.slug(field_name, keep_dots=False), m, span, "header", prop=prop)

    # ---- persons (members and others), memberships, parties
    def person(name: str) -> str:
        key, canonical, ev = person_key(code, name)
        p = iris.person(code, key)
        em.typed(p, C_PERSON)
        em.name(p, NAME, canonical)
        em.name(p, LABEL, canonical)
        add(p, MENTIONED_AS, text(name))
        if mu:
            add(p, MUNICIPALITY, mu)
        return p

    absent_keys = {person_key(code, a)[0] for a in doc.absent if a and a.strip()}
    for mem in doc.members:
        if not mem.name or not mem.name.strip():
            continue
        p = person(mem.name)
        role = (mem.role or "").strip().lower() or None
        ms = iris.membership(c, p, role)
        em.typed(ms, C_MEMBERSHIP)
        add(ms, MEMBER, p)
        add(ms, ORGANIZATION, c)
        add(ms, OBSERVED_IN, m)
        em.name(ms, LABEL, f"{mem.name.strip()} in {cname}" + (f" ({role})" if role else ""))
        if role in ROLES:
            add(ms, ROLE, iris.role(role))
        em.evidence("member", p.rsplit("/", 1)[-1], ms, mem.span, mem.rule,
                    resolution=person_key(code, mem.name)[2])
        letter = (mem.party or "").strip().upper()
        if _PARTY_RE.match(letter):
            pa = iris.party(letter)
            em.typed(pa, C_PARTY)
            add(pa, NOTATION, text(letter))
            em.name(pa, LABEL, _party_name(letter) or f"Liste {letter}", 0)
            pm = iris.party_membership(p, letter)
            em.typed(pm, C_MEMBERSHIP)
            add(pm, MEMBER, p)
            add(pm, ORGANIZATION, pa)
            add(pm, OBSERVED_IN, m)
            em.name(pm, LABEL, f"{mem.name.strip()} ({letter})")
        if person_key(code, mem.name)[0] in absent_keys:
            add(m, ABSENT, p)
        else:
            add(m, PRESENT, p)
    member_keys = {person_key(code, x.name)[0] for x in doc.members if x.name and x.name.strip()}
    for a in doc.absent:
        if a and a.strip() and person_key(code, a)[0] not in member_keys:
            add(m, ABSENT, person(a))

    # ---- agenda items, decisions, cases
    item_by_number: dict[str, str] = {}
    ranges: list[tuple[int, int, str]] = []
    seen_numbers: dict[str, int] = {}
    for pos, it in enumerate(doc.items, start=1):
        num = (it.number or "").strip() or None
        key = num
        if num is not None:
            seen_numbers[num] = seen_numbers.get(num, 0) + 1
            if seen_numbers[num] > 1:
                key = f"{num}-{seen_numbers[num]}"
        i = iris.item(m, key, position=pos)
        if num is not None:
            item_by_number.setdefault(num, i)
        if it.span is not None and it.span.line:
            ranges.append((it.span.line, it.span.end_line or it.span.line, i))
        em.typed(i, C_ITEM)
        add(i, IN_MEETING, m)
        add(i, POSITION, integer(pos))
        add(i, IDENTIFIER, text(num))
        add(i, TITLE, text(it.title))
        add(i, LABEL, text(f"{num + '. ' if num else ''}{it.title or ''}"))
        add(i, PREFIX, text(it.prefix))
        add(i, CLOSED, _TRUE if it.closed else _FALSE)
        add(i, RECOMMENDATION, text(it.recommendation))
        for att in it.attachments:
            add(i, ATTACHMENT, text(att))
        for cn in it.case_numbers:
            if cn and cn.strip():
                cs = iris.case(code, cn.strip())
                em.typed(cs, C_CASE)
                add(cs, IDENTIFIER, text(cn.strip()))
                em.name(cs, LABEL, cn.strip())
                if mu:
                    add(cs, MUNICIPALITY, mu)
                add(i, REFERENCES, cs)
        for a in it.absent:
            if a and a.strip():
                add(i, ABSENT, person(a))
        em.evidence("item", i.rsplit("/", 1)[-1], i, it.span, it.rule)
        if it.decision or it.outcomes:
            dc = iris.decision(i)
            em.typed(dc, C_DECISION)
            add(dc, ON_ITEM, i)
            add(dc, DECIDED_BY, c)
            add(dc, DATE, date_lit(doc.date))
            add(dc, VALUE, text(it.decision))
            add(dc, LABEL, text(f"Decision on {num + '. ' if num else ''}{it.title or ''}"))
            for o in it.outcomes:
                if o in OUTCOMES:
                    add(dc, OUTCOME, iris.outcome(o))
            em.evidence("decision", i.rsplit("/", 1)[-1], dc, it.span, it.rule, prop=OUTCOME)
        for od in it.other_decisions:
            if not od.committee or not od.committee.strip():
                continue
            oc = iris.committee(code, od.committee.strip())
            em.typed(oc, C_COMMITTEE)
            em.name(oc, LABEL, od.committee.strip(), 1)
            if mu:
                add(oc, SUB_ORG_OF, mu)
                add(oc, MUNICIPALITY, mu)
            odc = iris.other_decision(i, od.committee.strip(), od.date)
            em.typed(odc, C_DECISION)
            add(odc, ON_ITEM, i)
            add(odc, DECIDED_BY, oc)
            add(odc, DATE, date_lit(od.date))
            add(odc, VALUE, text(od.text))
            em.name(odc, LABEL, f"{od.committee.strip()} {od.date or ''}".strip())
            for o in od.outcomes:
                if o in OUTCOMES:
                    add(odc, OUTCOME, iris.outcome(o))
            em.evidence("decision", odc.rsplit("/", 1)[-1], odc, od.span, "other-decision", prop=OUTCOME)

    ranges.sort()
    starts = [r[0] for r in ranges]

    def where(item_number: Optional[str], span) -> str:
        """The agenda item a record belongs to (by number, else by its line), else the meeting."""
        if item_number:
            i = item_by_number.get(str(item_number).strip())
            if i:
                return i
        if span is not None and span.line and ranges:
            k = bisect_right(starts, span.line) - 1
            if k >= 0 and ranges[k][0] <= span.line <= ranges[k][1]:
                return ranges[k][2]
        return m

    # ---- organisations
    for org in doc.organizations:
        if not org.name or not org.name.strip():
            continue
        o = _organization(org.name, em, kind=org.kind, aliases=org.aliases)
        add(where(None, org.span), MENTIONS, o)
        em.evidence("organization", o.rsplit("/", 1)[-1], o, org.span, org.rule, resolution=org_key(org.name)[2])

    # ---- other municipalities
    own = iris.municipality(code) if mrec is not None else None
    for mm in doc.mentioned_municipalities:
        rec = municipality(mm.name) if mm.name else None
        if rec is None and mm.code:
            from .gazetteer import municipality_by_code
            rec = municipality_by_code(mm.code)
        if rec is None:
            continue
        u = _municipality(rec, em, surface=mm.name)
        if u != own:
            add(where(None, mm.span), MENTIONS, u)
        em.evidence("municipality", u.rsplit("/", 1)[-1], u, mm.span, "mention")

    # ---- other persons
    for pr in doc.persons:
        if not pr.name or not pr.name.strip():
            continue
        p = person(pr.name)
        add(p, JOB_TITLE, text(pr.role))
        add(p, AFFILIATION_NAME, text(pr.affiliation))
        add(where(pr.item, pr.span), MENTIONS, p)
        em.evidence("person", p.rsplit("/", 1)[-1], p, pr.span, pr.rule, resolution=person_key(code, pr.name)[2])

    # ---- projects
    for prj in doc.projects:
        if not prj.name or not prj.name.strip():
            continue
        key, canonical, ev = project_key(prj.name)
        pj = iris.project(key)
        em.typed(pj, C_PROJECT)
        em.name(pj, LABEL, canonical, 0)
        add(pj, MENTIONED_AS, text(prj.name))
        for a in prj.aliases:
            if a and a != canonical:
                add(pj, ALT_LABEL, text(a))
        for f in prj.funders:
            add(pj, FUNDER, _name_target(f, em))
        for mn in prj.municipalities:
            rec = municipality(mn)
            if rec is not None:
                add(pj, PARTICIPANT, _municipality(rec, em, surface=mn))
        for pt in prj.partners:
            add(pj, PARTNER, _name_target(pt, em))
        add(pj, START_DATE, date_lit(prj.start))
        add(pj, END_DATE, date_lit(prj.end))
        add(where(prj.item, prj.span), MENTIONS, pj)
        em.evidence("project", pj.rsplit("/", 1)[-1], pj, prj.span, prj.rule, resolution=ev)

    # ---- grants
    for gr in doc.grants:
        if not gr.funder or not gr.funder.strip():
            continue
        fu = _name_target(gr.funder, em)
        recips = sorted({t for t in (_name_target(r, em) for r in gr.recipients) if t})
        pj = None
        if gr.project and gr.project.strip():
            key, canonical, ev = project_key(gr.project)
            pj = iris.project(key)
            em.typed(pj, C_PROJECT)
            em.name(pj, LABEL, canonical, 1)
            add(pj, MENTIONED_AS, text(gr.project))
        g = iris.grant(fu, "|".join(recips), amount_key(gr.amount), pj or "", (gr.programme or "").strip(),
                       gr.per or "", gr.start or "", gr.end or "")
        em.typed(g, C_GRANT)
        add(g, FUNDER, fu)
        for r in recips:
            add(g, RECIPIENT, r)
        if pj:
            add(g, FUNDED_ITEM, pj)
        amt = decimal_lit(gr.amount)
        if amt is not None:
            add(g, AMOUNT, amt)
            add(g, CURRENCY, text("DKK"))
        per = {"year": "P1Y", "month": "P1M", "quarter": "P3M", "week": "P1W"}.get((gr.per or "").strip().lower())
        if per:
            add(g, PER_PERIOD, f'"{per}"{_DT["duration"]}')
        add(g, PROGRAMME, text(gr.programme))
        add(g, START_DATE, date_lit(gr.start))
        add(g, END_DATE, date_lit(gr.end))
        label = f"{gr.funder.strip()} grant" + (f" {decimal_str(gr.amount)} DKK" if amt is not None else "") + \
            (f" to {gr.project.strip()}" if gr.project else "")
        add(g, LABEL, text(label))
        add(where(gr.item, gr.span), MENTIONS, g)
        em.evidence("grant", g.rsplit("/", 1)[-1], g, gr.span, gr.rule)

    return em
