"""The typed client and `predict-file`, against the real API."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.client import ApiError, PredictionClient, StaticToken

from tests.api_services import CLASSIFIER, REGRESSOR, RunningApi, TokenFactory, iris_records

pytestmark = pytest.mark.integration


def test_models_and_predict(api: RunningApi, predictor_token: str, viewer_token: str) -> None:
    with PredictionClient(api.url, token=StaticToken(viewer_token)) as viewer:
        models = {model.name: model for model in viewer.models()}
    assert models[CLASSIFIER].version == "1"
    assert models[CLASSIFIER].loaded_at is not None
    assert {column["name"] for column in models[REGRESSOR].inputs} == {"age", "bmi", "bp"}
    with PredictionClient(api.url, token=StaticToken(predictor_token)) as client:
        result = client.predict(CLASSIFIER, iris_records(3))
    assert result.model == CLASSIFIER
    assert result.version == "1"
    assert len(result.predictions) == 3


def test_errors_carry_status_and_the_apis_reason(
    api: RunningApi, viewer_token: str, predictor_token: str
) -> None:
    with (
        PredictionClient(api.url, token=StaticToken(viewer_token)) as client,
        pytest.raises(ApiError) as denied,
    ):
        client.predict(CLASSIFIER, iris_records(1))
    assert denied.value.status_code == 403
    assert "role predictor required" in str(denied.value)
    with (
        PredictionClient(api.url, token=StaticToken(predictor_token)) as client,
        pytest.raises(ApiError) as bad,
    ):
        client.predict(CLASSIFIER, [{"sepal length (cm)": 1.0}])
    assert bad.value.status_code == 422
    assert "Field required" in str(bad.value)


def test_predict_file_writes_every_row_with_its_prediction(
    api: RunningApi, make_token: TokenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As Keycloak issues it: predictor includes viewer, so predict-file reads the signature.
    predictor_token = make_token("pia-predictor", ["viewer", "predictor"])
    monkeypatch.chdir(tmp_path)
    records = iris_records(7)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    result = CliRunner().invoke(
        app,
        [
            "predict-file",
            str(source),
            str(target),
            "--model",
            CLASSIFIER,
            "--api-url",
            api.url,
            "--batch-size",
            "3",
        ],
        env={"API_TOKEN": predictor_token},
    )
    assert result.exit_code == 0, result.output
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7
    assert rows[0]["sepal length (cm)"] == str(records[0]["sepal length (cm)"])
    assert {row["prediction"] for row in rows} <= {"0", "1", "2"}


def test_predict_file_writes_nothing_when_the_api_refuses(
    api: RunningApi, viewer_token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("sepal length (cm)\n1.0\n")
    result = CliRunner().invoke(
        app,
        ["predict-file", str(source), str(target), "--model", CLASSIFIER, "--api-url", api.url],
        env={"API_TOKEN": viewer_token},
    )
    assert result.exit_code == 1
    assert "HTTP 403" in result.output
    assert "nothing written" in result.output
    assert not target.exists()


def test_predict_file_names_a_cell_its_column_cannot_hold(
    api: RunningApi, admin_token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    records = iris_records(2)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows([records[0], {**records[1], "sepal length (cm)": "tall"}])
    result = CliRunner().invoke(
        app,
        ["predict-file", str(source), str(target), "--model", CLASSIFIER, "--api-url", api.url],
        env={"API_TOKEN": admin_token},
    )
    assert result.exit_code == 2
    assert "line 3, column 'sepal length (cm)'" in " ".join(result.output.split())
    assert not target.exists()
