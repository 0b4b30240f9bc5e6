"""The step engine: run named steps in order, time each, stop at the first failure.

It knows nothing about terminals: each status change goes to a `StepReporter` (the live table in
display.py, a test's list, later the dashboard) and to this module's log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from {{ cookiecutter.package_name }}.pipeline.errors import PipelineError

logger = logging.getLogger(__name__)

Status = Literal["pending", "running", "ok", "failed", "skipped"]
# A step returns a one-line detail for the report ("150 rows from ...").
StepAction = Callable[[], str]
# Called after every status change with the whole run so far.
StepReporter = Callable[["PipelineResult"], None]


@dataclass
class StepResult:
    name: str
    status: Status = "pending"
    seconds: float = 0.0
    detail: str = ""


@dataclass
class PipelineResult:
    """What a run did: per-step timings, the registered version and the gate's decision."""

    model: str
    steps: list[StepResult]
    version: str | None = None
    promoted: bool | None = None
    gate_reason: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def seconds(self, *names: str) -> float:
        return sum(step.seconds for step in self.steps if not names or step.name in names)

    @property
    def ok(self) -> bool:
        return all(step.status == "ok" for step in self.steps)


class PipelineFailedError(PipelineError):
    """A step failed; `result` holds the steps that ran."""

    def __init__(self, step: str, error: BaseException, result: PipelineResult) -> None:
        message = (
            str(error) if isinstance(error, PipelineError) else f"{type(error).__name__}: {error}"
        )
        super().__init__(f"{result.model}: step '{step}' failed: {message}")
        self.step = step
        self.result = result


def run_steps(
    result: PipelineResult, actions: Sequence[StepAction], *, report: StepReporter
) -> None:
    """Run `actions` for `result.steps` in order; PipelineFailedError on the first failure,
    with the later steps marked skipped."""
    report(result)
    for step, action in zip(result.steps, actions, strict=True):
        step.status = "running"
        report(result)
        started = time.perf_counter()
        try:
            step.detail = action()
        except Exception as error:
            step.seconds = time.perf_counter() - started
            step.status = "failed"
            step.detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            for later in result.steps:
                if later.status == "pending":
                    later.status = "skipped"
            report(result)
            logger.warning("%s: step %s failed after %.2fs", result.model, step.name, step.seconds)
            logger.debug("step failure", exc_info=True)
            raise PipelineFailedError(step.name, error, result) from error
        step.seconds = time.perf_counter() - started
        step.status = "ok"
        report(result)
        logger.info("%s: %s ok in %.2fs %s", result.model, step.name, step.seconds, step.detail)
