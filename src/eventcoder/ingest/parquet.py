"""Parquet feeds: one article per row, with the same field names as JSONL feeds.

Rows are read in record batches (``pyarrow.parquet.ParquetFile.iter_batches``), so a large
shard is streamed, not loaded whole. A row without text is rejected and the file goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import E106_BAD_RECORD, E109_TOO_LARGE, InputError
from ..model import Article, Rejected
from .feeds import record_to_article
from .paths import open_input
from .text import reject

__all__ = ["read_parquet"]

ROWS_PER_BATCH = 1024


def read_parquet(path: str | Path, *, min_chars: int = 40, max_bytes: int | None = None) -> Iterator[Article | Rejected]:
    """Yield one Article or Rejected per row of a Parquet file (``line`` is the 1-based row;
    a row whose text is over ``max_bytes`` is E109)."""
    source = str(path)
    try:
        handle = open_input(path)
    except InputError as exc:
        yield reject(source, exc.code, exc.message)
        return
    try:
        parquet = pq.ParquetFile(handle)
    except (OSError, pa.ArrowException) as exc:
        handle.close()
        yield reject(source, E106_BAD_RECORD, f"not a readable Parquet file: {exc}")
        return
    row = 0
    with handle, parquet:
        for batch in parquet.iter_batches(batch_size=ROWS_PER_BATCH):
            for record in batch.to_pylist():
                row += 1
                text = record.get("text")
                size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0
                if max_bytes is not None and size > max_bytes:
                    yield reject(source, E109_TOO_LARGE, f"text is {size:,} bytes, over max_input_bytes={max_bytes:,}", line=row)
                    continue
                yield record_to_article(record, source=source, line=row, min_chars=min_chars)
