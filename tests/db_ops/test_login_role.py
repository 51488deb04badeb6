"""The login role the bot connects as: its URL, and the password `db upgrade` gives it."""

from __future__ import annotations

import base64

from sqlalchemy import text

from core.config import Settings
from core.db.engine import app_url, normalize_url
from core.db.roles import LOGIN_ROLE, scram_verifier, set_login_password


def test_the_app_logs_in_as_the_login_role_on_the_owners_server_and_database():
    owner = normalize_url("postgresql://owner:secret@db.example:6543/bookingbot?sslmode=require")
    url = app_url(owner, Settings(database_url=None, database_app_password="s3cret"))
    assert (url.username, url.password, url.host, url.port, url.database) == (
        LOGIN_ROLE,
        "s3cret",
        "db.example",
        6543,
        "bookingbot",
    )
    assert url.query == {"ssl": "require"}
    trusted = app_url(owner, Settings(database_url=None))
    assert trusted.username == LOGIN_ROLE and trusted.password is None


def test_a_whole_app_url_is_used_as_given_on_the_owners_database():
    owner = normalize_url("postgresql://owner@db.example/bookingbot")
    given = "postgresql://bookingbot_login.project:pw@pooler.example:6543/postgres"
    url = app_url(owner, Settings(database_url=None, database_app_url=given))
    assert (url.username, url.host, url.database) == (
        "bookingbot_login.project",
        "pooler.example",
        "bookingbot",
    )


def test_the_same_password_and_salt_make_the_same_verifier_and_another_salt_another():
    one = scram_verifier("pencil", salt=b"0123456789abcdef")
    assert one == scram_verifier("pencil", salt=b"0123456789abcdef")
    assert one.startswith("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$")
    assert one != scram_verifier("pencil", salt=b"fedcba9876543210")
    assert "pencil" not in one


async def test_postgresql_stores_the_verifier_as_given_so_the_password_never_travels(
    database_url, admin_engine
):
    try:
        assert await set_login_password(database_url, "correct horse battery staple")
        async with admin_engine.connect() as conn:
            stored = await conn.scalar(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": LOGIN_ROLE}
            )
        # A verifier PostgreSQL did not recognise would have been hashed again as a password.
        assert stored.startswith("SCRAM-SHA-256$4096:") and stored.count("$") == 2
        salt = stored.split(":")[1].split("$")[0]
        assert stored == scram_verifier("correct horse battery staple", salt=base64.b64decode(salt))
    finally:
        async with admin_engine.connect() as conn:
            await conn.execute(text(f"ALTER ROLE {LOGIN_ROLE} PASSWORD NULL"))
