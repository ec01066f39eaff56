"""The on-disk store: atomic versioned writes, writer lock, schema version, safe parameter binding."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pyoxigraph as ox
import pytest

from kg import iris
from kg.store import SCHEMA_VERSION, Store, StoreError, StoreLocked, StoreVersionError, bind

G1 = iris.document("1" * 64)
G2 = iris.document("2" * 64)
P = ox.NamedNode("https://w3id.org/kgdk/ontology#test")


def quads(g, n, tag="v"):
    gn = ox.NamedNode(g)
    return [ox.Quad(ox.NamedNode(f"{g}/s{i}"), P, ox.Literal(f"{tag}{i}"), gn) for i in range(n)]


def test_create_open_and_schema_version(tmp_path):
    st = Store.open(tmp_path / "s")
    assert st.schema_version() == SCHEMA_VERSION
    assert st.document_graphs() == []
    st.close()
    with pytest.raises(StoreError, match="no kg store"):
        Store.open(tmp_path / "nothing", create=False)


def test_replace_graphs_and_read_back(tmp_path):
    st = Store.open(tmp_path / "s")
    st.replace_graphs({G1: quads(G1, 10), G2: quads(G2, 5)})
    assert st.document_graphs() == sorted([G1, G2])
    assert sum(1 for _ in st.quads(G1)) == 10
    st.replace_graphs({G1: quads(G1, 3, "w")})
    assert sorted(q.object.value for q in st.quads(G1)) == ["w0", "w1", "w2"]
    assert sum(1 for _ in st.quads(G2)) == 5
    st.remove_graphs([G2])
    assert st.document_graphs() == [G1]


def test_failed_write_leaves_store_unchanged(tmp_path):
    st = Store.open(tmp_path / "s")
    st.replace_graphs({G1: quads(G1, 10)})
    before = st.version
    with pytest.raises(RuntimeError):
        with st.writer() as w:
            w.remove_graph(G1)
            w.add(quads(G2, 100))
            raise RuntimeError("boom")
    assert st.version == before
    assert st.document_graphs() == [G1] and len(list(st.quads(G1))) == 10
    # no leftover staging directory
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if p.name.startswith("v-")) == [before] or \
        before in os.listdir(tmp_path / "s")


def test_readers_see_a_snapshot_and_refresh(tmp_path):
    a = Store.open(tmp_path / "s")
    b = Store.open(tmp_path / "s")
    a.replace_graphs({G1: quads(G1, 2)})
    assert b.graphs() == [iris.meta_graph()]        # b still reads its snapshot ...
    assert b.refresh() and G1 in b.graphs()           # ... until it refreshes (query() does that itself)
    assert bool(b.query(f"ASK {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"))


def _holder(root, seconds):
    code = textwrap.dedent(f"""
        import time
        from kg.store import Store
        st = Store.open({str(root)!r})
        with st.writer() as w:
            print("locked", flush=True)
            time.sleep({seconds})
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_second_writer_refuses_or_waits(tmp_path):
    root = tmp_path / "s"
    st = Store.open(root)
    p = _holder(root, 1.5)
    try:
        with pytest.raises(StoreLocked, match="another kg process"):
            with st.writer():
                pass
        t = time.monotonic()
        with st.writer(wait=True) as w:      # waits for the holder to finish
            w.add(quads(G1, 1))
        assert time.monotonic() - t > 0.3
    finally:
        p.wait(10)
    assert st.document_graphs() == [G1]


def test_killed_writer_leaves_store_as_before(tmp_path):
    root = tmp_path / "s"
    st = Store.open(root)
    st.replace_graphs({G1: quads(G1, 5)})
    before = sorted(str(q) for q in st.quads())
    code = textwrap.dedent(f"""
        import pyoxigraph as ox
        from kg.store import Store
        st = Store.open({str(root)!r})
        g = ox.NamedNode({G2!r})
        def gen():
            i = 0
            while True:
                i += 1
                if i == 1000:
                    print("loading", flush=True)
                yield ox.Quad(ox.NamedNode(f"{{g.value}}/{{i}}"), ox.NamedNode("http://x/p"), ox.Literal(str(i)), g)
        with st.writer() as w:
            w.remove_graph({G1!r})
            w.add(gen())
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "loading"
    time.sleep(0.3)
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    st2 = Store.open(root)
    assert sorted(str(q) for q in st2.quads()) == before
    st2.replace_graphs({G2: quads(G2, 2)})          # the next write works (lock released, orphan cleaned)
    assert st2.document_graphs() == sorted([G1, G2])
    assert len([p for p in os.listdir(root) if p.startswith("v-")]) <= 2


def test_old_schema_version_is_refused(tmp_path):
    root = tmp_path / "s"
    st = Store.open(root)
    from kg.mapping import SCHEMA_VERSION_P
    meta = ox.NamedNode(iris.meta_graph())
    with st.writer() as w:
        w.db.remove(ox.Quad(meta, ox.NamedNode(SCHEMA_VERSION_P),
                            ox.Literal(str(SCHEMA_VERSION), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                            meta))
        w.db.add(ox.Quad(meta, ox.NamedNode(SCHEMA_VERSION_P), ox.Literal("0"), meta))
    with pytest.raises(StoreVersionError, match="schema version 0.*rebuild"):
        Store.open(root)


def test_foreign_directories_are_refused(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not empty and not a kg store"):
        Store.open(tmp_path / "full")
    raw = ox.Store(str(tmp_path / "raw"))
    raw.add(ox.Quad(ox.NamedNode("http://a"), P, ox.Literal("x")))
    raw.flush()
    del raw
    with pytest.raises(StoreVersionError, match="plain oxigraph"):
        Store.open(tmp_path / "raw")


def test_bind_is_injection_safe(tmp_path):
    st = Store.open(tmp_path / "s")
    st.replace_graphs({G1: quads(G1, 3)})
    evil = '"} ; DROP ALL ; # <x> \' \\'
    q = "SELECT ?s WHERE { ?s ?p ?o FILTER(STR(?o) = ?v) }"
    text = bind(q, {"v": evil})
    assert text.count("DROP ALL") == 1 and "?v" not in text
    assert list(st.query(q, {"v": evil})) == []
    assert [r["s"].value for r in st.query(q, {"v": "v1"})] == [f"{G1}/s1"]
    assert [r["s"].value for r in st.query(q, {"?v": ox.Literal("v2")})] == [f"{G1}/s2"]
    assert len(list(st.quads(G1))) == 3
    # a '{' inside a string or IRI before WHERE does not fool the binder
    q2 = 'PREFIX x: <http://a/b> # a { in a comment\nSELECT ?s ("{" AS ?b) WHERE { ?s ?p ?o FILTER(STR(?o) = ?v) }'
    assert [r["s"].value for r in st.query(q2, {"v": "v0"})] == [f"{G1}/s0"]
    # CONSTRUCT: bound in the WHERE group, not in the template
    t = list(st.query("CONSTRUCT { ?s ?p ?v } WHERE { ?s ?p ?o FILTER(STR(?o) = ?v) }", {"v": "v0"}))
    assert len(t) == 1
    with pytest.raises(ValueError):
        bind(q, {"bad name": "x"})
    with pytest.raises(ValueError, match="assigns"):
        bind("SELECT ?x WHERE { BIND(1 AS ?v) }", {"v": "x"})
    # nested groups, UNION branches and FILTERs are bound too; the projection is not touched
    q3 = "SELECT ?s ?v WHERE { { FILTER(?v = \"v1\") ?s ?p ?o FILTER(STR(?o) = ?v) } UNION { ?s ?p ?v } }"
    assert "SELECT ?s ?v WHERE" in bind(q3, {"v": "v1"})
    assert sorted(r["s"].value for r in st.query(q3, {"v": "v1"})) == [f"{G1}/s1", f"{G1}/s1"]


def test_dump_and_document_hashes(tmp_path):
    from kg.mapping import SHA256_P
    st = Store.open(tmp_path / "s")
    gn = ox.NamedNode(G1)
    st.replace_graphs({G1: quads(G1, 2) + [ox.Quad(gn, ox.NamedNode(SHA256_P), ox.Literal("1" * 64), gn)]})
    assert st.document_hashes() == {G1: "1" * 64}
    out = tmp_path / "d.nq"
    st.dump(out, "nquads")
    assert len(out.read_text().splitlines()) == len(st)
    st.dump(tmp_path / "d.ttl", "turtle")
    assert (tmp_path / "d.ttl").read_text().count("kgdk") > 0
