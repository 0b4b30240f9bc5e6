"""Data access without Streamlit: registry reader, prediction log, training-data discovery."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from {{ cookiecutter.package_name }}.dashboard.prediction_log import (
    PredictionLogReadError,
    logged_inputs,
    open_engine,
    read_recent,
)
from {{ cookiecutter.package_name }}.dashboard.reference_data import (
    ReferenceDataError,
    load_table,
    raw_data_files,
    run_dataset_files,
)
from {{ cookiecutter.package_name }}.dashboard.registry_reader import (
    RegistryReadError,
    metric_by_version,
    read_inputs,
    read_model,
    read_models,
    registry_client,
)
from {{ cookiecutter.package_name }}.dashboard.urls import without_password

from tests.dashboard.backends import ACCURACY, MODEL, NOT_REGISTERED, Registry, write_prediction_log


def test_a_registered_model_reads_with_aliases_metrics_and_primary_metric(
    registry: Registry,
) -> None:
    model = read_model(client=registry_client(registry.tracking_uri), name=MODEL)

    assert model is not None
    assert dict(model.aliases) == {"champion": 1, "challenger": 2}
    assert [v.version for v in model.versions] == [2, 1]
    assert model.version_at("champion") is model.versions[1]
    assert model.versions[1].aliases == ("champion",)
    assert model.primary_metric == "accuracy"
    assert model.metric_names() == ["accuracy", "f1_macro"]
    assert model.versions[0].metrics["accuracy"] == ACCURACY[2]
    history = metric_by_version(model, "accuracy")
    assert history.to_dict(orient="list") == {
        "version": [1, 2],
        "value": [ACCURACY[1], ACCURACY[2]],
        "aliases": ["champion", "challenger"],
    }


def test_a_model_not_registered_reads_as_none(registry: Registry) -> None:
    models = read_models(
        client=registry_client(registry.tracking_uri), names=[NOT_REGISTERED, MODEL]
    )

    assert list(models) == [NOT_REGISTERED, MODEL]
    assert models[NOT_REGISTERED] is None


def test_an_unreachable_registry_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    client = registry_client("http://127.0.0.1:9")

    with pytest.raises(
        RegistryReadError, match=r"cannot read the model registry.*MLFLOW_TRACKING_URI"
    ):
        read_model(client=client, name=MODEL)


def test_a_versions_inputs_come_from_its_signature_and_example(registry: Registry) -> None:
    inputs = read_inputs(
        client=registry_client(registry.tracking_uri),
        tracking_uri=registry.tracking_uri,
        name=MODEL,
        version=1,
    )

    assert [(f.name, f.type, f.is_numeric) for f in inputs.fields] == [
        (name, "double", True) for name in registry.training_data.columns
    ]
    assert inputs.example == pytest.approx(registry.training_data.iloc[0].to_dict())


def test_the_training_file_is_found_through_the_runs_dataset_tag(registry: Registry) -> None:
    client = registry_client(registry.tracking_uri)
    champion = client.get_model_version(MODEL, "1")

    assert run_dataset_files(client=client, run_id=champion.run_id) == [registry.training_csv]
    assert raw_data_files(registry.training_csv.parent) == [registry.training_csv]
    assert raw_data_files(registry.training_csv.parent / "missing") == []


def test_training_data_in_another_format_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match=r"data.json: expected a \.csv or \.parquet file"):
        load_table(b"{}", name="data.json")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReferenceDataError, match=r"cannot read .*broken\.parquet"):
        load_table(tmp_path / "broken.parquet", name=str(tmp_path / "broken.parquet"))


def test_uploaded_csv_bytes_load(registry: Registry) -> None:
    frame = load_table(registry.training_csv.read_bytes(), name="upload.csv")

    assert frame.shape == (150, 5)


def test_reading_a_missing_sqlite_file_neither_fails_nor_creates_it(tmp_path: Path) -> None:
    database = tmp_path / "nothing-here.db"

    assert read_recent(engine=open_engine(f"sqlite:///{database}")) is None
    assert not database.exists()


def test_a_database_without_the_table_reads_as_none(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    with create_engine(f"sqlite:///{database}").begin() as connection:
        connection.execute(text("CREATE TABLE other (id INTEGER)"))

    assert read_recent(engine=open_engine(f"sqlite:///{database}")) is None


def test_recent_rows_are_newest_first_limited_and_filtered(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    write_prediction_log(database, [{"x": float(i)} for i in range(5)])
    write_prediction_log(database, [{"x": 9.0}], model="other-model")
    engine = open_engine(f"sqlite:///{database}")

    newest = read_recent(engine=engine, limit=3, model=MODEL)

    assert newest is not None
    assert newest["request_id"].tolist() == ["req-0004", "req-0003", "req-0002"]
    assert logged_inputs(newest)["x"].tolist() == [4.0, 3.0, 2.0]
    everything = read_recent(engine=engine)
    assert everything is not None
    assert len(everything) == 6


def test_a_broken_database_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    engine = open_engine("postgresql://reader:s3cret@127.0.0.1:9/app?connect_timeout=2")

    with pytest.raises(PredictionLogReadError) as caught:
        read_recent(engine=engine)

    assert "cannot read `prediction_log`" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_logged_inputs_accept_json_text_lists_single_records_and_columns() -> None:
    log = pd.DataFrame(
        {
            "inputs": [
                json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]),
                {"a": "3", "b": "z"},
                "{not json",
                [{"a": None, "b": "w"}],
                json.dumps({"a": [5, 6], "b": ["u", "v"]}),
            ]
        }
    )

    frame = logged_inputs(log)

    assert frame["a"].tolist()[:3] == [1, 2, 3]
    assert pd.isna(frame["a"].iloc[3])
    assert frame["a"].tolist()[4:] == [5, 6]
    assert frame["b"].tolist() == ["x", "y", "z", "w", "u", "v"]
    assert pd.api.types.is_numeric_dtype(frame["a"])


def test_passwords_never_reach_the_screen() -> None:
    assert without_password("postgresql://app:pw@db:5432/app") == "postgresql://app:***@db:5432/app"
    assert without_password("sqlite:///var/app.db") == "sqlite:///var/app.db"
