"""Readers: HTML, Markdown, docx, PDF, JSON Lines (ingest.readers.*, ingest.prepare)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from chainatlas.ingest.errors import (
    BAD_JSON_LINE,
    BROKEN_DOCX,
    NO_TEXT_LAYER,
    TRUNCATED_HTML,
    UNREADABLE_PDF,
    RejectedInput,
)
from chainatlas.ingest.prepare import prepare_bytes, prepare_path

PARA = ("10月21日,江苏研诺医药科技高端制剂、华诺泰带状疱疹疫苗等20个项目签约落户中国医药城,涵盖疫苗、高端制剂、"
        "诊断试剂及高端医疗器械等多个领域。")
PARA2 = "据统计,2022年泰州全市大健康产业规模达2850亿元,中国医药城已与12家知名高校院所合作。"


def html_page(body: str = PARA, *, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>泰州医药城签约20个项目 - 某某网</title>'
        '<meta property="og:title" content="泰州医药城签约20个项目">'
        '<meta name="date" content="2024-10-22"><link rel="canonical" href="https://news.example.cn/a/123.html">'
        "</head><body><nav><a href='/'>首页</a> <a href='/news'>新闻</a> <a href='/about'>关于我们</a></nav>"
        f"<article><h1>泰州医药城签约20个项目</h1><p>{body}</p><p>{PARA2}</p><p>{body}{PARA2}</p></article>"
        "<footer>版权所有 © 某某网 ICP备12345678号</footer></body></html>"
    )


def test_html_boilerplate_removed_metadata_kept() -> None:
    doc = prepare_bytes(html_page().encode("utf-8"), name="a.html")
    assert "签约落户中国医药城" in doc.original_text
    assert "ICP备" not in doc.original_text and "关于我们" not in doc.original_text
    assert doc.published_at == dt.date(2024, 10, 22)
    assert doc.url == "https://news.example.cn/a/123.html"
    assert doc.title and "签约20个项目" in doc.title
    assert doc.doc_key == "a"


def test_truncated_html_rejected() -> None:
    page = html_page()
    with pytest.raises(RejectedInput) as err:
        prepare_bytes(page[: len(page) // 2].encode("utf-8"), name="cut.html")
    assert err.value.code == TRUNCATED_HTML


def test_markdown_reduced_to_text() -> None:
    md = f"# 泰州医药城\n\n{PARA} 详见[公告](https://x.cn/a)。\n\n![图片](a.png)\n\n**{PARA2}**\n"
    doc = prepare_bytes(md.encode("utf-8"), name="note.md")
    assert "详见公告。" in doc.normalized_text and "](" not in doc.normalized_text
    assert "**" not in doc.normalized_text
    assert doc.title == "泰州医药城"


def test_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "医药城简报"
    d.add_heading("泰州医药城简报", 1)
    d.add_paragraph(PARA)
    d.add_paragraph(PARA2)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "企业"
    table.rows[0].cells[1].text = "江苏中慧元通生物科技股份有限公司"
    path = tmp_path / "brief.docx"
    d.save(str(path))
    doc = next(prepare_path(path))
    assert "签约落户中国医药城" in doc.normalized_text
    assert "江苏中慧元通生物科技股份有限公司" in doc.normalized_text
    assert doc.title == "医药城简报" and doc.encoding == "docx"


def test_broken_docx() -> None:
    with pytest.raises(RejectedInput) as err:
        prepare_bytes(b"PK\x03\x04 this is not really a zip", name="broken.docx")
    assert err.value.code == BROKEN_DOCX


def make_pdf(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 10)
    for i, line in enumerate(lines):
        c.drawString(40, 800 - 14 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_with_text_layer() -> None:
    raw = make_pdf(["泰州医药城签约20个项目", PARA[:40], PARA[40:], PARA2])
    doc = prepare_bytes(raw, name="report.pdf")
    assert "泰州医药城签约20个项目" in doc.normalized_text
    assert "2850亿元" in doc.normalized_text
    assert doc.encoding == "pdf"


def test_pdf_without_text_layer() -> None:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(RejectedInput) as err:
        prepare_bytes(buf.getvalue(), name="scan.pdf")
    assert err.value.code == NO_TEXT_LAYER
    assert "scanned" in err.value.message


def test_unreadable_pdf() -> None:
    with pytest.raises(RejectedInput) as err:
        prepare_bytes(b"%PDF-1.7\n1 0 obj garbage garbage\n%%EOF", name="bad.pdf")
    assert err.value.code in (UNREADABLE_PDF, NO_TEXT_LAYER)


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "crawl.jsonl"
    rows = [
        json.dumps({"url": "https://news.example.cn/2024/taizhou-signing.html", "title": "签约",
                    "published_at": "2024-10-22", "html": f"<p>{PARA}</p><p>{PARA2}</p>"}, ensure_ascii=False),
        "{not json",
        json.dumps({"url": "https://news.example.cn/x", "title": "文本", "published_at": "2024年9月24日",
                    "text": PARA2}, ensure_ascii=False),
        json.dumps([1, 2]),
        json.dumps({"url": "https://news.example.cn/y", "title": "没有正文"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    errors: list[RejectedInput] = []
    docs = list(prepare_path(path, errors=errors))
    assert [d.doc_key for d in docs] == ["taizhou-signing", "x"]
    assert docs[0].published_at == dt.date(2024, 10, 22) and docs[0].title == "签约"
    assert docs[1].published_at == dt.date(2024, 9, 24)
    assert "签约落户中国医药城" in docs[0].normalized_text
    assert [(e.code, e.where) for e in errors] == [
        (BAD_JSON_LINE, f"{path}:2"), (BAD_JSON_LINE, f"{path}:4"), (BAD_JSON_LINE, f"{path}:5")]
    assert "line 2" in errors[0].message
    assert docs[0].content_hash != docs[1].content_hash


def test_published_date_from_text_head() -> None:
    doc = prepare_bytes(f"发布日期:2024-12-08 20:27 点击次数:58\n{PARA}\n{PARA2}".encode(), name="d.txt")
    assert doc.published_at == dt.date(2024, 12, 8)
    doc = prepare_bytes(f"标题很短的一行\n\nadmin1年前 (2024-09-24)栏目41\n\n{PARA}\n{PARA2}".encode(), name="e.txt")
    assert doc.published_at == dt.date(2024, 9, 24)


@pytest.mark.parametrize(("head", "expected"), [
    ("2024年08月15日 來源:泰州日報", dt.date(2024, 8, 15)),
    ("2024-03-28 10:05:12 来源:中国医药城", dt.date(2024, 3, 28)),
    ("发布时间：2024年3月28日", dt.date(2024, 3, 28)),
    ("(2024-09-24)", dt.date(2024, 9, 24)),
    ("２０２４年３月２８日\u3000來源：某报\u3000作者：某某", dt.date(2024, 3, 28)),
    ("2024年08月15日 星期四", dt.date(2024, 8, 15)),
    ("更新时间:2024/5/6 09:30 | 浏览:120", dt.date(2024, 5, 6)),
])
def test_published_date_forms_in_the_head(head: str, expected: dt.date) -> None:
    doc = prepare_bytes(f"某市新闻标题一则\n{head}\n{PARA}\n{PARA2}".encode(), name="h.txt")
    assert doc.published_at == expected


@pytest.mark.parametrize("first", [
    "2024年3月28日,泰州医药高新区举行签约仪式,共签约项目12个,总投资85亿元,园区企业发展势头良好。",
    "泰州医药高新区举行签约仪式(2024-09-24),共签约项目12个,总投资85亿元,园区企业发展势头良好。",
])
def test_date_in_running_text_is_not_the_publication_date(first: str) -> None:
    doc = prepare_bytes(f"某市新闻标题一则\n{first}\n{PARA}\n{PARA2}".encode(), name="r.txt")
    assert doc.published_at is None


def test_published_date_in_html_body_head() -> None:
    html = (f"<html><head><meta charset='utf-8'><title>标题</title></head><body><article>"
            f"<h1>某市生物医药产业园签约</h1><p>2024年08月15日 來源:泰州日報</p><p>{PARA}</p><p>{PARA2}</p>"
            f"</article></body></html>")
    doc = prepare_bytes(html.encode(), name="p.html")
    assert doc.published_at == dt.date(2024, 8, 15)


@pytest.mark.parametrize(("body", "title"), [
    ("泰州医药城新签约项目\n泰州医药城新签约项目20个,总投资85亿元。", "泰州医药城新签约项目"),
    ("#产业链# 【泰安市医药产业链：强化重点项目推进】泰安市医药产业链专班开展了项目走访。", "泰安市医药产业链:强化重点项目推进"),  # full-width colon folded
    ("10月21日,在第十四届中国(泰州)国际医药博览会期间,中国医药城集中签约20个项目,涵盖疫苗和高端制剂。",
     "10月21日,在第十四届中国(泰州)国际医药博览会期间…"),
    ("泰州医药城新签约项目20个。总投资85亿元。", "泰州医药城新签约项目20个…"),
])
def test_a_document_without_a_title_gets_its_headline_or_its_lead(body: str, title: str) -> None:
    doc = prepare_bytes(body.encode("utf-8"), name="post.txt")
    assert doc.title == title
