"""Streamed GEXF 1.3 writer (Gephi, Gephi Lite / graphology-gexf, networkx).

Nothing is kept in memory beyond one element: nodes and edges are written as they
arrive from an iterator (GEXF requires every node before the first edge, which is
the order the views produce). Every piece of text goes through :func:`xml_attr`,
which drops characters that XML 1.0 forbids (C0 controls except tab/LF/CR, lone
surrogates, U+FFFE/U+FFFF) and escapes the rest, so the output is well-formed
whatever the source documents contained.

Usage::

    with GexfWriter(f, node_attrs=[("type", "string")], edge_attrs=[("type", "string")],
                    dynamic=True) as w:
        w.node("n1", "Lemvig Kommune", {"type": "Municipality"}, color=(31, 119, 180))
        w.edge("n1", "n2", weight=3, attrs={"type": "member"}, start="2021-01-01", end="2023-06-30")
"""
from __future__ import annotations

import re
from datetime import date
from typing import IO, Iterable, Optional, Sequence

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

# XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_ILLEGAL_RE = re.compile(f"[{_ILLEGAL}]")
_ATTR_RE = re.compile(f'[&<>"\t\n\r{_ILLEGAL}]')
_ATTR_MAP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
             "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def _attr_sub(m: re.Match) -> str:
    return _ATTR_MAP.get(m.group(0), "")


def xml_clean(s: str) -> str:
    """Remove characters that cannot appear in an XML 1.0 document."""
    return _ILLEGAL_RE.sub("", s)


def xml_attr(value) -> str:
    """Text safe inside a double-quoted XML attribute (or element content).

    Illegal characters are removed; ``& < > "`` are escaped; tab, LF and CR are written
    as character references so attribute-value normalisation keeps them.
    """
    s = value if isinstance(value, str) else str(value)
    if _ATTR_RE.search(s) is None:
        return s
    return _ATTR_RE.sub(_attr_sub, s)


# GEXF 1.3 attribute types we use; Python value -> text
_TYPES = {"string", "integer", "long", "double", "float", "boolean", "liststring", "anyURI"}


def _fmt_value(v, typ: str) -> str:
    if typ == "boolean":
        return "true" if v else "false"
    if typ in ("double", "float"):
        return repr(float(v))
    if typ in ("integer", "long"):
        return str(int(v))
    if typ == "liststring" and not isinstance(v, str):
        # GEXF 1.3 list syntax: [a, b]; commas and brackets inside items are not escapable, so drop them
        return xml_attr("[" + ", ".join(str(x).replace(",", " ").replace("[", "(").replace("]", ")") for x in v) + "]")
    return xml_attr(v)


def _fmt_number(v) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _fmt_time(t) -> str:
    if isinstance(t, date):
        return t.isoformat()
    return xml_attr(str(t))


class BufferedXmlWriter:
    """Plumbing shared by the streamed XML writers (GEXF, GraphML): a small output buffer,
    and a context manager that writes the closing tags only when the block succeeded."""

    def __init__(self, out: IO[str], buffer_elements: int = 2000):
        self.out = out
        self._buf: list[str] = []
        self._buf_max = buffer_elements
        self._state = "new"
        self.n_nodes = 0
        self.n_edges = 0

    def _emit(self, s: str) -> None:
        self._buf.append(s)
        if len(self._buf) >= self._buf_max:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self.out.write("".join(self._buf))
            self._buf.clear()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.flush()
        return False

    def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class GexfWriter(BufferedXmlWriter):
    """Write one GEXF 1.3 document to a text stream, element by element.

    ``node_attrs`` / ``edge_attrs``: sequences of ``(title, type)`` or ``(title, type, mode)``
    with mode ``static`` (default) or ``dynamic``. Titles are also used as ids (the
    attribute id ``label``/``weight`` is reserved by GEXF readers and refused here).
    ``dynamic``: the graph carries time (``mode="dynamic" timeformat="date"``): nodes
    and edges may then have ``start``/``end`` or ``spells`` and dynamic attribute values.
    """

    def __init__(self, out: IO[str], *, node_attrs: Sequence = (), edge_attrs: Sequence = (),
                 dynamic: bool = False, defaultedgetype: str = "directed",
                 creator: str = "kg", description: Optional[str] = None,
                 lastmodified: Optional[str] = None, buffer_elements: int = 2000):
        super().__init__(out, buffer_elements)
        self.node_attrs = self._norm_attrs(node_attrs)
        self.edge_attrs = self._norm_attrs(edge_attrs)
        self.dynamic = dynamic
        self.defaultedgetype = defaultedgetype
        self.creator = creator
        self.description = description
        self.lastmodified = lastmodified
        self._heads: dict = {}
        self._state = "new"     # new -> nodes -> edges -> closed
        self._edge_seq = 0

    @staticmethod
    def _norm_attrs(attrs) -> dict:
        out = {}
        for a in attrs:
            title, typ = a[0], a[1]
            mode = a[2] if len(a) > 2 else "static"
            if title in ("label", "weight", "id"):
                raise ValueError(f"attribute title {title!r} is reserved in GEXF")
            if typ not in _TYPES:
                raise ValueError(f"unsupported GEXF attribute type {typ!r}")
            if mode not in ("static", "dynamic"):
                raise ValueError(f"bad attribute mode {mode!r}")
            out[title] = (typ, mode)
        return out

    # ------------------------------------------------------------------ plumbing
    def start(self) -> None:
        if self._state != "new":
            return
        e = self._emit
        e('<?xml version="1.0" encoding="UTF-8"?>\n')
        e(f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">\n')
        lm = f' lastmodifieddate="{xml_attr(self.lastmodified)}"' if self.lastmodified else ""
        e(f"  <meta{lm}>\n    <creator>{xml_attr(self.creator)}</creator>\n")
        if self.description:
            e(f"    <description>{xml_attr(self.description)}</description>\n")
        e("  </meta>\n")
        mode = ' mode="dynamic" timeformat="date" timerepresentation="interval"' if self.dynamic \
            else ' mode="static"'
        e(f'  <graph defaultedgetype="{self.defaultedgetype}"{mode}>\n')
        # One <attributes> block per class: graphology-gexf (Gephi Lite) reads only the last
        # block of a class, so static and dynamic attributes cannot be split over two blocks.
        # A class with any dynamic attribute is declared mode="dynamic" (values without
        # start/end then hold for all time, which Gephi accepts).
        for cls, attrs in (("node", self.node_attrs), ("edge", self.edge_attrs)):
            if not attrs:
                continue
            mode = "dynamic" if any(m == "dynamic" for _, m in attrs.values()) else "static"
            e(f'    <attributes class="{cls}" mode="{mode}">\n')
            for title, (typ, _m) in attrs.items():
                t = xml_attr(title)
                e(f'      <attribute id="{t}" title="{t}" type="{typ}"/>\n')
            e("    </attributes>\n")
        e("    <nodes>\n")
        self._state = "nodes"

    def _attvalues(self, declared: dict, attrs: Optional[dict], dyn: Optional[dict], pad: str) -> str:
        parts = []
        if attrs:
            heads = self._heads.get(id(declared))
            if heads is None:   # '<attvalue for="k" value="' per declared attribute, built once
                heads = self._heads[id(declared)] = {
                    k: (f'{pad}  <attvalue for="{xml_attr(k)}" value="', typ) for k, (typ, _m) in declared.items()}
            for k, v in attrs.items():
                if v is None:
                    continue
                h = heads.get(k)
                if h is None:
                    raise KeyError(f"attribute {k!r} not declared")
                head, typ = h
                if typ == "string":
                    val = v if v.__class__ is str and _ATTR_RE.search(v) is None else xml_attr(v)
                elif typ == "integer" and v.__class__ is int:
                    val = str(v)
                else:
                    val = _fmt_value(v, typ)
                parts.append(head + val + '"/>\n')
        if dyn:
            for k, values in dyn.items():
                spec = declared.get(k)
                if spec is None or spec[1] != "dynamic":
                    raise KeyError(f"dynamic attribute {k!r} not declared as dynamic")
                for v, s, t in values:
                    se = (f' start="{_fmt_time(s)}"' if s is not None else "") + \
                         (f' end="{_fmt_time(t)}"' if t is not None else "")
                    parts.append(f'{pad}  <attvalue for="{xml_attr(k)}" value="{_fmt_value(v, spec[0])}"{se}/>\n')
        if not parts:
            return ""
        return f"{pad}<attvalues>\n" + "".join(parts) + f"{pad}</attvalues>\n"

    @staticmethod
    def _spells(spells: Optional[Iterable], pad: str) -> str:
        if not spells:
            return ""
        rows = []
        for s, t in spells:
            se = (f' start="{_fmt_time(s)}"' if s is not None else "") + \
                 (f' end="{_fmt_time(t)}"' if t is not None else "")
            rows.append(f"{pad}  <spell{se}/>\n")
        return f"{pad}<spells>\n" + "".join(rows) + f"{pad}</spells>\n"

    # ------------------------------------------------------------------ elements
    def node(self, node_id: str, label: str, attrs: Optional[dict] = None, *,
             color: Optional[tuple] = None, size: Optional[float] = None,
             spells: Optional[Iterable] = None, dyn: Optional[dict] = None) -> None:
        if self._state == "new":
            self.start()
        if self._state != "nodes":
            raise RuntimeError("GEXF: all nodes must be written before the first edge")
        pad = "        "
        body = self._attvalues(self.node_attrs, attrs, dyn, pad)
        if spells and self.dynamic:
            body += self._spells(spells, pad)
        if color is not None:
            r, g, b = color[:3]
            a = f' a="{float(color[3])}"' if len(color) > 3 else ""
            body += f'{pad}<viz:color r="{int(r)}" g="{int(g)}" b="{int(b)}"{a}/>\n'
        if size is not None:
            body += f'{pad}<viz:size value="{_fmt_number(size)}"/>\n'
        head = f'      <node id="{xml_attr(node_id)}" label="{xml_attr(label)}"'
        self._emit(head + (">\n" + body + "      </node>\n" if body else "/>\n"))
        self.n_nodes += 1

    def edge(self, source: str, target: str, *, weight: Optional[float] = None,
             label: Optional[str] = None, attrs: Optional[dict] = None,
             start=None, end=None, spells: Optional[Iterable] = None,
             dyn: Optional[dict] = None, edge_id: Optional[str] = None,
             color: Optional[tuple] = None) -> None:
        if self._state in ("new", "nodes"):
            if self._state == "new":
                self.start()
            self._emit("    </nodes>\n    <edges>\n")
            self._state = "edges"
        if self._state != "edges":
            raise RuntimeError("GEXF writer already closed")
        if edge_id is None:
            edge_id = f"e{self._edge_seq}"
        self._edge_seq += 1
        head = f'      <edge id="{xml_attr(edge_id)}" source="{xml_attr(source)}" target="{xml_attr(target)}"'
        if label is not None:
            head += f' label="{xml_attr(label)}"'
        if weight is not None:
            head += f' weight="{_fmt_number(weight)}"'
        if self.dynamic and not spells:
            if start is not None:
                head += f' start="{_fmt_time(start)}"'
            if end is not None:
                head += f' end="{_fmt_time(end)}"'
        pad = "        "
        body = self._attvalues(self.edge_attrs, attrs, dyn, pad)
        if spells and self.dynamic:
            body += self._spells(spells, pad)
        if color is not None:
            r, g, b = color[:3]
            body += f'{pad}<viz:color r="{int(r)}" g="{int(g)}" b="{int(b)}"/>\n'
        self._emit(head + (">\n" + body + "      </edge>\n" if body else "/>\n"))
        self.n_edges += 1

    def close(self) -> None:
        if self._state == "closed":
            return
        if self._state == "new":
            self.start()
        if self._state == "nodes":
            self._emit("    </nodes>\n    <edges>\n")
        self._emit("    </edges>\n  </graph>\n</gexf>\n")
        self._state = "closed"
        self.flush()


def write_view_gexf(view, out: IO[str], *, description: Optional[str] = None) -> tuple[int, int]:
    """Stream a graph view (see :mod:`kg.views`) into ``out`` as GEXF. Returns (nodes, edges)."""
    with GexfWriter(out, node_attrs=view.node_attrs, edge_attrs=view.edge_attrs,
                    dynamic=view.dynamic, description=description or view.description) as w:
        for n in view.nodes():
            w.node(n.id, n.label, n.attrs, color=n.color, size=n.size, spells=n.spells)
        for e in view.edges():
            w.edge(e.source, e.target, weight=e.weight, label=e.label, attrs=e.attrs,
                   start=e.start, end=e.end, spells=e.spells, dyn=e.dyn)
    return w.n_nodes, w.n_edges
