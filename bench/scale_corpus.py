"""The benchmark corpus for bench_scale.py: 10,000+ articles recombined from real news text.

Sources (all real, published news text; nothing is generated):

* the Lee corpus — 300 ABC (Australian Broadcasting Corporation) news documents in
  ``gensim/test/test_data/lee_background.cor`` and 50 more in ``lee.cor`` (Lee, Pincombe &
  Welsh 2005), read from the ``gensim`` wheel on PyPI, fetched at bench time with
  ``pip download --no-deps gensim==4.4.0`` (nothing is committed, nothing installed);
* the 323 PLOVER gold-standard news sentences (``../shared/data/plover_gsr_cameo.json``);
* the two seed articles shipped in ``src/eventcoder/seeds/``.

No source has 10,000 distinct articles, so articles are *recombinations* of real text, not
new text. Article ``i`` is built from Lee document ``d = i mod 352`` (the 350 Lee documents
and the 2 seeds) in round ``r = i div 352``:

1. its first sentence stays first (the lead); in round 0 the rest keep their order, in later
   rounds they are shuffled (``random.Random(i)``);
2. its sentences are set three to a paragraph;
3. a last paragraph of ``GSR_PER_ARTICLE`` gold sentences drawn with ``random.Random(i)``
   is appended, so every article carries political events as GDELT-style news does.

Sentences are split on ``. ! ?`` followed by a space and a capital or quote. Every text is
distinct (its content-hash id is checked; a clash redraws). Publication dates cycle through
2024-01-01 .. 2024-01-30 and the outlet names the source (``abc.net.au (Lee corpus)``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from eventcoder.model import hash_id, normalize_text
from eventcoder.run import seed_paths

GENSIM = "gensim==4.4.0"
LEE_FILES = ("gensim/test/test_data/lee_background.cor", "gensim/test/test_data/lee.cor")
GSR_PER_ARTICLE = 4
SENTENCES_PER_PARAGRAPH = 3
SENTENCE_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[A-Z\"'])")


def fetch_lee_documents(cache: Path) -> list[str]:
    """The 350 Lee corpus documents, from the gensim wheel (downloaded into ``cache`` once)."""
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob("gensim-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", GENSIM, "-d", str(cache)],
                       check=True)
        wheels = sorted(cache.glob("gensim-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        docs = []
        for name in LEE_FILES:
            text = wheel.read(name).decode("utf-8", errors="replace")
            docs += [line.strip() for line in text.splitlines() if line.strip()]
    return docs


def seed_documents() -> list[str]:
    """The two seed articles, paragraphs joined into one line each like a Lee document."""
    return [" ".join(p.read_text(encoding="utf-8").split()) for p in seed_paths()]


def gold_sentences(path: Path) -> list[str]:
    """Every sentence of the PLOVER gold file (records without text skipped)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [" ".join(r["text"].split()) for r in rows if isinstance(r, dict) and (r.get("text") or "").strip()]


def split_sentences(document: str) -> list[str]:
    """A document's sentences, by final punctuation followed by a capital."""
    return [s.strip() for s in SENTENCE_END.split(document) if s.strip()]


def recombine(index: int, documents: list[list[str]], gold: list[str], attempt: int = 0) -> str:
    """Article ``index``: its base document's lead, the rest (shuffled after round 0) three
    sentences a paragraph, then a paragraph of gold sentences."""
    rng = random.Random(index * 1000 + attempt)
    sentences = documents[index % len(documents)]
    lead, rest = sentences[:1], sentences[1:]
    if index >= len(documents) or attempt:
        rest = rest[:]
        rng.shuffle(rest)
    body = lead + rest
    paragraphs = [" ".join(body[i:i + SENTENCES_PER_PARAGRAPH]) for i in range(0, len(body), SENTENCES_PER_PARAGRAPH)]
    paragraphs.append(" ".join(rng.sample(gold, GSR_PER_ARTICLE)))
    return "\n\n".join(paragraphs)


def corpus_records(n: int, cache: Path, gold_path: Path) -> Iterator[dict[str, object]]:
    """N feed records (id, url, outlet, published, title, text), every text distinct."""
    lee = fetch_lee_documents(cache)
    documents = [split_sentences(d) for d in lee + seed_documents()]
    outlets = ["abc.net.au (Lee corpus)"] * len(lee) + ["seed article"] * (len(documents) - len(lee))
    gold = gold_sentences(gold_path)
    seen: set[str] = set()
    for i in range(n):
        attempt = 0
        text = recombine(i, documents, gold)
        while (key := hash_id(normalize_text(text))) in seen:
            attempt += 1
            text = recombine(i, documents, gold, attempt)
        seen.add(key)
        yield {"id": i, "url": f"https://bench.invalid/{i}", "outlet": outlets[i % len(documents)],
               "published": (dt.date(2024, 1, 1) + dt.timedelta(days=i % 30)).isoformat(),
               "title": documents[i % len(documents)][0][:90], "text": text}


def write_corpus(path: Path, n: int, cache: Path, gold_path: Path) -> dict[str, int]:
    """Write the corpus as JSONL; return its size (articles, words, characters)."""
    words = chars = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for count, record in enumerate(corpus_records(n, cache, gold_path), start=1):
            text = str(record["text"])
            words += len(text.split())
            chars += len(text)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"articles": n, "words": words, "chars": chars}
