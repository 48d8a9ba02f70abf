"""Bounds on what one document may cost, so that no input brings a run (or the web server)
down: bytes read, bytes a container inflates to (.docx members, PDF streams), characters of
decoded text, work time, and memory per worker process.

The active bounds are a process-wide setting (``use``): readers deep in the call chain
check them without every signature carrying them, and a worker process sets the run's
bounds once when it starts."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB          # a file (or one JSON line) as read
    max_inflated: int = 64 * MB       # what a .docx's members / a PDF's streams decompress to, in all
    max_xml: int = 24 * MB            # the XML parts of a .docx (what its text is parsed from)
    max_chars: int = 2_000_000        # decoded text of one document (≈ 1,000 pages of news)
    seconds: float = 120.0            # reading + extracting one document
    worker_memory: int = 2048 * MB    # address space of one worker process (RLIMIT_AS)


DEFAULT = Limits()
_active: Limits = DEFAULT


def current() -> Limits:
    return _active


def use(limits: Limits) -> None:
    global _active
    _active = limits
