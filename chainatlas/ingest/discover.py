"""Inputs: files, folders (recursive) and glob patterns, expanded lazily and in a stable
order (sorted), so that two runs over the same inputs process documents in the same order
— which makes near-duplicate links, and so the whole store, reproducible."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chainatlas.ingest.errors import NOT_FOUND, RejectedInput
from chainatlas.ingest.readers import SUPPORTED

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class InputFile:
    path: Path
    size: int
    explicit: bool  # named on the command line (an unsupported type is then an error, not skipped)


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[InputFile | RejectedInput]:
    """Every file to ingest; a missing path comes out as a ``RejectedInput``. Files of an
    unknown type inside folders are skipped silently (a folder has images, .DS_Store …)."""
    seen: set[Path] = set()
    for raw in paths:
        text = str(raw)
        if any(c in _GLOB_CHARS for c in text) and not Path(text).exists():
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                yield RejectedInput(NOT_FOUND, "glob matches no file", where=text)
            candidates: Iterable[tuple[Path, bool]] = ((Path(m), True) for m in matches)
        else:
            p = Path(text)
            if not p.exists():
                yield RejectedInput(NOT_FOUND, "no such file or folder", where=text)
                continue
            candidates = [(p, True)]
        for p, explicit in candidates:
            if p.is_dir():
                for f in _walk(p):
                    if f.suffix.lower() in SUPPORTED and f.resolve() not in seen:
                        seen.add(f.resolve())
                        yield InputFile(f, _size(f), explicit=False)
            elif p.is_file() and p.resolve() not in seen:
                seen.add(p.resolve())
                yield InputFile(p, _size(p), explicit=explicit)


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0
