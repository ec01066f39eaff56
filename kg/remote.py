"""An external SPARQL store: `kg push` (upload the named graphs) and remote queries.

Push
----
Every named graph of the store except the bookkeeping graph (``kgd:graph/meta``, which holds
local file paths) is uploaded, so a re-push replaces exactly what an earlier push wrote:

* **Graph Store HTTP Protocol** (``--graph-store URL``): per graph, the first batch of
  triples is ``PUT`` (replace; idempotent) and further batches are ``POST`` (append) to
  ``URL?graph=G`` (Virtuoso's ``/sparql-graph-crud*`` takes ``graph-uri=``; used when the URL
  says so). Bodies are N-Triples sent as ``text/turtle`` (every store reads it).
* **SPARQL 1.1 Update** (no ``--graph-store``): per graph ``DROP SILENT GRAPH <G>`` then
  ``INSERT DATA { GRAPH <G> { ... } }`` batches, POSTed as ``application/sparql-update``.

Terms are written by pyoxigraph (N-Triples escaping); non-ASCII characters in literals and
IRIs are additionally written as ``\\uXXXX`` escapes, so no store can mis-decode them.
Authentication: HTTP Basic or Digest, whichever the server asks for (urllib handlers).

Remote query
------------
:func:`remote_query` runs SPARQL through SPARQLWrapper (a real SPARQL Protocol client) and
parses the SPARQL-JSON answer with pyoxigraph, so callers get the same result objects as from
the embedded store (:class:`pyoxigraph.QuerySolutions`, :class:`~pyoxigraph.QueryBoolean`).
"""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from typing import Callable, Iterable, Iterator, Optional
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox


class RemoteError(Exception):
    """A problem talking to the external store (one line, names the URL)."""


# --------------------------------------------------------------------------- serialisation
def _ascii_escape(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x80:
            out.append(ch)
        elif o <= 0xFFFF:
            out.append("\\u%04X" % o)
        else:
            out.append("\\U%08X" % o)
    return "".join(out)


def nt_term(t) -> str:
    """One term in N-Triples syntax, ASCII only (valid in Turtle, N-Triples and SPARQL)."""
    if isinstance(t, ox.BlankNode):
        # kg graphs have no blank nodes; keep them distinct per push anyway
        return "_:" + t.value
    return _ascii_escape(str(t))


def nt_lines(triples: Iterable) -> Iterator[str]:
    for t in triples:
        yield f"{nt_term(t.subject)} {nt_term(t.predicate)} {nt_term(t.object)} .\n"


def _batches(it: Iterable, n: int) -> Iterator[list]:
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


# --------------------------------------------------------------------------- HTTP
def _opener(url: str, user: Optional[str], password: Optional[str]):
    handlers = []
    if user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(mgr), urllib.request.HTTPBasicAuthHandler(mgr)]
    return urllib.request.build_opener(*handlers)


# A server that aborts a transaction because of a deadlock (Virtuoso: "SR172: Transaction deadlocked",
# seen with parallel Graph Store PUTs) rolled it back: the same request may simply be sent again.
_RETRYABLE = re.compile(r"deadlock|SR172", re.I)
_RETRIES = 5


def _request(opener, method: str, url: str, body: bytes, ctype: str, timeout: float = 300) -> int:
    for attempt in range(_RETRIES + 1):
        req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": ctype})
        try:
            with opener.open(req, timeout=timeout) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            detail = e.read(400).decode("utf-8", "replace").strip().replace("\n", " ")
            if e.code in (500, 503) and _RETRYABLE.search(detail) and attempt < _RETRIES:
                time.sleep(0.2 * 2 ** attempt)
                continue
            raise RemoteError(f"{method} {url}: HTTP {e.code} {e.reason}" + (f": {detail}" if detail else "")) from None
        except (urllib.error.URLError, OSError) as e:
            raise RemoteError(f"{method} {url}: {getattr(e, 'reason', e)}") from None
    raise AssertionError("unreachable")


def graph_store_url(base: str, graph: Optional[str]) -> str:
    """``base?graph=G`` (``graph-uri=`` for Virtuoso's sparql-graph-crud), ``?default`` for None."""
    if graph is None:
        return base + ("&" if "?" in base else "?") + "default"
    key = "graph-uri" if "sparql-graph-crud" in urlsplit(base).path else "graph"
    return base + ("&" if "?" in base else "?") + urlencode({key: graph})


# --------------------------------------------------------------------------- push
def pushed_graphs(store) -> list[str]:
    """The named graphs a push uploads: all but the store's bookkeeping graph."""
    from . import iris
    meta = iris.meta_graph()
    return [g for g in store.graphs() if g != meta]


def push(store, *, endpoint: Optional[str] = None, graph_store: Optional[str] = None,
         user: Optional[str] = None, password: Optional[str] = None, batch: int = 20000,
         graphs: Optional[list[str]] = None, progress: Optional[Callable[[str], None]] = None,
         timeout: float = 300, jobs: int = 4) -> dict:
    """Upload the store's named graphs; re-pushing replaces them. Returns counts and timing.

    ``jobs`` graphs are uploaded at once (one HTTP connection each); the batches of one graph are
    always sent in order (first PUT/DROP, then appends). The first error stops the push.
    """
    if not graph_store and not endpoint:
        raise RemoteError("push needs --graph-store URL (Graph Store Protocol) or --endpoint URL (SPARQL Update)")
    import threading
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    t0 = time.perf_counter()
    todo = graphs if graphs else pushed_graphs(store)
    known = set(store.graphs())
    for g in todo:
        if g not in known:
            raise RemoteError(f"no graph {g} in the store")
    url = graph_store or endpoint
    local = threading.local()          # urllib's digest handler keeps per-connection state
    lock = threading.Lock()
    totals = {"triples": 0, "requests": 0, "graphs": 0}
    stop = threading.Event()

    def send(method, target, body, ctype):
        if stop.is_set():
            raise RemoteError("stopped after an earlier error")
        if not hasattr(local, "opener"):
            local.opener = _opener(url, user, password)
        _request(local.opener, method, target, body, ctype, timeout)

    def upload(g: str) -> None:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(g))
        try:
            _upload(g, triples)
        finally:
            triples.close()   # the store iterator must be dropped on the thread that made it

    def _upload(g: str, triples) -> None:
        n_t = n_r = 0
        if graph_store:
            target = graph_store_url(graph_store, g)
            first = True
            for chunk in _batches(nt_lines(triples), batch):
                send("PUT" if first else "POST", target, "".join(chunk).encode("ascii"), "text/turtle")
                first = False
                n_r += 1
                n_t += len(chunk)
            if first:   # empty graph: replace with nothing
                send("PUT", target, b"", "text/turtle")
                n_r += 1
        else:
            gi = nt_term(ox.NamedNode(g))
            send("POST", endpoint, f"DROP SILENT GRAPH {gi}".encode("ascii"), "application/sparql-update")
            n_r += 1
            for chunk in _batches(nt_lines(triples), batch):
                send("POST", endpoint, f"INSERT DATA {{ GRAPH {gi} {{\n{''.join(chunk)}}} }}".encode("ascii"),
                     "application/sparql-update")
                n_r += 1
                n_t += len(chunk)
        with lock:
            totals["triples"] += n_t
            totals["requests"] += n_r
            totals["graphs"] += 1
            done = totals["graphs"]
        if progress and done % 500 == 0 and done < len(todo):
            progress(f"pushed {done}/{len(todo)} graphs ({totals['triples']} triples)")

    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as ex:
        futures = [ex.submit(upload, g) for g in todo]
        finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
        errors = [f.exception() for f in finished if f.exception() is not None]
        if errors:
            stop.set()
            for f in futures:
                f.cancel()
            first_error = next((e for e in errors if "stopped after an earlier error" not in str(e)), errors[0])
            if isinstance(first_error, RemoteError):
                raise first_error
            raise RemoteError(f"push failed: {type(first_error).__name__}: {first_error}") from None
    return {"graphs": totals["graphs"], "triples": totals["triples"], "requests": totals["requests"],
            "mode": "graph store protocol" if graph_store else "sparql update",
            "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- remote query
def remote_query(endpoint: str, sparql: str, *, user: Optional[str] = None, password: Optional[str] = None,
                 auth: str = "basic", timeout: float = 300):
    """Run a SELECT/ASK (SPARQL JSON) or CONSTRUCT/DESCRIBE (N-Triples) query on `endpoint` via SPARQLWrapper.

    Returns pyoxigraph objects: QuerySolutions, QueryBoolean, or a list of Triples.
    """
    from SPARQLWrapper import DIGEST, BASIC, JSON, N3, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    sw = SPARQLWrapper(endpoint)
    sw.setQuery(sparql)
    sw.setMethod(POST)
    sw.setTimeout(int(timeout))
    if user is not None:
        sw.setHTTPAuth(DIGEST if auth == "digest" else BASIC)
        sw.setCredentials(user, password or "")
    qtype = sw.queryType
    graph = qtype in ("CONSTRUCT", "DESCRIBE")
    if graph:
        sw.setReturnFormat(N3)
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    else:
        sw.setReturnFormat(JSON)
    try:
        res = sw.query()
        raw = res.response.read()
        ctype = (res.response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    except SPARQLWrapperException as e:
        msg = str(e).strip().replace("\n", " ")
        raise RemoteError(f"{endpoint}: {msg[:500]}") from None
    except urllib.error.HTTPError as e:
        raise RemoteError(f"{endpoint}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise RemoteError(f"{endpoint}: {getattr(e, 'reason', e)}") from None
    try:
        if graph:
            fmt = ox.RdfFormat.N_TRIPLES if ctype in ("application/n-triples", "text/plain") else ox.RdfFormat.TURTLE
            return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(raw, format=fmt)]
        return ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as e:
        raise RemoteError(f"{endpoint}: unreadable answer ({ctype or 'no content type'}): {e}") from None


def run_named(endpoint: str, q, given=None, *, user: Optional[str] = None, password: Optional[str] = None,
              auth: str = "basic", timeout: float = 300):
    """Run a :class:`kg.query.NamedQuery` on `endpoint` with its parameters bound as RDF terms.

    Same binding as on the embedded store (:func:`kg.query.bindings_for` + :func:`kg.store.bind`),
    so the text sent is the text the embedded store would run.
    """
    from .query import bindings_for
    from .store import bind

    b = bindings_for(q, given or {})
    return remote_query(endpoint, bind(q.text, b) if b else q.text, user=user, password=password,
                        auth=auth, timeout=timeout)


def format_remote(result, fmt: str = "table", lists=None) -> str:
    """Format a remote result like `kg query` formats an embedded one (CONSTRUCT -> N-Triples)."""
    from .query import format_result
    if isinstance(result, list):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return format_result(result, fmt, lists)


def query_command(endpoint: str, query_arg: str, params, fmt: str, echo, err) -> int:
    """`kg query QUERY --endpoint URL`: exit status 0, 1 (remote failed) or 2 (usage)."""
    from .query import QueryError, load, parse_params
    try:
        nq = load(query_arg)
        res = run_named(endpoint, nq, parse_params(params))
    except QueryError as e:
        err(f"error: {e}")
        return 2
    except RemoteError as e:
        err(f"error: {e}")
        return 1
    echo(format_remote(res, fmt, nq.lists))
    return 0
