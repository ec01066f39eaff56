"""Parsers: text with positions -> plain records (no rdflib).

``parse_document(src)`` reads one minutes document in any of the layouts the
label table (``kg/data/labels.toml``) knows:

1. ``layout``: clean lines, drop page furniture, set the table of contents aside;
2. ``items``: find the agenda-item headings and cut items into sections;
3. ``header``: meeting header fields from the lines before the first item;
4. ``members``: member lists, signature sheets and absence notes;
5. here: assemble Items (decision, outcomes, case numbers, attachments, other
   bodies' decisions, per-item absence) and the Document.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..records import Document, Item, Member, OtherDecision, Span
from ..sources import SourceText
from . import danish, labels
from .header import Header, municipality, parse_header
from .items import Block, Heading, clean_title, find_headings, split_sections, _fuzzy
from .layout import Ln, build
from .members import NameEntry, is_name, parse_entry, parse_list

__all__ = ["parse_document"]


def parse_document(src: SourceText) -> Document:
    """Parse one source into a Document (meeting header, members, items)."""
    lay = build(src)
    L = lay.lines
    heads = find_headings(lay)
    first = heads[0].idx if heads else len(L)
    hdr = parse_header(L[:first])
    warnings: list[str] = []

    # ---- items: raw parse
    raws = []
    for k, h in enumerate(heads):
        end = heads[k + 1].idx if k + 1 < len(heads) else len(L)
        body_lines = [ln for ln in L[h.title_idx + 1:end]]
        raws.append(_parse_item(h, body_lines, L, hdr))

    # ---- committee fallback: the body named in the own decisions
    if not hdr.committee:
        names = [b.committee for r in raws for b in r["blocks"] if b.kind == "decision" and b.committee]
        if names:
            hdr.committee = max(set(names), key=names.count)
            warnings.append("committee taken from decision headings")

    # ---- own vs other bodies' decisions
    for r in raws:
        _assign_decisions(r, hdr)

    # ---- absence and members
    meeting_absent: list[NameEntry] = list(hdr.absent) + [e for e in hdr.members if e.absent]
    signature: list[NameEntry] = []
    for r in raws:
        meeting_absent.extend(e for e in r["absent"] if not e.item_only)
        signature.extend(r["signature"])
    absent_names = _unique([e.name for e in meeting_absent])
    members = _merge_members(hdr.members, signature, meeting_absent)

    # ---- committee prefixes: a single "SSP - samarbejde" in a document without prefixes is
    # part of the title, not a committee prefix
    if sum(1 for r in raws if r["prefix"]) < 2:
        for r in raws:
            p = r["prefix"]
            if p and "/" not in p and not _initials_match(p, hdr.committee):
                r["title"] = _restore_prefix(r["heading_title"])
                r["prefix"] = None

    # ---- abbreviation: the most common title prefix
    prefixes = [r["prefix"] for r in raws if r["prefix"]]
    abbr = None
    if prefixes:
        simple = [p for p in prefixes if "/" not in p]
        pool = simple or prefixes
        abbr = max(pool, key=pool.count)
        if pool.count(abbr) < 2 and not _initials_match(abbr, hdr.committee):
            abbr = None

    items = []
    seen = set()
    for r in raws:
        key = (r["number"], danish.fold(r["title"]))
        if key in seen:
            continue
        seen.add(key)
        item_absent = _unique(absent_names + [e.name for e in r["absent"] if e.item_only])
        items.append(Item(
            number=r["number"], title=r["title"], prefix=r["prefix"], closed=r["closed"],
            case_numbers=tuple(r["case_numbers"]), decision=r["decision"],
            outcomes=danish.outcomes_of(r["decision"]) if r["decision"] else (),
            absent=tuple(item_absent), attachments=tuple(r["attachments"]),
            other_decisions=tuple(r["other"]), recommendation=r["recommendation"], summary=r["summary"],
            body=r["body"], span=r["span"], rule=r["rule"]))

    # ---- municipality
    header_text = "\n".join(ln.text for ln in L[:first] if ln.text)
    furniture = "\n".join(ln.text for ln in lay.furniture)
    muni = municipality(header_text, furniture, src.text, hdr.location)

    # ---- warnings
    if not hdr.date:
        warnings.append("no date found")
    if not hdr.committee:
        warnings.append("no committee found")
    if not muni:
        warnings.append("no municipality found")
    if not items:
        warnings.append("no agenda items found")
    for t in lay.toc_titles:
        tt = clean_title(t)[0]
        if tt and not any(_fuzzy(tt, it.title) >= 0.8 or danish.fold(it.title).startswith(danish.fold(tt)[:40])
                          for it in items):
            warnings.append(f"toc entry not found in body: {t}")

    spans = dict(hdr.spans)
    if muni:
        rx = re.compile(r"\b" + re.escape(muni) + r"s?\s+(?:Regions)?[Kk]ommune")
        hit = next((ln for ln in list(lay.furniture) + L if ln.text and rx.search(ln.text)), None) or \
            next((ln for ln in L if ln.text and muni in ln.text), None)
        if hit:
            spans["municipality"] = Span(hit.page, hit.no, hit.no)
    return Document(
        source=src.name, path=src.path, sha256=src.sha256,
        municipality=muni, committee=hdr.committee, committee_abbreviation=abbr, committee_term=hdr.term,
        date=hdr.date, start_time=hdr.start, end_time=hdr.end, location=hdr.location,
        members=tuple(members), absent=tuple(absent_names), items=tuple(items),
        toc_titles=tuple(lay.toc_titles), warnings=tuple(warnings), spans=spans)


# --------------------------------------------------------------------------- helpers

def _unique(xs):
    out, seen = [], set()
    for x in xs:
        k = danish.fold(x)
        if k and k not in seen:
            seen.add(k)
            out.append(x)
    return out


def _restore_prefix(heading_title: str) -> str:
    """The title with "Lukket: " removed but the leading acronym kept."""
    from .items import _strip_closed
    return _strip_closed(heading_title)[0]


def _initials_match(abbr: str, committee: Optional[str]) -> bool:
    if not committee:
        return False
    caps = "".join(w[0] for w in re.findall(r"[A-ZÆØÅ][\wæøå]+", committee) if w not in ("Udvalget", "Udvalg"))
    return bool(caps) and all(c in caps for c in abbr)


_SIGNATURE = re.compile(r"\b(?:underskrift|underskrifter|underskriftsblad|underskriftside|underskriftsside|"
                        r"signatur|godkendelse af protokol|deltagerliste|fremmødeliste)", re.I)


def _lspan(ln: Ln) -> Span:
    return Span(ln.page, ln.no, ln.no)


def _absence_in(lines: list[Ln]) -> tuple[list[NameEntry], set[int]]:
    """Absence notes in a block: "Afbud: A (F)." / "Afbud:" + name lines / "A (Æ) deltog ikke i mødet".
    Returns the entries and the line numbers they used (removed from decision text)."""
    from .header import label_of
    out: list[NameEntry] = []
    used: set[int] = set()
    meet_rx, item_rx = labels.absence_phrases()
    absence = labels.absence_set()
    absent_rx = labels.header_re("absent")
    i = 0
    texts = [ln for ln in lines if ln.text]
    while i < len(texts):
        ln = texts[i]
        t = ln.text
        # only an "absent" label matters here: lines its regex rejects skip label_of (speed only)
        lab = label_of(t) if t.startswith("|") or absent_rx.match(t) else None
        if lab and lab[0] == "absent":
            used.add(ln.no)
            entries = [replace(e, span=_lspan(ln)) for e in parse_list(lab[1])] if lab[1] else []
            j = i + 1
            if not lab[1]:
                while j < len(texts):
                    e = parse_entry(texts[j].text)
                    if e is None or e.item_only or (e.absent and not lab[1] and meet_rx.search(texts[j].text)
                                                    and not re.search(r"\((?:afbud|fraværende)\)", texts[j].text, re.I)):
                        break
                    entries.append(replace(e, span=_lspan(texts[j])))
                    used.add(texts[j].no)
                    j += 1
            item_only = bool(item_rx.search(t))
            out.extend(replace(e, absent=True, item_only=item_only) for e in entries)
            i = j
            continue
        if len(t) < 200 and absence.candidates(t) and (meet_rx.search(t) or item_rx.search(t)):
            e = parse_entry(t)
            if e and (e.absent or e.item_only):
                out.append(replace(e, span=_lspan(ln)))
                used.add(ln.no)
        i += 1
    return out, used


def _text(lines: list[Ln], skip: set[int] = frozenset()) -> Optional[str]:
    return danish.collapse(" ".join(ln.text for ln in lines if ln.text and ln.no not in skip))


_ATT_NUM = re.compile(r"^(?:Bilag\s*(?:nr\.?)?\s*)?\d{1,3}\s*[.):]?\s*(?:(?:Åben|Lukket|Offentlig|Fortrolig)\b\s*[-–:]?\s*)?(?=\S)", re.I)
_ATT_NUM_STRICT = re.compile(r"^(?:Bilag\s*(?:nr\.?)?\s*\d{1,3}\s*[.):-]?\s*|\d{1,3}\s*[.)]\s+|\d{1,3}\s+(?:Åben|Lukket|Offentlig|Fortrolig)\b\s*[-–:]?\s*)", re.I)
_DOCNO = re.compile(r"^(?:\d{3,}/\d{2}|\d{2}/\d{3,}|[\d./-]+)$")


def _attachments(blk: Block) -> list[str]:
    out = []
    texts = ([blk.inline] if blk.inline else []) + [ln.text for ln in blk.lines if ln.text]
    for t in texts:
        if len(t) > 250:
            break
        cells = [t]
        if t.startswith("|"):
            cells = [c.strip() for c in t.strip("|").split("|") if c.strip()]
        for c in cells:
            c = c.strip().lstrip("-•*·").strip()
            c = _ATT_NUM_STRICT.sub("", c).strip()
            c = re.sub(r"^[-–:]\s*", "", c)
            c = re.sub(r"\s*[(\[](?:pdf|docx?|xlsx?|pptx?)?[,\s]*(?:\d+(?:[.,]\d+)?\s*[KM]B)?[)\]]\s*$", "", c, flags=re.I)
            c = re.sub(r"\.(?:pdf|docx?|xlsx?|pptx?)$", "", c, flags=re.I)
            c = re.sub(r"\s*[(\[]\d{3,}/\d{2,4}[)\]]\s*$", "", c)       # document number "(2045678/24)"
            if not c or _DOCNO.match(c) or danish.is_case_number_line(c):
                continue
            if re.fullmatch(r"(?i)(?:ingen|intet|ingen bilag|-)", c):
                continue
            out.append(c)
            break
    return out


_TITLE_CASE = re.compile(r"\s*[(\[]\s*(?:(?:Sagsnr|Sags nr|Sag nr|J\.?\s*nr)\.?:?\s*)?(?P<c>[^()\[\]]{4,40})[)\]]\s*$", re.I)


def _parse_item(h: Heading, body: list[Ln], L: list[Ln], hdr: Header) -> dict:
    title, prefix, closed = clean_title(h.title)
    closed = closed or h.part_closed
    case_numbers: list[str] = []
    m = _TITLE_CASE.search(title)
    if m and danish.is_case_number_line(m.group("c")):
        case_numbers.extend(danish.find_case_numbers(m.group("c")))
        title = title[:m.start()].strip()
    blocks = split_sections(body)
    lead = blocks[0]
    c_rx, o_rx = labels.closed_re()
    lead_rest: list[Ln] = []
    for ln in lead.lines:
        t = ln.text
        if danish.is_case_number_line(t):
            hit = labels.section_label(t)
            if hit and hit.kind == "docnumber":
                continue
            found = danish.labelled_case_numbers(t) or danish.find_case_numbers(t)
            case_numbers.extend(x for x in found if x not in case_numbers)
            continue
        if len(t) < 40 and (c_rx.match(t) or o_rx.match(t)) and not re.search(r"[.]$", t):
            yn = re.search(r":\s*(ja|nej|yes|no|x)\s*$", t, re.I)
            if c_rx.match(t) and not (yn and yn.group(1).casefold() in ("nej", "no")):
                closed = True
            elif o_rx.match(t) and yn and yn.group(1).casefold() in ("nej", "no"):
                closed = True
            continue
        lead_rest.append(ln)
    # labelled case numbers anywhere in the item ("Sagsnr.: 24/1234")
    for b in blocks[1:]:
        for ln in b.lines:
            hit = labels.section_label(ln.text)
            if hit and hit.kind == "casenumber":
                found = danish.labelled_case_numbers(ln.text) or danish.find_case_numbers(hit.rest)
                case_numbers.extend(x for x in found if x not in case_numbers)
    absent: list[NameEntry] = []
    for b in blocks:
        if b.kind in ("history", "history-entry"):
            continue
        if b.kind == "decision" and b.committee and not _same_body(b, hdr):
            continue
        a, used = _absence_in(b.lines if b.kind != "lead" else lead_rest)
        absent.extend(a)
        b.absence_lines = used
    attachments: list[str] = []
    for b in blocks:
        if b.kind == "attachments":
            attachments.extend(x for x in _attachments(b) if x not in attachments)
    summary = None
    for kind in ("summary", "description"):
        for b in blocks:
            if b.kind == kind and summary is None:
                summary = _text(([Ln(0, 0, b.inline, b.inline)] if b.inline else []) + b.lines)
    recommendation = None
    for b in blocks:
        if b.kind == "recommendation" and recommendation is None:
            recommendation = _text(([Ln(0, 0, b.inline, b.inline)] if b.inline else []) + b.lines)
            if recommendation and not re.search(r"\bat\b|\w{4}", recommendation):
                recommendation = None
    # signature sheets: names in an item titled "Underskriftsblad" and the like
    signature: list[NameEntry] = []
    if _SIGNATURE.search(title):
        plain = []
        for ln in body:
            if ln.text and not labels.section_label(ln.text):
                e = parse_entry(ln.text)
                if e and (e.party or e.role or e.absent):
                    signature.append(replace(e, span=_lspan(ln)))
                elif e and is_name(ln.text.strip(" .")):
                    plain.append(replace(e, span=_lspan(ln)))
        if len(plain) >= 2:
            signature.extend(plain)
    last = max((ln.no for ln in body if ln.text), default=L[h.idx].no)
    body_text = "\n".join([L[h.idx].text] + [ln.text for ln in body if ln.text])
    return {
        "number": h.number, "title": title, "prefix": prefix, "closed": closed, "rule": h.rule,
        "heading_title": h.title,
        "case_numbers": case_numbers, "blocks": blocks, "lead_rest": lead_rest,
        "absent": absent, "attachments": attachments, "summary": summary, "recommendation": recommendation,
        "signature": signature, "span": Span(L[h.idx].page, L[h.idx].no, last), "body": body_text,
        "decision": None, "other": [],
    }


def _same_body(b: Block, hdr: Header) -> bool:
    """Is a decision block printed with a body name the meeting's own decision?"""
    if not b.committee:
        return True
    body = danish.split_term(b.committee)[0].casefold().strip()
    if hdr.committee and " " not in body and len(body) >= 5 and \
            hdr.committee.casefold().endswith((body, body.rstrip("s"))):
        # a generic "Udvalgets beslutning den ..." printed in the committee's own minutes
        return b.date is None or hdr.date is None or b.date == hdr.date
    if hdr.committee and _fuzzy(danish.split_term(b.committee)[0], hdr.committee) >= 0.85:
        return b.date is None or hdr.date is None or b.date == hdr.date
    if hdr.date and b.date:
        return b.date == hdr.date and not hdr.committee
    return not hdr.committee


def _assign_decisions(r: dict, hdr: Header) -> None:
    blocks: list[Block] = r["blocks"]
    own: list[Block] = []
    other: list[OtherDecision] = []
    for b in blocks:
        if b.kind == "decision":
            if _same_body(b, hdr):
                own.append(b)
            else:
                txt = _text(b.lines, _absence_lines(b))
                other.append(OtherDecision(b.committee, b.date, danish.outcomes_of(txt), txt,
                                           Span(b.lines[0].page if b.lines else 1, b.lines[0].no if b.lines else 0)))
        elif b.kind == "history-entry":
            if hdr.committee and hdr.date and b.date == hdr.date and _fuzzy(b.committee, hdr.committee) >= 0.85:
                continue   # the meeting's own decision repeated in the case history
            a, used = _absence_in(b.lines)
            txt = _text(b.lines, used)
            other.append(OtherDecision(b.committee, b.date, danish.outcomes_of(txt), txt,
                                       Span(b.lines[0].page if b.lines else 1, b.lines[0].no if b.lines else 0)))
    decision = None
    if len(own) > 1 and any(not b.label.casefold().startswith("behandling") for b in own):
        own = [b for b in own if not b.label.casefold().startswith("behandling")]
    if own:
        parts = []
        for b in own:
            skip = _absence_lines(b)
            lines = ([Ln(0, -1, b.inline, b.inline)] if b.inline else []) + b.lines
            t = _text(lines, skip)
            if t:
                parts.append(t)
        decision = danish.collapse(" ".join(parts))
    elif all(b.kind == "lead" or (b.kind == "recommendation" and not b.label) for b in blocks):
        # no labelled sections at all: short unlabelled text after the case numbers (or after
        # an unlabelled "X indstiller, at ..." list) is the decision
        recs = [b for b in blocks if b.kind == "recommendation"]
        if recs:
            tail = []
            for ln in recs[-1].lines[1:]:
                if not tail and re.match(r"^(?:[-•*]\s*|\d+[.)]\s*)?(?:at|At)\b", ln.text):
                    continue
                tail.append(ln)
            lines, skip = tail, _absence_in(tail)[1]
        else:
            lines, skip = r["lead_rest"], set(_absence_lines(blocks[0]))
        skip = set(skip) | {ln.no for ln in lines if ln.text and _is_member_line(ln.text)}
        t = None if _SIGNATURE.search(r["title"]) else _text(lines, skip)
        if t and (len(t) <= 300 or (danish.outcomes_of(t) and len(t) <= 600)):
            decision = t
    r["decision"] = decision
    r["other"] = other


def _is_member_line(t: str) -> bool:
    e = parse_entry(t)
    return bool(e and (e.party or e.role or e.absent))


def _absence_lines(b: Block) -> set[int]:
    used = b.absence_lines
    if used is None:
        _, used = _absence_in(b.lines)
    return used


def _merge_members(listed: list[NameEntry], signature: list[NameEntry], absent: list[NameEntry]) -> list[Member]:
    out: dict[str, dict] = {}
    order: list[str] = []

    def add(e: NameEntry, rule: str, create: bool = True):
        k = danish.fold(e.name)
        if k not in out:
            if not create:
                return
            out[k] = {"name": e.name, "party": e.party, "role": e.role, "rule": rule, "span": e.span or Span()}
            order.append(k)
        else:
            d = out[k]
            d["party"] = d["party"] or e.party
            d["role"] = d["role"] or e.role

    for e in listed:
        add(e, "member-list")
    for e in signature:
        add(e, "signature-sheet")
    for e in absent:
        add(e, "absence-note")
    return [Member(out[k]["name"], out[k]["party"], out[k]["role"], span=out[k]["span"], rule=out[k]["rule"])
            for k in order]
