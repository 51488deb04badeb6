"""Revision 0005's downgrade: revision 0004's functions and grants, as they were.

Frozen with revision 0005.
"""

from __future__ import annotations

from .scope_guard import APP, DEFINER, LOGIN, REGISTERS, RLS_TABLES, SYSTEM
from .tenant_functions import AUDIT, BUSY, CLAIM, LINK, NOTIFY, PRO_OF, RATING
from .tenant_policies import DEFINER_GRANTS

# --- the downgrade: revision 0004's functions, as they were --------------------------------

_BEFORE_RLS_USER_ID = """
CREATE OR REPLACE FUNCTION rls_user_id() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$
"""

_BEFORE_RLS_PROFESSIONAL_ID = """
CREATE OR REPLACE FUNCTION rls_professional_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.professional_id', true), '')::uuid $$
"""

_BEFORE_BUSY = """
CREATE OR REPLACE FUNCTION busy_intervals(p_professional uuid, p_from timestamptz, p_to timestamptz)
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

_BEFORE_RATING = """
CREATE OR REPLACE FUNCTION professional_rating(p_professional uuid)
RETURNS TABLE (average numeric, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT round(avg(rating)::numeric, 2), count(*) FROM reviews
     WHERE professional_id = p_professional
$$
"""

_BEFORE_CLAIM = """
CREATE OR REPLACE FUNCTION claim_client_invite(p_token text) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    UPDATE clients SET user_id = rls_user_id(), invite_token = NULL, updated_at = now()
     WHERE invite_token = p_token AND user_id IS NULL AND rls_user_id() IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM clients c2 WHERE c2.professional_id = clients.professional_id
                          AND c2.user_id = rls_user_id())
    RETURNING id
$$
"""

_BEFORE_AUDIT = """
CREATE OR REPLACE FUNCTION audit_appointment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_action text;
    v_data jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_action := 'created';
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        v_action := 'status_changed';
    ELSIF NEW.starts_at IS DISTINCT FROM OLD.starts_at
          OR NEW.ends_at IS DISTINCT FROM OLD.ends_at THEN
        v_action := 'rescheduled';
    ELSE
        RETURN NEW;
    END IF;
    v_data := jsonb_build_object('starts_at', NEW.starts_at, 'ends_at', NEW.ends_at);
    IF TG_OP = 'UPDATE' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at THEN
        v_data := v_data || jsonb_build_object('old_starts_at', OLD.starts_at,
                                               'old_ends_at', OLD.ends_at);
    END IF;
    IF NEW.cancellation_reason IS NOT NULL THEN
        v_data := v_data || jsonb_build_object('reason', NEW.cancellation_reason);
    END IF;
    INSERT INTO audit_log (id, professional_id, entity, entity_id, action, actor_user_id,
                           actor, old_status, new_status, data)
    VALUES (gen_random_uuid(), NEW.professional_id, 'appointment', NEW.id, v_action,
            nullif(current_setting('app.user_id', true), '')::bigint,
            coalesce(nullif(current_setting('app.actor', true), ''), 'system'),
            CASE WHEN TG_OP = 'UPDATE' THEN OLD.status::text END,
            NEW.status::text, v_data);
    RETURN NEW;
END
$$
"""

_BEFORE_LINK = """
CREATE OR REPLACE FUNCTION professional_link_status(p_slug text)
RETURNS TABLE (active boolean, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT p.active, p.name FROM professionals p WHERE p.slug = p_slug
$$
"""

_BEFORE_PRO_OF = """
CREATE FUNCTION professional_id_of(p_user bigint) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id FROM professionals WHERE user_id = p_user
$$
"""

# Owned by the system role again, each with the grants revision 0004 left.
BEFORE_SYSTEM_FUNCTIONS: dict[str, tuple[str, str]] = {
    BUSY: (_BEFORE_BUSY, f"{APP}, {SYSTEM}"),
    RATING: (_BEFORE_RATING, f"{APP}, {SYSTEM}"),
    CLAIM: (_BEFORE_CLAIM, f"{APP}, {SYSTEM}"),
    AUDIT: (_BEFORE_AUDIT, ""),
    LINK: (_BEFORE_LINK, f"{APP}, {SYSTEM}"),
    PRO_OF: (_BEFORE_PRO_OF, f"{APP}, {SYSTEM}"),
}

DOWNGRADE_FUNCTIONS: list[str] = [
    "DROP TRIGGER appointments_guard ON appointments",
    "DROP FUNCTION appointment_guard()",
    "DROP FUNCTION appointment_transition_allowed(appointment_status, appointment_status,"
    " recipient_type, boolean, boolean)",
    f"DROP FUNCTION {NOTIFY}",
    "DROP FUNCTION rescope_professional()",
    "DROP FUNCTION enter_system_scope()",
    "DROP FUNCTION enter_scope(bigint)",
    "DROP FUNCTION rls_system()",
    _BEFORE_RLS_USER_ID,
    _BEFORE_RLS_PROFESSIONAL_ID,
    "ALTER FUNCTION rls_user_id() OWNER TO CURRENT_USER",
    "ALTER FUNCTION rls_professional_id() OWNER TO CURRENT_USER",
    "GRANT EXECUTE ON FUNCTION rls_user_id() TO PUBLIC",
    "GRANT EXECUTE ON FUNCTION rls_professional_id() TO PUBLIC",
    *[body for body, _ in BEFORE_SYSTEM_FUNCTIONS.values()],
    f"GRANT CREATE ON SCHEMA public TO {SYSTEM}",
    *[f"ALTER FUNCTION {sig} OWNER TO {SYSTEM}" for sig in BEFORE_SYSTEM_FUNCTIONS],
    f"REVOKE CREATE ON SCHEMA public FROM {SYSTEM}",
    *[f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC" for sig in BEFORE_SYSTEM_FUNCTIONS],
    *[
        f"GRANT EXECUTE ON FUNCTION {sig} TO {who}"
        for sig, (_, who) in BEFORE_SYSTEM_FUNCTIONS.items()
        if who
    ],
    *[f"DROP SEQUENCE {name}" for name in REGISTERS],
]

DOWNGRADE_GRANTS: list[str] = [
    *[f"REVOKE ALL ON {table} FROM {APP}" for table in RLS_TABLES],
    *[f"REVOKE ALL ON {table} FROM {DEFINER}" for table in DEFINER_GRANTS],
    *[f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP}" for table in RLS_TABLES],
    f"REVOKE ALL ON SCHEMA public FROM {DEFINER}, {LOGIN}",
]
