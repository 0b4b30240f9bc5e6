"""Typed reads of the prediction log: recent requests, volume and latency per interval, and the
logged inputs by column (for drift). The dashboard reads the log through here only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.db.models import PredictionLog

TABLE_NAME = PredictionLog.__tablename__
# The request's own fields, in the order a reader sees them; input columns follow.
REQUEST_FIELDS = ("created_at", "request_id", "model_name", "model_version", "latency_ms")
OUTPUT_FIELD = "prediction"


class PredictionLogReadError(Exception):
    """The app database could not be read; the message names the cause, never the password."""


@dataclass(frozen=True)
class RecentRequests:
    """The newest requests: one row per record (inputs as columns, then the prediction)."""

    rows: pd.DataFrame
    requests: int
    median_latency_ms: float
    model_versions: int


def recent_requests(
    *, engine: Engine | None, limit: int = 200, model: str | None = None
) -> RecentRequests | None:
    """The newest `limit` requests, newest first; None when the table does not exist yet."""
    columns = [getattr(PredictionLog, name) for name in REQUEST_FIELDS]
    rows = _select(
        engine,
        [*columns, PredictionLog.caller_sub, PredictionLog.inputs, PredictionLog.outputs],
        limit=limit,
        model=model,
    )
    if rows is None:
        return None
    records = []
    for row in rows:
        inputs, outputs = _records(row.inputs), _values(row.outputs)
        request = {name: getattr(row, name) for name in REQUEST_FIELDS}
        request["caller"] = row.caller_sub
        for index, record in enumerate(inputs or [{}]):
            output = outputs[index] if index < len(outputs) else None
            records.append({**request, **record, OUTPUT_FIELD: _shown(output)})
    frame = pd.DataFrame.from_records(
        records, columns=None if records else [*REQUEST_FIELDS, "caller", OUTPUT_FIELD]
    )
    return RecentRequests(
        rows=_numbers_as_numbers(frame, keep=(*REQUEST_FIELDS, "caller", OUTPUT_FIELD)),
        requests=len(rows),
        median_latency_ms=float(pd.Series([row.latency_ms for row in rows]).median()),
        model_versions=len({(row.model_name, row.model_version) for row in rows}),
    )


def volume_and_latency(
    *, engine: Engine | None, interval: str = "1min", limit: int = 5000, model: str | None = None
) -> pd.DataFrame | None:
    """Per `interval` (a pandas frequency) over the newest `limit` requests: `time`,
    `requests` and the `median_latency_ms` / `p95_latency_ms`; None when there is no table."""
    rows = _select(
        engine, [PredictionLog.created_at, PredictionLog.latency_ms], limit=limit, model=model
    )
    if rows is None:
        return None
    frame = pd.DataFrame(
        [(row.created_at, row.latency_ms) for row in rows], columns=["time", "latency_ms"]
    )
    columns = ["time", "requests", "median_latency_ms", "p95_latency_ms"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    grouped = frame.groupby(pd.Grouper(key="time", freq=interval))["latency_ms"]
    summary = pd.DataFrame(
        {
            "requests": grouped.count(),
            "median_latency_ms": grouped.median(),
            "p95_latency_ms": grouped.quantile(0.95),
        }
    ).reset_index()
    return summary[columns]


def recent_inputs(
    *, engine: Engine | None, limit: int = 1000, model: str | None = None
) -> pd.DataFrame | None:
    """The input records of the newest `limit` requests, one row per record, numbers as
    numbers; None when the table does not exist yet."""
    rows = _select(engine, [PredictionLog.inputs], limit=limit, model=model)
    if rows is None:
        return None
    return inputs_by_column(row.inputs for row in rows)


def inputs_by_column(cells: Iterable[Any]) -> pd.DataFrame:
    """Logged `inputs` values as one frame. A value holds records (a list of objects, or one
    object) or columns (name -> values), as JSON text or already decoded."""
    frame = pd.DataFrame.from_records([record for cell in cells for record in _records(cell)])
    return _numbers_as_numbers(frame)


def _select(
    engine: Engine | None, columns: list[Any], *, limit: int, model: str | None
) -> list[Any] | None:
    if engine is None:
        return None
    query = select(*columns).order_by(PredictionLog.created_at.desc(), PredictionLog.id.desc())
    if model is not None:
        query = query.where(PredictionLog.model_name == model)
    try:
        if not inspect(engine).has_table(TABLE_NAME):
            return None
        with engine.connect() as connection:
            return list(connection.execute(query.limit(limit)).all())
    except SQLAlchemyError as error:
        raise PredictionLogReadError(
            f"cannot read `{TABLE_NAME}` from the app database "
            f"({engine.url.render_as_string(hide_password=True)}): {error.__class__.__name__}: "
            f"{getattr(error, 'orig', None) or error}. Check DATABASE_URL."
        ) from None


def _numbers_as_numbers(frame: pd.DataFrame, keep: Iterable[str] = ()) -> pd.DataFrame:
    """Input columns holding only numbers become numeric; the `keep` columns stay as stored."""
    kept = set(keep)
    for name in frame.columns:
        if name in kept or frame[name].dtype != object:
            continue
        converted = pd.to_numeric(frame[name], errors="coerce")
        # Keep a column as text unless every present value is a number.
        if converted.notna().sum() == frame[name].notna().sum():
            frame[name] = converted
    return frame


def _decoded(cell: Any) -> Any:
    try:
        return json.loads(cell) if isinstance(cell, str | bytes) else cell
    except ValueError:
        return None


def _records(cell: Any) -> list[dict[str, Any]]:
    # One unreadable row must not hide every other row from the readers.
    value = _decoded(cell)
    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        # The API logs a batch by column: {name: [values]}.
        names = list(value)
        return [dict(zip(names, row, strict=False)) for row in zip(*value.values(), strict=False)]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _values(cell: Any) -> list[Any]:
    value = _decoded(cell)
    return value if isinstance(value, list) else [value]


def _shown(output: Any) -> Any:
    # A structured output (probabilities, several targets) is shown as compact JSON text.
    return json.dumps(output) if isinstance(output, dict | list) else output
