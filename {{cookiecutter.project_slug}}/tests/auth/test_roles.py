"""Roles from configurable claim paths (Keycloak realm and client roles)."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.auth.roles import parse_claim_paths, roles_from_claims

KEYCLOAK_CLAIMS = {
    "realm_access": {"roles": ["viewer", "offline_access"]},
    "resource_access": {
        "{{ cookiecutter.project_slug }}-api": {"roles": ["predictor"]},
        "other": {"roles": ["admin"]},
    },
}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("realm_access.roles", {"viewer", "offline_access"}),
        ("resource_access.{{ cookiecutter.project_slug }}-api.roles", {"predictor"}),
        (
            "realm_access.roles, resource_access.{{ cookiecutter.project_slug }}-api.roles",
            {"viewer", "offline_access", "predictor"},
        ),
        ("groups", set()),
        ("realm_access.roles.deeper", set()),
    ],
    ids=["realm", "client", "both", "absent", "path-through-list"],
)
def test_roles_come_only_from_the_configured_paths(setting: str, expected: set[str]) -> None:
    assert roles_from_claims(KEYCLOAK_CLAIMS, parse_claim_paths(setting)) == expected


def test_non_string_entries_are_ignored_and_space_separated_strings_split() -> None:
    paths = parse_claim_paths("roles,scope")
    claims = {"roles": ["admin", 7, {"x": 1}], "scope": "viewer predictor"}
    assert roles_from_claims(claims, paths) == {"admin", "viewer", "predictor"}
