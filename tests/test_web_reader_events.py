"""The document reader and the event lists in a reader's words: event types as 签约 / 获批, relative
dates with the date they resolve to, the source's own punctuation, and a Markdown file's front
matter taken as the page's title and date instead of shown as text."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from chainatlas.ingest.offsets import OffsetMap
from chainatlas.store import Store
from chainatlas.store.models import Document, Event, EvidenceSpan, Organization
from chainatlas.web.views.base import event_when, vocab_label
from chainatlas.web.views.documents import front_matter, with_original_punctuation

ORIG = "泰州某药业有限公司去年与园区签约，总投资5亿元；项目今年开工。"
NORM = ORIG.replace("，", ",").replace("；", ";")
MD = "---\ntitle: 泰州医药高新区一季度签约项目\ndate: 2024-04-02\n---\n\n正文：泰州某药业有限公司签约落户。\n"


@pytest.fixture
def client(store: Store) -> tuple[TestClient, dict]:
    from chainatlas.api.app import create_app

    with store.session() as s:
        org = Organization(name="泰州某药业有限公司", name_key="泰州某药业有限公司", kind="enterprise",
                           region_adcode="321200", source="test")
        s.add(org)
        s.flush()
        doc = Document(content_hash="p" * 64, doc_key="punct", title="签约新闻", published_at=date(2024, 5, 6),
                       original_text=ORIG, normalized_text=NORM, offset_map=OffsetMap.identity(len(NORM)).to_json(),
                       segments=[[0, len(NORM), "body"]])
        md = Document(content_hash="m" * 64, doc_key="news.md", title="news.md", original_text=MD, normalized_text=MD,
                      segments=[[0, len(MD), "body"]])
        s.add_all([doc, md])
        s.flush()
        ev = EvidenceSpan(document_id=doc.id, start=0, end=len(NORM), orig_start=0, orig_end=len(ORIG), text=NORM)
        s.add(ev)
        s.flush()
        s.add(Event(document_id=doc.id, type="signing", subject=org.name, organization_id=org.id, date=date(2023, 1, 1),
                    date_text="去年", amount=5e8, text=NORM, evidence_id=ev.id))
        ids = {"org": org.id, "doc": doc.id, "md": md.id}
    return TestClient(create_app(store)), ids


def test_helpers() -> None:
    assert vocab_label("zh", "event", "signing") == "签约" and vocab_label("en", "event", "approval") == "approval"
    assert vocab_label("zh", "event", "签约落户") == "签约落户"  # a type stored in words stays as stored
    assert event_when("2023-01-01", "去年") == "去年（2023年）"
    assert event_when("2024-03-01", "今年3月") == "今年3月（2024年3月）"
    assert event_when("2024-03-05", None) == "2024年3月5日"
    assert with_original_punctuation(NORM, ORIG, OffsetMap.identity(len(NORM)).to_json()) == ORIG
    end, fm = front_matter(MD)
    assert MD[end:].lstrip().startswith("正文") and fm["title"].startswith("泰州医药高新区")


def test_org_profile_events_in_words(client) -> None:  # type: ignore[no-untyped-def]
    c, ids = client
    html = c.get(f"/orgs/{ids['org']}").text
    events = html.split('id="events"', 1)[1].split("</section>", 1)[0]
    assert "签约" in events and ">signing<" not in events
    assert "去年（2023年）" in events


def test_reader_keeps_the_source_punctuation_and_names_event_types(client) -> None:  # type: ignore[no-untyped-def]
    c, ids = client
    html = c.get(f"/documents/{ids['doc']}").text
    text = html.split('data-testid="doc-text"', 1)[1]
    assert "签约，总投资5亿元；项目" in text and "签约,总投资" not in text
    assert 'title="签约 去年（2023年）"' in text


def test_markdown_front_matter_becomes_title_and_date(client) -> None:  # type: ignore[no-untyped-def]
    c, ids = client
    html = c.get(f"/documents/{ids['md']}").text
    assert "<h1>泰州医药高新区一季度签约项目</h1>" in html
    assert "2024-04-02" in html.split("<h1>", 1)[1].split("</p>", 1)[0]
    text = html.split('data-testid="doc-text"', 1)[1]
    assert "title:" not in text and "---" not in text and "正文" in text
