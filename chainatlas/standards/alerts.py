"""Watches and alerts: a catalogue change that touches a watched standard, node or enterprise
puts an item in the watcher's inbox, and is mailed when an SMTP server is configured
(``CHAINATLAS_SMTP_HOST`` / ``CHAINATLAS_SMTP_PORT`` / ``CHAINATLAS_SMTP_FROM``; nothing is sent otherwise)."""

from __future__ import annotations

import logging
import os
import smtplib
from collections import defaultdict
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import StandardsError
from chainatlas.store import Store
from chainatlas.store.models import (
    AppUser,
    Organization,
    OrganizationNode,
    Standard,
    StandardAlert,
    StandardChange,
    StandardNode,
    StandardWatch,
)
from chainatlas.store.models.base import utcnow
from chainatlas.store.models.standards import WATCH_KINDS

log = logging.getLogger(__name__)

CHANGE_LABELS = {"new": "新增", "status": "状态变更", "replaced": "被代替", "withdrawn": "废止", "title": "名称变更"}
CHANGE_LABELS_EN = {"new": "new", "status": "status changed", "replaced": "replaced", "withdrawn": "withdrawn",
                    "title": "title changed"}


def add_watch(s: Session, user_id: int, kind: str, target: str, email: str | None = None) -> StandardWatch:
    """``kind`` standard (any spelling of its number), node (a node id) or organization (an id)."""
    from chainatlas.standards.numbers import NumberError, parse
    from chainatlas.store.models import ChainNode

    if kind not in WATCH_KINDS:
        raise StandardsError(f"unknown watch kind {kind!r} ({' / '.join(WATCH_KINDS)})", code="E971")
    if kind == "standard":
        try:
            target = parse(target).base_key
        except NumberError as exc:
            raise StandardsError(f"标准号无法识别 / malformed number {target!r}: {exc.reason}", code="E971") from exc
    elif kind == "node" and s.get(ChainNode, target) is None:
        raise StandardsError(f"no chain node {target!r}", code="E972")
    elif kind == "organization" and (not str(target).isdigit() or s.get(Organization, int(target)) is None):
        raise StandardsError(f"no organization {target!r}", code="E972")
    if email is not None and "@" not in email:
        raise StandardsError(f"not an e-mail address: {email!r}", code="E973")
    existing = s.scalar(select(StandardWatch).where(StandardWatch.user_id == user_id, StandardWatch.target_kind == kind,
                                                    StandardWatch.target == str(target)))
    if existing is not None:
        if email:
            existing.email = email
        return existing
    watch = StandardWatch(user_id=user_id, target_kind=kind, target=str(target), email=email)
    s.add(watch)
    s.flush()
    return watch


def remove_watch(s: Session, user_id: int, watch_id: int) -> bool:
    w = s.get(StandardWatch, watch_id)
    if w is None or w.user_id != user_id:
        return False
    s.delete(w)
    return True


def raise_alerts(s: Session, changes: list[StandardChange]) -> int:
    """One inbox item per (user, change) that touches something the user watches."""
    watches = list(s.scalars(select(StandardWatch)))
    if not watches or not changes:
        return 0
    std_ids = sorted({c.standard_id for c in changes})
    base: dict[int, str] = {}
    nodes: dict[int, set[str]] = defaultdict(set)
    for i in range(0, len(std_ids), 500):
        chunk = std_ids[i:i + 500]
        base.update(s.execute(select(Standard.id, Standard.base_key).where(Standard.id.in_(chunk))).all())
        for sid, nid in s.execute(select(StandardNode.standard_id, StandardNode.node_id)
                                  .where(StandardNode.standard_id.in_(chunk))):
            nodes[sid].add(nid)
    org_ids = [int(w.target) for w in watches if w.target_kind == "organization"]
    org_nodes: dict[str, set[str]] = defaultdict(set)
    for oid, nid in s.execute(select(OrganizationNode.organization_id, OrganizationNode.node_id)
                              .where(OrganizationNode.organization_id.in_(org_ids))):
        org_nodes[str(oid)].add(nid)
    existing = {tuple(r) for r in s.execute(select(StandardAlert.user_id, StandardAlert.change_id)
                                            .where(StandardAlert.change_id.in_([c.id for c in changes])))}
    added = 0
    for c in changes:
        for w in watches:
            hit = ((w.target_kind == "standard" and base.get(c.standard_id) == w.target)
                   or (w.target_kind == "node" and w.target in nodes[c.standard_id])
                   or (w.target_kind == "organization" and bool(org_nodes[w.target] & nodes[c.standard_id])))
            if hit and (w.user_id, c.id) not in existing:
                existing.add((w.user_id, c.id))
                s.add(StandardAlert(user_id=w.user_id, change_id=c.id, watch_id=w.id))
                added += 1
    s.flush()
    return added


def inbox(s: Session, user_id: int, *, limit: int = 50) -> list[dict]:
    rows = s.execute(
        select(StandardAlert, StandardChange, Standard)
        .join(StandardChange, StandardChange.id == StandardAlert.change_id)
        .join(Standard, Standard.id == StandardChange.standard_id)
        .where(StandardAlert.user_id == user_id).order_by(StandardAlert.id.desc()).limit(limit)).all()
    return [{"id": a.id, "read": a.read_at is not None, "change": c.change, "label": CHANGE_LABELS.get(c.change, c.change),
             "old": c.old_value, "new": c.new_value, "on": c.changed_on.isoformat() if c.changed_on else None,
             "standard_id": st.id, "number": st.number, "title": st.title, "status": st.status} for a, c, st in rows]


def recent_changes(s: Session, *, limit: int = 10) -> list[dict]:
    """标准动态: the latest dated changes of the catalogue, newest import first."""
    rows = s.execute(select(StandardChange, Standard).join(Standard, Standard.id == StandardChange.standard_id)
                     .order_by(StandardChange.id.desc()).limit(limit)).all()
    return [{"change": c.change, "label": CHANGE_LABELS.get(c.change, c.change),
             "label_en": CHANGE_LABELS_EN.get(c.change, c.change), "old": c.old_value, "new": c.new_value,
             "on": c.changed_on.isoformat() if c.changed_on else None, "standard_id": st.id, "number": st.number,
             "title": st.title, "status": st.status} for c, st in rows]


def smtp_settings() -> tuple[str, int, str] | None:
    host = os.environ.get("CHAINATLAS_SMTP_HOST")
    if not host:
        return None
    return host, int(os.environ.get("CHAINATLAS_SMTP_PORT", "25")), os.environ.get(
        "CHAINATLAS_SMTP_FROM", "chainatlas@localhost")


def send_pending_email(store: Store) -> int:
    """Mail each watcher with an address the alerts not mailed yet; only through the configured server."""
    settings = smtp_settings()
    if settings is None:
        return 0
    host, port, sender = settings
    sent = 0
    with store.session() as s:
        rows = s.execute(
            select(StandardAlert, StandardWatch.email, StandardChange, Standard, AppUser.username)
            .join(StandardWatch, StandardWatch.id == StandardAlert.watch_id)
            .join(StandardChange, StandardChange.id == StandardAlert.change_id)
            .join(Standard, Standard.id == StandardChange.standard_id)
            .join(AppUser, AppUser.id == StandardAlert.user_id)
            .where(StandardAlert.emailed_at.is_(None), StandardWatch.email.is_not(None))).all()
        by_address: dict[str, list] = defaultdict(list)
        for alert, email, change, st, user in rows:
            by_address[email].append((alert, change, st, user))
        try:
            with smtplib.SMTP(host, port, timeout=10) as smtp:
                for email, items in by_address.items():
                    msg = EmailMessage()
                    msg["From"], msg["To"] = sender, email
                    msg["Subject"] = f"标准动态 / standards update: {len(items)} 项"
                    lines = [f"{CHANGE_LABELS.get(c.change, c.change)} {st.number} {st.title}"
                             f"{' → ' + c.new_value if c.new_value else ''} ({c.changed_on or ''})" for _, c, st, _ in items]
                    msg.set_content("\n".join(lines) + "\n")
                    smtp.send_message(msg)
                    now = utcnow()
                    for alert, *_ in items:
                        alert.emailed_at = now
                    sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("standards alerts not mailed (SMTP %s:%s): %s", host, port, exc)
    return sent
