"""Revision 0005's hand-written SQL for the scope: roles, registers, and the ways in.

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


def registers() -> list[str]:
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

RLS_USER_ID = f"""
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

RLS_PROFESSIONAL_ID = f"""
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

RLS_SYSTEM = f"""
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

ENTER_SCOPE = f"""
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

ENTER_SYSTEM_SCOPE = f"""
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
RESCOPE_PROFESSIONAL = f"""
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
