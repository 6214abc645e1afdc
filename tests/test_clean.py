"""The junk stripper on the seeds and on scraped-page mimics: decisive facts, not whole outputs."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from eventcoder.clean import clean_article, find_date, parse_date, strip_junk
from eventcoder.model import Article, Rejected

SEEDS = resources.files("eventcoder") / "seeds"
JUNK = ("GM 12", "Inline Feedbacks", "View all comments", "Popular Articles", "Live Laugh Love")


def _seed(prefix: str) -> Article:
    path = next(p for p in SEEDS.iterdir() if p.name.startswith(prefix))
    return Article.from_text(path.read_text(encoding="utf-8"), source=path.name)


def test_seed_000_title_date_and_no_junk() -> None:
    article = clean_article(_seed("000_"))
    assert isinstance(article, Article)
    assert article.title == "CCP Regime Determined to Ease Sanctions on North Korea"
    assert article.published == dt.date(2019, 12, 24)
    for junk in JUNK:
        assert junk not in article.text
    assert not article.text.startswith("CCP Regime")
    assert article.text.startswith("At spokesperson Geng Shuang")
    assert article.text.endswith("head off a dramatic reversal.")
    assert "December 24th" in article.text  # body untouched


def test_seed_001_keeps_whole_text() -> None:
    raw = _seed("001_")
    article = clean_article(raw)
    assert isinstance(article, Article)
    assert article.title is None and article.published is None
    assert article.text == raw.text
    assert article.text.startswith("BEIJING: China suggested on Tuesday")


def test_clean_is_idempotent_and_rehashes() -> None:
    raw = _seed("000_")
    once = clean_article(raw)
    assert isinstance(once, Article) and once.id != raw.id
    twice = clean_article(once)
    assert isinstance(twice, Article)
    assert (twice.id, twice.text, twice.title, twice.published) == (once.id, once.text, once.title, once.published)


SCRAPED = """\
Skip to content
UN envoy meets rebel leaders in Geneva
Published: 3 March 2021
GENEVA (Wire) — The United Nations envoy for Yemen met rebel negotiators in Geneva on Tuesday, \
his office said, in the first direct talks since the ceasefire collapsed last year.
Share this:
Facebook Twitter WhatsApp
Advertisement
The envoy urged both sides to return to the table, according to a statement. "We are ready to \
help," he told reporters. Saudi officials did not comment on the meeting.
Read more: Yemen truce talks stall again
We use cookies to improve your experience. By continuing to browse you accept our cookie policy.
Officials said a second round could start next month.
Click to share on Twitter (Opens in new window)
Follow us on Twitter
12 Comments
Leave a comment
Related Articles
Oil prices climb as OPEC holds output
Election results due Friday
Copyright © 2021 Wire News. All rights reserved.
"""


def test_scraped_page_mimic() -> None:
    article = clean_article(Article.from_text(SCRAPED, source="mimic"))
    assert isinstance(article, Article)
    assert article.title == "UN envoy meets rebel leaders in Geneva"
    assert article.published == dt.date(2021, 3, 3)
    assert "GENEVA (Wire)" in article.text and "second round could start next month." in article.text
    for junk in ("Skip to content", "Share this", "Facebook Twitter", "Advertisement", "Read more",
                 "cookies", "Click to share", "Follow us", "Comments", "Leave a comment", "Related Articles",
                 "Oil prices", "Election results", "Copyright"):
        assert junk not in article.text, junk
    assert '"We are ready to help," he told reporters.' in article.text


def test_metadata_wins_and_repeated_headline_dropped() -> None:
    text = "Rebels seize the port city\n\nADEN — Rebels seized the port city on Monday, residents said.\n"
    meta = Article.from_text(text, title="Rebels seize the port city", published=dt.date(2020, 1, 2))
    article = clean_article(meta)
    assert isinstance(article, Article)
    assert article.title == "Rebels seize the port city" and article.published == dt.date(2020, 1, 2)
    assert article.text.startswith("ADEN — Rebels seized")


def test_body_date_mention_is_not_publication_date() -> None:
    text = ("Ministers met in Paris on Monday to discuss the accord signed on December 12, 2015, officials "
            "said, adding that talks would continue.")
    article = clean_article(Article.from_text(text))
    assert isinstance(article, Article) and article.published is None


def test_flattened_one_line_trailer() -> None:
    text = ("The army said it had withdrawn troops from the border area after talks with its neighbour on "
            "Sunday. Officials welcomed the move. 3 Comments Inline Feedbacks View all comments Popular "
            "Articles Something Else 24 Dec 2019")
    article = clean_article(Article.from_text(text))
    assert isinstance(article, Article)
    assert article.text.endswith("Officials welcomed the move.")
    assert article.published == dt.date(2019, 12, 24)


def test_too_short_after_cleaning_is_e108() -> None:
    rejected = clean_article(Article.from_text("Short note.\nShare this:\nLogin", source="tiny.txt"))
    assert isinstance(rejected, Rejected)
    assert rejected.code == "E108" and rejected.source == "tiny.txt" and rejected.stage == "clean"
    assert isinstance(clean_article(Article.from_text("x" * 30 + "."), min_chars=10), Article)


def test_mid_text_heading_does_not_cut_story() -> None:
    para = "The minister said the government would review the sanctions policy with its allies. " * 3
    text = f"{para}\nRelated\n{para}\n{para}"
    body, junk = strip_junk(text)
    assert body.count("review the sanctions") == 9 and not junk.strip("\n")


def test_date_helpers() -> None:
    assert find_date("Live Laugh Love 3L Plan Dec. 24, 2019") == dt.date(2019, 12, 24)
    assert find_date("Posted on 2019-12-24 by staff") == dt.date(2019, 12, 24)
    assert find_date("December 24th, 2019") == dt.date(2019, 12, 24)
    assert find_date("no dates here, 12 items") is None
    assert parse_date("2018-06-12T08:00:00Z") == dt.date(2018, 6, 12)
    assert parse_date("Tue, 12 Jun 2018 08:00:00 GMT") == dt.date(2018, 6, 12)
    assert parse_date("not a date") is None and parse_date(None) is None
