"""`kg extract` through click's CliRunner: bad inputs, encodings, directories, --out, JSON Lines.

Exit codes: 0 all inputs extracted, 1 some input failed (the others still go through),
2 usage errors. Every failure is one stderr line naming the file; stdout carries only JSON.
"""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "minutes").glob("*.txt"))
FIX = Path(__file__).resolve().parent / "fixtures" / "sources"


def run(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args)], catch_exceptions=False)


def error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]


def json_lines(result) -> list[dict]:
    return [json.loads(ln) for ln in result.stdout.splitlines() if ln.strip()]


def without_source(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "source"}


@pytest.fixture(scope="module")
def seed_json() -> dict:
    r = run(SEEDS[0])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def good(tmp_path) -> Path:
    p = tmp_path / "god.txt"
    shutil.copy(SEEDS[0], p)
    return p


# --------------------------------------------------------------------------- bad inputs, others still go through
@pytest.mark.parametrize("name, data, problem", [
    ("mangler.txt", None, "no such file"),
    ("tom.txt", b"", "empty file"),
    ("binær.txt", bytes(range(256)) * 64, "binary file, not text"),
    ("billede.txt", b"\x89PNG\r\n\x1a\n" + bytes(300), "binary file, not text (PNG image)"),
    ("referat.docx", b"PK\x03\x04" + bytes(100), "unsupported file type '.docx'"),
    ("halv.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n", "truncated PDF"),
])
def test_bad_input_fails_alone(tmp_path, good, name, data, problem, seed_json):
    bad = tmp_path / name
    if data is not None:
        bad.write_bytes(data)
    r = run(bad, good)
    assert r.exit_code == 1
    errs = error_lines(r)
    assert errs == [f"error: {bad}: {problem}"] or (len(errs) == 1 and errs[0].startswith(f"error: {bad}: {problem}"))
    assert "1 of 2 input(s) failed" in r.stderr
    out = json_lines(r)                                  # the good input still went through
    assert len(out) == 1 and out[0]["source"] == "god.txt"
    assert without_source(out[0]) == without_source(seed_json)


def test_all_inputs_failing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"")
    r = run(a, b)
    assert r.exit_code == 1 and r.stdout == ""
    assert error_lines(r) == [f"error: {a}: empty file", f"error: {b}: no such file"]


# --------------------------------------------------------------------------- encodings
def test_cp1252_file_parses_with_danish_letters(tmp_path, seed_json):
    p = tmp_path / "referat_cp1252.txt"
    p.write_bytes(SEEDS[0].read_text(encoding="utf-8").encode("cp1252"))
    r = run(p)
    assert r.exit_code == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["source"] == "referat_cp1252.txt"
    assert without_source(got) == without_source(seed_json)     # identical to the UTF-8 original
    assert any(c in r.stdout for c in "æøåÆØÅ")                 # Danish letters came through ...
    assert "Ã" not in r.stdout and "\ufffd" not in r.stdout     # ... and no mojibake


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_files(tmp_path, seed_json, encoding):
    data = SEEDS[0].read_text(encoding="utf-8").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    p = tmp_path / f"referat_{encoding}.txt"
    p.write_bytes(data)
    r = run(p)
    assert r.exit_code == 0, r.stderr
    assert without_source(json.loads(r.stdout)) == without_source(seed_json)


def test_mixed_line_endings_and_control_characters(tmp_path, seed_json):
    text = SEEDS[0].read_text(encoding="utf-8")
    lines = text.split("\n")
    eols = ["\r\n", "\r", "\n"]
    garbled = "".join(ln.replace(" ", " \x00", 1) + eols[i % 3] for i, ln in enumerate(lines[:-1])) + lines[-1]
    p = tmp_path / "rodet.txt"
    p.write_bytes(garbled.encode("utf-8"))
    r = run(p)
    assert r.exit_code == 0, r.stderr
    assert without_source(json.loads(r.stdout)) == without_source(seed_json)


# --------------------------------------------------------------------------- directories, JSON Lines
def test_directory_input(tmp_path):
    d = tmp_path / "referater"
    (d / "2024" / "marts").mkdir(parents=True)
    shutil.copy(SEEDS[1], d / "2024" / "marts" / "b.txt")
    shutil.copy(SEEDS[0], d / "a.txt")
    (d / "noter.docx").write_bytes(b"PK\x03\x04")            # not supported: skipped silently in a directory
    (d / ".skjult.txt").write_text("ignoreres")
    r = run(d)
    assert r.exit_code == 0, r.stderr
    out = json_lines(r)
    assert [o["source"] for o in out] == ["b.txt", "a.txt"]  # sorted by path: 2024/marts/b.txt < a.txt
    assert len(r.stdout.strip().splitlines()) == 2           # JSON Lines: one object per line


def test_empty_directory_fails(tmp_path, good):
    d = tmp_path / "tom"
    d.mkdir()
    (d / "x.docx").write_bytes(b"PK\x03\x04")
    r = run(d, good)
    assert r.exit_code == 1
    assert error_lines(r) == [f"error: {d}: no supported files (.txt, .md, .pdf, .html, .htm) in this directory"]
    assert [o["source"] for o in json_lines(r)] == ["god.txt"]


def test_same_file_twice_is_extracted_once(tmp_path, good):
    r = run(good, tmp_path, good, "--out", tmp_path / "ud")        # tmp_path holds god.txt too
    assert r.exit_code == 0, r.stderr
    assert [p.name for p in (tmp_path / "ud").iterdir()] == ["god.json"]


def test_json_lines_for_several_inputs_in_input_order():
    r = run(SEEDS[2], SEEDS[0], SEEDS[1])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip().split("\n")
    assert len(lines) == 3
    assert [json.loads(ln)["source"] for ln in lines] == [SEEDS[2].name, SEEDS[0].name, SEEDS[1].name]
    assert r.stderr == ""


def test_single_input_prints_one_json_object(seed_json, tmp_path):
    r = run(SEEDS[0])
    assert r.stdout.startswith("{\n") and json.loads(r.stdout) == seed_json
    d = tmp_path / "d"                       # a directory prints JSON Lines, even with one document
    d.mkdir()
    shutil.copy(SEEDS[0], d / SEEDS[0].name)
    r = run(d)
    assert r.stdout.count("\n") == 1 and json.loads(r.stdout) == seed_json


def test_html_and_pdf_inputs(tmp_path):
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 800, "Punkt 1: Godkendelse af dagsorden")
    c.drawString(72, 780, "Beslutning: Godkendt. Mødet på Rådhuset.")
    c.showPage()
    c.save()
    pdf = tmp_path / "referat.pdf"
    pdf.write_bytes(buf.getvalue())
    r = run(pdf, FIX / "referat_cp1252.html")
    assert r.exit_code == 0, r.stderr
    assert [o["source"] for o in json_lines(r)] == ["referat.pdf", "referat_cp1252.html"]


# --------------------------------------------------------------------------- --out
def test_out_writes_stem_json(tmp_path, seed_json):
    out = tmp_path / "ud" / "json"                          # created, parents too
    r = run(SEEDS[0], SEEDS[1], "--out", out)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    files = sorted(p.name for p in out.iterdir())
    assert files == [SEEDS[0].stem + ".json", SEEDS[1].stem + ".json"]     # no temporary files left
    assert json.loads((out / files[0]).read_text(encoding="utf-8")) == seed_json


def test_out_replaces_atomically_and_keeps_old_file_on_failure(tmp_path, monkeypatch, good):
    out = tmp_path / "ud"
    out.mkdir()
    target = out / "god.json"
    target.write_text("gammelt indhold", encoding="utf-8")

    import kg.io

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(kg.io.os, "replace", failing_replace)
    r = run(good, "--out", out)
    assert r.exit_code == 1
    assert error_lines(r) == [f"error: {good}: cannot write {target}: No space left on device"]
    assert target.read_text(encoding="utf-8") == "gammelt indhold"       # old output untouched
    assert [p.name for p in out.iterdir()] == ["god.json"]               # temp file cleaned up

    monkeypatch.undo()
    r = run(good, "--out", out)
    assert r.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["source"] == "god.txt"


def test_out_stem_collision_is_reported(tmp_path):
    a, b = tmp_path / "a" / "referat.txt", tmp_path / "b" / "referat.md"
    for p, s in ((a, SEEDS[0]), (b, SEEDS[1])):
        p.parent.mkdir()
        shutil.copy(s, p)
    out = tmp_path / "ud"
    r = run(a, b, "--out", out)
    assert r.exit_code == 1
    assert error_lines(r) == [f"error: {b}: output {out / 'referat.json'} was already written for {a}; skipped"]
    assert json.loads((out / "referat.json").read_text(encoding="utf-8"))["source"] == "referat.txt"


# --------------------------------------------------------------------------- usage errors and crashes
@pytest.mark.parametrize("args", [[], ["--format", "xml", "x.txt"], ["--bogus", "x.txt"]])
def test_usage_errors_exit_2(args):
    r = CliRunner().invoke(main, ["extract", *args])
    assert r.exit_code == 2 and r.stdout == ""


def test_out_is_an_existing_file_exit_2(tmp_path, good):
    f = tmp_path / "fil"
    f.write_text("x")
    r = run(good, "--out", f)
    assert r.exit_code == 2 and "fil" in r.stderr


def test_parser_crash_on_one_input_does_not_stop_the_others(tmp_path, monkeypatch, good):
    import kg.pipeline
    real = kg.pipeline.parse

    def flaky(src):
        if src.name == "boom.txt":
            raise KeyError("simulated parser bug")
        return real(src)
    monkeypatch.setattr(kg.pipeline, "parse", flaky)
    boom = tmp_path / "boom.txt"
    shutil.copy(SEEDS[1], boom)
    r = run(boom, good)
    assert r.exit_code == 1
    assert error_lines(r) == [f"error: {boom}: internal error while parsing (KeyError: 'simulated parser bug')"]
    assert [o["source"] for o in json_lines(r)] == ["god.txt"]


# --------------------------------------------------------------------------- the same minutes as HTML and PDF
def _markdown_blocks(text: str):
    rows: list[list[str]] = []
    for line in text.split("\n") + [""]:
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cells = [c.strip() for c in s[1:-1].split("|")]
            if not all(set(c) <= set(":-") for c in cells):
                rows.append(cells)
            continue
        if rows:
            yield "table", rows
            rows = []
        yield "p", line


def seed_as_html(text: str) -> str:
    from html import escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Referat</title>",
             "<style>td { padding: 2px }</style></head><body>"]
    for kind, block in _markdown_blocks(text):
        if kind == "table":
            parts.append("<table>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                                              for r in block) + "</table>")
        elif block.strip():
            parts.append(f"<p>{escape(block)}</p>")
    return "\n".join(parts + ["</body></html>"])


def seed_as_pdf(text: str) -> bytes:
    from xml.sax.saxutils import escape
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    buf = io.BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(buf, pagesize=A4).build(
        [Paragraph(escape(x), style) if x.strip() else Spacer(1, 6) for x in text.split("\n")])
    return buf.getvalue()


def test_seeds_as_html_and_pdf_give_the_same_meetings_and_items(tmp_path):
    """The readers feed the parser the same structure whatever the format: every seed rendered as
    an HTML page (real tables) and as a PDF (wrapped paragraphs, several pages) yields the same
    meeting header and agenda items as the text original."""
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        (tmp_path / (seed.stem + ".html")).write_text(seed_as_html(text), encoding="utf-8")
        (tmp_path / (seed.stem + ".pdf")).write_bytes(seed_as_pdf(text))
    r_txt, r_all = run(*SEEDS), run(tmp_path)
    assert r_txt.exit_code == 0 and r_all.exit_code == 0, r_all.stderr
    want = {Path(o["source"]).stem: o for o in json_lines(r_txt)}
    got = json_lines(r_all)
    assert len(got) == 2 * len(SEEDS)
    for o in got:
        w = want[Path(o["source"]).stem]
        for key in ("municipality", "committee", "date", "start_time"):
            assert o[key] == w[key], (o["source"], key)
        numbers = [i["number"] for i in o["items"]]
        assert numbers == [i["number"] for i in w["items"]], o["source"]
        if o["source"].endswith(".html"):               # HTML keeps every line: titles identical
            assert [i["title"] for i in o["items"]] == [i["title"] for i in w["items"]], o["source"]
