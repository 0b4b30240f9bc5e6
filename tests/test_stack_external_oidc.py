"""A second combination's stack, booted for real: local artifact storage, no dashboard, and an
external OIDC provider (a Keycloak the test runs beside the stack, known to the project only by
its issuer URL). Pipeline job, the project's smoke job, signed-in predictions, 401, `down -v`.

Runs after tests/test_stack.py (same ports); `make test-stack` runs both.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.baking import bake, default_answers, env_file
from tests.keycloak import Keycloak
from tests.stack import (
    INFRA,
    MODELS,
    Stack,
    docker_with_standins,
    each_model_predicts_and_logs_a_row,
    example_records,
    pipeline_registers_both_champions,
    predict,
    running,
)

pytestmark = [pytest.mark.install, pytest.mark.stack]

ANSWERS = {"object_storage": "local", "dashboard": "none", "auth_provider": "external-oidc"}
# The issuer the project is configured with: the provider's container name in the stack's network.
PROVIDER_HOST = "oidc:8080"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Stack]:
    docker_with_standins()
    workdir = tmp_path_factory.mktemp("stack-oidc")
    project = bake("cookiecutter", default_answers() | ANSWERS, workdir / "project")
    # The provider's realm: the one the template generates for its bundled Keycloak.
    realm_source = bake("cookiecutter", default_answers(), workdir / "realm")
    with running(
        Stack(
            project=project,
            overrides=(INFRA / "compose.external-oidc.ci.yaml",),
            run_dir=tmp_path_factory.mktemp("stack-oidc-logs"),
            env={
                "APP_IMAGE": f"{project.name}-oidc:ci",
                "API_IMAGE": f"{project.name}-oidc-api:ci",
                "OIDC_ISSUER_URL": f"http://{PROVIDER_HOST}/realms/{project.name}",
                "CI_OIDC_ADMIN_PASSWORD": secrets.token_urlsafe(24),
                "CI_OIDC_REALM_FILE": str(realm_source / "deploy" / "keycloak" / "realm.json"),
            },
        ),
        request,
    ) as up:
        yield up


def client_credentials(stack: Stack, host: str) -> str:
    """The realm's machine client's token, from the provider through 127.0.0.1 as `host` names it."""
    provider = Keycloak(url="http://127.0.0.1:8080", admin_password="", host=host)
    form = {
        "grant_type": "client_credentials",
        "client_id": f"{stack.project.name}-machine",
        "client_secret": env_file(stack.project)["OIDC_MACHINE_CLIENT_SECRET"],
    }
    return str(provider.token(stack.project.name, form)["access_token"])


@pytest.fixture(scope="module")
def machine_token(stack: Stack) -> str:
    return client_credentials(stack, PROVIDER_HOST)


@pytest.fixture(scope="module")
def records(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    return {model: example_records(stack, model) for model in MODELS}


def test_the_pipeline_job_registers_both_champions(stack: Stack) -> None:
    pipeline_registers_both_champions(stack)


def test_the_providers_token_predicts_each_model_and_the_row_lands_in_postgres(
    stack: Stack, machine_token: str, records: dict[str, list[dict[str, Any]]]
) -> None:
    each_model_predicts_and_logs_a_row(stack, machine_token, records)


def test_no_token_gets_401_and_a_token_of_another_issuer_too(
    stack: Stack, records: dict[str, list[dict[str, Any]]]
) -> None:
    assert predict(MODELS[0], records[MODELS[0]], None)[0] == 401
    # The same provider reached by another name issues for another issuer: refused.
    assert predict(MODELS[0], records[MODELS[0]], client_credentials(stack, "127.0.0.1:8080"))[0] == 401


def test_the_projects_smoke_job_passes_against_the_external_provider(stack: Stack) -> None:
    out = stack.compose("--profile", "smoke", "run", "--rm", "smoke")
    assert "smoke test passed" in out, out


def test_down_v_leaves_no_container_network_or_volume(stack: Stack) -> None:
    stack.down()
    assert stack.leftovers() == []
