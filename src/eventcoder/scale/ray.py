"""Code JSONL/Parquet shards on a Ray cluster (Ray Data), writing hive-partitioned Parquet.

    shards ─> ray.data.from_items ─> map(ShardCoder) on an actor pool ─> OUT/<table>/shard=<name>/part-0.parquet

Why Ray Data and not Spark: the work is Python (spaCy) from end to end, so Spark would only
ship rows between a JVM and Python workers; Ray installs with pip alone (no Java on the
machine), runs the same code in local mode for tests, and an actor pool keeps one loaded
spaCy pipeline per worker across shards (a fresh load costs about 5 s).

Each shard is coded by exactly the one-machine path: ``run.code_files`` into a temporary
DuckDB store, then ``Store.export_parquet``. So the Parquet tables (``articles``, ``events``,
``event_actors``, ``failures``) have the store's own columns, bad records land in
``failures`` as they would locally, and a shard is written whole or not at all (files are
moved into place only after the shard is coded). Re-running replaces a shard's files.

Read the result with DuckDB::

    SELECT * FROM read_parquet('OUT/events/**/*.parquet', hive_partitioning = true)

On a cluster every node needs eventcoder installed, and OUT must be a folder all nodes see
(NFS or another shared mount). Ray itself is the optional extra ``.[ray]``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from eventcoder.errors import E101_MISSING, E114_EXTRA_MISSING, InputError
from eventcoder.ingest import expand_paths
from eventcoder.model import Rejected
from eventcoder.settings import Options, load_options

__all__ = ["SHARD_TABLES", "ShardCoder", "code_shard", "code_shards_on_ray", "shard_name"]

SHARD_TABLES = ("articles", "events", "event_actors", "failures")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def shard_name(path: str | Path) -> str:
    """The partition value for a shard: its file name made path- and URL-safe
    (``news-2024-01-01.jsonl`` -> ``news-2024-01-01.jsonl``; spaces and ``=`` become ``_``)."""
    return _UNSAFE.sub("_", Path(path).name).strip("._") or "shard"


def code_shard(path: str | Path, out: str | Path, options: Options | None = None) -> dict[str, Any]:
    """Code one shard file into ``out/<table>/shard=<name>/part-0.parquet`` for each table.

    Runs ``code_files`` (one process) into a temporary DuckDB store, exports it, then moves
    the files into place. Returns a summary row: shard, articles, events, failures, seconds.
    """
    from eventcoder.run import code_files
    from eventcoder.store import open_store

    started = time.perf_counter()
    options = options or load_options()
    name = shard_name(path)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="eventcoder-shard-") as tmp:
        with open_store(Path(tmp) / "shard.duckdb") as store:
            summary = code_files([path], store, options, workers=1)
            written = store.export_parquet(Path(tmp) / "parquet")
        for table in SHARD_TABLES:
            target = out / table / f"shard={name}" / "part-0.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            # Copy next to the target, then rename: readers never see half a file.
            partial = target.with_name(f".part-0.parquet.{os.getpid()}.tmp")
            shutil.copyfile(written[table], partial)
            os.replace(partial, target)
    return {"shard": name, "path": str(path), "articles": summary.articles, "events": summary.events,
            "failures": len(summary.failures), "seconds": round(time.perf_counter() - started, 3)}


class ShardCoder:
    """Ray Data callable class: one per actor, loading the spaCy pipeline once, then coding
    every shard the actor is given."""

    def __init__(self, out: str, options: Options) -> None:
        from eventcoder.nlp.pipeline import load_pipeline

        self.out = out
        self.options = options
        load_pipeline(options.spacy_model, options.verify_model)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        return code_shard(row["path"], self.out, self.options)


def _shard_files(inputs: Iterable[str | Path]) -> list[str]:
    found: list[str] = []
    missing: list[Rejected] = []
    for item in expand_paths(inputs):
        if isinstance(item, Rejected):
            missing.append(item)
        else:
            found.append(str(Path(item).resolve()))
    if missing:
        raise InputError("; ".join(f"{m.source}: {m.reason}" for m in missing), code=E101_MISSING)
    names = [shard_name(f) for f in found]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InputError(f"shards must have distinct file names (each names its partition); "
                         f"repeated: {', '.join(clashes)}", code=E101_MISSING)
    return found


def code_shards_on_ray(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    options: Options | None = None,
) -> list[dict[str, Any]]:
    """Code every shard (JSONL, Parquet or any format ``eventcoder code`` reads) on Ray.

    ``address``: a running cluster (``"auto"``, ``"ray://host:10001"``); by default the
    ``RAY_ADDRESS`` environment variable, else a local Ray started for this call with
    ``workers`` CPUs (default: all cores). ``workers`` is also the actor-pool size (one
    spaCy pipeline each). Returns one summary row per shard, in shard order.
    """
    try:
        import ray
    except ImportError as exc:
        raise InputError("Ray is not installed; install the extra: pip install -e '.[ray]'",
                         code=E114_EXTRA_MISSING) from exc
    from eventcoder.scale.local import default_workers

    shards = _shard_files(inputs)
    options = options or load_options()
    out = Path(out).resolve()
    address = address or os.environ.get("RAY_ADDRESS")
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers or default_workers(), include_dashboard=False, log_to_driver=False)
    try:
        from ray.data import DataContext

        DataContext.get_current().enable_progress_bars = False
        pool = min(len(shards), workers or max(1, int(ray.cluster_resources().get("CPU", 1))))
        dataset = ray.data.from_items([{"path": s} for s in shards], override_num_blocks=len(shards))
        rows = dataset.map(ShardCoder, fn_constructor_args=(str(out), options),
                           compute=ray.data.ActorPoolStrategy(size=pool), num_cpus=1).take_all()
    finally:
        if started_here:
            ray.shutdown()
    order = {shard_name(s): i for i, s in enumerate(shards)}
    return sorted(rows, key=lambda row: order[row["shard"]])
