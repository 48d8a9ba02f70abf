"""REST API for documents, events and search, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from browser.seed import PAYLOAD_TEXT
from fastapi.testclient import TestClient


def test_feed_and_document(client: TestClient) -> None:
    feed = client.get("/api/documents", params={"region": "泰州"}).json()
    assert feed["page"]["total"] == 1
    item = feed["items"][0]
    assert item["excerpt"].startswith("泰州疫苗生物有限公司")  # body, not the navigation
    assert item["nodes"] == [{"id": "bio.vaccine", "name": item["nodes"][0]["name"]}]
    assert client.get("/api/documents", params={"region": "武汉"}).json()["page"]["total"] == 0
    assert client.get("/api/documents", params={"subchain": "bio"}).json()["page"]["total"] == 1
    assert client.get("/api/documents", params={"node": "chem.api"}).json()["page"]["total"] == 0
    doc = client.get(f"/api/documents/{item['id']}").json()
    assert doc["normalized_text"] == PAYLOAD_TEXT
    kinds = sorted(s["kind"] for s in doc["spans"])
    assert kinds == ["event", "figure", "org"]
    org = next(s for s in doc["spans"] if s["kind"] == "org")
    assert PAYLOAD_TEXT[org["start"]:org["end"]] == "泰州疫苗生物有限公司"
    assert [s[2] for s in doc["segments"]] == ["boilerplate", "body", "sidebar"]


def test_events(client: TestClient) -> None:
    ev = client.get("/api/events", params={"region": "321200"}).json()
    assert ev["page"]["total"] == 1
    e = ev["items"][0]
    assert e["type"] == "签约落户" and e["amount"] == 1.23e9 and e["organization_name"] == "泰州疫苗生物有限公司"
    assert client.get("/api/events", params={"type": "融资"}).json()["items"] == []


@pytest.mark.parametrize("term", ["疫苗", "泰州", "培养基", "签约"])
def test_search_finds_two_character_terms(client: TestClient, term: str) -> None:
    res = client.get("/api/search", params={"q": term}).json()
    assert res["page"]["total"] >= 1, term
    for item in res["items"]:
        text = "".join(t for t, _ in item["title_pieces"]) + "".join(t for t, _ in item["snippet"])
        marked = [t for t, hit in item["title_pieces"] + item["snippet"] if hit]
        assert term in text or item["kind"] == "organization"
        assert all(term.lower() in m.lower() or m for m in marked)


def test_search_facets_and_filters(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "疫苗"}).json()
    kinds = {f["value"]: f["count"] for f in res["facets"]["kind"]}
    assert kinds["document"] == 1 and kinds["organization"] >= 1
    assert {f["value"] for f in res["facets"]["region"]} == {"321200"}
    assert res["facets"]["year"] == [{"value": 2024, "count": 1}]
    docs = client.get("/api/search", params={"q": "疫苗", "type": "document"}).json()
    assert [i["kind"] for i in docs["items"]] == ["document"]
    assert any(hit for _, hit in docs["items"][0]["snippet"])
    assert client.get("/api/search", params={"q": "疫苗", "region": "武汉"}).json()["page"]["total"] == 0
    assert client.get("/api/search", params={"q": "疫苗", "year": 2020}).json()["page"]["total"] == 0
    # Text in noise segments (the sidebar) does not make the page match.
    assert client.get("/api/search", params={"q": "文明城市"}).json()["page"]["total"] == 0
    assert client.get("/api/search", params={"q": ""}).json()["error"]["code"] == "E802"
