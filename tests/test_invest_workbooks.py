"""An office's project sheet in (row errors reported, good rows kept, rerun idempotent),
workbooks out with formula text guarded; targets leave out firms present locally through a
subsidiary; the 精准招商 pages render with untrusted names escaped — on both backends."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chainatlas.invest.excel import import_projects_xlsx
from chainatlas.invest.projects import list_projects
from chainatlas.invest.targets import targets_for
from chainatlas.store.models import Organization, OrganizationNode, Project, Relation


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "阶段", "日期", "总投资(万元)", "所在地区", "投资方"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_reports_bad_rows_and_is_idempotent(client: TestClient, tmp_path: Path) -> None:
    store = client.store  # type: ignore[attr-defined]
    path = _sheet(tmp_path / "台账.xlsx", [
        ["@SUM(A1)测试原料药项目", "签约", "2024-03-01", 50000, "泰州", "甲公司、乙公司"],
        ["坏阶段项目", "建成", "2024-03-01", 100, "泰州", ""],
        ["坏地区项目", "洽谈", None, 100, "火星市", ""],
        ["坏金额项目", "洽谈", None, "很多", "泰州", ""],
        ["测试制剂项目", "开工", "2024-05-01", None, "泰州", ""],
    ])
    first = import_projects_xlsx(store, path)
    assert first["imported"] == 2 and len(first["errors"]) == 3
    assert any("E661" in e and ":3]" in e for e in first["errors"])
    assert any("E664" in e and ":4]" in e for e in first["errors"])
    assert any("E663" in e and ":5]" in e for e in first["errors"])
    again = import_projects_xlsx(store, path)
    assert again["imported"] == 2
    with store.session() as s:
        assert s.scalar(select(func.count(Project.id))) == 2
        items, _ = list_projects(s, region="泰州")
    p = next(x for x in items if "原料药" in x["name"])
    assert p["investment"] == 5e8 and p["stage"] == "签约" and {o["name"] for o in p["organizations"]} == {"甲公司", "乙公司"}
    # The monthly report carries that name as text, not as a formula.
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/api/projects/report.xlsx?month=2024-03").content))
    risky = [c for (c,) in wb["项目清单"].iter_rows(min_row=2, max_col=1) if str(c.value).startswith("@SUM(A1)")]
    assert risky and all(c.data_type == "s" for c in risky)


def test_firm_with_a_local_subsidiary_is_left_out_and_said_so(client: TestClient) -> None:
    store, ids = client.store, client.ids  # type: ignore[attr-defined]
    with store.session() as s:
        parent = Organization(name="武汉培养基集团有限公司", name_key="武汉培养基集团有限公司", kind="enterprise",
                              region_adcode="420100", source="test")
        s.add(parent)
        s.flush()
        s.add(OrganizationNode(organization_id=parent.id, node_id="bio.media"))
        # Its subsidiary sits in 泰州: the group is already present.
        s.add(Relation(source_id=ids["ab"], target_id=parent.id, type="subsidiary_of", source="test"))
        pid = parent.id
    with store.session() as s:
        res = targets_for(s, "泰州", "bio.media")
    assert pid not in [t["id"] for t in res["targets"]]
    assert {"id": pid, "name": "武汉培养基集团有限公司", "reason": "在本地已有子公司"} in res["excluded_local"]
    assert ids["media"] in [t["id"] for t in res["targets"]]


def test_pages_render_and_escape(client: TestClient) -> None:
    r = client.get("/invest?region=321200&node=bio.media")
    assert r.status_code == 200 and "武汉培养基科技有限公司" in r.text and "链主招商" in r.text
    assert "<img src=x" not in r.text  # the seeded hostile name is escaped wherever it shows
    assert client.get("/projects").status_code == 200
    assert client.get("/invest/list").status_code == 200
    assert client.get("/projects/999999").status_code == 404
    # Form writes need a login and the session's CSRF token.
    r = client.post("/invest/shortlist", data={"region": "321200", "node": "bio.media",
                                               "organization_id": client.ids["media"]},  # type: ignore[attr-defined]
                    follow_redirects=False)
    assert r.status_code in (401, 403)


def test_analyst_enters_and_edits_a_project_in_the_web(client: TestClient) -> None:
    from browser.seed import ANALYST

    csrf = client.get("/api/auth/me").json()["csrf_token"]
    csrf = client.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]},
                       headers={"X-CSRF-Token": csrf}).json()["csrf_token"]
    r = client.post("/projects/new", data={"csrf_token": csrf, "name": "网页录入测试项目", "stage": "签约",
                                           "stage_date": "2024-02-01", "investment_yi": "3.5", "region": "泰州",
                                           "organizations": "甲公司、乙公司"}, follow_redirects=False)
    assert r.status_code == 303
    pid = int(r.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/projects/{pid}/edit", data={"csrf_token": csrf, "name": "网页录入测试项目", "investment_yi": "4",
                                                   "stage": "开工", "stage_date": "2024-07-01"}, follow_redirects=False)
    assert r.status_code == 303
    p = client.get(f"/api/projects/{pid}").json()
    assert p["investment"] == 4e8 and p["stage"] == "开工" and p["region_adcode"] == "321200"
    assert [(s["stage"], s["date"]) for s in p["stages"]] == [("签约", "2024-02-01"), ("开工", "2024-07-01")]
    assert "investment" in p["manual_fields"]
    r = client.post(f"/projects/{pid}/edit", data={"csrf_token": "forged", "name": "x"}, follow_redirects=False)
    assert r.status_code == 403


def test_sheet_upload_needs_login_and_reports_rows(client: TestClient, tmp_path: Path) -> None:
    from browser.seed import ANALYST

    path = _sheet(tmp_path / "upload.xlsx", [["上传测试项目", "签约", "2024-04-01", 2000, "泰州", "丙公司"],
                                             ["", "签约", None, None, None, None],
                                             ["上传坏行项目", "建成", None, None, None, None]])
    files = {"file": ("upload.xlsx", path.read_bytes(), "application/octet-stream")}
    assert client.post("/api/projects/import", files=files).status_code in (401, 403)
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    csrf = client.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]},
                       headers={"X-CSRF-Token": csrf}).json()["csrf_token"]
    r = client.post("/api/projects/import", files=files, headers={"X-CSRF-Token": csrf})
    errors = r.json()["errors"]
    assert r.status_code == 200 and r.json()["imported"] == 1 and len(errors) == 2 and "E665" in errors[0]
    r = client.post("/projects/import", files=files, data={"csrf_token": csrf})
    assert r.status_code == 200 and "E661" in r.text and "upload.xlsx:4" in r.text
    assert client.get("/api/projects", params={"q": "上传测试"}).json()["total"] == 1
