"""The trigger lexicon (ontology/triggers.tsv) read as the matcher reads it: rows that another
row hides, so they never fire for some or all of their words.

``extract.triggers.match_rule`` tries a lemma's verb rules most specific first (objects, then a
particle, then bare) and takes the first that fits; noun and adjective rules use only the first
row of their lemma. So a row is hidden, for one of its object words, when an earlier rule of the
same lemma fits whenever it does (same particle or none, and that word among its objects or no
object condition at all); a noun or adjective row is hidden whole when it is not its lemma's
first. "send troops" is coded AID by the ``send aid|...|troops`` row, and the MOBILIZE row's
``troops`` never fires.

The rows hidden today are listed in KNOWN, on purpose, instead of editing the table (the lexicon
is the accuracy work's to change): the test fails when a change to the table hides another row,
or un-hides a known one, so the list says what the matcher does.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import NamedTuple

from eventcoder.extract.triggers import LEXICON_PATH


class Row(NamedTuple):
    line: int
    lemma: str
    particle: str
    objects: frozenset[str]
    pos: str
    event_type: str
    mode: str

    @property
    def specificity(self) -> int:
        return 2 * bool(self.objects) + bool(self.particle)


# (lemma, particle, object word or "" for the whole row, pos, type hidden) -> type that wins
KNOWN: dict[tuple[str, str, str, str, str], str] = {
    ("send", "", "troops", "V", "MOBILIZE"): "AID",
    ("declare", "", "emergency", "V", "COERCE"): "COERCE",
    ("declare", "", "martial", "V", "COERCE"): "COERCE",
    ("block", "", "highway", "V", "PROTEST"): "PROTEST",
    ("block", "", "traffic", "V", "PROTEST"): "PROTEST",
}


def lexicon_rows() -> list[Row]:
    with open(LEXICON_PATH, newline="", encoding="utf-8") as handle:
        return [
            Row(line, r["lemma"].strip().lower(), r["particle"].strip().lower(),
                frozenset(o for o in r["objects"].strip().lower().split("|") if o),
                r["pos"].strip() or "V", r["event_type"].strip(), r["mode"].strip())
            for line, r in enumerate(csv.DictReader(handle, delimiter="\t"), start=2)
        ]  # fmt: skip


def _fits_whenever(earlier: Row, row: Row, word: str | None) -> bool:
    """``earlier`` matches every token that ``row`` matches through ``word`` (None: a bare row)."""
    if earlier.particle and earlier.particle != row.particle:
        return False
    return not earlier.objects or (word is not None and word in earlier.objects)


def hidden_rows(rows: list[Row]) -> dict[tuple[str, str, str, str, str], tuple[str, int, int]]:
    """Every (lemma, particle, word, pos, type) a row would code but an earlier rule takes:
    the winning type, the hidden row's line and the winner's line."""
    by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_key[(row.lemma, row.pos)].append(row)
    found: dict[tuple[str, str, str, str, str], tuple[str, int, int]] = {}
    for (_, pos), group in by_key.items():
        group.sort(key=lambda r: -r.specificity)  # stable, as load_lexicon sorts
        for index, row in enumerate(group):
            if pos != "V":
                if index:  # only a lemma's first noun/adjective row is ever used
                    found[(row.lemma, row.particle, "", pos, row.event_type)] = (group[0].event_type, row.line, group[0].line)
                continue
            for word in sorted(row.objects) or [None]:
                winner = next((e for e in group[:index] if _fits_whenever(e, row, word)), None)
                if winner is not None:
                    found[(row.lemma, row.particle, word or "", pos, row.event_type)] = (winner.event_type, row.line, winner.line)
    return found


def test_hidden_lexicon_rows_are_the_known_ones() -> None:
    found = hidden_rows(lexicon_rows())
    described = {key: f"triggers.tsv line {line} hidden by line {by} ({winner})" for key, (winner, line, by) in found.items()}
    new = {k: v for k, v in described.items() if k not in KNOWN}
    gone = sorted(set(KNOWN) - set(found))
    assert not new, f"rows newly hidden by an earlier rule (fix the table, or add them to KNOWN): {new}"
    assert not gone, f"rows in KNOWN no longer hidden (take them out of KNOWN): {gone}"
    assert {k: v[0] for k, v in found.items()} == KNOWN


def test_no_row_is_written_twice() -> None:
    seen: dict[tuple[object, ...], int] = {}
    twice = []
    for row in lexicon_rows():
        key = row[1:]
        if key in seen:
            twice.append((seen[key], row.line))
        seen.setdefault(key, row.line)
    assert twice == []


def test_the_analysis_finds_a_hidden_row() -> None:
    # The check itself, on a table built here: a bare row behind another bare row, and an
    # object word an earlier object row already claims.
    rows = [
        Row(2, "send", "", frozenset({"aid", "troops"}), "V", "AID", ""),
        Row(3, "send", "", frozenset({"troops", "tanks"}), "V", "MOBILIZE", "troops"),
        Row(4, "deal", "", frozenset(), "N", "AGREE", ""),
        Row(5, "deal", "", frozenset(), "N", "COOPERATE", ""),
        Row(6, "call", "on", frozenset(), "V", "REQUEST", ""),
        Row(7, "call", "", frozenset(), "V", "CONSULT", "phone"),
    ]
    assert hidden_rows(rows) == {
        ("send", "", "troops", "V", "MOBILIZE"): ("AID", 3, 2),
        ("deal", "", "", "N", "COOPERATE"): ("AGREE", 5, 4),
    }
