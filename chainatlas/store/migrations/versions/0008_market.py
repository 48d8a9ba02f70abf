"""market: 科创供应链 offers, needs, matches with their 对接 state, audit log, inbox

Revision ID: 0008_market
Revises: 0005_registry
Create Date: 2026-12-02 23:09:19.112864
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008_market'
down_revision = '0005_registry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('market_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=8), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_event'))
    )
    with op.batch_alter_table('market_event', schema=None) as batch_op:
        batch_op.create_index('ix_market_event_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('market_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('requester', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('budget_hint', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('posted', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('constraints', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('services', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('chain_nodes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending_review', 'open', 'rejected', 'closed', 'expired', 'matched', 'in_progress', 'completed', 'failed')", name=op.f('ck_market_need_status')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_market_need_created_by_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_market_need_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_need')),
    sa.UniqueConstraint('external_id', name=op.f('uq_market_need_external_id'))
    )
    with op.batch_alter_table('market_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_need_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_need_status'), ['status'], unique=False)

    op.create_table('market_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('read', sa.Boolean(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_market_notice_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_market_notice_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_notice'))
    )
    with op.batch_alter_table('market_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_notice_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_notice_user_id'), ['user_id'], unique=False)

    op.create_table('market_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('provider_kind', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('price_hint', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('services', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('qualifications', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('modalities', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending_review', 'open', 'rejected', 'closed', 'expired')", name=op.f('ck_market_offer_status')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_market_offer_created_by_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_market_offer_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_offer')),
    sa.UniqueConstraint('external_id', name=op.f('uq_market_offer_external_id'))
    )
    with op.batch_alter_table('market_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_offer_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_offer_status'), ['status'], unique=False)
        batch_op.create_index('ix_market_offer_status_valid', ['status', 'valid_until'], unique=False)

    op.create_table('market_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('tier', sa.String(length=8), nullable=False),
    sa.Column('explanation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('requester_accepted', sa.Boolean(), nullable=False),
    sa.Column('provider_accepted', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('decline_reason', sa.String(length=16), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=True),
    sa.Column('amount_wan', sa.Float(), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('proposed', 'interested', 'responded', 'accepted', 'declined', 'in_progress', 'completed', 'failed')", name=op.f('ck_market_match_state')),
    sa.ForeignKeyConstraint(['need_id'], ['market_need.id'], name=op.f('fk_market_match_need_id_market_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['market_offer.id'], name=op.f('fk_market_match_offer_id_market_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_match')),
    sa.UniqueConstraint('need_id', 'offer_id', name='need_offer')
    )
    with op.batch_alter_table('market_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_match_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_match_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_match_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('market_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_match_state'))
        batch_op.drop_index(batch_op.f('ix_market_match_offer_id'))
        batch_op.drop_index(batch_op.f('ix_market_match_need_id'))

    op.drop_table('market_match')
    with op.batch_alter_table('market_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_market_offer_status_valid')
        batch_op.drop_index(batch_op.f('ix_market_offer_status'))
        batch_op.drop_index(batch_op.f('ix_market_offer_organization_id'))

    op.drop_table('market_offer')
    with op.batch_alter_table('market_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_notice_user_id'))
        batch_op.drop_index(batch_op.f('ix_market_notice_organization_id'))

    op.drop_table('market_notice')
    with op.batch_alter_table('market_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_need_status'))
        batch_op.drop_index(batch_op.f('ix_market_need_organization_id'))

    op.drop_table('market_need')
    with op.batch_alter_table('market_event', schema=None) as batch_op:
        batch_op.drop_index('ix_market_event_entity')

    op.drop_table('market_event')
