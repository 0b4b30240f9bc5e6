"""Full pipeline on the embedded stack: what a run logs, the gate, promote and rollback.

The tests in this module share one registry and run in order: v1 becomes champion,
a deliberately worse v2 does not replace it, then promote and rollback move it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import mlflow
import pytest
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.models.estimators import numeric_preprocessor
from {{ cookiecutter.package_name }}.models.spec import Threshold
from {{ cookiecutter.package_name }}.pipeline.runner import run_pipeline
from {{ cookiecutter.package_name }}.registry import (
    RegistryError,
    champion_version,
    connect,
    load_champion,
    promote,
    rollback,
)

from tests.fixtures.embedded import aliases, embedded, versions

SPEC = catalog.get("tumor-classifier")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = embedded(tmp_path_factory.mktemp("embedded"))
    result = run_pipeline(SPEC, settings=settings)
    assert result.ok
    assert result.version == "1"
    assert result.promoted
    return settings


def client(settings: Settings) -> MlflowClient:
    return MlflowClient(
        tracking_uri=settings.mlflow_tracking_uri, registry_uri=settings.mlflow_tracking_uri
    )


def test_first_run_writes_example_data_and_logs_everything(settings: Settings) -> None:
    raw_file = settings.data_dir / "raw" / "breast_cancer.csv"
    version = client(settings).get_model_version(SPEC.name, "1")
    run = client(settings).get_run(version.run_id)
    assert run.data.tags["dataset.sha256"] == hashlib.sha256(raw_file.read_bytes()).hexdigest()
    assert run.data.tags["dataset.rows"] == "569"
    assert run.data.tags["code_version"].startswith("0.1.0")
    assert run.data.params["estimator"] == "LogisticRegression"
    assert run.data.metrics["roc_auc"] > 0.95
    plots = {a.path for a in client(settings).list_artifacts(run.info.run_id, "plots")}
    assert plots == {"plots/confusion_matrix.png", "plots/roc_curve.png"}
    # Artifacts live in the local folder under DATA_DIR, not in the working directory.
    assert (settings.data_dir / "mlartifacts").is_dir()
    info = mlflow.models.get_model_info(f"models:/{SPEC.name}/1")
    assert info.signature is not None
    assert [c.name for c in info.signature.inputs.inputs] == SPEC.features
    assert info.saved_input_example_info is not None


def test_champion_is_loadable_by_alias_and_serves_raw_records(settings: Settings) -> None:
    assert aliases(settings, SPEC.name) == {"champion": "1", "challenger": "1"}
    model = mlflow.pyfunc.load_model(f"models:/{SPEC.name}@champion")
    assert SPEC.example_data is not None
    records = SPEC.example_data()[SPEC.features].head(4)
    assert set(model.predict(records)) <= {0, 1}
    registry = connect(settings)
    loaded, version = load_champion(SPEC.name, registry=registry)
    assert version == "1" == champion_version(SPEC.name, registry=registry)
    assert list(loaded.predict(records)) == list(model.predict(records))
    tags = client(settings).get_model_version(SPEC.name, "1").tags
    assert tags["gate.decision"] == "promoted"
    assert tags["champion.promoted.reason"].startswith("quality gate")


def weak_estimator() -> Pipeline:
    # One weak feature: clears a lowered bar but is clearly worse than the champion.
    return Pipeline(
        [
            ("preprocess", numeric_preprocessor(["mean smoothness"])),
            ("classify", LogisticRegression()),
        ]
    )


def test_worse_model_does_not_replace_champion(settings: Settings) -> None:
    worse = dataclasses.replace(
        SPEC, build_estimator=weak_estimator, thresholds=(Threshold("roc_auc", minimum=0.5),)
    )
    result = run_pipeline(worse, settings=settings)
    assert result.version == "2"
    assert result.promoted is False
    assert aliases(settings, SPEC.name) == {"champion": "1", "challenger": "2"}
    tags = client(settings).get_model_version(SPEC.name, "2").tags
    assert tags["gate.decision"] == "rejected"
    assert tags["gate.champion_version"] == "1"
    assert float(tags["gate.challenger_value"]) < float(tags["gate.champion_value"])
    assert "worse than the champion" in tags["gate.reason"]


def test_below_absolute_bar_is_not_promoted(settings: Settings) -> None:
    strict = dataclasses.replace(SPEC, thresholds=(Threshold("roc_auc", minimum=0.9999),))
    result = run_pipeline(strict, settings=settings)
    assert result.version == "3"
    assert result.promoted is False
    assert aliases(settings, SPEC.name)["champion"] == "1"
    tags = client(settings).get_model_version(SPEC.name, "3").tags
    assert json.loads(tags["gate.threshold_problems"])[0].startswith("roc_auc=")


def test_promote_then_rollback_are_audited(settings: Settings) -> None:
    registry = connect(settings)
    record = promote(registry, SPEC.name, "2", reason="shadow test", actor="alice")
    assert record.actor == "alice"
    assert aliases(settings, SPEC.name)["champion"] == "2"
    tags = client(settings).get_model_version(SPEC.name, "2").tags
    assert (tags["champion.promoted.by"], tags["champion.promoted.reason"]) == (
        "alice",
        "shadow test",
    )

    assert rollback(registry, SPEC.name, reason="bad predictions", actor="bob") == ("2", "1")
    assert aliases(settings, SPEC.name)["champion"] == "1"
    tags = client(settings).get_model_version(SPEC.name, "2").tags
    assert (tags["champion.rolled_back.by"], tags["champion.rolled_back.reason"]) == (
        "bob",
        "bad predictions",
    )
    model_tags = client(settings).get_registered_model(SPEC.name).tags
    assert json.loads(model_tags["champion.history"]) == ["1"]
    assert json.loads(model_tags["champion.last_change"])["action"] == "rollback"

    with pytest.raises(RegistryError, match="no previous champion before version 1"):
        rollback(registry, SPEC.name, reason="again")
    assert aliases(settings, SPEC.name)["champion"] == "1"
    with pytest.raises(RegistryError, match="has no version 42"):
        promote(registry, SPEC.name, "42", reason="typo")
    assert versions(settings, SPEC.name) == ["1", "2", "3"]
