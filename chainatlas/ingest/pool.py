"""Worker processes for the ingest pipeline, and what happens when one goes wrong.

A worker that dies (native code aborting, the kernel's OOM killer) or hangs in native
code past the time bound would break a ``ProcessPoolExecutor`` for good: every document
in flight fails with it. Here the pool is replaced instead, and the batches that were in
flight are run again one document at a time, so the one document that kills a worker is
found, named (E432 died / E437 time / E438 memory) and set aside, and the run goes on."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Any

from chainatlas.ingest.errors import TIME_LIMIT, WORKER_DIED
from chainatlas.ingest.limits import Limits
from chainatlas.ingest.worker import Outcome, Rejection, WorkItem, process_batch, warm_up

GRACE = 15.0  # seconds the parent allows beyond the workers' own alarms before it steps in


@contextmanager
def _main_not_reimported(*callables: object) -> Iterator[None]:
    """Launch worker processes without re-running the caller's ``__main__``.

    Workers are forked from a clean forkserver (safe from a threaded server, unlike a plain
    fork), and a ``forkserver``/``spawn`` child normally re-imports the parent's main script
    before it runs anything: a script that calls ``ingest_paths`` at top level (no
    ``if __name__ == "__main__"`` guard) or starts a server there would do it all again in
    every worker, which fails ("bootstrapping phase") and the pool breaks (E432). Our
    workers need nothing from ``__main__`` (the extractor is a ``"module:function"`` spec),
    so while processes are launched ``__main__`` is shown as a bare module, as in an
    interactive session. A callable extractor defined in ``__main__`` itself does need the
    re-import: then the usual multiprocessing rule (guard the script) applies."""
    main = sys.modules.get("__main__")
    needs_main = any(getattr(c, "__module__", None) == "__main__" for c in callables if callable(c))
    if main is None or needs_main or (getattr(main, "__file__", None) is None
                                      and getattr(main, "__spec__", None) is None):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class WorkerPool:
    """``workers`` processes that prepare and extract batches; replaced when one fails."""

    def __init__(self, workers: int, extractor: str | Callable[..., Any], bounds: Limits) -> None:
        self.workers = workers
        self.extractor = extractor
        self.bounds = bounds
        self.replaced = 0
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        with _main_not_reimported(self.extractor):
            return ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("forkserver"),
                                       initializer=warm_up, initargs=(self.extractor, os.getpid(), self.bounds))

    def submit(self, items: list[WorkItem]) -> Future[list[Outcome]]:
        # Worker processes start lazily, on a submit: launch them the same way.
        with _main_not_reimported(self.extractor):
            return self._pool.submit(process_batch, items, self.extractor)

    def pids(self) -> list[int]:
        return [p.pid for p in list(getattr(self._pool, "_processes", {}).values()) if p.pid]

    def _kill_workers(self) -> None:
        for pid in self.pids():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _replace(self) -> None:
        self._kill_workers()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._start()
        self.replaced += 1

    def _deadline(self, items: list[WorkItem]) -> float:
        return self.bounds.seconds * max(1, len(items)) + GRACE

    def collect(self, future: Future[list[Outcome]], items: list[WorkItem]) -> list[Outcome]:
        """The outcomes of a submitted batch. A batch whose worker died or hung is run again
        document by document on a fresh pool."""
        try:
            return future.result(timeout=self._deadline(items) if self.bounds.seconds > 0 else None)
        except FutureTimeout:
            self._replace()  # hung in native code: the workers' alarms did not get through
        except BrokenProcessPool:
            # The future may come from a pool replaced already (for a batch settled before it).
            if getattr(self._pool, "_broken", False):
                self._replace()
        return [self._alone(item) for item in items]

    def _alone(self, item: WorkItem) -> Outcome:
        started = time.perf_counter()
        future = self.submit([item])
        try:
            return future.result(timeout=self._deadline([item]) if self.bounds.seconds > 0 else None)[0]
        except FutureTimeout:
            self._replace()
            return Rejection(item.where, TIME_LIMIT, f"set aside after {time.perf_counter() - started:.0f} s: the "
                             f"worker was stuck past the limit of {self.bounds.seconds:g} s a document "
                             "(--max-seconds) and was replaced", len(item.raw), time.perf_counter() - started)
        except BrokenProcessPool:
            self._replace()
            return Rejection(item.where, WORKER_DIED, "the worker process died on this document (a crash in native "
                             "code, or killed for memory: --max-memory); it was replaced and the run went on",
                             len(item.raw), time.perf_counter() - started)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
