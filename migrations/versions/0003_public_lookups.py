"""Public lookups: busy intervals say which are time off, and are bounded; link status.

- ``busy_intervals()`` gains ``is_time_off`` so a client is told "the professional is
  away" rather than "taken", and time off is not padded by the buffer; it also reads
  appointments from one day before the window only, which lets the
  (professional_id, starts_at) index answer instead of scanning all history. That bound
  is safe because an appointment may last at most one day (new check constraint).
- ``professional_link_status(slug)`` tells a stranger whether a link is unknown or the
  professional is just not taking bookings, without exposing the inactive profile.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SYSTEM = "bookingbot_system"
APP = "bookingbot_app"

_BUSY_V2 = """
CREATE FUNCTION busy_intervals(p_professional uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, is_time_off boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT a.starts_at, a.ends_at, false FROM appointments a
     WHERE a.professional_id = p_professional
       AND a.status IN ('pending_confirmation', 'confirmed')
       AND a.starts_at < p_to AND a.ends_at > p_from
       AND a.starts_at > p_from - interval '1 day'
    UNION ALL
    SELECT t.starts_at, t.ends_at, true FROM time_off t
     WHERE t.professional_id = p_professional
       AND t.starts_at < p_to AND t.ends_at > p_from
    ORDER BY 1
$$
"""

_BUSY_V1 = """
CREATE FUNCTION busy_intervals(p_professional uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT a.starts_at, a.ends_at FROM appointments a
     WHERE a.professional_id = p_professional
       AND a.status IN ('pending_confirmation', 'confirmed')
       AND a.starts_at < p_to AND a.ends_at > p_from
    UNION ALL
    SELECT t.starts_at, t.ends_at FROM time_off t
     WHERE t.professional_id = p_professional
       AND t.starts_at < p_to AND t.ends_at > p_from
    ORDER BY 1
$$
"""

_LINK_STATUS = """
CREATE FUNCTION professional_link_status(p_slug text)
RETURNS TABLE (active boolean, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p.active, p.name FROM professionals p WHERE p.slug = p_slug
$$
"""

BUSY = "busy_intervals(uuid, timestamptz, timestamptz)"
LINK = "professional_link_status(text)"


def _own_and_grant(signature: str) -> None:
    # Run as the system role (see revision 0001): its policies see every row.
    op.execute(f"GRANT CREATE ON SCHEMA public TO {SYSTEM}")
    op.execute(f"ALTER FUNCTION {signature} OWNER TO {SYSTEM}")
    op.execute(f"REVOKE CREATE ON SCHEMA public FROM {SYSTEM}")
    op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP}, {SYSTEM}")


def upgrade() -> None:
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ck_appointments_max_length"
        " CHECK (ends_at <= starts_at + interval '1 day')"
    )
    op.execute(f"DROP FUNCTION {BUSY}")
    op.execute(_BUSY_V2)
    _own_and_grant(BUSY)
    op.execute(_LINK_STATUS)
    _own_and_grant(LINK)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {LINK}")
    op.execute(f"DROP FUNCTION {BUSY}")
    op.execute(_BUSY_V1)
    _own_and_grant(BUSY)
    op.execute("ALTER TABLE appointments DROP CONSTRAINT ck_appointments_max_length")
