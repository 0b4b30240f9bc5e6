"""Alembic environment: the URL comes from the caller (`db upgrade`), never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from {{ cookiecutter.package_name }}.db.engine import make_engine
from {{ cookiecutter.package_name }}.db.migrate import MIGRATION_LOCK_KEY
from {{ cookiecutter.package_name }}.db.models import Base

config = context.config
engine = make_engine(config.attributes["database_url"])
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        # Pods that migrate at once (the chart's init containers) take turns: the second one
        # waits here, then finds the schema current. The lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
