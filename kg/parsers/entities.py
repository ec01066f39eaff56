"""Entity extraction from item prose: organisations, other municipalities,
persons, projects and grants (issue 5).

``extract_entities(doc, src)`` runs after the layout parser and returns a copy
of the document (``dataclasses.replace``) with ``organizations``,
``mentioned_municipalities``, ``persons``, ``projects`` and ``grants`` filled.

Everything is rule based and driven by data, not by names found in the seeds:

* gazetteers (``kg.gazetteer``): the 98 municipalities, public bodies/funds;
* Danish organisation heads and legal forms (``-styrelsen``, ``-ministeriet``,
  ``fonden``, ``forening``, ``center``, ``A/S``, ``ApS``, ``Consulting`` ...);
* cue phrases ("i samarbejde med X", "finansieret af X", "tilsagn om tilskud
  ... fra X", "bevilling fra X", "X bevilger", "projekt X", "puljen til X");
* capitalisation, quotes and *italics* for names; abbreviations in
  parentheses ("... (STAR)") and "ABC – Full Name" for aliases.

Each record carries a ``Span`` (page/line of the line it was read from) and the
``rule`` that found it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from .. import gazetteer
from ..records import Document, Grant, MunicipalityMention, Organization, Person, Project, Span
from ..resolve import gazetteer_org, org_key, person_key, project_key
from ..sources import SourceText
from .entities_names import FIRST_NAMES, ROLES, STOP
from . import labels as _labels

# --------------------------------------------------------------------------- text model

CAP = r"[A-ZÆØÅ]"
LOW = r"[a-zæøåéüö]"
WORD = r"[A-Za-zÆØÅæøåéüöÉ0-9]"


@dataclass(slots=True)
class Line:
    idx: int          # position in the document's line list
    page: int
    no: int           # 1-based line number in the document
    text: str
    item: Optional[str] = None
    end_no: int = 0   # last source line joined into this one (wrapped PDF/HTML lines)
    low: Optional[str] = None   # text.lower() when the text is Latin-1, else None (set by extract_entities)


@dataclass
class Ctx:
    doc: Document
    lines: list
    own: Optional[gazetteer.Municipality]
    members: set
    orgs: dict = field(default_factory=dict)          # key -> dict(name, aliases, kind, span, rule)
    org_mentions: dict = field(default_factory=dict)  # line idx -> [(start, end, key, printed)]
    muni_mentions: dict = field(default_factory=dict)  # line idx -> [MunicipalityMatch]


def _source_lines(src: SourceText) -> list[Line]:
    """The lines of ``src`` numbered as ``SourceText.lines()`` numbers them (page, running line
    number), built directly from the pages (speed: no intermediate frozen records)."""
    out, n = [], 0
    for p, page in enumerate(src.pages, start=1):
        for t in page.split("\n"):
            out.append(Line(n, p, n + 1, t))
            n += 1
    return out


def _lines(doc: Document, src: SourceText) -> list[Line]:
    out = _source_lines(src)
    items = [it for it in doc.items if it.span and it.span.line > 0]
    if items:
        for it in items:
            end = it.span.end_line or it.span.line
            for ln in out[it.span.line - 1:end]:
                ln.item = it.number
        return out
    # fallback: our own item headings ("Punkt 3:", "Sak 40:", "3. JA - ...")
    head = re.compile(r"^\s*(?:(?:Punkt|Pkt\.?|Sak|Sag|Dagsordenspunkt)\s+(\d{1,3})\s*[:.]|(\d{1,3})\.\s+(?=" + CAP + r"))")
    cur, last = None, 0
    for ln in out:
        m = head.match(ln.text)
        if m and not re.search(r"(\.{3,}|\t)\s*\d+\s*$", ln.text):
            n = int(m.group(1) or m.group(2))
            if m.group(1) or n == last + 1:
                cur, last = str(n), n
        ln.item = cur
    return out


def _span(ln: Line) -> Span:
    return Span(ln.page, ln.no, ln.end_no or ln.no)


_CONNECTOR_END = re.compile(r"(?:\b(?:og|for|i|af|til|med|fra|på|om|at|der|som|en|et|den|det|de|under|samt|eller|"
                            r"mellem|ved|hos|efter|inden|mod)|[,–-])$")


def _connector_end(t: str) -> bool:
    """``_CONNECTOR_END.search(t)`` looking only at the last seven characters: its longest word has six
    letters, so one more character keeps the word boundary before it as in the whole text."""
    return _CONNECTOR_END.search(t[-7:]) is not None


_HEADING_START = re.compile(r"^\s*(?:(?:Punkt|Pkt\.?|Sak|Sag)\s+\d|\d{1,3}\.\s+[A-ZÆØÅ]|[-•*|]|\d+\s)")


def _join_wrapped(lines: list[Line]) -> list[Line]:
    """Join lines that a PDF/HTML conversion wrapped in mid-sentence, so that
    names and cue phrases split over two lines are read as one text. Lines that
    end a sentence, table rows, list items and headings are never joined."""
    out: list[Line] = []
    i, n = 0, len(lines)
    while i < n:
        cur = lines[i]
        text, end_no = cur.text, cur.no
        j = i + 1
        while True:
            t = text.rstrip()
            if not t or "\t" in t or t.lstrip().startswith("|") or t[-1] in ".!?:;":
                break
            k = j
            # one blank line may sit inside a wrapped sentence when it ends in a connector word
            if k < n and not lines[k].text.strip() and _connector_end(t) and k + 1 < n:
                k += 1
            if k >= n or lines[k].item != cur.item:
                break
            nxt = lines[k].text
            ns = nxt.strip()
            if not ns or "\t" in nxt or _HEADING_START.match(nxt):
                break
            adjacent = k == j
            wrapped = (len(t) >= 60 and (adjacent or ns[0].islower() or ns[0].isdigit())) or \
                (len(t) >= 40 and _connector_end(t)) or (t.endswith("-") and len(t) >= 40)
            if not wrapped:
                break
            glue = "" if t.endswith("-") and ns[0].islower() and not re.match(r"(?:og|eller|samt|til)\b", ns) else " "
            text = t + glue + ns
            end_no = lines[k].no
            j = k + 1
        if j == i + 1:          # nothing joined: keep the line object (the input list is not used again)
            cur.idx, cur.end_no = len(out), end_no
            out.append(cur)
        else:
            out.append(Line(len(out), cur.page, cur.no, text, cur.item, end_no))
        i = j
    return out


_SENT_BREAK = re.compile(r"[.!?](\s+)(?=[A-ZÆØÅ\"”“*(-])")    # group 1: the white space after the mark
_ABBR_BEFORE = re.compile(r"(?:\b(?:kr|mio|mia|pr|ca|jf|bl\.a|m\.fl|mv|nr|stk|evt|inkl|ekskl|f\.eks|dvs|vedr|hhv)\.)$")
_INITIALS_BEFORE = re.compile(r"(?:^|[\s(])(?:[A-ZÆØÅ]\.)+$")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences within one line: a break is the white space after '.', '!'
    or '?' before a capital, quote, '*', '(' or '-', unless the mark ends an abbreviation or initials."""
    out, start = [], 0
    for m in _SENT_BREAK.finditer(text):
        b = m.start(1)
        prev = text[max(0, b - 6):b]
        if _ABBR_BEFORE.search(prev):
            continue
        if _INITIALS_BEFORE.search(prev):
            continue        # initials: "A.P. Møller Fonden", "Connie B. Jensen"
        out.append((start, b))
        start = m.end()
    out.append((start, len(text)))
    return out


# --------------------------------------------------------------------------- organisations

# "rådet" (a council) but not "...området" (an area: "biblioteksområdet")
_ORG_HEAD_MULTI = re.compile(
    r"(?:fonden|fondet|fond|forening|foreningen|forbund|forbundet|styrelsen|styrelse|ministeriet|center|"
    r"museum|museet|universitet|universitetet|gymnasium|akademi|akademiet|(?<!om)rådet|nævnet|banken|(?-i:Service)|"
    r"rekrutteringsservice|huset|enheden|institut|instituttet|selskab|selskabet|sekretariat|sekretariatet|organisation|"
    r"Invest|Consulting|Consult|Group|Gruppen|Holding|Partners|Avis|Avisen|Lokalavis|Højskole|Erhvervsskole|"
    r"Handelsskole|Produktionsskole|Ungdomsskole|Professionshøjskole|College|direktoratet|tilsynet|(?-i:Politi))$", re.I)
_HEAD_SINGLE_ENDS = ("fonden", "fondet", "forening", "foreningen", "forbund", "forbundet", "styrelsen", "ministeriet",
                     "banken", "instituttet", "universitet", "akademiet", "direktoratet", "tilsynet")
_ORG_HEAD_SINGLE = re.compile(r"^[A-ZÆØÅ]\w{3,}(?:" + "|".join(_HEAD_SINGLE_ENDS) + ")$")
# speed only: a word (or the word without a final "s") can match _ORG_HEAD_SINGLE only if it ends so
_HEAD_SINGLE_ENDS_S = _HEAD_SINGLE_ENDS + tuple(e + "s" for e in _HEAD_SINGLE_ENDS)
_HEAD_FIRST = re.compile(r"^(?:Rådet|Centret|Center|Centeret|Foreningen|Fonden|Selskabet|Instituttet|Institut|Nævnet|"
                         r"Akademiet|Sekretariatet|Huset|Netværket|Videncenter|Videnscenter|Landsforeningen|"
                         r"Styrelsen|Direktoratet|Ankestyrelsen|Styrelse|Agenturet|Tilsynet)$")
_LEGAL_FORM = r"(?:A/S|ApS|I/S|P/S|K/S|IVS|S\.M\.B\.A\.|A\.M\.B\.A\.)"
_AREAS = ("Sjælland", "Vestjylland", "Østjylland", "Nordjylland", "Sydjylland", "Midtjylland", "Midt-Nord",
          "Nordsjælland", "Vestsjælland", "Sydsjælland", "Midtsjælland", "Hovedstaden", "Fyn", "Syddanmark",
          "Storkøbenhavn", "Sønderjylland", "Midt", "Nord", "Øst", "Syd", "Vest")
_AREA_RE = re.compile(r"(?<![\w-])(?P<head>" + CAP + r"[\w-]{2,}|[A-ZÆØÅ]{2,6})\s+(?P<area>" +
                      "|".join(re.escape(a) for a in sorted(_AREAS, key=len, reverse=True)) + r")(?P<gen>s)?(?![\w-])")
_LOCAL_HEAD = re.compile(r"(?<![\w-])(?P<head>Frivilligcent(?:er|ret)|Professionshøjskolen|Frivillighedscent(?:er|ret)|Sprogcent(?:er|ret)|"
                         r"Ungdomsskole(?:n)?|Produktionsskole(?:n)?|Musikskole(?:n)?|Kulturcent(?:er|ret)|"
                         r"Erhvervsråd(?:et)?|Handicapråd(?:et)?|Ældreråd(?:et)?|Integrationsråd(?:et)?)\s+"
                         r"(?P<place>" + CAP + r"[\w-]+)(?P<gen>s)?(?![\w-])")
_JOBCENTER = re.compile(r"(?<![\w-])(?:(?:Jobcent(?:er|ret|eret)|Borgerservice)\s+(?P<a>" + CAP + r"[\w-]+(?:[\s-]" + CAP +
                        r"[\w-]+)?)|(?P<b>" + CAP + r"[\w-]+(?:[\s-]" + CAP + r"[\w-]+)?)\s+Jobcenter)(?![\w-])")
# speed only: every _LOCAL_HEAD match contains one of these words (and every _AREA_RE match an area)
_LOCAL_HEAD_WORDS = ("Frivilligcent", "Professionshøjskolen", "Frivillighedscent", "Sprogcent", "Ungdomsskole",
                     "Produktionsskole", "Musikskole", "Kulturcent", "Erhvervsråd", "Handicapråd", "Ældreråd",
                     "Integrationsråd")
# (?P<ab>...) is (?<![\w-])[A-ZÆØÅ]{2,6} written with the look-behind after the first capital, so that
# the regex engine can skip to capitals
_ABBR_DASH = re.compile(r"(?P<ab>[A-ZÆØÅ](?<![\w-].)[A-ZÆØÅ]{1,5})\s+[–-]\s+(?P<full>" + CAP + r"[\w-]*(?:\s+(?:og\s+)?" +
                        r"[\wÆØÅæøå-]+){0,5})")
_CUES = re.compile(
    r"(?<![\w-])(?:i\s+samarbejde\s+med|samarbejde\s+med|partnerskab\s+med|konsulentfirmaet|konsulenthuset|virksomheden|"
    r"firmaet|leverandøren|udbyderen|foreningen|organisationen|i\s+regi\s+af|forhandlingsmøde\s+med|"
    r"dialogmøde\s+med|aftale\s+med|finansieret\s+af|medfinansieret\s+af|understøttelse\s+fra|støtte\s+fra|"
    r"tilskud\s+fra|midler\s+fra|bevillinger?\s+fra|udviklet\s+af|udført\s+af|gennemført\s+af|leveret\s+af|"
    r"på\s+foranledning\s+af|tilsagn\s+fra|donation\s+fra|drives\s+af|drevet\s+af|varetages\s+af|udbydes\s+af|"
    r"ejet\s+af|i\s+partnerskab\s+med|praktik\s+hos|ansat\s+hos|ansættelse\s+hos|job\s+hos|"
    r"(?:gennemføres|gennemføre|udføres|afvikles|driver|drives|udvikles)\s+sammen\s+med)\s+(?:(?:puljemidler|midler|en\s+bevilling)\s+fra\s+)?")
_TOK = r"(?:" + CAP + r"(?:[A-Za-zÆØÅæøåéüö0-9'’&-]|\.(?=[A-Za-zÆØÅ]))*|[A-ZÆØÅ0-9]{2,}[A-Za-zÆØÅæøå0-9-]*)"
_CAPSEQ = re.compile(
    r"(?:Den\s+|Det\s+|De\s+)?" + _TOK + r"(?:(?:\s+|\s*/\s*|\s+(?:og|for|i|af|&|til|under)\s+)"
    r"(?:" + _LEGAL_FORM + r"|" + _TOK + r"))*(?![\w_])")


# Every _CAPSEQ match starts with a capital or a digit. Written as "that character, then look back
# one character and from there look ahead for the whole sequence", the regex engine skips to capitals
# and digits instead of trying the sequence at every position; the look-ahead's group is the match
# _CAPSEQ would make there, and keeping only those that start at or after the end of the previous one
# gives exactly the matches of _CAPSEQ.finditer (speed only).
_CAPSEQ_AT = re.compile(r"[A-ZÆØÅ0-9](?<=(?=(?P<s>" + _CAPSEQ.pattern + r")).)")


def _capseq_matches(t: str) -> list:
    """(start, end, text) of every ``_CAPSEQ.finditer(t)`` match."""
    out, end = [], 0
    for m in _CAPSEQ_AT.finditer(t):
        a = m.start("s")
        if a >= end:
            end = m.end("s")
            out.append((a, end, m.group("s")))
    return out


def _is_person_name(s: str) -> bool:
    toks = s.split()
    return 2 <= len(toks) <= 4 and toks[0] in FIRST_NAMES and all(re.match(CAP, t) or t.endswith(".") for t in toks)


def _clean_org_name(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip(" ,.;:–-")
    s = re.sub(r"(?:\s+(?:og|for|i|af|til|under|&))+$", "", s)
    return s


def _bad_org(name: str, ctx: Ctx) -> bool:
    toks = name.split()
    if not toks:
        return True
    if len(name) < 2 or toks[0] in STOP and len(toks) == 1 or name[0].islower():
        return True
    if toks[-1] in STOP and gazetteer_org(name) is None:
        return True
    if re.search(r"\b[Kk]ommune(?:s|r|rne)?\b", name) or name.startswith(("Udvalget", "Udvalg ")):
        return True
    if gazetteer.municipality_by_name(name) is not None:
        return True
    if _is_person_name(name) or name in ctx.members:
        return True
    if name.split()[0] in ("Lov", "Loven", "Bekendtgørelse", "Budget", "Beskæftigelsesplan", "Bilag"):
        return True
    if re.search(r"(?:afdelingen|afdeling|udvalget|udvalg|bestyrelsen|direktionen|forvaltningen|teamet|"
                 r"jobcentret|jobcenteret|rådhuset)s?$", name.split()[-1], re.I) and gazetteer_org(name) is None:
        return True
    if any(t in ("Åben", "Lukket", "Bilag") or "_" in t for t in toks):
        return True
    # internal units of a municipality: "Center for Job og Uddannelse", "Afdelingen for ..."
    if re.match(r"^(?:Center|Centret|Afdeling|Afdelingen|Sekretariatet|Team|Staben|Enheden|Område|Området|"
                r"Forvaltningen)\s+for\b", name) and gazetteer_org(name) is None:
        return True
    return False


def _add_org(ctx: Ctx, ln: Line, start: int, end: int, printed: str, kind: str, rule: str,
             name: Optional[str] = None, aliases=()) -> Optional[str]:
    printed = _clean_org_name(printed)
    name = _clean_org_name(name or printed)
    # "Ældre Sagen i Odense": the local branch is an alias of the organisation
    loc = re.match(r"^(.+?)\s+i\s+(" + CAP + r"[\w-]+)$", name)
    if loc and not rule.startswith("gazetteer"):
        name = loc.group(1)
        aliases = (*aliases, printed)
    if _bad_org(name, ctx):
        return None
    key, canon, _ev = org_key(name)
    if key.startswith(("jobcenter-", "borgerservice-")):
        kind = "municipality-body"
    g = gazetteer_org(name)
    if g:
        kind = g[0].kind
        alias_pool = [printed, name, *aliases]
    else:
        alias_pool = [printed, *aliases]
        if name != canon:
            alias_pool.append(name)
    rec = ctx.orgs.get(key)
    if rec is None:
        label = canon
        # a gazetteer entry printed under another full name ("Den Europæiske Socialfond" for the entry
        # "EU Socialfond Plus"): label it as printed, the gazetteer name becomes an alias
        if g and len(printed.split()) > 1 and printed[:1].isupper() and not printed.isupper() \
                and printed.casefold() != canon.casefold() \
                and printed.casefold() in (a.casefold() for a in g[0].aliases):
            label = printed
            alias_pool.append(canon)
        rec = ctx.orgs[key] = {"name": label, "aliases": [], "kind": kind, "span": _span(ln), "rule": rule}
    for a in alias_pool:
        a = _clean_org_name(a)
        if a and a.casefold() != rec["name"].casefold() and a.casefold() not in (x.casefold() for x in rec["aliases"]):
            rec["aliases"].append(a)
    ctx.org_mentions.setdefault(ln.idx, []).append((start, end, key, printed))
    return key


def _build_gaz_re() -> re.Pattern:
    """One alternation of every gazetteer name, alias and abbreviation (longest first); multi-word
    names match in any case, single words and abbreviations only as printed."""
    pats = []
    for e in gazetteer.organisations():
        for n in (e.name, *e.aliases):
            p = r"\s+".join(re.escape(t) for t in n.split())
            pats.append((len(n), "(?i:" + p + ")" if len(n.split()) > 1 and not n.isupper() else p))
        if e.abbreviation:
            pats.append((len(e.abbreviation), re.escape(e.abbreviation)))
    pats.sort(key=lambda t: -t[0])
    body = "|".join(p for _, p in pats)
    return re.compile(r"(?<![\w-])(?P<n>" + body + r")(?P<gen>s|'s?|’s?)?(?P<branch>-" + CAP + r"[\w]+)?(?![\w])"
                      r"(?P<abbr>\s*\((?P<ab>[A-ZÆØÅ][A-ZÆØÅa-z+]{1,7})\))?")


_gaz_re = _build_gaz_re()

# ---- cheap exact prefilters (speed only; they never change a result)
# A prefilter answers "could this regex match anywhere in the text?" with a necessary condition that
# is much cheaper to test than the regex itself; when it says no, the regex is skipped (it would find
# nothing). Case-insensitive comparisons use str.lower(), which equals the regex engine's ignore-case
# matching for Latin-1 text; texts with other characters always run the full regex.
_NON_LATIN1 = re.compile(r"[^\x00-\xff]")
_LATIN1_KEYS_OK = re.compile(r"^[\x00-\xb4\xb6-\xde\xe0-\xfe]*$")   # no µ, ß, ÿ: their case partners leave Latin-1
_PREFIX_LEN = 16


def _trie_alt(keys, word_start: bool = False) -> str:
    """Regex source matching any of the literal ``keys`` (a space in a key stands for ``\\s+``), written
    as a trie whose top level is an alternation of single literal characters. The regex engine then
    scans for the first characters in a tight loop (its "charset prefix") instead of trying the whole
    pattern at every position. Each match consumes only the key's first character (the rest is a
    lookahead), so ``finditer`` reports every position where a key starts, overlapping ones too.
    With ``word_start`` a key must not follow a word character or '-' (as ``(?<![\\w-])``)."""
    trie: dict = {}
    for k in keys:
        node = trie
        for c in k:
            node = node.setdefault(c, {})
        node[""] = {}

    def body(node) -> str:
        if "" in node:
            return ""               # a key ends here: any continuation is enough
        alts = [(r"\s+" if c == " " else re.escape(c)) + body(sub) for c, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    top = []
    for c, sub in sorted(trie.items()):
        rest = body(sub)
        top.append(re.escape(c) + (r"(?<![\w-].)" if word_start else "") + (f"(?={rest})" if rest else ""))
    return "(?:" + "|".join(top) + ")"


def _word_starts(keys) -> re.Pattern:
    """For keys whose first characters are common (lower-case text): positions right after a
    character that is not a word character or '-' where a key starts, as ``m.end()`` of each match;
    the engine scans for the (rarer) separators. A key at position 0 is found by ``.match`` (see
    ``_starts_at_words``)."""
    return re.compile(r"[^\w-](?=" + _trie_alt(keys) + ")")


def _starts_at_words(pat: re.Pattern, head: Optional[re.Pattern], t: str) -> list:
    out = [m.end() for m in pat.finditer(t)]
    if head is not None and head.match(t):
        out.append(0)
    return out


# Danish letters from most to least frequent (a rough public table; only used to choose needles)
_LETTER_ORDER = "ertnsdilaogkmfvubphæøåjycwxzq"


def _needles(names) -> re.Pattern:
    """A scan that finds, in every text holding one of the ``names`` (spaces as ``\\s+``), a piece of
    it: per name up to 20 characters from a rare letter (at least four letters where the name has
    them). Used as a yes/no test before the position scans; rare first letters make it fast."""
    rank = {c: i for i, c in enumerate(_LETTER_ORDER)}
    out = set()
    for n in names:
        n = " ".join(n.split())
        cands = [(min(len(n[i:i + 20].replace(" ", "")), 4), rank.get(n[i], -1), n[i:i + 20].rstrip())
                 for i in range(len(n)) if n[i] != " "]
        out.add(max(cands)[2])
    return re.compile(_trie_alt(out))


def _build_gaz_prefilter():
    """Where can a gazetteer name start? Two scans of the first characters of every alternative
    (whitespace runs as ``\\s+``): one as printed, one (case-insensitive names) against the
    lower-cased text. Every match of ``_gaz_re`` starts at one of the positions they report."""
    cs, ci, ci_names = set(), set(), set()
    for e in gazetteer.organisations():
        for n in (e.name, *e.aliases):
            key = " ".join(n.split())[:_PREFIX_LEN]
            if len(n.split()) > 1 and not n.isupper():
                ci.add(key.lower())
                ci_names.add(n.lower())
            else:
                cs.add(key)
        if e.abbreviation:
            cs.add(" ".join(e.abbreviation.split())[:_PREFIX_LEN])
    if not all(k.strip() and not k.startswith(" ") and _LATIN1_KEYS_OK.match(k) for k in cs | ci | ci_names):
        return None

    # printed keys start mostly with capitals (rare): scan for their first characters; lower-cased
    # keys start with letters found everywhere: scan for the separators before them
    return (re.compile(_trie_alt(cs, word_start=True)) if cs else None,
            (_word_starts(ci), re.compile(_trie_alt(ci)), _needles(ci_names)) if ci else None)


_gaz_pre = _build_gaz_prefilter()


def _any_of(words) -> re.Pattern:
    """``_any_of(ws).search(t)`` is true whenever one of the words occurs in ``t`` (a space in a word
    stands for any white space, as ``\\s+`` in the patterns; each word is looked for by a piece of it
    that starts at a rare letter, so it may also be true when no word occurs): a prefilter for a regex
    whose every match contains one of the words."""
    assert all(w and w == " ".join(w.split()) for w in words)
    return _needles(words)


_LOCAL_HEAD_ANY = _any_of(_LOCAL_HEAD_WORDS)
# every _CUES match contains one of these words (case as printed in the pattern)
_CUES_WORDS = ("samarbejde med", "partnerskab med", "konsulent", "virksomheden", "firmaet", "leverandøren",
               "udbyderen", "foreningen", "organisationen", "regi af", "forhandlingsmøde med", "dialogmøde med",
               "aftale med", "finansieret af", "støtte fra", "tilskud fra", "midler fra", "bevilling",
               "udviklet af", "udført af", "gennemført af", "leveret af", "foranledning af", "tilsagn fra",
               "donation fra", "drives af", "drevet af", "varetages af", "udbydes af", "ejet af", "praktik hos",
               "ansat hos", "ansættelse hos", "job hos", "sammen med")
_CUES_ANY = _any_of(_CUES_WORDS)
_AREAS_ANY = _any_of(_AREAS)


def _matches_at(pat: re.Pattern, t: str, starts) -> list:
    """``list(pat.finditer(t))`` when every match of ``pat`` is known to start in ``starts``:
    the leftmost match at or after the end of the previous one, tried only where one can start."""
    out, end = [], 0
    for p in sorted(starts):
        if p < end:
            continue
        m = pat.match(t, p)
        if m:
            out.append(m)
            end = m.end() if m.end() > p else p + 1
    return out


def _gaz_matches(t: str, low: Optional[str]):
    """``_gaz_re.finditer(t)``; ``low`` is ``t.lower()`` for Latin-1 text, else None."""
    if _gaz_pre is None or low is None:
        return _gaz_re.finditer(t)
    cs, ci = _gaz_pre
    starts = set()
    if cs is not None:
        starts.update(m.start() for m in cs.finditer(t))
    if ci is not None:
        if ci[2].search(low):
            starts.update(_starts_at_words(ci[0], ci[1], low))
    return _matches_at(_gaz_re, t, starts) if starts else ()


_AREA_WORD = (r"(?:(?:Nord|Syd|Øst|Vest|Midt)(?:nord|syd|øst|vest|midt)?(?:jylland|sjælland|fyn)|Fyn|Bornholm|"
              r"Hovedstaden|Storkøbenhavn|Lolland-Falster|Trekantområdet|Region\s+(?:Nordjylland|Midtjylland|"
              r"Syddanmark|Sjælland|Hovedstaden))")


def _taken(ctx: Ctx, idx: int, s: int, e: int) -> bool:
    return any(not (e <= a or s >= b) for a, b, _k, _p in ctx.org_mentions.get(idx, []))


_UNDER = re.compile(r"(?P<x>\S.*?)\s+under\s+(?P<y>\S.*)")
_OG_SPLIT = re.compile(r"(?<!-)\s+og\s+")
_LEGAL_END = re.compile(r"\s" + _LEGAL_FORM + r"$")


_SPACED_DASH = re.compile(r"[–-](?<=\s.)(?=\s)")     # in every _ABBR_DASH match (speed only)


def _find_orgs(ctx: Ctx, ln: Line) -> None:
    t = ln.text
    # a. gazetteer of public bodies, funds, unions, big firms
    for m in _gaz_matches(t, ln.low):
        name = m.group("n")
        if m.group("branch"):                                   # "DH-Lejre": a local branch
            g = gazetteer_org(name)
            _add_org(ctx, ln, m.start(), m.end("branch"), name + m.group("branch"), g[0].kind if g else "other",
                     "gazetteer-branch", aliases=(name + " " + m.group("branch")[1:],))
            continue
        # "DGI Nordvestjylland", "FOA Sydfyn": a regional branch of a national body
        area = re.match(r"\s+(" + _AREA_WORD + r")(?![\w-])", t[m.end():])
        if area and len(name) <= 6 and not m.group("gen"):
            g = gazetteer_org(name)
            _add_org(ctx, ln, m.start(), m.end() + area.end(), name + " " + area.group(1),
                     g[0].kind if g else "other", "gazetteer-area")
            continue
        printed = t[m.start():m.end("gen") if m.group("gen") else m.end("n")]
        aliases = []
        if m.group("ab"):
            aliases.append(m.group("ab"))
        # "AOF i Holbæk": local office of a national body
        loc = re.match(r"\s+(?:i\s+|skolen\s+|afdelingen\s+)?(" + CAP + r"[\w-]+)", t[m.end():])
        if loc and gazetteer.municipality_by_name(loc.group(1)) and len(name) <= 5:
            aliases.append(f"{name} i {loc.group(1)}")
            aliases.append(f"{name} {loc.group(1)}")
        _add_org(ctx, ln, m.start(), m.end(), printed, "other", "gazetteer", name=name, aliases=aliases)
    # b. jobcentres of named municipalities
    for m in (_JOBCENTER.finditer(t) if "Jobcent" in t or "Borgerservice" in t else ()):
        place = m.group("a") or m.group("b")
        mu = gazetteer.municipality_by_name(place)
        if mu is None or _taken(ctx, ln.idx, m.start(), m.end()):
            continue
        _add_org(ctx, ln, m.start(), m.end(), m.group(0), "municipality-body", "jobcenter",
                 name=f"Jobcenter {mu.name}")
    # c. local bodies named head-first: "Frivilligcenter Lemvig"
    for m in (_LOCAL_HEAD.finditer(t) if _LOCAL_HEAD_ANY.search(t) else ()):
        if not _taken(ctx, ln.idx, m.start(), m.end()):
            head = m.group("head")
            kind = "education" if "skole" in head else "authority" if "råd" in head else "association"
            _add_org(ctx, ln, m.start(), m.end(), head + " " + m.group("place"), kind, "local-head")
    # d. "<Name> <area>": "Jobforum Sjælland", "RAR Vestjylland"
    for m in (_AREA_RE.finditer(t) if _AREAS_ANY.search(t) else ()):
        head = m.group("head")
        if head in STOP or head in ("Region",) or gazetteer.municipality_by_name(head) or \
                _taken(ctx, ln.idx, m.start(), m.end()):
            continue
        if m.group("area") in ("Midt", "Nord", "Øst", "Syd", "Vest") and not head.isupper():
            continue
        _add_org(ctx, ln, m.start(), m.end(), head + " " + m.group("area"), "network", "name+area")
    # e. capitalised names ending in an organisation head or legal form
    for m_s, m_e, seq in _capseq_matches(t):
        toks = seq.split()
        if len(toks) == 1:
            # one word (most matches): of the rules below only the single-word head applies
            tok = toks[0]
            if tok in STOP:
                continue
            if tok.endswith(_HEAD_SINGLE_ENDS_S) and \
                    (_ORG_HEAD_SINGLE.match(tok) or _ORG_HEAD_SINGLE.match(tok[:-1] if tok.endswith("s") else tok)) \
                    and not _taken(ctx, ln.idx, m_s, m_e):
                _add_org(ctx, ln, m_s, m_e, tok, _kind_from_name(tok), "org-suffix")
            continue
        # drop sentence-initial stop words ("Desuden Væksthuset ...")
        off = 0
        while toks and toks[0] in STOP and not (toks[0] in ("Den", "Det", "De") and len(toks) > 1):
            off += len(toks[0])
            toks = toks[1:]
            off = seq.find(toks[0], off) if toks else off
        if not toks:
            continue
        name = " ".join(toks)
        start = m_s + (seq.find(toks[0]) if toks else 0)
        # "Fiskeplejen under Landbrugsstyrelsen": a programme or unit under a public body, two names
        um = _UNDER.fullmatch(name)
        if um and _org_like(um.group("y")) and um.group("x")[:1].isupper() and len(um.group("x").split()) <= 4:
            for part in (um.group("x"), um.group("y")):
                ps = t.find(part, start)
                if ps >= 0 and not _taken(ctx, ln.idx, ps, ps + len(part)):
                    _add_org(ctx, ln, ps, ps + len(part), part, _kind_from_name(part), "org-under")
            continue
        # "Grundejerforeningen Solbakken og Boligforeningen Vestergaarden": every member is an organisation
        parts = _OG_SPLIT.split(name)
        if len(parts) > 1 and all(_org_like(p_) for p_ in parts):
            pos = start
            for p_ in parts:
                ps = t.find(p_, pos)
                if ps >= 0 and not _taken(ctx, ln.idx, ps, ps + len(p_)):
                    _add_org(ctx, ln, ps, ps + len(p_), p_, _kind_from_name(p_.split()[0] if
                             _ORG_HEAD_SINGLE.match(p_.split()[0]) else p_), "org-list")
                pos = ps + len(p_) if ps >= 0 else pos
            continue
        # "Ældrerådet og Handicaprådet": single-word bodies joined by "og" are two names, and a
        # single word with a weak head is not taken alone (as everywhere else)
        if len(parts) > 1 and all(len(p_.split()) == 1 and _ORG_HEAD_MULTI.search(p_) for p_ in parts):
            pos = start
            for p_ in parts:
                ps = t.find(p_, pos)
                if ps >= 0 and _org_like(p_) and not _taken(ctx, ln.idx, ps, ps + len(p_)):
                    _add_org(ctx, ln, ps, ps + len(p_), p_, _kind_from_name(p_), "org-list")
                pos = ps + len(p_) if ps >= 0 else pos
            continue
        # "Struer og Marselisborg Consulting": a list, keep the last member
        if len(parts) > 1 and not parts[-2].endswith("-"):
            left = parts[-2].split(",")[-1].strip()
            ltoks = left.split()
            if len(ltoks) >= 2 and _ORG_HEAD_MULTI.search(ltoks[-1]) and not _taken(ctx, ln.idx, start,
                                                                                     start + len(left)):
                _add_org(ctx, ln, start, start + len(left), left, _kind_from_name(left), "org-suffix")
            if re.search(r"\s" + _LEGAL_FORM + r"$", left) and not _taken(ctx, ln.idx, start, start + len(left)):
                _add_org(ctx, ln, start, start + len(left), left, "company", "org-suffix")
            if gazetteer.municipality_by_name(left) or gazetteer_org(left) or org_key(left)[0] in ctx.orgs:
                start += name.rfind(parts[-1])
                name = parts[-1]
                toks = name.split()
        legal = _LEGAL_END.search(name)
        last = (toks[-1][:-1] if toks[-1].endswith("s") else toks[-1]) if len(toks) > 1 else toks[-1]
        if len(toks) >= 2 and (legal or _ORG_HEAD_MULTI.search(toks[-1]) or _ORG_HEAD_MULTI.search(last)):
            if toks[0] in ("Den", "Det", "De") and len(toks) == 2 and not legal and \
                    not _ORG_HEAD_SINGLE.match(toks[1]):
                continue
            if _taken(ctx, ln.idx, start, m_e):
                continue
            kind = _kind_from_name(name)
            _add_org(ctx, ln, start, m_e, name, kind, "org-suffix")
        elif 2 <= len(toks) <= 4 and _ORG_HEAD_SINGLE.match(toks[0]) and toks[0] not in STOP and \
                not any(t in ("og", "for", "i", "af", "til", "under") for t in toks) and \
                gazetteer_org(toks[0]) is None:
            # head first: "Grundejerforeningen Solbakken", "Boligforeningen Vestergaarden"
            if not _taken(ctx, ln.idx, start, m_e):
                _add_org(ctx, ln, start, m_e, name, _kind_from_name(toks[0]), "org-head-first")
        elif len(toks) == 1 and (_ORG_HEAD_SINGLE.match(toks[0]) or
                                 _ORG_HEAD_SINGLE.match(re.sub(r"s$", "", toks[0]))):
            if _taken(ctx, ln.idx, start, m_e):
                continue
            _add_org(ctx, ln, start, m_e, toks[0], _kind_from_name(toks[0]), "org-suffix")
    # f. "ABC – Albertslund Boligsociale Center": abbreviation before a dash
    for m in (_ABBR_DASH.finditer(t) if _SPACED_DASH.search(t) else ()):
        full = m.group("full")
        ab = m.group("ab")
        words = [w for w in re.split(r"[\s-]+", full) if w and w not in ("og", "for", "i", "af")]
        initials = "".join(w[0].upper() for w in words)
        n = len(ab)
        if initials[:n] == ab or _ORG_HEAD_MULTI.search(" ".join(full.split()[:n])):
            fullname = " ".join(full.split()[:max(n, 1)])
            if initials[:n] != ab:
                continue
            # "TMB - Tilsyn med ..." is a committee prefix before an item title, not an organisation
            if not (_ORG_HEAD_MULTI.search(fullname.split()[-1]) or gazetteer_org(fullname)):
                continue
            _add_org(ctx, ln, m.start(), m.end(), fullname, _kind_from_name(fullname), "abbr-dash",
                     aliases=(ab, f"{ab} – {fullname}"))
    # g. cue phrases: "i samarbejde med X", "konsulentfirmaet X", "finansieret af X"
    for m in (_CUES.finditer(t) if _CUES_ANY.search(t) else ()):
        rest = t[m.end():]
        c = _CAPSEQ.match(rest)
        if not c:
            continue
        seq = c.group(0)
        for part in re.split(r"(?<![A-Z])\s*/\s*(?![A-Z]\b)|(?<=A/S|ApS|I/S|P/S|K/S|IVS)\s+og\s+|"
                             r"\s+og\s+(?=[A-ZÆØÅ]{2,}\b)|(?<=Kommune)\s+og\s+|(?<=Kommuner)\s+og\s+", seq):
            part = _clean_org_name(part)
            if not part or part in STOP:
                continue
            s = m.end() + rest.find(part)
            if _taken(ctx, ln.idx, s, s + len(part)):
                continue
            if len(part.split()) > 6:
                continue
            # "sammen med Viborg og Skive": municipalities, not an organisation
            if all(gazetteer.municipality_by_name(re.sub(r"\s+Kommuner?$", "", x))
                   for x in re.split(r"\s*,\s*|\s+og\s+", part) if x):
                continue
            _add_org(ctx, ln, s, s + len(part), part, "company", "cue:" + re.sub(r"\s+", " ", m.group(0).strip()))
    # h. "X (ABC)" after an organisation found above: abbreviation alias
    for a, b, key, _p in list(ctx.org_mentions.get(ln.idx, [])):
        ab = re.match(r"\s*\(([A-ZÆØÅ]{2,7})\)", t[b:])
        if ab and ab.group(1) not in ctx.orgs[key]["aliases"]:
            ctx.orgs[key]["aliases"].append(ab.group(1))


def _org_like(name: str) -> bool:
    """Does a capitalised name look like an organisation by its own words?"""
    toks = name.split()
    if not toks or toks[0] in STOP:
        return False
    if gazetteer_org(name):
        return True
    if len(toks) >= 2 and (_ORG_HEAD_MULTI.search(toks[-1]) or re.search(r"\s" + _LEGAL_FORM + r"$", name)):
        return True
    if len(toks) >= 3 and toks[1] in ("for", "til") and _HEAD_FIRST.match(toks[0]):
        return True         # "Rådet for Sikker Trafik", "Center for Sund Aldring"
    return bool(_ORG_HEAD_SINGLE.match(toks[0]) or _ORG_HEAD_SINGLE.match(re.sub(r"s$", "", toks[0])))


def _kind_from_name(name: str) -> str:
    n = name.casefold()
    if re.search(r"(a/s|aps|i/s|p/s|k/s|ivs|consulting|consult|invest|group|holding|partners|avis|avisen|lokalavis)$", n):
        return "company"
    if re.search(r"(fonden|fondet|fond)$", n):
        return "fund"
    if re.search(r"(ministeriet|styrelsen|styrelse|banken|nævnet|rådet)$", n):
        return "authority" if "ministeriet" in n else "agency"
    if re.search(r"(fagforening|forbund|forbundet)$", n):
        return "union"
    if re.search(r"(forening|foreningen)$", n):
        return "association"
    if re.search(r"(universitet|universitetet|gymnasium|akademi|akademiet|skole|skolen|højskole)$", n):
        return "education"
    if re.search(r"service$", n):
        return "network"
    return "other"


# --------------------------------------------------------------------------- municipalities

def _find_municipalities(ctx: Ctx, ln: Line) -> None:
    found = []
    for m in gazetteer.find_municipalities(ln.text):
        if m.cue == "bare":
            before = ln.text[max(0, m.start - 120):m.start].rstrip()   # a window: the whole prefix made this quadratic
            prev = re.search(r"(\S+)$", before)
            if prev and (prev.group(1) in FIRST_NAMES or prev.group(1) in ctx.members):
                continue        # a surname ("Lotte Greve")
        found.append(m)
    if found:
        ctx.muni_mentions[ln.idx] = found


# --------------------------------------------------------------------------- persons

_NAME = CAP + LOW + r"+(?:-" + CAP + LOW + r"+)?(?:\s+(?:" + CAP + r"\.|" + CAP + LOW + r"+(?:-" + CAP + LOW + r"+)?)){1,3}"
_ROLE_ALT = r"(?i:" + "|".join(sorted(ROLES, key=len, reverse=True)) + r"|" + _labels.staff_pattern() + r")"
# "Havnechef Jens Brøndum", "Sagsbehandler: Louise Dam", "Børne- og skoledirektør, Peter Vinding",
# "direktør for Arbejdsmarked og Sundhed, Helle Thygesen"
_ROLE_RE = re.compile(r"(?<![\w-])(?P<role>" + _ROLE_ALT + r")(?:\s+for\s+(?P<for>[^,.;:()|]{3,80}?)\s*,\s*|\s*:\s*|\s*,\s*|\s*\|\s*|\s+)(?=" + CAP + ")")
_NAME_RE = re.compile(_NAME + r"(?![\w-])")


def _build_role_prefilter():
    """Where can a role match start? Its role word (listed role, staff word, or a compound ending in
    a staff head, maybe after "kultur- og ") ends right before whitespace, ':', ',' or '|', and its
    last four letters are one of a small set (found in the lower-cased text). The match starts at the
    first letter of that word, or at the first letter of a coordinated "xxx- og|eller " before it."""
    staff = _labels.table().get("staff", {})
    ends = set(ROLES) | set(staff.get("words", [])) | set(staff.get("heads", []))
    if not ends or not all(re.fullmatch(r"[a-zæøåéüö]+", e) for e in ends):
        return None
    tails = {e[-4:] for e in ends}
    # scanned at the (rarer) characters after a word, looking back for the tail
    by_len: dict = {}
    for x in tails:
        by_len.setdefault(len(x), []).append(re.escape(x))
    return re.compile(r"[^\w-](?:" + "|".join(f"(?<=(?:{'|'.join(sorted(v))}).)" for _n, v in sorted(by_len.items()))
                      + ")"), tuple(sorted(tails))


_role_pre = _build_role_prefilter()


def _role_word_ends(low: str) -> list:
    """Offsets in a lower-cased Latin-1 text where a role word can end: the end of one of the
    role tails followed by a character that is not a word character or '-' (or the end)."""
    pat, tails = _role_pre
    ends = [m.start() for m in pat.finditer(low)]
    if low.endswith(tails):
        ends.append(len(low))
    return ends
_ROLE_LETTERS_REV = re.compile(r"[A-Za-zÆØÅæøåÉéÜüÖö]*")     # every letter a role word can match (ignore case)
_ROLE_COORD = re.compile(r"(?i)(?<![\w-])[a-zæøå]+-\s+(?:og|eller)\s+")


def _role_matches(t: str, low: Optional[str] = None, role_ends=None):
    """``_ROLE_RE.finditer(t)``; ``low``/``role_ends`` are ``t.lower()`` and ``_role_word_ends(low)``
    when the caller has them (Latin-1 text only)."""
    if _role_pre is None or _NON_LATIN1.search(t):
        return _ROLE_RE.finditer(t)
    if role_ends is None:
        low = t.lower()
        role_ends = _role_word_ends(low)
    # the role word of a match is followed by whitespace, ':', ',' or '|'
    ends = [q for q in role_ends if q < len(low) and (low[q] in ":,|" or low[q].isspace())]
    if not ends:
        return ()
    rev, n = t[::-1], len(t)
    starts = {n - _ROLE_LETTERS_REV.match(rev, n - q).end() for q in ends}
    if "-" in t:        # every _ROLE_COORD match has a '-'
        starts.update(m.start() for m in _ROLE_COORD.finditer(t))
    return _matches_at(_ROLE_RE, t, starts)


_ROLE_WORD = re.compile(_ROLE_ALT + r"(?![\w-])")


def _role_name(word: str) -> str:
    w = re.sub(r"\s+", " ", word).strip().casefold()
    return ROLES.get(w, w)


def _cap_score(name: str) -> tuple[int, int]:
    """Capitals inside a name (after its first letter), then a capital first letter."""
    return sum(c.isupper() for c in name[1:]), int(name[:1].isupper())


def _names_after(t: str, pos: int) -> list[str]:
    """Person names printed after a role word: "John Hermansen og Kent Falkenvig"."""
    out = []
    while True:
        if _ROLE_WORD.match(t, pos):
            break
        m = _NAME_RE.match(t, pos)
        if not m:
            break
        name = m.group(0)
        # a name must not swallow a following role word ("Anders Stryhn Rådssekretær")
        toks = name.split()
        cut = next((i for i, tok in enumerate(toks) if i > 0 and (tok.casefold() in ROLES or
                                                                _labels.is_staff_title(tok))), None)
        if cut is not None:
            name = " ".join(toks[:cut])
        out.append(name)
        sep = re.match(r"\s*(?:,|og)\s*", t[m.end():])
        if not sep or cut is not None:
            break
        pos = m.end() + sep.end()
    return out


def _split_names(s: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*,\s*|\s+og\s+", s) if p.strip()]


def _valid_person(name: str, ctx: Ctx) -> bool:
    toks = name.split()
    if len(toks) < 2:
        return False
    if any(t in STOP for t in toks):
        return False
    if gazetteer.municipality_by_name(toks[-1]) and toks[0] not in FIRST_NAMES:
        return False
    if any(_ORG_HEAD_MULTI.search(t) for t in toks):
        return False
    return True


_NAME_ROLE_RE = re.compile(r"(?P<name>" + _NAME + r")(?:\s*,\s*|\s+\()(?P<role>" + _ROLE_ALT + r")(?![\w-])")
_NAME_FRA_RE = re.compile(r"(?P<name>" + _NAME + r")\s+fra\s+(?P<org>" + _CAPSEQ.pattern + r")")
_VED_NAME_RE = re.compile(r"(?:\bv/\s*|\b(?:[Oo]plæg|[Oo]rientering|[Pp]ræsentation)\s+ved\s+)(?P<name>" + _NAME + r")")
_NAME_PARTY_RE = re.compile(r"(?P<name>" + _NAME + r")\s*\((?P<p>[A-ZÆØÅ])\)")


_PARTY_LETTER = re.compile(r"\([A-ZÆØÅ]\)")      # in every _NAME_PARTY_RE match (speed only)


# the start of every _NAME ("Anne Hansen", "Connie B."): every person rule needs one (speed only)
_NAME_START = re.compile(CAP + LOW + r"+(?:-" + CAP + LOW + r"+)?\s+" + CAP)


def _find_persons(ctx: Ctx, ln: Line, out: dict) -> None:
    t = ln.text
    if _NAME_START.search(t) is None:
        return          # each rule below reads a name (_NAME), so none can find anything
    # speed only: exact prefilters (a role word must end somewhere for the role patterns; the other
    # patterns need their literal words or marks); text that is not Latin-1 runs every pattern
    low = ln.low if _role_pre is not None else None
    role_ends = _role_word_ends(low) if low is not None else None
    for m in _role_matches(t, low, role_ends) if role_ends is None or role_ends else ():
        role_word = re.sub(r"\s+", " ", m.group("role"))
        role = _role_name(role_word)
        for name in _names_after(t, m.end()):
            name = re.sub(r"\s+", " ", name)
            if not _valid_person(name, ctx) or name in ctx.members:
                continue
            aff = m.group("for").strip() if m.group("for") else _affiliation(ctx, ln, m.start())
            _put_person(out, Person(name=name, role=role, affiliation=aff, item=ln.item, span=_span(ln),
                                    rule="role:" + role_word.casefold()))
    # "Anne Hansen, centerchef" / "Anne Hansen (centerchef)": the role printed after the name
    for m in (_NAME_ROLE_RE.finditer(t) if role_ends is None or role_ends and ("," in t or "(" in t) else ()):
        name = m.group("name")
        if name.split()[0] not in FIRST_NAMES or name in ctx.members or not _valid_person(name, ctx):
            continue
        aff = None
        am = re.match(r"\s+(?:i|for|hos|ved)\s+", t[m.end():])
        if am:
            aff = _entity_after(ctx, ln, m.end() + am.end(), 5)
        _put_person(out, Person(name=name, role=_role_name(m.group("role")), affiliation=aff,
                                item=ln.item, span=_span(ln), rule="name+role"))
    # "Oplæg v/ Anne Hansen", "orientering ved Anne Hansen"
    for m in (_VED_NAME_RE.finditer(t) if "v/" in t or "ved" in t else ()):
        name = m.group("name")
        if name.split()[0] not in FIRST_NAMES or name in ctx.members or not _valid_person(name, ctx):
            continue
        _put_person(out, Person(name=name, role=None, affiliation=None, item=ln.item, span=_span(ln),
                                rule="ved-name"))
    # "Flemming Hansen fra Sund Invest"
    for m in (_NAME_FRA_RE.finditer(t) if "fra" in t else ()):
        name = m.group("name")
        if name.split()[0] not in FIRST_NAMES or name in ctx.members or not _valid_person(name, ctx):
            continue
        org = _clean_org_name(m.group("org"))
        key = _add_org(ctx, ln, m.start("org"), m.start("org") + len(org), org, "company", "person-fra")
        aff = ctx.orgs[key]["name"] if key else org
        _put_person(out, Person(name=name, role=None, affiliation=aff, item=ln.item, span=_span(ln),
                                rule="name-fra-org"))
    # "Lotte Greve (V)" printed with a list letter but not a member of this committee
    for m in (_NAME_PARTY_RE.finditer(t) if _PARTY_LETTER.search(t) else ()):
        name = m.group("name")
        name = re.sub(r"^(?:Formand|Næstformand|Medlem|Afbud:?)\s+", "", name)
        if name in ctx.members or name.split()[0] not in FIRST_NAMES or not _valid_person(name, ctx):
            continue
        if not ctx.members:
            continue
        # only people printed under another committee's decision ("Beslutning Udvalget for Børn & Ungdom
        # ... Afbud: Lotte Greve (V)"); elsewhere a name with a list letter is a member the parser missed
        aff = _committee_context(ctx, ln)
        if aff is None or (ctx.doc.committee and aff.casefold() == ctx.doc.committee.casefold()):
            continue
        _put_person(out, Person(name=name, role=None, affiliation=aff, item=ln.item, span=_span(ln),
                                rule="name+party-not-member"))


def _committee_context(ctx: Ctx, ln: Line) -> Optional[str]:
    for j in range(ln.idx - 1, max(-1, ln.idx - 8), -1):
        m = re.match(r"^\s*Beslutning\s+(Udvalget\s+for\s+.+?|\S+udvalget)(?:\s+den\s+\d|\s*$)", ctx.lines[j].text)
        if m:
            return m.group(1).strip()
    return None


def _affiliation(ctx: Ctx, ln: Line, pos: int) -> Optional[str]:
    best = None
    for a, b, key, _p in ctx.org_mentions.get(ln.idx, []):
        if b <= pos and pos - b < 40 and not re.search(r"[.!?;]", ln.text[b:pos]):
            best = key
    if best is None:
        for j in range(ln.idx - 1, max(-1, ln.idx - 4), -1):
            if ctx.lines[j].text.strip():
                ms = ctx.org_mentions.get(j, [])
                if ms and ctx.lines[j].text.rstrip().endswith(":"):
                    best = ms[-1][2]
                break
    return ctx.orgs[best]["name"] if best else None


def _put_person(out: dict, p: Person) -> None:
    k = person_key(None, p.name)[0]
    if k not in out:
        out[k] = p


# --------------------------------------------------------------------------- money

_NUM = r"\d{1,3}(?:[.\s]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_AMOUNT_RE = re.compile(
    r"(?:(?P<u5>mio\.?|mia\.?|t\.)\s*kr\.?\s*(?P<n5>" + _NUM + r")(?![\d.,]\d)"
    r"|(?P<n4>" + _NUM + r")\s*(?P<u4>t\.\s?kr\.?|tkr\.?|tusind\s+kr(?:\.|oner))"
    r"|(?P<pre>kr\.?|DKK)\s*(?P<n1>" + _NUM + r")(?:\s*(?P<u1>mio\.?|mia\.?|millioner|milliarder|mill\.?))?"
    r"|(?P<n2>" + _NUM + r")\s*(?P<u2>mio\.?|mia\.?|millioner|milliarder|mill\.?|t\.?\s?kr\.?|tkr\.?|tusind)?\s*"
    r"(?:kr\.?|kroner|DKK)(?![\w]))"
    r"|(?P<n3>" + _NUM + r")\s*(?P<u3>mio\.?|mia\.?|millioner|milliarder)(?![\w])")
_DIGIT = re.compile(r"\d")
_PER_YEAR = re.compile(r"^\s*(?:\S+\s+){0,2}?(?:årligt|om\s+året|pr\.\s*år|per\s+år|/\s*år|hvert\s+år|årlig)\b")


def parse_amount(text: str) -> Optional[tuple[float, Optional[str], int, int]]:
    """First DKK amount in ``text`` as (value, per, start, end):
    "710.000 kr." -> 710000; "1,2 mio. kr." -> 1200000; "kr. 40.000 årligt" -> (40000, "year");
    "2 mia." -> 2e9; "450 t.kr." -> 450000."""
    if _DIGIT.search(text) is None:      # every amount has a number (speed only)
        return None
    for m in _AMOUNT_RE.finditer(text):
        num = m.group("n5") or m.group("n4") or m.group("n1") or m.group("n2") or m.group("n3")
        unit = (m.group("u5") or m.group("u4") or m.group("u1") or m.group("u2") or m.group("u3") or "").casefold().replace(" ", "")
        if unit == "t.":
            unit = "t.kr"
        v = _to_number(num)
        if v is None:
            continue
        if unit.startswith("mio") or unit.startswith("mill"):
            v *= 1_000_000
        elif unit.startswith("mia") or unit.startswith("milliard"):
            v *= 1_000_000_000
        elif unit.startswith("t") and "kr" in unit or unit == "tusind":
            v *= 1_000
        per = "year" if _PER_YEAR.match(text[m.end():]) else None
        return v, per, m.start(), m.end()
    return None


def _to_number(s: str) -> Optional[float]:
    s = s.strip()
    if re.fullmatch(r"\d{1,3}(?:[.\s]\d{3})+(?:,\d+)?", s):
        s = re.sub(r"[.\s]", "", s).replace(",", ".")
    else:
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


# --------------------------------------------------------------------------- dates

MONTHS = {"januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "august": 8,
          "september": 9, "oktober": 10, "november": 11, "december": 12,
          "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10,
          "nov": 11, "dec": 12}
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = r"(?:(?P<d{0}>\d{{1,2}})\.\s*)?(?:(?P<m{0}>" + _MON + r")\.?\s+)?(?P<y{0}>(?:19|20)\d{{2}})"
_PERIOD = re.compile(r"(?:perioden|periode|fra)\s+(?:" + _DATE.format(1) + r")\s*(?:til(?:\s+og\s+med)?|–|-|—)\s*(?:" +
                     _DATE.format(2) + r"|(?P<yy>\d{2})(?!\d))", re.I)
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})\.\s*(?P<m>" + _MON + r")\s+(?P<y>(?:19|20)\d{2})\s*(?:–|-|—|til)\s*"
                  r"(?P<d2>\d{1,2})\.\s*(?P<m2>" + _MON + r")\s+(?P<y2>(?:19|20)\d{2})", re.I)
_START = re.compile(r"(?:igangsat|startet|opstartet|begyndt|etableret)\s+(?:primo|i|medio|ultimo)?\s*(?P<y>(?:19|20)\d{2})")


def _iso(d, m, y) -> Optional[str]:
    if not y:
        return None
    if m:
        mm = MONTHS.get(m.casefold().rstrip("."))
        if d:
            return f"{int(y):04d}-{mm:02d}-{int(d):02d}"
        return f"{int(y):04d}-{mm:02d}"
    return f"{int(y):04d}"


_YEAR = re.compile(r"(?:19|20)\d{2}")


def parse_period(text: str) -> tuple[Optional[str], Optional[str]]:
    """Start/end dates printed in a sentence: "i perioden 1. april 2022 – 31. december 2023",
    "april 2022 til december 2023", "i perioden 2019-21", "1. juli 2022 - 30. juni 2026"."""
    if _YEAR.search(text) is None:      # every rule below needs a year (speed only)
        return None, None
    m = _DMY.search(text)
    if m:
        return _iso(m.group("d"), m.group("m"), m.group("y")), _iso(m.group("d2"), m.group("m2"), m.group("y2"))
    m = _PERIOD.search(text)
    if m:
        start = _iso(m.group("d1"), m.group("m1"), m.group("y1"))
        if m.group("yy"):
            end = str(int(m.group("y1")[:2] + m.group("yy")))
        else:
            end = _iso(m.group("d2"), m.group("m2"), m.group("y2"))
        return start, end
    m = re.search(r"(?<![\d.])(?P<m1>" + _MON + r")\s+(?P<y1>(?:19|20)\d{2})\s+(?:til|–|-)\s+(?P<m2>" + _MON +
                  r")\s+(?P<y2>(?:19|20)\d{2})", text, re.I)
    if m:
        return _iso(None, m.group("m1"), m.group("y1")), _iso(None, m.group("m2"), m.group("y2"))
    m = _START.search(text)
    if m:
        return m.group("y"), None
    return None, None


# --------------------------------------------------------------------------- projects

_QUOTED = r"[\"“”„'‘’»«](?P<q>[^\"“”„'‘’»«\n]{3,90})[\"“”'‘’«»]"
_PROJ_FUNDED_QUOTED = re.compile(
    r"\b(?:bevilget|bevilger|bevilgede|givet\s+tilsagn|tilsagn|tilskud|støtte|støtter|støttet|midler|donation)\b"
    r"[^;\n]{0,80}?\btil\s+" + _QUOTED, re.I)
_ITALIC = r"\*(?P<i>[^*\n]{3,90})\*"
_CAPNAME = (r"(?P<c>" + CAP + r"[\w-]*(?:\s+(?:" + CAP + r"[\w-]*|og|i|for|til|af|på|med|om|\d+(?:\.\d+)*(?![\w.]\w)))*"
            r"(?:\s+" + CAP + r"[\w-]*|\s+\d+(?:\.\d+)*(?![\w.]\w))?)")
_PROJ_CUE = re.compile(
    r"(?<![\w-])(?P<cue>(?:[\wæøåÆØÅ]+-)?[Pp]rojekt(?:et)?|[Uu]dviklingsindsatsen|[Ii]nitiativet|[Kk]ampagnen|[Pp]rogrammet|"
    r"[Ss]amarbejdsprogrammet|[Ff]orsøget|[Nn]etværket|[Ss]amarbejdsaftale(?:n)?\s+om|"
    r"[Pp]uljen?\s+(?:til|for))\s+(?:" + _QUOTED + "|" + _ITALIC + "|" + _CAPNAME + ")"
    r"|(?P<cue2>kaldet|med\s+titlen|med\s+navnet|med\s+overskriften|hedder)\s+(?:" +
    _QUOTED.replace("?P<q>", "?P<q2>") + "|" + _ITALIC.replace("?P<i>", "?P<i2>") + ")")
_PROJ_LOWER = re.compile(r"(?<![\w-])[Pp]rojekt\s+(?P<rest>(?:med|om)\s+[^.;:(),\n]{3,120}|(?!(?:og|er|at|i|til|der|som|"
                         r"har|kan|vil|skal|blev|en|et|det|den|de|med|om|for|på|af|hvor|hvis|inden|under|efter|før|"
                         r"ved|vedr|vedrørende|fra|mellem|mod|uden|bliver|blive|ikke|også|kun|nu|samt|eller|men|så|"
                         r"da|når|fordi|sammen|ud|op|ind|igen|endnu|allerede|primært|særligt|skulle|kunne|ville|"
                         r"havde|var|bør|må|gennemføres|afsluttes|igangsættes|startes|omfatter|handler|"
                         r"indebærer|løber|sigter|forventes|tager)\b)[a-zæøå](?:[^.;:()\n,]|(?<=\d)\.(?=\d)){3,80})")
_ARTICLE_BEFORE = re.compile(r"(?:\b(?:et|ét|nyt|dette|det|stort|større|mindre|sådant|andet|hvert|eget|"
                             r"fælles|pågældende|nævnte|samme|ethvert|første|andet|tredje|lille|godt|vores|"
                             r"jeres|deres|sit|mit|dit|vort|nationalt|lokalt|tværkommunalt|regionalt)\s+)$", re.I)
# speed only: every _PROJ_CUE match contains one of these words, every quoted pattern a quote mark,
# every _PROJ_LOWER match "rojekt"; lines without them skip those patterns
_PROJ_CUE_WORDS = ("rojekt", "dviklingsindsatsen", "nitiativet", "ampagnen", "rogrammet", "orsøget", "etværket",
                   "amarbejdsaftale", "ulje", "kaldet", "titlen", "navnet", "overskriften", "hedder")
_PROJ_CUE_ANY = _any_of(_PROJ_CUE_WORDS)
_ANY_QUOTE = re.compile(r"[\"“”„'‘’»«]")
_PROJ_QUOTED_PULJE = re.compile(r"[\"“”„](?P<q>[Pp]ulje(?:n)?\s+(?:til|for)\s+[^\"“”„\n]{3,120})[\"“”]")
_CUT_LOWER = re.compile(r"\s+(?:i|til|på|ved|som|der|hvor|samt|og\s+(?:at|der))\s+")


def _project_names(ctx: Ctx, ln: Line) -> list[tuple[str, list, str, int]]:
    """(name, aliases, rule, position) of project mentions in one line."""
    t = ln.text
    out = []
    has_quote = _ANY_QUOTE.search(t) is not None
    for m in (_PROJ_CUE.finditer(t) if _PROJ_CUE_ANY.search(t) else ()):
        if m.group("cue2"):
            if not re.search(r"[Pp]rojekt|[Ii]ndsats|[Ii]nitiativ|[Kk]ampagne|[Pp]rogram|[Ff]orsøg|[Pp]ulje",
                             t[max(0, m.start() - 120):m.start()]):
                continue
            out.append((_clean_org_name(m.group("q2") or m.group("i2")), [], "cue:" + m.group("cue2").split()[-1],
                        m.start()))
            continue
        cue = m.group("cue")
        name = m.group("q") or m.group("i") or m.group("c")
        name = _clean_org_name(name)
        if m.group("c"):
            toks = name.split()
            if not toks or toks[0] in STOP or _bad_project_name(name, ctx):
                continue
        if len(name) < 3:
            continue
        aliases = []
        rule = "cue:" + cue.casefold().split()[0]
        if cue.lower().startswith("pulje"):
            aliases.append(f"Pulje {cue.split()[-1]} {name}")
        out.append((name, aliases, rule, m.start()))
    for m in (_PROJ_QUOTED_PULJE.finditer(t) if has_quote else ()):
        name = _clean_org_name(m.group("q"))
        out.append((name, [], "quoted-pulje", m.start()))
    # "har bevilget 900.000 kr. til "Virksomhedsnetværk Trekantområdet"": the quoted thing funded
    for m in (_PROJ_FUNDED_QUOTED.finditer(t) if has_quote else ()):
        name = _clean_org_name(m.group("q"))
        if len(name) >= 3 and name[:1].isupper() and not any(n == name for n, *_ in out):
            out.append((name, [], "funded-quoted", m.start("q") - 1))
    for m in (_PROJ_LOWER.finditer(t) if "rojekt" in t else ()):
        if _ARTICLE_BEFORE.search(t[max(0, m.start() - 20):m.start()]):
            continue        # "et nyt projekt ..." describes, it does not name
        rest = m.group("rest").strip()
        full = "projekt " + rest
        if rest.startswith(("med ", "om ")):
            # "projekt om kompetenceløft af unge i alderen 15 – 29 år"
            words = full.split()
            if len(words) > 14:
                full = " ".join(words[:14])
            aliases = [full]
            cut = _CUT_LOWER.split(rest, maxsplit=1)[0]
            short = re.sub(r"^(?:med|om)\s+", "", cut)
            if short != rest:
                aliases.append("projekt " + cut)
            if len(short.split()) >= 2:
                aliases.append(short)
            out.append((full, aliases[1:], "projekt-med/om", m.start()))
        else:
            name = _CUT_LOWER.split(rest, maxsplit=1)[0].strip()
            if len(name.split()) < 2 or len(name.split()) > 8:
                continue
            out.append((name, ["projekt " + name], "projekt-lowercase", m.start()))
    # italic names next to other project names ("Både *Din indgang* og *Fælles om familierne*")
    return out


def _continues_as(t: str, pos: int, name: str) -> bool:
    """Is ``t`` at ``pos`` "projekt <name>" in any case, the name ending at a word end?"""
    pat = r"[Pp]rojekt\s+" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?![\w-])"
    return re.compile(pat, re.I).match(t, pos) is not None


def _bad_project_name(name: str, ctx: Ctx) -> bool:
    if gazetteer.municipality_by_name(name):
        return True
    if re.search(r"\b[Kk]ommunes?\b", name):
        return True
    return False


# --------------------------------------------------------------------------- funders, partners, grants

_FUND_CUE = re.compile(
    r"(?:finansieret\s+af|medfinansieret\s+af|finansieres\s+af|tilskud\s+fra|tilsagn\s+(?:om\s+tilskud\s+)?(?:på\s+.{0,40}?\s+)?fra|"
    r"økonomisk\s+støtte\s+fra|støtte\s+fra|midler\s+fra|bevillinger?\s+fra|bevilget\s+af|donation\s+fra|"
    r"puljemidler\s+fra|ansøgning\s+om\s+midler\s+fra|støttet\s+af|sponsoreret\s+af|tilskud\s+på\s+.{0,40}?\s+fra|medfinansiering\s+fra|"
    r"bevilget\s+.{0,40}?\s+fra|modtaget\s+(?:et\s+beløb\s+på\s+|i\s+alt\s+)?[\d.,]+\s*(?:mio\.?\s*|mia\.?\s*)?"
    r"(?:kr\.?|kroner)\s+fra)\s+", re.I)
_FUND_VERB = re.compile(r"\s+(?:bevilger|bevilgede|yder|ydede|giver|gav|har\s+(?:(?:også|derudover|desuden|endvidere|tidligere|nu|allerede)\s+)?(?:bevilget|givet)|tildeler|"
                        r"støtter|støttede|har\s+(?:(?:også|derudover|desuden|endvidere|tidligere|allerede)\s+)?støttet|finansierer|medfinansierer|"
                        r"tildelte|har\s+tildelt)\b")
_BUDGET_FUND = re.compile(r"(?:bevilling\s+i\s+budget|i\s+medfør\s+af\s+budget|budgetaftalen|budgettet\s+\d{4}|"
                          r"finansieres\s+inden\s+for\s+budget)", re.I)
_APPLICATION = re.compile(r"\b(?:ansøg\w*|søger|søge|søgt|interessetilkendegivelse|"
                          r"interesstillkendelse)\b", re.I)
_GRANTED = re.compile(r"\b(?:imødekom\w*|bevilget|tildelt|givet\s+tilsagn|modtaget\s+tilsagn|fået\s+tilsagn|"
                      r"tilsagn\s+om\s+tilskud\s+på)\b", re.I)
_GRANT_CUE = re.compile(r"(?:tilskud|tilsagn|bevilling|bevilger|bevilget|støtte\s+fra|midler\s+fra|finansier(?:et|es)\s+af|"
                        r"støtter|støttet|medfinansiering|finansierer|modtaget\s+[\d.,]+|"
                        r"donation|tildel)", re.I)
_PARTNER_CUE = re.compile(r"(?:i\s+samarbejde\s+med|samarbejde\s+med|partnerskab\s+med|understøttelse\s+fra|"
                          r"drives\s+af|drevet\s+af|(?:gennemføres|afvikles|udføres)\s+sammen\s+med|"
                          r"i\s+regi\s+af|udviklet\s+i\s+samarbejde\s+med)\s+", re.I)

# Speed only: literal words of which every match of a cue pattern contains one (read off the patterns
# above; the case-insensitive ones in lower case, for the lower-cased text). A line holding none of
# them skips that pattern.
_FUND_CUE_ANY = _any_of(("finansier", "tilskud", "tilsagn", "støtte", "midler", "bevil", "donation", "sponsoreret",
                         "modtaget"))
_FUND_VERB_ANY = _any_of(("bevilge", "yde", "giver", "gav", "givet", "tildel", "støtte", "finansierer"))
_PARTNER_CUE_ANY = _any_of(("samarbejde med", "partnerskab med", "understøttelse fra", "drives af", "drevet af",
                            "sammen med", "regi af"))
_GRANT_CUE_ANY = _any_of(("tilskud", "tilsagn", "bevil", "støtte", "midler", "finansier", "modtaget", "donation",
                          "tildel"))

# Speed only: a case-insensitive pattern written in lower case finds the same spans as the same
# pattern matched case-sensitively against the lower-cased text, when the text is Latin-1 (where
# str.lower() agrees with the regex engine's ignore-case matching and keeps every offset); the
# case-sensitive form is several times faster. Other texts use the original pattern.
_LOWER_FORM = {p: re.compile(p.pattern, p.flags & ~re.I) for p in
               (_FUND_CUE, _BUDGET_FUND, _APPLICATION, _GRANTED, _GRANT_CUE, _PARTNER_CUE)
               if p.flags & re.I and p.pattern == p.pattern.lower()}


def _lower_latin1(text: str) -> Optional[str]:
    """``text.lower()`` when every character is Latin-1 (``_NON_LATIN1`` finds none), else None."""
    try:
        text.encode("latin-1")          # a plain copy for Latin-1 text; faster than the regex scan
    except UnicodeEncodeError:
        return None
    return text.lower()


def _ci_finditer(p: re.Pattern, text: str, low: Optional[str]):
    q = _LOWER_FORM.get(p)
    return q.finditer(low) if q is not None and low is not None else p.finditer(text)


def _ci_search(p: re.Pattern, text: str, low: Optional[str]):
    q = _LOWER_FORM.get(p)
    return q.search(low) if q is not None and low is not None else p.search(text)


def _entity_after(ctx: Ctx, ln: Line, pos: int, limit: int = 80) -> Optional[str]:
    """Name (organisation canonical name or municipality name) of the first entity after ``pos``."""
    best = None
    for a, b, key, _p in ctx.org_mentions.get(ln.idx, []):
        if pos <= a <= pos + limit and (best is None or a < best[0]):
            best = (a, ctx.orgs[key]["name"])
    for m in ctx.muni_mentions.get(ln.idx, []):
        if pos <= m.start <= pos + limit and (best is None or m.start < best[0]):
            best = (m.start, m.name)
    return best[1] if best else None


_COORD = re.compile(r"\s*(?:\([A-ZÆØÅ][A-ZÆØÅa-z+]{1,7}\)\s*)?(?:,|og|samt)\s*")


def _entities_after(ctx: Ctx, ln: Line, pos: int, limit: int, end: int) -> list[str]:
    """The first entity after ``pos`` (as ``_entity_after``) and the entities coordinated with it up
    to ``end``: "finansieret af Nordea-fonden og Novo Nordisk Fonden", "A, B samt C". A name that
    itself holds "og" ("Lokale og Anlægsfonden") is one mention, so it is not split."""
    ments = [(a, b, ctx.orgs[key]["name"]) for a, b, key, _p in ctx.org_mentions.get(ln.idx, [])]
    ments += [(m.start, m.end, m.name) for m in ctx.muni_mentions.get(ln.idx, [])]
    first = None
    for m in ments:        # organisations first, then municipalities: the earliest start wins
        if pos <= m[0] <= pos + limit and (first is None or m[0] < first[0]):
            first = m
    if first is None:
        return []
    out, cur = [first[2]], first[1]
    while True:
        nxt = None
        for m in ments:
            if cur <= m[0] < end and (nxt is None or m[0] < nxt[0]):
                nxt = m
        if nxt is None or not _COORD.fullmatch(ln.text, cur, nxt[0]):
            return out
        if nxt[2] not in out:
            out.append(nxt[2])
        cur = nxt[1]


def _entities_in(ctx: Ctx, ln: Line, s: int, e: int) -> list[str]:
    out = []
    for a, b, key, _p in sorted(ctx.org_mentions.get(ln.idx, [])):
        if s <= a < e:
            out.append((a, ctx.orgs[key]["name"]))
    for m in ctx.muni_mentions.get(ln.idx, []):
        if s <= m.start < e and not any(a <= m.start < b for a, b, _k, _p in ctx.org_mentions.get(ln.idx, [])):
            out.append((m.start, m.name))
    out.sort()
    names = []
    for _a, n in out:
        if n not in names:
            names.append(n)
    return names


def _entity_before(ctx: Ctx, ln: Line, pos: int, limit: int = 60) -> Optional[str]:
    best = None
    for a, b, key, _p in ctx.org_mentions.get(ln.idx, []):
        if b <= pos and pos - b <= limit and (best is None or b > best[0]):
            best = (b, ctx.orgs[key]["name"])
    for m in ctx.muni_mentions.get(ln.idx, []):
        if m.end <= pos and pos - m.end <= limit and (best is None or m.end > best[0]):
            best = (m.end, m.name)
    return best[1] if best else None


def _subjects_before(ctx: Ctx, ln: Line, pos: int, sent_start: int) -> list[str]:
    """The entity right before a funding verb, and those coordinated with it ("Erhvervshus Sydjylland
    og Region Syddanmark har bevilget"), first named first."""
    ments = [(a, b, ctx.orgs[key]["name"]) for a, b, key, _p in ctx.org_mentions.get(ln.idx, [])]
    ments += [(m.start, m.end, m.name) for m in ctx.muni_mentions.get(ln.idx, [])]
    ments = sorted({m for m in ments if sent_start < m[1] <= pos}, key=lambda m: m[1])
    near = [m for m in ments if pos - m[1] <= 25]
    if not near:
        return []
    out = [near[-1]]
    for m in reversed(ments):
        if m[1] <= out[-1][0] and re.fullmatch(r"\s*(?:,|og|samt)\s*", ln.text[m[1]:out[-1][0]]):
            out.append(m)
    names = []
    for m in reversed(out):
        if m[2] not in names:
            names.append(m[2])
    return names


# --------------------------------------------------------------------------- main

def extract_entities(doc: Document, src: SourceText) -> Document:
    lines = _join_wrapped(_lines(doc, src))
    for ln in lines:
        ln.low = _lower_latin1(ln.text)
    own = gazetteer.municipality_by_name(doc.municipality) if doc.municipality else _guess_own(src.text)
    members = {m.name for m in doc.members}
    ctx = Ctx(doc=doc, lines=lines, own=own, members=members)
    first_item = next((ln.idx for ln in lines if ln.item is not None), 0)
    body = [ln for ln in lines if ln.idx >= first_item and ln.text.strip()]
    for ln in body:
        _find_orgs(ctx, ln)
    for ln in lines:
        if ln.text.strip():
            _find_municipalities(ctx, ln)
    persons: dict = {}
    # a committee secretary printed in the member list is staff, not a politician
    for m in doc.members:
        if (m.role or "").casefold() == "sekretær" and not m.party:
            _put_person(persons, Person(name=m.name, role="sekretær", affiliation=None, span=m.span,
                                        rule="member-list:sekretær"))
    for ln in lines:
        if ln.text.strip() and ln.idx < first_item:
            _find_persons(ctx, ln, persons)     # staff listed in the header ("Lone Brink, beskæftigelseschef")
    for ln in body:
        _find_persons(ctx, ln, persons)

    # ---- mentioned municipalities (every other municipality named)
    mentioned = {}
    for idx in sorted(ctx.muni_mentions):
        for m in ctx.muni_mentions[idx]:
            if own is not None and m.code == own.code:
                continue
            if m.code not in mentioned:
                mentioned[m.code] = MunicipalityMention(m.name, m.code, _span(lines[idx]))

    # ---- projects
    projects: dict = {}       # key -> dict
    item_projects: dict = {}  # item -> [keys in order]
    titles = {it.number: it.title for it in doc.items}

    def add_project(name, aliases, ln, rule, item):
        key, canon, _ev = project_key(name)
        # "Lemvig Tilflytternetværk" == "Tilflytternetværk": drop a leading municipality name
        alt = re.sub(r"^\S+\s+", "", name) if gazetteer.municipality_by_name(name.split()[0]) and \
            len(name.split()) > 1 else None
        if alt:
            akey = project_key(alt)[0]
            if akey in projects:
                key = akey
        else:
            for k, p in projects.items():
                if p["alt"] == key:
                    key = k
                    break
        p = projects.get(key)
        if p is None:
            p = projects[key] = {"name": canon, "aliases": [], "item": item, "funders": [], "municipalities": [],
                                 "partners": [], "start": None, "end": None, "span": _span(ln), "rule": rule,
                                 "alt": project_key(alt)[0] if alt else None}
        elif alt and not p.get("alt"):
            # prefer the longer, more specific name
            p["aliases"].append(p["name"])
            p["name"] = canon
            p["alt"] = project_key(alt)[0]
        elif canon.casefold() == project_key(p["name"])[1].casefold() or \
                project_key(canon)[0] == project_key(p["name"])[0]:
            # same name: prefer the spelling with capitals as printed in the prose ("Jobformidling Først")
            if sum(c.isupper() for c in canon) > sum(c.isupper() for c in p["name"]) and \
                    not re.match(r"(?i)projekt\s", canon) and not re.match(r"(?i)projekt\s+(?:med|om)\s", p["name"]):
                p["aliases"].append(p["name"])
                p["name"] = canon
        for a in [name, *aliases]:
            a = a.strip()
            if a and a.casefold() != p["name"].casefold() and a.casefold() not in (x.casefold() for x in p["aliases"]):
                p["aliases"].append(a)
        if item is not None:
            lst = item_projects.setdefault(item, [])
            if key not in lst:
                lst.append(key)
        return key

    line_projects: dict = {}   # line idx -> [(pos, key)]
    found = [(ln, _project_names(ctx, ln)) for ln in body]
    # names read from quotes, capitals or cue words: a lower-case "projekt ..." that continues with one
    # of them is that project ("Bilag til deltagelse i projekt bevæg dig for livet i land og by 2016"
    # next to "projektet ”Bevæg Dig for Livet i Land og By 2016”"), not the words before its first
    # preposition
    strong = sorted({n for _ln, names in found for n, _a, rule, _p in names
                     if rule not in ("projekt-lowercase", "projekt-med/om")}, key=lambda n: (-len(n), n))
    for ln, names in found:
        # a title that names a project: "Projekt jobformidling først"
        title = titles.get(ln.item)
        is_heading = title and ln.item is not None and title in ln.text and \
            (ln.idx == 0 or lines[ln.idx - 1].item != ln.item)
        if is_heading and re.match(r"^[Pp]rojekt\s+\S", title):
            k = add_project(re.sub(r"^[Pp]rojekt\s+", "", title) if not re.match(r"^[Pp]rojekt\s+(?:med|om)\s", title)
                            else title, [title], ln, "title:projekt", ln.item)
            line_projects.setdefault(ln.idx, []).append((0, k))
        for name, aliases, rule, pos in names:
            if rule == "projekt-lowercase":
                full = next((n for n in strong if len(n) > len(name) and _continues_as(ln.text, pos, n)), None)
                if full is not None:
                    name, aliases = full, []
            k = add_project(name, aliases, ln, rule, ln.item)
            line_projects.setdefault(ln.idx, []).append((pos, k))

    # ---- funders, partners, municipalities, periods; grants
    grants: list = []
    by_item_lines: dict = {}
    for ln in body:
        by_item_lines.setdefault(ln.item, []).append(ln)
    for item, lns in by_item_lines.items():
        keys = item_projects.get(item, [])
        primary = keys[0] if keys else None
        item_munis = []
        for ln in lns:
            for m in ctx.muni_mentions.get(ln.idx, []):
                if m.name not in item_munis:
                    item_munis.append(m.name)
        for k in keys:
            p = projects[k]
            if own is not None and own.name not in p["municipalities"]:
                p["municipalities"].append(own.name)
            for mn in item_munis:
                if mn not in p["municipalities"]:
                    p["municipalities"].append(mn)
        main_grant = None
        for ln in lns:
            lt = ln.text
            # speed only: which cue families can occur on this line at all (exact prefilters on the
            # lower-cased Latin-1 line; other lines try everything)
            low_line = ln.low
            maybe_fund = low_line is None or _FUND_CUE_ANY.search(low_line) is not None
            maybe_verb = _FUND_VERB_ANY.search(lt) is not None
            if not keys and main_grant is None and not maybe_fund and not maybe_verb:
                continue        # no project, no grant yet and no funder cue: no sentence can add anything
            maybe_budget = own is not None and (low_line is None or "budget" in low_line)
            maybe_partner = low_line is None or _PARTNER_CUE_ANY.search(low_line) is not None
            maybe_grant = low_line is None or _GRANT_CUE_ANY.search(low_line) is not None
            for s, e in _sentences(lt):
                sent = lt[s:e]
                low = low_line[s:e] if low_line is not None else _lower_latin1(sent)
                here = [k for pos, k in line_projects.get(ln.idx, []) if s <= pos < e]
                targets = here or ([primary] if primary else [])
                # funders
                funders = []
                for fm in (_ci_finditer(_FUND_CUE, sent, low) if maybe_fund else ()):
                    # the first entity after the cue and those coordinated with it
                    for f in _entities_after(ctx, ln, s + fm.end(), 60, e):
                        if f not in funders:
                            funders.append(f)
                for vm in (_FUND_VERB.finditer(sent) if maybe_verb else ()):
                    for f in _subjects_before(ctx, ln, s + vm.start(), s):
                        if f not in funders:
                            funders.append(f)
                budget = maybe_budget and bool(_ci_search(_BUDGET_FUND, sent, low)) and own is not None
                period = parse_period(sent) if targets else (None, None)
                for k in targets:
                    p = projects[k]
                    for f in funders + ([own.name] if budget else []):
                        if f not in p["funders"]:
                            p["funders"].append(f)
                    for pm in (_ci_finditer(_PARTNER_CUE, sent, low) if maybe_partner else ()):
                        for n in _entities_in(ctx, ln, s + pm.end(), e):
                            if n not in p["partners"] and n not in p["funders"] and \
                                    (own is None or n != own.name) and gazetteer.municipality_by_name(n) is None:
                                p["partners"].append(n)
                    st, en = period
                    if st and (not p["start"] or (en and not p["end"])):
                        p["start"], p["end"] = st, en
                # grants: an explicit funder and a grant cue, not an application
                if funders and maybe_grant and _ci_search(_GRANT_CUE, sent, low) and \
                        (not _ci_search(_APPLICATION, sent, low) or _ci_search(_GRANTED, sent, low)):
                    amt = parse_amount(sent)
                    proj = projects[targets[0]]["name"] if targets else None
                    prog = None
                    pm = re.search(r"[Pp]uljen?\s+(?:til|for)\s+(?:" + _QUOTED + "|" + _CAPNAME + ")", sent)
                    if pm:
                        prog = "Pulje til " + _clean_org_name(pm.group("q") or pm.group("c"))
                    st, en = parse_period(sent)
                    if targets and not st:
                        st, en = projects[targets[0]]["start"], projects[targets[0]]["end"]
                    # one grant per funder named ("finansieret af A og B"); a printed amount is the
                    # first funder's (for a joint total it is not each funder's share)
                    for n_f, funder in enumerate(funders):
                        recips = []
                        if own is not None and funder != own.name:
                            recips.append(own.name)
                        if own is not None and funder == own.name:
                            tm = re.search(r"\btil\s+(?:drift\s+af\s+)?", sent)
                            r = _entity_after(ctx, ln, s + tm.end(), 40) if tm else None
                            if r and r != own.name:
                                recips.append(r)
                        a = amt if n_f == 0 else None
                        g = {"funder": funder, "recipients": recips, "amount": a[0] if a else None,
                             "per": a[1] if a else None, "project": proj, "programme": prog, "item": item,
                             "start": st, "end": en, "span": _span(ln), "rule": "grant-cue", "part": False}
                        grants.append(g)
                        if n_f == 0 and (main_grant is None or (main_grant["amount"] is None and g["amount"] is not None)):
                            main_grant = g
                elif main_grant is not None and re.search(r"\b(?:fordeles|fordelt|fordeling)\b", sent):
                    # "Tilskuddet skal fordeles imellem henholdsvis Jobcenter Lemvig, Struer og X"
                    fm = re.search(r"\b(?:mellem|imellem|på)\s+(?:henholdsvis\s+)?", sent)
                    if fm:
                        names = _entities_in(ctx, ln, s + fm.end(), e)
                        for n in names:
                            n = re.sub(r"^Jobcenter\s+", "", n)
                            if n not in main_grant["recipients"]:
                                main_grant["recipients"].append(n)
                # split amounts: "410.000 kr. til Lemvig", "- Struer – 150.000 kr."
                if main_grant is not None and main_grant["amount"]:
                    for part_name, val in _split_parts(sent):
                        if val < main_grant["amount"] and val != main_grant["amount"]:
                            grants.append({**main_grant, "recipients": [_recipient_name(ctx, part_name)],
                                           "amount": val, "per": None, "span": _span(ln), "rule": "grant-part",
                                           "part": True, "start": None, "end": None})
        if main_grant is not None:
            for k in [k for k in keys if projects[k]["name"] == main_grant["project"]][:1]:
                p = projects[k]
                if main_grant["funder"] not in p["funders"]:
                    p["funders"].append(main_grant["funder"])
                for r in main_grant["recipients"]:
                    mu = gazetteer.municipality_by_name(r)
                    if mu and mu.name not in p["municipalities"]:
                        p["municipalities"].append(mu.name)
                    elif not mu and r not in p["partners"] and r != main_grant["funder"]:
                        p["partners"].append(r)
            for g in grants:
                if g["item"] == item and g["project"] is None and keys:
                    g["project"] = projects[keys[0]]["name"]

    # a project printed both in lower case and capitalised ("projekt sammen i bevægelse" ... "Sammen i
    # Bevægelse løber ...") is labelled with its capitalised form
    full = "\n".join(ln.text for ln in lines)
    renamed = {}
    for p in projects.values():
        best = p["name"]
        for m in re.finditer(r"(?<![\w-])" + r"\s+".join(map(re.escape, p["name"].split())) + r"(?![\w-])", full, re.I):
            v = re.sub(r"\s+", " ", m.group(0))
            if _cap_score(v) > _cap_score(best):
                best = v
        if best != p["name"]:
            if p["name"].casefold() not in (a.casefold() for a in p["aliases"]):
                p["aliases"].append(p["name"])
            renamed[p["name"]] = best
            p["name"] = best
    for g in grants:
        if g.get("project") in renamed:
            g["project"] = renamed[g["project"]]

    grants = _dedupe_grants(grants)

    # a name printed as the funded project ("til "Virksomhedsnetværk Trekantområdet"") is a project, not
    # also an organisation (unless the gazetteer knows it)
    proj_names = {p["name"].casefold() for p in projects.values()}
    for k in [k for k, o in ctx.orgs.items() if o["name"].casefold() in proj_names
              and not o["rule"].startswith("gazetteer")]:
        del ctx.orgs[k]

    # ---- records
    org_recs = tuple(Organization(name=o["name"], aliases=tuple(o["aliases"]), kind=o["kind"], span=o["span"],
                                  rule=o["rule"]) for o in ctx.orgs.values())
    proj_recs = tuple(Project(name=p["name"], aliases=tuple(p["aliases"]), item=p["item"], funders=tuple(p["funders"]),
                              municipalities=tuple(p["municipalities"]), partners=tuple(p["partners"]),
                              start=p["start"], end=p["end"], span=p["span"], rule=p["rule"])
                      for p in projects.values())
    grant_recs = tuple(Grant(funder=g["funder"], recipients=tuple(g["recipients"]), amount=g["amount"], per=g["per"],
                             project=g["project"], programme=g["programme"], item=g["item"], start=g["start"],
                             end=g["end"], span=g["span"], rule=g["rule"]) for g in grants)
    existing = {p.name for p in doc.persons}
    person_recs = tuple(doc.persons) + tuple(p for p in persons.values() if p.name not in existing)
    return replace(doc, organizations=org_recs, mentioned_municipalities=tuple(mentioned.values()),
                   persons=person_recs, projects=proj_recs, grants=grant_recs)


_PART_RE = re.compile(r"(?P<amt>(?:" + _NUM + r")\s*(?:kr\.?|kroner))\s+til\s+(?P<name>" + CAP + r"[\w-]*(?:\s+" + CAP +
                      r"[\w-]*){0,3})")
_PART_LIST = re.compile(r"^\s*[-•*]?\s*(?P<name>" + CAP + r"[\w-]*(?:\s+" + CAP + r"[\w-]*){0,3})\s*[–:-]\s*(?P<amt>(?:" +
                        _NUM + r")\s*(?:kr\.?|kroner))\s*$")


def _split_parts(sent: str) -> list[tuple[str, float]]:
    out = []
    m = _PART_LIST.match(sent)
    if m:
        a = parse_amount(m.group("amt"))
        if a:
            out.append((m.group("name"), a[0]))
        return out
    for m in _PART_RE.finditer(sent):
        a = parse_amount(m.group("amt"))
        if a:
            out.append((m.group("name"), a[0]))
    return out if len(out) >= 2 else []


def _recipient_name(ctx: Ctx, name: str) -> str:
    mu = gazetteer.municipality_by_name(name)
    if mu:
        return mu.name
    key = org_key(name)[0]
    if key in ctx.orgs:
        return ctx.orgs[key]["name"]
    return name


def _dedupe_grants(grants: list) -> list:
    out = []
    seen = set()
    with_amount = {(g["item"], org_key(g["funder"])[0]) for g in grants if g["amount"] is not None}
    for g in grants:
        fk = org_key(g["funder"])[0]
        if g["amount"] is None and (g["item"], fk) in with_amount:
            continue
        key = (g["item"], fk, g["amount"], tuple(g["recipients"]) if g["part"] else None)
        if key in seen:
            # merge recipients into the first
            continue
        seen.add(key)
        out.append(g)
    return out


def _guess_own(text: str) -> Optional[gazetteer.Municipality]:
    counts: dict = {}
    for m in gazetteer.find_municipalities(text[:20000], bare=False):
        if m.cue == "kommune":
            counts[m.code] = counts.get(m.code, 0) + 1
    if not counts:
        return None
    code = max(counts, key=lambda c: (counts[c], -c))
    return gazetteer.municipality_by_code(code)
