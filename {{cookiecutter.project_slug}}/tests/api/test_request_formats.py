"""Columnar (`columns` + `data`) and Open Inference v2 bodies, against the real app and tokens:
the same predictions as records, the same roles, and errors that say where the problem is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_services import CLASSIFIER, REGRESSOR, RunningApi, diabetes_records, iris_records

pytestmark = pytest.mark.integration

PREDICT = f"/v1/models/{CLASSIFIER}/predict"
INFER = f"/v2/models/{CLASSIFIER}/infer"


def _columnar(records: list[dict[str, Any]]) -> dict[str, Any]:
    names = list(records[0])[::-1]  # any column order
    return {"columns": names, "data": [[record[name] for name in names] for record in records]}


def _v2(records: list[dict[str, Any]], **envelope: Any) -> dict[str, Any]:
    inputs = [
        {
            "name": name,
            "shape": [len(records)],
            "datatype": "FP64",
            "data": [r[name] for r in records],
        }
        for name in records[0]
    ]
    return {"inputs": inputs, **envelope}


def _by_records(api: RunningApi, token: str, model: str, records: list[dict[str, Any]]) -> Any:
    response = api.post(f"/v1/models/{model}/predict", token, json={"records": records})
    assert response.status_code == 200, response.text
    return response.json()["predictions"]


@pytest.mark.parametrize("model", [CLASSIFIER, REGRESSOR])
def test_columnar_and_v2_predict_as_records_do(
    api: RunningApi, predictor_token: str, model: str
) -> None:
    records = iris_records(7) if model == CLASSIFIER else diabetes_records(7)
    expected = _by_records(api, predictor_token, model, records)

    columnar = api.post(f"/v1/models/{model}/predict", predictor_token, json=_columnar(records))
    assert columnar.status_code == 200, columnar.text
    assert columnar.json()["predictions"] == pytest.approx(expected)

    v2 = api.post(f"/v2/models/{model}/infer", predictor_token, json=_v2(records, id="abc"))
    assert v2.status_code == 200, v2.text
    body = v2.json()
    assert body["model_name"] == model
    assert body["model_version"] == "1"
    assert body["id"] == "abc"
    (output,) = body["outputs"]
    assert output["shape"] == [7]
    assert output["datatype"] == ("INT64" if model == CLASSIFIER else "FP64")
    assert output["data"] == pytest.approx(expected)


def test_v2_takes_one_matrix_in_signature_order_and_nested_columns(
    api: RunningApi, predictor_token: str, viewer_token: str
) -> None:
    records = iris_records(3)
    expected = _by_records(api, predictor_token, CLASSIFIER, records)
    names = [i["name"] for i in api.get(f"/v2/models/{CLASSIFIER}", viewer_token).json()["inputs"]]
    matrix = [[record[name] for name in names] for record in records]
    one = {"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP64", "data": matrix}]}
    response = api.post(INFER, predictor_token, json=one)
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0]["data"] == expected

    nested = _v2(records)
    for tensor in nested["inputs"]:
        tensor["shape"], tensor["data"] = [3, 1], [[value] for value in tensor["data"]]
    response = api.post(INFER, predictor_token, json=nested)
    assert response.status_code == 200, response.text
    assert response.json()["outputs"][0]["data"] == expected


def test_integers_count_as_numbers_in_every_format(api: RunningApi, predictor_token: str) -> None:
    records = [{name: round(value) for name, value in iris_records(1)[0].items()}]
    expected = _by_records(api, predictor_token, CLASSIFIER, records)
    assert api.post(PREDICT, predictor_token, json=_columnar(records)).json()["predictions"] == (
        expected
    )


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda body: body["data"][1].__setitem__(2, "14.1"), "data.1.2 (column"),
        (lambda body: body["data"][0].__setitem__(0, True), "data.0.0 (column"),
        (lambda body: body["data"][0].__setitem__(1, None), "data.0.1 (column"),
        (lambda body: body["data"][0].__setitem__(1, 1e39), "data.0.1 (column"),
        (lambda body: body["data"][1].pop(), "data.1: 3 values for 4 columns"),
        (lambda body: body["columns"].__setitem__(0, "petal girth"), "unknown columns"),
        (
            lambda body: body.update(
                columns=body["columns"][:3], data=[r[:3] for r in body["data"]]
            ),
            "missing columns",
        ),
        (lambda body: body.update(index=[0, 1]), "exactly the keys columns and data"),
        (lambda body: body.update(data=[]), "a non-empty list of rows"),
    ],
    ids=[
        "numeric-text",
        "boolean",
        "null",
        "beyond-float32",
        "short-row",
        "unknown-column",
        "missing-column",
        "extra-key",
        "no-rows",
    ],
)
def test_columnar_errors_say_where(
    api: RunningApi, predictor_token: str, change: Any, fragment: str
) -> None:
    body = _columnar(iris_records(2))
    change(body)
    response = api.post(PREDICT, predictor_token, json=body)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]["message"]


def test_columnar_takes_at_most_max_batch_size_rows(api: RunningApi, predictor_token: str) -> None:
    response = api.post(PREDICT, predictor_token, json=_columnar(iris_records(101)))
    assert response.status_code == 422
    assert "101 records: at most 100 per request" in response.json()["detail"]["message"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda body: body["inputs"][1]["data"].__setitem__(0, "x"), "inputs.1.data.0 (input"),
        (
            lambda body: body["inputs"][0].update(name="petal girth"),
            "unknown inputs ['petal girth']",
        ),
        (lambda body: body["inputs"].pop(), "missing columns"),
        (lambda body: body["inputs"][0].update(shape=[3]), "2 values for shape [3]"),
        (lambda body: body["inputs"][0].update(datatype="FP99"), "inputs.0.datatype"),
        (lambda body: body.pop("inputs"), "inputs: Field required"),
    ],
    ids=[
        "text-value",
        "unknown-input",
        "missing-input",
        "wrong-shape",
        "bad-datatype",
        "no-inputs",
    ],
)
def test_v2_errors_are_400_with_the_reason(
    api: RunningApi, predictor_token: str, change: Any, fragment: str
) -> None:
    body = _v2(iris_records(2))
    change(body)
    response = api.post(INFER, predictor_token, json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]


def test_v2_roles_and_metadata(api: RunningApi, predictor_token: str, viewer_token: str) -> None:
    body = _v2(iris_records(1))
    assert api.post(INFER, None, json=body).status_code == 401
    assert api.post(INFER, viewer_token, json=body).status_code == 403
    assert api.get("/v2/health/live").json() == {"live": True}
    assert api.get("/v2/health/ready").status_code == 200
    assert api.get("/v2", None).status_code == 401
    assert api.get("/v2", viewer_token).json()["extensions"] == []
    assert api.get(f"/v2/models/{CLASSIFIER}/ready", viewer_token).json()["ready"] is True
    assert api.get("/v2/models/no-such-model/ready", viewer_token).status_code == 404
    metadata = api.get(f"/v2/models/{CLASSIFIER}", viewer_token).json()
    assert metadata["versions"] == ["1"]
    assert {i["name"] for i in metadata["inputs"]} == set(iris_records(1)[0])
    assert {i["datatype"] for i in metadata["inputs"]} == {"FP64"}
