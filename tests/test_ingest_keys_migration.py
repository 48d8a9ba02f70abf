"""Migration 0006_ingest_keys on a store that two concurrent ingests had already damaged:
duplicate news candidates are merged into the oldest (every row pointing at a duplicate is
re-pointed, rows the kept one already has under a unique key dropped), then the unique key
holds (both backends)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from chainatlas.store import Store
from chainatlas.store.db import alembic_config
from chainatlas.store.models import Document, Mention, Organization, OrganizationAlias


def _at(store: Store, revision: str, how: str) -> None:
    cfg = alembic_config(store.url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, how)(cfg, revision)


def test_duplicate_candidates_merged_then_refused(store: Store) -> None:
    _at(store, "0007_login_throttle", "downgrade")
    with store.engine.begin() as c:
        ids = []
        for _n in range(3):
            ids.append(c.execute(text(
                "INSERT INTO organization (name, name_key, kind, is_candidate, synthetic, created_at) "
                "VALUES ('泰州康宁生物科技有限公司', '泰州康宁生物科技有限公司', 'enterprise', :t, :f, CURRENT_TIMESTAMP) "
                "RETURNING id"), {"t": True, "f": False}).scalar())
        doc = c.execute(text(
            "INSERT INTO document (content_hash, doc_key, original_text, normalized_text, status, ingested_at) "
            "VALUES ('h', 'd', 'x', 'x', 'extracted', CURRENT_TIMESTAMP) RETURNING id")).scalar()
        for oid in ids:
            ev = c.execute(text('INSERT INTO evidence_span (document_id, start, "end", orig_start, orig_end, text) '
                                "VALUES (:d, 0, 1, 0, 1, 'x') RETURNING id"), {"d": doc}).scalar()
            c.execute(text("INSERT INTO mention (document_id, organization_id, surface, kind, evidence_id) "
                           "VALUES (:d, :o, '康宁', 'enterprise', :e)"), {"d": doc, "o": oid, "e": ev})
            c.execute(text("INSERT INTO organization_alias (organization_id, alias, alias_key, kind) "
                           "VALUES (:o, '康宁生物', '康宁生物', 'short')"), {"o": oid})
    _at(store, "head", "upgrade")
    with store.session() as s:
        kept = list(s.scalars(select(Organization.id).where(Organization.name_key == "泰州康宁生物科技有限公司")))
        assert kept == [min(ids)]
        assert set(s.scalars(select(Mention.organization_id))) == {min(ids)}
        assert s.scalar(select(func.count()).select_from(Mention)) == 3
        assert s.scalar(select(func.count()).select_from(OrganizationAlias)) == 1
        assert s.scalar(select(func.count()).select_from(Document)) == 1
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Organization(name="x", name_key="泰州康宁生物科技有限公司", is_candidate=True))
        s.flush()
    with store.session() as s:  # a registry entry of the same name is no candidate: allowed
        s.add(Organization(name="x", name_key="泰州康宁生物科技有限公司", is_candidate=False))
