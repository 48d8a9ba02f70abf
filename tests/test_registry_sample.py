"""The bundled sample registry: ≥300 real organizations in ≥6 clusters, each row sourced, every filled
code valid, every organization on a chain node, ≥60 sourced relations — and loading it twice is a no-op."""

from __future__ import annotations

import csv
import sys

from conftest import REPO
from sqlalchemy import func, select

from chainatlas.registry import uscc
from chainatlas.registry.sample import (
    CLUSTERS,
    SAMPLE_ORGS,
    SAMPLE_RELATIONS,
    SYNTHETIC_ORGS,
    cluster_counts,
    load_sample,
)
from chainatlas.store import Store
from chainatlas.store.models import Organization, OrganizationNode, Relation, Tier, YearlyFigure

sys.path.insert(0, str(REPO / "tests" / "fixtures" / "registry"))
from registry_support import dump  # noqa: E402

NAMED_CLUSTERS = ("泰州(中国医药城)", "京津冀", "泰安", "鄂州葛店", "武汉光谷")


def _rows(path):  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sample_file_rows_are_sourced_and_codes_valid() -> None:
    rows = _rows(SAMPLE_ORGS)
    assert len(rows) >= 300
    assert all(r["来源"].strip() for r in rows), "every row names its source"
    filled = [r["统一社会信用代码"] for r in rows if r["统一社会信用代码"].strip()]
    assert all(uscc.is_valid(c) for c in filled)
    names = [r["企业名称"] for r in rows]
    assert len(names) == len(set(names))
    # Revenue is only given with the year it belongs to.
    assert all(r["年度"] for r in rows if r["营业收入(万元)"])
    # Synthetic demo rows, if any, live in their own file and never in the real sample.
    assert "合成数据" not in rows[0]
    if SYNTHETIC_ORGS.exists():
        assert all(r.get("合成数据") == "是" for r in _rows(SYNTHETIC_ORGS))


def test_relations_file_is_sourced_with_evidence() -> None:
    rows = _rows(SAMPLE_RELATIONS)
    assert len(rows) >= 60
    assert all(r["来源"].strip() and r["证据"].strip() for r in rows)


def test_sample_loads_into_the_store(store: Store) -> None:
    report = load_sample(store)
    assert report.ok, report.problems
    assert report.orgs.created >= 300 and report.orgs.rejected == 0
    per_cluster = cluster_counts(store)
    assert all(per_cluster[c] > 0 for c in NAMED_CLUSTERS), per_cluster
    assert sum(1 for c in CLUSTERS if per_cluster[c] > 0) >= 6
    with store.session() as s:
        total = s.scalar(select(func.count()).select_from(Organization))
        assert total == report.orgs.created
        assert s.scalar(select(func.count()).select_from(Organization).where(Organization.source.is_(None))) == 0
        # Every organization sits on at least one chain node (the taxonomy index is bundled).
        unplaced = s.scalars(select(Organization.name).where(
            ~Organization.id.in_(select(OrganizationNode.organization_id)))).all()
        assert unplaced == []
        assert s.scalar(select(func.count()).select_from(Relation)) >= 60
        assert s.scalar(select(func.count()).select_from(Tier).where(Tier.label == "上市")) >= 100
        assert s.scalar(select(func.count()).select_from(YearlyFigure)) >= 20
        assert s.scalar(select(func.count()).select_from(Organization).where(
            Organization.synthetic.is_(True))) == 0
    before = dump(store)
    again = load_sample(store)
    assert again.orgs.created == 0 and again.orgs.updated == 0 and again.relations.created == 0
    assert again.relations.updated == 0
    assert dump(store) == before
