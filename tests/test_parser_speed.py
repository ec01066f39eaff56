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
