"""Classification: is a breast tumour malignant? (scikit-learn's Wisconsin breast cancer data)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.models.estimators import numeric_preprocessor
from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec, Threshold

TARGET = "malignant"
FEATURES = [
    "mean radius",
    "mean texture",
    "mean perimeter",
    "mean area",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "mean concave points",
    "worst radius",
    "worst texture",
    "worst area",
    "worst concave points",
]


def example_data() -> pd.DataFrame:
    """The data set bundled with scikit-learn (no download): 569 rows."""
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame[FEATURES].copy()
    # sklearn codes malignant as 0; 1 = malignant reads naturally for the positive class.
    frame[TARGET] = (bunch.frame["target"] == 0).astype("int64")
    return frame


def build_estimator() -> Pipeline:
    return Pipeline(
        [
            ("preprocess", numeric_preprocessor(FEATURES)),
            ("classify", LogisticRegression(max_iter=500, C=1.0)),
        ]
    )


SCHEMA = pa.DataFrameSchema(
    {
        **{name: pa.Column(float, pa.Check.ge(0), nullable=True) for name in FEATURES},
        TARGET: pa.Column(int, pa.Check.isin([0, 1]), nullable=False),
    },
    coerce=True,
    strict=False,
)

SPEC = ModelSpec(
    name="tumor-classifier",
    description="Flags malignant breast tumours from cell-nucleus measurements.",
    task="classification",
    source=DataSource("breast_cancer.csv"),
    schema=SCHEMA,
    target=TARGET,
    build_estimator=build_estimator,
    primary_metric="roc_auc",
    thresholds=(Threshold("roc_auc", minimum=0.95), Threshold("f1", minimum=0.9)),
    example_data=example_data,
)
