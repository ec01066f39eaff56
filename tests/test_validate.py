"""SHACL: the seed graph conforms; each broken fixture gives exactly its violation; literal typing agrees."""
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph_helpers import SEEDS, gold_documents
from kg.build import build
from kg.cli import main
from kg.mapping import document_iri, map_document
from kg.store import Store
from kg.validate import validate_file, validate_store

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "invalid").glob("*.trig"))
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def expectation(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            comp, focus, prop = line.split(":", 1)[1].split()
            return comp, focus, "" if prop == "-" else prop
    raise AssertionError(f"{path.name}: no '# expect:' header")


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("v") / "store"
    s = build([SEEDS], root, jobs=2)
    assert s.loaded == 5
    return root


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_seed_build_conforms(seed_store, engine):
    rep = validate_store(seed_store, jobs=2, engine=engine)
    assert rep.graphs == 5 and rep.triples > 1000
    assert rep.conforms, "\n".join(v.line() for v in rep.violations)


def test_gold_graph_conforms_after_a_store_round_trip(tmp_path):
    st = Store.open(tmp_path / "s")
    st.replace_graphs({document_iri(d): list(map_document(d)) for d in gold_documents()})
    st.close()
    for engine in ("fast", "pyshacl"):
        rep = validate_store(tmp_path / "s", jobs=1, engine=engine)
        assert rep.graphs == 5 and rep.conforms, "\n".join(v.line() for v in rep.violations[:20])


def test_plain_and_xsd_string_literals_agree(tmp_path):
    """Our data has plain literals (= xsd:string in RDF 1.1). Written out with an explicit ^^xsd:string (as some
    stores do) they must conform the same; a wrong datatype must not."""
    doc = gold_documents()[2]
    qs = list(map_document(doc))
    nq = []
    for q in qs:
        line = str(q)
        if isinstance(q.object, ox.Literal) and q.object.datatype == XSD_STRING and q.object.language is None:
            line = line.replace(f"{q.object} ", f"{q.object}^^<{XSD_STRING.value}> ", 1)
        nq.append(line + " .")
    text = "\n".join(nq) + "\n"
    assert "^^<http://www.w3.org/2001/XMLSchema#string>" in text
    f = tmp_path / "typed.nq"
    f.write_text(text, encoding="utf-8")
    assert validate_file(f).conforms and validate_file(f, engine="fast").conforms
    st = Store.open(tmp_path / "s")                      # and through pyoxigraph's store
    with st.writer() as w:
        w.db.bulk_load(input=text.encode(), format=ox.RdfFormat.N_QUADS)
    st.close()
    assert validate_store(tmp_path / "s", jobs=1, engine="pyshacl").conforms
    assert validate_store(tmp_path / "s", jobs=1, engine="fast").conforms


@pytest.mark.parametrize("engine", ["pyshacl", "fast"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_each_broken_graph_gives_exactly_its_violation(fixture, engine):
    comp, focus, prop = expectation(fixture)
    rep = validate_file(fixture, engine=engine)
    got = [(v.shape, v.focus, v.path) for v in rep.violations]
    assert got == [(comp, focus, prop)], "\n".join(v.line() for v in rep.violations)
    assert not rep.conforms
    assert rep.violations[0].message


def _mutations(quads):
    """Many small random defects (drop a triple, duplicate a value, retype a literal) of a mapped graph."""
    import random
    rnd = random.Random(7)
    out = []
    for _ in range(25):
        q = list(quads)
        for _k in range(rnd.randint(1, 3)):
            i = rnd.randrange(len(q))
            x = q[i]
            op = rnd.choice(["drop", "dup", "retype", "iri"])
            if op == "drop":
                del q[i]
            elif op == "dup" and isinstance(x.object, ox.Literal):
                q.append(ox.Quad(x.subject, x.predicate, ox.Literal(x.object.value + "x", datatype=x.object.datatype),
                                 x.graph_name))
            elif op == "retype" and isinstance(x.object, ox.Literal):
                q[i] = ox.Quad(x.subject, x.predicate, ox.Literal(x.object.value), x.graph_name)
            elif op == "iri":
                q[i] = ox.Quad(x.subject, x.predicate, ox.NamedNode("https://w3id.org/kgdk/id/x/y"), x.graph_name)
        out.append(q)
    return out


def test_fast_engine_agrees_with_pyshacl_on_random_defects(tmp_path):
    docs = gold_documents()
    n = found = 0
    for doc in docs[:3]:
        for k, qs in enumerate(_mutations(list(map_document(doc)))):
            f = tmp_path / f"m{n}.nq"
            f.write_bytes(ox.serialize(qs, format=ox.RdfFormat.N_QUADS))
            a = sorted((v.shape, v.focus, v.path, v.value) for v in validate_file(f, engine="pyshacl").violations)
            b = sorted((v.shape, v.focus, v.path, v.value) for v in validate_file(f, engine="fast").violations)
            assert a == b, f"{doc.source} mutation {k}"
            n += 1
            found += len(a)
    assert n == 75 and found > 30        # the defects do trip the shapes


def test_fixture_set_covers_the_spec():
    names = {f.stem for f in FIXTURES}
    assert {"item-two-meetings", "item-no-meeting", "outcome-not-in-scheme", "grant-negative-amount",
            "grant-no-funder", "meeting-date-as-text", "meeting-time-as-string", "municipality-bad-iri",
            "blank-node"} <= names


def test_cli_exit_codes(seed_store, tmp_path):
    r = CliRunner().invoke(main, ["validate", "--store", str(seed_store)])
    assert r.exit_code == 0
    bad = FIXTURES[0]
    r = CliRunner().invoke(main, ["validate", str(bad)])
    assert r.exit_code == 1
    comp, focus, prop = expectation(bad)
    line = r.output.splitlines()[0]
    assert line.startswith("Violation:") and "[source: fixture.txt]" in line
    r = CliRunner().invoke(main, ["validate", "--store", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no kg store" in r.output
    (tmp_path / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(tmp_path / "broken.ttl")])
    assert r.exit_code == 2 and "cannot read RDF" in r.output
