"""End to end in a real browser: the `dashboard` command, a real OIDC login, Debian's chromium.

The identity provider is `oidc-provider-mock` on loopback, issuing real signed ID tokens; the
auth-off banner and every page's content are covered with AppTest in test_pages.py.
Screenshots go to DASHBOARD_SCREENSHOTS, or to the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.devstack import DEFAULT_PORTS, Stack, running_stack

from tests.dashboard.backends import MODEL, Registry, write_prediction_log
from tests.fixtures.services import free_port, running

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
# The mock provider's pages link a CDN stylesheet; offline it can stall page loads for minutes.
OFF_LOOPBACK = re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"
    ),
]


@contextmanager
def running_dashboard(tmp_path: Path, registry: Registry, **settings: str) -> Iterator[str]:
    """`<project> dashboard` on a free loopback port, on the test registry and prediction log."""
    recent = registry.training_data.sample(80, random_state=7)
    recent["petal_length"] = recent["petal_length"] + 3.0
    write_prediction_log(tmp_path / "app.db", recent.to_dict(orient="records"))
    port = settings.pop("port", None) or str(free_port())
    env = {
        "ENVIRONMENT": "dev",
        "MLFLOW_TRACKING_URI": registry.tracking_uri,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SERVED_MODELS": MODEL,
        "DATA_DIR": str(tmp_path / "var"),
        **{name.upper(): value for name, value in settings.items()},
    }
    command = [
        sys.executable,
        "-m",
        "{{ cookiecutter.package_name }}",
        "dashboard",
        "--port",
        port,
    ]
    health = f"http://127.0.0.1:{port}/_stcore/health"
    with running(command, ready_url=health, log=tmp_path / "dashboard.log", env=env, cwd=tmp_path):
        yield f"http://localhost:{port}"


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_viewer_logs_in_and_browses_while_others_are_kept_out(
    tmp_path: Path, registry: Registry, screenshots: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oidc_provider_mock import User, run_server_in_thread

    # The identity provider runs on plain http on loopback, which OAuth forbids by default.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    users = [
        User(sub="ada", claims={"name": "Ada Viewer", "realm_access": {"roles": ["viewer"]}}),
        User(sub="bob", claims={"name": "Bob Outsider", "realm_access": {"roles": []}}),
    ]
    with run_server_in_thread(user_claims=users) as provider:
        port = str(free_port())
        dashboard = running_dashboard(
            tmp_path,
            registry,
            port=port,
            auth_enabled="true",
            oidc_issuer_url=f"http://localhost:{provider.server_port}",
            oidc_client_id="dashboard",
            oidc_client_secret="dashboard-client-secret",
            session_secret="a-cookie-signing-secret-of-32-chars",
            dashboard_url=f"http://localhost:{port}",
        )
        with dashboard as url, chromium() as browser:
            ada = log_in(browser, url, "ada")
            expect(ada.get_by_text("Signed in as Ada Viewer")).to_be_visible(timeout=60_000)
            # Pages are listed by their names, not their script files.
            links = ada.get_by_test_id("stSidebarNav").get_by_role("link")
            expect(links).to_contain_text(["Models", "Predictions", "Try a prediction", "Drift"])
            champion = ada.get_by_test_id("stMetric").filter(has_text="Served version")
            expect(champion).to_contain_text("v1", timeout=60_000)
            expect(ada.get_by_test_id("stVegaLiteChart")).to_have_count(1, timeout=60_000)
            ada.screenshot(path=screenshots / "dashboard-models.png", full_page=True)

            ada.get_by_role("link", name="Drift").click()
            drift = ada.get_by_text("Drift in 1 of 4 features: petal_length")
            expect(drift).to_be_visible(timeout=60_000)
            expect(ada.get_by_test_id("stVegaLiteChart")).to_have_count(1)
            ada.get_by_test_id("stVegaLiteChart").scroll_into_view_if_needed()
            ada.screenshot(path=screenshots / "dashboard-drift.png")

            bob = log_in(browser, url, "bob")
            refusal = bob.get_by_text("Signed in as Bob Outsider, but the dashboard needs the role")
            expect(refusal).to_be_visible(timeout=60_000)
            expect(bob.get_by_test_id("stMetric")).to_have_count(0)
            bob.screenshot(path=screenshots / "dashboard-login-refused.png", full_page=True)


def test_with_the_dev_stack_a_signed_in_user_predicts_through_the_api(
    tmp_path: Path, registry: Registry, screenshots: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make dev`'s stack on free ports: the dashboard sends alice's access token from the
    # development provider, and the API verifies it as it verifies Keycloak's.
    monkeypatch.chdir(tmp_path)  # no project .env is read
    for name, value in {
        "ENVIRONMENT": "dev",
        "MLFLOW_TRACKING_URI": registry.tracking_uri,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SERVED_MODELS": MODEL,
        "DATA_DIR": str(tmp_path / "var"),
    }.items():
        monkeypatch.setenv(name, value)
    ports = {name: free_port() for name in DEFAULT_PORTS}
    stack = Stack(settings=Settings(), ports=ports, dashboard=True, logs=tmp_path / "logs")
    with running_stack(stack, echo=False), chromium() as browser:
        alice = log_in(browser, stack.url("dashboard"), "alice")
        expect(alice.get_by_text("Signed in as Alice")).to_be_visible(timeout=60_000)
        alice.get_by_role("link", name="Try a prediction").click()
        alice.get_by_role("button", name="Predict").click(timeout=60_000)
        expect(alice.get_by_text("Prediction:")).to_be_visible(timeout=60_000)
        expect(alice.get_by_text("Prediction failed")).to_have_count(0)
        alice.screenshot(path=screenshots / "dashboard-dev-prediction.png", full_page=True)


def log_in(browser: Browser, url: str, sub: str) -> Page:
    """A fresh browser session through the identity provider's login form as `sub`."""
    context = browser.new_context()
    context.route(OFF_LOOPBACK, lambda route: route.abort())
    page = context.new_page()
    page.goto(url)
    login = page.get_by_role("button", name="Log in")
    expect(login).to_be_visible(timeout=60_000)
    # Before sign-in no page is listed at all (Streamlit would list a `pages/` folder's files).
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    login.click(timeout=60_000)
    # The provider's button for `sub`: "ada" (oidc-provider-mock 0.3) or "Authorize as ada" (0.4).
    page.get_by_role("button", name=re.compile(rf"^(Authorize as )?{sub}$")).click(timeout=60_000)
    return page
