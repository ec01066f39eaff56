"""Records -> the JSON field contract of tests/gold/SCHEMA.md (`kg extract --format json`)."""
from __future__ import annotations

from .records import Document


def _opt(d: dict, key: str, value) -> None:
    if value is not None:
        d[key] = value


def to_json(doc: Document) -> dict:
    items = []
    for it in doc.items:
        items.append({
            "number": it.number,
            "title": it.title,
            "prefix": it.prefix,
            "closed": it.closed,
            "case_numbers": list(it.case_numbers),
            "decision": it.decision,
            "outcomes": list(it.outcomes),
            "absent": list(it.absent),
            "attachments": list(it.attachments),
            "other_decisions": [{"committee": o.committee, "date": o.date, "outcomes": list(o.outcomes)}
                                for o in it.other_decisions],
        })
    projects = []
    for p in doc.projects:
        d = {"name": p.name, "aliases": list(p.aliases), "item": p.item, "funders": list(p.funders),
             "municipalities": list(p.municipalities), "partners": list(p.partners)}
        _opt(d, "start", p.start)
        _opt(d, "end", p.end)
        projects.append(d)
    grants = []
    for g in doc.grants:
        d = {"funder": g.funder, "recipients": list(g.recipients),
             "amount": (int(g.amount) if g.amount is not None and float(g.amount).is_integer() else g.amount),
             "project": g.project, "item": g.item}
        for k in ("per", "programme", "start", "end"):
            _opt(d, k, getattr(g, k))
        grants.append(d)
    return {
        "source": doc.source,
        "municipality": doc.municipality,
        "committee": doc.committee,
        "committee_abbreviation": doc.committee_abbreviation,
        "committee_term": doc.committee_term,
        "date": doc.date,
        "start_time": doc.start_time,
        "end_time": doc.end_time,
        "location": doc.location,
        "members": [{"name": m.name, "party": m.party, "role": m.role} for m in doc.members],
        "absent": list(doc.absent),
        "persons": [{"name": p.name, "role": p.role, "affiliation": p.affiliation} for p in doc.persons],
        "items": items,
        "organizations": [{"name": o.name, "aliases": list(o.aliases), "kind": o.kind} for o in doc.organizations],
        "mentioned_municipalities": [m.name for m in doc.mentioned_municipalities],
        "projects": projects,
        "grants": grants,
    }
