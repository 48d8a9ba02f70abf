"""Decoding: UTF-8, GBK/GB18030, Big5, lying meta charsets, undecodable input
(ingest.decode, ingest.readers.html)."""

from __future__ import annotations

import opencc
import pytest

from chainatlas.ingest.decode import decode, sanity
from chainatlas.ingest.errors import BINARY, EMPTY, UNDECODABLE, RejectedInput
from chainatlas.ingest.prepare import prepare_bytes

TEXT = ("泰州医药高新区的中国医药城正以全新面貌迎接学生、游客的研学参观。据统计,2022年泰州全市大健康产业规模达"
        "2850亿元;泰州已落户扬子江药业集团、济川药业、阿斯利康等1400多家中国百强与国际知名药企。")
TRAD = opencc.OpenCC("s2t").convert(TEXT)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_simplified_encodings(encoding: str) -> None:
    d = decode(TEXT.encode(encoding))
    assert d.text == TEXT
    assert d.encoding in {"utf-8", "gbk", "gb18030"}
    if encoding != "utf-8":
        assert d.encoding in {"gbk", "gb18030"}


def test_big5() -> None:
    d = decode(TRAD.encode("big5"))
    assert d.text == TRAD and d.encoding in {"big5", "cp950", "big5hkscs"}


def test_gb18030_only_characters() -> None:
    text = TEXT + "𠀀㐀"  # outside GBK: needs GB18030's four-byte forms
    d = decode(text.encode("gb18030"))
    assert d.text == text and d.encoding == "gb18030"


def test_declared_charset_is_only_a_hint() -> None:
    assert decode(TEXT.encode("gbk"), declared="big5").text == TEXT
    assert decode(TRAD.encode("big5"), declared="gbk").text == TRAD


@pytest.mark.parametrize("declared", ["utf-8", "big5", "iso-8859-1"])
def test_html_meta_charset_lies(declared: str) -> None:
    html = (f'<html><head><meta charset="{declared}"><title>医药城新闻</title></head><body><article>'
            f"<p>{TEXT}</p><p>{TEXT}</p></article></body></html>")
    doc = prepare_bytes(html.encode("gbk"), name="page.html")
    assert doc.encoding in {"gbk", "gb18030"}
    assert "扬子江药业集团" in doc.normalized_text


def test_sanity_separates_text_from_mojibake() -> None:
    assert sanity(TEXT) > 0.9
    assert sanity(TEXT.encode("gbk").decode("big5", errors="replace")) < 0.75


def test_undecodable_is_reported_not_guessed() -> None:
    # Random high bytes decode as *something* in GB18030; the sanity check refuses it.
    import random

    rng = random.Random(3)
    raw = bytes(rng.randint(0x81, 0xFE) for _ in range(3000))
    with pytest.raises(RejectedInput) as err:
        decode(raw)
    assert err.value.code == UNDECODABLE


def test_binary_and_empty() -> None:
    with pytest.raises(RejectedInput) as err:
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert err.value.code == BINARY
    with pytest.raises(RejectedInput) as err:
        decode(b"  \n\n ")
    assert err.value.code == EMPTY


def test_utf8_bom_and_utf16() -> None:
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8")).text == TEXT
    assert decode(TEXT.encode("utf-16")).text == TEXT


@pytest.mark.parametrize(("encoding", "declared"), [("utf-8", "gbk"), ("big5", "utf-8"), ("big5", "gb2312")])
def test_html_other_lies(encoding: str, declared: str) -> None:
    text = TRAD if encoding == "big5" else TEXT
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">'
            f"<title>{text[:6]}</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>")
    doc = prepare_bytes(html.encode(encoding), name="page.htm")
    assert "扬子江药业集团" in doc.normalized_text  # t2s applied to the Big5 page too
