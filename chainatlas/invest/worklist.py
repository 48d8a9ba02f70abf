"""The target list an office works: shortlist a target for a node, assign it, move it through
未接触 → 已接触 → 洽谈 → 签约 (or 放弃, with a reason), keep notes and the next contact date,
and hand the list out as the Excel 招商目标清单 with the reasons it was chosen."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chainatlas.analyse.report import region_index
from chainatlas.analyse.scope import resolve_scope
from chainatlas.invest.errors import InvestError
from chainatlas.invest.excel import _sheet
from chainatlas.invest.targets import targets_for
from chainatlas.store.models import (
    TARGET_STATUSES,
    ChainNode,
    InvestTarget,
    InvestTargetNote,
    Organization,
    Region,
)


def shortlist(session: Session, region: str, node_id: str, organization_id: int, *, user: str | None = None,
              assignee: str | None = None) -> InvestTarget:
    scope = resolve_scope(session, region, region_index(session))
    found = session.scalar(select(InvestTarget).where(
        InvestTarget.region_adcode == scope.adcode, InvestTarget.node_id == node_id,
        InvestTarget.organization_id == organization_id))
    if found is not None:
        return found
    ranked = targets_for(session, scope, node_id, limit=200)
    hit = next((t for t in ranked["targets"] if t["id"] == organization_id), None)
    if hit is None:
        if session.get(Organization, organization_id) is None:
            raise InvestError(f"organization {organization_id} does not exist", where=str(organization_id),
                              code="E671")
        raise InvestError(f"organization {organization_id} is not a target for {node_id} in {scope.name} "
                          "(already local, or not on the node)", where=str(organization_id), code="E672")
    t = InvestTarget(region_adcode=scope.adcode, node_id=node_id, organization_id=organization_id,
                     status="未接触", assignee=assignee, score=hit["score"],
                     reasons=[*hit["factors"], {"factor": "why_now", "label": "为何现在", "evidence": [hit["why_now"]]}],
                     created_by=user)
    session.add(t)
    session.flush()
    return t


def update_target(session: Session, target_id: int, *, status: str | None = None, assignee: str | None = None,
                  reason: str | None = None, next_contact: date | None = None, note: str | None = None,
                  user: str | None = None) -> InvestTarget:
    t = session.get(InvestTarget, target_id)
    if t is None:
        raise InvestError(f"target {target_id} does not exist", where=str(target_id), code="E673")
    if status is not None:
        if status not in TARGET_STATUSES:
            raise InvestError(f"unknown status {status!r}: one of {' → '.join(TARGET_STATUSES)}", where="status",
                              code="E674")
        if status == "放弃" and not (reason or t.abandon_reason):
            raise InvestError("放弃 needs a reason", where="reason", code="E675")
        t.status = status
        if status == "放弃":
            t.abandon_reason = reason or t.abandon_reason
    if assignee is not None:
        t.assignee = assignee or None
    if next_contact is not None:
        t.next_contact = next_contact
    if note:
        t.notes.append(InvestTargetNote(author=user, text=note))
    session.flush()
    return t


def target_rows(session: Session, region: str | None = None) -> list[dict]:
    stmt = select(InvestTarget).options(selectinload(InvestTarget.notes)).order_by(InvestTarget.id)
    if region:
        scope = resolve_scope(session, region)
        stmt = stmt.where(scope.region_filter(InvestTarget.region_adcode))
    rows = list(session.scalars(stmt))
    orgs = dict(session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({t.organization_id for t in rows}))).all()) if rows else {}
    nodes = dict(session.execute(select(ChainNode.id, ChainNode.name)).all()) if rows else {}
    regions = dict(session.execute(select(Region.adcode, Region.name).where(
        Region.adcode.in_({t.region_adcode for t in rows}))).all()) if rows else {}
    return [{"id": t.id, "region": regions.get(t.region_adcode), "region_adcode": t.region_adcode,
             "node_id": t.node_id, "node": nodes.get(t.node_id), "organization_id": t.organization_id,
             "organization": orgs.get(t.organization_id), "status": t.status, "assignee": t.assignee,
             "abandon_reason": t.abandon_reason, "next_contact": t.next_contact.isoformat() if t.next_contact else None,
             "score": t.score, "reasons": t.reasons or [],
             "notes": [{"author": n.author, "text": n.text, "at": n.created_at.isoformat() if n.created_at else None}
                       for n in t.notes]} for t in rows]


def targets_workbook(rows: list[dict]) -> bytes:
    """招商目标清单: one row per target with the factors that ranked it and its status."""
    wb = Workbook()
    _sheet(wb, "招商目标清单", ["地区", "产业链环节", "目标企业", "得分", "推荐理由", "为何现在", "状态", "负责人",
                              "下次联系", "放弃原因", "跟进记录"], [
        [r["region"], r["node"], r["organization"], r["score"],
         "\n".join(f"{f['label']} +{f.get('points', 0)}：{'；'.join(f['evidence'])}" for f in r["reasons"]
                   if f.get("factor") != "why_now"),
         "；".join(e for f in r["reasons"] if f.get("factor") == "why_now" for e in f["evidence"]),
         r["status"], r["assignee"] or "", r["next_contact"] or "", r["abandon_reason"] or "",
         "\n".join(f"{n['at'][:10] if n['at'] else ''} {n['author'] or ''}：{n['text']}" for n in r["notes"])]
        for r in rows], first=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
