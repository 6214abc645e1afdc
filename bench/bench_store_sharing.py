"""What reading while a run writes costs, and what readers wait (docs/RELIABILITY.md, section
``sharing``).

    python bench/bench_store_sharing.py                  # 600 articles, store_batch 200 and 20
    python bench/bench_store_sharing.py --articles 200 --no-write

A coding run gives the store file back after every batch it stores (setting
``release_between_batches``): DuckDB checkpoints on close, and the next batch opens the file
again. Three measurements, on articles built from real sentences (bench/reliability.py: two
sentences each, the shortest articles, so the per-batch cost weighs the most):

1. Store cost: the articles are coded once in memory, then stored batch by batch into a fresh
   DuckDB file with and without the release, several times; milliseconds per batch.
2. End to end: ``code_files`` on the same inputs with the release on and off (alternating,
   best of ``--repeats``), so the cost is seen against the coding time.
3. Readers during a run: ``eventcoder code`` in a child process while this process opens the
   store read-only again and again; how long each open waited, and whether any was refused.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_sections import write_section  # noqa: E402
from reliability import generate_batch  # noqa: E402

from eventcoder import Options, code_articles, code_files, open_store  # noqa: E402
from eventcoder.errors import StoreError  # noqa: E402
from eventcoder.ingest import read_paths  # noqa: E402
from eventcoder.model import Article  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "RELIABILITY.md"


def store_cost(coded: list, batch: int, repeats: int, work: Path) -> dict[str, float]:
    """Milliseconds per stored batch with the file kept open and released after each batch."""
    out: dict[str, list[float]] = {"kept": [], "released": []}
    for attempt in range(repeats):
        for mode in ("kept", "released") if attempt % 2 == 0 else ("released", "kept"):
            path = work / f"cost-{mode}-{attempt}.duckdb"
            with open_store(path) as store:
                started = time.perf_counter()
                batches = 0
                for start in range(0, len(coded), batch):
                    store.save_many(coded[start : start + batch])
                    batches += 1
                    if mode == "released":
                        store.release()
                out[mode].append((time.perf_counter() - started) * 1000 / batches)
    kept, released = min(out["kept"]), min(out["released"])
    return {"kept_ms": round(kept, 1), "released_ms": round(released, 1), "extra_ms": round(released - kept, 1)}


def end_to_end(inputs: Path, batch: int, repeats: int, work: Path) -> dict[str, float]:
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for attempt in range(repeats):
        for release in (True, False) if attempt % 2 == 0 else (False, True):
            path = work / f"e2e-{batch}-{release}-{attempt}.duckdb"
            options = Options(store_batch=batch, release_between_batches=release)
            started = time.perf_counter()
            with open_store(path) as store:
                summary = code_files([inputs], store, options)
            seconds[release].append(time.perf_counter() - started)
    on, off = min(seconds[True]), min(seconds[False])
    return {"articles": summary.articles, "released_s": round(on, 1), "kept_s": round(off, 1),
            "overhead_pct": round(100 * (on - off) / off, 1)}


def reader_waits(inputs: Path, batch: int, work: Path) -> dict[str, object]:
    db = work / "shared.duckdb"
    env = {**os.environ, "EVENTCODER_STORE_BATCH": str(batch)}
    child = subprocess.Popen([sys.executable, "-m", "eventcoder", "code", str(inputs), "--db", str(db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    waits: list[float] = []
    refused = 0
    seen: list[int] = []
    while child.poll() is None:
        started = time.perf_counter()
        try:
            with open_store(db, read_only=True) as store:
                seen.append(store.counts()["articles"])
            waits.append(time.perf_counter() - started)
        except StoreError as exc:
            if exc.code == "E304":
                refused += 1
        time.sleep(0.2)
    child.communicate()
    waits_ms = sorted(w * 1000 for w in waits)
    return {"reads": len(waits), "refused": refused, "reads_mid_run": sum(1 for n in seen if n > 0),
            "median_ms": round(statistics.median(waits_ms), 1) if waits_ms else None,
            "p95_ms": round(waits_ms[int(0.95 * (len(waits_ms) - 1))], 1) if waits_ms else None,
            "max_ms": round(waits_ms[-1], 1) if waits_ms else None, "returncode": child.returncode}


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
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--batches", default="200,20", help="store_batch values to measure (default 200,20)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/RELIABILITY.md alone")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    with tempfile.TemporaryDirectory(prefix="eventcoder-sharing-") as tmp:
        work = Path(tmp)
        generate_batch(work / "in", args.articles, good_share=1.0, seed=3, oversized=False)
        articles = [a for a in read_paths([work / "in"]) if isinstance(a, Article)]
        coded = list(code_articles(articles, Options()))
        rows = []
        for batch in batches:
            cost = store_cost(coded, batch, max(3, args.repeats), work)
            e2e = end_to_end(work / "in", batch, args.repeats, work)
            rows.append({"store_batch": batch, **cost, **e2e})
            print(rows[-1], flush=True)
        readers = reader_waits(work / "in", min(batches), work)
        print(readers, flush=True)
    command = "python bench/bench_store_sharing.py " + " ".join(a for a in sys.argv[1:] if a != "--no-write")
    lines = [
        f"Measured with `{command.strip()}` on {time.strftime('%Y-%m-%d')}: {cpu_model()}, {os.cpu_count()} CPU, "
        f"Python {platform.python_version()}, a machine shared with other jobs (seconds are indicative).",
        "",
        f"{len(coded)} articles of two real sentences each (the shortest kind, where a per-batch cost weighs most).",
        "",
        "| store_batch | store a batch, file kept (ms) | store a batch and release it (ms) | release cost per batch (ms) "
        "| code_files, released (s) | code_files, kept (s) | end-to-end overhead |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['store_batch']} | {r['kept_ms']} | {r['released_ms']} | {r['extra_ms']} | {r['released_s']} "
                     f"| {r['kept_s']} | {r['overhead_pct']} % |")
    lines += ["", f"Readers during a run (`eventcoder code`, store_batch {min(batches)}, a read-only open every 0.2 s): "
              f"{readers['reads']} reads, {readers['reads_mid_run']} of them with the run's articles already there, "
              f"{readers['refused']} refused (E304); waited median {readers['median_ms']} ms, "
              f"95th percentile {readers['p95_ms']} ms, longest {readers['max_ms']} ms (a read that meets a batch being stored, "
              "or the final cluster refresh, waits for it)."]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section(DOC, "sharing", body)
    return 0 if readers["refused"] == 0 and readers["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
