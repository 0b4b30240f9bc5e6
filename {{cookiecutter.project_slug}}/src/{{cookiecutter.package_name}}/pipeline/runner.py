"""One model's pipeline: the steps and what passes between them, run by the step engine.

ingest -> validate -> clean -> features -> split -> train -> evaluate -> register -> gate,
after a quick registry check so an unreachable registry fails before any training.
The first failing step stops the run; later steps are marked skipped (engine.py). Progress
goes to a reporter: by default the live terminal table (display.py).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec
from {{ cookiecutter.package_name }}.pipeline.clean import clean
from {{ cookiecutter.package_name }}.pipeline.display import live_table
from {{ cookiecutter.package_name }}.pipeline.engine import (
    PipelineFailedError,
    PipelineResult,
    StepReporter,
    StepResult,
    run_steps,
)
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate, plot
from {{ cookiecutter.package_name }}.pipeline.features import build_features
from {{ cookiecutter.package_name }}.pipeline.ingest import RawData, ensure_example_data, ingest
from {{ cookiecutter.package_name }}.pipeline.split import Split, split
from {{ cookiecutter.package_name }}.pipeline.train import train
from {{ cookiecutter.package_name }}.pipeline.validate import validate
from {{ cookiecutter.package_name }}.registry.names import DATASET_SOURCE_TAG

logger = logging.getLogger(__name__)

__all__ = ["STEPS", "PipelineFailedError", "PipelineResult", "run_pipeline"]
STEPS = (
    "connect",
    "ingest",
    "validate",
    "clean",
    "features",
    "split",
    "train",
    "evaluate",
    "register",
    "gate",
)


@dataclass
class _State:
    """Values passed from one step to the next."""

    raw: RawData | None = None
    frame: pd.DataFrame | None = None
    x: pd.DataFrame | None = None
    y: pd.Series | None = None
    data: Split | None = None
    model: Any = None
    metrics: dict[str, float] = field(default_factory=dict)
    plots: list[Path] = field(default_factory=list)
    registry: Any = None
    version: str | None = None


def run_pipeline(
    spec: ModelSpec,
    *,
    settings: Settings,
    data: DataSource | None = None,
    console: Console | None = None,
    actor: str | None = None,
    report: StepReporter | None = None,
) -> PipelineResult:
    """Train, evaluate, register and gate one model; PipelineFailedError on the first failure.

    Progress goes to `report`, or else to a live table on `console` (stderr by default)."""
    result = PipelineResult(model=spec.name, steps=[StepResult(name) for name in STEPS])
    state = _State()
    with tempfile.TemporaryDirectory(prefix="pipeline-plots-") as plots_dir:
        steps = _steps(
            spec,
            settings=settings,
            data=data,
            state=state,
            plots_dir=Path(plots_dir),
            actor=actor,
            result=result,
        )
        reporting = (
            nullcontext(report)
            if report is not None
            else live_table(result, console or Console(stderr=True))
        )
        with reporting as reporter:
            run_steps(result, steps, report=reporter)
    result.version = state.version
    result.metrics = state.metrics
    return result


def _steps(
    spec: ModelSpec,
    *,
    settings: Settings,
    data: DataSource | None,
    state: _State,
    plots_dir: Path,
    actor: str | None,
    result: PipelineResult,
) -> list[Callable[[], str]]:
    """One small adapter per step: call the typed step function, keep its output in `state`."""
    from {{ cookiecutter.package_name }}.registry.connection import connect, redact

    def connect_step() -> str:
        state.registry = connect(settings)
        return redact(settings.mlflow_tracking_uri)

    def ingest_step() -> str:
        source = data or spec.source
        if data is None and (written := ensure_example_data(spec, data_dir=settings.data_dir)):
            logger.info("wrote example data set to %s", written)
        secret = settings.aws_secret_access_key
        state.raw = ingest(
            source,
            data_dir=settings.data_dir,
            s3_endpoint_url=settings.mlflow_s3_endpoint_url,
            aws_access_key_id=settings.aws_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
        )
        return f"{state.raw.rows} rows from {state.raw.source}"

    def validate_step() -> str:
        assert state.raw is not None
        state.frame = validate(state.raw.frame, spec.schema, target=spec.target)
        return f"{len(spec.schema.columns)} columns checked"

    def clean_step() -> str:
        assert state.frame is not None
        before = len(state.frame)
        state.frame = clean(state.frame, columns=[*spec.features, spec.target])
        return f"{before - len(state.frame)} duplicate rows dropped"

    def features_step() -> str:
        assert state.frame is not None
        state.x, state.y = build_features(state.frame, features=spec.features, target=spec.target)
        return f"{len(spec.features)} features, target '{spec.target}'"

    def split_step() -> str:
        assert state.x is not None
        assert state.y is not None
        state.data = split(
            state.x,
            state.y,
            task=spec.task,
            test_size=spec.test_size,
            random_state=spec.random_state,
        )
        return f"{len(state.data.x_train)} train / {len(state.data.x_test)} test rows"

    def train_step() -> str:
        assert state.data is not None
        state.model = train(spec.build_estimator(), state.data)
        return type(state.model.steps[-1][1]).__name__

    def evaluate_step() -> str:
        assert state.data is not None
        state.metrics = evaluate(state.model, state.data.x_test, state.data.y_test, task=spec.task)
        state.plots = plot(
            state.model, state.data.x_test, state.data.y_test, task=spec.task, directory=plots_dir
        )
        return f"{spec.primary_metric}={state.metrics[spec.primary_metric]:.4f}"

    def register_step() -> str:
        from {{ cookiecutter.package_name }}.registry.versions import register_version

        assert state.raw is not None
        assert state.data is not None
        registered = register_version(
            state.registry,
            spec,
            model=state.model,
            params=_params(spec, state.model, state.data),
            metrics=state.metrics,
            dataset={
                "dataset.sha256": state.raw.sha256,
                "dataset.rows": str(state.raw.rows),
                DATASET_SOURCE_TAG: state.raw.source,
            },
            plots=state.plots,
            example=state.data.x_test,
        )
        state.version = registered.version
        return f"version {registered.version} (alias challenger)"

    def gate_step() -> str:
        from {{ cookiecutter.package_name }}.registry.gate import apply_gate

        assert state.data is not None
        assert state.version is not None
        decision = apply_gate(
            state.registry,
            spec,
            version=state.version,
            metrics=state.metrics,
            x_test=state.data.x_test,
            y_test=state.data.y_test,
            score=lambda model, x, y: evaluate(model, x, y, task=spec.task),
            actor=actor,
        )
        result.promoted, result.gate_reason = decision.promoted, decision.reason
        return ("champion: " if decision.promoted else "not promoted: ") + decision.reason

    return [
        connect_step,
        ingest_step,
        validate_step,
        clean_step,
        features_step,
        split_step,
        train_step,
        evaluate_step,
        register_step,
        gate_step,
    ]


def _params(spec: ModelSpec, model: Any, data: Split) -> dict[str, Any]:
    estimator = model.steps[-1][1]
    params: dict[str, Any] = {
        "task": spec.task,
        "target": spec.target,
        "features": ",".join(spec.features),
        "train_rows": len(data.x_train),
        "test_rows": len(data.x_test),
        "test_size": spec.test_size,
        "random_state": spec.random_state,
        "estimator": type(estimator).__name__,
    }
    for key, value in estimator.get_params(deep=False).items():
        if value is None or isinstance(value, str | int | float | bool):
            params[f"estimator.{key}"] = value
    return params
