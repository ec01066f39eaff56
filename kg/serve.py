"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint, a query editor and entity pages.

Design
------
* HTTP: the stdlib :class:`http.server.ThreadingHTTPServer` (one thread per connection,
  HTTP/1.1 keep-alive, idle sockets time out). No web framework.
* Queries never run in the HTTP threads. A small pool of worker *processes* each holds
  a read-only handle on the store (``pyoxigraph.Store.read_only``). A request waits for
  a free worker until its deadline (``--timeout``); a query still running at the
  deadline is answered with 503 and its worker process is killed and replaced. So a
  runaway query costs one worker for at most ``timeout`` seconds and never blocks the
  other clients beyond that.
* Read-only at three levels: update requests are refused with 403 before any parsing
  (``update=``, ``application/sparql-update``, PUT/POST/DELETE/PATCH of the Graph
  Store protocol); a query text that is not a query but contains an update keyword is
  refused with 403; and the store handles are opened read-only. ``SERVICE`` (federated
  query, i.e. outgoing HTTP requests from the server) is refused with 403 too.
* Everything that comes from the data is HTML-escaped; pages carry a strict
  Content-Security-Policy (scripts only from ``/static``), no CORS, and requests whose
  ``Host`` header is not a loopback name are refused when bound to loopback (DNS
  rebinding).

Protocol-level functions (negotiation, keyword detection, rendering) are pure and
tested directly; the worker side lives in :func:`_worker_main`.
"""
from __future__ import annotations

import dataclasses
import html
import json
import multiprocessing
import os
import queue
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, quote, unquote, urlsplit

DATA_NS = "https://w3id.org/kgdk/id/"
ONTOLOGY_NS = "https://w3id.org/kgdk/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://xmlns.com/foaf/0.1/name",
    "http://schema.org/name",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
)
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "http://schema.org/",
    "besluit": "http://data.vlaanderen.be/ns/besluit#",
    "mandaat": "http://data.vlaanderen.be/ns/mandaat#",
    "person": "http://www.w3.org/ns/person#",
    "kg": ONTOLOGY_NS,
    "kgd": DATA_NS,
}

MAX_BODY = 1 << 20          # largest accepted POST body (1 MiB)
MAX_INCOMING = 500          # incoming links listed on an entity page
MAX_OUTGOING = 2000
MAX_NEIGHBOURS = 80         # nodes in the neighbourhood graph besides the entity


class ServeError(Exception):
    """A problem to answer with an HTTP status and a plain message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --------------------------------------------------------------------------- query text checks
# Strings, comments and IRIs are blanked before looking for keywords, so that a keyword
# inside a literal or an IRI never counts. One left-to-right scan: a '#' inside a string
# is not a comment and a quote inside a comment does not open a string.
_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
    r'|"(?:[^"\\\n\r]|\\.)*(?:"|$)'
    r"|'(?:[^'\\\n\r]|\\.)*(?:'|$)"
    r"|#[^\n\r]*"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>",
    re.S,
)
_UPDATE_KEYWORDS = re.compile(
    r"(?<![\w:?$\-.])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)(?![\w:\-])", re.I)
_SERVICE_KEYWORD = re.compile(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", re.I)  # no "." in the lookbehind: "?o .SERVICE" is valid SPARQL


def _blank_lexicals(text: str) -> str:
    return _LEXICAL.sub(" ", text)


def looks_like_update(text: str) -> bool:
    """True if the text (with strings, IRIs and comments removed) uses an update keyword."""
    return bool(_UPDATE_KEYWORDS.search(_blank_lexicals(text)))


def uses_service(text: str) -> bool:
    """True if the query uses SERVICE (federation: the server would make HTTP requests)."""
    return bool(_SERVICE_KEYWORD.search(_blank_lexicals(text)))


# --------------------------------------------------------------------------- content negotiation
# kind -> list of (media type, format key). The first entry is the default.
RESULT_TYPES = [
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/html", "html"),
]
GRAPH_TYPES = [
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("text/plain", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("application/xml", "rdfxml"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("text/html", "html"),
]
ENTITY_TYPES = [("text/html", "html"), ("application/xhtml+xml", "html")] + \
    [t for t in GRAPH_TYPES if t[1] != "html"]
# values of ?format= / ?output= / ?results= (SPARQLWrapper sends these too)
FORMAT_ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "html": "html", "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "ntriples",
    "ntriples": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml", "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml", "json-ld": "jsonld", "jsonld": "jsonld",
}
# a format key asked for by name, re-read for the other result kind
_CROSS_KIND = {"result": {"turtle": "json", "ntriples": "json", "rdfxml": "xml", "jsonld": "json"},
               "graph": {"json": "jsonld", "xml": "rdfxml", "csv": "turtle", "tsv": "turtle"},
               "entity": {"json": "jsonld", "xml": "rdfxml", "csv": "turtle", "tsv": "turtle"}}
MEDIA = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
    "html": "text/html; charset=utf-8", "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json",
}


def parse_accept(header: Optional[str]) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, best first (stable for equal q)."""
    out = []
    for i, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, i))
    out.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(kind: str, accept: Optional[str], fmt: Optional[str] = None) -> str:
    """Format key for a result of `kind` ('result' = SELECT/ASK, 'graph' = CONSTRUCT/DESCRIBE).

    An explicit ``format`` parameter wins; otherwise the Accept header; otherwise the default
    (SPARQL JSON / Turtle). Unknown wishes fall back to the default rather than failing.
    """
    table = {"result": RESULT_TYPES, "graph": GRAPH_TYPES, "entity": ENTITY_TYPES}[kind]
    keys = {k for _, k in table}
    if fmt:
        f = FORMAT_ALIASES.get(fmt.strip().lower())
        if f is None and "/" in fmt:           # a media type given as format=
            f = dict(table).get(fmt.strip().lower())
        if f:
            f = f if f in keys else _CROSS_KIND[kind].get(f)
            if f in keys:
                return f
    for media, _q in parse_accept(accept):
        if media in ("*/*", "application/*", "text/*"):
            return table[0][1]
        for m, k in table:
            if m == media:
                return k
    return table[0][1]


# --------------------------------------------------------------------------- terms
def term_to_json(t) -> Optional[dict]:
    """A pyoxigraph term as a SPARQL-JSON-like dict (plain data, picklable)."""
    if t is None:
        return None
    name = type(t).__name__
    if name == "NamedNode":
        return {"type": "uri", "value": t.value}
    if name == "BlankNode":
        return {"type": "bnode", "value": t.value}
    if name == "Literal":
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype is not None and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _nt_iri(iri: str) -> str:
    """An IRI as an N-Triples/SPARQL IRI reference (rejects characters IRIs cannot hold)."""
    if not iri or re.search(r'[\x00-\x20<>"{}|^`\\]', iri):
        raise ServeError(400, f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


# --------------------------------------------------------------------------- store access (worker side)
def open_store_readonly(path: str):
    """The kg store at `path`, opened read-only (:meth:`kg.store.Store.open` reads a snapshot)."""
    from .store import Store
    return Store.open(path, create=False)


def _db(store):
    """The pyoxigraph handle of a kg Store (re-opened if a build made a new version live)."""
    try:
        store.refresh()
    except Exception:  # pragma: no cover - keep serving the old snapshot
        pass
    return store.db


def _serialize_capped(result, fmt_obj, max_bytes: int) -> bytes:
    class _Capped:
        def __init__(self):
            self.parts: list[bytes] = []
            self.size = 0

        def write(self, b):
            self.size += len(b)
            if self.size > max_bytes:
                raise _TooLarge()
            self.parts.append(bytes(b))
            return len(b)

        def flush(self):
            pass

    out = _Capped()
    try:
        result.serialize(out, format=fmt_obj)
    except _TooLarge:
        raise ServeError(413, f"result larger than {max_bytes} bytes: add a LIMIT (or use `kg export`)")
    except OSError as e:
        if isinstance(e.__context__, _TooLarge) or "TooLarge" in str(e) or out.size > max_bytes:
            raise ServeError(413, f"result larger than {max_bytes} bytes: add a LIMIT (or use `kg export`)")
        raise
    return b"".join(out.parts)


class _TooLarge(Exception):
    pass


def _run_query(store, q: str, *, union: bool = True, default_graphs=None, named_graphs=None):
    import pyoxigraph as ox
    kw: dict[str, Any] = {}
    if default_graphs:
        kw["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    elif union:
        from .store import union_query_kwargs
        kw.update(union_query_kwargs(store))
    if named_graphs:
        kw["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        return _db(store).query(q, **kw)
    except SyntaxError as e:
        raise ServeError(400, f"SPARQL syntax error: {e}")
    except ValueError as e:
        raise ServeError(400, f"bad request: {e}")


def _op_sparql(store, req: dict):
    """Run a protocol query; returns ('bytes', status, media, body) or ('table', ...) for HTML."""
    import pyoxigraph as ox
    res = _run_query(store, req["query"], union=not req.get("default_graphs"),
                     default_graphs=req.get("default_graphs"), named_graphs=req.get("named_graphs"))
    max_bytes = req.get("max_bytes", 64 << 20)
    if isinstance(res, ox.QueryTriples):
        fmt = negotiate("graph", req.get("accept"), req.get("format"))
        if fmt == "html":
            rows, truncated = [], False
            for i, t in enumerate(res):
                if i >= req.get("max_rows", 1000):
                    truncated = True
                    break
                rows.append([term_to_json(t.subject), term_to_json(t.predicate), term_to_json(t.object)])
            return ("table", ["subject", "predicate", "object"], rows, truncated)
        fobj = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        try:
            body = _serialize_capped(res, fobj, max_bytes)
        except TypeError:  # pragma: no cover - older pyoxigraph without JSON-LD
            fmt, body = "turtle", _serialize_capped(res, ox.RdfFormat.TURTLE, max_bytes)
        return ("bytes", 200, MEDIA[fmt], body)
    fmt = negotiate("result", req.get("accept"), req.get("format"))
    if fmt == "html":
        if isinstance(res, ox.QueryBoolean):
            return ("table", ["boolean"], [[{"type": "literal", "value": "true" if bool(res) else "false"}]], False)
        names = [v.value for v in res.variables]
        rows, truncated = [], False
        for i, sol in enumerate(res):
            if i >= req.get("max_rows", 1000):
                truncated = True
                break
            rows.append([term_to_json(sol[n]) for n in names])
        return ("table", names, rows, truncated)
    fobj = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}[fmt]
    return ("bytes", 200, MEDIA[fmt], _serialize_capped(res, fobj, max_bytes))


def _op_select(store, req: dict):
    """Internal SELECT: ('rows', [dict var -> term dict]) with at most `limit` rows."""
    import pyoxigraph as ox
    res = _run_query(store, req["query"], union=req.get("union", True))
    if isinstance(res, ox.QueryBoolean):
        return ("rows", [{"boolean": bool(res)}])
    names = [v.value for v in res.variables]
    out = []
    for i, sol in enumerate(res):
        if i >= req.get("limit", 10000):
            break
        out.append({n: term_to_json(sol[n]) for n in names if sol[n] is not None})
    return ("rows", out)


def _op_graph(store, req: dict):
    import pyoxigraph as ox
    res = _run_query(store, req["query"], union=True)
    fobj = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}[req.get("format", "turtle")]
    triples = list(res)
    if not triples:
        return ("bytes", 404, "text/plain; charset=utf-8", b"no such resource in the store\n")
    prefixes = ({k: v for k, v in PREFIXES.items() if k not in ("kgd", "besluit", "mandaat", "person", "schema")}
                if req.get("format", "turtle") == "turtle" else None)
    try:
        body = ox.serialize(triples, format=fobj, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fobj)
    except TypeError:
        body = ox.serialize(triples, format=fobj)
    return ("bytes", 200, MEDIA[req.get("format", "turtle")], body)


def _op_terms(store, req: dict):
    """Labels and types of IRIs by direct index lookups (no query planning; fast on hub entities).

    Returns ('terms', {iri: {"label": str|None, "types": [iri, ...]}}).
    """
    import pyoxigraph as ox
    db = _db(store)
    rank = {p: n for n, p in enumerate(LABEL_PREDICATES)}
    preds = [ox.NamedNode(p) for p in LABEL_PREDICATES]
    rdf_type = ox.NamedNode(RDF_TYPE)
    out = {}
    for iri in req["iris"]:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        best = None
        for p in preds:
            for q in db.quads_for_pattern(node, p, None, None):
                o = q.object
                if isinstance(o, ox.Literal):
                    key = (rank[p.value], 0 if o.language in (None, "da") else 1, o.value)
                    if best is None or key < best:
                        best = key
            if best is not None and best[0] == rank[p.value] and best[1] == 0:
                break
        types = []
        if req.get("types"):
            for q in db.quads_for_pattern(node, rdf_type, None, None):
                if isinstance(q.object, ox.NamedNode) and q.object.value not in types:
                    types.append(q.object.value)
        out[iri] = {"label": best[2] if best else None, "types": types}
    return ("terms", out)


def _op_evidence(store, req: dict):
    """Provenance of an entity by index lookups: evidence nodes (``?ev kg:about <iri>``) with their
    document/page/line/endLine/rule/property, and the entity's ``prov:wasDerivedFrom`` documents."""
    import pyoxigraph as ox
    db = _db(store)
    node = ox.NamedNode(req["iri"])
    K = ONTOLOGY_NS
    fields = {K + "document": "doc", K + "page": "page", K + "line": "line", K + "endLine": "end",
              K + "rule": "rule", K + "property": "prop"}
    limit = req.get("limit", 1000)
    rows, seen = [], set()
    for q in db.quads_for_pattern(None, ox.NamedNode(K + "about"), node, None):
        ev = q.subject
        if ev.value in seen or not isinstance(ev, ox.NamedNode):
            continue
        seen.add(ev.value)
        r = {"ev": ev.value}
        for q2 in db.quads_for_pattern(ev, None, None, None):
            k = fields.get(q2.predicate.value)
            if k and k not in r:
                r[k] = q2.object.value
        if r.get("doc"):
            rows.append(r)
        if len(rows) >= limit:
            break
    docs = []
    for q in db.quads_for_pattern(node, ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), None, None):
        if isinstance(q.object, ox.NamedNode) and q.object.value not in docs:
            docs.append(q.object.value)
    return ("evidence", rows, docs, len(rows) >= limit)


def _op_links(store, req: dict):
    """The entity's triples grouped by (property, value) and its incoming links grouped by (subject,
    property), each with up to 3 of the graphs stating it and the number of graphs, by index scans
    (bounded: at most `scan` quads read per direction, at most `groups` groups)."""
    import pyoxigraph as ox
    db = _db(store)
    node = ox.NamedNode(req["iri"])
    skip = set(req.get("skip_incoming", ()))
    scan, groups = req.get("scan", 50000), req.get("groups", 2000)

    def collect(quads, key_of, row_of, skip_pred=()):
        rows: dict[tuple, dict] = {}
        truncated = False
        for n, q in enumerate(quads):
            if n >= scan:
                truncated = True
                break
            if q.predicate.value in skip_pred:
                continue
            k = key_of(q)
            r = rows.get(k)
            if r is None:
                if len(rows) >= groups:
                    truncated = True
                    break
                r = rows[k] = dict(row_of(q), g=[], n=0)
            r["n"] += 1
            if len(r["g"]) < 3 and isinstance(q.graph_name, ox.NamedNode):
                r["g"].append(term_to_json(q.graph_name))
        return list(rows.values()), truncated

    out, out_t = collect(db.quads_for_pattern(node, None, None, None),
                         lambda q: (q.predicate.value, str(q.object)),
                         lambda q: {"p": term_to_json(q.predicate), "o": term_to_json(q.object)})
    inc, inc_t = collect(db.quads_for_pattern(None, None, node, None),
                         lambda q: (str(q.subject), q.predicate.value),
                         lambda q: {"s": term_to_json(q.subject), "p": term_to_json(q.predicate)}, skip)
    return ("links", out, inc, out_t, inc_t)


_OPS = {"links": _op_links, "sparql": _op_sparql, "select": _op_select, "graph": _op_graph, "terms": _op_terms,
        "evidence": _op_evidence}


def _worker_main(conn, store_path: str) -> None:  # pragma: no cover - runs in a child process
    try:
        store = open_store_readonly(store_path)
    except Exception as e:
        conn.send(("fatal", f"cannot open store {store_path}: {e}"))
        return
    conn.send(("ready",))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            resp = _OPS[req["op"]](store, req)
        except ServeError as e:
            resp = ("error", e.status, e.message)
        except OSError as e:
            resp = ("error", 500, f"query failed: {e}")
        except MemoryError:
            resp = ("error", 500, "query failed: out of memory")
        except Exception as e:  # never let a worker die on one query
            resp = ("error", 500, f"query failed: {type(e).__name__}: {e}")
        try:
            conn.send(resp)
        except (OSError, ValueError) as e:
            try:
                conn.send(("error", 500, f"cannot send result: {e}"))
            except Exception:
                return


# --------------------------------------------------------------------------- worker pool (server side)
class _Worker:
    def __init__(self, ctx, store_path: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path), daemon=True, name="kg-serve-worker")
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError("worker did not start in time")
        msg = self.conn.recv()
        if msg[0] != "ready":
            self.kill()
            raise RuntimeError(msg[1])

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


# ops answered by index lookups (bounded, milliseconds): they get their own lane of workers, so slow
# SPARQL queries occupying every query worker never starve entity pages and the graph view
LOOKUP_OPS = frozenset({"links", "terms", "evidence", "graph"})


class QueryPool:
    """Worker processes with read-only store handles, in two lanes; per-call deadlines; kill on timeout.

    Lane ``query``: ``workers`` processes for SPARQL from clients. Lane ``lookup``: ``lookup_workers``
    processes for the bounded index lookups of entity pages (:data:`LOOKUP_OPS`).
    """

    def __init__(self, store_path: str, workers: int = 2, timeout: float = 30.0, lookup_workers: int = 1):
        self.store_path = str(store_path)
        self.timeout = float(timeout)
        self.size = max(1, int(workers))
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: dict[str, "queue.Queue[_Worker]"] = {"query": queue.Queue(), "lookup": queue.Queue()}
        self._closed = False
        self.stats = {"queries": 0, "timeouts": 0, "busy": 0, "restarts": 0}
        self._lock = threading.Lock()
        started = [("query", _Worker(self._ctx, self.store_path)) for _ in range(self.size)] + \
                  [("lookup", _Worker(self._ctx, self.store_path)) for _ in range(max(1, int(lookup_workers)))]
        try:
            for _, w in started:
                w.wait_ready(60)
        except Exception:
            for _, w in started:
                w.kill()
            raise
        for lane, w in started:
            self._idle[lane].put(w)

    def _replace(self, lane: str) -> None:
        def spawn():
            for _attempt in range(3):
                if self._closed:
                    return
                w = _Worker(self._ctx, self.store_path)
                try:
                    w.wait_ready(60)
                except Exception as e:  # pragma: no cover
                    print(f"kg serve: worker restart failed: {e}", file=sys.stderr)
                    continue
                self._idle[lane].put(w)
                return
        with self._lock:
            self.stats["restarts"] += 1
        threading.Thread(target=spawn, daemon=True).start()

    def call(self, req: dict, timeout: Optional[float] = None, deadline: Optional[float] = None):
        """Run `req` in a worker; 503 if it is not answered by `deadline` (default: now + timeout)."""
        if deadline is None:
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        lane = "lookup" if req.get("op") in LOOKUP_OPS else "query"
        idle = self._idle[lane]
        try:
            w = idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            with self._lock:
                self.stats["busy"] += 1
            raise ServeError(503, "server busy: no query worker became free before the timeout; retry later")
        try:
            w.conn.send(req)
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                w.kill()
                self._replace(lane)
                with self._lock:
                    self.stats["timeouts"] += 1
                raise ServeError(503, f"query timed out after {self.timeout:g} s (the limit of this server); "
                                      "make the query more selective or add a LIMIT")
            resp = w.conn.recv()
        except ServeError:
            raise
        except (EOFError, OSError, BrokenPipeError) as e:
            w.kill()
            self._replace(lane)
            raise ServeError(500, f"query worker died ({type(e).__name__}); the query was probably too big")
        idle.put(w)
        with self._lock:
            self.stats["queries"] += 1
        if resp[0] == "error":
            raise ServeError(resp[1], resp[2])
        return resp

    def close(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            while True:
                try:
                    idle.get_nowait().kill()
                except queue.Empty:
                    break


# --------------------------------------------------------------------------- HTML rendering
def esc(s: object) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def curie(iri: str) -> str:
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def local_href(iri: str) -> str:
    """Where an IRI is browsed on this server: /id/... for our data, /resource?iri=... otherwise."""
    if iri.startswith(DATA_NS):
        return "/id/" + quote(iri[len(DATA_NS):], safe="/:@!$&'()*+,;=-._~%")
    return "/resource?iri=" + quote(iri, safe="")


def render_term(t: Optional[dict], labels: Optional[dict] = None) -> str:
    if not t:
        return ""
    if t["type"] == "uri":
        v = t["value"]
        lab = (labels or {}).get(v)
        text = lab if lab else curie(v)
        title = f' title="{esc(v)}"'
        return f'<a href="{esc(local_href(v))}"{title}>{esc(text)}</a>'
    if t["type"] == "literal":
        extra = ""
        if t.get("xml:lang"):
            extra = f' <span class="dt">@{esc(t["xml:lang"])}</span>'
        elif t.get("datatype"):
            extra = f' <span class="dt">{esc(curie(t["datatype"]))}</span>'
        return f'<span class="lit">{esc(t["value"])}</span>{extra}'
    return f'<span class="bnode">{esc(t["value"])}</span>'


def _template(name: str) -> str:
    return resources.files("kg.web").joinpath("templates", name).read_text(encoding="utf-8")


def page(title: str, body: str, *, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> bytes:
    """A full HTML page from the base template. `title` is escaped here; `body` must be escaped HTML."""
    head = "".join(f'<link rel="stylesheet" href="/static/{esc(s)}">' for s in styles)
    tail = "".join(f'<script src="/static/{esc(s)}"></script>' for s in scripts)
    out = (_template("base.html").replace("{{title}}", esc(title)).replace("{{head}}", head)
           .replace("{{body}}", body).replace("{{scripts}}", tail))
    return out.encode("utf-8")


def render_table(names: list[str], rows: list[list], truncated: bool, max_rows: int, query: str) -> bytes:
    th = "".join(f"<th>{esc(n)}</th>" for n in names)
    trs = "\n".join("<tr>" + "".join(f"<td>{render_term(c)}</td>" for c in r) + "</tr>" for r in rows)
    note = (f'<p class="warn">Showing the first {max_rows} rows (the HTML row limit of this server). '
            f'Ask for JSON/CSV or add a LIMIT to get everything.</p>' if truncated else
            f"<p>{len(rows)} row(s).</p>")
    body = (f"<h1>Query results</h1>{note}<table class=\"results\"><thead><tr>{th}</tr></thead>"
            f"<tbody>{trs}</tbody></table><details><summary>Query</summary><pre>{esc(query)}</pre></details>")
    return page("Query results", body)


# --------------------------------------------------------------------------- named queries
def named_queries(queries_dir: Optional[Path] = None) -> list[dict]:
    """The named queries for the editor: [{name, title, description, params, query}].

    ``query`` is the text with every parameter that has a default bound to it (a ``VALUES`` block
    injected by :func:`kg.store.bind`, visible and editable in the editor); a parameter without a
    default is left unbound and named in ``params``.
    """
    from . import query as kq
    from .store import bind

    qdir = queries_dir or (Path(os.environ["KG_QUERIES_DIR"]) if os.environ.get("KG_QUERIES_DIR") else None)
    items: list[dict] = []
    for q in kq.list_queries(qdir):
        with_default = dataclasses.replace(q, params=[p for p in q.params if p.default is not None])
        try:
            defaults = kq.bindings_for(with_default, {})
        except Exception:  # a default that does not parse: show the query unbound
            defaults = {}
        try:
            text = bind(q.text, defaults) if defaults else q.text
        except ValueError:
            text = q.text
        items.append({"name": q.name, "title": q.title or q.name, "description": q.description,
                      "params": [{"name": p.name, "default": p.default, "help": p.help} for p in q.params],
                      "query": text})
    return items


# --------------------------------------------------------------------------- entity pages
@dataclass
class EntityData:
    iri: str
    out: list[dict] = field(default_factory=list)       # {p, o, g}
    inc: list[dict] = field(default_factory=list)       # {s, p, g}
    labels: dict[str, str] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)   # {doc, label, page, line, ...}
    inc_truncated: bool = False
    out_truncated: bool = False


# evidence nodes point at the entity with kg:about: listed under "Source documents", not as links
_SKIP_INCOMING = f"<{ONTOLOGY_NS}about>"


def _values(iris) -> str:
    return " ".join(_nt_iri(i) for i in iris)


def load_entity(pool: QueryPool, iri: str, deadline: Optional[float] = None) -> Optional[EntityData]:
    _nt_iri(iri)
    if deadline is None:
        deadline = time.monotonic() + pool.timeout
    _, out, inc, out_t, inc_t = pool.call({"op": "links", "iri": iri, "groups": MAX_OUTGOING,
                                           "skip_incoming": [ONTOLOGY_NS + "about"]}, deadline=deadline)
    if not out and not inc:
        return None
    key = lambda t: (t or {}).get("value", "")  # noqa: E731
    out.sort(key=lambda r: (r["p"]["value"] != RDF_TYPE, key(r["p"]), key(r["o"])))
    inc.sort(key=lambda r: (key(r["p"]), key(r["s"])))
    e = EntityData(iri=iri, out=out, inc=inc[:MAX_INCOMING], inc_truncated=inc_t or len(inc) > MAX_INCOMING,
                   out_truncated=out_t)
    iris = {iri}
    for r in out:
        iris.add(r["p"]["value"])
        if r["o"]["type"] == "uri":
            iris.add(r["o"]["value"])
    for r in e.inc:
        iris.add(r["p"]["value"])
        if r["s"]["type"] == "uri":
            iris.add(r["s"]["value"])
    graphs = {g["value"] for r in out + e.inc for g in r["g"]}
    iris |= graphs
    e.labels = fetch_labels(pool, iris, deadline=deadline)
    e.sources = fetch_sources(pool, iri, graphs, deadline=deadline)
    return e


def fetch_terms(pool: QueryPool, iris, deadline: Optional[float] = None, types: bool = False) -> dict[str, dict]:
    iris = sorted(i for i in set(iris) if i and not re.search(r'[\x00-\x20<>"{}|^`\\]', i))
    out: dict[str, dict] = {}
    for i in range(0, len(iris), 2000):
        out.update(pool.call({"op": "terms", "iris": iris[i:i + 2000], "types": types}, deadline=deadline)[1])
    return out


def fetch_labels(pool: QueryPool, iris, deadline: Optional[float] = None) -> dict[str, str]:
    """{iri: best label} (rdfs:label, then skos:prefLabel, foaf:name, ...; Danish or untagged first)."""
    return {k: v["label"] for k, v in fetch_terms(pool, iris, deadline).items() if v["label"]}


def fetch_sources(pool: QueryPool, iri: str, graphs: set[str], deadline: Optional[float] = None) -> list[dict]:
    """Source documents of the facts about `iri`, with page/line provenance.

    Reads the evidence nodes of kg.mapping (``?ev kg:about <iri>; kg:document ?doc; kg:page; kg:line;
    kg:endLine; kg:rule; kg:property``), the entity's ``prov:wasDerivedFrom`` documents, and the named
    graphs its facts live in (one graph per source document).
    """
    _nt_iri(iri)
    _, evs, derived, truncated = pool.call({"op": "evidence", "iri": iri, "limit": 1000}, deadline=deadline)

    def num(x):
        try:
            return int(x)
        except (TypeError, ValueError):
            return 0
    evs.sort(key=lambda r: (r["doc"], num(r.get("page")), num(r.get("line")), r["ev"]))
    docs: dict[str, dict] = {}
    for r in evs:
        d = docs.setdefault(r["doc"], {"doc": r["doc"], "evidence": [], "graph": False})
        d["evidence"].append({k: r.get(k) for k in ("ev", "page", "line", "end", "rule", "prop")})
    for g in derived:
        docs.setdefault(g, {"doc": g, "evidence": [], "graph": False})
    for g in sorted(graphs - set(docs)):
        docs[g] = {"doc": g, "evidence": [], "graph": True}
    out = list(docs.values())
    if out:
        labels = fetch_labels(pool, {o["doc"] for o in out} | {e["prop"] for o in out for e in o["evidence"]
                                                               if e.get("prop")}, deadline=deadline)
        for o in out:
            o["label"] = labels.get(o["doc"])
            o["labels"] = labels
        out[0]["truncated"] = truncated
    return out


def _render_evidence(e: dict, labels: dict) -> str:
    bits = []
    if e.get("page"):
        bits.append(f"page {esc(e['page'])}")
    if e.get("line"):
        ln = f"line {esc(e['line'])}"
        if e.get("end") and e["end"] != e["line"]:
            ln = f"lines {esc(e['line'])}–{esc(e['end'])}"
        bits.append(ln)
    if e.get("prop"):
        bits.append(render_term({"type": "uri", "value": e["prop"]}, labels))
    if e.get("rule"):
        bits.append(f'<span class="dt">rule {esc(e["rule"])}</span>')
    text = ", ".join(bits) or "evidence"
    if e.get("ev"):
        return f'<li class="evidence"><a href="{esc(local_href(e["ev"]))}">{text}</a></li>' if not bits else \
            f'<li class="evidence">{text} <a class="dt" href="{esc(local_href(e["ev"]))}">[evidence]</a></li>'
    return f'<li class="evidence">{text}</li>'


def render_entity(e: EntityData) -> bytes:
    lab = e.labels.get(e.iri) or curie(e.iri)
    types = [r["o"] for r in e.out if r["p"]["value"] == RDF_TYPE]
    type_html = ", ".join(render_term(t, e.labels) for t in types) or "<em>untyped</em>"
    def graphs_html(r):
        links = ", ".join(render_term(g, e.labels) for g in r["g"])
        if r["n"] > len(r["g"]):
            links += f' <span class="dt">+{r["n"] - len(r["g"])} more</span>' if r["g"] else \
                '<em>default</em>'
        return links or "<em>default</em>"
    rows = [f"<tr><td>{render_term(r['p'], e.labels)}</td><td>{render_term(r['o'], e.labels)}</td>"
            f"<td class=\"g\">{graphs_html(r)}</td></tr>" for r in e.out]
    inc = [f"<tr><td>{render_term(r['s'], e.labels)}</td><td>{render_term(r['p'], e.labels)}</td>"
           f"<td class=\"g\">{graphs_html(r)}</td></tr>" for r in e.inc]
    src = []
    for s in e.sources:
        kind = ' <span class="dt">(named graph)</span>' if s.get("graph") else ""
        ev = "".join(_render_evidence(x, s.get("labels") or {}) for x in s["evidence"])
        src.append(f"<li>{render_term({'type': 'uri', 'value': s['doc']}, {s['doc']: s.get('label')})}{kind}"
                   f"{'<ul>' + ev + '</ul>' if ev else ''}</li>")
    more = f'<p class="warn">Only the first {MAX_INCOMING} incoming links are shown.</p>' if e.inc_truncated else ""
    more_out = (f'<p class="warn">Only the first {MAX_OUTGOING} properties are shown.</p>'
                if e.out_truncated else "")
    turtle_href = esc(local_href(e.iri) + ("&" if "?" in local_href(e.iri) else "?") + "format=turtle")
    body = f"""
<h1 id="entity-label">{esc(lab)}</h1>
<p class="iri"><code>{esc(e.iri)}</code> · <a href="{turtle_href}">Turtle</a></p>
<p class="types">Type: {type_html}</p>
<div id="graph" data-iri="{esc(e.iri)}" aria-label="neighbourhood graph"></div>
<h2>Properties</h2>{more_out}
<table class="props"><thead><tr><th>property</th><th>value</th><th>stated in</th></tr></thead>
<tbody>{''.join(rows) or '<tr><td colspan="3"><em>none</em></td></tr>'}</tbody></table>
<h2>Incoming links</h2>{more}
<table class="incoming"><thead><tr><th>subject</th><th>property</th><th>stated in</th></tr></thead>
<tbody>{''.join(inc) or '<tr><td colspan="3"><em>none</em></td></tr>'}</tbody></table>
<h2>Source documents</h2>
<ul class="sources">{''.join(src) or '<li><em>no provenance recorded</em></li>'}</ul>
"""
    return page(lab, body, scripts=("graphology.umd.min.js", "sigma.min.js", "entity.js"))


def neighbourhood(pool: QueryPool, iri: str) -> dict:
    """Nodes and edges around `iri` (1 hop, IRIs only, no type/evidence edges), for the graph view. Plain JSON."""
    _nt_iri(iri)
    deadline = time.monotonic() + pool.timeout
    skip = {RDF_TYPE, ONTOLOGY_NS + "about", ONTOLOGY_NS + "document"}
    _, out, inc, _, _ = pool.call({"op": "links", "iri": iri, "groups": 4 * MAX_NEIGHBOURS, "scan": 20000,
                                   "skip_incoming": sorted(skip)}, deadline=deadline)
    nodes = {iri}
    edges = []
    cand = [(iri, r["o"], r["p"]) for r in out if r["o"]["type"] == "uri" and r["p"]["value"] not in skip] + \
           [(r["s"], iri, r["p"]) for r in inc if r["s"]["type"] == "uri"]
    for a, b, p in cand:
        src = a if isinstance(a, str) else a["value"]
        dst = b if isinstance(b, str) else b["value"]
        n = dst if src == iri else src
        if n not in nodes and len(nodes) > MAX_NEIGHBOURS:
            continue
        nodes.add(n)
        edges.append({"source": src, "target": dst, "label": curie(p["value"])})
    terms = fetch_terms(pool, nodes, deadline=deadline, types=True)
    labels = {k: v["label"] for k, v in terms.items() if v["label"]}
    types: dict[str, str] = {k: curie(v["types"][0]) for k, v in terms.items() if v["types"]}
    return {"center": iri,
            "nodes": [{"id": n, "label": labels.get(n) or curie(n), "type": types.get(n, ""),
                       "href": local_href(n)} for n in sorted(nodes)],
            "edges": edges}


# --------------------------------------------------------------------------- HTTP
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
                 ".woff2": "font/woff2", ".woff": "font/woff", ".json": "application/json", ".txt": "text/plain"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}


class ResponseCache:
    """Finished responses of a read-only server, keyed by (store version, request).

    The store only changes by a new version going live (``current`` symlink), and the version is
    part of every key, so an entry is never stale. LRU, bounded in bytes; entries over
    ``max_item`` bytes are not kept. Identical requests that arrive while one is being computed
    wait for it instead of running the same query again (50 clients opening the same page cost
    one query).
    """

    class _Flight:
        def __init__(self):
            self.event = threading.Event()
            self.value = None
            self.error: Optional[BaseException] = None

    def __init__(self, max_bytes: int = 64 << 20, max_item: int = 4 << 20):
        from collections import OrderedDict
        self.max_bytes, self.max_item = max_bytes, max_item
        self._data: "OrderedDict[tuple, tuple]" = OrderedDict()
        self._size = 0
        self._inflight: dict[tuple, ResponseCache._Flight] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = self.shared = 0

    def get_or_compute(self, key: tuple, compute, wait: float):
        """``compute()`` -> (status, body bytes, content type); cached unless it raises."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return hit
            flight = self._inflight.get(key)
            leader = flight is None
            if leader:
                flight = self._inflight[key] = ResponseCache._Flight()
                self.misses += 1
            else:
                self.shared += 1
        if not leader:
            if not flight.event.wait(wait):
                raise ServeError(503, "server busy: an identical request is still running; retry later")
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            value = compute()
            flight.value = value
        except BaseException as e:
            flight.error = e
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)
            flight.event.set()
        size = len(value[1]) + 200
        if size <= self.max_item:
            with self._lock:
                if key not in self._data:
                    self._data[key] = value
                    self._size += size
                    while self._size > self.max_bytes and self._data:
                        _, old = self._data.popitem(last=False)
                        self._size -= len(old[1]) + 200
        return value


def store_version(store: str) -> str:
    """Name of the live version of a kg store (changes with every build); '' if unknown."""
    try:
        return os.readlink(os.path.join(store, "current"))
    except OSError:
        return ""


class KGServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, addr, pool: QueryPool, *, max_rows: int = 1000, max_result_bytes: int = 64 << 20,
                 allowed_hosts: Optional[set[str]] = None, quiet: bool = False, max_connections: int = 256):
        self.pool = pool
        self.cache = ResponseCache()
        self.max_connections = max_connections
        self._conns = 0
        self._conn_lock = threading.Lock()
        self.max_rows = max_rows
        self.max_result_bytes = max_result_bytes
        self.allowed_hosts = allowed_hosts
        self.quiet = quiet
        self._static = self._load_static()
        super().__init__(addr, Handler)

    # at most `max_connections` open connections (one thread each); more get an immediate 503
    def process_request(self, request, client_address):
        with self._conn_lock:
            over = self._conns >= self.max_connections
            if not over:
                self._conns += 1
        if over:
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 33\r\nConnection: close\r\n\r\ntoo many connections, retry later\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            with self._conn_lock:
                self._conns -= 1
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._conns -= 1

    @staticmethod
    def _load_static() -> dict[str, Path]:
        root = resources.files("kg.web").joinpath("static")
        out = {}
        try:
            for p in root.iterdir():
                if p.is_file() and not p.name.startswith("."):
                    out[p.name] = p
        except FileNotFoundError:  # pragma: no cover
            pass
        return out


class Handler(BaseHTTPRequestHandler):
    server: KGServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve/1"
    sys_version = ""

    def version_string(self):
        return self.server_version
    timeout = 60  # idle keep-alive / slow client limit (seconds)

    # ---- plumbing
    def log_message(self, fmt, *args):  # noqa: N802
        if not self.server.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def _send(self, status: int, body: bytes, ctype: str, headers: Optional[dict] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if ctype.startswith("text/html"):
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("X-Frame-Options", "DENY")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        if self._wants_html() and status != 400 and self.path.startswith(("/id/", "/resource")):
            body = page(f"{status} {HTTPStatus(status).phrase}",
                        f"<h1>{status} {esc(HTTPStatus(status).phrase)}</h1><p class=\"error\">{esc(message)}</p>")
            self._send(status, body, "text/html; charset=utf-8")
        else:
            self._send(status, (message.rstrip("\n") + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def _wants_html(self) -> bool:
        acc = parse_accept(self.headers.get("Accept"))
        return bool(acc) and acc[0][0] in ("text/html", "application/xhtml+xml")

    def _host_ok(self) -> bool:
        allowed = self.server.allowed_hosts
        if not allowed:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host.split("]")[0] + "]"
        else:
            name = host.rsplit(":", 1)[0] if ":" in host else host
        return name in allowed

    def _guard(self) -> bool:
        if not self._host_ok():
            self._error(403, "forbidden Host header (this server only answers requests addressed to its own name)")
            return False
        return True

    # ---- methods
    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        if not self._guard():
            return
        try:
            self._route_get()
        except ServeError as e:
            self._error(e.status, e.message)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # pragma: no cover - last resort, never crash the server
            self._error(500, f"internal error: {type(e).__name__}: {e}")

    def do_POST(self):  # noqa: N802
        if not self._guard():
            return
        try:
            self._route_post()
        except ServeError as e:
            self._error(e.status, e.message)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # pragma: no cover
            self._error(500, f"internal error: {type(e).__name__}: {e}")

    def _read_only(self):
        self._drain_body()
        self._error(403, "this SPARQL endpoint is read-only: updates and Graph Store writes are refused "
                         "(rebuild the store with `kg build` instead)")

    do_PUT = do_DELETE = do_PATCH = _read_only  # noqa: N815

    def do_OPTIONS(self):  # noqa: N802
        self._send(204, b"", "text/plain", {"Allow": "GET, HEAD, POST"})

    def _drain_body(self) -> bytes:
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ServeError(400, "bad Content-Length")
        if n < 0:
            raise ServeError(400, "bad Content-Length")
        if n > MAX_BODY:
            self.close_connection = True
            raise ServeError(413, f"request body larger than {MAX_BODY} bytes")
        return self.rfile.read(n) if n else b""

    # ---- routing
    def _route_get(self):
        u = urlsplit(self.path)
        path, params = u.path, parse_qs(u.query, keep_blank_values=True)
        if path in ("/", "/index.html"):
            return self._index()
        if path == "/sparql":
            if "update" in params:
                raise ServeError(403, "SPARQL Update is not allowed: this endpoint is read-only")
            if "query" not in params:
                if self._wants_html():
                    return self._send(303, b"", "text/plain", {"Location": "/"})
                raise ServeError(400, "missing 'query' parameter (SPARQL 1.1 Protocol: GET /sparql?query=...)")
            return self._sparql(params["query"][0], params)
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path.startswith("/id/"):
            return self._entity_request(path[len("/id/"):], params)
        if path == "/resource":
            iri = (params.get("iri") or [""])[0]
            return self._entity(iri, params)
        if path == "/api/queries":
            return self._send(200, json.dumps(named_queries(), ensure_ascii=False).encode("utf-8"),
                              "application/json; charset=utf-8")
        if path == "/api/neighbourhood":
            iri = (params.get("iri") or [""])[0]
            _nt_iri(iri)
            key = ("neighbourhood", store_version(self.server.pool.store_path), iri)
            st, body, ctype = self.server.cache.get_or_compute(
                key, lambda: (200, json.dumps(neighbourhood(self.server.pool, iri), ensure_ascii=False).encode("utf-8"),
                              "application/json; charset=utf-8"), self.server.pool.timeout + 5)
            return self._send(st, body, ctype)
        if path == "/report":   # the coverage report of kg.report (issue 9), cached per store version
            from .report import served_report
            fmt = (params.get("format") or ["html"])[0]
            st, body, ctype = self.server.cache.get_or_compute(
                ("report", store_version(self.server.pool.store_path), fmt),
                lambda: served_report(self.server.pool, fmt), 4 * self.server.pool.timeout + 5)
            return self._send(st, body, ctype)
        if path == "/healthz":
            return self._send(200, b"ok\n", "text/plain; charset=utf-8")
        if path in ("/rdf-graph-store", "/sparql-graph-crud"):
            raise ServeError(404, "the Graph Store protocol is not offered (read-only server); use /sparql")
        raise ServeError(404, f"not found: {path}")

    def _route_post(self):
        u = urlsplit(self.path)
        path, params = u.path, parse_qs(u.query, keep_blank_values=True)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if path != "/sparql":
            self._read_only() if path in ("/rdf-graph-store", "/sparql-graph-crud", "/update", "/data") else None
            if path in ("/rdf-graph-store", "/sparql-graph-crud", "/update", "/data"):
                return
            self._drain_body()
            raise ServeError(404 if path not in ("/", "/index.html") else 405, f"cannot POST to {path}")
        if ctype == "application/sparql-update" or "update" in params:
            return self._read_only()
        body = self._drain_body()
        if ctype == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise ServeError(400, "form body is not UTF-8")
            if "update" in form:
                raise ServeError(403, "SPARQL Update is not allowed: this endpoint is read-only")
            if "query" not in form:
                raise ServeError(400, "missing 'query' field in the form body")
            merged = {**params, **form}
            return self._sparql(form["query"][0], merged)
        if ctype == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ServeError(400, "query body is not UTF-8")
            return self._sparql(text, params)
        raise ServeError(415, "POST /sparql needs Content-Type application/x-www-form-urlencoded "
                              "or application/sparql-query")

    # ---- endpoints
    def _sparql(self, text: str, params: dict):
        if not text.strip():
            raise ServeError(400, "empty query")
        if uses_service(text):
            raise ServeError(403, "SERVICE (federated query) is disabled on this server")
        fmt = next((params[k][0] for k in ("format", "output", "results") if params.get(k)), None)
        req = {"op": "sparql", "query": text, "accept": self.headers.get("Accept"), "format": fmt,
               "max_rows": self.server.max_rows, "max_bytes": self.server.max_result_bytes,
               "default_graphs": params.get("default-graph-uri") or None,
               "named_graphs": params.get("named-graph-uri") or None}
        for g in (req["default_graphs"] or []) + (req["named_graphs"] or []):
            _nt_iri(g)
        key = ("sparql", store_version(self.server.pool.store_path), text, self.headers.get("Accept") or "", fmt,
               tuple(req["default_graphs"] or ()), tuple(req["named_graphs"] or ()))
        status, body, ctype = self.server.cache.get_or_compute(key, lambda: self._run_sparql(req, text),
                                                               self.server.pool.timeout + 5)
        self._send(status, body, ctype, {"Vary": "Accept"})

    def _run_sparql(self, req: dict, text: str) -> tuple[int, bytes, str]:
        try:
            resp = self.server.pool.call(req)
        except ServeError as e:
            if e.status == 400 and looks_like_update(text):
                raise ServeError(403, "SPARQL Update is not allowed: this endpoint is read-only "
                                      f"(the text is not a query: {e.message})")
            raise
        if resp[0] == "table":
            _, names, rows, truncated = resp
            return 200, render_table(names, rows, truncated, self.server.max_rows, text), "text/html; charset=utf-8"
        _, status, media, body = resp
        return status, body, media

    def _index(self):
        body = _template("index.html")
        self._send(200, page("kg — SPARQL", body, scripts=("yasgui.min.js", "app.js"),
                             styles=("yasgui.min.css",)), "text/html; charset=utf-8")

    def _static(self, name: str):
        p = self.server._static.get(unquote(name))
        if p is None:
            raise ServeError(404, "no such static file")
        data = p.read_bytes()
        ext = os.path.splitext(p.name)[1]
        self._send(200, data, _STATIC_TYPES.get(ext, "application/octet-stream"),
                   {"Cache-Control": "public, max-age=3600"})

    def _entity_request(self, rest: str, params: dict):
        raw = DATA_NS + rest
        cands = [raw]
        if unquote(raw) != raw:
            cands.append(unquote(raw))
        for iri in cands:
            try:
                _nt_iri(iri)
            except ServeError:
                continue
            if self._entity(iri, params, missing_ok=iri != cands[-1]):
                return
        raise ServeError(404, f"no such entity: {raw}")

    def _entity(self, iri: str, params: dict, missing_ok: bool = False) -> bool:
        if not iri:
            raise ServeError(400, "missing 'iri' parameter")
        _nt_iri(iri)
        fmt = (params.get("format") or [None])[0]
        kind = negotiate("entity", self.headers.get("Accept"), fmt)
        key = ("entity", store_version(self.server.pool.store_path), iri, kind)
        status, body, ctype = self.server.cache.get_or_compute(key, lambda: self._compute_entity(iri, kind),
                                                               self.server.pool.timeout + 5)
        if status == 404:
            if missing_ok:
                return False
            raise ServeError(404, f"no such entity in the store: {iri}")
        self._send(status, body, ctype, {"Vary": "Accept"})
        return True

    def _compute_entity(self, iri: str, kind: str) -> tuple[int, bytes, str]:
        if kind != "html":
            s = _nt_iri(iri)
            # the entity's own triples and (like the HTML page) its first incoming links, bounded
            resp = self.server.pool.call({"op": "graph", "format": kind, "query":
                                          f"CONSTRUCT {{ {s} ?p ?o . ?x ?q {s} }} WHERE "
                                          f"{{ {{ SELECT ?p ?o WHERE {{ {s} ?p ?o }} LIMIT {MAX_OUTGOING} }} UNION "
                                          f"{{ SELECT ?x ?q WHERE {{ ?x ?q {s} }} LIMIT {MAX_INCOMING} }} }}"})
            return resp[1], resp[3], resp[2]
        e = load_entity(self.server.pool, iri)
        if e is None:
            return 404, b"", "text/plain"
        return 200, render_entity(e), "text/html; charset=utf-8"


# --------------------------------------------------------------------------- entry point
def make_server(store: str, host: str = "127.0.0.1", port: int = 8000, *, timeout: float = 30.0,
                max_rows: int = 1000, workers: Optional[int] = None, max_result_bytes: int = 64 << 20,
                quiet: bool = False) -> KGServer:
    open_store_readonly(store).close()   # a clear one-line StoreError now rather than in the workers
    n = workers or max(2, os.cpu_count() or 2)
    pool = QueryPool(store, workers=n, timeout=timeout)
    if ":" in host:
        import socket
        KGServer.address_family = socket.AF_INET6
    allowed = None
    if host in ("127.0.0.1", "localhost", "::1"):
        allowed = set(_LOOPBACK_NAMES)
    try:
        return KGServer((host, port), pool, max_rows=max_rows, max_result_bytes=max_result_bytes,
                        allowed_hosts=allowed, quiet=quiet)
    except Exception:
        pool.close()
        raise


def serve(store: str, host: str = "127.0.0.1", port: int = 8000, **kw) -> None:
    srv = make_server(store, host, port, **kw)

    def _stop(signum, frame):  # SIGTERM: stop like Ctrl-C (close the socket, end the workers)
        raise KeyboardInterrupt
    import signal
    signal.signal(signal.SIGTERM, _stop)
    h, p = srv.server_address[:2]
    h = f"[{h}]" if ":" in h else h
    print(f"kg serve: http://{h}:{p}/  (SPARQL endpoint http://{h}:{p}/sparql, store {store})",
          file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        srv.pool.close()
