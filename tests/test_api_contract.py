"""The HTTP contract under hostile parameters: bounded integers, NUL refused, HEAD for every GET,
405 with Allow, every error status documented with its error model, no server paths in reports."""

from __future__ import annotations

import pytest
from browser.seed import ADMIN
from fastapi.testclient import TestClient

from chainatlas.api.limits import api_routes

BIG = str(2**64)
HOSTILE_URLS = [
    f"/api/orgs/{BIG}", f"/api/orgs?offset={BIG}", f"/api/orgs?park={BIG}", f"/api/orgs.xlsx?offset={BIG}",
    f"/api/documents/{BIG}", f"/api/documents?offset={BIG}", f"/api/events?organization_id={BIG}",
    f"/api/events?offset={BIG}", f"/capture?perPage={BIG}", f"/api/search?q=a&year={BIG}",
    f"/api/search?q=a&offset={BIG}", f"/api/chain/泰州/gaps?year={BIG}", f"/api/chain/泰州/gaps?offset={BIG}",
    "/api/orgs?q=a%00b", "/api/orgs?region=%00", "/api/search?q=%00", "/events?EQ_bizStep=%00",
    "/api/regions/%00", "/api/taxonomy/nodes/%00",
    # Control characters in filters (the Excel export writes its filters into the sheet).
    "/api/orgs.xlsx?q=%01", "/api/orgs.xlsx?node=%1F", "/api/orgs.xlsx?tier=%08", "/api/orgs?kind=%7F",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_out_of_range_and_nul_parameters_are_refused_not_crashes(client: TestClient, url: str) -> None:
    client = TestClient(client.app, raise_server_exceptions=False)
    r = client.get(url)
    assert r.status_code == 422, (url, r.status_code, r.text[:200])
    assert r.json()["error"]["code"] == "E802"


def test_nul_in_a_login_or_an_edit_is_refused(client: TestClient) -> None:
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": "ad\u0000min", "password": "x" * 9},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    r = client.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}, headers={"X-CSRF-Token": csrf})
    csrf = r.json()["csrf_token"]
    r = client.patch(f"/api/orgs/{client.ids['ab']}", json={"name": "泰州\u0000药业"},  # type: ignore[attr-defined]
                     headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "name" in r.json()["error"]["message"]


def test_head_answers_every_get_route_without_a_body(client: TestClient) -> None:
    for path in ("/", "/api/orgs", "/api/regions", "/openapi.json", "/events"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers.get("content-type") == get.headers.get("content-type")


def test_undeclared_method_is_405_with_allow(client: TestClient) -> None:
    for method, path, allowed in (("TRACE", "/api/orgs", "GET"), ("DELETE", "/capture", "POST"),
                                  ("PUT", "/api/auth/login", "POST")):
        r = client.request(method, path)
        assert r.status_code == 405 and r.json()["error"]["code"] == "E808", (method, path)
        assert allowed in r.headers["allow"], (method, path, r.headers)


def test_every_operation_documents_its_errors(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    writes = {(m.lower(), r.path) for r in api_routes(client.app.routes) if r.roles is not None for m in r.methods}
    assert writes
    for path, item in doc["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"400", "404", "413", "422", "500"} <= codes, (method, path, codes)
            err = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert err.endswith("/ErrorBody")
            if (method, path) in writes:
                assert {"401", "403"} <= codes, (method, path)
    assert "application/ld+json" in doc["paths"]["/events"]["get"]["responses"]["200"]["content"]
    assert "application/problem+json" in doc["paths"]["/capture"]["post"]["responses"]["415"]["content"]


def test_upload_report_names_the_uploaders_file_not_a_server_path(client: TestClient) -> None:
    pytest.importorskip("chainatlas.ingest.pipeline")
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}, headers={"X-CSRF-Token": csrf})
    csrf = r.json()["csrf_token"]
    r = client.post("/api/uploads/documents", files=[("files", ("空文件说明.txt", b"\x00\x01\x02" * 10))],
                    headers={"X-CSRF-Token": csrf})
    assert "chainatlas-upload-" not in r.text and "/tmp" not in r.text, r.text


@pytest.mark.parametrize("url", [f"/orgs?offset={BIG}", f"/orgs/{BIG}", f"/documents/{BIG}",
                                 f"/news?offset={BIG}", f"/search?q=a&offset={BIG}"])
def test_pages_bound_their_integers_too(client: TestClient, url: str) -> None:
    r = TestClient(client.app, raise_server_exceptions=False).get(url, headers={"accept": "text/html"})
    assert r.status_code == 422, (url, r.status_code)
