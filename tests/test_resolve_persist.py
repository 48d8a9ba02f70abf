"""Resolution and persistence on both backends: registry links by short and de-spun names,
candidates with evidence, no duplicates across documents, parks stay parks, idempotence."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from chainatlas.extract.pipeline import extract
from chainatlas.ingest.prepare import prepare_text
from chainatlas.registry.names import normalize_name
from chainatlas.resolve import persist
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
    Park,
)


def _doc(s, text: str, key: str) -> tuple[Document, object]:  # type: ignore[no-untyped-def]
    prepared = prepare_text(text, doc_key=key, raw_hash=hashlib.sha256(text.encode()).hexdigest(),
                            encoding="utf-8")
    row = Document(content_hash=prepared.content_hash, doc_key=key, original_text=prepared.original_text,
                   normalized_text=prepared.normalized_text, offset_map=prepared.offset_map.to_json(),
                   segments=prepared.segments_json(), published_at=prepared.published_at)
    s.add(row)
    s.flush()
    return row, prepared


def _ingest(s, text: str, key: str) -> Document:  # type: ignore[no-untyped-def]
    row, prepared = _doc(s, text, key)
    persist(s, row, prepared, extract(prepared))
    return row


def _registry(s, name: str, *aliases: str) -> Organization:  # type: ignore[no-untyped-def]
    org = Organization(name=name, name_key=normalize_name(name), kind="enterprise")
    org.aliases = [OrganizationAlias(alias=a, alias_key=normalize_name(a), kind="short") for a in aliases]
    s.add(org)
    s.flush()
    return org


def test_short_name_links_to_the_registry_entry(store: Store) -> None:
    with store.session() as s:
        taibang = _registry(s, "山东泰邦生物有限公司", "泰邦生物")
        doc = _ingest(s, "我们全力支持泰邦生物、海天智能、京卫制药等企业做大做强。\n", "d1")
        m = s.scalars(select(Mention).where(Mention.document_id == doc.id, Mention.surface == "泰邦生物")).one()
        assert m.organization_id == taibang.id
        assert not s.get(Organization, m.organization_id).is_candidate


def test_despun_name_links_and_keeps_the_written_form(store: Store) -> None:
    text = ("本年4月,东说念主福医药发布公告,立异药研发进展告成。东说念主福医药的磋磨院立异效果显耀。\n"
            "东说念主福医药立异平台与磋磨院的东说念主才齐聚,立异效果不竭。\n")
    with store.session() as s:
        renfu = _registry(s, "人福医药")
        doc = _ingest(s, text, "spun")
        mentions = list(s.scalars(select(Mention).where(Mention.document_id == doc.id,
                                                        Mention.organization_id == renfu.id)))
        assert mentions, "the spun 东说念主福医药 resolves to 人福医药"
        assert any("东说念主福" in m.surface for m in mentions)
        ev = s.get(EvidenceSpan, mentions[0].evidence_id)
        assert doc.original_text[ev.orig_start:ev.orig_end] == mentions[0].surface
        assert doc.normalized_text[ev.start:ev.end] == ev.text


def test_unknown_organization_becomes_one_candidate_across_documents(store: Store) -> None:
    with store.session() as s:
        _ingest(s, "5月18日,苏州康宁杰瑞生物科技有限公司与某医院签署战略合作协议。\n", "a")
        _ingest(s, "苏州康宁杰瑞生物科技有限公司新建研发中心正式启用,总投资12亿元。\n", "b")
        rows = list(s.scalars(select(Organization).where(
            Organization.name_key == normalize_name("苏州康宁杰瑞生物科技有限公司"))))
        assert len(rows) == 1 and rows[0].is_candidate
        assert rows[0].source == "news:a"
        n = s.scalar(select(func.count()).select_from(Mention).where(Mention.organization_id == rows[0].id))
        assert n == 2


def test_short_name_in_a_later_document_finds_the_candidate(store: Store) -> None:
    with store.session() as s:
        _ingest(s, "像山东泰邦生物有限公司,这家公司是国家定点企业。我们支持泰邦生物、京卫制药等企业做大做强。\n", "a")
        _ingest(s, "泰邦生物、康盛医疗等企业参加了展会。\n", "b")
        rows = list(s.scalars(select(Organization).where(Organization.name.contains("泰邦"))))
        assert [r.name for r in rows] == ["山东泰邦生物有限公司"]


def test_candidate_first_seen_by_short_name_takes_the_full_name(store: Store) -> None:
    with store.session() as s:
        _ingest(s, "泰邦生物、康盛医疗等企业参加了展会。\n", "a")
        _ingest(s, "像山东泰邦生物有限公司,这家公司是国家定点企业。我们支持泰邦生物、京卫制药等企业做大做强。\n", "b")
        rows = list(s.scalars(select(Organization).where(Organization.name.contains("泰邦"))))
        assert [r.name for r in rows] == ["山东泰邦生物有限公司"]
        assert "泰邦生物" in {a.alias for a in rows[0].aliases}


def test_park_links_to_the_park_table(store: Store) -> None:
    with store.session() as s:
        doc = _ingest(s, "初冬时节,位于泰州医药高新区的江苏大同盟制药有限公司车间全线运转。\n", "p")
        park = s.scalars(select(Park).where(Park.name == "泰州医药高新技术产业开发区")).one()
        m = s.scalars(select(Mention).where(Mention.document_id == doc.id, Mention.park_id.is_not(None))).one()
        assert m.park_id == park.id and m.organization_id is None and m.kind == "park"
        assert s.scalar(select(func.count()).select_from(Organization).where(
            Organization.name.contains("高新区"))) == 0


def test_figures_events_nodes_and_idempotence(store: Store) -> None:
    text = ("据统计,2022年泰州全市大健康产业规模达2850亿元。\n"
            "10月21日,华诺泰带状疱疹疫苗等20个项目签约落户中国医药城。\n"
            "江苏瑞科生物技术股份有限公司研发重组疫苗,与某研究中心共同签署战略合作协议。\n")
    with store.session() as s:
        row, prepared = _doc(s, text, "f")
        extraction = extract(prepared)
        persist(s, row, prepared, extraction)
        counts = [s.scalar(select(func.count()).select_from(m).where(m.document_id == row.id))
                  for m in (Mention, Metric, Event, EvidenceSpan)]
        persist(s, row, prepared, extraction)
        again = [s.scalar(select(func.count()).select_from(m).where(m.document_id == row.id))
                 for m in (Mention, Metric, Event, EvidenceSpan)]
        assert counts == again and counts[1] >= 2 and counts[2] >= 1
        metric = s.scalars(select(Metric).where(Metric.text == "2850亿元")).one()
        assert (metric.value, metric.unit, metric.year) == (285000000000, "CNY", 2022)
        ev = s.get(EvidenceSpan, metric.evidence_id)
        assert row.original_text[ev.orig_start:ev.orig_end] == "2850亿元"
        assert s.scalar(select(func.count()).select_from(Event).where(Event.type == "signing")) >= 1
        assert row.node_ids
        ruike = s.scalars(select(Organization).where(Organization.name == "江苏瑞科生物技术股份有限公司")).one()
        nodes = list(s.scalars(select(OrganizationNode).where(OrganizationNode.organization_id == ruike.id)))
        assert nodes and all(n.source == "news" for n in nodes)


def test_docs_cli_shows_facts_with_evidence(store: Store) -> None:
    with store.session() as s:
        _ingest(s, "据统计,2022年泰州全市大健康产业规模达2850亿元。10月13日,泰州市大健康产业链标准云享站正式上线。\n",
                "cli")
    runner = CliRunner()
    listed = runner.invoke(__import__("chainatlas.cli.main", fromlist=["app"]).app,
                           ["docs", "list", "--db", store.url])
    assert listed.exit_code == 0, listed.output
    assert "cli" in listed.stdout
    shown = runner.invoke(__import__("chainatlas.cli.main", fromlist=["app"]).app,
                          ["docs", "show", "cli", "--db", store.url, "--json"])
    assert shown.exit_code == 0, shown.output
    facts = json.loads(shown.stdout)
    assert facts["metrics"][0]["text"] == "2850亿元"
    assert facts["events"][0]["type"] == "launch"
    assert {"start", "orig_start"} <= set(facts["metrics"][0]["evidence"])


# --- the per-run cache: same results, no per-mention queries, safe across transactions -------
from sqlalchemy import event  # noqa: E402

MANY = ("苏州康宁杰瑞生物科技有限公司、江苏恒瑞医药股份有限公司、南京圣和药业股份有限公司、"
        "江苏豪森药业集团有限公司和正大天晴药业集团股份有限公司共同发起成立产业联盟,总投资12亿元。\n")


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: seen.append(" ".join(statement.split()[:3]).upper()))
    return seen


def test_run_persister_issues_no_query_per_mention(store: Store) -> None:
    from chainatlas.resolve.persist import per_run

    run = per_run()
    with store.session() as s:  # warm: the registry is read once, the candidates created
        row, prepared = _doc(s, MANY, "a")
        run(s, row, prepared, extract(prepared))
    seen = _statements(store)
    with store.session() as s:
        row, prepared = _doc(s, MANY.replace("12亿元", "13亿元"), "b")
        extraction = extract(prepared)
        assert len(extraction.organizations) >= 4
        seen.clear()
        run(s, row, prepared, extraction)
    # The known organizations cost no SELECT each: a fixed handful of statements per document.
    assert seen.count("SELECT") <= 2, seen
    assert len(seen) <= 8, seen


def test_run_persister_same_results_as_plain_persist(store: Store) -> None:
    from chainatlas.resolve.persist import per_run

    texts = ["像山东泰邦生物有限公司,这家公司是国家定点企业。我们支持泰邦生物、京卫制药等企业做大做强。\n",
             "泰邦生物、康盛医疗等企业参加了展会。\n", MANY]
    run = per_run()
    for i, text in enumerate(texts):
        with store.session() as s:
            row, prepared = _doc(s, text, f"r{i}")
            run(s, row, prepared, extract(prepared))
    with store.session() as s:
        names = sorted(s.scalars(select(Organization.name).where(Organization.is_candidate)))
        assert len(names) == len(set(names))
        assert [n for n in names if "泰邦" in n] == ["山东泰邦生物有限公司"]
        linked = s.scalar(select(func.count()).select_from(Mention).where(Mention.organization_id.is_(None),
                                                                          Mention.park_id.is_(None)))
        assert linked == 0


def test_run_cache_forgets_a_rolled_back_candidate(store: Store) -> None:
    from chainatlas.resolve.persist import per_run

    run = per_run()
    text = "5月18日,苏州康宁杰瑞生物科技有限公司与某医院签署战略合作协议。\n"
    try:
        with store.session() as s:
            row, prepared = _doc(s, text, "a")
            run(s, row, prepared, extract(prepared))
            raise RuntimeError("the document's transaction fails after persist")
    except RuntimeError:
        pass
    with store.session() as s:
        row, prepared = _doc(s, text, "b")
        run(s, row, prepared, extract(prepared))
    with store.session() as s:
        org = s.scalars(select(Organization).where(
            Organization.name_key == normalize_name("苏州康宁杰瑞生物科技有限公司"))).one()
        m = s.scalars(select(Mention).where(Mention.surface.contains("康宁杰瑞"))).first()
        assert m is not None and m.organization_id == org.id


def test_name_without_legal_form_links_to_the_registry_entry(store: Store) -> None:
    """News writes 扬子江药业集团 for the registry's 扬子江药业集团有限公司, even after an earlier
    run made a news candidate of that short form."""
    with store.session() as s:
        candidate = Organization(name="扬子江药业集团", name_key=normalize_name("扬子江药业集团"),
                                 kind="enterprise", is_candidate=True)
        s.add(candidate)
        group = _registry(s, "扬子江药业集团有限公司")
        doc = _ingest(s, "扬子江药业集团作为医药行业领军企业,始终坚守高品质制药。\n", "d-yzj")
        linked = s.scalars(select(Mention.organization_id).where(Mention.document_id == doc.id)).all()
        assert group.id in linked and candidate.id not in linked


def test_shared_core_name_is_not_guessed(store: Store) -> None:
    """Two registry companies differing only by legal form: a bare mention links to neither."""
    with store.session() as s:
        a = _registry(s, "华康医药科技有限公司")
        b = _registry(s, "华康医药科技股份有限公司")
        doc = _ingest(s, "华康医药科技与园区签约,共建研发中心。\n", "d-hk")
        mentions = s.execute(select(Mention.surface, Mention.organization_id)
                             .where(Mention.document_id == doc.id)).all()
        assert any(surface == "华康医药科技" for surface, _ in mentions)  # it was found, just not guessed
        assert not {oid for _, oid in mentions} & {a.id, b.id}
