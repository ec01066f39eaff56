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
from itertools import chain
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
# While mapping, every RDF term is kept as its N-Triples text, already UTF-8 encoded: an IRI is
# b"<https://...>" (see term()), a literal b'"..."' or b'"..."^^<datatype>'. One output line is the
# 4-tuple (subject, b" <predicate> ", object, b" <graph> .\n"); a document's N-Quads are those tuples
# joined in first-seen order. So no line is formatted twice and no pass encodes the whole output
# (encoding term by term gives the same bytes: UTF-8 encodes each character on its own).
@lru_cache(maxsize=500_000)
def N(iri: str) -> NamedNode:
    return NamedNode(iri)


def term(iri: str) -> bytes:
    """An IRI as an N-Triples term: b"<iri>"."""
    return f"<{iri}>".encode()


class _Memo(dict):
    """A dict that computes a missing value with ``fn`` and keeps it (emptied when it reaches ``limit``).

    A lookup that hits costs one dict access, not a Python call: used for the small pure functions
    called for almost every triple (predicate terms, integer literals).
    """

    __slots__ = ("fn", "limit")

    def __init__(self, fn, limit: int = 100_000):
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key):
        v = self.fn(key)
        if len(self) >= self.limit:
            self.clear()
        self[key] = v
        return v


_PRED = _Memo(lambda p: f" <{p}> ".encode())      # predicate IRI -> b" <p> " (the spaces around it included)
_OBJ = _Memo(term)                                 # IRI of a constant object (class, concept) -> b"<iri>"
_SLUGS = _Memo(iris.slug)                          # iris.slug(x) (x: str), without a Python call when known

_ESC = re.compile(r'["\\\n\r]')
_ESC_MAP = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_DT = {k: f"^^<{XSD}{k}>" for k in ("date", "gYearMonth", "gYear", "time", "integer", "decimal", "boolean",
                                     "duration")}
_INT = _DT["integer"]
_TRUE = ('"true"' + _DT["boolean"]).encode()
_FALSE = ('"false"' + _DT["boolean"]).encode()


def _lit(value: str, dt: str = "") -> bytes:
    if _ESC.search(value):
        value = _ESC.sub(lambda m: _ESC_MAP[m.group(0)], value)
    return f'"{value}"{dt}'.encode()


_CTRL_OR_ESC = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\\ud800-\udfff\ufffe\uffff]')   # _CTRL or _ESC


def _text(s) -> Optional[bytes]:
    if s is None:
        return None
    s = str(s)
    if not _CTRL_OR_ESC.search(s):      # nothing to remove or escape (most text): one scan
        s = s.strip()
        return f'"{s}"'.encode() if s else None
    if _CTRL.search(s):
        s = _CTRL.sub("", s)
    s = s.strip()
    return _lit(s) if s else None


class _TextMemo(dict):
    """text() results for short strings (titles, names, rules): most repeat across documents."""

    __slots__ = ()

    def __missing__(self, s):
        v = _text(s)
        if s is None or (type(s) is str and len(s) < 200):    # long texts (decisions) rarely repeat: not kept
            if len(self) >= 200_000:
                self.clear()
            self[s] = v
        return v


_TEXTS = _TextMemo()


def text(s) -> Optional[bytes]:
    """A plain (xsd:string) literal with characters RDF/XML cannot carry removed; None if empty."""
    try:
        return _TEXTS[s]
    except TypeError:          # unhashable: computed, not kept
        return _text(s)


def _integer(n) -> bytes:
    return f'"{int(n)}"{_INT}'.encode()


_INTS = _Memo(_integer, 10_000)    # equal keys (1, 1.0, True) have equal int(): sharing their entry is exact


def integer(n) -> bytes:
    return _integer(n)


def date_lit(s) -> Optional[bytes]:
    """xsd:date for YYYY-MM-DD (also gYearMonth / gYear for partial dates); None if not a date."""
    if not s:
        return None
    s = str(s).strip()
    if _DATE_RE.match(s):
        try:
            _date(int(s[:4]), int(s[5:7]), int(s[8:10]))
        except ValueError:
            return None
        return f'"{s}"{_DT["date"]}'.encode()
    if _YM_RE.match(s) and 1 <= int(s[5:7]) <= 12:
        return f'"{s}"{_DT["gYearMonth"]}'.encode()
    if _Y_RE.match(s):
        return f'"{s}"{_DT["gYear"]}'.encode()
    return None


def time_lit(s) -> Optional[bytes]:
    """xsd:time ("16:30" -> "16:30:00"); None if not a time of day."""
    if not s:
        return None
    m = _TIME_RE.match(str(s).strip())
    if not m:
        return None
    h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or se > 59:
        return None
    return f'"{h:02d}:{mi:02d}:{se:02d}"{_DT["time"]}'.encode()


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


def decimal_lit(x) -> Optional[bytes]:
    v = decimal_str(x)
    return None if v is None else f'"{v}"{_DT["decimal"]}'.encode()


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
_EVIDENCE_O = term(C_EVIDENCE)
_P_TYPE = _PRED[TYPE]
_P_DERIVED = _PRED[DERIVED_FROM]
_P_ABOUT, _P_DOCUMENT, _P_PROPERTY = _PRED[ABOUT], _PRED[DOCUMENT], _PRED[PROPERTY]
_P_PAGE, _P_LINE, _P_END_LINE = _PRED[PAGE], _PRED[LINE], _PRED[END_LINE]
_P_RULE, _P_CONFIDENCE, _P_RESOLUTION = _PRED[RULE], _PRED[CONFIDENCE], _PRED[RESOLUTION]
# (predicate, object) of the rdf:type lines of a class: the class itself, then its standard extra classes
_TYPE_LINES = _Memo(lambda cls: tuple((_P_TYPE, term(c)) for c in (cls, *EXTRA_TYPES.get(cls, ()))))
_OUTCOME_TERMS = {o: term(iris.outcome(o)) for o in OUTCOMES}
_ROLE_TERMS = {r: term(iris.role(r)) for r in ROLES}


def _term(iri: Optional[str]) -> Optional[bytes]:
    return None if iri is None else term(iri)


class _Emitter:
    """Collects the triples of one document graph as N-Quads lines; dedupes, keeps first-seen order.

    Subjects and objects are N-Triples terms (bytes, see the term helpers); predicates are given as IRIs.
    """

    __slots__ = ("g", "D", "sep", "t", "keys", "names", "prov")

    def __init__(self, graph_iri: str):
        self.g = graph_iri
        self.D = term(graph_iri)                        # the document (= graph) as a term
        self.sep = f" <{graph_iri}> .\n".encode()        # the end of every line
        self.t: dict = {}          # (subject, b" <predicate> ", object, end of line) -> None, in first-seen order
        self.keys: dict[str, int] = {}
        self.names: dict = {}      # (subject, predicate) -> (rank, literal): one label/name per entity and graph
        self.prov = iris.provenance(graph_iri) + "/"    # evidence IRIs are this + <kind>/<key>

    def add(self, s: bytes, p: str, o: Optional[bytes]) -> None:
        """o: a term from the helpers above, or None (then nothing is added)."""
        if o is not None:
            self.t[(s, _PRED[p], o, self.sep)] = None

    def name(self, s: bytes, p: str, value, rank: int = 1) -> None:
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

    def typed(self, s: bytes, cls: str) -> None:
        t, sep = self.t, self.sep
        for p, o in _TYPE_LINES[cls]:
            t[(s, p, o, sep)] = None
        if s != self.D:
            t[(s, _P_DERIVED, self.D, sep)] = None

    def evidence(self, kind: str, key: str, about: bytes, span=None, rule: str = "",
                 prop: Optional[str] = None, resolution: Optional[str] = None) -> None:
        """A provenance node for one record; keys (str) repeat-safe (``key``, ``key-2`` ...)."""
        k = (kind, key)
        n = self.keys.get(k, 0) + 1
        self.keys[k] = n
        if n > 1:
            key = f"{key}-{n}"
        # = term(iris.provenance(doc, kind, key)), with the document part computed once per document
        E = (f"<{self.prov}{_SLUGS[kind]}/{_SLUGS[key]}>" if key else f"<{self.prov}{_SLUGS[kind]}>").encode()
        t, sep = self.t, self.sep
        t[(E, _P_TYPE, _EVIDENCE_O, sep)] = None
        t[(E, _P_ABOUT, about, sep)] = None
        t[(E, _P_DOCUMENT, self.D, sep)] = None
        if prop:
            t[(E, _P_PROPERTY, _OBJ[prop], sep)] = None
        if span is not None:
            page, line, end = span.page, span.line, span.end_line
            if page and page > 0:
                t[(E, _P_PAGE, _INTS[page], sep)] = None
            if line and line > 0:
                t[(E, _P_LINE, _INTS[line], sep)] = None
                if end and end > line:
                    t[(E, _P_END_LINE, _INTS[end], sep)] = None
        if rule:
            r = text(rule)
            if r is not None:          # a rule of only blanks/control characters has no text to keep
                t[(E, _P_RULE, r, sep)] = None
            if "@" in rule:
                m = _RULE_CONF.search(rule)
                if m:
                    t[(E, _P_CONFIDENCE, decimal_lit(m.group(1)), sep)] = None
        if resolution:
            r = text(resolution)
            if r:
                t[(E, _P_RESOLUTION, r, sep)] = None

    def nquads(self) -> bytes:
        sep = self.sep
        names = [(s, _PRED[p], lit, sep) for (s, p), (_r, lit) in self.names.items()]
        return b"".join(chain.from_iterable(chain(self.t, names)))

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
    U = term(u)
    em.typed(U, C_MUNICIPALITY)
    em.name(U, LABEL, m.name, 0)
    em.add(U, NOTATION, text(f"{int(m.code):03d}"))
    if getattr(m, "region", None):
        em.add(U, REGION, text(m.region))
    if getattr(m, "wikidata", None) and _QID_RE.match(m.wikidata):
        em.add(U, SAME_AS, term(WD + m.wikidata))
    if surface and surface != m.name:
        em.add(U, MENTIONED_AS, text(surface))
    return u


def _organization(name: str, em: _Emitter, kind: Optional[str] = None, aliases=()) -> str:
    key, canonical, _ev = org_key(name)
    o = iris.organization(key)
    O = term(o)
    em.typed(O, C_ORGANIZATION)
    em.name(O, LABEL, canonical, 1 if kind is None else 0)
    em.add(O, MENTIONED_AS, text(name))
    for a in aliases:
        if a and a != canonical:
            em.add(O, ALT_LABEL, text(a))
    if kind:
        k = kind.strip().lower()
        em.add(O, KIND, text(k if k in ORG_KINDS else "other"))
    qid = _org_wikidata().get(key)
    if qid and _QID_RE.match(qid):
        em.add(O, SAME_AS, term(WD + qid))
    return o


def _map(doc: Document) -> _Emitter:
    # Lower-case names hold IRIs (str, to build further IRIs from), upper-case ones the same entity as an
    # N-Triples term (bytes, for the triples).
    d = document_iri(doc)
    em = _Emitter(d)
    add = em.add
    D = em.D

    # ---- the source document
    em.typed(D, C_DOCUMENT)
    add(D, LABEL, text(doc.source))
    add(D, TITLE, text(doc.source))
    if doc.sha256:
        add(D, SHA256_P, text(doc.sha256.lower()))
    for w in doc.warnings:
        add(D, WARNING, text(w))
    if doc.toc_titles:   # the parser warns "toc entry not found in body: <title>" for each one it missed
        missed = sum(1 for w in doc.warnings if w.startswith(TOC_MISSED_WARNING))
        add(D, TOC_ENTRIES, integer(len(doc.toc_titles)))
        add(D, TOC_MATCHED, integer(max(0, len(doc.toc_titles) - missed)))

    # ---- municipality, committee, meeting
    mrec = municipality(doc.municipality)
    if mrec is not None:
        code = mrec.code
        mu = _municipality(mrec, em, surface=doc.municipality)
    elif doc.municipality:
        code = iris.slug(doc.municipality, keep_dots=False)
        mu = iris.municipality(code)
        em.typed(term(mu), C_MUNICIPALITY)
        em.name(term(mu), LABEL, doc.municipality, 0)
    else:
        code, mu = None, None
    MU = _term(mu)

    cname = doc.committee or doc.committee_abbreviation or "unknown committee"
    c = iris.committee(code, cname)
    C = term(c)
    em.typed(C, C_COMMITTEE)
    em.name(C, LABEL, cname, 0)
    if doc.committee_abbreviation and doc.committee_abbreviation != cname:
        add(C, ALT_LABEL, text(doc.committee_abbreviation))
    if MU:
        add(C, SUB_ORG_OF, MU)
        add(C, MUNICIPALITY, MU)

    m = iris.meeting(code, cname, doc.date, doc.start_time, fallback=d.rsplit("/", 1)[-1])
    M = term(m)
    em.typed(M, C_MEETING)
    add(D, PRIMARY_TOPIC, M)
    add(M, HELD_BY, C)
    if MU:
        add(M, MUNICIPALITY, MU)
    add(M, LABEL, text(f"{cname} {doc.date or '(no date)'}"))
    date = date_lit(doc.date)
    add(M, DATE, date)
    add(M, START_TIME, time_lit(doc.start_time))
    add(M, END_TIME, time_lit(doc.end_time))
    add(M, LOCATION, text(doc.location))
    add(M, COMMITTEE_TERM, text(doc.committee_term))
    for field_name, span in sorted((doc.spans or {}).items()):
        prop = _HEADER_PROPS.get(field_name)
        if prop and span is not None:
            em.evidence("meeting", iris.slug(field_name, keep_dots=False), M, span, "header", prop=prop)

    # ---- persons (members and others), memberships, parties
    persons: dict[str, tuple[str, bytes]] = {}

    def person(name: str) -> tuple[str, bytes]:
        """(IRI, term) of a person named in this document; a name seen before adds nothing new."""
        hit = persons.get(name)
        if hit is not None:
            return hit
        key, canonical, ev = person_key(code, name)
        p = iris.person(code, key)
        P = term(p)
        em.typed(P, C_PERSON)
        em.name(P, NAME, canonical)
        em.name(P, LABEL, canonical)
        add(P, MENTIONED_AS, text(name))
        if MU:
            add(P, MUNICIPALITY, MU)
        persons[name] = hit = (p, P)
        return hit

    absent_keys = {person_key(code, a)[0] for a in doc.absent if a and a.strip()}
    parties: dict[str, bytes] = {}
    for mem in doc.members:
        if not mem.name or not mem.name.strip():
            continue
        p, P = person(mem.name)
        pkey, _canonical, resolution = person_key(code, mem.name)
        role = (mem.role or "").strip().lower() or None
        ms = iris.membership(c, p, role)
        MS = term(ms)
        em.typed(MS, C_MEMBERSHIP)
        add(MS, MEMBER, P)
        add(MS, ORGANIZATION, C)
        add(MS, OBSERVED_IN, M)
        em.name(MS, LABEL, f"{mem.name.strip()} in {cname}" + (f" ({role})" if role else ""))
        if role in ROLES:
            add(MS, ROLE, _ROLE_TERMS[role])
        em.evidence("member", p.rsplit("/", 1)[-1], MS, mem.span, mem.rule, resolution=resolution)
        letter = (mem.party or "").strip().upper()
        if _PARTY_RE.match(letter):
            PA = parties.get(letter)
            if PA is None:             # the party's own triples once per document
                parties[letter] = PA = term(iris.party(letter))
                em.typed(PA, C_PARTY)
                add(PA, NOTATION, text(letter))
                em.name(PA, LABEL, _party_name(letter) or f"Liste {letter}", 0)
            PM = term(iris.party_membership(p, letter))
            em.typed(PM, C_MEMBERSHIP)
            add(PM, MEMBER, P)
            add(PM, ORGANIZATION, PA)
            add(PM, OBSERVED_IN, M)
            em.name(PM, LABEL, f"{mem.name.strip()} ({letter})")
        if pkey in absent_keys:
            add(M, ABSENT, P)
        else:
            add(M, PRESENT, P)
    member_keys = {person_key(code, x.name)[0] for x in doc.members if x.name and x.name.strip()}
    for a in doc.absent:
        if a and a.strip() and person_key(code, a)[0] not in member_keys:
            add(M, ABSENT, person(a)[1])

    # ---- agenda items, decisions, cases
    item_by_number: dict[str, bytes] = {}
    ranges: list[tuple[int, int, str, bytes]] = []
    seen_numbers: dict[str, int] = {}
    for pos, it in enumerate(doc.items, start=1):
        num = (it.number or "").strip() or None
        key = num
        if num is not None:
            seen_numbers[num] = seen_numbers.get(num, 0) + 1
            if seen_numbers[num] > 1:
                key = f"{num}-{seen_numbers[num]}"
        i = iris.item(m, key, position=pos)
        I = term(i)
        if num is not None:
            item_by_number.setdefault(num, I)
        if it.span is not None and it.span.line:
            ranges.append((it.span.line, it.span.end_line or it.span.line, i, I))
        em.typed(I, C_ITEM)
        add(I, IN_MEETING, M)
        add(I, POSITION, _INTS[pos])
        add(I, IDENTIFIER, text(num))
        add(I, TITLE, text(it.title))
        ilabel = f"{num + '. ' if num else ''}{it.title or ''}"
        add(I, LABEL, text(ilabel))
        add(I, PREFIX, text(it.prefix))
        add(I, CLOSED, _TRUE if it.closed else _FALSE)
        add(I, RECOMMENDATION, text(it.recommendation))
        for att in it.attachments:
            add(I, ATTACHMENT, text(att))
        for cn in it.case_numbers:
            if cn and cn.strip():
                cn = cn.strip()
                CS = term(iris.case(code, cn))
                em.typed(CS, C_CASE)
                add(CS, IDENTIFIER, text(cn))
                em.name(CS, LABEL, cn)
                if MU:
                    add(CS, MUNICIPALITY, MU)
                add(I, REFERENCES, CS)
        for a in it.absent:
            if a and a.strip():
                add(I, ABSENT, person(a)[1])
        ikey = i.rsplit("/", 1)[-1]
        em.evidence("item", ikey, I, it.span, it.rule)
        if it.decision or it.outcomes:
            DC = term(iris.decision(i))
            em.typed(DC, C_DECISION)
            add(DC, ON_ITEM, I)
            add(DC, DECIDED_BY, C)
            add(DC, DATE, date)
            add(DC, VALUE, text(it.decision))
            add(DC, LABEL, text(f"Decision on {ilabel}"))
            for o in it.outcomes:
                if o in OUTCOMES:
                    add(DC, OUTCOME, _OUTCOME_TERMS[o])
            em.evidence("decision", ikey, DC, it.span, it.rule, prop=OUTCOME)
        for od in it.other_decisions:
            if not od.committee or not od.committee.strip():
                continue
            ocname = od.committee.strip()
            OC = term(iris.committee(code, ocname))
            em.typed(OC, C_COMMITTEE)
            em.name(OC, LABEL, ocname, 1)
            if MU:
                add(OC, SUB_ORG_OF, MU)
                add(OC, MUNICIPALITY, MU)
            odc = iris.other_decision(i, ocname, od.date)
            ODC = term(odc)
            em.typed(ODC, C_DECISION)
            add(ODC, ON_ITEM, I)
            add(ODC, DECIDED_BY, OC)
            add(ODC, DATE, date_lit(od.date))
            add(ODC, VALUE, text(od.text))
            em.name(ODC, LABEL, f"{ocname} {od.date or ''}".strip())
            for o in od.outcomes:
                if o in OUTCOMES:
                    add(ODC, OUTCOME, _OUTCOME_TERMS[o])
            em.evidence("decision", odc.rsplit("/", 1)[-1], ODC, od.span, "other-decision", prop=OUTCOME)

    ranges.sort()
    starts = [r[0] for r in ranges]

    def where(item_number: Optional[str], span) -> bytes:
        """The agenda item a record belongs to (by number, else by its line), else the meeting."""
        if item_number:
            i = item_by_number.get(str(item_number).strip())
            if i:
                return i
        if span is not None and span.line and ranges:
            k = bisect_right(starts, span.line) - 1
            if k >= 0 and ranges[k][0] <= span.line <= ranges[k][1]:
                return ranges[k][3]
        return M

    # ---- organisations
    for org in doc.organizations:
        if not org.name or not org.name.strip():
            continue
        o = _organization(org.name, em, kind=org.kind, aliases=org.aliases)
        O = term(o)
        add(where(None, org.span), MENTIONS, O)
        em.evidence("organization", o.rsplit("/", 1)[-1], O, org.span, org.rule, resolution=org_key(org.name)[2])

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
        U = term(u)
        if u != own:
            add(where(None, mm.span), MENTIONS, U)
        em.evidence("municipality", u.rsplit("/", 1)[-1], U, mm.span, "mention")

    # ---- other persons
    for pr in doc.persons:
        if not pr.name or not pr.name.strip():
            continue
        p, P = person(pr.name)
        add(P, JOB_TITLE, text(pr.role))
        add(P, AFFILIATION_NAME, text(pr.affiliation))
        add(where(pr.item, pr.span), MENTIONS, P)
        em.evidence("person", p.rsplit("/", 1)[-1], P, pr.span, pr.rule, resolution=person_key(code, pr.name)[2])

    # ---- projects
    for prj in doc.projects:
        if not prj.name or not prj.name.strip():
            continue
        key, canonical, ev = project_key(prj.name)
        pj = iris.project(key)
        PJ = term(pj)
        em.typed(PJ, C_PROJECT)
        em.name(PJ, LABEL, canonical, 0)
        add(PJ, MENTIONED_AS, text(prj.name))
        for a in prj.aliases:
            if a and a != canonical:
                add(PJ, ALT_LABEL, text(a))
        for f in prj.funders:
            add(PJ, FUNDER, _term(_name_target(f, em)))
        for mn in prj.municipalities:
            rec = municipality(mn)
            if rec is not None:
                add(PJ, PARTICIPANT, term(_municipality(rec, em, surface=mn)))
        for pt in prj.partners:
            add(PJ, PARTNER, _term(_name_target(pt, em)))
        add(PJ, START_DATE, date_lit(prj.start))
        add(PJ, END_DATE, date_lit(prj.end))
        add(where(prj.item, prj.span), MENTIONS, PJ)
        em.evidence("project", pj.rsplit("/", 1)[-1], PJ, prj.span, prj.rule, resolution=ev)

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
            PJ = term(pj)
            em.typed(PJ, C_PROJECT)
            em.name(PJ, LABEL, canonical, 1)
            add(PJ, MENTIONED_AS, text(gr.project))
        g = iris.grant(fu, "|".join(recips), amount_key(gr.amount), pj or "", (gr.programme or "").strip(),
                       gr.per or "", gr.start or "", gr.end or "")
        G = term(g)
        em.typed(G, C_GRANT)
        add(G, FUNDER, term(fu))
        for r in recips:
            add(G, RECIPIENT, term(r))
        if pj:
            add(G, FUNDED_ITEM, term(pj))
        amt = decimal_lit(gr.amount)
        if amt is not None:
            add(G, AMOUNT, amt)
            add(G, CURRENCY, text("DKK"))
        per = {"year": "P1Y", "month": "P1M", "quarter": "P3M", "week": "P1W"}.get((gr.per or "").strip().lower())
        if per:
            add(G, PER_PERIOD, f'"{per}"{_DT["duration"]}'.encode())
        add(G, PROGRAMME, text(gr.programme))
        add(G, START_DATE, date_lit(gr.start))
        add(G, END_DATE, date_lit(gr.end))
        label = f"{gr.funder.strip()} grant" + (f" {decimal_str(gr.amount)} DKK" if amt is not None else "") + \
            (f" to {gr.project.strip()}" if gr.project else "")
        add(G, LABEL, text(label))
        add(where(gr.item, gr.span), MENTIONS, G)
        em.evidence("grant", g.rsplit("/", 1)[-1], G, gr.span, gr.rule)

    return em
