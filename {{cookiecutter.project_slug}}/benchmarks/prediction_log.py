"""Rows per second the prediction-log writer stores, with the event loop idle and busy.

While the API is busy its event loop holds the GIL, and the writer thread gets it back only
at the interpreter's switch interval (5 ms). A writer that released the GIL once per row
(one INSERT per row) would then fall behind a busy API. This queues log rows like the API's
for 100-row requests and times the writer draining them, once with the main thread asleep
and once with it spinning in Python as a saturated event loop does.

    .venv/bin/python benchmarks/prediction_log.py                     # SQLite, temp folder
    .venv/bin/python benchmarks/prediction_log.py --database-url postgresql://user:pw@host/db

Prints figures; asserts nothing. Use a scratch database: the rows stay in it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.db.engine import make_engine
from {{ cookiecutter.package_name }}.db.log_writer import PredictionLogWriter
from {{ cookiecutter.package_name }}.db.migrate import upgrade
from {{ cookiecutter.package_name }}.db.models import utc_now

COLUMNS = 12
ROWS_PER_REQUEST = 100


def log_row(number: int) -> dict[str, Any]:
    """A log row as the API queues it for one 100-row request (inputs and outputs as JSON)."""
    inputs = {f"feature {c}": [c + r / 7 for r in range(ROWS_PER_REQUEST)] for c in range(COLUMNS)}
    return {
        "request_id": f"{number:032x}",
        "model_name": "bench-model",
        "model_version": "1",
        "inputs": orjson.Fragment(orjson.dumps(inputs)),
        "outputs": orjson.Fragment(orjson.dumps([number % 2] * ROWS_PER_REQUEST)),
        "latency_ms": 1.0,
        "caller_sub": "bench",
        "created_at": utc_now(),
    }


def drain_rate(writer: PredictionLogWriter, rows: int, *, busy: bool, limit: float) -> float:
    """Rows per second the started writer stores of `rows` queued ones."""
    queued = [log_row(number) for number in range(rows)]
    started = time.perf_counter()
    for row in queued:
        writer.submit(row)  # a full batch wakes the writer
    while writer.pending and time.perf_counter() - started < limit:
        if not busy:
            time.sleep(0.001)
    return (rows - writer.pending) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="App database to write to [default: temp SQLite].")
    parser.add_argument("--rows", type=int, default=5000, help="Log rows per measurement.")
    parser.add_argument("--batch-size", type=int, default=500, help="PREDICTION_LOG_BATCH_SIZE.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-log-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'app.db'}"
        upgrade(url)
        engine = make_engine(url)
        writer = PredictionLogWriter(
            engine=engine, batch_size=args.batch_size, flush_seconds=60, max_pending=10**7
        )
        writer.start()
        print(
            f"{args.rows} log rows of {ROWS_PER_REQUEST}-row requests, "
            f"batches of {args.batch_size}, {engine.url.get_backend_name()}"
        )
        for busy in (False, True):
            rate = drain_rate(writer, args.rows, busy=busy, limit=60)
            state = "busy (spinning)" if busy else "idle (sleeping)"
            print(f"main thread {state:<16} {rate:>8.0f} rows/s")
        writer.close()
        engine.dispose()


if __name__ == "__main__":
    main()
