"""Database plumbing: engine, embedded server, unit of work, migrations, backups, seeding."""
