"""The scope a unit of work sets cannot be left, swapped or forged by a later statement, and
the login role the app connects as can become nothing but the app and system roles."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core import errors
from core.db.roles import APP_ROLE, DEFINER_ROLE, LOGIN_ROLE, SYSTEM_ROLE
from core.db.uow import Database
from core.models import ClientNote
from tests import factories as f


@pytest.fixture
async def notes(db: Database):
    """Two practices, each with one private note about its client."""
    pros = []
    for n in (1, 2):
        pro = await f.professional(db, user_id=n, slug=f"practice-{n}")
        cli = await f.client(db, pro, user_id=10 + n)
        await f.add(db, ClientNote(professional_id=pro.id, client_id=cli.id, content=f"secret {n}"))
        pros.append(pro)
    return pros


async def _notes_seen(uow, *statements: str) -> list[str]:
    for statement in statements:
        await uow.session.execute(text(statement))
    return list(await uow.session.scalars(text("SELECT content FROM client_notes ORDER BY 1")))


async def test_the_login_role_is_no_superuser_and_reaches_only_the_app_and_system_roles(db):
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT session_user, r.rolsuper, r.rolinherit, r.rolcreaterole,"
                    " r.rolcreatedb, r.rolbypassrls, r.rolreplication,"
                    " ARRAY(SELECT g.rolname FROM pg_auth_members m"
                    "       JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid"
                    "       ORDER BY 1)"
                    " FROM pg_roles r WHERE r.rolname = session_user"
                )
            )
        ).one()
    assert tuple(row) == (
        LOGIN_ROLE,
        False,
        False,
        False,
        False,
        False,
        False,
        [APP_ROLE, SYSTEM_ROLE],
    )


async def test_the_login_role_cannot_set_role_to_a_superuser(db):
    superuser = "postgres"
    for statement in (
        f"SET ROLE {superuser}",
        f"SET LOCAL ROLE {superuser}",
        f"SET ROLE {DEFINER_ROLE}",
    ):
        with pytest.raises(errors.NotAllowed):
            async with db.for_user(1) as uow:
                await uow.session.execute(text(statement))


async def test_outside_a_role_switch_the_login_role_may_read_nothing(notes, db):
    with pytest.raises(errors.NotAllowed):
        async with db.for_user(1) as uow:
            await _notes_seen(uow, "RESET ROLE")


async def test_switching_to_the_system_role_inside_a_persons_transaction_sees_nothing(notes, db):
    async with db.for_user(1) as uow:
        assert await _notes_seen(uow, f"SET LOCAL ROLE {SYSTEM_ROLE}") == []
    with pytest.raises(errors.NotAllowed):  # and writes nothing
        async with db.for_user(1) as uow:
            await uow.session.execute(text(f"SET LOCAL ROLE {SYSTEM_ROLE}"))
            await uow.session.execute(
                text(
                    "INSERT INTO notifications (recipient_id, recipient_type, professional_id,"
                    " type, msgid) VALUES (5, 'client', :p, 'new_message', 'x')"
                ),
                {"p": notes[1].id},
            )


async def test_setting_the_scope_variables_mid_transaction_forges_nothing(notes, db):
    b = notes[1]
    async with db.for_user(1) as uow:
        seen = await _notes_seen(
            uow,
            f"SELECT set_config('app.professional_id', '{b.id}', true)",
            "SELECT set_config('app.user_id', '2', true)",
        )
    assert seen == ["secret 1"]


async def test_a_second_scope_in_one_transaction_is_refused_even_after_reset_role(notes, db):
    with pytest.raises(errors.NotAllowed):  # the app role may not even call it
        async with db.for_user(1) as uow:
            await uow.session.execute(text("SELECT enter_scope(2)"))
    for second in ("SELECT enter_scope(2)", "SELECT enter_system_scope()"):
        with pytest.raises(errors.NotAllowed):  # as the login role: once per transaction
            async with db.for_user(1) as uow:
                await _notes_seen(uow, "RESET ROLE", second, f"SET LOCAL ROLE {APP_ROLE}")


async def test_the_scope_registers_cannot_be_written_by_the_app(notes, db):
    for statement in ("SELECT setval('scope_user', 2)", "SELECT currval('scope_stamp')"):
        with pytest.raises(errors.NotAllowed):
            async with db.for_user(1) as uow:
                await uow.session.execute(text(statement))


async def test_a_scope_does_not_outlive_its_transaction_on_a_pooled_connection(notes, db):
    async with db.engine.connect() as conn:
        async with conn.begin():
            await conn.execute(
                text(f"SELECT enter_scope(1), set_config('role', '{APP_ROLE}', true)")
            )
            assert await conn.scalar(text("SELECT count(*) FROM client_notes")) == 1
        async with conn.begin():  # the same connection, a new transaction, no scope entered
            await conn.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))
            assert await conn.scalar(text("SELECT rls_user_id()")) is None
            assert await conn.scalar(text("SELECT count(*) FROM client_notes")) == 0


async def test_after_onboarding_the_scope_becomes_only_the_users_own_practice(notes, db):
    async with db.for_user(7) as uow:
        assert uow.professional_id is None
        await uow.session.execute(
            text(
                "INSERT INTO professionals (user_id, name, profession, slug)"
                " VALUES (7, 'New', 'tutor', 'new-practice')"
            )
        )
        new = await uow.refresh_professional()
        assert new is not None and new not in {p.id for p in notes}
        assert await _notes_seen(uow) == []


async def test_a_temporary_view_cannot_stand_in_for_a_table_inside_a_definer_function(notes, db):
    async with db.for_user(11) as uow:
        await uow.session.execute(
            text(
                "CREATE TEMP VIEW professionals AS"
                " SELECT true AS active, content::text AS name, 'practice-1'::text AS slug"
                " FROM client_notes"
            )
        )
        rows = (
            await uow.session.execute(text("SELECT * FROM professional_link_status('practice-1')"))
        ).all()
    assert [tuple(r) for r in rows] == [(True, "Professional 1")]


async def test_every_security_definer_function_has_a_fixed_search_path_and_the_definer_owner(db):
    async with db.system("tests") as uow:
        rows = (
            await uow.session.execute(
                text(
                    "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner),"
                    " (SELECT c FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%')"
                    " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    " WHERE n.nspname = 'public' AND p.prosecdef ORDER BY 1"
                )
            )
        ).all()
        owned = await uow.session.scalar(
            text(
                "SELECT count(*) FROM pg_class WHERE relowner = CAST(:r AS regrole)"
                " OR relnamespace IN (SELECT oid FROM pg_namespace WHERE nspowner = CAST(:r AS regrole))"
            ).bindparams(r=DEFINER_ROLE)
        )
    assert len(rows) >= 12
    bad = [
        (name, owner, path)
        for name, owner, path in rows
        if owner != DEFINER_ROLE or path != "search_path=pg_catalog, public, pg_temp"
    ]
    assert bad == []
    assert owned == 0  # the definer owns functions, no table, view or sequence
