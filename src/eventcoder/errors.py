"""Errors, each with a stable code (like spaCy's ``[E###]``).

Hierarchy::

    EventcoderError
    ├── InputError   E1xx  a file or record could not be read as an article
    ├── NlpError     E2xx  the language pipeline could not run or produced nothing usable
    └── StoreError   E3xx  the DuckDB store could not be opened, written or read

A per-record problem never raises out of a batch: readers and stages turn it into a
``model.Rejected`` carrying the same code and message, stored in the failures table.
"""

from __future__ import annotations


class EventcoderError(Exception):
    """Base of every error eventcoder raises on purpose."""

    code = "E000"

    def __init__(self, message: str, *, code: str | None = None, source: str | None = None):
        self.code = code or self.code
        self.source = source
        self.message = message
        where = f"{source}: " if source else ""
        super().__init__(f"[{self.code}] {where}{message}")


class InputError(EventcoderError):
    code = "E100"


class NlpError(EventcoderError):
    code = "E200"


class StoreError(EventcoderError):
    code = "E300"


# Input (E1xx)
E101_MISSING = "E101"          # path or glob matched nothing
E102_EMPTY = "E102"            # file or record has no text
E103_BINARY = "E103"           # looks binary (NUL bytes, non-text magic)
E104_DECODE = "E104"           # bytes that no tried encoding decodes
E105_NO_MAIN_TEXT = "E105"     # HTML page where no main text could be extracted
E106_BAD_RECORD = "E106"       # malformed JSONL line / CSV row / WARC record
E107_UNSUPPORTED = "E107"      # a document or media type we have no reader for (.pdf, .docx, .zip ...)
E108_TOO_SHORT = "E108"        # text left after cleaning is too short to code
E109_TOO_LARGE = "E109"        # input larger than max_input_bytes; refused unread
E110_NOT_A_FILE = "E110"       # not a regular file (FIFO, socket, device) or a symlink loop; not opened
E111_OUTSIDE_INPUT = "E111"    # a symlink that leads outside the folder or pattern it was found in; not followed
E112_UNREADABLE = "E112"       # a file or folder the operating system refuses to open (permissions)
E113_BAD_DATE = "E113"         # a publication date that is implausible or relative; the article is kept without it
E114_EXTRA_MISSING = "E114"    # an optional extra (e.g. ray) is not installed

# NLP / extraction (E2xx)
E201_NO_SENTENCES = "E201"     # no sentence with a verb was found
E202_NOT_ENGLISH = "E202"      # text is not English; nothing coded
E203_NO_EVENTS = "E203"        # sentences parsed but no event pattern matched
E204_TRUNCATED = "E204"        # article longer than max_chars; the tail was not coded
E205_MODEL_MISSING = "E205"    # the spaCy model package is not installed or will not load
E206_MODEL_MISMATCH = "E206"   # model files differ from their pinned SHA-256
E207_WORKER_FAILED = "E207"    # a worker process (local pool or Ray) could not code an article
E208_EMBEDDINGS_MISSING = "E208"  # story_method asks for embeddings but the extra or model is not installed
E209_CODING_FAILED = "E209"    # coding one article raised; it is recorded and the run goes on

# Store (E3xx)
E301_OPEN = "E301"             # store could not be opened or created, is not a DuckDB file, or is damaged
E302_SCHEMA = "E302"           # schema version newer than this code
E303_WRITE = "E303"            # a write failed and was rolled back
E304_LOCKED = "E304"           # another process holds the store file (one writer per file)
E305_EXPORT = "E305"           # an export could not be written (disk full, no permission) or would overwrite the store; nothing is left at OUT

CODES = {
    name.split("_", 1)[0]: name.split("_", 1)[1].lower().replace("_", " ")
    for name in list(globals())
    if name[:1] == "E" and name[1:4].isdigit()
}
