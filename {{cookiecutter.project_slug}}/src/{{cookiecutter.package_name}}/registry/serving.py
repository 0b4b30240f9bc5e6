"""What the prediction service needs: the champion model, by alias, never by number."""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
from mlflow.exceptions import MlflowException

from {{ cookiecutter.package_name }}.config import Settings, get_settings
from {{ cookiecutter.package_name }}.registry.aliases import champion_version as _champion_version
from {{ cookiecutter.package_name }}.registry.connection import Registry, connect
from {{ cookiecutter.package_name }}.registry.errors import ChampionNotFoundError


def registry_for(settings: Settings | None = None, *, check: bool = False) -> Registry:
    return connect(settings or get_settings(), check=check)


def champion_version(name: str, *, registry: Registry | None = None) -> str | None:
    """The version `champion` points at now (None: no champion); cheap enough to poll."""
    try:
        return _champion_version(registry or registry_for(), name)
    except MlflowException as error:
        if error.error_code == "INVALID_PARAMETER_VALUE":  # alias unknown on an existing model
            return None
        raise


def load_champion(name: str, *, registry: Registry | None = None) -> tuple[Any, str]:
    """(pyfunc model, version) of the current champion.

    Loads by the resolved version number so the model and the reported version always
    match, even if the alias moves while loading.
    """
    active = registry or registry_for()
    # `models:/` URIs resolve through MLflow's process-wide registry URI: make it this one's.
    mlflow.set_tracking_uri(active.tracking_uri)
    mlflow.set_registry_uri(active.tracking_uri)
    version = _champion_version(active, name)
    if version is None:
        raise ChampionNotFoundError(
            f"model '{name}' has no champion yet: run `pipeline run --model {name}` "
            "or `models promote`"
        )
    return mlflow.pyfunc.load_model(f"models:/{name}/{version}"), version
