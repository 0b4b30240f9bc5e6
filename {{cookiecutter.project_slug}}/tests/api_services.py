"""Real services for the API, auth and database tests: an OIDC provider process, an MLflow
registry with tiny trained models, PostgreSQL from the machine's binaries, and the API itself
served by uvicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import mlflow
import pandas as pd
import pytest
import uvicorn
from mlflow import MlflowClient
from mlflow.models import infer_signature
from pydantic import SecretStr
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.package_name }}.api.app import create_app
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.db.migrate import upgrade
from {{ cookiecutter.package_name }}.devtokens import issue_dev_token

from tests.fixtures.services import free_port, running, start_mlflow_server, stop

AUDIENCE = "{{ cookiecutter.project_slug }}-api"
CLASSIFIER = "tiny-classifier"
REGRESSOR = "tiny-regressor"
TEST_SECRET = SecretStr("test-secret-0123456789abcdefghijklmnop")


@contextmanager
def mlflow_globals_restored(*extra_env: str) -> Iterator[None]:
    """Undo changes to MLflow's process-wide URIs (globals and env variables), plus `extra_env`.

    The API points MLflow's globals at its registry when it loads a model; without this, tests of
    other components that rely on the default (registry = tracking URI) would see ours.
    """
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", *extra_env)
    saved = (tracking_utils._tracking_uri, registry_utils._registry_uri)
    saved_env = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        tracking_utils._tracking_uri, registry_utils._registry_uri = saved
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout:.0f}s")


# --- OIDC provider -------------------------------------------------------------------------


@contextmanager
def oidc_provider_process(*extra_args: str) -> Iterator[str]:
    """The development identity provider (`make dev`'s) on a free loopback port; yields its issuer.

    It is `oidc-provider-mock` issuing JWT access tokens for AUDIENCE (dev_identity.py).
    """
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "{{ cookiecutter.package_name }}.dev_identity",
        "--port",
        str(port),
    ]
    command += ["--audience", AUDIENCE, *extra_args]
    with running(command, ready_url=f"{issuer}/.well-known/openid-configuration", log=None):
        yield issuer


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    with oidc_provider_process() as issuer:
        yield issuer


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def make_token(oidc_issuer: str) -> TokenFactory:
    """Signed tokens from the real provider: `make_token("alice", ["predictor"])`.

    Access tokens, as the dashboard sends them; for another audience, the ID token the provider
    issues to a client of that name (its `aud`).
    """

    def issue(sub: str, roles: list[str], *, audience: str = AUDIENCE) -> str:
        return issue_dev_token(
            issuer=oidc_issuer,
            sub=sub,
            roles=roles,
            roles_claim="realm_access.roles",
            **({} if audience == AUDIENCE else {"client_id": audience, "kind": "id_token"}),
        )

    return issue


# --- MLflow registry with tiny models ------------------------------------------------------


@dataclass(frozen=True)
class TinyRegistry:
    tracking_uri: str
    client: MlflowClient
    # A real `mlflow server` over the same store, started in the background (it is slow to boot).
    server_url: str
    server: subprocess.Popen[bytes]

    def wait_for_server(self) -> str:
        wait_until(
            lambda: httpx.get(f"{self.server_url}/health").is_success,
            timeout=120,
            what="mlflow server",
        )
        return self.server_url

    def register(self, name: str, *, kind: str = "classifier", strength: float = 1.0) -> str:
        """Train and register a new version of `name`, make it champion, return its version."""
        with mlflow_globals_restored():
            return self._register(name, kind=kind, strength=strength)

    def _register(self, name: str, *, kind: str, strength: float) -> str:
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        if kind == "classifier":
            frame = load_iris(as_frame=True).frame
            features, target = frame.drop(columns="target"), frame["target"]
            model: Any = make_pipeline(
                StandardScaler(), LogisticRegression(C=strength, max_iter=300)
            )
        else:
            frame = load_diabetes(as_frame=True).frame[["age", "bmi", "bp", "target"]]
            features, target = frame.drop(columns="target"), frame["target"]
            model = make_pipeline(StandardScaler(), LinearRegression())
        model.fit(features, target)
        mlflow.set_experiment(name)
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                signature=infer_signature(features, model.predict(features)),
                input_example=features.head(2),
                registered_model_name=name,
                pip_requirements=["scikit-learn", "pandas"],  # skips slow requirement inference
            )
        version = str(info.registered_model_version)
        self.client.set_registered_model_alias(name, "champion", version)
        return version


@pytest.fixture(scope="session")
def tiny_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyRegistry]:
    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.search_experiments()  # creates the store's tables before the server opens it
    url, server = start_mlflow_server(
        backend_store_uri=uri,
        artifacts_destination=(root / "artifacts").as_uri(),
        workdir=root,
        wait=False,  # it boots while the models are trained; tests that need it wait
    )
    registry = TinyRegistry(uri, client, url, server)
    try:
        registry.register(CLASSIFIER, kind="classifier")
        registry.register(REGRESSOR, kind="regressor")
        yield registry
    finally:
        stop(server)


def iris_records(count: int) -> list[dict[str, float]]:
    frame = load_iris(as_frame=True).frame.drop(columns="target")
    rows: list[dict[str, float]] = frame.sample(count, replace=True, random_state=1).to_dict(
        orient="records"
    )  # type: ignore[assignment]
    return rows


def diabetes_records(count: int) -> list[dict[str, float]]:
    frame: pd.DataFrame = load_diabetes(as_frame=True).frame[["age", "bmi", "bp"]]
    rows: list[dict[str, float]] = frame.head(count).to_dict(orient="records")  # type: ignore[assignment]
    return rows


# --- The API -------------------------------------------------------------------------------


def api_settings(
    *, tracking_uri: str, issuer: str, database_url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "mlflow_tracking_uri": tracking_uri,
        "database_url": SecretStr(database_url),
        "oidc_issuer_url": issuer,
        "oidc_audience": AUDIENCE,
        "oidc_client_secret": TEST_SECRET,
        "session_secret": TEST_SECRET,
        "served_models": [CLASSIFIER, REGRESSOR],
        "model_poll_seconds": 0.5,
        "prediction_log_flush_seconds": 0.1,
        "max_batch_size": 100,
        **overrides,
    }
    return Settings(**values)


@dataclass
class RunningApi:
    url: str
    settings: Settings
    app: Any

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=_bearer(token), timeout=30, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, headers=_bearer(token), timeout=30, **kwargs)


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@contextmanager
def running_api(
    settings: Settings, *, wait_ready: bool = True, migrate: bool = True
) -> Iterator[RunningApi]:
    """The real app under uvicorn on a free loopback port, in a thread; stopped on exit."""
    with mlflow_globals_restored():  # undo what the start-up model loads changed
        stack = contextlib.ExitStack()
        api = stack.enter_context(_serving(settings, wait_ready=wait_ready, migrate=migrate))
    with stack, mlflow_globals_restored():  # and what later loads (swaps, reloads) change
        yield api


@contextmanager
def _serving(settings: Settings, *, wait_ready: bool, migrate: bool) -> Iterator[RunningApi]:
    if migrate:
        upgrade(settings.database_url.get_secret_value())
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    api = RunningApi(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    wait_until(lambda: server.started, timeout=20, what="uvicorn")
    if wait_ready:
        wait_until(
            lambda: api.get("/health/ready").status_code == 200, timeout=30, what="API readiness"
        )
    try:
        yield api
    finally:
        server.should_exit = True
        thread.join(20)


@pytest.fixture(scope="session")
def api(
    tiny_registry: TinyRegistry, oidc_issuer: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApi]:
    """The API with auth on and the SQLite prediction log, shared by read-mostly tests."""
    database = tmp_path_factory.mktemp("appdb") / "app.db"
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer=oidc_issuer,
        database_url=f"sqlite:///{database}",
    )
    with running_api(settings) as running:
        yield running


@pytest.fixture(scope="session")
def predictor_token(make_token: TokenFactory) -> str:
    return make_token("pat-predictor", ["predictor"])


@pytest.fixture(scope="session")
def admin_token(make_token: TokenFactory) -> str:
    return make_token("ada-admin", ["viewer", "predictor", "admin"])


@pytest.fixture(scope="session")
def viewer_token(make_token: TokenFactory) -> str:
    return make_token("vic-viewer", ["viewer"])


class NetworkSwitch:
    """A TCP forwarder to a real service that tests can cut and restore (a network partition)."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target = ("127.0.0.1", target_port)
        self._server: socketserver.ThreadingTCPServer | None = None
        self._open: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self) -> None:
        switch = self

        class Forward(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                upstream = socket.create_connection(switch._target)
                switch._open.update({self.request, upstream})
                pump = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
                pump.start()
                _pump(self.request, upstream)
                pump.join()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Forward)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def cut(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
