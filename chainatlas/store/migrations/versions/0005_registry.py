"""registry: figures of unknown year, the basis of a chain placement, analysts' removed placements

Revision ID: 0005_registry
Revises: 0004
Create Date: 2026-12-02 23:00:00

- yearly_figure.year may be NULL: an office list whose 营业收入 carries no year (not in the header,
  no 年度 column, nor in the sheet, title or file name) keeps the figure as 年度未知 instead of
  losing the enterprise.
- organization_node.basis: what placed the organization there (行业代码 C2740, 主营产品「阿胶」…),
  shown beside the placement's source and confidence.
- organization_node_veto: placements an analyst removed, so a re-import does not put them back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_registry'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('yearly_figure', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('organization_node', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=200), nullable=True))
    op.create_table('organization_node_veto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('removed_by', sa.String(length=64), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['chain_node.id'], name=op.f('fk_organization_node_veto_node_id_chain_node')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                            name=op.f('fk_organization_node_veto_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_node_veto')),
    sa.UniqueConstraint('organization_id', 'node_id', name='uq_orgnode_veto_org_node'),
    )


def downgrade() -> None:
    op.drop_table('organization_node_veto')
    with op.batch_alter_table('organization_node', schema=None) as batch_op:
        batch_op.drop_column('basis')
    op.execute("DELETE FROM yearly_figure WHERE year IS NULL")
    with op.batch_alter_table('yearly_figure', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
