"""The one place that talks to the model registry for serving: resolve `champion`, load it.

Swapping in the registry helpers of `{{ cookiecutter.package_name }}.registry` happens here only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.registry.names import CHAMPION

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.registry.connection import Registry


class RegistryUnavailableError(Exception):
    """The registry could not be reached or answered with an error."""


class ChampionMissingError(Exception):
    """The registry is reachable but the model or its `champion` alias does not exist."""


@dataclass(frozen=True, slots=True)
class Column:
    """One input column of a model signature."""

    name: str
    type: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class ChampionRef:
    name: str
    version: str
    run_id: str | None


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model ready to predict: a callable on a DataFrame plus what describes it."""

    name: str
    version: str
    run_id: str | None
    predict: Callable[[Any], Any]
    columns: tuple[Column, ...] | None
    # The signature's output type (an MLflow type or numpy dtype name), if it has one.
    output_type: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class ModelSource(Protocol):
    def champion(self, name: str) -> ChampionRef: ...

    def load(self, ref: ChampionRef) -> LoadedModel: ...


class MlflowModelSource:
    """Champion models through the registry package (MLflow: SQLite file or tracking server)."""

    def __init__(self, *, settings: Settings) -> None:
        # We retry with our own backoff; MLflow's default retries would stall a poll for minutes.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
        self._settings = settings
        self._connected: Registry | None = None

    @property
    def _registry(self) -> Registry:
        # Connected on first use, inside the retry loop: a bad store must not crash start-up.
        if self._connected is None:
            from {{ cookiecutter.package_name }}.registry.serving import registry_for

            self._connected = registry_for(self._settings)
        return self._connected

    def champion(self, name: str) -> ChampionRef:
        from {{ cookiecutter.package_name }}.registry.serving import champion_version

        try:
            version = champion_version(name, registry=self._registry)
        except Exception as error:  # MLflow's errors, and the REST client's requests/OS errors
            raise RegistryUnavailableError(_first_line(error)) from None
        if version is None:
            raise ChampionMissingError(
                f"model {name!r} has no version with alias {CHAMPION!r} in the registry; "
                f"train and promote one first (`make train`)"
            )
        return ChampionRef(name=name, version=version, run_id=None)

    def load(self, ref: ChampionRef) -> LoadedModel:
        from {{ cookiecutter.package_name }}.registry.errors import ChampionNotFoundError
        from {{ cookiecutter.package_name }}.registry.serving import load_champion

        try:
            # The registry resolves the alias once and loads that exact version, so the version
            # we report is the one that answers (the alias may have moved since `champion`).
            model, version = load_champion(ref.name, registry=self._registry)
            run_id = self._registry.client.get_model_version(ref.name, version).run_id
        except ChampionNotFoundError as error:
            raise ChampionMissingError(str(error)) from None
        except Exception as error:
            raise RegistryUnavailableError(f"loading {ref.name}: {_first_line(error)}") from None
        return LoadedModel(
            name=ref.name,
            version=version,
            run_id=run_id,
            predict=_fast_predict(model),
            columns=_columns(model),
            output_type=_output_type(model),
            metrics=self._metrics(run_id),
        )

    def _metrics(self, run_id: str | None) -> dict[str, float]:
        if run_id is None:
            return {}
        try:
            return dict(self._registry.client.get_run(run_id).data.metrics)
        except Exception:  # metrics are informational; the model serves without them
            return {}


def _fast_predict(model: Any) -> Callable[[Any], Any]:
    """The scikit-learn estimator's own predict when there is one: MLflow's per-call schema
    enforcement repeats what our request validation already did and costs milliseconds."""
    if "sklearn" in model.metadata.flavors and model.metadata.get_input_schema() is not None:
        try:
            estimator = model.get_raw_model()
        except Exception:  # any failure falls back to the generic path
            return model.predict  # type: ignore[no-any-return]
        import sklearn

        def predict(frame: Any) -> Any:
            # Parameters were validated when the estimator was fitted; skip re-checking per call.
            with sklearn.config_context(skip_parameter_validation=True):
                return estimator.predict(frame)

        return predict
    return model.predict  # type: ignore[no-any-return]


def _columns(model: Any) -> tuple[Column, ...] | None:
    schema = model.metadata.get_input_schema()
    if schema is None or not schema.has_input_names() or schema.is_tensor_spec():
        return None
    return tuple(
        Column(name=spec.name, type=spec.type.name, required=getattr(spec, "required", True))
        for spec in schema.inputs
    )


def _output_type(model: Any) -> str | None:
    schema = model.metadata.get_output_schema()
    if schema is None or len(schema.inputs) != 1:
        return None
    spec = schema.inputs[0]
    return str(spec.type) if schema.is_tensor_spec() else str(spec.type.name)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"
