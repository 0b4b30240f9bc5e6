"""Bad input and unreachable services: a clear error, nothing registered, no alias moved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.models.spec import DataSource
from {{ cookiecutter.package_name }}.pipeline.runner import PipelineFailedError, run_pipeline

from tests.fixtures.embedded import aliases, embedded, versions
from tests.fixtures.services import free_port

SPEC = catalog.get("disease-progression")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A registry whose champion is v1: every fault below must leave it exactly so."""
    settings = embedded(tmp_path_factory.mktemp("faults"))
    assert run_pipeline(SPEC, settings=settings).promoted
    return settings


def example() -> pd.DataFrame:
    assert SPEC.example_data is not None
    return SPEC.example_data()


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def put(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def wrong_types(frame: pd.DataFrame) -> pd.DataFrame:
    frame["bmi"] = frame["bmi"].astype(object)
    frame.loc[:9, "bmi"] = "unknown"
    return frame


def missing_target(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[:4, "progression"] = None
    return frame


CASES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "missing file": (lambda d: d / "absent.csv", "ingest", "data file not found"),
    "unreadable file": (lambda d: put(d / "bad.parquet", b"\x00garbage"), "ingest", "cannot parse"),
    "empty file": (lambda d: put(d / "empty.csv", b""), "validate", "empty"),
    "header only": (lambda d: write(example().iloc[0:0], d / "header.csv"), "validate", "empty"),
    "wrong columns": (
        lambda d: write(example().rename(columns={"bp": "blood_pressure"}), d / "cols.csv"),
        "validate",
        "column 'bp': rule column_in_dataframe",
    ),
    "wrong types": (
        lambda d: write(wrong_types(example()), d / "types.csv"),
        "validate",
        "column 'bmi': rule coerce_dtype('float64') failed for 10 row(s)",
    ),
    "missing target": (
        lambda d: write(missing_target(example()), d / "target.csv"),
        "validate",
        "column 'progression': rule not_nullable failed for 5 row(s)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_data_fails_cleanly(case: str, settings: Settings, tmp_path: Path) -> None:
    make, step, message = CASES[case]
    path = make(tmp_path)
    with pytest.raises(PipelineFailedError) as caught:
        run_pipeline(SPEC, settings=settings, data=DataSource(str(path)))
    assert caught.value.step == step
    assert message in str(caught.value)
    assert [s.status for s in caught.value.result.steps if s.name in {"train", "register"}] == [
        "skipped"
    ] * 2
    assert versions(settings, SPEC.name) == ["1"]
    assert aliases(settings, SPEC.name) == {"champion": "1", "challenger": "1"}


def test_unreachable_registry_fails_before_training(tmp_path: Path) -> None:
    settings = embedded(tmp_path, mlflow_tracking_uri=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(
        PipelineFailedError, match=r"model registry unreachable at http://127\.0\.0\.1"
    ) as caught:
        run_pipeline(SPEC, settings=settings)
    assert caught.value.step == "connect"
    assert not (settings.data_dir / "raw").exists()


def test_unreachable_artifact_store_registers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    dead_endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MLFLOW_S3_ENDPOINT_URL", dead_endpoint)  # restored after the test
    settings = embedded(
        tmp_path,
        mlflow_artifact_root="s3://unreachable/artifacts",
        mlflow_s3_endpoint_url=dead_endpoint,
    )
    with pytest.raises(PipelineFailedError) as caught:
        run_pipeline(SPEC, settings=settings)
    assert caught.value.step == "register"
    assert versions(settings, SPEC.name) == []
    assert aliases(settings, SPEC.name) == {}
