"""One authorization rule for every write: each route of the app (REST, EPCIS and pages) that takes
an unsafe method refuses anonymous, wrong-role and missing-CSRF requests. Routes are enumerated
from the app itself, so a router added later is covered without editing this file; request
bodies are bounded per route class and writes are refused before their body is read."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser.seed import ADMIN, ANALYST
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.api.limits import BodyLimits, RouteInfo, api_routes
from chainatlas.store import Store

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Unsafe routes that do not take a role, each with why. They still need the session's CSRF token.
NEEDS_ONLY_CSRF = {
    ("POST", "/api/auth/login"),  # logging in is what gives a role
    ("POST", "/api/auth/logout"),
    ("POST", "/login"),
    ("POST", "/logout"),
}
# EPCIS 2.0 runs a query from a JSON body with POST: it reads, changes nothing, needs no login.
READS_BY_POST = {("POST", "/queries/SimpleEventQuery/events"),
                 ("POST", "/api/standards/check")}  # 标准查新: a list of numbers in, statuses out
PASSWORDS = {"admin": ADMIN, "analyst": ANALYST, "enterprise": ("ent", "enterprise pass 1")}


def _write_routes(app) -> Iterator[tuple[str, str, RouteInfo]]:  # type: ignore[no-untyped-def]
    for info in api_routes(app.routes):
        for method in sorted(info.methods & UNSAFE):
            path = re.sub(r"\{[^}]+\}", "1", info.path)  # any id: refusal comes before lookup
            yield method, path, info


def _login(c: TestClient, role: str) -> str:
    csrf = c.get("/api/auth/me").json()["csrf_token"]
    name, password = PASSWORDS[role]
    r = c.post("/api/auth/login", json={"username": name, "password": password}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _code(r) -> str | None:  # type: ignore[no-untyped-def]
    try:
        return r.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def test_every_write_route_refuses_anonymous_wrong_role_and_missing_csrf(client: TestClient) -> None:
    app = client.app
    routes = list(_write_routes(app))
    assert len(routes) >= 8  # the enumeration found the app's writes (PATCH orgs, uploads, capture, pages …)
    failures: list[str] = []
    sessions = {role: TestClient(app) for role in PASSWORDS}
    for role, c in sessions.items():
        _login(c, role)
    anonymous = TestClient(app)
    for method, path, route in routes:
        key = (method, route.path)
        if key in READS_BY_POST:
            continue
        if key in NEEDS_ONLY_CSRF:
            if path.startswith("/api/"):  # scripts send the token as a header, pages as a form field
                r = anonymous.request(method, path, json={"username": "x", "password": "y"},
                                      headers={"X-CSRF-Token": "forged"})
            else:
                r = anonymous.request(method, path, data={"username": "x", "password": "y", "csrf_token": "forged"})
            if r.status_code != 403 or _code(r) != "E805":
                failures.append(f"{method} {path} with a forged CSRF token: {r.status_code} {r.text[:80]}")
            continue
        roles = route.roles
        if roles is None:
            failures.append(f"{method} {path} declares no role (use the Editor/Admin dependencies)")
            continue
        r = anonymous.request(method, path, json={})
        if r.status_code != 401 or _code(r) != "E803":
            failures.append(f"{method} {path} anonymous: {r.status_code} {r.text[:80]}")
        for role, c in sessions.items():
            r = c.request(method, path, json={})  # no X-CSRF-Token header, no csrf_token field
            # roles == (): any logged-in user may (personal watches, an inbox); CSRF still refuses.
            want = ("E805", 403) if role in roles or not roles else ("E804", 403)
            if (_code(r), r.status_code) != want:
                failures.append(f"{method} {path} as {role} without CSRF: {r.status_code} {r.text[:80]} "
                                f"(expected {want[1]} {want[0]})")
            r = c.request(method, path, json={}, headers={"X-CSRF-Token": "forged"})
            if (_code(r), r.status_code) != want:
                failures.append(f"{method} {path} as {role} with a forged CSRF token: {r.status_code} {r.text[:80]}")
    assert not failures, "\n".join(failures)


def test_a_write_route_without_a_role_is_caught(store: Store) -> None:
    """The enumeration is what protects routes added later: one without Editor/Admin is found."""
    from fastapi import APIRouter

    app = create_app(store)
    rogue = APIRouter()

    @rogue.post("/api/rogue")
    def write_anything() -> dict:
        return {}

    app.include_router(rogue)
    found = [(m, p) for m, p, route in _write_routes(app)
             if route.roles is None and (m, route.path) not in NEEDS_ONLY_CSRF | READS_BY_POST]
    assert found == [("POST", "/api/rogue")]


@pytest.fixture
def small(store: Store) -> Iterator[TestClient]:
    from browser.seed import seed_web

    seed_web(store)
    limits = BodyLimits(default=2_000, upload=20_000, capture=50_000)
    with TestClient(create_app(store, body_limits=limits)) as c:
        yield c


def test_request_bodies_are_bounded_per_route_class(small: TestClient) -> None:
    big = b"{" + b" " * 10_000 + b"}"
    # A declared length over the limit is refused before anything is read, even anonymously.
    r = small.post("/queries/SimpleEventQuery/events", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and _code(r) == "E814" and "2,000 bytes" in r.json()["error"]["message"]
    # Without a length (chunked), the body is counted while it arrives.
    r = small.post("/queries/SimpleEventQuery/events", content=iter([big[:1500], big[1500:]]),
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and _code(r) == "E814"
    # The same 10 kB is within the upload class (the route then refuses the anonymous sender).
    r = small.post("/api/uploads/documents", files=[("files", ("a.txt", b"x" * 10_000))])
    assert r.status_code == 401
    csrf = _login(small, "admin")
    r = small.post("/capture", content=b"[" + b" " * 60_000 + b"]", headers={"X-CSRF-Token": csrf,
                                                                            "content-type": "application/json"})
    assert r.status_code == 413 and "EPCIS capture" in r.json()["error"]["message"]
    r = small.post("/capture", content=iter([b"{" + b" " * 30_000, b" " * 30_000 + b"}"]),
                   headers={"X-CSRF-Token": csrf, "content-type": "application/json"})
    assert r.status_code == 413 and _code(r) == "E814"
    r = small.patch("/api/orgs/1", content=b'{"name": "' + b"x" * 3000 + b'"}',
                    headers={"X-CSRF-Token": csrf, "content-type": "application/json"})
    assert r.status_code == 413


def test_writes_are_refused_before_the_body_is_read(small: TestClient) -> None:
    sent: list[int] = []

    def body() -> Iterator[bytes]:
        for i in range(10):
            sent.append(i)
            yield b"x" * 1000

    r = small.post("/api/uploads/documents", content=body(),
                   headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 401 and _code(r) == "E803"
    r = small.post("/capture", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 401
    assert len(sent) <= 2, f"{len(sent)} chunks of a refused body were read"
