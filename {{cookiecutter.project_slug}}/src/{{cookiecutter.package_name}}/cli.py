"""`{{ cookiecutter.project_slug }}`: one command line for every part of the solution."""

from __future__ import annotations

import typer
from rich.table import Table

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.terminal import console, load_settings

PROJECT_NAME = "{{ cookiecutter.project_name }}"

app = typer.Typer(
    name="{{ cookiecutter.project_slug }}",
    help=f"{PROJECT_NAME}: pipeline, model registry, prediction API and dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


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


# Pipeline and model registry: their heavy imports load only when one of their commands runs.
from {{ cookiecutter.package_name }}.pipeline.cli import app as pipeline_app  # noqa: E402
from {{ cookiecutter.package_name }}.registry.cli import app as models_app  # noqa: E402

app.add_typer(pipeline_app, name="pipeline")
app.add_typer(models_app, name="models")
{%- if cookiecutter.dashboard == 'streamlit' %}

# Dashboard: the command only prepares and starts Streamlit, so importing it here is cheap.
from {{ cookiecutter.package_name }}.dashboard.launcher import dashboard  # noqa: E402

app.command()(dashboard)
{%- endif %}

# Prediction API, app database and the local dev stack: heavy imports load inside the commands.
from {{ cookiecutter.package_name }}.api.cli import predict_file, serve  # noqa: E402
from {{ cookiecutter.package_name }}.api.smoke import smoke  # noqa: E402
from {{ cookiecutter.package_name }}.auth.cli import app as auth_app  # noqa: E402
from {{ cookiecutter.package_name }}.db.cli import app as db_app  # noqa: E402
from {{ cookiecutter.package_name }}.devstack import app as dev_app  # noqa: E402

app.command()(serve)
app.command("predict-file")(predict_file)
app.command()(smoke)
app.add_typer(auth_app, name="auth")
app.add_typer(db_app, name="db")
app.add_typer(dev_app, name="dev")
