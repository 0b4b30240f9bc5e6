"""Predictive models: one module per model, registered here with one line each.

To add a model, write `models/<name>.py` exposing `SPEC = ModelSpec(...)` and add
`catalog.register(<name>.SPEC)` below (docs/adding-a-model.md).
"""

from __future__ import annotations

from {{ cookiecutter.package_name }}.models import disease_progression, tumor_classifier
from {{ cookiecutter.package_name }}.models.catalog import ModelCatalog, UnknownModelError
from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec, Threshold

catalog = ModelCatalog()
catalog.register(tumor_classifier.SPEC)
catalog.register(disease_progression.SPEC)


def model_names() -> list[str]:
    """Names of every configured model, as registered in MLflow."""
    return catalog.names()


__all__ = [
    "DataSource",
    "ModelCatalog",
    "ModelSpec",
    "Threshold",
    "UnknownModelError",
    "catalog",
    "model_names",
]
