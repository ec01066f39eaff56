"""Security of `kg serve` against a hostile web client (issue 8).

* read-only: every form of update (query text, POST body, form field, Graph Store
  PUT/POST/DELETE on any path) is refused, and the store is unchanged afterwards;
* no federated SERVICE calls leave the server (SSRF);
* named-query parameters are bound as RDF terms: injection attempts do not change the query;
* entity pages escape everything from the data (a document containing `<script>`);
* the server binds to 127.0.0.1 by default;
* a runaway query is stopped by the timeout and does not block other clients;
* a short (5 s) version of the load test: 0 errors.

The store is built once per module with `kg build` from the seeds plus a hostile
document (a seed whose committee, titles and decisions carry markup and quotes).
"""
from __future__ import annotations

import html.parser
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import loadtest  # noqa: E402

KG = [str(Path(sys.executable).with_name("kg"))]
SEED_DIR = ROOT / "examples" / "minutes"
PAYLOAD = "<script>alert('kg-xss')</script>"
IMG = "<img src=x onerror=alert('kg-img')>"
BREAKOUT = "</script><script>alert('kg-breakout')</script>"
QUOTES = "\"'} ; DROP ALL ; # & <b>"


def hostile_minutes() -> str:
    """A seed whose item titles / committee name / decision text carry markup."""
    text = (SEED_DIR / "001_f6ec3e8cf42e0adb.txt").read_text("utf-8")
    text = text.replace("Godkendelse af dagsorden", f"Godkendelse {PAYLOAD} af dagsorden {IMG}")
    text = text.replace("Projekt med sygemeldte dagpengemodtagere",
                        f"Projekt {BREAKOUT} med sygemeldte {QUOTES} dagpengemodtagere")
    text = text.replace("Tiltrådte indstillingen", f"Tiltrådte indstillingen {PAYLOAD}")
    return text


def run_kg(*args, check=True, timeout=300, env=None) -> subprocess.CompletedProcess:
    p = subprocess.run(KG + [str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                       env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"kg {' '.join(map(str, args))} -> {p.returncode}\n{p.stderr[-3000:]}")
    return p


DATA = "https://w3id.org/kgdk/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HOSTILE_LABELS = {
    DATA + "committee/999/xss": PAYLOAD,
    DATA + "item/999/xss/2024-01-01/1": f"Godkendelse {IMG} af dagsorden",
    DATA + "item/999/xss/2024-01-01/2": f"Projekt {BREAKOUT} med {QUOTES}",
    DATA + "person/999/xss": "Ole \"</td></tr></table><script>alert('kg-xss')</script>",
    DATA + "organization/csv": 'Comma, "quote" and\nnew line\r\nCRLF\ttab; end',
}


def make_store(path: Path, n_filler: int = 3000) -> Path:
    """A store written through kg.store with hostile labels (independent of the parser), plus filler
    triples so that a four-way cross join is a runaway query."""
    import pyoxigraph as ox
    from kg.store import Store
    g = ox.NamedNode(DATA + "document/00000000000000ff")
    nn = ox.NamedNode
    quads = []
    for iri, label in HOSTILE_LABELS.items():
        quads.append(ox.Quad(nn(iri), nn(RDFS_LABEL), ox.Literal(label), g))
        quads.append(ox.Quad(nn(iri), nn(RDF_TYPE), nn("https://w3id.org/kgdk/ontology#Thing"), g))
        quads.append(ox.Quad(nn(DATA + "committee/999/xss"), nn("https://w3id.org/kgdk/ontology#related"),
                             nn(iri), g))
    for i in range(n_filler):
        quads.append(ox.Quad(nn(f"{DATA}filler/{i % 97}"), nn("https://w3id.org/kgdk/ontology#n"),
                             ox.Literal(str(i)), g))
    st = Store.open(path)
    with st.writer() as w:
        w.add(quads)
    st.close()
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("secstore") / "store")


class Server:
    def __init__(self, store: Path, extra=(), host_arg=True):
        self.port = loadtest.free_port()
        self.host = "127.0.0.1"
        args = KG + ["serve", "--store", str(store), "--port", str(self.port)]
        if host_arg:
            args += ["--host", "127.0.0.1"]
        args += list(extra)
        self.log = open(store.parent / f"serve-{self.port}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, start_new_session=True)
        loadtest.wait_ready(self.host, self.port, self.proc)

    def conn(self, timeout=60):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def select(self, query: str):
        st, _, body = self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                                   headers={"Accept": "application/sparql-results+json"})
        assert st == 200, (st, body[:500])
        return json.loads(body)

    def count(self) -> int:
        q = "SELECT (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
        return int(self.select(q)["results"]["bindings"][0]["n"]["value"])

    def stop(self):
        loadtest.stop_server(self.proc)
        self.log.close()


@pytest.fixture(scope="module")
def server(store):
    s = Server(store)
    yield s
    s.stop()


# --------------------------------------------------------------------------- read-only
UPDATES = [
    "INSERT DATA { <urn:kg:evil> <urn:kg:p> \"x\" }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "LOAD <http://127.0.0.1:1/evil.ttl>",
    "CREATE GRAPH <urn:kg:g>",
    "WITH <urn:kg:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX x: <urn:x> INSERT { GRAPH <urn:kg:g> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
]


def _refused(status: int) -> bool:
    """A refusal: bad request, forbidden, method not allowed, unsupported media type, not implemented."""
    return status in (400, 401, 403, 405, 415, 501)


@pytest.mark.parametrize("update", UPDATES)
def test_update_is_refused_every_way(server, update):
    before = server.count()
    q = urllib.parse.quote
    attempts = [
        ("GET", "/sparql?update=" + q(update), None, {}),
        ("GET", "/sparql?query=" + q(update), None, {}),
        ("POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"}),
        ("POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-query"}),
        ("POST", "/sparql", ("update=" + q(update)).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/sparql", ("query=" + q(update)).encode(), {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/update", update.encode(), {"Content-Type": "application/sparql-update"}),
        ("POST", "/sparql/update", ("update=" + q(update)).encode(),
         {"Content-Type": "application/x-www-form-urlencoded"}),
    ]
    for method, path, body, headers in attempts:
        status, _, text = server.request(method, path, body, headers)
        assert _refused(status) or status == 404 and not path.startswith("/sparql?"), \
            (method, path, status, text[:300])
        if path.startswith("/sparql") and status != 404:
            assert text.strip(), f"refusal without a message: {method} {path}"
    assert server.count() == before


GRAPH_STORE_PATHS = ["/sparql?default", "/sparql?graph=urn:kg:g", "/rdf-graphs/service?default",
                     "/data?default", "/store?default", "/graph-store?graph=urn:kg:g",
                     "/id/municipality/350", "/"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH"])
def test_graph_store_protocol_is_refused(server, method):
    before = server.count()
    turtle = b"<urn:kg:evil> <urn:kg:p> \"x\" ."
    for path in GRAPH_STORE_PATHS:
        status, _, text = server.request(method, path, turtle if method != "DELETE" else None,
                                         {"Content-Type": "text/turtle"})
        assert _refused(status) or status == 404, (method, path, status, text[:300])
    assert server.count() == before
    # the default graph and named graphs are intact: the seed data is still there
    assert server.select("ASK { GRAPH ?g { ?s ?p ?o } }")["boolean"] is True


class _Listener:
    """A loopback TCP listener that records whether anybody connected (SSRF probe)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self._stop:
            try:
                c, _ = self.sock.accept()
                self.hits += 1
                c.close()
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.t.join()
        self.sock.close()


def test_no_federated_service_calls(server):
    """SERVICE would let any web client make the server fetch URLs (SSRF): it must not connect."""
    lst = _Listener()
    try:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{lst.port}/sparql> {{ ?s ?p ?o }} }}"
        server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                                      headers={"Accept": "application/sparql-results+json"})
        q2 = f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{lst.port}/> {{ ?s ?p ?o }} }}"
        server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q2}))
        q3 = f"SELECT * FROM <http://127.0.0.1:{lst.port}/data.ttl> WHERE {{ ?s ?p ?o }} LIMIT 1"
        server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q3}))
        # keyword-filter bypasses: "." glued to SERVICE (valid SPARQL; once passed the filter), case, comments
        for shape in ("{{ BIND(1 AS ?x) .SERVICE <{u}> {{ ?a ?b ?c }} }}", "{{ ?s ?p ?o.SERVICE <{u}> {{ }} }}",
                      "{{ BIND(1 AS ?x) sErViCe <{u}> {{ ?a ?b ?c }} }}", "{{ #x\nSERVICE<{u}>{{?a ?b ?c}} }}",
                      "{{ BIND(1 AS ?x) OPTIONAL {{ SERVICE <{u}> {{ ?a ?b ?c }} }} }}"):
            q4 = "SELECT * WHERE " + shape.format(u=f"http://127.0.0.1:{lst.port}/x").replace("\\n", "\n")
            server.request("POST", "/sparql", q4.encode(), {"Content-Type": "application/sparql-query"})
    finally:
        lst.close()
    assert lst.hits == 0, "the server made an outgoing connection for a SERVICE/FROM clause"


# --------------------------------------------------------------------------- escaping
class _Scan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_script = False
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k.lower().startswith("on") or (v or "").lower().lstrip().startswith("javascript:"):
                self.handlers.append((tag, k, v or ""))
        if tag == "script":
            self.in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def _hostile_entities(server) -> list[str]:
    q = """SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o) && REGEX(STR(?o), "[<>]"))
           FILTER(STRSTARTS(STR(?s), "https://w3id.org/kgdk/id/")) }"""
    return [b["s"]["value"] for b in server.select(q)["results"]["bindings"]]


def test_entity_pages_escape_markup(server):
    _check_entity_pages(server)


def _check_entity_pages(server):
    iris = _hostile_entities(server)
    assert iris, "the hostile document's text did not reach the graph (nothing to test)"
    for iri in iris:
        from kg.serve import local_href
        path = local_href(iri)
        status, headers, body = server.request("GET", path, headers={"Accept": "text/html"})
        assert status == 200, (iri, status)
        assert headers.get("content-type", "").startswith("text/html"), headers
        page = body.decode("utf-8")
        for raw in (PAYLOAD, IMG, BREAKOUT):
            assert raw not in page, f"unescaped data on {path}: {raw}"
        scan = _Scan()
        scan.feed(page)
        scan.close()
        for s in scan.scripts:
            assert not s.strip().startswith("alert("), f"data became a script on {path}: {s[:100]}"
        assert not scan.handlers, f"data became an event handler on {path}: {scan.handlers}"
        visible = "".join(scan.text)
        assert "alert('kg-" in visible or any("kg-" in s for s in scan.scripts), \
            f"the hostile text is not shown at all on {path} (escaped text expected)"


def test_html_results_and_errors_escape_markup(server):
    """Query results and error messages rendered as HTML escape the data too."""
    q = f'SELECT ?x WHERE {{ BIND("{PAYLOAD.replace(chr(39), "")}" AS ?x) }}'
    for accept in ("text/html", "*/*"):
        status, headers, body = server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                                               headers={"Accept": accept})
        if headers.get("content-type", "").startswith("text/html"):
            assert b"<script>alert(kg-xss)" not in body
    bad = f"SELECT * WHERE {{ {PAYLOAD} }}"
    status, headers, body = server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": bad}),
                                           headers={"Accept": "text/html"})
    assert status == 400, status
    assert b"<script>alert(" not in body
    assert body.strip(), "a bad query gets a message"


# --------------------------------------------------------------------------- binding
def test_default_bind_is_loopback(store):
    s = Server(store, host_arg=False)
    try:
        import psutil
        addrs = {c.laddr.ip for c in psutil.Process(s.proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN}
        for child in psutil.Process(s.proc.pid).children(recursive=True):
            addrs |= {c.laddr.ip for c in child.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
        assert addrs and addrs <= {"127.0.0.1", "::1"}, addrs
    finally:
        s.stop()
    p = run_kg("serve", "--help")
    assert "127.0.0.1" in p.stdout


# --------------------------------------------------------------------------- timeout
RUNAWAY = """SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH ?g1 { ?a ?p1 ?b } GRAPH ?g2 { ?c ?p2 ?d } GRAPH ?g3 { ?e ?p3 ?f } GRAPH ?g4 { ?h ?p4 ?i } }"""


def test_runaway_query_times_out_and_does_not_block(store):
    s = Server(store, extra=["--timeout", "2"])
    try:
        done = {}

        def slow():
            try:
                done["slow"] = s.request("GET", "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}),
                                         headers={"Accept": "application/sparql-results+json"}, timeout=120)
            except Exception as e:  # noqa: BLE001
                done["slow"] = (None, {}, repr(e).encode())
            done["slow_order"] = len(done)

        t = threading.Thread(target=slow)
        t.start()
        import time
        time.sleep(0.5)                        # let the runaway query start (ordering, not a timed assertion)
        fast = s.select("ASK { GRAPH ?g { ?s ?p ?o } }")
        done["fast_order"] = len(done)
        t.join(180)
        assert not t.is_alive(), "the runaway query never ended (no timeout)"
        assert fast["boolean"] is True
        assert done["fast_order"] == 0, "a fast query had to wait for the runaway one"
        status, _, body = done["slow"]
        assert status is not None and status >= 400, (status, body[:300])
        assert body.strip(), "timeout without a message"
        # the server is still healthy afterwards
        assert s.select("ASK { ?s ?p ?o }")["boolean"] in (True, False)
    finally:
        s.stop()


# --------------------------------------------------------------------------- short load test
def test_short_load_test_no_errors(server):
    res = loadtest.run(server.host, server.port, clients=20, duration=5, timeout=60)
    assert res["requests"] > 0
    assert res["errors"] == 0, res["first_errors"]


# --------------------------------------------------------------------------- parameter binding
INJECTIONS = [
    '"} ; DROP ALL ; #', "'} ; DROP ALL ; #", '" } UNION { ?s ?p ?o } #', "STAR\" ) } UNION { ?s ?p ?o . } #",
    "<http://evil/> } ; CLEAR DEFAULT", "\\u0022 } UNION { ?a ?b ?c } #", "\\\"", "\\", '"""', "'''",
    "STAR\n} UNION {", "STAR # } UNION { ?s ?p ?o }", "?funder", "$funder", "<script>alert(1)</script>",
    "STAR\x00", "\u202eRATS", "😀", " STAR ", "",
]


def _bind_hypothesis():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(value=st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=40),
                           st.text(alphabet='"\'{}<>#;\\\n\r\t ?$.uU0123456789', max_size=30)))
    def check(value):
        """A bound value matches exactly the literal with the same text and nothing else, in plain
        patterns, FILTERs and UNION branches, with the same answers as the engine's own substitution."""
        import pyoxigraph as ox
        from kg.store import bind
        db = ox.Store()
        p = ox.NamedNode("urn:kg:name")
        db.add(ox.Quad(ox.NamedNode("urn:kg:target"), p, ox.Literal(value)))
        db.add(ox.Quad(ox.NamedNode("urn:kg:other"), p, ox.Literal(value + "x")))
        db.add(ox.Quad(ox.NamedNode("urn:kg:third"), p, ox.Literal("STAR")))
        n_before = len(db)
        for q in ("SELECT ?s WHERE { ?s <urn:kg:name> ?name } ORDER BY ?s",
                  "SELECT ?s WHERE { ?s <urn:kg:name> ?n FILTER(?n = ?name) } ORDER BY ?s",
                  "SELECT ?s WHERE { { ?s <urn:kg:name> ?name } UNION { ?s <urn:kg:none> ?name } } ORDER BY ?s"):
            bq = bind(q, {"name": value})
            got = [r["s"].value for r in db.query(bq)]
            assert got == ["urn:kg:target"], (value, bq)
            nq = q.replace("SELECT ?s", "SELECT ?s ?name")          # the engine substitutes projected variables
            native = [r["s"].value for r in db.query(nq, substitutions={ox.Variable("name"): ox.Literal(value)})]
            assert got == native, (value, bq)
        assert len(db) == n_before
    return check


def test_bind_parameters_are_terms():
    _bind_hypothesis()()


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("seedstore")
    run_kg("build", SEED_DIR, "--store", d / "store", "-j", "1")
    return d / "store"


def _kg_query(store, *args):
    return run_kg("query", *args, "--store", store, "--format", "json", check=False)


@pytest.mark.parametrize("value", INJECTIONS[:12])
def test_named_query_param_injection_cli(seed_store, value):
    """`kg query star-funding --param funder=<injection>`: same shape of answer as for a funder that does not
    exist (no rows), never all rows, never an error trace; the store is unchanged."""
    from kg.store import Store
    st = Store.open(seed_store, create=False)
    before = len(st)
    st.close()
    base = _kg_query(seed_store, "star-funding", "--param", "funder=no-such-funder-kg")
    assert base.returncode == 0, base.stderr
    p = _kg_query(seed_store, "star-funding", "--param", f"funder={value}")
    assert "Traceback" not in p.stderr
    if p.returncode != 0:                           # refused: one clear line
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    else:
        got = json.loads(p.stdout)
        want = json.loads(base.stdout)
        assert got["head"] == want["head"]
        assert got["results"]["bindings"] == want["results"]["bindings"] == [], got["results"]["bindings"][:2]
    st = Store.open(seed_store, create=False)
    assert len(st) == before
    st.close()
    # an IRI-shaped injection is refused as a bad IRI, not pasted into the query
    p = _kg_query(seed_store, "star-funding", "--param", f"funder=<http://x> }} ; DROP ALL ; #<y>")
    assert "Traceback" not in p.stderr and (p.returncode == 2 or json.loads(p.stdout)["results"]["bindings"] == [])


def test_named_query_param_still_works(seed_store):
    """The positive control for the injection tests: the default funder finds rows."""
    p = _kg_query(seed_store, "star-funding")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["results"]["bindings"], "star-funding found nothing on the seeds"


# --------------------------------------------------------------------------- CSV output
def test_query_csv_quotes_commas_quotes_newlines(store):
    """`kg query --format csv` on literals with commas, quotes, CR/LF: the csv module reads back every value."""
    import csv
    import io as _io
    q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s"
    p = subprocess.run(KG + ["query", q, "--store", str(store), "--format", "csv"], capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    got = list(csv.reader(_io.StringIO(p.stdout.decode("utf-8"), newline="")))   # bytes: keep CR LF as written
    assert got[0] == ["s", "l"]
    assert {r[0]: r[1] for r in got[1:]} == HOSTILE_LABELS
    p = run_kg("query", "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s",
               "--store", store, "--format", "tsv")
    rows = list(csv.reader(_io.StringIO(p.stdout, newline=""), delimiter="\t"))
    assert len(rows) == len(HOSTILE_LABELS) + 1


# --------------------------------------------------------------------------- a hostile document, end to end
@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    (d / "in").mkdir()
    text = hostile_minutes()
    text = text.replace("Mødested Lokale 1, Rådhuset", "Mødested Lokale 1 & \"2\" <b>Rådhuset</b>\x07\x1b")
    (d / "in" / "hostile <&> \"quote\".txt").write_text(text, "utf-8")
    run_kg("build", d / "in", "--store", d / "store", "-j", "1")
    return d / "store"


def test_hostile_document_entity_pages(hostile_store):
    """A real document with <script>, an <img onerror>, a </script> breakout and quotes in titles/decisions:
    after kg build, every entity page showing that text escapes it."""
    s = Server(hostile_store)
    try:
        iris = _hostile_entities(s)
        assert len(iris) >= 2, iris                   # titles and decisions reached the graph
        _check_entity_pages(s)
    finally:
        s.stop()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld", "gexf", "graphml"])
def test_hostile_document_exports_parse(hostile_store, tmp_path, fmt):
    """Every export of the hostile document's graph parses back (rdflib for RDF, XML + networkx for Gephi)."""
    out = tmp_path / f"x.{fmt}"
    view = ["--view", "full"] if fmt in ("gexf", "graphml") else []
    run_kg("export", "--format", fmt, "-o", out, "--store", hostile_store, *view)
    if fmt in ("gexf", "graphml"):
        import xml.etree.ElementTree as ET
        import networkx as nx
        ET.parse(out)
        g = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
        labels = " ".join(str(d.get("label", "")) for _, d in g.nodes(data=True))
        assert "kg-" in labels, "the hostile text is not in the view (nothing was tested)"
        return
    import rdflib
    ds = rdflib.Dataset()
    ds.parse(out, format={"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}[fmt])
    lits = {str(o) for _, _, o, _ in ds.quads((None, None, None, None)) if isinstance(o, rdflib.Literal)}
    assert any(PAYLOAD in x for x in lits), "the <script> payload did not survive the round trip"
    assert any(BREAKOUT in x for x in lits)


# --------------------------------------------------------------------------- result-size limit
def test_result_size_limit(store):
    """A result bigger than --max-result-mb is refused (413 with a message), not streamed without bound;
    the server then still answers; a huge request body is refused too."""
    s = Server(store, extra=["--max-result-mb", "1", "--timeout", "60"])
    try:
        q = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f } } LIMIT 200000"
        status, _, body = s.request("GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                                    headers={"Accept": "application/sparql-results+json"}, timeout=120)
        assert status == 413, (status, body[:200])
        assert b"LIMIT" in body or b"larger" in body, body[:200]
        assert s.select("ASK { GRAPH ?g { ?s ?p ?o } }")["boolean"] is True
        big = b"query=" + b"%20" * (64 << 20)
        try:
            status, _, body = s.request("POST", "/sparql", big,
                                        {"Content-Type": "application/x-www-form-urlencoded"}, timeout=120)
            assert status in (400, 413), status
        except (ConnectionError, OSError):
            pass                                # the server may close the connection on an oversized body
        assert s.select("ASK { GRAPH ?g { ?s ?p ?o } }")["boolean"] is True
    finally:
        s.stop()


def test_dns_rebinding_host_header_refused(server):
    """Bound to loopback, the server answers only requests addressed to a loopback name: a page that
    rebinds attacker.example to 127.0.0.1 cannot read it through the victim's browser."""
    q = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    for host in ("attacker.example", "attacker.example:%d" % server.port, "127.0.0.1.nip.io"):
        status, _, body = server.request("GET", q, headers={"Host": host})
        assert status == 403, (host, status, body[:200])
    for host in ("127.0.0.1:%d" % server.port, "localhost:%d" % server.port):
        status, _, _ = server.request("GET", q, headers={"Host": host})
        assert status == 200, (host, status)


def test_no_path_traversal(server):
    """Static files and entity paths never reach files outside the bundled web assets."""
    for path in ("/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/pyproject.toml",
                 "/static//etc/passwd", "/id/../../etc/passwd", "/../../etc/passwd", "/static/..\\..\\kg\\serve.py",
                 "/report/../../../etc/passwd"):
        status, _, body = server.request("GET", path)
        assert status in (400, 403, 404), (path, status)
        assert b"root:" not in body and b"[build-system]" not in body and b"def " not in body, path
