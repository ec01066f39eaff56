"""Test helpers for the graph tests: gold JSON -> records.Document (so mapping/store/query tests do not
depend on the parser's current quality), and small builders."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg.records import (Document, Grant, Item, Member, MunicipalityMention, Organization, OtherDecision, Person,
                        Project, Span)

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
SEEDS = ROOT / "examples" / "minutes"


def _t(xs):
    return tuple(xs or ())


def document_from_gold(path) -> Document:
    """A Document built from a gold JSON file (sha256 = that of the seed it describes)."""
    path = Path(path)
    g = json.loads(path.read_text(encoding="utf-8"))
    seed = SEEDS / g["source"]
    sha = hashlib.sha256(seed.read_bytes()).hexdigest() if seed.exists() else hashlib.sha256(
        path.read_bytes()).hexdigest()
    items = []
    for n, it in enumerate(g.get("items", []), start=1):
        if it.get("optional"):
            continue
        items.append(Item(
            number=it["number"], title=it["title"], prefix=it.get("prefix"), closed=bool(it.get("closed")),
            case_numbers=_t(it.get("case_numbers")), decision=it.get("decision"), outcomes=_t(it.get("outcomes")),
            absent=_t(it.get("absent")), attachments=_t(it.get("attachments")),
            other_decisions=tuple(OtherDecision(committee=o["committee"], date=o.get("date"),
                                                outcomes=_t(o.get("outcomes")))
                                  for o in it.get("other_decisions", [])),
            span=Span(1, n * 10, n * 10 + 9), rule="gold"))
    return Document(
        source=g["source"], path=str(seed), sha256=sha, municipality=g.get("municipality"),
        committee=g.get("committee"), committee_abbreviation=g.get("committee_abbreviation"),
        committee_term=g.get("committee_term"), date=g.get("date"), start_time=g.get("start_time"),
        end_time=g.get("end_time"), location=g.get("location"),
        members=tuple(Member(m["name"], m.get("party"), m.get("role"), Span(1, 3), "gold")
                      for m in g.get("members", []) if not m.get("optional")),
        absent=_t(g.get("absent")),
        persons=tuple(Person(p["name"], p.get("role"), p.get("affiliation"), span=Span(1, 5), rule="gold")
                      for p in g.get("persons", []) if not p.get("optional")),
        items=tuple(items),
        organizations=tuple(Organization(o["name"], _t(o.get("aliases")), o.get("kind") or "other",
                                         Span(1, 12), "gold")
                            for o in g.get("organizations", []) if not o.get("optional")),
        mentioned_municipalities=tuple(MunicipalityMention(name=x if isinstance(x, str) else x["name"],
                                                           span=Span(1, 12))
                                       for x in g.get("mentioned_municipalities", [])),
        projects=tuple(Project(p["name"], _t(p.get("aliases")), p.get("item"), _t(p.get("funders")),
                               _t(p.get("municipalities")), _t(p.get("partners")), p.get("start"), p.get("end"),
                               Span(1, 12), "gold")
                       for p in g.get("projects", []) if not p.get("optional")),
        grants=tuple(Grant(x["funder"], _t(x.get("recipients")), x.get("amount"), x.get("per"), x.get("project"),
                           x.get("programme"), x.get("item"), x.get("start"), x.get("end"), Span(1, 12), "gold")
                     for x in g.get("grants", []) if not x.get("optional")),
    )


def gold_documents() -> list[Document]:
    return [document_from_gold(p) for p in sorted(GOLD.glob("*.json"))]
