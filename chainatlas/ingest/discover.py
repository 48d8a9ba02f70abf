"""Inputs: files, folders (recursive) and glob patterns, expanded lazily and in a stable
order (sorted), so that two runs over the same inputs process documents in the same order
— which makes near-duplicate links, and so the whole store, reproducible.

Every path is looked at before it is read, and what is not a regular file is named with
its own reason instead of being read: a symbolic-link loop (E433), a link to nothing
(E434), a FIFO or device (E435, reading one would block or never end), a file gone
between listing and reading (E436). None of them stops the run."""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chainatlas.ingest.errors import (
    DANGLING_LINK,
    NOT_FOUND,
    NOT_REGULAR,
    SYMLINK_LOOP,
    UNREADABLE,
    VANISHED,
    RejectedInput,
)
from chainatlas.ingest.readers import SUPPORTED

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class InputFile:
    path: Path
    size: int
    explicit: bool  # named on the command line (an unsupported type is then an error, not skipped)


def _walk(root: Path) -> Iterator[Path]:
    # os.walk does not follow links to folders, so a folder link loop cannot recurse; a
    # link (or loop) to a file comes out among the file names and is inspected below.
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def inspect_path(p: Path) -> os.stat_result | RejectedInput:
    """The file's status (links followed), or why it cannot be read as a regular file."""
    where = str(p)
    try:
        st = p.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return RejectedInput(SYMLINK_LOOP, "symbolic link loop (the link leads back to itself)", where=where)
        if p.is_symlink():
            try:
                target = os.readlink(p)
            except OSError:
                target = "?"
            return RejectedInput(DANGLING_LINK, f"broken symbolic link: its target {target!r} does not exist",
                                 where=where)
        if exc.errno == errno.ENOENT:
            return RejectedInput(VANISHED, "the file disappeared before it could be read", where=where)
        return RejectedInput(UNREADABLE, f"cannot read: {exc.strerror or exc}", where=where)
    if not stat.S_ISREG(st.st_mode):
        return RejectedInput(NOT_REGULAR, f"not a regular file: {file_kind(st.st_mode)}", where=where)
    return st


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[InputFile | RejectedInput]:
    """Every file to ingest; a path that cannot be read comes out as a ``RejectedInput``.
    Files of an unknown type inside folders are skipped silently (a folder has images,
    .DS_Store …)."""
    seen: set[tuple[int, int]] = set()
    for raw in paths:
        text = str(raw)
        if any(c in _GLOB_CHARS for c in text) and not os.path.lexists(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                yield RejectedInput(NOT_FOUND, "glob matches no file", where=text)
            candidates: Iterable[Path] = (Path(m) for m in matches)
        else:
            p = Path(text)
            if not os.path.lexists(p):
                yield RejectedInput(NOT_FOUND, "no such file or folder", where=text)
                continue
            candidates = [p]
        for p in candidates:
            if p.is_dir():
                for f in _walk(p):
                    if f.suffix.lower() in SUPPORTED:
                        yield from _entry(f, False, seen)
            else:
                yield from _entry(p, True, seen)


def _entry(p: Path, explicit: bool, seen: set[tuple[int, int]]) -> Iterator[InputFile | RejectedInput]:
    st = inspect_path(p)
    if isinstance(st, RejectedInput):
        yield st
        return
    identity = (st.st_dev, st.st_ino)  # the same file under two names (a link) is read once
    if identity not in seen:
        seen.add(identity)
        yield InputFile(p, st.st_size, explicit=explicit)
