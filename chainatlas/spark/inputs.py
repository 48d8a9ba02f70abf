"""Inputs of a Spark ingest: files, folders and globs on any Hadoop file system, listed by
the driver only as far as naming what is missing, then read by Spark's ``binaryFile`` source.

Every document gets an *order key* that sorts like the single-machine path's input order
(arguments in turn, a folder's files before its subfolders, names sorted, JSON Lines by
line), so near-duplicate decisions and content-hash ties come out the same on both paths."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from chainatlas.ingest.errors import EMPTY, TOO_LARGE, UNSUPPORTED
from chainatlas.ingest.prepare import content_hash
from chainatlas.ingest.readers import SUPPORTED, kind_of
from chainatlas.ingest.worker import Rejection, WorkItem

OrderKey = tuple[int, int, tuple[str, ...], int]


@dataclass(frozen=True)
class Root:
    """One listed input: an argument, or one match of a glob argument."""

    arg_index: int
    match_index: int
    uri: str        # qualified, as Spark reports file paths (file:/…, hdfs://…)
    shown: str      # how the path is written in the store (as the user named it, for local files)
    is_dir: bool


def glob_filter() -> str:
    """A Hadoop glob for the supported file types (both cases: Hadoop globs are case-sensitive)."""
    exts = sorted({s.lstrip(".") for s in SUPPORTED} | {s.lstrip(".").upper() for s in SUPPORTED})
    return "*.{" + ",".join(exts) + "}"


def local_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else None


def _relative(uri: str, root: Root) -> tuple[str, ...] | None:
    if uri == root.uri:
        return ()
    prefix = root.uri.rstrip("/") + "/"
    if not uri.startswith(prefix):
        return None
    return tuple(uri[len(prefix):].split("/"))


def order_key(uri: str, roots: list[Root], line_no: int = 0) -> tuple[OrderKey, str] | None:
    """The order key of a file Spark read, and the path shown for it; None when no root holds it."""
    best: tuple[OrderKey, str] | None = None
    for root in roots:
        rel = _relative(uri, root)
        if rel is None:
            continue
        # A folder's own files come before its subfolders (os.walk top-down, sorted).
        parts = tuple(("1" if i < len(rel) - 1 else "0") + p for i, p in enumerate(rel))
        shown = str(Path(root.shown, *rel)) if local_path(root.uri) is not None else posixpath.join(root.uri, *rel)
        key: OrderKey = (root.arg_index, root.match_index, parts, line_no)
        if best is None or key < best[0]:
            best = (key, shown)
    return best


def work_items(uri: str, length: int, content: bytes, roots: list[Root],
               max_bytes: int) -> list[tuple[OrderKey, WorkItem | Rejection]]:
    """The work items of one file (one per non-empty line of a JSON Lines file), with the same
    size and emptiness checks as the single-machine path."""
    found = order_key(uri, roots)
    if found is None:
        return []
    key, shown = found
    kind = kind_of(Path(shown))
    if kind is None:
        return [(key, Rejection(shown, UNSUPPORTED, f"unsupported file type {Path(shown).suffix or '(none)'}",
                                length))]
    if kind == "jsonl":
        out: list[tuple[OrderKey, WorkItem | Rejection]] = []
        for line_no, line in enumerate(content.split(b"\n"), start=1):
            raw = line.strip()
            if not raw:
                continue
            line_key: OrderKey = (key[0], key[1], key[2], line_no)
            where = f"{shown}:{line_no}"
            if len(raw) > max_bytes:
                out.append((line_key, Rejection(where, TOO_LARGE, f"line {line_no} is {len(raw)} bytes, over the "
                                                f"limit of {max_bytes} (--max-bytes)", len(raw))))
            else:
                out.append((line_key, WorkItem(where, shown, raw, content_hash(raw), line_no)))
        return out
    if length == 0:
        return [(key, Rejection(shown, EMPTY, "empty file (0 bytes)", 0))]
    if length > max_bytes:
        return [(key, Rejection(shown, TOO_LARGE, f"{length} bytes, over the limit of {max_bytes} (--max-bytes)",
                                length))]
    return [(key, WorkItem(shown, shown, content, content_hash(content)))]
