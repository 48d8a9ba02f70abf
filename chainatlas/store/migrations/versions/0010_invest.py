"""invest: projects with dated stages, organization timing signals, the office target list

Revision ID: 0010_invest
Revises: 0008_market
Create Date: 2026-12-02 22:53:13.058233
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010_invest'
down_revision = '0009_standards'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('investment', sa.Float(), nullable=True),
    sa.Column('region_adcode', sa.String(length=6), nullable=True),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('node_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('capacity', sa.Text(), nullable=True),
    sa.Column('output_target', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('manual_fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('洽谈', '签约', '开工', '投产')", name=op.f('ck_project_stage')),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_project_park_id_park')),
    sa.ForeignKeyConstraint(['region_adcode'], ['region.adcode'], name=op.f('fk_project_region_adcode_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_region_adcode'), ['region_adcode'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_stage'), ['stage'], unique=False)

    op.create_table('invest_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_adcode', sa.String(length=6), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('abandon_reason', sa.Text(), nullable=True),
    sa.Column('next_contact', sa.Date(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('未接触', '已接触', '洽谈', '签约', '放弃')", name=op.f('ck_invest_target_status')),
    sa.ForeignKeyConstraint(['node_id'], ['chain_node.id'], name=op.f('fk_invest_target_node_id_chain_node')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_invest_target_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_adcode'], ['region.adcode'], name=op.f('fk_invest_target_region_adcode_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invest_target')),
    sa.UniqueConstraint('region_adcode', 'node_id', 'organization_id', name='uq_invest_target_key')
    )
    with op.batch_alter_table('invest_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invest_target_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invest_target_region_adcode'), ['region_adcode'], unique=False)

    op.create_table('org_signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_org_signal_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_span.id'], name=op.f('fk_org_signal_evidence_id_evidence_span'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_org_signal_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_signal')),
    sa.UniqueConstraint('organization_id', 'kind', 'document_id', 'sentence', name='uq_org_signal_key')
    )
    with op.batch_alter_table('org_signal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_signal_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_org_signal_org', ['organization_id', 'kind'], unique=False)

    op.create_table('project_organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_project_organization_organization_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_organization_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_organization')),
    sa.UniqueConstraint('project_id', 'name', name='uq_project_org_name')
    )
    with op.batch_alter_table('project_organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_organization_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_organization_project_id'), ['project_id'], unique=False)

    op.create_table('project_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('date_text', sa.String(length=32), nullable=True),
    sa.Column('planned', sa.Boolean(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('sentence', sa.Text(), nullable=True),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('entered_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("stage IN ('洽谈', '签约', '开工', '投产', '竣工', '达产')", name=op.f('ck_project_stage_stage')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_project_stage_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence_span.id'], name=op.f('fk_project_stage_evidence_id_evidence_span'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_stage_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_stage'))
    )
    with op.batch_alter_table('project_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_stage_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_stage_project_id'), ['project_id'], unique=False)

    op.create_table('invest_target_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['invest_target.id'], name=op.f('fk_invest_target_note_target_id_invest_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invest_target_note'))
    )
    with op.batch_alter_table('invest_target_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invest_target_note_target_id'), ['target_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invest_target_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invest_target_note_target_id'))

    op.drop_table('invest_target_note')
    with op.batch_alter_table('project_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_stage_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_stage_document_id'))

    op.drop_table('project_stage')
    with op.batch_alter_table('project_organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_organization_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_organization_organization_id'))

    op.drop_table('project_organization')
    with op.batch_alter_table('org_signal', schema=None) as batch_op:
        batch_op.drop_index('ix_org_signal_org')
        batch_op.drop_index(batch_op.f('ix_org_signal_document_id'))

    op.drop_table('org_signal')
    with op.batch_alter_table('invest_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invest_target_region_adcode'))
        batch_op.drop_index(batch_op.f('ix_invest_target_organization_id'))

    op.drop_table('invest_target')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_stage'))
        batch_op.drop_index(batch_op.f('ix_project_region_adcode'))
        batch_op.drop_index(batch_op.f('ix_project_park_id'))
        batch_op.drop_index(batch_op.f('ix_project_name_key'))

    op.drop_table('project')
