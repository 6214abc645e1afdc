"""Score the extractor against the PLOVER gold-standard records and write docs/EVALUATION.md.

    python bench/bench_gold.py [GOLD_JSON]

GOLD_JSON defaults to ``../shared/data/plover_gsr_cameo.json``, relative to the repository
root. Prints the headline numbers and the top confusions; the full report (headline,
per-type table, confusions, reproducing command) goes to ``docs/EVALUATION.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

import eventcoder
from eventcoder.evaluate import EvalReport, evaluate_gold
from doc_sections import write_section  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = "../shared/data/plover_gsr_cameo.json"

METHOD = """## Method

* **Gold set.** The PLOVER gold-standard records (`plover_gsr_cameo.json`, Open Event Data
  Alliance, CC BY-SA 4.0): one sentence each, mostly example sentences of the CAMEO manual. Each
  record is coded as a one-sentence article whose publication date is the record's date. The
  record of type DOCUMENT is skipped.
* **Type names.** PLOVER 0.5 names are crosswalked to current PLOVER in code
  (`eventcoder.ontology.plover.PLOVER05_CROSSWALK`): DEMAND → REQUEST, DISAPPROVE → ACCUSE,
  INVESTIGATE → ACCUSE (mode investigate), FIGHT → ASSAULT.
* **Which event is scored.** A sentence may yield several events; the one scored is the first
  with the highest confidence (main-clause events rank above subordinate ones). A sentence with
  no event counts as "NONE": a false negative for its gold type, never a false positive.
* **Actors.** Actor (recipient) accuracy is the share of records whose gold source (target) codes
  include at least one of the scored event's actor (recipient) countries; records without a gold
  code are left out. Legacy CAMEO codes are normalized (`JAP` → `JPN`, `ITL` → `ITA`, ...). A gold
  generic `IGO` is matched by any intergovernmental code we assign (UNO, EU, NATO, AU ...), but not
  by `NGO`: the gold set codes Amnesty and the Red Cross as IGO, we code them NGO, and we count
  those as misses. "All" variants require every gold code to be found; "dyad" requires actor and
  recipient both right.
* **This is a development set.** The trigger lexicon and the actor rules were developed while
  reading aggregate errors on this file. The rules are general (CAMEO verb classes, grammar,
  CAMEO's local-country convention for agents named only by role); none is written for one
  sentence. Expect lower figures on held-out news, where sentences are longer and actors
  less often named by country.
"""


SECTION = "bench_gold"  # its marked block in docs/EVALUATION.md
TITLE = "# Evaluation"


def document(report: EvalReport) -> str:
    """This script's section of EVALUATION.md: method, then the report."""
    return "\n".join([
        "## Event coding against the PLOVER gold-standard records (bench/bench_gold.py)",
        "",
        f"eventcoder {eventcoder.__version__}, run {dt.date.today().isoformat()} "
        f"({report.elapsed_s:.0f} s). Also reproducible with `python bench/bench_gold.py`.",
        "",
        METHOD,
        "## Results",
        "",
        report.to_markdown(),
    ])


def sub_headings_down(section: str) -> str:
    """The section sits under the file's title: its own sub-headings go one level down."""
    lines = section.rstrip().split("\n")
    return "\n".join([lines[0]] + ["#" + line if line.startswith("#") else line for line in lines[1:]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="?", default=DEFAULT_GOLD, help=f"GSR JSON file (default {DEFAULT_GOLD})")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/ alone")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # the gold path and the reproducing command are relative to the repo root
    report = evaluate_gold(Path(args.gold))
    if not args.no_write:
        write_section(ROOT / "docs" / "EVALUATION.md", SECTION, sub_headings_down(document(report)), title=TITLE, at_top=True)
    t = report.types
    print(f"{report.records} records ({report.skipped} skipped), coverage {report.coverage:.3f}")
    print(f"event type  macro-F1 {t.macro_f1:.3f}  micro-F1 {t.micro_f1:.3f} "
          f"(P {t.micro_precision:.3f} / R {t.micro_recall:.3f})")
    print(f"actor {report.actor.value:.3f} ({report.actor.hits}/{report.actor.total})  "
          f"recipient {report.recipient.value:.3f} ({report.recipient.hits}/{report.recipient.total})  "
          f"dyad {report.dyad.value:.3f}")
    print("top confusions: " + ", ".join(f"{g}→{p} {n}" for g, p, n in t.confusions[:8]))
    if not args.no_write:
        print("wrote docs/EVALUATION.md (bench_gold section)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
