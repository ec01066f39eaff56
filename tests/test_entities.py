"""Entity extraction rules: amounts, periods, municipality lists, aliases, persons, grants."""
from dataclasses import replace

import pytest

from kg.parsers import parse_document
from kg.parsers.entities import extract_entities, parse_amount, parse_period
from kg.records import Document, Item, Member, Span
from kg.sources import SourceText


@pytest.mark.parametrize("text,value,per", [
    ("tilskud på 710.000 kr. til projektet", 710000, None),
    ("i alt 1,2 mio. kr.", 1200000, None),
    ("en ramme på kr. 40.000 årligt", 40000, "year"),
    ("40.000 kr. årligt til drift", 40000, "year"),
    ("afsat 2 mia. til området", 2e9, None),
    ("beløbet udgør DKK 3.500.000", 3500000, None),
    ("450 t.kr. i 2024", 450000, None),
    ("1,5 mio. kr. om året", 1500000, "year"),
    ("342.500,00 kr.", 342500, None),
    ("15 millioner kroner", 15000000, None),
    ("75.000 kr. pr. år", 75000, "year"),
])
def test_parse_amount(text, value, per):
    v, p, _s, _e = parse_amount(text)
    assert v == pytest.approx(value)
    assert p == per


def test_parse_amount_none():
    assert parse_amount("Målet er 80 % og 12 måneder") is None


@pytest.mark.parametrize("text,start,end", [
    ("Tilskuddet skal anvendes i perioden 1. april 2022 – 31. december 2023.", "2022-04-01", "2023-12-31"),
    ("I perioden april 2022 til december 2023 har kommunerne", "2022-04", "2023-12"),
    ("udvidet til i perioden 2019-21 også at omfatte", "2019", "2021"),
    ("aftaleperioden 1. juli 2022 - 30. juni 2026.", "2022-07-01", "2026-06-30"),
    ("igangsat primo 2019", "2019", None),
])
def test_parse_period(text, start, end):
    assert parse_period(text) == (start, end)


def _doc(text: str, municipality="Lejre", members=()):
    lines = text.split("\n")
    src = SourceText("t.txt", "t.txt", "0" * 64, "text/plain", (text,))
    doc = Document(source="t.txt", municipality=municipality,
                   members=tuple(Member(n, p) for n, p in members),
                   items=(Item(number="1", title=lines[0].split(": ", 1)[-1], span=Span(1, 1, len(lines))),))
    return extract_entities(doc, src)


def test_municipality_list_and_own_excluded():
    d = _doc("Punkt 1: Samarbejde\n\nI perioden har Sorø, Solrød, Stevn, Lejre og Roskilde kommuner sammen "
             "afviklet projektet ”Job Nu”. Lejre Kommune deltager.")
    names = [m.name for m in d.mentioned_municipalities]
    assert names == ["Sorø", "Solrød", "Stevns", "Roskilde"]        # misspelt "Stevn" in a list, own left out
    assert all(m.code for m in d.mentioned_municipalities)
    p = d.projects[0]
    assert p.name == "Job Nu"
    assert set(p.municipalities) == {"Lejre", "Sorø", "Solrød", "Stevns", "Roskilde"}


def test_surname_is_not_a_municipality():
    d = _doc("Punkt 1: Status\n\nBeslutning Udvalget for Børn & Ungdom den 07-01-2020\n\nTaget til efterretning.\n\n"
             "Afbud: Lotte Greve (V) og Jens Holstebro (A)\n\nHanne Struer (V) deltog ikke i behandlingen.",
             members=[("Jens Holstebro", "A")])
    assert [m.name for m in d.mentioned_municipalities] == []
    got = {p.name: p.affiliation for p in d.persons}
    assert got == {"Lotte Greve": "Udvalget for Børn & Ungdom", "Hanne Struer": "Udvalget for Børn & Ungdom"}


def test_name_with_letter_in_own_decision_is_a_member_not_a_person():
    d = _doc("Punkt 1: Status\n\nBeslutning\n\nGodkendt. Hanne Struer (V) deltog ikke i behandlingen.",
             members=[("Jens Holstebro", "A")])
    assert d.persons == () and d.mentioned_municipalities == ()


def test_abbreviation_and_genitive_aliases():
    d = _doc("Punkt 1: Tilsagn\n\nTilsagn om tilskud på 500.000 kr. fra Styrelsen for Arbejdsmarked og "
             "Rekrutterings (STAR) pulje til Bedre Match. Data fra STAR viser fremgang.")
    star = [o for o in d.organizations if o.name == "Styrelsen for Arbejdsmarked og Rekruttering"]
    assert len(star) == 1 and len(d.organizations) == 1
    assert "STAR" in star[0].aliases and "Styrelsen for Arbejdsmarked og Rekrutterings" in star[0].aliases
    assert star[0].kind == "agency"
    g = d.grants[0]
    assert (g.funder, g.amount, g.project, g.programme) == (star[0].name, 500000, "Bedre Match", "Pulje til Bedre Match")
    assert g.recipients == ("Lejre",)
    assert g.span.line == 3 and g.rule


def test_abbreviation_before_dash_and_suffix_orgs():
    d = _doc("Punkt 1: Status\n\nSamarbejdet omfatter ABC – Albertslund Boligsociale Center og Grafisk Tryk ApS. "
             "Desuden arbejder Væksthuset med deres konsulenter.")
    by = {o.name: o for o in d.organizations}
    assert "ABC" in by["Albertslund Boligsociale Center"].aliases
    assert by["Grafisk Tryk ApS"].kind == "company"
    assert "Væksthuset" not in by          # no cue, no organisation head: not guessed


def test_cue_organisations_and_partners():
    d = _doc("Punkt 1: Projekt Ny Start\n\nProjektet udføres i samarbejde med Code og Care og med "
             "konsulentfirmaet Hartmann Consulting.")
    names = {o.name for o in d.organizations}
    assert {"Code og Care", "Hartmann Consulting"} <= names
    p = d.projects[0]
    assert p.name == "Ny Start" and "Code og Care" in p.partners


def test_persons_with_roles_and_affiliation():
    d = _doc("Punkt 1: Dialogmøde\n\nFra RAR Vestjylland deltager formandskabet:\n"
             "Formand Klaus Helmin-Poulsen, Næstformænd John Hermansen og Kent Falkenvig.\n"
             "Derudover deltager AMK Midt-Nord Direktør Anders Stryhn og Rådssekretær Elias Mikkelsen.")
    got = {p.name: (p.role, p.affiliation) for p in d.persons}
    assert got["Klaus Helmin-Poulsen"] == ("formand", "RAR Vestjylland")
    assert got["Kent Falkenvig"][0] == "næstformand"
    assert got["Anders Stryhn"] == ("direktør", "AMK Midt-Nord")
    assert got["Elias Mikkelsen"][0] == "rådssekretær"
    assert len(got) == 5


def test_application_is_not_a_grant_but_names_the_funder():
    d = _doc("Punkt 1: Ansøgning\n\nKommunen ansøger Region Sjælland om midler fra Region Sjælland til "
             "projekt Sund By på 300.000 kr.")
    assert d.grants == ()
    assert d.projects[0].funders == ("Region Sjælland",)


def test_descriptive_project_phrases_are_not_names():
    d = _doc("Punkt 1: Nyt tiltag\n\nDer igangsættes et nyt projekt med fokus på unge. Et projekt hvor borgerne "
             "deltager. Projektet forventes afsluttet i 2025. Samarbejdet sker med Center for Job og Uddannelse.")
    assert d.projects == ()
    assert d.organizations == ()


def test_budget_amount_without_funder_is_not_a_grant():
    d = _doc("Punkt 1: Budget\n\nBudgettet i år 2024 er samlet på 566,2 mio. kr. og der søges overført 271.000 kr.")
    assert d.grants == ()


def test_municipality_grant_per_year_with_recipient():
    d = _doc("Punkt 1: Samarbejdsaftale om Tilflytternetværk\n\nSamarbejdsaftalen om Lejre Tilflytternetværk "
             "forlænges. Lejre Kommune bevilger en ramme på 40.000 kr. årligt til drift af Lejre Tilflytternetværk, "
             "som drives af Frivilligcenter Lejre.")
    g = d.grants[0]
    assert (g.funder, g.amount, g.per) == ("Lejre", 40000, "year")
    assert d.projects[0].name == "Lejre Tilflytternetværk"
    assert "Tilflytternetværk" in d.projects[0].aliases


def test_split_amounts_become_parts():
    d = _doc("Punkt 1: Tilsagn\n\nDer er givet tilsagn om tilskud på 710.000 kr. fra STAR.\n"
             "Tilsagnet fordeles med 410.000 kr. til Lemvig, 150.000 kr. til Struer og 150.000 kr. til Holstebro.")
    amounts = sorted((g.amount, g.recipients) for g in d.grants)
    assert (710000, ("Lejre",)) in amounts
    assert (410000, ("Lemvig",)) in amounts and (150000, ("Struer",)) in amounts
    assert (150000, ("Holstebro",)) in amounts


def test_pipeline_on_seed_keeps_provenance():
    from kg.pipeline import extract_path
    d = extract_path("examples/minutes/002_190a588e3052e256.txt")
    assert d.organizations and all(o.span.line > 0 and o.rule for o in d.organizations)
    assert all(g.span.line > 0 for g in d.grants)
    assert {m.name for m in d.mentioned_municipalities} == {"Struer"}


def test_versioned_project_names_and_committee_prefix():
    d = _doc("Punkt 1: TMB - Tilsyn med beskæftigelsesindsatsen\n\nStatus på projekt Tryg Hjemme 2.0 2016 gives "
             "på mødet. Bilag til status på projekt tryg hjemme 2.0 2016.")
    assert d.organizations == ()
    assert [p.name for p in d.projects] == ["Tryg Hjemme 2.0 2016"]


def test_role_after_name_and_granted_application():
    d = _doc("Punkt 1: Status\n\nTil stede under punktet: Anne Hansen, centerchef, og Bo Lind (projektleder).\n"
             "Kommunens ansøgning er imødekommet, og Velux Fonden har bevilget 450.000 kr. til projekt Grøn Skole.")
    got = {p.name: p.role for p in d.persons}
    assert got == {"Anne Hansen": "centerchef", "Bo Lind": "projektleder"}
    assert [(g.funder, g.amount, g.project) for g in d.grants] == [("Velux Fonden", 450000, "Grøn Skole")]


def test_head_first_associations_in_a_list():
    d = _doc("Punkt 1: Høring\n\nGrundejerforeningen Solbakken og Boligforeningen Vestergaarden har afgivet "
             "høringssvar. Københavns Erhvervsakademi (KEA) deltager. Foreningen har ingen bemærkninger.")
    by = {o.name: o for o in d.organizations}
    assert set(by) == {"Grundejerforeningen Solbakken", "Boligforeningen Vestergaarden", "Københavns Erhvervsakademi"}
    assert by["Københavns Erhvervsakademi"].aliases == ("KEA",)
    assert by["Københavns Erhvervsakademi"].kind == "education"


def test_presenter_and_workplace_cues():
    d = _doc("Punkt 1: Oplæg\n\nOplæg v/ Rikke Holm. Borgeren er i praktik hos Grundfos og ansat hos Rambøll.",
             members=[("Jens Holm", "A")])
    assert [p.name for p in d.persons] == ["Rikke Holm"]
    assert {o.name for o in d.organizations} == {"Grundfos", "Rambøll"}


def test_coordinated_funders_after_a_cue_each_get_a_grant():
    # "finansieret af A og B" where B itself holds "og": two funders, one grant each (the printed amount
    # of the sentence is the first funder's); the sentence after "og løber" names no funder
    d = _doc("Punkt 1: Projekt Sund Start\n\nLejre Kommune deltager i projektet ”Sund Start”. Projektet er "
             "finansieret af Nordea-fonden og Lokale og Anlægsfonden og løber fra 1. juli 2022 til 31. december "
             "2024. Nordea-fonden har bevilget 975.000 kr. til Lejre Kommune til projektet ”Sund Start”.")
    (p,) = d.projects
    assert list(p.funders) == ["Nordea-fonden", "Lokale og Anlægsfonden"]
    got = sorted((g.funder, g.amount) for g in d.grants)
    assert got == [("Lokale og Anlægsfonden", None), ("Nordea-fonden", 975000)]
    assert all(g.project == "Sund Start" and g.recipients == ("Lejre",) for g in d.grants)


def test_funder_list_stops_at_the_first_word_that_is_not_a_name():
    d = _doc("Punkt 1: Status\n\nProjektet ”Ny Start” er finansieret af Region Sjælland, Velux Fonden samt "
             "Nordea-fonden. Det drives i samarbejde med Roskilde Kommune og VIVE.")
    (p,) = d.projects
    assert list(p.funders) == ["Region Sjælland", "Velux Fonden", "Nordea-fonden"]
    assert [g.funder for g in d.grants] == ["Region Sjælland", "Velux Fonden", "Nordea-fonden"]


def test_lower_case_projekt_continuing_as_a_known_project_is_that_project():
    # an attachment title printed in lower case: the whole known name, not the words before "i"
    d = _doc("Punkt 1: Deltagelse i projekt Bevæg Dig for Livet i Land og By 2016\n\n"
             "Lejre Kommune deltager i projektet ”Bevæg Dig for Livet i Land og By 2016”.\n\n"
             "Bilag til deltagelse i projekt bevæg dig for livet i land og by 2016")
    assert [p.name for p in d.projects] == ["Bevæg Dig for Livet i Land og By 2016"]
    # without a known longer name the lower-case rule still cuts before the first preposition
    d = _doc("Punkt 1: Status\n\nUdvalget følger projekt bevæg dig for livet i Lejre.")
    assert [p.name for p in d.projects] == ["bevæg dig for livet"]


def test_area_word_ending_in_raadet_is_not_a_council():
    # "TMB - Tilsyn med biblioteksområdet": a committee prefix before an item title; "området" is an
    # area, not a council ("-rådet"), so the initials do not make it an organisation
    d = _doc("Punkt 1: TMB - Tilsyn med biblioteksområdet\n\nTMB - Tilsyn med biblioteksområdet drøftes. "
             "ÆR - Ældrerådet Lejre har afgivet høringssvar.")
    assert [o.name for o in d.organizations] == ["Ældrerådet Lejre"]
