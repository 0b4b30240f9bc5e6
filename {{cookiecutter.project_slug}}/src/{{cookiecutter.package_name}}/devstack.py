"""`dev`: the whole system as local processes (identity provider, MLflow UI, API, dashboard).

One implementation for `make dev` (runs until Ctrl-C), `make demo` (trains first) and the smoke
check (`dev smoke`: free loopback ports, end to end, exit code). The identity provider is
`oidc-provider-mock` with JWT access tokens (dev_identity.py), so the API verifies what the
dashboard and `dev token` send exactly as it verifies Keycloak's tokens.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer
from rich.console import Console

from {{ cookiecutter.package_name }}.devprocesses import (
    Running,
    Service,
    ServiceFailedError,
    busy_ports,
    free_port,
    log_tail,
    running,
)
from {{ cookiecutter.package_name }}.devtokens import (
    ALL_ROLES,
    DevTokenError,
    claims_with_roles,
    token_for,
)

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.config import Settings

app = typer.Typer(help="The whole system as local processes (no Docker), and tokens for it.")
console = Console()

# Whether this project has a dashboard (the `dashboard` option when it was generated).
DASHBOARD = {{ 'True' if cookiecutter.dashboard == 'streamlit' else 'False' }}
# The ports every component shares (see the design brief); `dev smoke` picks free ones.
DEFAULT_PORTS = {"oidc": 9400, "mlflow": 5000, "api": 8000, "dashboard": 8501}
DEV_ISSUER = f"http://127.0.0.1:{DEFAULT_PORTS['oidc']}"
# The provider's predefined users: one button each on its sign-in page.
DEV_USERS = {"alice": ALL_ROLES, "bob": ("viewer",)}
# For every local `mlflow server`: its GenAI job runner would start about ten idle worker
# processes (some outliving the server); a model registry needs none.
MLFLOW_SERVER_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}


@dataclass(frozen=True)
class Stack:
    """Addresses and settings on which the provider, API, dashboard and MLflow UI agree."""

    settings: Settings
    ports: Mapping[str, int]
    dashboard: bool
    logs: Path

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def issuer(self) -> str:
        return self.url("oidc")

    def env(self) -> dict[str, str]:
        """What every process of the stack reads instead of `.env`'s addresses."""
        return {
            **os.environ,
            "AUTH_ENABLED": "true",
            "OIDC_ISSUER_URL": self.issuer,
            "API_HOST": "127.0.0.1",
            "API_PORT": str(self.ports["api"]),
            "API_URL": self.url("api"),
            "DASHBOARD_URL": self.url("dashboard"),
            # Fail fast instead of MLflow's default minutes of retries when the registry is down.
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
            "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
        }

    def services(self) -> list[Service]:
        settings, python = self.settings, [sys.executable, "-W", "ignore::DeprecationWarning"]
        users = [
            json.dumps(
                {
                    "sub": sub,
                    "name": sub.title(),
                    **claims_with_roles(settings.oidc_roles_claim, roles),
                }
            )
            for sub, roles in DEV_USERS.items()
        ]
        provider = [*python, "-m", "{{ cookiecutter.package_name }}.dev_identity"]
        provider += ["--port", str(self.ports["oidc"]), "--audience", settings.oidc_audience]
        for user in users:
            provider += ["--user-claims", user]
        services = [
            Service("oidc", provider, f"{self.issuer}/.well-known/openid-configuration"),
            Service(
                "mlflow",
                [
                    *python,
                    *("-m", "mlflow", "ui", "--backend-store-uri", settings.mlflow_tracking_uri),
                    *("--host", "127.0.0.1", "--port", str(self.ports["mlflow"])),
                    # One person browses it: one worker, not MLflow's default four processes.
                    *("--workers", "1"),
                ],
                f"{self.url('mlflow')}/health",
                MLFLOW_SERVER_ENV,
            ),
            Service(
                "api",
                [*python, "-m", "{{ cookiecutter.package_name }}", "serve"],
                f"{self.url('api')}/health/ready",
            ),
        ]
        if self.dashboard:
            dashboard = [*python, "-m", "{{ cookiecutter.package_name }}", "dashboard"]
            services.append(
                Service(
                    "dashboard",
                    [*dashboard, "--port", str(self.ports["dashboard"]), "--host", "127.0.0.1"],
                    f"{self.url('dashboard')}/_stcore/health",
                )
            )
        return services


@contextmanager
def running_stack(stack: Stack, *, echo: bool) -> Iterator[list[Running]]:
    """Every process of `stack`, started and ready; stopped, children included, on exit."""
    with running(stack.services(), env=stack.env(), logs=stack.logs, echo=echo) as started:
        yield started


# --- What the user sees ----------------------------------------------------------------------


def example_record(name: str) -> dict[str, Any] | None:
    """One input record for `name` from its example data set; None when it has none."""
    from {{ cookiecutter.package_name }}.models import UnknownModelError, catalog

    try:
        spec = catalog.get(name)
    except UnknownModelError:
        return None
    if spec.example_data is None:
        return None
    row = spec.example_data()[spec.features].iloc[0]
    return {column: row[column].item() for column in spec.features}


def curl_command(api_url: str, model: str, token: str, record: Mapping[str, Any]) -> str:
    authorization = shlex.quote(f"Authorization: Bearer {token}")
    body = shlex.quote(json.dumps({"records": [record]}))
    return (
        f"curl -s {api_url}/v1/models/{model}/predict -H {authorization}"
        f" -H 'Content-Type: application/json' -d {body}"
    )


def banner(stack: Stack, *, token: str, model: str | None, record: Mapping[str, Any] | None) -> str:
    users = ", ".join(f"{sub} ({', '.join(roles)})" for sub, roles in DEV_USERS.items())
    lines = ["", "[bold green]The system is running[/] (Ctrl-C stops every process):"]
    lines.append(f"  API        {stack.url('api')}/docs")
    if stack.dashboard:
        lines.append(
            f"  Dashboard  {stack.url('dashboard')}  [bold]Log in[/], then pick a user: {users}"
        )
    lines.append(f"  MLflow     {stack.url('mlflow')}")
    lines.append(f"  Sign-in    {stack.issuer} (development identity provider)")
    lines.append(f"  Logs       {stack.logs}/")
    if model and record:
        lines.append(
            "\nA prediction as alice (valid for 8 hours; `make -s token` prints another token):"
        )
        lines.append(curl_command(stack.url("api"), model, token, record))
    return "\n".join(lines)


# --- Commands --------------------------------------------------------------------------------


def _settings() -> Settings:
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    if settings.environment != "dev":
        console.print("[red]Error:[/red] `dev` runs only with ENVIRONMENT=dev.")
        raise typer.Exit(2)
    return settings


def _stack(settings: Settings, *, ports: Mapping[str, int], dashboard: bool) -> Stack:
    return Stack(
        settings=settings,
        ports=ports,
        dashboard=dashboard and DASHBOARD,
        logs=settings.data_dir / "dev" / "logs",
    )


DashboardOption = Annotated[
    bool, typer.Option(help="Also run the dashboard (on when the project has one).")
]
LogsOption = Annotated[bool, typer.Option(help="Also print every process's output here.")]


@app.callback(invoke_without_command=True)
def dev(ctx: typer.Context, dashboard: DashboardOption = True, logs: LogsOption = False) -> None:
    """Run the identity provider (:9400), MLflow UI (:5000), API (:8000) and dashboard (:8501)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings()
    train_if_no_champion(settings)
    run_until_interrupted(_stack(settings, ports=DEFAULT_PORTS, dashboard=dashboard), echo=logs)


@app.command()
def demo(dashboard: DashboardOption = True, logs: LogsOption = False) -> None:
    """Train every model, then run the system until Ctrl-C (CI=true or no terminal: `smoke`)."""
    settings = _settings()
    train()
    if unattended(os.environ, is_terminal=sys.stdout.isatty() and sys.stdin.isatty()):
        console.print("No terminal or CI=true: running the end-to-end check instead.")
        raise typer.Exit(smoke_check(settings, dashboard=dashboard))
    run_until_interrupted(_stack(settings, ports=DEFAULT_PORTS, dashboard=dashboard), echo=logs)


@app.command()
def smoke(dashboard: DashboardOption = True) -> None:
    """Start the system on free loopback ports, sign in, predict, check the log, stop; exit 0/1."""
    settings = _settings()
    train_if_no_champion(settings)
    raise typer.Exit(smoke_check(settings, dashboard=dashboard))


def unattended(environ: Mapping[str, str], *, is_terminal: bool) -> bool:
    """True in CI (CI set to anything but false/0) or without a terminal to press Ctrl-C in."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false") or not is_terminal


def run_until_interrupted(stack: Stack, *, echo: bool) -> None:
    busy = busy_ports(stack.ports)
    if busy:
        console.print(
            f"[red]Error:[/red] port {', '.join(busy)} is in use, maybe by another `make dev`: "
            "stop it first."
        )
        raise typer.Exit(1)
    console.print(
        f"Starting {', '.join(s.name for s in stack.services())} (logs in {stack.logs}/)..."
    )
    try:
        with running_stack(stack, echo=echo) as started:
            token = token_for(
                issuer=stack.issuer, sub="alice", settings=stack.settings, add_roles=()
            ).token
            model = _first_model_with_example(stack.settings)
            record = example_record(model) if model else None
            console.print(banner(stack, token=token, model=model, record=record), soft_wrap=True)
            while all(item.process.poll() is None for item in started):
                time.sleep(0.5)
            ended = next(item for item in started if item.process.poll() is not None)
            console.print(
                f"[red]{ended.service.name} stopped (code {ended.process.returncode})[/]; "
                f"stopping the rest. Its last output:\n{log_tail(ended.log)}"
            )
            raise typer.Exit(1)
    except KeyboardInterrupt:
        console.print("\nStopped every process.")
    except (ServiceFailedError, DevTokenError) as error:
        console.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None


def smoke_check(settings: Settings, *, dashboard: bool) -> int:
    """The end-to-end check on free ports; prints each step, returns the exit code."""
    from {{ cookiecutter.package_name }}.api.services import served_model_names

    ports = {name: free_port() for name in DEFAULT_PORTS}
    stack = _stack(settings, ports=ports, dashboard=dashboard)
    started_at = time.monotonic()
    try:
        with running_stack(stack, echo=False):
            _step(f"started {', '.join(s.name for s in stack.services())} (logs in {stack.logs}/)")
            token = token_for(
                issuer=stack.issuer, sub="alice", settings=settings, add_roles=()
            ).token
            _step("signed in as alice at the identity provider")
            headers = {"Authorization": f"Bearer {token}"}
            listed = httpx.get(f"{stack.url('api')}/v1/models", headers=headers, timeout=10)
            listed.raise_for_status()
            _step(f"API serves {', '.join(m['name'] for m in listed.json())}")
            request_ids = []
            for name in served_model_names(settings):
                record = example_record(name)
                if record is None:
                    continue
                answer = httpx.post(
                    f"{stack.url('api')}/v1/models/{name}/predict",
                    json={"records": [record]},
                    headers=headers,
                    timeout=30,
                )
                if answer.status_code != 200:
                    raise ServiceFailedError(
                        f"predict {name}: HTTP {answer.status_code} {answer.text}"
                    )
                request_ids.append(answer.headers["X-Request-ID"])
                _step(f"predicted with {name}: {answer.json()['predictions']}")
            if not request_ids:
                raise ServiceFailedError("no served model has example data to predict with")
            if stack.dashboard:
                _step(f"dashboard healthy at {stack.url('dashboard')}")
            wait_for_logged(settings, request_ids)
            _step(f"{len(request_ids)} prediction(s) logged in the app database")
    except (ServiceFailedError, DevTokenError, httpx.HTTPError) as error:
        console.print(f"[red]Smoke check failed:[/red] {error}")
        return 1
    console.print(
        f"[bold green]Smoke check passed[/] in {time.monotonic() - started_at:.0f}s; "
        "every process stopped."
    )
    return 0


def _step(text: str) -> None:
    console.print(f"  [green]✓[/] {text}")


def wait_for_logged(settings: Settings, request_ids: Sequence[str], timeout: float = 20) -> None:
    """Until every request id has its row in the prediction log (written off the request path)."""
    from sqlalchemy import func, select

    from {{ cookiecutter.package_name }}.db.engine import make_engine
    from {{ cookiecutter.package_name }}.db.models import PredictionLog

    engine = make_engine(settings.database_url.get_secret_value())
    query = select(func.count()).where(PredictionLog.request_id.in_(request_ids))
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                if connection.execute(query).scalar_one() == len(request_ids):
                    return
            if time.monotonic() > deadline:
                raise ServiceFailedError(
                    f"predictions not in the prediction log after {timeout:.0f}s"
                )
            time.sleep(0.3)
    finally:
        engine.dispose()


def _first_model_with_example(settings: Settings) -> str | None:
    from {{ cookiecutter.package_name }}.api.services import served_model_names

    return next((name for name in served_model_names(settings) if example_record(name)), None)


@app.command()
def token(
    user: Annotated[str, typer.Option(help="Subject (`sub`) of the token.")] = "alice",
    role: Annotated[
        list[str] | None,
        typer.Option(
            help="Role to ADD to the user's own roles for this token; repeat for several."
        ),
    ] = None,
    only: Annotated[
        bool,
        typer.Option(
            "--only",
            help="The token carries exactly the --role roles instead (none without --role).",
        ),
    ] = False,
    issuer: Annotated[str, typer.Option(help="The dev provider's address.")] = DEV_ISSUER,
) -> None:
    """Print an access token from the running dev provider (for `Authorization: Bearer ...`).

    The token carries the user's own roles (alice: viewer, predictor, admin; bob: viewer; a new
    user: all three) plus any --role; with --only, just the --role roles. The user's roles at the
    provider are never changed, so dashboard sign-ins keep theirs.
    """
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    try:
        issued = token_for(
            issuer=issuer,
            sub=user,
            settings=settings,
            add_roles=tuple(role or ()),
            only=only,
        )
    except DevTokenError as error:
        console.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None
    Console(stderr=True).print(
        f"token for {user} with roles: {', '.join(sorted(issued.roles)) or 'none'}"
    )
    print(issued.token)  # plain stdout, for TOKEN=$(...)


def train() -> None:
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "pipeline", "run"]
    training = subprocess.run(command, check=False)  # noqa: S603 - our own module
    if training.returncode != 0:
        console.print("[red]Error:[/red] training failed (see above); fix it, then try again.")
        raise typer.Exit(1)


def train_if_no_champion(settings: Settings) -> None:
    from {{ cookiecutter.package_name }}.api.services import served_model_names
    from {{ cookiecutter.package_name }}.registry.serving import champion_version, registry_for

    registry = registry_for(settings)
    missing = [
        name
        for name in served_model_names(settings)
        if champion_version(name, registry=registry) is None
    ]
    if missing:
        console.print(f"no champion yet for {', '.join(missing)}: training them first")
        train()
