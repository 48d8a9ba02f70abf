"""chain analysis indexes: top revenue per node, metrics by region and organization

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 07:40:00

- ix_yearly_figure_kind_year_value: the gap-candidate search walks revenue of one year from
  the top and stops after k firms on the node (analyse.candidates), instead of ranking every
  firm on the node.
- ix_metric_region_adcode / ix_metric_organization_id: bottleneck voices are metrics about a
  region or about its organizations (analyse.bottlenecks); event already has both indexes.
- ix_relation_source_cover / ix_relation_target_cover: a city's chain relations (10^5 of 10^7)
  are read by one end; with the other end and the id in the index the read is index-only,
  instead of one random heap page per relation (measured: ~9k page reads for 5,000 firms).
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_yearly_figure_kind_year_value', 'yearly_figure', ['kind', 'year', 'value'], unique=False)
    op.create_index('ix_metric_region_adcode', 'metric', ['region_adcode'], unique=False)
    op.create_index('ix_metric_organization_id', 'metric', ['organization_id'], unique=False)
    op.create_index('ix_relation_source_cover', 'relation', ['source_id', 'type', 'target_id', 'id'], unique=False)
    op.create_index('ix_relation_target_cover', 'relation', ['target_id', 'type', 'source_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_relation_target_cover', table_name='relation')
    op.drop_index('ix_relation_source_cover', table_name='relation')
    op.drop_index('ix_metric_organization_id', table_name='metric')
    op.drop_index('ix_metric_region_adcode', table_name='metric')
    op.drop_index('ix_yearly_figure_kind_year_value', table_name='yearly_figure')
