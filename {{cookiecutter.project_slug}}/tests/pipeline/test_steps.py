"""clean -> features -> split -> train -> evaluate, on the example data sets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.pipeline.clean import clean
from {{ cookiecutter.package_name }}.pipeline.errors import PipelineError
from {{ cookiecutter.package_name }}.pipeline.evaluate import evaluate, plot
from {{ cookiecutter.package_name }}.pipeline.features import build_features
from {{ cookiecutter.package_name }}.pipeline.split import split
from {{ cookiecutter.package_name }}.pipeline.train import train


def test_clean_drops_duplicates_and_unknown_columns() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2], "y": [0, 0, 1], "secret": ["s", "s", "t"]})
    cleaned = clean(frame, columns=["a", "y"])
    assert list(cleaned.columns) == ["a", "y"]
    assert cleaned["a"].tolist() == [1, 2]


def test_features_separates_target() -> None:
    frame = pd.DataFrame({"a": [1], "b": [2], "y": [3]})
    x, y = build_features(frame, features=["a", "b"], target="y")
    assert list(x.columns) == ["a", "b"]
    assert y.tolist() == [3]


def test_split_is_stratified_and_reproducible() -> None:
    x = pd.DataFrame({"a": range(100)})
    y = pd.Series([0] * 80 + [1] * 20)
    first = split(x, y, task="classification", test_size=0.25, random_state=1)
    again = split(x, y, task="classification", test_size=0.25, random_state=1)
    assert first.y_test.sum() == 5  # 20 % positives in the test set too
    assert first.x_test.index.tolist() == again.x_test.index.tolist()


def test_split_refuses_too_few_rows() -> None:
    with pytest.raises(PipelineError, match="at least 10 are needed"):
        split(
            pd.DataFrame({"a": [1, 2]}),
            pd.Series([0, 1]),
            task="regression",
            test_size=0.5,
            random_state=0,
        )


@pytest.mark.parametrize("name", catalog.names())
def test_example_models_clear_their_bar_with_plots(name: str, tmp_path: Path) -> None:
    spec = catalog.get(name)
    assert spec.example_data is not None
    frame = clean(spec.example_data(), columns=[*spec.features, spec.target])
    x, y = build_features(frame, features=spec.features, target=spec.target)
    data = split(x, y, task=spec.task, test_size=spec.test_size, random_state=spec.random_state)
    model = train(spec.build_estimator(), data)
    metrics = evaluate(model, data.x_test, data.y_test, task=spec.task)
    assert spec.primary_metric in metrics
    assert [t.problem(metrics[t.metric]) for t in spec.thresholds] == [None] * len(spec.thresholds)
    # Preprocessing is inside the model: raw records with a missing value still predict.
    raw = data.x_test.head(3).copy()
    raw.iloc[0, 0] = None
    assert len(model.predict(raw)) == 3
    paths = plot(model, data.x_test, data.y_test, task=spec.task, directory=tmp_path)
    assert len(paths) == 2
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
