"""Synthetic, Denmark-scale corpus of committee minutes (issue 7).

``generate(out_dir, docs=N, seed=S)`` writes N plain-text minutes of the 98
municipalities' committees over 2015-2025 into ``out_dir/docs/<shard>/``
(at most ``SHARD`` files per directory), plus:

- ``out_dir/expected.json``: what was put in (counts of documents, meetings,
  items, municipalities, committees, persons, projects, grants, funders,
  grants per funder ...), so a benchmark can check that the graph built
  from the corpus holds the expected counts;
- ``out_dir/manifest.jsonl``: one line per document with its path, layout,
  municipality, committee, date and number of items (the per-document truth).

Layouts mirror the five seed minutes in ``examples/minutes/`` (``lejre-2024``,
``albertslund``, ``lemvig``, ``herlev``, ``lejre-2020``) and, for a share of
the documents (``variant_rate``), vary the label words (``Udvalgets
beslutning``, ``Fraværende``, ``Sted`` ...), the item numbering (``Punkt 3:``,
``3.``, ``Sag nr. 3:``, ``Pkt. 3:`` ...), the date notation and the case
number style.

Everything is a pure function of (seed, docs, variant_rate, document index,
revision): the same arguments give byte-identical files. ``revisions`` maps a
document index to a revision number; a revised document keeps its meeting
(municipality, committee, date, items) but changes its prose and decisions,
which is what an incremental-build benchmark needs.

No rdflib, no parser imports: the generator is independent of the code it
is used to test.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SHARD = 1000            # files per directory
SPAN_START = _dt.date(2015, 1, 5)
SPAN_END = _dt.date(2025, 12, 18)

# --------------------------------------------------------------------------- public facts
# The 98 municipalities (official kommunekode, name without "Kommune", region).
# Used only when kg.gazetteer is not available.
_MUNICIPALITIES = """
101 København H;147 Frederiksberg H;151 Ballerup H;153 Brøndby H;155 Dragør H;157 Gentofte H;159 Gladsaxe H;
161 Glostrup H;163 Herlev H;165 Albertslund H;167 Hvidovre H;169 Høje-Taastrup H;173 Lyngby-Taarbæk H;
175 Rødovre H;183 Ishøj H;185 Tårnby H;187 Vallensbæk H;190 Furesø H;201 Allerød H;210 Fredensborg H;
217 Helsingør H;219 Hillerød H;223 Hørsholm H;230 Rudersdal H;240 Egedal H;250 Frederikssund H;253 Greve S;
259 Køge S;260 Halsnæs H;265 Roskilde S;269 Solrød S;270 Gribskov H;306 Odsherred S;316 Holbæk S;320 Faxe S;
326 Kalundborg S;329 Ringsted S;330 Slagelse S;336 Stevns S;340 Sorø S;350 Lejre S;360 Lolland S;370 Næstved S;
376 Guldborgsund S;390 Vordingborg S;400 Bornholm H;410 Middelfart D;420 Assens D;430 Faaborg-Midtfyn D;
440 Kerteminde D;450 Nyborg D;461 Odense D;479 Svendborg D;480 Nordfyns D;482 Langeland D;492 Ærø D;
510 Haderslev D;530 Billund D;540 Sønderborg D;550 Tønder D;561 Esbjerg D;563 Fanø D;573 Varde D;575 Vejen D;
580 Aabenraa D;607 Fredericia D;615 Horsens M;621 Kolding D;630 Vejle D;657 Herning M;661 Holstebro M;
665 Lemvig M;671 Struer M;706 Syddjurs M;707 Norddjurs M;710 Favrskov M;727 Odder M;730 Randers M;
740 Silkeborg M;741 Samsø M;746 Skanderborg M;751 Aarhus M;756 Ikast-Brande M;760 Ringkøbing-Skjern M;
766 Hedensted M;773 Morsø N;779 Skive M;787 Thisted N;791 Viborg M;810 Brønderslev N;813 Frederikshavn N;
820 Vesthimmerlands N;825 Læsø N;840 Rebild N;846 Mariagerfjord N;849 Jammerbugt N;851 Aalborg N;860 Hjørring N
"""
_REGIONS = {"H": "Hovedstaden", "S": "Sjælland", "D": "Syddanmark", "M": "Midtjylland", "N": "Nordjylland"}


@dataclass(frozen=True)
class Muni:
    code: int
    name: str
    region: str

    @property
    def formal(self) -> str:      # "Lejre Kommune", "Bornholms Regionskommune"
        return {400: "Bornholms Regionskommune", 101: "Københavns Kommune"}.get(self.code, f"{self.name} Kommune")


def municipalities() -> list[Muni]:
    """The 98 municipalities, from kg.gazetteer when present, else the local table."""
    local = []
    for tok in _MUNICIPALITIES.replace("\n", "").split(";"):
        code, rest = tok.strip().split(" ", 1)
        name, reg = rest.rsplit(" ", 1)
        local.append(Muni(int(code), name, _REGIONS[reg]))
    try:  # prefer the shared gazetteer (same names the parser resolves against)
        from . import gazetteer  # type: ignore
        recs = gazetteer.municipalities()
        out = []
        for r in recs:
            code = int(getattr(r, "code", None) or r["code"])
            name = getattr(r, "name", None) or r["name"]
            region = getattr(r, "region", None) or (r.get("region") if isinstance(r, dict) else "") or ""
            out.append(Muni(code, name, region))
        if len(out) == 98:
            return sorted(out, key=lambda m: m.code)
    except Exception:
        pass
    return local


PARTIES = ["A", "A", "A", "V", "V", "V", "C", "C", "F", "F", "O", "Ø", "B", "I", "Æ", "D", "K", "M", "Å", "L"]

COMMITTEES = [  # (name, abbreviation)
    ("Økonomiudvalget", "ØK"),
    ("Udvalget for Job, Arbejdsmarked og Integration", "JAI"),
    ("Udvalget for Børn og Ungdom", "BU"),
    ("Udvalget for Social, Sundhed og Ældre", "SSÆ"),
    ("Udvalget for Trafik, Miljø og Byggeri", "TMB"),
    ("Udvalget for Kultur, Fritid og Turisme", "KFT"),
    ("Arbejdsmarkedsudvalget", "AMU"),
    ("Udvalget for Erhverv, Beskæftigelse og Uddannelsesinstitutioner", "EBU"),
    ("Arbejdsmarkeds- og Integrationsudvalget", "AIU"),
    ("Børne- og Skoleudvalget", "BSU"),
    ("Social- og Sundhedsudvalget", "SSU"),
    ("Teknik- og Miljøudvalget", "TMU"),
    ("Kultur- og Fritidsudvalget", "KFU"),
    ("Plan- og Boligudvalget", "PBU"),
    ("Klima- og Miljøudvalget", "KMU"),
    ("Ældre- og Handicapudvalget", "ÆHU"),
    ("Udvalget for Job og Arbejdsmarked", "JA"),
    ("Erhvervs- og Turismeudvalget", "ETU"),
]

FIRST = ("Anne Mette Lars Søren Jens Hanne Peter Kirsten Niels Susanne Henrik Lone Michael Charlotte Thomas Tina "
         "Morten Camilla Rasmus Louise Jesper Helle Martin Birgitte Ole Karen Claus Connie Bjørn Gitte Jacob Lotte "
         "Steen Dorte Christian Pia Klaus Inger Kasper Rikke Mads Signe Anders Mette-Marie Torben Ulla Poul Vibeke "
         "Erik Bente Jørgen Maria Frederik Ida Simon Sofie Emil Julie Dogan Hediye Resul Ayse").split()
MIDDLE = ["", "", "", "", "", "B.", "K.", "Lykke", "Friberg", "Gravgaard", "Skov", "Holm", "Juul", "Dam"]
LAST = ("Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen Madsen "
        "Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen Knudsen Jakobsen Mikkelsen "
        "Olesen Frederiksen Laursen Henriksen Lund Schmidt Eriksen Holm Kristiansen Clausen Simonsen Svendsen "
        "Andreasen Iversen Jeppesen Mogensen Jacobsen Vestergaard Nissen Lauridsen Jepsen Kjær Blickfeldt "
        "Bomholdt Aagesen Stokholm Plank Polat Temiz Skovby Graugaard Bodholdt-Nielsen Damgaard Bech Krogh").split()
STAFF_ROLES = ["Jobcenterchef", "Direktør", "Konsulent", "Afdelingsleder", "Økonomichef", "Centerchef"]

# Funders: (name, abbreviation or None, kind, weight). kind "municipality" = another municipality funds.
FUNDERS = [
    ("Styrelsen for Arbejdsmarked og Rekruttering", "STAR", "agency", 30),
    ("EU Socialfond Plus", None, "fund", 10),
    ("Socialstyrelsen", None, "agency", 8),
    ("Sundhedsstyrelsen", None, "agency", 5),
    ("Erhvervsstyrelsen", None, "agency", 3),
    ("A.P. Møller Fonden", None, "fund", 5),
    ("Novo Nordisk Fonden", None, "fund", 4),
    ("Realdania", None, "fund", 5),
    ("Nordea-fonden", None, "fund", 4),
    ("Lokale og Anlægsfonden", None, "fund", 4),
    ("Velux Fonden", None, "fund", 3),
    ("TrygFonden", None, "fund", 3),
    ("Region Hovedstaden", None, "region", 2),
    ("Region Sjælland", None, "region", 2),
    ("Region Syddanmark", None, "region", 2),
    ("Region Midtjylland", None, "region", 2),
    ("Region Nordjylland", None, "region", 2),
    ("@municipality", None, "municipality", 3),   # another (usually large) municipality
]
PARTNERS = [
    ("Marselisborg Consulting", "company"), ("Jobforum Sjælland", "association"),
    ("Ungdommens Uddannelsesvejledning", "municipality-body"), ("VIVE", "agency"),
    ("Erhvervshus Midtjylland", "authority"), ("Erhvervshus Sjælland", "authority"),
    ("Professionshøjskolen Absalon", "education"), ("VIA University College", "education"),
    ("Dansk Flygtningehjælp", "association"), ("Red Barnet", "association"),
    ("Dansk Industri", "association"), ("Kommunernes Landsforening", "association"),
    ("Schultz Information A/S", "company"), ("FOA", "union"), ("3F", "union"),
]
_P1 = ("Jobformidling Først|Flere i Arbejde|Grøn Omstilling på Tværs|Unge i Uddannelse|Sund Start|Brobygning til Job|"
       "Vejen til Beskæftigelse|Sammen om Familien|Aktiv Hverdag|Klar til Job|Stærkere Fællesskaber|Digital Borger|"
       "Ny Start|Lokal Styrke|Fremtidens Velfærd|Tryg Hjemme|Bevæg Dig for Livet|Lige Muligheder|Job i Fokus|"
       "Sprog og Arbejde|Mentor til Alle|Virksomhed i Centrum|Kompetenceløft i Praksis|Bedre Overgange|"
       "Sunde Arbejdspladser|Ud af Ensomhed|Natur for Alle|Klimatilpasning i Byen|Fra Ledig til Faglært|"
       "Senior i Job").split("|")
_P2 = ("||Plus|2.0|på Tværs|i Praksis|i Land og By|for Unge|for Seniorer|i Lokalsamfundet|Videre|"
       "i Fællesskab|for Familier|i Hverdagen|Fase 2").split("|")

OUTCOME_TEXT = {
    "approved": ["Godkendt.", "Indstillingen tiltrådt.", "Tiltrådt.", "Tiltrådte indstillingen", "Godkendt som indstillet."],
    "noted": ["Taget til efterretning.", "Til efterretning.", "Orienteringen blev taget til efterretning."],
    "discussed": ["Drøftet.", "Punktet blev drøftet."],
    "recommended": ["Anbefales.", "Anbefales over for Økonomiudvalget og Kommunalbestyrelsen."],
    "rejected": ["Ikke godkendt.", "Forkastet."],
    "postponed": ["Udsat.", "Udsat til næste møde."],
    "none": ["Intet.", "Intet under dette punkt."],
}
OUTCOME_WEIGHTS = [("approved", 40), ("noted", 30), ("discussed", 12), ("recommended", 8), ("rejected", 3),
                   ("postponed", 4), ("none", 3)]

TOPICS = ["beskæftigelsesindsatsen", "ungeområdet", "integrationsindsatsen", "sygedagpengeområdet",
          "folkeskolen", "dagtilbudsområdet", "ældreplejen", "kollektiv trafik", "klimaplanen", "idrætsfaciliteter",
          "handicapområdet", "sundhedspolitikken", "boligsocial indsats", "erhvervsservice", "biblioteksområdet",
          "vejvedligeholdelse", "spildevandsplanen", "kulturpolitikken", "frivillighedsstrategien", "rekruttering"]
REGULAR_TITLES = ["Status på {t}", "Budgetopfølgning pr. {d}", "Kvartalsrapport for {q}. kvartal {y}",
                  "Høring om {t}", "Temadrøftelse om {t}", "Politik for {t} {y}", "Årshjul for {t} {y}",
                  "Evaluering af {t}", "Orientering om {t}", "Kvalitetsrapport for {t} {y}",
                  "Budgetforslag {y1} for {t}", "Tilsyn med {t}", "Strategi for {t} {y}-{y2}",
                  "Overførsler fra {y0} til {y} for {t}"]
FILLER = [
    "Udvalget orienteres om udviklingen på området siden sidste møde.",
    "Administrationen har udarbejdet et notat, som beskriver de væsentligste ændringer.",
    "Der er i perioden arbejdet målrettet med at styrke samarbejdet mellem fagområderne.",
    "Udviklingen følges tæt, og der vil blive fulgt op på et kommende møde.",
    "Sagen har været drøftet i direktionen, som anbefaler den foreslåede model.",
    "Erfaringerne fra de seneste år viser, at en tidlig indsats giver de bedste resultater.",
    "Der er gennemført en række dialogmøder med borgere, medarbejdere og lokale foreninger.",
    "Målet er, at flere borgere oplever en sammenhængende og helhedsorienteret indsats.",
    "Antallet af borgere i målgruppen har været stabilt gennem hele året.",
    "Forvaltningen vurderer, at indsatsen kan gennemføres inden for den eksisterende ramme.",
    "Det forventes, at effekten af indsatsen først vil kunne ses fuldt ud om et til to år.",
    "I det følgende gives en kort status på de enkelte indsatsområder.",
    "Der er fortsat fokus på at nedbringe sagsbehandlingstiderne.",
    "Resultaterne ligger på niveau med sammenlignelige kommuner.",
    "Sagen forelægges til orientering, og der skal ikke træffes beslutning.",
    "Der lægges op til, at udvalget drøfter de overordnede principper for det videre arbejde.",
    "Handleplanen indeholder konkrete mål, milepæle og en plan for opfølgning.",
    "Medarbejderne har taget godt imod de nye arbejdsgange.",
    "Der har været afholdt to møder i styregruppen i perioden.",
    "Ledigheden har gennem året ligget på et lavt niveau.",
    "Der ses en positiv udvikling i andelen af unge, der påbegynder en uddannelse.",
    "Indsatsen evalueres løbende, og udvalget vil blive præsenteret for resultaterne.",
    "Den videre proces tilrettelægges, så høringssvarene kan indgå i den endelige beslutning.",
    "Data viser, at der fortsat er behov for en målrettet indsats over for de yngste borgere.",
]
KLE_GROUPS = ["00.01.00", "00.22.04", "00.30.10", "00.32.00", "15.00.00", "15.20.00", "15.40.15", "17.27.00",
              "27.12.00", "81.50.00", "85.02.02", "05.01.08", "01.02.05", "28.09.04"]
KLE_FACETS = ["A00", "A26", "G01", "P20", "P22", "K01", "A50", "G00"]
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december"]
WEEKDAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"]
ROOMS = ["Mødelokale 1", "Mødelokale 2", "Udvalgsværelse 2", "Byrådssalen", "Lokale 1", "Muldvarp", "Mødesal A",
         "Kantinen", "Lokale 3.14", "Store mødesal"]

LAYOUTS = ["lejre-2024", "albertslund", "lemvig", "herlev", "lejre-2020"]

# Label words: seed defaults first, then variants used by other portals.
LABELS = {
    "decision": ["Beslutning", "Udvalgets beslutning", "Afgørelse"],
    "absent": ["Afbud", "Fraværende", "Fraværende med afbud"],
    "attendees": ["Mødedeltagere", "Deltagere", "Tilstede"],
    "place": ["Mødested", "Sted", "Mødelokale"],
    "attachments": ["Bilag", "Bilagsliste"],
    "summary": ["Resumé", "Resume", "Kort sagsbeskrivelse", "Anledning"],
    "recommendation": ["Indstilling", "Forslag til beslutning", "Indstilling fra forvaltningen"],
    "case": ["Sagsfremstilling", "Sagens indhold", "Beskrivelse"],
}
NUMBERING = ["Punkt {n}: {t}", "{n}. {t}", "Sag nr. {n}: {t}", "Sak {n}: {t}", "Pkt. {n}: {t}", "Punkt {n} - {t}"]


def _h(*parts) -> int:
    """A stable 64-bit hash (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def fmt_amount(a: int) -> str:
    """Danish notation: 710.000 kr., 1,2 mio. kr."""
    if a >= 1_000_000 and a % 100_000 == 0:
        s = f"{a / 1_000_000:.1f}".replace(".", ",").replace(",0", "")
        return f"{s} mio. kr."
    return f"{a:,}".replace(",", ".") + " kr."


def _ddmmyyyy(d: _dt.date) -> str:
    return f"{d.day:02d}-{d.month:02d}-{d.year}"


def _long_date(d: _dt.date, weekday=True, pad=False, den="d.") -> str:
    day = f"{d.day:02d}" if pad else str(d.day)
    s = f"{day}. {MONTHS[d.month - 1]} {d.year}"
    return f"{WEEKDAYS[d.weekday()]} {den} {s}" if weekday else s


def term_of(d: _dt.date) -> str:
    start = 2014 + 4 * ((d.year - 2014) // 4)
    return f"{start}-{start + 3}"


# --------------------------------------------------------------------------- the world
@dataclass
class Project:
    name: str
    funders: tuple            # funder keys (canonical names)
    munis: tuple              # municipality codes taking part (first = lead)
    partners: tuple
    start: _dt.date
    end: _dt.date


@dataclass
class World:
    seed: int
    munis: list
    by_code: dict
    slots: list               # (code, committee name, abbreviation)
    projects: list
    projects_by_muni: dict
    funder_display: dict      # canonical funder name -> (display, abbreviation, kind)
    people: dict = field(default_factory=dict)   # cache (code) -> list of names


def build_world(seed: int, docs: int) -> World:
    rng = random.Random(_h("world", seed))
    munis = municipalities()
    by_code = {m.code: m for m in munis}
    slots = []
    for m in munis:
        r = random.Random(_h("committees", seed, m.code))
        k = r.randint(3, 6)
        for name, abbr in r.sample(COMMITTEES, k):
            slots.append((m.code, name, abbr))
    rng.shuffle(slots)
    # projects: shared pools of funders and partners so cross-municipality links exist
    names = [f"{a} {b}".strip() for b in _P2 for a in _P1]
    years = list(range(2015, 2026))
    n_proj = max(8, min(len(names) * len(years), docs // 20 + 8))
    pool = []
    for y in years:
        for nm in names:
            pool.append(nm if y == 2015 else f"{nm} {y}")
    rng.shuffle(pool)
    fw = [w for *_, w in FUNDERS]
    big = [m for m in munis if m.code in (101, 751, 461, 851, 561, 630, 621, 615, 730)] or munis[:5]
    funder_display = {}
    projects, by_muni = [], {}
    for i in range(n_proj):
        name = pool[i]
        f = rng.choices(FUNDERS, weights=fw)[0]
        lead = rng.choice(munis)
        if f[2] == "municipality":
            fm = rng.choice([b for b in big if b.code != lead.code])
            key = fm.name
            funder_display[key] = (fm.formal, None, "municipality")
        else:
            key = f[0]
            funder_display[key] = (f[0], f[1], f[2])
        funders = (key,)
        if rng.random() < 0.15:
            g = rng.choices(FUNDERS[:-1], weights=fw[:-1])[0]
            if g[0] != key:
                funder_display[g[0]] = (g[0], g[1], g[2])
                funders = (key, g[0])
        same_region = [m for m in munis if m.region == lead.region and m.code != lead.code]
        n_other = rng.choice([0, 0, 1, 1, 2, 3, 4, 6, 13])
        others = rng.sample(same_region, min(n_other, len(same_region)))
        codes = (lead.code,) + tuple(sorted(o.code for o in others))
        partners = tuple(p for p, _ in rng.sample(PARTNERS, rng.choice([0, 1, 1, 2])))
        sy = int(name[-4:]) if name[-4:].isdigit() else rng.choice(years)
        start = _dt.date(sy, rng.choice([1, 4, 7, 9]), 1)
        end = _dt.date(min(sy + rng.choice([1, 2, 3]), 2027), 12, 31)
        p = Project(name, funders, codes, partners, start, end)
        projects.append(p)
        for c in codes:
            by_muni.setdefault(c, []).append(i)
    return World(seed, munis, by_code, slots, projects, by_muni, funder_display)


def _person_pool(world: World, code: int) -> list:
    """Recurring people of a municipality: ~60 unique names (council members and staff)."""
    if code in world.people:
        return world.people[code]
    r = random.Random(_h("people", world.seed, code))
    seen, out = set(), []
    while len(out) < 60:
        mid = r.choice(MIDDLE)
        nm = " ".join(x for x in (r.choice(FIRST), mid, r.choice(LAST)) if x)
        if nm not in seen:
            seen.add(nm)
            out.append((nm, r.choice(PARTIES)))
    world.people[code] = out
    return out


def members_of(world: World, code: int, committee: str, term: str) -> list:
    """Members (name, party, role) of a committee in an election term: stable across its meetings."""
    pool = _person_pool(world, code)
    council = pool[:45]     # people who may sit on committees over the years
    r = random.Random(_h("members", world.seed, code, committee, term))
    k = r.randint(5, 9)
    picked = r.sample(council[: 31 + 7 * (int(term[:4]) - 2014) // 4], k)
    roles = ["formand", "næstformand"] + ["medlem"] * (k - 2)
    return [(n, p, roles[i]) for i, (n, p) in enumerate(picked)]


def staff_of(world: World, code: int) -> list:
    pool = _person_pool(world, code)
    r = random.Random(_h("staff", world.seed, code))
    return [(n, r.choice(STAFF_ROLES)) for n, _ in pool[45:53]]


# --------------------------------------------------------------------------- one document
@dataclass
class ItemPlan:
    number: int
    title: str
    closed: bool
    case_numbers: tuple
    outcome: str
    kind: str                 # "regular" | "project" | "grant" | "agenda" | "misc"
    project: int = -1
    amount: int = 0
    absent_extra: tuple = ()
    staff: tuple = ()


def _case_numbers(r: random.Random, style: str, d: _dt.date, seq: int) -> tuple:
    yy = f"{d.year % 100:02d}"
    kle, facet = r.choice(KLE_GROUPS), r.choice(KLE_FACETS)
    if style == "sagsnr":
        return (f"{yy}-{seq:06d}",)
    if style == "kle-dash":
        return (f"{kle}-{facet}-{seq}-{yy}",)
    if style == "kle-nodash":
        return (f"{kle}{facet}-{seq}-{yy}",)
    if style == "kle+slash":
        return (f"{kle}.{facet}", f"{(d.year - 1) % 100:02d}/{seq}")
    return (f"{yy}/{seq}",)


_CASE_STYLE = {"lejre-2024": "sagsnr", "albertslund": "kle-dash", "lemvig": "kle-nodash", "herlev": "kle-nodash",
               "lejre-2020": "kle+slash"}


def plan_document(world: World, docs: int, i: int, variant_rate: float, revision: int = 0) -> dict:
    """Everything about document i except its rendering. Pure function of its arguments."""
    nslots = len(world.slots)
    code, committee, abbr = world.slots[i % nslots]
    k = i // nslots
    per_slot = max(1, -(-docs // nslots))
    span = (SPAN_END - SPAN_START).days
    step = span / per_slot
    jitter = (_h("jit", world.seed, code, committee) % 1000) / 1000.0
    day = SPAN_START + _dt.timedelta(days=int((k + jitter * 0.8) * step))
    while day.weekday() > 3:            # Monday-Thursday
        day += _dt.timedelta(days=1)
    r = random.Random(_h("doc", world.seed, i))
    layout = LAYOUTS[_h("layout", world.seed, code, committee) % len(LAYOUTS)]
    variant = r.random() < variant_rate
    term = term_of(day)
    mem = members_of(world, code, committee, term)
    absent = tuple(n for n, _, _ in r.sample(mem, r.choice([0, 0, 1, 1, 2])))
    start_h = r.choice(["08:00", "14:00", "15:30", "16:00", "16:30", "17:00"])
    end_h = f"{int(start_h[:2]) + 2}:{start_h[3:]}"
    # items
    rr = random.Random(_h("items", world.seed, i, revision))   # revised docs change prose/decisions only
    n_items = r.randint(4, 11)
    base = 1 + (k % 10) * 8 if layout == "herlev" else 1
    case_style = _CASE_STYLE[layout]
    if variant and r.random() < 0.3:
        case_style = r.choice(["sagsnr", "kle-dash", "kle-nodash", "slash"])
    staff = staff_of(world, code)
    proj_ids = [x for x in world.projects_by_muni.get(code, [])
                if world.projects[x].start.year <= day.year + 1 and world.projects[x].end.year >= day.year - 1]
    titles_used = set()
    items = []
    for j in range(n_items):
        num = base + j
        seq = (_h("case", world.seed, i, j) % 90000) + 100
        cases = _case_numbers(r, case_style, day, seq)
        if j == 0:
            kind, title = "agenda", "Godkendelse af dagsorden"
        elif j == n_items - 1:
            kind, title = "misc", r.choice(["Eventuelt", "Meddelelser", "Godkendelse af referat"])
        else:
            x = r.random()
            if proj_ids and x < 0.12:
                kind = "grant" if r.random() < 0.6 else "project"
            else:
                kind = "regular"
            title = ""
        it = ItemPlan(num, title, False, cases, "approved", kind)
        if kind in ("grant", "project"):
            pid = proj_ids[_h("proj", world.seed, i, j) % len(proj_ids)]
            p = world.projects[pid]
            if any(x.project == pid for x in items):
                kind = it.kind = "regular"
            else:
                it.project = pid
                if kind == "grant":
                    it.amount = (r.randint(2, 400) * 5000) if r.random() < 0.8 else r.randint(1, 40) * 100_000
                    fd = world.funder_display[p.funders[0]]
                    fname = f"{fd[0]} ({fd[1]})" if fd[1] else fd[0]
                    it.title = f"Tilsagn om tilskud på {fmt_amount(it.amount)} fra {fname} til {p.name}"
                    it.outcome = rr.choice(["noted", "approved"])
                else:
                    it.title = r.choice(["Status på projekt {p}", "Orientering om projektet {p}",
                                         "Deltagelse i projekt {p}"]).format(p=p.name)
                    it.outcome = rr.choice(["noted", "approved", "discussed"])
        if it.kind == "regular":
            while True:
                t = r.choice(REGULAR_TITLES).format(
                    t=r.choice(TOPICS), d=_long_date(day - _dt.timedelta(days=r.randint(20, 60)), weekday=False),
                    q=r.randint(1, 4), y=day.year, y0=day.year - 1, y1=day.year + 1, y2=day.year + 3)
                if t not in titles_used:
                    break
            it.title = t
            it.closed = r.random() < 0.06
            it.outcome = rr.choices([o for o, _ in OUTCOME_WEIGHTS], weights=[w for _, w in OUTCOME_WEIGHTS])[0]
        elif kind == "agenda":
            it.outcome = "approved"
        elif kind == "misc":
            it.outcome = rr.choice(["none", "noted"])
        titles_used.add(it.title)
        present = [n for n, _, _ in mem if n not in absent]
        if present and r.random() < 0.05:
            it.absent_extra = (r.choice(present),)
        if it.kind in ("grant", "project", "regular") and r.random() < 0.15:
            it.staff = (staff[_h("staff", world.seed, i, j) % len(staff)],)
        items.append(it)
    if layout == "albertslund":   # the digital signature sheet is an item of its own in this layout
        seq = (_h("case", world.seed, i, "sign") % 90000) + 100
        items.append(ItemPlan(base + n_items, "Underskriftsblad", False, _case_numbers(r, case_style, day, seq),
                              "signature", "sign"))
    return dict(index=i, code=code, committee=committee, abbr=abbr, date=day, term=term, layout=layout,
                variant=variant, members=mem, absent=absent, start=start_h, end=end_h,
                room=r.choice(ROOMS), items=items, revision=revision, rseed=_h("render", world.seed, i, revision))


# --------------------------------------------------------------------------- rendering
class _Doc:
    """Renders one planned document; collects what it printed (the truth)."""

    def __init__(self, world: World, plan: dict):
        self.w, self.p = world, plan
        self.r = random.Random(plan["rseed"])
        self.muni = world.by_code[plan["code"]]
        self.out: list[str] = []
        self.lab = {k: v[0] for k, v in LABELS.items()}
        self.numbering = None
        if plan["variant"]:
            for k, v in LABELS.items():
                if self.r.random() < 0.5:
                    self.lab[k] = self.r.choice(v)
            self.numbering = self.r.choice(NUMBERING)
        self.truth = {"persons": set(), "members": set(), "orgs": set(), "projects": set(), "grants": [],
                      "mentioned": set(), "cases": set(), "parties": set()}

    # helpers
    def para(self, *lines):
        self.out.extend(lines)
        self.out.append("")

    def filler(self, n_min=2, n_max=6):
        r = self.r
        k = r.randint(n_min, n_max)
        sents = [r.choice(FILLER) for _ in range(k)]
        if r.random() < 0.5:
            sents.insert(r.randrange(len(sents) + 1), f"Det gælder for hele {self.muni.formal}.")
        return " ".join(sents)

    def heading(self, it: ItemPlan, prefix: bool) -> str:
        title = it.title
        if prefix and self.p["abbr"]:
            title = f"{self.p['abbr']} - {title}"
        if it.closed:
            title = f"Lukket: {title}"
        lay = self.p["layout"]
        fmt = self.numbering or {"lejre-2024": "Punkt {n}: {t}", "albertslund": "Punkt {n}: {t}",
                                 "lemvig": "Punkt {n}: {t}", "herlev": "Sak {n}: {t}",
                                 "lejre-2020": "{n}. {t}"}[lay]
        return fmt.format(n=it.number, t=title)

    def decision_text(self, it: ItemPlan) -> str:
        return self.r.choice(OUTCOME_TEXT[it.outcome])

    def member_str(self, name, party, with_party=True):
        return f"{name} ({party})" if with_party and party else name

    def record_member(self, name, party=None):
        self.truth["members"].add(name)
        self.truth["persons"].add(name)
        if party:
            self.truth["parties"].add(party)

    def project_prose(self, it: ItemPlan) -> list[str]:
        """Sentences naming the project, its funder, grant, partners and other municipalities."""
        w, r = self.w, self.r
        p = w.projects[it.project]
        self.truth["projects"].add(p.name)
        fd = [w.funder_display[f] for f in p.funders]
        fnames = []
        for key, (disp, ab, kind) in zip(p.funders, fd):
            if kind == "municipality":
                self.truth["mentioned"].add(key) if key != self.muni.name else None
                fnames.append(disp)
            else:
                self.truth["orgs"].add(disp)
                fnames.append(f"{disp} ({ab})" if ab else disp)
        others = [w.by_code[c] for c in p.munis if c != self.muni.code]
        lines = []
        if others:
            for o in others:
                self.truth["mentioned"].add(o.name)
            if len(others) == 1:
                lst = others[0].formal
            else:
                lst = ", ".join(o.name for o in others[:-1]) + f" og {others[-1].name} Kommuner"
            lines.append(f"{self.muni.formal} deltager sammen med {lst} i projektet \u201d{p.name}\u201d.")
        else:
            lines.append(f"{self.muni.formal} gennemfører projektet \u201d{p.name}\u201d.")
        lines.append(f"Projektet er finansieret af {' og '.join(fnames)} og løber fra "
                     f"{_long_date(p.start, weekday=False)} til {_long_date(p.end, weekday=False)}.")
        if p.partners:
            for pa in p.partners:
                self.truth["orgs"].add(pa)
            lines.append(f"Projektet gennemføres i samarbejde med {' og '.join(p.partners)}.")
        if it.kind == "grant":
            disp, ab, kind = fd[0]
            fn = f"{disp} ({ab})" if ab else disp
            amt = fmt_amount(it.amount)
            s = r.choice([
                f"{self.muni.formal} har modtaget tilsagn om tilskud på {amt} fra {fn} til projektet \u201d{p.name}\u201d.",
                f"{fn} har bevilget {amt} til {self.muni.formal} til projektet \u201d{p.name}\u201d.",
                f"Der er givet tilsagn om tilskud på {amt} fra {fn} til {self.muni.formal} til projektet \u201d{p.name}\u201d.",
            ])
            lines.append(s)
        # one grant per (project item, funder), as the gold contract counts them: the amount when printed
        for n, f in enumerate(p.funders):
            self.truth["grants"].append((f, it.amount if (it.kind == "grant" and n == 0) else None, p.name))
        return lines

    # the document
    def render(self) -> str:
        p, r, lab = self.p, self.r, self.lab
        lay = p["layout"]
        d: _dt.date = p["date"]
        com, term = p["committee"], p["term"]
        mem, absent = p["members"], set(p["absent"])
        party = {n: pa for n, pa, _ in mem}
        date_s = _ddmmyyyy(d) if not (p["variant"] and r.random() < 0.3) else d.strftime("%d.%m.%Y")
        out = self.out
        prefix = lay in ("lejre-2024", "albertslund", "lejre-2020")
        # ---- header
        if lay == "lejre-2020":
            out.extend(["", "", self.muni.formal, "", com, "", "REFERAT", ""])
            self.para(f"{'Sted' if lab['place'] == 'Mødested' else lab['place']}: {p['room']}, {self.muni.name} Rådhus")
            self.para(f"Dato: {_long_date(d, den='den')}")
            self.para(f"Start kl.: {p['start']}")
            self.para(f"Slut kl.: {p['end']}")
            ml = []
            for n, pa, role in mem:
                ml.append(f"{n} ({pa}) ({role.capitalize()})")
                self.record_member(n, pa)
            out.append("Medlemmer: " + ml[0])
            out.extend(ml[1:])
            out.append("")
            if absent:
                a = ", ".join(self.member_str(n, party[n]) for n in p["absent"])
                self.para(f"{'Fraværende' if lab['absent'] == 'Afbud' else lab['absent']}: {a}")
        else:
            termpart = {"lejre-2024": f" - {term}", "herlev": f" {term}"}.get(lay, "")
            word = "REFERAT" if not p["variant"] or r.random() < 0.5 else r.choice(["Referat", "PROTOKOL"])
            out.extend(["", ""])
            self.para(f"{word} {com}{termpart} d. {date_s}")
            if lay != "lejre-2024" or p["variant"]:
                self.para(self.muni.formal)
            self.para(f"Mødedato {_long_date(d, pad=True)} kl. {p['start']}")
            self.para(f"{lab['place']} {p['room']}, {self.muni.name} Rådhus")
            if lay == "lejre-2024":
                names = []
                for n, pa, _ in mem:
                    names.append(f"{n} (Afbud)" if n in absent else n)
                    self.record_member(n)
                self.para(f"{lab['attendees']} " + ", ".join(names))
        # ---- table of contents
        items: list[ItemPlan] = p["items"]
        self.para("Indholdsfortegnelse")
        pg = 3
        toc = []
        for it in items:
            t = it.title
            if prefix and p["abbr"] and it.kind != "sign":
                t = f"{p['abbr']} - {t}"
            if it.closed:
                t = f"Lukket: {t}"
            toc.append((t, pg))
            pg += r.randint(1, 3)
        if lay == "lejre-2024":
            out.extend(["| | |", "|---|----|"])
            out.extend(f"| {t}..... | {n} |" for t, n in toc)
            out.append("")
        elif lay == "lejre-2020":
            out.extend(f"{it.number}. {t}\t{n}" for it, (t, n) in zip(items, toc))
            out.append("")
        else:
            out.extend(f"{t}.....\t{n}" for t, n in toc)
            out.append("")
        # ---- items
        page = 1
        for it in items:
            if lay == "lejre-2020" and r.random() < 0.5:
                page += 1
                self.para(f"{self.muni.formal} {com}\t{_ddmmyyyy(d)}\tSide {page}")
            if lay == "albertslund" and r.random() < 0.3:
                out.append("\f")
            if it.kind == "sign":
                self.para(self.heading(it, prefix=False))
                self.signatures(it, mem, absent)
                continue
            self.para(self.heading(it, prefix))
            self.item(it, lay, party, absent, date_s)
        text = "\n".join(out).rstrip("\n") + "\n"
        return text

    def signatures(self, it: ItemPlan, mem, absent):
        self.truth["cases"].update(it.case_numbers)
        for c in it.case_numbers:
            self.para(c)
        self.para(self.lab["summary"] if self.p["variant"] else "Anledning", "", "Underskrivning af protokollen.")
        self.para(self.lab["decision"])
        for nm, pa, role in mem:
            self.record_member(nm, pa)
            if nm in absent:
                self.para(f"{nm} ({pa}) deltog ikke i mødet")
            else:
                self.para(("Formand " if role == "formand" else "") + f"{nm} ({pa})")

    def item(self, it: ItemPlan, lay: str, party: dict, absent: set, date_s: str):
        p, r, lab = self.p, self.r, self.lab
        com = p["committee"]
        self.truth["cases"].update(it.case_numbers)
        cn = list(it.case_numbers)
        if p["variant"] and r.random() < 0.3:
            cn = [f"Sagsnr. {c}" for c in cn]
        for c in cn:
            self.para(c)
        if lay == "lejre-2020":
            self.para("Lukket sag" if it.closed else "Åben sag")
        prose = self.project_prose(it) if it.project >= 0 else []
        for nm, role in it.staff:
            self.truth["persons"].add(nm)
            prose.append(f"{role} {nm} deltager under punktet.")
        absent_all = [n for n, _, _ in p["members"] if n in absent]
        decision = self.decision_text(it)
        sec_summary = lab["summary"] if lay != "albertslund" or p["variant"] else "Anledning"
        if lay == "lejre-2024" and not p["variant"]:
            sec_summary = "Resumé"
        if lay in ("lemvig", "herlev") and not p["variant"]:
            sec_summary = "Resume"

        def absent_block():
            lines = []
            if lay == "lejre-2024":
                for n in absent_all:
                    lines += [f"{lab['absent']}: {n} ({party[n]}).", ""]
                    self.truth["parties"].add(party[n])
            elif lay in ("herlev", "lejre-2020"):
                if absent_all:
                    lines += [f"{lab['absent']}:", ""]
                    for n in absent_all:
                        self.record_member(n, party[n])
                        lines += [f"{n} ({party[n]})" + ("." if lay == "herlev" else ""), ""]
            elif lay == "albertslund":
                for n in absent_all:
                    lines += [f"{n} ({party[n]}) deltog ikke i mødet", ""]
            for n in it.absent_extra:
                self.record_member(n, party[n])
                lines += [f"{n} ({party[n]}) deltog ikke i behandlingen af punktet.", ""]
            return lines

        dec_label = lab["decision"]
        if lay == "lejre-2020" and not p["variant"]:
            dec_label = f"Beslutning {com} den {_ddmmyyyy(p['date'])}"
        decision_block = [dec_label, "", decision, ""] + absent_block()
        if it.kind in ("agenda", "misc"):
            if lay == "albertslund":
                self.para(sec_summary)
                self.para(it.title)
            self.out.extend(decision_block)
            return
        summary = " ".join(prose[:1]) or self.filler(1, 3)
        body = [self.filler(3, 8)] + prose[1:] + [self.filler(3, 7) for _ in range(r.randint(2, 6))]
        rec_intro = {"lejre-2024": "Direktionen indstiller:", "albertslund": "Formanden indstiller,",
                     "lemvig": "Direktøren for området indstiller,", "herlev": "Forvaltningen indstiller",
                     "lejre-2020": "Direktionen indstiller:"}[lay]
        rec = "1. at orienteringen tages til efterretning" if it.outcome == "noted" else "1. at indstillingen godkendes"
        if lay == "lejre-2024":      # decision first, then the case
            self.out.extend(decision_block)
            self.para(sec_summary, "", summary)
            self.para(lab["recommendation"], "", rec_intro, "", rec)
            self.para("Beslutningskompetence", "", com)
            self.para(lab["case"])
            for b in body:
                self.para(b)
        elif lay == "lejre-2020":
            self.para(sec_summary, "", summary)
            self.para(lab["recommendation"], "", rec_intro, "", rec)
            self.para("Beslutningskompetence", "", com)
            self.out.extend(decision_block)
            self.para(lab["case"])
            for b in body:
                self.para(b)
        else:
            self.para(sec_summary, "", summary)
            if lay == "lemvig":
                self.para(lab["case"])
                for b in body:
                    self.para(b)
                self.para("Sagen afgøres endelig af", "", com + ".")
                self.para("Økonomi", "", self.filler(1, 2))
                self.para(rec_intro, "", "- " + rec[3:].capitalize() + ".")
            else:
                self.para(lab["recommendation"], "", rec_intro, "", rec)
                self.para(lab["case"])
                for b in body:
                    self.para(b)
                if lay == "herlev":
                    self.para("Lovgrundlag", "", "Lov om en aktiv beskæftigelsesindsats.")
                    self.para("Beslutningskompetence", "", com)
            self.out.extend(decision_block)
        if r.random() < 0.4:
            att = f"Bilag til {it.title.lower()}"[:80]
            self.para(lab["attachments"] + (":" if lay == "lejre-2020" else ""), "", att)


def render_document(world: World, plan: dict) -> tuple[str, dict]:
    d = _Doc(world, plan)
    return d.render(), d.truth


# --------------------------------------------------------------------------- the corpus
def doc_relpath(i: int) -> str:
    return f"docs/{i // SHARD:04d}/syn_{i:07d}.txt"


def write_documents(out_dir, world: World, docs: int, indices, variant_rate: float, revisions=None):
    """Render and write the given document indices; return their plans' truth rows (no aggregation)."""
    out_dir = Path(out_dir)
    revisions = revisions or {}
    made = set()
    for i in indices:
        plan = plan_document(world, docs, i, variant_rate, revisions.get(i, 0))
        text, truth = render_document(world, plan)
        rel = doc_relpath(i)
        shard = rel.rsplit("/", 1)[0]
        if shard not in made:
            (out_dir / shard).mkdir(parents=True, exist_ok=True)
            made.add(shard)
        tmp = out_dir / (rel + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, out_dir / rel)
        yield rel, plan, truth


def generate(out_dir, docs: int = 300, seed: int = 1, variant_rate: float = 0.25, revisions=None) -> dict:
    """Write the corpus; return the expected counts (also written to out_dir/expected.json)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = build_world(seed, docs)
    c = Counter()
    munis, committees, persons, members, parties = set(), set(), set(), set(), set()
    projects, funders, orgs, cases, mentioned, all_munis = set(), set(), set(), set(), set(), set()
    grants_per_funder, projects_per_funder = Counter(), {}
    grant_keys = set()
    outcomes, layouts = Counter(), Counter()
    project_munis = {}
    man_tmp = out_dir / "manifest.jsonl.tmp"
    with open(man_tmp, "w", encoding="utf-8") as man:
        for rel, plan, t in write_documents(out_dir, world, docs, range(docs), variant_rate, revisions):
            code = plan["code"]
            items = plan["items"]
            c["documents"] += 1
            c["items"] += len(items)
            c["closed_items"] += sum(1 for it in items if it.closed)
            munis.add(code)
            all_munis.add(world.by_code[code].name)
            all_munis.update(t["mentioned"])
            committees.add((code, plan["committee"]))
            persons.update((code, n) for n in t["persons"])
            members.update((code, n) for n in t["members"])
            parties.update(t["parties"])
            projects.update(t["projects"])
            orgs.update(t["orgs"])
            mentioned.update(t["mentioned"])
            cases.update(f"{code}|{x}" for x in t["cases"])
            own = world.by_code[code].name
            for f, amount, pname in t["grants"]:
                funders.add(f)
                # one grant per funder, recipient, project and printed amount: the same funding stated
                # again in a later meeting without an amount ("Projektet er finansieret af X") is the
                # same grant, not a new one (the recipient is the writing municipality unless it pays)
                key = (f, own if f != own else None, pname, amount)
                if key in grant_keys:
                    continue
                grant_keys.add(key)
                c["grants"] += 1
                grants_per_funder[f] += 1
                c["grant_amount_total"] += amount or 0
                c["grants_with_amount"] += amount is not None
            for it in items:
                if it.kind != "sign":
                    outcomes[it.outcome] += 1
                if it.project >= 0:
                    pr = world.projects[it.project]
                    for f in pr.funders:
                        projects_per_funder.setdefault(f, set()).add(pr.name)
                    project_munis.setdefault(pr.name, set(pr.munis))
            layouts[plan["layout"] + ("+variant" if plan["variant"] else "")] += 1
            man.write(json.dumps({
                "path": rel, "index": plan["index"], "layout": plan["layout"], "variant": plan["variant"],
                "municipality": world.by_code[code].name, "code": code, "committee": plan["committee"],
                "abbreviation": plan["abbr"], "date": plan["date"].isoformat(), "items": len(items),
                "item_numbers": [str(it.number) for it in items], "closed": sum(1 for it in items if it.closed),
                "absent": list(plan["absent"]), "grants": len(t["grants"]), "projects": sorted(t["projects"]),
            }, ensure_ascii=False) + "\n")
    os.replace(man_tmp, out_dir / "manifest.jsonl")
    cross = sum(1 for s in project_munis.values() if len(s) > 1)
    expected = {
        "generator": "kg.synth", "seed": seed, "docs": docs, "variant_rate": variant_rate,
        "revisions": {str(k): v for k, v in sorted((revisions or {}).items())},
        "counts": {
            "documents": c["documents"],
            "meetings": c["documents"],
            "items": c["items"],
            "closed_items": c["closed_items"],
            "municipalities": len(munis),
            "municipalities_all": len(all_munis),
            "committees": len(committees),
            "persons": len(persons),
            "members": len(members),
            "parties": len(parties),
            "organizations": len(orgs),
            "projects": len(projects),
            "cross_municipality_projects": cross,
            "grants": c["grants"],
            "grants_with_amount": c["grants_with_amount"],
            "grant_amount_total": c["grant_amount_total"],
            "funders": len(funders),
            "cases": len(cases),
            "mentioned_municipalities": len(mentioned),
        },
        "grants_per_funder": dict(sorted(grants_per_funder.items(), key=lambda kv: (-kv[1], kv[0]))),
        "projects_per_funder": {k: len(v) for k, v in sorted(projects_per_funder.items())},
        "outcomes": dict(sorted(outcomes.items())),
        "layouts": dict(sorted(layouts.items())),
        "notes": ("persons = distinct (municipality, name) printed: committee members plus staff; members = those "
                  "printed as committee members or absentees; organizations = funders that are not municipalities "
                  "plus project partners; grants = distinct (funder, recipient municipality, project, printed amount): "
                  "each project item names one grant per funder, with the amount when one is printed (no split "
                  "parts), and the same funding restated without an amount in another meeting is the same grant; "
                  "manifest.jsonl 'grants' = grant statements in that document (one per project item and funder)."),
    }
    from .io import atomic_write_text
    atomic_write_text(out_dir / "expected.json", json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
    return expected


def rewrite(out_dir, expected: dict, indices, revision: int = 1) -> list[str]:
    """Rewrite some documents of an existing corpus as revision `revision` (same meetings, new prose/decisions).

    Returns the relative paths rewritten. expected.json is not touched: counts of
    documents/items/municipalities/committees stay the same; decision texts change.
    """
    world = build_world(expected["seed"], expected["docs"])
    revs = {i: revision for i in indices}
    return [rel for rel, _, _ in write_documents(out_dir, world, expected["docs"], sorted(revs),
                                                 expected["variant_rate"], revs)]
