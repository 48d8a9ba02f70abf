"""标准云享站 search at 10^6 standards: the tantivy index vs a LIKE scan of the store, same run.

Generates standards-like rows (``synthetic`` = true) into a fresh SQLite store: numbers with the
real prefixes (YY/T, GB/T, YY, GB, GB/Z, WS/T, T/…), titles composed of the real device vocabulary
(the words of the bundled sample and domain dictionary, plus the shared NMPA catalogue's titles
when present) with Zipf weights, statuses, dates and technical areas. Then:

- builds the index (``standards.index.rebuild``, the same code ``standards reindex`` runs): time,
  size on disk, peak RSS;
- times ``standards.search.search`` (the whole path: revision check, index query, rows fetched from
  the store for the first 20) for 1–3-term queries: no filter, with a status filter, with facets;
- times the baseline on the same store: ``title LIKE '%w%'`` for each term, the status filter,
  first 20 rows and the count;

and prints the ratios and ONE JSON line.

    .venv/bin/python bench/standards.py                     # 10^6 rows, 200 queries
    .venv/bin/python bench/standards.py --rows 100000 --queries 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from chainatlas.settings import DATA_DIR, Settings  # noqa: E402
from chainatlas.standards import index as std_index  # noqa: E402
from chainatlas.standards.numbers import parse  # noqa: E402
from chainatlas.standards.search import Filters, search  # noqa: E402
from chainatlas.standards.text import tokenizer  # noqa: E402
from chainatlas.store import open_store  # noqa: E402
from chainatlas.store.models import Standard, StandardImport  # noqa: E402

PREFIXES = (("YY/T", 0.55), ("GB/T", 0.2), ("YY", 0.1), ("GB", 0.06), ("GB/Z", 0.02), ("WS/T", 0.04), ("T/CAMDI", 0.03))
STATUSES = (("现行", 0.6), ("废止", 0.3), ("即将实施", 0.1))


def log(msg: str) -> None:
    print(msg, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vocabulary() -> tuple[list[str], list[str]]:
    """Words of real standard titles (and their technical areas): the sample, the domain dictionary,
    and the shared NMPA catalogue when present."""
    titles: list[str] = []
    areas: list[str] = []
    import csv

    with (DATA_DIR / "standards" / "sample.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            titles.append(row["中文标准名称"])
            areas.append(row["技术领域"])
    shared = Settings().shared_dir / "data/standards/RASAAS-docmcp-knowledge/nmpa/standards/master/standards.json"
    if shared.is_file():
        for item in json.loads(shared.read_text(encoding="utf-8")):
            titles.append(item["title_zh"])
            areas.append(item["l1"])
    words = [ln.split()[0] for ln in (DATA_DIR / "standards" / "terms.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    tok = tokenizer()
    for t in titles:
        words += [w for w in tok.cut(t, HMM=False) if len(w) >= 2 and not w.isascii()]
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    vocab = sorted(counts, key=lambda w: -counts[w])
    return vocab, sorted(set(a for a in areas if a))


def generate(store, n: int, vocab: list[str], areas: list[str], rng: random.Random) -> float:  # type: ignore[no-untyped-def]
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf
    t0 = time.perf_counter()
    with store.session() as s:
        imp = StandardImport(source="bench (synthetic)", counts={"synthetic": n})
        s.add(imp)
        s.flush()
        rev = imp.id
    batch = []
    base = date(1990, 1, 1)
    pref = [p for p, _ in PREFIXES]
    pw = [w for _, w in PREFIXES]
    st_names = [x for x, _ in STATUSES]
    st_w = [w for _, w in STATUSES]
    with store.engine.begin() as conn:
        for i in range(n):
            prefix = rng.choices(pref, pw)[0]
            year = rng.randint(1990, 2026)
            code = f"{i // 10 + 1000}.{i % 10 + 1}" if i % 3 else f"{i + 10000}"
            num = parse(f"{prefix} {code}-{year}")
            title = "".join(rng.choices(vocab, weights, k=rng.randint(3, 6)))
            pub = base + timedelta(days=(year - 1990) * 365 + rng.randint(0, 300))
            batch.append({"number": num.display, "key": num.key, "base_key": num.base_key, "loose_key": num.loose_key,
                          "code": num.code, "kind": num.kind, "year": year, "title": title,
                          "status": rng.choices(st_names, st_w)[0], "published_on": pub,
                          "effective_on": pub + timedelta(days=180), "area": rng.choice(areas), "synthetic": True,
                          "revision": rev, "source": "bench (synthetic)", "updated_at": date.today()})
            if len(batch) == 20000:
                conn.execute(insert(Standard), batch)
                batch = []
                if (i + 1) % 200000 == 0:
                    log(f"  {i + 1:,} rows")
        if batch:
            conn.execute(insert(Standard), batch)
    return time.perf_counter() - t0


def queries(vocab: list[str], k: int, rng: random.Random) -> list[str]:
    top = vocab[:400]
    weights = [1 / (i + 1) ** 0.7 for i in range(len(top))]
    return [" ".join(dict.fromkeys(rng.choices(top, weights, k=rng.choice((1, 2, 3))))) for _ in range(k)]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p * len(xs)))] * 1000, 2)


def timed(fn, qs: list[str]) -> tuple[list[float], list[int], list[float]]:  # type: ignore[no-untyped-def]
    """Wall time, results and this process's CPU time (all threads) per query: on a shared machine
    the wall time carries the wait for a core, the CPU time what the query itself costs."""
    times, totals, cpu = [], [], []
    for q in qs:
        c0, t0 = time.process_time(), time.perf_counter()
        totals.append(fn(q))
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, totals, cpu


def like_scan(store, q: str, status: str | None) -> int:  # type: ignore[no-untyped-def]
    terms = q.split()
    where = " AND ".join(f"title LIKE :t{i}" for i in range(len(terms)))
    params = {f"t{i}": f"%{t}%" for i, t in enumerate(terms)}
    if status:
        where += " AND status = :st"
        params["st"] = status
    with store.engine.connect() as conn:
        conn.execute(text(f"SELECT id, number, title, status FROM standard WHERE {where} "
                          "ORDER BY effective_on DESC LIMIT 20"), params).all()
        return conn.execute(text(f"SELECT count(*) FROM standard WHERE {where}"), params).scalar() or 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--like-queries", type=int, default=30, help="the LIKE baseline scans every row: fewer queries")
    ap.add_argument("--dir", type=Path, default=None, help="where to put the store (default: a temporary folder)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--reuse", action="store_true", help="keep the store and index already in --dir (query timings only)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-standards-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    reuse = args.reuse and db.exists()
    if not reuse:
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            p.unlink(missing_ok=True)
    os.environ.pop("CHAINATLAS_INDEX_DIR", None)
    store = open_store(f"sqlite:///{db}")
    vocab, areas = vocabulary()
    gen_s = build_s = 0.0
    if not reuse:
        log(f"vocabulary: {len(vocab)} words, {len(areas)} areas; generating {args.rows:,} synthetic standards")
        gen_s = generate(store, args.rows, vocab, areas, rng)
        log(f"store: {gen_s:.1f} s, {db.stat().st_size / 2**20:.0f} MB")
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    if reuse:
        state = std_index.sync(store)
        build_s = time.perf_counter() - t0
    else:
        state = std_index.rebuild(store, progress=lambda n: n % 200000 == 0 and log(f"  indexed {n:,}"))
        build_s = time.perf_counter() - t0
    idx_dir = std_index.index_dir(store)
    size_mb = sum(f.stat().st_size for f in idx_dir.rglob("*") if f.is_file()) / 2**20
    log(f"index: {state.count:,} docs, {build_s:.1f} s, {size_mb:.0f} MB, peak RSS {peak_rss_mb():.0f} MB")
    # Their own generator: a --reuse run times the same queries as the run that built the store.
    qs = queries(vocab, args.queries, random.Random(args.seed + 1))
    # A running server has the index open and the hot pages of store and index in memory: one pass
    # of other queries (another seed) before timing, so the first timed mode does not pay for that.
    for q in queries(vocab, 50, random.Random(args.seed + 2)):
        search(store, q, filters=Filters(status="现行"))
    runs = {
        "plain": lambda q: search(store, q, facets=False).total,
        "status": lambda q: search(store, q, filters=Filters(status="现行"), facets=False).total,
        "facets": lambda q: search(store, q).total,
        "status_facets": lambda q: search(store, q, filters=Filters(status="现行")).total,
    }
    figures: dict[str, object] = {}
    for name, fn in runs.items():
        times, totals, cpu = timed(fn, qs)
        figures[name] = {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": pct(times, 1.0),
                         "cpu_p50_ms": pct(cpu, 0.5), "cpu_p95_ms": pct(cpu, 0.95), "median_hits": statistics.median(totals)}
        log(f"index {name:14s} p50 {figures[name]['p50_ms']} ms  p95 {figures[name]['p95_ms']} ms  "  # type: ignore[index]
            f"(CPU p50 {figures[name]['cpu_p50_ms']} p95 {figures[name]['cpu_p95_ms']})")  # type: ignore[index]
    lq = qs[:args.like_queries]
    for name, status in (("like_plain", None), ("like_status", "现行")):
        times, _, cpu = timed(lambda q, st=status: like_scan(store, q, st), lq)
        figures[name] = {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "cpu_p50_ms": pct(cpu, 0.5),
                         "cpu_p95_ms": pct(cpu, 0.95), "queries": len(lq)}
        log(f"LIKE  {name:14s} p50 {figures[name]['p50_ms']} ms  p95 {figures[name]['p95_ms']} ms")  # type: ignore[index]
    ratio = {k: round(figures[f"like_{k}"]["p50_ms"] / max(figures[k]["p50_ms"], 1e-6), 1)  # type: ignore[index]
             for k in ("plain", "status")}
    log(f"LIKE / index (p50): {ratio}")
    out = {"bench": "standards", "rows": state.count, "synthetic": True, "engine": "tantivy (jieba tokens + bigrams)",
           "store": "sqlite", "store_build_s": round(gen_s, 1), "index_build_s": round(build_s, 1),
           "index_mb": round(size_mb, 1), "peak_rss_mb": round(peak_rss_mb(), 0),
           "rss_before_index_mb": round(rss_before, 0), "queries": len(qs), "like_over_index_p50": ratio,
           "loadavg_1m": round(os.getloadavg()[0], 2), **figures}
    print(json.dumps(out, ensure_ascii=False))
    if args.dir is None and not args.reuse:
        store.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
