"""Exports: RDF formats re-parse with rdflib; GEXF read back by networkx AND graphology-gexf
(node); GraphML read back by networkx; hostile text stays well-formed; views have the
expected node/edge types and never a raw IRI as a label; CLI errors and atomic writes."""
from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from kg.export import export, prefixes
from kg.gexf import GexfWriter, xml_clean
from kg.graphml import GraphmlWriter
from kg.store import Store
from kg.views import make_view, readable_tail

# rdflib 7 warns about its own ConjunctiveGraph internals while parsing TriG/N-Quads/JSON-LD
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).with_name("test_export_fixture.trig")
JS = ROOT / "tests" / "js"

HOSTILE = [
    'A & B <c> "q" \'s\' ]]> end',
    "ctrl \x00\x01\x02\x07\x08\x0b\x0c\x0e\x1f\x7f done",
    "tab\tnewline\ncarriage\r return",
    "emoji 😀🇩🇰 and Æble Øl Å",
    "lone surrogates \ud800 \udfff and \ufffe \uffff",
    "<script>alert('x')</script>",
    "]]>",
    "&amp; already escaped &#0; &#x1;",
    "",
    " ",
]


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("store") / "kg-store"
    st = Store.open(root)
    with st.writer() as w:
        w.load(FIXTURE, fmt="trig")
    yield st
    st.close()


def node_read_gexf(path: Path, full: bool = True) -> dict:
    """Parse with graphology-gexf through node. Missing node or packages is a FAILURE:
    CI installs both (.ci/run), so a skip would hide a broken export."""
    node = shutil.which("node")
    assert node, "node is not installed (CI installs nodejs; see .ci/run)"
    assert (JS / "node_modules" / "graphology-gexf").is_dir(), \
        "graphology-gexf missing: run (cd tests/js && npm install --no-audit --no-fund)"
    args = [node, str(JS / "read-gexf.js"), str(path)] + (["--full"] if full else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"graphology-gexf rejected {path.name}: {p.stderr.strip()}"
    return json.loads(p.stdout)


def write_hostile_gexf(path: Path, strings) -> None:
    with open(path, "w", encoding="utf-8") as f:
        with GexfWriter(f, node_attrs=[("type", "string"), ("n", "integer"), ("tags", "liststring")],
                        edge_attrs=[("type", "string")], dynamic=True, description=strings[0]) as w:
            for i, s in enumerate(strings):
                w.node(f"n{i}:{s}", s, {"type": s, "n": i, "tags": [s, "x"]}, color=(i % 256, 10, 20), size=i + 1)
            for i in range(len(strings) - 1):
                w.edge(f"n{i}:{strings[i]}", f"n{i + 1}:{strings[i + 1]}", weight=i + 1, label=strings[i],
                       attrs={"type": strings[i + 1]}, start="2020-01-01", end="2021-12-31")


# --------------------------------------------------------------------------- writers
def test_gexf_hostile_text_well_formed_everywhere(tmp_path):
    path = tmp_path / "hostile.gexf"
    write_hostile_gexf(path, HOSTILE)
    ET.parse(path)  # strict XML 1.0 parser (expat)
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == len(HOSTILE) and g.number_of_edges() == len(HOSTILE) - 1
    labels = sorted(d["label"] for _, d in g.nodes(data=True))
    assert labels == sorted(xml_clean(s) for s in HOSTILE)   # only illegal characters are lost
    types = sorted(d["type"] for _, d in g.nodes(data=True))
    assert types == sorted(xml_clean(s) for s in HOSTILE)
    js = node_read_gexf(path)
    assert js["order"] == len(HOSTILE) and js["size"] == len(HOSTILE) - 1
    assert sorted(n["label"] for n in js["nodes"] if "label" in n) == sorted(xml_clean(s) for s in HOSTILE if s)
    assert all(n["color"].startswith("rgb(") for n in js["nodes"])


def test_gexf_random_unicode_stays_well_formed(tmp_path):
    rng = random.Random(6)
    pool = [chr(c) for c in list(range(0, 0x80)) + [0xD800, 0xDBFF, 0xDC00, 0xFFFE, 0xFFFF, 0x85, 0x2028, 0x1F600]]
    strings = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    path = tmp_path / "random.gexf"
    write_hostile_gexf(path, strings)
    ET.parse(path)
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == len(set(f"n{i}:{s}" for i, s in enumerate(strings)))
    node_read_gexf(path, full=False)


def test_graphml_hostile_text_roundtrip(tmp_path):
    path = tmp_path / "hostile.graphml"
    with open(path, "w", encoding="utf-8") as f:
        with GraphmlWriter(f, node_attrs=[("type", "string"), ("n", "integer")],
                           edge_attrs=[("type", "string")]) as w:
            for i, s in enumerate(HOSTILE):
                w.node(f"n{i}:{s}", s, {"type": s, "n": i}, color=(1, 2, 3))
            for i in range(len(HOSTILE) - 1):
                w.edge(f"n{i}:{HOSTILE[i]}", f"n{i + 1}:{HOSTILE[i + 1]}", weight=2.5, attrs={"type": "t"},
                       start="2020-01-01")
    ET.parse(path)
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == len(HOSTILE) and g.number_of_edges() == len(HOSTILE) - 1
    assert sorted(d.get("label", "") for _, d in g.nodes(data=True)) == sorted(xml_clean(s) for s in HOSTILE)
    assert all(d["weight"] == 2.5 and d["start"] == "2020-01-01" for *_, d in g.edges(data=True))
    assert all(d["n"] >= 0 and d["r"] == 1 for _, d in g.nodes(data=True))


def test_gexf_nodes_must_precede_edges():
    w = GexfWriter(io.StringIO(), node_attrs=[("type", "string")])
    w.node("a", "A")
    w.edge("a", "a")
    with pytest.raises(RuntimeError):
        w.node("b", "B")
    with pytest.raises(ValueError):
        GexfWriter(io.StringIO(), node_attrs=[("label", "string")])


# --------------------------------------------------------------------------- views
ENTITY_TYPES = {"Municipality", "Committee", "Person", "Party", "Organization", "Funder", "Project"}


def _no_raw_iri(labels):
    bad = [lab for lab in labels if lab.startswith(("http://", "https://")) or "w3id.org" in lab]
    assert not bad, f"raw IRIs as labels: {bad[:5]}"


@pytest.mark.parametrize("view,types", [
    ("entities", ENTITY_TYPES),
    ("meetings", ENTITY_TYPES | {"Meeting", "AgendaItem"}),
    ("full", ENTITY_TYPES - {"Funder"} | {"Meeting", "AgendaItem", "Grant", "Membership", "Document"}),
])
def test_gexf_views_read_back_by_networkx_and_graphology(store, tmp_path, view, types):
    out = tmp_path / f"{view}.gexf"
    rep = export(store, "gexf", out, view=view)
    assert rep["nodes"] > 0 and rep["edges"] > 0
    g = nx.read_gexf(out)
    assert g.number_of_nodes() == rep["nodes"]
    assert g.number_of_edges() == rep["edges"]
    found = {d["type"] for _, d in g.nodes(data=True)}
    assert found == types if view != "full" else found >= types | {"Role", "Graph"}
    _no_raw_iri([d["label"] for _, d in g.nodes(data=True)])
    assert all("color" in d.get("viz", {}) for _, d in g.nodes(data=True))
    js = node_read_gexf(out)
    assert js["order"] == rep["nodes"] and js["size"] == rep["edges"]
    assert {n["type"] for n in js["nodes"]} == found
    _no_raw_iri([n["label"] for n in js["nodes"]])
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


def test_entities_view_edges_are_typed_weighted_and_dated(store, tmp_path):
    out = tmp_path / "e.gexf"
    export(store, "gexf", out)
    g = nx.read_gexf(out)
    label = {n: d["label"] for n, d in g.nodes(data=True)}
    edges = {(label[u], label[v], d["type"]): d for u, v, d in g.edges(data=True)}
    assert {t for *_, t in edges} == {"member", "party", "part_of", "funds", "grant", "partner",
                                      "participant", "mentions"}
    anne = edges[("Anne Hansen", "Job, Arbejdsmarked & Integration <JAI>", "member")]
    assert anne["weight"] == 2 and anne["role"] == "formand"           # seen in two documents
    assert (anne["start"], anne["end"]) == ("2024-03-06", "2024-05-02")  # Gephi timeline interval
    assert edges[("Styrelsen for Arbejdsmarked og Rekruttering", "Ung i arbejde", "funds")]["weight"] == 2
    assert edges[("Job, Arbejdsmarked & Integration <JAI>", "Lemvig Kommune", "mentions")]["weight"] == 1
    nodes = {d["label"]: d for _, d in g.nodes(data=True)}
    assert nodes["Lejre Kommune"]["ids"] == "350" and nodes["Lejre Kommune"]["documents"] == 2
    assert nodes["Anne Hansen"]["municipality"] == "Lejre Kommune"
    assert nodes["Styrelsen for Arbejdsmarked og Rekruttering"]["type"] == "Funder"
    assert g.graph["mode"] == "dynamic"


def test_graphml_view_read_back(store, tmp_path):
    out = tmp_path / "m.graphml"
    rep = export(store, "graphml", out, view="meetings")
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == rep["nodes"] and g.number_of_edges() == rep["edges"]
    assert {"Meeting", "AgendaItem", "Committee"} <= {d["type"] for _, d in g.nodes(data=True)}
    _no_raw_iri([d["label"] for _, d in g.nodes(data=True)])


def test_readable_tail_never_returns_iri():
    for iri in ["https://w3id.org/kgdk/id/person/350/soeren-oestergaard",
                "https://w3id.org/kgdk/id/meeting/350/jai/2024-03-06-1630",
                "https://w3id.org/kgdk/id/item/350/jai/2024-03-06/3",
                "http://schema.org/fundedItem", "https://example.org/", "urn:x:y"]:
        t = readable_tail(iri)
        assert t and "://" not in t and "w3id" not in t, (iri, t)
    assert readable_tail("https://w3id.org/kgdk/id/meeting/350/jai/2024-03-06-1630") == "JAI 2024-03-06 16:30"


# --------------------------------------------------------------------------- RDF
def _distinct_triples(store) -> int:
    return len({(q.subject, q.predicate, q.object) for q in store.quads()})


@pytest.mark.parametrize("fmt,rdflib_fmt", [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_rdf_dataset_formats_keep_named_graphs(store, tmp_path, fmt, rdflib_fmt):
    out = tmp_path / f"out.{fmt}"
    export(store, fmt, out)
    ds = rdflib.Dataset()
    ds.parse(out, format=rdflib_fmt)
    quads = list(ds.quads((None, None, None, None)))
    assert len(quads) == len(store)
    graphs = {str(g) for *_, g in quads}
    assert set(store.graphs()) <= graphs
    assert any("document/aaaaaaaaaaaaaaaa" in g for g in graphs)


def test_turtle_merges_graphs_without_duplicates(store, tmp_path):
    out = tmp_path / "out.ttl"
    export(store, "turtle", out)
    g = rdflib.Graph()
    g.parse(out, format="turtle")
    assert len(g) == _distinct_triples(store)
    text = out.read_text(encoding="utf-8")
    assert "@prefix kgd: <https://w3id.org/kgdk/id/>" in text


def test_jsonld_context_is_readable(store, tmp_path):
    out = tmp_path / "out.jsonld"
    export(store, "jsonld", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    ctx = doc["@context"]
    for p in ("kg", "kgd", "skos", "org", "besluit", "prov", "dcterms", "schema", "foaf"):
        assert ctx[p] == prefixes()[p]
    ids = [n["@id"] for n in doc["@graph"]]
    assert all(i.startswith("kgd:") for i in ids)       # compact IRIs, not full ones
    # the hostile title survives JSON-LD exactly (JSON escapes everything itself)
    with open(out, encoding="utf-8") as f:
        assert "]]>" in f.read()


# --------------------------------------------------------------------------- CLI
def _kg(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_bad_store_is_one_line_exit_2(tmp_path):
    p = _kg("export", "--format", "gexf", "-o", str(tmp_path / "x.gexf"), "--store", str(tmp_path / "missing"))
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "missing" in p.stderr
    assert not (tmp_path / "x.gexf").exists()
    assert not (tmp_path / "missing").exists()        # export never creates a store


def test_cli_export_png_and_rdf(store, tmp_path):
    png = tmp_path / "g.png"
    p = _kg("export", "--format", "png", "-o", str(png), "--store", str(store.root))
    assert p.returncode == 0, p.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    nq = tmp_path / "g.nq"
    p = _kg("export", "--format", "nquads", "-o", str(nq), "--store", str(store.root))
    assert p.returncode == 0, p.stderr
    assert len([ln for ln in nq.read_text(encoding="utf-8").splitlines() if ln.strip()]) == len(store)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["g.nq", "g.png"]


# --------------------------------------------------------------------------- real seed build
@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("seed") / "kg-store"
    p = _kg("build", str(ROOT / "examples" / "minutes"), "--store", str(root))
    assert p.returncode == 0, p.stderr[-2000:]
    st = Store.open(root, create=False)
    yield st
    st.close()


def test_seed_build_entities_view(seed_store, tmp_path):
    out = tmp_path / "seed.gexf"
    rep = export(seed_store, "gexf", out)
    g = nx.read_gexf(out)
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert {"Municipality", "Committee", "Person", "Organization", "Project", "Party"} <= types
    assert types <= ENTITY_TYPES
    etypes = {d["type"] for *_, d in g.edges(data=True)}
    assert {"member", "part_of", "mentions", "party"} <= etypes
    _no_raw_iri([d["label"] for _, d in g.nodes(data=True)])
    # every committee belongs to a municipality and has members
    for n, d in g.nodes(data=True):
        if d["type"] == "Committee":
            assert any(e["type"] == "part_of" for *_, e in g.out_edges(n, data=True)), d["label"]
            assert d["municipality"], d["label"]
    dated = [d for *_, d in g.edges(data=True) if d["type"] == "member"]
    assert dated and all(len(d["start"]) == 10 for d in dated)
    js = node_read_gexf(out, full=False)
    assert (js["order"], js["size"]) == (rep["nodes"], rep["edges"])


@pytest.mark.parametrize("view", ["meetings", "full"])
def test_seed_build_other_views_and_graphml(seed_store, tmp_path, view):
    gx = tmp_path / f"{view}.gexf"
    gm = tmp_path / f"{view}.graphml"
    rep = export(seed_store, "gexf", gx, view=view)
    rep2 = export(seed_store, "graphml", gm, view=view)
    assert (rep["nodes"], rep["edges"]) == (rep2["nodes"], rep2["edges"])
    g = nx.read_graphml(gm)
    assert g.number_of_nodes() == rep["nodes"] and g.number_of_edges() == rep["edges"]
    _no_raw_iri([d["label"] for _, d in g.nodes(data=True)])
    assert {"Meeting", "AgendaItem"} <= {d["type"] for _, d in g.nodes(data=True)}
    node_read_gexf(gx, full=False)


def test_seed_build_rdf_roundtrip(seed_store, tmp_path):
    for fmt, rf in (("nquads", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")):
        out = tmp_path / f"seed.{fmt}"
        export(seed_store, fmt, out)
        ds = rdflib.Dataset()
        ds.parse(out, format=rf)
        assert len(list(ds.quads((None, None, None, None)))) == len(seed_store), fmt
    out = tmp_path / "seed.ttl"
    export(seed_store, "turtle", out)
    g = rdflib.Graph()
    g.parse(out, format="turtle")
    assert len(g) == _distinct_triples(seed_store)


def test_seed_meetings_view_nodes_on_the_timeline(seed_store, tmp_path):
    out = tmp_path / "m.gexf"
    export(seed_store, "gexf", out, view="meetings")
    g = nx.read_gexf(out)
    meetings = [d for _, d in g.nodes(data=True) if d["type"] == "Meeting"]
    assert len(meetings) == 5                        # one per seed document
    for d in meetings:
        assert d["date"] in d["label"] and d["spells"] == [(d["date"], d["date"])]
    items = [d for _, d in g.nodes(data=True) if d["type"] == "AgendaItem"]
    assert items and all(len(d.get("date", "")) == 10 for d in items)
