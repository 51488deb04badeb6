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

Both columns are written by the system scope only (the dispatcher, and the bot when a
person writes); the app role's column grants (revision 0005) do not include them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "telegram_users", sa.Column("chat_opened_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("notifications", sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE telegram_users SET chat_opened_at = created_at"
        " WHERE first_name <> '' AND unreachable_at IS NULL"
    )


def downgrade() -> None:
    op.drop_column("notifications", "held_at")
    op.drop_column("telegram_users", "chat_opened_at")
