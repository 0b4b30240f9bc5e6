"""Model registry: a thin layer over MLflow (runs, versions, aliases, quality gate).

Public API for other components (prediction service, dashboard):

    from {{ cookiecutter.package_name }}.registry import load_champion, champion_version, model_names
    model, version = load_champion("tumor-classifier")   # pyfunc model + version string
    champion_version("tumor-classifier")                  # "3" or None; poll for hot swaps
"""

from __future__ import annotations

from {{ cookiecutter.package_name }}.models import model_names
from {{ cookiecutter.package_name }}.registry.aliases import (
    CHALLENGER,
    CHAMPION,
    ModelStatus,
    promote,
    rollback,
    status,
)
from {{ cookiecutter.package_name }}.registry.connection import Registry, connect
from {{ cookiecutter.package_name }}.registry.errors import (
    ChampionNotFoundError,
    RegistryError,
    RegistryUnreachableError,
)
from {{ cookiecutter.package_name }}.registry.serving import champion_version, load_champion, registry_for

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "ChampionNotFoundError",
    "ModelStatus",
    "Registry",
    "RegistryError",
    "RegistryUnreachableError",
    "champion_version",
    "connect",
    "load_champion",
    "model_names",
    "promote",
    "registry_for",
    "rollback",
    "status",
]
