"""What the dashboard computes without Streamlit: training-data discovery and loading, the
Models page's tables, and addresses shown without passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.dashboard.model_tables import metric_by_version
from {{ cookiecutter.package_name }}.dashboard.reference_data import (
    ReferenceDataError,
    load_table,
    raw_data_files,
)
from {{ cookiecutter.package_name }}.dashboard.urls import without_password
from {{ cookiecutter.package_name }}.registry.reader import read_model, registry_client

from tests.dashboard.backends import ACCURACY, MODEL, Registry


def test_metric_history_is_oldest_first_with_aliases(registry: Registry) -> None:
    model = read_model(client=registry_client(registry.tracking_uri), name=MODEL)

    assert model is not None
    history = metric_by_version(model, "accuracy")
    assert history.to_dict(orient="list") == {
        "version": [1, 2],
        "value": [ACCURACY[1], ACCURACY[2]],
        "aliases": ["champion", "challenger"],
    }


def test_training_files_are_found_in_the_raw_data_folder(registry: Registry) -> None:
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


def test_passwords_never_reach_the_screen() -> None:
    assert without_password("postgresql://app:pw@db:5432/app") == "postgresql://app:***@db:5432/app"
    assert without_password("sqlite:///var/app.db") == "sqlite:///var/app.db"
