"""Engines and sessions for the app database named by DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder and WAL (readers never block the writer)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 5}, json_serializer=_json
        )

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain `postgresql://` would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(
        url, pool_pre_ping=True, connect_args=_connect_timeout(url), json_serializer=_json
    )


def read_engine(url: str) -> Engine | None:
    """An engine for readers, or None for a SQLite file that does not exist: reading never
    creates the database (its migrations do)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not Path(parsed.database).exists():
            return None
        return create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
    return make_engine(url)


def _json(value: Any) -> str:
    # orjson: several times faster than json for the log's inputs, and it handles datetimes.
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _connect_timeout(url: str) -> dict[str, Any]:
    # Fail fast when the database is down, so health checks and the log writer stay responsive.
    return {"connect_timeout": 3} if make_url(url).get_backend_name() == "postgresql" else {}


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
