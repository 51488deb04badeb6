"""Where a client record and a booking came from.

Clients
-------

Opening a professional's link creates the person's client record at once (following,
writing and booking all need it), but someone who opened it and left half-way through
their first booking is not a client yet. ``clients.self_added`` marks records made that
way; the professional's client list shows them once something happened between the two
(a booking, a series, a message, a note). Records added by hand, and every record from
before this revision, are shown as before.

Appointments
------------
A professional may book a one-off session for a client. ``appointments.booked_by`` says
which side did (the client's limit on future bookings counts only their own); every
appointment from before this revision was the client's, so the default is ``client``.
The column is set once, at insert, and never changed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "clients",
        sa.Column("self_added", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "appointments",
        sa.Column(
            "booked_by",
            postgresql.ENUM(name="recipient_type", create_type=False),
            server_default=sa.text("'client'"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("appointments", "booked_by")
    op.drop_column("clients", "self_added")
