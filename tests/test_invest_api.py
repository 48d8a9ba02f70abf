"""Projects from pages merged across stages, the CLI contract, analyst edits kept over
rebuilds, writes behind login + CSRF, the target list workflow, KPIs — on both backends."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
from browser.seed import ANALYST
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.ingest.pipeline import ingest_paths
from chainatlas.invest.build import build_projects
from chainatlas.invest.pipeline import pipeline_kpis
from chainatlas.invest.projects import create_project, list_projects

SIGNED = "发布时间：2023-03-02\n测试新闻\n\n3月1日，泰州市与某某生物签订测试带状疱疹疫苗产业化基地项目协议，总投资12亿元。\n"
STARTED = "发布时间：2024-05-10\n测试新闻二\n\n5月8日，测试带状疱疹疫苗产业化基地项目在泰州医药高新区开工建设。\n"


def _login(c: TestClient) -> str:
    csrf = c.get("/api/auth/me").json()["csrf_token"]
    r = c.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def _pages(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "signed.txt", tmp_path / "started.txt"
    a.write_text(SIGNED, encoding="utf-8")
    b.write_text(STARTED, encoding="utf-8")
    return [a, b]


def test_signing_then_groundbreaking_is_one_project_with_two_dated_stages(client: TestClient, tmp_path: Path) -> None:
    store = client.store  # type: ignore[attr-defined]
    ingest_paths(store, _pages(tmp_path), workers=1)
    with store.session() as s:
        build_projects(s)
    with store.session() as s:  # a rebuild changes nothing
        build_projects(s)
    out = CliRunner().invoke(app, ["projects", "list", "--region", "泰州", "--json", "--db", str(store.url)])
    assert out.exit_code == 0, out.output
    items = json.loads(out.stdout)["items"]  # stdout is the JSON document alone
    mine = [p for p in items if "带状疱疹疫苗产业化基地" in p["name"]]
    assert len(mine) == 1
    p = mine[0]
    assert p["stage"] == "开工" and p["investment"] == 1.2e9 and p["region_adcode"].startswith("3212")
    dated = sorted((st["stage"], st["date"]) for st in p["stages"] if st["date"])
    assert dated == [("开工", "2024-05-08"), ("签约", "2023-03-01")]
    assert {e["document_id"] for e in p["evidence"]} and all(e["sentence"] for e in p["evidence"])
    for key in ("name", "stage", "investment", "region", "organizations", "stages", "evidence"):
        assert key in p
    # --stage filters
    out = CliRunner().invoke(app, ["projects", "list", "--stage", "签约", "--json", "--db", str(store.url)])
    assert all(x["stage"] == "签约" for x in json.loads(out.stdout)["items"])


def test_edit_needs_login_and_survives_rebuild(client: TestClient, tmp_path: Path) -> None:
    store = client.store  # type: ignore[attr-defined]
    ingest_paths(store, _pages(tmp_path), workers=1)
    with store.session() as s:
        build_projects(s)
        pid = list_projects(s, q="带状疱疹")[0][0]["id"]
    assert client.patch(f"/api/projects/{pid}", json={"investment": 1.5e9}).status_code in (401, 403)
    csrf = _login(client)
    assert client.patch(f"/api/projects/{pid}", json={"investment": 1.5e9}).status_code == 403  # no CSRF header
    r = client.patch(f"/api/projects/{pid}", json={"investment": 1.5e9}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["investment"] == 1.5e9
    r = client.patch(f"/api/projects/{pid}", json={"stage": "建成"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "E661" in r.text
    with store.session() as s:
        build_projects(s)
    assert client.get(f"/api/projects/{pid}").json()["investment"] == 1.5e9


def test_kpis_name_stalled_signings(client: TestClient) -> None:
    store = client.store  # type: ignore[attr-defined]
    with store.session() as s:
        create_project(s, {"name": "停滞测试项目", "stage": "签约", "region_adcode": "321200"},
                       stage_date=date(2023, 1, 5))
        create_project(s, {"name": "开工测试项目", "stage": "签约", "region_adcode": "321200"},
                       stage_date=date(2024, 2, 1))
    with store.session() as s:
        from chainatlas.invest.projects import add_stage

        pid = list_projects(s, q="开工测试")[0][0]["id"]
        add_stage(s, pid, "开工", date(2024, 6, 1))
    with store.session() as s:
        k = pipeline_kpis(s, region="泰州", today=date(2024, 12, 1))
    assert [x["name"] for x in k["stalled"]] == ["停滞测试项目"]
    assert k["start_rate"] == 0.5 and k["median_days"]["签约→开工"] == 121
    assert [f["count"] for f in k["funnel"]][:3] == [2, 2, 1]
    r = client.get("/api/projects/report.xlsx?region=泰州&month=2024-06")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "概览"
    rows = list(wb["本月进展"].iter_rows(values_only=True))
    assert rows[0][0] == "项目" and any(row[0] == "开工测试项目" and row[1] == "开工" for row in rows[1:])


def test_target_list_workflow(client: TestClient) -> None:
    res = client.get("/api/invest/targets", params={"region": "泰州", "node": "bio.vaccine"}).json()
    assert "targets" in res and "excluded_local" in res
    for t in res["targets"]:
        assert t["factors"] and all(f["evidence"] for f in t["factors"]) and t["why_now"]
        assert not (t["region_adcode"] or "").startswith("3212")
        assert sum(f["points"] for f in t["factors"]) == t["score"] or abs(
            sum(f["points"] for f in t["factors"]) - t["score"]) < 1e-6
    if not res["targets"]:
        return
    org = res["targets"][0]["id"]
    body = {"region": "泰州", "node_id": "bio.vaccine", "organization_id": org}
    assert client.post("/api/invest/list", json=body).status_code in (401, 403)
    csrf = _login(client)
    r = client.post("/api/invest/list", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["status"] == "未接触"
    tid = r.json()["id"]
    r = client.patch(f"/api/invest/list/{tid}", json={"status": "放弃"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "E675" in r.text
    r = client.patch(f"/api/invest/list/{tid}", json={"status": "已接触", "note": "电话沟通", "next_contact": "2025-01-10"},
                     headers={"X-CSRF-Token": csrf})
    assert r.json()["status"] == "已接触" and r.json()["notes"][0]["text"] == "电话沟通"
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/api/invest/list.xlsx").content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("地区", "产业链环节", "目标企业") and rows[1][6] == "已接触" and rows[1][4]
