"""Row-level security that holds when the code is wrong: scope, relationships, columns, roles.

- The app logs in as ``bookingbot_login`` (LOGIN, NOINHERIT, no superuser, member of
  ``bookingbot_app`` and ``bookingbot_system`` only): outside ``SET ROLE`` it holds no
  privilege, and it cannot become any other role.
- The scope is stored by ``enter_scope()`` / ``enter_system_scope()`` in registers only
  ``bookingbot_definer`` can write (see ``migrations/sql/scope_guard.py``; policies and grants in
  ``tenant_policies.py``, functions in ``tenant_functions.py``), once per
  transaction; the ``app.*`` settings are no longer read, so setting them forges nothing.
  The system role's policies ask for the system scope too: ``SET ROLE bookingbot_system``
  inside a person's transaction sees nothing.
- Rows point only at rows of their own tenant: composite foreign keys from appointments,
  messages, notes, recurring schedules and reviews to ``clients (id, professional_id)``,
  and from reviews to ``appointments (id, client_id, professional_id)``.
- Columns a person may not change are not granted (plans, trials, Stripe ids, prices,
  payment, who a row belongs to, leases); ``appointment_guard`` enforces the booking state
  machine by acting side on every UPDATE; notifications are written by the system scope
  or by ``queue_notification()``, which checks the recipient is the writer's relation.
- Every SECURITY DEFINER function is owned by ``bookingbot_definer`` (which owns nothing
  else) and runs with ``search_path = pg_catalog, public, pg_temp``.
  ``professional_id_of()`` is replaced by ``enter_scope()``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

from alembic import op

from migrations.sql import initial_rls, scope_guard, scope_guard_before, tenant_functions
from migrations.sql import tenant_policies as policies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, columns) that reference clients (id, professional_id) instead of clients (id).
_CLIENT_FKS = ("appointments", "messages", "client_notes", "recurring_schedules", "reviews")


def upgrade() -> None:
    op.execute(scope_guard.ROLES)
    op.execute(scope_guard.DROP_POLICIES)
    op.execute(
        "ALTER TABLE clients ADD CONSTRAINT uq_clients_id_professional_id"
        " UNIQUE (id, professional_id)"
    )
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT uq_appointments_id_client_id_professional_id"
        " UNIQUE (id, client_id, professional_id)"
    )
    for table in _CLIENT_FKS:
        name = f"fk_{table}_client_id_clients"
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (client_id, professional_id)"
            " REFERENCES clients (id, professional_id) ON DELETE CASCADE"
        )
    op.execute("ALTER TABLE reviews DROP CONSTRAINT fk_reviews_appointment_id_appointments")
    op.execute(
        "ALTER TABLE reviews ADD CONSTRAINT fk_reviews_appointment_id_appointments"
        " FOREIGN KEY (appointment_id, client_id, professional_id)"
        " REFERENCES appointments (id, client_id, professional_id) ON DELETE CASCADE"
    )
    for statement in tenant_functions.UPGRADE_FUNCTIONS:
        op.execute(statement)
    for statement in policies.grants():
        op.execute(statement)
    for statement in policies.policies():
        op.execute(statement)


def downgrade() -> None:
    op.execute(scope_guard.DROP_POLICIES)
    for statement in scope_guard_before.DOWNGRADE_FUNCTIONS:
        op.execute(statement)
    op.execute("ALTER TABLE reviews DROP CONSTRAINT fk_reviews_appointment_id_appointments")
    op.execute(
        "ALTER TABLE reviews ADD CONSTRAINT fk_reviews_appointment_id_appointments"
        " FOREIGN KEY (appointment_id) REFERENCES appointments (id) ON DELETE CASCADE"
    )
    for table in _CLIENT_FKS:
        name = f"fk_{table}_client_id_clients"
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (client_id)"
            " REFERENCES clients (id) ON DELETE CASCADE"
        )
    op.execute(
        "ALTER TABLE appointments DROP CONSTRAINT uq_appointments_id_client_id_professional_id"
    )
    op.execute("ALTER TABLE clients DROP CONSTRAINT uq_clients_id_professional_id")
    for statement in scope_guard_before.DOWNGRADE_GRANTS:
        op.execute(statement)
    # Revision 0001's policies (its system policies included) are still what 0004 had.
    for statement in initial_rls._policies():
        op.execute(statement)
    op.execute(scope_guard.DROP_ROLES)
