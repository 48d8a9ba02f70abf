"""``chainatlas import orgs`` / ``export orgs`` / ``orgs list|show`` end to end through Typer."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import REPO
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.store import Store

sys.path.insert(0, str(REPO / "tests" / "fixtures" / "registry"))
from registry_support import CODE_A, counts, write_xlsx  # noqa: E402

runner = CliRunner(env={"COLUMNS": "250"})  # rich reads the width from COLUMNS


def flat(output: str) -> str:
    """Table cells fold long text over lines: compare without layout."""
    return "".join(ch for ch in output if not ch.isspace() and ch not in "│┃")


def test_import_export_list_show(store: Store, tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "名录.xlsx")
    result = runner.invoke(app, ["import", "orgs", str(src), "--db", store.url], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "坏码公司" in flat(result.output) and "E315" in result.output
    assert "duplicateofrow3" in flat(result.output)
    assert "序号" in result.output  # ignored columns are named
    assert counts(store)["organization"] == 2

    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", "orgs", "--xlsx", str(out), "--region", "泰州", "--db", store.url])
    assert result.exit_code == 0, result.output
    assert out.exists() and "1 organizations" in result.output

    result = runner.invoke(app, ["orgs", "list", "--tier", "小巨人", "--db", store.url], terminal_width=200)
    assert result.exit_code == 0 and "江苏测试药业有限公司" in flat(result.output)

    result = runner.invoke(app, ["orgs", "show", CODE_A, "--db", store.url], terminal_width=200)
    assert result.exit_code == 0, result.output
    for fragment in ("江苏测试药业有限公司", "测试药业", "专精特新小巨人", "15,000.00", "血液制品"):
        assert fragment in flat(result.output)

    result = runner.invoke(app, ["orgs", "show", "没有这家", "--db", store.url])
    assert result.exit_code == 2


def test_malformed_file_exits_with_the_reason(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["import", "orgs", str(bad), "--db", store.url], terminal_width=200)
    assert result.exit_code == 2
    assert "E325" in result.output and "bad.xlsx" in result.output
    assert counts(store)["organization"] == 0


def test_map_option(store: Store, tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "m.xlsx", title=None, header=["企业全名", "区域"], rows=[["映射有限公司", "泰州"]])
    result = runner.invoke(app, ["import", "orgs", str(src), "--map", "企业全名=企业名称", "--map", "区域=region",
                                 "--db", store.url], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert counts(store)["organization"] == 1
