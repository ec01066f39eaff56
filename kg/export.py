"""Exports of the store: RDF serialisations and graph views for Gephi/pictures.

``export(store, fmt, path, view=...)`` is the single entry point used by ``kg export``.

* RDF: ``turtle`` (all graphs merged, duplicates removed), ``trig`` and ``nquads``
  (named graphs kept), ``jsonld`` (named graphs kept, a readable ``@context`` with the
  prefixes of our ontology and the reused vocabularies). Turtle/TriG/N-Quads are
  streamed through pyoxigraph's serialisers; JSON-LD is streamed by our own writer
  (pyoxigraph's JSON-LD serialiser has no ``@context``).
* ``gexf`` / ``graphml``: a view of :mod:`kg.views` streamed into :mod:`kg.gexf` /
  :mod:`kg.graphml` (no in-memory graph).
* ``png``: the entities view drawn with networkx + matplotlib (small graphs only).

Every output is written to a temporary file next to the target and renamed on success
(:class:`kg.io.atomic_output`), so a failed export never leaves a half-written file.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator, Optional

import pyoxigraph as ox

from .io import atomic_output

RDF_FORMATS = ("turtle", "trig", "nquads", "jsonld")
VIEW_FORMATS = ("gexf", "graphml", "png")
FORMATS = RDF_FORMATS + VIEW_FORMATS
EXTENSIONS = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq", "jsonld": ".jsonld",
              "gexf": ".gexf", "graphml": ".graphml", "png": ".png"}

# Prefixes of our namespaces and of the vocabularies the ontology reuses
# (docs: /work/shared/reference/anchors.md section 11). kg.mapping may add more.
BASE_PREFIXES = {
    "kg": "https://w3id.org/kgdk/ontology#",
    "kgd": "https://w3id.org/kgdk/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "besluit": "http://data.vlaanderen.be/ns/besluit#",
    "mandaat": "http://data.vlaanderen.be/ns/mandaat#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "person": "http://www.w3.org/ns/person#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "http://schema.org/",
    "frapo": "http://purl.org/cerif/frapo/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "adms": "http://www.w3.org/ns/adms#",
    "rov": "http://www.w3.org/ns/regorg#",
    "m8g": "http://data.europa.eu/m8g/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}


class ExportError(Exception):
    """A problem the user can fix (bad format, view, path): one line for stderr."""


def prefixes() -> dict:
    """Our prefixes, plus any ``PREFIXES`` that :mod:`kg.mapping` declares."""
    out = dict(BASE_PREFIXES)
    try:
        from .vocab import PREFIXES as vocab_prefixes
        for k, v in vocab_prefixes.items():
            out.setdefault(str(k), str(v))
    except Exception:  # pragma: no cover
        pass
    try:
        from . import mapping  # noqa: WPS433 (optional: written by the graph helper)
        extra = getattr(mapping, "PREFIXES", None)
        if isinstance(extra, dict):
            for k, v in extra.items():
                out.setdefault(str(k), str(v))
    except Exception:  # pragma: no cover - mapping missing or broken must not break exports
        pass
    return out


# --------------------------------------------------------------------------- store access
def oxistore(store) -> ox.Store:
    """The pyoxigraph store behind a :class:`kg.store.Store` (or a pyoxigraph store itself)."""
    if isinstance(store, ox.Store):
        return store
    for name in ("db", "ox", "store", "_store", "_db"):
        s = getattr(store, name, None)
        if isinstance(s, ox.Store):
            return s
    raise TypeError(f"cannot find a pyoxigraph store in {type(store).__name__}")


def iter_quads(st: ox.Store, with_default: bool = True) -> Iterator[ox.Quad]:
    """All quads, graph by graph (default graph first unless ``with_default`` is false, then the
    named graphs sorted by IRI: deterministic output), each streamed from the store's index."""
    from .store import named_quads
    if with_default:
        yield from st.quads_for_pattern(None, None, None, ox.DefaultGraph())
    yield from named_quads(st)


def iter_distinct_triples(st: ox.Store, materialised: bool = False) -> Iterator[ox.Triple]:
    """Every triple of every graph once (Turtle has no graphs: a triple stated in two
    documents' graphs is written once). A kg store has them in its default graph."""
    if materialised:
        for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield q.triple
        return
    q = "SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    for row in st.query(q):
        yield ox.Triple(row[0], row[1], row[2])


# --------------------------------------------------------------------------- RDF
def write_rdf(store, fmt: str, out) -> None:
    """Serialise the whole store as ``fmt`` into the binary file ``out``."""
    st = oxistore(store)
    from .store import has_union_graph
    mat = has_union_graph(store)     # a kg store: its default graph is derived, not exported
    pfx = prefixes()
    if fmt == "nquads":
        ox.serialize(iter_quads(st, not mat), out, ox.RdfFormat.N_QUADS)
    elif fmt == "trig":
        ox.serialize(iter_quads(st, not mat), out, ox.RdfFormat.TRIG, prefixes=pfx)
    elif fmt == "turtle":
        ox.serialize(iter_distinct_triples(st, mat), out, ox.RdfFormat.TURTLE, prefixes=pfx)
    elif fmt == "jsonld":
        write_jsonld(iter_quads(st, not mat), out, pfx)
    else:
        raise ExportError(f"unknown RDF format {fmt!r}")


# --------------------------------------------------------------------------- JSON-LD
class _Compactor:
    """IRI -> compact IRI with the longest matching prefix (only where the result is safe)."""

    def __init__(self, pfx: dict):
        self.items = sorted(pfx.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        for p, ns in self.items:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns):]
                # "p://x" would read as an absolute IRI; "p:" + "" is pointless
                if not local.startswith("//"):
                    return f"{p}:{local}"
        return iri


def _jsonld_term(t, cx: _Compactor):
    if isinstance(t, ox.NamedNode):
        return {"@id": cx(t.value)}
    if isinstance(t, ox.BlankNode):
        return {"@id": f"_:{t.value}"}
    if isinstance(t, ox.Literal):
        if t.language:
            return {"@value": t.value, "@language": t.language}
        dt = t.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return t.value
        return {"@value": t.value, "@type": cx(dt)}
    raise ExportError(f"cannot write {type(t).__name__} in JSON-LD")  # RDF-star triples


def _node_object(subject, pairs: list, cx: _Compactor) -> dict:
    sid = subject.value if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"
    obj: dict = {"@id": cx(sid) if isinstance(subject, ox.NamedNode) else sid}
    types = []
    for p, o in pairs:
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            types.append(cx(o.value))
            continue
        obj.setdefault(cx(p), []).append(_jsonld_term(o, cx))
    if types:
        obj["@type"] = types if len(types) > 1 else types[0]
    return obj


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def write_jsonld(quads: Iterable[ox.Quad], out, pfx: Optional[dict] = None) -> None:
    """Stream quads (grouped by graph, then subject, as :func:`iter_quads` yields them)
    as one JSON-LD document::

        {"@context": {prefixes}, "@graph": [ default-graph nodes...,
                                             {"@id": G, "@graph": [nodes of G]} ... ]}

    Memory: one subject's properties at a time. A subject split over non-adjacent runs
    is written as two node objects with the same ``@id`` (JSON-LD merges them).
    """
    pfx = pfx or prefixes()
    cx = _Compactor(pfx)
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def w(s: str) -> None:
        out.write(s.encode("utf-8"))

    w('{"@context":' + enc.encode(dict(sorted(pfx.items()))) + ',\n"@graph":[')
    first_top = True
    cur_graph = None          # graph term currently open (None = none open)
    graph_open = False
    first_in_graph = True
    subj = None
    pairs: list = []

    def flush_subject():
        nonlocal first_in_graph, first_top
        if subj is None:
            return
        text = enc.encode(_node_object(subj, pairs, cx))
        if graph_open:
            w(("\n  " if first_in_graph else ",\n  ") + text)
            first_in_graph = False
        else:
            w(("\n" if first_top else ",\n") + text)
            first_top = False

    for q in quads:
        g = q.graph_name
        if cur_graph is None or g != cur_graph:
            flush_subject()
            subj, pairs = None, []
            if graph_open:
                w("]}")
                graph_open = False
            cur_graph = g
            if not isinstance(g, ox.DefaultGraph):
                gid = cx(g.value) if isinstance(g, ox.NamedNode) else f"_:{g.value}"
                w(("\n" if first_top else ",\n") + '{"@id":' + enc.encode(gid) + ',"@graph":[')
                first_top = False
                graph_open = True
                first_in_graph = True
        if q.subject != subj:
            flush_subject()
            subj, pairs = q.subject, []
        pairs.append((q.predicate.value, q.object))
    flush_subject()
    if graph_open:
        w("]}")
    w("\n]}\n")


# --------------------------------------------------------------------------- picture
LEGEND_ORDER = ["Municipality", "Committee", "Person", "Party", "Organization", "Funder", "Project",
                "Meeting", "AgendaItem"]


def draw_view_png(view, path, *, max_nodes: int = 2000, dpi: int = 110) -> dict:
    """Draw a (small) view with networkx + matplotlib (Agg): colours per type, labels, legend.

    Only for small graphs: the picture is a networkx graph in memory. Larger views are
    cut to the ``max_nodes`` best-connected nodes (by documents), which the title says.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    g = nx.DiGraph()
    for n in view.nodes():
        g.add_node(n.id, label=n.label, type=n.attrs.get("type", "Other"), color=n.color or (90, 90, 90),
                   docs=n.attrs.get("documents") or 1)
    for e in view.edges():
        if g.has_edge(e.source, e.target):
            g[e.source][e.target]["weight"] += e.weight
            g[e.source][e.target]["types"].add(e.attrs.get("type"))
        else:
            g.add_edge(e.source, e.target, weight=e.weight, types={e.attrs.get("type")})
    total = g.number_of_nodes()
    cut = ""
    if total > max_nodes:
        keep = sorted(g.nodes, key=lambda n: (-g.degree(n, weight="weight"), n))[:max_nodes]
        g = g.subgraph(keep).copy()
        cut = f" (the {max_nodes} best-connected of {total} nodes)"
    isolated = [v for v in g if g.degree(v) == 0]
    if isolated and len(isolated) < g.number_of_nodes():
        g.remove_nodes_from(isolated)
        cut += f"; {len(isolated)} unconnected nodes not drawn"
    n = g.number_of_nodes()
    size = min(28.0, max(10.0, 1.9 * n ** 0.5))
    fig, ax = plt.subplots(figsize=(size * 1.3, size))
    if n:
        u = nx.Graph(g.to_undirected())
        # Kamada-Kawai gives readable, evenly spread small graphs; a short spring pass
        # from there separates overlapping neighbours. Deterministic (seeded).
        try:
            start = nx.kamada_kawai_layout(u) if n <= 600 else None
        except Exception:  # pragma: no cover - scipy missing or degenerate graph
            start = None
        pos = nx.spring_layout(u, pos=start, seed=7, k=1.6 / max(1, n) ** 0.5,
                               iterations=40 if start else 200, weight=None)
        colors = [tuple(c / 255 for c in g.nodes[v]["color"][:3]) for v in g]
        sizes = [220 + 120 * min(25, g.nodes[v]["docs"]) ** 0.8 for v in g]
        widths = [0.6 + 0.8 * min(6.0, d["weight"]) ** 0.7 for _, _, d in g.edges(data=True)]
        nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.35, edge_color="#555555",
                               arrows=True, arrowsize=8, node_size=sizes, connectionstyle="arc3,rad=0.06")
        nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colors, node_size=sizes, linewidths=0.6,
                               edgecolors="white")
        fs = 10 if n < 80 else 8 if n < 250 else 6
        labels = {v: _short(g.nodes[v]["label"]) for v in g}
        ys = [p[1] for p in pos.values()]
        dy = 0.018 * ((max(ys) - min(ys)) or 1.0)
        lpos = {v: (x, y + dy) for v, (x, y) in pos.items()}   # labels just above their dot
        nx.draw_networkx_labels(g, lpos, labels=labels, ax=ax, font_size=fs, verticalalignment="bottom",
                                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
    from .views import COLORS
    present = {g.nodes[v]["type"] for v in g}
    order = [t for t in LEGEND_ORDER if t in present] + sorted(present - set(LEGEND_ORDER))
    handles = [Line2D([0], [0], marker="o", color="w", markerfacecolor=tuple(c / 255 for c in COLORS.get(t, COLORS["Other"])),
                      markersize=11, label=f"{t} ({sum(1 for v in g if g.nodes[v]['type'] == t)})") for t in order]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=11, frameon=True, title="Node type")
    ax.set_title(f"kg {view.name} view: {n} nodes, {g.number_of_edges()} edges{cut}; "
                 f"edge width = supporting documents", fontsize=13)
    ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(str(path), format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return {"nodes": n, "edges": g.number_of_edges()}


def _short(label: str, n: int = 34) -> str:
    from .gexf import xml_clean
    label = " ".join(xml_clean(label).split())
    return label if len(label) <= n else label[: n - 1] + "…"


# --------------------------------------------------------------------------- entry point
def export(store, fmt: str, path, view: str = "entities") -> dict:
    """Write the store as ``fmt`` to ``path`` (atomically). Returns a small summary dict."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not path.parent.exists():
        raise ExportError(f"{path}: directory {path.parent} does not exist")
    summary: dict = {"format": fmt, "path": str(path)}
    with atomic_output(path) as tmp:
        if fmt in RDF_FORMATS:
            with open(tmp, "wb") as f:
                write_rdf(store, fmt, f)
        else:
            from .views import make_view
            v = make_view(store, view)
            summary["view"] = view
            if fmt == "png":
                summary.update(draw_view_png(v, tmp))
            else:
                with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                    if fmt == "gexf":
                        from .gexf import write_view_gexf
                        n, m = write_view_gexf(v, f)
                    else:
                        from .graphml import write_view_graphml
                        n, m = write_view_graphml(v, f)
                summary.update(nodes=n, edges=m)
    return summary


# --------------------------------------------------------------------------- benchmark
# python -m kg.export bench-writer --impl kg|networkx --nodes N --edges M -o FILE
# python -m kg.export bench-store --nodes N --edges M --workdir DIR
# Each run is one process so its peak RSS (ru_maxrss) is the writer's alone; see docs/export.md.
class SyntheticView:
    """A deterministic synthetic entities-like view: ``n`` nodes of the entity types, ``m``
    typed, weighted, dated edges (Danish labels, a few hostile characters)."""

    name = "synthetic"
    description = "synthetic graph for the export benchmark"
    dynamic = True

    def __init__(self, n: int, m: int, seed: int = 7):
        from .views import EDGE_ATTRS, NODE_ATTRS
        self.n, self.m, self.seed = n, m, seed
        self.node_attrs, self.edge_attrs = NODE_ATTRS, EDGE_ATTRS

    TYPES = ["Person"] * 6 + ["Organization", "Project", "Committee", "Funder"]
    ETYPES = ["member", "mentions", "funds", "partner", "participant", "party"]

    def _nid(self, i: int) -> str:
        return f"https://w3id.org/kgdk/id/{self.TYPES[i % len(self.TYPES)].lower()}/{i % 98:03d}/n{i}"

    def nodes(self):
        import random
        from .views import COLORS, Node
        rng = random.Random(self.seed)
        for i in range(self.n):
            typ = self.TYPES[i % len(self.TYPES)]
            label = f"{typ} {i} Østergård & Co <{rng.randint(0, 999)}>"
            attrs = {"type": typ, "municipality": "Lemvig Kommune", "municipality_code": f"{i % 98:03d}",
                     "ids": None, "documents": rng.randint(1, 50), "iri": self._nid(i)}
            yield Node(self._nid(i), label, attrs, COLORS[typ], size=4.0 + (i % 7))

    def edges(self):
        import random
        from .views import Edge
        rng = random.Random(self.seed + 1)
        for j in range(self.m):
            s, t = rng.randrange(self.n), rng.randrange(self.n)
            y = 2015 + rng.randrange(11)
            first, last = f"{y}-{rng.randint(1, 12):02d}-01", f"{y + rng.randrange(3)}-12-31"
            w = rng.randint(1, 20)
            et = self.ETYPES[j % len(self.ETYPES)]
            yield Edge(self._nid(s), self._nid(t), float(w),
                       {"type": et, "role": None, "documents": w, "first": first, "last": last},
                       start=first, end=last, label=et)


def _peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _bench_writer(impl: str, n: int, m: int, out: str) -> dict:
    import time
    view = SyntheticView(n, m)
    t0 = time.perf_counter()
    if impl == "kg":
        from .gexf import write_view_gexf
        with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
            write_view_gexf(view, f)
        t_build = 0.0
    elif impl == "networkx":
        import networkx as nx
        g = nx.MultiDiGraph()
        for nd in view.nodes():
            r, gg, b = nd.color
            g.add_node(nd.id, label=nd.label, **{k: v for k, v in nd.attrs.items() if v is not None},
                       viz={"color": {"r": r, "g": gg, "b": b, "a": 1.0}, "size": nd.size})
        for e in view.edges():
            g.add_edge(e.source, e.target, weight=e.weight, label=e.label, start=e.start, end=e.end,
                       **{k: v for k, v in e.attrs.items() if v is not None})
        t_build = time.perf_counter() - t0
        rss_graph = _peak_rss_mb()
        nx.write_gexf(g, out)
    else:
        raise SystemExit(f"unknown impl {impl}")
    dt = time.perf_counter() - t0
    res = {"impl": impl, "nodes": n, "edges": m, "seconds": round(dt, 1), "peak_rss_mb": round(_peak_rss_mb()),
           "file_mb": round(Path(out).stat().st_size / 2**20)}
    if impl == "networkx":
        res["build_seconds"] = round(t_build, 1)
        res["rss_after_graph_mb"] = round(rss_graph)
    return res


def _doc_hash(d: int) -> str:
    import hashlib
    return hashlib.sha256(f"synthetic document {d}".encode()).hexdigest()


def _synthetic_quads(n: int, m: int, docs: int, seed: int = 7):
    """RDF shaped like the kg graph for the entities view: persons, committees,
    organisations, projects, municipalities; edges through memberships/grants/mentions;
    ``docs`` document graphs, each with one dated meeting."""
    import random
    from . import iris
    Q, N, L = ox.Quad, ox.NamedNode, ox.Literal
    from . import mapping as mp
    V = {k: N(v) for k, v in {
        "type": mp.TYPE, "pref": mp.LABEL, "name": mp.LABEL,
        "member": mp.MEMBER, "org": mp.ORGANIZATION, "held": mp.HELD_BY,
        "start": mp.DATE, "refs": mp.MENTIONS, "funder": mp.FUNDER, "funded": mp.FUNDED_ITEM,
        "bestuurt": mp.SUB_ORG_OF,
        "Person": mp.C_PERSON, "Org": mp.C_ORGANIZATION, "Body": mp.C_COMMITTEE,
        "Unit": mp.C_MUNICIPALITY, "Zitting": mp.C_MEETING, "Project": mp.C_PROJECT}.items()}
    dt = N("http://www.w3.org/2001/XMLSchema#date")
    rng = random.Random(seed)
    kinds = ["person"] * 6 + ["organization", "project", "committee"]
    ent = []
    for i in range(n):
        k = kinds[i % len(kinds)]
        code = 101 + i % 98
        iri = {"person": iris.person(code, f"p{i}"), "organization": iris.organization(f"o{i}"),
               "project": iris.project(f"pr{i}"), "committee": iris.committee(code, f"c{i}")}[k]
        ent.append((k, iri, code))
    per_doc = max(1, m // max(1, docs))
    j = 0
    for d in range(docs):
        g = N(iris.document(_doc_hash(d)))
        y = 2015 + d % 11
        mt = N(f"{iris.DATA}meeting/x/{d}")
        k0, c_iri, code = ent[(d * 9 + 8) % n] if n > 8 else ent[0]
        com = N(c_iri)
        yield Q(mt, V["type"], V["Zitting"], g)
        yield Q(mt, V["held"], com, g)
        yield Q(mt, V["start"], L(f"{y}-{1 + d % 12:02d}-15", datatype=dt), g)
        yield Q(com, V["bestuurt"], N(iris.municipality(code)), g)
        yield Q(N(iris.municipality(code)), V["type"], V["Unit"], g)
        for _ in range(per_doc):
            if j >= m:
                break
            j += 1
            a = ent[rng.randrange(n)]
            b = ent[rng.randrange(n)]
            A, B = N(a[1]), N(b[1])
            for kk, X in ((a[0], A), (b[0], B)):
                cls = {"person": V["Person"], "organization": V["Org"], "project": V["Project"],
                       "committee": V["Body"]}[kk]
                yield Q(X, V["type"], cls, g)
            r = j % 3
            if r == 0:
                ms = N(f"{iris.DATA}membership/x/{j}")
                yield Q(ms, V["member"], A, g)
                yield Q(ms, V["org"], B, g)
            elif r == 1:
                yield Q(mt, V["refs"], B, g)
            else:
                gr = N(f"{iris.DATA}grant/x{j}")
                yield Q(gr, V["funder"], A, g)
                yield Q(gr, V["funded"], B, g)
    for k, iri, code in ent:
        yield Q(N(iri), V["name" if k == "person" else "pref"], L(f"{k} {iri.rsplit('/', 1)[-1]} Ø&<"),
                N(iris.document(_doc_hash(0))))


def _bench_store(n: int, m: int, docs: int, workdir: str, impl: str) -> dict:
    import time
    from .store import Store
    root = Path(workdir) / "store"
    t0 = time.perf_counter()
    if not root.exists():
        st = Store.open(root)
        with st.writer() as w:
            w.add(_synthetic_quads(n, m, docs))
        st.close()
    t_load = time.perf_counter() - t0
    import resource
    rss0 = _peak_rss_mb()
    st = Store.open(root, create=False)
    out = Path(workdir) / f"entities-{impl}.gexf"
    t1 = time.perf_counter()
    if impl == "kg":
        rep = export(st, "gexf", out, view="entities")
    else:
        import networkx as nx
        from .views import make_view
        v = make_view(st, "entities")
        g = nx.MultiDiGraph()
        for nd in v.nodes():
            r, gg, b = nd.color
            g.add_node(nd.id, label=nd.label, **{k: x for k, x in nd.attrs.items() if x is not None},
                       viz={"color": {"r": r, "g": gg, "b": b, "a": 1.0}})
        for e in v.edges():
            g.add_edge(e.source, e.target, weight=e.weight, label=e.label, start=e.start, end=e.end,
                       **{k: x for k, x in e.attrs.items() if x is not None})
        nx.write_gexf(g, out)
        rep = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    dt = time.perf_counter() - t1
    del resource
    return {"impl": impl, "store_quads": len(st), "load_seconds": round(t_load, 1),
            "rss_before_export_mb": round(rss0), "export_seconds": round(dt, 1),
            "peak_rss_mb": round(_peak_rss_mb()), "view_nodes": rep["nodes"], "view_edges": rep["edges"],
            "file_mb": round(out.stat().st_size / 2**20)}


def _main(argv=None) -> None:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m kg.export", description="export benchmarks (see docs/export.md)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("bench-writer")
    a.add_argument("--impl", choices=["kg", "networkx"], required=True)
    a.add_argument("--nodes", type=int, default=1_000_000)
    a.add_argument("--edges", type=int, default=2_000_000)
    a.add_argument("-o", "--out", required=True)
    b = sub.add_parser("bench-store")
    b.add_argument("--impl", choices=["kg", "networkx"], default="kg")
    b.add_argument("--nodes", type=int, default=100_000)
    b.add_argument("--edges", type=int, default=300_000)
    b.add_argument("--docs", type=int, default=20_000)
    b.add_argument("--workdir", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "bench-writer":
        res = _bench_writer(args.impl, args.nodes, args.edges, args.out)
    else:
        res = _bench_store(args.nodes, args.edges, args.docs, args.workdir, args.impl)
    print(json.dumps(res))


if __name__ == "__main__":
    _main()
