"""堵点 (bottlenecks): needs the region voices in the news that no local supply answers.

A "voice" is an event or metric about the region (or about a local organization), or a
sentence in the body of a recent document about the region, that carries a need cue — 缺乏, 依赖进口, 短板, 卡脖子, 招商 … — and names a chain node,
either through the fact's own ``node_id`` or through the taxonomy's keywords. When no local
organization sits on that node, the need is unanswered: a bottleneck.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainatlas.analyse.coverage import NodeCoverage
from chainatlas.analyse.data import ChainData, id_lists
from chainatlas.analyse.evidence import evidence
from chainatlas.store.models import Document, Event, EvidenceSpan, Metric, NodeKeyword

NEED_CUES = ("缺乏", "缺少", "紧缺", "急需", "依赖进口", "进口依赖", "进口替代", "国产替代", "受制于人", "短板",
             "卡脖子", "瓶颈", "薄弱", "空白", "补链", "延链", "强链", "招商", "引进", "填补")
MIN_KEYWORD_LEN = 2


def load_voices(session: Session, data: ChainData) -> list[dict]:
    """Events and metrics in the scope, or about its organizations, whose text has a need cue."""
    local_ids = [o.id for o in data.local]
    out: list[dict] = []
    for model, text_col in ((Event, Event.text), (Metric, Metric.subject)):
        where_region = data.scope.region_filter(model.region_adcode)
        # One array parameter on PostgreSQL (5,000 bound ids cost more to send than the query).
        about_local = or_(*(model.organization_id.in_(c) for c in id_lists(session, local_ids))) if local_ids else None
        where = or_(where_region, about_local) if about_local is not None else where_region
        node_col = model.node_id if model is Event else None
        cols = [model.id, model.document_id, text_col, EvidenceSpan.id, EvidenceSpan.text,
                Document.title, Document.url, Document.published_at]
        if node_col is not None:
            cols.append(node_col)
        stmt = (select(*cols).join(EvidenceSpan, EvidenceSpan.id == model.evidence_id)
                .join(Document, Document.id == model.document_id)
                .where(where, or_(*(EvidenceSpan.text.contains(c) for c in NEED_CUES))))
        for row in session.execute(stmt):
            rid, did, text, sid, stext, title, url, pub, *rest = row
            out.append({"kind": "event" if model is Event else "metric", "id": rid, "node_id": rest[0] if rest else None,
                        "text": stext or text, "document": {"evidence_id": sid, "text": stext, "document_id": did,
                                                            "title": title, "url": url,
                                                            "published_at": pub.isoformat() if pub else None}})
    seen = {v["text"] for v in out}
    return out + document_voices(session, data, seen)


DOCUMENTS_SCANNED = 200  # newest documents of the region read sentence by sentence
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def document_voices(session: Session, data: ChainData, seen: set[str]) -> list[dict]:
    """Need sentences in the body of the region's newest documents (boilerplate, sidebars and
    spam segments skipped), for needs no structured event or metric carries."""
    stmt = (select(Document.id, Document.title, Document.url, Document.published_at, Document.normalized_text,
                   Document.segments)
            .where(data.scope.region_filter(Document.region_adcode), Document.near_duplicate_of.is_(None))
            .order_by(Document.published_at.desc(), Document.id.desc()).limit(DOCUMENTS_SCANNED))
    out = []
    for did, title, url, pub, body, segments in session.execute(stmt):
        spans = [(a, b) for a, b, label in segments or [] if label == "body"] or [(0, len(body or ""))]
        for a, b in spans:
            for m in _SENTENCE.finditer((body or "")[a:b]):
                sent = m.group().strip()
                if sent in seen or not any(c in sent for c in NEED_CUES):
                    continue
                seen.add(sent)
                out.append({"kind": "document", "id": did, "node_id": None, "text": sent,
                            "document": {"evidence_id": None, "text": sent, "document_id": did, "title": title,
                                         "url": url, "published_at": pub.isoformat() if pub else None,
                                         "start": a + m.start(), "end": a + m.end()}})
    return out


def keyword_index(session: Session) -> list[tuple[str, str]]:
    """(keyword, node) pairs, longest keyword first so 中药饮片 wins over 中药."""
    rows = session.execute(select(NodeKeyword.keyword, NodeKeyword.node_id)).all()
    return sorted(((k, n) for k, n in rows if len(k) >= MIN_KEYWORD_LEN), key=lambda kn: (-len(kn[0]), kn[0], kn[1]))


def nodes_in(text: str, keywords: list[tuple[str, str]], node_names: dict[str, str]) -> set[str]:
    """Nodes named in ``text``; a longer term claims its characters (中药饮片 over 中药), and
    every node sharing a matched term gets it."""
    found: set[str] = set()
    masked = text
    pairs = sorted([*keywords, *((name, nid) for nid, name in node_names.items() if len(name) >= MIN_KEYWORD_LEN)],
                   key=lambda kn: (-len(kn[0]), kn[0], kn[1]))
    matched: set[str] = set()
    for kw, nid in pairs:
        if kw in matched or (kw and kw in masked):
            found.add(nid)
            if kw not in matched:
                matched.add(kw)
                masked = masked.replace(kw, "□" * len(kw))
    return found


def bottlenecks(data: ChainData, cov: list[NodeCoverage], voices: list[dict],
                keywords: list[tuple[str, str]], market_needs: dict[str, list[dict]] | None = None
                ) -> tuple[list[dict], int]:
    """Unanswered needs per node, and how many voiced needs local supply does answer.
    ``market_needs``: open marketplace needs of the scope by node — each is a voiced need too."""
    by_id = {nc.id: nc for nc in cov}
    names = {nid: n.name for nid, n in data.nodes.items()}
    per_node: dict[str, list[dict]] = defaultdict(list)
    for v in voices:
        nodes = {v["node_id"]} if v.get("node_id") in by_id else nodes_in(v["text"] or "", keywords, names)
        for nid in nodes:
            per_node[nid].append(v)
    market_needs = {nid: ns for nid, ns in (market_needs or {}).items() if nid in by_id}
    out, answered = [], 0
    for nid in sorted(set(per_node) | set(market_needs)):
        nc = by_id[nid]
        if nc.count > 0:
            answered += 1
            continue
        vs = per_node.get(nid, [])
        needs = market_needs.get(nid, [])
        cues = sorted({c for v in vs for c in NEED_CUES if c in (v["text"] or "")})
        why = f"本地新闻 {len(vs)} 处提到对「{nc.name}」的需求（{'、'.join(cues)}）" if vs else ""
        if needs:
            why += ("；" if why else "") + f"科创供应链有 {len(needs)} 条本地需求待对接"
        out.append({"node_id": nid, "name": nc.name, "subchain": nc.subchain, "stage": nc.stage,
                    "voices": len(vs) + len(needs), "cues": cues, "also_gap": nc.status == "gap",
                    "why": why + "，本地无企业供给", "market_needs": needs,
                    "evidence": evidence(data, documents=[v["document"] for v in vs])})
    out.sort(key=lambda b: (-b["voices"], b["node_id"]))
    return out, answered
