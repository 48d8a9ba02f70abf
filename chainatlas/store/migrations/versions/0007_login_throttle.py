"""login throttle in the store, and the process that runs each capture job

Revision ID: 0007_login_throttle
Revises: 0010_invest
Create Date: 2026-12-02 23:00:00

- login_throttle: attempts per account name and per client address. An in-process counter let
  20 simultaneous guesses all be checked, and each server process kept its own count; a row per
  key, reserved with one conditional UPDATE before a password is checked, holds under both.
- epcis_capture_job.owner: which process (host, pid, process start) runs a job, so a job left
  "running" by a process that died is marked failed when it is next read or at the next start.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_login_throttle'
down_revision = '0010_invest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("epcis_capture_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("epcis_capture_job", schema=None) as batch_op:
        batch_op.drop_column("owner")
    op.drop_table("login_throttle")
