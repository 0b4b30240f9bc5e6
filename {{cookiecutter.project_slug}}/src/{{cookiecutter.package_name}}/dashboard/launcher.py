"""The `dashboard` command: write the login configuration, then hand the process to `streamlit run`.

No Streamlit import here: the command line stays fast and works without the dashboard group.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.dashboard.auth_config import write_secrets

APP_SCRIPT = Path(__file__).with_name("app.py")
# Fail fast instead of MLflow's default minutes of retries when the registry is down.
REGISTRY_TIMEOUTS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}


def secrets_path(settings: Settings, port: int) -> Path:
    # One file per port: Streamlit re-reads it on change, so two dashboards must not share one.
    return settings.data_dir / "dashboard" / f"secrets-{port}.toml"


def streamlit_command(*, secrets_file: Path, port: int, host: str) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, our secrets file only."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Users see the app, not Streamlit's developer menu (deploy, rerun, settings).
        "--client.toolbarMode",
        "viewer",
        "--secrets.files",
        str(secrets_file.resolve()),
    ]


def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 in containers.")
    ] = "127.0.0.1",
) -> None:
    """Run the dashboard (Streamlit): models, predictions, drift and a prediction form."""
    from {{ cookiecutter.package_name }}.terminal import console, load_settings

    settings = load_settings()
    if not settings.auth_enabled:
        console.print("[bold yellow]AUTH_ENABLED=false: the dashboard has no login (dev only).[/]")
    secrets_file = write_secrets(settings, secrets_path(settings, port))
    command = streamlit_command(secrets_file=secrets_file, port=port, host=host)
    console.print(f"Dashboard on http://{host}:{port} (Ctrl+C stops it)")
    for name, value in REGISTRY_TIMEOUTS.items():
        os.environ.setdefault(name, value)
    sys.stdout.flush()
    # exec, not a child: signals from a terminal or container runtime reach Streamlit directly.
    os.execv(command[0], command)  # noqa: S606 -- fixed argv, no shell
