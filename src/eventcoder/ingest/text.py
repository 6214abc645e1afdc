"""Plain-text files: decode the bytes carefully, then hand the text to the clean stage.

Also home to the helpers every reader shares (``decode_bytes``, ``make_article``,
``reject``), so that each format only deals with its own framing.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..clean import clean_article, parse_published
from ..errors import E102_EMPTY, E103_BINARY, E104_DECODE, E106_BAD_RECORD, E113_BAD_DATE, InputError
from ..model import Article, Rejected
from .paths import SIDECAR_SUFFIX, is_sidecar, read_input, reject

__all__ = ["decode_bytes", "is_sidecar", "make_article", "read_sidecar", "read_text_file", "reject", "sidecar_path"]

# Signatures of formats that are never article text; a renamed PDF or zip should be
# reported as binary rather than decoded into cp1252 mojibake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP"), (b"\x89PNG", "PNG"), (b"\x1f\x8b", "gzip"),
    (b"GIF8", "GIF"), (b"\xff\xd8\xff", "JPEG"), (b"\x7fELF", "ELF"), (b"SQLite format 3\x00", "SQLite"),
    (b"\xd0\xcf\x11\xe0", "OLE/MS Office"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf", "7z"), (b"OggS", "Ogg"), (b"ID3", "MP3"), (b"RIFF", "RIFF"), (b"\x00asm", "wasm"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF = 8192
_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the bytes look like mostly-Latin text in UTF-16 with no BOM:
    NUL in (nearly) every odd byte and no even one, or the reverse; else None."""
    head = data[: _SNIFF - _SNIFF % 2]
    if len(head) < 8 or len(data) % 2:
        return None
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd_nuls > 0.7 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.7 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, *, allow_gzip: bool = False) -> str:
    """Decode file bytes as text: BOM-marked UTF-8/16/32, BOM-less UTF-16 (told by its NUL
    pattern), then UTF-8, then strict cp1252.

    Raises ``InputError`` E103 for binary content and E104 when no encoding fits.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"undecodable bytes at offset {exc.start} ({encoding} with BOM)",
                                 code=E104_DECODE) from exc
    for magic, kind in _MAGIC:
        if data.startswith(magic) and not (allow_gzip and kind == "gzip"):
            raise InputError(f"binary file ({kind} signature), not text", code=E103_BINARY)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise InputError(f"undecodable bytes at offset {exc.start} (looks like {utf16} without a BOM)",
                             code=E104_DECODE) from exc
    if b"\x00" in data[:_SNIFF]:
        offset = data.index(b"\x00")
        raise InputError(f"binary file (NUL byte at offset {offset})", code=E103_BINARY)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            # Valid UTF-8 up to a multi-byte character cut off at the very end: a truncated
            # file, not cp1252 (which would turn every accented letter into mojibake).
            raise InputError(f"truncated UTF-8: the file ends inside a multi-byte character at offset "
                             f"{exc.start} (cut short?)", code=E104_DECODE) from exc
    # cp1252 is what mislabelled "ANSI" news exports are in practice; decoded strictly it
    # still refuses the five bytes it leaves undefined, so random bytes do not slip through.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable bytes at offset {exc.start} (tried utf-8, cp1252)",
                         code=E104_DECODE) from exc
    controls = sum(1 for ch in text[:_SNIFF] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > len(text[:_SNIFF]) * 0.05:
        raise InputError("binary file (control characters), not text", code=E103_BINARY)
    return text


def make_article(text: str, *, source: str, min_chars: int = 40, line: int | None = None,
                 **meta: object) -> Article | Rejected:
    """Build an Article from raw text and metadata and pass it through the clean stage.

    ``published`` may be a date or the raw value a feed gave; one that cannot be used
    (unreadable, relative, implausible: ``clean.parse_published``) is dropped, and the article
    carries an E113 note saying so."""
    published, date_problem = parse_published(meta.get("published"))
    if "published" in meta:
        meta["published"] = published
    if not text or not text.strip():
        return reject(source, E102_EMPTY, "no text" if line is None else f"no text in record on line {line}",
                      line=line)
    for name, value in (("text", text), *meta.items()):
        # JSON escapes can carry lone UTF-16 surrogates ("\ud800"): not Unicode text, and
        # the store cannot write them as UTF-8, which would fail the whole batch.
        if isinstance(value, str) and _SURROGATE.search(value):
            where = "" if line is None else f" of the record on line {line}"
            return reject(source, E104_DECODE, f"the {name}{where} holds a lone UTF-16 surrogate "
                          f"(U+{ord(_SURROGATE.search(value).group()):04X}), which is not valid Unicode", line=line)
    article = Article.from_text(text, source=source if line is None else f"{source}:{line}", **meta)
    cleaned = clean_article(article, min_chars=min_chars)
    if isinstance(cleaned, Rejected) and line is not None:
        return cleaned.model_copy(update={"source": source, "line": line})
    if date_problem and isinstance(cleaned, Article):
        note = Rejected(source=source, line=line, stage="ingest", code=E113_BAD_DATE, article_id=cleaned.id,
                        reason=f"{date_problem}; the article is kept without a publication date")
        return cleaned.model_copy(update={"notes": (*cleaned.notes, note)})
    return cleaned


SIDECAR_FIELDS = ("published", "outlet", "url", "title")


def sidecar_path(path: str | Path) -> Path:
    """Where a text file's metadata sidecar sits: ``name.meta.json`` beside ``name.txt``."""
    path = Path(path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: str | Path) -> tuple[dict[str, object], Rejected | None]:
    """The metadata in a text file's sidecar (``published``, ``outlet``, ``url``, ``title``),
    or {} when it has none; a sidecar that cannot be used gives {} and an E106 Rejected
    naming it and why, and the text is still coded without it."""
    from ..clean import parse_date

    side = sidecar_path(path)
    if not side.is_file():
        return {}, None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, reject(side, E106_BAD_RECORD, f"metadata sidecar is not readable JSON ({exc}); {Path(path).name} coded without it")
    if not isinstance(data, dict):
        return {}, reject(side, E106_BAD_RECORD, f"metadata sidecar must be a JSON object; {Path(path).name} coded without it")
    unknown = sorted(set(data) - set(SIDECAR_FIELDS))
    if unknown:
        return {}, reject(side, E106_BAD_RECORD, f"metadata sidecar has unknown field(s) {', '.join(unknown)} "
                          f"(known: {', '.join(SIDECAR_FIELDS)}); {Path(path).name} coded without it")
    meta: dict[str, object] = {}
    for name in SIDECAR_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return {}, reject(side, E106_BAD_RECORD, f"metadata sidecar field {name} must be a string; "
                              f"{Path(path).name} coded without it")
        meta[name] = value
    if "published" in meta:
        day = parse_date(meta["published"])
        if day is None:
            return {}, reject(side, E106_BAD_RECORD, f"metadata sidecar published {meta['published']!r} is not a date "
                              f"(YYYY-MM-DD); {Path(path).name} coded without it")
        meta["published"] = day
    return meta, None


def read_text_file(path: str | Path, *, min_chars: int = 40) -> Iterator[Article | Rejected]:
    """Yield the one article in a plain-text file (or why there is none), with the metadata
    of its ``name.meta.json`` sidecar when it has one (see :func:`read_sidecar`)."""
    try:
        text = decode_bytes(read_input(path))
    except InputError as exc:
        yield reject(path, exc.code, exc.message)
        return
    meta, problem = read_sidecar(path)
    if problem is not None:
        yield problem
    yield make_article(text, source=str(path), min_chars=min_chars, **meta)
