"""eventcoder: news articles in, PLOVER political events out — who did what to whom, when and where.

    >>> import eventcoder
    >>> coded = eventcoder.code_text("China urged the United States on Tuesday to ease sanctions.")
    >>> [e.event_type for e in coded.events]
    ['REQUEST']
"""

from eventcoder.model import Actor, Article, CodedArticle, Event, Place, Quote, Rejected, When
from eventcoder.run import RunSummary, code_articles, code_files, code_text
from eventcoder.settings import Options, load_options
from eventcoder.store import Store, open_store

__all__ = [
    "Actor",
    "Article",
    "CodedArticle",
    "Event",
    "Options",
    "Place",
    "Quote",
    "Rejected",
    "RunSummary",
    "Store",
    "When",
    "code_articles",
    "code_files",
    "code_text",
    "load_options",
    "open_store",
]
__version__ = "0.1.0"
