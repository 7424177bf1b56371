"""Notification claims: a process claims a notification before sending it, so two processes
alerting from the same store never both send it; a claim left by a process that died expires.

Two nullable columns on ``notifications``: ``claimed_by`` (which process holds it) and
``claimed_until`` (when the claim lapses). Existing rows start unclaimed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("claimed_by", sa.String(64), nullable=True))
    op.add_column("notifications", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
