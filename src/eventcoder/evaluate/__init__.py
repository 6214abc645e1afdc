"""Score the coder against gold data: sentence files and whole-article folders.

    gold file or folder ─> gold records ─> code (as a user's run would) ─> pure scoring ─> report

* :mod:`.gold` reads both shapes; :mod:`.scoring` holds the pure arithmetic (types with
  NONE, countries, one-to-one matching, calibration); :mod:`.sentences` and :mod:`.articles`
  code and score one shape each; :mod:`.report` writes Markdown with figures only.
* :func:`evaluate_path` picks the shape: a folder of ``*.txt`` + ``*.expected.json`` is an
  article folder, a JSON file a sentence file.
"""

from __future__ import annotations

from pathlib import Path

from eventcoder.errors import E107_UNSUPPORTED, InputError
from eventcoder.settings import Options

from .articles import ArticleReport, evaluate_articles, locate
from .gold import GoldArticle, GoldEvent, GoldRecord, is_article_folder, load_articles, load_sentences
from .scoring import NONE, Accuracy, Calibration, accuracy, calibration, codes_overlap, country_match, match_events, score_types
from .sentences import RecordResult, SentenceReport, evaluate_sentences, predicted_event

__all__ = [
    "NONE",
    "Accuracy",
    "ArticleReport",
    "Calibration",
    "GoldArticle",
    "GoldEvent",
    "GoldRecord",
    "RecordResult",
    "SentenceReport",
    "accuracy",
    "calibration",
    "codes_overlap",
    "country_match",
    "evaluate_articles",
    "evaluate_path",
    "evaluate_sentences",
    "is_article_folder",
    "load_articles",
    "load_sentences",
    "locate",
    "match_events",
    "predicted_event",
    "score_types",
    "write_report",
]


def evaluate_path(path: Path, options: Options | None = None) -> SentenceReport | ArticleReport:
    """Evaluate a sentence file or an article folder (told apart by what ``path`` holds)."""
    path = Path(path)
    if path.is_dir():
        if not is_article_folder(path):
            raise InputError("a folder to evaluate must hold NAME.txt files beside NAME.expected.json", code=E107_UNSUPPORTED, source=str(path))
        return evaluate_articles(path, options)
    return evaluate_sentences(path, options)


def write_report(report: SentenceReport | ArticleReport, path: Path) -> Path:
    """Write the report's Markdown to ``path`` (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.to_markdown(), encoding="utf-8")
    return path
