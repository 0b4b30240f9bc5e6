"""Where the drift view finds training data: the run's logged data set, or the raw-data folder."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

READABLE_SUFFIXES = (".csv", ".parquet")
# Run tag where the pipeline records the location it ingested.
SOURCE_TAG = "dataset.source"


class ReferenceDataError(Exception):
    """Training data could not be read; the message names the file and how to fix it."""


def run_dataset_files(*, client: MlflowClient, run_id: str | None) -> list[Path]:
    """Local CSV/Parquet files the training run read: its `dataset.source` tag or logged inputs."""
    if not run_id:
        return []
    try:
        run = client.get_run(run_id)
    except MlflowException:
        return []
    locations = [run.data.tags.get(SOURCE_TAG, "")]
    for dataset_input in getattr(run.inputs, "dataset_inputs", None) or []:
        locations.append(_location(dataset_input.dataset.source) or "")
    files = []
    for location in locations:
        path = _local_path(location)
        if path is not None and path.suffix in READABLE_SUFFIXES and path.is_file():
            files.append(path)
    return list(dict.fromkeys(files))


def raw_data_files(folder: Path) -> list[Path]:
    """CSV/Parquet files under the raw-data folder, where the pipeline writes its example data."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in READABLE_SUFFIXES and p.is_file())


def load_table(source: Path | bytes, *, name: str) -> pd.DataFrame:
    """A CSV or Parquet table from a path or uploaded bytes; `name` decides the format."""
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise ReferenceDataError(
            f"{name}: expected a .csv or .parquet file, got '{suffix or 'no suffix'}'"
        )
    data = BytesIO(source) if isinstance(source, bytes) else source
    try:
        return pd.read_csv(data) if suffix == ".csv" else pd.read_parquet(data)
    except (OSError, ValueError) as error:
        raise ReferenceDataError(f"cannot read {name}: {error}") from None


def _location(source: str) -> str | None:
    # MLflow stores a logged data set's source as JSON, e.g. {"uri": "/data/raw/x.csv"}.
    try:
        document = json.loads(source)
    except (TypeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    location = document.get("uri") or document.get("path") or document.get("url")
    return location if isinstance(location, str) else None


def _local_path(location: str) -> Path | None:
    if not location:
        return None
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    # A bare path (no scheme, or a Windows drive letter) is local; s3:// or a SQL source is not.
    return Path(location) if len(parsed.scheme) <= 1 else None
