"""The step engine on its own: order, timings, the first failure, and any reporter."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.pipeline.engine import (
    PipelineFailedError,
    PipelineResult,
    StepResult,
    run_steps,
)


def test_steps_run_in_order_and_every_change_reaches_the_reporter() -> None:
    result = PipelineResult(model="m", steps=[StepResult("one"), StepResult("two")])
    seen: list[list[str]] = []

    run_steps(
        result,
        [lambda: "first", lambda: "second"],
        report=lambda current: seen.append([s.status for s in current.steps]),
    )

    assert [(s.status, s.detail) for s in result.steps] == [("ok", "first"), ("ok", "second")]
    assert seen == [
        ["pending", "pending"],
        ["running", "pending"],
        ["ok", "pending"],
        ["ok", "running"],
        ["ok", "ok"],
    ]
    assert result.ok


def test_the_first_failure_stops_the_run_and_skips_the_rest() -> None:
    result = PipelineResult(model="m", steps=[StepResult(n) for n in ("one", "two", "three")])

    def broken() -> str:
        raise ValueError("no rows\nmore detail")

    with pytest.raises(PipelineFailedError, match=r"m: step 'two' failed: ValueError: no rows"):
        run_steps(result, [lambda: "ok", broken, lambda: "never"], report=lambda _: None)

    assert [s.status for s in result.steps] == ["ok", "failed", "skipped"]
    assert result.steps[1].detail == "no rows"
    assert not result.ok
