"""A loaded model wrapped for the hot path: validate a body -> columns -> DataFrame -> predict."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import orjson
import pandas as pd
from pydantic import BaseModel, ValidationError

from {{ cookiecutter.package_name }}.api.batching import Batcher
from {{ cookiecutter.package_name }}.api.model_loader import Column, LoadedModel
from {{ cookiecutter.package_name }}.api.schemas import GenericPredictRequest, request_model
from {{ cookiecutter.package_name }}.api.tables import (
    InvalidRecordsError,
    Locate,
    ParsedRecords,
    Table,
    check_row_count,
    columnar_table,
    float_block,
    records_location,
    too_many,
)

# Rows one model call may take when it combines concurrent requests.
BATCH_ROWS = 2000
FLOAT_TYPES = frozenset({"float", "double"})
# Only a records body starts like this; any other body is decoded first to see what it is.
RECORDS_BODY = re.compile(rb'\A\s*\{\s*"records"\s*:')


@dataclass(frozen=True, slots=True)
class ServedModel:
    """Immutable: a swap replaces the whole object, so a request keeps the one it started with."""

    loaded: LoadedModel
    request_type: type[BaseModel]
    # (field name, column name) in signature order; empty when the signature is unknown.
    fields: tuple[tuple[str, str], ...]
    batcher: Batcher
    max_batch_size: int
    # Every column a float or double: valid numbers then go to the model as one float64 array.
    float_signature: bool = False

    @classmethod
    def build(cls, loaded: LoadedModel, *, max_batch_size: int) -> ServedModel:
        # Batches may combine several requests, each up to max_batch_size rows.
        batcher = Batcher(
            predict=lambda frame: to_json_list(loaded.predict(frame)),
            max_rows=max(max_batch_size, BATCH_ROWS),
            to_frame=frame_builder(loaded.columns) if loaded.columns else pd.DataFrame,
        )
        if loaded.columns is None:
            return cls(loaded, GenericPredictRequest, (), batcher, max_batch_size)
        return cls(
            loaded=loaded,
            request_type=request_model(loaded.name, loaded.columns, max_batch_size=max_batch_size),
            fields=tuple((f"c{index}", column.name) for index, column in enumerate(loaded.columns)),
            batcher=batcher,
            max_batch_size=max_batch_size,
            float_signature=all(column.type in FLOAT_TYPES for column in loaded.columns),
        )

    @property
    def names(self) -> list[str]:
        return [column for _field, column in self.fields]

    def parse(self, body: bytes) -> ParsedRecords:
        """A records or a columnar (`columns` + `data`) body, checked against the signature."""
        if not RECORDS_BODY.match(body):
            try:
                decoded = orjson.loads(body)
            except orjson.JSONDecodeError:
                decoded = None  # the records schema names the JSON error
            if isinstance(decoded, dict) and ("columns" in decoded or "data" in decoded):
                return self.validate(columnar_table(decoded, max_batch_size=self.max_batch_size))
        return self._by_schema(body, locate=records_location)

    def validate(self, table: Table) -> ParsedRecords:
        """The table's rows by column in signature order, each value checked by the signature."""
        check_row_count(len(table.rows), self.max_batch_size)
        if not self.fields:
            return ParsedRecords(columns=None, records=table.records(), size=len(table.rows))
        names = self.names
        unknown = [name for name in table.names if name not in names]
        if unknown:
            raise _column_error(f"unknown columns {unknown}", names)
        missing = [
            c.name for c in self.loaded.columns or () if c.required and c.name not in table.names
        ]
        if missing:
            raise _column_error(f"missing columns {missing}", names)
        if self.float_signature and set(table.names) == set(names):
            block = float_block(table.rows)
            if block is not None:
                order = [table.names.index(name) for name in names]
                by_column = np.ascontiguousarray(block[:, order].T)
                return ParsedRecords(
                    columns=dict(zip(names, by_column, strict=True)),
                    records=None,
                    size=len(table.rows),
                )
        # Other types, or a value that is not a number: the records schema checks each value
        # and names the first problem where the client put it.
        body = orjson.dumps({"records": table.records()})
        return self._by_schema(body, locate=table.locate)

    def _by_schema(self, body: bytes, *, locate: Locate) -> ParsedRecords:
        try:
            request = self.request_type.model_validate_json(body)
        except ValidationError as error:
            raise invalid_records(
                error, max_batch_size=self.max_batch_size, locate=locate
            ) from None
        records: list[Any] = request.records  # type: ignore[attr-defined]
        if not self.fields:
            check_row_count(len(records), self.max_batch_size)
            return ParsedRecords(columns=None, records=records, size=len(records))
        columns = {column: list(map(attrgetter(name), records)) for name, column in self.fields}
        return ParsedRecords(columns=columns, records=None, size=len(records))

    async def predict(self, parsed: ParsedRecords) -> list[Any]:
        return await self.batcher.predict(parsed)


def frame_builder(columns: tuple[Column, ...]) -> Callable[[dict[str, list[Any]]], pd.DataFrame]:
    """Turns a batch's values by column (signature order) into the model's DataFrame."""
    # Built once, object dtype: pandas would make Arrow-backed names on every call, which
    # scikit-learn then reads back one by one.
    names = pd.Index([column.name for column in columns], dtype=object)
    if all(column.type in FLOAT_TYPES for column in columns):
        # One float64 block rather than one per column: cheaper to build and for scikit-learn
        # to read (measured: 15% less time per model call).
        return lambda values: pd.DataFrame(
            np.array(list(values.values()), dtype=np.float64).T, columns=names, copy=False
        )
    return lambda values: pd.DataFrame(values, columns=names)


def to_json_list(output: Any) -> list[Any]:
    """Model output (array, Series, DataFrame, list) as JSON-ready values, one per record."""
    values: list[Any]
    if isinstance(output, pd.DataFrame):
        values = output.to_dict(orient="records")
    elif isinstance(output, pd.Series | np.ndarray):
        values = output.tolist()
    else:
        values = list(output)
    return values


def invalid_records(
    error: ValidationError, *, max_batch_size: int, locate: Locate = records_location
) -> InvalidRecordsError:
    errors: list[dict[str, Any]] = [
        dict(item)
        for item in error.errors(include_url=False, include_input=False, include_context=False)
    ]
    first = errors[0] if errors else {"loc": (), "msg": "invalid body", "type": "invalid"}
    if first["type"] == "too_long" and tuple(first["loc"]) == ("records",):
        return InvalidRecordsError(errors, too_many(None, max_batch_size))
    where = locate(tuple(first["loc"]))
    extra = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    hint = " See the model's request schema in /docs or GET /v1/models."
    return InvalidRecordsError(errors, f"{where}: {first['msg']}{extra}.{hint}")


def _column_error(problem: str, names: list[str]) -> InvalidRecordsError:
    message = f"{problem}: the model takes the columns {names}."
    return InvalidRecordsError([{"loc": [], "msg": message, "type": "columns"}], message)
