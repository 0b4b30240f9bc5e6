"""Aliases: which version is `champion` (served) and `challenger` (newest); promote and roll back.

Every move of `champion` appends to the model's `champion.history` tag and tags the
version with who moved it, when and why, so a rollback knows where to go back to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

from {{ cookiecutter.package_name }}.registry.audit import AuditRecord
from {{ cookiecutter.package_name }}.registry.connection import Registry
from {{ cookiecutter.package_name }}.registry.errors import ChampionNotFoundError, RegistryError
from {{ cookiecutter.package_name }}.registry.names import (
    CHALLENGER,
    CHAMPION,
    CHAMPION_HISTORY_TAG,
    CHAMPION_LAST_CHANGE_TAG,
)

HISTORY_LIMIT = 50  # tag values are length-limited; older moves stay on the versions' own tags


@dataclass(frozen=True)
class ModelStatus:
    """One model as the registry sees it."""

    name: str
    champion: str | None
    challenger: str | None
    latest: str | None


def is_missing(error: MlflowException) -> bool:
    return bool(error.error_code == ErrorCode.Name(RESOURCE_DOES_NOT_EXIST))


def alias_version(registry: Registry, name: str, alias: str) -> str | None:
    """The version an alias points at, or None if the model or alias does not exist."""
    # Read the model's alias map: a missing alias is an ordinary answer here, not an error.
    try:
        version = registry.client.get_registered_model(name).aliases.get(alias)
    except MlflowException as error:
        if is_missing(error):
            return None
        raise
    return None if version is None else str(version)


def champion_version(registry: Registry, name: str) -> str | None:
    return alias_version(registry, name, CHAMPION)


def status(registry: Registry, name: str) -> ModelStatus:
    try:
        model = registry.client.get_registered_model(name)
    except MlflowException as error:
        if is_missing(error):
            return ModelStatus(name=name, champion=None, challenger=None, latest=None)
        raise
    versions = registry.client.search_model_versions(f"name='{name}'")
    latest = max((int(v.version) for v in versions), default=None)
    return ModelStatus(
        name=name,
        champion=_text(model.aliases.get(CHAMPION)),
        challenger=_text(model.aliases.get(CHALLENGER)),
        latest=None if latest is None else str(latest),
    )


def champion_history(registry: Registry, name: str) -> list[str]:
    tags = registry.client.get_registered_model(name).tags
    history: Any = json.loads(tags.get(CHAMPION_HISTORY_TAG, "[]"))
    return [str(version) for version in history]


def promote(
    registry: Registry, name: str, version: str, *, reason: str, actor: str | None = None
) -> AuditRecord:
    """Point `champion` at `version`, recording who, when and why."""
    _require_version(registry, name, version)
    record = AuditRecord.now(actor=actor, reason=reason)
    history = champion_history(registry, name)
    current = champion_version(registry, name)
    if current is not None and (not history or history[-1] != current):
        history.append(current)  # set outside these commands (MLflow's UI): still one to go back to
    client = registry.client
    client.set_registered_model_alias(name, CHAMPION, version)
    for key, value in record.tags("champion.promoted").items():
        client.set_model_version_tag(name, version, key, value)
    if not history or history[-1] != version:
        history.append(version)
    client.set_registered_model_tag(
        name, CHAMPION_HISTORY_TAG, json.dumps(history[-HISTORY_LIMIT:])
    )
    client.set_registered_model_tag(
        name,
        CHAMPION_LAST_CHANGE_TAG,
        json.dumps({"action": "promote", "version": version, **record.__dict__}),
    )
    return record


def rollback(
    registry: Registry, name: str, *, reason: str, actor: str | None = None
) -> tuple[str, str]:
    """Move `champion` back to the previous champion; returns (from_version, to_version)."""
    current = champion_version(registry, name)
    if current is None:
        raise ChampionNotFoundError(f"model '{name}' has no champion to roll back")
    history = champion_history(registry, name)
    while history and history[-1] == current:
        history.pop()
    if not history:
        raise RegistryError(
            f"model '{name}' has no previous champion before version {current}: "
            "nothing to roll back to (use `models promote` to choose a version)"
        )
    previous = history[-1]
    _require_version(registry, name, previous)
    record = AuditRecord.now(actor=actor, reason=reason)
    client = registry.client
    client.set_registered_model_alias(name, CHAMPION, previous)
    for key, value in record.tags("champion.rolled_back").items():
        client.set_model_version_tag(name, current, key, value)
    for key, value in record.tags("champion.restored").items():
        client.set_model_version_tag(name, previous, key, value)
    client.set_registered_model_tag(
        name, CHAMPION_HISTORY_TAG, json.dumps(history[-HISTORY_LIMIT:])
    )
    client.set_registered_model_tag(
        name,
        CHAMPION_LAST_CHANGE_TAG,
        json.dumps({"action": "rollback", "from": current, "version": previous, **record.__dict__}),
    )
    return current, previous


def _require_version(registry: Registry, name: str, version: str) -> None:
    try:
        registry.client.get_model_version(name, version)
    except MlflowException as error:
        if is_missing(error):
            raise RegistryError(
                f"model '{name}' has no version {version} (see `models list`)"
            ) from None
        raise


def _text(version: object) -> str | None:
    return None if version is None else str(version)
