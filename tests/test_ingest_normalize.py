"""Each normalizer with crafted inputs, and exact offsets back to the original
(ingest.normalize.*)."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from chainatlas.ingest.normalize import Normalizer, normalize
from chainatlas.ingest.normalize.pinyin import PinyinStripper
from chainatlas.ingest.normalize.spin import SpinUndoer, default_lexicon
from chainatlas.ingest.normalize.t2s import TraditionalToSimplified
from chainatlas.ingest.normalize.whitespace import WhitespaceTidier
from chainatlas.ingest.normalize.width import WidthFolder
from chainatlas.ingest.offsets import OffsetMap

FIXTURES = REPO / "tests" / "fixtures" / "ingest"


def _apply(stage, text: str) -> str:  # type: ignore[no-untyped-def]
    return stage(text)[0]


def test_t2s_converts_characters_not_vocabulary() -> None:
    t2s = TraditionalToSimplified()
    assert _apply(t2s, "醫藥產業協同發展，質量") == "医药产业协同发展，质量"
    # t2s, not tw2sp: vocabulary such as 軟體/滑鼠 stays as written (characters only).
    assert _apply(t2s, "軟體") == "软体"
    out, m = t2s("簡體")
    assert out == "简体" and m is None  # one-for-one: identity map


@pytest.mark.parametrize(("text", "expected"), [
    ("協(xié)同", "協同"),
    ("質(zhì)量", "質量"),
    ("協（xié）同", "協同"),
    ("研(yán)究(jiū)院", "研究院"),
    ("醫(yī) 藥(yào)", "醫 藥"),
    ("非临床试验(GLP)基地", "非临床试验(GLP)基地"),
    ("磁共振成像(MRI)", "磁共振成像(MRI)"),
    ("合同研究组织(CRO)、(BMR)", "合同研究组织(CRO)、(BMR)"),
    ("英文(abc)无声调", "英文(abc)无声调"),
    ("函数(x)", "函数(x)"),
    ("鍣(qì)", "鍣"),  # pinyin after mojibake, not a real CJK word
])
def test_pinyin_stripping(text: str, expected: str) -> None:
    assert _apply(PinyinStripper(), text) == expected


def test_width_folding_keeps_chinese_punctuation() -> None:
    w = WidthFolder()
    assert _apply(w, "２０２４年ＧＬＰ，（试验）：１２．５％") == "2024年GLP,(试验):12.5%"
    assert _apply(w, "“创新”、协同。《规划》【要闻】①") == "“创新”、协同。《规划》【要闻】①"
    assert _apply(w, "全角\u3000空格") == "全角 空格"
    assert _apply(w, "⽣物医药") == "生物医药"  # Kangxi radical from a PDF text layer


SPUN = ("东说念主福医药与磋磨院共同立异,鸠集资源,成立产业定约。旧年,东说念主福医药在宇宙领先,"
        "手脚龙头企业,时候实力强。")
PLAIN = "什么时候去?宇宙飞船的手脚很灵活,国度一词也可以用。"


def test_spin_on_when_markers_recur() -> None:
    out = _apply(SpinUndoer(), SPUN)
    assert out == ("人福医药与研究院共同创新,集聚资源,成立产业联盟。去年,人福医药在全球领先,"
                   "作为龙头企业,技术实力强。")


def test_spin_off_for_normal_text() -> None:
    spin = SpinUndoer()
    assert _apply(spin, PLAIN) == PLAIN
    # one stray marker is not enough either
    assert _apply(spin, PLAIN + "咱们一起去。") == PLAIN + "咱们一起去。"


def test_spin_lexicon_is_data() -> None:
    lex = default_lexicon()
    assert lex.table["东说念主"] == "人" and "东说念主" in lex.markers
    assert "时候" in lex.table and "时候" not in lex.markers  # weak forms never switch it on
    for spun in ("磋磨", "立异", "国度", "时候", "宇宙", "鸠集", "病院", "手脚", "定约", "缔造", "齐市圈",
                 "检会", "襄理", "分娩"):
        assert spun in lex.table


def test_common_spinner_forms_undone_in_spun_text_only() -> None:
    spun = SPUN + "激动某某生物科技股份有限公司关联职责专班成立,某某生物总司理先容,本年3月项目正在激动建设,渠说念已买通。"
    out = _apply(SpinUndoer(), spun)
    assert "推动某某生物科技股份有限公司相关工作专班成立,某某生物总经理介绍,今年3月项目正在推动建设,渠道已打通。" in out
    plain = "患者激动地说,这项过程很平庸,效果不错。"
    assert _apply(SpinUndoer(), PLAIN + plain) == PLAIN + plain  # real words: left alone in normal text


def test_spin_lexicon_weak_forms_are_weak() -> None:
    lex = default_lexicon()
    assert lex.table["激动"] == "推动" and "激动" not in lex.markers
    assert lex.table["总司理"] == "总经理"
    for weak in ("激动", "效果", "过程", "不错", "处分", "环节", "本年"):
        assert weak not in lex.markers, weak


def test_corpus_spun_page_has_no_known_spin_left() -> None:
    from conftest import shared_path

    from chainatlas.ingest.prepare import prepare_path

    path = next(shared_path("corpus", "news").glob("004_*.txt"))
    text = next(prepare_path(path)).body_text()
    assert "推动武汉禾元生物科技股份有限公司" in text and "总经理" in text
    for spun in ("激动", "总司理", "先容", "说念", "诈欺", "本年"):
        assert spun not in text, spun


def test_whitespace_tidy() -> None:
    out = _apply(WhitespaceTidier(), "  第一段  文字 \r\n\r\n\r\n\r\n\t第二段\u200b文字\n")
    assert out == "第一段 文字\n\n第二段文字\n"


def _check_exact(original: str) -> None:
    n = normalize(original)
    m = n.offset_map
    assert m.norm_len == len(n.text) and m.orig_len == len(original)
    # Every normalized word is normalized from exactly its original span.
    for match in re.finditer(r"[\u4e00-\u9fffA-Za-z0-9]+", n.text):
        o1, o2 = m.to_original(match.start(), match.end())
        source = original[o1:o2]
        assert normalize(source).text == match.group(), (match.group(), source)
    assert OffsetMap.from_json(m.to_json()) == m


def test_offsets_map_back_exactly_on_traditional_pinyin_fullwidth() -> None:
    original = (FIXTURES / "traditional_pinyin.txt").read_text(encoding="utf-8")
    n = normalize(original)
    assert "产业协同发展,质量提升" in n.text
    assert "医药非临床试验(GLP)研究基地" in n.text and "(MRI)" in n.text and "(CRO)" in n.text
    assert "2850亿元" in n.text and "12.5%" in n.text
    _check_exact(original)
    i = n.text.index("协同")
    o1, o2 = n.offset_map.to_original(i, i + 2)
    assert original[o1:o2] == "協(xié)同"
    i = n.text.index("2850亿元")
    o1, o2 = n.offset_map.to_original(i, i + 6)
    assert original[o1:o2] == "２８５０億元"


def test_offsets_map_back_exactly_on_spun_text() -> None:
    n = normalize(SPUN)
    assert "spin" in n.applied
    i = n.text.index("人福医药")
    o1, o2 = n.offset_map.to_original(i, i + 4)
    assert SPUN[o1:o2] == "东说念主福医药"
    # reverse lookup: the original span maps back onto the normalized name
    assert n.offset_map.to_normalized(o1, o2) == (i, i + 4)
    for match in re.finditer(r"[\u4e00-\u9fff]+", n.text):
        o1, o2 = n.offset_map.to_original(match.start(), match.end())
        assert SpinUndoer()(SPUN[o1:o2])[0] in (match.group(), SPUN[o1:o2]) or len(SPUN[o1:o2]) > 0


def test_corpus_page_offsets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import shared_path

    for path in sorted(shared_path("corpus", "news").glob("*.txt")):
        original = path.read_text(encoding="utf-8")
        n = Normalizer()(original)
        for match in re.finditer(r"[\u4e00-\u9fff]{2,}", n.text):
            o1, o2 = n.offset_map.to_original(match.start(), match.end())
            assert o2 > o1
            assert n.offset_map.to_normalized(o1, o2)[0] <= match.start()
