"""Register: log the run (params, metrics, plots, data set identity, code version) and the model.

A version is created only after the run's artifacts are stored, and removed again if
tagging or aliasing it fails: a failed register leaves no half-registered version.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import mlflow.sklearn
import skops.io
from mlflow.models import infer_signature

from {{ cookiecutter.package_name }}.models.spec import ModelSpec
from {{ cookiecutter.package_name }}.registry.connection import Registry, experiment_id
from {{ cookiecutter.package_name }}.registry.names import CHALLENGER

logger = logging.getLogger(__name__)
DISTRIBUTION = "{{ cookiecutter.project_slug }}"


@dataclass(frozen=True)
class RegisteredVersion:
    name: str
    version: str
    run_id: str
    model_uri: str


def code_version() -> str:
    """The package version, plus the git commit when run from a checkout."""
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "unknown"
    git = shutil.which("git")
    if git is None:
        return version
    try:
        commit = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
            [git, "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        return version
    return f"{version}+g{commit}" if commit else version


def register_version(
    registry: Registry,
    spec: ModelSpec,
    *,
    model: Any,
    params: dict[str, Any],
    metrics: dict[str, float],
    dataset: dict[str, str],
    plots: list[Path],
    example: Any,
) -> RegisteredVersion:
    """Log one training run and register its model as a new version with alias `challenger`."""
    code = code_version()
    run_tags = {"model": spec.name, "code_version": code, **dataset}
    with mlflow.start_run(experiment_id=experiment_id(registry, spec.name), tags=run_tags) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        for plot in plots:
            mlflow.log_artifact(str(plot), artifact_path="plots")
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(example, model.predict(example)),
            input_example=example.head(5),
            # Safe (skops) format: trust exactly the types of the model this process just trained.
            skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(model)),
            # Explicit requirements skip MLflow's slow subprocess-based inference.
            pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
        )
        version = registry.client.create_model_version(
            name=_ensure_registered_model(registry, spec),
            source=info.model_uri,
            run_id=run.info.run_id,
            tags={"code_version": code, **dataset},
            description=spec.description,
            model_id=info.model_id,
        )
        try:
            registry.client.set_registered_model_alias(spec.name, CHALLENGER, version.version)
        except Exception:
            # Aliasing failed: remove the version so nothing half-registered remains.
            registry.client.delete_model_version(spec.name, version.version)
            raise
    logger.info("registered %s version %s (run %s)", spec.name, version.version, run.info.run_id)
    return RegisteredVersion(
        name=spec.name,
        version=str(version.version),
        run_id=run.info.run_id,
        model_uri=f"models:/{spec.name}/{version.version}",
    )


def _ensure_registered_model(registry: Registry, spec: ModelSpec) -> str:
    from mlflow.exceptions import MlflowException

    from {{ cookiecutter.package_name }}.registry.aliases import is_missing

    try:
        registry.client.get_registered_model(spec.name)
    except MlflowException as error:
        if not is_missing(error):
            raise
        registry.client.create_registered_model(spec.name, description=spec.description)
    return spec.name
