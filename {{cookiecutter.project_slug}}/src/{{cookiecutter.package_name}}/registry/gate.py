"""Quality gate: `champion` moves only for a version that clears the model's absolute bar
AND is at least as good as the current champion on the primary metric, judged on the
same held-out rows. The decision and its numbers are stored as version tags.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mlflow.sklearn
import pandas as pd

from {{ cookiecutter.package_name }}.models.spec import ModelSpec
from {{ cookiecutter.package_name }}.registry.aliases import champion_version, promote
from {{ cookiecutter.package_name }}.registry.audit import AuditRecord
from {{ cookiecutter.package_name }}.registry.connection import Registry
from {{ cookiecutter.package_name }}.registry.names import GATE_DECISION_TAG, GATE_METRIC_TAG

Scorer = Callable[[Any], dict[str, float]]


@dataclass(frozen=True)
class GateDecision:
    promoted: bool
    reason: str
    metric: str
    challenger_value: float
    champion_version: str | None = None
    champion_value: float | None = None
    threshold_problems: tuple[str, ...] = ()

    def tags(self) -> dict[str, str]:
        tags = {
            GATE_DECISION_TAG: "promoted" if self.promoted else "rejected",
            "gate.reason": self.reason,
            GATE_METRIC_TAG: self.metric,
            "gate.challenger_value": f"{self.challenger_value:.6g}",
            "gate.threshold_problems": json.dumps(list(self.threshold_problems)),
        }
        if self.champion_version is not None:
            tags["gate.champion_version"] = self.champion_version
        if self.champion_value is not None:
            tags["gate.champion_value"] = f"{self.champion_value:.6g}"
        return tags


def decide(
    spec: ModelSpec,
    *,
    metrics: dict[str, float],
    champion: str | None = None,
    champion_value: float | None = None,
) -> GateDecision:
    """The pure decision: thresholds first, then the comparison with the champion."""
    metric = spec.primary_metric
    value = metrics[metric]
    problems = []
    for threshold in spec.thresholds:
        if threshold.metric not in metrics:
            problems.append(f"{threshold.metric} was not measured")
        elif (problem := threshold.problem(metrics[threshold.metric])) is not None:
            problems.append(problem)
    if problems:
        return GateDecision(
            promoted=False,
            reason="below the absolute bar: " + "; ".join(problems),
            metric=metric,
            challenger_value=value,
            champion_version=champion,
            champion_value=champion_value,
            threshold_problems=tuple(problems),
        )
    if champion is None or champion_value is None:
        return GateDecision(
            promoted=True,
            reason="meets every threshold; no champion yet",
            metric=metric,
            challenger_value=value,
        )
    better_or_equal = value >= champion_value if spec.higher_is_better else value <= champion_value
    verdict = "at least as good as" if better_or_equal else "worse than"
    return GateDecision(
        promoted=better_or_equal,
        reason=f"{verdict} the champion: {metric} {value:.4f} vs champion v{champion} "
        f"{champion_value:.4f} on the same data",
        metric=metric,
        challenger_value=value,
        champion_version=champion,
        champion_value=champion_value,
    )


def score_champion(
    registry: Registry, spec: ModelSpec, *, score: Scorer
) -> tuple[str | None, float | None, str | None]:
    """(champion version, its primary metric on this data, why it could not be scored)."""
    version = champion_version(registry, spec.name)
    if version is None:
        return None, None, None
    try:
        model = mlflow.sklearn.load_model(f"models:/{spec.name}/{version}")
        return version, score(model)[spec.primary_metric], None
    except (KeyError, ValueError) as error:
        # The champion expects other columns (schema changed): it cannot be compared.
        return version, None, f"champion v{version} cannot be scored on this data: {error}"


def apply_gate(
    registry: Registry,
    spec: ModelSpec,
    *,
    version: str,
    metrics: dict[str, float],
    x_test: pd.DataFrame,
    y_test: pd.Series,
    score: Callable[[Any, pd.DataFrame, pd.Series], dict[str, float]],
    actor: str | None = None,
) -> GateDecision:
    """Decide, tag the version with the decision, and move `champion` if it passed."""
    champion, champion_value, unscorable = score_champion(
        registry, spec, score=lambda model: score(model, x_test, y_test)
    )
    if unscorable is not None:
        decision = GateDecision(
            promoted=False,
            reason=unscorable + "; compare by hand and use `models promote`",
            metric=spec.primary_metric,
            challenger_value=metrics[spec.primary_metric],
            champion_version=champion,
        )
    else:
        decision = decide(spec, metrics=metrics, champion=champion, champion_value=champion_value)
    record = AuditRecord.now(actor=actor, reason=decision.reason)
    for key, value in {**decision.tags(), **record.tags("gate")}.items():
        registry.client.set_model_version_tag(spec.name, version, key, value)
    if decision.promoted:
        promote(
            registry, spec.name, version, reason=f"quality gate: {decision.reason}", actor=actor
        )
    return decision
