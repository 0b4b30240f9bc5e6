"""The default project's production stack, booted for real: image, `up --wait`, pipeline job,
signed-in predictions, the dashboard in a real browser, a database restart under load, `down -v`.

Docker, Compose and the stand-in images come from tests/infra (cached); compose.ci.yaml maps
the third-party images to them and publishes every port on 127.0.0.1. The steps build on each
other and run in file order. Run alone with `make test-stack`; on failure the services' logs and
the browser's screenshots stay in the test's tmp dir.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.baking import bake, default_answers, env_file
from tests.browser import chromium, expect_text, keycloak_sign_in, screenshot_every_page, try_prediction
from tests.keycloak import Keycloak
from tests.stack import (
    INFRA,
    MODELS,
    Stack,
    docker_with_standins,
    each_model_predicts_and_logs_a_row,
    example_records,
    image_megabytes,
    pipeline_registers_both_champions,
    predict,
    readiness,
    running,
    wait_until,
)

pytestmark = [pytest.mark.install, pytest.mark.stack]

CLIENTS = 8
# The issuer every service checks is the container's name: the host sends Keycloak's traffic to
# 127.0.0.1 under that Host header (and the browser maps the name to 127.0.0.1).
KEYCLOAK_HOST = "keycloak:8080"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Stack]:
    docker_with_standins()
    project = bake("cookiecutter", default_answers(), tmp_path_factory.mktemp("stack"))
    with running(
        Stack(
            project=project,
            overrides=(INFRA / "compose.ci.yaml",),
            run_dir=tmp_path_factory.mktemp("stack-logs"),
            env={"APP_IMAGE": f"{project.name}:ci", "API_IMAGE": f"{project.name}-api:ci"},
        ),
        request,
    ) as up:
        yield up


@pytest.fixture(scope="module")
def secrets(stack: Stack) -> dict[str, str]:
    return env_file(stack.project)


@pytest.fixture(scope="module")
def keycloak(stack: Stack, secrets: dict[str, str]) -> Keycloak:
    """The stack's Keycloak, its development users created by the project's own job."""
    stack.compose("run", "--rm", "keycloak-dev-users")
    return Keycloak(
        url="http://127.0.0.1:8080", admin_password=secrets["IDENTITY_ADMIN_PASSWORD"], host=KEYCLOAK_HOST
    )


def user_token(stack: Stack, keycloak: Keycloak, secrets: dict[str, str], username: str) -> str:
    realm = stack.project.name
    tokens = keycloak.user_tokens(
        realm, f"{realm}-dashboard", secrets["OIDC_CLIENT_SECRET"], username, secrets["DEV_USER_PASSWORD"]
    )
    return str(tokens["access_token"])


@pytest.fixture(scope="module")
def records(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    return {model: example_records(stack, model) for model in MODELS}


def test_the_apis_image_has_only_what_the_api_needs(stack: Stack) -> None:
    """docs/images.md: mlflow-skinny without the MLflow server, no Streamlit, under 600 MB."""
    code = "import importlib.metadata as m; print(*(d.metadata['Name'].lower() for d in m.distributions()))"
    installed = set(
        stack.compose("run", "--rm", "--no-deps", "--entrypoint", "python", "api", "-c", code).split()
    )
    assert "mlflow-skinny" in installed
    assert not installed & {"mlflow", "streamlit", "pyarrow", "matplotlib", "pip"}
    assert image_megabytes(stack.env["API_IMAGE"]) < 600


def test_the_pipeline_job_registers_both_champions(stack: Stack) -> None:
    pipeline_registers_both_champions(stack)


def test_a_keycloak_token_predicts_each_model_and_the_row_lands_in_postgres(
    stack: Stack, keycloak: Keycloak, secrets: dict[str, str], records: dict[str, list[dict[str, Any]]]
) -> None:
    each_model_predicts_and_logs_a_row(stack, user_token(stack, keycloak, secrets, "dev-predictor"), records)


def test_the_projects_smoke_job_passes(stack: Stack, keycloak: Keycloak) -> None:
    """What the generated CI runs: a machine token predicts each model, no token gets 401."""
    out = stack.compose("--profile", "smoke", "run", "--rm", "smoke")
    assert "smoke test passed" in out, out


def test_a_viewer_gets_403_and_no_token_gets_401(
    stack: Stack, keycloak: Keycloak, secrets: dict[str, str], records: dict[str, list[dict[str, Any]]]
) -> None:
    viewer = user_token(stack, keycloak, secrets, "dev-viewer")
    assert predict(MODELS[0], records[MODELS[0]], viewer)[0] == 403
    assert predict(MODELS[0], records[MODELS[0]], None)[0] == 401


@pytest.fixture(scope="module")
def browser(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Browser]:
    with chromium(f"--host-resolver-rules=MAP {KEYCLOAK_HOST.split(':')[0]} 127.0.0.1") as launched:
        yield launched
        if request.session.testsfailed:
            screenshot_every_page(launched, stack.run_dir)


def test_a_browser_signs_in_to_the_dashboard_through_the_stacks_keycloak_and_predicts(
    keycloak: Keycloak, secrets: dict[str, str], browser: Browser
) -> None:
    page = keycloak_sign_in(browser, "http://localhost:8501", "dev-predictor", secrets["DEV_USER_PASSWORD"])
    expect_text(page, "Signed in as Dev predictor")
    try_prediction(page)
    expect_text(page, "Prediction:")
    expect(page.get_by_text("Prediction failed")).to_have_count(0)


def test_a_postgres_restart_under_load_loses_no_logged_prediction_silently(
    stack: Stack, keycloak: Keycloak, secrets: dict[str, str], records: dict[str, list[dict[str, Any]]]
) -> None:
    token = user_token(stack, keycloak, secrets, "dev-predictor")
    started_before = stack.psql("SELECT pg_postmaster_start_time()")
    rows_before = int(stack.psql("SELECT count(*) FROM prediction_log"))
    dropped_before = readiness()["prediction_log"]["dropped"]
    served: list[int] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            status, _ = predict(MODELS[0], records[MODELS[0]][:1], token)
            served.append(status)

    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(3)
        stack.compose("restart", "postgres")
        # The database back, the writer catches up on what it held meanwhile.
        time.sleep(5)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    log = wait_until(
        lambda: (report := readiness()["prediction_log"])["pending"] == 0 and report,
        "the prediction log written out after the restart",
    )
    successes = sum(200 <= status < 300 for status in served)
    rows = int(stack.psql("SELECT count(*) FROM prediction_log")) - rows_before
    dropped = log["dropped"] - dropped_before
    print(
        f"{len(served)} requests from {CLIENTS} clients: {successes} 2xx,"
        f" {rows} rows written, {dropped} dropped"
    )
    assert stack.psql("SELECT pg_postmaster_start_time()") != started_before, "postgres restarted"
    assert successes > 0
    assert rows + dropped == successes


def test_down_v_leaves_no_container_network_or_volume(stack: Stack) -> None:
    stack.down()
    assert stack.leftovers() == []
