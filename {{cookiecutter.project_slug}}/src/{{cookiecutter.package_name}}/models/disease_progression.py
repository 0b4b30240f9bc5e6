"""Regression: disease progression one year after baseline (scikit-learn's diabetes data)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.models.estimators import numeric_preprocessor
from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec, Threshold

TARGET = "progression"
FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def example_data() -> pd.DataFrame:
    """The data set bundled with scikit-learn (no download): 442 rows, unscaled."""
    bunch = load_diabetes(as_frame=True, scaled=False)
    frame = bunch.frame[FEATURES].copy()
    frame[TARGET] = bunch.frame["target"]
    return frame


def build_estimator() -> Pipeline:
    return Pipeline(
        [
            ("preprocess", numeric_preprocessor(FEATURES)),
            # Single-threaded boosting: predictable timing on small, shared CPUs.
            (
                "regress",
                GradientBoostingRegressor(
                    n_estimators=100, max_depth=2, learning_rate=0.05, subsample=0.8, random_state=0
                ),
            ),
        ]
    )


SCHEMA = pa.DataFrameSchema(
    {
        "age": pa.Column(float, pa.Check.in_range(0, 120), nullable=True),
        "sex": pa.Column(float, pa.Check.isin([1.0, 2.0]), nullable=True),
        **{name: pa.Column(float, pa.Check.ge(0), nullable=True) for name in FEATURES[2:]},
        TARGET: pa.Column(float, pa.Check.ge(0), nullable=False),
    },
    coerce=True,
    strict=False,
)

SPEC = ModelSpec(
    name="disease-progression",
    description="Predicts a diabetes progression score one year ahead.",
    task="regression",
    source=DataSource("diabetes.csv"),
    schema=SCHEMA,
    target=TARGET,
    build_estimator=build_estimator,
    primary_metric="r2",
    thresholds=(Threshold("r2", minimum=0.3), Threshold("rmse", maximum=65.0)),
    example_data=example_data,
)
