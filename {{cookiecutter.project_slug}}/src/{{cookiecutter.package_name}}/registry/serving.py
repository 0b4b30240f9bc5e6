"""What the prediction service needs: the champion model, by alias, never by number."""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc

from {{ cookiecutter.package_name }}.config import Settings, get_settings
from {{ cookiecutter.package_name }}.registry.aliases import champion_version as _champion_version
from {{ cookiecutter.package_name }}.registry.connection import Registry, connect
from {{ cookiecutter.package_name }}.registry.errors import ChampionNotFoundError


def registry_for(settings: Settings | None = None, *, check: bool = False) -> Registry:
    return connect(settings or get_settings(), check=check)


def champion_version(name: str, *, registry: Registry | None = None) -> str | None:
    """The version `champion` points at now; cheap enough to poll for hot swaps."""
    return _champion_version(registry or registry_for(), name)


def load_champion(name: str, *, registry: Registry | None = None) -> tuple[Any, str]:
    """(pyfunc model, version) of the current champion.

    Loads by the resolved version number so the model and the reported version always
    match, even if the alias moves while loading.
    """
    active = registry or registry_for()
    version = _champion_version(active, name)
    if version is None:
        raise ChampionNotFoundError(
            f"model '{name}' has no champion yet: run `pipeline run --model {name}` "
            "or `models promote`"
        )
    return mlflow.pyfunc.load_model(f"models:/{name}/{version}"), version
