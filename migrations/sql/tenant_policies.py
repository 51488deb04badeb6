"""Revision 0005's policies and privileges: what a person's statements may see and change.

Frozen with revision 0005. Each scope reader appears as a sub-select, so PostgreSQL
plans it as an InitPlan evaluated once per statement rather than once per row.
"""

from __future__ import annotations

from .scope_guard import APP, DEFINER, DEFINER_TABLES, LOGIN, RLS_TABLES, SYSTEM

# --- policies -----------------------------------------------------------------------------

# Each reader in a sub-select is an InitPlan: evaluated once per statement, not per row.
ME = "(SELECT rls_user_id())"
PRO = "(SELECT rls_professional_id())"
# An inequality, so the planner takes it as true for nearly every row: a bare boolean
# parameter counts as a coin toss, which halved the row estimates of every system-scope
# query and turned the reminder claim's index scan (stopping at its LIMIT) into a bitmap
# scan of the whole day. NULL (no scope) compares as not true, like false.
SYS = "(SELECT rls_system())::int <> 0"


def _mine(column: str) -> str:
    return f"{column} IN (SELECT c.id FROM clients c WHERE c.user_id = {ME})"


def policies() -> list[str]:
    """Every policy of revision 0005 (the tables' RLS stays enabled and forced)."""
    tenant = f"professional_id = {PRO}"
    own = f"user_id = {ME}"

    def active_professional(table: str) -> str:
        # Correlated, so each row probes the primary key: an IN (sub-select) would be
        # planned as a hashed sub-plan reading every active professional.
        return (
            "EXISTS (SELECT 1 FROM professionals p"
            f" WHERE p.id = {table}.professional_id AND p.active)"
        )

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
        policy(table, "public_read", "SELECT", active_professional(table), None)
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
        f"{own} AND invite_token IS NULL AND {active_professional('clients')}",
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
        f"{own} AND EXISTS (SELECT 1 FROM professionals p WHERE p.id = follows.professional_id)",
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
