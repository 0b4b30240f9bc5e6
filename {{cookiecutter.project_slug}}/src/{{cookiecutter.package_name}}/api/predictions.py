"""Serve one predict request, whatever its format: parse, predict, count, queue the log row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.api.metrics import ApiMetrics
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.api.tables import InvalidRecordsError, ParsedRecords
from {{ cookiecutter.package_name }}.db.log_writer import PredictionLogWriter


@dataclass(frozen=True, slots=True)
class Prediction:
    served: ServedModel
    request_id: str
    predictions: list[Any]
    # The predictions serialized once, for the log and the response.
    outputs: orjson.Fragment


async def predict(
    *,
    served: ServedModel,
    parse: Callable[[ServedModel], ParsedRecords],
    request_id: str,
    caller_sub: str,
    metrics: ApiMetrics,
    log_writer: PredictionLogWriter,
) -> Prediction:
    """The model's predictions; InvalidRecordsError if the body does not fit the signature."""
    started = perf_counter()
    model = served.loaded
    try:
        parsed = parse(served)
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
    outputs = json_fragment(predictions)
    log_writer.record(
        request_id=request_id,
        model_name=model.name,
        model_version=model.version,
        # Stored as JSON already: a queued row is then a few flat objects the garbage
        # collector never scans, and the writer thread has nothing left to convert.
        inputs=json_fragment(parsed.columns if parsed.columns is not None else parsed.records),
        outputs=outputs,
        latency_ms=latency_ms,
        caller_sub=caller_sub,
    )
    return Prediction(served, request_id, predictions, outputs)


def v1_response(prediction: Prediction) -> bytes:
    model = prediction.served.loaded
    response: dict[str, Any] = {
        "request_id": prediction.request_id,
        "model": model.name,
        "version": model.version,
        "predictions": prediction.outputs,
    }
    return orjson.dumps(response)


def json_fragment(value: Any) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))
