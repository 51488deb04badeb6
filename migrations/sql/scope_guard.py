"""Revision 0005's hand-written SQL: a scope the app cannot forge, and rows that must agree.

Frozen with revision 0005: a later change goes into a new revision, never here.

The scope (who a transaction acts for) lives in four UNLOGGED sequences used as
per-connection registers: ``setval`` (which needs UPDATE on the sequence) stores a
value for this connection, ``currval`` (USAGE) reads back what this connection
stored last. Only ``bookingbot_definer`` holds those privileges, so only its
SECURITY DEFINER functions write or read them:

- ``enter_scope(user)`` / ``enter_system_scope()`` store the user (or the system
  mark), the user's professional id and the transaction's start
  (``transaction_timestamp()`` in microseconds), and refuse when this transaction
  has stored a scope already. Only the login role and the owner may call them: the
  app role cannot even name them, and after a ``RESET ROLE`` they refuse.
- ``rls_user_id()``, ``rls_professional_id()`` and ``rls_system()`` answer only
  while the stored stamp is this transaction's: a scope never leaks into the next
  transaction on a pooled connection.

Custom settings (``app.*``) are settable by any role, so nothing reads them any more.
Unlogged sequences are never WAL-logged, so storing the scope assigns no
transaction id and a read-only screen still commits without a WAL flush.
"""

from __future__ import annotations

APP = "bookingbot_app"
SYSTEM = "bookingbot_system"
DEFINER = "bookingbot_definer"
LOGIN = "bookingbot_login"

# pg_temp last: listed nowhere it would be searched first, so a temporary table or view
# can never stand in for one of ours. Names inside the bodies are schema-qualified too.
PATH = "SET search_path = pg_catalog, public, pg_temp"

REGISTERS = ("scope_stamp", "scope_user", "scope_pro_hi", "scope_pro_lo")

RLS_TABLES = (
    "professionals",
    "telegram_users",
    "availability",
    "extra_availability",
    "time_off",
    "clients",
    "client_notes",
    "recurring_schedules",
    "appointments",
    "messages",
    "follows",
    "reviews",
    "notifications",
    "audit_log",
    "processed_webhook_events",
    "bot_conversations",
    "bot_data",
)

# Tables the definer's functions read or write, and so its policies.
DEFINER_TABLES = (
    "professionals",
    "clients",
    "appointments",
    "time_off",
    "reviews",
    "notifications",
    "audit_log",
)

ROLES = f"""
DO $$
BEGIN
    BEGIN
        CREATE ROLE {DEFINER} NOLOGIN NOINHERIT NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- another database made it
    END;
    BEGIN
        CREATE ROLE {LOGIN} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
            NOREPLICATION NOBYPASSRLS;
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'cannot create the login role {LOGIN}: %', SQLERRM
                USING HINT = 'migrate as a user with CREATEROLE, or create the role by hand:'
                    ' CREATE ROLE {LOGIN} LOGIN NOINHERIT; GRANT {APP}, {SYSTEM} TO {LOGIN}';
    END;
    -- A role made by hand elsewhere must not be able to do more than ours.
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{LOGIN}'
               AND (rolsuper OR rolinherit OR rolcreaterole OR rolcreatedb OR rolreplication
                    OR rolbypassrls OR NOT rolcanlogin)) THEN
        ALTER ROLE {LOGIN} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION
            NOBYPASSRLS;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{DEFINER}'
               AND (rolsuper OR rolcanlogin OR rolbypassrls OR rolcreaterole)) THEN
        ALTER ROLE {DEFINER} NOLOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF EXISTS (
        SELECT FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
         WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = '{LOGIN}')
           AND r.rolname NOT IN ('{APP}', '{SYSTEM}')
    ) THEN
        RAISE EXCEPTION '{LOGIN} is a member of roles other than {APP} and {SYSTEM}'
            USING HINT = 'revoke those memberships: the app must reach nothing else';
    END IF;
    BEGIN
        GRANT {APP} TO {LOGIN};
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
    BEGIN
        GRANT {SYSTEM} TO {LOGIN};
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
    -- The migrating user hands functions to the definer, so it must be a member.
    IF NOT pg_catalog.pg_has_role(current_user, '{DEFINER}', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT {DEFINER} TO %I', current_user);
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
    END IF;
    -- Recorded per database: a downgrade elsewhere cannot drop the role while we use it.
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {LOGIN}', current_database());
END
$$
"""

_STAMP = "(extract(epoch FROM pg_catalog.transaction_timestamp()) * 1000000)::bigint"


def _registers() -> list[str]:
    sql: list[str] = []
    for name in REGISTERS:
        sql.append(
            f"CREATE UNLOGGED SEQUENCE {name} AS bigint"
            " MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807 START 0 NO CYCLE"
        )
        sql.append(f"REVOKE ALL ON SEQUENCE {name} FROM PUBLIC")
        sql.append(f"GRANT USAGE, UPDATE ON SEQUENCE {name} TO {DEFINER}")
    return sql


# --- the scope: readers and the two ways in ----------------------------------------------

_RLS_USER_ID = f"""
CREATE OR REPLACE FUNCTION rls_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER {PATH} AS $$
BEGIN
    IF pg_catalog.currval('public.scope_stamp') = {_STAMP} THEN
        RETURN nullif(greatest(pg_catalog.currval('public.scope_user'), 0), 0);
    END IF;
    RETURN NULL;
EXCEPTION WHEN object_not_in_prerequisite_state THEN  -- this connection never had a scope
    RETURN NULL;
END
$$
"""

_RLS_PROFESSIONAL_ID = f"""
CREATE OR REPLACE FUNCTION rls_professional_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER {PATH} AS $$
DECLARE
    v_hi bigint;
    v_lo bigint;
BEGIN
    IF pg_catalog.currval('public.scope_stamp') = {_STAMP}
       AND pg_catalog.currval('public.scope_user') > 0 THEN
        v_hi := pg_catalog.currval('public.scope_pro_hi');
        v_lo := pg_catalog.currval('public.scope_pro_lo');
        IF v_hi = 0 AND v_lo = 0 THEN
            RETURN NULL;
        END IF;
        RETURN (lpad(to_hex(v_hi), 16, '0') || lpad(to_hex(v_lo), 16, '0'))::uuid;
    END IF;
    RETURN NULL;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN NULL;
END
$$
"""

_RLS_SYSTEM = f"""
CREATE FUNCTION rls_system() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER {PATH} AS $$
BEGIN
    RETURN pg_catalog.currval('public.scope_stamp') = {_STAMP}
       AND pg_catalog.currval('public.scope_user') = -1;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN false;
END
$$
"""

# Refuses a second scope in one transaction: the stamp register holds this transaction's
# start once a scope was stored, and the app role cannot write it back.
_REFUSE_REENTRY = f"""
    BEGIN
        IF pg_catalog.currval('public.scope_stamp') = {_STAMP} THEN
            RAISE EXCEPTION 'this transaction has its scope already'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    EXCEPTION WHEN object_not_in_prerequisite_state THEN NULL;  -- first scope of the connection
    END;
"""

_STORE_PROFESSIONAL = """
    v_hex := replace(coalesce(v_pro, '00000000-0000-0000-0000-000000000000'::uuid)::text, '-', '');
    PERFORM pg_catalog.setval('public.scope_pro_hi', ('x' || substr(v_hex, 1, 16))::bit(64)::bigint),
            pg_catalog.setval('public.scope_pro_lo', ('x' || substr(v_hex, 17, 16))::bit(64)::bigint);
"""

_ENTER_SCOPE = f"""
CREATE FUNCTION enter_scope(p_user bigint) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PATH} AS $$
DECLARE
    v_pro uuid;
    v_hex text;
BEGIN
    IF p_user IS NULL OR p_user <= 0 THEN
        RAISE EXCEPTION 'not a Telegram user id: %', p_user USING ERRCODE = 'invalid_parameter_value';
    END IF;
    {_REFUSE_REENTRY}
    SELECT p.id INTO v_pro FROM public.professionals p WHERE p.user_id = p_user;
    {_STORE_PROFESSIONAL}
    PERFORM pg_catalog.setval('public.scope_user', p_user);
    -- The stamp last: a scope half stored is no scope.
    PERFORM pg_catalog.setval('public.scope_stamp', {_STAMP});
    RETURN v_pro;
END
$$
"""

_ENTER_SYSTEM_SCOPE = f"""
CREATE FUNCTION enter_system_scope() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PATH} AS $$
BEGIN
    {_REFUSE_REENTRY}
    PERFORM pg_catalog.setval('public.scope_pro_hi', 0), pg_catalog.setval('public.scope_pro_lo', 0),
            pg_catalog.setval('public.scope_user', -1);
    PERFORM pg_catalog.setval('public.scope_stamp', {_STAMP});
    RETURN true;
END
$$
"""

# After onboarding: the professional is looked up from the scope's own user, never taken
# from the caller, so it can only ever become the professional that user is.
_RESCOPE_PROFESSIONAL = f"""
CREATE FUNCTION rescope_professional() RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PATH} AS $$
DECLARE
    v_user bigint := public.rls_user_id();
    v_pro uuid;
    v_hex text;
BEGIN
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'no user scope to refresh' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT p.id INTO v_pro FROM public.professionals p WHERE p.user_id = v_user;
    {_STORE_PROFESSIONAL}
    RETURN v_pro;
END
$$
"""

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

# --- policies -----------------------------------------------------------------------------

# Each reader in a sub-select is an InitPlan: evaluated once per statement, not per row.
ME = "(SELECT rls_user_id())"
PRO = "(SELECT rls_professional_id())"
SYS = "(SELECT rls_system())"


def _mine(column: str) -> str:
    return f"{column} IN (SELECT c.id FROM clients c WHERE c.user_id = {ME})"


def policies() -> list[str]:
    """Every policy of revision 0005 (the tables' RLS stays enabled and forced)."""
    tenant = f"professional_id = {PRO}"
    own = f"user_id = {ME}"
    active_professional = "professional_id IN (SELECT p.id FROM professionals p WHERE p.active)"
    sql: list[str] = []

    def policy(table: str, name: str, command: str, using: str | None, check: str | None) -> None:
        text = f"CREATE POLICY {name} ON {table} AS PERMISSIVE FOR {command} TO {APP}"
        if using is not None:
            text += f" USING ({using})"
        if check is not None:
            text += f" WITH CHECK ({check})"
        sql.append(text)

    for table in RLS_TABLES:
        sql.append(
            f"CREATE POLICY system_all ON {table} FOR ALL TO {SYSTEM}"
            f" USING ({SYS}) WITH CHECK ({SYS})"
        )
    for table in DEFINER_TABLES:
        sql.append(
            f"CREATE POLICY definer_all ON {table} FOR ALL TO {DEFINER}"
            " USING (true) WITH CHECK (true)"
        )

    policy("professionals", "public_read", "SELECT", f"active OR {own}", None)
    # A new practice starts free, with at most the 14-day trial; payments set the rest.
    policy(
        "professionals",
        "own_insert",
        "INSERT",
        None,
        f"{own} AND plan = 'free' AND stripe_customer_id IS NULL"
        " AND stripe_subscription_id IS NULL"
        " AND (trial_ends_at IS NULL OR trial_ends_at <= now() + interval '14 days')",
    )
    policy("professionals", "own_update", "UPDATE", own, own)
    policy("professionals", "own_delete", "DELETE", own, None)

    policy("telegram_users", "self", "ALL", own, own)
    policy(
        "telegram_users",
        "tenant_read",
        "SELECT",
        f"user_id IN (SELECT c.user_id FROM clients c WHERE c.professional_id = {PRO})",
        None,
    )

    for table in ("availability", "extra_availability"):
        policy(table, "tenant", "ALL", tenant, tenant)
        policy(table, "public_read", "SELECT", active_professional, None)
    for table in ("time_off", "client_notes"):
        policy(table, "tenant", "ALL", tenant, tenant)

    # A professional adds people by hand only: a Telegram account joins through its own
    # link (self_insert) or an invite it opens (claim_client_invite).
    policy("clients", "tenant_read", "SELECT", tenant, None)
    policy("clients", "tenant_insert", "INSERT", None, f"{tenant} AND user_id IS NULL")
    policy("clients", "tenant_update", "UPDATE", tenant, tenant)
    policy("clients", "tenant_delete", "DELETE", tenant, None)
    policy("clients", "self_read", "SELECT", own, None)
    policy(
        "clients",
        "self_insert",
        "INSERT",
        None,
        f"{own} AND invite_token IS NULL AND {active_professional}",
    )
    policy("clients", "self_update", "UPDATE", own, own)

    policy("recurring_schedules", "tenant", "ALL", tenant, tenant)
    policy("recurring_schedules", "client_read", "SELECT", _mine("client_id"), None)

    unpaid = "payment_status = 'none' AND stripe_payment_intent_id IS NULL"
    policy("appointments", "tenant_read", "SELECT", tenant, None)
    policy(
        "appointments",
        "tenant_insert",
        "INSERT",
        None,
        f"{tenant} AND {unpaid} AND cancelled_by IS NULL"
        " AND status IN ('pending_confirmation', 'confirmed')",
    )
    policy("appointments", "tenant_update", "UPDATE", tenant, tenant)
    policy("appointments", "tenant_delete", "DELETE", tenant, None)
    policy("appointments", "client_read", "SELECT", _mine("client_id"), None)
    # A client books at the professional's price, in the status the professional's
    # settings give, with nothing paid: only the system (payments) changes that.
    policy(
        "appointments",
        "client_insert",
        "INSERT",
        None,
        f"{_mine('client_id')} AND {unpaid} AND cancelled_by IS NULL"
        " AND recurring_schedule_id IS NULL AND EXISTS (SELECT 1 FROM professionals p"
        " WHERE p.id = appointments.professional_id AND p.active"
        " AND p.price_cents = appointments.price_cents AND p.currency = appointments.currency"
        " AND appointments.status = CASE WHEN p.auto_confirm"
        " THEN 'confirmed'::appointment_status ELSE 'pending_confirmation'::appointment_status END)",
    )
    policy("appointments", "client_update", "UPDATE", _mine("client_id"), _mine("client_id"))

    policy("messages", "tenant_read", "SELECT", tenant, None)
    policy("messages", "tenant_insert", "INSERT", None, f"{tenant} AND sender = 'professional'")
    policy("messages", "tenant_update", "UPDATE", tenant, tenant)
    policy("messages", "tenant_delete", "DELETE", tenant, None)
    policy("messages", "client_read", "SELECT", _mine("client_id"), None)
    policy(
        "messages", "client_insert", "INSERT", None, f"{_mine('client_id')} AND sender = 'client'"
    )
    policy("messages", "client_update", "UPDATE", _mine("client_id"), _mine("client_id"))

    policy(
        "follows",
        "self",
        "ALL",
        own,
        f"{own} AND professional_id IN (SELECT p.id FROM professionals p)",
    )
    policy("follows", "tenant_read", "SELECT", tenant, None)

    policy("reviews", "tenant_read", "SELECT", tenant, None)
    policy("reviews", "client_read", "SELECT", _mine("client_id"), None)
    # The foreign key ties the review to that appointment's client and professional; the
    # session must have been held (its time rule stays with the app's clock).
    policy(
        "reviews",
        "client_insert",
        "INSERT",
        None,
        f"{_mine('client_id')} AND EXISTS (SELECT 1 FROM appointments a"
        " WHERE a.id = reviews.appointment_id AND a.client_id = reviews.client_id"
        " AND a.status IN ('completed', 'confirmed'))",
    )

    # Written only by the system scope or queue_notification().
    policy("notifications", "recipient_read", "SELECT", f"recipient_id = {ME}", None)
    policy(
        "notifications",
        "recipient_update",
        "UPDATE",
        f"recipient_id = {ME}",
        f"recipient_id = {ME}",
    )

    policy("audit_log", "tenant_read", "SELECT", tenant, None)
    return sql


# --- privileges ---------------------------------------------------------------------------

# What a person's statements may touch, column by column where a column is not theirs to
# set: plans, trials and Stripe ids; who a row belongs to; price and payment; leases.
APP_GRANTS: dict[str, tuple[str, ...]] = {
    "professionals": (
        "SELECT",
        "INSERT",
        "DELETE",
        "UPDATE (name, phone, email, profession, slug, bio, avatar_url, session_duration,"
        " price_cents, currency, payment_type, payment_percentage, pix_key_type, pix_key,"
        " welcome_message, auto_confirm, active, timezone, locale, buffer_minutes,"
        " min_notice_minutes, booking_horizon_days, cancellation_notice_minutes,"
        " max_future_bookings, morning_agenda_hour, updated_at)",
    ),
    "telegram_users": (
        "SELECT",
        "INSERT",
        "UPDATE (first_name, username, language_code, locale, timezone, unreachable_at,"
        " updated_at)",
    ),
    "availability": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "extra_availability": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "time_off": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "clients": (
        "SELECT",
        "INSERT",
        "DELETE",
        "UPDATE (name, phone, email, avatar_url, invite_token, updated_at)",
    ),
    "client_notes": ("SELECT", "INSERT", "DELETE", "UPDATE (content, updated_at)"),
    "recurring_schedules": (
        "SELECT",
        "INSERT",
        "DELETE",
        "UPDATE (frequency, day_of_week, second_day_of_week, time, active, starts_on,"
        " materialized_until, updated_at)",
    ),
    "appointments": (
        "SELECT",
        "INSERT",
        "DELETE",
        "UPDATE (status, starts_at, ends_at, notes, scheduled_at, cancelled_by,"
        " cancellation_reason, reminder_sent_24h, reminder_sent_1h, recurring_schedule_id,"
        " updated_at)",
    ),
    "messages": ("SELECT", "INSERT", "DELETE", "UPDATE (read_at)"),
    "follows": ("SELECT", "INSERT", "DELETE"),
    "reviews": ("SELECT", "INSERT"),
    "notifications": ("SELECT", "UPDATE (read)"),
    "audit_log": ("SELECT",),
}

DEFINER_GRANTS: dict[str, str] = {
    "professionals": "SELECT",
    "clients": "SELECT, UPDATE",
    "appointments": "SELECT",
    "time_off": "SELECT",
    "reviews": "SELECT",
    "notifications": "INSERT",
    "audit_log": "INSERT",
}


def grants() -> list[str]:
    sql = [f"REVOKE ALL ON {table} FROM {APP}" for table in RLS_TABLES]
    for table, privileges in APP_GRANTS.items():
        sql.extend(f"GRANT {privilege} ON {table} TO {APP}" for privilege in privileges)
    sql.extend(
        f"GRANT {privileges} ON {table} TO {DEFINER}"
        for table, privileges in DEFINER_GRANTS.items()
    )
    sql.append(f"GRANT USAGE ON SCHEMA public TO {DEFINER}, {LOGIN}")
    return sql


# Functions the definer owns (SECURITY DEFINER) and who may call each.
DEFINER_FUNCTIONS: dict[str, tuple[str, str]] = {
    "rls_user_id()": (_RLS_USER_ID, "PUBLIC"),
    "rls_professional_id()": (_RLS_PROFESSIONAL_ID, "PUBLIC"),
    "rls_system()": (_RLS_SYSTEM, "PUBLIC"),
    # The owner too: seeding and maintenance open scopes over the owner's connection.
    "enter_scope(bigint)": (_ENTER_SCOPE, f"{LOGIN}, CURRENT_USER"),
    "enter_system_scope()": (_ENTER_SYSTEM_SCOPE, f"{LOGIN}, CURRENT_USER"),
    "rescope_professional()": (_RESCOPE_PROFESSIONAL, APP),
    BUSY: (_BUSY, f"{APP}, {SYSTEM}"),
    RATING: (_RATING, f"{APP}, {SYSTEM}"),
    CLAIM: (_CLAIM, APP),
    AUDIT: (_AUDIT, ""),
    LINK: (_LINK, f"{APP}, {SYSTEM}"),
    NOTIFY: (_NOTIFY, APP),
}

UPGRADE_FUNCTIONS: list[str] = [
    *_registers(),
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

DROP_POLICIES = """
DO $$
DECLARE p record;
BEGIN
    FOR p IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
    END LOOP;
END
$$
"""

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

# Roles belong to the whole server: another database may still use them.
DROP_ROLES = f"""
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM {LOGIN}', current_database());
    BEGIN
        DROP ROLE IF EXISTS {LOGIN};
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN NULL;
    END;
    BEGIN
        DROP ROLE IF EXISTS {DEFINER};
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN NULL;
    END;
END
$$
"""
