"""Registry import never loses data silently: a second data sheet, merged 所属地区 cells, formula cells
saved without values, NUL bytes and "1,2" are each read right or named (row, column, reason), and the
rest of the file is kept."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from chainatlas.registry.importer import import_orgs
from chainatlas.store import Store
from chainatlas.store.models import Organization, YearlyFigure

HEADER = ["企业名称", "所属地区", "2023年营业收入(万元)"]


def orgs(store: Store) -> dict[str, tuple[str | None, list[tuple[int | None, float]]]]:
    with store.session() as s:
        out = {}
        for o in s.scalars(select(Organization)):
            figs = sorted((f.year, f.value) for f in s.scalars(select(YearlyFigure)
                                                                .where(YearlyFigure.organization_id == o.id)))
            out[o.name] = (o.region_adcode, figs)
        return out


def test_every_data_sheet_is_read_and_problems_name_their_sheet(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    about = wb.active
    about.title = "填表说明"
    about.append(["请按模板填写，金额单位万元"])
    for title, names in (("高港区", ["泰州测试甲有限公司", "泰州测试乙有限公司"]),
                         ("海陵区", ["泰州测试丙有限公司", "泰州测试丁有限公司", "泰州测试戊有限公司"])):
        ws = wb.create_sheet(title)
        ws.append(HEADER)
        for i, name in enumerate(names):
            ws.append([name, title, 100 * (i + 1)])
    wb["海陵区"].append(["泰州测试坏数有限公司", "海陵区", "abc"])
    path = tmp_path / "两张表.xlsx"
    wb.save(path)
    report = import_orgs(store, path)
    assert report.created == 5 and report.sheets == ["高港区", "海陵区"]
    assert [(e.sheet, e.row, e.field) for e in report.errors] == [("海陵区", 5, "revenue")]
    got = orgs(store)
    assert got["泰州测试戊有限公司"] == ("321202", [(2023, 300)])  # 海陵区, second sheet


def test_merged_region_cells_give_every_row_its_region(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(10):
        ws.append([f"泰州测试合并{i}有限公司", "高港区" if i == 0 else ("海陵区" if i == 5 else None), 10 + i])
    ws.merge_cells("B2:B6")
    ws.merge_cells("B7:B11")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    report = import_orgs(store, path)
    assert report.created == 10, report.errors
    got = orgs(store)
    assert [got[f"泰州测试合并{i}有限公司"][0] for i in range(10)] == ["321203"] * 5 + ["321202"] * 5


def test_formula_cells_without_values_are_named_and_rows_kept(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名称", "所属地区", "2023年营业收入(万元)", "2023年税收(万元)"])
    for i in range(3):
        # openpyxl writes formulas without a computed value, as scripts that make office lists do.
        ws.append([f"泰州测试公式{i}有限公司", "高港区", f"=D{i + 2}*10", 5 + i])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)
    report = import_orgs(store, path)
    assert report.created == 3 and not report.errors
    named = [(w.row, w.field, w.code) for w in report.warnings if w.code == "W357"]
    assert named == [(2, "revenue", "W357"), (3, "revenue", "W357"), (4, "revenue", "W357")]
    assert "=D2*10" in report.warnings[0].reason and "2023年营业收入(万元)" in report.warnings[0].reason
    assert orgs(store)["泰州测试公式0有限公司"][1] == [(2023, 5)]  # the tax figure beside it is kept


def test_nul_bytes_never_make_an_organization(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes("企业名称,所属地区,2023年营业收入(万元)\n".encode()
                     + b"\x00,\xe9\xab\x98\xe6\xb8\xaf\xe5\x8c\xba,1\n"
                     + "泰州测试\x00空字符有限公司,高港区,2\n泰州测试正常有限公司,高港区,3\n".encode())
    report = import_orgs(store, path)
    assert report.created == 2
    assert [(e.row, e.code, e.field) for e in report.errors] == [(2, "E301", "name")]
    assert any(w.code == "W358" and w.row == 3 for w in report.warnings)
    assert set(orgs(store)) == {"泰州测试空字符有限公司", "泰州测试正常有限公司"}


def test_a_comma_is_a_thousands_separator_or_a_named_error(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["泰州测试千分位有限公司", "高港区", "1,200"])
    ws.append(["泰州测试逗号有限公司", "高港区", "1,2"])
    path = tmp_path / "commas.xlsx"
    wb.save(path)
    report = import_orgs(store, path)
    assert report.created == 1
    assert [(e.row, e.field) for e in report.errors] == [(3, "revenue")] and "1,2" in report.errors[0].reason
    assert orgs(store)["泰州测试千分位有限公司"][1] == [(2023, 1200)]
