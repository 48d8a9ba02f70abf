"""Traceability at scale: EPCIS capture throughput, trace back/forward latency vs a naive baseline,
and streaming capture of a large EPCIS document with its peak RSS.

Generates realistic lineages — a herb lot is commissioned, goes through 8 transformation steps
(slicing, extraction, granulation …; some steps merge in the previous lineage's lot, so lots split
and merge), the last step makes serialised units, units are packed into a case, cases onto a
pallet, the pallet is shipped and received — and captures them through the real capture path
(schema + CBV validation, event hash, batched writes) as EPCIS documents of ``--doc-events`` events.
Then it times ``trace back`` from pallets and ``trace forward`` from herb lots (10-step lineages)
with the frontier-batch walk and with the naive one-query-per-item-per-step walk, in the same run.
Finally (``--doc-mb``) it writes one EPCIS document of that size and captures it in a fresh
subprocess, reporting that process's peak RSS.

    .venv/bin/python bench/trace.py                                   # quick: 20 000 events, SQLite
    .venv/bin/python bench/trace.py --db "$(bash scripts/pg.sh)" --events 200000 --doc-mb 100
    # full scale (~1 h on 2 cores; give an empty database):
    .venv/bin/python bench/trace.py --db postgresql+psycopg://…/EMPTY_DB --events 10000000 --samples 40 \
        --doc-mb 1024 --doc-first

Prints figures as it goes and ends with ONE JSON line. Generated events are synthetic. The capture
rate counts the time spent in capture (not generating the documents; the rate with generation is
reported too), and CPU per event of this process, capture's validation worker and the PostgreSQL
backend, which is steadier than a rate on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from chainatlas.store import open_store  # noqa: E402
from chainatlas.store.models.trace import EpcisEvent  # noqa: E402
from chainatlas.trace.capture import capture_stream  # noqa: E402
from chainatlas.trace.lineage import trace  # noqa: E402

CTX = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"bench": "https://chainatlas.example/bench/"}]
EVENTS_PER_LINEAGE = 16  # 1 commissioning + 8 transformations + 2 aggregations + 2 shipping/receiving + 3 observations
STEPS = 8


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _t(base: int, minutes: int) -> str:
    secs = base + minutes * 60
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"2024-{1 + d // 28 % 12:02d}-{1 + d % 28:02d}T{h:02d}:{m:02d}:{s:02d}.000+08:00"


def lot(run: str, c: int, k: int) -> str:
    return f"urn:epc:class:lgtin:6975001.{k + 1:06d}.{run}L{c}S{k}"


def lineage_events(run: str, c: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """One 10-step lineage (lot → 8 transformations → units → case → pallet) and its shipments."""
    base = (c % 20000) * 40
    loc = f"urn:epc:id:sgln:6975001.{c % 997:05d}.0"
    eid = f"urn:uuid:{run}-{c}-"
    yield {"type": "ObjectEvent", "eventID": eid + "c", "eventTime": _t(base, 0), "eventTimeZoneOffset": "+08:00",
           "action": "ADD", "bizStep": "commissioning", "disposition": "active",
           "quantityList": [{"epcClass": lot(run, c, 0), "quantity": 500, "uom": "KGM"}],
           "readPoint": {"id": loc}, "ilmd": {"bench:base": f"base-{c % 50}"}}
    units = [f"urn:epc:id:sgtin:6975001.0{c % 99999:05d}.{run}U{c}x{u}" for u in range(4)]
    for k in range(1, STEPS + 1):
        inputs = [{"epcClass": lot(run, c, k - 1), "quantity": 400 - k * 10, "uom": "KGM"}]
        if c > 0 and rng.random() < 0.15:  # merge: part of the previous lineage's lot goes in too
            inputs.append({"epcClass": lot(run, c - 1, k - 1), "quantity": 20, "uom": "KGM"})
        ev = {"type": "TransformationEvent", "eventID": eid + f"t{k}", "eventTime": _t(base, k),
              "eventTimeZoneOffset": "+08:00", "bizStep": "commissioning", "inputQuantityList": inputs,
              "outputQuantityList": [{"epcClass": lot(run, c, k), "quantity": 390 - k * 10, "uom": "KGM"}],
              "readPoint": {"id": loc}}
        if k == STEPS:
            ev["outputEPCList"] = units
        yield ev
    case, pallet = f"urn:epc:id:sscc:6975001.1{c % 10**9:09d}", f"urn:epc:id:sscc:6975001.2{c % 10**9:09d}"
    if run != "r0":  # SSCCs are 17 digits: keep runs apart by the serial's leading digit
        case, pallet = case[:-9] + "3" + case[-8:], pallet[:-9] + "4" + pallet[-8:]
    yield {"type": "AggregationEvent", "eventID": eid + "a1", "eventTime": _t(base, 10), "eventTimeZoneOffset": "+08:00",
           "action": "ADD", "bizStep": "packing", "parentID": case, "childEPCs": units, "readPoint": {"id": loc}}
    yield {"type": "AggregationEvent", "eventID": eid + "a2", "eventTime": _t(base, 11), "eventTimeZoneOffset": "+08:00",
           "action": "ADD", "bizStep": "packing", "parentID": pallet, "childEPCs": [case], "readPoint": {"id": loc}}
    dest = f"urn:epc:id:sgln:6975002.{c % 499:05d}.0"
    yield {"type": "ObjectEvent", "eventID": eid + "s", "eventTime": _t(base, 12), "eventTimeZoneOffset": "+08:00",
           "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "epcList": [pallet],
           "readPoint": {"id": loc}, "destinationList": [{"type": "location", "destination": dest}],
           "bizTransactionList": [{"type": "po", "bizTransaction": f"urn:epc:id:gdti:6975002.00001.PO{c}"}]}
    yield {"type": "ObjectEvent", "eventID": eid + "r", "eventTime": _t(base, 20), "eventTimeZoneOffset": "+08:00",
           "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "epcList": [pallet],
           "readPoint": {"id": dest}, "bizLocation": {"id": dest}}
    for i in range(3):
        yield {"type": "ObjectEvent", "eventID": eid + f"o{i}", "eventTime": _t(base, 21 + i),
               "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "inspecting",
               "epcList": [units[i]], "readPoint": {"id": dest}}


def events(run: str, n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    made = 0
    c = 0
    while made < n:
        for ev in lineage_events(run, c, rng):
            if made >= n:
                return
            yield ev
            made += 1
        c += 1


def document_bytes(evs: list[dict[str, Any]]) -> bytes:
    return json.dumps({"@context": CTX, "type": "EPCISDocument", "schemaVersion": "2.0",
                       "creationDate": "2024-12-31T00:00:00Z", "epcisBody": {"eventList": evs}}).encode()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def pg_backend_cpu(store: Any) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving this database (when the server runs
    on this machine): on a shared, noisy machine CPU per event is steadier than wall-clock rate."""
    if store.dialect != "postgresql":
        return {}
    with store.engine.connect() as conn:
        pids = [r[0] for r in conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'")]
    out: dict[int, float] = {}
    for pid in pids:
        try:
            out[pid] = _proc_cpu(pid)
        except OSError:
            continue
    return out


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def children_cpu() -> dict[int, float]:
    """CPU seconds of this process's live children (capture's validation worker)."""
    out: dict[int, float] = {}
    me = str(os.getpid())
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[1] == me:
                    out[int(d.name)] = _proc_cpu(int(d.name))
            except (OSError, IndexError):
                continue
    return out


def capture_phase(store: Any, n: int, doc_events: int) -> dict[str, Any]:
    """Capture ``n`` generated events as documents of ``doc_events``; generation streams, so only one
    document is ever in memory."""
    t0, cpu0, pg0, ch0 = time.perf_counter(), time.process_time(), pg_backend_cpu(store), children_cpu()
    in_capture = 0.0  # seconds inside capture_stream: the rate excludes the bench generating events
    batch: list[dict[str, Any]] = []
    done = 0
    step = max(doc_events, min(n // 50, 200_000))
    next_report = step

    def capture(evs: list[dict[str, Any]]) -> None:
        nonlocal in_capture, done
        body = io.BytesIO(document_bytes(evs))
        t = time.perf_counter()
        r = capture_stream(store, body, source="bench")
        in_capture += time.perf_counter() - t
        assert r.stored == len(evs), f"stored {r.stored} of {len(evs)}"
        done += len(evs)

    for ev in events("r0", n):
        batch.append(ev)
        if len(batch) >= doc_events:
            capture(batch)
            batch = []
            if done >= next_report:
                next_report += step
                secs = time.perf_counter() - t0
                log(f"  captured {done:,}/{n:,} events in {secs:,.0f} s: {done / in_capture:,.0f} events/s in capture, "
                    f"{done / secs:,.0f} with generation; eta {(n - done) * secs / done / 60:,.1f} min, "
                    f"rss {_rss_mb():,.0f} MB")
    if batch:
        capture(batch)
    secs = time.perf_counter() - t0
    py_cpu = time.process_time() - cpu0
    pg1 = pg_backend_cpu(store)
    pg_cpu = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
    worker_cpu = sum(v - ch0.get(pid, 0.0) for pid, v in children_cpu().items())
    return {"events": done, "seconds": round(in_capture, 1), "events_per_s": round(done / in_capture, 1),
            "wall_seconds_with_generation": round(secs, 1), "wall_events_per_s": round(done / secs, 1),
            "python_cpu_us_per_event": round(py_cpu / done * 1e6, 1),
            "worker_cpu_us_per_event": round(worker_cpu / done * 1e6, 1),
            "pg_backend_cpu_us_per_event": round(pg_cpu / done * 1e6, 1) if pg1 else None}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def trace_phase(store: Any, lineages: int, samples: int) -> dict[str, Any]:
    rng = random.Random(11)
    picks = rng.sample(range(lineages), min(samples, lineages))
    out: dict[str, Any] = {}
    for direction in ("back", "forward"):
        fast, frontier, naive, sizes, steps = [], [], [], [], []
        for c in picks:
            start = (f"urn:epc:id:sscc:6975001.2{c % 10**9:09d}" if direction == "back" else lot("r0", c, 0))
            with store.session() as s:
                trace(s, start, direction, details=False)  # warm the plan caches like a serving process
                t = time.perf_counter()
                r = trace(s, start, direction, details=False)
                fast.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                trace(s, start, direction, details=False, mode="frontier")
                frontier.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                r2 = trace(s, start, direction, naive=True, details=False)
                naive.append((time.perf_counter() - t) * 1000)
            assert r.items == r2.items, "naive and recursive-CTE walks disagree"
            sizes.append(len(r.items))
            steps.append(r.steps - 1)
        out[direction] = {"p50_ms": round(pct(fast, 50), 2), "p95_ms": round(pct(fast, 95), 2),
                          "frontier_p50_ms": round(pct(frontier, 50), 2), "frontier_p95_ms": round(pct(frontier, 95), 2),
                          "naive_p50_ms": round(pct(naive, 50), 2), "naive_p95_ms": round(pct(naive, 95), 2),
                          "p95_ratio_naive_over_fast": round(pct(naive, 95) / max(pct(fast, 95), 1e-9), 2),
                          "items_p50": statistics.median(sizes), "depth_p50": statistics.median(steps),
                          "samples": len(fast)}
        log(f"  trace {direction:7s} {json.dumps(out[direction])}")
    return out


# The capture process's peak RSS, and its validation worker's (a child: counted once it has exited).
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from chainatlas.store import Store
from chainatlas.trace.capture import capture_file, shutdown_worker
t = time.perf_counter()
r = capture_file(Store({url!r}), {path!r})
secs = time.perf_counter() - t
shutdown_worker()
print(json.dumps({{"events": r.events, "stored": r.stored, "seconds": round(secs, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}}))
"""


def big_document_phase(store_url: str, mb: int, tmp: Path) -> dict[str, Any]:
    path = tmp / "big.jsonld"
    target = mb * 1024 * 1024
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"@context": CTX, "type": "EPCISDocument", "schemaVersion": "2.0",
                             "creationDate": "2024-12-31T00:00:00Z"})[:-1] + ', "epcisBody": {"eventList": [\n')
        for ev in events("r1", 10**12, seed=3):
            if fh.tell() >= target:
                break
            fh.write(("," if n else "") + json.dumps(ev) + "\n")
            n += 1
        fh.write("]}}\n")
    size_mb = path.stat().st_size / 2**20
    log(f"  wrote {size_mb:,.0f} MB document with {n:,} events; capturing it in a fresh process …")
    out = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO), url=store_url, path=str(path))],
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update({"document_mb": round(size_mb, 1), "events_per_s": round(res["events"] / max(res["seconds"], 1e-9), 1)})
    path.unlink()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file in a temp dir)")
    ap.add_argument("--events", type=int, default=20000, help="events to generate and capture (default 20 000)")
    ap.add_argument("--doc-events", type=int, default=10000, help="events per captured document")
    ap.add_argument("--samples", type=int, default=40, help="lineages traced each way")
    ap.add_argument("--doc-mb", type=int, default=0, help="also capture one generated document of this size (MB)")
    ap.add_argument("--doc-first", action="store_true", help="capture the --doc-mb document before the events")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        url = args.db or f"sqlite:///{tmp / 'trace-bench.db'}"
        store = open_store(url)
        with store.session() as s:
            if s.scalar(select(func.count()).select_from(EpcisEvent)):
                raise SystemExit("the bench needs an empty EPCIS store (give a fresh --db)")
        backend = store.dialect
        log(f"trace bench on {backend}: {args.events:,} events")
        # --doc-first: the large document before the 10^7 events, so its figures are in hand even if
        # the long capture does not finish in the time available (its 1.6M events then precede them).
        big = big_document_phase(url, args.doc_mb, tmp) if args.doc_mb and args.doc_first else None
        if big:
            log(f"  big document: {json.dumps(big)}")
        cap = capture_phase(store, args.events, args.doc_events)
        log(f"  capture: {json.dumps(cap)}")
        lineages = max(1, args.events // EVENTS_PER_LINEAGE - 1)
        tr = trace_phase(store, lineages, args.samples)
        if args.doc_mb and not args.doc_first:
            big = big_document_phase(url, args.doc_mb, tmp)
            log(f"  big document: {json.dumps(big)}")
        rss = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        store.dispose()
    print(json.dumps({"bench": "trace", "backend": backend, "events": cap["events"],
                      "capture_events_per_s": cap["events_per_s"], "capture_seconds": cap["seconds"],
                      "capture_wall_events_per_s_with_generation": cap["wall_events_per_s"],
                      "capture_python_cpu_us_per_event": cap["python_cpu_us_per_event"],
                      "capture_worker_cpu_us_per_event": cap["worker_cpu_us_per_event"],
                      "capture_pg_backend_cpu_us_per_event": cap["pg_backend_cpu_us_per_event"],
                      "lineage_steps": STEPS + 2, "trace": tr, "bench_peak_rss_mb": rss, "big_document": big}))


if __name__ == "__main__":
    main()
