"""Drift statistics: the KS verdict per feature, and the histograms the chart draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.dashboard.drift import (
    MIN_SAMPLE_SIZE,
    detect_drift,
    drift_table,
    histograms,
)


@pytest.fixture
def training() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "age": rng.normal(40, 10, 2000),
            "income": rng.lognormal(10, 0.5, 2000),
            "city": rng.choice(["a", "b"], 2000),
        }
    )


def test_a_sample_of_the_training_data_does_not_drift(training: pd.DataFrame) -> None:
    results = detect_drift(reference=training, current=training.sample(300, random_state=1))

    assert [(r.feature, r.drifted) for r in results] == [("age", False), ("income", False)]


def test_a_shifted_feature_drifts_and_text_columns_are_skipped(training: pd.DataFrame) -> None:
    recent = training.sample(300, random_state=1).assign(age=lambda f: f["age"] + 8)

    results = {r.feature: r for r in detect_drift(reference=training, current=recent)}

    assert set(results) == {"age", "income"}
    assert results["age"].drifted is True
    assert results["age"].p_value is not None
    assert results["age"].p_value < 1e-6
    assert results["income"].drifted is False
    assert (results["age"].reference_size, results["age"].current_size) == (2000, 300)


def test_too_few_recent_values_get_no_verdict(training: pd.DataFrame) -> None:
    recent = training.head(MIN_SAMPLE_SIZE - 1)

    result = detect_drift(reference=training, current=recent, features=["age"])

    assert len(result) == 1
    assert (result[0].drifted, result[0].p_value, result[0].current_size) == (None, None, 4)


def test_missing_values_are_ignored_not_counted(training: pd.DataFrame) -> None:
    recent = training.head(50).copy()
    recent.loc[:9, "age"] = np.nan

    (age,) = detect_drift(reference=training, current=recent, features=["age"])

    assert age.current_size == 40


def test_alpha_outside_zero_and_one_is_refused(training: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="alpha must be between 0 and 1, got 5"):
        detect_drift(reference=training, current=training, alpha=5)


def test_the_table_lists_drifted_features_first(training: pd.DataFrame) -> None:
    recent = training.sample(300, random_state=1).assign(income=lambda f: f["income"] * 3)

    table = drift_table(detect_drift(reference=training, current=recent))

    assert table["feature"].tolist() == ["income", "age"]
    assert table["drifted"].tolist() == [True, False]


def test_histograms_share_bins_and_each_sample_sums_to_one(training: pd.DataFrame) -> None:
    recent = training.head(100).assign(age=lambda f: f["age"] + 30)

    bars = histograms(reference=training, current=recent, feature="age", bins=10)

    assert len(bars) == 20
    per_sample = bars.groupby("sample")
    assert per_sample["share"].sum().to_dict() == pytest.approx(
        {"training data": 1, "recent inputs": 1}
    )
    starts = {name: group["bin_start"].tolist() for name, group in per_sample}
    assert starts["training data"] == starts["recent inputs"]  # the same bins for both samples
    assert bars["bin_start"].min() == pytest.approx(training["age"].min())
    assert bars["bin_end"].max() == pytest.approx(recent["age"].max())
