"""Unit tests for the Danish helpers (kg/parsers/danish.py)."""
from __future__ import annotations

import pytest

from kg.parsers import danish


@pytest.mark.parametrize("text,iso", [
    ("6. marts 2024", "2024-03-06"),
    ("06.03.2024", "2024-03-06"),
    ("Onsdag den 29. maj 2024", "2024-05-29"),
    ("06-03-2024", "2024-03-06"),
    ("Mødedato Onsdag d. 06. marts 2024 kl. 16:30", "2024-03-06"),
    ("REFERAT Udvalget for Job - 2022-2025 d. 06-03-2024", "2024-03-06"),
    ("2024-03-06", "2024-03-06"),
    ("Torsdag den 7. november 2024 kl. 17.00", "2024-11-07"),
    ("1. jan. 2020", "2020-01-01"),
    ("den 31. december 2023", "2023-12-31"),
    ("6/3/2024", "2024-03-06"),
    ("Dato: 6/3-2024", "2024-03-06"),
])
def test_parse_date(text, iso):
    assert danish.parse_date(text) == iso


@pytest.mark.parametrize("text", ["", "ingen dato", "31. februar 2024", "2022-2025", "kl. 16:30", "24-000584",
                                  "00.01.00-A00-1-24", "15. plads"])
def test_parse_date_none(text):
    assert danish.parse_date(text) is None


def test_find_dates_order_and_positions():
    t = "Behandlet 04-03-2024 og igen den 5. marts 2024"
    d = danish.find_dates(t)
    assert [x[0] for x in d] == ["2024-03-04", "2024-03-05"]
    assert t[d[0][1]:d[0][2]] == "04-03-2024"


@pytest.mark.parametrize("text,rng", [
    ("kl. 16:00 - 18:00", ("16:00", "18:00")),
    ("kl. 16.30", ("16:30", None)),
    ("16.30", ("16:30", None)),
    ("Mødetidspunkt: 16:00-18:15", ("16:00", "18:15")),
    ("Onsdag d. 06. marts 2024 kl. 16:30", ("16:30", None)),
    ("kl. 8 til 10", ("08:00", "10:00")),
    ("kl. 13.00 – 15.30", ("13:00", "15:30")),
    ("Start kl.: 16:30", ("16:30", None)),
])
def test_parse_time_range(text, rng):
    assert danish.parse_time_range(text) == rng


@pytest.mark.parametrize("text", ["", "06.03.2024", "ingen tid", "kl. 25:00", "1,2 mio. kr."])
def test_parse_time_none(text):
    assert danish.parse_time(text) is None


@pytest.mark.parametrize("text,expected", [
    ("00.01.00-A00-1-24", ["00.01.00-A00-1-24"]),
    ("15.20.00-P20", ["15.20.00-P20"]),
    ("15.20.00A00-1-18", ["15.20.00A00-1-18"]),
    ("00.22.04.G01", ["00.22.04.G01"]),
    ("24-000584", ["24-000584"]),
    ("19/11679", ["19/11679"]),
    ("Sagsnr. 24-000584, KLE 00.01.00-A00-1-24", ["24-000584", "00.01.00-A00-1-24"]),
    ("Mødet 06.03.2024 kl. 16.30", []),
    ("2022-2025", ["2022-2025"]),   # shape of a case id: only whole case-number lines are used
])
def test_find_case_numbers(text, expected):
    assert danish.find_case_numbers(text) == expected


@pytest.mark.parametrize("line,ok", [
    ("24-000584", True), ("00.22.04.G01", True), ("Sagsnr.: 24/1234", True), ("KLE 05.01.10-P15", True),
    ("Sags-ID: EMN-2019-04411", True), ("15.00.00G01-9-23 og 19/11679", True),
    ("Taget til efterretning.", False), ("Der er 24-000584 sager", False), ("", False),
])
def test_is_case_number_line(line, ok):
    assert danish.is_case_number_line(line) is ok


def test_labelled_case_numbers():
    assert danish.labelled_case_numbers("Sags-ID: EMN-2019-04411") == ["EMN-2019-04411"]
    assert danish.labelled_case_numbers("Sagsnr.: 24/1234, 24/1235") == ["24/1234", "24/1235"]
    assert danish.labelled_case_numbers("Godkendt.") is None


@pytest.mark.parametrize("text,letter", [
    ("A", "A"), ("(Ø)", "Ø"), ("Liste Ø", "Ø"), ("Socialdemokratiet", "A"), ("Radikale Venstre", "B"),
    ("Det Konservative Folkeparti", "C"), ("Nye Borgerlige", "D"), ("SF", "F"), ("Liberal Alliance", "I"),
    ("Kristendemokraterne", "K"), ("Moderaterne", "M"), ("Dansk Folkeparti", "O"), ("Venstre", "V"),
    ("Danmarksdemokraterne", "Æ"), ("Enhedslisten", "Ø"), ("Alternativet", "Å"), ("L", "L"),
])
def test_party_to_letter(text, letter):
    assert danish.party_to_letter(text) == letter


def test_party_to_letter_strict_and_none():
    assert danish.party_to_letter("Hansen") is None
    assert danish.party_to_letter("") is None
    assert danish.party_to_letter("Susanne Bruun (Socialdemokratiet", strict=True) is None
    assert danish.party_to_letter("Socialdemokratiet", strict=True) == "A"


@pytest.mark.parametrize("word,role", [
    ("Formand", "formand"), ("(Næstformand)", "næstformand"), ("medlem", "medlem"), ("Sekretær", "sekretær"),
    ("viceformand", "næstformand"), ("Hansen", None),
])
def test_role_of(word, role):
    assert danish.role_of(word) == role


@pytest.mark.parametrize("decision,outcomes", [
    ("Godkendt.", ("approved",)),
    ("Indstillingen tiltrådt.", ("approved",)),
    ("Indstillingen tilrådt.", ("approved",)),
    ("Tiltrådte indstillingen", ("approved",)),
    ("Taget til efterretning.", ("noted",)),
    ("Til efterretning.", ("noted",)),
    ("Drøftet.", ("discussed",)),
    ("Punktet blev drøftet.", ("discussed",)),
    ("Udvalget drøftede de afviklede dialogmøder i 2019.", ("discussed",)),
    ("Anbefales.", ("recommended",)),
    ("Anbefales godkendt.", ("recommended",)),
    ("Ikke godkendt.", ("rejected",)),
    ("Indstillingen blev ikke godkendt.", ("rejected",)),
    ("Afvist.", ("rejected",)),
    ("Udsat.", ("postponed",)),
    ("Intet.", ("none",)),
    ("Intet under dette punkt.", ("none",)),
    ("Der var intet under Eventuelt.", ("none",)),
    ("Status taget til efterretning. Emner til fremtidige strategier drøftet.", ("noted", "discussed")),
    ("Indstillingen godkendt. Irene Hjortshøj (Ø) kunne ikke godkende indstillingen.", ("approved",)),
    ("", ()),
    ("Protokollen blev underskrevet.", ()),
])
def test_outcomes_of(decision, outcomes):
    assert danish.outcomes_of(decision) == outcomes


def test_outcomes_vocabulary_closed():
    assert set(danish.OUTCOMES) == {"approved", "noted", "discussed", "recommended", "rejected", "postponed", "none"}
    for text in ["Godkendt. Udsat. Afvist. Drøftet. Til efterretning. Anbefales. Intet."]:
        assert set(danish.outcomes_of(text)) <= set(danish.OUTCOMES)


@pytest.mark.parametrize("name,split", [
    ("Udvalget for Job, Arbejdsmarked og Integration - 2022-2025", ("Udvalget for Job, Arbejdsmarked og Integration", "2022-2025")),
    ("Arbejdsmarkedsudvalget 2022-2025", ("Arbejdsmarkedsudvalget", "2022-2025")),
    ("Teknik- og Miljøudvalget (2022 - 2025)", ("Teknik- og Miljøudvalget", "2022-2025")),
    ("Økonomiudvalget", ("Økonomiudvalget", None)),
])
def test_split_term(name, split):
    assert danish.split_term(name) == split
