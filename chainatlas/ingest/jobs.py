"""Document ingests started from the web (uploads), run as background jobs.

Ingesting is CPU-bound: run in the web server's threads it held the interpreter lock and
froze every request for as long as a slow page took (50 s measured, issue 16). A job runs
``chainatlas ingest`` in a child process instead — its own interpreter, its own memory and
the CLI's per-document bounds — and one job at a time, so uploads queue rather than pile up
on the server's cores. The page or client polls the job; its state always ends ``done`` or
``failed`` (a crash, a non-JSON answer or a run over ``JOB_SECONDS`` is ``failed`` with the
reason), and the uploaded files are removed either way."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

JOB_SECONDS = 900.0       # a whole upload job; each document also has the CLI's own limit
DOCUMENT_SECONDS = 60.0   # per document in an upload (the CLI default is for batch runs)
KEEP = 200                # finished jobs remembered for polling
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class IngestJob:
    id: str
    files: list[str]
    state: str = QUEUED
    report: dict[str, Any] | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)


class IngestJobs:
    """The jobs of one store, run one at a time on a background thread."""

    def __init__(self, db_url: str, *, seconds: float = JOB_SECONDS,
                 on_done: Callable[[IngestJob], None] | None = None) -> None:
        self.db_url = db_url
        self.seconds = seconds
        self.on_done = on_done
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainatlas-ingest-job")

    def submit(self, folder: Path, files: list[str]) -> IngestJob:
        """Ingest everything in ``folder`` (which the job owns and removes when it ends)."""
        job = IngestJob(secrets.token_urlsafe(12), files)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                oldest = next(iter(self._jobs.values()))
                if oldest.state not in (DONE, FAILED):
                    break
                self._jobs.popitem(last=False)
        self._runner.submit(self._run, job, folder)
        return job

    def get(self, job_id: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: IngestJob, folder: Path) -> None:
        job.state = RUNNING
        state, report, error = FAILED, None, None
        try:
            report = run_ingest(self.db_url, folder, self.seconds)
            state = DONE
        except BaseException as exc:  # whatever happens, the job ends: a poller never waits forever
            error = str(exc) or type(exc).__name__
        finally:
            # Clean up first, then publish the end state: a poller that sees done/failed may
            # rely on the uploaded files being gone and the caches being fresh.
            shutil.rmtree(folder, ignore_errors=True)
            if self.on_done is not None:
                # A failed cache reset must not undo the job's own outcome.
                with contextlib.suppress(Exception):
                    self.on_done(job)
            job.report, job.error, job.finished = report, error, time.time()
            job.state = state


class JobFailed(RuntimeError):
    pass


def run_ingest(db_url: str, folder: Path, seconds: float) -> dict[str, Any]:
    """``chainatlas ingest FOLDER --json`` in a child process; its JSON summary."""
    command = [sys.executable, "-c", "from chainatlas.cli.main import app; app()", "ingest", str(folder),
               "--json", "--workers", "1", "--max-seconds", str(DOCUMENT_SECONDS)]
    # The store URL goes by environment, not argv: a password in it must not show in `ps`.
    env = {**os.environ, "CHAINATLAS_DB": db_url}
    try:
        proc = subprocess.run(command, env=env, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired as exc:
        raise JobFailed(f"the ingest took longer than {seconds:g} s and was stopped") from exc
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode not in (0, 1) or not lines:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise JobFailed(f"the ingest failed (exit {proc.returncode}): {' '.join(tail)[:500]}")
    try:
        report: dict[str, Any] = json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise JobFailed(f"the ingest answered no summary: {lines[-1][:200]}") from exc
    # Where the upload sat on the server is nobody's business: keep the file names only.
    for issue in report.get("issues", []):
        issue["where"] = Path(str(issue.get("where", ""))).name.split("_", 1)[-1]
    return report


_registries: dict[str, IngestJobs] = {}
_registries_lock = threading.Lock()


def jobs_for(db_url: str, on_done: Callable[[IngestJob], None] | None = None) -> IngestJobs:
    """The job registry of one store (one per server process)."""
    with _registries_lock:
        if db_url not in _registries:
            _registries[db_url] = IngestJobs(db_url, on_done=on_done)
        return _registries[db_url]
