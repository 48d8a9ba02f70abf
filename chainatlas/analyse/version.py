"""A cheap fingerprint of the data a chain report reads, so cached reports know when to go.

``data_version(session)`` costs a handful of index-only lookups (no table counts: counting 10^7
relations would cost more than the report a cache saves). It changes when:

- a row is inserted into any table the report reads (its max id moves);
- on PostgreSQL, any row is inserted, updated or deleted in them (the server's per-table
  change counters, which other sessions publish when their transaction ends);
- on SQLite, the database file or its WAL is written by any process (size and mtime).

Writes made through the web app also clear the caches at once (``api.cache.invalidate``).
"""

from __future__ import annotations

import os

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from chainatlas.store.models import (
    Document,
    Event,
    IndicatorTarget,
    Metric,
    Organization,
    OrganizationNode,
    Relation,
    Tier,
    YearlyFigure,
)

VERSIONED = (Organization, OrganizationNode, Relation, YearlyFigure, Tier, Event, Metric, Document, IndicatorTarget)


def data_version(session: Session) -> tuple:
    conn = session.connection()
    maxima = conn.execute(select(*(select(func.max(m.id)).scalar_subquery() for m in VERSIONED))).one()
    dialect = conn.dialect.name
    extra: tuple = ()
    if dialect == "postgresql":
        names = [m.__tablename__ for m in VERSIONED]
        row = conn.execute(text(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
            "WHERE relname = ANY(:names)"), {"names": names}).one()
        extra = (int(row[0]),)
    elif dialect == "sqlite":
        path = conn.engine.url.database
        if path and path != ":memory:":
            extra = tuple(_stat(p) for p in (path, path + "-wal"))
    return (*maxima, *extra)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
