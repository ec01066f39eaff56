"""Parser unit and property tests: layout (TOC, page furniture), headings,
members/absence, header fields, and hypothesis properties of parse_document."""
from __future__ import annotations

import hashlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.parsers import parse_document
from kg.parsers.header import committee_from_line
from kg.parsers.items import clean_title, decision_header, history_entry
from kg.parsers.layout import build, is_toc_line
from kg.parsers.members import is_name, parse_entry, parse_list
from kg.sources import SourceText


def src(text: str, name: str = "t.txt") -> SourceText:
    return SourceText(name, name, hashlib.sha256(text.encode()).hexdigest(), "text/plain", tuple(text.split("\f")))


# --------------------------------------------------------------------------- layout

def test_toc_lines():
    assert is_toc_line("JAI - Godkendelse af dagsorden.....\t3")
    assert is_toc_line("| JAI - Kvartalsbog 2024- marts..... | 4 |")
    assert is_toc_line("1. JA - Godkendelse af dagsorden\t1")
    assert not is_toc_line("Løntilskud\t1\t12\t100")
    assert not is_toc_line("Godkendt.")


def test_repeated_page_header_and_footer_dropped():
    page = "Lejre Kommune · Økonomiudvalget · 06.03.2024\nPunkt {n}: Sag nummer {n}\nBeslutning\nGodkendt.\nSide {n} af 3"
    text = "\f".join(page.format(n=n) for n in (1, 2, 3))
    lay = build(src(text))
    texts = [ln.text for ln in lay.lines if ln.text]
    assert not any("Side" in t for t in texts)
    assert not any("Økonomiudvalget · 06.03.2024" in t for t in texts)
    assert any("Lejre Kommune" in ln.text for ln in lay.furniture)
    doc = parse_document(src(text))
    assert [i.number for i in doc.items] == ["1", "2", "3"]
    assert all(i.decision == "Godkendt." for i in doc.items)
    assert doc.municipality == "Lejre"


TOC_DOC = """REFERAT Økonomiudvalget d. 06-03-2024

Indholdsfortegnelse
Punkt 1: Godkendelse af dagsorden
Punkt 2: Budget 2025
Punkt 3: Eventuelt

Punkt 1: Godkendelse af dagsorden

Beslutning

Godkendt.

Punkt 2: Budget 2025

24-000111

Beslutning

Drøftet.

Punkt 3: Eventuelt

Beslutning

Intet.
"""


def test_toc_without_page_numbers_gives_no_duplicates():
    doc = parse_document(src(TOC_DOC))
    assert [(i.number, i.title) for i in doc.items] == [("1", "Godkendelse af dagsorden"), ("2", "Budget 2025"),
                                                      ("3", "Eventuelt")]
    assert doc.items[1].case_numbers == ("24-000111",)
    assert doc.items[1].decision == "Drøftet."


def test_spans_rules_body_and_warnings():
    doc = parse_document(src(TOC_DOC))
    it = doc.items[1]
    assert it.span.line == 14 and it.span.end_line == 20
    assert it.rule == "punkt"
    assert "Budget 2025" in it.body and "Drøftet." in it.body
    assert doc.spans["committee"].line == 1
    assert "no date found" not in doc.warnings
    nodate = parse_document(src("Punkt 1: Godkendelse\n\nBeslutning\n\nGodkendt.\n"))
    assert "no date found" in nodate.warnings


def test_toc_entry_missing_in_body_is_warned():
    text = ("Referat Økonomiudvalget 6. marts 2024\n\nIndholdsfortegnelse\n"
            "1. Godkendelse af dagsorden ..... 1\n2. Salg af jord ..... 2\n\n"
            "1. Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n")
    doc = parse_document(src(text))
    assert doc.toc_titles == ("Godkendelse af dagsorden", "Salg af jord")
    assert "toc entry not found in body: Salg af jord" in doc.warnings
    assert len(doc.items) == 1


# --------------------------------------------------------------------------- headings and titles

def test_clean_title():
    assert clean_title("JAI - Godkendelse af dagsorden") == ("Godkendelse af dagsorden", "JAI", False)
    assert clean_title("Lukket: Sagsdrøftelse") == ("Sagsdrøftelse", None, True)
    assert clean_title("EKL/KFT/SSÆ/BU/TMB/JAI - Orientering") == ("Orientering", "EKL/KFT/SSÆ/BU/TMB/JAI", False)
    assert clean_title("Salg af ejendom (Lukket)") == ("Salg af ejendom", None, True)
    assert clean_title("Lukket punkt - Køb af grund") == ("Køb af grund", None, True)
    assert clean_title("Dialogmøde - RAR Vestjylland") == ("Dialogmøde - RAR Vestjylland", None, False)


def test_lone_acronym_is_part_of_the_title():
    text = ("Referat Økonomiudvalget 6. marts 2024\n\nPunkt 1: Godkendelse\n\nBeslutning\n\nGodkendt.\n\n"
            "Punkt 2: SSP - samarbejde med politiet\n\nBeslutning\n\nDrøftet.\n")
    doc = parse_document(src(text))
    assert [(i.title, i.prefix) for i in doc.items] == [("Godkendelse", None), ("SSP - samarbejde med politiet", None)]
    assert doc.committee_abbreviation is None
    both = text.replace("Punkt 1: Godkendelse", "Punkt 1: ØU - Godkendelse").replace("SSP - ", "ØU - ")
    doc = parse_document(src(both))
    assert [(i.title, i.prefix) for i in doc.items] == [("Godkendelse", "ØU"), ("samarbejde med politiet", "ØU")]
    assert doc.committee_abbreviation == "ØU"


def test_numbering_schemes():
    for head in ["Punkt {n}: Titel {n}", "Sag nr. {n}: Titel {n}", "§ {n} Titel {n}", "{n}) Titel {n}",
                 "{n}. Titel {n}", "Sak {n}: Titel {n}", "Dagsordenspunkt {n} - Titel {n}", "PS {n}/24 Titel {n}"]:
        text = "\n\n".join(head.format(n=n) + "\n\nBeslutning\n\nGodkendt." for n in (1, 2, 3))
        doc = parse_document(src(text))
        assert [i.title for i in doc.items] == ["Titel 1", "Titel 2", "Titel 3"], head
        assert [i.outcomes for i in doc.items] == [("approved",)] * 3


def test_numbered_lists_inside_items_are_not_items():
    text = ("1. Budget\n\nIndstilling\n\nForvaltningen indstiller, at\n1. at budgettet godkendes\n"
            "2. Oversigt vedlægges\n\nBeslutning\n\nGodkendt.\n\n2. Eventuelt\n\nBeslutning\n\nIntet.\n")
    doc = parse_document(src(text))
    assert [(i.number, i.title) for i in doc.items] == [("1", "Budget"), ("2", "Eventuelt")]


def test_decision_headers():
    assert decision_header("Beslutning Udvalget for Job & Arbejdsmarked den 08-01-2020") == \
        ("Udvalget for Job & Arbejdsmarked", "2020-01-08")
    assert decision_header("Beslutning i Børne- og Ungeudvalget den 07-01-2020") == ("Børne- og Ungeudvalget", "2020-01-07")
    assert decision_header("Økonomiudvalgets beslutning den 12.03.2024") == ("Økonomiudvalget", "2024-03-12")
    assert decision_header("Beslutning om at godkende budgettet.") is None
    assert history_entry("04-03-2024 Udvalget for Kultur, Fritid og Turisme - 2022-2025") == \
        ("Udvalget for Kultur, Fritid og Turisme", "2024-03-04")


def test_committee_from_title_lines():
    assert committee_from_line("REFERAT Udvalget for Job, Arbejdsmarked og Integration - 2022-2025 d. 06-03-2024") == \
        ("Udvalget for Job, Arbejdsmarked og Integration", "2022-2025")
    assert committee_from_line("Referat fra mødet i Byrådet") == ("Byrådet", None)
    assert committee_from_line("Vejle Kommune") is None
    assert committee_from_line("Faaborg-Midtfyn Kommune · Teknik- og Miljøudvalget · 04.06.2024") == \
        ("Teknik- og Miljøudvalget", None)


# --------------------------------------------------------------------------- members

def test_member_entries():
    e = parse_entry("Christian Plank (F) (Formand)")
    assert (e.name, e.party, e.role) == ("Christian Plank", "F", "formand")
    e = parse_entry("Formand Lars Gravgaard Hansen (C)")
    assert (e.name, e.party, e.role) == ("Lars Gravgaard Hansen", "C", "formand")
    e = parse_entry("Tina Bodholdt-Nielsen (Æ) deltog ikke i mødet")
    assert (e.name, e.party, e.absent, e.item_only) == ("Tina Bodholdt-Nielsen", "Æ", True, False)
    e = parse_entry("Ole Blickfeldt (O) deltog ikke i behandlingen af punktet.")
    assert (e.name, e.item_only) == ("Ole Blickfeldt", True)
    e = parse_entry("| Anders Winnerskjold | Socialdemokratiet | Formand |")
    assert (e.name, e.party, e.role) == ("Anders Winnerskjold", "A", "formand")
    e = parse_entry("Jens Ole Hansen, Venstre (formand)")
    assert (e.name, e.party, e.role) == ("Jens Ole Hansen", "V", "formand")
    assert parse_entry("Taget til efterretning.") is None
    assert parse_entry("Lejre Kommune") is None


def test_member_list_inline():
    es = parse_list("Ole Blickfeldt, Claus Jørgensen (Afbud), Connie B. Jensen, Ole Bollesen, formand (A)")
    assert [e.name for e in es] == ["Ole Blickfeldt", "Claus Jørgensen", "Connie B. Jensen", "Ole Bollesen"]
    assert es[1].absent and not es[0].absent
    assert (es[3].party, es[3].role) == ("A", "formand")


def test_is_name():
    assert is_name("Connie B. Jensen")
    assert is_name("Resul Küçükakin")
    assert not is_name("Godkendt")
    assert not is_name("Udvalget for Job")
    assert not is_name("Side 2")


def test_several_header_labels_on_one_line():
    text = ("Referat\nSocialudvalget\nMødedato: 12.03.2024   Mødetidspunkt: 16:00 - 18:00   Mødested: Rådhuset, lokale 3\n"
            "Deltagere: Anne Hansen (A), Jens Berg (V)\n\nPunkt 1: Godkendelse af dagsorden\nBeslutning\nGodkendt.\n")
    doc = parse_document(src(text))
    assert (doc.date, doc.start_time, doc.end_time, doc.location) == ("2024-03-12", "16:00", "18:00", "Rådhuset, lokale 3")
    assert doc.committee == "Socialudvalget" and len(doc.members) == 2


def test_role_labelled_header_lines_are_members():
    text = ("Odder Kommune\nReferat - Økonomiudvalget\nDato: 6/3-2024\nTidspunkt: kl. 16\n"
            "Formand: Anna Berg (V)\nNæstformand: Bo Dahl (A)\nMedlemmer: Carl Eng (F), Dorthe Friis (C)\n\n"
            "Punkt 1 Godkendelse af dagsorden\nBeslutning: Godkendt\n")
    doc = parse_document(src(text))
    assert [(m.name, m.party, m.role) for m in doc.members] == [
        ("Anna Berg", "V", "formand"), ("Bo Dahl", "A", "næstformand"), ("Carl Eng", "F", None), ("Dorthe Friis", "C", None)]
    assert (doc.municipality, doc.committee, doc.date, doc.start_time) == ("Odder", "Økonomiudvalget", "2024-03-06", "16:00")
    assert doc.items[0].decision == "Godkendt" and doc.items[0].outcomes == ("approved",)


def test_absence_per_item_and_meeting():
    text = ("Referat Økonomiudvalget 6. marts 2024\n\nDeltagere: Anna Berg (A), Bo Dahl (V), Carl Eng (C)\n\n"
            "Punkt 1: Budget\n\nBeslutning\n\nGodkendt.\n\nAfbud: Carl Eng (C).\n\n"
            "Bo Dahl (V) deltog ikke i behandlingen af punktet.\n\n"
            "Punkt 2: Eventuelt\n\nBeslutning\n\nIntet.\n")
    doc = parse_document(src(text))
    assert doc.absent == ("Carl Eng",)
    assert doc.items[0].absent == ("Carl Eng", "Bo Dahl")
    assert doc.items[1].absent == ("Carl Eng",)
    assert doc.items[0].decision == "Godkendt."
    assert [m.name for m in doc.members] == ["Anna Berg", "Bo Dahl", "Carl Eng"]


def test_other_bodies_decisions_are_not_the_decision():
    text = ("Udvalget for Børn & Ungdom\n\nREFERAT\n\nDato: Onsdag den 8. januar 2020\n\n"
            "1. BU - Status\n\nBeslutning Økonomiudvalget den 06-01-2020\n\nAnbefales.\n\nAfbud:\n\nLotte Greve (V)\n\n"
            "Beslutning Udvalget for Børn & Ungdom den 08-01-2020\n\nTaget til efterretning.\n")
    doc = parse_document(src(text))
    it = doc.items[0]
    assert it.decision == "Taget til efterretning."
    assert it.outcomes == ("noted",)
    assert [(o.committee, o.date, o.outcomes) for o in it.other_decisions] == \
        [("Økonomiudvalget", "2020-01-06", ("recommended",))]
    assert doc.absent == () and doc.members == ()


def test_municipality_prefers_header_over_prose():
    text = ("Struer Kommune\nReferat Økonomiudvalget 6. marts 2024\n\nPunkt 1: Samarbejde\n\nSagsfremstilling\n\n"
            + "Lemvig Kommune og Lemvig Kommune og Lemvig Kommune samarbejder.\n" + "\nBeslutning\n\nGodkendt.\n")
    assert parse_document(src(text)).municipality == "Struer"
    assert parse_document(src(text.replace("Struer Kommune\n", ""))).municipality == "Lemvig"


# --------------------------------------------------------------------------- properties

LINES = st.sampled_from([
    "Punkt 1: Godkendelse", "Punkt 2: Budget", "Sag nr. 3: Salg", "§ 4 Lukket: Køb", "5. Eventuelt", "Beslutning",
    "Godkendt.", "Afbud: Anna Berg (A).", "Bilag", "Notat.pdf", "Indholdsfortegnelse", "1. Godkendelse ..... 3",
    "Sagens forløb", "04-03-2024 Økonomiudvalget", "Deltagere: Bo Dahl (V), Carl Eng (C)", "Side 1 af 2",
    "24-000584", "Mødedato 6. marts 2024 kl. 16:30", "Lejre Kommune", "", "Sagsfremstilling", "Til efterretning.",
    "Beslutning Udvalget for Job den 08-01-2020", "| a | b |", "1. at budgettet godkendes", "Underskriftsblad",
])
DOCS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=40).map("\n".join),
    st.lists(st.lists(LINES, max_size=15).map("\n".join), min_size=1, max_size=4).map("\f".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS)
def test_parse_never_raises_items_in_order_no_duplicates(text):
    doc = parse_document(src(text))
    lines = [it.span.line for it in doc.items]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    keys = [(it.number, it.title) for it in doc.items]
    assert len(set(keys)) == len(keys)
    for it in doc.items:
        assert set(it.outcomes) <= {"approved", "noted", "discussed", "recommended", "rejected", "postponed", "none"}
        assert it.span.end_line >= it.span.line
    if doc.date:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date)
    for t in (doc.start_time, doc.end_time):
        assert t is None or re.fullmatch(r"\d{2}:\d{2}", t)
