"""Graph views of the store for Gephi / GraphML / pictures, computed from index scans.

A raw triple dump is useless in Gephi, so a view projects the RDF graph onto the
things people explore:

* ``entities`` (default): municipalities, committees, persons, parties, organisations,
  funders and projects as nodes; memberships, governing, funding, grants, partnerships,
  participation and mentions as typed edges whose weight is the number of supporting
  source documents (= meetings; every document is one named graph).
* ``meetings``: the entities view plus meetings and agenda items (held by, on agenda,
  attended, mentions).
* ``full``: every IRI resource as a node (literal values as attributes), every IRI-valued
  triple except ``rdf:type`` as an edge.

Nothing is copied into a Python graph. The ``entities`` and ``meetings`` views
(:class:`ScanView`) stream the few predicates they need from the store's named-graph index
(one single-pattern query per predicate, no SPARQL join or aggregate), join them per
document graph and aggregate per (source, target) in Python, then yield :class:`Node` /
:class:`Edge` rows one at a time to a streaming writer (:mod:`kg.gexf`, :mod:`kg.graphml`).
The previous implementation, SPARQL ``GROUP BY`` queries evaluated in the store, is kept as
:class:`SparqlEntitiesView` / :class:`SparqlMeetingsView` (``make_view(..., sparql=True)``):
the tests check that both give the same nodes and edges; the ``full`` view is still SPARQL.

Node type is read from the IRI path that :mod:`kg.iris` builds
(``kgd:<type>/...``), which is stable whatever classes the ontology assigns; the
predicates are the constants of :mod:`kg.mapping` (see :func:`_terms_from_mapping`).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, NamedTuple, Optional
from urllib.parse import unquote

import pyoxigraph as ox

from .iris import DATA

# --------------------------------------------------------------------------- vocabulary
def _terms_from_mapping() -> dict:
    """Predicates used by the views, by role, as SPARQL property paths (alternatives with |).

    Taken from :mod:`kg.mapping` (the one module that names predicates); the second
    alternative of each entry keeps the views working on stores that use the standard
    terms of the reuse table (anchors.md section 11) instead."""
    try:
        from . import mapping as m
    except Exception:  # pragma: no cover - a broken mapping must not break exports
        m = None

    def g(name, default):
        return getattr(m, name, None) or default

    def path(*iris):
        seen = []
        for i in iris:
            if i and i not in seen:
                seen.append(i)
        return "|".join(f"<{i}>" for i in seen)

    RDFS, SKOS, FOAF, DCT = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#",
                             "http://xmlns.com/foaf/0.1/", "http://purl.org/dc/terms/")
    ORG, BES, SCH, KG = ("http://www.w3.org/ns/org#", "http://data.vlaanderen.be/ns/besluit#",
                         "http://schema.org/", "https://w3id.org/kgdk/ontology#")
    return {
        "label": path(g("LABEL", RDFS + "label"), SKOS + "prefLabel", g("NAME", FOAF + "name"),
                      SCH + "name", g("TITLE", DCT + "title")),
        "notation": path(g("NOTATION", SKOS + "notation"), g("IDENTIFIER", DCT + "identifier")),
        "governs": path(g("SUB_ORG_OF", ORG + "subOrganizationOf"), BES + "bestuurt"),
        "member": path(g("MEMBER", ORG + "member")),
        "organization": path(g("ORGANIZATION", ORG + "organization")),
        "role": path(g("ROLE", ORG + "role")),
        "held_by": path(g("HELD_BY", BES + "isGehoudenDoor")),
        "meeting_date": path(g("DATE", DCT + "date"), "http://www.w3.org/ns/prov#startedAtTime"),
        "funder": path(g("FUNDER", SCH + "funder"), "http://purl.org/cerif/frapo/isAwardedBy"),
        "funded": path(g("FUNDED_ITEM", SCH + "fundedItem"), "http://purl.org/cerif/frapo/funds"),
        "recipient": path(g("RECIPIENT", KG + "recipient")),
        "partner": path(g("PARTNER", KG + "partner")),
        "participant": path(g("PARTICIPANT", KG + "participant")),
        "mentions": path(g("MENTIONS", KG + "mentions"), DCT + "references"),
        "in_meeting": path(g("IN_MEETING", KG + "meeting"), BES + "aangebrachtNa"),
        "present": path(g("PRESENT", KG + "present"), BES + "heeftAanwezigeBijStart"),
    }


def _load_terms() -> dict:
    return _terms_from_mapping()


# Node kinds (first IRI path segment under kgd:) per view, and their display type.
ENTITY_KINDS = {"municipality": "Municipality", "committee": "Committee", "person": "Person",
                "party": "Party", "organization": "Organization", "project": "Project"}
MEETING_KINDS = {"meeting": "Meeting", "item": "AgendaItem"}

# Colours per type (tab10-like, readable on white and on Gephi's dark background)
COLORS = {
    "Municipality": (31, 119, 180), "Committee": (255, 127, 14), "Person": (44, 160, 44),
    "Party": (148, 103, 189), "Organization": (140, 86, 75), "Funder": (214, 39, 40),
    "Project": (23, 190, 207), "Meeting": (188, 189, 34), "AgendaItem": (127, 127, 127),
    "Grant": (227, 119, 194), "Decision": (174, 199, 232), "Case": (255, 187, 120),
    "Document": (199, 199, 199), "Other": (90, 90, 90),
}

NODE_ATTRS = [("type", "string"), ("municipality", "string"), ("municipality_code", "string"),
              ("ids", "string"), ("documents", "integer"), ("iri", "string")]
EDGE_ATTRS = [("type", "string"), ("role", "string"), ("documents", "integer"),
              ("first", "string"), ("last", "string")]


class Node(NamedTuple):
    id: str
    label: str
    attrs: dict
    color: Optional[tuple] = None
    size: Optional[float] = None
    spells: Optional[list] = None


class Edge(NamedTuple):
    source: str
    target: str
    weight: float
    attrs: dict
    start: Optional[str] = None
    end: Optional[str] = None
    label: Optional[str] = None
    spells: Optional[list] = None
    dyn: Optional[dict] = None


# --------------------------------------------------------------------------- labels
_KIND_RE = re.compile(re.escape(DATA) + r"([a-z]+)/(.*)$")


def kind_of(iri: str) -> Optional[str]:
    m = _KIND_RE.match(iri)
    return m.group(1) if m else None


def readable_tail(iri: str) -> str:
    """A human-readable fallback label for an IRI: never the raw IRI.

    ``kgd:person/350/soeren-hansen`` -> ``Soeren Hansen``; ``kgd:meeting/350/jai/2024-03-06``
    -> ``jai 2024-03-06``; ``http://x/ns#SomeThing`` -> ``Some Thing``.
    """
    m = _KIND_RE.match(iri)
    if m:
        kind, rest = m.group(1), m.group(2)
        parts = [p for p in rest.split("/") if p]
        if kind in ("meeting", "item", "decision"):
            # <code>/<committee>/<date[-HHMM]>[/<item no>]: "JAI 2024-03-06 16:30 #3"
            parts = parts[1:] if parts and parts[0].isdigit() else parts
            out = []
            for i, p in enumerate(parts[:4]):
                dm = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:-(\d{2})(\d{2}))?", p)
                if dm:
                    out.append(dm.group(1) + (f" {dm.group(2)}:{dm.group(3)}" if dm.group(2) else ""))
                elif i == 0:
                    out.append(p.upper() if len(p) <= 6 else p.replace("-", " ").capitalize())
                else:
                    out.append(("#" if kind != "meeting" else "") + p.replace("-", " "))
            return " ".join(out) or kind
        if kind == "membership" and len(parts) >= 3:
            return " ".join(x.replace("-", " ") for x in parts[-2:]).title()
        tail = parts[-1] if parts else kind
        if kind in ("municipality",) and tail.isdigit():
            return f"Municipality {tail}"
        words = unquote(tail).replace("-", " ").replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else kind
    tail = re.split(r"[#/:]", iri.rstrip("/#"))[-1] or iri
    tail = unquote(tail)
    tail = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail).replace("_", " ").replace("-", " ")
    return tail.strip() or "resource"


def _lit(t) -> Optional[str]:
    return None if t is None else t.value


def _int(t) -> int:
    try:
        return int(t.value) if t is not None else 0
    except ValueError:
        return 0


def _date(t) -> Optional[str]:
    if t is None:
        return None
    v = t.value[:10]
    return v if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else None


# --------------------------------------------------------------------------- views
def _oxistore(store) -> ox.Store:
    from .export import oxistore
    return oxistore(store)


class View:
    """Base: subclasses define ``kinds`` and ``edge_queries``.

    Iterate :meth:`nodes` before :meth:`edges` (as every writer does: GEXF needs nodes
    first): edges whose ends were not written as nodes are dropped and counted in
    ``stats["skipped_edges"]``, so a file never has a dangling edge."""

    name = "view"
    description = ""
    node_attrs = NODE_ATTRS
    edge_attrs = EDGE_ATTRS
    dynamic = True

    def __init__(self, store):
        from .store import union_query_kwargs
        self.st = _oxistore(store)
        self._union_kw = union_query_kwargs(store)
        self.t = _load_terms()
        self._muni_labels: Optional[dict] = None
        self.stats = {"nodes": 0, "edges": 0, "skipped_edges": 0}
        self._ids: set = set()   # ids of the nodes written: an edge never points to a missing node

    # ---- helpers
    def q(self, sparql: str):
        return self.st.query(sparql, **self._union_kw)

    def kind_filter(self, var: str, kinds) -> str:
        alts = " || ".join(f'STRSTARTS(STR(?{var}), "{DATA}{k}/")' for k in kinds)
        return f"FILTER({alts})"

    def class_values(self, kinds) -> str:
        """The classes of the view's kinds: kg classes from kg.mapping plus the standard
        classes of the reuse table (a stores typed either way works). Typed nodes are
        selected through the type index (a STRSTARTS filter on every IRI was 4x slower);
        the kind itself is still read from the IRI."""
        try:
            from . import mapping as m
        except Exception:  # pragma: no cover
            m = None
        K = "https://w3id.org/kgdk/ontology#"
        std = {"municipality": ["http://data.vlaanderen.be/ns/besluit#Bestuurseenheid"],
               "committee": ["http://data.vlaanderen.be/ns/besluit#Bestuursorgaan"],
               "person": ["http://www.w3.org/ns/person#Person"],
               "party": [], "organization": ["http://www.w3.org/ns/org#Organization"],
               "project": ["http://xmlns.com/foaf/0.1/Project"],
               "meeting": ["http://data.vlaanderen.be/ns/besluit#Zitting"],
               "item": ["http://data.vlaanderen.be/ns/besluit#Agendapunt"]}
        own = {"municipality": "C_MUNICIPALITY", "committee": "C_COMMITTEE", "person": "C_PERSON",
               "party": "C_PARTY", "organization": "C_ORGANIZATION", "project": "C_PROJECT",
               "meeting": "C_MEETING", "item": "C_ITEM"}
        out = []
        for k in kinds:
            default = K + own[k][2:].title().replace("_", "") if k in own else None
            c = getattr(m, own.get(k, ""), None) if m is not None and k in own else None
            for iri in [c or default] + std.get(k, []):
                if iri and iri not in out:
                    out.append(iri)
        return " ".join(f"<{i}>" for i in out)

    def municipality_labels(self) -> dict:
        """code -> label of the municipalities in the store (at most ~100)."""
        if self._muni_labels is None:
            out = {}
            rows = self.q(f"""SELECT ?m (MIN(STR(?l)) AS ?label) WHERE {{
                {{ SELECT DISTINCT ?m WHERE {{ VALUES ?c {{ {self.class_values(['municipality'])} }} ?m a ?c }} }}
                {self.kind_filter('m', ['municipality'])}
                OPTIONAL {{ ?m {self.t['label']} ?l }} }} GROUP BY ?m""")
            for r in rows:
                code = r["m"].value.rsplit("/", 1)[-1]
                out[code] = _lit(r["label"]) or f"Municipality {code}"
            self._muni_labels = out
        return self._muni_labels

    def display_type(self, kind: str, funder: bool) -> str:
        if kind == "organization" and funder:
            return "Funder"
        return ENTITY_KINDS.get(kind) or MEETING_KINDS.get(kind) or kind.capitalize()

    # ---- nodes
    def nodes(self) -> Iterator[Node]:
        t = self.t
        kinds = list(self.kinds)
        # typed resources of the view's kinds; documents = graphs that state the type.
        # (Typed-only on purpose: a scan of every triple for untyped IRIs is 10x slower.)
        sel = " ?ndate" if "meeting" in kinds else ""
        sparql = f"""SELECT ?n ?label ?ids ?docs ?funder{sel} WHERE {{
          {{ SELECT ?n (COUNT(DISTINCT ?g) AS ?docs) WHERE {{
               VALUES ?c {{ {self.class_values(kinds)} }} GRAPH ?g {{ ?n a ?c }} }} GROUP BY ?n }}
          OPTIONAL {{ SELECT ?n (MIN(STR(?l)) AS ?label) WHERE {{ ?n {t['label']} ?l }} GROUP BY ?n }}
          OPTIONAL {{ SELECT ?n (GROUP_CONCAT(DISTINCT STR(?i); separator="; ") AS ?ids)
                      WHERE {{ ?n {t['notation']} ?i }} GROUP BY ?n }}
          OPTIONAL {{ SELECT DISTINCT ?n (true AS ?funder) WHERE {{ ?gr {t['funder']} ?n }} }}
          {self._node_date_pattern(kinds)}
        }}"""
        munis = self.municipality_labels()
        for r in self.q(sparql):
            iri = r["n"].value
            kind = kind_of(iri) or "other"
            if kind not in kinds:
                continue
            typ = self.display_type(kind, r["funder"] is not None)
            label = _lit(r["label"]) or readable_tail(iri)
            code = None
            rest = iri[len(DATA) + len(kind) + 1:]
            first = rest.split("/", 1)[0]
            if kind == "municipality" or (kind in ("committee", "person", "meeting", "item") and first.isdigit()):
                code = first
            docs = _int(r["docs"])
            attrs = {"type": typ, "municipality": munis.get(code) if code else None,
                     "municipality_code": code, "ids": _lit(r["ids"]), "documents": docs, "iri": iri}
            spells = None
            nd = _date(r["ndate"]) if "meeting" in kinds else None
            if nd:
                attrs["date"] = nd
                spells = [(nd, nd)]      # Gephi timeline: the meeting/item exists on its date
            self.stats["nodes"] += 1
            self._ids.add(iri)
            yield Node(iri, label, attrs, COLORS.get(typ, COLORS["Other"]), size=_size(docs), spells=spells)

    def _node_date_pattern(self, kinds) -> str:
        """Meetings and agenda items get the meeting date (only in views with meetings)."""
        if "meeting" not in kinds:
            return ""
        t = self.t
        return f"""OPTIONAL {{ SELECT ?n (MIN(STR(?nd0)) AS ?ndate) WHERE {{
                     {{ ?n {t['held_by']} ?c0 ; {t['meeting_date']} ?nd0 }} UNION
                     {{ ?n {t['in_meeting']} ?m0 . ?m0 {t['meeting_date']} ?nd0 }} }} GROUP BY ?n }}"""

    # ---- edges
    def edge_queries(self) -> list:
        """(edge type, SPARQL body binding ?s ?t ?g [?role] [?d]) per edge kind."""
        raise NotImplementedError

    def edges(self) -> Iterator[Edge]:
        date_path = self.t["meeting_date"]
        held = self.t["held_by"]
        # the date of a document = the date of its meeting; a sub-select evaluated once and
        # hash-joined on ?g (an OPTIONAL graph pattern here was evaluated per row: minutes)
        dates = f"""OPTIONAL {{ SELECT ?g (MIN(SUBSTR(STR(?dt), 1, 10)) AS ?d) WHERE {{
                      GRAPH ?g {{ ?mt {held} ?anyc ; {date_path} ?dt }} }} GROUP BY ?g }}"""
        for etype, body in self.edge_queries():
            sparql = f"""SELECT ?s ?t (COUNT(DISTINCT ?g) AS ?w) (MIN(?role0) AS ?role)
                           (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
                {body}
                {dates}
            }} GROUP BY ?s ?t"""
            for r in self.q(sparql):
                s, tgt = r["s"].value, r["t"].value
                if s == tgt:
                    continue
                if s not in self._ids or tgt not in self._ids:
                    self.stats["skipped_edges"] += 1
                    continue
                w = _int(r["w"]) or 1
                first, last = _date(r["first"]), _date(r["last"])
                if etype == "member" and tgt.startswith(_PARTY_PREFIX):
                    etype_row = "party"
                else:
                    etype_row = etype
                attrs = {"type": etype_row, "role": _lit(r["role"]), "documents": w,
                         "first": first, "last": last}
                self.stats["edges"] += 1
                yield Edge(s, tgt, float(w), attrs, start=first, end=last, label=etype_row)


_PARTY_PREFIX = DATA + "party/"


def _size(docs: int) -> float:
    return round(4.0 + 3.0 * (docs ** 0.5), 2)


class SparqlEntitiesView(View):
    """The entities view computed with SPARQL aggregates in the store (the implementation
    before :class:`EntitiesView`; kept for the sameness tests and ``bench/``: 165 s at 100k
    documents against the index-scan view)."""

    name = "entities"
    description = ("kg entities view: municipalities, committees, persons, parties, organisations, "
                   "funders, projects; edge weight = number of source documents")
    kinds = tuple(ENTITY_KINDS)

    def edge_queries(self) -> list:
        # Kind filters (STRSTARTS on every row) are used only where the predicate does not
        # already imply the kinds: they cost more than the join. Rows whose ends are not
        # nodes of the view are dropped by the id guard in edges().
        t = self.t
        kf = self.kind_filter
        return [
            # person -> committee (role) / party, from memberships (one query; "member" edges
            # to a party are renamed "party" in edges())
            ("member", f"""GRAPH ?g {{ ?ms {t['member']} ?s ; {t['organization']} ?t .
                               OPTIONAL {{ ?ms {t['role']} ?r }} }}
                           BIND(REPLACE(STR(?r), "^.*/", "") AS ?role0)"""),
            # committee -> its municipality
            ("part_of", f"""GRAPH ?g {{ ?s {t['governs']} ?t }} """),
            # funder -> project (through a grant, or stated on the project)
            ("funds", f"""GRAPH ?g {{ ?gr {t['funder']} ?s ; {t['funded']} ?t }}"""),
            ("funds", f"""GRAPH ?g {{ ?t {t['funder']} ?s }} {kf('t', ['project'])}"""),
            # funder -> grant recipient (municipality or organisation)
            ("grant", f"""GRAPH ?g {{ ?gr {t['funder']} ?s ; {t['recipient']} ?t }}"""),
            ("partner", f"""GRAPH ?g {{ ?s {t['partner']} ?t }}"""),
            ("participant", f"""GRAPH ?g {{ ?s {t['participant']} ?t }}"""),
            # committee -> entity named in one of its meetings (or their agenda items)
            # (joined through the item's meeting, never on ?g alone: a join on the graph
            # variable only was evaluated as a cross product, minutes at 20k documents)
            ("mentions", f"""{{ GRAPH ?g {{ ?x {t['mentions']} ?t . ?x {t['held_by']} ?s . }} }}
                             UNION
                             {{ GRAPH ?g {{ ?x {t['mentions']} ?t . ?x {t['in_meeting']} ?mt . ?mt {t['held_by']} ?s . }} }}
                             {kf('t', ['organization', 'project', 'municipality', 'party'])}"""),
        ]


class SparqlMeetingsView(SparqlEntitiesView):
    """The meetings view computed with SPARQL aggregates (see :class:`SparqlEntitiesView`)."""

    name = "meetings"
    description = "kg meetings view: the entities view plus meetings and agenda items"
    kinds = tuple(ENTITY_KINDS) + tuple(MEETING_KINDS)
    node_attrs = NODE_ATTRS + [("date", "string")]

    def edge_queries(self) -> list:
        t = self.t
        kf = self.kind_filter
        return super().edge_queries() + [
            ("held_by", f"""GRAPH ?g {{ ?s {t['held_by']} ?t }}"""),
            ("on_agenda", f"""GRAPH ?g {{ ?s {t['in_meeting']} ?t }}"""),
            ("attended", f"""GRAPH ?g {{ ?t {t['present']} ?s }}"""),
            ("item_mentions", f"""GRAPH ?g {{ ?s {t['mentions']} ?t }}
                                  {kf('t', ['organization', 'project', 'municipality', 'person', 'party'])}"""),
        ]


# --------------------------------------------------------------------------- index-scan views
_ROLE_RE = re.compile(r"^.*/")


def _role0(v: str) -> str:
    """``REPLACE(STR(?r), "^.*/", "")`` of the SPARQL view: the last IRI path segment."""
    return _ROLE_RE.sub("", v, count=1)


class ScanView(View):
    """A view computed from index scans instead of SPARQL aggregates.

    Each predicate a view needs (every alternative of :func:`_terms_from_mapping`) is
    streamed once with a single-pattern ``SELECT ?s ?o ?g WHERE { GRAPH ?g { ?s <p> ?o } }``
    (no join, no aggregate: oxigraph walks its named-graph index and hands over rows; this
    is 1.9x the rows/s of ``Store.quads_for_pattern(None, p, None, None)``, which also walks
    the default graph = the materialised union). The joins within a document graph (a
    membership's person and committee, a grant's funder and project, an item's meeting and
    committee) are dicts keyed by (node, graph), and the edges are aggregated in Python per
    (source, target): the set of graphs (weight), the roles, the graphs' meeting dates.

    The result is the same as the SPARQL view (:class:`SparqlEntitiesView`) node for node and
    edge for edge, including SPARQL's rule that MIN/MAX over a group with an unbound value is
    unbound (a membership without a role in one document -> no role; a document without a
    meeting date -> no first/last). Only the order differs: nodes sorted by IRI, edges by
    (edge kind in :meth:`edge_kinds` order, source, target) — deterministic, where the SPARQL
    view followed the store's hash order. Per-node values (label, ids, meeting date) are
    point lookups in the union graph, as the SPARQL view read them there."""

    def __init__(self, store):
        super().__init__(store)
        self._store = store
        from .store import has_union_graph
        # where the SPARQL view's default graph is: the materialised union of a kg store, or
        # pyoxigraph's union of all graphs for a plain store
        self._union_graph = ox.DefaultGraph() if has_union_graph(store) else None
        self.p = {k: [i.strip("<>") for i in v.split("|") if i] for k, v in self.t.items()}
        self._gid: dict = {}         # graph IRI -> small int
        self._gname: list = []       # small int -> graph IRI
        self._dates_cache: Optional[dict] = None
        self._grouped_cache: dict = {}   # role -> {(subject, graph id): [objects]} kept for reuse

    # ---- scans
    def _g(self, gv: str) -> int:
        i = self._gid.get(gv)
        if i is None:
            i = self._gid[gv] = len(self._gname)
            self._gname.append(gv)
        return i

    def _scan(self, role: str, kinds=None) -> Iterator[tuple]:
        """(subject, object, graph id) of every triple of the role's predicates in the named
        graphs (values as strings, as the SPARQL view read ``STR``/``.value`` of them).
        ``kinds``: only objects of those kinds, filtered in the store (dct:references, the
        standard alternative of kg:mentions, also links every item to its case: 56 % of the
        rows at 16k documents, dropped before they become Python objects)."""
        gid, g_ = self._gid, self._g
        filt = self.kind_filter("o", kinds) if kinds else ""
        for p in self.p[role]:
            for s, o, g in self.st.query(f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{p}> ?o }} {filt} }}"):
                gv = g.value
                i = gid.get(gv)
                yield s.value, o.value, (i if i is not None else g_(gv))

    def _union_scan(self, role: str) -> Iterator[tuple]:
        """(subject, object) of the role's predicates in the union (default) graph."""
        for p in self.p[role]:
            for s, o in self.q(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}"):
                yield s.value, o.value

    def _lookup(self, subject: str, role: str) -> list:
        """Values of the role's predicates for one subject in the union graph (point lookups)."""
        n = ox.NamedNode(subject)
        out = []
        for p in self._present(role):
            out.extend(q.object.value for q in self.st.quads_for_pattern(n, p, None, self._union_graph))
        return out

    def _present(self, role: str) -> list:
        """The role's predicates that occur in the store at all (a lookup per absent
        alternative per node would double the per-node cost)."""
        cache = self.__dict__.setdefault("_present_cache", {})
        if role not in cache:
            out = []
            for p in self.p[role]:
                node = ox.NamedNode(p)
                if next(iter(self.st.quads_for_pattern(None, node, None, self._union_graph)), None) is not None:
                    out.append(node)
            cache[role] = out
        return cache[role]

    def _grouped(self, role: str, keep: bool = False) -> dict:
        """(subject, graph id) -> the role's objects stated for it in that graph; ``keep`` caches
        the dict on the view (for the roles several edge kinds join on)."""
        out = self._grouped_cache.get(role)
        if out is None:
            out = {}
            for x, o, g in self._scan(role):
                out.setdefault((x, g), []).append(o)
            if keep:
                self._grouped_cache[role] = out
        return out

    def _held(self) -> dict:
        """(meeting, graph id) -> committees it is held by in that graph."""
        return self._grouped("held_by", keep=True)

    def _graph_dates(self) -> dict:
        """graph id -> the document's date: MIN(SUBSTR(STR(date), 1, 10)) over the meetings
        held (held_by) in that graph and their dates in that graph. One join + aggregate in the
        store per (held_by, date) predicate pair: its output is one row per document (100k
        documents: 1.9 s, where a point lookup per held meeting took 10 s)."""
        if self._dates_cache is None:
            dates: dict = {}
            for h in self.p["held_by"]:
                for dp in self.p["meeting_date"]:
                    for g, d in self.st.query(f"""SELECT ?g (MIN(SUBSTR(STR(?dt), 1, 10)) AS ?d) WHERE {{
                            GRAPH ?g {{ ?m <{h}> ?c . ?m <{dp}> ?dt }} }} GROUP BY ?g"""):
                        if d is None:
                            continue
                        i = self._g(g.value)
                        old = dates.get(i)
                        if old is None or d.value < old:
                            dates[i] = d.value
            self._dates_cache = dates
        return self._dates_cache

    def _funders(self) -> dict:
        """(grant or project, graph id) -> funders stated for it in that graph."""
        return self._grouped("funder", keep=True)

    # ---- nodes
    def nodes(self) -> Iterator[Node]:
        self._start_worker()
        kinds = list(self.kinds)
        prefixes = tuple(f"{DATA}{k}/" for k in kinds)
        # node -> number of graphs that type it with one of the kind's classes: aggregated in the
        # store (one GROUP BY: 0.3 s at 16k documents, where handing every (node, graph) row to
        # Python took 3 s)
        docs: dict = {}
        for n, d in self.st.query(f"""SELECT ?n (COUNT(DISTINCT ?g) AS ?d) WHERE {{
                VALUES ?c {{ {self.class_values(kinds)} }} GRAPH ?g {{ ?n a ?c }} }} GROUP BY ?n"""):
            iri = n.value
            if iri.startswith(prefixes):        # kind_of() is checked once per node below
                docs[iri] = int(d.value)
        funders = {o for _, o in self._union_scan("funder")}
        node_dates = self._node_dates(docs) if "meeting" in kinds else {}
        munis = self.municipality_labels()
        for iri in sorted(docs):
            kind = kind_of(iri)
            if kind not in kinds:
                continue
            typ = self.display_type(kind, iri in funders)
            labels = self._lookup(iri, "label")
            label = min(labels) if labels else None
            ids = list(dict.fromkeys(self._lookup(iri, "notation")))
            code = None
            rest = iri[len(DATA) + len(kind) + 1:]
            first = rest.split("/", 1)[0]
            if kind == "municipality" or (kind in ("committee", "person", "meeting", "item") and first.isdigit()):
                code = first
            n_docs = docs[iri]
            attrs = {"type": typ, "municipality": munis.get(code) if code else None,
                     "municipality_code": code, "ids": "; ".join(ids) if ids else None,
                     "documents": n_docs, "iri": iri}
            spells = None
            nd = _date_str(node_dates.get(iri))
            if nd:
                attrs["date"] = nd
                spells = [(nd, nd)]
            self.stats["nodes"] += 1
            self._ids.add(iri)
            yield Node(iri, label or readable_tail(iri), attrs, COLORS.get(typ, COLORS["Other"]),
                       size=_size(n_docs), spells=spells)

    def _node_dates(self, docs: dict) -> dict:
        """node -> MIN(STR(date)) over {n held_by ?c ; date ?d} and {n in_meeting ?m . ?m date ?d}
        in the union graph (meetings view only)."""
        held = {s for s, _ in self._union_scan("held_by")}
        in_meeting: dict = {}
        for s, m in self._union_scan("in_meeting"):
            if s in docs:
                in_meeting.setdefault(s, []).append(m)
        cache: dict = {}

        def dates_of(x):
            if x not in cache:
                cache[x] = self._lookup(x, "meeting_date")
            return cache[x]

        out = {}
        for n in docs:
            vals = list(dates_of(n)) if n in held else []
            for m in in_meeting.get(n, ()):
                vals.extend(dates_of(m))
            if vals:
                out[n] = min(vals)
        return out

    # ---- edges
    def edge_kinds(self) -> list:
        """(edge type, function yielding (source, target, graph id, role or None)) per edge kind."""
        raise NotImplementedError

    # Edge kinds computed in a second process while this one computes the nodes and the other
    # edge kinds (the two cores of the target machine; pyoxigraph keeps the GIL, so threads would
    # not help). Mentions (with the item -> meeting join) are about half of the work: at 100k
    # documents ~30 s of ~60 s in one process; the rest (nodes, memberships, the other kinds) is
    # about as much, so the split is even (measured at 100k: mentions + memberships in the child
    # 49 s, mentions alone 34 s).
    PARALLEL_KINDS = ("mentions",)

    def _aggregated(self, index: int) -> list:
        """The edge groups of edge kind ``index``: (source, target, weight, role, first, last),
        sorted by (source, target), before the node-id guard (which needs the nodes)."""
        etype, rows = self.edge_kinds()[index]
        dates = self._graph_dates()
        agg: dict = {}   # (s, t) -> [graph ids, min role, a row without role]
        for s, t, g, role in rows():
            rec = agg.get((s, t))
            if rec is None:
                rec = agg[(s, t)] = [set(), None, False]
            rec[0].add(g)
            if role is None:
                rec[2] = True
            elif rec[1] is None or role < rec[1]:
                rec[1] = role
        out = []
        for key in sorted(agg):
            graphs, role, no_role = agg.pop(key)
            ds = [dates.get(g) for g in graphs]
            if None in ds:      # SPARQL: MIN/MAX over a group with an unbound value is unbound
                first = last = None
            else:
                first, last = _date_str(min(ds)), _date_str(max(ds))
            out.append((key[0], key[1], len(graphs) or 1, None if no_role else role, first, last))
        return out

    def _start_worker(self) -> None:
        """Start computing :data:`PARALLEL_KINDS` in a child process reading the same store
        version (read-only); any failure there falls back to computing them here."""
        self._worker = None
        if os.environ.get("KG_VIEW_JOBS", "2") == "1" or (os.cpu_count() or 1) < 2:
            return
        root, version = getattr(self._store, "root", None), getattr(self._store, "_version", None)
        if root is None or version is None or self._union_graph is None:
            return            # not a kg store on disk (e.g. a pyoxigraph store in memory)
        idx = [i for i, (et, _) in enumerate(self.edge_kinds()) if et in self.PARALLEL_KINDS]
        if not idx:
            return
        try:
            import pickle
            import subprocess
            import sys
            proc = subprocess.Popen(
                [sys.executable, "-c", "from kg.views import _edge_worker; _edge_worker()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            pickle.dump((str(Path(root) / version), type(self).__name__, idx), proc.stdin)
            proc.stdin.close()
            self._worker = (proc, idx)
        except Exception:  # pragma: no cover - no second process: compute here
            self._worker = None

    def __del__(self):
        # a view dropped after nodes() without edges(): stop its child process
        w = self.__dict__.get("_worker")
        if w is not None:
            try:
                w[0].kill()
                w[0].wait()
            except Exception:  # pragma: no cover
                pass

    def _worker_results(self) -> dict:
        """index -> groups from the child process, or {} (then they are computed here)."""
        w, self._worker = getattr(self, "_worker", None), None
        if w is None:
            return {}
        proc, idx = w
        import pickle
        try:
            status, res = pickle.load(proc.stdout)
        except Exception:
            status, res = "error", None
        proc.stdout.close()
        proc.wait()
        if status != "ok" or proc.returncode != 0:
            return {}
        return dict(zip(idx, res))

    def edges(self) -> Iterator[Edge]:
        kinds = self.edge_kinds()
        # the edge kinds the child process is not computing are aggregated here first, while it
        # works; then its results are collected; the kinds are yielded in their order
        pending = set(self._worker[1]) if getattr(self, "_worker", None) is not None else set()
        local = {i: self._aggregated(i) for i in range(len(kinds)) if i not in pending} if pending else {}
        remote = self._worker_results()
        for i, (etype, _) in enumerate(kinds):
            groups = local.pop(i) if i in local else remote.pop(i) if i in remote else self._aggregated(i)
            for s, tgt, w, role, first, last in groups:
                if s == tgt:
                    continue
                if s not in self._ids or tgt not in self._ids:
                    self.stats["skipped_edges"] += 1
                    continue
                etype_row = "party" if etype == "member" and tgt.startswith(_PARTY_PREFIX) else etype
                attrs = {"type": etype_row, "role": role, "documents": w, "first": first, "last": last}
                self.stats["edges"] += 1
                yield Edge(s, tgt, float(w), attrs, start=first, end=last, label=etype_row)
            groups = None

    # ---- row sources shared by the views
    def _rows_direct(self, role: str, reverse: bool = False, kinds=None):
        def rows():
            pre = tuple(f"{DATA}{k}/" for k in kinds) if kinds else None
            for s, o, g in self._scan(role, kinds=None if reverse else kinds):
                if reverse:
                    s, o = o, s
                if pre is None or o.startswith(pre):
                    yield s, o, g, None
        return rows

    def _rows_member(self):
        """?ms member ?s ; organization ?t . OPTIONAL { ?ms role ?r } in one graph."""
        org = self._grouped("organization")
        roles: dict = {}
        for ms, r, g in self._scan("role"):
            if (ms, g) in org:
                roles.setdefault((ms, g), []).append(_role0(r))
        for ms, s, g in self._scan("member"):
            ts = org.get((ms, g))
            if ts:
                for r in roles.get((ms, g)) or (None,):
                    for t in ts:
                        yield s, t, g, r

    def _rows_via_grant(self, role: str):
        """?gr funder ?s ; <role> ?t in one graph (role "funded": the grant's project; "recipient")."""
        def rows():
            funders = self._funders()
            for gr, t, g in self._scan(role):
                for s in funders.get((gr, g), ()):
                    yield s, t, g, None
        return rows

    def _rows_funds_project(self):
        """?t funder ?s, ?t a project."""
        pre = f"{DATA}project/"
        for (t, g), fs in self._funders().items():
            if t.startswith(pre):
                for s in fs:
                    yield s, t, g, None

    def _rows_mentions(self):
        """committee -> entity named in one of its meetings or their agenda items:
        {?x mentions ?t . ?x held_by ?s} UNION {?x mentions ?t . ?x in_meeting ?m . ?m held_by ?s}."""
        pre = tuple(f"{DATA}{k}/" for k in ("organization", "project", "municipality", "party"))
        ment: dict = {}
        for x, t, g in self._scan("mentions", kinds=("organization", "project", "municipality", "party")):
            if t.startswith(pre):
                ment.setdefault((x, g), []).append(t)
        held = self._held()
        for key, ts in ment.items():
            for s in held.get(key, ()):
                for t in ts:
                    yield s, t, key[1], None
        for x, m, g in self._scan("in_meeting"):
            ts = ment.get((x, g))
            if ts:
                for s in held.get((m, g), ()):
                    for t in ts:
                        yield s, t, g, None


def _edge_worker() -> None:
    """Child process of :meth:`ScanView._start_worker`: read (store version path, view class,
    edge kind indexes) from stdin, write ("ok", [groups per index]) or ("error", text) to stdout."""
    import pickle
    import sys
    path, cls_name, idx = pickle.load(sys.stdin.buffer)
    try:
        db = ox.Store.read_only(path)
        view = globals()[cls_name](db)     # edges read the named graphs only: union settings unused
        res = ("ok", [view._aggregated(i) for i in idx])
    except Exception as e:  # pragma: no cover - reported to the parent, which computes them itself
        res = ("error", f"{type(e).__name__}: {e}")
    pickle.dump(res, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def _date_str(v: Optional[str]) -> Optional[str]:
    if v is None:
        return None
    v = v[:10]
    return v if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else None


class EntitiesView(ScanView):
    name = "entities"
    description = SparqlEntitiesView.description
    kinds = tuple(ENTITY_KINDS)

    def edge_kinds(self) -> list:
        return [
            ("member", self._rows_member),                  # person -> committee (role) / party
            ("part_of", self._rows_direct("governs")),      # committee -> its municipality
            ("funds", self._rows_via_grant("funded")),      # funder -> project, through a grant
            ("funds", self._rows_funds_project),            # funder -> project, stated on it
            ("grant", self._rows_via_grant("recipient")),   # funder -> grant recipient
            ("partner", self._rows_direct("partner")),
            ("participant", self._rows_direct("participant")),
            ("mentions", self._rows_mentions),              # committee -> entity named in its meetings
        ]


class MeetingsView(EntitiesView):
    name = "meetings"
    description = SparqlMeetingsView.description
    kinds = tuple(ENTITY_KINDS) + tuple(MEETING_KINDS)
    node_attrs = NODE_ATTRS + [("date", "string")]

    def edge_kinds(self) -> list:
        def held_by():
            for (x, g), cs in self._held().items():
                for c in cs:
                    yield x, c, g, None
        return super().edge_kinds() + [
            ("held_by", held_by),
            ("on_agenda", self._rows_direct("in_meeting")),
            ("attended", self._rows_direct("present", reverse=True)),
            ("item_mentions", self._rows_direct(
                "mentions", kinds=("organization", "project", "municipality", "person", "party"))),
        ]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class FullView(View):
    """Every IRI resource as a node; literal values as node attributes (declared up front
    from the predicates that carry literals); IRI-valued triples (except rdf:type) as edges
    with weight = number of graphs stating them. Sorts subjects in the store."""

    name = "full"
    description = "kg full view: every resource; literal values as attributes"
    dynamic = False
    edge_attrs = [("type", "string"), ("predicate", "string"), ("documents", "integer")]

    def __init__(self, store):
        super().__init__(store)
        from .export import prefixes
        self._pfx = sorted(prefixes().items(), key=lambda kv: -len(kv[1]))
        preds = [r["p"].value for r in self.q(
            "SELECT DISTINCT ?p WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?p")]
        self._pred_attr = {}
        used = {a for a, _ in NODE_ATTRS}
        for p in preds:
            name = self.curie(p).replace(":", "_")
            while name in used or name in ("label", "weight", "id"):
                name += "_"
            used.add(name)
            self._pred_attr[p] = name
        self.node_attrs = NODE_ATTRS + [(n, "string") for n in self._pred_attr.values()]

    def curie(self, iri: str) -> str:
        for p, ns in self._pfx:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{p}:{iri[len(ns):]}"
        return iri

    def nodes(self) -> Iterator[Node]:
        munis = self.municipality_labels()
        t = self.t
        label_preds = {p.strip("<>") for p in t["label"].split("|")}
        # subjects with their literals and types, grouped by subject
        cur, lits, types = None, {}, []

        def make(iri, lits, types):
            kind = kind_of(iri)
            typ = (ENTITY_KINDS.get(kind) or MEETING_KINDS.get(kind) or (kind or "").capitalize()) \
                if kind else (readable_tail(types[0]) if types else "Resource")
            label = None
            for p in label_preds:
                if p in lits:
                    label = lits[p][0]
                    break
            attrs = {"type": typ, "iri": iri}
            code = None
            if kind:
                first = iri[len(DATA) + len(kind) + 1:].split("/", 1)[0]
                if first.isdigit():
                    code = first
            attrs["municipality_code"] = code
            attrs["municipality"] = munis.get(code) if code else None
            for p, vals in lits.items():
                attrs[self._pred_attr[p]] = " | ".join(vals)
            self.stats["nodes"] += 1
            self._ids.add(iri)
            return Node(iri, label or readable_tail(iri), attrs, COLORS.get(typ, COLORS["Other"]))

        rows = self.q("""SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s""")
        for r in rows:
            s = r["s"].value
            if s != cur:
                if cur is not None:
                    yield make(cur, lits, types)
                cur, lits, types = s, {}, []
            p, o = r["p"].value, r["o"]
            if p == _RDF_TYPE:
                if isinstance(o, ox.NamedNode):
                    types.append(o.value)
            elif isinstance(o, ox.Literal):
                lits.setdefault(p, []).append(o.value)
        if cur is not None:
            yield make(cur, lits, types)
        # IRIs that only ever appear as objects (and are not classes)
        rows = self.q("""SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
                          FILTER NOT EXISTS { ?o ?p2 ?x } }""")
        for r in rows:
            yield make(r["o"].value, {}, [])

    def edges(self) -> Iterator[Edge]:
        # weight = number of named graphs stating the triple (0 -> 1: only in the default graph)
        rows = self.q("""SELECT ?s ?p ?t (COUNT(DISTINCT ?g) AS ?w) WHERE {
                           ?s ?p ?t FILTER(isIRI(?s) && isIRI(?t) && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
                           OPTIONAL { GRAPH ?g { ?s ?p ?t } } } GROUP BY ?s ?p ?t""")
        for r in rows:
            if r["s"].value not in self._ids or r["t"].value not in self._ids:
                self.stats["skipped_edges"] += 1
                continue
            p = r["p"].value
            w = _int(r["w"]) or 1
            name = self.curie(p)
            self.stats["edges"] += 1
            yield Edge(r["s"].value, r["t"].value, float(w),
                       {"type": readable_tail(p), "predicate": name, "documents": w}, label=name)


VIEWS = {"entities": EntitiesView, "meetings": MeetingsView, "full": FullView}
SPARQL_VIEWS = {"entities": SparqlEntitiesView, "meetings": SparqlMeetingsView, "full": FullView}


def make_view(store, name: str = "entities", sparql: bool = False) -> View:
    """The view ``name`` of ``store``; ``sparql=True`` gives the SPARQL-aggregate implementation
    (kept to check the index-scan views against it, in tests and ``bench/``)."""
    try:
        cls = (SPARQL_VIEWS if sparql else VIEWS)[name]
    except KeyError:
        from .export import ExportError
        raise ExportError(f"unknown view {name!r} (choose from {', '.join(VIEWS)})") from None
    return cls(store)
