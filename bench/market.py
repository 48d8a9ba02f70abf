"""Marketplace matching at scale: one need against 10^5 offers on the embedded SQLite store.

Generates synthetic offers (marked ``fictional`` and named 合成供给方…, never read as real posts) from
the service / modality / qualification vocabularies, with expired posts, exclusions and denied
qualifications mixed in, writes them into a fresh SQLite store with bulk inserts, loads them back and
builds the offer index (BM25 over character bigrams + concept tokens). Then, for a set of needs, it
times ``match`` — BM25 retrieval of the 200 most topical offers, then the hard-constraint assessment
and ranking of those — against the brute-force baseline that assesses every offer, in the same run,
and checks that both give the same top 10.

    .venv/bin/python bench/market.py                  # 10^5 offers
    .venv/bin/python bench/market.py --offers 20000   # quicker

Prints figures as it goes and ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from chainatlas.market.matching import OfferIndex, assess, match, rank  # noqa: E402
from chainatlas.market.reading import read_need  # noqa: E402
from chainatlas.market.service import offer_row  # noqa: E402
from chainatlas.market.vocab import vocabulary  # noqa: E402
from chainatlas.store import open_store  # noqa: E402
from chainatlas.store.models import MarketOffer  # noqa: E402

REGIONS = ["江苏省泰州市", "江苏省苏州市", "江苏省南京市", "上海市", "浙江省杭州市", "北京市", "广东省深圳市",
           "四川省成都市", "湖北省武汉市", "山东省济南市", "安徽省合肥市", "天津市"]
QUALS = ["通过NMPA药品GMP符合性检查", "持有药品生产许可证", "通过NMPA GLP认证", "实验室通过CNAS认可",
         "具备CMA资质认定", "符合GSP", "通过ISO 13485认证", "设有BSL-2实验室", "辐射安全许可证为乙级非密封放射性物质工作场所",
         "配置OEB4隔离器", "2024年接受FDA现场检查无重大缺陷"]
DENIED = ["本单位不具备药品GMP生产资质", "尚未获得CNAS认可", "CMA资质认定正在申请中", "不具备OEB5处理能力"]
NEEDS = [
    ("单抗临床样品委托生产", "人源化单抗临床样品委托生产，须在NMPA GMP条件下生产，须为哺乳动物细胞表达平台，单批规模200–500 L。优先长三角。"),
    ("器官芯片肝毒性评价", "候选小分子需用器官芯片评价药物性肝损伤，必须采用人源细胞体外模型，要求3个月内出具报告。"),
    ("药品冷链配送", "临床试验用药2–8℃冷链配送，承运方须符合GSP，要求全程温度监测。优先泰州或南京设仓。"),
    ("GLP毒理套餐", "小分子IND所需重复给药毒性、安全药理与遗传毒性，必须在通过NMPA GLP认证的机构开展。"),
    ("医疗器械生物相容性检测（江苏省内）", "无源植入器械生物相容性检测，须同时具备CMA与CNAS资质，必须位于江苏省内。"),
    ("兽用单抗委托生产", "犬用单抗委托生产，必须在取得兽药GMP证书的车间生产，人用药品GMP证书不能替代。"),
]


def synthetic_offers(n: int, seed: int) -> list[dict]:
    vocab = vocabulary()
    rnd = random.Random(seed)
    services = list(vocab.services.values())
    terms = {s.id: [] for s in services}
    mods = [m for m in vocab.modalities.values() if m.parent]
    for s in services:
        terms[s.id] = [s.name]
    rows = []
    for i in range(n):
        picked = rnd.sample(services, k=rnd.choice((1, 2, 3)))
        mod = rnd.choice(mods)
        other = rnd.choice(mods)
        parts = [f"承接{mod.name}的" + "、".join(p.name for p in picked) + "服务"]
        parts += rnd.sample(QUALS, k=rnd.choice((0, 1, 2, 3)))
        if rnd.random() < 0.2:
            parts.append(rnd.choice(DENIED))
        if rnd.random() < 0.3:
            parts.append(f"不承接{other.name}")
        if rnd.random() < 0.3:
            parts.append(f"单批规模{rnd.choice((50, 200, 500, 2000))} L")
        expired = rnd.random() < 0.08
        rows.append({"external_id": f"SYN-{i:07d}", "provider": f"合成供给方{i % 20000:05d}",
                     "provider_kind": rnd.choice(("cro", "cdmo", "lab", "platform", "enterprise")),
                     "region": rnd.choice(REGIONS), "title": f"（合成）{picked[0].name}：{mod.name}",
                     "description": "，".join(parts) + "。", "categories": [p.name for p in picked],
                     "price_hint": "按项目报价", "status": "expired" if expired else "open", "fictional": True,
                     "valid_until": "2026-06-30" if expired else "2027-12-31", "services": [], "qualifications": [],
                     "modalities": []})
    return rows


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offers", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=10, help="timed runs per need with the index")
    ap.add_argument("--brute-runs", type=int, default=1, help="brute-force runs per need")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from datetime import date

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        rows = synthetic_offers(args.offers, args.seed)
        for r in rows:
            r["valid_until"] = date.fromisoformat(r["valid_until"])
        with store.session() as s:
            for i in range(0, len(rows), 5000):
                s.execute(insert(MarketOffer), rows[i:i + 5000])
        write_s = time.perf_counter() - t0
        print(f"wrote {len(rows)} synthetic offers in {write_s:.1f} s", flush=True)
        t0 = time.perf_counter()
        with store.session() as s:
            offers = [offer_row(o) for o in s.scalars(select(MarketOffer).order_by(MarketOffer.id))]
        index = OfferIndex(offers)
        build_s = time.perf_counter() - t0
        print(f"loaded and indexed in {build_s:.1f} s", flush=True)
        store.dispose()

    vocab = index.vocab
    fast, brute, agree = [], [], 0
    for title, text in NEEDS:
        row = {"id": title, "title": title, "description": text, "posted": "2026-11-01"}
        match(index, row)  # warm
        for _ in range(args.repeats):
            t = time.perf_counter()
            r_fast = match(index, row)
            fast.append(time.perf_counter() - t)
        for _ in range(args.brute_runs):
            t = time.perf_counter()
            need = read_need(vocab, row)
            topical = index.topical(need)
            r_brute = rank(vocab, need, [assess(vocab, need, o, float(topical[i]))
                                         for i, o in enumerate(index.offers)])
            brute.append(time.perf_counter() - t)
        agree += r_fast.ranking[:3] == r_brute.ranking[:3]
        print(f"{title}: {len(r_fast.ranking)} ranked, fast {statistics.median(fast[-args.repeats:]) * 1000:.1f} ms, "
              f"brute {brute[-1]:.2f} s, same top 3: {r_fast.ranking[:3] == r_brute.ranking[:3]}", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "bench": "market", "offers": args.offers, "synthetic": True, "store": "sqlite", "needs": len(NEEDS),
        "match_p50_ms": round(percentile(fast, 50) * 1000, 2), "match_p95_ms": round(percentile(fast, 95) * 1000, 2),
        "brute_p50_ms": round(percentile(brute, 50) * 1000, 1), "brute_p95_ms": round(percentile(brute, 95) * 1000, 1),
        "speedup_p50": round(percentile(brute, 50) / percentile(fast, 50), 1),
        "same_top3_as_brute": f"{agree}/{len(NEEDS)}", "index_build_s": round(build_s, 1),
        "store_write_s": round(write_s, 1), "peak_rss_mb": round(peak_mb, 1),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
