"""`kg stats`: counts per class and per source document."""
from __future__ import annotations

from dataclasses import dataclass, field

from .vocab import KG


@dataclass
class Stats:
    quads: int = 0
    graphs: int = 0
    triples: int = 0          # distinct triples: the union of the graphs (the store's default graph)
    classes: list[tuple[str, int]] = field(default_factory=list)            # (class local name, instances)
    documents: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    # (graph IRI, title, quads, agenda items, warnings)

    def as_json(self) -> dict:
        return {"quads": self.quads, "document_graphs": self.graphs, "distinct_triples": self.triples,
                "classes": {c: n for c, n in self.classes},
                "documents": [{"graph": g, "source": t, "quads": q, "items": i, "warnings": w}
                              for g, t, q, i, w in self.documents]}

    def lines(self, limit: int | None = 50) -> list[str]:
        out = [f"{self.quads} quads, {self.graphs} document graphs, {self.triples} distinct triples in their union",
               "", "instances per class:"]
        w = max([len(c) for c, _ in self.classes] + [5])
        out += [f"  {c.ljust(w)}  {n:>9}" for c, n in self.classes]
        out += ["", "per source document:"]
        docs = self.documents if limit is None else self.documents[:limit]
        tw = max([len(t) for _, t, *_ in docs] + [6])
        out.append(f"  {'source'.ljust(tw)}  {'quads':>7}  {'items':>5}  {'warnings':>8}")
        out += [f"  {t.ljust(tw)}  {q:>7}  {i:>5}  {wn:>8}" for _, t, q, i, wn in docs]
        if limit is not None and len(self.documents) > limit:
            out.append(f"  ... and {len(self.documents) - limit} more (use --all)")
        return out


def stats(store) -> Stats:
    from .mapping import C_DOCUMENT, C_ITEM, TITLE, WARNING
    st = Stats(quads=store.quad_count(), triples=store.union_len())
    q = f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?c), "{KG}")) }}
            GROUP BY ?c ORDER BY ?c"""
    st.classes = [(r["c"].value[len(KG):], int(r["n"].value)) for r in store.query(q)]
    titles = {}
    for r in store.query(f"SELECT ?g ?t WHERE {{ GRAPH ?g {{ ?g a <{C_DOCUMENT}> ; <{TITLE}> ?t }} }}"):
        titles[r["g"].value] = r["t"].value
    items = {}
    for r in store.query(f"""SELECT ?g (COUNT(DISTINCT ?i) AS ?n) WHERE {{ GRAPH ?g {{ ?i a <{C_ITEM}> }} }}
                             GROUP BY ?g"""):
        items[r["g"].value] = int(r["n"].value)
    warns = {}
    for r in store.query(f"""SELECT ?g (COUNT(?w) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{WARNING}> ?w }} }}
                             GROUP BY ?g"""):
        warns[r["g"].value] = int(r["n"].value)
    counts = {}
    for r in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        counts[r["g"].value] = int(r["n"].value)
    docs = store.document_graphs()
    st.graphs = len(docs)
    st.documents = sorted(((g, titles.get(g, g), counts.get(g, 0), items.get(g, 0), warns.get(g, 0)) for g in docs),
                          key=lambda x: (x[1], x[0]))
    return st
