"""Markdown for evaluation reports: no gold text is ever printed, only figures.

(Real-news gold sets may not be redistributed, so reports written into docs/ carry counts,
scores and type names, never a sentence.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .scoring import Accuracy, Calibration

if TYPE_CHECKING:
    from .articles import ArticleReport
    from .sentences import SentenceReport


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def calibration_table(cal: Calibration) -> list[str]:
    lines = [f"Calibration: expected calibration error **{cal.ece:.3f}** over {cal.count} predicted events.", "",
             "| Confidence | Events | Mean confidence | Precision |", "|---|---|---|---|"]
    lines += [f"| {b.low:.1f}–{b.high:.1f} | {b.count} | {b.mean_confidence:.3f} | {b.precision:.3f} |" for b in cal.bins]
    return lines


def sentence_markdown(report: SentenceReport) -> str:
    t = report.types

    def acc(a: Accuracy) -> str:
        return f"{a.value:.3f} ({a.hits}/{a.total})" if a.total else "—"

    fa = report.none_false_alarm
    lines = [
        f"Gold: `{report.gold_path}`: {report.records} records scored ({len(report.event_records)} events, "
        f"{report.records - len(report.event_records)} NONE), {report.skipped} skipped. Model `{report.spacy_model}`, "
        f"extractor {', '.join(f'`{e}`' for e in report.extractors) or '(no events)'}.",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Event type macro-F1 (P / R) | {t.macro_f1:.3f} ({t.macro_precision:.3f} / {t.macro_recall:.3f}) |",
        f"| Event type micro-F1 (P / R) | {t.micro_f1:.3f} ({t.micro_precision:.3f} / {t.micro_recall:.3f}) |",
        f"| Correct / predicted / gold events | {t.true_positives} / {t.true_positives + t.false_positives} / {len(report.event_records)} |",
        f"| NONE false-alarm rate | {acc(fa)} |",
        f"| Coverage (event records with any event) | {report.coverage:.3f} |",
    ]
    if report.actors_coded:
        lines += [
            f"| Actor country (implicit parties counted) | {acc(report.actor)} |",
            f"| Actor country (named in the text only) | {acc(report.actor_named)} |",
            f"| Recipient country | {acc(report.recipient)} |",
            f"| Dyad (actor and recipient) | {acc(report.dyad)} |",
            f"| **Strict** (type + actor + recipient), event records | {acc(report.strict)} |",
            f"| Strict, all records (NONE right when nothing is coded) | {acc(report.strict_all)} |",
            f"| Inferred actors (no words name them): right | {acc(report.inferred)} |",
        ]
    lines += [f"| Mode, where type is right and gold names a mode | {acc(report.mode)} |", "",
              "Per event type:", "", "| Type | P | R | F1 | Support | Predicted |", "|---|---|---|---|---|---|"]
    lines += [f"| {s.event_type} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} | {s.predicted} |"
              for s in t.per_type if s.support or s.predicted]
    lines += ["", f"Top {len(t.confusions)} confusions (gold → predicted):", "", "| Gold | Predicted | Count |", "|---|---|---|"]
    lines += [f"| {g} | {p} | {n} |" for g, p, n in t.confusions]
    lines += ["", *calibration_table(report.calibration), "", f"Reproduce with `{report.command}`.", ""]
    return "\n".join(lines)


def article_markdown(report: ArticleReport) -> str:
    from .articles import LEVELS

    complete = report.complete
    lines = [
        f"Gold: `{report.gold_path}`: {len(report.results)} articles, {report.gold_events} gold events "
        f"({report.main_events} main){'; every event listed, precision against all, recall against main' if complete else '; main events only, recall scored'}. "
        f"Model `{report.spacy_model}`, extractor {', '.join(f'`{e}`' for e in report.extractors) or '(no events)'}.",
        "",
        "| Match level | Precision | Recall | F1 |" if complete else "| Match level | Recall | Matched |",
        "|---|---|---|---|" if complete else "|---|---|---|",
    ]
    for name in LEVELS:
        s = report.level(name)
        lines.append(f"| {name} | {_f(s.precision)} | {s.recall:.3f} | {_f(s.f1)} |" if complete
                     else f"| {name} | {s.recall:.3f} | {s.matched_main}/{report.main_events} |")
    lines += [
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Predicted events | {report.predicted} |",
        f"| Predicted events per main gold event | {report.per_gold_event:.2f} |",
        f"| Predicted events with a place | {report.with_place:.3f} |",
        f"| Place right (strict matches whose gold names a place) | {report.place} |",
        f"| Date right (strict matches dated from the text) | {report.date} |",
        f"| Predicted events with an inferred actor | {report.inferred} |",
        "",
        "Strict recall of main events by gold type:", "",
        "| Type | Matched | Main events |", "|---|---|---|",
    ]
    lines += [f"| {k} | {hit} | {n} |" for k, (hit, n) in report.recall_by_type().items()]
    note = "" if complete else " (main-event folders: an event with no gold counterpart may be a right minor event)"
    lines += ["", *calibration_table(report.calibration), note, "", f"Reproduce with `{report.command}`.", ""]
    return "\n".join(lines)
