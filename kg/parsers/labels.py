"""The label table (``kg/data/labels.toml``) loaded once, with compiled matchers.

All layout knowledge of the parser (label words, heading patterns, outcome
wordings, page furniture) lives in that data file; this module only turns it
into regexes.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

DATA = Path(__file__).resolve().parent.parent / "data" / "labels.toml"


@lru_cache(maxsize=1)
def table() -> dict:
    with open(DATA, "rb") as fh:
        return tomllib.load(fh)


def _alt(words) -> str:
    ws = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ws)


@dataclass(frozen=True)
class LabelHit:
    kind: str
    label: str
    rest: str       # text after the label (inline value), stripped of ":" and spaces


@lru_cache(maxsize=1)
def _section_re() -> list[tuple[str, re.Pattern]]:
    out = []
    for kind, words in table()["sections"].items():
        sep = r"(?:\s*:\s*|\s+(?=\d)|\s*$)" if kind in ("casenumber", "docnumber") else r"(?:\s*:\s*|\s*$)"
        out.append((kind, re.compile(r"^(?P<label>" + _alt(words) + r")" + sep + r"(?P<rest>.*)$", re.I)))
    return out


@lru_cache(maxsize=1)
def _any_section_re() -> Optional[re.Pattern]:
    """Matches exactly where one of _section_re() does (speed only: most lines have no label)."""
    return join_patterns([(rx.pattern, rx.flags) for _, rx in _section_re()])


def join_patterns(patterns: list[tuple[str, int]]) -> Optional[re.Pattern]:
    """One regex that matches (at the same places) exactly when one of ``patterns`` does: group
    names dropped, each pattern's own ignore-case flag kept; None when they cannot be joined."""
    parts = []
    for src, flags in patterns:
        if "(?P=" in src or "(?(" in src or re.search(r"\\\d", src) or flags & ~(re.I | re.U):
            return None                 # group references would lose their groups
        parts.append(("(?i:" if flags & re.I else "(?:") + re.sub(r"\(\?P<\w+>", "(?:", src) + ")")
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


def section_label(line: str) -> Optional[LabelHit]:
    """A section label at the start of ``line`` ("Beslutning", "Bilag: x.pdf"), longest label first."""
    return _section_label(line.strip())


@lru_cache(maxsize=16384)
def _section_label(s: str) -> Optional[LabelHit]:
    # memoised (speed only): a pure function of the stripped line; LabelHit is frozen
    anyrx = _any_section_re()
    if anyrx is not None and not anyrx.match(s):
        return None
    best = None
    for kind, rx in _section_re():
        m = rx.match(s)
        if m and (best is None or len(m.group("label")) > len(best.label)):
            best = LabelHit(kind, m.group("label"), m.group("rest").strip())
    return best


@lru_cache(maxsize=1)
def _section_line_res() -> list[tuple[str, "Guarded"]]:
    return [(k, guarded(r, re.I)) for k, rs in table().get("section_lines", {}).items() for r in rs]


@lru_cache(maxsize=1)
def _section_line_set() -> tuple["GuardSet", dict]:
    res = _section_line_res()
    return GuardSet(g for _, g in res), {g: k for k, g in res}


@lru_cache(maxsize=8192)
def section_line(line: str) -> Optional[str]:
    """The kind of section an unlabelled line opens ("X indstiller," -> recommendation), or None."""
    # memoised (speed only): a pure function of the line
    s = line.strip()
    gs, kind = _section_line_set()
    for g in gs.candidates(s):
        if g.rx.match(s):
            return kind[g]
    return None


@lru_cache(maxsize=None)
def header_re(kind: str) -> re.Pattern:
    """``Label[:] value`` for a header label kind (date, time, location, members ...)."""
    words = table()["header"][kind]
    return re.compile(r"^(?P<label>" + _alt(words) + r")(?:\s*[:.]\s*|\s+|$)(?P<rest>.*)$", re.I)


def header_words(kind: str) -> list[str]:
    return list(table()["header"][kind])


@lru_cache(maxsize=1)
def toc_re() -> re.Pattern:
    return re.compile(r"^(?:" + _alt(table()["toc"]["labels"]) + r")\s*:?\s*$", re.I)


@dataclass(frozen=True)
class HeadingPattern:
    name: str
    keyword: bool
    rx: re.Pattern


@lru_cache(maxsize=1)
def heading_patterns() -> tuple[HeadingPattern, ...]:
    return tuple(HeadingPattern(p["name"], bool(p.get("keyword")), re.compile(p["regex"], re.I if p.get("keyword") else 0))
                 for p in table()["items"]["patterns"])


@lru_cache(maxsize=1)
def any_heading_re() -> Optional[re.Pattern]:
    """One regex that matches at the start of a text exactly when one of heading_patterns() does
    (speed only: lines it rejects need not try them one by one); None when they cannot be joined."""
    return join_patterns([(p.rx.pattern, p.rx.flags) for p in heading_patterns()])


@lru_cache(maxsize=1)
def closed_re() -> tuple[re.Pattern, re.Pattern]:
    c = table()["closed"]
    return (re.compile(r"^(?:" + _alt(c["closed"]) + r")\b", re.I),
            re.compile(r"^(?:" + _alt(c["open"]) + r")\b", re.I))


@lru_cache(maxsize=1)
def absence_phrases() -> tuple["Guarded", "Guarded"]:
    a = table()["absence"]
    return (guarded(r"\b(?:" + _alt(a["meeting"]) + r")\b", re.I),
            guarded(r"\b(?:" + _alt(a["item"]) + r")\b", re.I))


@lru_cache(maxsize=1)
def absence_set() -> "GuardSet":
    """Both absence_phrases(): ``candidates(t)`` is empty when neither can match in ``t``."""
    return GuardSet(absence_phrases())


@lru_cache(maxsize=1)
def roles() -> list[tuple[str, str]]:
    """(word, role) pairs, longest word first."""
    pairs = [(w.casefold(), role) for role, ws in table()["roles"].items() for w in ws]
    return sorted(pairs, key=lambda t: len(t[0]), reverse=True)


@lru_cache(maxsize=1)
def role_re() -> re.Pattern:
    return re.compile(r"(?<![\w])(?P<role>" + _alt(w for w, _ in roles()) + r")(?![\w])", re.I)


def role_of(word: str) -> Optional[str]:
    w = (word or "").strip(" .,:;()").casefold()
    for k, r in roles():
        if w == k:
            return r
    return None


@lru_cache(maxsize=1)
def outcome_res() -> list[tuple[str, list["Guarded"]]]:
    order = ["rejected", "postponed", "recommended", "approved", "noted", "discussed", "none"]
    t = table()["outcomes"]
    return [(k, [guarded(r, re.I) for r in t[k]]) for k in order if k in t]


@lru_cache(maxsize=1)
def outcome_ignore_res() -> list["Guarded"]:
    return [guarded(r) for r in table()["outcomes"].get("ignore", [])]


@lru_cache(maxsize=1)
def outcome_set() -> tuple["GuardSet", dict]:
    """All outcome regexes in the order of outcome_res(), and the outcome kind of each."""
    res = outcome_res()
    return GuardSet(g for _, gs in res for g in gs), {g: k for k, gs in res for g in gs}


@lru_cache(maxsize=1)
def outcome_ignore_set() -> "GuardSet":
    return GuardSet(outcome_ignore_res())


@lru_cache(maxsize=1)
def drop_res() -> "GuardSet":
    return GuardSet(guarded(r, re.I) for r in table()["lines"]["drop"])


@lru_cache(maxsize=1)
def staff_pattern() -> str:
    """Regex source (no groups) for a staff job title: a listed word or a compound ending in a
    listed head, optionally coordinated ("kultur- og fritidschef"); used case-insensitively."""
    t = table().get("staff", {})
    words = sorted(set(t.get("words", [])), key=len, reverse=True)
    heads = sorted(set(t.get("heads", [])), key=len, reverse=True)
    comp = r"(?:[a-zæøå]+-\s+(?:og|eller)\s+)?[a-zæøå]*(?:" + "|".join(map(re.escape, heads)) + r")"
    return r"(?:" + comp + (r"|" + "|".join(map(re.escape, words)) if words else "") + r")"


@lru_cache(maxsize=1)
def staff_re() -> re.Pattern:
    return re.compile(r"^" + staff_pattern() + r"$", re.I)


def is_staff_title(text: str) -> bool:
    t = re.sub(r"\s+", " ", (text or "").strip().rstrip("."))
    return bool(t) and len(t) < 60 and bool(staff_re().match(t)) and role_of(t) is None


# --------------------------------------------------------------------------- prefilters (speed only)
# A Guarded regex carries "needles": literal strings of which every match contains at least one,
# read off the regex itself. When none occurs in the text the regex cannot match and is skipped, so
# a guard never changes a result. Ignore-case needles are looked up in str.lower() of the text, which
# agrees with the regex engine's ignore-case matching for the needle characters allowed here
# (Latin-1 without µ, ß, ÿ) in every text without İ, ı or ſ (those texts always run the regex;
# tests/test_parser_speed.py checks this over all of Unicode).
UNSAFE_FOR_LOWER = "\u0130\u0131\u017f"


def _has_unsafe(s: str) -> bool:
    # three membership tests: instant on Latin-1 strings (they cannot hold these characters)
    return "\u0130" in s or "\u0131" in s or "\u017f" in s
_NEEDLE_CHARS = re.compile(r"^[\x00-\xb4\xb6-\xde\xe0-\xfe]+$")


def _needle_options(items: list, icase: bool) -> list[frozenset]:
    """Needle sets of a parsed regex sequence (``re._parser`` items): every match contains a
    needle of each set (literal runs, groups, branches and repeats that must occur)."""
    from re import _constants as C
    opts: list[frozenset] = []
    run: list[str] = []

    def flush():
        if run:
            opts.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av).lower() if icase else chr(av))
            continue
        flush()
        sub = None
        if op is C.SUBPATTERN:
            if not (av[1] | av[2]) & re.I:          # flags unchanged inside the group
                sub = _needles(list(av[3]), icase)
        elif op is C.ATOMIC_GROUP:
            sub = _needles(list(av), icase)
        elif op is C.BRANCH:
            sub = _cover([_needle_options(list(a), icase) for a in av[1]])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _needles(list(av[2]), icase)
        if sub:
            opts.append(sub)
    flush()
    if icase:
        opts = [c for c in opts if all(_NEEDLE_CHARS.match(n) and len(n.lower()) == len(n) for n in c)]
    return opts


def _best(opts: list[frozenset]) -> frozenset:
    return max(opts, key=lambda c: (min(map(len, c)), -len(c)))


def _cover(alternatives: list[list[frozenset]]) -> Optional[frozenset]:
    """Needles for a branch: one set that every alternative's matches meet. An alternative is
    covered by needles already chosen when one of its sets has each needle containing a chosen
    one; alternatives with fewer choices choose first."""
    if not alternatives or not all(alternatives):
        return None
    chosen: set = set()
    for opts in sorted(alternatives, key=len):
        if any(all(any(c in n for c in chosen) for n in o) for o in opts):
            continue
        chosen |= _best(opts)
    return _minimal(chosen)


def _minimal(needles) -> frozenset:
    """Without needles that contain another one (they add nothing to "one of them occurs")."""
    return frozenset(n for n in needles if not any(m != n and m in n for m in needles))


def _needles(items: list, icase: bool) -> Optional[frozenset]:
    """The needle set of a parsed regex sequence, or None when none is known."""
    opts = _needle_options(items, icase)
    return _minimal(_best(opts)) if opts else None


class Guarded:
    """A compiled regex behind its needle test (see above); ``low`` may pass ``text.lower()``."""
    __slots__ = ("rx", "needles", "needles_set", "icase", "pattern")

    def __init__(self, rx: re.Pattern):
        from re import _parser
        self.rx, self.pattern = rx, rx.pattern
        try:
            tree = _parser.parse(rx.pattern, rx.flags)
            self.icase = bool(tree.state.flags & re.I)
            self.needles = _needles(list(tree), self.icase)
        except Exception:                         # pragma: no cover - unknown regex syntax: no guard
            self.icase, self.needles = False, None
        if self.needles is not None:
            self.needles = tuple(sorted(self.needles))
        self.needles_set = frozenset(self.needles or ())

    def possible(self, s: str, low: Optional[str] = None) -> bool:
        """False only when the regex cannot match anywhere in ``s``."""
        ns = self.needles
        if ns is None:
            return True
        if not self.icase:
            return any(n in s for n in ns)
        if low is None:
            low = s.lower()
        for n in ns:
            if n in low:
                return True
        return not s.isascii() and _has_unsafe(s)

    def match(self, s: str, low: Optional[str] = None):
        return self.rx.match(s) if self.possible(s, low) else None

    def search(self, s: str, low: Optional[str] = None):
        return self.rx.search(s) if self.possible(s, low) else None

    def fullmatch(self, s: str, low: Optional[str] = None):
        return self.rx.fullmatch(s) if self.possible(s, low) else None

    def finditer(self, s: str, low: Optional[str] = None) -> Iterator[re.Match]:
        return self.rx.finditer(s) if self.possible(s, low) else iter(())


def guarded(pattern, flags: int = 0) -> Guarded:
    return Guarded(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags))


def _union(guards) -> Optional[re.Pattern]:
    """One regex matching where one of ``guards`` matches (no groups, same flags), else None."""
    if not guards or len({g.rx.flags for g in guards}) != 1 or any(g.rx.groups for g in guards):
        return None
    return re.compile("|".join("(?:" + g.pattern + ")" for g in guards), guards[0].rx.flags)


class GuardSet:
    """Guarded regexes tried on the same texts: each needle is looked up once per text."""
    __slots__ = ("guards", "always", "always_rx", "ci", "cs", "single")

    def __init__(self, guards):
        self.guards = tuple(guards)
        self.always = tuple(g for g in self.guards if g.needles is None)
        self.always_rx = _union(self.always)
        self.ci = tuple(sorted({n for g in self.guards if g.needles and g.icase for n in g.needles}))
        self.cs = tuple(sorted({n for g in self.guards if g.needles and not g.icase for n in g.needles}))
        # the candidates when exactly one needle occurs (the common case)
        self.single = {n: tuple(g for g in self.guards if g.needles is None or n in g.needles_set)
                       for n in self.ci + self.cs}

    def match_any(self, s: str, cands: Optional[tuple] = None) -> bool:
        """Does one of the regexes match at the start of ``s``? (``cands``: candidates(s), if known)"""
        if cands is None:
            cands = self.candidates(s)
        if cands is self.always and self.always_rx is not None:
            return self.always_rx.match(s) is not None
        for g in cands:
            if g.rx.match(s):
                return True
        return False

    def candidates_each(self, texts: list[str]) -> list[tuple]:
        """[candidates(t) for t in texts], with the needles looked up in all texts at once (a few
        str.find scans of the joined texts instead of needle tests text by text; texts without a
        needle get the needle-free regexes only)."""
        from bisect import bisect_right
        joined = "\n".join(texts)
        low = joined.lower() if self.ci else joined
        if len(low) != len(joined) or (self.ci and not joined.isascii() and _has_unsafe(joined)):
            return [self.candidates(t) for t in texts]
        starts, pos = [], 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + 1
        n = len(texts)
        hit = set()
        for hay, needles in ((low, self.ci), (joined, self.cs)):
            for nd in needles:
                i = hay.find(nd)
                while i >= 0:
                    k = bisect_right(starts, i) - 1      # the text the needle starts in
                    hit.add(k)
                    i = hay.find(nd, starts[k + 1]) if k + 1 < n else -1
        return [self.candidates(t) if k in hit else self.always for k, t in enumerate(texts)]

    def candidates(self, s: str, low: Optional[str] = None) -> tuple:
        """The guards (in their order) whose regex may match somewhere in ``s``."""
        present = []
        if self.ci:
            if not s.isascii() and _has_unsafe(s):
                return self.guards
            if low is None:
                low = s.lower()
            present = [n for n in self.ci if n in low]
        if self.cs:
            present += [n for n in self.cs if n in s]
        if not present:
            return self.always
        if len(present) == 1:
            return self.single[present[0]]
        return tuple(g for g in self.guards if g.needles is None or not g.needles_set.isdisjoint(present))
