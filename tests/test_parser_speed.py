"""The parser's speed devices must never change a result: regex guards (labels.Guarded) and caches."""
from __future__ import annotations

import re
import sys

import pytest

from kg.parsers import labels
from kg.parsers.labels import Guarded, UNSAFE_FOR_LOWER, guarded


def test_lower_agrees_with_ignore_case_outside_the_unsafe_characters():
    """For every needle character allowed (Latin-1 without µ, ß, ÿ) and every code point c that the
    regex engine matches to it ignoring case, either c.lower() is that character or c is one of
    UNSAFE_FOR_LOWER (texts with those always run the full regex)."""
    allowed = [chr(i) for i in range(0x100) if labels._NEEDLE_CHARS.match(chr(i))]
    cls = re.compile("[" + "".join(re.escape(c) for c in allowed) + "]", re.I)
    bad = set()
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not cls.fullmatch(c):
            continue
        for p in allowed:
            if p == p.lower() and re.fullmatch(re.escape(p), c, re.I) and c.lower() != p:
                bad.add(c)
    assert bad <= set(UNSAFE_FOR_LOWER), sorted(bad - set(UNSAFE_FOR_LOWER))
    assert bad, "the check found no case partners at all: it tests nothing"


@pytest.mark.parametrize("pattern,flags,needles", [
    (r"\b(?:deltog\s+ikke|var\s+fraværende|afbud)\b", re.I, ("afbud", "deltog", "fraværende")),
    (r"^\s*(?:Side|Page)\s+\d+\s*$", re.I, ("page", "side")),
    (r"^\s*\d+\s*$", re.I, None),
    (r"\bKommune\b", 0, ("Kommune",)),
    (r"(?:a|\d)bc", 0, ("bc",)),
    (r"x?yz", 0, ("yz",)),
])
def test_needles_are_read_off_the_regex(pattern, flags, needles):
    assert guarded(pattern, flags).needles == needles


TEXTS = ["Anna Berg (V) havde meldt AFBUD", "Side 3 af 12", "  7 ", "BYRÅDET", "deltog ıkke", "ſide 2",
         "İnhabil", "Mødet hævet kl. 18", "Økonomiudvalget", "x", "", "Sagsbehandler: Dorte Side"]
PATTERNS = [(r"\b(?:deltog\s+ikke|afbud|inhabil)\b", re.I), (r"^\s*(?:Side|Page)\s+\d+.*$", re.I),
            (r"(?:hævet|sluttede)", re.I), (r"Økonomi", 0), (r"byrådet", re.I)]


@pytest.mark.parametrize("pattern,flags", PATTERNS)
def test_guarded_gives_the_same_answers_as_the_regex(pattern, flags):
    rx = re.compile(pattern, flags)
    g = Guarded(rx)
    assert g.needles is not None
    for t in TEXTS:
        for fn in ("match", "search", "fullmatch"):
            a, b = getattr(rx, fn)(t), getattr(g, fn)(t)
            assert (a and a.span()) == (b and b.span()), (pattern, fn, t)
        assert [m.span() for m in rx.finditer(t)] == [m.span() for m in g.finditer(t, t.lower())]


def test_guard_skips_texts_without_needles():
    g = guarded(r"\bafbud\b", re.I)
    assert not g.possible("Godkendt.")
    assert g.possible("AFBUD")
    assert g.possible("ıntet") is True          # unsafe character: the regex decides


def test_unsafe_test_covers_the_unsafe_characters():
    for c in UNSAFE_FOR_LOWER:
        assert labels._has_unsafe("abc" + c)
    assert not labels._has_unsafe("Økonomiudvalget – mødet")


def test_guard_set_candidates_keep_every_regex_that_matches():
    gs = labels.GuardSet([guarded(r"\bafbud\b", re.I), guarded(r"^\s*\d+\s*$", re.I),
                          guarded(r"(?:deltog|deltok)\s+ikke", re.I), guarded(r"Side \d+", 0)])
    texts = TEXTS + ["Side 4", "side 4", "DELTOG IKKE", "12", "afbud og deltog ikke"]
    for t in texts:
        cands = gs.candidates(t)
        assert [g for g in gs.guards if g in cands] == list(cands)          # order kept
        for g in gs.guards:
            if g.rx.search(t):
                assert g in cands, (g.pattern, t)


@pytest.mark.parametrize("patterns", [
    [(r"^(?P<label>Beslutning|Referat)(?:\s*:\s*|\s*$)(?P<rest>.*)$", re.I), (r"^(?P<num>\d{1,3})\s*[.)]\s+(?P<title>\S.*)$", 0)],
    [(r"^Punkt\s*(?P<num>\d+)", re.I), (r"^[A-Z]{2}\s", 0)],
])
def test_joined_patterns_match_exactly_where_one_of_them_does(patterns):
    joined = labels.join_patterns(patterns)
    assert joined is not None
    rxs = [re.compile(p, f) for p, f in patterns]
    for t in TEXTS + ["Beslutning: godkendt", "BESLUTNING", "3. Budget", "3.Budget", "punkt 4 x", "AB cd", "ab cd",
                      "Referatet", "Punkt"]:
        assert bool(joined.match(t)) == any(rx.match(t) for rx in rxs), t


def test_patterns_with_backreferences_are_not_joined():
    assert labels.join_patterns([(r"(a)\1", 0), ("b", 0)]) is None
    assert labels.join_patterns([(r"(?P<x>a)(?P=x)", 0)]) is None


def test_all_caps_short_cut_agrees_with_the_letter_test():
    from kg.parsers.header import _all_caps

    def slow(line):
        letters = [c for c in line if c.isalpha()]
        return len(letters) >= 4 and all(c.isupper() for c in letters)
    for t in ["VIBORG KOMMUNE", "Viborg Kommune", "ABC", "ABCD ⓐ", "ÆØÅX", "ABCDª", "", "1234", "ǅABCD", "中文ABCD",
              "ⅰABCD", "ABCD–EFG"]:
        assert _all_caps(t) == slow(t), t


def test_memoised_line_functions_are_pure():
    """The memoised helpers return immutable values (a cached value cannot be changed by a caller)."""
    from kg.parsers import danish, items
    assert items.decision_header("Økonomiudvalgets beslutning den 12.03.2024") == ("Økonomiudvalget", "2024-03-12")
    assert isinstance(items.decision_header("Økonomiudvalgets beslutning den 12.03.2024"), tuple)
    assert items.part_marker("Lukkede punkter:") is True
    assert danish.is_case_number_line("Sagsnr.: 24/1234") is True
    assert labels.section_line("Direktøren indstiller,") == "recommendation"


def test_branch_needles_reuse_words_other_alternatives_need():
    g = guarded(r"\b(?:havde\s+meldt\s+afbud|afbud|deltog\s+ikke|var\s+fraværende|fraværende)\b", re.I)
    assert g.needles == ("afbud", "deltog", "fraværende")


def _all_guards():
    from kg.parsers import items
    gs = list(labels.drop_res().guards) + list(labels.absence_phrases()) + [g for _, g in labels._section_line_res()]
    gs += [g for _, x in labels.outcome_res() for g in x] + list(labels.outcome_ignore_res())
    return gs + [items._BODY_DECISION_G, items._STATE_WORD]


def test_guards_never_skip_a_match_on_real_lines():
    """Every line of the seed and blind minutes, as printed and with its case scrambled: where a
    label-table regex matches, its guard lets it run."""
    import random
    from pathlib import Path
    from kg.sources import iter_paths, read_source
    rnd = random.Random(3)
    lines = []
    for p in iter_paths(["examples/minutes", "tests/blind"]):
        lines.extend(t.strip() for t in read_source(p).text.splitlines() if t.strip())
    lines += ["".join(c.upper() if rnd.random() < 0.5 else c for c in t) for t in lines]
    guards = _all_guards()
    hits = 0
    for t in lines:
        for g in guards:
            if g.rx.search(t):
                hits += 1
                assert g.possible(t), (g.pattern, t)
            if g.rx.match(t):
                assert g.match(t), (g.pattern, t)
    assert hits > 100          # the lines exercise the regexes


def test_candidates_for_all_texts_at_once_equal_text_by_text():
    gs = labels.drop_res()
    texts = TEXTS + ["Side 2 af 7", "Lejre Kommune · Møllebjergvej 4 · 4330 Hvalsø", "", "kommunen", "  3  ",
                     "xSIDE", "Økonomi side 4 af 9", "ıntet"]
    assert gs.candidates_each(texts) == [gs.candidates(t) for t in texts]
    assert gs.candidates_each(texts[:-1]) == [gs.candidates(t) for t in texts[:-1]]     # without İ/ı/ſ
    assert gs.candidates_each([]) == []
