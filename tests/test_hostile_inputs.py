"""Inputs built to break the coder (issue 16's red-team pass), on real files, coded into real
DuckDB files: one bad record in a feed, names that are not UTF-8, a 17 MB CSV field and an
open quote, impossible and relative dates, symlink loops, FIFOs, links out of the tree,
unreadable folders, WARC bombs, and text that made the cleaner or the extractor super-linear.

Whatever hangs when it regresses (a glob round a symlink loop, a FIFO, 40,000 heading lines)
runs in a child process with a timeout, so a regression fails the test instead of the suite.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventcoder import Options, code_articles, code_files, code_text
from eventcoder.clean import parse_published, strip_junk
from eventcoder.ingest import read_paths
from eventcoder.model import Article, Rejected, hash_id, normalize_text
from eventcoder.store import open_store

STORY = "China urged North Korea on Monday to halt its missile tests, the foreign ministry in Beijing said."
# 1 January of year 1 was a Monday: counting back to the Sunday before it leaves the calendar.
SUNDAY = "China urged North Korea on Sunday to halt its missile tests, the foreign ministry in Beijing said."
OTHER = "Russia threatened Ukraine with new sanctions on Tuesday, the Kremlin said in a statement."
FAST = Options(store_batch=50)


def feed_line(n: int, **fields: object) -> str:
    return json.dumps({"title": f"Report {n}", "text": f"Report {n}. {STORY}", "date": "2018-06-13", **fields})


def run_child(code: str, *args: str, timeout: float = 120, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a child process (``sys.argv[1:]`` = ``args``). ``unprivileged``: without
    root's power to read anything (a user namespace), so file permissions count."""
    command = [sys.executable, "-c", code, *args]
    if unprivileged and os.geteuid() == 0:
        if not shutil.which("unshare") or subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode:
            pytest.skip("running as root without user namespaces: permissions cannot be tested")
        command = ["unshare", "--user", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


LIST_INPUTS = """
import json, sys
from eventcoder.ingest import read_paths
for item in read_paths(sys.argv[1:]):
    print(json.dumps([type(item).__name__, getattr(item, "code", None), item.source, getattr(item, "reason", "")]))
"""


def listed(*paths: object, unprivileged: bool = False) -> list[list[str]]:
    done = run_child(LIST_INPUTS, *map(str, paths), timeout=60, unprivileged=unprivileged)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


# -- 1: one bad record stops no run --------------------------------------------------------------


def test_a_record_dated_year_1_stops_nothing_and_a_resume_finishes(tmp_path: Path) -> None:
    lines = [feed_line(n) for n in range(30)]
    lines.insert(12, json.dumps({"title": "Report 99", "text": f"Report 99. {SUNDAY}", "date": "0001-01-01"}))
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    with open_store(db) as store:
        summary = code_files([feed], store, FAST)
        again = code_files([feed], store, FAST)
        articles = {a["source"]: a for a in store.articles()}
        failures = store.failures()
    assert summary.articles == 31 and len(articles) == 31
    assert (again.articles, again.skipped) == (0, 31)
    bad = articles[f"{feed}:13"]
    assert bad["published"] is None
    (note,) = [f for f in failures if f["code"] == "E113"]
    assert (note["source"], note["line"], note["article_id"]) == (str(feed), 13, bad["id"])
    assert "0001-01-01 is implausible" in note["reason"]


def test_an_article_whose_coding_raises_is_recorded_on_every_path(tmp_path: Path) -> None:
    # The readers refuse a year-1 date (E113), so it is given here as a library caller can.
    bad = Article.from_text(f"Report 1. {SUNDAY}", published=dt.date(1, 1, 1), source="bad")
    good = Article.from_text(f"Report 2. {OTHER}", published=dt.date(2018, 6, 13), source="good")
    coded = list(code_articles([bad, good], Options()))  # what eval and code_text call
    assert [c.article.source for c in coded] == ["bad", "good"]
    assert [r.code for r in coded[0].rejections] == ["E209"] and coded[1].events
    assert "OverflowError" in coded[0].rejections[0].reason and "dates.py" in coded[0].rejections[0].reason

    for workers in (1, 2):  # 2: fewer than two chunks, coded in this process (was unguarded)
        (tmp_path / f"in{workers}").mkdir()
        (tmp_path / f"in{workers}" / "a.txt").write_text(f"Report 1. {SUNDAY}")
        (tmp_path / f"in{workers}" / "b.txt").write_text(f"Report 2. {OTHER}")
        year_one = lambda a: a.model_copy(update={"published": dt.date(1, 1, 1)}) if a.source.endswith("a.txt") else a  # noqa: E731
        with open_store(tmp_path / f"w{workers}.duckdb") as store:
            summary = code_files([tmp_path / f"in{workers}"], store, Options(), defaults=year_one, workers=workers)
            assert summary.articles == 2 and store.counts()["articles"] == 2
            assert [f["code"] for f in store.failures()] == ["E209"]
            assert store.counts()["events"] > 0


def test_cli_run_with_an_impossible_published_date_goes_on(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(f"Report 1. {SUNDAY}")
    (tmp_path / "in" / "b.txt").write_text(f"Report 2. {OTHER}")
    db = tmp_path / "cli.duckdb"
    done = subprocess.run([sys.executable, "-m", "eventcoder", "code", str(tmp_path / "in"), "--db", str(db),
                           "--published", "0001-01-01"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "[E209]" in " ".join(done.stderr.split())
    with open_store(db, read_only=True) as store:
        assert store.counts()["articles"] == 2


def test_code_text_reports_a_refused_date() -> None:
    coded = code_text(STORY, published="yesterday")
    assert coded.article.published is None and coded.events
    assert [r.code for r in coded.rejections] == ["E113"] and "relative" in coded.rejections[0].reason


# -- 2: file names that are not UTF-8 -------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes in a name")
def test_a_file_name_that_is_not_utf8_is_stored_with_its_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(f"Report 1. {STORY}")
    with open(os.path.join(os.fsencode(folder), b"caf\xe9 \xff.txt"), "w") as handle:
        handle.write(f"Report 2. {OTHER}")
    with open(os.path.join(os.fsencode(folder), b"empty \xff.txt"), "w"):
        pass  # a failure row with such a name, in the same batch
    with open_store(tmp_path / "s.duckdb") as store:
        summary = code_files([folder], store, FAST)
        sources = sorted(a["source"] for a in store.articles())
        failures = [(f["code"], f["source"]) for f in store.failures()]
    assert summary.articles == 2
    assert sources == [f"{folder}/caf\\xe9 \\xff.txt", f"{folder}/good.txt"]
    assert failures == [("E102", f"{folder}/empty \\xff.txt")]


# -- 6: CSV rows after a bad row ------------------------------------------------------------------


def test_a_17_mb_csv_field_ends_nothing(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "feed.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "text", "date"])
        writer.writerow(["one", f"Report 1. {STORY}", "2018-06-13"])
        writer.writerow(["big", f"Report 2. {OTHER} " + "More words follow here. " * 720_000, "2018-06-13"])
        writer.writerow(["three", f"Report 3. {STORY}", "2018-06-13"])
    assert 17_000_000 < path.stat().st_size < 20_000_000  # under max_input_bytes
    items = list(read_paths([path], max_bytes=20_000_000))
    assert [(type(i).__name__, i.source) for i in items] == [("Article", f"{path}:{n}") for n in (2, 3, 4)]


def test_an_open_quote_is_one_bad_row_and_the_rows_after_it_are_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "title,text,date\n"
        f'one,"{STORY}",2018-06-13\n'
        f'two,"{OTHER} and the quote is never closed,2018-06-13\n'
        f'three,"Report 3. {STORY}",2018-06-13\n'
        f'four,"Report 4, quoted, {OTHER}",2018-06-13\n'
    )
    items = list(read_paths([path]))
    got = [(type(i).__name__, getattr(i, "code", None), getattr(i, "line", None) or int(i.source.rsplit(":", 1)[1]))
           for i in items]
    assert got == [("Article", None, 2), ("Rejected", "E106", 3), ("Article", None, 4), ("Article", None, 5)]
    assert "open quote" in items[1].reason


# -- 8: publication dates -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1850-06-01", dt.date(1, 1, 1)])
def test_implausible_publication_dates_are_refused(value: object) -> None:
    found, problem = parse_published(value)
    assert found is None and problem and "implausible" in problem


@pytest.mark.parametrize("value", ["yesterday", "2 days ago", "today", "last week"])
def test_relative_publication_dates_are_not_resolved_against_the_clock(value: str) -> None:
    found, problem = parse_published(value)
    assert found is None and problem and "relative" in problem


def test_publication_dates_read_the_same_in_any_time_zone() -> None:
    code = "from eventcoder.clean import parse_published; print(parse_published('1528848000')[0], parse_published('12 Jun 2018')[0])"
    answers = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "TZ": tz}).stdout for tz in ("UTC", "Asia/Tokyo", "America/Los_Angeles")}
    assert answers == {"2018-06-13 2018-06-12\n"}


def test_feed_dates_that_cannot_be_used_leave_a_note(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([feed_line(1, date="yesterday"), feed_line(2, date="9999-12-31"),
                               feed_line(3, date="2018-06-13")]) + "\n")
    items = list(read_paths([feed]))
    assert [type(i).__name__ for i in items] == ["Article"] * 3
    assert [i.published for i in items] == [None, None, dt.date(2018, 6, 13)]
    assert [[n.code for n in i.notes] for i in items] == [["E113"], ["E113"], []]


# -- 9: symlink loops, FIFOs, links out of the tree, unreadable folders ---------------------------


def test_a_glob_over_a_symlink_loop_returns(tmp_path: Path) -> None:
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "story.txt").write_text(STORY)
    os.symlink("..", tmp_path / "in" / "a" / "up")  # in/a/up/a/up/... for ever
    os.symlink("loop2", tmp_path / "in" / "loop1")
    os.symlink("loop1", tmp_path / "in" / "loop2")
    found = listed(tmp_path / "in" / "**" / "*.txt", tmp_path / "in")
    assert found[0][:3] == ["Article", None, str(tmp_path / "in" / "a" / "story.txt")]
    by_source = {row[2]: row for row in found[1:]}
    assert by_source[str(tmp_path / "in" / "a" / "story.txt")][0] == "Article"
    assert by_source[str(tmp_path / "in" / "a" / "up")][1] == "E110"  # a symlinked folder: not followed
    assert by_source[str(tmp_path / "in" / "loop1")][1] == "E110" and "loop" in by_source[str(tmp_path / "in" / "loop1")][3]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifos_are_never_opened(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text(STORY)
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    found = listed(tmp_path / "in" / "*.txt", tmp_path / "in" / "pipe.txt", tmp_path / "in")
    codes = [(row[1], Path(row[2]).name) for row in found]
    assert codes == [("E110", "pipe.txt"), (None, "story.txt"), ("E110", "pipe.txt"), ("E110", "pipe.txt"), (None, "story.txt")]
    assert all("FIFO" in row[3] for row in found if row[1])


def test_symlinks_out_of_the_input_tree_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5)
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "story.txt").write_text(STORY)
    os.symlink(secret, tmp_path / "in" / "passwd.txt")
    os.symlink("../story.txt", tmp_path / "in" / "sub" / "inside.txt")  # inside the tree: read
    found = {Path(row[2]).name: row for row in listed(tmp_path / "in")}
    assert found["passwd.txt"][1] == "E111" and str(secret) in found["passwd.txt"][3]
    assert found["inside.txt"][0] == found["story.txt"][0] == "Article"
    # Named on the command line, a link is the user's choice and is followed.
    assert listed(tmp_path / "in" / "passwd.txt")[0][0] == "Article"


def test_an_unreadable_folder_is_recorded(tmp_path: Path) -> None:
    shared = Path(os.environ.get("TMPDIR", "/tmp"))
    root = Path(__import__("tempfile").mkdtemp(dir=shared))
    try:
        (root / "locked").mkdir()
        (root / "locked" / "story.txt").write_text(STORY)
        (root / "open.txt").write_text(STORY + " Again.")
        (root / "locked").chmod(0)
        found = {Path(row[2]).name: row for row in listed(root, unprivileged=True)}
        assert found["locked"][1] == "E112" and "permission denied" in found["locked"][3]
        assert found["open.txt"][0] == "Article"
    finally:
        (root / "locked").chmod(0o755)
        shutil.rmtree(root)


def test_documents_we_cannot_read_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(200))
    (tmp_path / "events.duckdb").write_bytes(b"\x00" * 64)
    found = listed(tmp_path)
    assert [(row[1], Path(row[2]).name) for row in found] == [("E107", "events.duckdb"), ("E107", "report.pdf")]


# -- 10: WARC bombs -------------------------------------------------------------------------------


def _warc(path: Path, bodies: list[tuple[bytes, list[tuple[str, str]]]], tail: bytes = b"", gzip_members: bool = True) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip_members)
    for n, (body, headers) in enumerate(bodies):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://news.example/{n}", "response", payload=io.BytesIO(body),
                                                      http_headers=http))
    path.write_bytes(buffer.getvalue() + tail)


# Peak memory from the kernel's high-water mark of this process's own memory (VmHWM, reset at
# exec; ru_maxrss can carry the forking parent's peak across exec).
READ_WARC = """
import json, re, sys
from pathlib import Path
from eventcoder.ingest import read_paths
items = [[type(i).__name__, getattr(i, "code", None), getattr(i, "reason", "")] for i in read_paths([sys.argv[1]], max_bytes=20_000_000)]
peak = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
print(json.dumps({"items": items, "max_rss_mb": peak}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from Linux /proc")
def test_a_gzip_bomb_in_an_http_body_is_read_no_further_than_max_input_bytes(tmp_path: Path) -> None:
    page = f"<html><body><article><p>{STORY}</p></article></body></html>".encode()
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = bytes(1 << 24)
    bomb = b"".join(squeezer.compress(zeros) for _ in range(64)) + squeezer.flush()  # 1 GiB of zeros
    path = tmp_path / "bomb.warc.gz"
    _warc(path, [(bomb, [("Content-Encoding", "gzip")]), (page, [])])
    assert path.stat().st_size < 2_000_000
    done = run_child(READ_WARC, str(path), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert [i[:2] for i in report["items"]] == [["Rejected", "E109"], ["Article", None]]
    assert "decoded HTTP body is over max_input_bytes" in report["items"][0][2]
    assert report["max_rss_mb"] < 600  # reading the bomb whole took over 1 GiB


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from Linux /proc")
def test_a_record_followed_by_60_mb_without_a_newline_is_one_short_failure(tmp_path: Path) -> None:
    page = f"<html><body><article><p>{STORY}</p></article></body></html>".encode()
    path = tmp_path / "tail.warc"
    _warc(path, [(page, [])], tail=b"X" * 60_000_000, gzip_members=False)
    done = run_child(READ_WARC, str(path), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stderr) < 10_000  # warcio used to print the whole 60 MB line
    report = json.loads(done.stdout)
    assert [i[:2] for i in report["items"]] == [["Article", None], ["Rejected", "E106"]]
    assert len(report["items"][1][2]) < 600
    assert report["max_rss_mb"] < 400


# -- 11: bounded work on pathological text --------------------------------------------------------


STRIP = """
import json, sys
from eventcoder.clean import strip_junk
body, junk = strip_junk(sys.stdin.read())
print(json.dumps([body, junk.count("Related:")]))
"""


def test_forty_thousand_heading_lines_are_stripped_in_one_pass() -> None:
    # Heading-like lines with prose after them: each one made the old scan read every line after
    # it (8,000 lines took 2.4 s, 40,000 about a minute); one pass takes a fraction of a second.
    prose = ("Officials said talks would resume next week in Geneva, and that both delegations had agreed "
             "to bring their military advisers, according to a statement released on Friday.")
    text = f"{STORY}\n" + "Related:\n" * 40_000 + prose
    done = subprocess.run([sys.executable, "-c", STRIP], input=text, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    body, related = json.loads(done.stdout)
    assert body.startswith(STORY) and "Related:" not in body and related == 40_000


def test_no_sentence_handed_to_extraction_is_longer_than_the_cap(nlp: object) -> None:
    from eventcoder.nlp.components import MAX_SENTENCE_TOKENS

    clause = "China urged North Korea to halt its missile tests and the United States threatened new sanctions"
    doc = nlp(", and ".join([clause] * 350) + ".")  # one 5,600-word sentence
    lengths = [len(s) for s in doc.sents]
    assert len(doc) > 5000 and max(lengths) <= MAX_SENTENCE_TOKENS
    # Ordinary punctuated text is not cut.
    assert [len(s) for s in nlp(f"{STORY} {OTHER}").sents] == [len(s) for s in nlp(STORY).sents] + [len(s) for s in nlp(OTHER).sents]


# -- also found: invisible characters, E204 ids ---------------------------------------------------


@pytest.mark.parametrize("disguised", ["Ch\u200dina", "Chi\u200bna", "\uff23\uff48\uff49\uff4e\uff41"])
def test_invisible_and_compatibility_characters_do_not_change_who_acted(disguised: str) -> None:
    plain = code_text(STORY, published=dt.date(2018, 6, 13))
    coded = code_text(STORY.replace("China", disguised), published=dt.date(2018, 6, 13))
    assert [(e.event_type, [a.country for a in e.actors]) for e in coded.events] == \
        [(e.event_type, [a.country for a in e.actors]) for e in plain.events] != []
    text = coded.article.text
    assert "China" in text and all(text[e.start_char : e.end_char] == e.sentence for e in coded.events)
    assert coded.article.id == hash_id(normalize_text(STORY.replace("China", disguised)))  # the input's id


def test_a_cut_article_keeps_the_id_of_its_full_text(tmp_path: Path) -> None:
    text = f"{STORY}\n\n" + "\n\n".join(f"Paragraph {n}. {OTHER}" for n in range(40))
    (tmp_path / "long.txt").write_text(text)
    options = Options(max_chars=500)
    with open_store(tmp_path / "s.duckdb") as store:
        code_files([tmp_path / "long.txt"], store, options)
        (stored,) = store.articles()
        again = code_files([tmp_path / "long.txt"], store, options)
        (note,) = [f for f in store.failures() if f["code"] == "E204"]
    assert len(stored["text"]) <= 500 < len(text)
    assert stored["id"] == hash_id(normalize_text(text)) != hash_id(stored["text"])
    assert again.skipped == 1 and note["article_id"] == stored["id"]


def test_rejected_reasons_are_bounded() -> None:
    rejected = Rejected(source="x", stage="ingest", code="E106", reason="y" * 100_000)
    assert len(rejected.reason) < 600 and rejected.reason.endswith("more characters cut)")
