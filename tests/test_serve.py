"""`kg serve` as a real subprocess, driven through SPARQLWrapper (a real SPARQL Protocol client) and plain HTTP."""
from __future__ import annotations

import json
import threading
import urllib.parse

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.serve import looks_like_update, negotiate, uses_service
from kg.store import Store
from virtuoso_fixture import (XSS_LABEL, KGServe, add_trig, build_seed_store, have_build, http, http_get,
                              trig_store)

pytestmark = pytest.mark.timeout(300)
KGD = "https://w3id.org/kgdk/id/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "store"
    if have_build():
        build_seed_store(path)
        add_trig(path)            # the hand-written graph with a <script> label, next to the real data
    else:
        trig_store(path)
    return path


@pytest.fixture(scope="module")
def server(store):
    s = KGServe(store, "--max-rows", "3")
    yield s
    s.stop()


def local_count(store, q: str) -> int:
    st = Store.open(store, create=False)
    try:
        return int(next(iter(st.query(q)))["n"].value)
    finally:
        st.close()


def sw(server, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    w = SPARQLWrapper(server.endpoint)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    if method:
        w.setMethod(method)
    return w


# --------------------------------------------------------------------------- SPARQLWrapper
@pytest.mark.parametrize("method", [None, POST])
def test_select_through_sparqlwrapper(server, store, method):
    q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    res = sw(server, q, method=method).query().convert()
    assert res["head"]["vars"] == ["s", "l"]
    expected = local_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert len(res["results"]["bindings"]) == expected > 0
    labels = {b["l"]["value"] for b in res["results"]["bindings"]}
    assert "Prøveprojekt Først" in labels and XSS_LABEL in labels


def test_count_matches_embedded_store(server, store):
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    res = sw(server, q).query().convert()
    assert int(res["results"]["bindings"][0]["n"]["value"]) == local_count(store, q) > 10


def test_ask_through_sparqlwrapper(server):
    yes = sw(server, f"ASK {{ <{KGD}project/serve-test-project> ?p ?o }}").query().convert()
    no = sw(server, f"ASK {{ <{KGD}project/does-not-exist> ?p ?o }}").query().convert()
    assert yes["boolean"] is True and no["boolean"] is False


def test_construct_through_sparqlwrapper(server, store):
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{KGD}document/0000serve0test0> {{ ?s ?p ?o }} }}"
    n = local_count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{KGD}document/0000serve0test0> {{ ?s ?p ?o }} }}")
    import rdflib
    g = sw(server, q, XML).query().convert()          # RDF/XML, parsed by SPARQLWrapper into an rdflib Graph
    assert isinstance(g, rdflib.Graph) and len(g) == n > 5
    raw = sw(server, q, TURTLE).query().convert()     # Turtle comes back as bytes
    assert len(rdflib.Graph().parse(data=raw, format="turtle")) == n


def test_bad_query_is_400_with_parser_message(server):
    with pytest.raises(QueryBadFormed) as ei:
        sw(server, "SELECT ?s WHERE { ?s ?p }").query()
    msg = str(ei.value)
    assert "syntax error" in msg and "expected" in msg


def test_update_through_sparqlwrapper_is_refused(server, store):
    before = local_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    w = SPARQLWrapper(server.endpoint)
    w.setMethod(POST)
    w.setQuery(f"INSERT DATA {{ GRAPH <{KGD}x> {{ <{KGD}a> <{KGD}b> <{KGD}c> }} }}")
    with pytest.raises(Exception) as ei:
        w.query()
    assert getattr(ei.value, "code", None) == 403
    assert local_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


# --------------------------------------------------------------------------- protocol details over plain HTTP
def get(server, query: str, accept: str | None = None, **params):
    qs = urllib.parse.urlencode({"query": query, **params})
    return http_get(f"{server.endpoint}?{qs}", accept)


@pytest.mark.parametrize("accept,ctype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html", "text/html"),
    (None, "application/sparql-results+json"),
])
def test_select_content_negotiation(server, accept, ctype):
    st, h, body = get(server, f"SELECT ?l WHERE {{ <{KGD}municipality/999> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}", accept)
    assert st == 200 and h["Content-Type"].startswith(ctype)
    assert "Prøvekommune" in body.decode("utf-8")
    if ctype.startswith("application/sparql-results"):
        fmt = ox.QueryResultsFormat.JSON if ctype.endswith("json") else ox.QueryResultsFormat.XML
        rows = list(ox.parse_query_results(body, format=fmt))
        assert rows[0]["l"].value == "Prøvekommune"


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_construct_content_negotiation(server, accept, fmt):
    st, h, body = get(server, f"CONSTRUCT WHERE {{ <{KGD}project/serve-test-project> ?p ?o }}", accept)
    assert st == 200 and h["Content-Type"].startswith(accept)
    triples = list(ox.parse(body, format=fmt))
    assert any(t.object == ox.Literal("Prøveprojekt Først") for t in triples)


def test_post_forms(server):
    q = f"ASK {{ <{KGD}municipality/999> ?p ?o }}"
    for body, ctype in ((urllib.parse.urlencode({"query": q}).encode(), "application/x-www-form-urlencoded"),
                        (q.encode(), "application/sparql-query")):
        st, _, out = http("POST", server.endpoint, body, {"Content-Type": ctype,
                                                          "Accept": "application/sparql-results+json"})
        assert st == 200 and json.loads(out)["boolean"] is True


def test_html_row_limit(server, store):
    st, _, body = get(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/html")
    page = body.decode()
    assert st == 200 and page.count("<tr>") == 1 + 3          # header + --max-rows 3
    assert "first 3 rows" in page


@pytest.mark.parametrize("method,path,body,ctype", [
    ("GET", "/sparql?" + urllib.parse.urlencode({"update": "DROP ALL"}), None, None),
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": "DROP ALL"}), None, None),
    ("POST", "/sparql", b"CLEAR ALL", "application/sparql-update"),
    ("POST", "/sparql", urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
    ("POST", "/sparql", b"DELETE WHERE { ?s ?p ?o }", "application/sparql-query"),
    ("PUT", "/rdf-graph-store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .", "text/turtle"),
    ("POST", "/rdf-graph-store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .", "text/turtle"),
    ("DELETE", "/rdf-graph-store?graph=" + urllib.parse.quote(KGD + "document/0000serve0test0"), None, None),
])
def test_every_update_form_is_403(server, store, method, path, body, ctype):
    before = local_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    st, _, out = http(method, server.base + path, body, {"Content-Type": ctype} if ctype else {})
    assert st == 403, (st, out)
    assert b"read-only" in out
    assert local_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


def test_service_is_refused(server):
    st, _, body = get(server, "SELECT * WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert st == 403 and b"SERVICE" in body


def test_foreign_host_header_is_refused(server):
    st, _, _ = http("GET", server.base + "/", headers={"Host": "attacker.example"})
    assert st == 403


# --------------------------------------------------------------------------- entity pages
def test_entity_page_html_escapes_data(server):
    st, h, body = http_get(server.base + "/id/organization/xss", "text/html")
    page = body.decode("utf-8")
    assert st == 200 and h["Content-Type"].startswith("text/html")
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert ("&lt;script&gt;window.__pwned=1&lt;/script&gt; &amp; &quot;Co&quot; "
            "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;") in page
    assert "script-src 'self'" in h["Content-Security-Policy"]


def test_entity_page_content(server):
    st, _, body = http_get(server.base + "/id/project/serve-test-project", "text/html")
    page = body.decode("utf-8")
    assert st == 200
    assert '<h1 id="entity-label">Prøveprojekt Først</h1>' in page
    assert 'href="/resource?iri=https%3A%2F%2Fw3id.org%2Fkgdk%2Fontology%23Project"' in page.split('class="types"')[1].split("</p>")[0]
    assert 'href="/id/municipality/999"' in page                    # property link to an entity page
    assert "Prøvekommune" in page                                  # ... shown by its label
    assert "page 2" in page and "lines 41–44" in page and "project.funding" in page   # provenance
    assert "/static/sigma.min.js" in page and "https://" not in page.split("<main>")[0]  # no CDN
    # incoming links on the municipality page
    st, _, body = http_get(server.base + "/id/municipality/999", "text/html")
    assert st == 200 and 'href="/id/project/serve-test-project"' in body.decode()


def test_entity_turtle(server):
    st, h, body = http_get(server.base + "/id/project/serve-test-project", "text/turtle")
    assert st == 200 and h["Content-Type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    me = ox.NamedNode(KGD + "project/serve-test-project")
    assert ox.Triple(me, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Prøveprojekt Først")) in triples
    assert all(me in (t.subject, t.object) for t in triples)


def test_unknown_entity_is_404(server):
    assert http_get(server.base + "/id/project/nope", "text/html")[0] == 404
    assert http_get(server.base + "/id/project/nope", "text/turtle")[0] == 404


def test_neighbourhood_api(server):
    st, _, body = http_get(server.base + "/api/neighbourhood?" +
                           urllib.parse.urlencode({"iri": KGD + "project/serve-test-project"}))
    data = json.loads(body)
    ids = {n["id"] for n in data["nodes"]}
    assert st == 200 and {KGD + "municipality/999", KGD + "organization/xss"} <= ids
    assert any(e["target"] == KGD + "municipality/999" for e in data["edges"])


def test_static_files_are_bundled(server):
    for name in ("yasgui.min.js", "yasgui.min.css", "sigma.min.js", "graphology.umd.min.js", "app.js", "entity.js"):
        st, h, body = http_get(server.base + "/static/" + name)
        assert st == 200 and len(body) > 500, name
    assert http_get(server.base + "/static/../serve.py")[0] == 404


def test_named_queries_listed(server):
    st, _, body = http_get(server.base + "/api/queries")
    qs = json.loads(body)
    assert st == 200 and isinstance(qs, list)
    from kg.serve import named_queries
    assert [q["name"] for q in qs] == [q["name"] for q in named_queries()]


def test_entity_pages_are_served_while_queries_hog_the_workers(store):
    """Entity pages use their own lane of workers: a runaway query on the only query worker does not stop them."""
    s = KGServe(store, "--timeout", "3", "--workers", "1")
    try:
        values = " ".join(str(i) for i in range(300))
        runaway = ("SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {values} }}" for i in range(5)) + " }")
        out = {}
        t = threading.Thread(target=lambda: out.setdefault("r", get(s, runaway)))
        t.start()
        import time
        time.sleep(0.5)   # let the runaway query take the worker (a state, not a timing assertion)
        pages = [http_get(s.base + "/id/municipality/999", "text/html")[0],
                 http_get(s.base + "/api/neighbourhood?" + urllib.parse.urlencode({"iri": KGD + "municipality/999"}))[0]]
        t.join(60)
        assert pages == [200, 200]
        assert out["r"][0] == 503
    finally:
        s.stop()


# --------------------------------------------------------------------------- kg query --endpoint (our own server as the remote)
def test_kg_query_endpoint_matches_embedded(server, store):
    import subprocess
    from kg import query as kq
    from virtuoso_fixture import ROOT, kg_cmd, rows

    names = [q.name for q in kq.list_queries() if all(p.default is not None for p in q.params)]
    assert names
    for name in names:
        out = {}
        for where in (["--store", str(store)], ["--endpoint", server.endpoint]):
            r = subprocess.run(kg_cmd("query", name, "--format", "json", *where), capture_output=True,
                               cwd=ROOT, timeout=120)
            assert r.returncode == 0, r.stderr.decode()
            out[where[0]] = rows(ox.parse_query_results(r.stdout, format=ox.QueryResultsFormat.JSON))
        assert out["--store"] == out["--endpoint"], name
    r = subprocess.run(kg_cmd("query", "ASK { ?s ?p ?o }", "--endpoint", server.endpoint), capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "true"
    r = subprocess.run(kg_cmd("query", "SELECT ?x WHERE { ?x }", "--endpoint", server.endpoint), capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 1 and "syntax error" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- timeout: a runaway query
def test_runaway_query_times_out_without_blocking_others(store):
    s = KGServe(store, "--timeout", "2", "--workers", "2")
    try:
        values = " ".join(str(i) for i in range(300))
        runaway = ("SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?v{i} {{ {values} }}" for i in range(5)) + " }")
        out = {}

        def run():
            out["runaway"] = get(s, runaway)

        t = threading.Thread(target=run)
        t.start()
        # while the runaway query holds one worker, other clients are served
        answers = [get(s, f"ASK {{ <{KGD}municipality/999> ?p ?o }}")[0] for _ in range(5)]
        t.join(60)
        assert answers == [200] * 5
        st, _, body = out["runaway"]
        assert st == 503 and b"timed out" in body
        # the killed worker was replaced: the server keeps answering with both workers
        assert [get(s, "ASK { ?s ?p ?o }")[0] for _ in range(4)] == [200] * 4
    finally:
        s.stop()


# --------------------------------------------------------------------------- a rebuild while serving
def test_new_store_version_is_served_without_restart(tmp_path):
    """Responses are cached per store version: after a build makes a new version live, answers change."""
    path = trig_store(tmp_path / "store")
    s = KGServe(path)
    try:
        q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        first = [json.loads(get(s, q)[2])["results"]["bindings"][0]["n"]["value"] for _ in range(2)]
        page1 = http_get(s.base + "/id/municipality/999", "text/html")[2].decode()
        g = KGD + "document/0000serve0test1"
        add_trig(path, f"<{g}> {{ <{KGD}municipality/999> <http://www.w3.org/2000/01/rdf-schema#label> \"Ny etiket\" . }}")
        second = json.loads(get(s, q)[2])["results"]["bindings"][0]["n"]["value"]
        page2 = http_get(s.base + "/id/municipality/999", "text/html")[2].decode()
        assert first[0] == first[1] and int(second) == int(first[0]) + 1
        assert "Ny etiket" not in page1 and "Ny etiket" in page2
    finally:
        s.stop()


# --------------------------------------------------------------------------- CLI errors are one line
def test_cli_errors_are_one_line(tmp_path, store):
    import subprocess
    from virtuoso_fixture import ROOT, free_port, kg_cmd

    def run(*args):
        r = subprocess.run(kg_cmd(*args), capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        return r

    r = run("serve", "--store", str(tmp_path / "nothing"), "--port", "0")
    assert r.returncode == 2 and "no kg store" in r.stderr
    dead = f"http://127.0.0.1:{free_port()}"
    r = run("push", "--store", str(store), "--endpoint", dead + "/update", "--graph-store", dead + "/data")
    assert r.returncode == 1 and r.stderr.startswith("error: PUT " + dead)
    r = run("query", "star-funding", "--endpoint", dead + "/sparql")
    assert r.returncode == 1 and r.stderr.startswith("error: " + dead)


# --------------------------------------------------------------------------- pure functions
def test_keyword_detection():
    assert looks_like_update("INSERT DATA { <a> <b> <c> }")
    assert looks_like_update("prefix x: <urn:>\n drop all")
    assert not looks_like_update('SELECT * WHERE { ?s ?p "DROP ALL" } # INSERT')
    assert not looks_like_update("SELECT ?insert WHERE { ?insert x:delete <urn:DROP> }")
    assert uses_service("SELECT * { ?s ?p ?o .SERVICE <urn:x> {} }")
    assert not uses_service('SELECT * { ?s ?p "SERVICE" . ?service ex:service <urn:SERVICE> }')


def test_negotiation():
    assert negotiate("result", "text/csv;q=0.5, application/sparql-results+xml") == "xml"
    assert negotiate("result", "*/*") == "json"
    assert negotiate("graph", "*/*") == "turtle"
    assert negotiate("graph", "application/sparql-results+xml", "xml") == "rdfxml"
    assert negotiate("result", None, "csv") == "csv"
    assert negotiate("entity", "*/*") == "html"
    assert negotiate("entity", "text/turtle") == "turtle"
