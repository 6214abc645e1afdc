"""Memory and time of whole-store exports: peak RSS of one export process per format.

    python bench/bench_export.py [--events 300000] [--formats plover-jsonl,gdelt-tsv,csv]
                                 [--baseline-src DIR] [--no-write]

The store is the SYNTHETIC LOAD DATA of ``bench_web.py`` (random events with news-like
distributions, not coded text), built once per source tree and reused. Each export runs in
a fresh Python process that reports its own peak resident memory (``getrusage`` maxrss) and
wall time, so one export's memory never hides in another's.

``--baseline-src`` names another eventcoder source tree (its ``src`` folder, e.g. an
unpacked ``git archive`` of an older commit): the same exports run with that code too, over
a store that code built, and the table shows both ("before" and "after"). The figures go
into ``docs/PERFORMANCE.md`` between the ``bench_export`` markers, leaving the rest alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SECTION = "bench_export"

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])  # bench/, for bench_web's synthetic store
from bench_web import build_store
import eventcoder
from eventcoder.export import export
from eventcoder.store import open_store
db, fmt, out, n = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[5])
if fmt == "build":
    print(json.dumps({"build_seconds": build_store(db, n)}))
    sys.exit(0)
began = time.perf_counter()
with open_store(db) as store:
    rows = export(store, fmt, out, per_event=True) if fmt == "gdelt-tsv" else export(store, fmt, out)
seconds = time.perf_counter() - began
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024, "version": eventcoder.__file__,
                  "bytes": Path(out).stat().st_size}))
"""


def run_child(src: Path, db: Path, fmt: str, out: Path, n_events: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), fmt, str(out), str(HERE), str(n_events)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"export {fmt} with {src} failed:\n{proc.stderr}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--formats", default="plover-jsonl,gdelt-tsv,csv")
    parser.add_argument("--baseline-src", type=Path, help="another eventcoder src/ to measure as 'before'")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "eventcoder-bench-export")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/PERFORMANCE.md alone")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    trees = [("after", ROOT / "src")] + ([("before", args.baseline_src.resolve())] if args.baseline_src else [])
    results: dict[tuple[str, str], dict[str, object]] = {}
    for label, src in trees:
        db = args.work / f"{label}-{args.events}.duckdb"
        built = run_child(src, db, "build", args.work / "unused", args.events)
        print(f"{label}: store {db} ready ({built['build_seconds']:.0f} s)", file=sys.stderr)
        for fmt in args.formats.split(","):
            out = args.work / f"{label}.{fmt}"
            results[(label, fmt)] = run_child(src, db, fmt, out, args.events)
            out.unlink(missing_ok=True)
            print(label, fmt, results[(label, fmt)], file=sys.stderr)

    lines = [
        "## Export memory (`bench/bench_export.py`)",
        "",
        f"Machine: {os.cpu_count()} CPU ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}. Date: {dt.date.today().isoformat()}. Load average (1 min) at the end: "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        f"Store: **synthetic load data, not coded text** (`bench_web.py`'s generator): {args.events:,} events. "
        "Each export runs alone in a fresh process; peak RSS is that process's maximum resident memory "
        "(Python, DuckDB and the interpreter together). gdelt-tsv is written per event (the synthetic store has no clusters).",
        "",
        "| format | code | rows | seconds | peak RSS (MiB) | file (MiB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (label, fmt), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0] != "before")):
        lines.append(f"| {fmt} | {label} | {r['rows']:,} | {r['seconds']:.1f} | {r['peak_mib']:,.0f} | "
                     f"{int(r['bytes']) / 2**20:,.0f} |")  # type: ignore[call-overload]
    lines += [
        "",
        "\"before\" is the export that read every event into a Python list first (main before the streamed "
        "exports); \"after\" streams rows from DuckDB in Arrow batches of 2,000 and writes each as it comes, "
        "so its memory does not grow with the number of events.",
        "",
        "Reproduce with:",
        "",
        "```",
        f"python bench/bench_export.py --events {args.events}"
        + (" --baseline-src OLD/src   # OLD: e.g. git archive <commit> | tar -x -C OLD" if args.baseline_src else ""),
        "```",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        sys.path.insert(0, str(HERE))
        from doc_sections import write_section

        write_section(ROOT / "docs" / "PERFORMANCE.md", SECTION, text, title="# Performance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
