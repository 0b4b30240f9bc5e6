"""The Open Inference Protocol v2 (KServe, MLServer, Triton) in terms of our tables.

A request carries either one tensor per signature column (shape [n] or [n, 1], as MLServer's
pandas codec sends them) or one [n, k] tensor whose k columns follow the signature's order.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from {{ cookiecutter.package_name }}.api.predictions import Prediction
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.api.tables import (
    Table,
    check_row_count,
    records_location,
    shape_error,
)

Datatype = Literal[
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
    "FP16", "FP32", "FP64", "BYTES",
]  # fmt: skip
OUTPUT_NAME = "predict"
# MLflow column types and numpy dtype names -> v2 datatypes.
DATATYPES: dict[str, str] = {
    "boolean": "BOOL", "bool": "BOOL", "integer": "INT32", "int32": "INT32",
    "long": "INT64", "int64": "INT64", "float": "FP32", "float32": "FP32",
    "double": "FP64", "float64": "FP64", "string": "BYTES", "binary": "BYTES",
    "datetime": "BYTES", "object": "BYTES",
}  # fmt: skip


class RequestInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, description="A signature column, or any name for [n, k].")
    shape: list[int] = Field(min_length=1, max_length=2, description="[n], [n, 1] or [n, k].")
    datatype: Datatype
    parameters: dict[str, Any] | None = None
    data: list[Any] = Field(description="The values, row-major; flat or nested.")


class RequestOutput(BaseModel):
    name: str
    parameters: dict[str, Any] | None = None


class InferenceRequest(BaseModel):
    """An Open Inference Protocol v2 inference request."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    parameters: dict[str, Any] | None = None
    inputs: list[RequestInput] = Field(min_length=1)
    outputs: list[RequestOutput] | None = None


def v2_table(request: InferenceRequest, served: ServedModel) -> Table:
    """The request's tensors as one table of rows; errors name the tensor and the fix."""
    names = served.names
    inputs = request.inputs
    if len(inputs) == 1 and len(inputs[0].shape) == 2 and inputs[0].shape[1] > 1:
        return _matrix_table(inputs[0], names, served.max_batch_size)
    seen = [tensor.name for tensor in inputs]
    unknown = sorted(set(seen) - set(names)) if names else []
    if unknown:
        raise shape_error(
            f"unknown inputs {unknown}: send one tensor per column of {names}, "
            f"or one [n, {len(names)}] tensor in that order"
        )
    if len(set(seen)) != len(seen):
        raise shape_error("each input name once")
    columns = [_column(tensor, served.max_batch_size) for tensor in inputs]
    counts = set(map(len, columns))
    if len(counts) != 1:
        raise shape_error(f"every input needs the same number of rows (got {sorted(counts)})")

    def locate(loc: tuple[Any, ...]) -> str:
        if len(loc) >= 3 and loc[0] == "records" and loc[2] in seen:
            return f"inputs.{seen.index(loc[2])}.data.{loc[1]} (input {loc[2]!r})"
        return records_location(loc)

    return Table(seen, list(zip(*columns, strict=True)), locate)


def v2_response(prediction: Prediction, *, response_id: str) -> bytes:
    model = prediction.served.loaded
    output = {
        "name": OUTPUT_NAME,
        "shape": [len(prediction.predictions)],
        "datatype": _datatype_of(prediction.predictions),
        "data": prediction.outputs,
    }
    response = {
        "model_name": model.name,
        "model_version": model.version,
        "id": response_id,
        "outputs": [output],
    }
    return orjson.dumps(response)


def model_metadata(served: ServedModel) -> dict[str, Any]:
    model = served.loaded
    inputs = [
        {"name": column.name, "datatype": DATATYPES.get(column.type, "BYTES"), "shape": [-1]}
        for column in model.columns or ()
    ]
    output_type = DATATYPES.get(model.output_type or "", "BYTES")
    return {
        "name": model.name,
        "versions": [model.version],
        "platform": "mlflow",
        "inputs": inputs,
        "outputs": [{"name": OUTPUT_NAME, "datatype": output_type, "shape": [-1]}],
    }


def _matrix_table(tensor: RequestInput, names: list[str], max_batch_size: int) -> Table:
    count, width = tensor.shape
    if names and width != len(names):
        raise shape_error(
            f"inputs.0: shape [{count}, {width}], but the model takes {len(names)} columns "
            f"({names}); send [n, {len(names)}] or one tensor per column"
        )
    if count < 1:
        raise shape_error(f"inputs.0: shape [{count}, {width}]; at least one row")
    check_row_count(count, max_batch_size)
    flat = _flat(tensor)
    if len(flat) != count * width:
        raise shape_error(f"inputs.0.data: {len(flat)} values for shape [{count}, {width}]")
    rows = [flat[start : start + width] for start in range(0, len(flat), width)]
    columns = names or [f"{tensor.name}_{index}" for index in range(width)]

    def locate(loc: tuple[Any, ...]) -> str:
        if len(loc) >= 3 and loc[0] == "records" and loc[2] in columns:
            return f"inputs.0.data.{loc[1]}.{columns.index(loc[2])} (column {loc[2]!r})"
        return records_location(loc)

    return Table(columns, rows, locate)


def _column(tensor: RequestInput, max_batch_size: int) -> list[Any]:
    if len(tensor.shape) == 2 and tensor.shape[1] != 1:
        raise shape_error(f"input {tensor.name!r}: shape {tensor.shape}; a column is [n] or [n, 1]")
    count = tensor.shape[0]
    if count < 1:
        raise shape_error(f"input {tensor.name!r}: shape {tensor.shape}; at least one row")
    check_row_count(count, max_batch_size)
    values = _flat(tensor)
    if len(values) != count:
        raise shape_error(f"input {tensor.name!r}: {len(values)} values for shape {tensor.shape}")
    return values


def _flat(tensor: RequestInput) -> list[Any]:
    """The data row-major and flat: clients send [1, 2] or [[1], [2]] for the same [2, 1]."""
    data = tensor.data
    if data and isinstance(data[0], list):
        return [value for row in data for value in (row if isinstance(row, list) else [row])]
    return data


def _datatype_of(predictions: list[Any]) -> str:
    kinds = set(map(type, predictions))
    if kinds == {bool}:
        return "BOOL"
    if kinds == {int}:
        return "INT64"
    if kinds <= {int, float}:
        return "FP64"
    return "BYTES"
