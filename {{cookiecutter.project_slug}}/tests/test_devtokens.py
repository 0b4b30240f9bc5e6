"""`dev token` against the real development provider: JWT access tokens, roles added or replaced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.auth import TokenVerifier
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.devtokens import token_for

from tests.api_services import AUDIENCE, oidc_provider_process

pytestmark = pytest.mark.integration
ROLES_CLAIM = "realm_access.roles"
BOB = {"sub": "bob", "name": "Bob", "realm_access": {"roles": ["viewer"]}}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_process("--user-claims", json.dumps(BOB)) as issuer:
        yield issuer


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, oidc_audience=AUDIENCE, oidc_roles_claim=ROLES_CLAIM)  # type: ignore[call-arg]


def roles_of(provider: str, token: str) -> frozenset[str]:
    """The roles the API sees: the token verified the way the API verifies every token."""
    verifier = TokenVerifier(issuer_url=provider, audience=AUDIENCE, roles_claim=ROLES_CLAIM)
    return verifier.verify(token).roles


def stored_roles(provider: str, sub: str) -> list[str]:
    roles: list[str] = httpx.get(f"{provider}/users/{sub}").json()["realm_access"]["roles"]
    return roles


def test_the_access_token_is_a_jwt_for_the_api_signed_by_the_provider(
    provider: str, settings: Settings
) -> None:
    issued = token_for(issuer=provider, sub="bob", settings=settings, add_roles=())
    assert jwt.get_unverified_header(issued.token)["typ"] == "at+jwt"
    assert roles_of(provider, issued.token) == {"viewer"} == issued.roles


def test_role_adds_to_the_users_roles_and_keeps_theirs_at_the_provider(
    provider: str, settings: Settings
) -> None:
    issued = token_for(issuer=provider, sub="bob", settings=settings, add_roles=("predictor",))
    assert roles_of(provider, issued.token) == {"viewer", "predictor"}
    # A later dashboard sign-in of bob still has exactly his own roles.
    assert stored_roles(provider, "bob") == ["viewer"]


def test_only_replaces_the_roles_for_that_token_alone(provider: str, settings: Settings) -> None:
    issued = token_for(
        issuer=provider, sub="bob", settings=settings, add_roles=("predictor",), only=True
    )
    assert roles_of(provider, issued.token) == {"predictor"}
    assert stored_roles(provider, "bob") == ["viewer"]


def test_a_new_user_gets_every_role(provider: str, settings: Settings) -> None:
    issued = token_for(issuer=provider, sub="carol", settings=settings, add_roles=())
    assert roles_of(provider, issued.token) == {"viewer", "predictor", "admin"}


def test_the_command_prints_only_the_token_on_stdout(
    provider: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OIDC_AUDIENCE", AUDIENCE)
    arguments = ["dev", "token", "--user", "bob", "--role", "predictor", "--issuer", provider]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert roles_of(provider, result.stdout.strip()) == {"viewer", "predictor"}
    assert "token for bob with roles: predictor, viewer" in result.stderr


def test_the_command_says_what_to_do_when_no_provider_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["dev", "token", "--issuer", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "is `make dev` running?" in result.output
    assert "Traceback" not in result.output
