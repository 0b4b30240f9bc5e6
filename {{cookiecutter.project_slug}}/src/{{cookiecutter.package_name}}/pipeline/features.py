"""Build features: split the table into model inputs and the target.

Scaling and imputation live inside each model's scikit-learn Pipeline, so the
registered model takes raw records exactly as the API receives them.
"""

from __future__ import annotations

import pandas as pd


def build_features(
    frame: pd.DataFrame, *, features: list[str], target: str
) -> tuple[pd.DataFrame, pd.Series]:
    return frame.loc[:, features], frame[target]
