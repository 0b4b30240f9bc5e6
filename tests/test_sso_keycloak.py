"""Single sign-on on a real Keycloak: the generated realm, API, CLI tokens and client end to end.

Keycloak is Maven Central's distribution at the exact version of the generated Compose file,
built once and cached (tests/keycloak.py); the generated project is the installed default one,
its model trained by its own `pipeline run` into a real MLflow registry (SQLite store).
Run alone with `make test-sso`. On failure the Keycloak and API logs stay in the test's tmp dir
and their tails are printed.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import keycloak
from tests.baking import env_file
from tests.browser import chromium, expect_text, keycloak_sign_in, screenshot_every_page, try_prediction
from tests.keycloak import HttpError, Keycloak, http_json
from tests.processes import free_port, stop
from tests.test_generated_project import installed, run  # noqa: F401 -- `installed` is a fixture

pytestmark = [pytest.mark.install, pytest.mark.sso]

MODEL = "tumor-classifier"
ACCESS_TOKEN_SECONDS = 60
SESSION_CHECK_AFTER_SECONDS = 180
POLL_SECONDS = 2


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


@dataclass(frozen=True)
class Stack:
    project: Path
    keycloak: Keycloak
    realm: str
    api_url: str
    env: dict[str, str]
    secrets: dict[str, str]
    run_dir: Path  # logs, and screenshots on failure

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The generated project's console script, as a user runs it in the project."""
        return self._run(self.project.name, *args, env=env)

    def python(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self._run("python", "-c", code, env=env)

    @contextmanager
    def serving(
        self, *args: str, ready_url: str, log: Path, env: dict[str, str] | None = None
    ) -> Iterator[None]:
        """A long-running command of the project (`serve`, `dashboard`), once `ready_url` answers."""
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(self.project / ".venv" / "bin" / self.project.name), *args],
                cwd=self.project,
                env=self.env | (env or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for(ready_url, process, log)
            yield
        finally:
            stop(process)

    def _run(self, program: str, *args: str, env: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
        """A program of the project's venv, run in the project with the stack's environment."""
        return subprocess.run(
            [str(self.project / ".venv" / "bin" / program), *args],
            cwd=self.project,
            env=self.env | (env or {}),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def predict(self, token: str, records: list[dict[str, object]]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.api_url}/v1/models/{MODEL}/predict",
            data=json.dumps({"records": records}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def _tail(path: Path | None, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path and path.exists() else ""


@pytest.fixture(scope="module")
def stack(
    installed: Callable[[str], Path],  # noqa: F811 -- the fixture imported above
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Stack]:
    if shutil.which("java") is None and keycloak.java_home() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Keycloak needs a Java 17+ runtime; CI machines have one")
        pytest.skip("Keycloak needs a Java 17+ runtime (apt-get install openjdk-17-jre-headless)")
    project = installed("defaults")
    secrets = env_file(project)
    run_dir = tmp_path_factory.mktemp("sso")
    realm = project.name
    # Not the default port: the realm's redirect URIs follow DASHBOARD_URL at import.
    dashboard_url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with keycloak.running(
        keycloak.compose_version(project),
        realm_file=project / "deploy" / "keycloak" / "realm.json",
        # What Compose passes the Keycloak container (compose.keycloak.yaml).
        env={
            "OIDC_CLIENT_SECRET": secrets["OIDC_CLIENT_SECRET"],
            "OIDC_MACHINE_CLIENT_SECRET": secrets["OIDC_MACHINE_CLIENT_SECRET"],
            "DASHBOARD_URL": dashboard_url,
        },
        run_dir=run_dir,
        admin_password=secrets["IDENTITY_ADMIN_PASSWORD"],
    ) as server:
        print(f"Keycloak ready in {time.monotonic() - started:.1f} s")
        # Short-lived access tokens: the dashboard session must outlive several of them.
        server.admin("PUT", f"/{realm}", body={"accessTokenLifespan": ACCESS_TOKEN_SECONDS})
        env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}} | {
            "ENVIRONMENT": "dev",
            "DATA_DIR": str(run_dir / "var"),
            "MLFLOW_TRACKING_URI": f"sqlite:///{run_dir / 'mlflow.db'}",
            "DATABASE_URL": f"sqlite:///{run_dir / 'app.db'}",
            "OIDC_ISSUER_URL": server.realm_url(realm),
            "DASHBOARD_URL": dashboard_url,
            "SERVED_MODELS": MODEL,  # the one model trained below: the API is ready once it loads
            "MODEL_POLL_SECONDS": str(POLL_SECONDS),
        }
        api_port = free_port()
        stack = Stack(
            project=project,
            keycloak=server,
            realm=realm,
            api_url=f"http://127.0.0.1:{api_port}",
            env=env | {"API_URL": f"http://127.0.0.1:{api_port}"},
            secrets=secrets,
            run_dir=run_dir,
        )
        trained = stack.cli("pipeline", "run", "--model", MODEL)
        assert trained.returncode == 0, trained.stderr[-4000:]
        api_log = run_dir / "api.log"
        try:
            with stack.serving(
                "serve", "--port", str(api_port), ready_url=f"{stack.api_url}/health/ready", log=api_log
            ):
                yield stack
        finally:
            if request.session.testsfailed:
                print(f"--- API log ({api_log}):\n{_tail(api_log)}")
                print(f"--- Keycloak log ({server.log}):\n{_tail(server.log)}")
                print(f"--- dashboard log:\n{_tail(run_dir / 'dashboard.log')}")


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `url` answers 2xx, as long as the process serving it lives."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args!r} exited:\n{_tail(log)}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in 300 s:\n{_tail(log)}")


@pytest.fixture(scope="module")
def records(stack: Stack) -> list[dict[str, object]]:
    result = stack.python(
        # The model's own example rows: exactly its input columns.
        f"import json; from {stack.project.name.replace('-', '_')}.models import tumor_classifier as m; "
        "print(json.dumps(m.example_data()[m.FEATURES].iloc[:3].to_dict(orient='records')))"
    )
    assert result.returncode == 0, result.stderr
    loaded: list[dict[str, object]] = json.loads(result.stdout)
    return loaded


@contextmanager
def running_dashboard(stack: Stack, log: Path, **settings: str) -> Iterator[str]:
    """`<project> dashboard` with the stack's settings (and `settings` on top); yields its URL."""
    env = {name.upper(): value for name, value in settings.items()}
    url = env.get("DASHBOARD_URL", stack.env["DASHBOARD_URL"])
    port = str(urllib.parse.urlsplit(url).port)
    health = f"http://127.0.0.1:{port}/_stcore/health"
    with stack.serving("dashboard", "--port", port, ready_url=health, log=log, env=env):
        yield url


@pytest.fixture(scope="module")
def dashboard(stack: Stack, dev_users: None) -> Iterator[str]:
    with running_dashboard(stack, stack.run_dir / "dashboard.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
        if request.session.testsfailed:
            screenshot_every_page(launched, stack.run_dir)


@dataclass(frozen=True)
class Session:
    page: Page
    signed_in_at: float


@pytest.fixture(scope="module")
def predictor_session(stack: Stack, dashboard: str, browser: Browser) -> Session:
    """dev-predictor, signed in first of all, so the lifespan check at the end has waited long."""
    page = keycloak_sign_in(browser, dashboard, "dev-predictor", stack.secrets["DEV_USER_PASSWORD"])
    return Session(page=page, signed_in_at=time.monotonic())


def test_a_predictor_signs_in_on_keycloaks_page_and_predicts_but_never_sees_admin(
    predictor_session: Session, dashboard: str
) -> None:
    page = predictor_session.page
    expect_text(page, "Signed in as Dev predictor")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Admin")).to_have_count(0)
    try_prediction(page)
    expect_text(page, "Prediction:")
    expect(page.get_by_text("Prediction failed")).to_have_count(0)
    page.goto(f"{dashboard}/admin")  # the page's URL, typed by hand
    expect_text(page, "Signed in as Dev predictor")
    expect(page.get_by_role("heading", name="Admin")).to_have_count(0)


@pytest.fixture(scope="module")
def machine_token(stack: Stack) -> str:
    """`auth token --machine`: client credentials of the realm's machine client."""
    result = stack.cli(
        "auth",
        "token",
        "--machine",
        env={"OIDC_MACHINE_CLIENT_SECRET": stack.secrets["OIDC_MACHINE_CLIENT_SECRET"]},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_machine_token_carries_the_api_audience_and_its_roles_and_predicts(
    stack: Stack, machine_token: str, records: list[dict[str, object]]
) -> None:
    token_claims = claims(machine_token)
    assert f"{stack.realm}-api" in token_claims["aud"]
    assert {"predictor", "admin"} <= set(token_claims["realm_access"]["roles"])
    status, body = stack.predict(machine_token, records)
    assert status == 200, body
    assert len(body["predictions"]) == len(records)


def test_client_credentials_token_predicts_and_reloads_through_the_python_client(
    stack: Stack, records: list[dict[str, object]]
) -> None:
    package = stack.project.name.replace("-", "_")
    result = stack.python(
        "import os\n"
        f"from {package}.client import ClientCredentialsToken, PredictionClient\n"
        f"token = ClientCredentialsToken.for_issuer({stack.keycloak.realm_url(stack.realm)!r}, "
        f"client_id={stack.realm + '-machine'!r}, client_secret=os.environ['MACHINE_SECRET'])\n"
        f"with PredictionClient({stack.api_url!r}, token=token) as api:\n"
        f"    print(len(api.predict({MODEL!r}, {records!r}).predictions))\n"
        f"    print(api.reload({MODEL!r})['version'])\n",
        env={"MACHINE_SECRET": stack.secrets["OIDC_MACHINE_CLIENT_SECRET"]},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    predicted, reloaded = result.stdout.split()
    assert predicted == str(len(records))
    assert reloaded == "1", "the admin reload serves the champion, version 1"


def test_predict_file_uses_the_machine_client_when_its_secret_is_set(
    stack: Stack, records: list[dict[str, object]], tmp_path: Path
) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    result = stack.cli(
        "predict-file",
        str(source),
        str(target),
        "--model",
        MODEL,
        env={"OIDC_MACHINE_CLIENT_SECRET": stack.secrets["OIDC_MACHINE_CLIENT_SECRET"]},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(target.read_text().splitlines()) == len(records) + 1
    refused = stack.cli(
        "predict-file",
        str(source),
        str(tmp_path / "never.csv"),
        "--model",
        MODEL,
        env={"OIDC_MACHINE_CLIENT_SECRET": "wrong"},
    )
    assert refused.returncode == 1
    assert "unauthorized_client" in refused.stderr or "invalid_client" in refused.stderr, refused.stderr
    assert "wrong" not in refused.stderr, "the secret is never printed"
    assert not (tmp_path / "never.csv").exists()


@pytest.fixture(scope="module")
def dev_users(stack: Stack) -> None:
    """create-dev-users.sh against this locally run Keycloak, passwords from the project's .env."""
    script = stack.project / "deploy" / "keycloak" / "create-dev-users.sh"
    home = keycloak.installed(keycloak.compose_version(stack.project))
    result = subprocess.run(
        ["bash", str(script)],
        cwd=stack.project,
        env={
            **keycloak.java_env(),
            "KCADM": str(home / "bin" / "kcadm.sh"),
            "KEYCLOAK_URL": stack.keycloak.url,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "user dev-viewer has role viewer" in result.stdout


def user_tokens(stack: Stack, username: str) -> dict[str, object]:
    """A person's tokens from the dashboard client."""
    tokens: dict[str, object] = stack.keycloak.user_tokens(
        stack.realm,
        f"{stack.realm}-dashboard",
        stack.secrets["OIDC_CLIENT_SECRET"],
        username,
        stack.secrets["DEV_USER_PASSWORD"],
    )
    return tokens


def test_viewer_is_refused_predict_and_roles_reach_the_id_token(
    stack: Stack, dev_users: None, records: list[dict[str, object]]
) -> None:
    viewer = user_tokens(stack, "dev-viewer")
    status, body = stack.predict(str(viewer["access_token"]), records)
    assert status == 403, body
    assert "viewer" in claims(str(viewer["id_token"]))["realm_access"]["roles"]
    predictor = user_tokens(stack, "dev-predictor")
    status, body = stack.predict(str(predictor["access_token"]), records)
    assert status == 200, body


def test_dashboard_redirect_uris_follow_its_public_url(stack: Stack) -> None:
    clients = stack.keycloak.admin("GET", f"/{stack.realm}/clients?clientId={stack.realm}-dashboard")
    client = clients[0]
    url = stack.env["DASHBOARD_URL"]
    assert client["redirectUris"] == [f"{url}/*"]
    assert client["webOrigins"] == [url]
    assert client["attributes"]["post.logout.redirect.uris"] == f"{url}/*"


def test_device_authorization_is_offered_to_the_command_line_client(stack: Stack) -> None:
    answer = http_json(
        "POST",
        f"{stack.keycloak.realm_url(stack.realm)}/protocol/openid-connect/auth/device",
        form={"client_id": f"{stack.realm}-cli", "scope": "openid"},
    )
    assert answer["user_code"]
    assert answer["verification_uri"].startswith(stack.keycloak.url)
    with pytest.raises(HttpError) as refused:
        http_json(
            "POST",
            f"{stack.keycloak.realm_url(stack.realm)}/protocol/openid-connect/auth/device",
            form={"client_id": f"{stack.realm}-dashboard", "scope": "openid"},
        )
    assert refused.value.status in (400, 401)


def test_issuer_differing_only_by_host_name_is_named_in_the_401(
    stack: Stack, records: list[dict[str, object]]
) -> None:
    localhost_realm = stack.keycloak.realm_url(stack.realm).replace("127.0.0.1", "localhost")
    token = http_json(
        "POST",
        f"{localhost_realm}/protocol/openid-connect/token",
        form={
            "grant_type": "client_credentials",
            "client_id": f"{stack.realm}-machine",
            "client_secret": stack.secrets["OIDC_MACHINE_CLIENT_SECRET"],
        },
    )["access_token"]
    assert claims(str(token))["iss"] == localhost_realm
    status, body = stack.predict(str(token), records)
    assert status == 401
    assert "only by host name" in json.dumps(body), body


def test_a_viewer_signs_in_and_is_told_that_predicting_needs_another_role(
    stack: Stack, dashboard: str, browser: Browser
) -> None:
    page = keycloak_sign_in(browser, dashboard, "dev-viewer", stack.secrets["DEV_USER_PASSWORD"])
    expect_text(page, "Signed in as Dev viewer")
    page.get_by_role("link", name="Try a prediction").click()
    expect_text(page, "role, so the API will refuse predictions")
    expect(page.get_by_role("button", name="Predict")).to_be_disabled()
    page.context.close()


def served_version(stack: Stack) -> str | None:
    token = stack.keycloak.token(
        stack.realm,
        {
            "grant_type": "client_credentials",
            "client_id": f"{stack.realm}-machine",
            "client_secret": stack.secrets["OIDC_MACHINE_CLIENT_SECRET"],
        },
    )["access_token"]
    models = http_json("GET", f"{stack.api_url}/v1/models", bearer=str(token))
    version: str | None = next(m["version"] for m in models if m["name"] == MODEL)
    return version


def wait_until_served(stack: Stack, version: str) -> None:
    deadline = time.monotonic() + 10 * POLL_SECONDS
    while served_version(stack) != version:
        assert time.monotonic() < deadline, f"the API did not pick up v{version} by its hot swap"
        time.sleep(0.5)


def registered(stack: Stack) -> dict[str, Any]:
    """The model's aliases and tags as the registry holds them (the API may not serve them yet)."""
    result = stack.python(
        "import json, os; from mlflow import MlflowClient; "
        "client = MlflowClient(os.environ['MLFLOW_TRACKING_URI']); "
        f"model = client.get_registered_model({MODEL!r}); "
        "print(json.dumps({'aliases': model.aliases, 'tags': model.tags}))"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    model: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return model


def last_change(stack: Stack) -> dict[str, str]:
    change: dict[str, str] = json.loads(registered(stack)["tags"]["champion.last_change"])
    return change


def test_an_admin_promotes_and_rolls_back_the_api_follows_and_logout_ends_the_session(
    stack: Stack, dashboard: str, browser: Browser
) -> None:
    trained = stack.cli("pipeline", "run", "--model", MODEL)  # a second version to choose
    assert trained.returncode == 0, trained.stderr[-4000:]
    # The registry decides what the Admin page offers; the API follows at its next poll.
    before = str(registered(stack)["aliases"]["champion"])
    wait_until_served(stack, before)
    other = "1" if before == "2" else "2"
    page = keycloak_sign_in(browser, dashboard, "dev-admin", stack.secrets["DEV_USER_PASSWORD"])
    expect_text(page, "Signed in as Dev admin")
    page.get_by_role("link", name="Admin").click()

    page.get_by_label("Reason (kept in the audit trail)").fill("try the other version")
    page.get_by_label("Reason (kept in the audit trail)").press("Enter")
    page.get_by_text(f"Yes, serve v{other} of {MODEL}").click()
    page.get_by_role("button", name="Promote").click()
    expect_text(page, f"champion is now v{other} (by Dev admin")
    assert last_change(stack) | {"at": ""} == {
        "action": "promote",
        "version": other,
        "actor": "Dev admin",
        "reason": "try the other version",
        "at": "",
    }
    wait_until_served(stack, other)

    page.get_by_text("Roll back to the previous champion").click()
    page.get_by_label("Reason (kept in the audit trail)").fill("back to the proven one")
    page.get_by_label("Reason (kept in the audit trail)").press("Enter")
    page.get_by_text(f"Yes, roll {MODEL} back").click()
    page.get_by_role("button", name="Roll back").click()
    expect_text(page, f"champion v{other} → v{before}")
    assert last_change(stack)["actor"] == "Dev admin"
    wait_until_served(stack, before)

    page.get_by_test_id("stSidebar").get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").click()
    # Keycloak asks for the password again: logging out ended its session, not only ours.
    expect(page.locator("#username")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("problem", "settings", "message"),
    [
        (
            "wrong client secret",
            {"oidc_client_secret": "not-the-secret"},
            "does not accept the dashboard's client",
        ),
        ("Keycloak down", {"oidc_issuer_url": "http://127.0.0.1:{port}/realms/gone"}, "is not answering"),
        ("unregistered address", {}, "refuses http://127.0.0.1:{port}/oauth2callback"),
    ],
)
def test_sign_in_problems_show_a_readable_page_with_a_retry(
    stack: Stack, browser: Browser, problem: str, settings: dict[str, str], message: str
) -> None:
    port = free_port()  # not the realm's DASHBOARD_URL, nor a Keycloak
    values = {name: value.format(port=port) for name, value in settings.items()}
    log = stack.run_dir / f"dashboard-{problem.replace(' ', '-')}.log"
    with running_dashboard(stack, log, dashboard_url=f"http://127.0.0.1:{port}", **values) as url:
        page = browser.new_context().new_page()
        page.goto(url)
        expect_text(page, message.format(port=port))
        expect(page.get_by_role("button", name="Retry")).to_be_visible()
        expect(page.get_by_role("button", name="Log in")).to_have_count(0)
        assert "not-the-secret" not in page.content()
        page.context.close()


def test_the_session_outlives_its_short_lived_access_tokens(predictor_session: Session) -> None:
    # Several access tokens have expired by now; the dashboard renews them without a password.
    waited = time.monotonic() - predictor_session.signed_in_at
    time.sleep(max(0.0, SESSION_CHECK_AFTER_SECONDS - waited))
    page = predictor_session.page
    page.reload()
    expect_text(page, "Signed in as Dev predictor")
    expect(page.locator("#username")).to_have_count(0)
    try_prediction(page)
    expect_text(page, "Prediction:")
    expect(page.get_by_text("Prediction failed")).to_have_count(0)
