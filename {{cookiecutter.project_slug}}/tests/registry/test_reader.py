"""The registry's read-only view (the dashboard's source): versions, aliases, metrics, inputs."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.registry.reader import (
    RegistryReadError,
    read_inputs,
    read_model,
    read_models,
    registered_model_names,
    registry_client,
    run_dataset_files,
)

from tests.fixtures.iris_registry import ACCURACY, MODEL, NOT_REGISTERED, Registry, build_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return build_registry(tmp_path_factory.mktemp("registry"))


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
    assert [v.gate_decision for v in model.versions] == ["rejected", "promoted"]


def test_a_model_not_registered_reads_as_none(registry: Registry) -> None:
    client = registry_client(registry.tracking_uri)
    models = read_models(client=client, names=[NOT_REGISTERED, MODEL])

    assert list(models) == [NOT_REGISTERED, MODEL]
    assert models[NOT_REGISTERED] is None
    assert registered_model_names(client) == [MODEL]


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
    assert run_dataset_files(client=client, run_id=None) == []
