"""Where the article body ends, on pages written for these tests: a ranking list inside and
at the end of an article, closing paragraphs that must stay, related-news blocks and legal
footers that must go, a document numbered in sections, a last line cut off mid-sentence,
and a gambling brand injected mid-sentence (ingest.noise.body, lines, spam)."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from chainatlas.ingest.noise import BODY
from chainatlas.ingest.prepare import PreparedDocument, prepare_bytes, prepare_path

FIXTURES = REPO / "tests" / "fixtures" / "noise_body"  # not under ingest/: its pipeline test counts that folder
RANKED = ["东岚药业集团有限公司", "青禾生物制药股份有限公司", "南川医疗器械有限公司", "北辰中药饮片有限公司",
          "云舟基因科技有限公司", "白鹭疫苗股份有限公司", "松石医药物流有限公司", "金穗诊断试剂有限公司",
          "远帆化学制药有限公司", "澄湖康养产业集团有限公司"]


def page(name: str) -> PreparedDocument:
    return next(prepare_path(FIXTURES / name))


def prep(text: str) -> PreparedDocument:
    return prepare_bytes(text.encode("utf-8"), name="t.txt")


def labels_of(doc: PreparedDocument, needle: str) -> set[str]:
    i = doc.normalized_text.index(needle)
    return {s.label for s in doc.segments if s.start < i + len(needle) and s.end > i}


def test_ranking_list_inside_the_article_is_body() -> None:
    doc = page("ranking_page.txt")
    body = doc.body_text()
    assert all(name in body for name in RANKED)
    assert "研发投入强度超过10%" in body  # the paragraph after the list: the body goes on past it
    assert "某市召开养老服务工作推进会" not in body and labels_of(doc, "某县启动秋冬季农田水利建设") == {"sidebar"}
    assert labels_of(doc, "未经授权禁止转载") == {"boilerplate"}


def test_announced_list_at_the_end_of_the_article_is_body() -> None:
    text = (FIXTURES / "ranking_page.txt").read_text(encoding="utf-8")
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("协会负责人"))
    doc = prep(text)
    body = doc.body_text()
    assert all(name in body for name in RANKED)
    assert "某区举办全民健身运动会" not in body


def test_unannounced_headline_list_after_the_body_is_not() -> None:
    """The same numbered shape without a lead-in, speaking of other things: a sidebar."""
    text = (FIXTURES / "ranking_page.txt").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(("协会负责人", "榜单前十名", "相关新闻"))]
    others = ["某市召开养老服务工作推进会", "某区举办全民健身运动会", "某县启动秋冬季农田水利建设", "某镇完成老旧小区改造"]
    lines = [ln for ln in lines if not re.match(r"\d+\. ", ln) and ln not in others]
    cut = lines.index(next(ln for ln in lines if ln.startswith("版权所有")))
    lines[cut:cut] = [f"{k}. {h}" for k, h in enumerate(others, 1)] + [""]
    doc = prep("\n".join(lines))
    assert "入选企业合计实现营业收入1860亿元" in doc.body_text()
    assert not any(h in doc.body_text() for h in others)


def test_closing_paragraph_of_a_short_article_stays() -> None:
    """Four paragraphs: too few for the last one's words to recur in two others, and it names
    nothing of the title or the lead; it goes on with the second paragraph's own words
    (全自动灌装, 抗感染) and carries a figure."""
    doc = page("closing_paragraph_page.txt")
    body = doc.body_text()
    assert "良品率达99.5%" in body
    assert "评论区" not in body and "暂无评论" not in body
    assert doc.title == "青禾生物在某市新区投产年产3亿支注射剂生产线"


def test_related_news_block_and_legal_footer_go() -> None:
    doc = page("related_footer_page.txt")
    body = doc.body_text()
    assert "预计全年产值可达8亿元" in body  # the closing paragraph stays
    assert "恒远地产集团" not in body and labels_of(doc, "恒远地产集团") == {"sidebar"}
    for footer in ("不代表某省经济网观点", "违者将依法追究法律责任", "版权所有"):
        assert labels_of(doc, footer) == {"boilerplate"}, footer
    assert "网站首页" not in body


def test_unrelated_item_glued_after_a_short_article_still_goes() -> None:
    """Keeping closing paragraphs by the body's own words must not keep a glued item that
    shares none of them."""
    text = (FIXTURES / "closing_paragraph_page.txt").read_text(encoding="utf-8")
    glued = "某县文旅局公布今年第二批乡村旅游重点村名单,共有八个村落入选,将获得专项资金扶持和线路推广。"
    text = text.replace("评论区 0", glued + "\n\n评论区 0")
    doc = prep(text)
    assert "良品率达99.5%" in doc.body_text()
    assert "乡村旅游重点村" not in doc.body_text()


def test_document_numbered_in_sections_goes_on_past_template_lines() -> None:
    """A report's template lines (□适用 □不适用) break the run of prose; its next section
    heading (二、) says the document goes on."""
    lines = [
        "某某生物科技股份有限公司2023年年度报告摘要",
        "一、重要提示",
        "本年度报告摘要来自年度报告全文,投资者应当到证券交易所网站仔细阅读年度报告全文。",
        "所有董事均已出席了审议本报告的董事会会议,会计师事务所出具了标准无保留意见的审计报告。",
        "非标准审计意见提示", "□适用 √不适用",
        "公司上市时未盈利且目前未实现盈利", "□适用 √不适用",
        "董事会审议的报告期利润分配预案", "√适用 □不适用",
        "以120,000,000股为基数,向全体股东每10股派发现金红利1.50元(含税)。",
        "二、公司基本情况",
        "股票简称某某生物 股票上市交易所深圳证券交易所",
        "公司主要从事体外诊断试剂的研发、生产与销售,产品覆盖肿瘤标志物和自身免疫检测。",
    ]
    doc = prep("\n".join(lines))
    body = doc.body_text()
    assert "每10股派发现金红利1.50元" in body and "深圳证券交易所" in body and "肿瘤标志物" in body


def test_last_line_cut_off_mid_sentence_is_body() -> None:
    """An excerpt stopping mid-sentence: clauses and commas over a length no heading has."""
    doc = page("closing_paragraph_page.txt")
    text = doc.normalized_text.split("评论区")[0].rstrip()
    cut = "同日,青禾生物与某市新区管委会签署了二期项目投资协议,二期将新增冻干粉针和预灌封注射器生产线,建成后"
    doc = prep(text + "\n\n" + cut)
    assert "二期将新增冻干粉针" in doc.body_text()


@pytest.mark.parametrize("brand", ["ng体育官方网站", "abc棋牌官网"])
def test_gambling_brand_injected_mid_sentence_is_spam(brand: str) -> None:
    sentence = f"据招股说明书披露,{brand}该公司为上市规则界定的生物科技公司,拟在香港交易所主板上市。"
    doc = prep("\n\n".join([sentence, sentence.replace("拟在", "计划在"), "公司表示募集资金将主要用于在研药物的临床试验。"]))
    assert labels_of(doc, brand) == {"spam"}
    assert brand not in doc.body_text()
    assert any(a <= doc.normalized_text.index("该公司") < b for a, b in doc.body_blocks())


def test_official_site_of_a_firm_is_not_spam() -> None:
    doc = prep("据青禾生物官网消息,公司注射剂生产线已通过GMP符合性检查,将于下月开始向华东市场供货。")
    assert {s.label for s in doc.segments} == {BODY}
