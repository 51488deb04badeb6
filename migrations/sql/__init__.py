"""SQL that Alembic cannot autogenerate, frozen per revision."""
