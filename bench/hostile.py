"""The hostile corpus (tests/fixtures/ingest/hostile.py) through a real ``chainatlas ingest
--workers 2`` process: the reason each file is named with (against the expected one), the
slowest file, the run's time and the peak memory of its whole process tree (parent,
forkserver, workers — sampled from /proc while it runs). Baseline, measured in the same
run: the good pages alone through the same command; figures are shown as ratios to it.

    .venv/bin/python bench/hostile.py
    .venv/bin/python bench/hostile.py --real    # the real extractor and persister (the four
                                                # trouble-making pages are then ordinary pages)

Prints a table and ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "ingest"
sys.path.insert(0, str(FIXTURES))
from hostile import BOUNDS, tree_rss, write_hostile  # noqa: E402

CLI = str(REPO / ".venv" / "bin" / "chainatlas")
TROUBLE = {"slow.txt", "hang.txt", "crash.txt", "memory.txt"}  # need the hostile fake extractor


def run(folder: Path, db: str, real: bool) -> tuple[dict, float, int]:
    mb = 1024 * 1024
    cmd = [CLI, "ingest", str(folder), "--db", db, "--workers", "2", "--json",
           "--max-bytes", str(BOUNDS["max_bytes"]), "--max-chars", str(BOUNDS["max_chars"]),
           "--max-inflated", str(BOUNDS["max_inflated"] // mb),
           # The corpus's tight time bound is for the fake extractor's trouble pages; the real
           # one gets the CLI default (a page of real extraction on a busy shared machine).
           "--max-seconds", str(120 if real else BOUNDS["seconds"]),
           "--max-memory", str(BOUNDS["worker_memory"] // mb)]
    if not real:
        cmd += ["--extractor", "fakes:hostile_extract", "--persister", "fakes:fake_persist"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), str(REPO), os.environ.get("PYTHONPATH", "")])}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    out, err = proc.communicate()
    seconds = time.monotonic() - started
    lines = out.decode().strip().splitlines()
    if not lines:
        raise SystemExit(f"ingest answered nothing (exit {proc.returncode}): {err.decode()[-2000:]}")
    return json.loads(lines[-1]), seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", action="store_true", help="real extractor and persister")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chainatlas-hostile-"))
    try:
        expect = write_hostile(tmp / "hostile")
        if args.real:
            for name in TROUBLE:
                expect[name] = None
        good = tmp / "good"
        good.mkdir()
        for name, code in expect.items():
            if code is None and ":" not in name:
                shutil.copy(tmp / "hostile" / name, good / name)
        base, base_s, base_peak = run(good, f"sqlite:///{tmp / 'base.db'}", args.real)
        report, seconds, peak = run(tmp / "hostile", f"sqlite:///{tmp / 'hostile.db'}", args.real)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    named = {Path(i["where"]).name: i for i in report["issues"]}
    wrong = 0
    print(f"{'file':32s} {'expected':9s} {'named':9s} reason")
    for name in sorted(expect):
        want = expect[name]
        got = named.get(name, {}).get("code")
        ok = got == want
        wrong += not ok
        print(f"{name:32s} {want or 'stored':9s} {got or 'stored':9s} {'' if ok else 'WRONG '}"
              f"{named.get(name, {}).get('reason', '')[:90]}")
    slowest = report.get("slowest") or {}
    mb = 1024 * 1024
    print(f"\nfiles {len(expect)}, stored {report['documents']}, named {len(named)}, wrong {wrong}; "
          f"workers replaced {report.get('workers_replaced')}")
    print(f"slowest file: {Path(slowest.get('where', '?')).name} {slowest.get('seconds', 0):.2f} s")
    print(f"run {seconds:.1f} s (good pages alone {base_s:.1f} s, ×{seconds / base_s:.2f}); peak memory of the "
          f"process tree {peak / mb:.0f} MB (good pages alone {base_peak / mb:.0f} MB, ×{peak / base_peak:.2f})")
    print(json.dumps({
        "bench": "hostile", "real_extractor": args.real, "files": len(expect), "stored": report["documents"],
        "named": len(named), "wrong": wrong, "workers_replaced": report.get("workers_replaced"),
        "slowest_file": Path(slowest.get("where", "?")).name, "slowest_seconds": round(slowest.get("seconds", 0), 3),
        "seconds": round(seconds, 2), "baseline_seconds": round(base_s, 2), "time_ratio": round(seconds / base_s, 2),
        "peak_tree_mb": round(peak / mb), "baseline_peak_tree_mb": round(base_peak / mb),
        "memory_ratio": round(peak / base_peak, 2),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
