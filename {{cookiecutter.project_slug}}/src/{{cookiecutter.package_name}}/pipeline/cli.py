"""`pipeline` commands: run the training pipeline, list what can be trained."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from {{ cookiecutter.package_name }}.terminal import (
    configure_logging,
    console,
    errors,
    load_settings,
)

app = typer.Typer(help="Train, evaluate, register and gate models.", no_args_is_help=True)


@app.command("run")
def run(
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model to train (default: every configured model)."),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="Data instead of the model's own source: a CSV/Parquet path, an s3:// URI, "
            "or a SQLAlchemy URL together with --query.",
        ),
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="SQL query to run against --data.")
    ] = None,
) -> None:
    """Run the pipeline for one model (or all), registering and gating each new version."""
    from {{ cookiecutter.package_name }}.models import UnknownModelError, catalog
    from {{ cookiecutter.package_name }}.models.spec import DataSource
    from {{ cookiecutter.package_name }}.pipeline.errors import PipelineError
    from {{ cookiecutter.package_name }}.pipeline.runner import run_pipeline

    settings = load_settings()
    configure_logging(settings.log_level)
    if (data or query) and model is None:
        errors.print(
            "[red]Error:[/red] --data/--query need --model: each model has its own schema."
        )
        raise typer.Exit(2)
    if query and not data:
        errors.print("[red]Error:[/red] --query needs --data set to a SQLAlchemy database URL.")
        raise typer.Exit(2)
    try:
        specs = [catalog.get(model)] if model else list(catalog)
    except UnknownModelError as error:
        errors.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(2) from None
    source = None
    if data:
        local = query is None and "://" not in data
        source = DataSource(str(Path(data).resolve()) if local else data, query=query)
    failed = 0
    for spec in specs:
        try:
            result = run_pipeline(spec, settings=settings, data=source, console=errors)
        except PipelineError as error:
            errors.print(f"\n[red]Error:[/red] {error}")
            failed += 1
            continue
        verdict = "[green]champion[/green]" if result.promoted else "[yellow]not promoted[/yellow]"
        console.print(
            f"{spec.name}: version {result.version} registered in {result.seconds():.1f}s, "
            f"{verdict} ({result.gate_reason})"
        )
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_models() -> None:
    """List the configured models: data source, target, primary metric and thresholds."""
    from {{ cookiecutter.package_name }}.models import catalog

    table = Table(
        Column("model", no_wrap=True),
        "task",
        "data source",
        "target",
        "primary metric",
        "thresholds",
    )
    for spec in catalog:
        table.add_row(
            spec.name,
            spec.task,
            spec.source.describe(),
            spec.target,
            spec.primary_metric,
            ", ".join(t.describe() for t in spec.thresholds),
        )
    console.print(table)
