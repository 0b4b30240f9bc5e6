"""`db`: create or update the app database schema."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="App database (prediction log, audit): migrations.", no_args_is_help=True)
console = Console()


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest); safe to run again."""
    from sqlalchemy.exc import SQLAlchemyError

    from {{ cookiecutter.package_name }}.db.migrate import upgrade as run_upgrade
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    try:
        run_upgrade(settings.database_url.get_secret_value(), revision)
    except SQLAlchemyError as error:
        console.print(
            "[red]Error:[/red] database unreachable or refused the migration: "
            f"{str(error).splitlines()[0]}"
        )
        raise typer.Exit(1) from None
    console.print(f"database schema at {revision}")


@app.command()
def current() -> None:
    """Print the schema revision the database is at, and the newest one this code has."""
    from {{ cookiecutter.package_name }}.db.engine import make_engine
    from {{ cookiecutter.package_name }}.db.migrate import current_revision, head_revision
    from {{ cookiecutter.package_name }}.terminal import load_settings

    engine = make_engine(load_settings().database_url.get_secret_value())
    try:
        console.print(f"database: {current_revision(engine) or 'empty'}; code: {head_revision()}")
    finally:
        engine.dispose()
