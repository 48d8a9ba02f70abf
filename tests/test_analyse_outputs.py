"""Outputs of the chain report: JSON shape, the CLI (terminal, --json, --xlsx) and the Excel
workbook read back with openpyxl; targets data loads idempotently."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from test_analyse import build_cluster
from typer.testing import CliRunner

from chainatlas.analyse import chain_report, load_targets
from chainatlas.analyse.excel import write_report_xlsx
from chainatlas.analyse.targets import read_targets, target_files
from chainatlas.cli.main import app
from chainatlas.store.models import IndicatorTarget

runner = CliRunner()
SHEETS = ["说明", "子链概览", "节点覆盖", "断链", "卡点", "堵点", "链主企业", "企业梯队", "梯队晋级", "产业走廊", "指标目标"]


def test_json_shape(store) -> None:  # type: ignore[no-untyped-def]
    build_cluster(store)
    with store.session() as s:
        rep = chain_report(s, "泰州市")
    json.dumps(rep, ensure_ascii=False)  # serializable as is
    assert {"region", "nodes", "gaps", "choke_points", "bottlenecks", "leaders", "ladder", "corridors",
            "indicators"} <= rep.keys()
    for n in rep["nodes"]:
        assert {"id", "name", "subchain", "stage", "organization_count", "status", "evidence"} <= n.keys()
    for section in ("gaps", "choke_points", "bottlenecks", "leaders", "corridors", "indicators"):
        for finding in rep[section]:
            ev = finding["evidence"]
            assert {"organizations", "relations", "documents"} <= ev.keys(), section
    rel = rep["leaders"][0]["evidence"]["relations"][0]
    assert rel["source"] == "fixture" and rel["evidence"]  # relation details hydrated


def test_workbook_reads_back(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_cluster(store)
    with store.session() as s:
        rep = chain_report(s, "泰州市")
    path = write_report_xlsx(rep, tmp_path / "report.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    nodes = wb["节点覆盖"]
    header = [c.value for c in nodes[1]]
    # No internal node ids or sub-chain codes: the sheet reads as an office reads it.
    assert header[:5] == ["节点", "子链", "环节", "企业数", "营业收入"]
    assert nodes.freeze_panes == "B2"
    row = next(r for r in nodes.iter_rows(min_row=2, values_only=True) if r[0] == "测试制剂")
    assert row[3] == 2 and row[4] == "53.0亿元" and row[5] == 530000 and row[8] == "具备"
    gaps = [r for r in wb["断链"].iter_rows(min_row=2, values_only=True)]
    gap_header = [c.value for c in wb["断链"][1]]
    name_col = gap_header.index("节点")
    assert {r[name_col] for r in gaps} == {"测试原料药", "测试培养基"}
    # Ranked for action: the need the region voiced (培养基) first, with its score's parts.
    assert gaps[0][name_col] == "测试培养基" and gaps[0][gap_header.index("优先序")] == 1
    assert "本地提出需求" in gaps[0][gap_header.index("优先分构成")]
    cands = gap_header.index("招商候选（排序）")
    assert "武汉原料药己" in next(r for r in gaps if r[name_col] == "测试原料药")[cands]
    leaders = list(wb["链主企业"].iter_rows(min_row=2, values_only=True))
    assert leaders[0][1] == "泰州制剂甲" and leaders[0][2] == "50.0亿元"
    assert wb["说明"]["B1"].value.startswith("泰州市")


def test_cli_report(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_cluster(store)
    db = ["--db", store.url]
    out = runner.invoke(app, ["chain", "report", "--region", "泰州", "--json", *db])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout[out.stdout.index("{"):])
    assert body["region"]["name"] == "泰州市" and len(body["gaps"]) == 2
    text = runner.invoke(app, ["chain", "report", "--region", "泰州市", *db])
    assert text.exit_code == 0, text.output
    assert "断链" in text.output and "泰州制剂甲" in text.output
    xlsx = tmp_path / "out.xlsx"
    assert runner.invoke(app, ["chain", "report", "-r", "泰州市", "--xlsx", str(xlsx), *db]).exit_code == 0
    assert load_workbook(xlsx).sheetnames == SHEETS
    cmp = runner.invoke(app, ["chain", "compare", "泰州市", "泰安市", *db])
    assert cmp.exit_code == 0 and "测试原料药" in cmp.output
    cor = runner.invoke(app, ["chain", "corridors", "--regions", "泰安市,泰州市,武汉市", "--json", *db])
    assert cor.exit_code == 0 and json.loads(cor.stdout[cor.stdout.index("{"):])["corridors"]
    bad = runner.invoke(app, ["chain", "report", "--region", "不存在", *db])
    assert bad.exit_code == 2


def test_targets_load_idempotently(store) -> None:  # type: ignore[no-untyped-def]
    files = target_files()
    assert files and all(read_targets(f)[1] for f in files)
    n = load_targets(store)
    assert n >= 4 and load_targets(store) == n
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(IndicatorTarget)) == n
        taian = s.scalars(select(IndicatorTarget).where(IndicatorTarget.indicator == "guishang_count")).one()
        assert taian.region_adcode == "370900" and taian.target == 2000 and "hkcd" in taian.source
