"""What every command shows on the terminal: the console, settings with readable errors, logs.

Below the CLI, so `cli.py` and each sub-command module import it downwards and none of them
imports `cli.py` back.
"""

from __future__ import annotations

import logging

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler

from {{ cookiecutter.package_name }}.config import Settings

console = Console()
errors = Console(stderr=True)
# Libraries whose INFO lines drown the commands' own output.
NOISY_LOGGERS = ("mlflow", "alembic", "urllib3", "botocore")


def load_settings() -> Settings:
    """Settings, or a readable error and exit code 2 when the environment is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        console.print(f"[red]Configuration error:[/red] {details}")
        raise typer.Exit(2) from None


def configure_logging(level: str) -> None:
    """Step logs on stderr; MLflow's own chatter only when it matters."""
    logging.basicConfig(
        level=level.upper(),
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
        force=True,
    )
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
