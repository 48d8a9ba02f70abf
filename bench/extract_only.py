"""Extraction alone, per core: KB/s with and without the model, side by side with bare
``jieba.lcut`` of the same documents in the same run (the machine is shared and noisy:
only the ratios mean something). Times are CPU time of this process (``process_time``:
everything here runs on one thread, so it is time per core, and other engineers' jobs
stealing the core count less); KB/s are the best of ``--repeat`` rounds, the ratios the
median of the per-round ratios; wall-clock ratios are printed too.

Documents are built from the paragraphs of the sample pages (../shared/corpus/news) and of
this repository's own test pages (tests/fixtures/extract), digits varied; the model's
window cache is off unless ``--cache`` (paragraphs recur here, so it would flatter); they are
prepared by ingest once, outside the timing. KB are of the raw UTF-8 input, as in
bench/extract.py.

    .venv/bin/python bench/extract_only.py                  # 60 docs, 3 rounds
    .venv/bin/python bench/extract_only.py --docs 200 --repeat 5

Prints figures as it goes and ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("CHAINATLAS_SHARED", REPO.parent / "shared"))


def paragraphs() -> list[str]:
    paras: list[str] = []
    sources = sorted((SHARED / "corpus" / "news").glob("*.txt")) + sorted(
        (REPO / "tests" / "fixtures" / "extract").glob("*.txt"))
    for path in sources:
        for p in path.read_text(encoding="utf-8").split("\n"):
            p = p.strip()
            if len(p) >= 40 and "http" not in p:
                paras.append(p)
    if not paras:
        raise SystemExit("no sample paragraphs found (set CHAINATLAS_SHARED)")
    return paras


def documents(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    paras = paragraphs()
    out = []
    for i in range(n):
        chosen = rng.sample(paras, min(len(paras), rng.randint(3, 7)))
        body = "\n\n".join(re.sub(r"\d", lambda _m: str(rng.randint(0, 9)), p) for p in chosen)
        out.append(f"发布日期:2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n文档{i}号 {body}\n".encode())
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each figure is the best round")
    ap.add_argument("--cache", action="store_true", help="keep the model's window cache on (off by default)")
    args = ap.parse_args()

    import jieba

    from chainatlas.extract import tagger
    from chainatlas.extract.pipeline import Pipeline
    from chainatlas.ingest.prepare import prepare_bytes

    raws = documents(args.docs)
    kb = sum(len(r) for r in raws) / 1024
    texts = [r.decode("utf-8") for r in raws]
    prepared = [prepare_bytes(r, name=f"d{i:05d}.txt") for i, r in enumerate(raws)]
    chars = sum(len(t) for t in texts)
    pipes = {"model": Pipeline(use_model=True).initialize(), "rules": Pipeline(use_model=False).initialize()}
    lac = tagger._lac()
    if lac is not None and not args.cache:
        lac.CACHE = 0  # paragraphs recur across these generated documents: no cache flatters the figure
    jieba.lcut("预热")
    for p in pipes.values():
        p(prepared[0])
    print(f"{args.docs} docs, {kb:.1f} KB raw, {chars} chars; model available: {tagger.lac_available()}")

    ratios: dict[str, list[float]] = {"model": [], "rules": []}
    best: dict[str, float] = {}
    best_wall: dict[str, float] = {}
    model_chars = 0
    for r in range(args.repeat):
        times = {"jieba": 0.0, "model": 0.0, "rules": 0.0}
        walls = dict(times)
        tagger.reset_stats()
        gc.collect()
        # Interleaved document by document, so a neighbour's burst hits all three alike.
        for text, d in zip(texts, prepared, strict=True):
            for name in ("jieba", "model", "rules"):
                t, w = time.process_time(), time.perf_counter()
                if name == "jieba":
                    jieba.lcut(text)
                else:
                    pipes[name](d)
                times[name] += time.process_time() - t
                walls[name] += time.perf_counter() - w
        model_chars = tagger.stats()["chars"]
        for k in ratios:
            ratios[k].append(times["jieba"] / times[k])
        for k, v in times.items():
            best[k] = min(best.get(k, v), v)
            best_wall[k] = min(best_wall.get(k, walls[k]), walls[k])
        print(f"round {r + 1} (CPU): " + " | ".join(f"{k} {kb / v:.1f} KB/s" for k, v in times.items())
              + f" | ratio model {times['jieba'] / times['model']:.3f}, rules {times['jieba'] / times['rules']:.3f}"
              + f" (wall: {walls['jieba'] / walls['model']:.3f}, {walls['jieba'] / walls['rules']:.3f})")

    result = {
        "bench": "extract_only", "docs": args.docs, "kb": round(kb, 1), "chars": chars, "repeat": args.repeat,
        "jieba_kb_s": round(kb / best["jieba"], 1),
        "extract_model_kb_s": round(kb / best["model"], 1),
        "extract_rules_kb_s": round(kb / best["rules"], 1),
        # The headline: the median over rounds of the same-round ratio (each round times
        # jieba and both extractions back to back, so a noisy neighbour hits all three).
        "ratio_model_to_jieba": round(statistics.median(ratios["model"]), 3),
        "ratio_rules_to_jieba": round(statistics.median(ratios["rules"]), 3),
        "ratio_model_to_jieba_best": round(best["jieba"] / best["model"], 3),
        "ratio_rules_to_jieba_best": round(best["jieba"] / best["rules"], 3),
        "ratio_model_to_jieba_wall": round(best_wall["jieba"] / best_wall["model"], 3),
        "ratio_rules_to_jieba_wall": round(best_wall["jieba"] / best_wall["rules"], 3),
        "model_input_share": round(model_chars / chars, 3),
        "model_cache": bool(args.cache),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(f"best of {args.repeat} (CPU time per core): jieba.lcut {result['jieba_kb_s']} KB/s | extract+model "
          f"{result['extract_model_kb_s']} KB/s | extract rules only {result['extract_rules_kb_s']} KB/s; "
          f"median same-round ratio to jieba: model {result['ratio_model_to_jieba']}×, rules "
          f"{result['ratio_rules_to_jieba']}× (target ≥ 0.6) | model saw "
          f"{result['model_input_share'] * 100:.1f}% of the characters | peak RSS {result['peak_rss_mb']} MB")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
