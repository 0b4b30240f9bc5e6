"""The gate's decision: absolute bar first, then at least as good as the champion."""

from __future__ import annotations

import dataclasses

from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.models.spec import Threshold
from {{ cookiecutter.package_name }}.registry.gate import decide

CLASSIFIER = catalog.get("tumor-classifier")  # roc_auc >= 0.95, f1 >= 0.9
GOOD = {"roc_auc": 0.98, "f1": 0.95}


def test_first_version_meeting_the_bar_is_promoted() -> None:
    decision = decide(CLASSIFIER, metrics=GOOD)
    assert decision.promoted
    assert decision.tags()["gate.decision"] == "promoted"


def test_below_the_bar_is_rejected_even_without_champion() -> None:
    decision = decide(CLASSIFIER, metrics={"roc_auc": 0.99, "f1": 0.5})
    assert not decision.promoted
    assert decision.threshold_problems == ("f1=0.5000 is below the minimum 0.9",)


def test_worse_than_champion_is_rejected_with_both_numbers() -> None:
    decision = decide(CLASSIFIER, metrics=GOOD, champion="3", champion_value=0.99)
    assert not decision.promoted
    tags = decision.tags()
    assert tags["gate.decision"] == "rejected"
    assert tags["gate.champion_version"] == "3"
    assert (tags["gate.challenger_value"], tags["gate.champion_value"]) == ("0.98", "0.99")


def test_equal_to_champion_is_promoted() -> None:
    assert decide(CLASSIFIER, metrics=GOOD, champion="3", champion_value=0.98).promoted


def test_lower_is_better_metric_compares_the_other_way() -> None:
    spec = dataclasses.replace(
        CLASSIFIER, primary_metric="rmse", thresholds=(Threshold("rmse", maximum=60),)
    )
    assert decide(spec, metrics={"rmse": 50.0}, champion="1", champion_value=55.0).promoted
    assert not decide(spec, metrics={"rmse": 58.0}, champion="1", champion_value=55.0).promoted
    assert not decide(spec, metrics={"rmse": 61.0}).promoted


def test_unmeasured_threshold_metric_is_a_problem() -> None:
    decision = decide(CLASSIFIER, metrics={"roc_auc": 0.99})
    assert decision.threshold_problems == ("f1 was not measured",)
