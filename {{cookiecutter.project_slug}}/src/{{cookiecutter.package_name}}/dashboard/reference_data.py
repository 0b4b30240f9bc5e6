"""Training data for the drift view: found in the raw-data folder or uploaded, read as a table.

The data set a training run logged is found by the registry (`registry.reader.run_dataset_files`).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pandas as pd

from {{ cookiecutter.package_name }}.registry.reader import (
    TRAINING_DATA_SUFFIXES as READABLE_SUFFIXES,
)


class ReferenceDataError(Exception):
    """Training data could not be read; the message names the file and how to fix it."""


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
