"""The pipeline's live terminal display: a table of steps with status, time and detail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.table import Table

from {{ cookiecutter.package_name }}.pipeline.engine import PipelineResult, StepReporter

STATUS_STYLE = {
    "pending": "[dim]·[/dim]",
    "running": "[yellow]…[/yellow]",
    "ok": "[green]✓[/green]",
    "failed": "[red]✗[/red]",
    "skipped": "[dim]-[/dim]",
}


@contextmanager
def live_table(result: PipelineResult, console: Console) -> Iterator[StepReporter]:
    """A reporter that redraws the step table on `console` while the run lasts."""
    with Live(render(result), console=console, refresh_per_second=8, transient=False) as live:
        yield lambda current: live.update(render(current))


def render(result: PipelineResult) -> Table:
    table = Table(title=f"pipeline: {result.model}", title_justify="left", show_edge=False)
    table.add_column("", width=1)
    table.add_column("step")
    table.add_column("time", justify="right")
    table.add_column("detail", overflow="fold")
    for step in result.steps:
        seconds = f"{step.seconds:.2f}s" if step.status in {"ok", "failed"} else ""
        table.add_row(STATUS_STYLE[step.status], step.name, seconds, step.detail)
    return table
