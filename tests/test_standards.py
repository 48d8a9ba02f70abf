"""标准云享站 on both backends: import (idempotent, dated changes, bad rows named), the search
contract, 查新, links, alerts with an SMTP sink, the index kept consistent with the store."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import date
from pathlib import Path

import pytest
from conftest import shared_path
from sqlalchemy import func, select
from typer.testing import CliRunner

from chainatlas.api.security import create_user
from chainatlas.standards import index as std_index
from chainatlas.standards.alerts import add_watch, inbox
from chainatlas.standards.catalogue import read_catalogue
from chainatlas.standards.importer import import_catalogue
from chainatlas.standards.sample import SAMPLE
from chainatlas.standards.search import Filters, check, search
from chainatlas.store.models import Standard, StandardChange, StandardNode

HEADER = "标准号,中文标准名称,标准状态,发布日期,实施日期,代替标准,采标情况\n"


@pytest.fixture(autouse=True)
def _index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINATLAS_INDEX_DIR", str(tmp_path / "index"))


def write(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def load_sample(store) -> None:  # type: ignore[no-untyped-def]
    import_catalogue(store, read_catalogue([SAMPLE], source="sample"))


def numbers(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [it["number"] for it in result.items]


def test_number_spellings_find_the_standard(store) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    for q in ("yy/t0287", "YY/T0287—2017", "ＹＹ/Ｔ０２８７", "YYT 0287-2017"):
        assert "YY/T 0287-2017" in numbers(search(store, q)), q
    assert numbers(search(store, "GBT 16886.5")) == ["GB/T 16886.5-2017"]
    assert numbers(search(store, "gb16886.5-2017")) == ["GB/T 16886.5-2017"]  # GB written for GB/T
    r = search(store, "ISO 10993-5")
    assert (r.mode, numbers(r)) == ("iso", ["GB/T 16886.5-2017"])
    # current first: the 2022 GB/T replaced YY/T 0287-2017, both adopt ISO 13485:2016
    assert numbers(search(store, "ISO 13485"))[0] == "GB/T 42061-2022"


def test_word_search_contract_facets_and_filters(store) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    r = search(store, "质量管理体系")
    assert r.total == 3 and r.mode == "words"
    assert [it["status"] for it in r.items] == ["现行", "废止", "废止"]  # current standards first
    assert {f["value"]: f["count"] for f in r.facets["status"]} == {"现行": 1, "废止": 2}
    assert any(p["match"] and p["text"] == "质量管理体系" for p in r.items[0]["highlight"])
    only = search(store, "质量管理体系", filters=Filters(status="废止"))
    assert only.total == 2 and {it["status"] for it in only.items} == {"废止"}
    # the status facet still shows every status while one is chosen
    assert {f["value"] for f in only.facets["status"]} == {"现行", "废止"}
    assert numbers(search(store, "醫療器械 品質管理體系".replace("品質", "质量"))) == numbers(r)  # traditional input
    assert numbers(search(store, "高效液相色谱法", filters=Filters(kind="中国药典"))) == ["中国药典2025年版四部0512",
                                                                                "中国药典2020年版四部0512"]
    by_date = search(store, "医疗器械", sort="date")
    days = [it["effective_on"] for it in by_date.items if it["effective_on"]]
    assert days == sorted(days, reverse=True)


def test_no_over_matching(store) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    assert search(store, "的").total == 0
    assert search(store, "消毒剂量子").total == 0  # no title has these words together
    assert search(store, "血氧仪").total == 0
    assert search(store, "GB/T 99999").total == 0


def test_cli_json_contract(store) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.cli.main import app

    load_sample(store)
    out = CliRunner().invoke(app, ["standards", "search", "YY/T 0287", "--status", "废止", "--json", "--db", store.url])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total"] == 2
    assert {"number", "title", "status"} <= set(data["items"][0])
    bad = CliRunner().invoke(app, ["standards", "search", "x", "--status", "作废了", "--db", store.url])
    assert bad.exit_code == 2 and "E961" in bad.output


def test_import_is_idempotent_and_records_changes(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    v1 = write(tmp_path, "v1.csv", "YY/T 0001-2010,示例器械 通用要求,现行,2010-01-01,2010-06-01,,\n"
                                   "YY/T 0002-2012,示例导管 试验方法,现行,2012-01-01,2012-06-01,,\n")
    first = import_catalogue(store, read_catalogue([v1], source="office", full=True))
    assert (first.new, first.issues) == (2, [])
    again = import_catalogue(store, read_catalogue([v1], source="office", full=True))
    assert (again.new, again.status, again.unchanged) == (0, 0, 2)
    v2 = write(tmp_path, "v2.csv", "YY/T 0001-2024,示例器械 通用要求,即将实施,2024-03-01,2026-12-01,YY/T 0001-2010,\n"
                                   "YY/T 0001-2010,示例器械 通用要求,废止,2010-01-01,2010-06-01,,\n")
    second = import_catalogue(store, read_catalogue([v2], source="office", full=True, catalogue_date=date(2025, 1, 1)))
    assert (second.new, second.replaced) == (1, 1)
    assert second.withdrawn == 2  # 0001-2010 marked 废止, 0002-2012 no longer listed
    with store.session() as s:
        kinds = sorted(s.scalars(select(StandardChange.change).where(StandardChange.import_id == second.import_id)))
        assert kinds == ["new", "replaced", "withdrawn", "withdrawn"]
        gone = s.scalar(select(Standard).where(Standard.key == "YYT0002@2012"))
        assert (gone.status, gone.withdrawn_on) == ("废止", date(2025, 1, 1))
    rows = check(store, ["YY/T 0001-2010", "yyt0001", "YY/T 9999", "nonsense"])
    assert [(r.status, r.current) for r in rows] == [("废止", "YY/T 0001-2024"), ("即将实施", None),
                                                    ("未收录", None), ("无法识别", None)]


def test_bad_rows_are_named_and_the_rest_kept(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = write(tmp_path, "bad.csv", "YY/T 0001-2010,好的一行,现行,2010-01-01,2010-06-01,,\n"
                                     "XX-abc,坏编号,现行,,,,\n"
                                     "YY/T 0003-2011,未知状态,作废了,,,,\n"
                                     "YY/T 0004-2011,日期奇怪,现行,2011-02-30,明年,,\n"
                                     "YY/T 0001-2010,同号另一个名称,现行,,,,\n"
                                     "YY/T 0005-2011,采标,现行,,,,ISO 乱写\n")
    report = import_catalogue(store, read_catalogue([bad], source="office"))
    found = {(i.where, i.field, i.code) for i in report.issues}
    assert ("bad.csv:3", "标准号", "E951") in found
    assert ("bad.csv:4", "状态", "E952") in found
    assert ("bad.csv:5", "发布日期", "E953") in found and ("bad.csv:5", "实施日期", "E953") in found
    assert ("bad.csv:6", "中文名称", "E957") in found
    assert ("bad.csv:7", "采标", "E954") in found
    with store.session() as s:
        kept = dict(s.execute(select(Standard.key, Standard.title)).all())
    assert kept == {"YYT0001@2010": "好的一行", "YYT0004@2011": "日期奇怪", "YYT0005@2011": "采标"}


def test_links_and_alerts_through_smtp(store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Box(Sink):
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.messages.append(envelope.content)
            return "250 OK"

    load_sample(store)
    with store.session() as s:
        node = s.scalar(select(StandardNode.node_id).join(Standard, Standard.id == StandardNode.standard_id)
                        .where(Standard.key == "GBT42061@2022"))
        assert node is not None  # a 医疗器械 title sits on the device chain node
        user = create_user(s, "qa", "pw-123456789", "enterprise")
        add_watch(s, user.id, "standard", "yy/t 0287", "qa@example.org")
        add_watch(s, user.id, "node", node)
        uid = user.id
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("CHAINATLAS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CHAINATLAS_SMTP_PORT", str(port))
        update = write(tmp_path, "u.csv", "YY/T 0287-2026,医疗器械 质量管理体系 用于法规的要求,即将实施,2026-01-01,2027-01-01,,\n"
                                          "YY 0469-2011,医用外科口罩,废止,,,,\n"
                                          "YY/T 9000-2026,医疗器械 示例新标准,即将实施,2026-01-01,2027-01-01,,\n")
        report = import_catalogue(store, read_catalogue([update], source="sample"))
    finally:
        controller.stop()
    assert report.alerts >= 3
    with store.session() as s:
        items = inbox(s, uid)
    got = {(i["number"], i["change"]) for i in items}
    assert ("YY/T 0287-2026", "new") in got and ("YY/T 0287-2017", "replaced") in got
    assert ("YY/T 9000-2026", "new") in got  # a new standard on the watched node
    assert ("YY 0469-2011", "withdrawn") not in got  # nobody watches masks
    assert len(box.messages) == 1  # only the standard watch has an address
    from email import message_from_bytes

    body = message_from_bytes(box.messages[0]).get_payload(decode=True).decode("utf-8")
    assert "YY/T 0287-2026" in body and "被代替" in body


def test_excel_catalogue_with_a_title_row(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2025年医疗器械标准目录"])  # offices put a title above the header
    ws.append(["标准号", "标准名称", "英文标准名称", "标准状态", "发布日期", "实施日期", "归口单位", "采标关系"])
    ws.append(["YY 0469-2011", "医用外科口罩", "Surgical mask", "现行", date(2011, 12, 31), "2013-06-01",
               "全国医用卫生材料及敷料标准化技术委员会", None])
    ws.append(["ＹＹ/Ｔ ０２８７—２０１７", "医疗器械 质量管理体系 用于法规的要求", None, "被代替", None, None, None,
               "ISO 13485:2016，等同"])
    path = tmp_path / "目录.xlsx"
    wb.save(path)
    report = import_catalogue(store, read_catalogue([path], source="office"))
    assert (report.new, report.adoptions, report.issues) == (2, 1, [])
    with store.session() as s:
        mask = s.scalar(select(Standard).where(Standard.key == "YY0469@2011"))
        assert (mask.published_on, mask.effective_on, mask.title_en) == (date(2011, 12, 31), date(2013, 6, 1),
                                                                         "Surgical mask")
        assert s.scalar(select(Standard.status).where(Standard.key == "YYT0287@2017")) == "废止"


def test_a_kill_between_import_and_index_is_caught_up(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    late = write(tmp_path, "late.csv", "YY/T 1234-2025,一次性使用示例穿刺针,现行,2025-01-01,2025-06-01,,\n")
    import_catalogue(store, read_catalogue([late], source="office"), sync_index=False)  # killed before the sync
    assert numbers(search(store, "穿刺针")) == ["YY/T 1234-2025"]


def test_index_follows_the_store_and_survives_damage(store) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    directory = std_index.index_dir(store)
    assert std_index.read_state(directory).count == 16
    shutil.rmtree(directory)  # a kill mid-rebuild or a deleted folder: rebuilt on next search
    assert search(store, "口罩").total == 1
    (directory / "state.json").write_text("{broken")
    assert search(store, "口罩").total == 1
    with store.session() as s:
        assert std_index.read_state(directory).count == s.scalar(select(func.count()).select_from(Standard))


def test_shared_nmpa_catalogue(store) -> None:  # type: ignore[no-untyped-def]
    folder = shared_path("data", "standards", "RASAAS-docmcp-knowledge", "nmpa", "standards")
    report = import_catalogue(store, read_catalogue([folder]))
    assert report.read == 2141 and report.new == 2141
    assert report.adoptions >= 20
    r = search(store, "ISO 10993-5")
    assert numbers(r) == ["GB/T 16886.5-2017"]
    words = search(store, "一次性使用 输液器", filters=Filters(status="现行"))
    assert words.total >= 5 and all("输液器" in it["title"] for it in words.items)
    assert import_catalogue(store, read_catalogue([folder])).new == 0


def test_status_pages_read_from_the_unfiltered_ranking_equal_the_filtered_query(
        store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A status group's page is taken from the unfiltered ranking (a fast field says each hit's
    status) when the group is a fair share of the matches: it must be the page the status-filtered
    query gives, at every offset, and paging without a status must list every match once, current first."""
    import random

    import chainatlas.standards.search as std_search

    rng = random.Random(5)
    words = ["医用", "导管", "试验方法", "通用要求", "灭菌", "包装", "电气设备", "生物学评价"]
    statuses = ["现行"] * 6 + ["废止"] * 3 + ["即将实施"]
    body = "".join(f"YY/T {1000 + i}-2020,{''.join(rng.choices(words, k=rng.randint(2, 4)))},"
                   f"{rng.choice(statuses)},2020-01-01,2020-06-01,,\n" for i in range(400))
    import_catalogue(store, read_catalogue([write(tmp_path, "many.csv", body)], source="office"))

    def pages(query: str, status: str | None) -> list[list[int]]:
        return [[it["id"] for it in search(store, query, filters=Filters(status=status), limit=15, offset=o,
                                           facets=False).items] for o in range(0, 135, 15)]

    for query in ("导管", "灭菌 包装", "通用要求"):
        for status in ("现行", "废止", "即将实施", None):
            monkeypatch.setattr(std_search, "_POST_FILTER_SHARE", 0.0)  # always read the unfiltered ranking
            post = pages(query, status)
            monkeypatch.setattr(std_search, "_POST_FILTER_SHARE", 2.0)  # always filter in the query
            assert pages(query, status) == post, (query, status)
        everything = search(store, query, limit=200)
        assert len(everything.items) == len({it["id"] for it in everything.items}) == everything.total > 15
        ranks = [std_search.STATUS_ORDER[it["status"]] for it in everything.items]
        assert ranks == sorted(ranks) and len(set(ranks)) > 1
