"""Coding at scale: many processes on one machine (:mod:`.local`), or a Ray cluster (:mod:`.ray`).

Both run ``run.code_articles`` unchanged; they only decide where and how many at a time.
``ray`` is an optional extra (``pip install -e '.[ray]'``) and is imported only when used.
"""

from eventcoder.scale.local import code_parallel, default_workers

__all__ = ["code_parallel", "default_workers"]
