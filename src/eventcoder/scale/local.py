"""Code articles in N worker processes on one machine, in input order, with flat memory.

    articles ─> chunks of batch_size ─> ProcessPool (each worker loads spaCy once) ─> in order

Why processes: the spaCy parse is CPU-bound Python/Cython that holds the GIL, so threads
do not help. Each worker loads the pipeline once in its initializer (about 5 s), then codes
whole chunks with ``run.code_articles`` — the same function as the in-process path, so the
output is the same article for article.

Why memory stays flat: at most ``workers * IN_FLIGHT_PER_WORKER`` chunks are submitted and
not yet handed back; the input iterator is only advanced when the oldest chunk is done. A
million-article JSONL file therefore never sits in memory, whatever the number of workers.
Workers are replaced after ``RESTART_AFTER_CHUNKS`` chunks, so spaCy's growing vocabulary
cannot grow without bound either.

Why order is kept: results are yielded from the head of a FIFO of futures, so callers can
zip inputs and outputs, and a store written from this stream looks exactly like one
written by the one-process path.

A chunk whose worker raises is coded again article by article; an article that still fails
comes back as a ``CodedArticle`` carrying an E207 rejection, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import islice

from eventcoder.errors import E207_WORKER_FAILED, NlpError
from eventcoder.model import Article, CodedArticle, Rejected
from eventcoder.settings import Options, load_options

__all__ = ["IN_FLIGHT_PER_WORKER", "RESTART_AFTER_CHUNKS", "code_parallel", "default_workers"]

# Two chunks per worker: one being coded, one queued, so a worker never waits on the parent.
IN_FLIGHT_PER_WORKER = 2
# spaCy's vocabulary and string store only grow as new words are seen, so a worker's memory
# creeps up over a long run. Replacing each worker after this many chunks (8,000 articles at
# batch_size 32) bounds it, for a model reload (~5 s) every 10-20 minutes of work.
RESTART_AFTER_CHUNKS = 250

_worker_options: Options | None = None


def default_workers() -> int:
    """All the cores this process may use (its CPU affinity, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker(options: Options) -> None:
    """Worker start: watch the coordinator, remember the options and load the spaCy pipeline
    once, up front."""
    global _worker_options
    from eventcoder.nlp.pipeline import load_pipeline

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="exit-with-coordinator", daemon=True).start()
    _worker_options = options
    load_pipeline(options.spacy_model, options.verify_model)


def _exit_with(coordinator: int) -> None:
    """Exit when the coordinator process ends. A killed coordinator (``kill -9``) cannot shut
    its pool down, and a worker blocked on the task queue would otherwise wait forever,
    holding its spaCy pipeline (~350 MB): each holds a copy of that queue's writing end."""
    multiprocessing.connection.wait([coordinator])
    os._exit(1)


def _code_chunk(chunk: list[Article]) -> list[CodedArticle]:
    """Code one chunk in a worker with the in-process coder (same output, same order)."""
    from eventcoder.run import code_articles

    return list(code_articles(chunk, _worker_options))


def _worker_failure(article: Article, exc: BaseException) -> CodedArticle:
    reason = f"coding failed in a worker process: {type(exc).__name__}: {exc}"
    rejection = Rejected(source=article.source or article.id, stage="events", code=E207_WORKER_FAILED,
                         reason=reason, article_id=article.id)
    return CodedArticle(article=article, rejections=[rejection])


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _collect(pool: ProcessPoolExecutor, chunk: list[Article], future: Future[list[CodedArticle]]) -> list[CodedArticle]:
    """The chunk's results; if its worker raised, code each article alone to isolate the bad one."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise NlpError(f"a worker process died while coding {len(chunk)} article(s) starting with "
                       f"{chunk[0].source or chunk[0].id} (out of memory?): {exc}", code=E207_WORKER_FAILED) from exc
    except Exception:  # noqa: BLE001 - any per-article bug must not stop the batch
        results = []
        for article in chunk:
            try:
                results += pool.submit(_code_chunk, [article]).result()
            except BrokenProcessPool:
                raise
            except Exception as exc:  # noqa: BLE001
                results.append(_worker_failure(article, exc))
        return results


def code_parallel(
    articles: Iterable[Article],
    options: Options | None = None,
    workers: int | None = None,
    *,
    restart_after: int = RESTART_AFTER_CHUNKS,
) -> Iterator[CodedArticle]:
    """Code a stream of articles in ``workers`` processes (default: all cores), yielding
    ``CodedArticle`` in input order while holding at most a few chunks in memory.

    With one worker, or when the whole input fits in one ``batch_size`` chunk, it codes in
    this process with ``run.code_articles`` (starting workers would cost more than it saves).
    Each worker is replaced by a fresh one after ``restart_after`` chunks.
    """
    from eventcoder.run import code_articles

    options = options or load_options()
    workers = workers or default_workers()
    chunks = _chunks(articles, options.batch_size)
    head = list(islice(chunks, 2))
    if workers <= 1 or len(head) < 2:
        yield from code_articles((a for stream in (head, chunks) for chunk in stream for a in chunk), options)
        return
    # Each worker is one process: spaCy's own n_process inside it would oversubscribe the cores.
    worker_options = replace(options, n_process=1)
    context = multiprocessing.get_context("spawn")  # no forked DuckDB/thread state in workers
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(worker_options,), max_tasks_per_child=restart_after)
    pending: deque[tuple[list[Article], Future[list[CodedArticle]]]] = deque()
    try:
        for chunk in (c for stream in (head, chunks) for c in stream):
            pending.append((chunk, pool.submit(_code_chunk, chunk)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _collect(pool, *pending.popleft())
        while pending:
            yield from _collect(pool, *pending.popleft())
    finally:
        # A consumer that stops early (or an error) must not wait for chunks nobody will read.
        pool.shutdown(wait=True, cancel_futures=True)
