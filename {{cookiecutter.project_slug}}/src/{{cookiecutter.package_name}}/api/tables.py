"""Request bodies as tables (column names + rows), and the checks that need no object per cell.

Every format the API takes (records, columns + data, Open Inference v2 tensors) becomes a
`Table`; serving.py then validates it against the model's signature once, for all formats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.api.schemas import FLOAT32_MAX

# A pydantic error location on the equivalent records body -> where the client put that value.
Locate = Callable[[tuple[Any, ...]], str]


class InvalidRecordsError(Exception):
    """The request body does not fit the model's signature; `errors` say where and why."""

    def __init__(self, errors: list[dict[str, Any]], message: str) -> None:
        super().__init__(message)
        self.errors = errors
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedRecords:
    """Validated rows: values by column (signature order; lists or float64 arrays) for the
    model and the log, or free-form records when the signature is unknown."""

    columns: dict[str, Any] | None
    records: list[Any] | None
    size: int


@dataclass(frozen=True, slots=True)
class Table:
    """Column names and rows (each a sequence of JSON values, one per name), plus where a
    value at (row, column name) sits in the body the client sent, for error messages."""

    names: list[str]
    rows: Sequence[Sequence[Any]]
    locate: Locate

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in self.rows]


def records_location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def columnar_table(decoded: dict[str, Any], *, max_batch_size: int) -> Table:
    """`{"columns": [names], "data": [[row], ...]}` (MLflow's dataframe_split) as a Table."""
    if set(decoded) != {"columns", "data"}:
        raise shape_error(
            f"a columnar body has exactly the keys columns and data (got {sorted(decoded)})"
        )
    names, rows = decoded["columns"], decoded["data"]
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise shape_error("columns: a list of column names, as strings")
    if len(set(names)) != len(names):
        raise shape_error("columns: each column name once")
    if not isinstance(rows, list) or not rows or set(map(type, rows)) != {list}:
        raise shape_error("data: a non-empty list of rows, each a list of values")
    check_row_count(len(rows), max_batch_size)
    for index, row in enumerate(rows):
        if len(row) != len(names):
            raise shape_error(f"data.{index}: {len(row)} values for {len(names)} columns")

    def locate(loc: tuple[Any, ...]) -> str:
        if len(loc) >= 3 and loc[0] == "records" and loc[2] in names:
            return f"data.{loc[1]}.{names.index(loc[2])} (column {loc[2]!r})"
        return records_location(loc)

    return Table(names, rows, locate)


def float_block(rows: Sequence[Sequence[Any]]) -> np.ndarray[Any, Any] | None:
    """The rows as one float64 array, if every cell is a JSON number a float32 can hold; None
    otherwise (the caller then validates value by value, for the error message)."""
    # type() of each cell, in C: a bool is not an int here, so true/false never pass.
    if not set(map(type, chain.from_iterable(rows))) <= {float, int}:
        return None
    try:
        block = np.array(rows, dtype=np.float64)
    except (OverflowError, ValueError):
        return None
    with np.errstate(invalid="ignore"):
        if block.ndim != 2 or not bool(np.all(np.abs(block) <= FLOAT32_MAX)):
            return None
    return block


def check_row_count(count: int, max_batch_size: int) -> None:
    if count > max_batch_size:
        raise InvalidRecordsError([], too_many(count, max_batch_size))


def too_many(count: int | None, max_batch_size: int) -> str:
    sent = f"{count} records" if count is not None else "too many records"
    return f"{sent}: at most {max_batch_size} per request (MAX_BATCH_SIZE); split the batch."


def shape_error(message: str) -> InvalidRecordsError:
    return InvalidRecordsError([{"loc": [], "msg": message, "type": "shape"}], f"{message}.")
