"""The prediction log's typed reads: recent requests, volume and latency, inputs by column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from {{ cookiecutter.package_name }}.db.engine import read_engine
from {{ cookiecutter.package_name }}.db.log_reader import (
    PredictionLogReadError,
    inputs_by_column,
    recent_inputs,
    recent_requests,
    volume_and_latency,
)

from tests.fixtures.iris_registry import MODEL, write_prediction_log


def test_reading_a_missing_sqlite_file_neither_fails_nor_creates_it(tmp_path: Path) -> None:
    database = tmp_path / "nothing-here.db"

    assert recent_requests(engine=read_engine(f"sqlite:///{database}")) is None
    assert not database.exists()


def test_a_database_without_the_table_reads_as_none(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    with create_engine(f"sqlite:///{database}").begin() as connection:
        connection.execute(text("CREATE TABLE other (id INTEGER)"))
    engine = read_engine(f"sqlite:///{database}")

    assert recent_requests(engine=engine) is None
    assert volume_and_latency(engine=engine) is None
    assert recent_inputs(engine=engine) is None


def test_recent_rows_are_newest_first_limited_and_filtered(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    write_prediction_log(database, [{"x": float(i)} for i in range(5)])
    write_prediction_log(database, [{"x": 9.0}], model="other-model")
    engine = read_engine(f"sqlite:///{database}")

    newest = recent_requests(engine=engine, limit=3, model=MODEL)

    assert newest is not None
    assert newest.rows["request_id"].tolist() == ["req-0004", "req-0003", "req-0002"]
    assert newest.rows["x"].tolist() == [4.0, 3.0, 2.0]  # inputs as columns
    assert newest.rows["prediction"].tolist() == [0, 0, 0]
    assert "inputs" not in newest.rows.columns
    assert (newest.requests, newest.model_versions) == (3, 1)
    assert newest.median_latency_ms == 3.0  # latencies 4, 2, 3 ms
    inputs = recent_inputs(engine=engine, limit=3, model=MODEL)
    assert inputs is not None
    assert inputs["x"].tolist() == [4.0, 3.0, 2.0]
    everything = recent_requests(engine=engine)
    assert everything is not None
    assert len(everything.rows) == 6


def test_volume_and_latency_are_counted_per_interval(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    # One request per second from midnight: 90 requests over two minutes.
    write_prediction_log(database, [{"x": float(i)} for i in range(90)])

    per_minute = volume_and_latency(engine=read_engine(f"sqlite:///{database}"), interval="1min")

    assert per_minute is not None
    assert per_minute["requests"].tolist() == [60, 30]
    assert per_minute["time"].dt.minute.tolist() == [0, 1]
    assert per_minute["median_latency_ms"].tolist() == [3.0, 3.0]  # latencies 2, 3, 4 ms
    assert per_minute["p95_latency_ms"].tolist() == [4.0, 4.0]


def test_a_broken_database_is_a_clear_error_without_the_password() -> None:
    engine = read_engine("postgresql://reader:s3cret@127.0.0.1:9/app?connect_timeout=2")

    with pytest.raises(PredictionLogReadError) as caught:
        recent_requests(engine=engine)

    assert "cannot read `prediction_log`" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_logged_inputs_accept_json_text_lists_single_records_and_columns() -> None:
    cells = [
        json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
        {"a": "3", "b": "z"},
        "{not json",
        [{"a": None, "b": "w"}],
        json.dumps({"a": [5, 6], "b": ["u", "v"]}),
    ]

    frame = inputs_by_column(cells)

    assert frame["a"].tolist()[:3] == [1, 2, 3]
    assert pd.isna(frame["a"].iloc[3])
    assert frame["a"].tolist()[4:] == [5, 6]
    assert frame["b"].tolist() == ["x", "y", "z", "w", "u", "v"]
    assert pd.api.types.is_numeric_dtype(frame["a"])
