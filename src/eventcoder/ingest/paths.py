"""Paths in, files out: folders walked, glob patterns matched, every input opened safely.

Each entry found is a regular file to read or a ``Rejected`` saying why it is not: nothing is
skipped silently, nothing blocks and nothing loops.

* Symlinks to folders are never followed inside a walk (a link back up the tree would loop
  forever); a symlink to a file is followed only when the file lies inside the folder or
  pattern root it was found under (a link to ``/etc/passwd`` is E111, not an article).
* A FIFO, socket or device is E110 and never opened (opening a FIFO waits for a writer that
  may never come); files are opened non-blocking and checked again after opening.
* A folder the operating system will not list (``chmod 000``) is E112, with its path.
* Hidden files and folders (``.git``, ``.DS_Store``, editor swap files) are never articles.

Glob patterns are matched by walking from their literal prefix (``data/2024/*/*.jsonl`` walks
``data/2024``), with ``**`` for any number of folders, instead of ``glob.glob``, which follows
symlinked folders round a loop.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import E101_MISSING, E110_NOT_A_FILE, E111_OUTSIDE_INPUT, E112_UNREADABLE, InputError
from ..model import Rejected

__all__ = ["expand_paths", "open_input", "read_input", "reject"]

GLOB_CHARS = frozenset("*?[")
_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}  # fmt: skip


# A metadata sidecar (name.meta.json: published, outlet, url, title) is read with its text
# file, never as an input of its own.
SIDECAR_SUFFIX = ".meta.json"


def is_sidecar(path: str | Path) -> bool:
    """Whether ``path`` is a metadata sidecar (read with its text file, never on its own)."""
    return Path(path).name.lower().endswith(SIDECAR_SUFFIX)


def reject(source: object, code: str, reason: str, *, stage: str = "ingest", line: int | None = None) -> Rejected:
    """A Rejected record for an input that gave no article."""
    return Rejected(source=str(source), stage=stage, code=code, reason=reason, line=line)


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def open_input(path: str | Path) -> BinaryIO:
    """Open an input file for reading without ever blocking: a FIFO, device or folder raises
    ``InputError`` E110 instead of waiting; a refused open is E112, a missing file E101."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise InputError("no such file or directory", code=E101_MISSING) from exc
    except PermissionError as exc:
        raise InputError("cannot read file: permission denied", code=E112_UNREADABLE) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("a symlink loop; not followed", code=E110_NOT_A_FILE) from exc
        raise InputError(f"cannot read file: {exc.strerror or exc}", code=E112_UNREADABLE) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{_kind(mode)}, not a regular file; not read", code=E110_NOT_A_FILE)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: plain reads from here
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path) -> bytes:
    """The bytes of an input file, opened with :func:`open_input`."""
    try:
        with open_input(path) as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", code=E112_UNREADABLE) from exc


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _linked(path: Path, root: str) -> Path | Rejected:
    """A symlink met while walking ``root``: the file it names, if that is safe to read."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return reject(path, E110_NOT_A_FILE, "a symlink loop; not followed")
        return reject(path, E101_MISSING, "a broken symlink (what it points to is not there)")
    if not _inside(target, root):
        return reject(path, E111_OUTSIDE_INPUT, f"a symlink to {target}, outside {root}; not followed")
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        return reject(path, E112_UNREADABLE, f"cannot read the file it links to: {exc.strerror or exc}")
    if stat.S_ISDIR(mode):
        return reject(path, E110_NOT_A_FILE, "a symlink to a folder; not followed inside a walk (name the folder to read it)")
    if not stat.S_ISREG(mode):
        return reject(path, E110_NOT_A_FILE, f"a symlink to {_kind(mode)}; not read")
    return path


def _entries(folder: Path) -> list[os.DirEntry[str]] | Rejected:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except PermissionError:
        return reject(folder, E112_UNREADABLE, "cannot list this folder: permission denied; the files in it were not read")
    except OSError as exc:
        return reject(folder, E112_UNREADABLE, f"cannot list this folder: {exc.strerror or exc}")


def walk(folder: Path, root: str, wanted: _Pattern | None = None, depth: tuple[str, ...] = ()) -> Iterator[Path | Rejected]:
    """Files under ``folder`` (sorted, depth first, hidden entries left out), or why not; with
    ``wanted``, only entries whose path below the pattern root matches it (a matched folder is
    read whole)."""
    entries = _entries(folder)
    if isinstance(entries, Rejected):
        yield entries
        return
    for entry in entries:
        if entry.name.startswith(".") or is_sidecar(entry.name):
            continue
        path = Path(entry.path)
        parts = (*depth, entry.name)
        matched = wanted is None or wanted.matches(parts)
        try:
            if entry.is_symlink():
                if matched:
                    yield _linked(path, root)
            elif entry.is_dir(follow_symlinks=False):
                if matched:
                    yield from walk(path, root)
                elif wanted is not None and wanted.may_contain(parts):
                    yield from walk(path, root, wanted, parts)
            elif not matched:
                continue
            elif entry.is_file(follow_symlinks=False):
                yield path
            else:
                yield reject(path, E110_NOT_A_FILE, f"{_kind(entry.stat(follow_symlinks=False).st_mode)}, not a regular file; not read")
        except OSError as exc:
            yield reject(path, E112_UNREADABLE, f"cannot read it: {exc.strerror or exc}")


class _Pattern:
    """A glob pattern below its literal root: ``*``, ``?`` and ``[...]`` within one name, ``**``
    for any number of folders (as ``glob.glob(recursive=True)``)."""

    def __init__(self, parts: tuple[str, ...]) -> None:
        self.parts = parts
        regex = ""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "**":
                regex += ".*" if last else "(?:[^/]+/)*"
            else:
                regex += _translate(part) + ("" if last else "/")
        self._whole = re.compile(regex + r"\Z", re.DOTALL)
        self._names = [re.compile(_translate(p) + r"\Z", re.DOTALL) if p != "**" else None for p in parts]

    def matches(self, parts: tuple[str, ...]) -> bool:
        return bool(self._whole.match("/".join(parts)))

    def may_contain(self, parts: tuple[str, ...]) -> bool:
        """Whether something below the folder at ``parts`` could match."""
        for index, name in enumerate(parts):
            if index >= len(self._names):
                return False
            compiled = self._names[index]
            if compiled is None:  # "**": anything below may match
                return True
            if not compiled.match(name):
                return False
        return len(parts) < len(self._names)


def _translate(name: str) -> str:
    """One glob name (no "/") as a regular expression."""
    out, i = "", 0
    while i < len(name):
        char = name[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and (close := name.find("]", i + 2 if name[i + 1 : i + 2] in ("!", "]") else i + 1)) != -1:
            inner = name[i + 1 : close]
            out += "[" + ("^" + inner[1:] if inner.startswith("!") else inner).replace("\\", "\\\\") + "]"
            i = close
        else:
            out += re.escape(char)
        i += 1
    return out


def _glob(pattern: str) -> Iterator[Path | Rejected]:
    parts = Path(pattern).parts
    literal = next(i for i, part in enumerate(parts) if GLOB_CHARS & set(part))
    root = Path(*parts[:literal]) if literal else Path(".")
    found = False
    if root.is_dir():
        wanted = _Pattern(tuple(parts[literal:]))
        base = str(root) if literal else ""
        for item in walk(root, os.path.realpath(root), wanted):
            found = True
            yield item if base or isinstance(item, Rejected) else Path(os.path.relpath(item))
    if not found:
        yield reject(pattern, E101_MISSING, "pattern matched no files")


def _named(path: Path) -> Path | Rejected:
    """A file the user named: followed wherever its symlinks lead (they asked for it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return reject(path, E110_NOT_A_FILE, "a symlink loop; not followed")
        if isinstance(exc, PermissionError):
            return reject(path, E112_UNREADABLE, "cannot read it: permission denied")
        return reject(path, E101_MISSING, "no such file or directory (a broken symlink?)")
    if not stat.S_ISREG(mode):
        return reject(path, E110_NOT_A_FILE, f"{_kind(mode)}, not a regular file; not read")
    return path


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | Rejected]:
    """Files, folders (recursively, sorted, skipping hidden entries) and glob patterns to
    files; a Rejected for each path that names nothing (E101), is not a regular file or is a
    symlink loop (E110), leads outside its folder (E111) or cannot be read (E112)."""
    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from walk(path, os.path.realpath(path))
        elif os.path.lexists(path):
            yield _named(path)
        elif GLOB_CHARS & set(str(item)):
            yield from _glob(str(item))
        else:
            yield reject(item, E101_MISSING, "no such file or directory")
