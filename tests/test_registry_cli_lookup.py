"""`chainatlas orgs show` finds a firm the way people name it (#15): short name, stock code,
a unique part of the name; several matches are listed, not guessed."""

from __future__ import annotations

from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.store import Store
from chainatlas.store.models import Organization

runner = CliRunner()


def test_orgs_show_by_short_name_and_stock_code(sqlite_store: Store) -> None:
    with sqlite_store.session() as s:
        s.add_all([
            Organization(name="无锡药明康德新药开发股份有限公司", name_key="无锡药明康德新药开发股份有限公司", kind="enterprise",
                         listing_code="603259.SH;02359.HK", source="test"),
            Organization(name="山东泰邦生物制品有限公司", name_key="山东泰邦生物制品有限公司", kind="enterprise", source="test"),
            Organization(name="泰州甲生物有限公司", name_key="泰州甲生物有限公司", kind="enterprise", source="test"),
            Organization(name="泰州乙生物有限公司", name_key="泰州乙生物有限公司", kind="enterprise", source="test"),
        ])
    for ref, name in (("603259", "无锡药明康德"), ("02359", "无锡药明康德"), ("泰邦", "山东泰邦生物制品有限公司")):
        r = runner.invoke(app, ["orgs", "show", ref, "--db", sqlite_store.url])
        assert r.exit_code == 0 and name in r.output, (ref, r.output)
    several = runner.invoke(app, ["orgs", "show", "泰州", "--db", sqlite_store.url])
    assert several.exit_code != 0 and "泰州甲生物有限公司" in several.output and "泰州乙生物有限公司" in several.output
    assert runner.invoke(app, ["orgs", "show", "不存在的企业", "--db", sqlite_store.url]).exit_code != 0
