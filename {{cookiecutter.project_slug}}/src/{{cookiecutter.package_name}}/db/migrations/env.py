"""Alembic environment: the URL comes from the caller (`db upgrade`), never from an ini file."""

from __future__ import annotations

from alembic import context

from {{ cookiecutter.package_name }}.db.engine import make_engine
from {{ cookiecutter.package_name }}.db.models import Base

config = context.config
engine = make_engine(config.attributes["database_url"])
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
