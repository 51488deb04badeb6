"""Revision 0005's definer functions other than the scope's, and the booking state machine.

Frozen with revision 0005. Every SECURITY DEFINER function here is owned by
``bookingbot_definer`` and runs with a fixed ``search_path`` (pg_temp last), its names
schema-qualified. ``appointment_guard`` (not a definer: it runs as whoever updates)
checks every UPDATE of an appointment against the transition table by acting side.
"""

from __future__ import annotations

from .scope_guard import (
    APP,
    DEFINER,
    ENTER_SCOPE,
    ENTER_SYSTEM_SCOPE,
    LOGIN,
    PATH,
    RESCOPE_PROFESSIONAL,
    RLS_PROFESSIONAL_ID,
    RLS_SYSTEM,
    RLS_USER_ID,
    SYSTEM,
    registers,
)

# --- the existing definer functions, with a fixed path and qualified names ----------------

BUSY = "busy_intervals(uuid, timestamptz, timestamptz)"
RATING = "professional_rating(uuid)"
CLAIM = "claim_client_invite(text)"
AUDIT = "audit_appointment()"
LINK = "professional_link_status(text)"
PRO_OF = "professional_id_of(bigint)"
NOTIFY = (
    "queue_notification(bigint, recipient_type, uuid, uuid, notification_type, text, jsonb,"
    " timestamptz)"
)

_BUSY = f"""
CREATE OR REPLACE FUNCTION busy_intervals(p_professional uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, is_time_off boolean)
LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
    SELECT a.starts_at, a.ends_at, false FROM public.appointments a
     WHERE a.professional_id = p_professional
       AND a.status IN ('pending_confirmation', 'confirmed')
       AND a.starts_at < p_to AND a.ends_at > p_from
       AND a.starts_at > p_from - interval '1 day'
    UNION ALL
    SELECT t.starts_at, t.ends_at, true FROM public.time_off t
     WHERE t.professional_id = p_professional
       AND t.starts_at < p_to AND t.ends_at > p_from
    ORDER BY 1
$$
"""

_RATING = f"""
CREATE OR REPLACE FUNCTION professional_rating(p_professional uuid)
RETURNS TABLE (average numeric, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
    SELECT round(avg(r.rating)::numeric, 2), count(*) FROM public.reviews r
     WHERE r.professional_id = p_professional
$$
"""

_CLAIM = f"""
CREATE OR REPLACE FUNCTION claim_client_invite(p_token text) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER {PATH} AS $$
    UPDATE public.clients c
       SET user_id = public.rls_user_id(), invite_token = NULL, updated_at = now()
     WHERE c.invite_token = p_token AND c.user_id IS NULL AND public.rls_user_id() IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM public.clients c2
                        WHERE c2.professional_id = c.professional_id
                          AND c2.user_id = public.rls_user_id())
    RETURNING c.id
$$
"""

# Who acted comes from the scope itself, not from anything the app says.
_AUDIT = f"""
CREATE OR REPLACE FUNCTION audit_appointment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {PATH} AS $$
DECLARE
    v_action text;
    v_data jsonb;
    v_user bigint := public.rls_user_id();
    v_actor text;
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
    v_actor := CASE
        WHEN v_user IS NULL THEN 'system'
        WHEN NEW.professional_id = public.rls_professional_id() THEN 'professional'
        ELSE 'client'
    END;
    v_data := jsonb_build_object('starts_at', NEW.starts_at, 'ends_at', NEW.ends_at);
    IF TG_OP = 'UPDATE' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at THEN
        v_data := v_data || jsonb_build_object('old_starts_at', OLD.starts_at,
                                               'old_ends_at', OLD.ends_at);
    END IF;
    IF NEW.cancellation_reason IS NOT NULL THEN
        v_data := v_data || jsonb_build_object('reason', NEW.cancellation_reason);
    END IF;
    INSERT INTO public.audit_log (id, professional_id, entity, entity_id, action, actor_user_id,
                                  actor, old_status, new_status, data)
    VALUES (gen_random_uuid(), NEW.professional_id, 'appointment', NEW.id, v_action, v_user,
            v_actor, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status::text END,
            NEW.status::text, v_data);
    RETURN NEW;
END
$$
"""

_LINK = f"""
CREATE OR REPLACE FUNCTION professional_link_status(p_slug text)
RETURNS TABLE (active boolean, name text)
LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
    SELECT p.active, p.name FROM public.professionals p WHERE p.slug = p_slug
$$
"""

# A person's notification goes only to the other side of one of their own relationships:
# a professional writes to their clients (or to themselves), a client to their professional.
_NOTIFY = f"""
CREATE FUNCTION queue_notification(
    p_recipient bigint, p_recipient_type recipient_type, p_professional uuid,
    p_appointment uuid, p_type notification_type, p_msgid text, p_params jsonb,
    p_hold_until timestamptz
) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PATH} AS $$
DECLARE
    v_user bigint := public.rls_user_id();
    v_as_professional boolean := p_professional = public.rls_professional_id();
    v_id uuid := gen_random_uuid();
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'notifications are queued in a user scope' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF v_as_professional THEN
        IF NOT (
            (p_recipient_type = 'professional' AND p_recipient = v_user)
            OR (p_recipient_type = 'client' AND EXISTS (
                SELECT 1 FROM public.clients c
                 WHERE c.professional_id = p_professional AND c.user_id = p_recipient))
        ) THEN
            RAISE EXCEPTION 'that person is not a client of this professional'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NOT (
        p_recipient_type = 'professional'
        AND EXISTS (SELECT 1 FROM public.clients c
                     WHERE c.professional_id = p_professional AND c.user_id = v_user)
        AND EXISTS (SELECT 1 FROM public.professionals p
                     WHERE p.id = p_professional AND p.user_id = p_recipient)
    ) THEN
        RAISE EXCEPTION 'a client notifies only their own professional'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_appointment IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM public.appointments a JOIN public.clients c ON c.id = a.client_id
         WHERE a.id = p_appointment AND a.professional_id = p_professional
           AND (v_as_professional OR c.user_id = v_user)
    ) THEN
        RAISE EXCEPTION 'that appointment is not one of this relationship'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.notifications (id, recipient_id, recipient_type, professional_id,
                                      appointment_id, type, msgid, params, claimed_by,
                                      claimed_until)
    VALUES (v_id, p_recipient, p_recipient_type, p_professional, p_appointment, p_type, p_msgid,
            coalesce(p_params, '{{}}'::jsonb),
            CASE WHEN p_hold_until IS NOT NULL THEN 'live-delivery' END, p_hold_until);
    RETURN v_id;
END
$$
"""

# --- appointments: the state machine, for every path that writes -------------------------

# Mirrors core.services.booking_rules (TRANSITIONS, SIDES, next_status); a test compares the
# two over every combination.
_TRANSITION_ALLOWED = f"""
CREATE FUNCTION appointment_transition_allowed(
    p_from appointment_status, p_to appointment_status, p_side recipient_type,
    p_auto_confirm boolean, p_moved boolean
) RETURNS boolean
LANGUAGE sql IMMUTABLE {PATH} AS $$
    SELECT CASE
        WHEN p_moved THEN
            p_from IN ('pending_confirmation', 'confirmed')
            AND ((p_to = p_from AND (p_side = 'professional' OR p_from = 'pending_confirmation'
                                     OR p_auto_confirm))
                 OR (p_side = 'client' AND NOT p_auto_confirm
                     AND p_to = 'pending_confirmation'))
        WHEN p_to = p_from THEN true
        ELSE (p_from::text, p_to::text, p_side::text) IN (
            ('pending_confirmation', 'confirmed', 'professional'),
            ('pending_confirmation', 'declined', 'professional'),
            ('pending_confirmation', 'cancelled', 'professional'),
            ('pending_confirmation', 'cancelled', 'client'),
            ('confirmed', 'cancelled', 'professional'),
            ('confirmed', 'cancelled', 'client'),
            ('confirmed', 'completed', 'professional'),
            ('confirmed', 'no_show', 'professional'))
    END
$$
"""

# Column privileges already keep price, payment, ownership and the reminder leases away from
# every person; this checks what depends on who acts and on the row before and after.
_GUARD = f"""
CREATE FUNCTION appointment_guard() RETURNS trigger
LANGUAGE plpgsql {PATH} AS $$
DECLARE
    v_side public.recipient_type;
    v_moved boolean := NEW.starts_at IS DISTINCT FROM OLD.starts_at
                       OR NEW.ends_at IS DISTINCT FROM OLD.ends_at;
    v_auto boolean := false;
BEGIN
    IF public.rls_user_id() IS NULL THEN  -- the system scope, or the owner's maintenance
        RETURN NEW;
    END IF;
    v_side := CASE WHEN OLD.professional_id = public.rls_professional_id()
                   THEN 'professional' ELSE 'client' END;
    IF v_side = 'client' AND v_moved THEN
        SELECT p.auto_confirm INTO v_auto FROM public.professionals p
         WHERE p.id = NEW.professional_id;
    END IF;
    IF NOT public.appointment_transition_allowed(OLD.status, NEW.status, v_side,
                                                 coalesce(v_auto, false), v_moved) THEN
        RAISE EXCEPTION 'the % may not take this appointment from % to %', v_side, OLD.status,
            NEW.status USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.cancelled_by IS DISTINCT FROM OLD.cancelled_by
        OR NEW.cancellation_reason IS DISTINCT FROM OLD.cancellation_reason)
       AND NOT (NEW.status IS DISTINCT FROM OLD.status
                AND NEW.status IN ('cancelled', 'declined')
                AND NEW.cancelled_by IS NOT DISTINCT FROM v_side) THEN
        RAISE EXCEPTION 'who cancelled, and why, is written by that side when cancelling'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.reminder_sent_24h AND NOT OLD.reminder_sent_24h)
       OR (NEW.reminder_sent_1h AND NOT OLD.reminder_sent_1h) THEN
        RAISE EXCEPTION 'reminders are marked sent by the system only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.recurring_schedule_id IS DISTINCT FROM OLD.recurring_schedule_id
       AND (v_side = 'client' OR NEW.recurring_schedule_id IS NOT NULL) THEN
        RAISE EXCEPTION 'an appointment only ever leaves its series'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$
"""


# Functions the definer owns (SECURITY DEFINER) and who may call each.
DEFINER_FUNCTIONS: dict[str, tuple[str, str]] = {
    "rls_user_id()": (RLS_USER_ID, "PUBLIC"),
    "rls_professional_id()": (RLS_PROFESSIONAL_ID, "PUBLIC"),
    "rls_system()": (RLS_SYSTEM, "PUBLIC"),
    # The owner too: seeding and maintenance open scopes over the owner's connection.
    "enter_scope(bigint)": (ENTER_SCOPE, f"{LOGIN}, CURRENT_USER"),
    "enter_system_scope()": (ENTER_SYSTEM_SCOPE, f"{LOGIN}, CURRENT_USER"),
    "rescope_professional()": (RESCOPE_PROFESSIONAL, APP),
    BUSY: (_BUSY, f"{APP}, {SYSTEM}"),
    RATING: (_RATING, f"{APP}, {SYSTEM}"),
    CLAIM: (_CLAIM, APP),
    AUDIT: (_AUDIT, ""),
    LINK: (_LINK, f"{APP}, {SYSTEM}"),
    NOTIFY: (_NOTIFY, APP),
}

UPGRADE_FUNCTIONS: list[str] = [
    *registers(),
    f"DROP FUNCTION {PRO_OF}",
    *[body for body, _ in DEFINER_FUNCTIONS.values()],
    # A new owner needs CREATE on the schema at the moment of the change only.
    f"GRANT CREATE ON SCHEMA public TO {DEFINER}",
    *[f"ALTER FUNCTION {sig} OWNER TO {DEFINER}" for sig in DEFINER_FUNCTIONS],
    f"REVOKE CREATE ON SCHEMA public FROM {DEFINER}",
    *[f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC" for sig in DEFINER_FUNCTIONS],
    *[
        f"GRANT EXECUTE ON FUNCTION {sig} TO {who}"
        for sig, (_, who) in DEFINER_FUNCTIONS.items()
        if who
    ],
    _TRANSITION_ALLOWED,
    _GUARD,
    "REVOKE ALL ON FUNCTION appointment_guard() FROM PUBLIC",
    "CREATE TRIGGER appointments_guard BEFORE UPDATE ON appointments"
    " FOR EACH ROW EXECUTE FUNCTION appointment_guard()",
]
