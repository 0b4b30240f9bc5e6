"""Serve one predict request: parse, predict, count, queue the log row, answer with bytes."""

from __future__ import annotations

from time import perf_counter
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.api.metrics import ApiMetrics
from {{ cookiecutter.package_name }}.api.serving import InvalidRecordsError, ServedModel
from {{ cookiecutter.package_name }}.db.log_writer import PredictionLogWriter


async def predict_json(
    *,
    served: ServedModel,
    body: bytes,
    request_id: str,
    caller_sub: str,
    max_batch_size: int,
    metrics: ApiMetrics,
    log_writer: PredictionLogWriter,
) -> bytes:
    """The JSON response body; InvalidRecordsError if the body does not fit the signature."""
    started = perf_counter()
    model = served.loaded
    try:
        parsed = served.parse(body, max_batch_size=max_batch_size)
    except Exception:
        metrics.prediction_errors.labels(model.name, "invalid_input").inc()
        raise
    try:
        predictions = await served.predict(parsed)
    except ValueError as error:
        # scikit-learn raises ValueError for inputs it cannot use (e.g. overflowing values).
        metrics.prediction_errors.labels(model.name, "model_rejected_input").inc()
        raise InvalidRecordsError([], f"the model could not use these records: {error}") from None
    except Exception:
        metrics.prediction_errors.labels(model.name, "model_error").inc()
        raise
    latency_ms = (perf_counter() - started) * 1000
    metrics.predictions.labels(model.name, model.version).inc(len(predictions))
    outputs = _json_fragment(predictions)  # serialized once, for the log and the response
    log_writer.record(
        request_id=request_id,
        model_name=model.name,
        model_version=model.version,
        # Stored as JSON already: a queued row is then a few flat objects the garbage
        # collector never scans, and the writer thread has nothing left to convert.
        inputs=_json_fragment(parsed.columns if parsed.columns is not None else parsed.records),
        outputs=outputs,
        latency_ms=latency_ms,
        caller_sub=caller_sub,
    )
    response: dict[str, Any] = {
        "request_id": request_id,
        "model": model.name,
        "version": model.version,
        "predictions": outputs,
    }
    return orjson.dumps(response)


def _json_fragment(value: Any) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))
