"""standards: the 标准云享站 catalogue — standards, adoptions, replacements, dated changes,
links to chain nodes, watches and alerts

Revision ID: 0009_standards
Revises: 0008_market
Create Date: 2026-12-02 22:54:09.589841
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009_standards'
down_revision = '0008_market'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=96), nullable=False),
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('base_key', sa.String(length=96), nullable=False),
    sa.Column('loose_key', sa.String(length=96), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('ccs', sa.String(length=32), nullable=True),
    sa.Column('ics', sa.String(length=64), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('authority', sa.Text(), nullable=True),
    sa.Column('committee', sa.Text(), nullable=True),
    sa.Column('domain', sa.String(length=32), nullable=True),
    sa.Column('area', sa.String(length=64), nullable=True),
    sa.Column('subarea', sa.String(length=64), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard')),
    sa.UniqueConstraint('key', name=op.f('uq_standard_key'))
    )
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_base_key'), ['base_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_loose_key'), ['loose_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_revision'), ['revision'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_status'), ['status'], unique=False)

    op.create_table('standard_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('catalogue_date', sa.Date(), nullable=True),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_import'))
    )
    op.create_table('standard_replacement',
    sa.Column('new_key', sa.String(length=96), nullable=False),
    sa.Column('old_key', sa.String(length=96), nullable=False),
    sa.Column('old_number', sa.String(length=96), nullable=False),
    sa.Column('new_number', sa.String(length=96), nullable=False),
    sa.PrimaryKeyConstraint('new_key', 'old_key', name=op.f('pk_standard_replacement'))
    )
    with op.batch_alter_table('standard_replacement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_replacement_old_key'), ['old_key'], unique=False)

    op.create_table('standard_adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('intl_number', sa.String(length=96), nullable=False),
    sa.Column('intl_base_key', sa.String(length=96), nullable=False),
    sa.Column('degree', sa.String(length=4), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], name=op.f('fk_standard_adoption_standard_id_standard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_adoption')),
    sa.UniqueConstraint('standard_id', 'intl_base_key', name='uq_standard_adoption')
    )
    with op.batch_alter_table('standard_adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_adoption_intl_base_key'), ['intl_base_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_adoption_standard_id'), ['standard_id'], unique=False)

    op.create_table('standard_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('changed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['standard_import.id'], name=op.f('fk_standard_change_import_id_standard_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], name=op.f('fk_standard_change_standard_id_standard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_change'))
    )
    with op.batch_alter_table('standard_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_change_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_change_standard_id'), ['standard_id'], unique=False)

    op.create_table('standard_node',
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('via', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['chain_node.id'], name=op.f('fk_standard_node_node_id_chain_node'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], name=op.f('fk_standard_node_standard_id_standard'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('standard_id', 'node_id', name=op.f('pk_standard_node'))
    )
    with op.batch_alter_table('standard_node', schema=None) as batch_op:
        batch_op.create_index('ix_standard_node_node', ['node_id', 'standard_id'], unique=False)

    op.create_table('standard_watch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=96), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_standard_watch_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_watch')),
    sa.UniqueConstraint('user_id', 'target_kind', 'target', name='uq_standard_watch')
    )
    with op.batch_alter_table('standard_watch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_watch_user_id'), ['user_id'], unique=False)

    op.create_table('standard_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('watch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['standard_change.id'], name=op.f('fk_standard_alert_change_id_standard_change'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_standard_alert_user_id_app_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['watch_id'], ['standard_watch.id'], name=op.f('fk_standard_alert_watch_id_standard_watch'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_alert')),
    sa.UniqueConstraint('user_id', 'change_id', name='uq_standard_alert')
    )
    with op.batch_alter_table('standard_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_alert_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('standard_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_alert_user_id'))

    op.drop_table('standard_alert')
    with op.batch_alter_table('standard_watch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_watch_user_id'))

    op.drop_table('standard_watch')
    with op.batch_alter_table('standard_node', schema=None) as batch_op:
        batch_op.drop_index('ix_standard_node_node')

    op.drop_table('standard_node')
    with op.batch_alter_table('standard_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_change_standard_id'))
        batch_op.drop_index(batch_op.f('ix_standard_change_import_id'))

    op.drop_table('standard_change')
    with op.batch_alter_table('standard_adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_adoption_standard_id'))
        batch_op.drop_index(batch_op.f('ix_standard_adoption_intl_base_key'))

    op.drop_table('standard_adoption')
    with op.batch_alter_table('standard_replacement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_replacement_old_key'))

    op.drop_table('standard_replacement')
    op.drop_table('standard_import')
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_status'))
        batch_op.drop_index(batch_op.f('ix_standard_revision'))
        batch_op.drop_index(batch_op.f('ix_standard_loose_key'))
        batch_op.drop_index(batch_op.f('ix_standard_kind'))
        batch_op.drop_index(batch_op.f('ix_standard_code'))
        batch_op.drop_index(batch_op.f('ix_standard_base_key'))
        batch_op.drop_index(batch_op.f('ix_standard_area'))

    op.drop_table('standard')
