"""Model registry: a thin layer over MLflow (runs, versions, aliases, quality gate).

The only package that imports MLflow. Alias and tag names: `registry.names`; the dashboard's
read-only view: `registry.reader`. Public API for other components (prediction service):

    from {{ cookiecutter.package_name }}.registry import (
        champion_version,
        load_champion,
        model_names,
    )

    model, version = load_champion("tumor-classifier")  # pyfunc model + version string
    champion_version("tumor-classifier")                 # "3" or None: poll it to hot-swap

Names load on first use (PEP 562), so `import {{ cookiecutter.package_name }}.registry.cli`
and the CLI's `--help` stay fast and do not import MLflow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.models import model_names
    from {{ cookiecutter.package_name }}.registry.aliases import (
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
    from {{ cookiecutter.package_name }}.registry.names import CHALLENGER, CHAMPION
    from {{ cookiecutter.package_name }}.registry.serving import (
        champion_version,
        load_champion,
        registry_for,
    )

_HOMES = {
    "model_names": "{{ cookiecutter.package_name }}.models",
    "CHALLENGER": "{{ cookiecutter.package_name }}.registry.names",
    "CHAMPION": "{{ cookiecutter.package_name }}.registry.names",
    "ModelStatus": "{{ cookiecutter.package_name }}.registry.aliases",
    "promote": "{{ cookiecutter.package_name }}.registry.aliases",
    "rollback": "{{ cookiecutter.package_name }}.registry.aliases",
    "status": "{{ cookiecutter.package_name }}.registry.aliases",
    "Registry": "{{ cookiecutter.package_name }}.registry.connection",
    "connect": "{{ cookiecutter.package_name }}.registry.connection",
    "ChampionNotFoundError": "{{ cookiecutter.package_name }}.registry.errors",
    "RegistryError": "{{ cookiecutter.package_name }}.registry.errors",
    "RegistryUnreachableError": "{{ cookiecutter.package_name }}.registry.errors",
    "champion_version": "{{ cookiecutter.package_name }}.registry.serving",
    "load_champion": "{{ cookiecutter.package_name }}.registry.serving",
    "registry_for": "{{ cookiecutter.package_name }}.registry.serving",
}

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


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
