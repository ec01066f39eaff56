"""`kg report`: counts checked against the gold files, damaged documents flagged, safe HTML, JSON, served at /report.

Expected numbers are computed here from tests/gold/*.json (or from the parser's own output for the
real build), never written down by hand.
"""
from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_helpers import GOLD, ROOT, SEEDS, document_from_gold
from kg import report
from kg.cli import main
from kg.mapping import OUTCOMES, amount_key, document_iri, map_document, municipality, org_key, person_key, \
    project_key
from kg.store import Store
from virtuoso_fixture import KGServe, build_seed_store, http_get, kg_cmd

pytestmark = pytest.mark.timeout(300)
DAMAGED = ROOT / "tests" / "fixtures" / "damaged"
GOLDS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))}


# --------------------------------------------------------------------------- expectations from the gold JSON
def _live(xs):
    return [x for x in xs or [] if not (isinstance(x, dict) and x.get("optional"))]


def _code(g):
    m = municipality(g.get("municipality"))
    return m.code if m else None


def _org_or_muni(name):
    m = municipality(name)
    return ("m", m.code) if m else ("o", org_key(name)[0])


def gold_counts(g: dict) -> dict:
    """What the report must say about a document whose graph was mapped from gold JSON ``g``."""
    items = _live(g["items"])
    dec = [bool((it.get("decision") or "").strip()) for it in items]
    out = [any(o in OUTCOMES for o in it.get("outcomes") or []) for it in items]
    code = _code(g)
    orgs = {org_key(o["name"])[0] for o in _live(g.get("organizations")) if o["name"].strip()}
    names = [x for gr in _live(g.get("grants")) for x in [gr["funder"], *gr.get("recipients", [])]]
    names += [x for p in _live(g.get("projects")) for x in [*p.get("funders", []), *p.get("partners", [])]]
    orgs |= {k for t, k in map(_org_or_muni, [n for n in names if n and n.strip()]) if t == "o"}
    projects = {project_key(p["name"])[0] for p in _live(g.get("projects"))}
    projects |= {project_key(gr["project"])[0] for gr in _live(g.get("grants")) if (gr.get("project") or "").strip()}
    grants = {(_org_or_muni(gr["funder"]), frozenset(_org_or_muni(r) for r in gr.get("recipients", [])),
               amount_key(gr.get("amount")), project_key(gr["project"])[0] if gr.get("project") else "",
               (gr.get("programme") or "").strip(), gr.get("per") or "", gr.get("start") or "", gr.get("end") or "")
              for gr in _live(g.get("grants")) if gr["funder"].strip()}
    return {
        "items": len(items),
        "items_with_decision": sum(dec),
        "items_with_outcome": sum(out),
        "items_with_case_numbers": sum(1 for it in items if any(c.strip() for c in it.get("case_numbers") or [])),
        "decisions_without_outcome": sum(1 for d, o in zip(dec, out) if d and not o),
        "members": len({person_key(code, m["name"])[0] for m in _live(g.get("members"))}),
        "absences": len({person_key(code, a)[0] for a in g.get("absent") or [] if a.strip()}),
        "organisations": len(orgs),
        "projects": len(projects),
        "grants": len(grants),
    }


# --------------------------------------------------------------------------- stores
@pytest.fixture(scope="module")
def gold_store(tmp_path_factory):
    """A store whose graphs are mapped from the gold JSON (independent of the parser's quality)."""
    path = tmp_path_factory.mktemp("report-gold") / "store"
    st = Store.open(path, create=True)
    st.replace_graphs({document_iri(d): list(map_document(d)) for d in map(document_from_gold, GOLD.glob("*.json"))})
    st.close()
    return path


@pytest.fixture(scope="module")
def gold_report(gold_store):
    with Store.open(gold_store, create=False) as st:
        return report.report_store(st)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    """The real pipeline: `kg build` of the seeds and of the damaged documents."""
    path = tmp_path_factory.mktemp("report-built") / "store"
    build_seed_store(path)
    r = subprocess.run(kg_cmd("build", str(DAMAGED), "--store", str(path)), capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return path


@pytest.fixture(scope="module")
def built_report(built_store):
    with Store.open(built_store, create=False) as st:
        return report.report_store(st)


def by_title(rep):
    return {d.title: d for d in rep.documents}


# --------------------------------------------------------------------------- counts against the gold
@pytest.mark.parametrize("name", sorted(GOLDS))
def test_document_counts_match_gold(gold_report, name):
    g = GOLDS[name]
    d = by_title(gold_report)[g["source"]]
    want = gold_counts(g)
    assert {k: d.counts[k] for k in want} == want
    assert d.date == g["date"]
    assert d.committee_name == g["committee"]
    assert d.municipality_name and d.municipality_name.startswith(g["municipality"])


def test_totals_and_groups_match_gold(gold_report):
    golds = list(GOLDS.values())
    t = gold_report.totals
    assert t["documents"] == len(golds)
    for k in ("items", "items_with_decision", "items_with_outcome", "items_with_case_numbers",
              "decisions_without_outcome"):
        assert t[k] == sum(gold_counts(g)[k] for g in golds), k
    # people are one entity per municipality: the total counts each person once
    assert t["members"] == len({(_code(g), person_key(_code(g), m["name"])[0]) for g in golds
                                for m in _live(g.get("members"))})
    per_muni = Counter(g["municipality"] for g in golds)
    assert {m.name.split(" (")[0]: m.documents for m in gold_report.municipalities} == dict(per_muni)
    for m in gold_report.municipalities:
        gs = [g for g in golds if m.name.startswith(g["municipality"])]
        assert m.counts["items"] == sum(len(_live(g["items"])) for g in gs)
        assert m.years == dict(Counter(g["date"][:4] for g in gs))
    assert {(c.name, c.documents) for c in gold_report.committees} == \
        set(Counter(g["committee"] for g in golds).items())
    assert {y.key: y.documents for y in gold_report.years} == dict(Counter(g["date"][:4] for g in golds))
    # a gold-built store has nothing missing except decisions the gold gives no outcome
    for d in gold_report.documents:
        want = gold_counts(GOLDS[Path(d.title).stem + ".json"])["decisions_without_outcome"]
        assert d.reasons == ([f"{want} decision(s) without an outcome"] if want else [])


def test_built_seed_counts_match_parser_and_gold(built_report):
    """The real build: every count equals what the parser extracted; items, members and absences equal the gold."""
    from kg.extract import to_json
    from kg.pipeline import parse
    from kg.sources import read_source

    docs = by_title(built_report)
    for seed in sorted(SEEDS.glob("*.txt")):
        ex = to_json(parse(read_source(seed)))
        got = docs[seed.name].counts
        mine = gold_counts({**ex, "municipality": ex.get("municipality")})
        for k in ("items", "items_with_decision", "items_with_outcome", "items_with_case_numbers",
                  "decisions_without_outcome", "members", "absences"):
            assert got[k] == mine[k], (seed.name, k)
        g = GOLDS[seed.stem + ".json"]
        # entries the gold marks optional may or may not be extracted
        everything = {**g, "items": [dict(x, optional=False) for x in g["items"]],
                      "members": [dict(x, optional=False) for x in g.get("members") or []]}
        for k in ("items", "members", "absences"):
            assert gold_counts(g)[k] <= got[k] <= gold_counts(everything)[k], (seed.name, k)
        assert got["toc_matched"] == got["toc_entries"] == len(parse(read_source(seed)).toc_titles)


# --------------------------------------------------------------------------- damaged documents
def test_damaged_documents_are_flagged_with_the_right_reason(built_report):
    docs = by_title(built_report)
    # items cut out of the body, still listed in the table of contents
    seed = GOLDS["000_4cd17fbe3eb18ea4.json"]
    text = (DAMAGED / "cut-items.txt").read_text(encoding="utf-8")
    kept = [it for it in seed["items"] if re.search(rf"^Punkt {it['number']}:", text, re.M)]
    cut = [it for it in seed["items"] if it not in kept]
    assert cut, "the fixture must miss items"
    d = docs["cut-items.txt"]
    assert d.counts["items"] == len(kept)
    assert d.counts["toc_entries"] == len(seed["items"])
    toc_reason = [r for r in d.reasons if "table-of-contents" in r]
    assert len(toc_reason) == 1
    assert toc_reason[0].startswith(f"{len(cut)} of {len(seed['items'])} table-of-contents entries not found")
    for it in cut:
        assert it["title"] in toc_reason[0]
    assert d.toc_share == pytest.approx(len(kept) / len(seed["items"]), abs=1e-3)
    # header damaged: no date, no committee
    assert {"no meeting date", "no committee"} <= set(docs["no-date-no-committee.txt"].reasons)
    assert "no agenda items found" in docs["no-items.txt"].reasons
    # the intact seeds are not flagged for structure
    for seed_doc in SEEDS.glob("*.txt"):
        rs = docs[seed_doc.name].reasons
        assert not [r for r in rs if "decision(s) without an outcome" not in r], (seed_doc.name, rs)
    # and the report links each flagged document to its source
    inc = {d.title: d for d in built_report.incomplete}
    assert {"cut-items.txt", "no-date-no-committee.txt", "no-items.txt"} <= set(inc)
    assert inc["cut-items.txt"].paths == [str((DAMAGED / "cut-items.txt").resolve())]
    assert inc["cut-items.txt"].iri.startswith("https://w3id.org/kgdk/id/document/")
    # documents whose text was not read come before those only to check (decisions without outcome)
    hard = [any(not report.is_soft(r) for r in d.reasons) for d in built_report.incomplete]
    assert hard == sorted(hard, reverse=True) and sum(hard) == 3


def test_toc_share_total(built_report):
    t = built_report.totals
    assert t["toc_entries"] == sum(d.counts["toc_entries"] for d in built_report.documents)
    assert t["toc_matched"] == sum(d.counts["toc_matched"] for d in built_report.documents) < t["toc_entries"]
    assert t["toc_share"] == pytest.approx(t["toc_matched"] / t["toc_entries"], abs=1e-4)


# --------------------------------------------------------------------------- weak facts (kg:confidence)
def test_weak_facts_are_counted(tmp_path):
    golds = [document_from_gold(p) for p in sorted(GOLD.glob("*.json"))[:2]]
    d0 = golds[0]
    weak = [replace(m, rule="member-guess@0.3") for m in d0.members[:2]]
    strong = [replace(m, rule="member-list@0.9") for m in d0.members[2:3]]
    d0 = replace(d0, members=tuple(weak + strong + list(d0.members[3:])))
    st = Store.open(tmp_path / "s", create=True)
    st.replace_graphs({document_iri(d): list(map_document(d)) for d in [d0, golds[1]]})
    rep = report.report_store(st, weak_below=0.5)
    assert rep.totals["weak_facts"] == len(weak)
    assert rep.totals["evidence_with_confidence"] == len(weak) + len(strong)
    assert by_title(rep)[d0.source].counts["weak_facts"] == len(weak)
    rules = {r["rule"]: r for r in rep.rules}
    assert rules["member-guess@0.3"]["weak"] == len(weak) and rules["member-guess@0.3"]["min_confidence"] == 0.3
    assert report.report_store(st, weak_below=0.95).totals["weak_facts"] == len(weak) + len(strong)
    st.close()


# --------------------------------------------------------------------------- formats
XSS = '<script>alert("x")</script>'


def test_html_escapes_data_and_is_self_contained(tmp_path):
    d = document_from_gold(sorted(GOLD.glob("*.json"))[0])
    it0 = replace(d.items[0], title=XSS + " & title")
    d = replace(d, source=XSS + ".txt", committee="Udvalg " + XSS, items=(it0,) + d.items[1:],
                warnings=("no committee found", "toc entry not found in body: " + XSS),
                toc_titles=("a", "b"))
    st = Store.open(tmp_path / "s", create=True)
    st.replace_graphs({document_iri(d): list(map_document(d))})
    rep = report.report_store(st)
    st.close()
    page = report.render(rep, "html")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("<script") == 1 and "src=" not in page.split("<script", 1)[1].split(">", 1)[0]
    assert "<link" not in page and " src=" not in page          # nothing loaded from elsewhere (no CDN)
    assert "<svg" in page and 'class="sortable"' in page
    served = report.render(rep, "html", served=True)
    assert "<script>alert" not in served and '<script src="/static/report.js"></script>' in served
    md = report.render(rep, "md")
    assert "<script>" not in md


def test_json_parses_and_matches(gold_report):
    data = json.loads(report.render(gold_report, "json"))
    assert data["totals"]["items"] == sum(len(_live(g["items"])) for g in GOLDS.values())
    assert len(data["documents"]) == len(GOLDS)
    assert {d["title"] for d in data["documents"]} == {g["source"] for g in GOLDS.values()}
    assert all(set(gold_counts(GOLDS[Path(d["title"]).stem + ".json"])) <= set(d["counts"]) for d in data["documents"])


def test_markdown_lists_every_document(built_report):
    md = report.render(built_report, "md")
    for d in built_report.documents:
        assert d.title in md
    assert "## Incomplete extraction" in md and "cut-items.txt" in md.split("## Municipalities")[0]


def test_queries_aggregate_in_sparql(built_store):
    """No query returns more rows than there are documents, warnings, source paths or rules (no triple dumps)."""
    sizes = []
    with Store.open(built_store, create=False) as st:
        base = report.from_store(st)

        def select(q):
            rows = base(q)
            sizes.append(len(rows))
            return rows
        rep = report.compute(select)
        n_quads = len(st)
    bound = len(rep.documents) + rep.totals["warnings"] + len(rep.rules) + 2 * len(rep.documents)
    assert max(sizes) <= bound < n_quads


def test_cli_writes_atomically(gold_store, tmp_path):
    r = CliRunner().invoke(main, ["report", "--store", str(gold_store), "-o", str(tmp_path / "r.json")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]["documents"] == len(GOLDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]          # no temporary file left
    r = CliRunner().invoke(main, ["report", "--store", str(gold_store), "--format", "html"])
    assert r.exit_code == 0 and r.output.startswith("<!doctype html>")
    r = CliRunner().invoke(main, ["report", "--store", str(tmp_path / "none")])
    assert r.exit_code == 2


# --------------------------------------------------------------------------- kg serve /report
def test_served_report(built_store, built_report):
    s = KGServe(built_store)
    try:
        st, h, body = http_get(s.base + "/report")
        assert st == 200 and h["Content-Type"].startswith("text/html")
        page = body.decode("utf-8")
        for d in built_report.incomplete:
            assert "/id/document/" + d.iri.rsplit("/", 1)[-1] in page
        assert '<script src="/static/report.js"></script>' in page
        st, h, js = http_get(s.base + "/static/report.js")
        assert st == 200 and b"sortable" in js
        st, h, body = http_get(s.base + "/report?format=json")
        assert st == 200 and h["Content-Type"].startswith("application/json")
        data = json.loads(body)
        assert data["totals"] == built_report.totals
        assert [d["reasons"] for d in data["documents"]] == [d.reasons for d in built_report.documents]
        st, h, body = http_get(s.base + "/report?format=md")
        assert st == 200 and body.decode("utf-8").startswith("# kg coverage report")
        assert http_get(s.base + "/report?format=pdf")[0] == 400
    finally:
        s.stop()


def test_only_the_meetings_own_decisions_count(tmp_path):
    """Another committee's decision printed inside an item is not the item's decision or outcome."""
    from kg.records import OtherDecision
    d = document_from_gold(sorted(GOLD.glob("*.json"))[0])
    other = OtherDecision(committee="Økonomiudvalget", date="2024-01-02", outcomes=("approved",))
    it0 = replace(d.items[0], decision=None, outcomes=(), other_decisions=(other,))
    it1 = replace(d.items[1], decision="Sendt videre.", outcomes=(), other_decisions=(other,))
    d = replace(d, items=(it0, it1) + d.items[2:])
    st = Store.open(tmp_path / "s", create=True)
    st.replace_graphs({document_iri(d): list(map_document(d))})
    rep = report.report_store(st)
    st.close()
    c = rep.documents[0].counts
    assert c["items_with_decision"] == sum(1 for it in d.items if it.decision)
    assert c["items_with_outcome"] == sum(1 for it in d.items if any(o in OUTCOMES for o in it.outcomes))
    assert c["decisions_without_outcome"] == sum(1 for it in d.items if it.decision and not it.outcomes)
    assert f"{c['decisions_without_outcome']} decision(s) without an outcome" in rep.documents[0].reasons
