"""Reminder and outbox dispatch: leases, retry count, and the morning agenda's last day.

Dispatchers claim due reminders and notifications with a lease (who, until when) so
that two bot processes never send the same one twice and a dead process's work is
picked up again once its lease expires. The new columns are covered by the table
grants and row-level security policies of revision 0001.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "appointments",
        sa.Column("reminder_claimed_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "appointments", sa.Column("reminder_claimed_by", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "appointments",
        sa.Column(
            "reminder_attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False
        ),
    )
    op.add_column(
        "notifications", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("claimed_by", sa.String(length=64), nullable=True))
    op.add_column("professionals", sa.Column("morning_agenda_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("professionals", "morning_agenda_sent_on")
    op.drop_column("notifications", "claimed_by")
    op.drop_column("notifications", "claimed_until")
    op.drop_column("appointments", "reminder_attempts")
    op.drop_column("appointments", "reminder_claimed_by")
    op.drop_column("appointments", "reminder_claimed_until")
