"""The store: migrations reach head on both backends, re-running them is harmless,
models round-trip, and constraints hold."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from chainatlas.bootstrap import ensure_reference_data
from chainatlas.errors import StoreError
from chainatlas.store import Store, open_store
from chainatlas.store.models import Base, Organization, OrganizationAlias, Relation, Tier, YearlyFigure


def test_migrations_reach_head_and_match_models(store: Store) -> None:
    assert store.is_current()
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    store.migrate()  # idempotent
    assert store.is_current()


def test_reference_data_loads_once(store: Store) -> None:
    assert ensure_reference_data(store, progress=False) == []  # the template already has it
    assert "taxonomy" in ensure_reference_data(store, progress=False, force=True)


def test_organization_round_trip(store: Store) -> None:
    with store.session() as s:
        org = Organization(name="山东泰邦生物制品有限公司", name_key="山东泰邦生物制品有限公司", kind="enterprise",
                           region_adcode="370900")
        org.aliases.append(OrganizationAlias(alias="泰邦生物", alias_key="泰邦生物"))
        org.tiers.append(Tier(label="专精特新小巨人", issuer="工业和信息化部", year_granted=2021))
        org.figures.append(YearlyFigure(year=2023, kind="revenue", value=350000.0))
        s.add(org)
    with store.session() as s:
        got = s.scalar(select(Organization).where(Organization.name_key == "山东泰邦生物制品有限公司"))
        assert got is not None
        assert [a.alias for a in got.aliases] == ["泰邦生物"]
        assert got.tiers[0].label == "专精特新小巨人"
        assert got.figures[0].value == 350000.0


def test_constraints_reject_bad_rows(store: Store) -> None:
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Organization(name="x", name_key="x", kind="spaceship"))
    with store.session() as s:
        a = Organization(name="A公司", name_key="a公司")
        b = Organization(name="B公司", name_key="b公司")
        s.add_all([a, b])
        s.flush()
        ids = a.id, b.id
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Relation(source_id=ids[0], target_id=ids[1], type="friend_of"))
    with pytest.raises(IntegrityError), store.session() as s:
        s.add_all([Relation(source_id=ids[0], target_id=ids[1], type="supplier_of"),
                   Relation(source_id=ids[0], target_id=ids[1], type="supplier_of")])


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="E10"):
        open_store("mysql://nobody@localhost/x")
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("::::")
