"""Preprocessing shared by the example models.

It lives inside each model, so the registered model (and the API) takes raw records.
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def numeric_preprocessor(columns: list[str]) -> ColumnTransformer:
    """Median-impute then scale numeric columns; anything else in the frame is dropped."""
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    return ColumnTransformer([("numeric", numeric, columns)], remainder="drop")
