"""Registry import: office headers, per-row errors with row numbers, valid rows stored, idempotent reruns,
atomicity under a crash, malformed files refused whole — on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from chainatlas.registry import importer
from chainatlas.registry.importer import import_orgs
from chainatlas.registry.names import normalize_name
from chainatlas.registry.readers import ImportFileError
from chainatlas.store import Store

sys.path.insert(0, str(REPO / "tests" / "fixtures" / "registry"))
from registry_support import (  # noqa: E402  (test helpers live beside the fixtures)
    CODE_A,
    EXPECTED_ERRORS,
    HEADER,
    counts,
    dump,
    org,
    write_csv,
    write_xlsx,
)

KEY_A = normalize_name("江苏测试药业有限公司")
KEY_G = normalize_name("湖北葛店测试制药(鄂州)有限公司")


def _check_first_import(report: importer.ImportReport, store: Store) -> None:
    assert {e.row: (e.code, e.field) for e in report.errors} == EXPECTED_ERRORS
    assert report.rows == 10  # 11 rows under the header; the blank row 10 is layout, not data
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 1, 0, 7)
    assert "序号" in report.ignored_columns and "备注" in report.ignored_columns
    dup = next(e for e in report.errors if e.row == 7)
    assert "duplicate of row 3" in dup.reason
    bad = next(e for e in report.errors if e.row == 4)
    assert "position 18" in bad.reason and bad.name == "坏码公司"

    a = org(store, KEY_A)
    assert (a.uscc, a.region_adcode, a.listing_code, str(a.founded)) == (CODE_A, "321203", "688999.SH", "2008-05-18")
    assert a.park_id is not None
    assert {(f.year, f.kind): f.value for f in a.figures} == {
        (2023, "revenue"): 15000.0, (2022, "revenue"): 12000.0, (2023, "employees"): 320.0}
    assert {(t.label, t.year_granted) for t in a.tiers} == {
        ("专精特新(国家级)", 2022), ("专精特新小巨人", 2021), ("上市", None)}
    assert {t.expires for t in a.tiers if t.label == "专精特新小巨人"} == {2024}
    assert {n.node_id for n in a.nodes} >= {"bio.blood", "bio.vaccine"}
    assert [x.alias for x in a.aliases] == ["测试药业"]

    g = org(store, KEY_G)
    # Written once in simplified, once in traditional with another year: one organization, both years.
    assert g.name == "湖北葛店测试制药（鄂州）有限公司"
    assert g.region_adcode == "420700" and g.park_id is not None
    assert {(f.year, f.kind): f.value for f in g.figures} == {(2023, "revenue"): 8000.0, (2022, "revenue"): 6000.0}
    assert {(t.label, t.year_granted) for t in g.tiers} == {("专精特新(省级)", None)}
    assert counts(store)["organization"] == 2


def test_xlsx_with_bad_rows(store: Store, tmp_path: Path) -> None:
    report = import_orgs(store, write_xlsx(tmp_path / "名录.xlsx"))
    assert report.sheet == "企业名录"
    _check_first_import(report, store)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_with_bad_rows_in_each_encoding(store: Store, tmp_path: Path, encoding: str) -> None:
    report = import_orgs(store, write_csv(tmp_path / "名录.csv", encoding))
    _check_first_import(report, store)
    assert report.encoding in {"utf-8": ("utf-8",), "utf-8-sig": ("utf-8-sig",),
                               "gbk": ("gb18030",)}[encoding]


def test_rerun_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名录.xlsx")
    import_orgs(store, path)
    before, before_counts = dump(store), counts(store)
    again = import_orgs(store, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 7)
    assert dump(store) == before
    assert counts(store) == before_counts
    # The same list as CSV is the same data: still nothing to change.
    import_orgs(store, write_csv(tmp_path / "名录.csv", "gbk"), source="名录.xlsx")
    assert dump(store) == before


def test_crash_midway_leaves_store_unchanged(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_orgs(store, write_csv(tmp_path / "first.csv", "utf-8", rows=[
        [1, "既有企业有限公司", None, "泰州", None, 3, None, 2023, None, None, "疫苗", None, None, None, None, None]]))
    before, before_counts = dump(store), counts(store)
    real = importer.apply_record
    calls = {"n": 0}

    def crash_after_two(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("simulated crash after 2 rows")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "apply_record", crash_after_two)
    with pytest.raises(RuntimeError, match="simulated crash"):
        import_orgs(store, write_xlsx(tmp_path / "名录.xlsx"))
    assert calls["n"] == 3
    assert dump(store) == before
    assert counts(store) == before_counts


def test_update_writes_only_what_the_row_fills(store: Store, tmp_path: Path) -> None:
    import_orgs(store, write_xlsx(tmp_path / "名录.xlsx"))
    header = ["企业名称", "统一社会信用代码", "营业收入(万元)", "年度", "高新技术企业"]
    path = write_xlsx(tmp_path / "update.xlsx", header=header, title=None,
                      rows=[["江苏测试药业有限公司(更名)", CODE_A, 16000, 2023, "2022"]])
    report = import_orgs(store, path)
    assert (report.created, report.updated) == (0, 1)
    a = org(store, normalize_name("江苏测试药业有限公司(更名)"))
    assert {(f.year, f.kind): f.value for f in a.figures}[(2023, "revenue")] == 16000.0
    assert a.region_adcode == "321203" and a.listing_code == "688999.SH"  # columns absent here are kept
    assert ("江苏测试药业有限公司", "former") in {(x.alias, x.kind) for x in a.aliases}
    hitech = next(t for t in a.tiers if t.label == "高新技术企业")
    assert (hitech.year_granted, hitech.expires) == (2022, 2025)


def test_mapping_for_other_headers(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "custom.xlsx", title=None, header=["企业全名", "Revenue (CNY 100m)", "FY", "地址"],
                      rows=[["映射测试有限公司", 2.5, 2023, "某路1号"]])
    with pytest.raises(ImportFileError) as info:
        import_orgs(store, path)
    assert info.value.code == "E323" and "custom.xlsx" in str(info.value)
    report = import_orgs(store, path, mapping=["企业全名=企业名称", "Revenue (CNY 100m)=营业收入(亿元)", "FY=year"])
    assert report.created == 1 and report.ignored_columns == ["地址"]
    m = org(store, normalize_name("映射测试有限公司"))
    assert {(f.year, f.kind): f.value for f in m.figures} == {(2023, "revenue"): 25000.0}
    with pytest.raises(Exception, match="unknown field"):
        import_orgs(store, path, mapping=["企业全名=nonsense"])


def test_unknown_park_is_a_warning_and_tiers_in_a_list(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", title=None, header=["企业名称", "地区", "园区", "资质", "机构类型"],
                      rows=[["园区测试有限公司", "苏州市", "不存在的园区", "专精特新小巨人(第五批)；高企(2023)；规上",
                             "企业"],
                            ["某医院", "北京市东城区", None, None, "医院"],
                            ["某学会", "北京", None, None, "不是类型"]])
    report = import_orgs(store, path)
    assert [w.code for w in report.warnings] == ["W352"]
    assert [(e.row, e.code) for e in report.errors] == [(4, "E346")]
    t = org(store, normalize_name("园区测试有限公司"))
    assert t.park_id is None and t.region_adcode == "320500"
    assert {(x.label, x.year_granted) for x in t.tiers} == {("专精特新小巨人", 2023), ("高新技术企业", 2023),
                                                           ("规上", None)}
    assert org(store, normalize_name("某医院")).kind == "hospital"


def test_ambiguous_county_needs_a_city_or_a_code(store: Store, tmp_path: Path) -> None:
    from chainatlas.registry import uscc

    code = uscc.make("9", "1", "110105", "MA0AAAAA")
    path = write_xlsx(tmp_path / "a.xlsx", title=None, header=["企业名称", "统一社会信用代码", "所属地区"],
                      rows=[["朝阳甲有限公司", None, "朝阳区"], ["朝阳乙有限公司", code, "朝阳区"],
                            ["朝阳丙有限公司", None, "北京市朝阳区"]])
    report = import_orgs(store, path)
    assert [(e.row, e.code) for e in report.errors] == [(2, "E212")]
    assert "北京市朝阳区" in report.errors[0].reason
    assert org(store, normalize_name("朝阳乙有限公司")).region_adcode == "110105"
    assert org(store, normalize_name("朝阳丙有限公司")).region_adcode == "110105"


def test_figure_without_year_is_kept_as_undated_unless_a_year_is_given(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "y.xlsx", title=None, header=["企业名称", "营业收入(万元)"], rows=[["无年度有限公司", 100]])
    report = import_orgs(store, path)
    assert report.errors == [] and report.created == 1 and report.undated == 1
    assert [(w.row, w.code) for w in report.warnings] == [(1, "W354")]
    report = import_orgs(store, path, year=2024)
    assert report.updated == 1 and report.year_source == "--year"


def test_dry_run_stores_nothing(store: Store, tmp_path: Path) -> None:
    before = counts(store)
    report = import_orgs(store, write_xlsx(tmp_path / "名录.xlsx"), dry_run=True)
    assert report.created == 2 and report.dry_run
    assert counts(store) == before


# ---- malformed files: a clear error naming the file, and nothing stored --------------------------------


def _empty_sheet(path: Path) -> Path:
    Workbook().save(path)
    return path


def _truncated(path: Path) -> Path:
    write_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt_member(path: Path) -> Path:
    write_xlsx(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    data[start:start + 8] = b"\x00" * 8  # damage the compressed sheet without touching the zip directory
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("name", "make", "code", "fragment"), [
    ("orgs.xlsx", lambda p: (p.write_text("企业名称,地区\n甲,泰州\n", encoding="utf-8"), p)[1], "E325", "not a zip"),
    ("orgs.xlsx", _truncated, "E325", "not a zip"),
    ("orgs.xlsx", _corrupt_member, "E325", "damaged"),
    ("empty.xlsx", _empty_sheet, "E322", "empty"),
    ("old.xls", lambda p: (p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100), p)[1], "E324", ".xlsx"),
    ("empty.csv", lambda p: (p.write_text("", encoding="utf-8"), p)[1], "E322", "empty"),
    ("noname.csv", lambda p: (p.write_text("地区,营收\n泰州,1\n", encoding="utf-8"), p)[1], "E323", "name column"),
    ("binary.csv", lambda p: (p.write_bytes(b"\x00\x01\x02" * 50), p)[1], "E326", "binary"),
    ("missing.xlsx", lambda p: p, "E321", "no such file"),
])
def test_malformed_files(store: Store, tmp_path: Path, name: str, make, code: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / name)
    before = counts(store)
    with pytest.raises(ImportFileError) as info:
        import_orgs(store, path)
    assert info.value.code == code
    assert name in str(info.value) and fragment in str(info.value)
    assert counts(store) == before


def test_headers_are_the_ones_offices_use() -> None:
    from chainatlas.registry.columns import recognise

    cols, ignored = recognise(["企业名称", "统一社会信用代码\n(18位)", "*所属地区", "行业代码", "营业收入（万元）",
                               "主营业务收入(亿元)", "产值(万元)", "税收(万元)", "研发投入(万元)", "员工人数", "年度",
                               "是否规上", "专精特新", "小巨人", "单项冠军", "瞪羚", "独角兽", "高新技术企业", "股票代码",
                               "成立日期", "细分领域", "简称", "机构类型", "来源", "2023年产值(亿元)", "联系人"])
    fields = [c.field for c in cols]
    assert fields == ["name", "uscc", "region", "industry_code", "revenue", "revenue", "output", "tax", "rnd",
                      "employees", "year", "above_scale", "srdi", "little_giant", "champion", "gazelle", "unicorn",
                      "hitech", "listing_code", "founded", "nodes", "aliases", "kind", "source", "output"]
    assert ignored == ["联系人"]
    assert cols[5].scale == 10_000 and cols[-1].year == 2023 and cols[-1].scale == 10_000
    assert HEADER[1] == "单位名称"


# ---- name keys ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("江蘇揚子江藥業集團有限公司", "江苏扬子江药业集团有限公司"),
    ("阿斯利康药业（中国）有限公司", "阿斯利康药业(中国)有限公司"),
    ("ＡＢＣ生物　科技 有限公司", "abc生物科技有限公司"),
    ("人福医药【集团】股份公司", "人福医药(集团)股份公司"),
])
def test_normalize_name_folds_spellings(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_different_companies_apart() -> None:
    assert normalize_name("扬子江药业集团(泰州)有限公司") != normalize_name("扬子江药业集团有限公司")


@given(st.text(max_size=40))
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert not any(ch.isspace() for ch in once)


def test_code_added_later_fills_the_existing_organization(store: Store, tmp_path: Path) -> None:
    from chainatlas.registry import uscc

    header = ["企业名称", "统一社会信用代码", "所属地区"]
    first = write_xlsx(tmp_path / "a.xlsx", title=None, header=header, rows=[["补码测试有限公司", None, "泰州"]])
    import_orgs(store, first)
    code = uscc.make("9", "1", "321200", "MA2BCDEF")
    report = import_orgs(store, write_xlsx(tmp_path / "b.xlsx", title=None, header=header,
                                           rows=[["补码测试有限公司", code, "泰州"]]))
    assert (report.created, report.updated) == (0, 1)
    assert counts(store)["organization"] == 1
    assert org(store, normalize_name("补码测试有限公司")).uscc == code
    # Another code under the same name is a conflict to resolve by hand, not a silent merge.
    other = uscc.make("9", "1", "321200", "MA3CDEFG")
    report = import_orgs(store, write_xlsx(tmp_path / "c.xlsx", title=None, header=header,
                                           rows=[["补码测试有限公司", other, "泰州"]]))
    assert [(e.row, e.code) for e in report.errors] == [(2, "E303")]
    assert counts(store)["organization"] == 1
