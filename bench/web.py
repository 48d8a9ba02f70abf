"""Web latency under concurrent load: the chain map and the organization list.

Generates a national-scale registry in PostgreSQL with bench/chain.py's generator (synthetic
rows, marked so), starts ``chainatlas serve`` on a random loopback port, and drives it with
locust in headless mode (50 users by default, bounded in time) against:

  chain_map  GET /chain/321200               the chain map page (map JSON embedded)
  org_list   GET /api/orgs?region=321200…    the organization list (filters, revenue sort, totals)
  org_page   GET /orgs?region=321200…        the same list as the HTML page
  api_map    GET /api/chain/321200/map       (only with --api-map) the analysis' JSON map

It samples the server's RSS while the load runs and reports p50/p99 per endpoint, requests/s,
errors and peak RSS. Loopback only; every step bounded.

    .venv/bin/python bench/web.py                         # 100k organizations, 50 users, 30 s
    .venv/bin/python bench/web.py --orgs 1000000 --duration 60

Prints figures as it goes and ends with ONE JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from chainatlas.store import open_store  # noqa: E402

REGION = "321200"  # 泰州市: the generator's city cluster (0.5 % of the nation's firms)

LOCUSTFILE = r'''
import random
from locust import FastHttpUser, constant, task

REGION = "{region}"
NODES = {nodes!r}
API_MAP = {api_map!r}


class Analyst(FastHttpUser):  # geventhttpclient: the load tool's own CPU stays small on a shared box
    wait_time = constant(0)  # closed loop: each user sends its next request as soon as one returns

    @task(2)
    def chain_map(self):
        self.client.get(f"/chain/{{REGION}}", name="chain_map", headers={{"accept": "text/html"}})

    @task(2)
    def org_list(self):
        params = {{"region": REGION, "limit": 50, "offset": random.choice([0, 0, 50, 100])}}
        if random.random() < 0.5:
            params["node"] = random.choice(NODES)
        self.client.get("/api/orgs", params=params, name="org_list")

    @task(1)
    def org_page(self):
        self.client.get(f"/orgs?region={{REGION}}", name="org_page", headers={{"accept": "text/html"}})

    @task(1)
    def api_map(self):
        if API_MAP:
            self.client.get(f"/api/chain/{{REGION}}/map", name="api_map")
'''


def log(msg: str) -> None:
    print(msg, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_base(arg: str | None) -> str:
    if arg:
        return arg
    return subprocess.run(["bash", str(REPO / "scripts" / "pg.sh")], capture_output=True, text=True,
                          check=True).stdout.strip()


def prepare(base: str, n: int, rel_per_org: float, reuse: bool) -> str:
    """A database holding ``n`` generated organizations (reused when it already does)."""
    import chain as chain_bench  # bench/chain.py: generator and COPY loader

    name = f"chainatlas_web_bench_{n}"
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        exists = c.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    if exists and reuse:
        eng = create_engine(url)
        with eng.connect() as c:
            have = c.execute(text("SELECT count(*) FROM organization")).scalar()
        eng.dispose()
        if have == n:
            log(f"reusing {name} ({have:,} organizations)")
            admin.dispose()
            return url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    t0 = time.perf_counter()
    store = open_store(url)
    chain_bench.reference(store)
    _mark_reference_loaded(store)
    g = chain_bench.generate(n, rel_per_org, store)
    t1 = time.perf_counter()
    chain_bench.load_pg(store, g)
    store.dispose()
    log(f"generated {n:,} organizations, {len(g['sup']):,} relations in {t1 - t0:.0f}s, "
        f"loaded in {time.perf_counter() - t1:.0f}s")
    return url


def _mark_reference_loaded(store) -> None:  # type: ignore[no-untyped-def]
    """Record the reference data digests so ``chainatlas serve`` does not reload (and so
    rewrite) the taxonomy under the generated rows."""
    from chainatlas.bootstrap import _loaders, files_digest
    from chainatlas.store.models import ReferenceData

    with store.session() as s:
        for name, files, _ in _loaders():
            s.merge(ReferenceData(name=name, digest=files_digest(files())))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.2)


def city_nodes(url: str, limit: int = 20) -> list[str]:
    eng = create_engine(url)
    with eng.connect() as c:
        rows = c.execute(text(
            "SELECT n.node_id FROM organization_node n JOIN organization o ON o.id = n.organization_id "
            "WHERE o.region_adcode BETWEEN :lo AND :hi GROUP BY n.node_id ORDER BY count(*) DESC LIMIT :k"),
            {"lo": REGION[:4] + "00", "hi": REGION[:4] + "99", "k": limit}).scalars().all()
    eng.dispose()
    return list(rows)


def single_client(host: str, nodes: list[str], n: int = 60) -> dict:
    """Service time without queueing: one client, requests in sequence (after the warm-up)."""
    urls = {"chain_map": f"/chain/{REGION}", "org_list": f"/api/orgs?region={REGION}&limit=50",
            "org_list_node": f"/api/orgs?region={REGION}&limit=50&node={nodes[0] if nodes else ''}"}
    out = {}
    for name, path in urls.items():
        times = []
        for _ in range(n):
            req = urllib.request.Request(host + path, headers={"accept": "text/html"})
            t = time.perf_counter()
            urllib.request.urlopen(req, timeout=60).read()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out[name] = {"p50_ms": round(times[len(times) // 2], 1), "p99_ms": round(times[int(len(times) * 0.99) - 1], 1)}
    return out


def run_locust(host: str, users: int, duration: int, nodes: list[str], api_map: bool, workdir: Path) -> dict:
    locustfile = workdir / "locustfile.py"
    locustfile.write_text(LOCUSTFILE.format(region=REGION, nodes=nodes, api_map=api_map), encoding="utf-8")
    prefix = workdir / "stats"
    cmd = [str(Path(sys.executable).parent / "locust"), "-f", str(locustfile), "--headless", "-u", str(users),
           "-r", str(users), "-t", f"{duration}s", "--host", host, "--csv", str(prefix), "--only-summary",
           "--stop-timeout", "10", "--loglevel", "WARNING"]
    subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    out: dict = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Name"] != "Aggregated" else "all"
            if int(row["Request Count"]) == 0:
                continue
            out[name] = {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                         "p50_ms": float(row["50%"]), "p99_ms": float(row["99%"]),
                         "mean_ms": round(float(row["Average Response Time"]), 1),
                         "rps": round(float(row["Requests/s"]), 1)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=100_000, help="generated organizations (full run: 1000000)")
    ap.add_argument("--relations-per-org", type=float, default=3.0)
    ap.add_argument("--users", type=int, default=50, help="concurrent clients")
    ap.add_argument("--duration", type=int, default=30, help="seconds of load (after a short warm-up)")
    ap.add_argument("--pg", default=os.environ.get("CHAINATLAS_BENCH_PG"), help="PostgreSQL URL (default: scripts/pg.sh)")
    ap.add_argument("--no-reuse", action="store_true", help="regenerate even if the database exists")
    ap.add_argument("--api-map", action="store_true", help="also load /api/chain/{region}/map (uncached analysis)")
    ap.add_argument("--no-response-cache", action="store_true",
                    help="serve every request from the database (CHAINATLAS_RESPONSE_TTL=0): the uncached cost")
    args = ap.parse_args()

    url = prepare(pg_base(args.pg), args.orgs, args.relations_per_org, reuse=not args.no_reuse)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="chainatlas-webbench-"))
    server_log = open(workdir / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "-m", "chainatlas.cli.main", "serve", "--db", url, "--port", str(port),
                               "--no-open", "--log-level", "warning"], stdout=server_log, stderr=subprocess.STDOUT,
                              cwd=REPO, env={**os.environ, **({"CHAINATLAS_RESPONSE_TTL": "0"}
                                                              if args.no_response_cache else {})})
    result: dict = {"bench": "web", "orgs": args.orgs, "users": args.users, "duration_s": args.duration,
                    "backend": "postgresql", "region": REGION, "response_cache": not args.no_response_cache}
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(host + "/api/regions/" + REGION, timeout=5)
                break
            except OSError as exc:
                if server.poll() is not None or time.time() > deadline:
                    raise RuntimeError((workdir / "server.log").read_text()[-3000:]) from exc
                time.sleep(0.5)
        # Warm-up: the first chain map computes the region's report (then cached), as the
        # first visitor of the morning would; its time is reported apart.
        t = time.perf_counter()
        urllib.request.urlopen(urllib.request.Request(host + f"/chain/{REGION}", headers={"accept": "text/html"}),
                               timeout=120).read()
        result["chain_map_first_ms"] = round((time.perf_counter() - t) * 1000, 1)
        t = time.perf_counter()
        urllib.request.urlopen(host + f"/api/orgs?region={REGION}", timeout=60).read()
        result["org_list_first_ms"] = round((time.perf_counter() - t) * 1000, 1)
        result["rss_idle_mb"] = round(rss_mb(server.pid), 1)
        nodes = city_nodes(url)
        result["single_client"] = single_client(host, nodes)
        log(f"  one client, sequential: {json.dumps(result['single_client'])}")
        sampler = RssSampler(server.pid)
        sampler.start()
        log(f"load: {args.users} users for {args.duration}s on {host} …")
        stats = run_locust(host, args.users, args.duration, nodes, args.api_map, workdir)
        sampler.stop.set()
        result["endpoints"] = stats
        result["server_rss_peak_mb"] = round(sampler.peak, 1)
        result["errors"] = sum(s["errors"] for k, s in stats.items() if k != "all")
        for name, s in stats.items():
            log(f"  {name:10s} n={s['requests']:>6} p50={s['p50_ms']:>7.0f} ms  p99={s['p99_ms']:>7.0f} ms  "
                f"{s['rps']:>6.1f} req/s  errors={s['errors']}")
        log(f"  server RSS peak {result['server_rss_peak_mb']} MB")
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
