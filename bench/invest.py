"""Targets for one gap at national scale: ``invest.targets.targets_for`` vs a naive baseline
that scores every firm on the node with a query per firm for its tiers and relations.

Builds the synthetic national registry of ``bench/chain.py`` (same generator and bulk loader)
plus timing signals for 2 % of the firms, then, for three nodes of the city (the node with
the most firms nationally — the worst case for the pool query —, a median one, and one of the
city's gaps if it has any), times ``targets_for`` cold (first call of the process) and warm
(median of the next ones), and the naive baseline once, in the same run. Peak RSS of the
process. The machine may be shared: ``loadavg_1m`` says how busy it was.

    .venv/bin/python bench/invest.py --orgs 100000 --backends sqlite,postgresql
    .venv/bin/python bench/invest.py --orgs 1000000 --backends postgresql --reuse   # after a bench/chain.py --keep run

Prints figures as it goes and ends with ONE JSON line. Rows are marked synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from chain import CITY, generate, load_pg, load_sqlite, pg_url, reference  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from chainatlas.store import open_store  # noqa: E402

SIGNAL_SHARE = 0.02
KINDS = ("financing", "expansion", "new_plant", "subsidiary", "approval", "ipo", "contract")


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def add_signals(store, n: int, seed: int = 7) -> int:  # type: ignore[no-untyped-def]
    """Synthetic signals: one stored page, and SIGNAL_SHARE of the firms with one signal each."""
    from chainatlas.store.models import Document, OrgSignal

    rng = np.random.default_rng(seed)
    with store.session() as s:
        doc = Document(content_hash="bench-invest-signals", doc_key="bench-invest", original_text="(synthetic)",
                       normalized_text="(synthetic)", title="synthetic signals", status="extracted")
        s.add(doc)
        s.flush()
        ids = [i for (i,) in s.execute(text("SELECT id FROM organization ORDER BY id"))]
        pick = rng.choice(len(ids), size=int(len(ids) * SIGNAL_SHARE), replace=False)
        today = date.today()
        rows = [{"organization_id": ids[i], "kind": KINDS[int(rng.integers(len(KINDS)))],
                 "date": today - timedelta(days=int(rng.integers(0, 900))), "document_id": doc.id,
                 "sentence": f"(synthetic signal {k})", "amount": None} for k, i in enumerate(pick)]
        for k in range(0, len(rows), 20_000):
            s.execute(OrgSignal.__table__.insert(), rows[k:k + 20_000])
        return len(rows)


def pick_nodes(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with store.session() as s:
        counts = s.execute(text("SELECT node_id, count(*) AS c FROM organization_node GROUP BY node_id ORDER BY c DESC")).all()
        city = s.execute(text("SELECT adcode FROM region WHERE name=:n"), {"n": CITY}).scalar()
        local = {r[0] for r in s.execute(text(
            "SELECT DISTINCT n.node_id FROM organization_node n JOIN organization o ON o.id = n.organization_id "
            "WHERE o.region_adcode >= :lo AND o.region_adcode < :hi"), {"lo": city[:4] + "00", "hi": city[:4] + "99"})}
    out = {"largest": counts[0][0], "median": counts[len(counts) // 2][0]}
    absent = [nid for nid, _ in counts if nid not in local]
    if absent:
        out["gap"] = absent[0]
    return out


def naive_targets(session, region: str, node_id: str) -> int:  # type: ignore[no-untyped-def]
    """Every firm on the node outside the region, each scored with its own tier, relation and
    signal queries — what ranking without the pool and the batched reads costs."""
    from chainatlas.analyse.scope import resolve_scope
    from chainatlas.store.models import (
        Organization,
        OrganizationNode,
        OrgSignal,
        Relation,
        Tier,
        YearlyFigure,
    )

    scope = resolve_scope(session, region)
    ids = session.scalars(select(OrganizationNode.organization_id).where(OrganizationNode.node_id == node_id)).all()
    scored = []
    for oid in ids:
        org = session.get(Organization, oid)
        if org is None or scope.contains(org.region_adcode, org.park_id):
            continue
        rev = session.scalar(select(YearlyFigure.value).where(YearlyFigure.organization_id == oid,
                                                              YearlyFigure.kind == "revenue").order_by(
            YearlyFigure.year.desc()).limit(1)) or 0
        tiers = session.scalars(select(Tier.label).where(Tier.organization_id == oid)).all()
        rels = session.scalar(select(text("count(*)")).select_from(Relation).where(
            (Relation.source_id == oid) | (Relation.target_id == oid))) or 0
        sigs = session.scalars(select(OrgSignal.kind).where(OrgSignal.organization_id == oid)).all()
        scored.append((len(tiers) + np.log1p(rev) + rels + len(sigs), oid))
    scored.sort(reverse=True)
    return len(scored)


def time_targets(url: str, nodes: dict[str, str], repeat: int, naive: bool) -> dict:
    from chainatlas.invest.targets import targets_for
    from chainatlas.store import Store

    store = Store(url)
    out: dict = {}
    for label, node in nodes.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            with store.session() as s:
                res = targets_for(s, CITY, node, limit=20)
            times.append(time.perf_counter() - t0)
        entry = {"node": node, "cold_s": round(times[0], 4), "warm_s": round(statistics.median(times[1:] or times), 4),
                 "targets": len(res["targets"]), "with_signals": sum(1 for t in res["targets"] if t["signals"])}
        if naive:
            t0 = time.perf_counter()
            with store.session() as s:
                entry["naive_firms"] = naive_targets(s, CITY, node)
            entry["naive_s"] = round(time.perf_counter() - t0, 3)
            entry["speedup_vs_warm"] = round(entry["naive_s"] / entry["warm_s"], 1) if entry["warm_s"] else None
        out[label] = entry
        print(f"    {label:8s} {json.dumps(entry, ensure_ascii=False)}", flush=True)
    store.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=100_000)
    ap.add_argument("--relations-per-org", type=float, default=10.0)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg", default=os.environ.get("CHAINATLAS_BENCH_PG", os.environ.get("CHAINATLAS_TEST_PG")))
    ap.add_argument("--workdir", default="/tmp")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="time a registry a previous run kept")
    ap.add_argument("--keep", action="store_true", help="keep the stores")
    args = ap.parse_args()
    n = args.orgs
    result: dict = {"bench": "invest", "orgs": n, "city": CITY, "relations_per_org": args.relations_per_org}
    for backend in args.backends.split(","):
        path = Path(args.workdir) / f"bench_invest_{n}.db"
        name = f"chainatlas_bench_invest_{n}"
        url = f"sqlite:///{path}" if backend == "sqlite" else make_url(args.pg).set(database=name).render_as_string(
            hide_password=False)
        t0 = time.perf_counter()
        if not args.reuse:
            if backend == "sqlite":
                path.unlink(missing_ok=True)
            else:
                url = pg_url(args.pg, name)
            store = open_store(url)
            reference(store)
            g = generate(n, args.relations_per_org, store)
            (load_sqlite if backend == "sqlite" else load_pg)(store, g)
            del g
            signals = add_signals(store, n)
            if backend == "postgresql":
                with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE org_signal"))
            store.dispose()
        else:
            signals = None
        build_s = round(time.perf_counter() - t0, 1)
        store = open_store(url)
        nodes = pick_nodes(store)
        with store.session() as s:
            on_nodes = {k: s.execute(text("SELECT count(*) FROM organization_node WHERE node_id = :n"), {"n": v}).scalar()
                        for k, v in nodes.items()}
        store.dispose()
        print(f"  {backend}: built in {build_s}s; nodes {nodes} firms on them {on_nodes}", flush=True)
        timed = time_targets(url, nodes, args.repeat, not args.skip_naive)
        result[backend] = {"build_s": build_s, "signals": signals, "firms_on_node": on_nodes, **timed,
                           "loadavg_1m": round(os.getloadavg()[0], 1)}
        if backend == "sqlite" and not args.keep:
            path.unlink(missing_ok=True)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
