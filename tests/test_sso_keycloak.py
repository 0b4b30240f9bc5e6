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
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import keycloak
from tests.keycloak import HttpError, Keycloak, http_json
from tests.processes import free_port, stop
from tests.test_generated_project import installed, run  # noqa: F401 -- `installed` is a fixture

pytestmark = [pytest.mark.install, pytest.mark.sso]

MODEL = "tumor-classifier"


def env_file(project: Path) -> dict[str, str]:
    values = {}
    for line in (project / ".env").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            values[key.strip()] = value.strip()
    return values


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

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The generated project's console script, as a user runs it in the project."""
        return self._run(self.project.name, *args, env=env)

    def python(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self._run("python", "-c", code, env=env)

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


def _tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


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
    dashboard_url = "http://127.0.0.1:8599"  # not the default port: the redirect URIs follow it
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
        env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}} | {
            "ENVIRONMENT": "dev",
            "DATA_DIR": str(run_dir / "var"),
            "MLFLOW_TRACKING_URI": f"sqlite:///{run_dir / 'mlflow.db'}",
            "DATABASE_URL": f"sqlite:///{run_dir / 'app.db'}",
            "OIDC_ISSUER_URL": server.realm_url(realm),
            "DASHBOARD_URL": dashboard_url,
            "SERVED_MODELS": MODEL,  # the one model trained below: the API is ready once it loads
        }
        api_port = free_port()
        stack = Stack(
            project=project,
            keycloak=server,
            realm=realm,
            api_url=f"http://127.0.0.1:{api_port}",
            env=env | {"API_URL": f"http://127.0.0.1:{api_port}"},
            secrets=secrets,
        )
        trained = stack.cli("pipeline", "run", "--model", MODEL)
        assert trained.returncode == 0, trained.stderr[-4000:]
        api_log = run_dir / "api.log"
        with api_log.open("w") as out:
            api = subprocess.Popen(
                [str(project / ".venv" / "bin" / project.name), "serve", "--port", str(api_port)],
                cwd=project,
                env=stack.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_api(stack.api_url, api, api_log)
            yield stack
        finally:
            stop(api)
            if request.session.testsfailed:
                print(f"--- API log ({api_log}):\n{_tail(api_log)}")
                print(f"--- Keycloak log ({server.log}):\n{_tail(server.log)}")


def _wait_for_api(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the API exited:\n{_tail(log)}"
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the API was not ready in 300 s:\n{_tail(log)}")


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
    """A person's tokens from the dashboard client; its password grant is switched on for the test only."""
    clients = stack.keycloak.admin("GET", f"/{stack.realm}/clients?clientId={stack.realm}-dashboard")
    client = clients[0]
    if not client["directAccessGrantsEnabled"]:
        stack.keycloak.admin(
            "PUT", f"/{stack.realm}/clients/{client['id']}", body=client | {"directAccessGrantsEnabled": True}
        )
    return stack.keycloak.token(
        stack.realm,
        {
            "grant_type": "password",
            "client_id": f"{stack.realm}-dashboard",
            "client_secret": stack.secrets["OIDC_CLIENT_SECRET"],
            "username": username,
            "password": stack.secrets["DEV_USER_PASSWORD"],
            "scope": "openid",
        },
    )


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
