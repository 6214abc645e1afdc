"""Session fixtures shared by the NLP-backed tests.

The spaCy pipeline is loaded once, the two seed articles are coded once, and a real DuckDB
file is built from them once per session (as datasette builds its fixture database).

Name clashes with module-local fixtures: ``test_actors``/``test_places`` define their own
module-scoped ``nlp`` (a plain ``spacy.load``), and ``test_export``/``test_queries`` define a
function-scoped ``store`` of hand-built events. A module's own fixture overrides a conftest
fixture of the same name, so those files keep theirs; the session store built from the seeds
is called ``seed_store`` to keep the two meanings of "store" apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language

from eventcoder import CodedArticle, Options, Store, open_store
from eventcoder.ingest import read_paths
from eventcoder.model import Article
from eventcoder.nlp.pipeline import load_pipeline
from eventcoder.run import code_articles, seed_defaults, seed_paths


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pipeline every extraction stage uses (paragraph_boundaries included)."""
    return load_pipeline()


@pytest.fixture(scope="session")
def seed_articles() -> list[Article]:
    """The shipped seed articles, read and cleaned as ``eventcoder demo`` reads them."""
    items = list(read_paths(seed_paths()))
    articles = [item for item in items if isinstance(item, Article)]
    assert len(articles) == len(items) == 2, items
    return [seed_defaults(article) for article in articles]


@pytest.fixture(scope="session")
def coded_seeds(seed_articles: list[Article]) -> dict[str, CodedArticle]:
    """The coded seeds keyed by seed file name (``000_fee62e8f6e58ee89.txt``), coded with the
    default options (not eventcoder.toml or the environment, so the run is hermetic)."""
    coded = list(code_articles(seed_articles, Options()))
    return {Path(c.article.source).name: c for c in coded}


@pytest.fixture(scope="session")
def seed_store(coded_seeds: dict[str, CodedArticle], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A real DuckDB file holding the coded seeds."""
    path = tmp_path_factory.mktemp("seed_store") / "seeds.duckdb"
    with open_store(path) as store:
        store.save_many(coded_seeds.values())
        yield store
