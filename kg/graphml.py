"""Streamed GraphML writer (Gephi, yEd, Cytoscape, networkx.read_graphml).

Same contract as :mod:`kg.gexf`: keys are declared up front, then nodes and edges are
written one at a time; all text is cleaned of XML-1.0-illegal characters and escaped.
Colours are written as integer ``r``/``g``/``b`` node data, which Gephi's GraphML
importer maps to the node colour. Periods are plain ``start``/``end`` strings (GraphML
has no notion of time).
"""
from __future__ import annotations

from typing import IO, Optional, Sequence

from .gexf import BufferedXmlWriter, xml_attr

_TYPE_MAP = {"string": "string", "integer": "int", "long": "long", "double": "double",
             "float": "float", "boolean": "boolean", "liststring": "string", "anyURI": "string"}


def _fmt(v, typ: str) -> str:
    if typ == "boolean":
        return "true" if v else "false"
    if typ in ("double", "float"):
        return repr(float(v))
    if typ in ("int", "long"):
        return str(int(v))
    if isinstance(v, (list, tuple)):
        v = "; ".join(map(str, v))
    return xml_attr(v)


class GraphmlWriter(BufferedXmlWriter):
    def __init__(self, out: IO[str], *, node_attrs: Sequence = (), edge_attrs: Sequence = (),
                 directed: bool = True, buffer_elements: int = 2000):
        super().__init__(out, buffer_elements)
        self.directed = directed
        # key ids: n0.. for nodes, e0.. for edges; title -> (key id, graphml type)
        self.node_keys = {"label": ("label", "string")}
        for i, a in enumerate(node_attrs):
            self.node_keys[a[0]] = (f"n{i}", _TYPE_MAP[a[1]])
        for c in ("r", "g", "b"):
            self.node_keys[c] = (c, "int")
        self.node_keys["size"] = ("size", "double")
        self.edge_keys = {"label": ("elabel", "string"), "weight": ("weight", "double"),
                          "start": ("start", "string"), "end": ("end", "string")}
        for i, a in enumerate(edge_attrs):
            if a[0] in self.edge_keys:
                continue
            self.edge_keys[a[0]] = (f"e{i}", _TYPE_MAP[a[1]])

    def start(self) -> None:
        if self._state != "new":
            return
        e = self._emit
        e('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
          'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for cls, keys in (("node", self.node_keys), ("edge", self.edge_keys)):
            for title, (kid, typ) in keys.items():
                e(f'  <key id="{xml_attr(kid)}" for="{cls}" attr.name="{xml_attr(title)}" attr.type="{typ}"/>\n')
        e(f'  <graph edgedefault="{"directed" if self.directed else "undirected"}">\n')
        self._state = "open"

    def _data(self, keys: dict, values: dict) -> str:
        out = []
        for k, v in values.items():
            if v is None:
                continue
            kid, typ = keys[k]
            out.append(f'      <data key="{kid}">{_fmt(v, typ)}</data>\n')
        return "".join(out)

    def node(self, node_id: str, label: str, attrs: Optional[dict] = None, *,
             color: Optional[tuple] = None, size: Optional[float] = None, **_ignored) -> None:
        if self._state == "new":
            self.start()
        vals = {"label": label}
        if attrs:
            vals.update(attrs)
        if color is not None:
            vals["r"], vals["g"], vals["b"] = color[:3]
        if size is not None:
            vals["size"] = size
        self._emit(f'    <node id="{xml_attr(node_id)}">\n' + self._data(self.node_keys, vals) + "    </node>\n")
        self.n_nodes += 1

    def edge(self, source: str, target: str, *, weight: Optional[float] = None,
             label: Optional[str] = None, attrs: Optional[dict] = None,
             start=None, end=None, **_ignored) -> None:
        if self._state == "new":
            self.start()
        vals = {"label": label, "weight": weight, "start": start, "end": end}
        if attrs:
            vals.update(attrs)
        self._emit(f'    <edge source="{xml_attr(source)}" target="{xml_attr(target)}">\n'
                   + self._data(self.edge_keys, vals) + "    </edge>\n")
        self.n_edges += 1

    def close(self) -> None:
        if self._state == "closed":
            return
        if self._state == "new":
            self.start()
        self._emit("  </graph>\n</graphml>\n")
        self._state = "closed"
        self.flush()


def write_view_graphml(view, out: IO[str]) -> tuple[int, int]:
    """Stream a graph view (see :mod:`kg.views`) into ``out`` as GraphML. Returns (nodes, edges)."""
    with GraphmlWriter(out, node_attrs=view.node_attrs, edge_attrs=view.edge_attrs) as w:
        for n in view.nodes():
            w.node(n.id, n.label, n.attrs, color=n.color, size=n.size)
        for e in view.edges():
            w.edge(e.source, e.target, weight=e.weight, label=e.label, attrs=e.attrs,
                   start=e.start, end=e.end)
    return w.n_nodes, w.n_edges
