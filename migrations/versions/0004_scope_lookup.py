"""The professional a Telegram user is, looked up by a function: one round trip per scope.

A unit of work sets the role, the acting user and that user's professional id at its
start. The professional id used to need a second statement, because reading
``professionals`` in the same statement that switches the role is subject to whichever
policies applied when it was planned (those of the connecting user, who may be under
FORCE ROW LEVEL SECURITY and see nothing). ``professional_id_of(user)`` reads it as the
system role, like ``busy_intervals()``, so the whole scope is set in one statement.

It answers only "which professional is this Telegram user", which the user would learn
anyway from their own row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYSTEM = "bookingbot_system"
APP = "bookingbot_app"
SIGNATURE = "professional_id_of(bigint)"


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION professional_id_of(p_user bigint) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
            SELECT id FROM professionals WHERE user_id = p_user
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
