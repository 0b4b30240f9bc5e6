"""`models` commands: see registered versions, promote, roll back (each audited in tags)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.registry.connection import Registry

app = typer.Typer(
    help="Inspect the model registry; promote or roll back champions.", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True)

Reason = Annotated[
    str, typer.Option("--reason", "-r", help="Why: stored in the registry's audit tags.")
]


def _registry() -> Registry:
    from {{ cookiecutter.package_name }}.registry import RegistryError, connect
    from {{ cookiecutter.package_name }}.terminal import configure_logging, load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    try:
        return connect(settings)
    except RegistryError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None


def _known(name: str) -> None:
    from {{ cookiecutter.package_name }}.models import UnknownModelError, catalog

    try:
        catalog.get(name)
    except UnknownModelError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(2) from None


@app.command("list")
def list_models() -> None:
    """Each configured model with its champion, challenger and latest version."""
    from {{ cookiecutter.package_name }}.models import catalog
    from {{ cookiecutter.package_name }}.registry import status
    from {{ cookiecutter.package_name }}.registry.names import CHALLENGER, CHAMPION

    registry = _registry()
    table = Table(Column("model", no_wrap=True), CHAMPION, CHALLENGER, "latest", "purpose")
    for spec in catalog:
        current = status(registry, spec.name)
        table.add_row(
            spec.name,
            str(current.champion or "-"),
            str(current.challenger or "-"),
            current.latest or "not trained",
            spec.description,
        )
    console.print(table)


@app.command("promote")
def promote_command(
    name: Annotated[str, typer.Argument(help="Model name (see `models list`).")],
    version: Annotated[str, typer.Argument(help="Version to make champion.")],
    reason: Reason = "manual promotion",
) -> None:
    """Make VERSION the champion of NAME, bypassing the quality gate (recorded: who, when, why)."""
    from {{ cookiecutter.package_name }}.registry import RegistryError, promote

    _known(name)
    registry = _registry()
    try:
        record = promote(registry, name, version, reason=reason)
    except RegistryError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"{name}: champion -> version {version} (by {record.actor}: {record.reason})")


@app.command("rollback")
def rollback_command(
    name: Annotated[str, typer.Argument(help="Model name (see `models list`).")],
    reason: Reason = "manual rollback",
) -> None:
    """Move NAME's champion back to the previous champion (recorded: who, when, why)."""
    from {{ cookiecutter.package_name }}.registry import RegistryError, rollback

    _known(name)
    registry = _registry()
    try:
        previous, restored = rollback(registry, name, reason=reason)
    except RegistryError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"{name}: champion version {previous} -> {restored} ({reason})")
