"""Each page rendered by Streamlit's AppTest against the real registry and app database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.backends import (
    ACCURACY,
    APP_SCRIPT,
    MODEL,
    NOT_REGISTERED,
    Registry,
    build_registry,
    by_label,
    write_prediction_log,
)
from tests.dashboard.stand_in_api import stand_in_api

TIMEOUT = 60


def open_page(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP_SCRIPT, default_timeout=TIMEOUT).run()
    if page is not None:
        app.switch_page(f"views/{page}").run()
    assert not app.exception, app.exception
    return app


def chart(app: AppTest) -> tuple[dict[str, Any], pd.DataFrame]:
    """The page's one Altair chart: its Vega-Lite spec and the data the browser would plot."""
    (only,) = all_charts(app)
    return only


def all_charts(app: AppTest) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """Every Altair chart on the page, in order: spec and plotted data."""
    found = []
    for element in app.get("vega_lite_chart"):
        proto = element.proto
        data = pa.ipc.open_stream(proto.datasets[0].data.data).read_all().to_pandas()
        found.append((json.loads(proto.spec), data))
    return found


def test_models_page_shows_served_version_aliases_and_metric_history(dashboard_env: Path) -> None:
    app = open_page()

    assert "AUTH_ENABLED=false" in app.warning[0].value
    assert {m.label: m.value for m in app.metric} == {
        "Served version (champion)": "v1",
        "Challenger": "v2",
        "accuracy (champion)": f"{ACCURACY[1]:.4g}",
    }
    versions = app.dataframe[0].value
    assert versions["version"].tolist() == [2, 1]
    assert versions["aliases"].tolist() == ["challenger", "champion"]
    assert versions["gate"].tolist() == ["rejected", "promoted"]
    assert versions["accuracy"].tolist() == [ACCURACY[2], ACCURACY[1]]
    assert app.selectbox(key=f"metric-{MODEL}").value == "accuracy"
    assert any(f"`{NOT_REGISTERED}` is not registered yet" in info.value for info in app.info)


def test_models_page_charts_the_chosen_metric_across_versions(dashboard_env: Path) -> None:
    app = open_page()
    app.selectbox(key=f"metric-{MODEL}").set_value("f1_macro").run()

    spec, data = chart(app)
    assert spec["title"] == "f1_macro by version"
    assert spec["encoding"]["y"]["title"] == "f1_macro"
    assert data["version"].tolist() == [1, 2]
    assert data["value"].tolist() == pytest.approx([ACCURACY[1] - 0.01, ACCURACY[2] - 0.01])


def test_predictions_page_lists_the_newest_logged_requests_first(
    dashboard_env: Path, registry: Registry
) -> None:
    records = registry.training_data.head(30).to_dict(orient="records")
    write_prediction_log(dashboard_env, records)

    app = open_page("predictions.py")

    log = app.dataframe[0].value
    assert len(log) == 30
    assert log["request_id"].tolist()[:3] == ["req-0029", "req-0028", "req-0027"]
    assert set(log["model_name"]) == {MODEL}
    assert {m.label: m.value for m in app.metric}["Requests shown"] == "30"


def test_a_model_with_one_version_shows_its_metrics_as_numbers_not_a_chart(
    dashboard_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "single").mkdir()
    single = build_registry(tmp_path / "single", accuracies={1: ACCURACY[1]})
    monkeypatch.setenv("MLFLOW_TRACKING_URI", single.tracking_uri)

    app = open_page()

    assert not app.get("vega_lite_chart")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["accuracy (v1)"] == f"{ACCURACY[1]:.4g}"
    assert metrics["f1_macro (v1)"] == f"{ACCURACY[1] - 0.01:.4g}"
    assert metrics["Challenger"] == "none"


def test_predictions_page_charts_volume_and_latency_and_shows_inputs_as_columns(
    dashboard_env: Path, registry: Registry
) -> None:
    records = registry.training_data.head(90).to_dict(orient="records")
    write_prediction_log(dashboard_env, records)

    app = open_page("predictions.py")

    (volume, per_minute), (latency, by_statistic) = all_charts(app)
    assert volume["title"] == "Requests per minute"
    assert per_minute["requests"].tolist() == [60, 30]  # one request a second from 00:00:00
    assert latency["title"] == "Latency per minute"
    assert set(by_statistic["statistic"]) == {"median", "95th percentile"}
    log = app.dataframe[0].value
    assert "inputs" not in log.columns
    assert log[list(registry.training_data.columns)].iloc[0].tolist() == pytest.approx(
        registry.training_data.iloc[89].tolist()
    )
    assert log["prediction"].tolist()[:2] == [0, 0]


def test_predictions_page_filters_by_model(dashboard_env: Path, registry: Registry) -> None:
    write_prediction_log(dashboard_env, registry.training_data.head(3).to_dict(orient="records"))
    app = open_page("predictions.py")

    app.selectbox[0].set_value(NOT_REGISTERED).run()

    assert not app.dataframe
    assert "no prediction has been served yet" in app.info[0].value


def test_predictions_page_without_a_log_says_how_to_create_one(dashboard_env: Path) -> None:
    app = open_page("predictions.py")

    assert "`prediction_log` does not exist" in app.info[0].value
    assert "db upgrade" in app.info[0].value
    # Reading must not create the SQLite file the API's migrations are meant to create.
    assert not dashboard_env.exists()


def test_drift_page_flags_the_shifted_feature_only(dashboard_env: Path, registry: Registry) -> None:
    recent = registry.training_data.sample(80, random_state=7)
    recent["petal_length"] = recent["petal_length"] + 3.0
    write_prediction_log(dashboard_env, recent.to_dict(orient="records"))

    app = open_page("drift.py")

    assert by_label(app.selectbox, "Training data").value == str(registry.training_csv)
    table = app.dataframe[0].value
    verdicts = dict(zip(table["feature"], table["drifted"], strict=True))
    assert verdicts == {
        "petal_length": True,
        "sepal_length": False,
        "sepal_width": False,
        "petal_width": False,
    }
    assert "Drift in 1 of 4 features: petal_length" in app.error[0].value
    spec, shares = chart(app)
    assert spec["title"] == "petal_length: training data vs recent inputs"
    assert shares.groupby("sample")["share"].sum().to_dict() == pytest.approx(
        {"training data": 1.0, "recent inputs": 1.0}
    )


def test_drift_page_with_too_few_inputs_says_it_cannot_test(
    dashboard_env: Path, registry: Registry
) -> None:
    write_prediction_log(dashboard_env, registry.training_data.head(3).to_dict(orient="records"))

    app = open_page("drift.py")

    assert "Drift cannot be tested yet: not enough recent inputs (3 of at least 5)" in (
        app.warning[-1].value
    )
    assert not app.success  # never "No drift detected" when nothing was tested


def test_drift_page_without_logged_inputs_asks_for_predictions(dashboard_env: Path) -> None:
    app = open_page("drift.py")

    assert f"No logged inputs for {MODEL} yet" in app.info[0].value


def test_try_prediction_sends_the_example_record_and_shows_the_answer(
    dashboard_env: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    with stand_in_api() as api:
        api.answer = {"request_id": "r-42", "model": MODEL, "version": "1", "predictions": [0]}
        monkeypatch.setenv("API_URL", api.url)
        app = open_page("try_prediction.py")
        assert [n.label for n in app.number_input] == list(registry.training_data.columns)
        by_label(app.number_input, "petal_length").set_value(4.5)
        by_label(app.button, "Predict").click().run()

    assert api.requests[0]["path"] == f"/v1/models/{MODEL}/predict"
    assert api.requests[0]["authorization"] is None  # auth off: no token to forward
    expected = registry.training_data.head(1).to_dict(orient="records")[0] | {"petal_length": 4.5}
    assert api.requests[0]["json"] == {"records": [pytest.approx(expected)]}
    assert "Prediction: **0**" in app.success[0].value
    assert "request id `r-42`" in app.caption[-1].value


def test_try_prediction_explains_an_api_refusal(
    dashboard_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with stand_in_api() as api:
        api.status = 422
        api.answer = {"detail": [{"loc": ["body", "records", 0, "sepal_length"], "msg": "bad"}]}
        monkeypatch.setenv("API_URL", api.url)
        app = open_page("try_prediction.py")
        by_label(app.button, "Predict").click().run()

    assert "422" in app.error[0].value
    assert "body.records.0.sepal_length: bad" in app.error[0].value
