"""The database roles the app uses, and setting up the one it logs in as.

- ``bookingbot_login``: what the app's pool connects as. It logs in, and holds no
  privilege of its own (NOINHERIT): each unit of work switches to one of the next two.
- ``bookingbot_app``: a person acting; row-level security decides what each statement
  sees and may write.
- ``bookingbot_system``: the named system scope (reminders, seeding, webhooks).
- ``bookingbot_definer``: owns the SECURITY DEFINER functions and nothing else.

Revision 0005 creates them; the owner (``DATABASE_URL``) keeps migrations, seeding and
backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

LOGIN_ROLE = "bookingbot_login"
APP_ROLE = "bookingbot_app"
SYSTEM_ROLE = "bookingbot_system"
DEFINER_ROLE = "bookingbot_definer"


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, 7677).

    Sent instead of the password itself, so the password never appears in a statement
    (nor in the server's log of a failed one).
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


async def set_login_password(owner_url: URL, password: str) -> bool:
    """Give the login role this password, as the owner; False where the owner may not."""
    from .engine import make_engine

    if not password.isascii():
        # The verifier would need SASLprep (what clients apply to non-ASCII passwords).
        raise ValueError("DATABASE_APP_PASSWORD must be ASCII")
    verifier = scram_verifier(password)  # base64 and digits only: safe inside quotes
    engine = make_engine(owner_url, isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        async with engine.connect() as conn:
            # Not text(): the verifier's colons would read as bind parameters.
            await conn.exec_driver_sql(f"ALTER ROLE {LOGIN_ROLE} PASSWORD '{verifier}'")
    except Exception as err:
        reason = getattr(err, "orig", None) or err
        log.warning("could not set the password of %s: %s", LOGIN_ROLE, reason)
        return False
    finally:
        await engine.dispose()
    return True
