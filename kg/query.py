"""Named SPARQL queries (``queries/*.rq``) and result formatting for `kg query`.

A named query is a ``.rq`` file whose leading comment lines form a header::

    # title: Projects funded by a funder
    # description: Projects funded by STAR (or --param funder=...), with municipalities ...
    # param: funder = "STAR" : name, abbreviation or alias of the funder (case-insensitive)

``param`` lines: ``name [= default] [: help]``; the default is an RDF term in
SPARQL syntax (``"text"``, ``<iri>``, ``42``); without a default the parameter
is required. Parameters are bound as RDF terms (``VALUES`` injected by
:func:`kg.store.bind`), never pasted into the query text. A value given on the
command line is a plain literal unless it is written ``<iri>``, or the default
is an IRI / a number (then it is read as one).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

import pyoxigraph as ox

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
FORMATS = ("table", "csv", "tsv", "json")


class QueryError(Exception):
    """A usage problem with a query (unknown name, missing parameter, bad value). One line."""


@dataclass
class Param:
    name: str
    default: Optional[str] = None      # SPARQL term syntax, or None if required
    help: str = ""


@dataclass
class NamedQuery:
    name: str
    path: Optional[Path]
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    lists: dict[str, str] = field(default_factory=dict)   # column -> separator of a GROUP_CONCAT list
    added_prefixes: list[str] = field(default_factory=list)   # by add_prefixes(), on one extra first line


_HEADER = re.compile(r"^#\s*(title|description|param|list)\s*:\s*(.*)$", re.I)
_LIST = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\s+"((?:[^"\\]|\\.)+)"$')
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(\"(?:[^\"\\]|\\.)*\"|<[^>]*>|[-+]?\d+(?:\.\d+)?|true|false))?"
                    r"\s*(?::\s*(.*))?$")


def parse_header(text: str, name: str = "", path: Optional[Path] = None) -> NamedQuery:
    q = NamedQuery(name=name, path=path, text=text)
    last = None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _HEADER.match(s)
        if m:
            key, val = m.group(1).lower(), m.group(2).strip()
            if key == "title":
                q.title = val
            elif key == "description":
                q.description = val
            elif key == "list":
                lm = _LIST.match(val)
                if lm:
                    q.lists[lm.group(1)] = lm.group(2).replace('\\"', '"')
            else:
                pm = _PARAM.match(val)
                if pm:
                    q.params.append(Param(pm.group(1), pm.group(2), (pm.group(3) or "").strip()))
            last = key
        elif last == "description":
            more = s.lstrip("#").strip()
            if more:
                q.description = (q.description + " " + more).strip()
    return q


_PREFIX_DECL = re.compile(r"(?i)prefix")


def add_prefixes(text: str, prefixes: Optional[Mapping[str, str]] = None) -> tuple[str, list[str]]:
    """Declare the project's usual prefixes (``kg/vocab.py``) that ``text`` uses but does not declare.

    Returns ``(text, added)``. Prefixed names are found with the same scanner :func:`kg.store.bind`
    uses (strings, IRIs and comments skipped); a prefix the query declares itself is never redeclared,
    unknown prefixes are left for the SPARQL parser to report, BASE and everything else stay as they
    are. The declarations go on ONE extra first line (a prologue may hold PREFIX and BASE in any
    order), so a syntax error's line number is off by exactly one (:func:`run` corrects it).
    """
    from .store import _scan
    from .vocab import PREFIXES
    known = prefixes if prefixes is not None else PREFIXES
    toks = [t for _, _, t in _scan(text)]
    declared, used = set(), []
    for k, t in enumerate(toks):
        if _PREFIX_DECL.fullmatch(t) and k + 1 < len(toks) and toks[k + 1].endswith(":") \
                and toks[k + 1].count(":") == 1:
            declared.add(toks[k + 1][:-1])
        elif ":" in t and not (k > 0 and _PREFIX_DECL.fullmatch(toks[k - 1])):
            p = t.split(":", 1)[0]
            if p in known and p not in used:
                used.append(p)
    added = [p for p in used if p not in declared]
    if not added:
        return text, []
    line = " ".join(f"PREFIX {p}: <{known[p]}>" for p in added)
    return line + "\n" + text, added


def list_queries(directory: Optional[Path] = None) -> list[NamedQuery]:
    d = Path(directory) if directory else QUERIES_DIR
    return [parse_header(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(d.glob("*.rq"))]


def load(arg: str, directory: Optional[Path] = None) -> NamedQuery:
    """A query by name (``star-funding``), by file (``my.rq``) or as SPARQL text."""
    d = Path(directory) if directory else QUERIES_DIR
    if re.fullmatch(r"[A-Za-z0-9_.-]+", arg) and not arg.endswith(".rq"):
        p = d / f"{arg}.rq"
        if p.is_file():
            return parse_header(p.read_text(encoding="utf-8"), arg, p)
        names = ", ".join(q.name for q in list_queries(d))
        raise QueryError(f"unknown query {arg!r} (named queries: {names}; or give a .rq file or SPARQL text)")
    if arg.endswith(".rq") and "\n" not in arg:
        p = Path(arg)
        if not p.is_file():
            raise QueryError(f"{arg}: no such query file")
        q = parse_header(p.read_text(encoding="utf-8"), p.stem, p)
    else:
        q = parse_header(arg, "(text)", None)
    # ad-hoc text and the user's own .rq files: the usual prefixes need not be declared
    q.text, q.added_prefixes = add_prefixes(q.text)
    return q


def _parse_term(s: str) -> ox.Literal | ox.NamedNode:
    """A SPARQL term as written in a header default."""
    s = s.strip()
    if s.startswith("<") and s.endswith(">"):
        return ox.NamedNode(s[1:-1])
    if s.startswith('"') and s.endswith('"'):
        return ox.Literal(json.loads(s))
    if s in ("true", "false"):
        return ox.Literal(s, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if re.fullmatch(r"[-+]?\d+", s):
        return ox.Literal(s, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return ox.Literal(s, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))


def bindings_for(q: NamedQuery, given: Mapping[str, str]) -> dict:
    """RDF terms for the query's parameters from ``--param name=value`` strings and defaults."""
    known = {p.name: p for p in q.params}
    out = {}
    for k in given:
        if k not in known:
            ps = ", ".join(known) or "none"
            raise QueryError(f"query {q.name!r} has no parameter {k!r} (parameters: {ps})")
    for p in q.params:
        if p.name in given:
            v = given[p.name]
            d = _parse_term(p.default) if p.default else None
            try:
                if v.startswith("<") and v.endswith(">"):
                    out[p.name] = ox.NamedNode(v[1:-1])
                elif isinstance(d, ox.NamedNode):
                    out[p.name] = ox.NamedNode(v)
                elif isinstance(d, ox.Literal) and d.datatype.value.endswith(("#integer", "#decimal")):
                    float(v)
                    out[p.name] = ox.Literal(v, datatype=d.datatype)
                else:
                    out[p.name] = ox.Literal(v)
            except (ValueError, TypeError) as e:
                raise QueryError(f"parameter {p.name}: bad value {v!r}: {e}") from None
        elif p.default is not None:
            out[p.name] = _parse_term(p.default)
        else:
            raise QueryError(f"query {q.name!r} needs --param {p.name}=VALUE ({p.help or 'required'})")
    return out


def parse_params(items) -> dict[str, str]:
    out = {}
    for it in items or ():
        if "=" not in it:
            raise QueryError(f"--param {it!r}: expected NAME=VALUE")
        k, v = it.split("=", 1)
        out[k.strip()] = v
    return out


def run(store, q: NamedQuery, given: Optional[Mapping[str, str]] = None):
    """Run a named query on a :class:`kg.store.Store`; returns pyoxigraph's result."""
    b = bindings_for(q, given or {})
    try:
        return store.query(q.text, b or None)
    except SyntaxError as e:
        msg = str(e).splitlines()[0]
        if q.added_prefixes:   # positions in the user's text, not in the text with the PREFIX line
            msg = re.sub(r"^error at (\d+):(\d+)",
                         lambda m: f"error at {max(1, int(m.group(1)) - 1)}:{m.group(2)}", msg)
        raise QueryError(f"{q.name}: SPARQL syntax error: {msg}") from None


# --------------------------------------------------------------------------- output
def short(term, prefixes: Optional[Mapping[str, str]] = None) -> str:
    """A readable cell: literal value, or IRI as a prefixed name when one applies."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        from .vocab import PREFIXES
        iri = term.value
        best = ""
        for p, ns in (prefixes or PREFIXES).items():
            if iri.startswith(ns) and len(ns) > len((prefixes or PREFIXES).get(best, "")):
                best = p
        if best:
            return f"{best}:{iri[len((prefixes or PREFIXES)[best]):]}"
        return f"<{iri}>"
    return str(term)


def rows(result, lists: Optional[Mapping[str, str]] = None) -> tuple[list[str], list[list]]:
    """(variable names, rows of terms) of a SELECT result.

    ``lists``: column -> separator of values built with GROUP_CONCAT, whose order SPARQL leaves
    undefined (it changes between builds of the same data); their parts are sorted so the same
    store content always prints the same rows."""
    names = [v.value for v in result.variables]
    sort_cols = [(i, lists[n]) for i, n in enumerate(names) if lists and n in lists]
    out = []
    for sol in result:
        row = [sol[n] for n in names]
        for i, sep in sort_cols:
            t = row[i]
            if isinstance(t, ox.Literal) and sep in t.value:
                parts = sorted(t.value.split(sep), key=lambda x: (x.casefold(), x))
                row[i] = ox.Literal(sep.join(parts), datatype=t.datatype) if not t.language \
                    else ox.Literal(sep.join(parts), language=t.language)
        out.append(row)
    return names, out


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "bnode", "value": t.value}


def format_result(result, fmt: str = "table", lists: Optional[Mapping[str, str]] = None) -> str:
    """Render a query result: SELECT as table/csv/tsv/json, ASK as true/false, CONSTRUCT as N-Triples.

    ``lists``: GROUP_CONCAT columns of a named query (``# list:`` header lines) printed sorted."""
    if isinstance(result, ox.QueryBoolean) or isinstance(result, bool):
        val = bool(result)
        return json.dumps({"head": {}, "boolean": val}) + "\n" if fmt == "json" else ("true\n" if val else "false\n")
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    if fmt == "json" and not lists:
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n"
    names, data = rows(result, lists)
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, r) if t is not None} for r in data]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n",
                       quoting=csv.QUOTE_MINIMAL)
        w.writerow(names)
        for r in data:
            w.writerow(["" if t is None else t.value for t in r])
        return buf.getvalue()
    # table
    cells = [[_cell(short(t)) for t in r] for r in data]
    widths = [len(n) for n in names]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = min(max(widths[i], len(c)), 80)
    def fmt_row(r):
        return " | ".join((c if len(c) <= w else c[:w - 1] + "…").ljust(w) for c, w in zip(r, widths)).rstrip()
    lines = [fmt_row(names), "-+-".join("-" * w for w in widths)]
    lines += [fmt_row(r) for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(s: str) -> str:
    return " ".join(s.split())
