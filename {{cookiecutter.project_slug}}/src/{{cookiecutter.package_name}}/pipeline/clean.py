"""Clean: keep the schema's columns and drop exact duplicate rows."""

from __future__ import annotations

import pandas as pd


def clean(frame: pd.DataFrame, *, columns: list[str]) -> pd.DataFrame:
    """Columns outside the schema are dropped so they can never leak into the model."""
    kept = frame.loc[:, columns]
    return kept.drop_duplicates().reset_index(drop=True)
