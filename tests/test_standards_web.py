"""标准云享站 pages and REST: search page with badges and facets, a standard's page, 查新 with Excel."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from chainatlas.api.app import create_app
from chainatlas.standards.catalogue import read_catalogue
from chainatlas.standards.importer import import_catalogue
from chainatlas.standards.sample import SAMPLE


@pytest.fixture
def web(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHAINATLAS_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("CHAINATLAS_RESPONSE_TTL", "0")
    import_catalogue(store, read_catalogue([SAMPLE], source="sample"))
    return TestClient(create_app(store))


def test_search_page_and_api(web: TestClient) -> None:
    page = web.get("/standards", params={"q": "yy/t0287"})
    assert page.status_code == 200
    assert page.text.count('data-status="废止"') == 2 and "YY/T 0287-2017" in page.text
    assert "CC BY 4.0" in page.text  # attribution on the page
    words = web.get("/standards", params={"q": "质量管理体系", "status": "现行"})
    assert 'data-number="GB/T 42061-2022"' in words.text and 'data-number="YY/T 0287-2017"' not in words.text
    api = web.get("/api/standards", params={"q": "ISO 10993-5"}).json()
    assert api["total"] == 1 and api["items"][0]["number"] == "GB/T 16886.5-2017"
    assert web.get("/api/standards", params={"q": "x", "status": "作废"}).status_code == 422
    assert "/api/standards" in web.get("/openapi.json").json()["paths"]


def test_standard_page_shows_the_chain(web: TestClient) -> None:
    sid = web.get("/api/standards", params={"q": "YY/T 0287-2017"}).json()["items"][0]["id"]
    detail = web.get(f"/api/standards/{sid}").json()
    assert [e["number"] for e in detail["chain"]] == ["YY/T 0287-2003", "YY/T 0287-2017", "GB/T 42061-2022"]
    page = web.get(f"/standards/{sid}")
    assert page.status_code == 200 and "GB/T 42061-2022" in page.text and "ISO 13485:2016" in page.text
    assert web.get("/standards/999999").status_code == 404


def test_check_table_and_excel(web: TestClient) -> None:
    numbers = "YY/T 0287-2017\nGBT 16886.5\n=cmd|' /C calc'!A0\nISO 10993-5"
    page = web.get("/standards/check", params={"numbers": numbers})
    assert page.status_code == 200 and "GB/T 42061-2022" in page.text and "无法识别" in page.text
    xlsx = web.get("/api/standards/check.xlsx", params={"numbers": numbers})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows[0][2] == "废止" and rows[0][5] == "GB/T 42061-2022"
    assert rows[2][0].startswith("'=")  # formula injection guarded
    api = web.post("/api/standards/check", json={"numbers": ["ISO 10993-5"]}).json()
    assert api["items"][0]["number"] == "GB/T 16886.5-2017"


def test_watch_needs_a_login(web: TestClient) -> None:
    r = web.post("/standards/watch", data={"kind": "standard", "target": "YY/T 0287"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert web.post("/api/standards/watches", json={"kind": "standard", "target": "YY/T 0287"}).status_code == 401
