"""What every predictive model declares: data source, schema, target, estimator and its bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pandera.pandas as pa
from sklearn.pipeline import Pipeline

Task = Literal["classification", "regression"]

# Metrics where a smaller value is better; every other metric is "higher is better".
LOWER_IS_BETTER = frozenset({"rmse", "mae"})


@dataclass(frozen=True)
class DataSource:
    """Where raw data lives.

    `location` is a local CSV/Parquet path (relative paths are under `<DATA_DIR>/raw`),
    an `s3://bucket/key.csv|.parquet` object, or a SQLAlchemy URL when `query` is set.
    """

    location: str
    query: str | None = None

    def describe(self) -> str:
        """A loggable description that never contains a database password."""
        if self.query is None:
            return self.location
        from sqlalchemy.engine import make_url

        return f"{make_url(self.location).render_as_string(hide_password=True)} :: {self.query}"


@dataclass(frozen=True)
class Threshold:
    """An absolute bar one metric must clear before a version may become champion."""

    metric: str
    minimum: float | None = None
    maximum: float | None = None

    def problem(self, value: float) -> str | None:
        """Why `value` fails this bar, or None when it passes."""
        if self.minimum is not None and value < self.minimum:
            return f"{self.metric}={value:.4f} is below the minimum {self.minimum}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.metric}={value:.4f} is above the maximum {self.maximum}"
        return None

    def describe(self) -> str:
        bounds = [f">= {self.minimum}" if self.minimum is not None else ""]
        bounds.append(f"<= {self.maximum}" if self.maximum is not None else "")
        return f"{self.metric} {' and '.join(b for b in bounds if b)}"


@dataclass(frozen=True)
class ModelSpec:
    """One predictive model: everything the pipeline needs to train, judge and register it."""

    name: str
    description: str
    task: Task
    source: DataSource
    schema: pa.DataFrameSchema
    target: str
    build_estimator: Callable[[], Pipeline]
    primary_metric: str
    thresholds: tuple[Threshold, ...]
    # Writes the example data set when the local source file does not exist yet.
    example_data: Callable[[], pd.DataFrame] | None = None
    test_size: float = 0.25
    random_state: int = 42

    @property
    def features(self) -> list[str]:
        """Input columns: every schema column except the target."""
        return [str(column) for column in self.schema.columns if column != self.target]

    @property
    def higher_is_better(self) -> bool:
        return self.primary_metric not in LOWER_IS_BETTER
