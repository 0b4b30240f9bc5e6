"""Connect to MLflow: the embedded SQLite store or a tracking server, checked before use."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.registry.errors import RegistryUnreachableError

HEALTH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Registry:
    """An MLflow client bound to one tracking URI, plus where new experiments keep artifacts."""

    client: MlflowClient
    tracking_uri: str
    artifact_root: str | None


def connect(settings: Settings, *, check: bool = True) -> Registry:
    """Point MLflow at the configured store; with `check`, fail fast if it is unreachable."""
    uri = settings.mlflow_tracking_uri
    _export_object_storage(settings)
    if uri.startswith("sqlite:///"):
        # The embedded store's folder may not exist on first run.
        Path(uri.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    registry = Registry(
        client=MlflowClient(tracking_uri=uri, registry_uri=uri),
        tracking_uri=uri,
        artifact_root=_artifact_root(settings),
    )
    if check:
        check_reachable(registry)
    return registry


def check_reachable(registry: Registry) -> None:
    """A quick probe, so an unreachable registry fails before any training happens."""
    uri = registry.tracking_uri
    if urlparse(uri).scheme in {"http", "https"}:
        health = uri.rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(health, timeout=HEALTH_TIMEOUT_SECONDS):  # noqa: S310 -- scheme checked above
                pass
        except (urllib.error.URLError, OSError) as error:
            raise RegistryUnreachableError(
                f"model registry unreachable at {uri}: {getattr(error, 'reason', error)}. "
                "Start the MLflow server or fix MLFLOW_TRACKING_URI."
            ) from None
    try:
        registry.client.search_experiments(max_results=1)
    except (MlflowException, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RegistryUnreachableError(
            f"model registry unusable at {redact(uri)}: {first_line}. Fix MLFLOW_TRACKING_URI."
        ) from None


def experiment_id(registry: Registry, name: str) -> str:
    """The experiment holding a model's runs, created on first use."""
    experiment = registry.client.get_experiment_by_name(name)
    if experiment is not None:
        return str(experiment.experiment_id)
    location = f"{registry.artifact_root.rstrip('/')}/{name}" if registry.artifact_root else None
    return str(registry.client.create_experiment(name, artifact_location=location))


def redact(uri: str) -> str:
    """The URI without a password, safe for messages and logs."""
    parsed = urlparse(uri)
    if parsed.password:
        return uri.replace(f":{parsed.password}@", ":***@")
    return uri


def _artifact_root(settings: Settings) -> str | None:
    """Where runs store artifacts when MLflow has no server to decide it."""
    if settings.mlflow_artifact_root:
        return settings.mlflow_artifact_root
    if urlparse(settings.mlflow_tracking_uri).scheme in {"http", "https"}:
        return None  # the server's --artifacts-destination decides
    return (settings.data_dir / "mlartifacts").resolve().as_uri()


def _export_object_storage(settings: Settings) -> None:
    """MLflow's S3 artifact client reads these from the environment, not from arguments."""
    values = {
        "MLFLOW_S3_ENDPOINT_URL": settings.mlflow_s3_endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.aws_access_key_id,
        "AWS_SECRET_ACCESS_KEY": (
            settings.aws_secret_access_key.get_secret_value()
            if settings.aws_secret_access_key
            else None
        ),
    }
    for name, value in values.items():
        if value:
            os.environ[name] = value
