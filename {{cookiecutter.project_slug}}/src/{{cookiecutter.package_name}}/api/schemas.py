"""Request and response schemas; a model's request schema comes from its MLflow signature."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from {{ cookiecutter.package_name }}.api.model_loader import Column

# MLflow column types -> the JSON values a record may carry for them.
PYTHON_TYPES: dict[str, Any] = {
    "boolean": bool,
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
    "string": str,
    "datetime": datetime,
    "binary": bytes,
}

# The range each numeric MLflow type holds: the schema states it, so a value the model's dtype
# cannot hold is refused as invalid input (and clients see the bound), not after the model call.
# Doubles too stay within float32: scikit-learn's trees compute in float32 and refuse more.
FLOAT32_MAX = 3.4028234663852886e38
NUMERIC_BOUNDS: dict[str, tuple[float, float]] = {
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "float": (-FLOAT32_MAX, FLOAT32_MAX),
    "double": (-FLOAT32_MAX, FLOAT32_MAX),
}


class PredictResponse(BaseModel):
    request_id: str = Field(description="Identifies this request in logs and the prediction log.")
    model: str = Field(description="Registered model name.")
    version: str = Field(description="Registered model version that answered.")
    predictions: list[Any] = Field(description="One prediction per record, in request order.")


class GenericPredictRequest(BaseModel):
    """Records for a model whose signature is not known (yet)."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(min_length=1, description="Rows of raw feature values.")


class ModelSummary(BaseModel):
    name: str
    alias: str
    loaded: bool
    version: str | None = None
    run_id: str | None = None
    loaded_at: datetime | None = None
    metrics: dict[str, float] = Field(
        default_factory=dict, description="Metrics of the training run."
    )
    inputs: list[dict[str, Any]] | None = Field(
        None, description="Input columns from the signature."
    )
    error: str | None = Field(None, description="Why the model is not (re)loaded, if it is not.")


class ReloadResponse(BaseModel):
    name: str
    previous_version: str | None
    version: str


def schema_title(model_name: str) -> str:
    """`iris-classifier` -> `IrisClassifier`: a component name safe in OpenAPI."""
    parts = "".join(c if c.isalnum() else " " for c in model_name).split()
    return "".join(part[:1].upper() + part[1:] for part in parts) or "Model"


def request_model(
    model_name: str, columns: tuple[Column, ...], *, max_batch_size: int
) -> type[BaseModel]:
    """`{"records": [...]}` whose items are typed, named and closed by the signature's columns."""
    fields: dict[str, Any] = {}
    for index, column in enumerate(columns):
        python_type = PYTHON_TYPES.get(column.type, Any)
        # Column names such as `sepal length (cm)` are not identifiers: the field is `c<i>`,
        # the JSON key the column name.
        # Infinity and NaN are not measurements; a model would fail on them with a 500.
        finite = False if python_type is float else None
        low, high = NUMERIC_BOUNDS.get(column.type, (None, None))
        constraints: dict[str, Any] = {"alias": column.name, "allow_inf_nan": finite}
        constraints |= {"ge": low, "le": high}
        if column.required:
            fields[f"c{index}"] = (python_type, Field(**constraints))
        else:
            fields[f"c{index}"] = (python_type | None, Field(None, **constraints))
    title = schema_title(model_name)
    record = create_model(
        f"{title}Record",
        # Strict: a number column takes JSON numbers only (no "14.1", no true); booleans likewise.
        __config__=ConfigDict(extra="forbid", strict=True, title=f"{title}Record"),
        **fields,
    )
    records_type = Annotated[
        list[record],
        Field(
            min_length=1,
            max_length=max_batch_size,
            description=f"1 to {max_batch_size} rows of raw feature values for {model_name}.",
        ),
    ]
    model: type[BaseModel] = create_model(
        f"{title}PredictRequest",
        __config__=ConfigDict(extra="forbid", title=f"{title}PredictRequest"),
        records=(records_type, ...),
    )
    return model
