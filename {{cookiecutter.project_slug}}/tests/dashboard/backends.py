"""Real back ends for the dashboard tests (used by conftest.py and the tests).

An MLflow registry on SQLite holding a small scikit-learn model in two versions, and an app
database with the API's own prediction-log table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import {{ cookiecutter.package_name }}.dashboard as dashboard_package
from {{ cookiecutter.package_name }}.db.models import Base, PredictionLog

APP_SCRIPT = Path(dashboard_package.__file__).with_name("app.py")
MODEL = "iris-classifier"
NOT_REGISTERED = "churn-forecaster"
# Version 1 is champion, version 2 challenger: the accuracies each version's run logged.
ACCURACY = {1: 0.91, 2: 0.95}
T = TypeVar("T")


@dataclass(frozen=True)
class Registry:
    tracking_uri: str
    training_csv: Path
    training_data: pd.DataFrame


def iris_features() -> tuple[pd.DataFrame, pd.Series]:
    frame = load_iris(as_frame=True)
    features = frame.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    return features, frame.target


def build_registry(root: Path) -> Registry:
    """Two versions of MODEL: v1 champion, v2 challenger, each with signature and input example."""
    uri = f"sqlite:///{root / 'mlflow.db'}"
    features, target = iris_features()
    training_csv = root / "raw" / "iris.csv"
    training_csv.parent.mkdir()
    features.assign(species=target).to_csv(training_csv, index=False)

    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment(
        "dashboard-tests", artifact_location=(root / "artifacts").as_uri()
    )
    try:
        for version, accuracy in ACCURACY.items():
            model = LogisticRegression(max_iter=300, C=float(version)).fit(features, target)
            with mlflow.start_run(experiment_id=experiment):
                mlflow.log_metrics({"accuracy": accuracy, "f1_macro": accuracy - 0.01})
                mlflow.set_tag("dataset.source", str(training_csv))
                mlflow.sklearn.log_model(
                    model,
                    name="model",
                    signature=infer_signature(features, target),
                    input_example=features.head(1),
                    registered_model_name=MODEL,
                    # Declared, not inferred: inference re-imports the model in a subprocess (slow).
                    pip_requirements=["scikit-learn"],
                )
            client.set_model_version_tag(MODEL, str(version), "gate.metric", "accuracy")
        client.set_model_version_tag(MODEL, "1", "gate.decision", "promoted")
        client.set_model_version_tag(MODEL, "2", "gate.decision", "rejected")
        client.set_registered_model_alias(MODEL, "champion", "1")
        client.set_registered_model_alias(MODEL, "challenger", "2")
    finally:
        mlflow.set_tracking_uri(previous)
    return Registry(tracking_uri=uri, training_csv=training_csv, training_data=features)


def write_prediction_log(
    database: Path, rows: list[dict[str, float]], *, model: str = MODEL
) -> None:
    """The API's own table, one logged request per record, the last record newest."""
    engine = create_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add_all(
            PredictionLog(
                request_id=f"req-{index:04d}",
                model_name=model,
                model_version="1",
                inputs=[record],
                outputs=[0],
                latency_ms=2.0 + index % 3,
                caller_sub="tester",
                created_at=start + timedelta(seconds=index),
            )
            for index, record in enumerate(rows)
        )
        session.commit()
    engine.dispose()


def by_label(widgets: Iterable[T], label: str) -> T:
    """The AppTest widget with this label (AppTest looks widgets up by key or position only)."""
    return next(w for w in widgets if getattr(w, "label", None) == label)
