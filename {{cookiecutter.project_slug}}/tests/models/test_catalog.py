"""The model catalog: names, lookups and what each model declares."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.models import (
    ModelCatalog,
    UnknownModelError,
    catalog,
    model_names,
)
from {{ cookiecutter.package_name }}.models.spec import Threshold


def test_example_models_are_registered_with_different_purposes() -> None:
    assert model_names() == ["tumor-classifier", "disease-progression"]
    assert {spec.task for spec in catalog} == {"classification", "regression"}


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(
        UnknownModelError, match=r"unknown model 'nope'\. Configured models: tumor-classifier"
    ):
        catalog.get("nope")


def test_a_name_cannot_be_registered_twice() -> None:
    local = ModelCatalog()
    local.register(catalog.get("tumor-classifier"))
    with pytest.raises(ValueError, match="registered twice"):
        local.register(catalog.get("tumor-classifier"))


@pytest.mark.parametrize("name", model_names())
def test_each_model_declares_consistent_schema_target_and_metrics(name: str) -> None:
    spec = catalog.get(name)
    assert spec.target in spec.schema.columns
    assert spec.target not in spec.features
    assert spec.primary_metric in {t.metric for t in spec.thresholds}
    assert spec.example_data is not None
    example = spec.example_data()
    assert spec.schema.validate(example).shape == example.shape


def test_threshold_problems() -> None:
    assert Threshold("r2", minimum=0.5).problem(0.4) == "r2=0.4000 is below the minimum 0.5"
    assert Threshold("rmse", maximum=10).problem(12) == "rmse=12.0000 is above the maximum 10"
    assert Threshold("r2", minimum=0.5, maximum=1).problem(0.7) is None
