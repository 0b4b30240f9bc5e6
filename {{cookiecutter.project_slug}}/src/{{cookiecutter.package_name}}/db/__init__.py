"""The app database: prediction log and audit trail (SQLAlchemy 2, Alembic migrations)."""
