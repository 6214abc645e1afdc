"""Bad input at scale: write a mixed batch of good and broken inputs with a manifest of what
each one must become, then reconcile a store against that manifest, input by input.

The manifest is written by the generator from what it *made* (a good article, an empty file,
a JSONL line that is not JSON ...), never from what eventcoder did with it, so the
reconciliation is an independent check: every good input must be one stored article, every
bad one exactly one failure row with the expected code, and nothing else may be stored.

Good articles are built from real text: paragraphs of the two bundled seed articles and the
sentences of the PLOVER gold standard (``plover_gsr_cameo.json``, when it is available), each
tagged with a serial number so that no two inputs have the same content (article ids are
content hashes: two equal texts would rightly be stored once).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventcoder.errors import StoreError
from eventcoder.model import storable
from eventcoder.run import seed_paths
from eventcoder.store import Store, open_store

__all__ = ["BAD_KINDS", "HOSTILE_KINDS", "ONCE_KINDS", "CrashRun", "Expected", "Reconciliation", "compare_stores", "crash_and_resume",
           "generate_batch", "iter_manifest", "load_sentences", "reconcile", "start_coder", "stores_equal"]

CODED = "coded"
OVERSIZED_BYTES = 50 * 1024 * 1024
# Kinds of broken input, each with the failure code it must produce and a weight (how
# often it is drawn among the bad inputs). One 50 MB file is written per batch, not weighted.
BAD_KINDS: dict[str, tuple[str, int]] = {
    "empty_file": ("E102", 6),
    "blank_file": ("E102", 3),
    "binary_nul": ("E103", 5),
    "binary_png": ("E103", 3),
    "truncated_utf8": ("E104", 6),
    "undefined_cp1252": ("E104", 4),
    "too_short": ("E108", 4),
    "html_no_main_text": ("E105", 6),
    "jsonl_malformed": ("E106", 8),
    "jsonl_not_object": ("E106", 4),
    "jsonl_no_text": ("E102", 5),
    "jsonl_bad_utf8": ("E104", 4),
    "csv_extra_fields": ("E106", 6),
    "csv_empty_text": ("E102", 4),
    "warc_garbage": ("E106", 3),
    "warc_truncated": ("E106", 3),
}
# Inputs built to break the coder (issue 16), drawn like the bad kinds, with their weights; each
# becomes what ``_Writer.hostile`` says (coded, a failure, or an article plus a note).
HOSTILE_KINDS: dict[str, int] = {
    "dated_year_one": 3,      # a feed record published 0001-01-01 saying "on Sunday": coded + E113
    "dated_yesterday": 3,     # a feed record published "yesterday": coded + E113, no clock used
    "open_quote_csv": 3,      # a CSV row whose quote never closes: E106, the rows after it coded
    "pdf_document": 2,        # a .pdf: E107, unopened
    "link_outside": 2,        # a symlink to a file outside the input folder: E111
    "link_loop": 2,           # two symlinks pointing at each other: E110 each
    "name_not_utf8": 3,       # a file name with a byte that is not UTF-8: coded
    "escape_title": 3,        # terminal escape sequences in a feed record's title and outlet: coded
    "invisible_chars": 3,     # zero-width and bidi controls inside a country name: coded
}
# Written once per batch with the 50 MB file (they are large or slow to make): a FIFO (E110), a
# symlink to a folder (E110), 40,000 heading lines, one 5,000-word sentence, a 17 MB CSV field
# (coded), a WARC record followed by 60 MB without a newline (coded + E106), and a WARC whose
# HTTP body is gzip of 1 GiB (E109, then the next record coded).
ONCE_KINDS = ("fifo", "link_to_folder", "junk_heavy", "long_sentence", "csv_huge_field", "warc_tail", "warc_bomb")
# Kinds of good input: plain UTF-8 text, HTML, a JSONL line, a CSV row, a WARC record, and
# text that is readable once decoded right (cp1252 bytes, UTF-16 without a byte-order mark).
GOOD_KINDS = ("text", "html", "jsonl", "csv", "warc", "cp1252", "utf16le")
# The PLOVER gold file lives beside the repository (../shared/data) in the project's layout;
# found from this file, not the working directory, so the harness runs from anywhere.
ROOT = Path(__file__).resolve().parents[1]
GOLD_CANDIDATES = (ROOT.parent / "shared" / "data" / "plover_gsr_cameo.json", ROOT / "shared" / "data" / "plover_gsr_cameo.json")


@dataclass(frozen=True)
class Expected:
    """What one input must become: ``coded`` (one stored article) or a failure code."""

    file: str
    line: int | None
    outcome: str
    kind: str


@dataclass
class Reconciliation:
    """Inputs expected vs what the store holds, input by input."""

    inputs: int
    good: int
    bad: int
    articles: int
    input_failures: int
    lost: list[tuple[str, int | None, str]] = field(default_factory=list)
    unexpected: list[tuple[str, int | None, str]] = field(default_factory=list)
    duplicates: list[tuple[str, int | None, str]] = field(default_factory=list)
    orphan_notes: int = 0

    @property
    def ok(self) -> bool:
        """True when every input is accounted for exactly once and nothing else is stored."""
        return not (self.lost or self.unexpected or self.duplicates or self.orphan_notes)

    def as_dict(self) -> dict[str, Any]:
        """Plain figures for printing or writing to docs."""
        return {
            "inputs": self.inputs, "good": self.good, "bad": self.bad, "articles": self.articles,
            "input_failures": self.input_failures, "lost": len(self.lost), "unexpected": len(self.unexpected),
            "duplicates": len(self.duplicates), "orphan_notes": self.orphan_notes,
        }  # fmt: skip


def load_sentences(gold: Path | None = None) -> list[str]:
    """Real news sentences: seed paragraphs plus the PLOVER gold sentences (if found)."""
    texts: list[str] = []
    for path in seed_paths():
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")]
        texts += [p for p in paragraphs if len(p) > 80]
    candidates = [gold] if gold else [Path(c) for c in GOLD_CANDIDATES]
    for candidate in candidates:
        if candidate and candidate.is_file():
            records = json.loads(candidate.read_text(encoding="utf-8"))
            texts += [r["text"].strip() for r in records if len(r.get("text") or "") > 60]
            break
    return texts


class _Writer:
    """Writes inputs into a folder and records what each must become."""

    def __init__(self, folder: Path, sentences: list[str], rng: random.Random) -> None:
        self.folder = folder
        self.sentences = sentences
        self.rng = rng
        self.serial = 0
        self.expected: list[Expected] = []

    def path(self, kind: str, suffix: str) -> Path:
        self.serial += 1
        return self.folder / f"{self.serial:05d}_{kind}{suffix}"

    def expect(self, path: Path, line: int | None, outcome: str, kind: str) -> None:
        # As the store writes a name that is not UTF-8 (model.storable).
        self.expected.append(Expected(storable(str(path)), line, outcome, kind))

    def article_text(self) -> str:
        """A short, unique article: a dateline with a serial number and two real sentences."""
        self.serial += 1
        body = " ".join(self.rng.sample(self.sentences, 2))
        return f"Report {self.serial} from the wire desk.\n\n{body}"

    def html(self, text: str) -> bytes:
        paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        return (f"<html><head><title>Report {self.serial}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article>{paragraphs}</article><footer>Contact us</footer></body></html>").encode("utf-8")

    def warc_records(self, pages: list[bytes]) -> bytes:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=True)
        for n, page in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://news.example/{self.serial}/{n}", "response",
                                               payload=io.BytesIO(page), http_headers=headers)
            writer.write_record(record)
        return buffer.getvalue()

    # -- good inputs ---------------------------------------------------------------------

    def good(self, kind: str) -> int:
        """Write one good input of ``kind``; returns how many inputs (records) it holds."""
        text = self.article_text()
        if kind == "text":
            path = self.path(kind, ".txt")
            path.write_text(text, encoding="utf-8")
        elif kind == "cp1252":
            path = self.path(kind, ".txt")
            path.write_bytes((text + "\n\nTalks resumed at the Café Zürich, officials said.").encode("cp1252"))
        elif kind == "utf16le":
            path = self.path(kind, ".txt")
            path.write_bytes(text.encode("utf-16-le"))
        elif kind == "html":
            path = self.path(kind, ".html")
            path.write_bytes(self.html(text))
        elif kind == "warc":
            path = self.path(kind, ".warc.gz")
            path.write_bytes(self.warc_records([self.html(text)]))
        elif kind in ("jsonl", "csv"):
            return self.feed(kind, bad_kind=None)
        else:
            raise ValueError(f"unknown good kind {kind!r}")
        self.expect(path, None, CODED, kind)
        return 1

    def feed(self, kind: str, bad_kind: str | None) -> int:
        """A JSONL or CSV feed of a few good records, plus one bad record of ``bad_kind``."""
        good_count = self.rng.randint(1, 3) if bad_kind is None else self.rng.randint(0, 2)
        path = self.path(bad_kind or kind, f".{kind}")
        texts = [self.article_text() for _ in range(good_count)]
        bad_at = self.rng.randint(0, good_count) if bad_kind else None
        if kind == "jsonl":
            lines: list[tuple[bytes, str, str]] = []  # (raw line, outcome, kind)
            for n, text in enumerate(texts):
                record = json.dumps({"title": f"Report {n}", "text": text, "date": "2019-03-21"}).encode()
                lines.append((record, CODED, kind))
            if bad_kind:
                lines.insert(bad_at or 0, (self.bad_jsonl_line(bad_kind), BAD_KINDS[bad_kind][0], bad_kind))
            lines.insert(self.rng.randint(0, len(lines)), (b"   ", "", "blank"))  # blank lines are not records
            path.write_bytes(b"\n".join(raw for raw, _, _ in lines) + b"\n")
            for line_no, (_, outcome, why) in enumerate(lines, start=1):
                if outcome:
                    self.expect(path, line_no, outcome, why)
            return len(lines) - 1
        rows = [["title", "text", "date"]]
        outcomes: list[tuple[str, str]] = []
        for n, text in enumerate(texts):
            if n == bad_at:
                rows.append(self.bad_csv_row(bad_kind))  # type: ignore[arg-type]
                outcomes.append((BAD_KINDS[bad_kind][0], bad_kind))  # type: ignore[index]
            rows.append([f"Report {n}", text, "2019-03-21"])
            outcomes.append((CODED, kind))
        if bad_at == len(texts):
            rows.append(self.bad_csv_row(bad_kind))  # type: ignore[arg-type]
            outcomes.append((BAD_KINDS[bad_kind][0], bad_kind))  # type: ignore[index]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        line_no = 2  # a row's line is where it starts; texts hold newlines, so count them
        for row, (outcome, why) in zip(rows[1:], outcomes):
            self.expect(path, line_no, outcome, why)
            line_no += 1 + sum(cell.count("\n") for cell in row)
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return len(outcomes)

    def bad_jsonl_line(self, kind: str) -> bytes:
        if kind == "jsonl_malformed":
            return b"{\"bad\": \"unterminated string, cut off" if self.rng.random() < 0.5 else b"{\"bad\": 1,,}"
        if kind == "jsonl_not_object":
            return b"[\"a list\", \"not an object\"]"
        if kind == "jsonl_no_text":
            return b"{\"title\": \"no text\", \"url\": \"https://news.example/x\"}"
        if kind == "jsonl_bad_utf8":
            return b"{\"bad\": \"caf\xe9 \xff\xfe\"}"
        raise ValueError(kind)

    def bad_csv_row(self, kind: str) -> list[str]:
        if kind == "csv_extra_fields":
            return ["Report", "text", "2019-03-21", "an extra field", "and another"]
        if kind == "csv_empty_text":
            return ["Report with no body", "", "2019-03-21"]
        raise ValueError(kind)

    # -- bad inputs ----------------------------------------------------------------------

    def bad(self, kind: str) -> int:
        """Write one bad input of ``kind`` (feeds: a feed holding one bad record)."""
        if kind.startswith("jsonl_"):
            return self.feed("jsonl", kind)
        if kind.startswith("csv_"):
            return self.feed("csv", kind)
        code = BAD_KINDS[kind][0]
        if kind == "warc_truncated":
            # One whole record, then a second cut off mid-stream: the first is still coded.
            path = self.path(kind, ".warc.gz")
            first = self.warc_records([self.html(self.article_text())])
            second = self.warc_records([self.html(self.article_text())])
            path.write_bytes(first + second[: len(second) // 2])
            self.expect(path, None, CODED, "warc")
            self.expect(path, None, code, kind)
            return 2
        suffix = {"html_no_main_text": ".html", "warc_garbage": ".warc.gz"}.get(kind, ".txt")
        path = self.path(kind, suffix)
        text = self.article_text()
        data = {
            "empty_file": lambda: b"",
            "blank_file": lambda: b" \n\t\n   \n",
            "binary_nul": lambda: bytes(self.rng.randrange(256) for _ in range(512)) + b"\x00" * 8,
            "binary_png": lambda: b"\x89PNG\r\n\x1a\n" + bytes(self.rng.randrange(256) for _ in range(256)),
            # A UTF-8 file cut inside its last (two-byte) character.
            "truncated_utf8": lambda: (text + " The minister left for Zürich and São Paulo é").encode("utf-8")[:-1],
            # Latin-1 bytes cp1252 leaves undefined (0x81, 0x8D ...): no encoding we try fits.
            "undefined_cp1252": lambda: text.encode("latin-1", "replace") + b" \x81\x8d\x8f\x90\x9d",
            "too_short": lambda: b"Talks resumed.",
            "html_no_main_text": lambda: b"<html><head><title>Index</title></head><body><nav><a href='/'>Home</a>"
                                         b"</nav><div id='ad'></div></body></html>",
            "warc_garbage": lambda: b"WARC/1.0\r\nthis is not a warc header\r\n\r\n" + bytes(range(256)) * 4,
        }[kind]()
        path.write_bytes(data)
        self.expect(path, None, code, kind)
        return 1


    # -- hostile inputs (issue 16) --------------------------------------------------------

    SUNDAY = "China urged North Korea on Sunday to halt its missile tests, the foreign ministry in Beijing said."

    def hostile(self, kind: str) -> int:
        """Write one input of ``kind`` (HOSTILE_KINDS or ONCE_KINDS); returns the inputs it holds."""
        if kind in ("dated_year_one", "dated_yesterday", "escape_title"):
            path = self.path(kind, ".jsonl")
            record = {"title": f"Report {self.serial}", "text": self.article_text(), "date": "2019-03-21"}
            if kind == "dated_year_one":
                record.update(date="0001-01-01", text=f"Report {self.serial}. {self.SUNDAY}")
            elif kind == "dated_yesterday":
                record["date"] = "yesterday"
            else:
                record.update(title=f"Talks \x1b]0;pwned\x07 \x1b[2J\x9b31m resumed {self.serial}", outlet="wire\x1b[31m")
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
            self.expect(path, 1, CODED, kind)
            if kind != "escape_title":
                self.expect(path, 1, "E113", kind)
            return 1
        if kind == "open_quote_csv":
            path = self.path(kind, ".csv")
            # One line each: after a broken row, reading starts again on its next line, so lines
            # inside the broken row would be read as rows of their own (and fail on their own).
            texts = [" ".join(self.article_text().replace('"', "'").split()) for _ in range(3)]
            path.write_text("title,text,date\n" f'one,"{texts[0]}",2019-03-21\n'
                            f'two,"{texts[1]} and the quote is never closed,2019-03-21\n'
                            f'three,"{texts[2]}",2019-03-21\n', encoding="utf-8")
            self.expect(path, 2, CODED, "csv")
            self.expect(path, 3, "E106", kind)
            self.expect(path, 4, CODED, "csv")
            return 3
        if kind == "pdf_document":
            path = self.path(kind, ".pdf")
            path.write_bytes(b"%PDF-1.7\n" + bytes(self.rng.randrange(256) for _ in range(256)))
            self.expect(path, None, "E107", kind)
            return 1
        if kind == "link_outside":
            outside = self.folder.parent / f"{self.folder.name}-outside-{self.serial}.txt"
            outside.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5, encoding="utf-8")
            path = self.path(kind, ".txt")
            os.symlink(outside, path)
            self.expect(path, None, "E111", kind)
            return 1
        if kind == "link_loop":
            first, second = self.path(kind, ".txt"), self.path(kind, ".txt")
            os.symlink(second.name, first)
            os.symlink(first.name, second)
            self.expect(first, None, "E110", kind)
            self.expect(second, None, "E110", kind)
            return 2
        if kind == "name_not_utf8":
            path = Path(os.fsdecode(os.fsencode(self.path(kind, "")) + b"-caf\xe9-\xff.txt"))
            path.write_text(self.article_text(), encoding="utf-8")
            self.expect(path, None, CODED, kind)
            return 1
        if kind == "invisible_chars":
            path = self.path(kind, ".txt")
            text = self.article_text().replace("China", "Ch\u200dina").replace("North Korea", "North\u202e Korea")
            path.write_text(text + "\n\nChi\u200bna urged the United States on Monday to ease sanctions.", encoding="utf-8")
            self.expect(path, None, CODED, kind)
            return 1
        return self.once(kind)

    def once(self, kind: str) -> int:
        if kind == "fifo":
            path = self.path(kind, ".txt")
            os.mkfifo(path)
            self.expect(path, None, "E110", kind)
            return 1
        if kind == "link_to_folder":
            path = self.path(kind, "")
            os.symlink(".", path)
            self.expect(path, None, "E110", kind)
            return 1
        if kind in ("junk_heavy", "long_sentence"):
            path = self.path(kind, ".txt")
            if kind == "junk_heavy":
                text = self.article_text() + "\n" + "Related:\n" * 40_000
            else:
                clause = self.SUNDAY.rstrip(".").replace("Sunday", "Monday")
                text = f"Report {self.serial}. " + ", and ".join([clause] * 300) + "."
            path.write_text(text, encoding="utf-8")
            self.expect(path, None, CODED, kind)
            return 1
        if kind == "csv_huge_field":
            path = self.path(kind, ".csv")
            buffer = io.StringIO()
            rows = [["title", "text", "date"], ["one", self.article_text(), "2019-03-21"],
                    ["big", self.article_text() + " More words follow here." * 720_000, "2019-03-21"],
                    ["three", self.article_text(), "2019-03-21"]]
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            path.write_text(buffer.getvalue(), encoding="utf-8")
            line = 2
            for row in rows[1:]:
                self.expect(path, line, CODED, kind)
                line += 1 + sum(cell.count("\n") for cell in row)
            return 3
        if kind == "warc_tail":
            path = self.path(kind, ".warc")
            page = self.html(self.article_text())
            buffer = io.BytesIO()
            writer = WARCWriter(buffer, gzip=False)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://news.example/{self.serial}", "response",
                                                          payload=io.BytesIO(page), http_headers=headers))
            with open(path, "wb") as handle:
                handle.write(buffer.getvalue())
                for _ in range(60):
                    handle.write(b"X" * 1_000_000)
            self.expect(path, None, CODED, "warc")
            self.expect(path, None, "E106", kind)
            return 2
        if kind == "warc_bomb":
            path = self.path(kind, ".warc.gz")
            squeezer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
            zeros = bytes(1 << 24)
            bomb = b"".join(squeezer.compress(zeros) for _ in range(64)) + squeezer.flush()  # 1 GiB decoded
            buffer = io.BytesIO()
            writer = WARCWriter(buffer, gzip=True)
            for n, (body, extra) in enumerate([(bomb, [("Content-Encoding", "gzip")]), (self.html(self.article_text()), [])]):
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *extra], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"https://news.example/{self.serial}/{n}", "response",
                                                              payload=io.BytesIO(body), http_headers=headers))
            path.write_bytes(buffer.getvalue())
            self.expect(path, None, "E109", kind)
            self.expect(path, None, CODED, "warc")
            return 2
        raise ValueError(f"unknown hostile kind {kind!r}")


def generate_batch(folder: Path, inputs: int, *, good_share: float = 0.3, seed: int = 0,
                   oversized: bool = True, gold: Path | None = None) -> list[Expected]:
    """Write about ``inputs`` inputs (files, feed lines, CSV rows, WARC records) into
    ``folder``: ``good_share`` of them good articles, the rest drawn from every bad kind
    (each kind at least once, and the hostile kinds of issue 16), plus when ``oversized`` one
    50 MB file and each of ONCE_KINDS. Returns the manifest, also written beside the folder as
    ``<folder>.manifest.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    writer = _Writer(folder, load_sentences(gold), rng)
    kinds = [*BAD_KINDS, *HOSTILE_KINDS]
    weights = [w for _, w in BAD_KINDS.values()] + list(HOSTILE_KINDS.values())
    written = 0
    queue = [*BAD_KINDS, *HOSTILE_KINDS, *GOOD_KINDS]  # every kind at least once
    if oversized:
        for kind in ONCE_KINDS:
            if kind != "fifo" or hasattr(os, "mkfifo"):
                written += writer.once(kind)
    if oversized:
        path = writer.path("oversized", ".txt")
        with open(path, "wb") as handle:
            line = b"China urged North Korea to halt its missile tests, the ministry said. " * 16 + b"\n"
            for _ in range(OVERSIZED_BYTES // len(line) + 1):
                handle.write(line)
        writer.expect(path, None, "E109", "oversized")
        written += 1
    while written < inputs:
        kind = queue.pop() if queue else None
        if kind is None:
            kind = rng.choice(GOOD_KINDS) if rng.random() < good_share else rng.choices(kinds, weights)[0]
        if kind in GOOD_KINDS:
            written += writer.good(kind)
        elif kind in HOSTILE_KINDS:
            written += writer.hostile(kind)
        else:
            written += writer.bad(kind)
    manifest = folder.parent / f"{folder.name}.manifest.jsonl"
    manifest.write_text("".join(json.dumps(e.__dict__) + "\n" for e in writer.expected), encoding="utf-8")
    return writer.expected


_RECORD_SUFFIX = re.compile(r"^(?P<file>.*?)(?::(?P<line>\d+)|#\d+)?$")


def _key(source: str, line: int | None) -> tuple[str, int | None]:
    """(file, line) of a stored source: ``path``, ``path:line`` (feeds) or ``path#offset`` (WARC)."""
    match = _RECORD_SUFFIX.match(source)
    assert match is not None  # the pattern matches every string
    found = match.group("line")
    return match.group("file"), line if line is not None else (int(found) if found else None)


def reconcile(store: Store, expected: list[Expected]) -> Reconciliation:
    """Compare the store with the manifest, input by input (as multisets of
    (file, line, outcome)): what is missing is lost, what is extra is unexpected, what is
    stored more often than expected is a duplicate."""
    want = Counter((e.file, e.line, e.outcome) for e in expected)
    got: Counter[tuple[str, int | None, str]] = Counter()
    articles = store.articles()
    for article in articles:
        got[(*_key(article["source"], None), CODED)] += 1
    stored_ids = {a["id"] for a in articles}
    input_failures = 0
    orphan_notes = 0
    for failure in store.failures():
        if failure["stage"] == "events":
            # A note on a coded article (E202/E203/E204): it must belong to a stored article.
            orphan_notes += failure["article_id"] not in stored_ids
            continue
        input_failures += 1
        got[(*_key(failure["source"], failure["line"]), failure["code"])] += 1
    lost = sorted((want - got).elements(), key=str)
    extra = got - want
    duplicates = sorted((k for k in extra.elements() if k in want), key=str)
    unexpected = sorted((k for k in extra.elements() if k not in want), key=str)
    good = sum(1 for e in expected if e.outcome == CODED)
    return Reconciliation(
        inputs=len(expected), good=good, bad=len(expected) - good, articles=len(articles),
        input_failures=input_failures, lost=lost, unexpected=unexpected, duplicates=duplicates,
        orphan_notes=orphan_notes,
    )  # fmt: skip


def iter_manifest(path: Path) -> Iterator[Expected]:
    """Read back a manifest written by :func:`generate_batch`."""
    for line in path.read_text(encoding="utf-8").splitlines():
        yield Expected(**json.loads(line))


# -- crash and resume ------------------------------------------------------------------------


def start_coder(paths: list[Path], db: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``eventcoder code PATHS --db DB`` in a child process (its output discarded)."""
    return subprocess.Popen(
        [sys.executable, "-m", "eventcoder", "code", *map(str, paths), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
    )  # fmt: skip


@dataclass
class CrashRun:
    """What :func:`crash_and_resume` did: when each kill landed and how many articles the
    store held after it, and how long the final (resuming) run took."""

    kills: list[tuple[float, int]] = field(default_factory=list)
    finished_early: int = 0
    final_seconds: float = 0.0


def _stored_articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with open_store(db, read_only=True) as store:
            return store.counts()["articles"]
    except StoreError:  # killed after creating the file, before its schema: nothing stored
        return 0


def _wal_state(db: Path) -> tuple[int, int] | None:
    """(mtime, size) of the store's write-ahead log: it changes at every commit."""
    try:
        stat = db.with_name(db.name + ".wal").stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _kill_after_commits(child: subprocess.Popen[bytes], db: Path, commits: int, jitter: float,
                        rng: random.Random, max_delay: float) -> float | None:
    """SIGKILL ``child`` a random moment (up to ``jitter`` s) after it has written ``commits``
    times to the store's log, or after ``max_delay`` s; None when it ended first."""
    started = time.perf_counter()
    last, seen = _wal_state(db), 0
    while child.poll() is None:
        state = _wal_state(db)
        if state != last:
            last, seen = state, seen + 1
        elapsed = time.perf_counter() - started
        if seen >= commits or elapsed > max_delay:
            time.sleep(rng.uniform(0, jitter))
            if child.poll() is not None:
                return None
            child.send_signal(signal.SIGKILL)
            child.wait()
            return time.perf_counter() - started
        time.sleep(0.01)
    return None


def crash_and_resume(paths: list[Path], db: Path, *, kills: int, rng: random.Random, max_delay: float,
                     commits: tuple[int, int] = (1, 4), jitter: float = 0.5,
                     env: dict[str, str] | None = None) -> CrashRun:
    """Start the coder ``kills`` times and SIGKILL each run at a random point: after a random
    number (``commits`` range) of writes to the store's log plus up to ``jitter`` seconds, so
    kills land mid-run whatever the machine's speed (``max_delay`` caps the wait); then run
    it once more to completion. A run that ends before its kill is counted in
    ``finished_early``. Raises RuntimeError if the final run fails."""
    report = CrashRun()
    for _ in range(kills):
        child = start_coder(paths, db, env)
        killed_at = _kill_after_commits(child, db, rng.randint(*commits), jitter, rng, max_delay)
        if child.stderr:
            child.stderr.close()
        if killed_at is None:
            report.finished_early += 1
        else:
            report.kills.append((round(killed_at, 2), _stored_articles(db)))
    started = time.perf_counter()
    final = start_coder(paths, db, env)
    _, err = final.communicate()
    report.final_seconds = time.perf_counter() - started
    if final.returncode != 0:
        raise RuntimeError(f"the resuming run failed ({final.returncode}): {err.decode(errors='replace')[-2000:]}")
    return report


def compare_stores(reference: Path, candidate: Path) -> dict[str, Any]:
    """Differences between two store files, table by table: keys missing from the
    candidate, keys only in the candidate, duplicate keys, and rows pointing at nothing."""
    with open_store(reference, read_only=True) as ref, open_store(candidate, read_only=True) as got:
        want_keys, got_keys, orphans = ref.keys(), got.keys(), got.orphans()
    report: dict[str, Any] = {}
    for table, want in want_keys.items():
        have = got_keys[table]
        report[table] = {
            "reference": len(want), "candidate": len(have),
            "missing": len(set(want) - set(have)), "extra": len(set(have) - set(want)),
            "duplicates": len(have) - len(set(have)), "orphans": orphans.get(table, 0),
        }  # fmt: skip
    return report


def stores_equal(report: dict[str, Any]) -> bool:
    """True when :func:`compare_stores` found no difference at all."""
    return all(not (t["missing"] or t["extra"] or t["duplicates"] or t["orphans"]) for t in report.values())
