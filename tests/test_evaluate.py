"""Evaluation: the pure scoring on hand-written inputs, and small gold files end to end.

The end-to-end tests pin facts that do not depend on how well the coder is tuned (record
counts, crosswalked types, denominators, arithmetic consistency); the figures on the real
gold sets live in ``bench/bench_eval.py``. Every sentence here is written for this file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from eventcoder.evaluate import (
    NONE,
    GoldRecord,
    RecordResult,
    calibration,
    codes_overlap,
    country_match,
    evaluate_articles,
    evaluate_path,
    evaluate_sentences,
    load_articles,
    load_sentences,
    locate,
    match_events,
    predicted_event,
    score_types,
    write_report,
)
from eventcoder.errors import InputError
from eventcoder.testing import make_article, make_event

SHARED_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "realnews" / "dev"

GOLD = [
    {"id": "DOC-0001", "event": "DOCUMENT", "comment": "file documentation, no text"},
    {
        "id": "T-FIGHT-0001", "event": "FIGHT", "date": "2021-03-01", "outlet": "Example Wire",
        "url": "https://example.org/a", "text": "Israeli troops killed three Palestinian protesters in Gaza on Monday.",
        "source": [{"actorText": "Israeli troops", "code": "ISR", "sector": "MIL"}],
        "target": [{"actorText": "Palestinian protesters", "code": "PSE", "sector": "CVL"}],
    },
    {
        "id": "T-DEMAND-0001", "event": "DEMAND", "date": "2021-03-02",
        "text": "France urged Iran to release the detained journalists.",
        "source": [{"actorText": "France", "code": "FRA"}],
        "target": [{"actorText": "Iran", "code": "IRN", "sector": "GOV"}],
    },
    {
        "id": "T-DISAPPROVE-0001", "event": "DISAPPROVE", "date": "not a date",
        "text": "Japan's foreign minister criticized China over its naval exercises near the disputed islands.",
        "source": [{"actorText": "Japan's foreign minister", "code": "JAP", "sector": "GOV"}],
        "target": [{"actorText": "China", "code": "CHN"}],
    },
    {
        "id": "T-NONE-0001", "event": "NONE", "date": "2021-03-05",
        "text": "The striker scored twice as the home side crushed the visitors four goals to nil on Saturday.",
        "source": [], "target": [],
    },
    {
        "id": "T-POLICE-0001", "event": "COERCE", "mode": "arrest", "date": "2021-03-06",
        "text": "Eleven men were arrested on Sunday night after a brawl outside the bus depot.",
        "source": [], "target": [], "implicit_source": [{"actorText": "police (implicit)", "code": "IND", "sector": "COP"}],
    },
    {"id": "T-NOTEXT-0001", "event": "AGREE", "source": None, "target": None},
]


@pytest.fixture(scope="module")
def gold_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gsr.json"
    path.write_text(json.dumps(GOLD))
    return path


# -- event types with NONE ------------------------------------------------------------------


def test_score_types_known_values() -> None:
    pairs = [
        ("ASSAULT", "ASSAULT"), ("ASSAULT", NONE),
        ("REQUEST", "REQUEST"), ("REQUEST", "ACCUSE"),
        ("ACCUSE", "ACCUSE"),
    ]
    s = score_types(pairs)
    # 3 right; 1 wrong real prediction (FP); NONE is a miss but not a false positive.
    assert (s.true_positives, s.false_positives, s.false_negatives) == (3, 1, 2)
    assert s.micro_precision == pytest.approx(3 / 4)
    assert s.micro_recall == pytest.approx(3 / 5)
    by_type = {t.event_type: t for t in s.per_type}
    assert (by_type["ASSAULT"].precision, by_type["ASSAULT"].recall) == (1.0, 0.5)
    assert (by_type["ACCUSE"].precision, by_type["ACCUSE"].recall) == (0.5, 1.0)
    # Macro over the three gold types present, not the 16 labels.
    assert s.macro_f1 == pytest.approx(2 / 3)
    assert s.confusions == [("ASSAULT", NONE, 1), ("REQUEST", "ACCUSE", 1)]
    assert len(s.per_type) == 16 and NONE not in by_type


def test_a_false_alarm_on_a_none_record_is_a_false_positive_only() -> None:
    with_alarm = score_types([("AGREE", "AGREE"), (NONE, "AGREE"), (NONE, NONE)])
    assert (with_alarm.true_positives, with_alarm.false_positives, with_alarm.false_negatives) == (1, 1, 0)
    assert with_alarm.micro_precision == 0.5 and with_alarm.micro_recall == 1.0
    agree = next(t for t in with_alarm.per_type if t.event_type == "AGREE")
    assert (agree.precision, agree.recall, agree.support, agree.predicted) == (0.5, 1.0, 1, 2)
    # A NONE record left alone is not a true positive of anything, and NONE is not a class.
    quiet = score_types([(NONE, NONE)])
    assert (quiet.true_positives, quiet.false_positives, quiet.false_negatives, quiet.macro_f1) == (0, 0, 0, 0.0)


def test_score_types_edge_cases() -> None:
    empty = score_types([])
    assert (empty.micro_f1, empty.macro_f1, empty.confusions) == (0.0, 0.0, [])
    stray = score_types([("AGREE", "AGREE"), ("AGREE", "THREATEN")])
    assert stray.micro_precision == 0.5
    assert stray.macro_precision == 1.0 and stray.macro_recall == 0.5
    assert score_types([("COERCE", "ASSAULT")] * 3 + [("AID", NONE)] * 2, top=1).confusions == [("COERCE", "ASSAULT", 3)]


# -- countries ------------------------------------------------------------------------------


def test_country_match() -> None:
    assert country_match([], ["USA"]) is None
    assert country_match(["", None], ["USA"]) is None
    assert country_match(["JAP"], ["JPN"]) == (True, True)
    assert country_match(["USA", "JOR"], ["USA", None]) == (True, False)
    assert country_match(["ISR"], []) == (False, False)
    assert country_match(["IGO"], ["UNO"]) == (True, True)  # generic gold IGO
    assert country_match(["EUR"], ["EU"]) == (True, True)  # the real-news sets' code for the EU
    assert country_match(["UNO"], ["EU"]) == (False, False)  # specific codes match exactly
    assert codes_overlap([], ["RUS"]) and codes_overlap(["RUS"], ["UKR", "RUS"]) and not codes_overlap(["RUS"], [])


def _record(**fields: object) -> GoldRecord:
    base: dict[str, object] = {"id": "r", "event_type": "ASSAULT", "gold_name": "ASSAULT", "mode": None, "text": "t",
                               "published": None, "source_codes": (), "target_codes": ()}
    return GoldRecord(**(base | fields))  # type: ignore[arg-type]


def test_strict_needs_type_actor_and_recipient_where_gold_names_them() -> None:
    gold = _record(source_codes=("RUS",), target_codes=("UKR",))
    assert RecordResult(gold, "ASSAULT", pred_actors=("RUS",), pred_recipients=("UKR",)).strict_right
    assert not RecordResult(gold, "ASSAULT", pred_actors=("RUS",), pred_recipients=("RUS",)).strict_right
    assert not RecordResult(gold, "COERCE", pred_actors=("RUS",), pred_recipients=("UKR",)).strict_right
    # A reciprocal gold event (both sides as source) matches whichever side we put first.
    clash = _record(source_codes=("IND", "PAK"))
    result = RecordResult(clash, "ASSAULT", pred_actors=("PAK",), pred_recipients=("IND",))
    assert result.actor_right() is True and result.recipient_right() is None and result.strict_right
    # An implicit source counts for the actor figure, not for the named-only one.
    local = _record(implicit_source_codes=("IND",))
    found = RecordResult(local, "ASSAULT", pred_actors=("IND",))
    assert found.actor_right() is True and found.actor_right(implicit=False) is None
    # NONE records: strict-right when nothing is coded; never scored for actors.
    none = _record(event_type=NONE)
    assert RecordResult(none, NONE).strict_right and not RecordResult(none, "AGREE").strict_right
    assert RecordResult(none, "AGREE", pred_actors=("USA",)).actor_right() is None


# -- article matching -----------------------------------------------------------------------


def test_match_events_one_matched_one_missed_one_spurious() -> None:
    predicted = ["ACCUSE", "ASSAULT"]
    gold = ["ACCUSE", "REQUEST"]
    matches = match_events(len(predicted), len(gold), lambda p, g: predicted[p] == gold[g], lambda p, g: (g,))
    assert [(m.predicted, m.gold) for m in matches] == [(0, 0)]  # ASSAULT spurious, REQUEST missed


def test_match_events_ties_go_to_the_preferred_pair() -> None:
    # Two predicted ACCUSEs compete for one gold ACCUSE: the one in the gold sentence wins,
    # whichever comes first in the text.
    for in_sentence in (0, 1):
        matches = match_events(2, 1, lambda p, g: True, lambda p, g, s=in_sentence: (p != s, g))
        assert [(m.predicted, m.gold) for m in matches] == [(in_sentence, 0)]
    # Equal preference: the earlier predicted event, and the lower gold index.
    assert [(m.predicted, m.gold) for m in match_events(2, 2, lambda p, g: True, lambda p, g: (0, g))] == [(0, 0), (1, 1)]


def test_match_events_moves_an_earlier_choice_to_match_one_more() -> None:
    # Predicted 0 prefers gold 0 but could take gold 1; predicted 1 can only take gold 0.
    allowed = {(0, 0), (0, 1), (1, 0)}
    matches = match_events(2, 2, lambda p, g: (p, g) in allowed, lambda p, g: (g,))
    assert sorted((m.predicted, m.gold) for m in matches) == [(0, 1), (1, 0)]


# -- calibration ----------------------------------------------------------------------------


def test_calibration_bins_and_expected_error() -> None:
    scored = [(0.95, True), (0.92, True), (0.91, False), (0.35, False), (0.31, True)]
    cal = calibration(scored)
    assert [(b.low, b.count) for b in cal.bins] == [(0.3, 2), (0.9, 3)]
    high = cal.bins[1]
    assert high.precision == pytest.approx(2 / 3) and high.mean_confidence == pytest.approx(0.9266, abs=1e-3)
    expected = 3 / 5 * abs(2 / 3 - 2.78 / 3) + 2 / 5 * abs(0.5 - 0.33)
    assert cal.ece == pytest.approx(expected)
    assert calibration([]).ece == 0.0 and calibration([(1.0, True)]).bins[0].low == 0.9  # 1.0 sits in the top bin


# -- locating gold sentences ----------------------------------------------------------------


def test_locate_collapses_whitespace_and_picks_the_occurrence_nearest_the_offset() -> None:
    raw = "Ministers meet.\n\nThe talks  ended late.  Later, the talks ended again.\n"
    coded = "The talks ended late. Later, the talks ended again."  # headline cut, spaces collapsed
    assert locate(coded, raw, "the talks ended", None) == coded.index("the talks ended")
    assert locate(coded, raw, "The talks ended", 17) == 0
    assert locate(coded, raw, "Ministers meet.", 0) is None  # the headline is not in the coded text


# -- sentence files end to end --------------------------------------------------------------


def test_load_sentences_skips_crosswalks_and_keeps_none(gold_path: Path) -> None:
    records, skipped = load_sentences(gold_path)
    assert skipped == 2  # DOCUMENT, and the record without text
    by_id = {r.id: r for r in records}
    assert by_id["T-FIGHT-0001"].event_type == "ASSAULT" and by_id["T-FIGHT-0001"].outlet == "Example Wire"
    assert by_id["T-DEMAND-0001"].event_type == "REQUEST"
    assert (by_id["T-DISAPPROVE-0001"].event_type, by_id["T-DISAPPROVE-0001"].mode) == ("ACCUSE", "disapprove")
    assert by_id["T-DISAPPROVE-0001"].source_codes == ("JPN",) and by_id["T-DISAPPROVE-0001"].published is None
    assert by_id["T-NONE-0001"].event_type == NONE
    assert by_id["T-POLICE-0001"].implicit_source_codes == ("IND",)


def test_sentence_report_counts_and_consistency(gold_path: Path, tmp_path: Path) -> None:
    report = evaluate_sentences(gold_path)
    assert report.records == 5 and len(report.event_records) == 4
    assert report.none_false_alarm.total == 1
    assert report.actor.total == 4  # three named sources and one implicit
    assert report.actor_named.total == 3
    assert report.recipient.total == 3
    t = report.types
    assert t.true_positives == sum(r.type_right for r in report.event_records)
    assert report.strict.hits <= t.true_positives
    assert report.calibration.count == sum(r.predicted != NONE for r in report.results)
    markdown = report.to_markdown()
    assert "NONE false-alarm rate" in markdown and "Strict" in markdown and f"eventcoder eval {gold_path}" in markdown
    assert "striker" not in markdown  # reports carry figures, never gold text
    assert write_report(report, tmp_path / "docs" / "EVAL.md").read_text() == markdown
    assert json.loads(json.dumps(report.to_dict()))["headline"]["records"] == 5


def test_predicted_event_is_first_with_highest_confidence() -> None:
    article = make_article()
    low, high_a, high_b = (make_event(article, event_type=t, confidence=c) for t, c in
                           [("AGREE", 0.4), ("REQUEST", 0.8), ("ACCUSE", 0.8)])
    assert predicted_event([low, high_a, high_b]).event_type == "REQUEST"  # type: ignore[union-attr]
    assert predicted_event([]) is None


def test_repeated_record_ids_are_scored_separately(tmp_path: Path) -> None:
    records = [
        {"id": "T-DUP-0001", "event": "DEMAND", "text": "France urged Iran to release the detained journalists.",
         "source": [{"code": "FRA"}], "target": [{"code": "IRN"}]},
        {"id": "T-DUP-0001", "event": "FIGHT", "text": "Russian troops attacked Ukrainian positions near Kharkiv on Monday.",
         "source": [{"code": "RUS"}], "target": [{"code": "UKR"}]},
    ]
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(records))
    first, second = evaluate_sentences(path).results
    assert first.record.text.startswith("France") and "FRA" in first.pred_actors
    assert second.record.text.startswith("Russian") and "RUS" in second.pred_actors


def test_a_malformed_gold_file_is_a_coded_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError) as caught:
        evaluate_path(bad)
    assert caught.value.code == "E106" and "bad.json" in str(caught.value)
    with pytest.raises(InputError, match="NAME.expected.json"):
        evaluate_path(tmp_path)


# -- article folders end to end -------------------------------------------------------------

ARTICLE = """Envoys trade charges at the border talks

GENEVA, March 3 - France urged Iran on Tuesday to release the detained journalists.

The weather in the city was mild, and the lake was calm.

Russian troops attacked Ukrainian positions near Kharkiv on Monday, officials said.
"""


def _write_article_folder(folder: Path, complete: bool) -> Path:
    folder.mkdir()
    (folder / "A-1.txt").write_text(ARTICLE)
    events = [
        {"event": "REQUEST", "mode": None, "source_codes": ["FRA"], "target_codes": ["IRN"],
         "sentence_start": "GENEVA, March 3 - France urged Iran on T", "date": "2021-03-02"},
        {"event": "ASSAULT", "mode": None, "source_codes": ["RUS"], "target_codes": ["UKR"],
         "sentence_start": "Russian troops attacked Ukrainian positi", "date": "2021-03-01"},
        {"event": "CONSULT", "mode": None, "source_codes": ["CHE"], "target_codes": [],
         "sentence_start": "Envoys trade charges at the border talks", "date": None},
    ]
    if complete:
        for event in events:
            event["minor"] = event["event"] == "CONSULT"
    (folder / "A-1.expected.json").write_text(json.dumps({"metadata": {"date": "2021-03-03", "outlet": "Example Wire"}, "events": events}))
    return folder


def test_article_folder_complete_lists(tmp_path: Path) -> None:
    folder = _write_article_folder(tmp_path / "full", complete=True)
    (gold,) = load_articles(folder)
    assert gold.complete and gold.published and gold.published.isoformat() == "2021-03-03"
    report = evaluate_articles(folder)
    assert report.complete and report.gold_events == 3 and report.main_events == 2
    (result,) = report.results
    # The headline is split off as the title, so its sentence cannot be located.
    assert result.locations[2] is None and result.locations[0] is not None and result.locations[1] is not None
    for name in ("type", "type+actor", "strict", "located"):
        level = report.level(name)
        assert level.precision is not None and 0 <= level.precision <= 1 and 0 <= level.recall <= 1
        assert level.matched_main <= level.matched_predictions <= report.predicted
    # Each level is at least as strict as the one before it.
    assert report.level("type").matched_predictions >= report.level("type+actor").matched_predictions \
        >= report.level("strict").matched_predictions >= report.level("located").matched_predictions
    assert "Match level" in report.to_markdown() and "urged" not in report.to_markdown()


def test_article_folder_with_main_events_only_reports_recall(tmp_path: Path) -> None:
    folder = _write_article_folder(tmp_path / "main", complete=False)
    report = evaluate_path(folder)
    assert not report.complete  # type: ignore[union-attr]
    assert report.level("strict").precision is None and report.main_events == 3  # type: ignore[union-attr]
    assert report.per_gold_event == pytest.approx(report.predicted / 3)  # type: ignore[union-attr]


def test_cli_eval_prints_sentence_and_article_figures(gold_path: Path, tmp_path: Path) -> None:
    sentences = subprocess.run(["eventcoder", "eval", str(gold_path)], capture_output=True, text=True, check=True).stdout
    assert "NONE false-alarm rate" in sentences and "Strict" in sentences
    folder = _write_article_folder(tmp_path / "cli", complete=True)
    articles = subprocess.run(["eventcoder", "eval", str(folder), "--json"], capture_output=True, text=True, check=True).stdout
    data = json.loads(articles)
    assert data["kind"] == "articles" and set(data["levels"]) == {"type", "type+actor", "strict", "located"}


@pytest.mark.skipif(not SHARED_DEV.exists(), reason="../shared real-news dev sets absent")
def test_cli_eval_on_the_real_news_dev_sets() -> None:
    out = subprocess.run(["eventcoder", "eval", str(SHARED_DEV / "news_sentences.dev.json")],
                         capture_output=True, text=True, check=True).stdout
    assert "NONE false-alarm rate" in out and "**Strict**" in out
    out = subprocess.run(["eventcoder", "eval", str(SHARED_DEV / "articles_full")], capture_output=True, text=True, check=True).stdout
    assert "| strict |" in out and "Precision" in out
