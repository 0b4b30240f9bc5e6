"""`{{ cookiecutter.project_slug }}`: one command line for every part of the solution."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.config import Settings

app = typer.Typer(
    name="{{ cookiecutter.project_slug }}",
    help="{{ cookiecutter.project_name }}: pipeline, model registry, prediction API and dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()


def load_settings() -> Settings:
    """Settings, or a readable error and exit code 2 when the environment is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors())
        console.print(f"[red]Configuration error:[/red] {details}")
        raise typer.Exit(2) from None


@app.command()
def version() -> None:
    """Print the installed version."""
    console.print(f"{{ cookiecutter.project_slug }} {__version__}")


@app.command()
def settings() -> None:
    """Show the effective settings (secrets masked) and where they come from."""
    current = load_settings()
    table = Table("setting", "value", title=f"ENVIRONMENT={current.environment}")
    for name, value in current:
        table.add_row(name.upper(), str(value))
    console.print(table)
