"""Reachability: who has the bot's chat open, and notifications held until they do.

Telegram refuses to let a bot start a conversation with someone who never opened its
chat ("bot can't initiate conversation with a user"); that is not the same as having
blocked the bot, which ``telegram_users.unreachable_at`` records.

- ``telegram_users.chat_opened_at``: since when the person has the chat open (an update
  from them); NULL when they never had, as far as the bot knows, or Telegram said it
  cannot start a conversation with them. Rows of people who talked to the bot before this
  revision (a first name from Telegram, not blocked) count as open since they were made.
- ``notifications.held_at``: the row waits for its recipient to open the chat (it is
  settled out of the dispatcher's queue meanwhile, ``failed_at`` set); their next update
  releases it.
- ``professional_chat_open(professional)``: whether a professional can be messaged now,
  so a client is told honestly that their request waits until the professional opens the
  bot. It reveals nothing else; no account row means nothing is known against it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SYSTEM = "bookingbot_system"
APP = "bookingbot_app"
SIGNATURE = "professional_chat_open(uuid)"


def upgrade() -> None:
    op.add_column(
        "telegram_users", sa.Column("chat_opened_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE telegram_users SET chat_opened_at = created_at"
        " WHERE first_name <> '' AND unreachable_at IS NULL"
    )
    op.execute(
        """
        CREATE FUNCTION professional_chat_open(p_professional uuid) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
            SELECT NOT EXISTS (
                SELECT 1 FROM professionals p
                  JOIN telegram_users u ON u.user_id = p.user_id
                 WHERE p.id = p_professional
                   AND (u.chat_opened_at IS NULL OR u.unreachable_at IS NOT NULL)
            )
        $$
        """
    )
    # Run as the system role (see revision 0001): its policies see every row.
    op.execute(f"GRANT CREATE ON SCHEMA public TO {SYSTEM}")
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO {SYSTEM}")
    op.execute(f"REVOKE CREATE ON SCHEMA public FROM {SYSTEM}")
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP}, {SYSTEM}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.drop_column("notifications", "held_at")
    op.drop_column("telegram_users", "chat_opened_at")
