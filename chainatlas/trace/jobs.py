"""Capture jobs whose process died, and worker processes that must not outlive theirs.

A capture job records the process running it as ``host:pid:start`` (``start`` is the process's
start time from /proc, so a recycled pid is not mistaken for the original process). A job still
"running" whose process is gone on this host is marked failed when jobs are read or a server
starts (``reap_orphan_jobs``). A job owned by another host is left alone: we cannot see its
processes.

Validation workers are started with ``die_with_parent``: a thread in the worker notices when its
parent is gone (``kill -9`` included: the worker is then re-parented) and ends the worker. The
kernel's PR_SET_PDEATHSIG is not used: it fires when the parent *thread* that started the worker
ends, and workers are started from request threads that come and go.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from functools import cache

from sqlalchemy import select

from chainatlas.store import Store
from chainatlas.store.models.base import utcnow
from chainatlas.store.models.trace import EpcisCaptureJob

log = logging.getLogger(__name__)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after the last ")".
    return stat.rsplit(")", 1)[1].split()[19]


@cache
def _host() -> str:
    return socket.gethostname()[:100]


def this_process() -> str:
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_time(pid) or ''}"


def owner_alive(owner: str | None) -> bool | None:
    """True/False for a process of this host, None when it cannot be told (another host, no /proc)."""
    if not owner:
        return None
    parts = owner.rsplit(":", 2)
    if len(parts) != 3:
        return None
    host, pid_s, start = parts
    if host != _host() or not pid_s.isdigit() or not start or not os.path.isdir("/proc/self"):
        return None
    return _start_time(int(pid_s)) == start


def reap_orphan_jobs(store: Store, job_id: str | None = None) -> int:
    """Mark failed the running jobs (or the one job) whose process on this host is gone."""
    with store.session() as s:
        q = select(EpcisCaptureJob).where(EpcisCaptureJob.status == "running")
        if job_id is not None:
            q = q.where(EpcisCaptureJob.id == job_id)
        n = 0
        for job in s.scalars(q):
            if owner_alive(job.owner) is False:
                job.status, job.finished_at = "failed", utcnow()
                job.errors = [{"eventIndex": None, "eventID": None, "field": "",
                               "message": "the process capturing this document stopped before it finished "
                                          "(killed or crashed); nothing of it was stored: capture it again"}]
                n += 1
        if n:
            log.warning("marked %d capture job(s) failed: their process is gone", n)
        return n


def die_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """Worker initializer: end this process soon after ``parent_pid`` is gone."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)  # no cleanup to do: the parent's transaction is already lost
            time.sleep(interval)

    threading.Thread(target=watch, name="chainatlas-parent-watch", daemon=True).start()
