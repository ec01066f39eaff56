"""Layout variants written for generalisation (tests/variants/): other numbering
("Sag nr. 4", "§ 4", "4)", "PS 31/23", "Punkt 1" on its own line, "5." without
blank lines), other labels (Udvalgets beslutning, Afgørelse, Vedtak, Vedlegg,
Forfall, Tilstede ...), other header orders, members as a table / one per line /
with party names, page furniture, an HTML portal page and a PDF built here with
reportlab.  Each has an expected gold-style JSON scored with tools/score.py."""
from __future__ import annotations


import pytest

from test_parser_scoring import VARIANTS, below, extract, load, score, table

TEXT_VARIANTS = sorted(p for p in VARIANTS.iterdir() if p.suffix in (".txt", ".md", ".html"))
PDF_SOURCES = sorted(VARIANTS.glob("*.pdftext"))


def test_at_least_six_text_variants_and_html_pdf():
    assert len([p for p in TEXT_VARIANTS if p.suffix == ".txt"]) >= 6
    assert any(p.suffix == ".html" for p in TEXT_VARIANTS)
    assert PDF_SOURCES
    for p in TEXT_VARIANTS + PDF_SOURCES:
        exp = load(VARIANTS / (p.stem + ".json"))
        assert exp["items"], p.name


@pytest.mark.parametrize("variant", TEXT_VARIANTS, ids=[p.name for p in TEXT_VARIANTS])
def test_variant_meets_quality_bar(variant, tmp_path):
    out = tmp_path / "out"
    extract([variant], out)
    f1 = score([VARIANTS / (variant.stem + ".json")], out, tmp_path)
    assert not below(f1), f"{variant.name}: {below(f1)}\n{table(f1)}"


def make_pdf(text: str, out) -> None:
    """One PDF page per form-feed separated chunk, one text line per line."""
    from pathlib import Path
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    font = "Helvetica"
    for cand in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(cand).exists():
            pdfmetrics.registerFont(TTFont("DejaVu", cand))
            font = "DejaVu"
    c = canvas.Canvas(str(out), pagesize=A4)
    for page in text.split("\f"):
        y = 800
        c.setFont(font, 10)
        for line in page.split("\n"):
            c.drawString(50, y, line)
            y -= 14
        c.showPage()
    c.save()


@pytest.mark.parametrize("src", PDF_SOURCES, ids=[p.stem for p in PDF_SOURCES])
def test_pdf_variant_meets_quality_bar(src, tmp_path):
    pdf = tmp_path / (src.stem + ".pdf")
    make_pdf(src.read_text(encoding="utf-8"), pdf)
    out = tmp_path / "out"
    extract([pdf], out)
    f1 = score([VARIANTS / (src.stem + ".json")], out, tmp_path)
    assert not below(f1), f"{pdf.name}: {below(f1)}\n{table(f1)}"


def test_all_variants_micro_averaged(tmp_path):
    pdfs = []
    for src in PDF_SOURCES:
        pdf = tmp_path / (src.stem + ".pdf")
        make_pdf(src.read_text(encoding="utf-8"), pdf)
        pdfs.append(pdf)
    out = tmp_path / "out"
    extract(TEXT_VARIANTS + pdfs, out)
    f1 = score([VARIANTS / (p.stem + ".json") for p in TEXT_VARIANTS + PDF_SOURCES], out, tmp_path)
    assert not below(f1), table(f1)


def test_variant_toc_is_skipped_not_duplicated(tmp_path):
    from kg.pipeline import extract_path
    doc = extract_path(VARIANTS / "v1_sag_nr.txt")
    assert len(doc.toc_titles) == 5
    assert [i.number for i in doc.items] == ["1", "2", "3", "4", "5"]
    assert not [w for w in doc.warnings if w.startswith("toc entry not found")]
