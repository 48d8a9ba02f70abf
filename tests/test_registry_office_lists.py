"""Office-shaped lists as they arrive: no year on the figures, 行业代码 with and without the section
letter, 3- and 4-digit codes, a bad code; several header hands. Every firm is kept, every figure is
either dated from where the file says it or kept as 年度未知, and the list alone yields a chain map."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from chainatlas.analyse import chain_report
from chainatlas.api.queries.orgs import OrgFilter, list_orgs, org_profile
from chainatlas.registry import uscc
from chainatlas.registry.importer import import_orgs, year_in
from chainatlas.registry.placement import normalize_code
from chainatlas.store import Store
from chainatlas.store.models import Organization, OrganizationNode, YearlyFigure

OFFICE_HEADER = ["企业名称", "统一社会信用代码", "所属地区", "行业代码", "营业收入(万元)", "是否规上"]
# (name, 行业代码 as written, 营业收入 万元) — 20 firms, the shape the issue describes.
FIRMS = [
    ("泰州测试中成药甲有限公司", "2740", 52000), ("泰州测试中成药乙有限公司", "C2740", 18000),
    ("泰州测试原料药甲有限公司", "2710", 33000), ("泰州测试原料药乙有限公司", "C2710", 9000),
    ("泰州测试辅料包材有限公司", "2780", 6000), ("泰州测试制剂甲有限公司", "C2720", 41000),
    ("泰州测试制剂乙有限公司", "272", 12000), ("泰州测试中成药丙有限公司", "274", 7000),
    ("泰州测试生物制药有限公司", "2761", 25000), ("泰州测试基因工程有限公司", "C276", 15000),
    ("泰州测试敷料有限公司", "2770", 3000), ("泰州测试器械甲有限公司", "C358", 8800),
    ("泰州测试制药设备有限公司", "3544", 4100), ("泰州测试医药批发有限公司", "F5151", 60000),
    ("泰州测试中药饮片有限公司", "2730", 5200), ("泰州测试保健食品有限公司", "C1492", 2100),
    ("泰州测试医药大类有限公司", "27", 1000),  # a division: too broad to place, kept
    ("泰州测试错码甲有限公司", "27A0", 900),  # not a code at all: named, kept
    ("泰州测试错码乙有限公司", "C0171", 800),  # 01 is section A: named, kept
    ("泰州测试无码有限公司", None, 700),
]
BAD_CODE_ROWS = {19: "27A0", 20: "C0171"}  # Excel rows (header is row 1)


def code(i: int) -> str:
    return uscc.make("9", "1", "321291", f"MA{i:06d}")


def office_rows() -> list[list[object]]:
    return [[name, code(i), "泰州医药高新区", ind, rev, "是" if rev >= 2000 else "否"]
            for i, (name, ind, rev) in enumerate(FIRMS)]


def workbook(path: Path, header: list[str], rows: list[list[object]], *, title: str | None = None,
             sheet: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def figures(store: Store) -> dict[str, list[tuple[int | None, float]]]:
    with store.session() as s:
        out: dict[str, list[tuple[int | None, float]]] = {}
        for name, year, value in s.execute(select(Organization.name, YearlyFigure.year, YearlyFigure.value)
                                           .join(YearlyFigure, YearlyFigure.organization_id == Organization.id)):
            out.setdefault(name, []).append((year, value))
        return out


def placements(store: Store) -> dict[str, dict[str, tuple[str, float, str | None]]]:
    with store.session() as s:
        out: dict[str, dict[str, tuple[str, float, str | None]]] = {}
        for name, on in s.execute(select(Organization.name, OrganizationNode)
                                  .join(OrganizationNode, OrganizationNode.organization_id == Organization.id)):
            out.setdefault(name, {})[on.node_id] = (on.source, on.confidence, on.basis)
        return out


# ── 1. the year ─────────────────────────────────────────────────────────────────────────────


def test_yearless_office_list_keeps_every_firm_and_marks_its_figures_undated(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "企业名单.xlsx", OFFICE_HEADER, office_rows())
    report = import_orgs(store, path)
    assert report.rejected == 0 and report.created == 20, report.errors
    assert report.undated == 20 and report.year is None
    w354 = [w for w in report.warnings if w.code == "W354"]
    assert len(w354) == 1 and "营业收入(万元)" in w354[0].reason and "年度未知" in w354[0].reason
    assert any("年度未知" in n for n in report.notes)  # what the CLI table and the web upload result show
    figs = figures(store)
    assert figs["泰州测试医药批发有限公司"] == [(None, 60000)]
    with store.session() as s:
        org_id = s.scalar(select(Organization.id).where(Organization.name == "泰州测试医药批发有限公司"))
        prof = org_profile(s, org_id)
        rows, _ = list_orgs(s, OrgFilter(region="泰州医药高新区"), limit=5)
        rep = chain_report(s, "泰州医药高新区")
    assert prof is not None and prof["figures"][0]["year"] is None and prof["figures"][0]["undated"]
    # Shown in lists, marked; not a year's revenue in the chain report.
    assert rows[0]["name"] == "泰州测试医药批发有限公司" and rows[0]["revenue_undated"]
    assert rep["year"] is None and rep["summary"]["revenue"] in (0, None)
    # Re-importing the same list changes nothing (no second undated figure).
    again = import_orgs(store, path)
    assert again.unchanged == 20 and again.created == again.updated == 0
    assert figures(store)["泰州测试医药批发有限公司"] == [(None, 60000)]


@pytest.mark.parametrize(("where", "kwargs", "expected"), [
    ("title", {"title": "2023年泰州医药高新区规上企业名单"}, 2023),
    ("sheet", {"sheet": "2022年度"}, 2022),
    ("file", {"file": "泰州医药企业（2021年）.xlsx"}, 2021),
])
def test_year_from_title_sheet_or_file_name(store: Store, tmp_path: Path, where: str, kwargs: dict,
                                            expected: int) -> None:
    path = workbook(tmp_path / kwargs.get("file", "list.xlsx"), OFFICE_HEADER, office_rows()[:3],
                    title=kwargs.get("title"), sheet=kwargs.get("sheet", "Sheet1"))
    report = import_orgs(store, path)
    assert report.created == 3 and report.undated == 0, (where, report.warnings)
    assert report.year == expected and report.year_source is not None and where in report.year_source
    assert figures(store)["泰州测试中成药甲有限公司"] == [(expected, 52000)]


def test_year_precedence_header_then_year_column_then_option(store: Store, tmp_path: Path) -> None:
    header = ["单位名称", "统计年度", "2022年营业收入(亿元)", "主营业务收入(万元)"]
    rows = [["泰州测试甲有限公司", 2023, 1.5, 16000], ["泰州测试乙有限公司", None, 2, 21000]]
    report = import_orgs(store, workbook(tmp_path / "2020年.xlsx", header, rows), year=2024)
    assert report.rejected == 0 and report.undated == 0
    figs = figures(store)
    # The header's own year wins; then the row's 年度; then --year (over the file name's 2020).
    assert sorted(figs["泰州测试甲有限公司"]) == [(2022, 15000), (2023, 16000)]
    assert sorted(figs["泰州测试乙有限公司"]) == [(2022, 20000), (2024, 21000)]
    assert year_in("2022-2023年对比") is None and year_in("名单20240115") is None


def test_undated_figures_survive_an_export_and_reimport_as_undated(store: Store, tmp_path: Path) -> None:
    from chainatlas.registry.exporter import export_orgs

    import_orgs(store, workbook(tmp_path / "a.xlsx", OFFICE_HEADER, office_rows()[:2]))
    out = tmp_path / "2025年导出.xlsx"  # a year in the export's name must not date them
    export_orgs(store, out)
    again = import_orgs(store, out)
    assert again.unchanged == 2 and again.undated == 2, again.warnings
    assert figures(store)["泰州测试中成药甲有限公司"] == [(None, 52000)]


# ── 2. chain placement ──────────────────────────────────────────────────────────────────────


def test_codes_place_firms_with_basis_and_bad_codes_are_named_and_rows_kept(store: Store, tmp_path: Path) -> None:
    report = import_orgs(store, workbook(tmp_path / "企业名单.xlsx", OFFICE_HEADER, office_rows()))
    assert report.created == 20
    bad = {w.row: w for w in report.warnings if w.code == "W348"}
    assert set(bad) == set(BAD_CODE_ROWS)
    for row, raw in BAD_CODE_ROWS.items():
        assert raw in bad[row].reason and bad[row].field == "industry_code"
    assert "section A" in bad[20].reason
    broad = [w for w in report.warnings if w.code == "W356" and w.row == 18]
    assert broad and "division" in broad[0].reason
    placed = placements(store)
    # With and without the section letter, 3 and 4 digits: the same crosswalk.
    for firm in ("泰州测试中成药甲有限公司", "泰州测试中成药乙有限公司", "泰州测试中成药丙有限公司"):
        assert "tcm.patent_medicine" in placed[firm], firm
    assert placed["泰州测试中成药甲有限公司"]["tcm.patent_medicine"][:2] == ("code", 0.9)
    assert placed["泰州测试中成药丙有限公司"]["tcm.patent_medicine"][:2] == ("code", 0.8)  # a group: less sure
    assert "C2740" in placed["泰州测试中成药甲有限公司"]["tcm.patent_medicine"][2]
    assert set(placed["泰州测试原料药乙有限公司"]) == {"chem.api"}
    assert set(placed["泰州测试辅料包材有限公司"]) == {"chem.excipient", "chem.packaging"}  # partial: 0.5 each
    assert {c for _, c, _ in placed["泰州测试辅料包材有限公司"].values()} == {0.5}
    assert "service.wholesale" in placed["泰州测试医药批发有限公司"]
    for firm in ("泰州测试医药大类有限公司", "泰州测试错码甲有限公司", "泰州测试错码乙有限公司", "泰州测试无码有限公司"):
        assert firm not in placed, firm
    assert report.placements.get("code", 0) >= 15
    with store.session() as s:
        rep = chain_report(s, "泰州医药高新区")
    covered = rep["summary"]["nodes_covered"]
    assert covered >= 12, covered  # the list alone gives a chain map (it covered 0 of 158 before)
    assert rep["gaps"], "an office's own list yields gaps to fill"


def test_products_scope_and_name_place_where_no_code_does(store: Store, tmp_path: Path) -> None:
    header = ["*企业名称", "信用代码", "所在区县", "国民经济行业代码", "主营产品", "经营范围"]
    rows = [
        ["泰州测试血液制品有限公司", code(31), "高港区", "C2761", "人血白蛋白、静注人免疫球蛋白", None],
        ["泰州测试科技有限公司", code(32), "高港区", None, None, "医疗器械销售；药品批发"],
        ["泰州测试疫苗有限公司", code(33), "高港区", None, None, None],
        ["泰州测试贸易有限公司", code(34), "高港区", None, "办公用品", None],
    ]
    report = import_orgs(store, workbook(tmp_path / "list.xlsx", header, rows))
    assert report.created == 4
    placed = placements(store)
    blood = placed["泰州测试血液制品有限公司"]
    assert blood["bio.drug"][0] == "code"
    # The product agrees with the code's crosswalk: corroborated.
    assert blood["bio.blood"][0] == "product" and blood["bio.blood"][1] >= 0.85 and "人血白蛋白" in blood["bio.blood"][2]
    scope = placed["泰州测试科技有限公司"]
    assert scope["service.wholesale"][:2] == ("product", 0.6) and "经营范围" in scope["service.wholesale"][2]
    assert placed["泰州测试疫苗有限公司"]["bio.vaccine"][:2] == ("name", 0.5)
    assert "泰州测试贸易有限公司" not in placed
    assert any(w.code == "W351" and w.row == 5 for w in report.warnings)


def test_normalize_code_forms() -> None:
    assert [normalize_code(c) for c in ("2740", "c2740", " C 2740 ", "274", "0171", "A0171")] == \
        ["C2740", "C2740", "C2740", "C274", "A0171", "A0171"]
    for bad in ("27A0", "C0171", "9999", "12345", "药"):
        with pytest.raises(Exception, match="行业代码"):
            normalize_code(bad)


def _editor(store: Store, role: str = "analyst") -> TestClient:
    from chainatlas.api.app import create_app
    from chainatlas.api.security import create_user

    client = TestClient(create_app(store))
    with store.session() as s:
        create_user(s, f"place-{role}", "place pass 123", role)
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": f"place-{role}", "password": "place pass 123"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def test_analyst_corrects_placements_through_the_api_and_page(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "企业名单.xlsx", OFFICE_HEADER, office_rows()[:3])
    import_orgs(store, path)
    with store.session() as s:
        oid = s.scalar(select(Organization.id).where(Organization.name == "泰州测试中成药甲有限公司"))
    client = _editor(store)
    prof = client.get(f"/api/orgs/{oid}").json()
    node = next(n for n in prof["nodes"] if n["id"] == "tcm.patent_medicine")
    assert node["source"] == "code" and node["confidence"] == 0.9 and "C2740" in node["basis"]
    page = client.get(f"/orgs/{oid}").text
    assert "C2740" in page and 'data-testid="remove-placement"' in page and 'data-testid="add-placement"' in page

    # Anonymous and read-only users cannot touch placements.
    anon = TestClient(client.app)
    assert anon.delete(f"/api/orgs/{oid}/nodes/tcm.patent_medicine").status_code == 401
    no_csrf = client.delete(f"/api/orgs/{oid}/nodes/tcm.patent_medicine", headers={"X-CSRF-Token": ""})
    assert no_csrf.status_code == 403

    r = client.delete(f"/api/orgs/{oid}/nodes/tcm.patent_medicine")
    assert r.status_code == 200 and all(n["id"] != "tcm.patent_medicine" for n in r.json()["nodes"])
    r = client.post(f"/api/orgs/{oid}/nodes", json={"node": "中药饮片"})
    assert r.status_code == 200
    added = next(n for n in r.json()["nodes"] if n["id"] == "tcm.decoction_pieces")
    assert added["source"] == "manual" and added["confidence"] == 1.0
    assert client.post(f"/api/orgs/{oid}/nodes", json={"node": "不存在的环节"}).status_code == 422

    # A re-import keeps the analyst's word: the removed placement does not come back.
    import_orgs(store, path)
    placed = placements(store)["泰州测试中成药甲有限公司"]
    assert "tcm.patent_medicine" not in placed and placed["tcm.decoction_pieces"][0] == "manual"

    # The page's forms do the same.
    csrf = client.headers["X-CSRF-Token"]
    r = client.post(f"/orgs/{oid}/nodes", data={"node": "tcm.patent_medicine", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert placements(store)["泰州测试中成药甲有限公司"]["tcm.patent_medicine"][0] == "manual"
    r = client.post(f"/orgs/{oid}/nodes/tcm.decoction_pieces/remove", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and "tcm.decoction_pieces" not in placements(store)["泰州测试中成药甲有限公司"]


def test_web_upload_result_says_the_figures_are_undated(store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "企业名单.xlsx", OFFICE_HEADER, office_rows())
    client = _editor(store)
    r = client.post("/admin/import", files={"file": ("企业名单.xlsx", path.read_bytes())},
                    data={"csrf_token": client.headers["X-CSRF-Token"]})
    assert r.status_code == 200, r.text
    assert 'data-testid="upload-note"' in r.text and "年度未知" in r.text
    counts = r.text.split('data-testid="upload-counts"', 1)[1].split("</table>", 1)[0]
    assert "<th>年度未知的数字</th><td class=\"num\">20</td>" in counts
    assert "<th>新建企业</th><td class=\"num\">20</td>" in counts
