"""Excel formula injection: text from outside (organization names, 来源, places in EPCIS documents)
starting with = + - @ (or a tab / CR) reaches every workbook ChainAtlas writes as text, never as a
live formula — checked by opening each workbook and by reading its sheet XML for <f> elements."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update
from typer.testing import CliRunner

from chainatlas.cli.main import app
from chainatlas.registry.exporter import export_orgs
from chainatlas.registry.importer import import_orgs
from chainatlas.spreadsheet import safe_row
from chainatlas.store import Store
from chainatlas.store.models import Organization

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=2+2",
           "=cmd|' /C calc'!A0"]


def formulas(path: Path) -> list[str]:
    """Every cell openpyxl reads as a formula, plus every <f> element in the sheet XML."""
    found = [f"{ws.title}!{c.coordinate}" for ws in load_workbook(path).worksheets
             for row in ws.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", zf.read(name)):
                found.append(name)
    return found


def texts(path: Path) -> set[str]:
    return {c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}


def test_safe_row_keeps_hostile_text_as_text_in_both_workbook_modes(tmp_path: Path) -> None:
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("s")
        for text in HOSTILE:
            ws.append(safe_row(ws, [text, 42, None, "普通名称", "含\x00空字符"]))
        out = tmp_path / f"s{write_only}.xlsx"
        wb.save(out)
        assert formulas(out) == []
        got = texts(out)
        assert set(HOSTILE) <= got  # the characters are kept, only their meaning is neutralised
        assert "含空字符" in got  # a NUL cannot be written to .xlsx: dropped, not a failed export
        cells = [c for c in load_workbook(out)["s"]["A"]]
        assert all(c.quotePrefix for c in cells)
    # The control case: without the helper openpyxl writes these as live formulas.
    wb = Workbook()
    wb.active.append([HOSTILE[0]])
    wb.save(tmp_path / "raw.xlsx")
    assert formulas(tmp_path / "raw.xlsx")


def _hostile_registry(store: Store, tmp_path: Path) -> None:
    import csv

    src = tmp_path / "hostile.csv"
    with src.open("w", encoding="utf-8", newline="") as fp:
        out = csv.writer(fp)
        out.writerow(["企业名称", "所属地区", "来源"])
        out.writerows([f"{name}公司", "泰州市", f'=WEBSERVICE("http://x/{i}")'] for i, name in enumerate(HOSTILE))
    rep = import_orgs(store, src)
    assert rep.created == len(HOSTILE), rep.errors


def test_export_orgs_and_the_cli_write_no_formula_and_read_back(store: Store, tmp_path: Path) -> None:
    _hostile_registry(store, tmp_path)
    out = tmp_path / "orgs.xlsx"
    assert export_orgs(store, out) == len(HOSTILE)
    assert formulas(out) == []
    got = texts(out)
    assert {"@SUM(A1:A2)公司", "=cmd|' /C calc'!A0公司", '=WEBSERVICE("http://x/0")'} <= got
    # The exported file re-imports onto the same organizations: nothing was renamed on the way.
    again = import_orgs(store, out)
    assert again.unchanged == len(HOSTILE) and again.created == 0, again.errors
    cli_out = tmp_path / "cli.xlsx"
    r = CliRunner().invoke(app, ["export", "orgs", "--xlsx", str(cli_out), "--db", store.url])
    assert r.exit_code == 0, r.output
    assert formulas(cli_out) == []


def test_api_orgs_xlsx_writes_no_formula(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with client.store.session() as s:
        first = s.scalars(select(Organization).order_by(Organization.id)).first()
        s.execute(update(Organization).where(Organization.id == first.id).values(name="=1+1 测试"))
    r = client.get("/api/orgs.xlsx", params={"q": "=1+1", "limit": 100})
    assert r.status_code == 200
    out = tmp_path / "api.xlsx"
    out.write_bytes(r.content)
    assert formulas(out) == []
    got = texts(out)
    assert "=1+1 测试" in got and "=1+1" in got  # the name, and the filter value echoed on its sheet


def test_chain_report_and_recall_workbooks_write_no_formula(store: Store, tmp_path: Path) -> None:
    from test_analyse import build_cluster

    from chainatlas.analyse import chain_report
    from chainatlas.analyse.excel import write_report_xlsx
    from chainatlas.trace.lineage import TraceResult
    from chainatlas.trace.recall import RecallReport, write_xlsx

    ids = build_cluster(store)
    with store.session() as s:
        for oid in ids.values():
            s.execute(update(Organization).where(Organization.id == oid)
                      .values(name="=HYPERLINK(\"http://evil.example\")" + str(oid)))
        rep = chain_report(s, "泰州市")
    out = write_report_xlsx(rep, tmp_path / "report.xlsx")
    assert formulas(out) == []
    assert any(t.startswith("=HYPERLINK") for t in texts(out))

    start = "urn:epc:class:lgtin:6975009.000001.A1"
    recall = RecallReport(start=start, trace=TraceResult(start, "forward", [], [], {}, [], [], 0),
                          shipments=[["=evil()", "2025-03-01T00:00:00Z", "shipping", start, "+src", "@dest", ""]],
                          destinations=[["-1+1", "=HYPERLINK(\"x\")", "location", "@org", "+region"]])
    path = write_xlsx(recall, tmp_path / "recall.xlsx")
    assert formulas(path) == []
    assert {"=evil()", "@dest", "-1+1"} <= texts(path)
