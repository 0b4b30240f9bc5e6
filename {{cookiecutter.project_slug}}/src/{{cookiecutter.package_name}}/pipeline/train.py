"""Train: fit the model's estimator (preprocessing included) on the training rows."""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.pipeline.split import Split


def train(estimator: Pipeline, data: Split) -> Pipeline:
    return estimator.fit(data.x_train, data.y_train)
