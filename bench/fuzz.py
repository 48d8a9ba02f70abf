"""Fuzz every route of the app against its own OpenAPI document with schemathesis.

Builds a throwaway SQLite store (reference data, the sample registry and the traceability demo),
then runs schemathesis' engine — explicit examples, coverage (boundary values, undeclared
methods, missing parameters) and generated fuzzing, valid and invalid data — over every
operation the app publishes at /openapi.json, so routers added later are fuzzed too. By default
the app runs in this process over ASGI; ``--serve`` starts a real ``chainatlas serve`` on a
loopback port instead. Requests carry an admin session and its CSRF token (``--anonymous`` to
fuzz as a visitor), so write routes are fuzzed past their login check; the store is thrown away.

Bounded: ``--max-examples`` per operation and phase, ``--seconds`` for the whole run.

    .venv/bin/python bench/fuzz.py                               # 25 examples, 120 s
    .venv/bin/python bench/fuzz.py --max-examples 200 --seconds 900 --serve

Prints figures (requests, server errors, contract mismatches per check, peak memory) and ends with
ONE JSON line. ``tests/test_api_fuzz.py`` runs it with a small bound and expects zeros.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Checks that look at a single response: "server error" and the contract ones. Left out:
# ignored_auth (the API declares no security scheme: sessions are cookies), and the stateful
# checks (use_after_free, ensure_resource_availability), which need links between operations.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "unsupported_method",
          "missing_required_header", "negative_data_rejection", "positive_data_acceptance"]
# positive_data_acceptance is reported but is not a contract mismatch: it flags a 400 for data the
# schema allows, and some refusals are beyond what a schema can say (a file that is not a workbook,
# a 统一社会信用代码 whose check digit is wrong, an EPCIS document that breaks a CBV rule).
CONTRACT = [c for c in CHECKS if c not in ("not_a_server_error", "positive_data_acceptance")]
ADMIN = ("fuzz-admin", "fuzz admin password")


def make_store(directory: Path) -> str:
    """A throwaway store with data to find: reference data, sample registry, trace demo, an admin."""
    from chainatlas.api.security import create_user
    from chainatlas.bootstrap import ensure_reference_data
    from chainatlas.registry.sample import load_sample
    from chainatlas.store import open_store
    from chainatlas.trace.demo import load_trace_demo

    url = f"sqlite:///{directory / 'fuzz.db'}"
    store = open_store(url)
    ensure_reference_data(store)
    load_sample(store)
    load_trace_demo(store)
    with store.session() as s:
        create_user(s, *ADMIN, "admin")
    store.dispose()
    return url


def login_headers(call: Any, user: tuple[str, str] = ADMIN) -> dict[str, str]:
    """Log in as the admin; the cookie and CSRF header every fuzzed request then carries.
    ``call(method, path, headers, body) -> (status, headers, body)``."""
    _st, hdrs, body = call("GET", "/api/auth/me", {}, None)
    cookie = hdrs.get("set-cookie", "").split(";")[0]
    csrf = json.loads(body)["csrf_token"]
    st, hdrs, body = call("POST", "/api/auth/login", {"cookie": cookie, "x-csrf-token": csrf,
                                                     "content-type": "application/json"},
                          json.dumps({"username": user[0], "password": user[1]}).encode())
    assert st == 200, body
    cookie = hdrs.get("set-cookie", "").split(";")[0]
    return {"Cookie": cookie, "X-CSRF-Token": json.loads(body)["csrf_token"]}


def run(schema: Any, *, max_examples: int, seconds: int, headers: dict[str, str] | None,
        seed: int = 1, deterministic: bool = False) -> dict[str, Any]:
    """Run the engine over ``schema``; tally requests, server errors and failures per check."""
    from schemathesis.engine import events
    from schemathesis.engine.core import Engine
    from schemathesis.generation import GenerationMode

    if headers:
        # Logging out would end the session the rest of the run writes with.
        schema = schema.exclude(path="/api/auth/logout")
    project = schema.config
    project.generation.update(max_examples=max_examples, modes=list(GenerationMode),
                              deterministic=deterministic)
    project.phases.update(phases=["examples", "coverage", "fuzzing"])
    project.checks.update(included_check_names=CHECKS)
    project.update(headers=headers or {}, request_timeout=60,
                   suppress_health_check=None)
    project.seed = seed
    started = time.monotonic()
    requests = 0
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    by_operation: Counter[tuple[str, str]] = Counter()  # (check, "METHOD /path/{template}")
    examples: dict[str, list[str]] = {}
    stream = Engine(schema).execute()
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            rec = event.recorder
            for inter in rec.interactions.values():
                if inter.response is not None:
                    requests += 1
                    statuses[inter.response.status_code] += 1
            for case_id, checks in rec.checks.items():
                for node in checks:
                    if node.status.name == "FAILURE":
                        failures[node.name] += 1
                        by_operation[node.name, rec.label] += 1
                        ex = examples.setdefault(node.name, [])
                        if len(ex) < 5:
                            req = rec.interactions.get(case_id)
                            where = f"{req.request.method} {req.request.uri}" if req else rec.label
                            msg = getattr(node.failure_info, "failure", None) if node.failure_info else None
                            ex.append(f"{where[:200]} — {getattr(msg, 'title', '')}: "
                                      f"{str(getattr(msg, 'message', ''))[:200]}")
        if time.monotonic() - started > seconds:
            stream.stop()
            break
    server_errors = sum(n for st, n in statuses.items() if st >= 500)
    return {"requests": requests, "server_errors": server_errors,
            "contract_mismatches": sum(failures[c] for c in CONTRACT),
            "failures_per_check": {c: failures[c] for c in CHECKS}, "statuses": dict(sorted(statuses.items())),
            "examples": examples, "by_operation": {f"{c} {op}": n for (c, op), n in sorted(by_operation.items())},
            "seconds": round(time.monotonic() - started, 1)}


def asgi_schema(app: Any) -> Any:
    import schemathesis

    return schemathesis.openapi.from_asgi("/openapi.json", app)


def asgi_call(app: Any) -> Any:
    from fastapi.testclient import TestClient

    client = TestClient(app)

    def call(method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, dict, bytes]:
        r = client.request(method, path, headers=headers, content=body)
        return r.status_code, dict(r.headers), r.content

    return call


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-examples", type=int, default=25, help="examples per operation and phase")
    ap.add_argument("--seconds", type=int, default=120, help="time bound for the whole run")
    ap.add_argument("--serve", action="store_true", help="fuzz a real `chainatlas serve` on loopback")
    ap.add_argument("--anonymous", action="store_true", help="fuzz without logging in")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="chainatlas-fuzz-") as tmp:
        t0 = time.monotonic()
        url = make_store(Path(tmp))
        print(f"store: {url} ({time.monotonic() - t0:.1f} s to build)")
        server: subprocess.Popen | None = None
        try:
            if args.serve:
                import schemathesis

                port = _free_port()
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
                log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed with the directory
                server = subprocess.Popen([sys.executable, "-m", "chainatlas.cli.main", "serve", "--db", url,
                                           "--port", str(port), "--no-open"], env=env,
                                          stdout=log, stderr=subprocess.STDOUT)
                base = f"http://127.0.0.1:{port}"
                for _ in range(600):
                    try:
                        urllib.request.urlopen(base + "/openapi.json", timeout=2).read()
                        break
                    except OSError:
                        if server.poll() is not None:
                            sys.exit("chainatlas serve stopped:\n" + (Path(tmp) / "server.log").read_text()[-3000:])
                        time.sleep(0.2)
                schema = schemathesis.openapi.from_url(base + "/openapi.json")

                def call(method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, dict, bytes]:
                    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
                    with urllib.request.urlopen(req, timeout=30) as r:
                        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
            else:
                from chainatlas.api.app import create_app
                from chainatlas.store import Store

                app = create_app(Store(url))
                schema = asgi_schema(app)
                call = asgi_call(app)
            headers = None if args.anonymous else login_headers(call)
            ops = sum(1 for _ in schema.get_all_operations())
            print(f"operations in the OpenAPI document: {ops}; max examples {args.max_examples}, "
                  f"bound {args.seconds} s, {'anonymous' if args.anonymous else 'as admin'}, "
                  f"{'chainatlas serve' if args.serve else 'ASGI in-process'}")
            figures = run(schema, max_examples=args.max_examples, seconds=args.seconds, headers=headers,
                          seed=args.seed)
            peak = _rss_mb(server.pid) if server else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    figures.update(operations=ops, max_examples=args.max_examples, bound_seconds=args.seconds,
                   mode="serve" if args.serve else "asgi", peak_rss_mb=round(peak, 1))
    print(f"requests: {figures['requests']}  server errors (5xx): {figures['server_errors']}  "
          f"contract mismatches: {figures['contract_mismatches']}  in {figures['seconds']} s")
    for check, n in figures["failures_per_check"].items():
        print(f"  {check:32s} {n}")
        for ex in figures["examples"].get(check, []):
            print(f"      e.g. {ex}")
    print(f"statuses: {figures['statuses']}")
    print(f"peak RSS of the {'server' if args.serve else 'process'}: {figures['peak_rss_mb']} MB")
    figures.pop("examples")
    figures.pop("by_operation")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
