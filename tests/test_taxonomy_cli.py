"""``chainatlas taxonomy tree|find|codes|scan|stats`` through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chainatlas.cli.main import app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, ["taxonomy", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_tree_one_subchain() -> None:
    out = _run("tree", "--subchain", "tcm")
    assert "中药" in out and "上游 upstream" in out and "下游 downstream" in out
    assert "中药材种植" in out and "tcm.decoction_pieces" in out
    assert "A0171" in out and "C2730" in out and "≈" in out
    assert "医疗器械" not in out


def test_tree_all_with_inputs() -> None:
    out = _run("tree", "--inputs")
    for name in ("化学药", "中药", "生物药", "医疗器械", "医药服务/CXO", "医药流通与健康服务", "数字健康/BT+IT"):
        assert name in out
    assert "← 血浆采集" in out


def test_tree_unknown_subchain() -> None:
    result = runner.invoke(app, ["taxonomy", "tree", "--subchain", "space"])
    assert result.exit_code == 2
    assert "E206" in result.output


def test_find() -> None:
    out = _run("find", "胶囊内窥镜")
    assert "device.capsule" in out and "完全匹配" in out
    result = runner.invoke(app, ["taxonomy", "find", "量子引力"])
    assert result.exit_code == 2 and "E207" in result.output


def test_codes_for_a_code() -> None:
    out = _run("codes", "C2761")
    assert "生物药品制造" in out and "GB/T 4754@2017" in out
    assert "bio.drug" in out and "bio.blood" in out and "部分 partial" in out and "完全 full" in out


def test_codes_for_a_node() -> None:
    out = _run("codes", "chem.advanced_form")
    assert "C2720" in out and "化学药品制剂制造" in out and "部分 partial" in out
    out = _run("codes", "device.precision_parts")
    assert "无官方代码" in out


def test_codes_unknown() -> None:
    result = runner.invoke(app, ["taxonomy", "codes", "Z9999"])
    assert result.exit_code == 2 and "E208" in result.output


def test_scan(tmp_path: Path) -> None:
    doc = tmp_path / "news.txt"
    doc.write_text("山东泰邦生物是全省唯一的血液制品企业; 宝来利来专业研究生产微生态制剂。", encoding="utf-8")
    out = _run("scan", str(doc))
    assert "bio.blood" in out and "bio.probiotic" in out


def test_stats_json() -> None:
    data = json.loads(_run("stats", "--json"))
    assert data["nodes"] >= 120 and data["keywords"] >= 800 and data["links"] >= 150
    assert data["codes"]["GB/T 4754@2017"] > 100


def test_stats_against_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    data = json.loads(_run("stats", "--json", "--db", url).splitlines()[-1])
    assert data["store"]["chain_node"] == data["nodes"]
    assert data["store"]["node_input"] == data["links"]
    assert data["store"]["official_code"] == data["codes_total"]
