"""Against real `mlflow server` processes: (a) SQLite, (b) PostgreSQL + S3 artifacts (moto).

Both example models are trained, registered, gated and then loaded by
`models:/<name>@champion` through the server, the way the prediction API loads them.
"""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.pipeline.runner import run_pipeline
from {{ cookiecutter.package_name }}.registry import connect, load_champion, status

from tests.fixtures.embedded import embedded
from tests.fixtures.services import S3Service

pytestmark = pytest.mark.integration


def train_all_and_load_champions(settings: Settings) -> None:
    for spec in catalog:
        result = run_pipeline(spec, settings=settings)
        assert result.ok
        assert result.promoted, result.gate_reason
        assert spec.example_data is not None
        records = spec.example_data()[spec.features].head(5)
        model = mlflow.pyfunc.load_model(f"models:/{spec.name}@champion")
        assert len(model.predict(records)) == 5
        registry = connect(settings)
        current = status(registry, spec.name)
        assert current.champion == current.challenger == result.version
        _, version = load_champion(spec.name, registry=registry)
        assert version == result.version


def test_sqlite_server(mlflow_sqlite_server: str, tmp_path: Path) -> None:
    train_all_and_load_champions(embedded(tmp_path, mlflow_tracking_uri=mlflow_sqlite_server))


def test_postgres_server_with_s3_artifacts(
    mlflow_postgres_s3_server: str, moto_s3: S3Service, tmp_path: Path
) -> None:
    train_all_and_load_champions(embedded(tmp_path, mlflow_tracking_uri=mlflow_postgres_s3_server))
    listing = moto_s3.client().list_objects_v2(Bucket=moto_s3.bucket, Prefix="artifacts/")
    keys = [item["Key"] for item in listing.get("Contents", [])]
    assert any(key.endswith("MLmodel") for key in keys)
    assert any(key.endswith("plots/confusion_matrix.png") for key in keys)
