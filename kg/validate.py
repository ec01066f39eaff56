"""`kg validate`: SHACL validation of the store (or an RDF file) against ``shapes/``.

Validation is per named graph: every source document's graph is validated on
its own (cardinalities hold per document; an entity described by several
documents is checked in each), in parallel worker processes, each opening the
store read-only. ``graphs=[...]`` validates only those graphs (e.g. the ones a
build just changed). The engine is pyshacl on an rdflib graph of one document
graph at a time (about 50 ms per seed-sized graph).

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
                   progress: Optional[bool] = None) -> Report:
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


def validate_file(path) -> Report:
    """Validate an RDF file: each named graph on its own (TriG/N-Quads), or the whole file (Turtle/N-Triples)."""
    import time

    import pyoxigraph as ox
    t0 = time.monotonic()
    path = Path(path)
    fmt_map = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS,
               ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
               ".owl": ox.RdfFormat.RDF_XML}
    fmt = fmt_map.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"{path}: unknown RDF file type (use .ttl, .trig, .nq, .nt, .jsonld, .rdf)")
    try:
        quads = list(ox.parse(path=str(path), format=fmt))
    except (OSError, SyntaxError, ValueError) as e:
        raise ValidationError(f"{path}: cannot read RDF: {str(e).splitlines()[0] if str(e) else e}") from None
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
