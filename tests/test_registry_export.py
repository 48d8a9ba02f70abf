"""Registry export: the workbook an office circulates, and export → import round trips."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO
from openpyxl import load_workbook

from chainatlas.registry.exporter import ExportError, ExportFilters, export_orgs
from chainatlas.registry.importer import import_orgs
from chainatlas.store import Store

sys.path.insert(0, str(REPO / "tests" / "fixtures" / "registry"))
from registry_support import counts, dump, write_xlsx  # noqa: E402


def _orgs_only(rows: list[tuple]) -> list[tuple]:
    """Dumped organizations without ids, sources or row-level ids: what must survive a trip to Excel."""
    out = []
    for r in rows:
        if len(r) != 17:
            continue  # relations
        (_, name, key, code, kind, region, _park, founded, listing, industry, synthetic, _cand, _src,
         aliases, tiers, figures, nodes) = r
        out.append((name, key, code, kind, region, founded, listing, industry, synthetic,
                    tuple(sorted((a[1], a[3]) for a in aliases)),
                    tuple(sorted((t[1], t[2] or 0) for t in tiers)),
                    tuple(sorted((f[1], f[2], round(f[3], 4), f[4]) for f in figures)),
                    tuple(sorted(n[1] for n in nodes))))
    return sorted(out)


def test_workbook_shape(store: Store, tmp_path: Path) -> None:
    import_orgs(store, write_xlsx(tmp_path / "in.xlsx"))
    out = tmp_path / "out.xlsx"
    assert export_orgs(store, out) == 2
    wb = load_workbook(out)
    ws = wb["企业名录"]
    headers = [c.value for c in ws[1]]
    assert headers[:12] == ["企业名称", "统一社会信用代码", "简称", "曾用名", "机构类型", "所属地区", "所属园区",
                            "行业代码", "成立日期", "上市代码", "产业链环节", "资质"]
    assert "2023年营业收入(万元)" in headers and "2023年营业收入(亿元)" in headers and headers[-1] == "来源"
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}3"
    assert ws.column_dimensions["A"].width >= 30
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    a = rows["江苏测试药业有限公司"]
    assert a["所属地区"] == "江苏省泰州市高港区"
    assert a["2023年营业收入(万元)"] == 15000 and a["2023年营业收入(亿元)"] == 1.5
    assert a["资质"] == "专精特新(国家级)(2022)；专精特新小巨人(2021)；上市"
    assert set(a["产业链环节"].split("、")) >= {"血液制品", "疫苗"}
    col = headers.index("2023年营业收入(万元)") + 1
    assert ws.cell(2, col).number_format == "#,##0.00"
    assert "说明" in wb.sheetnames


def test_export_import_round_trip(store: Store, _sqlite_template: Path, tmp_path: Path) -> None:
    import_orgs(store, write_xlsx(tmp_path / "in.xlsx"))
    out = tmp_path / "out.xlsx"
    export_orgs(store, out)
    before = dump(store)
    again = import_orgs(store, out)
    assert (again.created, again.updated, again.rejected) == (0, 0, 0) and again.unchanged == 2
    assert dump(store) == before
    # Into an empty registry, the exported file rebuilds the same organizations.
    second_path = tmp_path / "second.db"
    shutil.copy(_sqlite_template, second_path)
    second = Store(f"sqlite:///{second_path}")
    try:
        fresh = import_orgs(second, out)
        assert fresh.created == 2 and not fresh.errors
        assert _orgs_only(dump(second)) == _orgs_only(before)
    finally:
        second.dispose()


def test_filters(store: Store, tmp_path: Path) -> None:
    import_orgs(store, write_xlsx(tmp_path / "in.xlsx"))
    out = tmp_path / "f.xlsx"
    assert export_orgs(store, out, ExportFilters(region="泰州")) == 1
    assert export_orgs(store, out, ExportFilters(region="湖北省")) == 1
    assert export_orgs(store, out, ExportFilters(region="葛店经开区")) == 1
    assert export_orgs(store, out, ExportFilters(tier="小巨人")) == 1
    assert export_orgs(store, out, ExportFilters(tier="上市")) == 1
    assert export_orgs(store, out, ExportFilters(node="血液制品")) == 1
    assert export_orgs(store, out, ExportFilters(node="原料药")) == 1
    with pytest.raises(ExportError):
        export_orgs(store, out, ExportFilters(tier="不存在"))
    with pytest.raises(ExportError):
        export_orgs(store, tmp_path / "x.csv")


def test_empty_registry_exports_a_header_only_sheet(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    assert export_orgs(store, out) == 0
    assert counts(store)["organization"] == 0
    ws = load_workbook(out)["企业名录"]
    assert ws.max_row == 1 and ws.cell(1, 1).value == "企业名称"
