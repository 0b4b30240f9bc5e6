"""Read the API's prediction log from the app database, by reflection, without writing anything.

The dashboard reflects the table instead of importing the API's ORM model so it keeps working
across schema migrations and can say clearly when the table does not exist yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

TABLE_NAME = "prediction_log"
# First column found is used: the API's names first, then common alternatives.
TIME_COLUMNS = ("created_at", "timestamp", "logged_at", "time")
MODEL_COLUMNS = ("model_name", "model")
INPUT_COLUMNS = ("inputs", "input", "features", "records")


class PredictionLogReadError(Exception):
    """The app database could not be read; the message names the cause, never the password."""


def open_engine(database_url: str) -> Engine | None:
    """A read engine, or None for a SQLite file that does not exist (reading never creates one)."""
    url = make_url(database_url)
    sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
    if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).exists():
        return None
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # psycopg 3 is the driver the project ships; plain `postgresql://` would ask for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True)


def read_recent(
    *, engine: Engine | None, limit: int = 200, model: str | None = None
) -> pd.DataFrame | None:
    """The newest `limit` rows (newest first), or None when the table does not exist yet."""
    if engine is None:
        return None
    try:
        if not inspect(engine).has_table(TABLE_NAME):
            return None
        table = Table(TABLE_NAME, MetaData(), autoload_with=engine)
        query = select(table)
        model_column = _first_present(table, MODEL_COLUMNS)
        if model is not None and model_column is not None:
            query = query.where(table.c[model_column] == model)
        order_column = _first_present(table, TIME_COLUMNS) or _first_present(
            table, [c.name for c in table.primary_key.columns]
        )
        if order_column is not None:
            query = query.order_by(table.c[order_column].desc())
        with engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
    except SQLAlchemyError as error:
        raise PredictionLogReadError(
            f"cannot read `{TABLE_NAME}` from the app database "
            f"({engine.url.render_as_string(hide_password=True)}): {error.__class__.__name__}: "
            f"{getattr(error, 'orig', None) or error}. Check DATABASE_URL."
        ) from None
    return pd.DataFrame([dict(row) for row in rows], columns=[c.name for c in table.columns])


def logged_inputs(log: pd.DataFrame) -> pd.DataFrame:
    """The input records inside the log's JSON column, one row per record, numbers as numbers.

    A cell holds records (a list of objects, or one object) or columns (name -> values).
    """
    column = next((name for name in INPUT_COLUMNS if name in log.columns), None)
    if column is None or log.empty:
        return pd.DataFrame()
    records = [record for cell in log[column] for record in _records(cell)]
    frame = pd.DataFrame.from_records(records)
    for name in frame.columns:
        converted = pd.to_numeric(frame[name], errors="coerce")
        # Keep a column as text unless every present value is a number.
        if converted.notna().sum() == frame[name].notna().sum():
            frame[name] = converted
    return frame


def _records(cell: Any) -> list[dict[str, Any]]:
    try:
        value = json.loads(cell) if isinstance(cell, str | bytes) else cell
    except ValueError:
        # One unreadable row must not hide every other row from the drift view.
        return []
    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        # The API logs a batch by column: {name: [values]}.
        names = list(value)
        return [dict(zip(names, row, strict=False)) for row in zip(*value.values(), strict=False)]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _first_present(table: Table, names: Iterable[str]) -> str | None:
    return next((name for name in names if name in table.c), None)
