"""The hostile corpus (tests/fixtures/ingest/hostile.py) through the real pipeline with two
worker processes: every bad file named with its own reason code, every good page stored,
the run surviving a worker that loops, hangs in native code, aborts or runs out of memory,
and the whole process tree within generous bounds (issue 16, items 4, 5, 6 and 13)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO
from sqlalchemy import select

from chainatlas.ingest.limits import Limits
from chainatlas.ingest.pipeline import IngestReport, ingest_paths
from chainatlas.store import Store
from chainatlas.store.models import Document, IngestIssue

FIXTURES = REPO / "tests" / "fixtures" / "ingest"
sys.path.insert(0, str(FIXTURES))
from hostile import BOUNDS, tree_rss, write_hostile  # noqa: E402

HOSTILE = {"extractor": "fakes:hostile_extract", "persister": "fakes:fake_persist"}
CLI = str(REPO / ".venv" / "bin" / "chainatlas")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}
# Whole-run bounds, generous on purpose (a shared two-core machine): what they catch is a
# quadratic step (minutes) or an unbounded document (gigabytes), not a slow afternoon.
RUN_SECONDS = 240
TREE_BYTES = 2 * 1024**3


def _run_measured(store: Store, folder: Path) -> tuple[IngestReport, float, int]:
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(os.getpid()))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        report = ingest_paths(store, [folder], workers=2, progress=False, bounds=Limits(**BOUNDS), **HOSTILE)
    finally:
        done.set()
        sampler.join()
    return report, time.monotonic() - started, peak


@pytest.mark.slow
def test_hostile_corpus_named_survived_and_bounded(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    expect = write_hostile(folder)
    report, seconds, peak = _run_measured(store, folder)
    named = {Path(r.where).name: r.code for r in report.rejected}
    wanted = {name: code for name, code in expect.items() if code is not None}
    assert named == wanted, {n: (named.get(n), wanted.get(n)) for n in set(named) | set(wanted)
                             if named.get(n) != wanted.get(n)}
    with store.session() as s:
        stored = {Path(p.split(":")[0]).name for p in s.scalars(select(Document.path))}
        issues = {Path(p).name: c for p, c in s.execute(select(IngestIssue.path, IngestIssue.code))}
    good = {name.split(":")[0] for name, code in expect.items() if code is None}
    assert stored == good
    assert issues == wanted  # the reasons are kept in the store too
    assert report.workers_replaced >= 2  # the hung and the crashed worker were replaced
    assert seconds < RUN_SECONDS, f"the hostile corpus took {seconds:.0f} s"
    assert peak < TREE_BYTES, f"peak memory of the process tree {peak / 2**20:.0f} MB"
    # A rerun stores nothing twice and names the same files again.
    again = ingest_paths(store, [folder], workers=2, progress=False, bounds=Limits(**BOUNDS), **HOSTILE)
    assert again.documents == 0 and {Path(r.where).name: r.code for r in again.rejected} == wanted


def test_fifo_and_device_on_the_command_line_fail_the_run(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    for target, code in ((fifo, "E435"), (Path("/dev/null"), "E435"), (tmp_path / "gone.txt", "E401")):
        r = subprocess.run([CLI, "ingest", str(target), "--db", db, "--json", "--workers", "1",
                            "--extractor", HOSTILE["extractor"], "--persister", HOSTILE["persister"]],
                           env=ENV, capture_output=True, timeout=120)
        assert r.returncode == 1, (target, r.stderr.decode()[-500:])
        assert f'"code": "{code}"' in r.stdout.decode(), r.stdout.decode()


def test_file_gone_between_listing_and_reading(tmp_path: Path) -> None:
    from chainatlas.ingest.discover import InputFile
    from chainatlas.ingest.pipeline import _file_items

    path = tmp_path / "soon_gone.txt"
    path.write_text("泰州医药城", encoding="utf-8")
    entry = InputFile(path, path.stat().st_size, explicit=False)
    path.unlink()
    (item,) = list(_file_items(entry, 1024, IngestReport()))
    assert item.code == "E436"  # type: ignore[union-attr]


@pytest.mark.parametrize("case", ["no store", "over time"])
def test_upload_job_always_ends(tmp_path: Path, case: str) -> None:
    """A job whose ingest cannot reach its store, or runs over its time, still ends ``failed``
    with the reason, and its uploaded files are removed."""
    from chainatlas.ingest.jobs import DONE, FAILED, IngestJobs

    if case == "no store":
        jobs = IngestJobs("postgresql+psycopg://nobody@127.0.0.1:9/none", seconds=120)
    else:
        jobs = IngestJobs(f"sqlite:///{tmp_path / 'x.db'}", seconds=0.3)
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_text("泰州医药城新签约项目20个。", encoding="utf-8")
    job = jobs.submit(folder, ["a.txt"])
    deadline = time.monotonic() + 120
    while job.state not in (DONE, FAILED) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.state == FAILED and job.error and job.finished is not None, job
    assert ("longer than" in job.error) == (case == "over time")
    assert not folder.exists()
