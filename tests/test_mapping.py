"""Records -> quads: named graph per document, no blank nodes, provenance, datatypes, determinism."""
import dataclasses

import pyoxigraph as ox
import rdflib
from hypothesis import given, settings, strategies as st

from graph_helpers import gold_documents
from kg import iris
from kg.mapping import (AMOUNT, C_EVIDENCE, CONFIDENCE, DERIVED_FROM, DOCUMENT, LINE, OUTCOME, PAGE, RULE,
                        START_TIME, TYPE, document_iri, map_document)
from kg.records import Document, Grant, Item, Member, Organization, Project, Span

XSD = "http://www.w3.org/2001/XMLSchema#"
KG = "https://w3id.org/kgdk/ontology#"


def _quads(doc):
    return list(map_document(doc))


def test_gold_documents_map_into_their_own_graph_without_blank_nodes():
    for doc in gold_documents():
        qs = _quads(doc)
        g = document_iri(doc)
        assert qs and all(q.graph_name == ox.NamedNode(g) for q in qs)
        assert not any(isinstance(t, ox.BlankNode) for q in qs for t in (q.subject, q.object))
        assert len(qs) == len(set(qs)), "duplicates"


def test_same_input_same_quads():
    doc = gold_documents()[2]
    assert _quads(doc) == _quads(doc)
    assert _quads(doc) == _quads(dataclasses.replace(doc))


def test_every_entity_links_to_its_document_and_has_evidence():
    doc = gold_documents()[0]
    qs = _quads(doc)
    g = document_iri(doc)
    typed = {q.subject.value for q in qs if q.predicate.value == TYPE and q.object.value.startswith(KG)}
    derived = {q.subject.value for q in qs if q.predicate.value == DERIVED_FROM and q.object.value == g}
    ev = {q.subject.value for q in qs if q.predicate.value == TYPE and q.object.value == C_EVIDENCE}
    assert ev
    assert typed - derived - ev == {g}      # evidence nodes link with kg:document (a sub-property of it)
    for e in ev:
        props = {q.predicate.value for q in qs if q.subject.value == e}
        assert DOCUMENT in props and PAGE in props and RULE in props
    assert any(q.predicate.value == LINE for q in qs)


def test_datatypes():
    doc = gold_documents()[2]          # Lemvig: STAR grant of 710.000 kr.
    qs = _quads(doc)
    amounts = {q.object for q in qs if q.predicate.value == AMOUNT}
    assert ox.Literal("710000", datatype=ox.NamedNode(XSD + "decimal")) in amounts
    times = [q.object for q in qs if q.predicate.value == START_TIME]
    assert times == [ox.Literal("14:00:00", datatype=ox.NamedNode(XSD + "time"))]
    outs = {q.object.value for q in qs if q.predicate.value == OUTCOME}
    assert outs and all(o.startswith(iris.DATA + "outcome/") for o in outs)


def test_same_entity_same_iri_across_documents():
    docs = gold_documents()
    star = [{q.subject.value for q in _quads(d) if q.subject.value.endswith("/organization/star")} for d in docs]
    assert sum(1 for s in star if s) >= 3      # Lejre, Lemvig, Herlev all name STAR


def test_confidence_from_rule_and_hostile_text():
    bad = 'Ærø <script>alert("x")</script> \x00\x07 "}; DROP ALL; # \ud800'
    doc = Document(source=bad, sha256="c" * 64, municipality="Lejre", committee=bad, date="2024-02-30",
                   start_time="25:99", members=(Member(bad, "Q", "boss", Span(1, 2)),),
                   items=(Item("1", bad, decision=bad, outcomes=("approved", "bogus"), span=Span(1, 5), rule="x@0.8"),),
                   organizations=(Organization(bad, kind="weird", span=Span(1, 5)),),
                   projects=(Project(bad, funders=(bad,), municipalities=("Nowhere", "Lemvig")),),
                   grants=(Grant(bad, (bad,), -1.5, per="decade"),))
    qs = _quads(doc)
    conf = [q.object for q in qs if q.predicate.value == CONFIDENCE]
    assert set(conf) == {ox.Literal("0.8", datatype=ox.NamedNode(XSD + "decimal"))}   # item and its decision
    data = ox.serialize(qs, format=ox.RdfFormat.N_QUADS)
    assert len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS))) == len(qs)
    ds = rdflib.Dataset()
    ds.parse(data=data, format="nquads")
    assert len(ds) == len(qs)
    # invalid date/time are dropped, not written as bad typed literals
    assert not any(q.object.value.startswith("2024-02-30") for q in qs if isinstance(q.object, ox.Literal))


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(names, names, st.lists(names, max_size=3), st.one_of(st.none(), st.floats(allow_nan=True)))
def test_arbitrary_records_never_break_the_mapping(a, b, cs, amount):
    doc = Document(source=a or "x", sha256="d" * 64, municipality=b, committee=a, date=b,
                   members=(Member(a, b, b),), absent=(a,),
                   items=(Item(b, a, case_numbers=tuple(cs), absent=tuple(cs)), Item(b, a)),
                   organizations=tuple(Organization(c) for c in cs),
                   projects=(Project(a, funders=tuple(cs), partners=tuple(cs)),),
                   grants=(Grant(b or "f", tuple(cs), amount, project=a),))
    qs = _quads(doc)
    assert not any(isinstance(t, ox.BlankNode) for q in qs for t in (q.subject, q.object))
    data = ox.serialize(qs, format=ox.RdfFormat.N_QUADS)
    assert len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS))) == len(set(qs))


def test_blank_rule_writes_no_rule_and_valid_nquads():
    from kg.mapping import map_document_nquads
    doc = Document(source="x.txt", sha256="e" * 64, municipality="Lejre", committee="Økonomiudvalget",
                   items=(Item("1", "Punkt", span=Span(1, 3), rule=" \ufffe "),), members=(Member("Anna Berg", rule="\t"),))
    data, n = map_document_nquads(doc)
    qs = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(qs) == n
    assert not any(q.predicate.value == RULE for q in qs)
    assert any(q.predicate.value == LINE and q.object.value == "3" for q in qs)


def test_nquads_lines_are_unique_valid_and_match_map_document():
    from kg.mapping import map_document_nquads
    for doc in gold_documents():
        data, n = map_document_nquads(doc)
        lines = data.decode("utf-8").splitlines()
        assert len(lines) == n == len(set(lines)), "one line per distinct quad"
        assert all(line.endswith(f" <{document_iri(doc)}> .") for line in lines)
        assert set(ox.parse(data, format=ox.RdfFormat.N_QUADS)) == set(_quads(doc))


def test_memoised_terms_do_not_change_the_output():
    from kg import mapping
    docs = gold_documents()
    first = [mapping.map_document_nquads(d) for d in docs]
    for memo in (mapping._TEXTS, mapping._INTS, mapping._SLUGS, mapping._PRED, mapping._OBJ, mapping._TYPE_LINES):
        memo.clear()
    assert [mapping.map_document_nquads(d) for d in docs] == first
    small = mapping._Memo(lambda k: k * 2, limit=2)        # a full memo empties itself and keeps answering
    assert [small[k] for k in (1, 2, 3, 1, 4, 5)] == [2, 4, 6, 2, 8, 10] and len(small) <= 2


def test_repeated_names_and_parties_give_each_triple_once():
    from kg.mapping import map_document_nquads
    doc = Document(source="r.txt", sha256="f" * 64, municipality="Lejre", committee="Økonomiudvalget", date="2024-05-01",
                   members=(Member("Anna Berg", "A"), Member("Bo Dam", "A"), Member("Anna Berg", "A", "formand")),
                   absent=("Bo Dam",),
                   items=(Item("1", "Et", absent=("Anna Berg", "Bo Dam"), span=Span(1, 5, 9)),
                          Item("1", "To", absent=("Anna Berg",), span=Span(1, 10, 12))))
    data, n = map_document_nquads(doc)
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == len(set(lines)) == n
    party = iris.party("A")
    assert sum(1 for q in lines if q.startswith(f"<{party}> <{TYPE}>")) == 2       # kg:Party + org:Organization
    anna = iris.person(350, "anna-berg")
    assert sum(1 for q in lines if q.startswith(f"<{anna}> <{DERIVED_FROM}>")) == 1
    items = {q.split(" ")[0] for q in lines if f"<{TYPE}> <{KG}AgendaItem>" in q}
    assert len(items) == 2                                # the repeated number "1" gets its own item ("1-2")


def test_text_fast_path_prefilter_covers_exactly_the_removed_and_escaped_characters():
    from kg.mapping import _CTRL, _CTRL_OR_ESC, _ESC, text
    chars = "".join(map(chr, range(0x110000)))
    assert set(_CTRL_OR_ESC.findall(chars)) == set(_CTRL.findall(chars)) | set(_ESC.findall(chars))
    assert text(' a "b"\\\n\x07c ') == b'"a \\"b\\"\\\\\\nc"'
    assert text(" Ærø ") == '"Ærø"'.encode() and text(" \x00 ") is None and text(None) is None
