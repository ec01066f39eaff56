"""`kg report`: what was extracted and what is missing, per municipality, committee, year and document.

Every number is computed by SPARQL over the store (``GROUP BY`` aggregates, one row
per document / municipality / committee / year at most, never the triples themselves),
so the report works for any store size and for the served store (``/report`` of
``kg serve``) alike. The queries only name predicates through :mod:`kg.mapping`.

Entry points:

* :func:`compute` -> :class:`Report` (plain data) from a ``select(sparql) -> rows`` function;
  :func:`from_store` and :func:`from_pool` make that function for a :class:`kg.store.Store`
  and for the worker pool of :mod:`kg.serve`;
* :func:`render` -> the report as ``md``, ``html`` (self-contained page, sortable tables,
  an inline SVG chart per municipality) or ``json``.

Counts (see docs/report.md):

* per document, per municipality and in total: agenda items, items with a decision text,
  items whose own decision has an outcome, items with case numbers, decisions without
  an outcome, members (distinct persons with a membership of the meeting's committee),
  absences (distinct meeting/person pairs), organisations, projects, grants (distinct
  entities), table-of-contents entries and those found in the body, warnings, weak facts
  (evidence whose ``kg:confidence`` is below a threshold);
* totals and per-municipality figures count *distinct* entities, so an organisation named
  in ten documents counts once there (and once in each document's row).
"""
from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import quote

from . import iris
from .mapping import (ABSENT, C_CASE, C_DOCUMENT, C_EVIDENCE, C_GRANT, C_ITEM, C_MEMBERSHIP, C_MUNICIPALITY,
                      C_ORGANIZATION, C_PROJECT, CONFIDENCE, DATE, DECIDED_BY, HELD_BY, IN_MEETING, LABEL, MEMBER,
                      MUNICIPALITY, NOTATION, ON_ITEM, ORGANIZATION, OUTCOME, PRIMARY_TOPIC, REFERENCES, RULE,
                      SOURCE_PATH_P, TITLE, TOC_ENTRIES, TOC_MATCHED, TOC_MISSED_WARNING, TYPE, VALUE, WARNING)

FORMATS = ("md", "html", "json")
DEFAULT_WEAK_BELOW = 0.5
DATA_NS = iris.DATA

Select = Callable[[str], list]   # SPARQL SELECT text -> [{var: str value}] (unbound variables absent)


# --------------------------------------------------------------------------- metrics (SPARQL patterns)
# Each metric is a pattern inside GRAPH ?g (the document's graph, ?g is its kg:SourceDocument) binding ?x,
# the thing counted (COUNT DISTINCT ?x). ?m is free for the meeting. Names are the JSON keys.
_OWN = f"?x <{IN_MEETING}> ?m . ?m <{HELD_BY}> ?c . ?d <{ON_ITEM}> ?x ; <{DECIDED_BY}> ?c ."
METRICS: dict[str, str] = {
    "items": f"?x <{TYPE}> <{C_ITEM}> .",
    "items_with_decision": f"{_OWN} ?d <{VALUE}> ?v .",
    "items_with_outcome": f"{_OWN} ?d <{OUTCOME}> ?o .",
    "items_with_case_numbers": f"?x <{TYPE}> <{C_ITEM}> ; <{REFERENCES}> ?cs . ?cs <{TYPE}> <{C_CASE}> .",
    "decisions_without_outcome": f"{_OWN} ?d <{VALUE}> ?v . FILTER NOT EXISTS {{ ?d <{OUTCOME}> ?o }}",
    "members": f"?g <{PRIMARY_TOPIC}> ?m . ?m <{HELD_BY}> ?c . "
               f"?ms <{TYPE}> <{C_MEMBERSHIP}> ; <{ORGANIZATION}> ?c ; <{MEMBER}> ?x .",
    "absences": f"?g <{PRIMARY_TOPIC}> ?m . ?m <{ABSENT}> ?p . BIND(CONCAT(STR(?m), ' ', STR(?p)) AS ?x)",
    "organisations": f"?x <{TYPE}> <{C_ORGANIZATION}> .",
    "projects": f"?x <{TYPE}> <{C_PROJECT}> .",
    "grants": f"?x <{TYPE}> <{C_GRANT}> .",
    "warnings": f"?g <{WARNING}> ?w . BIND(CONCAT(STR(?g), ' ', STR(?w)) AS ?x)",
    "weak_facts": f"?x <{TYPE}> <{C_EVIDENCE}> ; <{CONFIDENCE}> ?cf . FILTER(?cf < {{weak}})",
}
# Summed (one value per document): table-of-contents entries and those found in the body.
SUMS: dict[str, str] = {"toc_entries": TOC_ENTRIES, "toc_matched": TOC_MATCHED}
FIELDS = tuple(METRICS) + tuple(SUMS)
LABELS = {
    "documents": "documents", "items": "items", "items_with_decision": "with decision",
    "items_with_outcome": "with outcome", "items_with_case_numbers": "with case no.",
    "decisions_without_outcome": "decision w/o outcome", "members": "members", "absences": "absences",
    "organisations": "organisations", "projects": "projects", "grants": "grants", "warnings": "warnings",
    "weak_facts": "weak facts", "toc_entries": "TOC entries", "toc_matched": "TOC found",
    "toc_share": "TOC found %",
}
# coverage bars of the per-municipality chart: (label, numerator, denominator)
SHARES = (("items with a decision", "items_with_decision", "items"),
          ("items with an outcome", "items_with_outcome", "items"),
          ("items with case numbers", "items_with_case_numbers", "items"),
          ("TOC entries found in body", "toc_matched", "toc_entries"))

# grouping keys: a pattern inside GRAPH ?g binding ?k
_KEYS = {
    "document": "BIND(?g AS ?k)",
    "municipality": f"OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?km . ?km <{MUNICIPALITY}> ?k }}",
    "total": "",
}


def _metric_query(name: str, level: str, weak: float) -> str:
    key = _KEYS[level]
    sel, grp = ("?k ", "GROUP BY ?k") if key else ("", "")
    if name in SUMS:
        body = f"?g <{SUMS[name]}> ?n ."
        agg = "(SUM(?n) AS ?v)"
        return (f"SELECT {sel}{agg} WHERE {{ GRAPH ?g {{ ?g <{TYPE}> <{C_DOCUMENT}> . {body} {key} }} }} {grp}")
    body = METRICS[name].replace("{weak}", repr(float(weak)))
    return (f"SELECT {sel}(COUNT(DISTINCT ?x) AS ?v) WHERE {{ GRAPH ?g {{ ?g <{TYPE}> <{C_DOCUMENT}> . "
            f"{body} {key} }} }} {grp}")


# --------------------------------------------------------------------------- the report data
@dataclass
class DocumentRow:
    iri: str
    title: str = ""
    paths: list[str] = field(default_factory=list)
    municipality: Optional[str] = None        # IRI
    municipality_name: Optional[str] = None
    committee: Optional[str] = None           # IRI
    committee_name: Optional[str] = None
    date: Optional[str] = None
    counts: dict = field(default_factory=dict)
    toc_share: Optional[float] = None
    warnings: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class GroupRow:
    key: str                                  # IRI, year, or "" for unknown
    name: str
    documents: int = 0
    counts: dict = field(default_factory=dict)
    toc_share: Optional[float] = None
    municipality: Optional[str] = None        # committees: their municipality's name
    years: dict = field(default_factory=dict)  # municipalities: {year: documents}


@dataclass
class Report:
    store: str = ""
    store_version: str = ""
    weak_below: float = DEFAULT_WEAK_BELOW
    totals: dict = field(default_factory=dict)
    municipalities: list[GroupRow] = field(default_factory=list)
    committees: list[GroupRow] = field(default_factory=list)
    years: list[GroupRow] = field(default_factory=list)
    documents: list[DocumentRow] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)   # {rule, evidence, with_confidence, min_confidence, weak}

    @property
    def incomplete(self) -> list[DocumentRow]:
        """Documents with a reason, those with text not read first (then only decisions without outcome)."""
        docs = [d for d in self.documents if d.reasons]
        return sorted(docs, key=lambda d: not any(not is_soft(r) for r in d.reasons))  # stable: keeps order

    def as_json(self) -> dict:
        return {
            "report": "kg coverage report", "format_version": 1,
            "store": self.store, "store_version": self.store_version, "weak_below": self.weak_below,
            "totals": self.totals,
            "municipalities": [asdict(g) for g in self.municipalities],
            "committees": [{k: v for k, v in asdict(g).items() if k not in ("counts", "toc_share", "years")}
                           for g in self.committees],
            "years": [{"year": g.key, "documents": g.documents} for g in self.years],
            "incomplete": [{"iri": d.iri, "title": d.title, "paths": d.paths, "reasons": d.reasons}
                           for d in self.incomplete],
            "documents": [asdict(d) for d in self.documents],
            "rules": self.rules,
        }


def _int(v) -> int:
    if v is None or v == "":
        return 0
    try:
        return int(v)
    except ValueError:
        return int(float(v))


def _share(num, den) -> Optional[float]:
    return round(num / den, 4) if den else None


def compute(select: Select, store: str = "", store_version: str = "",
            weak_below: float = DEFAULT_WEAK_BELOW) -> Report:
    """Run the report queries through ``select`` and assemble a :class:`Report`."""
    rep = Report(store=store, store_version=store_version, weak_below=weak_below)
    doc_t = f"?g <{TYPE}> <{C_DOCUMENT}> ."

    # ---- documents: title, meeting date, committee, municipality, source paths, warnings
    rows = select(f"""SELECT ?g (SAMPLE(?t) AS ?title) (SAMPLE(?dt) AS ?date) (SAMPLE(?mu) AS ?muni)
        (SAMPLE(?c) AS ?committee) (SAMPLE(?cl) AS ?committeeLabel) WHERE {{ GRAPH ?g {{ {doc_t}
          OPTIONAL {{ ?g <{TITLE}> ?t }}
          OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?m .
            OPTIONAL {{ ?m <{DATE}> ?dt }}
            OPTIONAL {{ ?m <{HELD_BY}> ?c . OPTIONAL {{ ?c <{LABEL}> ?cl }} }}
            OPTIONAL {{ ?m <{MUNICIPALITY}> ?mu }} }} }} }} GROUP BY ?g""")
    docs: dict[str, DocumentRow] = {}
    for r in rows:
        g = r["g"]
        docs[g] = DocumentRow(iri=g, title=r.get("title") or g.rsplit("/", 1)[-1], municipality=r.get("muni"),
                              committee=r.get("committee"), committee_name=r.get("committeeLabel"),
                              date=r.get("date"), counts={f: 0 for f in FIELDS})
    for r in select(f"SELECT ?g ?p WHERE {{ GRAPH <{iris.meta_graph()}> {{ ?g <{SOURCE_PATH_P}> ?p }} }}"):
        if r["g"] in docs:
            docs[r["g"]].paths.append(r["p"])
    for r in select(f"SELECT ?g ?w WHERE {{ GRAPH ?g {{ {doc_t} ?g <{WARNING}> ?w }} }}"):
        if r["g"] in docs:
            docs[r["g"]].warnings.append(r["w"])

    # ---- municipalities and their documents per year; committees; years
    munis: dict[str, GroupRow] = {}
    for r in select(f"""SELECT ?k (SAMPLE(?l) AS ?label) (SAMPLE(?code) AS ?notation) (COUNT(DISTINCT ?g) AS ?n)
        WHERE {{ GRAPH ?g {{ {doc_t} OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?m . ?m <{MUNICIPALITY}> ?k .
          OPTIONAL {{ ?k <{LABEL}> ?l }} OPTIONAL {{ ?k <{NOTATION}> ?code }} }} }} }} GROUP BY ?k"""):
        k = r.get("k", "")
        name = r.get("label") or ("(no municipality)" if not k else k.rsplit("/", 1)[-1])
        if r.get("notation"):
            name = f"{name} ({r['notation']})"
        munis[k] = GroupRow(key=k, name=name, documents=_int(r["n"]), counts={f: 0 for f in FIELDS})
    year = f"BIND(IF(BOUND(?dt), SUBSTR(STR(?dt), 1, 4), '') AS ?y)"
    for r in select(f"""SELECT ?k ?y (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ {doc_t}
          OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?m . OPTIONAL {{ ?m <{MUNICIPALITY}> ?k }} OPTIONAL {{ ?m <{DATE}> ?dt }} }}
          {year} }} }} GROUP BY ?k ?y"""):
        g = munis.get(r.get("k", ""))
        if g is not None:
            g.years[r.get("y") or ""] = _int(r["n"])
    for r in select(f"""SELECT ?k (SAMPLE(?l) AS ?label) (SAMPLE(?ml) AS ?muniLabel) (COUNT(DISTINCT ?g) AS ?n)
        WHERE {{ GRAPH ?g {{ {doc_t} OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?m . ?m <{HELD_BY}> ?k .
          OPTIONAL {{ ?k <{LABEL}> ?l }}
          OPTIONAL {{ ?k <{MUNICIPALITY}> ?mu . ?mu <{LABEL}> ?ml }} }} }} }} GROUP BY ?k"""):
        k = r.get("k", "")
        rep.committees.append(GroupRow(key=k, name=r.get("label") or ("(no committee)" if not k else
                                                                       k.rsplit("/", 1)[-1]),
                                       documents=_int(r["n"]), municipality=r.get("muniLabel")))
    for r in select(f"""SELECT ?y (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ {doc_t}
          OPTIONAL {{ ?g <{PRIMARY_TOPIC}> ?m . ?m <{DATE}> ?dt }} {year} }} }} GROUP BY ?y"""):
        rep.years.append(GroupRow(key=r.get("y") or "", name=r.get("y") or "(no date)", documents=_int(r["n"])))

    # ---- the metrics, per document, per municipality and in total
    totals: dict = {"documents": len(docs)}
    for f in FIELDS:
        for level in ("document", "municipality", "total"):
            for r in select(_metric_query(f, level, weak_below)):
                v = _int(r.get("v"))
                if level == "total":
                    totals[f] = v
                    continue
                k = r.get("k", "")
                target = docs.get(k) if level == "document" else munis.get(k)
                if target is not None:
                    target.counts[f] = v
        totals.setdefault(f, 0)
    totals["toc_share"] = _share(totals["toc_matched"], totals["toc_entries"])
    rep.totals = totals
    for g in munis.values():
        g.toc_share = _share(g.counts["toc_matched"], g.counts["toc_entries"])

    # ---- provenance: evidence per rule, with confidence, weak facts
    w = repr(float(weak_below))
    for r in select(f"""SELECT ?rule (COUNT(?e) AS ?n) (COUNT(?cf) AS ?nc) (MIN(?cf) AS ?minc)
        (SUM(IF(BOUND(?cf) && ?cf < {w}, 1, 0)) AS ?weak) WHERE {{ GRAPH ?g {{ ?e <{TYPE}> <{C_EVIDENCE}> .
          OPTIONAL {{ ?e <{RULE}> ?r }} OPTIONAL {{ ?e <{CONFIDENCE}> ?cf }} BIND(COALESCE(?r, '') AS ?rule) }} }}
        GROUP BY ?rule ORDER BY DESC(?n) ?rule"""):
        rep.rules.append({"rule": r.get("rule", ""), "evidence": _int(r.get("n")),
                          "with_confidence": _int(r.get("nc")),
                          "min_confidence": float(r["minc"]) if r.get("minc") not in (None, "") else None,
                          "weak": _int(r.get("weak"))})
    totals["evidence"] = sum(x["evidence"] for x in rep.rules)
    totals["evidence_with_confidence"] = sum(x["with_confidence"] for x in rep.rules)

    # ---- names, shares, reasons
    for d in docs.values():
        m = munis.get(d.municipality or "")
        d.municipality_name = m.name if m and d.municipality else None
        d.toc_share = _share(d.counts["toc_matched"], d.counts["toc_entries"])
        d.paths.sort()
        d.warnings.sort()
        d.reasons = reasons(d)
    rep.documents = sorted(docs.values(), key=lambda d: (d.municipality_name or "~", d.date or "~", d.title, d.iri))
    rep.municipalities = sorted(munis.values(), key=lambda g: (not g.key, g.name.lower()))
    rep.committees.sort(key=lambda g: (not g.key, (g.municipality or "~").lower(), g.name.lower()))
    rep.years.sort(key=lambda g: (not g.key, g.key))
    return rep


SOFT_REASON = "decision(s) without an outcome"


def is_soft(reason: str) -> bool:
    """A reason to check rather than proof that text was not read."""
    return reason.endswith(SOFT_REASON)


def reasons(d: DocumentRow) -> list[str]:
    """Why a document's extraction looks incomplete ([] when it does not)."""
    c = d.counts
    out = []
    if c.get("items", 0) == 0:
        out.append("no agenda items found")
    if not d.date:
        out.append("no meeting date")
    if not d.committee or "no committee found" in d.warnings:
        out.append("no committee")
    if not d.municipality:
        out.append("no municipality")
    missing = c.get("toc_entries", 0) - c.get("toc_matched", 0)
    if missing > 0:
        titles = [w[len(TOC_MISSED_WARNING):].lstrip(": ") for w in d.warnings if w.startswith(TOC_MISSED_WARNING)]
        out.append(f"{missing} of {c['toc_entries']} table-of-contents entries not found in the body"
                   + (f": {'; '.join(titles)}" if titles else ""))
    if c.get("decisions_without_outcome", 0) > 0:
        out.append(f"{c['decisions_without_outcome']} {SOFT_REASON}")
    return out


# --------------------------------------------------------------------------- select functions
def from_store(store) -> Select:
    """A select function over a :class:`kg.store.Store` (union default graph)."""
    def select(q: str) -> list:
        res = store.query(q)
        names = [v.value for v in res.variables]
        return [{n: sol[n].value for n in names if sol[n] is not None} for sol in res]
    return select


def from_pool(pool, limit: int = 10_000_000) -> Select:
    """A select function over the worker pool of :mod:`kg.serve` (each query under the pool's time limit)."""
    def select(q: str) -> list:
        resp = pool.call({"op": "select", "query": q, "limit": limit})
        return [{k: t["value"] for k, t in row.items() if isinstance(t, dict)} for row in resp[1]]
    return select


def report_store(store, weak_below: float = DEFAULT_WEAK_BELOW) -> Report:
    return compute(from_store(store), store=str(store.root), store_version=store.version or "",
                   weak_below=weak_below)


# --------------------------------------------------------------------------- rendering
def render(rep: Report, fmt: str, served: bool = False) -> str:
    if fmt == "json":
        return json.dumps(rep.as_json(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "md":
        return render_md(rep)
    if fmt == "html":
        return render_html(rep, served=served)
    raise ValueError(f"unknown report format {fmt!r} (use one of: {', '.join(FORMATS)})")


def _pct(x: Optional[float]) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


_DOC_COLS = ("items", "items_with_decision", "items_with_outcome", "items_with_case_numbers",
             "decisions_without_outcome", "members", "absences", "organisations", "projects", "grants",
             "toc_entries", "toc_matched", "warnings", "weak_facts")


# ---- Markdown
def _md(s) -> str:
    s = " ".join(str("" if s is None else s).split())
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _md_table(head: list[str], rows: list[list], numeric: int = 1) -> list[str]:
    """A pipe table; columns from index ``numeric`` on are right-aligned."""
    out = ["| " + " | ".join(_md(h) for h in head) + " |",
           "|" + "|".join("---:" if i >= numeric else "---" for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return out


def render_md(rep: Report) -> str:
    t = rep.totals
    L = [f"# kg coverage report", "",
         f"Store `{_md(rep.store)}` (version `{_md(rep.store_version)}`): {t['documents']} documents, "
         f"{len(rep.incomplete)} with incomplete extraction "
         f"({sum(1 for d in rep.incomplete if any(not is_soft(r) for r in d.reasons))} with text not read).",
         "", "## Totals", ""]
    share_of_items = ("items_with_decision", "items_with_outcome", "items_with_case_numbers",
                      "decisions_without_outcome")
    L += _md_table(["measure", "count", "share of items"],
                   [[LABELS[f], t.get(f, 0), _pct(_share(t.get(f, 0), t["items"])) if f in share_of_items else ""]
                    for f in _DOC_COLS if f not in ("toc_entries", "toc_matched", "weak_facts")]
                   + [["TOC entries found in body", f"{t['toc_matched']} of {t['toc_entries']}", _pct(t["toc_share"])],
                      [f"weak facts (confidence below {rep.weak_below:g})", t["weak_facts"], ""],
                      ["evidence records (with a confidence)", f"{t['evidence']} ({t['evidence_with_confidence']})",
                       ""]], numeric=1)
    L += ["", "Totals and municipality rows count distinct entities (an organisation named in two documents "
          "counts once).", "", "## Incomplete extraction", ""]
    if rep.incomplete:
        for d in rep.incomplete:
            where = ", ".join(f"`{_md(p)}`" for p in d.paths) or f"<{d.iri}>"
            L.append(f"- **{_md(d.title)}** ({_md(d.municipality_name or '?')}, {_md(d.committee_name or '?')}, "
                     f"{_md(d.date or 'no date')}) — {where} — <{d.iri}>")
            L += [f"  - {_md(r)}" for r in d.reasons]
    else:
        L.append("No document looks incomplete.")
    L += ["", "## Municipalities", ""]
    L += _md_table(["municipality", "documents", "items", "with decision", "with outcome", "with case no.",
                    "TOC found", "members", "organisations", "projects", "grants", "documents per year"],
                   [[g.name, g.documents, g.counts["items"],
                     _pct(_share(g.counts["items_with_decision"], g.counts["items"])),
                     _pct(_share(g.counts["items_with_outcome"], g.counts["items"])),
                     _pct(_share(g.counts["items_with_case_numbers"], g.counts["items"])), _pct(g.toc_share),
                     g.counts["members"], g.counts["organisations"], g.counts["projects"], g.counts["grants"],
                     ", ".join(f"{y or 'no date'}: {n}" for y, n in sorted(g.years.items()))]
                    for g in rep.municipalities], numeric=1)
    L += ["", "## Committees", ""]
    L += _md_table(["committee", "municipality", "documents"],
                   [[g.name, g.municipality or "", g.documents] for g in rep.committees], numeric=2)
    L += ["", "## Years", ""]
    L += _md_table(["year", "documents"], [[g.name, g.documents] for g in rep.years])
    L += ["", "## Documents", ""]
    L += _md_table(["document", "municipality", "committee", "date"] + [LABELS[c] for c in _DOC_COLS],
                   [[d.title, d.municipality_name or "", d.committee_name or "", d.date or ""]
                    + [d.counts.get(c, 0) for c in _DOC_COLS] for d in rep.documents], numeric=4)
    L += ["", "## Provenance rules", "",
          f"Evidence records per parser rule; a fact is weak when its `kg:confidence` is below {rep.weak_below:g}.", ""]
    L += _md_table(["rule", "evidence", "with confidence", "min confidence", "weak"],
                   [[r["rule"] or "(none)", r["evidence"], r["with_confidence"],
                     "" if r["min_confidence"] is None else f"{r['min_confidence']:g}", r["weak"]]
                    for r in rep.rules])
    return "\n".join(L) + "\n"


# ---- HTML
def esc(s) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _safe_href(url: str) -> Optional[str]:
    return url if url.startswith(("https://", "http://", "file:///", "/")) else None


def _doc_href(d: DocumentRow, served: bool) -> Optional[str]:
    if served:
        if d.iri.startswith(DATA_NS):
            return "/id/" + quote(d.iri[len(DATA_NS):], safe="/")
        return "/resource?iri=" + quote(d.iri, safe="")
    for p in d.paths:
        if p.startswith("/"):
            return Path(p).as_uri()
    return _safe_href(d.iri)


def _a(href: Optional[str], text: str, title: str = "") -> str:
    t = f' title="{esc(title)}"' if title else ""
    return f'<a href="{esc(href)}"{t}>{esc(text)}</a>' if href else f"<span{t}>{esc(text)}</span>"


def _num_td(v, shown: Optional[str] = None) -> str:
    sv = "" if v is None else v
    return f'<td class="n" data-v="{esc(sv)}">{esc(shown if shown is not None else ("–" if v is None else v))}</td>'


def _bar_svg(rows: list[tuple[str, Optional[float], str]], width: int = 320) -> str:
    """Horizontal bars for shares 0..1: (label, share or None, text at the bar's end)."""
    lab_w, bar_w, h = 150, width - 150 - 60, 16
    parts = [f'<svg class="chart" width="{width}" height="{len(rows) * (h + 4) + 4}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="coverage">']
    for i, (label, share, txt) in enumerate(rows):
        y = 4 + i * (h + 4)
        parts.append(f'<text x="0" y="{y + 12}" class="l">{esc(label)}</text>')
        parts.append(f'<rect x="{lab_w}" y="{y}" width="{bar_w}" height="{h}" class="bg"/>')
        if share is not None:
            w = max(0.0, min(1.0, share)) * bar_w
            cls = "ok" if share >= 0.9 else ("mid" if share >= 0.5 else "low")
            parts.append(f'<rect x="{lab_w}" y="{y}" width="{w:.1f}" height="{h}" class="{cls}"><title>'
                         f'{esc(label)}: {esc(txt)}</title></rect>')
        parts.append(f'<text x="{lab_w + bar_w + 4}" y="{y + 12}" class="v">{esc(txt)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _year_svg(years: dict, width: int = 320) -> str:
    """Vertical bars: documents per year."""
    ys = sorted(years.items(), key=lambda kv: (kv[0] == "", kv[0]))
    if not ys:
        return ""
    top = max(n for _, n in ys) or 1
    h, base = 60, 74
    bw = max(6, min(36, (width - 10) // max(1, len(ys)) - 4))
    parts = [f'<svg class="chart" width="{max(width, len(ys) * (bw + 4) + 10)}" height="{base + 14}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="documents per year">']
    for i, (y, n) in enumerate(ys):
        x = 4 + i * (bw + 4)
        bh = max(1.0, h * n / top)
        parts.append(f'<rect x="{x}" y="{base - bh:.1f}" width="{bw}" height="{bh:.1f}" class="yr"><title>'
                     f'{esc(y or "no date")}: {n} document(s)</title></rect>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{base - bh - 2:.1f}" class="c">{n}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{base + 12}" class="c">{esc((y or "?")[-2:] if len(ys) > 8 else (y or "n/a"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222}
header{background:#223;color:#fff;padding:.6em 1em}header a{color:#dde}
main{padding:0 1em 2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.2em .45em;text-align:left;vertical-align:top}
th{background:#f3f3f7;position:sticky;top:0}table.sortable th{cursor:pointer}
th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#aaa}
.cards{display:flex;flex-wrap:wrap;gap:1em}
.card{border:1px solid #ddd;border-radius:6px;padding:.5em .8em;background:#fcfcfe}
.card h3{margin:.2em 0 .4em;font-size:1em}.big{font-size:1.6em;font-weight:600}
.muted{color:#666;font-size:.85em}ul.reasons{margin:0;padding-left:1.2em}.bad{color:#b30;font-weight:600}.soft{color:#865}
svg.chart text{font-size:11px;fill:#333}svg.chart text.c{text-anchor:middle;font-size:10px}
svg.chart rect.bg{fill:#eee}svg.chart rect.ok{fill:#3a7}svg.chart rect.mid{fill:#db3}
svg.chart rect.low{fill:#d54}svg.chart rect.yr{fill:#58a}code{font-size:.85em}
"""


def _script(served: bool) -> str:
    if served:   # the server's Content-Security-Policy allows scripts from /static only
        return '<script src="/static/report.js"></script>'
    js = resources.files("kg.web").joinpath("static", "report.js").read_text(encoding="utf-8")
    return "<script>\n" + js.replace("</", "<\\/") + "\n</script>"


def render_html(rep: Report, served: bool = False) -> str:
    t = rep.totals
    n_inc = len(rep.incomplete)
    n_hard = sum(1 for d in rep.incomplete if any(not is_soft(r) for r in d.reasons))
    inc_by_muni: dict = {}
    for d in rep.incomplete:
        inc_by_muni[d.municipality or ""] = inc_by_muni.get(d.municipality or "", 0) + 1
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>kg coverage report</title>", f"<style>{_CSS}</style></head><body>",
           "<header><b>kg coverage report</b>"
           + (' &nbsp; <a href="/">SPARQL editor</a> <a href="/report?format=json">JSON</a> '
              '<a href="/report?format=md">Markdown</a>' if served else "")
           + "</header><main>",
           f'<p class="muted">Store <code>{esc(rep.store)}</code>, version <code>{esc(rep.store_version)}</code>. '
           "Every number is a SPARQL aggregate over the store.</p>"]
    # ---- summary cards
    cards = [("documents", t["documents"], ""), ("agenda items", t["items"], ""),
             ("with a decision", _pct(_share(t["items_with_decision"], t["items"])),
              f'{t["items_with_decision"]} items'),
             ("with an outcome", _pct(_share(t["items_with_outcome"], t["items"])), f'{t["items_with_outcome"]} items'),
             ("with case numbers", _pct(_share(t["items_with_case_numbers"], t["items"])),
              f'{t["items_with_case_numbers"]} items'),
             ("TOC entries found", _pct(t["toc_share"]), f'{t["toc_matched"]} of {t["toc_entries"]}'),
             ("incomplete documents", n_inc, f"{n_hard} with text not read, {n_inc - n_hard} only decisions "
                                              "without an outcome"),
             (f"weak facts (conf. &lt; {rep.weak_below:g})", t["weak_facts"],
              f'{t["evidence_with_confidence"]} of {t["evidence"]} evidence records have a confidence')]
    out.append('<div class="cards">' + "".join(
        f'<div class="card"><div class="muted">{lab}</div><div class="big">{esc(v)}</div>'
        f'<div class="muted">{esc(sub)}</div></div>' for lab, v, sub in cards) + "</div>")
    out.append(f'<p class="muted">Also in total: {t["members"]} members, {t["absences"]} absences, '
               f'{t["organisations"]} organisations, {t["projects"]} projects, {t["grants"]} grants '
               "(distinct entities).</p>")

    # ---- incomplete
    out.append(f'<h2 id="incomplete">Incomplete extraction ({n_inc})</h2>')
    if n_inc:
        out.append('<table class="sortable"><thead><tr><th>document</th><th>municipality</th><th>committee</th>'
                   "<th>date</th><th>reasons</th></tr></thead><tbody>")
        for d in rep.incomplete:
            out.append(f"<tr><td>{_a(_doc_href(d, served), d.title, d.iri)}<div class=\"muted\">"
                       + "<br>".join(esc(p) for p in d.paths) + "</div></td>"
                       f"<td>{esc(d.municipality_name or '')}</td><td>{esc(d.committee_name or '')}</td>"
                       f"<td>{esc(d.date or '')}</td><td><ul class=\"reasons\">"
                       + "".join(f'<li class="{"soft" if is_soft(r) else "bad"}">{esc(r)}</li>' for r in d.reasons)
                       + "</ul></td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No document looks incomplete.</p>")

    # ---- municipalities: one card with charts each, then a table
    out.append(f'<h2 id="municipalities">Municipalities ({len(rep.municipalities)})</h2><div class="cards">')
    for g in rep.municipalities:
        c = g.counts
        bars = [(lab, _share(c[num], c[den]), f"{c[num]}/{c[den]}") for lab, num, den in SHARES]
        out.append(f'<div class="card"><h3>{esc(g.name)}</h3><div class="muted">{g.documents} document(s), '
                   f'{c["items"]} items, {c["members"]} members, {c["organisations"]} organisations, '
                   f'{c["projects"]} projects, {c["grants"]} grants; '
                   f'{inc_by_muni.get(g.key, 0)} incomplete</div>'
                   f'{_bar_svg(bars)}<div class="muted">documents per year</div>{_year_svg(g.years)}</div>')
    out.append("</div>")
    mcols = ("items", "items_with_decision", "items_with_outcome", "items_with_case_numbers", "members",
             "absences", "organisations", "projects", "grants", "toc_entries", "toc_matched", "weak_facts")
    out.append('<table class="sortable"><thead><tr><th>municipality</th><th>documents</th>'
               + "".join(f"<th>{esc(LABELS[k])}</th>" for k in mcols) + f"<th>{LABELS['toc_share']}</th>"
               "</tr></thead><tbody>")
    for g in rep.municipalities:
        out.append(f"<tr><td>{esc(g.name)}</td>{_num_td(g.documents)}"
                   + "".join(_num_td(g.counts[k]) for k in mcols)
                   + _num_td(g.toc_share, _pct(g.toc_share)) + "</tr>")
    out.append("</tbody></table>")

    # ---- committees, years
    out.append(f'<h2 id="committees">Committees ({len(rep.committees)})</h2><table class="sortable"><thead><tr>'
               "<th>committee</th><th>municipality</th><th>documents</th></tr></thead><tbody>")
    out += [f"<tr><td>{esc(g.name)}</td><td>{esc(g.municipality or '')}</td>{_num_td(g.documents)}</tr>"
            for g in rep.committees]
    out.append('</tbody></table><h2 id="years">Years</h2><table class="sortable"><thead><tr><th>year</th>'
               "<th>documents</th></tr></thead><tbody>")
    out += [f"<tr><td>{esc(g.name)}</td>{_num_td(g.documents)}</tr>" for g in rep.years]
    out.append("</tbody></table>")

    # ---- documents
    out.append(f'<h2 id="documents">Documents ({len(rep.documents)})</h2>'
               '<p class="muted">Click a column heading to sort.</p><table class="sortable"><thead><tr>'
               "<th>document</th><th>municipality</th><th>committee</th><th>date</th>"
               + "".join(f"<th>{esc(LABELS[k])}</th>" for k in _DOC_COLS)
               + f"<th>{LABELS['toc_share']}</th><th>incomplete</th></tr></thead><tbody>")
    for d in rep.documents:
        out.append(f"<tr><td>{_a(_doc_href(d, served), d.title, d.iri)}</td>"
                   f"<td>{esc(d.municipality_name or '')}</td><td>{esc(d.committee_name or '')}</td>"
                   f"<td>{esc(d.date or '')}</td>" + "".join(_num_td(d.counts.get(k, 0)) for k in _DOC_COLS)
                   + _num_td(d.toc_share, _pct(d.toc_share))
                   + _num_td(len(d.reasons), "; ".join(d.reasons) or "") + "</tr>")
    out.append("</tbody></table>")

    # ---- provenance rules
    out.append('<h2 id="rules">Provenance: evidence per rule</h2>'
               f'<p class="muted">A fact is weak when its <code>kg:confidence</code> is below {rep.weak_below:g} '
               "(see docs/report.md for a SPARQL filter).</p>"
               '<table class="sortable"><thead><tr><th>rule</th><th>evidence</th><th>with confidence</th>'
               "<th>min confidence</th><th>weak</th></tr></thead><tbody>")
    for r in rep.rules:
        out.append(f"<tr><td><code>{esc(r['rule'] or '(none)')}</code></td>{_num_td(r['evidence'])}"
                   f"{_num_td(r['with_confidence'])}{_num_td(r['min_confidence'])}{_num_td(r['weak'])}</tr>")
    out.append("</tbody></table></main>" + _script(served) + "</body></html>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- kg serve: /report
MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8",
         "md": "text/markdown; charset=utf-8"}


def served_report(pool, fmt: str = "html", weak_below: float = DEFAULT_WEAK_BELOW) -> tuple[int, bytes, str]:
    """(status, body, content type) of ``GET /report?format=...`` on ``kg serve`` (queries run in its pool)."""
    import os
    if fmt not in FORMATS:
        return 400, f"unknown report format {fmt!r} (use one of: {', '.join(FORMATS)})\n".encode(), \
            "text/plain; charset=utf-8"
    try:
        version = os.readlink(os.path.join(pool.store_path, "current"))
    except OSError:
        version = ""
    rep = compute(from_pool(pool), store=str(pool.store_path), store_version=version, weak_below=weak_below)
    return 200, render(rep, fmt, served=True).encode("utf-8"), MEDIA[fmt]
