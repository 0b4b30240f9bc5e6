"""Read-only view of the model registry for the dashboard: versions, aliases, metrics,
gate decisions, input schemas and the data set a version was trained on."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import Model

from {{ cookiecutter.package_name }}.registry.errors import RegistryError
from {{ cookiecutter.package_name }}.registry.names import (
    DATASET_SOURCE_TAG,
    GATE_DECISION_TAG,
    GATE_METRIC_TAG,
)

TRAINING_DATA_SUFFIXES = (".csv", ".parquet")
NUMERIC_TYPES = frozenset({"double", "float", "long", "integer"})


class RegistryReadError(RegistryError):
    """The registry could not be read; the message names the address and the cause."""


@dataclass(frozen=True)
class VersionSummary:
    """One registered version and the metrics its training run logged."""

    version: int
    aliases: tuple[str, ...]
    status: str
    created_at: datetime
    run_id: str | None
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def gate_decision(self) -> str:
        """The quality gate's verdict on this version ("promoted"/"rejected"), "" if not gated."""
        return self.tags.get(GATE_DECISION_TAG, "")


@dataclass(frozen=True)
class ModelSummary:
    """A registered model: its versions (newest first), aliases and primary metric."""

    name: str
    description: str
    aliases: Mapping[str, int]
    primary_metric: str | None
    versions: tuple[VersionSummary, ...]

    def version_at(self, alias: str) -> VersionSummary | None:
        number = self.aliases.get(alias)
        return next((v for v in self.versions if v.version == number), None)

    def metric_names(self) -> list[str]:
        """Every metric any version logged, the primary one first."""
        names = sorted({name for version in self.versions for name in version.metrics})
        if self.primary_metric in names:
            names.remove(self.primary_metric)
            names.insert(0, self.primary_metric)
        return names


@dataclass(frozen=True)
class InputField:
    """One input column of a model's signature."""

    name: str
    type: str

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class ModelInputs:
    """What a model version accepts: its signature's columns and, if logged, an example record."""

    fields: tuple[InputField, ...]
    example: Mapping[str, Any] | None


def registry_client(tracking_uri: str) -> MlflowClient:
    """A client for the tracking store, which also holds the registry in every deployment here."""
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def registered_model_names(client: MlflowClient) -> list[str]:
    """Every model the registry holds, for a dashboard configured without SERVED_MODELS."""
    try:
        return [model.name for model in client.search_registered_models()]
    except Exception as error:
        raise RegistryReadError(_explain(error)) from None


def read_models(*, client: MlflowClient, names: Sequence[str]) -> dict[str, ModelSummary | None]:
    """Each configured model's summary, or None for a name not registered yet."""
    return {name: read_model(client=client, name=name) for name in names}


def read_model(*, client: MlflowClient, name: str) -> ModelSummary | None:
    """The model's summary, or None when no model of that name is registered."""
    try:
        registered = client.get_registered_model(name)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise RegistryReadError(_explain(error)) from None
    except Exception as error:  # the HTTP store raises requests' errors when the server is down
        raise RegistryReadError(_explain(error)) from None
    try:
        versions = client.search_model_versions(f"name = '{_quoted(name)}'")
    except Exception as error:
        raise RegistryReadError(_explain(error)) from None
    aliases = {alias: int(number) for alias, number in (registered.aliases or {}).items()}
    # Version search results do not always carry aliases; the registered model's map always does.
    aliases_by_version: dict[int, list[str]] = {}
    for alias, number in aliases.items():
        aliases_by_version.setdefault(number, []).append(alias)
    summaries = tuple(
        sorted(
            (_version_summary(client, v, aliases_by_version) for v in versions),
            key=lambda v: v.version,
            reverse=True,
        )
    )
    # The metric the quality gate compared: the registered model's tag, else a version's.
    primary = next(
        (
            tags[GATE_METRIC_TAG]
            for tags in [registered.tags or {}, *(v.tags for v in summaries)]
            if tags.get(GATE_METRIC_TAG)
        ),
        None,
    )
    return ModelSummary(
        name=name,
        description=registered.description or "",
        aliases=aliases,
        primary_metric=primary,
        versions=summaries,
    )


def read_inputs(*, client: MlflowClient, tracking_uri: str, name: str, version: int) -> ModelInputs:
    """The version's input columns (signature) and the first record of its input example."""
    try:
        base = client.get_model_version_download_uri(name, str(version))
        with tempfile.TemporaryDirectory(prefix="dashboard-model-") as folder:
            mlmodel = mlflow.artifacts.download_artifacts(
                artifact_uri=f"{base}/MLmodel", dst_path=folder, tracking_uri=tracking_uri
            )
            model = Model.load(mlmodel)
            example = None
            if model.saved_input_example_info:
                mlflow.artifacts.download_artifacts(
                    artifact_uri=f"{base}/{model.saved_input_example_info['artifact_path']}",
                    dst_path=folder,
                    tracking_uri=tracking_uri,
                )
                example = model.load_input_example(folder)
    except Exception as error:
        raise RegistryReadError(
            f"cannot read the signature of {name} version {version}: {error}"
        ) from None
    fields: tuple[InputField, ...] = ()
    if model.signature is not None:
        fields = tuple(
            InputField(name=str(spec.name), type=str(getattr(spec.type, "name", spec.type)))
            for spec in model.signature.inputs.inputs
            if getattr(spec, "name", None)
        )
    return ModelInputs(fields=fields, example=_first_record(example))


def run_dataset_files(*, client: MlflowClient, run_id: str | None) -> list[Path]:
    """Local CSV/Parquet files the training run read: its `dataset.source` tag or logged inputs."""
    if not run_id:
        return []
    try:
        run = client.get_run(run_id)
    except MlflowException:
        return []
    locations = [run.data.tags.get(DATASET_SOURCE_TAG, "")]
    for dataset_input in getattr(run.inputs, "dataset_inputs", None) or []:
        locations.append(_location(dataset_input.dataset.source) or "")
    files = []
    for location in locations:
        path = _local_path(location)
        if path is not None and path.suffix in TRAINING_DATA_SUFFIXES and path.is_file():
            files.append(path)
    return list(dict.fromkeys(files))


def _version_summary(
    client: MlflowClient, version: Any, aliases_by_version: Mapping[int, list[str]]
) -> VersionSummary:
    metrics: dict[str, float] = {}
    if version.run_id:
        try:
            metrics = dict(client.get_run(version.run_id).data.metrics)
        except MlflowException:
            # A deleted run leaves the version without metrics; the version itself stays usable.
            metrics = {}
    return VersionSummary(
        version=int(version.version),
        aliases=tuple(sorted(aliases_by_version.get(int(version.version), []))),
        status=str(version.status),
        created_at=datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC),
        run_id=version.run_id,
        metrics=metrics,
        tags=dict(version.tags or {}),
    )


def _first_record(example: Any) -> Mapping[str, Any] | None:
    if isinstance(example, pd.DataFrame) and not example.empty:
        return {str(k): _plain(v) for k, v in example.iloc[0].to_dict().items()}
    if isinstance(example, Mapping):
        return {str(k): _plain(v) for k, v in example.items()}
    return None


def _plain(value: Any) -> Any:
    # numpy scalars are not JSON-serialisable; `.item()` turns them into Python numbers.
    return value.item() if hasattr(value, "item") else value


def _location(source: str) -> str | None:
    # MLflow stores a logged data set's source as JSON, e.g. {"uri": "/data/raw/x.csv"}.
    try:
        document = json.loads(source)
    except (TypeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    location = document.get("uri") or document.get("path") or document.get("url")
    return location if isinstance(location, str) else None


def _local_path(location: str) -> Path | None:
    if not location:
        return None
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    # A bare path (no scheme, or a Windows drive letter) is local; s3:// or a SQL source is not.
    return Path(location) if len(parsed.scheme) <= 1 else None


def _quoted(name: str) -> str:
    return name.replace("'", "\\'")


def _explain(error: BaseException) -> str:
    return (
        f"cannot read the model registry: {error}. "
        "Check MLFLOW_TRACKING_URI and that the MLflow server is running."
    )
