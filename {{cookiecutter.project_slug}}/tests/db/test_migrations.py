"""Alembic migrations shipped in the package, and the `db` command."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.db.engine import make_engine
from {{ cookiecutter.package_name }}.db.migrate import (
    MIGRATION_LOCK_KEY,
    current_revision,
    head_revision,
    upgrade,
)
from {{ cookiecutter.package_name }}.db.models import Base

from tests.fixtures.services import PostgresServer


def test_upgrade_creates_the_tables_the_models_describe(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'app.db'}"
    upgrade(url)
    upgrade(url)  # idempotent
    engine = make_engine(url)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_db_upgrade_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    current = CliRunner().invoke(app, ["db", "current"])
    assert f"database: {head_revision()}" in current.output


def test_db_upgrade_reports_an_unreachable_database_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "database unreachable" in result.output
    assert "Traceback" not in result.output


@pytest.mark.integration
def test_a_migration_waits_for_the_one_in_progress(postgres_server: PostgresServer) -> None:
    # The chart's init containers may start together: each `db upgrade` takes the advisory lock
    # first, so a second one waits (here on the test's hold of it) and then finds the schema.
    import psycopg

    url = postgres_server.create_database(f"migrate_{uuid.uuid4().hex[:8]}")
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "db", "upgrade"]
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        waiting = subprocess.Popen(
            command,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=8)  # imports take about 2 s; then it must wait on the lock
        holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
        output, _ = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, output
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
