"""Noise separation: crafted pages for each noise kind, and the corpus pages against their
gold notes (ingest.noise.*)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO, shared_path

from chainatlas.ingest.noise import BODY, segment
from chainatlas.ingest.prepare import PreparedDocument, prepare_bytes, prepare_path

FIXTURES = REPO / "tests" / "fixtures" / "ingest"

P1 = "某市生物医药产业园今年一季度新签约项目12个,总投资85亿元,涵盖创新药、高端医疗器械和CDMO等领域。"
P2 = "园区内的某某生物制药有限公司新建的生产线已投产,预计年产值可达20亿元,生产效率提升了三成。"
P3 = "此外,园区正在建设公共技术服务平台,为入园企业提供中试、检测和注册申报服务,完善创新药产业链条。"
P4 = "园区负责人表示,下一步将围绕创新药和高端医疗器械产业链关键环节精准招商,推动生物医药产业集群发展。"


def labels_of(doc: PreparedDocument, needle: str) -> set[str]:
    i = doc.normalized_text.index(needle)
    return {s.label for s in doc.segments if s.start < i + len(needle) and s.end > i}


def body(doc: PreparedDocument) -> str:
    return doc.body_text()


def prep(text: str) -> PreparedDocument:
    return prepare_bytes(text.encode("utf-8"), name="t.txt")


def test_segments_cover_the_text() -> None:
    doc = next(prepare_path(FIXTURES / "noisy_page.txt"))
    pos = 0
    for s in doc.segments:
        assert s.start == pos and s.end > s.start
        pos = s.end
    assert pos == len(doc.normalized_text)


def test_navigation_contact_copyright_and_sidebar() -> None:
    doc = next(prepare_path(FIXTURES / "noisy_page.txt"))
    assert doc.title == "某市生物医药产业园加快建设创新药产业集群"
    text = body(doc)
    assert "总投资85亿元" in text and "某某生物制药有限公司" in text and "公共技术服务平台" in text
    assert labels_of(doc, "当前位置") == {"boilerplate"}
    assert labels_of(doc, "客服电话") == {"boilerplate"}
    assert labels_of(doc, "版权所有") == {"boilerplate"}
    assert labels_of(doc, "某区交通局发布道路施工通告") == {"sidebar"}
    assert "文旅局" not in text


def test_headline_list_after_body_is_sidebar() -> None:
    page = "\n\n".join([P1, P2, P3, P4, "激活民间投资 某省推出“30条”", "某市疾控中心发布新版流感疫苗接种指南",
                        "数字赋能提升城市安全韧性,某区这样做!"])
    doc = prep(page)
    assert P4 in body(doc)
    assert labels_of(doc, "某市疾控中心") == {"sidebar"}


def test_repeated_article_is_kept_once() -> None:
    article = "\n\n".join([P1, P2, P3, P4])
    doc = prep(article + "\n\n" + article)
    assert body(doc).count(P2) == 1
    second = doc.normalized_text.rindex(P2)
    assert {s.label for s in doc.segments if s.start <= second < s.end} == {"duplicate"}


def test_unrelated_item_glued_after_body() -> None:
    glued = ("【某地青年集体和个人获得荣誉】日前,团中央表彰的各项青年荣誉重磅出炉,我市共有12个集体和37名个人"
             "获得全国、省级荣誉,其中某印刷有限公司团委被表彰为五四红旗团委。https://t.cn/AbCdEf")
    doc = prep("\n\n".join([P1, P2, P3, P4, glued]))
    assert P4 in body(doc)
    assert "印刷有限公司" not in body(doc)


def test_hot_list_spam_lines() -> None:
    page = "\n\n".join([P1, P2, P3, P4]) + (
        "\n\n发布 👍 0 举报 写留言\n✋热门推荐\n"
        "• 全章节霍某某(全文txt阅读)霍某某 霍某某(全文txt阅读)\n"
        "• 【某某网 时尚大促,低至五折+包税直邮中国】某品牌托特包 防屏蔽文案\n"
        "• 附上我妈每日遛狗从邻居院子里薅的花,昨天还在指着一朵完全盛开的花比做她自己\n"
    )
    doc = prep(page)
    assert labels_of(doc, "全文txt阅读") == {"spam"}
    assert labels_of(doc, "包税直邮") == {"spam"}
    assert labels_of(doc, "遛狗") <= {"sidebar", "spam"}
    assert "遛狗" not in body(doc) and "举报" not in body(doc)


def test_injected_spam_terms_inside_sentences() -> None:
    doc = prep("\n".join(["6月28日足交,科创供应链赋能大健康高峰论坛在光谷生物城举办。" + P1,
                          "器官芯片看起来简单,情色武侠却内有乾坤。" + P2, P3]))
    assert labels_of(doc, "足交") == {"spam"} and labels_of(doc, "情色武侠") == {"spam"}
    assert "足交" not in body(doc) and "情色" not in body(doc)
    assert "科创供应链赋能大健康高峰论坛" in body(doc)


def test_photo_caption_is_boilerplate() -> None:
    doc = prep("\n\n".join([P1, "某某公司进行产品展示。某某全媒体记者 张三 摄", P2, P3]))
    assert labels_of(doc, "全媒体记者") == {"boilerplate"}
    assert P2 in body(doc)


def test_short_document_is_kept() -> None:
    assert segment("一句话的通知") == [(0, 6, BODY)]


# --- the corpus pages, against their gold ---------------------------------------------------
KEY_SENTENCES = {
    "000": ["据统计,2022年泰州全市大健康产业规模达2850亿元", "科大讯飞医疗人工智能研究院已揭牌成立",
            "致力打造健康中国“泰州样板”", "数智融合全链赋能泰州打造大健康产业高质量发展"],
    "002": ["像山东泰邦生物有限公司,这家公司是国家定点企业", "总投资 15亿元",
            "力争成为全国极具活力的生物医药和高端智能医疗器械创新高地"],
    "004": ["光谷生物城已成为武汉市乃至湖北省发展生命健康产业的核心集聚区", "签约额累计近250亿元",
            "为武汉生物医药高质量发展贡献力量"],
}


@pytest.mark.parametrize("prefix", sorted(KEY_SENTENCES))
def test_corpus_page_noise_against_gold(prefix: str) -> None:
    news = shared_path("corpus", "news")
    path = next(news.glob(f"{prefix}_*.txt"))
    gold = json.loads((shared_path("corpus", "gold") / (path.stem + ".json")).read_text(encoding="utf-8"))
    doc = next(prepare_path(path))
    text = body(doc)
    for sentence in KEY_SENTENCES[prefix]:
        assert sentence in text, sentence
    for name in gold["noise_organizations"]:
        assert name not in text, f"noise organization {name} inside the body"
        if name in doc.normalized_text:  # named on the page: then inside a noise segment
            assert any(name in doc.normalized_text[s.start:s.end] for s in doc.segments if s.label != BODY), name
    for org in gold["organizations"]:
        if org.get("borderline"):
            continue
        names = [org["name"], *(org.get("aliases") or [])]
        assert any(n in text for n in names), f"gold organization {org['name']} not in the body"


def test_corpus_repeated_article_labelled_duplicate() -> None:
    path = next(shared_path("corpus", "news").glob("002_*.txt"))
    doc = next(prepare_path(path))
    dup = [s for s in doc.segments if s.label == "duplicate"]
    assert sum(s.end - s.start for s in dup) > 2000
    assert body(doc).count("像山东泰邦生物有限公司") == 1


def test_body_blocks_bridge_inline_spam() -> None:
    doc = prep("\n".join(["6月28日足交,科创供应链赋能大健康高峰论坛在光谷生物城举办。" + P1, P2, P3]))
    blocks = doc.body_blocks()
    first = doc.normalized_text[blocks[0][0]:blocks[0][1]]
    assert first.startswith("6月28日足交,科创供应链") and "足交" not in doc.body_text()
    assert [doc.normalized_text[a:b] for a, b in doc.spam_spans()] == ["足交"]


def test_enumerated_list_after_body_stays_in_body() -> None:
    items = "\n".join(["1. 某市生物医药产业园创新药生产基地项目", "2. 某市生物医药产业园高端医疗器械研发项目",
                       "3. 某市生物医药产业园CDMO公共服务平台项目"])
    doc = prep("\n\n".join([P1, P2, P3, P4, "本次签约的重点项目包括:", items, "相关文章", "某县文旅局举办春季赏花节"]))
    assert "CDMO公共服务平台项目" in body(doc)
    assert "赏花节" not in body(doc)


# --- closing paragraphs: the article's own last word is body, glued items are not ------------
HC1 = "海创药业股份有限公司是一家专注于创新药研发的企业,总部位于成都天府国际生物城,已建成小分子药物研发平台。"
HC2 = "公司围绕肿瘤和代谢疾病布局了多条在研管线,其中两款产品已进入三期临床试验阶段,研发投入逐年增加。"
HC3 = "近年来,天府国际生物城持续完善中试、检测和注册申报等公共服务,为入驻企业的研发和生产提供支撑。"


def test_closing_paragraph_naming_the_article_subject_is_body() -> None:
    doc = prep("\n".join(["海创药业:深耕创新药研发", HC1, HC2, HC3, "2022年,海创药业在上交所科创板上市。"]))
    assert labels_of(doc, "海创药业在上交所科创板上市") == {"body"}


def test_sample_page_closing_figure_is_body() -> None:
    from chainatlas.settings import DATA_DIR

    doc = next(prepare_path(DATA_DIR / "sample_news" / "pages" / "taizhou-vaccine-2024.html"))
    assert labels_of(doc, "据统计,2022年泰州全市大健康产业规模达2850亿元") == {"body"}
    assert "美食文化节" not in body(doc)


@pytest.mark.parametrize("glued", [
    "某县文旅局举办春季赏花节,吸引游客20万人次,周边民宿入住率明显上升。",       # unrelated prose
    "【成都】本周天气多云转晴,气温回升,市民出行注意防晒补水,请合理安排出行。",  # a feed post, place shared
    "海创药业、某某集团、某某科技等企业上榜" * 8 + "。",                          # long list glued on
])
def test_glued_items_after_the_body_still_go(glued: str) -> None:
    doc = prep("\n".join(["海创药业:深耕创新药研发", HC1, HC2, HC3, glued]))
    assert glued[:12] not in body(doc)
    assert HC3 in body(doc)


def test_body_spans_never_hold_spam_and_masked_text_keeps_offsets() -> None:
    """body_spans() stays spam-free (extraction reads normalized_text inside it); a reader
    that wants whole sentences takes body_blocks() over masked_text()."""
    doc = prep("\n".join(["6月28日足交,科创供应链赋能大健康高峰论坛在光谷生物城举办。" + P1, P2, P3]))
    text = doc.normalized_text
    assert all("足交" not in text[a:b] for a, b in doc.body_spans())
    masked = doc.masked_text()
    assert len(masked) == len(text) and "足交" not in masked
    a, b = doc.body_blocks()[0]
    assert masked[a:b].startswith("6月28日\ufffc\ufffc,科创供应链")
