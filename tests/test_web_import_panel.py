"""The web import panel: a status that follows the counts (失败 / 部分成功 / 完成), rejected rows as a
table with row, column and reason in Chinese, no server paths and no JSON, and a template workbook
whose headers the importer accepts."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from chainatlas.store import Store
from chainatlas.web.import_view import TEMPLATE_FIELDS


@pytest.fixture
def editor(store: Store) -> TestClient:
    from chainatlas.api.app import create_app
    from chainatlas.api.security import create_user

    client = TestClient(create_app(store))
    with store.session() as s:
        create_user(s, "imp", "import pass 123", "analyst")
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": "imp", "password": "import pass 123"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client: TestClient, name: str, body: bytes) -> str:
    r = client.post("/admin/import", files={"file": (name, body)}, data={"csrf_token": client.headers["X-CSRF-Token"]})
    assert r.status_code in (200, 400), r.text
    return r.text


def _status(html: str) -> str:
    return html.split('data-testid="upload-status">', 1)[1].split("<", 1)[0]


def test_every_row_rejected_is_a_failure_with_a_table_of_reasons(editor: TestClient) -> None:
    html = _upload(editor, "名单.xlsx", _xlsx([["企业名称", "统一社会信用代码"], ["", "91320000MA1XXXXXX1"], [None, "x"]]))
    assert _status(html) == "失败"
    table = html.split('data-testid="upload-errors"', 1)[1].split("</table>", 1)[0]
    assert "企业名称为空" in table and "<td>企业名称</td>" in table and "<td>2</td>" in table
    assert "chainatlas-upload-" not in html and "/tmp/" not in html and "\\u" not in html
    assert '"report"' not in html


def test_some_rows_rejected_is_partial_and_all_good_is_done(editor: TestClient) -> None:
    html = _upload(editor, "名单.xlsx", _xlsx([["企业名称", "营业收入"], ["泰州甲药业有限公司", 100], ["", 5]]))
    assert _status(html) == "部分成功"
    html = _upload(editor, "名单2.xlsx", _xlsx([["企业名称"], ["泰州乙药业有限公司"]]))
    assert _status(html) == "完成"
    assert 'data-testid="upload-errors"' not in html


def test_a_bad_file_names_the_users_file_not_the_servers_copy(editor: TestClient) -> None:
    html = _upload(editor, "名单.xlsx", b"not a workbook at all")
    assert 'role="alert"' in html and "chainatlas-upload-" not in html and "/tmp/" not in html


def test_template_workbook_has_the_accepted_headers_and_imports_back(editor: TestClient) -> None:
    assert 'href="/admin/import/template.xlsx"' in editor.get("/admin").text
    r = editor.get("/admin/import/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    headers = [c.value for c in wb["企业名录"][1]]
    assert headers[0] == "企业名称" and len(headers) == len(TEMPLATE_FIELDS)
    guide = {row[0]: row for row in wb["填表说明"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == set(headers) and "简称" in guide["别名"][1] and guide["营业收入"][2]
    # Filled in by an office and sent back, it imports without a problem about its own layout.
    ws = wb["企业名录"]
    ws.append(["泰州丙生物有限公司", None, "丙生物", "企业", "泰州市"])
    out = io.BytesIO()
    wb.save(out)
    html = _upload(editor, "模板.xlsx", out.getvalue())
    assert _status(html) == "完成", html.split('data-testid="upload-result"', 1)[1][:3000]
