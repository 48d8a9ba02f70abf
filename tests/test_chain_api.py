"""The /api/chain endpoints on a bare FastAPI app over the hand-built cluster (both backends)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from store_support import settle_data_version
from test_analyse import build_cluster

from chainatlas.api.routes.chain import router


@pytest.fixture
def client(store):  # type: ignore[no-untyped-def]
    ids = build_cluster(store)
    app = FastAPI()
    app.state.store = store
    app.include_router(router)
    with TestClient(app) as c:
        c.ids = ids  # type: ignore[attr-defined]
        yield c


def test_report_and_map(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/chain/泰州市/report")
    assert r.status_code == 200, r.text
    body = r.json()
    for key in ("region", "nodes", "gaps", "choke_points", "bottlenecks", "leaders", "ladder", "corridors",
                "indicators"):
        assert key in body
    assert body["leaders"][0]["name"] == "泰州制剂甲"
    m = client.get("/api/chain/321200/map").json()
    nodes = {n["id"]: n for n in m["nodes"]}
    assert nodes["t.api"]["status"] == "gap" and nodes["t.form"]["value"] == 2
    link = next(x for x in m["links"] if x["source"] == "t.api" and x["target"] == "t.form")
    assert link["gap"] and not link["active"]
    assert next(x for x in m["links"] if x["source"] == "t.exc")["active"]


def test_sections_are_paged(client) -> None:  # type: ignore[no-untyped-def]
    g = client.get("/api/chain/泰州/gaps", params={"limit": 1}).json()
    assert g["total"] == 2 and len(g["items"]) == 1 and g["items"][0]["evidence"]["organizations"]
    g2 = client.get("/api/chain/泰州/gaps", params={"limit": 1, "offset": 1}).json()
    assert g2["items"][0]["node_id"] != g["items"][0]["node_id"]
    assert client.get("/api/chain/泰州/choke-points").json()["total"] == 2
    assert client.get("/api/chain/泰州/bottlenecks").json()["items"][0]["node_id"] == "t.medium"
    assert client.get("/api/chain/泰州/leaders").json()["items"][0]["id"] == client.ids["A"]
    lad = client.get("/api/chain/泰州/ladder").json()
    assert {t["label"]: t["count"] for t in lad["tiers"]}["规上"] == 4  # 丁 by revenue over the line
    cor = client.get("/api/chain/泰州/corridors").json()
    assert any(c["kind"] == "relation" for c in cor["items"])
    ind = client.get("/api/chain/泰州/indicators").json()
    assert {i["indicator"]: i["target"] for i in ind["items"]}["guishang_count_multiple"] == 8


def test_node_drilldown(client) -> None:  # type: ignore[no-untyped-def]
    d = client.get("/api/chain/泰州市/nodes/t.form").json()
    assert d["organizations"]["total"] == 2
    assert [o["name"] for o in d["organizations"]["items"]] == ["泰州制剂甲", "泰州制剂乙"]
    gap = client.get("/api/chain/泰州市/nodes/t.api").json()
    assert gap["node"]["status"] == "gap" and gap["candidates"][0]["name"] == "武汉原料药己"
    rel = client.get("/api/chain/泰州市/nodes/t.exc").json()["suppliers_into_region"]
    assert rel[0]["supplier"] == "上海辅料辛" and rel[0]["source"] == "fixture"  # hydrated from the relation row


def test_compare_and_corridors(client) -> None:  # type: ignore[no-untyped-def]
    c = client.get("/api/chain/compare", params={"regions": "泰州市,泰安市"}).json()
    assert [r["region"]["name"] for r in c["regions"]] == ["泰州市", "泰安市"]
    row = next(n for n in c["nodes"]["items"] if n["id"] == "t.api")
    assert row["leader"] == "泰安市"
    k = client.get("/api/chain/corridors", params={"regions": "泰安市,泰州市,武汉市"}).json()
    assert k["total"] >= 2


def test_errors(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/chain/没有这个地方/report").status_code == 404
    assert client.get("/api/chain/泰州市/nodes/no.such.node").status_code == 404
    assert client.get("/api/chain/compare", params={"regions": "泰州市"}).status_code == 422
    assert client.get("/api/chain/泰州市/gaps", params={"limit": 0}).status_code == 422


def test_region_endpoints_share_one_cached_report_until_a_write(client, store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.regions import RegionIndex
    from chainatlas.store.models import Organization, OrganizationNode
    from chainatlas.web import chain_view as cv

    settle_data_version(store)
    cv.clear_reports()
    calls: list[str] = []
    real = cv._compute

    def counting(session, region, *rest):  # type: ignore[no-untyped-def]
        calls.append(region)
        return real(session, region, *rest)

    monkeypatch.setattr(cv, "_compute", counting)
    for path in ("map", "map", "gaps", "leaders", "ladder", "choke-points", "report"):
        assert client.get(f"/api/chain/泰州市/{path}").status_code == 200
    assert len(calls) == 1
    assert client.get("/api/chain/泰州市/map", params={"peers": "泰安市"}).status_code == 200
    assert len(calls) == 2  # other peers: another report
    d1 = client.get("/api/chain/泰州市/nodes/t.form").json()
    assert client.get("/api/chain/泰州市/nodes/t.form").json() == d1
    # A write (here straight to the store, as an import from another process would) is seen:
    with store.session() as s:
        org = Organization(name="泰州原料药新", name_key="泰州原料药新", kind="enterprise",
                           region_adcode=RegionIndex(s).get("泰州市").adcode)
        s.add(org)
        s.flush()
        s.add(OrganizationNode(organization_id=org.id, node_id="t.api"))
    nodes = {n["id"]: n for n in client.get("/api/chain/泰州市/map").json()["nodes"]}
    assert len(calls) == 3 and nodes["t.api"]["status"] != "gap" and nodes["t.api"]["organization_count"] == 1
    assert client.get("/api/chain/泰州市/nodes/t.form").json()["node"]["organization_count"] == 2
    assert len(calls) == 3
    cv.clear_reports()
