"""Gazetteer: the 98 municipalities, name look-up, mentions in text, party letters."""
import pytest

from kg.gazetteer import (find_municipalities, municipalities, municipality_by_code,
                          municipality_by_name, party_letter)


def test_98_municipalities_unique_codes_and_regions():
    ms = municipalities()
    assert len(ms) == 98
    assert len({m.code for m in ms}) == 98
    assert len({m.name for m in ms}) == 98
    counts = {}
    for m in ms:
        counts[m.region] = counts.get(m.region, 0) + 1
    assert counts == {"Hovedstaden": 29, "Sjælland": 17, "Syddanmark": 22, "Midtjylland": 19, "Nordjylland": 11}


@pytest.mark.parametrize("name,code", [
    ("Albertslund", 165), ("Herlev", 163), ("Lejre", 350), ("Lemvig", 665), ("Struer", 671),
    ("København", 101), ("Aarhus", 751), ("Odense", 461), ("Aalborg", 851), ("Bornholm", 400),
    ("Frederiksberg", 147), ("Esbjerg", 561), ("Roskilde", 265), ("Sorø", 340), ("Solrød", 269),
])
def test_official_codes(name, code):
    assert municipality_by_name(name).code == code
    assert municipality_by_code(code).name == name


@pytest.mark.parametrize("printed,name", [
    ("Lejre Kommune", "Lejre"), ("Lejre Kommunes", "Lejre"), ("LEJRE KOMMUNE", "Lejre"),
    ("Københavns Kommune", "København"), ("Høje-Taastrup", "Høje-Taastrup"),
    ("Høje Taastrup Kommune", "Høje-Taastrup"), ("Bornholms Regionskommune", "Bornholm"),
    ("Jobcenter Struer", "Struer"), ("Nordfyns Kommune", "Nordfyns"), ("Århus", "Aarhus"),
])
def test_lookup_variants(printed, name):
    assert municipality_by_name(printed).name == name


def test_lookup_unknown():
    assert municipality_by_name("Gotham Kommune") is None
    assert municipality_by_name("") is None


def test_find_list_genitive_jobcenter():
    t = ("Projektet gennemføres af Sorø, Solrød, Greve og Roskilde Kommuner. "
         "Lemvig Kommunes jobcenter og Jobcenter Holstebro deltager; Københavns Kommune ikke.")
    found = find_municipalities(t)
    names = [m.name for m in found]
    assert names == ["Sorø", "Solrød", "Greve", "Roskilde", "Lemvig", "Holstebro", "København"]
    cues = {m.name: m.cue for m in found}
    assert cues["Greve"] == "list" and cues["Lemvig"] == "kommune" and cues["Holstebro"] == "jobcenter"
    lem = next(m for m in found if m.name == "Lemvig")
    assert t[lem.start:lem.end] == "Lemvig Kommunes"


def test_find_ambiguous_bare_words_need_cue():
    assert find_municipalities("Vi tog vejen over Vejen til Odder.") == []
    assert [m.name for m in find_municipalities("Vejen Kommune")] == ["Vejen"]
    assert [m.name for m in find_municipalities("Lemvig og Struer", bare=True)] == ["Lemvig", "Struer"]
    assert find_municipalities("Lemvig og Struer", bare=False) == []


def test_find_kommunerne_prefix_and_linebreak():
    found = find_municipalities("kommunerne Herning, Høje-\nTaastrup og Ikast-Brande")
    assert [m.name for m in found] == ["Herning", "Høje-Taastrup", "Ikast-Brande"]
    assert all(m.cue == "list" for m in found)


@pytest.mark.parametrize("text,letter", [
    ("A", "A"), ("(Ø)", "Ø"), ("Liste Æ", "Æ"), ("Socialdemokratiet", "A"), ("Radikale Venstre", "B"),
    ("Venstre", "V"), ("SF", "F"), ("Dansk Folkeparti", "O"), ("Det Konservative Folkeparti", "C"),
    ("Enhedslisten", "Ø"), ("Liberal Alliance", "I"), ("Moderaterne", "M"), ("Alternativet", "Å"),
])
def test_party_letter(text, letter):
    assert party_letter(text) == letter


def test_party_letter_unknown():
    assert party_letter("Lokallisten for Bedre Veje") is None
    assert party_letter(None) is None
