"""The batching prediction-log writer: batches, retries while the database is down, counts drops."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select

from {{ cookiecutter.package_name }}.db.log_writer import PredictionLogWriter
from {{ cookiecutter.package_name }}.db.migrate import upgrade
from {{ cookiecutter.package_name }}.db.models import PredictionLog, utc_now


def row(number: int) -> dict[str, Any]:
    return {
        "request_id": f"req-{number}",
        "model_name": "m",
        "model_version": "1",
        "inputs": [{"x": number}],
        "outputs": [number],
        "latency_ms": 1.0,
        "caller_sub": "alice",
        "created_at": utc_now(),
    }


def count_rows(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(select(func.count()).select_from(PredictionLog)).scalar_one()
    engine.dispose()
    return int(value)


def test_rows_are_written_in_batches_and_flushed_on_close(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    written: list[int] = []
    writer = PredictionLogWriter(
        engine=create_engine(url),
        batch_size=10,
        flush_seconds=60,
        max_pending=1000,
        on_written=written.append,
    )
    writer.start()
    for number in range(25):
        writer.submit(row(number))
    deadline = time.monotonic() + 10
    while sum(written) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert written[:2] == [10, 10]  # full batches go out without waiting for the timer
    writer.close()
    assert count_rows(url) == 25
    assert writer.dropped == 0


def test_a_batch_is_one_multi_row_insert(tmp_path: Path) -> None:
    # One statement per row would release and re-acquire the GIL per row: far too slow while
    # the event loop is busy (see INSERT_ROWS).
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    engine = create_engine(url)
    statements: list[str] = []

    @event.listens_for(engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)  # every statement SQLite runs

    writer = PredictionLogWriter(engine=engine, batch_size=50, flush_seconds=60, max_pending=100)
    for number in range(50):
        writer.submit(row(number))
    assert writer.flush()
    assert len([sql for sql in statements if sql.startswith("INSERT")]) == 1
    assert count_rows(url) == 50


def test_rows_wait_while_the_database_is_down_and_are_written_when_it_is_back(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'app.db'}"  # the folder does not exist: every write fails
    writer = PredictionLogWriter(
        engine=create_engine(url), batch_size=5, flush_seconds=0.05, max_pending=100
    )
    writer.start()
    for number in range(7):
        writer.submit(row(number))
    time.sleep(0.5)
    assert writer.pending == 7
    assert writer.last_error is not None
    folder.mkdir()
    upgrade(url)  # the database comes back
    deadline = time.monotonic() + 15
    while writer.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    writer.close()
    assert count_rows(url) == 7
    assert writer.dropped == 0


def test_overflow_and_shutdown_while_down_are_counted_as_dropped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'app.db'}"
    dropped: list[int] = []
    writer = PredictionLogWriter(
        engine=create_engine(url),
        batch_size=5,
        flush_seconds=0.05,
        max_pending=5,
        on_dropped=dropped.append,
    )
    writer.start()
    for number in range(8):
        writer.submit(row(number))
    assert writer.dropped == 3
    writer.close(timeout_seconds=0.5)
    assert writer.dropped == 8
    assert sum(dropped) == 8


def test_drops_are_logged_once_per_interval_with_the_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'app.db'}"
    writer = PredictionLogWriter(
        engine=create_engine(url),
        batch_size=5,
        flush_seconds=60,
        max_pending=5,
        drop_log_interval_seconds=3600,
    )
    with caplog.at_level(logging.ERROR, logger="{{ cookiecutter.package_name }}.db.log_writer"):
        for number in range(2_005):
            writer.submit(row(number))
        writer.close(timeout_seconds=0.2)
    lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    # The first drop is reported at once; the rest in one line with their count, at shutdown.
    assert lines[0].startswith("prediction log: dropped 1 rows (1 in total)")
    assert len(lines) == 2, lines
    assert lines[1].startswith("prediction log: dropped 2004 rows (2005 in total)")
    assert writer.dropped == 2_005
