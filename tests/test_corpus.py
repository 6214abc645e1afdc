"""The seed articles against their expected facts (tests/corpus/*.expected.jsonl).

Each line of an expected file is one decisive fact, never a whole output (STYLE.md #7):

* ``{"article": {...}}``: metadata of the coded article (``published``);
* ``{"require": M}``: at least one event matches M;
* ``{"forbid": M}``: no event matches M;
* ``{"require_quote": Q}``: at least one quote matches Q (``speaker``, ``cue``, ``covers``);
* ``{"require_every": {"where": M1, "then": M2}}``: some event matches M1, and every one
  that does also matches M2.

An event matcher M may use: ``event_type``, ``trigger``, ``actors_include``,
``recipients_include`` (country codes), ``actor_names_include``, ``place`` (place name),
``date`` (ISO date of ``when``), ``background``, ``sentence_contains``, ``quote_speaker``,
``within_quote_cue`` (the event's sentence starts inside a quote with that cue, e.g. "A:").

A line may carry ``"xfail": "<reason>"``: a known extractor bug, run as a non-strict xfail.
F1 against the PLOVER gold is measured in bench/, not here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventcoder import CodedArticle, Event, Quote, Store
from eventcoder.store import queries

CORPUS = Path(__file__).parent / "corpus"
EVENT_KEYS = {
    "event_type", "trigger", "actors_include", "recipients_include", "actor_names_include", "place",
    "date", "background", "sentence_contains", "quote_speaker", "within_quote_cue",
}
QUOTE_KEYS = {"speaker", "cue", "covers"}
KINDS = {"article", "require", "forbid", "require_quote", "require_every"}


def _facts() -> list[Any]:
    params = []
    for path in sorted(CORPUS.glob("seed_*.expected.jsonl")):
        seed = path.name.split(".")[0]  # "seed_000"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            fact = json.loads(line)
            marks = [pytest.mark.xfail(reason=fact["xfail"], strict=False)] if "xfail" in fact else []
            params.append(pytest.param(seed, fact, id=f"{seed}:{number}", marks=marks))
    return params


FACTS = _facts()


def _coded(coded_seeds: dict[str, CodedArticle], seed: str) -> CodedArticle:
    prefix = seed.removeprefix("seed_") + "_"
    (match,) = [c for name, c in coded_seeds.items() if name.startswith(prefix)]
    return match


def _matches(event: Event, spec: dict[str, Any], coded: CodedArticle) -> bool:
    actor_codes = {a.country for a in event.actors}
    checks = {
        "event_type": lambda v: event.event_type == v,
        "trigger": lambda v: event.trigger == v,
        "actors_include": lambda v: set(v) <= actor_codes,
        "recipients_include": lambda v: set(v) <= {a.country for a in event.recipients},
        "actor_names_include": lambda v: set(v) <= {a.name for a in event.actors},
        "place": lambda v: event.place is not None and event.place.name == v,
        "date": lambda v: event.when.date is not None and event.when.date.isoformat() == v,
        "background": lambda v: event.background is v,
        "sentence_contains": lambda v: v in event.sentence,
        "quote_speaker": lambda v: event.quote is not None and event.quote.speaker is not None and event.quote.speaker.name == v,
        "within_quote_cue": lambda v: any(q.cue == v and q.start_char <= event.start_char < q.end_char for q in coded.quotes),
    }
    return all(checks[key](value) for key, value in spec.items())


def _quote_matches(quote: Quote, spec: dict[str, Any]) -> bool:
    return (
        ("speaker" not in spec or (quote.speaker is not None and quote.speaker.name == spec["speaker"]))
        and ("cue" not in spec or quote.cue == spec["cue"])
        and ("covers" not in spec or spec["covers"] in quote.text)
    )


def _describe(coded: CodedArticle) -> str:
    return "\n".join(
        f"  {e.event_type} {[a.country for a in e.actors]}->{[a.country for a in e.recipients]} "
        f"trigger={e.trigger!r} date={e.when.date} place={e.place.name if e.place else None} "
        f"bg={e.background} | {e.sentence[:90]}"
        for e in coded.events
    )


def test_corpus_files_are_well_formed() -> None:
    assert {p.name for p in CORPUS.glob("*.expected.jsonl")} == {"seed_000.expected.jsonl", "seed_001.expected.jsonl"}
    for param in FACTS:
        _, fact = param.values
        kinds = KINDS & set(fact)
        assert len(kinds) == 1, fact
        (kind,) = kinds
        if kind in {"require", "forbid"}:
            assert fact[kind] and set(fact[kind]) <= EVENT_KEYS, fact
        elif kind == "require_every":
            assert set(fact[kind]) == {"where", "then"} and set(fact[kind]["where"]) | set(fact[kind]["then"]) <= EVENT_KEYS
        elif kind == "require_quote":
            assert fact[kind] and set(fact[kind]) <= QUOTE_KEYS, fact


@pytest.mark.parametrize("seed, fact", FACTS)
def test_expected_fact(coded_seeds: dict[str, CodedArticle], seed: str, fact: dict[str, Any]) -> None:
    coded = _coded(coded_seeds, seed)
    if "article" in fact:
        for key, value in fact["article"].items():
            actual = getattr(coded.article, key)
            assert (actual.isoformat() if hasattr(actual, "isoformat") else actual) == value
    elif "require" in fact:
        assert any(_matches(e, fact["require"], coded) for e in coded.events), f"no event matches {fact['require']}:\n{_describe(coded)}"
    elif "forbid" in fact:
        bad = [e for e in coded.events if _matches(e, fact["forbid"], coded)]
        assert not bad, f"forbidden {fact['forbid']}: {[e.sentence for e in bad]}"
    elif "require_quote" in fact:
        assert any(_quote_matches(q, fact["require_quote"]) for q in coded.quotes), [
            (q.speaker.name if q.speaker else None, q.cue, q.text[:60]) for q in coded.quotes
        ]
    else:
        where, then = fact["require_every"]["where"], fact["require_every"]["then"]
        selected = [e for e in coded.events if _matches(e, where, coded)]
        assert selected, f"no event matches {where}:\n{_describe(coded)}"
        wrong = [e.sentence for e in selected if not _matches(e, then, coded)]
        assert not wrong, f"events matching {where} but not {then}: {wrong}"


def test_seed_store_holds_the_coded_seeds(seed_store: Store, coded_seeds: dict[str, CodedArticle]) -> None:
    """The session DuckDB file holds every seed event, and a dyad query finds China's
    request of Tuesday 2018-06-12."""
    counts = seed_store.counts()
    assert counts["articles"] == 2
    assert counts["events"] == len({e.id for c in coded_seeds.values() for e in c.events})
    rows = queries.events(seed_store, actor="CHN", event_type="REQUEST", since="2018-06-12", until="2018-06-12")
    assert any("China suggested on Tuesday" in r["sentence"] for r in rows)
