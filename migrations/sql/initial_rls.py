"""Revision 0001's hand-written SQL: roles, row-level security, public functions, audit.

Frozen with revision 0001: a later change goes into a new revision, never here.

Two non-login roles carry every query the app makes; the unit of work switches to
one of them inside its transaction (`SET LOCAL ROLE`) and sets the acting
Telegram user and professional as transaction-local settings:

- ``bookingbot_app``: an acting person; policies decide what each statement sees.
- ``bookingbot_system``: the explicit, named system scope (reminder dispatch,
  seeding, webhooks); its policies allow everything.

Public by design: active professionals' profiles and their availability windows
(a client must read them to book). Time off and appointments of others are never
readable; clients get only busy intervals through ``busy_intervals()``.
"""

from __future__ import annotations

APP = "bookingbot_app"
SYSTEM = "bookingbot_system"

# Tables a professional owns outright: only they (and the system) see their rows.
TENANT_ONLY = ("client_notes", "time_off")
# Every table with row-level security enabled and forced.
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

PRE_TABLES: list[str] = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    # PostgreSQL has no range over time of day; availability overlap needs one.
    "CREATE TYPE timerange AS RANGE (subtype = time)",
    f"""
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP}') THEN
            CREATE ROLE {APP} NOLOGIN NOBYPASSRLS;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SYSTEM}') THEN
            CREATE ROLE {SYSTEM} NOLOGIN NOBYPASSRLS;
        END IF;
    END
    $$
    """,
    # The migrating user (a managed server's owner is not a superuser) must be a member
    # to SET ROLE and to hand functions to the system role.
    f"GRANT {APP} TO CURRENT_USER",
    f"GRANT {SYSTEM} TO CURRENT_USER",
    """
    CREATE FUNCTION rls_user_id() RETURNS bigint LANGUAGE sql STABLE AS
    $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$
    """,
    """
    CREATE FUNCTION rls_professional_id() RETURNS uuid LANGUAGE sql STABLE AS
    $$ SELECT nullif(current_setting('app.professional_id', true), '')::uuid $$
    """,
]


def _policies() -> list[str]:
    mine_as_client = "client_id IN (SELECT id FROM clients WHERE user_id = rls_user_id())"
    tenant = "professional_id = rls_professional_id()"
    sql: list[str] = []

    def policy(table: str, name: str, command: str, using: str | None, check: str | None) -> None:
        text = f"CREATE POLICY {name} ON {table} AS PERMISSIVE FOR {command} TO {APP}"
        if using is not None:
            text += f" USING ({using})"
        if check is not None:
            text += f" WITH CHECK ({check})"
        sql.append(text)

    for table in RLS_TABLES:
        sql.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        sql.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        sql.append(
            f"CREATE POLICY system_all ON {table} FOR ALL TO {SYSTEM} USING (true) WITH CHECK (true)"
        )

    own = "user_id = rls_user_id()"
    policy("professionals", "public_read", "SELECT", f"active OR {own}", None)
    policy("professionals", "own_insert", "INSERT", None, own)
    policy("professionals", "own_update", "UPDATE", own, own)
    policy("professionals", "own_delete", "DELETE", own, None)

    policy("telegram_users", "self", "ALL", own, own)
    policy(
        "telegram_users",
        "tenant_read",
        "SELECT",
        "user_id IN (SELECT user_id FROM clients WHERE professional_id = rls_professional_id())",
        None,
    )

    for table in ("availability", "extra_availability"):
        policy(table, "tenant", "ALL", tenant, tenant)
        policy(table, "public_read", "SELECT", "true", None)

    for table in TENANT_ONLY:
        policy(table, "tenant", "ALL", tenant, tenant)

    policy("clients", "tenant", "ALL", tenant, tenant)
    policy("clients", "self_read", "SELECT", own, None)
    policy("clients", "self_insert", "INSERT", None, own)
    policy("clients", "self_update", "UPDATE", own, own)

    policy("recurring_schedules", "tenant", "ALL", tenant, tenant)
    policy("recurring_schedules", "client_read", "SELECT", mine_as_client, None)

    for table in ("appointments", "messages"):
        policy(table, "tenant", "ALL", tenant, tenant)
        policy(table, "client_read", "SELECT", mine_as_client, None)
        policy(table, "client_insert", "INSERT", None, mine_as_client)
        policy(table, "client_update", "UPDATE", mine_as_client, mine_as_client)

    policy("follows", "self", "ALL", own, own)
    policy("follows", "tenant_read", "SELECT", tenant, None)

    policy("reviews", "tenant_read", "SELECT", tenant, None)
    policy("reviews", "client_read", "SELECT", mine_as_client, None)
    policy("reviews", "client_insert", "INSERT", None, mine_as_client)

    policy("notifications", "recipient_read", "SELECT", "recipient_id = rls_user_id()", None)
    policy(
        "notifications",
        "recipient_update",
        "UPDATE",
        "recipient_id = rls_user_id()",
        "recipient_id = rls_user_id()",
    )
    # Either side of a booking may leave a notification for the other.
    policy(
        "notifications",
        "party_insert",
        "INSERT",
        None,
        f"{tenant} OR professional_id IN "
        "(SELECT professional_id FROM clients WHERE user_id = rls_user_id())",
    )

    policy("audit_log", "tenant_read", "SELECT", tenant, None)
    return sql


_SYSTEM_FUNCTIONS = {
    "busy_intervals(uuid, timestamptz, timestamptz)": """
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
    """,
    "professional_rating(uuid)": """
    CREATE FUNCTION professional_rating(p_professional uuid)
    RETURNS TABLE (average numeric, count bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
        SELECT round(avg(rating)::numeric, 2), count(*) FROM reviews
         WHERE professional_id = p_professional
    $$
    """,
    "claim_client_invite(text)": """
    CREATE FUNCTION claim_client_invite(p_token text) RETURNS uuid
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
        UPDATE clients SET user_id = rls_user_id(), invite_token = NULL, updated_at = now()
         WHERE invite_token = p_token AND user_id IS NULL AND rls_user_id() IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM clients c2 WHERE c2.professional_id = clients.professional_id
                              AND c2.user_id = rls_user_id())
        RETURNING id
    $$
    """,
    "audit_appointment()": """
    CREATE FUNCTION audit_appointment() RETURNS trigger
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
    """,
}

POST_TABLES: list[str] = [
    *[
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP}, {SYSTEM}"
        for table in RLS_TABLES
    ],
    f"GRANT USAGE ON SCHEMA public TO {APP}, {SYSTEM}",
    *_policies(),
    *_SYSTEM_FUNCTIONS.values(),
    # SECURITY DEFINER functions run as the system role, whose policies see every row,
    # rather than as the migrating user (who may be subject to FORCE ROW LEVEL SECURITY).
    # A new owner needs CREATE on the schema at the moment of the change only.
    f"GRANT CREATE ON SCHEMA public TO {SYSTEM}",
    *[f"ALTER FUNCTION {sig} OWNER TO {SYSTEM}" for sig in _SYSTEM_FUNCTIONS],
    f"REVOKE CREATE ON SCHEMA public FROM {SYSTEM}",
    *[f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC" for sig in _SYSTEM_FUNCTIONS],
    *[
        f"GRANT EXECUTE ON FUNCTION {sig} TO {APP}, {SYSTEM}"
        for sig in _SYSTEM_FUNCTIONS
        if sig != "audit_appointment()"
    ],
    "CREATE TRIGGER appointments_audit AFTER INSERT OR UPDATE ON appointments"
    " FOR EACH ROW EXECUTE FUNCTION audit_appointment()",
]

DROP_BEFORE_TABLES: list[str] = [
    "DROP TRIGGER IF EXISTS appointments_audit ON appointments",
    # Policies on one table may read another (clients), so they go before any table.
    """
    DO $$
    DECLARE p record;
    BEGIN
        FOR p IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'public' LOOP
            EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
        END LOOP;
    END
    $$
    """,
    *[f"DROP FUNCTION IF EXISTS {sig}" for sig in _SYSTEM_FUNCTIONS],
]

DROP_AFTER_TABLES: list[str] = [
    "DROP FUNCTION IF EXISTS rls_user_id()",
    "DROP FUNCTION IF EXISTS rls_professional_id()",
    *[
        f"DROP TYPE IF EXISTS {name}"
        for name in (
            "profession",
            "plan",
            "payment_type",
            "pix_key_type",
            "frequency",
            "appointment_status",
            "payment_status",
            "message_sender",
            "message_type",
            "recipient_type",
            "notification_type",
            "timerange",
        )
    ],
    f"REVOKE ALL ON SCHEMA public FROM {APP}, {SYSTEM}",
    # Roles belong to the whole server: other databases may still use them.
    f"""
    DO $$
    BEGIN
        BEGIN
            DROP ROLE IF EXISTS {APP};
        EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
        END;
        BEGIN
            DROP ROLE IF EXISTS {SYSTEM};
        EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
        END;
    END
    $$
    """,
]
