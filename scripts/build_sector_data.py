"""Convert the PLOVER/CAMEO agents dictionary into rows of ``src/eventcoder/data/sectors.tsv``.

Run: ``python scripts/build_sector_data.py [path/to/PLOVER_agents.txt]`` (default:
``../shared/data/train/PLOVER_agents.txt`` next to the checkout). The script is idempotent:
it keeps every hand-written row of sectors.tsv (source not starting with ``PLOVER_agents.txt``),
drops the PLOVER rows of the previous run and writes them again from the file, so a changed
file or rule gives a reviewable diff.

PLOVER_agents.txt is MIT licensed, Copyright (c) 2014 Open Event Data Alliance; every row it
gives carries that notice in its ``source`` column, and the full permission notice ships as
``src/eventcoder/data/PLOVER_agents.LICENSE``.

How the PETRARCH-format file becomes ``term -> sector`` rows:

* ``!PERSON!``/``!MINIST!`` substitution sets are expanded (``DAIRY!PERSON!`` -> dairyman,
  dairymen, dairywoman, dairywomen, dairyperson); the stems ``MINIST`` and ``AUTHORIT`` stand
  for minister/ministers/ministry/ministries and authority/authorities. A set name glued inside
  a word (``AD!MINIST!RATION``) is a search-and-replace slip in the file and is read literally.
* ``_`` becomes a space; terms are lower-cased (lookups are case-insensitive anyway).
* Plurals: the ``{...}`` forms the file gives; otherwise the regular plural of the last word,
  which PETRARCH generated itself ("regular plurals have been removed" from the file). The
  matcher needs it because it looks up multi-word terms verbatim.
* Sector codes: a compound code names its primary role first (``GOVMIL`` = a government's
  military body, ``CVLOPP`` = civilian opposition): the first part this project knows
  (``data/sector_codes.tsv``) is kept. PLOVER_agents uses ``MED`` for medical and ``JRN`` for
  all media; this project keeps CAMEO's meaning (``MED`` = media organisations, ``HLH`` =
  health, ``JRN`` = journalists), so ``MED`` -> ``HLH`` and a ``JRN`` term naming an outlet
  (newspaper, station, agency...) -> ``MED``. Codes with no known part (``JNK`` natural
  disasters, ``NON`` weekdays and regions, ``UNK``, ``PRE`` unrecognised states, ``IGO``/``IMG``,
  which are actor codes here, not sectors) are skipped and counted.
* ``EXCLUDED`` terms are skipped with a reason: places (a place is never a party), words whose
  news sense is not an actor ("diet"), and nouns whose sector depends on context.
* A term that already has a hand row keeps the hand row. If the hand row's sector differs, the
  whole PLOVER entry is left out (so "spokeswomen" does not become JRN while "spokeswoman" is
  GOV) and the disagreement is printed.
"""

from __future__ import annotations

import csv
import itertools
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "eventcoder" / "data"
OUT = DATA / "sectors.tsv"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "train" / "PLOVER_agents.txt"
NOTICE = "MIT, Copyright (c) 2014 Open Event Data Alliance; see PLOVER_agents.LICENSE"
PLOVER_PREFIX = "PLOVER_agents.txt"

# Stems the file leaves unstopped, and what they stand for.
STEMS = {"minist": ["minister", "ministers", "ministry", "ministries"],
         "authorit": ["authority", "authorities"]}
# PLOVER_agents' code -> this project's code for the same role (see the module docstring).
TRANSLATE = {"MED": "HLH"}
# Last words that make a JRN term a media organisation (MED here) rather than journalists.
OUTLET_NOUNS = frozenset("agency association blog company corp firm gazette house magazine media news "
                         "newspaper organisation organization outlet press publication radio service site "
                         "station tabloid telecom television tv website".split())
# Last words with no regular plural.
UNCOUNTABLE = frozenset("aviation clergy gendarmerie infantry artillery intelligence leadership media "
                        "military personnel police staff soldiery youth labor labour management "
                        "welfare information justice".split())
PREPOSITIONS = frozenset("of for in to on with against at from along without".split())
EXCLUDED: dict[str, str] = {
    **dict.fromkeys(["city", "cities", "town", "towns", "village", "villages", "province", "provinces",
                     "neighborhood", "neighborhoods", "neighbourhood", "neighbourhoods", "settlement",
                     "settlements", "capital", "capitals", "kingdom", "kingdoms", "state", "states",
                     "polity", "polities"],
                    "a place, not a party (issue 13: a place is never a party)"),
    **dict.fromkeys(["diet", "diets"], "ordinary word (food); Japan's Diet is in groups.tsv by name"),
    **dict.fromkeys(["ordinary", "ordinaries", "naturalized", "semi-official", "state-owned"],
                    "an adjective, not an actor noun"),
    **dict.fromkeys(["representative", "representatives", "delegate", "delegates"],
                    "sector depends on context: usually diplomats (GOV) in news, not legislators (LEG)"),
}


def known_sectors() -> set[str]:
    with (DATA / "sector_codes.tsv").open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh, delimiter="\t")}


def normalize(term: str) -> str:
    # The key ActorDictionary builds (eventcoder.extract.actors.normalize_term), without the
    # accent folding the ASCII-only PLOVER terms do not need.
    term = " ".join(term.lower().replace("\u2019", "'").replace("-", " ").split())
    return term[4:] if term.startswith("the ") else term


def plural(word: str) -> str | None:
    """The regular plural of an English noun, or None where it has none or is plural already."""
    if word in UNCOUNTABLE or word.endswith(("s", "ed")) or re.search(r"[^a-z'\-]", word):
        return None
    if word.endswith("man") and word != "human":
        return word[:-3] + "men"
    if word.endswith("fe"):
        return word[:-2] + "ves"
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("sh", "ch", "x", "z")):
        return word + "es"
    return word + "s"


def plural_phrase(text: str, numbered: set[str]) -> str | None:
    """The plural of a noun phrase: its head is the word before the first preposition
    ("ministry of defence" -> "ministries of defence"), else the last word."""
    words = text.split()
    head = next((i - 1 for i, w in enumerate(words) if i > 0 and w in PREPOSITIONS), len(words) - 1)
    if words[head] in numbered:  # a substitution set or stem already gave both numbers
        return None
    form = plural(words[head])
    return None if form is None else " ".join([*words[:head], form, *words[head + 1:]])


def expand(phrase: str, macros: dict[str, list[str]]) -> list[tuple[str, bool]]:
    """Every spelling a phrase stands for, with whether its last word already carries number."""
    parts = re.split(r"(![A-Z]+!)", phrase)
    options: list[list[str]] = []
    for k, part in enumerate(parts):
        name = part[1:-1]
        if part.startswith("!") and part.endswith("!") and name in macros:
            glued = (k > 0 and parts[k - 1][-1:].isalpha()) and (k + 1 < len(parts) and parts[k + 1][:1].isalpha())
            options.append([name] if glued else macros[name])
        else:
            options.append([part])
    ends_with_macro = phrase.rstrip("_ ").endswith("!")
    spellings: list[tuple[str, bool]] = []
    for combo in itertools.product(*options):
        text = " ".join("".join(combo).replace("_", " ").lower().split())
        words = text.split()
        if words and words[-1] in STEMS:
            spellings += [(" ".join([*words[:-1], w]), True) for w in STEMS[words[-1]]]
        elif text:
            spellings.append((text, ends_with_macro))
    return spellings


def choose_sector(code: str, term: str, known: set[str]) -> str | None:
    for part in (code[i:i + 3] for i in range(0, len(code), 3)):
        sector = TRANSLATE.get(part, part)
        if sector in known:
            if sector == "JRN" and term.split()[-1] in OUTLET_NOUNS:
                return "MED"
            return sector
    return None


ENTRY = re.compile(r"^(?P<phrase>[^{\[]*?)\s*(?:\{(?P<plurals>[^}]*)\})?\s*\[~(?P<code>[A-Z]+)\]\s*(?:#.*)?$")
MACRO = re.compile(r"^!(?P<name>[A-Z]+)!\s*=\s*(?P<values>.+)$")


def convert(source: Path, hand: dict[str, str], known: set[str]) -> tuple[list[tuple[str, str, str]], dict]:
    macros: dict[str, list[str]] = {}
    rows: list[tuple[str, str, str]] = []
    seen: dict[str, str] = {}
    stats: dict = {"entries": 0, "skipped_code": Counter(), "excluded": Counter(), "malformed": [],
                   "agree": 0, "disagree": [], "internal_conflicts": [], "duplicates": 0}
    for raw in source.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if m := MACRO.match(line):
            macros[m["name"]] = [v.strip() for v in m["values"].split(",") if v.strip()]
            continue
        m = ENTRY.match(line)
        if m is None:
            stats["malformed"].append(line)
            continue
        stats["entries"] += 1
        original = f"{m['phrase'].strip()} [~{m['code']}]"
        if not m["phrase"].strip().isascii():
            stats["malformed"].append(line)
            continue
        forms = expand(m["phrase"].strip(), macros)
        terms: list[str] = []
        numbered = {v.lower() for values in macros.values() for v in values} | {w for ws in STEMS.values() for w in ws}
        for text, has_number in forms:
            terms.append(text)
            if m["plurals"] is None and not has_number:
                if (p := plural_phrase(text, numbered)) is not None:
                    terms.append(p)
        for given in (m["plurals"] or "").split(","):
            if given.strip():
                terms += [t for t, _ in expand(given.strip(), macros)]
        terms = list(dict.fromkeys(terms))
        sector = choose_sector(m["code"], terms[0], known)
        if sector is None:
            stats["skipped_code"][m["code"]] += 1
            continue
        clashes = [(t, hand[normalize(t)]) for t in terms if normalize(t) in hand and hand[normalize(t)] != sector]
        if clashes:
            stats["disagree"].append((original, sector, clashes))
            continue
        for term in terms:
            key = normalize(term)
            if key in EXCLUDED:
                stats["excluded"][f"{term}: {EXCLUDED[key]}"] += 1
            elif key in hand:
                stats["agree"] += 1
            elif key in seen:
                stats["duplicates"] += 1
                if seen[key] != sector:
                    stats["internal_conflicts"].append((term, seen[key], sector))
            else:
                seen[key] = sector
                rows.append((term, sector, f"{PLOVER_PREFIX}: {original} ({NOTICE})"))
    return rows, stats


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    if not source.is_file():
        print(f"PLOVER agents file not found: {source}", file=sys.stderr)
        return 2
    with OUT.open(encoding="utf-8") as fh:
        current = list(csv.DictReader(fh, delimiter="\t"))
    hand_rows = [r for r in current if not r["source"].startswith(PLOVER_PREFIX)]
    hand = {normalize(r["term"]): r["sector"] for r in hand_rows}
    known = known_sectors()
    unknown_hand = sorted({r["sector"] for r in hand_rows} - known)
    if unknown_hand:
        print(f"hand rows use sector codes missing from sector_codes.tsv: {unknown_hand}", file=sys.stderr)
        return 1
    rows, stats = convert(source, hand, known)
    lines = ["term\tsector\tsource"]
    for row in [(r["term"], r["sector"], r["source"]) for r in hand_rows] + rows:
        assert not any("\t" in f or "\n" in f for f in row), row
        lines.append("\t".join(row))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")

    print(f"{source}: {stats['entries']} entries -> {len(rows)} PLOVER rows; {len(hand_rows)} hand rows kept")
    print(f"skipped, sector code unknown here: {sum(stats['skipped_code'].values())} entries "
          f"({', '.join(f'{c} {n}' for c, n in stats['skipped_code'].most_common())})")
    print(f"skipped, malformed: {len(stats['malformed'])}: {stats['malformed']}")
    print(f"excluded terms: {sum(stats['excluded'].values())}")
    for item in sorted(stats["excluded"]):
        print(f"  {item}")
    print(f"terms already in the hand rows with the same sector: {stats['agree']}")
    print(f"duplicate terms inside the file: {stats['duplicates']}; with different sectors: {stats['internal_conflicts']}")
    print(f"entries left out because a hand row disagrees: {len(stats['disagree'])}")
    for original, sector, clashes in stats["disagree"]:
        print(f"  {original} -> {sector}; ours: " + ", ".join(f"{t}={s}" for t, s in clashes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
