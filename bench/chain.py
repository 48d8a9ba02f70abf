"""Chain report at national scale: set-based queries vs a naive per-node/per-org baseline.

Generates a synthetic national registry (organizations spread over every county with a
skewed, clustered distribution; 1–2 chain nodes each; revenue for two years; tiers; supplier
relations that mostly follow the taxonomy's input links) straight into the tables with bulk
inserts (COPY on PostgreSQL), then times a city report in a fresh subprocess (cold and warm)
on SQLite and PostgreSQL, the naive baseline in the same run, and the child's peak RSS.

Figures per scale and backend: ``report_cold_s`` is the first report of a fresh process (it
also builds the national organization directory, ``analyse.directory``); ``report_warm_s``
the median of the next ones (a fresh computation each, the directory kept); ``report_nocache_s``
one more after dropping every in-process cache (the database's caches warm). The machine may
be shared: ``report_cpu_*`` is the client's CPU time, ``report_pg_cpu_warm_s`` the PostgreSQL
backend's, and their sum what a report costs on cores it does not share; ``loadavg_1m`` says
how busy the machine was.

    .venv/bin/python bench/chain.py                       # 10^4 and 10^5, both backends
    .venv/bin/python bench/chain.py --scales 10000,100000,1000000 --relations-per-org 10

Prints figures as it goes and ends with ONE JSON line. Rows are marked synthetic.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from chainatlas.store import open_store  # noqa: E402

YEARS = (2022, 2023)
TIER_RATES = {"规上": 0.25, "高新技术企业": 0.10, "专精特新(省级)": 0.04, "专精特新小巨人": 0.006, "瞪羚": 0.01,
              "上市": 0.004, "制造业单项冠军": 0.001}
CITY = "泰州市"
CITY_SHARE = 0.005  # 泰州 ≈ 0.5 % of national health enterprises: 5,000 of 10^6


def log(msg: str) -> None:
    print(msg, flush=True)


def reference(store) -> list[str]:  # type: ignore[no-untyped-def]
    """Regions, parks and the taxonomy; synthetic chain nodes if the taxonomy is mid-edit."""
    from chainatlas.regions.load import load_parks, load_regions
    from chainatlas.store.models import ChainNode, NodeInput

    with store.session() as s:
        load_regions(s)
        load_parks(s)
    try:
        from chainatlas.taxonomy.load import load_taxonomy

        with store.session() as s:
            load_taxonomy(s)
    except Exception as exc:  # the taxonomy file may be half-written by a colleague right now
        log(f"  taxonomy not loadable ({exc}); using 120 synthetic nodes")
    with store.session() as s:
        nodes = [n for (n,) in s.execute(text("SELECT id FROM chain_node ORDER BY id"))]
        if len(nodes) < 20:
            rng = np.random.default_rng(7)
            stages = ["upstream"] * 50 + ["midstream"] * 40 + ["downstream"] * 30
            for i, st in enumerate(stages):
                s.add(ChainNode(id=f"bench.n{i:03d}", name=f"节点{i:03d}", subchain=f"bench{i % 7}", stage=st))
            s.flush()
            for i in range(50, 120):
                for j in rng.choice(i, size=3, replace=False):
                    s.add(NodeInput(from_node_id=f"bench.n{j:03d}", to_node_id=f"bench.n{i:03d}"))
            nodes = [n for (n,) in s.execute(text("SELECT id FROM chain_node ORDER BY id"))]
    return nodes


def generate(n_orgs: int, rel_per_org: float, store, seed: int = 42) -> dict:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    with store.session() as s:
        counties = [c for (c,) in s.execute(text("SELECT adcode FROM region WHERE level='county' ORDER BY adcode"))]
        city_code = s.execute(text("SELECT adcode FROM region WHERE name=:n"), {"n": CITY}).scalar()
        inputs = s.execute(text("SELECT from_node_id, to_node_id FROM node_input")).all()
    nodes = _nodes(store)
    node_ix = {n: i for i, n in enumerate(nodes)}
    # Skewed: a few clusters hold many firms (Zipf over prefectures), counties share their city's.
    prefs = sorted({c[:4] for c in counties})
    weights = 1.0 / np.arange(1, len(prefs) + 1) ** 0.6
    rng.shuffle(weights)
    weights /= weights.sum()
    if city_code:  # the report's city: a pharma cluster with CITY_SHARE of the nation's firms
        i = prefs.index(city_code[:4])
        weights *= (1 - CITY_SHARE) / (1 - weights[i])
        weights[i] = CITY_SHARE
    pref_of_org = rng.choice(len(prefs), size=n_orgs, p=weights)
    by_pref: dict[str, list[str]] = {}
    for c in counties:
        by_pref.setdefault(c[:4], []).append(c)
    region = np.empty(n_orgs, dtype=object)
    for pi, p in enumerate(prefs):
        idx = np.nonzero(pref_of_org == pi)[0]
        region[idx] = np.array(by_pref[p], dtype=object)[rng.integers(len(by_pref[p]), size=len(idx))]
    # Each prefecture specializes: it draws nodes from its own random preference vector.
    pref_node_w = rng.dirichlet(np.full(len(nodes), 0.3), size=len(prefs))
    cum = pref_node_w.cumsum(axis=1)
    node0 = (cum[pref_of_org] < rng.random(n_orgs)[:, None]).sum(axis=1).clip(0, len(nodes) - 1)
    second = rng.random(n_orgs) < 0.4
    node1 = rng.integers(len(nodes), size=n_orgs)
    orgs_nodes = [(i, node0[i]) for i in range(n_orgs)] + [(i, node1[i]) for i in np.nonzero(second & (node1 != node0))[0]]
    revenue = {y: np.round(rng.lognormal(7.5 + 0.1 * k, 1.6, size=n_orgs), 1) for k, y in enumerate(YEARS)}
    # Relations: a customer's node has inputs; the supplier is drawn from the orgs on one input node.
    feeds: dict[int, list[int]] = {}
    for a, b in inputs:
        if a in node_ix and b in node_ix:
            feeds.setdefault(node_ix[b], []).append(node_ix[a])
    order = np.argsort(node0, kind="stable")
    start = np.searchsorted(node0[order], np.arange(len(nodes)))
    count = np.bincount(node0, minlength=len(nodes))
    n_rel = int(n_orgs * rel_per_org)
    cust = rng.integers(n_orgs, size=n_rel)
    maxin = max((len(v) for v in feeds.values()), default=1)
    table = np.full((len(nodes), maxin), -1)
    for b, srcs in feeds.items():
        table[b, : len(srcs)] = srcs
    nin = (table >= 0).sum(axis=1)
    cn = node0[cust]
    pick = np.where(nin[cn] > 0, table[cn, (rng.random(n_rel) * np.maximum(nin[cn], 1)).astype(int)], -1)
    has = (pick >= 0) & (count[np.maximum(pick, 0)] > 0)
    sup = rng.integers(n_orgs, size=n_rel)
    ok = np.nonzero(has)[0]
    sup[ok] = order[start[pick[ok]] + (rng.random(len(ok)) * count[pick[ok]]).astype(int)]
    key = np.unique(sup.astype(np.int64) * n_orgs + cust)
    sup, cust = key // n_orgs, key % n_orgs
    keep = sup != cust
    sup, cust = sup[keep], cust[keep]
    tiers = {label: np.nonzero(rng.random(n_orgs) < rate)[0] for label, rate in TIER_RATES.items()}
    return {"n": n_orgs, "region": region, "nodes": nodes, "orgs_nodes": orgs_nodes, "revenue": revenue,
            "sup": sup, "cust": cust, "tiers": tiers, "city_code": city_code}


def _nodes(store) -> list[str]:  # type: ignore[no-untyped-def]
    with store.session() as s:
        return [n for (n,) in s.execute(text("SELECT id FROM chain_node ORDER BY id"))]


def rows(g: dict) -> dict[str, tuple[list[str], object]]:
    """Table → (columns, row iterator); ids start at 1 (organization i has id i + 1)."""
    now = datetime.now(UTC).isoformat()
    nodes = g["nodes"]
    return {
        "organization": (["id", "name", "name_key", "kind", "region_adcode", "is_candidate", "synthetic", "created_at"],
                         ((i + 1, f"合成企业{i + 1}", f"合成企业{i + 1}", "enterprise", g["region"][i], False, True, now)
                          for i in range(g["n"]))),
        "organization_node": (["id", "organization_id", "node_id", "source", "confidence"],
                              ((k + 1, int(i) + 1, nodes[int(n)], "registry", 1.0) for k, (i, n) in enumerate(g["orgs_nodes"]))),
        "yearly_figure": (["id", "organization_id", "year", "kind", "value", "unit"],
                          ((k * g["n"] + i + 1, i + 1, y, "revenue", float(v[i]), "万元")
                           for k, (y, v) in enumerate(g["revenue"].items()) for i in range(g["n"]))),
        "tier": (["id", "organization_id", "label"],
                 ((k + 1, int(i) + 1, label) for k, (label, i) in enumerate(
                     (label, i) for label, idx in g["tiers"].items() for i in idx))),
        "relation": (["id", "source_id", "target_id", "type", "weight"],
                     ((k + 1, int(s) + 1, int(c) + 1, "supplier_of", 1.0)
                      for k, (s, c) in enumerate(zip(g["sup"], g["cust"], strict=True)))),
    }


BULK_TABLES = ("organization", "organization_node", "yearly_figure", "tier", "relation")


def load_sqlite(store, g: dict) -> None:  # type: ignore[no-untyped-def]
    """executemany in one transaction. Secondary indexes are dropped and rebuilt afterwards
    (a sort-based build beats 10^7 random B-tree inserts); the big page cache keeps the
    unique indexes that cannot be dropped from thrashing."""
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-1000000")
        cur.execute("PRAGMA foreign_keys=OFF")  # ids are generated consistent; checks cost 10^7 probes
        marks = ",".join("?" * len(BULK_TABLES))
        saved = cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                            f"AND tbl_name IN ({marks})", BULK_TABLES).fetchall()
        for name, _ in saved:
            cur.execute(f'DROP INDEX "{name}"')
        for table, (cols, it) in rows(g).items():
            sql = f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
            batch: list = []
            for r in it:
                batch.append(r)
                if len(batch) >= 200_000:
                    cur.executemany(sql, batch)
                    batch.clear()
            cur.executemany(sql, batch)
        raw.commit()
        for _, ddl in saved:
            cur.execute(ddl)
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def load_pg(store, g: dict) -> None:  # type: ignore[no-untyped-def]
    """COPY with foreign-key triggers off (session_replication_role) and secondary indexes
    dropped, then rebuilt from their saved definitions, then VACUUM ANALYZE."""
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint)", (list(BULK_TABLES),))
        saved = cur.fetchall()
        for name, _ in saved:
            cur.execute(f'DROP INDEX "{name}"')
        for table, (cols, it) in rows(g).items():
            with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
                buf = io.StringIO()
                for r in it:
                    buf.write("\t".join("t" if v is True else "f" if v is False else str(v) for v in r))
                    buf.write("\n")
                    if buf.tell() > 8_000_000:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
        for _, ddl in saved:
            cur.execute(ddl)
        raw.commit()
        raw.driver_connection.autocommit = True  # VACUUM refuses to run inside a transaction
        raw.driver_connection.execute("VACUUM ANALYZE")
    finally:
        raw.close()


CHILD = r"""
import json, os, statistics, sys, time
def peak_rss_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss would carry the forking
    # parent's (the generator's) peak across exec on Linux.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.path.insert(0, sys.argv[3])
from chainatlas.store import Store
from chainatlas.analyse import chain_report
from chain import naive_report
store = Store(sys.argv[1]); mode = sys.argv[2]; repeat = int(sys.argv[4]); city = sys.argv[5]
from sqlalchemy import event
sql = [0.0]
@event.listens_for(store.engine, "before_cursor_execute")
def _b(conn, *a):
    conn.info["t0"] = time.perf_counter()
@event.listens_for(store.engine, "after_cursor_execute")
def _a(conn, *a):
    sql[0] += time.perf_counter() - conn.info["t0"]
from sqlalchemy import text
def backend_cpu(s):
    # CPU seconds of this session's PostgreSQL backend (same machine): with the client's own CPU
    # time, what the report costs when it does not have to share the cores.
    if store.engine.dialect.name != "postgresql":
        return None, 0.0
    pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None, 0.0
    return pid, (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def run(fn):
    t, c, sql[0] = time.perf_counter(), time.process_time(), 0.0
    with store.session() as s:
        pid, b0 = backend_cpu(s)
        r = fn(s)
        _, b1 = backend_cpu(s) if pid else (None, 0.0)
    return r, time.perf_counter() - t, time.process_time() - c, sql[0], b1 - b0
def clear_caches():
    # Everything the process keeps between reports (the national directory, the region index):
    # the next report reads all it needs from the database, whose own caches stay warm.
    import chainatlas.analyse.directory as d, chainatlas.analyse.report as rep
    d.clear(); rep._INDEX_CACHE.clear()
times, cpu, sqls, pgcpu = [], [], [], []
fn = {"fast": lambda s: chain_report(s, city),
      "coverage": lambda s: chain_report(s, city, sections=set()),  # the per-node coverage the naive baseline computes
      "naive": lambda s: naive_report(s, city)}[mode]
for i in range(repeat):
    r, w, c, q, b = run(fn)
    times.append(w); cpu.append(c); sqls.append(q); pgcpu.append(b)
nocache = None
if mode == "fast" and repeat > 1:
    clear_caches()
    nocache = run(fn)[1]
counts = {n["id"]: n["direct_count"] for n in r["nodes"]} if mode != "naive" else r["counts"]
print(json.dumps({"cold": times[0], "warm": statistics.median(times[1:] or times), "times": times,
                  "warm_min": min(times[1:] or times), "cpu": cpu, "sql": sqls, "pg_cpu": pgcpu,
                  "nocache": nocache, "rss_mb": peak_rss_mb(),
                  "local_orgs": r["summary"]["organizations"], "counts": counts,
                  "gaps": len(r.get("gaps", [])), "relations": r["summary"]["relations"]}))
"""


def naive_report(session, region: str) -> dict:  # type: ignore[no-untyped-def]
    """The baseline: what a straightforward ORM walk does — a query per node (local firms,
    national count), then per local firm (revenue, tiers, relations)."""
    from sqlalchemy import func, or_, select

    from chainatlas.analyse.scope import resolve_scope
    from chainatlas.store.models import (
        ChainNode,
        Organization,
        OrganizationNode,
        Relation,
        Tier,
        YearlyFigure,
    )

    scope = resolve_scope(session, region)
    counts, seen, rels = {}, set(), set()
    for node in session.scalars(select(ChainNode).order_by(ChainNode.id)).all():
        orgs = session.scalars(select(Organization).join(OrganizationNode).where(
            OrganizationNode.node_id == node.id, scope.org_filter(Organization),
            Organization.is_candidate.is_(False))).all()
        session.scalar(select(func.count()).select_from(OrganizationNode).where(OrganizationNode.node_id == node.id))
        counts[node.id] = len(orgs)
        for o in orgs:
            session.scalar(select(YearlyFigure.value).where(YearlyFigure.organization_id == o.id,
                                                            YearlyFigure.kind == "revenue")
                           .order_by(YearlyFigure.year.desc()).limit(1))
            session.scalars(select(Tier.label).where(Tier.organization_id == o.id)).all()
            if o.id not in seen:
                seen.add(o.id)
                rels.update(session.scalars(select(Relation.id).where(
                    or_(Relation.source_id == o.id, Relation.target_id == o.id))).all())
    return {"counts": counts, "summary": {"organizations": len(seen), "relations": len(rels)}}


def time_report(url: str, mode: str, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": f"{REPO / 'bench'}:{REPO}"}
        out = subprocess.run([sys.executable, str(script), url, mode, str(REPO), str(repeat), CITY], env=env,
                             capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_url(base: str, name: str) -> str:
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def run_scale(n: int, args: argparse.Namespace) -> dict:
    res: dict = {"orgs": n}
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        path = Path(args.workdir) / f"bench_{n}.db"
        if args.reuse:  # time the registry a previous --keep run left behind
            url = f"sqlite:///{path}" if backend == "sqlite" else make_url(args.pg).set(
                database=f"chainatlas_bench_{n}").render_as_string(hide_password=False)
            t1 = t2 = t0
            with open_store(url).session() as s:
                n_rel = s.execute(text("SELECT count(*) FROM relation")).scalar()
        else:
            if backend == "sqlite":
                path.unlink(missing_ok=True)
                url = f"sqlite:///{path}"
            else:
                url = pg_url(args.pg, f"chainatlas_bench_{n}")
            store = open_store(url)
            reference(store)
            g = generate(n, args.relations_per_org, store)
            n_rel = int(len(g["sup"]))
            t1 = time.perf_counter()
            (load_sqlite if backend == "sqlite" else load_pg)(store, g)
            t2 = time.perf_counter()
            store.dispose()
            del g
        fast = time_report(url, "fast", args.repeat)
        entry = {"generate_s": round(t1 - t0, 1), "load_s": round(t2 - t1, 1), "relations": n_rel,
                 "city_orgs": fast["local_orgs"], "city_relations": fast["relations"], "gaps": fast["gaps"],
                 "report_cold_s": round(fast["cold"], 3), "report_warm_s": round(fast["warm"], 3),
                 "report_warm_min_s": round(fast["warm_min"], 3), "report_cpu_cold_s": round(fast["cpu"][0], 3),
                 "report_cpu_warm_s": round(min(fast["cpu"][1:] or fast["cpu"]), 3),
                 "report_sql_cold_s": round(fast["sql"][0], 3), "report_sql_warm_s": round(min(fast["sql"][1:] or fast["sql"]), 3),
                 "report_pg_cpu_warm_s": round(min(fast["pg_cpu"][1:] or fast["pg_cpu"]), 3),
                 "report_cpu_plus_pg_warm_s": round(min(c + b for c, b in zip(fast["cpu"][1:] or fast["cpu"],
                                                                            fast["pg_cpu"][1:] or fast["pg_cpu"],
                                                                            strict=True)), 3),
                 "report_nocache_s": round(fast["nocache"], 3) if fast["nocache"] is not None else None,
                 "report_rss_mb": round(fast["rss_mb"], 1),
                 "loadavg_1m": round(os.getloadavg()[0], 1)}  # the machine is shared: read times with it
        cov = time_report(url, "coverage", args.repeat)
        entry.update(coverage_cold_s=round(cov["cold"], 3), coverage_warm_s=round(cov["warm"], 3))
        if not args.skip_naive and n <= args.naive_max:
            naive = time_report(url, "naive", 1)
            entry["naive_vs_coverage_warm"] = round(naive["cold"] / cov["warm"], 1) if cov["warm"] else None
            entry["naive_s"] = round(naive["cold"], 3)
            entry["speedup_vs_warm"] = round(naive["cold"] / fast["warm"], 1) if fast["warm"] else None
            entry["speedup_vs_cold"] = round(naive["cold"] / fast["cold"], 1) if fast["cold"] else None
            entry["naive_agrees"] = all(naive["counts"].get(k, 0) == v for k, v in fast["counts"].items())
        res[backend] = entry
        log(f"  {n:>9,} orgs {backend:10s} {json.dumps(entry, ensure_ascii=False)}")
        if backend == "sqlite" and not args.keep and not args.reuse:
            Path(args.workdir, f"bench_{n}.db").unlink(missing_ok=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="10000,100000", help="organization counts, comma-separated")
    ap.add_argument("--orgs", type=int, help="one scale only (e.g. 1000000)")
    ap.add_argument("--relations", type=int, help="relations at the largest scale (sets relations per org)")
    ap.add_argument("--relations-per-org", type=float, default=10.0)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg", default=os.environ.get("CHAINATLAS_BENCH_PG"),
                    help="PostgreSQL URL of the server (default: scripts/pg.sh)")
    ap.add_argument("--workdir", default=tempfile.gettempdir())
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--naive-max", type=int, default=10**7, help="skip the naive baseline above this scale")
    ap.add_argument("--city-share", type=float, default=0.005, help="share of organizations in the city")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the SQLite files")
    ap.add_argument("--reuse", action="store_true", help="only time registries a --keep run left")
    args = ap.parse_args()
    global CITY_SHARE
    CITY_SHARE = args.city_share
    scales = [args.orgs] if args.orgs else [int(x) for x in args.scales.split(",")]
    if args.relations:
        args.relations_per_org = args.relations / max(scales)
    if "postgresql" in args.backends and not args.pg:
        args.pg = subprocess.run(["bash", str(REPO / "scripts/pg.sh")], capture_output=True, text=True,
                                 check=True).stdout.strip()
    log(f"chain report bench: city {CITY}, scales {scales}, {args.relations_per_org:g} relations/org")
    results = [run_scale(n, args) for n in scales]
    print(json.dumps({"bench": "chain", "city": CITY, "relations_per_org": args.relations_per_org,
                      "scales": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
