"""Gold evaluation: pure scoring on hand-made pairs, and a tiny GSR-shaped file end to end.

The end-to-end test pins facts that do not depend on how well the extractor is tuned
(record counts, crosswalked types, legacy-code normalization, arithmetic consistency);
F1 over the real PLOVER gold lives in ``bench/bench_gold.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventcoder.evaluate import (
    NONE,
    EvalReport,
    country_match,
    evaluate_gold,
    load_gold,
    predicted_event,
    score_types,
    write_report,
)
from eventcoder.testing import make_article, make_event

GOLD = [
    {"id": "DOC-0001", "event": "DOCUMENT", "comment": "file documentation, no text"},
    {
        "id": "T-FIGHT-0001", "event": "FIGHT", "date": "2021-03-01",
        "text": "Israeli troops killed three Palestinian protesters in Gaza on Monday.",
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
        "id": "T-PROTEST-0001", "event": "PROTEST", "date": "2021-03-04",
        "text": "Thousands of Kenyans marched in Nairobi to protest against rising food prices.",
        "source": [{"actorText": "Kenyans", "code": "KEN", "sector": "CVL"}, {"actorText": "", "code": ""}],
        "target": "",
    },
    {"id": "T-NOTEXT-0001", "event": "AGREE", "source": None, "target": None},
]


@pytest.fixture(scope="module")
def gold_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gsr.json"
    path.write_text(json.dumps(GOLD))
    return path


@pytest.fixture(scope="module")
def report(gold_path: Path) -> EvalReport:
    return evaluate_gold(gold_path)


# -- pure scoring ---------------------------------------------------------------------------


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
    assert s.micro_f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    by_type = {t.event_type: t for t in s.per_type}
    assert (by_type["ASSAULT"].precision, by_type["ASSAULT"].recall) == (1.0, 0.5)
    assert (by_type["ACCUSE"].precision, by_type["ACCUSE"].recall) == (0.5, 1.0)
    assert by_type["ACCUSE"].predicted == 2 and by_type["ACCUSE"].support == 1
    # Macro over the three gold types present, not the 16 labels.
    assert s.macro_precision == pytest.approx((1 + 1 + 0.5) / 3)
    assert s.macro_recall == pytest.approx((0.5 + 0.5 + 1) / 3)
    assert s.macro_f1 == pytest.approx(2 / 3)
    assert s.confusions == [("ASSAULT", NONE, 1), ("REQUEST", "ACCUSE", 1)]
    assert len(s.per_type) == 16 and NONE not in by_type


def test_score_types_edge_cases() -> None:
    empty = score_types([])
    assert (empty.micro_f1, empty.macro_f1, empty.confusions) == (0.0, 0.0, [])
    nothing = score_types([("AGREE", NONE), ("AGREE", NONE)])
    assert (nothing.micro_precision, nothing.micro_recall, nothing.false_positives) == (0.0, 0.0, 0)
    # A type predicted but absent from gold lowers micro precision, not the macro average.
    stray = score_types([("AGREE", "AGREE"), ("AGREE", "THREATEN")])
    assert stray.micro_precision == 0.5
    assert stray.macro_precision == 1.0 and stray.macro_recall == 0.5
    assert score_types([("AID", "AID")] * 3).macro_f1 == 1.0


def test_confusions_are_ranked_and_capped() -> None:
    pairs = [("COERCE", "ASSAULT")] * 3 + [("AGREE", "SUPPORT")] * 1 + [("AID", NONE)] * 2
    assert score_types(pairs, top=2).confusions == [("COERCE", "ASSAULT", 3), ("AID", NONE, 2)]


def test_country_match() -> None:
    assert country_match([], ["USA"]) is None
    assert country_match(["", None], ["USA"]) is None  # type: ignore[list-item]
    assert country_match(["JAP"], ["JPN"]) == (True, True)
    assert country_match(["USA", "JOR"], ["USA", None]) == (True, False)
    assert country_match(["USA", "JOR"], ["JOR", "USA"]) == (True, True)
    assert country_match(["ISR"], []) == (False, False)
    assert country_match(["IGO"], ["UNO"]) == (True, True)  # generic gold IGO
    assert country_match(["UNO"], ["EU"]) == (False, False)  # specific codes match exactly


def test_predicted_event_is_first_with_highest_confidence() -> None:
    article = make_article()
    low, high_a, high_b = (make_event(article, event_type=t, confidence=c) for t, c in
                           [("AGREE", 0.4), ("REQUEST", 0.8), ("ACCUSE", 0.8)])
    assert predicted_event([low, high_a, high_b]).event_type == "REQUEST"  # type: ignore[union-attr]
    assert predicted_event([]) is None


# -- the gold file --------------------------------------------------------------------------


def test_load_gold_skips_and_crosswalks(gold_path: Path) -> None:
    records, skipped = load_gold(gold_path)
    assert skipped == 2  # DOCUMENT, and the record without text
    by_id = {r.id: r for r in records}
    assert by_id["T-FIGHT-0001"].event_type == "ASSAULT"
    assert by_id["T-DEMAND-0001"].event_type == "REQUEST"
    assert (by_id["T-DISAPPROVE-0001"].event_type, by_id["T-DISAPPROVE-0001"].mode) == ("ACCUSE", "disapprove")
    assert by_id["T-DISAPPROVE-0001"].source_codes == ("JPN",)
    assert by_id["T-DISAPPROVE-0001"].published is None
    assert str(by_id["T-FIGHT-0001"].published) == "2021-03-01"
    assert by_id["T-PROTEST-0001"].source_codes == ("KEN",)  # empty code skipped
    assert by_id["T-PROTEST-0001"].target_codes == ()  # bare "" target


def test_report_counts_and_types(report: EvalReport) -> None:
    assert (report.records, report.skipped) == (4, 2)
    support = {t.event_type: t.support for t in report.types.per_type}
    assert {k for k, v in support.items() if v} == {"ASSAULT", "REQUEST", "ACCUSE", "PROTEST"}
    assert sum(support.values()) == 4
    assert not {"FIGHT", "DEMAND", "DISAPPROVE"} & set(support)
    assert [r.id for r in report.results] == ["T-FIGHT-0001", "T-DEMAND-0001", "T-DISAPPROVE-0001", "T-PROTEST-0001"]


def test_report_scores_are_consistent(report: EvalReport) -> None:
    t = report.types
    values = [t.micro_precision, t.micro_recall, t.micro_f1, t.macro_precision, t.macro_recall, t.macro_f1,
              report.coverage, report.actor.value, report.actor_all.value, report.recipient.value,
              report.recipient_all.value, report.dyad.value]
    values += [x for s in t.per_type for x in (s.precision, s.recall, s.f1)]
    assert all(0.0 <= v <= 1.0 for v in values)
    correct = sum(r.gold == r.predicted for r in report.results)
    predicted = sum(r.predicted != NONE for r in report.results)
    assert t.true_positives == correct
    assert t.micro_precision == pytest.approx(correct / predicted if predicted else 0.0)
    assert t.micro_recall == pytest.approx(correct / 4)
    assert report.coverage == pytest.approx(predicted / 4)
    assert len(report.misses()) == 4 - correct
    assert report.actor_all.hits <= report.actor.hits


def test_actor_denominators_and_legacy_codes(report: EvalReport) -> None:
    assert report.actor.total == 4  # every record has a gold source code
    assert report.recipient.total == 3  # the bare "" target is left out
    assert report.dyad.total == 3
    japan = next(r for r in report.results if r.id == "T-DISAPPROVE-0001")
    assert japan.gold_source == ("JPN",)
    # Whatever the extractor found, the legacy gold code is judged as JPN.
    assert country_match(japan.gold_source, japan.pred_actors) == country_match(["JPN"], japan.pred_actors)


def test_report_outputs(report: EvalReport, gold_path: Path, tmp_path: Path) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert data["records"] == 4 and data["event_type"]["macro_f1"] == report.types.macro_f1
    assert len(data["event_type"]["per_type"]) == 16
    markdown = report.to_markdown()
    assert f"eventcoder eval {gold_path}" in markdown
    assert "| REQUEST |" in markdown and "Per event type" in markdown
    out = write_report(report, tmp_path / "docs" / "EVALUATION.md")
    assert out.read_text() == markdown


def test_repeated_record_ids_are_scored_separately(tmp_path: Path) -> None:
    # Real gold files repeat ids; each record must be scored on its own sentence.
    records = [
        {"id": "T-DUP-0001", "event": "DEMAND", "text": "France urged Iran to release the detained journalists.",
         "source": [{"code": "FRA"}], "target": [{"code": "IRN"}]},
        {"id": "T-DUP-0001", "event": "FIGHT", "text": "Russian troops attacked Ukrainian positions near Kharkiv on Monday.",
         "source": [{"code": "RUS"}], "target": [{"code": "UKR"}]},
    ]
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(records))
    report = evaluate_gold(path)
    first, second = report.results
    assert first.sentence.startswith("France") and "FRA" in first.pred_actors
    assert second.sentence.startswith("Russian") and "RUS" in second.pred_actors
