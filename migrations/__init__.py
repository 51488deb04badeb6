"""Alembic migrations (async env); run them with `bookingbot db upgrade`."""
