"""The models declare exactly what the migrations build: Alembic autogenerate, run against a
freshly migrated store, finds nothing to add or drop (both backends). In particular the chain
analysis indexes of migration 0003 are declared in ``__table_args__`` under the same names."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chainatlas.store import Store
from chainatlas.store.models import Base

CHAIN_INDEXES = {
    "yearly_figure": {"ix_yearly_figure_kind_year_value": ["kind", "year", "value"]},
    "metric": {"ix_metric_region_adcode": ["region_adcode"], "ix_metric_organization_id": ["organization_id"]},
    "relation": {"ix_relation_source_cover": ["source_id", "type", "target_id", "id"],
                 "ix_relation_target_cover": ["target_id", "type", "source_id", "id"]},
}


def _include(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name == "alembic_version")


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _include})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_chain_indexes_declared_with_migration_names(store: Store) -> None:
    from sqlalchemy import inspect

    insp = inspect(store.engine)
    for table, wanted in CHAIN_INDEXES.items():
        built = {ix["name"]: ix["column_names"] for ix in insp.get_indexes(table)}
        declared = {ix.name: [c.name for c in ix.columns] for ix in Base.metadata.tables[table].indexes}
        for name, cols in wanted.items():
            assert built.get(name) == cols, (table, name)
            assert declared.get(name) == cols, (table, name)
