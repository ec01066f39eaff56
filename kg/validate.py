"""`kg validate`: SHACL validation of the store (or an RDF file) against ``shapes/``.

Validation is per named graph: every source document's graph is validated on
its own (cardinalities hold per document; an entity described by several
documents is checked in each), in parallel worker processes, each opening the
store read-only. ``graphs=[...]`` validates only those graphs (e.g. the ones a
build just changed).

Two engines give the same results (tests/test_validate.py compares them on the
fixtures, the seeds and random documents):

* ``fast`` (default): the shapes compiled to Python rules (:func:`compile_shapes`;
  it refuses shapes outside the SHACL subset it implements), applied to each
  graph streamed out of the store as N-Triples — about 10x faster than pyshacl;
* ``pyshacl``: the reference, pyshacl on an rdflib graph per document graph.

Besides the shapes, every graph is checked for blank nodes (the data model has
none).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"
SH = "http://www.w3.org/ns/shacl#"


class ValidationError(Exception):
    """Validation could not run (bad file, missing shapes). One line."""


@dataclass(frozen=True, order=True)
class Violation:
    graph: str             # document graph IRI (or file name)
    focus: str             # focus node
    path: str              # property path ("" for node-level constraints)
    message: str
    severity: str = "Violation"
    value: str = ""
    shape: str = ""        # the constraint component (sh:MinCountConstraintComponent ...)
    source: str = ""       # source document title (file name), when known

    def line(self) -> str:
        p = f" {_short(self.path)}" if self.path else ""
        v = f" (value {self.value})" if self.value else ""
        src = self.source or self.graph
        return f"{self.severity}: {_short(self.focus)}{p}: {self.message}{v} [source: {src}]"


@dataclass
class Report:
    graphs: int = 0
    triples: int = 0
    violations: list[Violation] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        return not any(v.severity == "Violation" for v in self.violations)


def _short(iri: str) -> str:
    from .vocab import PREFIXES
    best = None
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = p
    if best is None:
        return iri if not iri.startswith("http") else f"<{iri}>"
    return f"{best}:{iri[len(PREFIXES[best]):]}"


@lru_cache(maxsize=1)
def shapes_graph():
    import rdflib
    g = rdflib.Graph()
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise ValidationError(f"{SHAPES_DIR}: no SHACL shapes (*.ttl) found")
    for f in files:
        g.parse(f, format="turtle")
    return g


def validate_ntriples(data: bytes, graph: str = "", source: str = "") -> tuple[int, list[Violation]]:
    """Validate one graph given as N-Triples bytes. Returns (triple count, violations)."""
    import rdflib
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    return len(g), validate_rdflib(g, graph, source)


def validate_rdflib(g, graph: str = "", source: str = "") -> list[Violation]:
    import pyshacl
    import rdflib
    from rdflib import BNode, URIRef
    from rdflib.namespace import RDF
    out: list[Violation] = []
    if not source:
        title = URIRef("http://purl.org/dc/terms/title")
        doc = URIRef("https://w3id.org/kgdk/ontology#SourceDocument")
        for d in g.subjects(RDF.type, doc):
            t = g.value(d, title)
            if t is not None:
                source = str(t)
                break
    blank = [(s, p) for s, p, o in g if isinstance(s, BNode) or isinstance(o, BNode)]
    if blank:
        named = sorted((str(s), str(p)) for s, p in blank if not isinstance(s, BNode))
        focus, path = (named or sorted((str(s), str(p)) for s, p in blank))[0]
        out.append(Violation(graph, focus, path, f"blank node(s) in {len(blank)} triple(s) (the data model has none)",
                             source=source, shape="kg:NoBlankNodes"))
    conforms, rg, _text = pyshacl.validate(g, shacl_graph=shapes_graph(), allow_warnings=True,
                                           inference="none", advanced=False)
    if conforms:
        return out
    shn = rdflib.Namespace(SH)
    for r in rg.subjects(RDF.type, shn.ValidationResult):
        def val(p):
            v = rg.value(r, p)
            return "" if v is None else str(v)
        sev = val(shn.resultSeverity).rsplit("#", 1)[-1] or "Violation"
        out.append(Violation(
            graph=graph, focus=val(shn.focusNode), path=val(shn.resultPath),
            message=val(shn.resultMessage) or val(shn.sourceConstraintComponent).rsplit("#", 1)[-1],
            severity=sev, value=val(shn.value),
            shape=val(shn.sourceConstraintComponent).replace(SH, "sh:"), source=source))
    return out


# --------------------------------------------------------------------------- store, in parallel
_STORE = None


def _init(root: str) -> None:
    global _STORE
    from .store import Store
    _STORE = Store.open(root, create=False)


def _graph_job(g: str) -> tuple[str, int, list[Violation]]:
    import pyoxigraph as ox
    data = _STORE.db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
    n, vs = validate_ntriples(data, graph=g)
    return g, n, vs


def validate_store(store_path=None, graphs: Optional[Iterable[str]] = None, jobs: Optional[int] = None,
                   progress: Optional[bool] = None, engine: str = "fast") -> Report:
    """Validate the store's document graphs (all, or ``graphs``) with ``engine`` fast|pyshacl."""
    if engine == "fast":
        return validate_store_fast(store_path, graphs=graphs, jobs=jobs)
    if engine != "pyshacl":
        raise ValidationError(f"unknown engine {engine!r} (use fast or pyshacl)")
    import time

    from .store import Store, default_path
    t0 = time.monotonic()
    root = str(store_path if store_path is not None else default_path())
    shapes_graph()   # fail early (and warm the cache before forking)
    with Store.open(root, create=False) as st:
        todo = sorted(graphs) if graphs is not None else st.document_graphs()
        version = st.version
    report = Report()
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = None
    if progress or (progress is None and __import__("sys").stderr.isatty() and len(todo) > 50):
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(todo), unit="graph", file=__import__("sys").stderr, leave=False)
        except ImportError:  # pragma: no cover
            bar = None
    if jobs == 1 or len(todo) < 8:
        _init(root)
        results = map(_graph_job, todo)
        pool = None
    else:
        import multiprocessing as mp
        pool = mp.get_context("fork").Pool(jobs, initializer=_init, initargs=(root,))
        results = pool.imap_unordered(_graph_job, todo, chunksize=max(1, min(64, len(todo) // (jobs * 8) or 1)))
    try:
        for g, n, vs in results:
            report.graphs += 1
            report.triples += n
            report.violations.extend(vs)
            if bar is not None:
                bar.update(1)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        if bar is not None:
            bar.close()
    del version
    report.violations.sort()
    report.seconds = time.monotonic() - t0
    return report


def _parse_file(path) -> list:
    import pyoxigraph as ox
    path = Path(path)
    fmt_map = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
               ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
               ".owl": ox.RdfFormat.RDF_XML}
    fmt = fmt_map.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"{path}: unknown RDF file type (use .ttl, .trig, .nq, .nt, .jsonld, .rdf)")
    try:
        return list(ox.parse(path=str(path), format=fmt))
    except (OSError, SyntaxError, ValueError) as e:
        raise ValidationError(f"{path}: cannot read RDF: {str(e).splitlines()[0] if str(e) else e}") from None


def validate_file(path, engine: str = "pyshacl") -> Report:
    """Validate an RDF file: each named graph on its own (TriG/N-Quads), or the whole file (Turtle/N-Triples)."""
    if engine == "fast":
        return validate_file_fast(path)
    if engine != "pyshacl":
        raise ValidationError(f"unknown engine {engine!r} (use fast or pyshacl)")
    import time

    import pyoxigraph as ox
    t0 = time.monotonic()
    path = Path(path)
    quads = _parse_file(path)
    by_graph: dict[str, list] = {}
    for q in quads:
        key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(ox.Triple(q.subject, q.predicate, q.object))
    report = Report()
    for g in sorted(by_graph):
        data = ox.serialize(by_graph[g], format=ox.RdfFormat.N_TRIPLES)
        n, vs = validate_ntriples(data, graph=g or str(path))
        report.graphs += 1
        report.triples += n
        report.violations.extend(vs)
    report.violations.sort()
    report.seconds = time.monotonic() - t0
    return report


# --------------------------------------------------------------------------- compiled shapes (fast engine)
# The shapes in shapes/ use a small part of SHACL Core: node shapes with one sh:targetClass, sh:nodeKind
# sh:IRI and sh:pattern on the focus node, and property shapes with a single-IRI sh:path and sh:minCount,
# sh:maxCount, sh:datatype, sh:class, sh:nodeKind sh:IRI, sh:in, sh:pattern, sh:minInclusive,
# sh:maxInclusive and sh:or of sh:class / sh:datatype alternatives. compile_shapes() turns them into plain
# Python rules; the fast engine streams each document graph's quads out of the store once and applies
# them. Anything outside that subset raises ValidationError (never silently skipped), and
# tests/test_validate.py checks that it reports exactly what pyshacl reports.

import re as _re
from decimal import Decimal as _Decimal, InvalidOperation as _InvalidOperation

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LEXICAL = {
    _XSD + "integer": _re.compile(r"^[+-]?[0-9]+$"),
    _XSD + "decimal": _re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    _XSD + "boolean": _re.compile(r"^(true|false|1|0)$"),
    _XSD + "date": _re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    _XSD + "time": _re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    _XSD + "gYear": _re.compile(r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    _XSD + "gYearMonth": _re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    _XSD + "duration": _re.compile(r"^-?P(?=.)([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=.)([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$"),
}
_NUMERIC = {_XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


@dataclass
class PropRule:
    path: str
    message: str
    min_count: Optional[int] = None
    max_count: Optional[int] = None
    datatype: Optional[str] = None
    cls: Optional[str] = None
    iri_only: bool = False
    in_values: Optional[frozenset] = None      # of (kind, value, datatype) keys
    pattern: Optional[object] = None
    min_incl: Optional[_Decimal] = None
    max_incl: Optional[_Decimal] = None
    or_classes: tuple = ()
    or_datatypes: tuple = ()


@dataclass
class NodeRule:
    cls: str
    message: str
    iri_only: bool = False
    pattern: Optional[object] = None
    props: list = field(default_factory=list)


def _key(term) -> tuple:
    """Comparable key of an rdflib or pyoxigraph term."""
    import rdflib
    if isinstance(term, rdflib.URIRef):
        return ("I", str(term), "")
    if isinstance(term, rdflib.Literal):
        dt = str(term.datatype) if term.datatype else ("" if term.language else _XSD + "string")
        return ("L", str(term), dt)
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return ("I", term.value, "")
    if isinstance(term, ox.Literal):
        return ("L", term.value, "" if term.language else term.datatype.value)
    return ("B", str(term), "")


@lru_cache(maxsize=1)
def compile_shapes() -> tuple[NodeRule, ...]:
    import rdflib
    from rdflib.collection import Collection
    from rdflib.namespace import RDF
    g = shapes_graph()
    sh = rdflib.Namespace(SH)
    known_node = {sh.targetClass, sh.nodeKind, sh.pattern, sh.property, RDF.type, sh.message}
    known_prop = {sh.path, sh.minCount, sh.maxCount, sh.datatype, sh["class"], sh.nodeKind, sh["in"], sh.pattern,
                  sh.minInclusive, sh.maxInclusive, sh["or"], sh.message, sh.name, sh.description}
    rules = []
    for shape in sorted(g.subjects(RDF.type, sh.NodeShape), key=str):
        extra = set(g.predicates(shape)) - known_node
        if extra:
            raise ValidationError(f"fast engine: unsupported node-shape term {sorted(extra)[0]} in {shape}")
        targets = list(g.objects(shape, sh.targetClass))
        if len(targets) != 1:
            raise ValidationError(f"fast engine: {shape} needs exactly one sh:targetClass")
        nk = g.value(shape, sh.nodeKind)
        if nk is not None and nk != sh.IRI:
            raise ValidationError(f"fast engine: only sh:IRI node kind is supported ({shape})")
        pat = g.value(shape, sh.pattern)
        nr = NodeRule(str(targets[0]), str(g.value(shape, sh.message) or ""), nk == sh.IRI,
                      _re.compile(str(pat)) if pat is not None else None)
        for ps in g.objects(shape, sh.property):
            extra = set(g.predicates(ps)) - known_prop
            if extra:
                raise ValidationError(f"fast engine: unsupported property-shape term {sorted(extra)[0]} in {shape}")
            path = g.value(ps, sh.path)
            if not isinstance(path, rdflib.URIRef):
                raise ValidationError(f"fast engine: only single-IRI paths are supported ({shape})")
            r = PropRule(str(path), str(g.value(ps, sh.message) or ""))
            v = g.value(ps, sh.minCount)
            r.min_count = int(v) if v is not None else None
            v = g.value(ps, sh.maxCount)
            r.max_count = int(v) if v is not None else None
            v = g.value(ps, sh.datatype)
            r.datatype = str(v) if v is not None else None
            v = g.value(ps, sh["class"])
            r.cls = str(v) if v is not None else None
            v = g.value(ps, sh.nodeKind)
            if v is not None and v != sh.IRI:
                raise ValidationError("fast engine: only sh:IRI node kind is supported")
            r.iri_only = v == sh.IRI
            v = g.value(ps, sh["in"])
            if v is not None:
                r.in_values = frozenset(_key(x) for x in Collection(g, v))
            v = g.value(ps, sh.pattern)
            r.pattern = _re.compile(str(v)) if v is not None else None
            v = g.value(ps, sh.minInclusive)
            r.min_incl = _Decimal(str(v)) if v is not None else None
            v = g.value(ps, sh.maxInclusive)
            r.max_incl = _Decimal(str(v)) if v is not None else None
            v = g.value(ps, sh["or"])
            if v is not None:
                cs, ds = [], []
                for alt in Collection(g, v):
                    c, d = g.value(alt, sh["class"]), g.value(alt, sh.datatype)
                    if c is not None and d is None and len(set(g.predicates(alt))) == 1:
                        cs.append(str(c))
                    elif d is not None and c is None and len(set(g.predicates(alt))) == 1:
                        ds.append(str(d))
                    else:
                        raise ValidationError("fast engine: sh:or alternatives must be one sh:class or sh:datatype")
                if cs and ds:
                    raise ValidationError("fast engine: sh:or must not mix sh:class and sh:datatype")
                r.or_classes, r.or_datatypes = tuple(cs), tuple(ds)
            nr.props.append(r)
        nr.props.sort(key=lambda x: x.path)
        rules.append(nr)
    return tuple(rules)


def _datatype_ok(k: tuple, dt: str) -> bool:
    if k[0] != "L" or k[2] != dt:
        return False
    lex = _LEXICAL.get(dt)
    return lex is None or bool(lex.match(k[1]))


def _number(k: tuple) -> Optional[_Decimal]:
    if k[0] != "L" or k[2] not in _NUMERIC:
        return None
    try:
        return _Decimal(k[1])
    except (_InvalidOperation, ValueError):
        return None


def check_graph(triples, graph: str = "", source: str = "") -> list[Violation]:
    """Apply the compiled shapes to one graph given as (subject key, predicate IRI, object key) triples."""
    rules = compile_shapes()
    by_s: dict = {}
    types: dict = {}
    blank = []
    for s, p, o in triples:
        if s[0] == "B" or o[0] == "B":
            blank.append((s[0] == "B", s[1], p))
        by_s.setdefault(s, {}).setdefault(p, []).append(o)
        if p == _RDF_TYPE and o[0] == "I":
            types.setdefault(s, set()).add(o[1])
    out: list[Violation] = []
    if not source:
        for s, ts in types.items():
            if "https://w3id.org/kgdk/ontology#SourceDocument" in ts:
                t = by_s[s].get("http://purl.org/dc/terms/title")
                if t:
                    source = t[0][1]
                    break
    if blank:
        blank.sort()
        _b, f, p = blank[0]
        out.append(Violation(graph, f, p, f"blank node(s) in {len(blank)} triple(s) (the data model has none)",
                             source=source, shape="kg:NoBlankNodes"))
    for nr in rules:
        for s, ts in types.items():
            if nr.cls not in ts:
                continue
            focus = s[1]

            def bad(comp, path, msg, value=""):
                out.append(Violation(graph, focus, path, msg, value=value, shape=comp, source=source))
            if nr.iri_only and s[0] != "I":
                bad("sh:NodeKindConstraintComponent", "", nr.message or "focus node must be an IRI", focus)
            if nr.pattern is not None and (s[0] == "B" or not nr.pattern.search(s[1])):
                bad("sh:PatternConstraintComponent", "", nr.message or "focus node does not match the pattern", focus)
            props = by_s.get(s, {})
            for r in nr.props:
                vals = props.get(r.path, ())
                uniq = set(vals)
                msg = r.message
                if r.min_count is not None and len(uniq) < r.min_count:
                    bad("sh:MinCountConstraintComponent", r.path, msg or "too few values")
                if r.max_count is not None and len(uniq) > r.max_count:
                    bad("sh:MaxCountConstraintComponent", r.path, msg or "too many values")
                for v in sorted(uniq):
                    vv = v[1]
                    if r.datatype is not None and not _datatype_ok(v, r.datatype):
                        bad("sh:DatatypeConstraintComponent", r.path, msg or "wrong datatype", vv)
                    if r.cls is not None and r.cls not in types.get(v, ()):
                        bad("sh:ClassConstraintComponent", r.path, msg or "wrong class", vv)
                    if r.iri_only and v[0] != "I":
                        bad("sh:NodeKindConstraintComponent", r.path, msg or "value must be an IRI", vv)
                    if r.in_values is not None and v not in r.in_values:
                        bad("sh:InConstraintComponent", r.path, msg or "value not allowed", vv)
                    if r.pattern is not None and (v[0] == "B" or not r.pattern.search(vv)):
                        bad("sh:PatternConstraintComponent", r.path, msg or "value does not match", vv)
                    if r.min_incl is not None:
                        n = _number(v)
                        if n is None or not n >= r.min_incl:
                            bad("sh:MinInclusiveConstraintComponent", r.path, msg or "value too small", vv)
                    if r.max_incl is not None:
                        n = _number(v)
                        if n is None or not n <= r.max_incl:
                            bad("sh:MaxInclusiveConstraintComponent", r.path, msg or "value too large", vv)
                    if r.or_classes and not any(c in types.get(v, ()) for c in r.or_classes):
                        bad("sh:OrConstraintComponent", r.path, msg or "value fits none of the alternatives", vv)
                    if r.or_datatypes and not any(_datatype_ok(v, d) for d in r.or_datatypes):
                        bad("sh:OrConstraintComponent", r.path, msg or "value fits none of the alternatives", vv)
    return out


_UNESC = _re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)')
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(v: str) -> str:
    def one(m):
        x = m.group(1)
        if x[0] in "uU" and len(x) > 1:
            return chr(int(x[1:], 16))
        return _ESCAPES.get(x, x)
    return _UNESC.sub(one, v)


def _term(t: str) -> tuple:
    if t[0] == "<":
        return ("I", t[1:-1], "")
    if t[0] == "_":
        return ("B", t[2:], "")
    end = t.rfind('"')
    v = t[1:end]
    if "\\" in v:
        v = _unescape(v)
    rest = t[end + 1:]
    if rest.startswith("^^<"):
        return ("L", v, rest[3:-1])
    if rest.startswith("@"):
        return ("L", v, "")
    return ("L", v, _XSD + "string")


def nt_triples(data: bytes, graph: Optional[str] = None):
    """(subject key, predicate IRI, object key) for N-Triples text as pyoxigraph writes it (one triple a line),
    or for N-Quads lines all in ``graph`` (as kg.mapping writes them)."""
    tail = f" <{graph}> ." if graph else " ."
    n = len(tail)
    for line in data.decode("utf-8").split("\n"):
        if not line or line[0] == "#":
            continue
        s, p, rest = line.split(" ", 2)
        o = rest[:-n] if rest.endswith(tail) else rest.rstrip(" .")
        yield _term(s), p[1:-1], _term(o)


def _ox_triples(db, g):
    import pyoxigraph as ox
    return nt_triples(db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)))


def _fast_job(gs: list[str]) -> tuple[int, int, list[Violation]]:
    n = 0
    out: list[Violation] = []
    for g in gs:
        triples = list(_ox_triples(_STORE.db, g))
        n += len(triples)
        out.extend(check_graph(triples, graph=g))
    return len(gs), n, out


def validate_store_fast(store_path=None, graphs: Optional[Iterable[str]] = None, jobs: Optional[int] = None) -> Report:
    """The compiled shapes over the store's document graphs, streamed, in parallel processes."""
    import time

    from .store import Store, default_path
    t0 = time.monotonic()
    compile_shapes()                       # fail early, warm the cache before forking
    root = str(store_path if store_path is not None else default_path())
    with Store.open(root, create=False) as st:
        todo = sorted(graphs) if graphs is not None else st.document_graphs()
    jobs = max(1, jobs or os.cpu_count() or 1)
    chunks = [todo[i:i + 200] for i in range(0, len(todo), 200)]
    report = Report()
    if jobs == 1 or len(chunks) <= 1:
        _init(root)
        results = map(_fast_job, chunks)
        pool = None
    else:
        import multiprocessing as mp
        pool = mp.get_context("fork").Pool(jobs, initializer=_init, initargs=(root,))
        results = pool.imap_unordered(_fast_job, chunks)
    try:
        for ng, n, vs in results:
            report.graphs += ng
            report.triples += n
            report.violations.extend(vs)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    report.violations.sort()
    report.seconds = time.monotonic() - t0
    return report


def validate_file_fast(path) -> Report:
    """The fast engine on an RDF file (per named graph), for comparing engines on the fixtures."""
    import time

    import pyoxigraph as ox
    t0 = time.monotonic()
    by_graph: dict[str, list] = {}
    for q in _parse_file(path):
        g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(g, []).append((_key(q.subject), q.predicate.value, _key(q.object)))
    report = Report()
    for g in sorted(by_graph):
        report.graphs += 1
        report.triples += len(by_graph[g])
        report.violations.extend(check_graph(by_graph[g], graph=g or str(path)))
    report.violations.sort()
    report.seconds = time.monotonic() - t0
    return report
