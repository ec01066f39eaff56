"""Plain records produced by the parsers: frozen dataclasses, no rdflib.

Every record that states a fact carries a ``Span`` (page/line in its source
document) and, where useful, the name of the ``rule`` that produced it, so the
mapping stage can keep provenance and a confidence for every triple.

``Document`` mirrors the field contract of ``tests/gold/SCHEMA.md``;
``kg.extract.to_json`` turns it into exactly that JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Span:
    """Where a fact was read: 1-based page and line numbers in the source text."""
    page: int = 1
    line: int = 0          # first line (1-based; 0 = unknown)
    end_line: int = 0      # last line (inclusive; 0 = same as line)


@dataclass(frozen=True)
class Member:
    name: str
    party: Optional[str] = None     # list letter: "A", "V", "Æ" ...
    role: Optional[str] = None      # "formand", "næstformand", "medlem", "sekretær"
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class Person:
    """A named person who is not a committee member (staff, guests, office holders)."""
    name: str
    role: Optional[str] = None
    affiliation: Optional[str] = None
    item: Optional[str] = None      # item number where mentioned, if any
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class OtherDecision:
    """A decision on the same case by another committee, printed inside an item."""
    committee: str
    date: Optional[str] = None      # ISO date
    outcomes: tuple[str, ...] = ()
    text: Optional[str] = None
    span: Span = Span()


@dataclass(frozen=True)
class Item:
    number: str
    title: str
    prefix: Optional[str] = None            # committee prefix as printed ("JAI")
    closed: bool = False
    case_numbers: tuple[str, ...] = ()
    decision: Optional[str] = None          # whitespace-collapsed decision text
    outcomes: tuple[str, ...] = ()          # closed vocabulary, see kg.parsers.danish.OUTCOMES
    absent: tuple[str, ...] = ()            # members absent for this item
    attachments: tuple[str, ...] = ()
    other_decisions: tuple[OtherDecision, ...] = ()
    recommendation: Optional[str] = None    # "Indstilling" text
    summary: Optional[str] = None           # "Sagsfremstilling"/"Resumé" text (may be long)
    body: str = ""                          # full text of the item (for entity extraction)
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class Organization:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "other"   # agency|authority|region|fund|company|union|association|education|municipality-body|other
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class MunicipalityMention:
    name: str                 # official name without "Kommune" ("Lemvig")
    code: Optional[int] = None
    span: Span = Span()


@dataclass(frozen=True)
class Project:
    name: str
    aliases: tuple[str, ...] = ()
    item: Optional[str] = None
    funders: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    start: Optional[str] = None
    end: Optional[str] = None
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class Grant:
    funder: str
    recipients: tuple[str, ...] = ()
    amount: Optional[float] = None   # DKK
    per: Optional[str] = None        # "year" when printed as a yearly amount
    project: Optional[str] = None
    programme: Optional[str] = None
    item: Optional[str] = None
    start: Optional[str] = None
    end: Optional[str] = None
    span: Span = Span()
    rule: str = ""


@dataclass(frozen=True)
class Document:
    source: str                           # file name
    path: str = ""                        # path as given
    sha256: str = ""                      # content hash of the source bytes
    municipality: Optional[str] = None
    committee: Optional[str] = None
    committee_abbreviation: Optional[str] = None
    committee_term: Optional[str] = None
    date: Optional[str] = None
    start_time: Optional[str] = None
    end_time: Optional[str] = None
    location: Optional[str] = None
    members: tuple[Member, ...] = ()
    absent: tuple[str, ...] = ()
    persons: tuple[Person, ...] = ()
    items: tuple[Item, ...] = ()
    organizations: tuple[Organization, ...] = ()
    mentioned_municipalities: tuple[MunicipalityMention, ...] = ()
    projects: tuple[Project, ...] = ()
    grants: tuple[Grant, ...] = ()
    toc_titles: tuple[str, ...] = ()      # titles listed in a table of contents
    warnings: tuple[str, ...] = ()        # things a reader should know (missing date ...)
    spans: dict = field(default_factory=dict, compare=False, hash=False)  # header field -> Span
