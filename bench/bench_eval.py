"""Score the coder on every gold set and write docs/EVALUATION.md: the yardstick of accuracy.

    python bench/bench_eval.py [--sets NAME,NAME] [--no-write]

Runs `eventcoder eval` on the PLOVER GSR (constructed sentences), every real-news dev set in
``../shared/data/realnews/dev`` (hand-coded news sentences, ACLED notes, Times of India
sentences, CASE 2021 snippets, articles with main events, articles with every event) and the
8,998 ACLED records of ``../shared/data/train/acled.train.json`` (an extra dev set: no shipped
model is fitted on ACLED), and writes one summary table per set, with the date, commit,
machine and command, between the ``bench_eval`` markers of docs/EVALUATION.md. Paths are
relative to the repository root; sets whose files are absent are reported as skipped. Only
figures are written: the gold texts may not be redistributed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import eventcoder
from eventcoder import Options
from eventcoder.evaluate import ArticleReport, SentenceReport, evaluate_path
from doc_sections import write_section  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
DEV = "../shared/data/realnews/dev"
SETS: list[tuple[str, str, str]] = [
    ("news", f"{DEV}/news_sentences.dev.json", "real news sentences, hand-coded (one main event or NONE)"),
    ("articles_full", f"{DEV}/articles_full", "whole articles, every event listed"),
    ("articles", f"{DEV}/articles", "whole articles, main events only"),
    ("acled", f"{DEV}/acled.dev.json", "ACLED coder notes, ACLED's own coding crosswalked"),
    ("india_police", f"{DEV}/india_police.dev.json", "Times of India sentences (IndiaPoliceEvents), police actions"),
    ("case2021", f"{DEV}/case2021.dev.json", "CASE 2021 snippets, event type only"),
    ("acled_train", "../shared/data/train/acled.train.json", "8,998 more ACLED notes (extra dev set)"),
    ("gsr", "../shared/data/plover_gsr_cameo.json", "PLOVER GSR: constructed CAMEO-manual sentences (development set)"),
]

METHOD = """### Method

* **Sentence sets** (news, ACLED, Times of India, CASE, GSR): each record is coded as a
  one-sentence article with the record's date as publication date and its outlet and url. The
  predicted type is the top event (highest confidence, first of equals), or NONE when nothing
  is coded; an event on a NONE record is a false alarm and a false positive for its type.
  Macro-F1 averages the per-type F1 over the gold types present. Actor (recipient) accuracy:
  share of records whose gold source (target) codes include one of the top event's actor
  (recipient) countries, over records with a gold code; a reciprocal gold event (every
  participant as source) is matched against our actors and recipients; the Times of India
  police left unnamed in a sentence (`implicit_source`) count as its gold actor. **Strict**:
  type right and actor right where gold names one and recipient right where gold names one,
  over event records. CASE codes no actors: type only.
* **Article folders**: each `.txt` is read as `eventcoder code` reads it (junk and headline
  split off), with the gold publication date and outlet. Predicted and gold events are
  matched one-to-one (maximum matching; a predicted event prefers a gold event in its own
  sentence, then a main event, then the nearest) at four levels: type; type + actor; strict
  (type + actor + recipient where gold names them); located (strict, same sentence).
  `articles_full` lists every event: precision against all, recall against main events
  (`minor: false`). `articles` lists main events only: recall and predicted events per gold
  event.
* **Calibration**: a predicted event is right when it is *faithful*: its type is right and no
  party it names is wrong (a party left uncoded is incomplete, not wrong); type only for CASE;
  for articles, matched one-to-one on those terms. ECE = count-weighted mean |precision −
  mean confidence| over ten equal-width confidence bins.
* **Dev halves.** The real-news files are the dev halves; the other halves are scored
  independently with the same kind of scorer. The GSR is a constructed development set.
"""


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return sha + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPU, Python {platform.python_version()}"


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def summary(reports: dict[str, SentenceReport | ArticleReport]) -> list[str]:
    lines = ["| Sentence set | Records | Macro-F1 | Micro-F1 | NONE false alarm | Actor | Recipient | Strict | ECE |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, report in reports.items():
        if isinstance(report, SentenceReport):
            h = report.headline()
            lines.append(f"| {name} | {h['records']} | {_f(h['macro_f1'])} | {_f(h['micro_f1'])} | {_f(h['none_false_alarm'])} "
                         f"| {_f(h['actor'])} | {_f(h['recipient'])} | {_f(h['strict'])} | {_f(h['ece'])} |")
    lines += ["", "| Article set | Articles | Main gold events | Type recall | Strict P | Strict R | Strict F1 | Events per gold | With place | ECE |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for name, report in reports.items():
        if isinstance(report, ArticleReport):
            h = report.headline()
            lines.append(f"| {name} | {h['articles']} | {h['main_events']} | {_f(h['type_recall'])} | {_f(h['strict_precision'])} "
                         f"| {_f(h['strict_recall'])} | {_f(h['strict_f1'])} | {h['per_gold_event']:.2f} | {_f(h['with_place'])} | {_f(h['ece'])} |")
    return lines


SWEEP_SETS = ("news", "case2021", "articles_full", "articles")
SWEEP_CONFIDENCES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def trade_offs() -> list[str]:
    """What ``min_confidence`` trades (the default is 0.3), and the rules alone (setting
    ``event_model`` rules) at the default, on the sets where it shows."""
    paths = {n: Path(p) for n, p, _ in SETS if n in SWEEP_SETS and Path(p).exists()}
    if not paths:
        return []
    lines = ["### What `min_confidence` trades, and the rules alone", "",
             "| coder | `min_confidence` | news macro-F1 | news NONE false alarm | news strict | CASE micro-F1 "
             "| articles_full strict P | articles_full strict R | articles_full type recall | articles_full events per gold | articles strict R |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    runs = [("classifier", c) for c in SWEEP_CONFIDENCES] + [("rules", 0.3)]
    for model, confidence in runs:
        options = Options(min_confidence=confidence, event_model=model)
        got = {n: evaluate_path(p, options).headline() for n, p in paths.items()}
        news, case, full, arts = (got.get(n, {}) for n in SWEEP_SETS)
        default = " **(default)**" if (model, confidence) == ("classifier", 0.3) else ""
        lines.append(f"| {model}{default} | {confidence} | {_f(news.get('macro_f1'))} | {_f(news.get('none_false_alarm'))} | {_f(news.get('strict'))} "
                     f"| {_f(case.get('micro_f1'))} | {_f(full.get('strict_precision'))} | {_f(full.get('strict_recall'))} "
                     f"| {_f(full.get('type_recall'))} | {full.get('per_gold_event', 0):.2f} | {_f(arts.get('strict_recall'))} |")
        print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", help="comma-separated set names (default: all): " + ", ".join(n for n, _, _ in SETS))
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/ alone")
    parser.add_argument("--no-sweep", action="store_true", help="skip the min_confidence sweep and the rules-alone row")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # gold paths and the reproducing commands are relative to the repo root
    wanted = set(args.sets.split(",")) if args.sets else {n for n, _, _ in SETS}
    reports: dict[str, SentenceReport | ArticleReport] = {}
    skipped = []
    started = time.perf_counter()
    for name, path, _ in SETS:
        if name not in wanted:
            continue
        if not Path(path).exists():
            skipped.append(name)
            continue
        reports[name] = evaluate_path(Path(path))
        print(f"{name}: {reports[name].headline()}  ({reports[name].elapsed_s:.0f} s)", flush=True)
    table = summary(reports)
    print("\n".join(table))
    sweep = [] if args.no_sweep else trade_offs()
    print("\n".join(sweep))
    if args.no_write or not reports:
        return 0
    described = {n: d for n, _, d in SETS}
    command = "python bench/bench_eval.py" + (f" --sets {args.sets}" if args.sets else "")
    body = [
        "## Event coding accuracy (bench/bench_eval.py)",
        "",
        f"eventcoder {eventcoder.__version__}, commit {_commit()}, run {dt.date.today().isoformat()} on "
        f"{_machine()} ({time.perf_counter() - started:.0f} s). Command: `{command}`."
        + (f" Skipped (files absent): {', '.join(skipped)}." if skipped else ""),
        "",
        *table,
        "",
        *sweep,
        "",
        METHOD,
    ]
    for name, report in reports.items():
        body += [f"### {name}: {described[name]}", "", report.to_markdown(), ""]
    write_section(ROOT / "docs" / "EVALUATION.md", "bench_eval", "\n".join(body), title="# Evaluation", at_top=True)
    print("wrote docs/EVALUATION.md (bench_eval section)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
