"""The project reader on sentences written for the test: steps planned or done, batches,
cooperation agreements, amounts, places, merging within a page."""

from __future__ import annotations

from datetime import date

from chainatlas.invest.reading import (
    names_in,
    project_key,
    reached_stage,
    read_projects,
    same_project,
    steps_in,
)
from chainatlas.invest.signals import decayed, signal_kinds


def _read(text: str, published: date | None = date(2024, 6, 1)):  # type: ignore[no-untyped-def]
    return read_projects(text, [(0, len(text))], published)


def test_planned_step_shows_the_step_before() -> None:
    assert reached_stage([st for _, st in steps_in("某某产业园计划于今年7月开工,10月建成投产")]) == "签约"
    assert reached_stage([st for _, st in steps_in("工程正在加紧建设,预计8月份试生产")]) == "开工"
    assert reached_stage([st for _, st in steps_in("某项目拟落户高新区")]) == "洽谈"
    assert reached_stage([st for _, st in steps_in("某某项目昨日竣工投产")]) == "投产"


def test_conditions_and_lists_are_not_steps() -> None:
    assert steps_in("项目建成投产后,预计年可实现利润5000万元") == []
    assert steps_in("打好项目谋划、招引、开工、投产组合拳") == []
    assert steps_in("为入驻企业提供检测服务") == []


def test_a_batch_names_its_members_only() -> None:
    reps = _read("10月8日,甲乙医药缓释制剂、丙丁生物单抗药物等15个项目签约落户某某高新区。", date(2024, 11, 1))
    assert sorted(r.name for r in reps) == ["丙丁生物单抗药物项目", "甲乙医药缓释制剂项目"]
    assert all(r.stage == "签约" and r.date == "2024-10-08" for r in reps)
    assert _read("今年以来,全县一批重大项目集中开工,总投资60亿元。") == []


def test_cooperation_agreements_are_not_projects() -> None:
    assert _read("某医院与某某通信公司签署战略合作协议,共建智慧医疗创新基地。") == []


def test_amount_and_place_from_a_later_sentence() -> None:
    reps = _read("3月5日,某县与某某公司签订中药饮片产业基地项目协议。该项目位于南京市江宁区,总投资8.5亿元,占地120亩。")
    assert len(reps) == 1
    r = reps[0]
    assert r.amount == 8.5e8 and r.area_mu == 120.0 and r.region is not None and r.region.adcode.startswith("3201")


def test_same_project_reported_twice_on_a_page_is_one() -> None:
    reps = _read("总投资26亿元康养产业园项目落户竹溪。2月13日,竹溪县与某某健康管理有限公司签订康养产业园建设项目协议。")
    assert len(reps) == 1 and reps[0].amount == 2.6e9 and reps[0].region.adcode == "420324"  # type: ignore[union-attr]
    assert same_project(project_key("康养产业园项目"), project_key("康养产业园建设项目"))


def test_names_stop_at_verbs_and_parties() -> None:
    names = [n for _, _, n in names_in("蔡某与某某医学研究(温州)有限公司签订渭南市生物疫苗产业化基地项目")]
    assert names == ["渭南市生物疫苗产业化基地项目"]


def test_signals_halve_at_their_half_life() -> None:
    k = signal_kinds()["financing"]
    today = date(2025, 1, 1)
    fresh = decayed("financing", today, today)
    assert fresh == k.weight
    one = decayed("financing", date.fromordinal(today.toordinal() - int(k.half_life_days)), today)
    assert abs(one - k.weight / 2) < 0.01
    assert decayed("contract", date(2024, 1, 1), today) < decayed("approval", date(2024, 1, 1), today)


def test_project_named_after_the_step_and_verbs_are_not_names() -> None:
    reps = _read("某某生物有限公司今年3月在泰州医药高新区签约落户，总投资12.3亿元，建设疫苗生产基地。")
    assert [(r.name, r.stage, r.amount) for r in reps] == [("疫苗生产基地", "签约", 1.23e9)]
    assert reps[0].region is not None and reps[0].region.adcode == "321200"
    assert names_in("某公司宣布将在新加坡设立东南亚总部并建立工厂") == []


def test_distance_between_seats() -> None:
    from chainatlas.invest.distance import distance_km

    km = distance_km("321200", "420100")  # 泰州 – 武汉, about 570 km as the crow flies
    assert km is not None and 500 < km < 650
    assert distance_km("321203", "321200") is not None and distance_km("321203", "321200") < 50  # type: ignore[operator]
    assert distance_km(None, "321200") is None
