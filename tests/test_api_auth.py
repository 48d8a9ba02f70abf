"""Writes need a login, a role and a CSRF token; passwords are argon2 hashes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from browser.seed import ADMIN, ANALYST
from fastapi.testclient import TestClient
from sqlalchemy import select

from chainatlas.api.security import authenticate, verify_password
from chainatlas.store.models import AppUser, Organization


def _login(c: TestClient, user: tuple[str, str]) -> str:
    csrf = c.get("/api/auth/me").json()["csrf_token"]
    r = c.post("/api/auth/login", json={"username": user[0], "password": user[1]}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def test_passwords_are_argon2(client: TestClient) -> None:
    with client.store.session() as s:  # type: ignore[attr-defined]
        u = s.scalar(select(AppUser).where(AppUser.username == ADMIN[0]))
        assert u.password_hash.startswith("$argon2id$")
        assert verify_password(u.password_hash, ADMIN[1]) and not verify_password(u.password_hash, "nope")
        assert authenticate(s, ADMIN[0], "wrong") is None and authenticate(s, "ghost", "x" * 9) is None


def test_edit_needs_login_role_and_csrf(client: TestClient) -> None:
    oid = client.ids["ab"]  # type: ignore[attr-defined]
    r = client.patch(f"/api/orgs/{oid}", json={"listing_code": "688001.SH"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "E803"
    csrf = _login(client, ANALYST)
    r = client.patch(f"/api/orgs/{oid}", json={"listing_code": "688001.SH"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "E805"
    r = client.patch(f"/api/orgs/{oid}", json={"listing_code": "688001.SH"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "E805"
    r = client.patch(f"/api/orgs/{oid}", json={"listing_code": "688001.SH", "name": "泰州抗体药业股份有限公司"},
                     headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert r.json()["listing_code"] == "688001.SH" and r.json()["name"] == "泰州抗体药业股份有限公司"
    assert "edited by ana" in r.json()["source"]
    r = client.patch(f"/api/orgs/{oid}", json={"uscc": "91320000000000000X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and r.json()["error"]["code"].startswith("E31")
    r = client.patch(f"/api/orgs/{oid}", json={"region_adcode": "999999"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "region_adcode" in r.json()["error"]["message"]
    with client.store.session() as s:  # type: ignore[attr-defined]
        assert s.get(Organization, oid).name == "泰州抗体药业股份有限公司"  # the bad edits changed nothing


def test_enterprise_role_cannot_edit(client: TestClient) -> None:
    csrf = _login(client, ("ent", "enterprise pass 1"))
    r = client.patch(f"/api/orgs/{client.ids['ab']}", json={"listing_code": "x"},  # type: ignore[attr-defined]
                     headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["error"]["code"] == "E804"


def test_login_form_csrf_and_session_cookie(client: TestClient) -> None:
    page = client.get("/login", headers={"accept": "text/html"})
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    r = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": "bad"},
                    headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 403
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": ADMIN[0], "password": "wrong", "csrf_token": token},
                    headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 401
    r = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token,
                                    "next": "//evil.example/"}, headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    assert client.get("/api/auth/me").json()["user"]["role"] == "admin"
    # The session id changed at login: the pre-login token no longer works.
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403


def test_write_pages_redirect_to_login(client: TestClient) -> None:
    r = client.get("/admin", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/admin")
    r = client.post("/api/uploads/registry", files={"file": ("a.csv", b"x")})
    assert r.status_code == 401 and r.json()["error"]["code"] == "E803"


def test_uploads(client: TestClient) -> None:
    pytest.importorskip("chainatlas.registry.importer")
    pytest.importorskip("chainatlas.ingest.pipeline")
    csrf = _login(client, ADMIN)
    wb = openpyxl.Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "所属地区", "2023年营业收入(万元)"])
    wb.active.append(["泰州上传测试医药有限公司", "", "泰州市", 2500])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/api/uploads/registry", files={"file": ("名录.xlsx", buf.getvalue())},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    assert client.get("/api/orgs", params={"q": "泰州上传测试"}).json()["page"]["total"] == 1
    r = client.post("/api/uploads/registry", files={"file": ("x.exe", b"MZ")}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and r.json()["error"]["code"] == "E806"
    page = "<html><head><title>泰州新药开工</title></head><body><p>泰州上传测试医药有限公司新厂房今日开工，总投资5亿元。</p></body></html>"
    before = client.get("/api/documents").json()["page"]["total"]  # the seeded pages
    r = client.post("/api/uploads/documents", files=[("files", ("news.html", page.encode()))],
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 202, r.text  # a background job: the request does not wait for the ingest
    job = wait_for_job(client, r.json()["id"], csrf)
    assert job["state"] == "done", job
    assert client.get("/api/documents").json()["page"]["total"] == before + 1


def wait_for_job(client: TestClient, job_id: str, csrf: str, seconds: float = 180) -> dict:
    import time

    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/api/uploads/jobs/{job_id}", headers={"X-CSRF-Token": csrf}).json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_writes_clear_cached_reads(client: TestClient) -> None:
    oid = client.ids["ab"]  # type: ignore[attr-defined]
    with TestClient(client.app) as anonymous:
        assert anonymous.get(f"/api/orgs/{oid}").json()["listing_code"] is None
        again = anonymous.get(f"/api/orgs/{oid}")
        assert again.headers.get("x-cache") == "hit"
        assert "content-security-policy" in again.headers
        csrf = _login(client, ANALYST)
        r = client.patch(f"/api/orgs/{oid}", json={"listing_code": "688001.SH"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200
        assert anonymous.get(f"/api/orgs/{oid}").json()["listing_code"] == "688001.SH"


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client: TestClient) -> None:
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    codes = []
    for _ in range(6):
        r = client.post("/api/auth/login", json={"username": ADMIN[0], "password": "wrong-password"},
                        headers={"X-CSRF-Token": csrf})
        codes.append(r.json()["error"]["code"])
    assert codes == ["E803"] * 5 + ["E809"]
    r = client.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 429 and "try again" in r.json()["error"]["message"]
    # The login page says so in the user's language instead of failing with an error page.
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    # Other accounts still log in.
    _login(client, ANALYST)
