"""Roles read from token claims at configurable dotted paths (Keycloak realm and client roles)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """The roles every component shares (see the design brief)."""

    VIEWER = "viewer"
    PREDICTOR = "predictor"
    ADMIN = "admin"


def parse_claim_paths(setting: str) -> tuple[tuple[str, ...], ...]:
    """`realm_access.roles,resource_access.api.roles` -> (("realm_access", "roles"), ...)."""
    return tuple(
        tuple(part for part in path.strip().split(".") if part)
        for path in setting.split(",")
        if path.strip()
    )


def roles_from_claims(
    claims: Mapping[str, object], paths: tuple[tuple[str, ...], ...]
) -> frozenset[str]:
    """Every string found in the lists at `paths`; a missing or malformed path adds nothing."""
    roles: set[str] = set()
    for path in paths:
        node: object = claims
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, list | tuple):
            roles.update(item for item in node if isinstance(item, str))
        elif isinstance(node, str):
            # Some providers put a space-separated string where Keycloak puts a list.
            roles.update(node.split())
    return frozenset(roles)
