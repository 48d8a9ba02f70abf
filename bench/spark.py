"""Spark ingest vs the single-machine ingest, same documents, same PostgreSQL server, one run.

Generates N documents with bench/extract.py's generator (paragraphs of ../shared/corpus/news,
digits varied, one in 40 a near-duplicate), then times, each into a fresh database:

* ``chainatlas ingest --workers 1`` and ``--workers 2`` (the baseline);
* ``chainatlas spark ingest --master local[1]`` and ``local[2]`` (1 and 2 executor cores);

and reports documents/s and KB/s, Spark's scaling efficiency from 1 to 2 cores, the ratio of
Spark to the single-machine path at the same cores, the peak RSS of the JVM and of the
largest Python worker (sampled over the process tree), and a projection toward 10^7 documents
from the two Spark runs (on paper, Amdahl: the part that shrank with a second core and the
part that did not — the in-order resolving task, the driver's decisions — scaled per document).

    .venv/bin/python bench/spark.py --docs 10000         # ~25 min on a quiet 2-core machine
    .venv/bin/python bench/spark.py --docs 100000        # the issue's size: ~2 h there
    .venv/bin/python bench/spark.py --docs 100000 --only 2   # its two-core runs alone: ~45 min

Needs CHAINATLAS_TEST_PG (or $(bash scripts/pg.sh)), Java 17 and the spark extra. Ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from extract import generate  # noqa: E402  (bench/extract.py's corpus generator)

CLI = str(REPO / ".venv" / "bin" / "chainatlas")


class TreeSampler(threading.Thread):
    """Peak RSS (MB) over a process tree: the JVM, the largest Python worker, the whole tree."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.every = every
        self.jvm = self.worker = self.tree = self.driver = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                sizes = []
                for p in procs:
                    try:
                        rss = p.memory_info().rss / 2**20
                        name = p.name()
                    except psutil.Error:
                        continue
                    sizes.append(rss)
                    if name.startswith("java"):
                        self.jvm = max(self.jvm, rss)
                    elif p.pid == self.root.pid:
                        self.driver = max(self.driver, rss)
                    else:
                        self.worker = max(self.worker, rss)
                self.tree = max(self.tree, sum(sizes))
            except psutil.Error:
                pass
            self._halt.wait(self.every)

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join()
        return {"peak_jvm_mb": round(self.jvm, 1), "peak_worker_mb": round(self.worker, 1),
                "peak_driver_mb": round(self.driver, 1), "peak_tree_mb": round(self.tree, 1)}


def fresh_db(admin_url: str, base: str) -> tuple[str, str]:
    name = f"ca_bench_spark_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    # Migrate and load reference data outside the timed run.
    subprocess.run([CLI, "db", "init", "--db", url], check=True, capture_output=True)
    return name, url


def timed(cmd: list[str], label: str) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    mem = sampler.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{label} failed ({proc.returncode}): {err.decode()[-2000:]}")
    summary = json.loads(out.decode().strip().splitlines()[-1])
    print(f"{label:<22} {seconds:7.1f} s  stored {summary['documents']}  near-dup {summary['near_duplicates']}  "
          f"rejected {summary['rejected']}  peak: {mem}", flush=True)
    return {"seconds": round(seconds, 2), "documents": summary["documents"], **mem}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--target", type=int, default=10**7, help="projection size")
    parser.add_argument("--only", choices=("2",), default=None,
                        help="2: only the two-core runs (a size check when four runs do not fit; no efficiency)")
    args = parser.parse_args()
    base = os.environ.get("CHAINATLAS_TEST_PG") or subprocess.run(
        ["bash", str(REPO / "scripts" / "pg.sh")], check=True, capture_output=True, text=True).stdout.strip()
    admin_url = make_url(base).set(database="postgres").render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="bench_spark_"))
    files, size = generate(work / "corpus", args.docs)
    kb = size / 1024
    print(f"{files} documents, {kb:.0f} KB, in {work}", flush=True)
    runs: dict[str, dict[str, float]] = {}
    made: list[str] = []
    plan = [
        ("ingest --workers 1", ["ingest", "--workers", "1", "--quiet"]),
        ("ingest --workers 2", ["ingest", "--workers", "2", "--quiet"]),
        ("spark local[1]", ["spark", "ingest", "--master", "local[1]"]),
        ("spark local[2]", ["spark", "ingest", "--master", "local[2]"]),
    ]
    if args.only == "2":
        plan = [p for p in plan if p[0].endswith("2") or p[0].endswith("[2]")]
    try:
        for label, cmd in plan:
            name, url = fresh_db(admin_url, base)
            made.append(name)
            runs[label] = timed([CLI, *cmd, str(work / "corpus"), "--db", url, "--json"], label)
    finally:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for name in made:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    for r in runs.values():
        r["docs_per_s"] = round(files / r["seconds"], 2)
        r["kb_per_s"] = round(kb / r["seconds"], 1)
    s2, i2 = runs["spark local[2]"], runs["ingest --workers 2"]
    if args.only:
        print(f"spark/ingest at 2 cores {s2['docs_per_s'] / i2['docs_per_s']:.2f}")
        print(json.dumps({"bench": "spark", "docs": files, "kb": round(kb), "runs": runs,
                          "spark_vs_ingest_2cores": round(s2["docs_per_s"] / i2["docs_per_s"], 3)}))
        return
    s1, i1 = runs["spark local[1]"], runs["ingest --workers 1"]
    efficiency = round(s1["seconds"] / s2["seconds"] / 2, 3)
    # Amdahl from the two Spark runs: T1 = S + P and T2 = S + P/2 give the part that did not
    # shrink with a second core (JVM start, the driver's decisions, the one in-order resolving
    # task) and the part that did (reading, extraction, writing documents). Both are scaled
    # per document to the target; the JVM start is fixed, so this overstates the serial part.
    serial_s = min(max(0.0, 2 * s2["seconds"] - s1["seconds"]), s1["seconds"])
    parallel_s = s1["seconds"] - serial_s
    scale = args.target / files
    core_hours = parallel_s * scale / 3600
    projection = {f"{cores}_cores_hours": round((serial_s + parallel_s / cores) * scale / 3600, 1)
                  for cores in (2, 16, 64, 256)}
    print(f"spark 1→2 cores: scaling efficiency {efficiency:.2f}; spark/ingest at 1 core "
          f"{s1['docs_per_s'] / i1['docs_per_s']:.2f}, at 2 {s2['docs_per_s'] / i2['docs_per_s']:.2f}")
    print(f"serial part {serial_s:.1f} s, parallel part {parallel_s:.1f} s of {s1['seconds']:.1f} s on one core; "
          f"toward {args.target:.0e} docs: {core_hours:.0f} core-hours of parallel work plus "
          f"{serial_s * scale / 3600:.1f} h in order; wall hours by cores: {projection}")
    print(json.dumps({
        "bench": "spark", "docs": files, "kb": round(kb), "runs": runs,
        "spark_scaling_efficiency_1_to_2": efficiency,
        "spark_vs_ingest_1core": round(s1["docs_per_s"] / i1["docs_per_s"], 3),
        "spark_vs_ingest_2cores": round(s2["docs_per_s"] / i2["docs_per_s"], 3),
        "serial_s": round(serial_s, 1), "parallel_s": round(parallel_s, 1),
        "projection": {"target_docs": args.target, "parallel_core_hours": round(core_hours, 1),
                       "serial_hours": round(serial_s * scale / 3600, 1), **projection},
    }))


if __name__ == "__main__":
    main()
