"""Throughput and memory of the whole ingest + extract pipeline.

Three measurements in one run, on a generated corpus of N documents built from the
paragraphs of the sample pages (../shared/corpus/news; digits varied so every document is
new content, some with sidebars and spam lines, one in 40 a near-duplicate):

1. the real pipeline ``ingest_paths`` (worker processes, store writes, idempotence checks)
   over the whole corpus: wall time, KB/s, KB/s per core, and peak RSS of the parent and of
   the workers, sampled while it runs so a growing footprint would show;
2. per core, in this process, on the same documents: bare ``jieba.lcut`` of the text
   versus the full ``prepare_bytes`` + ``extract`` (KB of raw input per second, and the
   ratio; target ≥ 0.5), with prepare alone shown too;
3. a cProfile of prepare + extract over a sample: the top costs.

    .venv/bin/python bench/extract.py                     # 400 docs, 2 workers
    .venv/bin/python bench/extract.py --docs 100000       # the full memory check
    .venv/bin/python bench/extract.py --docs 20000 --ingest-only   # memory of ingest alone

Prints figures as it goes and ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("CHAINATLAS_SHARED", REPO.parent / "shared"))

SIDEBAR = ["相关文章", "某地文旅局举办春季赏花节", "某区交通局发布道路施工通告", "热门推荐",
           "• 全章节某某某(全文txt阅读)某某某", "客服电话:0523-86201234 长按扫一扫关注公众号"]


def sample_paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted((SHARED / "corpus" / "news").glob("*.txt")):
        for p in path.read_text(encoding="utf-8").split("\n"):
            p = p.strip()
            if len(p) >= 40 and "http" not in p:
                paras.append(p)
    if not paras:
        raise SystemExit(f"no sample pages under {SHARED / 'corpus' / 'news'} (set CHAINATLAS_SHARED)")
    return paras


def generate(folder: Path, n: int, seed: int = 42) -> tuple[int, int]:
    """Write ``n`` documents (streamed to disk, 1000 per folder); return (files, bytes)."""
    rng = random.Random(seed)
    paras = sample_paragraphs()
    total = 0
    previous = ""
    for i in range(n):
        sub = folder / f"{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        if i % 40 == 39 and previous:
            body = previous  # a near-duplicate: the same article under another sidebar
        else:
            chosen = rng.sample(paras, rng.randint(3, 7))
            body = "\n\n".join(re.sub(r"\d", lambda _m: str(rng.randint(0, 9)), p) for p in chosen)
            body = f"文档{i}号 {body}"
            previous = body
        tail = "\n\n".join(rng.sample(SIDEBAR, 3)) if i % 2 else ""
        raw = f"发布日期:2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n{body}\n\n{tail}".encode()
        (sub / f"d{i:06d}.txt").write_bytes(raw)
        total += len(raw)
    return n, total


def rss_mb(proc) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(this process, largest child) resident set in MB."""
    own = proc.memory_info().rss / 2**20
    kids = [c.memory_info().rss / 2**20 for c in proc.children(recursive=True) if c.is_running()]
    return own, max(kids, default=0.0)


class RssSampler(threading.Thread):
    def __init__(self, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process()
        self.every = every
        self.samples: list[tuple[float, float, float]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._halt.is_set():
            try:
                own, child = rss_mb(self.proc)
                self.samples.append((time.perf_counter() - start, own, child))
            except Exception:  # a worker exiting between listing and reading
                pass
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def per_core(files: list[Path], extract_fn, ingest_only: bool) -> dict[str, float]:  # type: ignore[no-untyped-def]
    import jieba

    from chainatlas.ingest.prepare import prepare_bytes

    raws = [(p.name, p.read_bytes()) for p in files]
    kb = sum(len(r) for _, r in raws) / 1024
    jieba.lcut("预热")  # load the dictionary outside the timing
    docs = [prepare_bytes(r, name=n) for n, r in raws[:2]]
    if not ingest_only:
        extract_fn(docs[0])  # load models and lexicons outside the timing
    t = time.perf_counter()
    texts = [r.decode("utf-8") for _, r in raws]
    for text in texts:
        jieba.lcut(text)
    t_jieba = time.perf_counter() - t
    t = time.perf_counter()
    prepared = [prepare_bytes(r, name=n) for n, r in raws]
    t_prepare = time.perf_counter() - t
    t = time.perf_counter()
    if not ingest_only:
        for d in prepared:
            extract_fn(d)
    t_extract = time.perf_counter() - t
    full = t_prepare + t_extract
    return {
        "docs": len(raws), "kb": round(kb, 1),
        "jieba_kb_s": round(kb / t_jieba, 1),
        "prepare_kb_s": round(kb / t_prepare, 1),
        "extract_kb_s": None if ingest_only else round(kb / t_extract, 1),  # type: ignore[dict-item]
        "pipeline_kb_s": round(kb / full, 1),
        "ratio_to_jieba": round((kb / full) / (kb / t_jieba), 3),
    }


def profile(files: list[Path], extract_fn, ingest_only: bool, top: int = 12) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from chainatlas.ingest.prepare import prepare_bytes

    prof = cProfile.Profile()
    prof.enable()
    for p in files:
        d = prepare_bytes(p.read_bytes(), name=p.name)
        if not ingest_only:
            extract_fn(d)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    for (fname, line, func), (_cc, nc, tt, ct, _callers) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]:  # type: ignore[attr-defined]
        where = f"{Path(fname).parent.name}/{Path(fname).name}:{line}" if fname != "~" else "builtin"
        rows.append({"function": f"{where} {func}", "calls": nc, "self_s": round(tt, 3), "cum_s": round(ct, 3),
                     "self_share": round(tt / total, 3)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=400, help="documents in the generated corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--per-core-docs", type=int, default=120, help="documents for the side-by-side timing")
    ap.add_argument("--profile-docs", type=int, default=60)
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file in a temp dir)")
    ap.add_argument("--ingest-only", action="store_true", help="no extraction: measure ingest alone")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and database")
    ap.add_argument("--persister", default=None,
                    help="persister spec 'module:function' (default chainatlas.resolve.persist:persist), "
                         "e.g. to compare an older one put on PYTHONPATH")
    args = ap.parse_args()

    from chainatlas.ingest.pipeline import ingest_paths
    from chainatlas.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="chainatlas-bench-"))
    corpus = tmp / "corpus"
    t = time.perf_counter()
    n_files, n_bytes = generate(corpus, args.docs)
    print(f"corpus: {n_files} docs, {n_bytes / 2**20:.1f} MB generated in {time.perf_counter() - t:.1f} s")

    extract_fn = None
    extractor: object = id  # a picklable no-op when --ingest-only
    persister: object = _no_persist
    persist_name = "none (--ingest-only)"
    if not args.ingest_only:
        from chainatlas.extract.pipeline import extract as extract_fn  # noqa: PLC0415

        extractor = "chainatlas.extract.pipeline:extract"
        try:
            from chainatlas.resolve.persist import persist  # noqa: F401

            persister, persist_name = "chainatlas.resolve.persist:persist", "chainatlas.resolve.persist"
        except ImportError:
            persist_name = "none (chainatlas.resolve.persist not available yet)"
        if args.persister:
            persister, persist_name = args.persister, args.persister

    db = args.db or f"sqlite:///{tmp / 'bench.db'}"
    store = open_store(db)
    timed = _TimedPersist(persister)
    sampler = RssSampler()
    sampler.start()
    t = time.perf_counter()
    report = ingest_paths(store, [corpus], workers=args.workers, progress=False, extractor=extractor,  # type: ignore[arg-type]
                          persister=timed)  # type: ignore[arg-type]
    wall = time.perf_counter() - t
    sampler.stop()
    store.dispose()
    kb = report.bytes / 1024
    own = [s[1] for s in sampler.samples] or [0.0]
    child = [s[2] for s in sampler.samples] or [0.0]
    quarter = max(1, len(own) // 4)
    pipeline = {
        "docs": report.documents, "near_duplicates": report.near_duplicates, "rejected": len(report.rejected),
        "wall_s": round(wall, 1), "kb_s": round(kb / wall, 1), "kb_s_per_core": round(kb / wall / args.workers, 1),
        "peak_rss_parent_mb": round(max(own), 1), "peak_rss_worker_mb": round(max(child), 1),
        "rss_parent_first_quarter_mb": round(max(own[:quarter]), 1),
        "rss_parent_last_quarter_mb": round(max(own[-quarter:]), 1),
        "persist_calls": timed.calls, "persist_ms_per_doc": round(timed.ms_per_call, 2),
        "persist_share_of_wall": round(timed.seconds / wall, 3) if wall else None,
    }
    print(f"pipeline ({args.workers} workers, store {db.split(':')[0]}, persist {persist_name}): "
          f"{report.documents} docs ({report.near_duplicates} near-dup) in {wall:.1f} s = {pipeline['kb_s']} KB/s, "
          f"{pipeline['kb_s_per_core']} KB/s per core; peak RSS parent {pipeline['peak_rss_parent_mb']} MB "
          f"(first quarter {pipeline['rss_parent_first_quarter_mb']}, last {pipeline['rss_parent_last_quarter_mb']}), "
          f"largest worker {pipeline['peak_rss_worker_mb']} MB")
    print(f"persist (in the parent): {timed.calls} calls, {pipeline['persist_ms_per_doc']} ms/doc, "
          f"{timed.seconds:.1f} s = {100 * (pipeline['persist_share_of_wall'] or 0):.0f}% of the wall time")

    files = sorted(corpus.rglob("*.txt"))
    sample = files[: args.per_core_docs]
    core = per_core(sample, extract_fn, args.ingest_only)
    print(f"per core on {core['docs']} docs ({core['kb']} KB): jieba.lcut {core['jieba_kb_s']} KB/s | "
          f"prepare {core['prepare_kb_s']} KB/s | extract {core['extract_kb_s']} KB/s | "
          f"prepare+extract {core['pipeline_kb_s']} KB/s | ratio {core['ratio_to_jieba']} (target ≥ 0.5)")

    top = profile(files[: args.profile_docs], extract_fn, args.ingest_only)
    print("profile, top self time (prepare + extract):")
    for row in top:
        print(f"  {row['self_s']:8.3f} s {row['self_share'] * 100:5.1f}%  {row['calls']:>8}  {row['function']}")

    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"bench": "extract", "docs": args.docs, "corpus_mb": round(n_bytes / 2**20, 2),
                      "workers": args.workers, "ingest_only": args.ingest_only, "persist": persist_name,
                      "per_core": core, "pipeline": pipeline, "profile_top": top[:8]}, ensure_ascii=False))


class _TimedPersist:
    """Wraps the persister (runs in the parent, serially) and sums its time per document."""

    def __init__(self, spec: object) -> None:
        from chainatlas.ingest.worker import resolve_callable

        self.fn = resolve_callable(spec)  # type: ignore[arg-type]
        if callable(factory := getattr(self.fn, "per_run", None)):
            self.fn = factory()  # as ingest_paths does: lookups cached for the run
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, session, row, prepared, extraction):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return self.fn(session, row, prepared, extraction)
        finally:
            self.seconds += time.perf_counter() - t
            self.calls += 1

    @property
    def ms_per_call(self) -> float:
        return 1000 * self.seconds / self.calls if self.calls else 0.0


def _no_persist(session, row, prepared, extraction) -> None:  # type: ignore[no-untyped-def]
    """Used when the resolve half is not installed: documents are stored, facts are not."""


if __name__ == "__main__":
    main()
