"""Readers on real files in tmp_path: every format, folder/glob expansion, every bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventcoder.ingest import read_paths, read_text
from eventcoder.model import Article, Rejected

BODY = ("WASHINGTON (Wire) — The United States imposed new sanctions on three shipping companies on "
        "Thursday, accusing them of helping North Korea evade United Nations restrictions, the Treasury "
        "Department said in a statement.")
BODY2 = ("Officials in Pyongyang did not respond to a request for comment. China's foreign ministry said it "
         "opposed unilateral sanctions and urged all parties to return to dialogue.")

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>US sanctions shipping firms over North Korea | Wire News</title>
<meta property="og:title" content="US sanctions shipping firms over North Korea">
<meta property="og:site_name" content="Wire News">
<meta property="article:published_time" content="2019-03-21T14:05:00Z">
<link rel="canonical" href="https://wire.example.com/world/us-sanctions-shipping">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav></header>
<main><article>
<h1>US sanctions shipping firms over North Korea</h1>
<div class="share-buttons"><a>Facebook</a> <a>Twitter</a> <a>WhatsApp</a> <span>Share this article</span></div>
<p>{BODY}</p>
<p>{BODY2}</p>
<div class="related-articles"><h3>Related Articles</h3><ul>
<li><a href="/a">Oil prices climb as OPEC holds output steady this week</a></li>
<li><a href="/b">Election results due on Friday in the capital region</a></li></ul></div>
</article></main>
<section id="comments"><h3>12 Comments</h3><p>Great article, thanks for sharing this with everyone here!</p>
<a>Leave a comment</a></section>
<footer><p>Copyright © 2019 Wire News. All rights reserved.</p></footer>
</body></html>"""

NO_TEXT_PAGE = "<html><head><title>Gallery</title></head><body><nav><a href='/'>Home</a></nav><img src='a.jpg'></body></html>"


def _arts(items: list[Article | Rejected]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def _rejs(items: list[Article | Rejected]) -> list[Rejected]:
    return [i for i in items if isinstance(i, Rejected)]


def test_text_file_utf8_and_cp1252(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"{BODY}\n\n{BODY2}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(f"“Quoted” {BODY}".encode("cp1252"))
    (tmp_path / "c.txt").write_bytes(f"{BODY}".encode("utf-16"))
    items = list(read_paths([tmp_path]))
    assert [type(i) for i in items] == [Article] * 3
    a, b, c = _arts(items)
    assert a.source == str(tmp_path / "a.txt") and "Treasury Department" in a.text
    assert b.text.startswith("“Quoted” WASHINGTON")
    assert c.text == BODY


def test_text_bad_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n\t\n")
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x01\x02def")
    (tmp_path / "doc.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary")
    (tmp_path / "bad.txt").write_bytes(b"Hello world \x81\x8d and more text here")
    (tmp_path / "data.gz").write_bytes(gzip.compress(BODY.encode()))
    by_name = {Path(r.source).name: r for r in _rejs(list(read_paths([tmp_path])))}
    assert by_name["empty.txt"].code == "E102"
    assert by_name["nul.txt"].code == "E103" and "NUL" in by_name["nul.txt"].reason
    assert by_name["doc.txt"].code == "E103" and "PDF" in by_name["doc.txt"].reason
    assert by_name["data.gz"].code == "E103" and "gzip" in by_name["data.gz"].reason
    assert by_name["bad.txt"].code == "E104" and "offset 12" in by_name["bad.txt"].reason
    assert str(tmp_path / "bad.txt") in str(by_name["bad.txt"])


def test_html_news_page(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(PAGE, encoding="utf-8")
    [article] = list(read_paths([tmp_path / "story.html"]))
    assert isinstance(article, Article)
    assert article.published == dt.date(2019, 3, 21)
    assert article.title is not None and "US sanctions shipping firms over North Korea" in article.title
    assert article.outlet == "Wire News"
    assert article.url == "https://wire.example.com/world/us-sanctions-shipping"
    assert article.text.startswith("WASHINGTON (Wire)")  # the repeated <h1> headline is gone
    assert "Treasury Department said in a statement." in article.text and "urged all parties" in article.text
    for junk in ("Home", "Facebook", "Share this", "Related Articles", "Oil prices", "Comments",
                 "Great article", "Leave a comment", "Copyright"):
        assert junk not in article.text, junk


def test_html_without_main_text_and_sniffing(tmp_path: Path) -> None:
    (tmp_path / "gallery.htm").write_text(NO_TEXT_PAGE)
    (tmp_path / "noext").write_text(PAGE)  # unknown suffix: sniffed as HTML
    (tmp_path / "notes.dat").write_text(f"{BODY}\n")  # unknown suffix: sniffed as text
    items = list(read_paths([tmp_path]))
    [rejected] = _rejs(items)
    assert rejected.code == "E105" and rejected.source == str(tmp_path / "gallery.htm")
    names = {Path(a.source).name: a for a in _arts(items)}
    assert names["noext"].published == dt.date(2019, 3, 21) and "<p>" not in names["noext"].text
    assert names["notes.dat"].text == BODY


def test_jsonl_with_aliases_and_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a1", "url": "https://x.example/1", "source": "Wire", "date": "2018-06-12",
                    "headline": "China hints at sanctions relief", "body": BODY}),
        '{"id": "a2", "text": "broken',
        "",
        json.dumps({"id": "a3", "site": "Daily", "published_at": "June 13, 2018", "content": BODY2}),
        json.dumps({"id": "a4", "title": "No text here"}),
        json.dumps(["not", "an", "object"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_paths([path]))
    first, third = _arts(items)
    assert first.source == f"{path}:1" and first.outlet == "Wire" and first.url == "https://x.example/1"
    assert first.published == dt.date(2018, 6, 12) and first.title == "China hints at sanctions relief"
    assert third.source == f"{path}:4" and third.outlet == "Daily" and third.published == dt.date(2018, 6, 13)
    bad_json, no_text, not_obj = _rejs(items)
    assert (bad_json.code, bad_json.line, bad_json.source) == ("E106", 2, str(path))
    assert "line 2" in bad_json.reason and f"{path}:2" in str(bad_json)
    assert (no_text.code, no_text.line) == ("E102", 5)
    assert (not_obj.code, not_obj.line) == ("E106", 6)


def test_csv_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "ID,URL,Outlet,Published,Title,Body\n"
        f'1,https://x.example/1,Wire,2019-03-21,"Sanctions, again","{BODY}"\n'
        "2,https://x.example/2,Wire,2019-03-22,Empty,\n"
        f'3,https://x.example/3,Daily,"21 Mar 2019",Reply,"{BODY2}\nSecond line."\n',
        encoding="utf-8")
    items = list(read_paths([path]))
    one, three = _arts(items)
    assert one.source == f"{path}:2" and one.title == "Sanctions, again" and one.published == dt.date(2019, 3, 21)
    assert three.outlet == "Daily" and three.text.endswith("Second line.")
    [empty] = _rejs(items)
    assert (empty.code, empty.line, empty.source) == ("E102", 3, str(path))


def _warc_record(writer: WARCWriter, uri: str, body: bytes, content_type: str, date: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)


def test_warc_gz(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    undated = f"<html><body><article><p>{BODY}</p><p>{BODY2}</p></article></body></html>"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        _warc_record(writer, "https://wire.example.com/a", PAGE.encode(), "text/html; charset=utf-8",
                     "2024-01-05T10:00:00Z")
        _warc_record(writer, "https://wire.example.com/logo.png", b"\x89PNG....", "image/png", "2024-01-05T10:00:01Z")
        _warc_record(writer, "https://wire.example.com/b", undated.encode(), "text/html", "2024-01-06T10:00:00Z")
        _warc_record(writer, "https://wire.example.com/c", NO_TEXT_PAGE.encode(), "text/html", "2024-01-06T10:00:00Z")
    items = list(read_paths([path]))
    dated, undated_article = _arts(items)
    assert dated.published == dt.date(2019, 3, 21)  # the page's own date beats WARC-Date
    assert dated.source.startswith(f"{path}#") and "Treasury Department" in dated.text
    assert undated_article.url == "https://wire.example.com/b"
    assert undated_article.published == dt.date(2024, 1, 6)  # WARC-Date only as the fallback
    [no_text] = _rejs(items)
    assert no_text.code == "E105" and no_text.source.startswith(f"{path}#")
    offsets = [int(i.source.rsplit("#", 1)[1]) for i in items]
    assert offsets[0] == 0 and offsets == sorted(set(offsets))


def test_broken_warc_record(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc"
    buffer = io.BytesIO()
    _warc_record(WARCWriter(buffer, gzip=False), "https://wire.example.com/a", PAGE.encode(), "text/html",
                 "2024-01-05T10:00:00Z")
    good = buffer.getvalue()
    path.write_bytes(good + b"this is not a WARC header\r\nfoo: bar\r\n\r\ngarbage")
    items = list(read_paths([path]))
    assert isinstance(items[0], Article)
    broken = items[-1]
    assert isinstance(broken, Rejected) and broken.code == "E106"
    # warcio skips one stray line as the previous record's trailer, so "near" the bad bytes.
    offset = int(broken.source.rsplit("#", 1)[1])
    assert broken.source.startswith(f"{path}#") and len(good) <= offset < len(good) + 64
    assert f"offset {offset}" in broken.reason


def test_folder_and_glob_expansion(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b.txt").write_text(BODY)
    (tmp_path / "sub" / "a.txt").write_text(BODY2)
    (tmp_path / "sub" / "c.md").write_text(BODY + " More.")
    (tmp_path / ".hidden" / "x.txt").write_text(BODY)
    (tmp_path / ".dotfile.txt").write_text(BODY)
    folder = [a.source for a in read_paths([tmp_path])]
    assert folder == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.txt"), str(tmp_path / "sub" / "c.md")]
    globbed = [a.source for a in read_paths([str(tmp_path / "**" / "*.txt")])]
    assert globbed == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.txt")]
    assert [a.source for a in read_paths(str(tmp_path / "sub" / "*.md"))] == [str(tmp_path / "sub" / "c.md")]


def test_missing_path_and_empty_glob(tmp_path: Path) -> None:
    missing, nomatch = read_paths([tmp_path / "nope.txt", str(tmp_path / "*.jsonl")])
    assert isinstance(missing, Rejected) and missing.code == "E101"
    assert missing.source == str(tmp_path / "nope.txt") and "no such file" in missing.reason
    assert isinstance(nomatch, Rejected) and nomatch.code == "E101"
    assert nomatch.source == str(tmp_path / "*.jsonl") and "matched no files" in nomatch.reason


def test_read_text_in_memory() -> None:
    article = read_text(f"Sanctions on shipping firms\n{BODY}\nShare this:\nLogin", outlet="Wire",
                        published="2019-03-21")
    assert isinstance(article, Article)
    assert article.title == "Sanctions on shipping firms" and article.published == dt.date(2019, 3, 21)
    assert article.text == BODY and article.source == "<text>" and article.outlet == "Wire"
    assert isinstance(read_text("   "), Rejected) and read_text("   ").code == "E102"
    short = read_text("Too short.")
    assert isinstance(short, Rejected) and short.code == "E108"


def test_parquet_row_over_max_bytes_is_e109_and_the_rest_is_read(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eventcoder.ingest import read_paths

    story = "China urged North Korea on Tuesday to halt its missile tests, the foreign ministry said."
    path = tmp_path / "shard.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [story * 50, story]}), path)
    items = list(read_paths([path], max_bytes=2_000))
    assert [type(i).__name__ for i in items] == ["Rejected", "Article"]
    assert items[0].code == "E109" and items[0].line == 1 and "max_input_bytes" in items[0].reason
