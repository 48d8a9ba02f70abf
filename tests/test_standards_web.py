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
    # The one write rule of the app: anonymous writes are refused (E803), pages and API alike.
    r = web.post("/standards/watch", data={"kind": "standard", "target": "YY/T 0287"}, follow_redirects=False)
    assert r.status_code == 401 and r.json()["error"]["code"] == "E803"
    assert web.post("/api/standards/watches", json={"kind": "standard", "target": "YY/T 0287"}).status_code == 401


def test_standards_on_node_enterprise_news_and_dashboard(web: TestClient) -> None:
    from datetime import date

    from chainatlas.store.models import Document, Organization, OrganizationNode

    text = "泰州某企业的产品按YY/T 0287—2017建立质量管理体系，并通过GB 9706.1-2020检测。"
    with web.app.state.store.session() as s:
        org = Organization(name="泰州示例医疗器械有限公司", name_key="泰州示例医疗器械有限公司", kind="enterprise",
                           region_adcode="321202")
        s.add(org)
        s.flush()
        s.add(OrganizationNode(organization_id=org.id, node_id="device.device"))
        doc = Document(content_hash="s" * 64, doc_key="std-news", title="示例资讯", published_at=date(2025, 1, 2),
                       original_text=text, normalized_text=text, region_adcode="321200", node_ids=["device.device"])
        s.add(doc)
        s.flush()
        org_id, doc_id = org.id, doc.id
    profile = web.get(f"/orgs/{org_id}")
    assert 'data-testid="applicable-standards"' in profile.text and "GB/T 42061-2022" in profile.text
    news = web.get(f"/documents/{doc_id}")
    assert "YY/T 0287—2017</a>" in news.text  # the cited number links to the standard, as written
    cited = web.get(f"/api/standards/for-document/{doc_id}").json()["cited"]
    assert [c["standard"]["number"] for c in cited] == ["YY/T 0287-2017", "GB 9706.1-2020"]
    panel = web.get("/chain/321200", params={"node": "device.device"})
    assert 'data-testid="applicable-standards"' in panel.text and "GB/T 42061-2022" in panel.text
    node_api = web.get("/api/standards/for-node/device.device").json()
    assert node_api["total"] >= 5 and node_api["items"][0]["status"] == "现行"
    dash = web.get("/dashboard/321200")
    assert 'data-testid="standards-feed"' in dash.text and "/standards/" in dash.text
    detail = web.get("/api/standards", params={"q": "YY/T 0287-2017"}).json()["items"][0]
    page = web.get(f"/api/standards/{detail['id']}").json()
    assert {"id": doc_id, "title": "示例资讯", "published_at": "2025-01-02"} in page["documents"]
    assert {"id": org_id, "name": "泰州示例医疗器械有限公司"} in page["organizations"]
