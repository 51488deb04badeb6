"""Initial schema: the ten odys tables and what a Telegram booking product adds.

Creates extensions, enum types, tables, constraints (checks, exclusion, unique),
indexes, the application roles, row-level security policies, the public
SECURITY DEFINER functions clients may call, and the audit trigger. The
downgrade removes all of it.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:12:35.306957
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.sql import initial_rls as rls

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in rls.PRE_TABLES:
        op.execute(statement)
    op.create_table(
        "bot_conversations",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("name", "key", name=op.f("pk_bot_conversations")),
    )
    op.create_table(
        "bot_data",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_bot_data")),
    )
    op.create_table(
        "processed_webhook_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", "provider", name=op.f("pk_processed_webhook_events")),
    )
    op.create_table(
        "professionals",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "profession",
            sa.Enum(
                "psychologist",
                "personal_trainer",
                "nutritionist",
                "tutor",
                "physiotherapist",
                "coach",
                "other",
                name="profession",
            ),
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("session_duration", sa.Integer(), server_default=sa.text("50"), nullable=False),
        sa.Column("price_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'BRL'"), nullable=False),
        sa.Column(
            "plan",
            sa.Enum("free", "pro", name="plan"),
            server_default=sa.text("'free'"),
            nullable=False,
        ),
        sa.Column("trial_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "payment_type",
            sa.Enum("upfront", "partial", "after_session", "none", name="payment_type"),
            server_default=sa.text("'upfront'"),
            nullable=False,
        ),
        sa.Column(
            "payment_percentage", sa.Integer(), server_default=sa.text("100"), nullable=False
        ),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column(
            "pix_key_type",
            sa.Enum("cpf", "cnpj", "email", "phone", "random", name="pix_key_type"),
            nullable=True,
        ),
        sa.Column("pix_key", sa.String(length=140), nullable=True),
        sa.Column("welcome_message", sa.Text(), nullable=True),
        sa.Column("auto_confirm", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "timezone",
            sa.String(length=64),
            server_default=sa.text("'America/Sao_Paulo'"),
            nullable=False,
        ),
        sa.Column(
            "locale", sa.String(length=10), server_default=sa.text("'pt_BR'"), nullable=False
        ),
        sa.Column("buffer_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "min_notice_minutes", sa.Integer(), server_default=sa.text("120"), nullable=False
        ),
        sa.Column(
            "booking_horizon_days", sa.Integer(), server_default=sa.text("60"), nullable=False
        ),
        sa.Column(
            "cancellation_notice_minutes",
            sa.Integer(),
            server_default=sa.text("1440"),
            nullable=False,
        ),
        sa.Column("max_future_bookings", sa.Integer(), server_default=sa.text("4"), nullable=False),
        sa.Column("morning_agenda_hour", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_professionals_currency")),
        sa.CheckConstraint(
            "slug ~ '^[A-Za-z0-9_-]{1,64}$'", name=op.f("ck_professionals_slug_format")
        ),
        sa.CheckConstraint(
            "(pix_key IS NULL) = (pix_key_type IS NULL)", name=op.f("ck_professionals_pix_key_pair")
        ),
        sa.CheckConstraint(
            "booking_horizon_days BETWEEN 1 AND 365", name=op.f("ck_professionals_horizon")
        ),
        sa.CheckConstraint(
            "buffer_minutes BETWEEN 0 AND 240", name=op.f("ck_professionals_buffer")
        ),
        sa.CheckConstraint(
            "cancellation_notice_minutes BETWEEN 0 AND 43200",
            name=op.f("ck_professionals_cancel_notice"),
        ),
        sa.CheckConstraint(
            "max_future_bookings BETWEEN 1 AND 100",
            name=op.f("ck_professionals_max_future_bookings"),
        ),
        sa.CheckConstraint(
            "min_notice_minutes BETWEEN 0 AND 43200", name=op.f("ck_professionals_min_notice")
        ),
        sa.CheckConstraint(
            "morning_agenda_hour IS NULL OR morning_agenda_hour BETWEEN 0 AND 23",
            name=op.f("ck_professionals_morning_agenda_hour"),
        ),
        sa.CheckConstraint(
            "payment_percentage BETWEEN 0 AND 100", name=op.f("ck_professionals_payment_percentage")
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_professionals_price")),
        sa.CheckConstraint(
            "session_duration > 0 AND session_duration <= 720",
            name=op.f("ck_professionals_session_duration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professionals")),
        sa.UniqueConstraint("slug", name=op.f("uq_professionals_slug")),
        sa.UniqueConstraint("user_id", name=op.f("uq_professionals_user_id")),
    )
    op.create_table(
        "telegram_users",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("language_code", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_telegram_users")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=20), nullable=False),
        sa.Column("old_status", sa.String(length=40), nullable=True),
        sa.Column("new_status", sa.String(length=40), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_audit_log_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"], unique=False)
    op.create_index("ix_audit_log_entity_id", "audit_log", ["entity_id"], unique=False)
    op.create_index(
        "ix_audit_log_professional_id_created_at",
        "audit_log",
        ["professional_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "availability",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("day_of_week", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("professional_id"), "="),
            (sa.column("day_of_week"), "="),
            (sa.text("timerange(start_time, end_time)"), "&&"),
            using="gist",
            name="ex_availability_no_overlap",
        ),
        sa.CheckConstraint("day_of_week BETWEEN 0 AND 6", name=op.f("ck_availability_day_of_week")),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_availability_time_order")),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_availability_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability")),
    )
    op.create_index(
        "ix_availability_professional_id", "availability", ["professional_id"], unique=False
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("invite_token", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_clients_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_clients_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("invite_token", name=op.f("uq_clients_invite_token")),
        sa.UniqueConstraint(
            "professional_id", "user_id", name=op.f("uq_clients_professional_id_user_id")
        ),
    )
    op.create_index("ix_clients_professional_id", "clients", ["professional_id"], unique=False)
    op.create_index("ix_clients_user_id", "clients", ["user_id"], unique=False)
    op.create_table(
        "extra_availability",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("professional_id"), "="),
            (sa.column("day"), "="),
            (sa.text("timerange(start_time, end_time)"), "&&"),
            using="gist",
            name="ex_extra_availability_no_overlap",
        ),
        sa.CheckConstraint("start_time < end_time", name=op.f("ck_extra_availability_time_order")),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_extra_availability_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extra_availability")),
    )
    op.create_index(
        "ix_extra_availability_professional_id_day",
        "extra_availability",
        ["professional_id", "day"],
        unique=False,
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("last_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_follows_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "user_id", "professional_id", name=op.f("uq_follows_user_id_professional_id")
        ),
    )
    op.create_index("ix_follows_professional_id", "follows", ["professional_id"], unique=False)
    op.create_index("ix_follows_user_id", "follows", ["user_id"], unique=False)
    op.create_table(
        "time_off",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_time_off_time_order")),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_time_off_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    op.create_index(
        "ix_time_off_professional_id_starts_at",
        "time_off",
        ["professional_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "client_notes",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(content) BETWEEN 1 AND 4000", name=op.f("ck_client_notes_content_length")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_notes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_client_notes_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_notes")),
    )
    op.create_index(
        "ix_client_notes_client_id_created_at",
        "client_notes",
        ["client_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_client_notes_professional_id", "client_notes", ["professional_id"], unique=False
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column(
            "sender", sa.Enum("professional", "client", name="message_sender"), nullable=False
        ),
        sa.Column(
            "type",
            sa.Enum("text", "photo", "document", "voice", "audio", "video", name="message_type"),
            server_default=sa.text("'text'"),
            nullable=False,
        ),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(type = 'text') = (file_id IS NULL)", name=op.f("ck_messages_file_matches_type")
        ),
        sa.CheckConstraint(
            "content IS NOT NULL OR file_id IS NOT NULL", name=op.f("ck_messages_has_body")
        ),
        sa.CheckConstraint(
            "content IS NULL OR length(content) <= 4096", name=op.f("ck_messages_content_length")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_messages_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_messages_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(
        "ix_messages_client_id_created_at", "messages", ["client_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_messages_professional_id_client_id",
        "messages",
        ["professional_id", "client_id"],
        unique=False,
    )
    op.create_table(
        "recurring_schedules",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum("weekly", "biweekly", "twice_weekly", name="frequency"),
            nullable=False,
        ),
        sa.Column("day_of_week", sa.SmallInteger(), nullable=False),
        sa.Column("second_day_of_week", sa.SmallInteger(), nullable=True),
        sa.Column("time", sa.Time(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("starts_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("materialized_until", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(frequency = 'twice_weekly') = (second_day_of_week IS NOT NULL) AND second_day_of_week IS DISTINCT FROM day_of_week",
            name=op.f("ck_recurring_schedules_second_day_rule"),
        ),
        sa.CheckConstraint(
            "day_of_week BETWEEN 0 AND 6", name=op.f("ck_recurring_schedules_day_of_week")
        ),
        sa.CheckConstraint(
            "second_day_of_week IS NULL OR second_day_of_week BETWEEN 0 AND 6",
            name=op.f("ck_recurring_schedules_second_day_of_week"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_recurring_schedules_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_recurring_schedules_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_schedules")),
    )
    op.create_index(
        "ix_recurring_schedules_client_id", "recurring_schedules", ["client_id"], unique=False
    )
    op.create_index(
        "ix_recurring_schedules_professional_id",
        "recurring_schedules",
        ["professional_id"],
        unique=False,
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("recurring_schedule_id", sa.UUID(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending_confirmation",
                "confirmed",
                "declined",
                "cancelled",
                "completed",
                "no_show",
                name="appointment_status",
            ),
            server_default=sa.text("'pending_confirmation'"),
            nullable=False,
        ),
        sa.Column(
            "payment_status",
            sa.Enum("none", "pending", "paid", "refunded", "failed", name="payment_status"),
            server_default=sa.text("'none'"),
            nullable=False,
        ),
        sa.Column("stripe_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("price_cents", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'BRL'"), nullable=False),
        sa.Column(
            "reminder_sent_24h", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "reminder_sent_1h", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "scheduled_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "cancelled_by", sa.Enum("professional", "client", name="recipient_type"), nullable=True
        ),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("professional_id"), "="),
            (sa.text("tstzrange(starts_at, ends_at, '[)')"), "&&"),
            where=sa.text("status IN ('pending_confirmation', 'confirmed')"),
            using="gist",
            name="ex_appointments_no_overlap",
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_time_order")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_appointments_price")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_appointments_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_appointments_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recurring_schedule_id"],
            ["recurring_schedules.id"],
            name=op.f("fk_appointments_recurring_schedule_id_recurring_schedules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_client_id", "appointments", ["client_id"], unique=False)
    op.create_index(
        "ix_appointments_professional_id", "appointments", ["professional_id"], unique=False
    )
    op.create_index(
        "ix_appointments_professional_id_starts_at",
        "appointments",
        ["professional_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_appointments_reminders_due",
        "appointments",
        ["starts_at"],
        unique=False,
        postgresql_where=sa.text(
            "status = 'confirmed' AND (NOT reminder_sent_24h OR NOT reminder_sent_1h)"
        ),
    )
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"], unique=False)
    op.create_index("ix_appointments_status", "appointments", ["status"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "recipient_type",
            sa.Enum("professional", "client", name="recipient_type"),
            nullable=False,
        ),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "booking_requested",
                "booking_confirmed",
                "booking_declined",
                "booking_cancelled",
                "booking_rescheduled",
                "booking_completed",
                "booking_no_show",
                "reminder_24h",
                "reminder_1h",
                "new_message",
                "review_request",
                "new_review",
                "new_availability",
                "morning_agenda",
                "payment_received",
                "recurring_skipped",
                name="notification_type",
            ),
            nullable=False,
        ),
        sa.Column("msgid", sa.String(length=120), nullable=False),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("read", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_notifications_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_notifications_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_professional_id", "notifications", ["professional_id"], unique=False
    )
    op.create_index(
        "ix_notifications_recipient_id", "notifications", ["recipient_id"], unique=False
    )
    op.create_index(
        "ix_notifications_undelivered",
        "notifications",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("professional_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "comment IS NULL OR length(comment) <= 1000", name=op.f("ck_reviews_comment_length")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_reviews_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_reviews_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_reviews_professional_id_professionals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_reviews_appointment_id")),
    )
    op.create_index("ix_reviews_professional_id", "reviews", ["professional_id"], unique=False)
    for statement in rls.POST_TABLES:
        op.execute(statement)


def downgrade() -> None:
    for statement in rls.DROP_BEFORE_TABLES:
        op.execute(statement)
    op.drop_index("ix_reviews_professional_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(
        "ix_notifications_undelivered",
        table_name="notifications",
        postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
    )
    op.drop_index("ix_notifications_recipient_id", table_name="notifications")
    op.drop_index("ix_notifications_professional_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_appointments_status", table_name="appointments")
    op.drop_index("ix_appointments_starts_at", table_name="appointments")
    op.drop_index(
        "ix_appointments_reminders_due",
        table_name="appointments",
        postgresql_where=sa.text(
            "status = 'confirmed' AND (NOT reminder_sent_24h OR NOT reminder_sent_1h)"
        ),
    )
    op.drop_index("ix_appointments_professional_id_starts_at", table_name="appointments")
    op.drop_index("ix_appointments_professional_id", table_name="appointments")
    op.drop_index("ix_appointments_client_id", table_name="appointments")
    op.drop_table("appointments")
    op.drop_index("ix_recurring_schedules_professional_id", table_name="recurring_schedules")
    op.drop_index("ix_recurring_schedules_client_id", table_name="recurring_schedules")
    op.drop_table("recurring_schedules")
    op.drop_index("ix_messages_professional_id_client_id", table_name="messages")
    op.drop_index("ix_messages_client_id_created_at", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_client_notes_professional_id", table_name="client_notes")
    op.drop_index("ix_client_notes_client_id_created_at", table_name="client_notes")
    op.drop_table("client_notes")
    op.drop_index("ix_time_off_professional_id_starts_at", table_name="time_off")
    op.drop_table("time_off")
    op.drop_index("ix_follows_user_id", table_name="follows")
    op.drop_index("ix_follows_professional_id", table_name="follows")
    op.drop_table("follows")
    op.drop_index("ix_extra_availability_professional_id_day", table_name="extra_availability")
    op.drop_table("extra_availability")
    op.drop_index("ix_clients_user_id", table_name="clients")
    op.drop_index("ix_clients_professional_id", table_name="clients")
    op.drop_table("clients")
    op.drop_index("ix_availability_professional_id", table_name="availability")
    op.drop_table("availability")
    op.drop_index("ix_audit_log_professional_id_created_at", table_name="audit_log")
    op.drop_index("ix_audit_log_entity_id", table_name="audit_log")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("telegram_users")
    op.drop_table("professionals")
    op.drop_table("processed_webhook_events")
    op.drop_table("bot_data")
    op.drop_table("bot_conversations")
    for statement in rls.DROP_AFTER_TABLES:
        op.execute(statement)
