"""Wall time of `pipeline run` per example model on the embedded backend (SQLite + local
artifacts), and the share spent in MLflow (connect, register, gate) versus training.

    .venv/bin/python benchmarks/pipeline_time.py [--repeat 3]

Prints figures; asserts nothing. Target: under 30 s per model on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Column, Table

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.pipeline.runner import run_pipeline

MLFLOW_STEPS = ("connect", "register", "gate")
TRAINING_STEPS = ("train",)
CLI = str(Path(sys.executable).with_name("{{ cookiecutter.project_slug }}"))


def embedded_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "dev",
        "DATA_DIR": str(workdir / "var"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{workdir / 'var' / 'mlflow.db'}",
    }


def cli_wall_time(model: str, workdir: Path) -> float:
    """The whole command as a user runs it: start-up, imports, first-run DB creation included."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 -- our own console script, fixed arguments
        [CLI, "pipeline", "run", "--model", model],
        env=embedded_env(workdir),
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="in-process runs per model")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 110))  # keep the figures table readable
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 -- lives as long as the script
    table = Table(
        Column("model", no_wrap=True),
        "CLI, new registry",
        "CLI, existing registry",
        "in-process median",
        "MLflow share",
        "training share",
        "other steps",
        title=f"pipeline run, embedded backend, {os.cpu_count()} CPUs",
    )
    for spec in catalog:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            workdir = Path(tmp)
            cold = cli_wall_time(spec.name, workdir)
            warm = cli_wall_time(spec.name, workdir)
            env = embedded_env(workdir)
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                environment="dev",
                data_dir=Path(env["DATA_DIR"]),
                mlflow_tracking_uri=env["MLFLOW_TRACKING_URI"],
            )
            runs = [
                run_pipeline(spec, settings=settings, console=quiet) for _ in range(args.repeat)
            ]
        totals = [r.seconds() for r in runs]
        mlflow_share = statistics.median(r.seconds(*MLFLOW_STEPS) / r.seconds() for r in runs)
        training_share = statistics.median(r.seconds(*TRAINING_STEPS) / r.seconds() for r in runs)
        table.add_row(
            spec.name,
            f"{cold:.1f} s",
            f"{warm:.1f} s",
            f"{statistics.median(totals):.2f} s",
            f"{mlflow_share:.0%}",
            f"{training_share:.0%}",
            f"{1 - mlflow_share - training_share:.0%}",
        )
        step_medians = {
            step: statistics.median(s.seconds for r in runs for s in r.steps if s.name == step)
            for step in (s.name for s in runs[0].steps)
        }
        console.print(
            f"{spec.name} step medians: "
            + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in step_medians.items())
        )
    console.print(table)
    console.print(
        "CLI columns: whole command incl. start-up and imports; a new registry also creates "
        "the SQLite schema. Shares: of the in-process pipeline time (existing registry)."
    )


if __name__ == "__main__":
    main()
