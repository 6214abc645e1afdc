"""Time on pathological text, before and after the bounds of issue 16 item 11 (docs/PERFORMANCE.md,
section ``bench_hostile``).

    python bench/bench_hostile.py [--before a19a8b0] [--no-write]

1. The junk stripper (``clean.strip_junk``) on a sentence followed by N heading-like lines
   ("Related:") and a paragraph of prose: the old scan looked at every line after each heading
   (quadratic); the new one is one pass each way. The old ``clean.py`` is read from git
   (``--before``, the commit before the fix) and timed on the same input, up to the sizes it
   can finish in reasonable time.
2. Event extraction on one unpunctuated sentence of N words (clauses joined by ", and"), with
   the pipeline as shipped (``long_sentence_breaks`` caps a sentence at MAX_SENTENCE_TOKENS
   before the parser) and with that component removed (as before).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_sections import write_section  # noqa: E402

from eventcoder.clean import strip_junk  # noqa: E402
from eventcoder.extract.events import extract_events  # noqa: E402
from eventcoder.model import Article  # noqa: E402
from eventcoder.nlp.components import MAX_SENTENCE_TOKENS  # noqa: E402
from eventcoder.nlp.pipeline import load_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "PERFORMANCE.md"
LEAD = "China urged North Korea on Monday to halt its missile tests, the foreign ministry in Beijing said."
PROSE = ("Officials said talks would resume next week in Geneva, and that both delegations had agreed to bring "
         "their military advisers, according to a statement released on Friday.")
CLAUSE = "China urged North Korea on Tuesday to halt its missile tests and the United States threatened new sanctions against Iran"


def old_strip_junk(revision: str):  # type: ignore[no-untyped-def]
    """``strip_junk`` of ``clean.py`` at ``revision`` (None when git cannot give it)."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:src/eventcoder/clean.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("clean_before")
    exec(compile(source.replace("from .", "from eventcoder."), "clean_before.py", "exec"), module.__dict__)  # noqa: S102
    return module.strip_junk


def timed(work, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def junk_rows(before, sizes: list[int], budget: float) -> list[tuple[int, float, float | None]]:  # type: ignore[no-untyped-def]
    rows = []
    old_ok = before is not None
    for n in sizes:
        text = f"{LEAD}\n" + "Related:\n" * n + PROSE
        new = timed(strip_junk, text)
        old = timed(before, text) if old_ok else None
        if old is not None and old > budget:
            old_ok = False  # the next size would take ~4x longer: stop timing the old scan
        rows.append((n, new, old))
        print("junk", n, new, old, flush=True)
    return rows


def sentence_rows(sizes: list[int], budget: float) -> list[tuple[int, int, float, float | None]]:
    capped = load_pipeline()
    uncapped = load_pipeline.__wrapped__()  # a second pipeline, then without the cap
    uncapped.remove_pipe("long_sentence_breaks")
    rows = []
    old_ok = True
    for words in sizes:
        clauses = max(1, words // len(CLAUSE.split()))
        article = Article.from_text(", and ".join([CLAUSE] * clauses) + ".", source="bench")

        def code(nlp) -> None:  # type: ignore[no-untyped-def]
            extract_events(article, nlp(article.text))

        new = timed(code, capped)
        old = timed(code, uncapped) if old_ok else None
        if old is not None and old > budget:
            old_ok = False
        rows.append((words, len(capped(article.text)), new, old))
        print("sentence", words, new, old, flush=True)
    return rows


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="a19a8b0", help="git revision whose clean.py is the old stripper")
    parser.add_argument("--budget", type=float, default=20.0, help="stop timing an old version past this many seconds")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    junk = junk_rows(old_strip_junk(args.before), [2_500, 5_000, 10_000, 20_000, 40_000], args.budget)
    sentences = sentence_rows([500, 1_000, 2_000, 5_000, 10_000], args.budget)
    fmt = lambda v: "not run (over budget)" if v is None else f"{v:.2f}"  # noqa: E731
    command = "python bench/bench_hostile.py " + " ".join(a for a in sys.argv[1:] if a != "--no-write")
    lines = [
        "## Pathological text: bounded time (`bench/bench_hostile.py`)",
        "",
        f"Measured with `{command.strip()}` on {time.strftime('%Y-%m-%d')}: {cpu_model()}, {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}, a machine shared with other jobs (seconds are indicative).",
        "",
        f"Junk stripper on one sentence, N `Related:` lines and a paragraph (before: `clean.py` at {args.before}).",
        "",
        "| heading lines | now (s) | before (s) |",
        "|---|---|---|",
        *[f"| {n:,} | {fmt(new)} | {fmt(old)} |" for n, new, old in junk],
        "",
        f"Parse and extract one unpunctuated sentence of N words; now a sentence is cut at {MAX_SENTENCE_TOKENS} tokens "
        "before the parser (before: no cap).",
        "",
        "| words | tokens | now (s) | before (s) |",
        "|---|---|---|---|",
        *[f"| {w:,} | {t:,} | {fmt(new)} | {fmt(old)} |" for w, t, new, old in sentences],
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section(DOC, "bench_hostile", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
