"""A small, known world for web/API tests: 泰州 with a vaccine maker whose culture-media
input is missing locally (a gap), a supplier for it in 武汉, a news page carrying XSS
payloads, and an admin account. Offsets are computed from the text, never hand-counted."""

from __future__ import annotations

from datetime import date

from chainatlas.api.security import create_user
from chainatlas.store import Store
from chainatlas.store.models import (
    Document,
    Event,
    EvidenceSpan,
    Mention,
    Metric,
    Organization,
    OrganizationAlias,
    OrganizationNode,
    Relation,
    Tier,
    YearlyFigure,
)
from chainatlas.trace.demo import load_trace_demo

ADMIN = ("admin", "correct horse battery")
ANALYST = ("ana", "analyst password 1")
XSS_NAME = '<img src=x onerror="window.__xss=4">恶意公司'
PAYLOAD_TEXT = (
    "首页 | 新闻中心 | 联系我们\n"
    "泰州疫苗生物有限公司今年3月在泰州医药高新区签约落户，总投资12.3亿元，建设疫苗生产基地。"
    "<script>window.__xss=1</script>该项目预计年产值2.85万亿元<img src=x onerror=\"window.__xss=2\">。"
    "<a href=\"javascript:window.__xss=3\">点击</a>\n"
    "推荐阅读：某地开展文明城市创建活动\n"
)


def _span(s, doc: Document, text: str, needle: str) -> EvidenceSpan:  # type: ignore[no-untyped-def]
    start = text.index(needle)
    ev = EvidenceSpan(document_id=doc.id, start=start, end=start + len(needle), orig_start=start,
                      orig_end=start + len(needle), text=needle)
    s.add(ev)
    s.flush()
    return ev


def seed_web(store: Store) -> dict:
    ids: dict = {}
    with store.session() as s:
        vac = Organization(name="泰州疫苗生物有限公司", name_key="泰州疫苗生物有限公司", kind="enterprise",
                           region_adcode="321200", source="test fixture")
        ab = Organization(name="泰州抗体药业有限公司", name_key="泰州抗体药业有限公司", kind="enterprise",
                          region_adcode="321200", source="test fixture")
        media = Organization(name="武汉培养基科技有限公司", name_key="武汉培养基科技有限公司", kind="enterprise",
                             region_adcode="420100", source="test fixture")
        evil = Organization(name=XSS_NAME, name_key="evil", kind="enterprise", region_adcode="321200",
                            source="test fixture", is_candidate=True)
        s.add_all([vac, ab, media, evil])
        s.flush()
        s.add_all([
            OrganizationNode(organization_id=vac.id, node_id="bio.vaccine"),
            OrganizationNode(organization_id=ab.id, node_id="bio.antibody"),
            OrganizationNode(organization_id=media.id, node_id="bio.media"),
            OrganizationNode(organization_id=evil.id, node_id="bio.vaccine", source="news", confidence=0.5),
            Tier(organization_id=vac.id, label="规上", issuer="泰州市统计局", year_granted=2022),
            Tier(organization_id=vac.id, label="专精特新小巨人", issuer="工业和信息化部", year_granted=2023),
            Tier(organization_id=ab.id, label="规上", issuer="泰州市统计局", year_granted=2023),
            YearlyFigure(organization_id=vac.id, year=2022, kind="revenue", value=98000.0),
            YearlyFigure(organization_id=vac.id, year=2023, kind="revenue", value=123000.0),
            YearlyFigure(organization_id=ab.id, year=2023, kind="revenue", value=3500.0),
            YearlyFigure(organization_id=media.id, year=2023, kind="revenue", value=56000.0),
            Relation(source_id=media.id, target_id=vac.id, type="supplier_of", source="test fixture",
                     evidence="武汉培养基科技为泰州疫苗生物供应培养基"),
        ])
        doc = Document(content_hash="x" * 64, doc_key="xss-page", title='<script>window.__xss=5</script>泰州疫苗项目签约',
                       url="javascript:window.__xss=6", published_at=date(2024, 3, 15), original_text=PAYLOAD_TEXT,
                       normalized_text=PAYLOAD_TEXT, region_adcode="321200", node_ids=["bio.vaccine"],
                       segments=[[0, PAYLOAD_TEXT.index("泰州疫苗"), "boilerplate"],
                                 [PAYLOAD_TEXT.index("泰州疫苗"), PAYLOAD_TEXT.index("推荐阅读"), "body"],
                                 [PAYLOAD_TEXT.index("推荐阅读"), len(PAYLOAD_TEXT), "sidebar"]])
        s.add(doc)
        s.flush()
        ev_org = _span(s, doc, PAYLOAD_TEXT, "泰州疫苗生物有限公司")
        s.add(Mention(document_id=doc.id, organization_id=vac.id, surface="泰州疫苗生物有限公司", kind="enterprise",
                      evidence_id=ev_org.id))
        ev_fig = _span(s, doc, PAYLOAD_TEXT, "12.3亿元")
        s.add(Metric(document_id=doc.id, subject="总投资", value=1.23e9, unit="元", year=2024, text="12.3亿元",
                     organization_id=vac.id, evidence_id=ev_fig.id))
        sentence = PAYLOAD_TEXT[PAYLOAD_TEXT.index("泰州疫苗"):PAYLOAD_TEXT.index("。") + 1]
        ev_evt = _span(s, doc, PAYLOAD_TEXT, sentence)
        s.add(Event(document_id=doc.id, type="签约落户", subject="泰州疫苗生物有限公司", organization_id=vac.id,
                    date=date(2024, 3, 1), date_text="今年3月", amount=1.23e9, text=sentence, region_adcode="321200",
                    node_id="bio.vaccine", evidence_id=ev_evt.id))
        s.flush()
        # The enterprise persona: a GLP toxicology lab in 泰安, found by its short name and by
        # what it does; its news page is the document it opens.
        glp = Organization(name="泰安安评药物研究有限公司", name_key="泰安安评药物研究有限公司", kind="enterprise",
                           region_adcode="370900", source="test fixture")
        s.add(glp)
        s.flush()
        s.add_all([OrganizationAlias(organization_id=glp.id, alias="泰安安评", alias_key="泰安安评", kind="short"),
                   OrganizationNode(organization_id=glp.id, node_id="cxo.glp"),
                   YearlyFigure(organization_id=glp.id, year=2023, kind="revenue", value=8600.0)])
        glp_text = "泰安安评药物研究有限公司的GLP 毒理实验室通过认证，可开展药物非临床安全性评价。\n"
        gdoc = Document(content_hash="g" * 64, doc_key="glp-news", title="泰安安评GLP实验室通过认证",
                        published_at=date(2024, 6, 3), original_text=glp_text, normalized_text=glp_text,
                        region_adcode="370900", node_ids=["cxo.glp"], segments=[[0, len(glp_text), "body"]])
        s.add(gdoc)
        s.flush()
        ev_glp = _span(s, gdoc, glp_text, "泰安安评药物研究有限公司")
        s.add(Mention(document_id=gdoc.id, organization_id=glp.id, surface="泰安安评药物研究有限公司",
                      kind="enterprise", evidence_id=ev_glp.id))
        ids.update(glp=glp.id, glp_doc=gdoc.id)
        create_user(s, *ADMIN, "admin")
        create_user(s, *ANALYST, "analyst")
        create_user(s, "ent", "enterprise pass 1", "enterprise")
        ids.update(vac=vac.id, ab=ab.id, media=media.id, evil=evil.id, doc=doc.id)
    load_trace_demo(store)  # the quality manager's lots, packs and shipments
    return ids
