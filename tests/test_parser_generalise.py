"""Focused tests for the generalisation fixes (docs/generalisation.md): each builds a small
document in a layout the seeds do not have and checks the one thing the fix is about."""
from __future__ import annotations

import tempfile
from pathlib import Path

from kg.extract import to_json
from kg.parsers.header import _place_after_when, municipality
from kg.parsers.members import parse_list
from kg.pipeline import parse
from kg.sources import read_source


def _doc(text: str, name: str = "t.txt") -> dict:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_text(text, encoding="utf-8")
        return to_json(parse(read_source(p)))


def test_municipality_prefers_seat_and_footer_over_prose():
    prose = "Københavns Kommune og Københavns Kommune har erfaringer. Københavns Kommune igen."
    assert municipality("Referat\nOdense Rådhus, Flakhaven 2", "", prose, None) == "Odense"
    assert municipality("Referat", "", prose + "\nLæsø Kommune - Kommunalbestyrelsen - 30.05.2024", None) == "Læsø"
    assert municipality("VIBORG KOMMUNE\nReferat", "", "Skive Kommune deltager.", None) == "Viborg"
    # without any cue the prose count still decides
    assert municipality("Referat", "", prose + " Aarhus Kommune.", None) == "København"


def test_time_and_place_combined_label():
    assert _place_after_when("Tirsdag den 14. maj 2024 kl. 15:30 - 17:45, Udvalgsværelse 1, Odense Rådhus") == \
        "Udvalgsværelse 1, Odense Rådhus"
    d = _doc("Referat\nSocialudvalget\nTid og sted: 3. maj 2024 kl. 9.00-11.00, Mødelokale 4\n\n"
             "1. Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n")
    assert (d["date"], d["start_time"], d["end_time"], d["location"]) == ("2024-05-03", "09:00", "11:00", "Mødelokale 4")


def test_numbering_restarts_after_closed_part():
    d = _doc("Økonomiudvalget\nMødedato: 03-05-2024\n\nSag 1 - Godkendelse af dagsorden\nSagsnr.: 24/1\n\n"
             "Beslutning\nGodkendt.\n\nSag 2 - Meddelelser\n\nBeslutning\nTaget til efterretning.\n\n"
             "Lukkede punkter\n\nSag 1 - Køb af ejendom\n\nBeslutning\nGodkendt.\n")
    got = [(i["number"], i["title"], i["closed"], i["decision"]) for i in d["items"]]
    assert got == [("1", "Godkendelse af dagsorden", False, "Godkendt."),
                   ("2", "Meddelelser", False, "Taget til efterretning."),
                   ("1", "Køb af ejendom", True, "Godkendt.")]


def test_unpaged_contents_list_is_not_read_as_items():
    d = _doc("Teknisk Udvalg\nMøde den: 22.04.2024\n\nIndhold\n1 Godkendelse af dagsorden\n2 Vejplan\n\n"
             "1 Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n\n2 Vejplan\nSagsnr.: 24/9\n\nBeslutning\nDrøftet.\n")
    assert [(i["number"], i["decision"]) for i in d["items"]] == [("1", "Godkendt."), ("2", "Drøftet.")]


def test_headings_without_numbers_or_contents():
    d = _doc("Referat\nSocial- og Sundhedsudvalget\nMødedato: 7. marts 2024\n\nGodkendelse af dagsorden\n"
             "Sagsnr.: 24-001122\n\nBeslutning\nGodkendt.\n\nÆldrepolitik 2024-2028\nSagsnr.: 24-000954\n\n"
             "Sagsfremstilling\nTekst.\n\nBeslutning\nAnbefales.\n")
    assert [(i["number"], i["title"], i["outcomes"]) for i in d["items"]] == [
        ("1", "Godkendelse af dagsorden", ["approved"]), ("2", "Ældrepolitik 2024-2028", ["recommended"])]


def test_generic_committee_decision_label_is_own_decision():
    d = _doc("Beskæftigelsesudvalget\nDato: 14. maj 2024\n\n1. Status\n\nUdvalgets beslutning den 14. maj 2024:\n"
             "Taget til efterretning.\n")
    it = d["items"][0]
    assert it["decision"] == "Taget til efterretning." and it["other_decisions"] == []


def test_staff_with_title_in_member_list_are_not_members():
    es = parse_list("Lone Brink, beskæftigelseschef")
    assert len(es) == 1 and es[0].staff == "beskæftigelseschef" and es[0].party is None
    d = _doc("Udvalget\nDato: 5. juni 2024\nDeltagere:\nJesper Wulff (A), formand\nLone Brink, beskæftigelseschef\n\n"
             "1. Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n")
    assert [m["name"] for m in d["members"]] == ["Jesper Wulff"]
    assert [p["name"] for p in d["persons"]] == ["Lone Brink"]


def test_title_markers_and_council_name():
    d = _doc("AABENRAA BYRÅD\nDato: 25. september 2024\n\nPunkt 1 (Åben) Godkendelse af dagsorden\n\nBeslutning\n"
             "Godkendt.\n\nPunkt 2 (Lukket) Grundsalg\n\nBeslutning\nGodkendt.\n")
    assert d["committee"] == "Byrådet"
    assert [(i["title"], i["closed"]) for i in d["items"]] == [("Godkendelse af dagsorden", False), ("Grundsalg", True)]


def test_closed_marker_inside_an_item_marks_only_that_item():
    d = _doc("Økonomiudvalget\nMødedato: 03-05-2024\n\n1. Salg af grund\nSagsnr.: 24/1\nLukket\n\nBeslutning\nGodkendt.\n\n"
             "2. Meddelelser\n\nBeslutning\nTaget til efterretning.\n")
    assert [(i["number"], i["closed"]) for i in d["items"]] == [("1", True), ("2", False)]
