"""REST API for organizations, regions and taxonomy, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient


def test_list_filters_sort_and_totals(client: TestClient) -> None:
    body = client.get("/api/orgs", params={"region": "泰州"}).json()
    assert body["page"]["total"] == 3
    names = [o["name"] for o in body["items"]]
    assert names[0] == "泰州疫苗生物有限公司"  # sorted by latest revenue, largest first
    assert body["items"][0]["revenue_wan"] == 123000.0
    assert body["items"][0]["revenue_text"] == "12.3亿元"
    assert "武汉培养基科技有限公司" not in names
    by_node = client.get("/api/orgs", params={"region": "321200", "node": "bio.vaccine"}).json()
    assert {o["name"] for o in by_node["items"]} >= {"泰州疫苗生物有限公司"}
    by_tier = client.get("/api/orgs", params={"tier": "专精特新小巨人"}).json()
    assert [o["name"] for o in by_tier["items"]] == ["泰州疫苗生物有限公司"]
    assert by_tier["items"][0]["tiers"] == ["专精特新小巨人", "规上"]
    by_kind = client.get("/api/orgs", params={"kind": "hospital"}).json()
    assert by_kind["page"]["total"] == 0 and by_kind["items"] == []
    by_name = client.get("/api/orgs", params={"q": "抗体"}).json()
    assert [o["name"] for o in by_name["items"]] == ["泰州抗体药业有限公司"]


def test_pagination(client: TestClient) -> None:
    total = client.get("/api/orgs", params={"limit": 1}).json()["page"]["total"]
    assert total > 2  # the seed holds more than one page of two
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/api/orgs", params={"limit": 2, "offset": offset, "sort": "name"}).json()
        assert page["page"]["total"] == total and page["page"]["limit"] == 2 and page["page"]["offset"] == offset
        seen += [o["id"] for o in page["items"]]
        offset = page["page"]["next_offset"]
        assert offset is None or offset == page["page"]["offset"] + 2
    assert len(seen) == len(set(seen)) == total


def test_excel_export_is_the_list(client: TestClient) -> None:
    params = {"region": "泰州", "limit": 2}
    shown = client.get("/api/orgs", params=params).json()["items"]
    r = client.get("/api/orgs.xlsx", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [o["name"] for o in shown]
    assert rows[0][5] == "12.3亿元" and rows[0][8] == 123000.0
    assert ws.cell(row=1, column=1).value == "名称"


def test_profile(client: TestClient) -> None:
    vac = client.ids["vac"]  # type: ignore[attr-defined]
    p = client.get(f"/api/orgs/{vac}").json()
    assert p["name"] == "泰州疫苗生物有限公司"
    assert p["region"][0]["name"] == "泰州市" and p["region"][-1]["name"] == "江苏省"
    assert {t["label"]: t["issuer"] for t in p["tiers"]}["专精特新小巨人"] == "工业和信息化部"
    assert [f["year"] for f in p["figures"] if f["kind"] == "revenue"] == [2022, 2023]
    assert p["relations"][0]["direction"] == "in" and p["relations"][0]["type"] == "supplier_of"
    assert p["events"][0]["type"] == "签约落户"
    m = p["mentions"][0]
    assert m["sentence"]["match"] == "泰州疫苗生物有限公司"
    assert m["sentence"]["after"].startswith("今年3月")


def test_errors_are_json_with_codes(client: TestClient) -> None:
    r = client.get("/api/orgs/999999")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "E801" and "999999" in r.json()["error"]["message"]
    r = client.get("/api/orgs", params={"limit": "lots"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "E802"
    assert "limit" in r.json()["error"]["message"]
    r = client.get("/api/orgs", params={"region": "亚特兰蒂斯"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "E807"
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "E801"
    r = client.delete("/api/orgs")
    assert r.status_code == 405 and r.json()["error"]["code"] == "E808"


def test_regions_and_taxonomy(client: TestClient) -> None:
    regions = client.get("/api/regions").json()
    assert {r["name"] for r in regions} >= {"泰州市", "武汉市"}
    r = client.get("/api/regions/泰州").json()
    assert r["adcode"] == "321200" and r["parents"][0]["name"] == "江苏省"
    nodes = client.get("/api/taxonomy/nodes", params={"subchain": "bio"}).json()
    assert any(n["id"] == "bio.vaccine" for n in nodes)
    node = client.get("/api/taxonomy/nodes/bio.vaccine").json()
    assert "bio.media" in node["inputs"] and node["keywords"]
    assert client.get("/api/taxonomy/nodes/nope").json()["error"]["code"] == "E801"
    assert any(link["from"] == "bio.media" for link in client.get("/api/taxonomy/links").json())


def test_openapi_documents_every_resource(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/orgs", "/api/orgs.xlsx", "/api/orgs/{org_id}", "/api/regions", "/api/taxonomy/nodes",
              "/api/documents", "/api/documents/{doc_id}", "/api/events", "/api/search", "/api/uploads/registry",
              "/api/uploads/documents", "/api/auth/login"):
        assert p in paths, p
