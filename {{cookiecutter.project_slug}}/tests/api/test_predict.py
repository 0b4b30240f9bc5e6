"""Predict, list and reload against the real app (uvicorn), real tokens and a real registry."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.api_services import (
    CLASSIFIER,
    REGRESSOR,
    RunningApi,
    TinyRegistry,
    diabetes_records,
    iris_records,
)

pytestmark = pytest.mark.integration


def test_predict_returns_one_prediction_per_record_with_model_version_and_request_id(
    api: RunningApi, predictor_token: str
) -> None:
    records = iris_records(5)
    response = api.post(
        f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": records}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == CLASSIFIER
    assert body["version"] == "1"
    assert len(body["predictions"]) == 5
    assert set(body["predictions"]) <= {0, 1, 2}
    assert len(body["request_id"]) == 32
    assert response.headers["X-Request-ID"] == body["request_id"]


def test_predictions_match_the_registered_model(
    api: RunningApi, predictor_token: str, tiny_registry: TinyRegistry
) -> None:
    import mlflow.pyfunc
    import pandas as pd

    mlflow.set_registry_uri(tiny_registry.tracking_uri)

    records = diabetes_records(4)
    response = api.post(
        f"/v1/models/{REGRESSOR}/predict", predictor_token, json={"records": records}
    )
    assert response.status_code == 200, response.text
    expected = mlflow.pyfunc.load_model(f"models:/{REGRESSOR}@champion").predict(
        pd.DataFrame(records)
    )
    assert response.json()["predictions"] == pytest.approx(list(expected))


def test_missing_column_is_named(api: RunningApi, predictor_token: str) -> None:
    record = iris_records(1)[0]
    del record["petal width (cm)"]
    bad = api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": [record]})
    assert bad.status_code == 422
    assert "records.0.petal width (cm)" in bad.json()["detail"]["message"]
    assert "Field required" in bad.json()["detail"]["message"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("14.1", "valid number"), (True, "valid number"), (None, "valid number")],
    ids=["numeric-text", "boolean", "null"],
)
def test_number_columns_take_json_numbers_only(
    api: RunningApi, predictor_token: str, value: object, fragment: str
) -> None:
    record = {**iris_records(1)[0], "sepal length (cm)": value}
    bad = api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": [record]})
    assert bad.status_code == 422, bad.text
    message = bad.json()["detail"]["message"]
    assert "records.0.sepal length (cm)" in message
    assert fragment in message
    whole = {**record, "sepal length (cm)": 5}  # a JSON integer is a number too
    ok = api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": [whole]})
    assert ok.status_code == 200, ok.text


def test_values_beyond_the_dtype_are_refused_and_the_schema_says_so(
    api: RunningApi, predictor_token: str
) -> None:
    record = {**iris_records(1)[0], "sepal length (cm)": 1e300}
    bad = api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": [record]})
    assert bad.status_code == 422, bad.text
    assert "less than or equal to" in bad.json()["detail"]["message"]
    column = api.get("/openapi.json").json()["components"]["schemas"]["TinyClassifierRecord"][
        "properties"
    ]["sepal length (cm)"]
    assert column["maximum"] == pytest.approx(3.4028234663852886e38)
    assert column["minimum"] == pytest.approx(-3.4028234663852886e38)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_content_type_is_415(
    api: RunningApi, predictor_token: str, content_type: str | None
) -> None:
    body = json.dumps({"records": iris_records(1)}).encode()
    headers = {"Authorization": f"Bearer {predictor_token}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = httpx.post(
        f"{api.url}/v1/models/{CLASSIFIER}/predict", content=body, headers=headers, timeout=30
    )
    assert response.status_code == 415, response.text
    assert "Content-Type: application/json" in response.json()["detail"]
    charset = {**headers, "Content-Type": "application/json; charset=utf-8"}
    ok = httpx.post(
        f"{api.url}/v1/models/{CLASSIFIER}/predict", content=body, headers=charset, timeout=30
    )
    assert ok.status_code == 200, ok.text


def test_body_over_the_limit_is_413_from_content_length(
    api: RunningApi, predictor_token: str
) -> None:
    limit = api.settings.max_request_bytes
    body = b'{"records": [' + b" " * limit + b"]}"
    headers = {"Authorization": f"Bearer {predictor_token}", "Content-Type": "application/json"}
    response = httpx.post(
        f"{api.url}/v1/models/{CLASSIFIER}/predict", content=body, headers=headers, timeout=30
    )
    assert response.status_code == 413
    assert "MAX_REQUEST_BYTES" in response.json()["detail"]


def test_streamed_body_over_the_limit_is_413_before_it_is_read_in_full(
    api: RunningApi, predictor_token: str
) -> None:
    limit = api.settings.max_request_bytes
    sent = 0

    def chunks() -> Iterator[bytes]:
        # Chunked: no Content-Length, so only the streaming count can stop it.
        nonlocal sent
        yield b'{"records": ['
        for _ in range(100 * limit // 65536):
            sent += 65536
            yield b" " * 65536

    headers = {"Authorization": f"Bearer {predictor_token}", "Content-Type": "application/json"}
    try:
        response = httpx.post(
            f"{api.url}/v1/models/{CLASSIFIER}/predict", content=chunks(), headers=headers
        )
    except httpx.HTTPError:
        # The server may close the connection before the client finishes sending.
        assert sent < 100 * limit
        return
    assert response.status_code == 413
    assert sent < 100 * limit, "the server answered only after the whole body"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"records": []}, "at least 1 item"),
        ({"rows": []}, "records: Field required"),
        ({"records": [{"sepal length (cm)": "wide"}]}, "valid number"),
        ({"records": "nope"}, "valid array"),
    ],
    ids=["empty", "wrong-key", "not-a-number", "not-a-list"],
)
def test_bad_bodies_get_422_naming_the_problem(
    api: RunningApi, predictor_token: str, body: object, fragment: str
) -> None:
    response = api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json=body)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]["message"]


def test_unknown_column_is_refused(api: RunningApi, predictor_token: str) -> None:
    record = {**iris_records(1)[0], "colour": 3}
    response = api.post(
        f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": [record]}
    )
    assert response.status_code == 422
    assert "colour" in response.json()["detail"]["message"]


def test_batch_larger_than_max_batch_size_is_refused_with_the_limit(
    api: RunningApi, predictor_token: str
) -> None:
    limit = api.settings.max_batch_size
    response = api.post(
        f"/v1/models/{CLASSIFIER}/predict",
        predictor_token,
        json={"records": iris_records(limit + 1)},
    )
    assert response.status_code == 422
    assert f"at most {limit} per request (MAX_BATCH_SIZE)" in response.json()["detail"]["message"]
    full = api.post(
        f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": iris_records(limit)}
    )
    assert full.status_code == 200


def test_unknown_model_is_404_listing_served_models(api: RunningApi, predictor_token: str) -> None:
    response = api.post("/v1/models/no-such-model/predict", predictor_token, json={"records": [{}]})
    assert response.status_code == 404
    assert CLASSIFIER in response.json()["detail"]


def test_models_lists_version_alias_metrics_and_inputs(api: RunningApi, viewer_token: str) -> None:
    response = api.get("/v1/models", viewer_token)
    assert response.status_code == 200
    by_name = {item["name"]: item for item in response.json()}
    assert set(by_name) == {CLASSIFIER, REGRESSOR}
    classifier = by_name[CLASSIFIER]
    assert classifier["loaded"] is True
    assert classifier["alias"] == "champion"
    assert classifier["version"] == "1"
    assert [column["name"] for column in classifier["inputs"]][:2] == [
        "sepal length (cm)",
        "sepal width (cm)",
    ]
    assert {column["type"] for column in classifier["inputs"]} == {"double"}


def test_openapi_documents_each_models_request_schema(api: RunningApi) -> None:
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    record = schemas["TinyClassifierRecord"]
    assert record["additionalProperties"] is False
    assert record["properties"]["petal width (cm)"]["type"] == "number"
    assert set(record["required"]) == set(iris_records(1)[0])
    # One documented path per served model, each with exactly that model's body schema.
    assert "/v1/models/{name}/predict" not in document["paths"]
    bodies = {
        name: document["paths"][f"/v1/models/{name}/predict"]["post"]["requestBody"]["content"][
            "application/json"
        ]["schema"]
        for name in (CLASSIFIER, REGRESSOR)
    }
    assert bodies[REGRESSOR] == {"$ref": "#/components/schemas/TinyRegressorPredictRequest"}
    assert bodies[CLASSIFIER] == {"$ref": "#/components/schemas/TinyClassifierPredictRequest"}
    # Every status the routes can answer is documented (schemathesis checks responses against it).
    predict = document["paths"][f"/v1/models/{CLASSIFIER}/predict"]["post"]
    assert {"200", "401", "403", "404", "413", "415", "422", "503"} <= set(predict["responses"])
    for path, method in [("/v1/models", "get"), ("/v1/models/{name}/reload", "post")]:
        assert {"401", "403", "503"} <= set(document["paths"][path][method]["responses"]), path
    # /docs sends the token to predict too.
    scheme = next(iter(document["components"]["securitySchemes"]))
    assert predict["security"] == [{scheme: []}]


def test_reload_needs_admin_and_reports_versions(
    api: RunningApi, admin_token: str, predictor_token: str
) -> None:
    assert api.post(f"/v1/models/{REGRESSOR}/reload", predictor_token).status_code == 403
    response = api.post(f"/v1/models/{REGRESSOR}/reload", admin_token)
    assert response.status_code == 200, response.text
    assert response.json() == {"name": REGRESSOR, "previous_version": "1", "version": "1"}


def test_health_live_and_ready_with_details(api: RunningApi) -> None:
    assert api.get("/health/live").json() == {"status": "ok"}
    ready = api.get("/health/ready")
    assert ready.status_code == 200
    details = ready.json()
    assert details["ready"] is True
    assert details["degraded"] is False
    assert details["models"][CLASSIFIER] == {
        "loaded": True,
        "version": "1",
        "champion": True,
        "error": None,
    }
    assert details["database"]["reachable"] is True
    assert details["registry"]["reachable"] is True


def test_metrics_count_requests_predictions_and_log_rows(
    api: RunningApi, predictor_token: str
) -> None:
    api.post(f"/v1/models/{CLASSIFIER}/predict", predictor_token, json={"records": iris_records(3)})
    text = api.get("/metrics").text
    assert 'predictions_total{model="tiny-classifier",version="1"}' in text
    assert (
        'http_requests_total{method="POST",route="/v1/models/{name}/predict",status="200"}' in text
    )
    assert "http_request_duration_seconds_bucket" in text
    assert "prediction_log_rows_dropped_total 0.0" in text
    assert 'model_served{model="tiny-classifier",version="1"} 1.0' in text
