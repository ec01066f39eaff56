"""Fuzzing sources + parser (+ mapping + SHACL) with hypothesis (issue 8).

Garbled seeds (truncated, windowed, shuffled lines, injected headers, duplicated
sections, random bytes, control characters, other encodings and line endings)
go through the real public path ``read_source(path) -> pipeline.parse`` and must
give either a Document or a ``SourceError`` (one line naming the file). Any other
exception is a bug. Every Document must also keep its promises: JSON-serialisable
as UTF-8 (no lone surrogates), ISO dates/times that exist, outcomes from the closed
vocabulary, spans inside the document.

Runs are derandomised (same inputs every run) so CI is reproducible. The number of
examples per target is in ``BUDGET``; the total is >= 10,000 parser-level inputs.
Set ``KG_FUZZ_SCALE=0.1`` for a quick local run, or ``KG_FUZZ_SCALE=10 KG_FUZZ_RANDOM=1`` for a random soak.
Inputs that once broke something live in ``tests/fuzz_corpus/`` and are replayed by
``test_corpus_regressions``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import to_json
from kg.pipeline import parse
from kg.records import Document
from kg.sources import SourceError, read_source

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "examples" / "minutes"
CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
SEED_TEXTS = [p.read_text("utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
SEED_LINES = [t.split("\n") for t in SEED_TEXTS]

SCALE = float(os.environ.get("KG_FUZZ_SCALE", "1"))
# KG_FUZZ_RANDOM=1: fresh random inputs each run (a soak looking for new failures) instead of the fixed CI set
DERANDOMIZE = os.environ.get("KG_FUZZ_RANDOM", "") in ("", "0")
# examples per target; the parser-level targets sum to 10,300
BUDGET = {
    "text": 5000,
    "bytes": 2500,
    "random": 1000,
    "html": 1000,
    "headers": 500,
    "pdf": 300,
    "graph": 300,
}


def n(target: str) -> int:
    return max(1, int(BUDGET[target] * SCALE))


def fuzz_settings(target: str):
    return settings(max_examples=n(target), deadline=None, derandomize=DERANDOMIZE, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)


OUTCOMES = {"approved", "noted", "discussed", "recommended", "rejected", "postponed", "none"}

# Lines a minutes parser keys on, plus nasty ones: impossible dates/times, markup, SPARQL/Turtle
# metacharacters, very long tokens, control characters.
HEADERS = [
    "Punkt 1:", "Punkt 3: JAI - Godkendelse af dagsorden", "3.", "Sak 39:", "Sag nr. 12", "Pkt. 7",
    "Beslutning", "Beslutning:", "Indstilling", "Sagsfremstilling", "Resumé", "Anledning",
    "Deltagere:", "Medlemmer", "Afbud:", "Fraværende:", "Afbud fra: Jens Hansen (A)",
    "deltog ikke i mødet", "deltog ikke i behandlingen af punktet", "Bilag", "Bilag:", "Vedlegg",
    "Lukket sag", "Lukket: Personsag", "Åben sag", "Underskriftsblad", "Indholdsfortegnelse",
    "Sagens forløb", "Beslutning i Børne- og Ungeudvalget den 07-01-2020",
    "Beslutning i Økonomiudvalget den 31-02-2020", "Beslutning i Byrådet den 99.99.9999",
    "Mødedato: 6. marts 2024", "Mødedato: 31. februar 2024", "Dato: 00.00.0000", "Dato: 30.02.2024",
    "Onsdag den 29. maj 2024", "Onsdag den 32. maj 2024", "Torsdag den 1. januar 0",
    "Mødetidspunkt: kl. 16:00 - 18:00", "kl. 25:61 - 99:99", "Mødetidspunkt kl. 24:00", "kl. 7.5",
    "Mødested: Rådhuset, lokale 1", "Sted:", "Formand", "Næstformand", "Formand: Anne Hansen (A)",
    "Jens Jensen (V), formand", "Mette Frederiksen, Socialdemokratiet", "Ole ()", "(Æ)",
    "00.01.00-A00-1-24", "15.20.00-P20", "Sagsnr.: 24-000584", "19/11679", "Sagsnr.: ",
    "Side 3 af 12", "Side 1", "Lejre Kommune", "Albertslund Kommune", "Kommune", "REFERAT", "Referat",
    "Udvalget for Erhverv, Beskæftigelse og Uddannelse 2022-2025", "Udvalg 9999-0000",
    "Godkendt", "Taget til efterretning", "Drøftet", "Anbefales", "Ikke godkendt", "Udsat", "Intet",
    "Bevilling på 710.000 kr. fra STAR til projektet \"Jobformidling Først\"",
    "Tilskud: 1.2.3,4,5 kr.", "Beløb: 99999999999999999999999999 kr.", "-5.000 kr.",
    "<script>alert('x')</script>", "</title><b>&amp;&lt;&#0;", "\"} ; DROP ALL ; #", "'; DELETE WHERE {?s ?p ?o} #",
    "<http://evil/> <x> \"y\" .", "@prefix : <urn:x> .", "\\u0000 \\\" \\n", "{{ }} %s %n ${x}",
    "a" * 5000, "Æ" * 2000 + ":", "1." * 1000, "Punkt " + "9" * 400 + ":",
    "\x00", "\x00Punkt 1:\x00", "\x1b[31m", "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "\ufeff", "\ufffe\uffff",
    "\u202eevil\u202c", "e\u0301\u0301\u0301", "😀 Punkt 2: 🇩🇰", "\t\t\t", "", " ", "\f", "\f\f\f",
]
NEWLINES = ["\n", "\r\n", "\r"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "mac-roman",
             "cp865", "iso8859-15"]
EXTENSIONS = [".txt", ".md", ".html", ".htm", ".pdf", ".TXT", "", ".docx", ".json"]


# --------------------------------------------------------------------------- strategies
@st.composite
def garbled_lines(draw, max_window: int = 160) -> list[str]:
    """A window of a seed, then up to five mutations of lines."""
    lines = draw(st.sampled_from(SEED_LINES))
    if draw(st.integers(0, 99)) == 0:         # sometimes the whole seed (deep structure; ~0.2 s each)
        window = list(lines)
    else:                                      # mostly small windows: many inputs per second
        start = draw(st.integers(0, len(lines) - 1))
        size = draw(st.integers(0, draw(st.sampled_from([8, 20, 40, 40, max_window]))))
        window = lines[start:start + size]
    for _ in range(draw(st.integers(0, 5))):
        op = draw(st.integers(0, 9))
        if op == 0 and window:                 # shuffle some lines
            i = draw(st.integers(0, len(window) - 1))
            j = draw(st.integers(i, min(len(window), i + 40)))
            seg = window[i:j]
            random.Random(draw(st.integers(0, 2**16))).shuffle(seg)
            window[i:j] = seg
        elif op == 1:                          # inject header/label lines
            for _ in range(draw(st.integers(1, 4))):
                pos = draw(st.integers(0, len(window)))
                window.insert(pos, draw(st.sampled_from(HEADERS)))
        elif op == 2 and window:               # duplicate a section
            i = draw(st.integers(0, len(window) - 1))
            j = draw(st.integers(i, min(len(window), i + 60)))
            pos = draw(st.integers(0, len(window)))
            window[pos:pos] = window[i:j]
        elif op == 3 and window:               # truncate mid-line
            i = draw(st.integers(0, len(window) - 1))
            window = window[:i] + [window[i][:draw(st.integers(0, max(0, len(window[i]))))]]
        elif op == 4 and window:               # delete a block
            i = draw(st.integers(0, len(window) - 1))
            del window[i:i + draw(st.integers(1, 30))]
        elif op == 5 and window:               # splice lines of another seed
            other = draw(st.sampled_from(SEED_LINES))
            k = draw(st.integers(0, len(other) - 1))
            pos = draw(st.integers(0, len(window)))
            window[pos:pos] = other[k:k + draw(st.integers(1, 40))]
        elif op == 6 and window:               # arbitrary unicode inside a line
            i = draw(st.integers(0, len(window) - 1))
            junk = draw(st.text(max_size=40))
            cut = draw(st.integers(0, len(window[i])))
            window[i] = window[i][:cut] + junk + window[i][cut:]
        elif op == 7 and window:               # page breaks / control characters between lines
            pos = draw(st.integers(0, len(window)))
            window.insert(pos, draw(st.sampled_from(["\f", "\x00", "\x0c\x0c", "\x1a", "\x7f", "\x08\x08"])))
        elif op == 8 and window:               # strip or add indentation / whitespace
            i = draw(st.integers(0, len(window) - 1))
            window[i] = draw(st.sampled_from(["", "   ", "\t", "\u00a0"])) + window[i].strip() + \
                draw(st.sampled_from(["", "  ", "\t", "\u00a0"]))
        elif op == 9 and window:               # upper/lower case a line
            i = draw(st.integers(0, len(window) - 1))
            window[i] = window[i].upper() if draw(st.booleans()) else window[i].lower()
    return window


@st.composite
def garbled_text(draw) -> str:
    lines = draw(garbled_lines())
    nl = draw(st.sampled_from(NEWLINES + ["mixed"]))
    if nl != "mixed":
        return nl.join(lines)
    out = []
    for ln in lines:
        out.append(ln)
        out.append(draw(st.sampled_from(NEWLINES)))
    return "".join(out)


@st.composite
def garbled_bytes(draw) -> bytes:
    """Garbled seed text in some encoding, then byte-level damage."""
    text = draw(garbled_text())
    enc = draw(st.sampled_from(ENCODINGS))
    data = text.encode(enc, errors=draw(st.sampled_from(["replace", "ignore", "xmlcharrefreplace"])))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.integers(0, 4))
        if op == 0 and data:                   # truncate (possibly mid multi-byte sequence)
            data = data[:draw(st.integers(0, len(data)))]
        elif op == 1:                          # insert random bytes
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] + draw(st.binary(max_size=64)) + data[pos:]
        elif op == 2 and data:                 # flip bits
            b = bytearray(data)
            for _ in range(draw(st.integers(1, 16))):
                i = draw(st.integers(0, len(b) - 1))
                b[i] ^= 1 << draw(st.integers(0, 7))
            data = bytes(b)
        elif op == 3:                          # a misleading BOM
            data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"])) + data
        elif op == 4 and data:                 # NUL bytes everywhere (looks binary)
            data = b"\x00".join(data[i:i + 7] for i in range(0, len(data), 7))
    return data


@st.composite
def garbled_html(draw) -> bytes:
    lines = draw(garbled_lines(max_window=100))
    parts = ["<!DOCTYPE html>" if draw(st.booleans()) else "", "<html><head>",
             draw(st.sampled_from(["<meta charset='utf-8'>", "<meta charset='windows-1252'>", "",
                                   "<meta http-equiv='Content-Type' content='text/html; charset=bogus'>"])),
             "<title>", draw(st.sampled_from(["Referat", "<&>", ""])), "</title>",
             "<style>p{color:red}</style><script>var x='<p>Punkt 1:</p>';</script></head><body>"]
    depth = draw(st.sampled_from([0, 1, 5, 50, 3000]))
    parts.append("<div>" * depth)
    tags = ["p", "div", "h1", "h2", "li", "td", "span", "br", "b", "pre"]
    for ln in lines:
        tag = draw(st.sampled_from(tags))
        esc = ln.replace("&", "&amp;").replace("<", "&lt;") if draw(st.integers(0, 5)) else ln
        close = draw(st.integers(0, 4)) != 0
        parts.append(f"<{tag}>{esc}" + (f"</{tag}>" if close else ""))
        if draw(st.integers(0, 20)) == 0:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&#0;", "&#xD800;",
                                               "&nbsp;&aelig;&oslash;&aring;", "<table><tr><td>", "</html>",
                                               "<p <p <<>>", "&#99999999;", "<?xml version='1.0'?>"])))
    parts.append("</div>" * draw(st.sampled_from([0, depth])))
    if draw(st.booleans()):
        parts.append("</body></html>")
    html = "".join(parts)
    data = html.encode(draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])), errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


# --------------------------------------------------------------------------- invariants
def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _iter_spans(doc: Document):
    for m in doc.members:
        yield "member", m.span
    for p in doc.persons:
        yield "person", p.span
    for it in doc.items:
        yield f"item {it.number}", it.span
        for o in it.other_decisions:
            yield f"other decision in item {it.number}", o.span
    for group in (doc.organizations, doc.mentioned_municipalities, doc.projects, doc.grants):
        for r in group:
            yield type(r).__name__, r.span
    for k, sp in (doc.spans or {}).items():
        yield f"header {k}", sp


def check_document(doc, src) -> None:
    """Promises every parsed Document keeps, whatever the input."""
    assert isinstance(doc, Document), type(doc)
    data = to_json(doc)
    text = json.dumps(data, ensure_ascii=False)
    text.encode("utf-8")                                  # raises on lone surrogates
    assert json.loads(text) == data
    for s in _strings(data):
        s.encode("utf-8")
    if doc.date is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date), doc.date
        dt.date.fromisoformat(doc.date)                  # raises on 2024-02-31
    for t in (doc.start_time, doc.end_time):
        if t is not None:
            assert _TIME.match(t), t
    for it in doc.items:
        assert isinstance(it.number, str) and isinstance(it.title, str)
        assert set(it.outcomes) <= OUTCOMES, it.outcomes
        for o in it.other_decisions:
            assert set(o.outcomes) <= OUTCOMES, o.outcomes
            if o.date is not None:
                dt.date.fromisoformat(o.date)
    for g in doc.grants:
        if g.amount is not None:
            assert g.amount == g.amount and g.amount not in (float("inf"), float("-inf")), g.amount
    n_pages = len(src.pages)
    n_lines = sum(1 for _ in src.lines())
    for what, sp in _iter_spans(doc):
        assert 1 <= sp.page <= max(1, n_pages), (what, sp, n_pages)
        assert 0 <= sp.line <= n_lines, (what, sp, n_lines)
        assert sp.end_line == 0 or sp.end_line >= sp.line, (what, sp)
        assert sp.end_line <= n_lines, (what, sp, n_lines)


def run_one(tmp_dir: Path, data: bytes, suffix: str = ".txt"):
    """Feed bytes through the public path. Returns the Document, or None on a clean SourceError."""
    path = tmp_dir / f"fuzz input{suffix}"
    path.write_bytes(data)
    try:
        src = read_source(path)
    except SourceError as e:
        msg = str(e)
        assert msg and "\n" not in msg.strip(), f"SourceError message must be one line: {msg!r}"
        assert path.name in msg, f"SourceError must name the file: {msg!r}"
        return None
    assert src.sha256, "source has no content hash"
    doc = parse(src)
    check_document(doc, src)
    return doc


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# --------------------------------------------------------------------------- targets
@fuzz_settings("text")
@given(text=garbled_text())
def test_fuzz_garbled_text(fuzz_dir, text):
    run_one(fuzz_dir, text.encode("utf-8", errors="surrogatepass"))


@fuzz_settings("bytes")
@given(data=garbled_bytes(), suffix=st.sampled_from([".txt", ".md", ".TXT"]))
def test_fuzz_encodings_and_byte_damage(fuzz_dir, data, suffix):
    run_one(fuzz_dir, data, suffix)


@fuzz_settings("random")
@given(data=st.one_of(st.binary(max_size=4096),
                      st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
                      st.lists(st.sampled_from(HEADERS), max_size=60).map(lambda ls: "\n".join(ls).encode())),
       suffix=st.sampled_from(EXTENSIONS))
def test_fuzz_random_bytes_any_extension(fuzz_dir, data, suffix):
    run_one(fuzz_dir, data, suffix)


@fuzz_settings("html")
@given(data=garbled_html(), suffix=st.sampled_from([".html", ".htm"]))
def test_fuzz_html(fuzz_dir, data, suffix):
    run_one(fuzz_dir, data, suffix)


@fuzz_settings("headers")
@given(lines=st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=80)), max_size=120))
def test_fuzz_only_labels(fuzz_dir, lines):
    """Documents made only of the words a parser keys on, in any order."""
    run_one(fuzz_dir, "\n".join(lines).encode("utf-8", "surrogatepass"))


def _seed_pdf(path: Path, text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for ln in text.split("\n")[:150]:
        c.drawString(40, y, ln[:110])
        y -= 14
        if y < 40:
            c.showPage()
            y = 800
    c.save()
    return path.read_bytes()


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory):
    return _seed_pdf(tmp_path_factory.mktemp("pdf") / "seed.pdf", SEED_TEXTS[1])


@fuzz_settings("pdf")
@given(ops=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2**31), st.binary(max_size=32)), max_size=4))
def test_fuzz_pdf(fuzz_dir, seed_pdf, ops):
    """A real PDF made from a seed, truncated / bit-flipped / spliced."""
    data = bytearray(seed_pdf)
    for op, k, junk in ops:
        if not data:
            break
        i = k % len(data)
        if op == 0:
            del data[i:]
        elif op == 1:
            data[i] ^= 1 << (k % 8)
        elif op == 2:
            data[i:i] = junk
        else:
            del data[i:i + 1 + k % 512]
    run_one(fuzz_dir, bytes(data), ".pdf")


# --------------------------------------------------------------------------- regression corpus
def _corpus_files():
    return sorted(p for p in CORPUS.glob("*") if p.is_file() and p.name != "README.md") if CORPUS.exists() else []


@pytest.mark.timeout(300)   # a hang detector (ReDoS cases were hours before the fix, ~1 s after), not a speed test
def test_corpus_regressions(fuzz_dir):
    """Inputs that once broke something (see tests/fuzz_corpus/README.md)."""
    for path in _corpus_files():
        sub = fuzz_dir / "corpus"
        sub.mkdir(exist_ok=True)
        run_one(sub, path.read_bytes(), path.suffix if path.suffix != ".bin" else ".txt")


def test_seeds_pass_invariants(fuzz_dir):
    """The unmodified seeds keep the same promises."""
    for p in sorted(SEED_DIR.glob("*.txt")):
        doc = run_one(fuzz_dir, p.read_bytes())
        assert doc is not None and doc.items, f"{p.name}: no items (is the fuzzer testing a stub parser?)"


# --------------------------------------------------------------------------- outputs never break
# Text from documents reaches IRIs, RDF literals and XML exports. Any string (control
# characters, quotes, markup, lone surrogates, emoji, RTL overrides) must give a valid IRI
# and well-formed output. These targets exercise the output modules directly with
# arbitrary text; the graph-level target below does it for real parsed documents.
ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=60),   # includes lone surrogates
    st.sampled_from(HEADERS),
    st.text(alphabet="<>&\"'\\{}|^`\n\r\t\x00\x0b\x0c %#?/:;.,-_æøåÆØÅ😀\u202e\ufeff", max_size=40),
)
# Absolute IRI with no characters that N-Triples/Turtle/SPARQL/HTML would need to escape.
_SAFE_IRI = re.compile(r"^https://w3id\.org/kgdk/(id/|ontology#)[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+$")


def _iri_builders():
    from kg import iris
    m = iris.meeting(350, "Udvalg", "2024-03-06", "16:30")
    it = iris.item(m, "3")
    return [
        lambda s: iris.municipality(s), lambda s: iris.committee(350, s), lambda s: iris.committee(s, s),
        lambda s: iris.meeting(s, s, s, s, fallback=s), lambda s: iris.meeting(350, s, None, None, fallback=s),
        lambda s: iris.item(m, s), lambda s: iris.item(m, None, 3), lambda s: iris.decision(iris.item(m, s)),
        lambda s: iris.other_decision(it, s, s), lambda s: iris.case(350, s), lambda s: iris.person(s, s),
        lambda s: iris.party(s), lambda s: iris.organization(s), lambda s: iris.project(s),
        lambda s: iris.grant(s, s, 1.5), lambda s: iris.membership(iris.committee(350, s), iris.person(350, s), s),
        lambda s: iris.party_membership(iris.person(350, s), s), lambda s: iris.role(s),
        lambda s: iris.outcome(s), lambda s: iris.provenance(iris.document("ab" * 32), s, s),
    ]


@settings(max_examples=max(1, int(400 * SCALE)), deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=ANY_TEXT)
def test_fuzz_iris_always_valid(text):
    import pyoxigraph as ox
    import rdflib
    for build in _iri_builders():
        iri = build(text)
        assert _SAFE_IRI.match(iri), iri
        assert "//" not in iri[len("https://"):] and not iri.endswith("/"), iri
        ox.NamedNode(iri)                                           # pyoxigraph validates IRIs
        g = rdflib.Graph()
        g.add((rdflib.URIRef(iri), rdflib.RDFS.label, rdflib.Literal(text)))
        nt = g.serialize(format="nt")
        assert rdflib.Graph().parse(data=nt, format="nt").value(rdflib.URIRef(iri), rdflib.RDFS.label) is not None
    # determinism: same text, same IRIs
    assert [b(text) for b in _iri_builders()] == [b(text) for b in _iri_builders()]


@settings(max_examples=max(1, int(300 * SCALE)), deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=list(HealthCheck))
@given(texts=st.lists(ANY_TEXT, min_size=3, max_size=3))
def test_fuzz_gexf_graphml_well_formed(texts):
    """Node ids, labels, attribute values and edge labels with any text stay well-formed XML."""
    import io as _io
    import xml.etree.ElementTree as ET
    import networkx as nx
    from kg.gexf import GexfWriter, xml_clean
    from kg.graphml import GraphmlWriter
    a, b, c = texts
    for writer_cls, kw in ((GexfWriter, {"dynamic": True}), (GraphmlWriter, {})):
        buf = _io.StringIO()
        with writer_cls(buf, node_attrs=[("type", "string"), ("names", "liststring")],
                        edge_attrs=[("type", "string")], **kw) as w:
            w.node("n1" + a, a, {"type": b, "names": [a, b, c]}, color=(1, 2, 3))
            w.node("n2" + b, c, {"type": a})
            w.edge("n1" + a, "n2" + b, weight=2, label=c, attrs={"type": c})
        xml = buf.getvalue()
        root = ET.fromstring(xml.encode("utf-8"))                  # well-formed XML 1.0
        assert root is not None
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kg-fuzz-{os.getpid()}.xml"
        path.write_text(xml, "utf-8")
        try:
            g = nx.read_gexf(path) if writer_cls is GexfWriter else nx.read_graphml(path)
        finally:
            path.unlink()
        assert g.number_of_nodes() == (2 if xml_clean("n1" + a) != xml_clean("n2" + b) else 1)
        labels = {d.get("label") for _, d in g.nodes(data=True)}
        want = {xml_clean(a), xml_clean(c)}
        # XML parsers normalise CR LF / lone CR in element text; attributes keep them via &#13;
        assert labels == want or {x.replace("\r", "\n") for x in labels if x} == \
            {x.replace("\r\n", "\n").replace("\r", "\n") for x in want if x}, (labels, want)


def test_regression_gexf_liststring_escaped():
    """Found by test_fuzz_gexf_graphml_well_formed: liststring attribute values were written unescaped,
    so a name containing `"` or `<` or `&` made the GEXF not well-formed."""
    import io as _io
    import xml.etree.ElementTree as ET
    from kg.gexf import GexfWriter
    buf = _io.StringIO()
    with GexfWriter(buf, node_attrs=[("names", "liststring")]) as w:
        w.node("n", "n", {"names": ['"', "<b>", "a & b", "\x00"]})
    root = ET.fromstring(buf.getvalue())
    values = [e.get("value") for e in root.iter("{http://gexf.net/1.3}attvalue")]
    assert values == ['[", <b>, a & b, ]']


@settings(max_examples=max(1, int(500 * SCALE)), deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=st.one_of(ANY_TEXT, st.from_regex(
    r"(?:(?:Mandag|onsdag) den )?[0-9٣𝟗]{1,3}\. ?(?:februar|marts|feb|maj|MAJ)\.? [0-9]{2,5}"
    r"|[0-9]{1,3}[.\-/][0-9]{1,3}[.\-/][0-9]{2,5}|kl\. ?[0-9]{1,3}[:.][0-9]{1,3}(?: ?- ?[0-9]{1,3}[:.][0-9]{1,3})?"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)))
def test_fuzz_danish_helpers(text):
    """Date/time/case-number helpers never raise and only return values that exist."""
    from kg.parsers import danish
    for iso, s, e in danish.find_dates(text):
        assert dt.date.fromisoformat(iso) and 0 <= s < e <= len(text)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso, re.ASCII), iso
    d = danish.parse_date(text)
    assert d is None or dt.date.fromisoformat(d)
    for t in danish.parse_time_range(text):
        assert t is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t, re.ASCII), t
    for c in danish.find_case_numbers(text):
        assert c and c in text
    assert set(danish.outcomes_of(text)) <= OUTCOMES


# --------------------------------------------------------------------------- mapping + SHACL + RDF round trips
def _quad_set_rdflib(ds) -> set:
    import rdflib
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = g.identifier if hasattr(g, "identifier") else g
        out.add((s, p, o, gid))
    return out


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@fuzz_settings("graph")
@given(text=garbled_text(), reference=st.integers(0, 9))
def test_fuzz_graph_conforms_and_round_trips(fuzz_dir, text, reference):
    """Garbled minutes -> parse -> mapping: the graph conforms to the SHACL shapes (fast engine always,
    pyshacl on ~1 in 10 and both must agree), has no blank nodes, and survives N-Quads / TriG /
    JSON-LD round trips through rdflib with every literal intact."""
    import io as _io
    import pyoxigraph as ox
    import rdflib
    from kg.export import write_jsonld
    from kg.mapping import document_iri, map_document_nquads
    from kg.validate import check_graph, nt_triples, validate_ntriples

    doc = run_one(fuzz_dir, text.encode("utf-8", "surrogatepass"))
    if doc is None:
        return
    data, n = map_document_nquads(doc)
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == n
    g = document_iri(doc)
    for q in quads:
        assert q.graph_name == ox.NamedNode(g), q
        assert not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode), q
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode) and t.value.startswith("https://w3id.org/kgdk/"):
                assert _SAFE_IRI.match(t.value), t.value
    fast = [v for v in check_graph(nt_triples(data, g), graph=g) if v.severity == "Violation"]
    assert not fast, "\n".join(v.line() for v in fast[:5])
    nt = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    if reference == 0:
        _, ref = validate_ntriples(nt, graph=g)
        ref = [v for v in ref if v.severity == "Violation"]
        assert not ref, "pyshacl finds violations the fast engine missed:\n" + "\n".join(v.line() for v in ref[:5])
    # round trips: N-Quads (mapping's own bytes), TriG, JSON-LD (kg.export) -> rdflib -> same quads
    want = _quad_set_rdflib(rdflib.Dataset().parse(data=data.decode("utf-8"), format="nquads"))
    assert len(want) == len(set(quads))
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG)
    assert _quad_set_rdflib(rdflib.Dataset().parse(data=trig.decode("utf-8"), format="trig")) == want
    buf = _io.BytesIO()
    write_jsonld(iter(quads), buf)
    got = _quad_set_rdflib(rdflib.Dataset().parse(data=buf.getvalue().decode("utf-8"), format="json-ld"))
    assert got == want, (sorted(got - want)[:3], sorted(want - got)[:3])


@pytest.mark.timeout(600)    # hang detector: a quadratic regex takes hours on these inputs, linear code ~1 s each
@settings(max_examples=max(1, int(40 * SCALE)), deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=list(HealthCheck))
@given(unit=st.text(alphabet="Aa1 .,-:/()'\"\nÆø&§Kk", min_size=1, max_size=12),
       words=st.lists(st.sampled_from(["Kommune", "og", "Rådhus", "Punkt", "Beslutning", "kr.", "Jobcenter",
                                       "Hansen", "A/S", "Fonden", "projekt", "kl."]), max_size=3))
def test_fuzz_long_repetitions(fuzz_dir, unit, words):
    """ReDoS probe: one short unit (plus cue words) repeated to ~30 KB, inside a minimal document."""
    u = unit + (" " + " ".join(words) + " " if words else "")
    body = u * (30000 // len(u))
    run_one(fuzz_dir, ("Referat\n" + body + "\nPunkt 1: Godkendelse\n" + body[:8000] + "\n").encode("utf-8"))
