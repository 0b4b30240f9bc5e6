"""Split: hold out test rows that training never sees; the gate judges on them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.model_selection import train_test_split

from {{ cookiecutter.package_name }}.models.spec import Task
from {{ cookiecutter.package_name }}.pipeline.errors import PipelineError

MIN_ROWS = 10


@dataclass(frozen=True)
class Split:
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def split(
    x: pd.DataFrame, y: pd.Series, *, task: Task, test_size: float, random_state: int
) -> Split:
    if len(x) < MIN_ROWS:
        raise PipelineError(
            f"only {len(x)} usable row(s): at least {MIN_ROWS} are needed to train and test"
        )
    # Stratify classes so a small test set still contains every class.
    stratify = y if task == "classification" and y.value_counts().min() >= 2 else None
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=random_state, stratify=stratify
    )
    return Split(x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test)
