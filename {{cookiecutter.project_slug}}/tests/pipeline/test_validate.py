"""Validation reports column, rule and failing row count for every violation."""

from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.pipeline.errors import DataValidationError
from {{ cookiecutter.package_name }}.pipeline.validate import validate

SPEC = catalog.get("disease-progression")


@pytest.fixture
def frame() -> pd.DataFrame:
    assert SPEC.example_data is not None
    return SPEC.example_data().head(50).copy()


def test_valid_data_passes_and_is_coerced(frame: pd.DataFrame) -> None:
    frame["age"] = frame["age"].astype("int64")
    validated = validate(frame, SPEC.schema, target=SPEC.target)
    assert validated["age"].dtype == "float64"
    assert len(validated) == 50


def test_missing_column_is_named(frame: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match=r"column 'bmi': rule column_in_dataframe"):
        validate(frame.drop(columns=["bmi"]), SPEC.schema, target=SPEC.target)


def test_wrong_type_reports_rule_and_row_count(frame: pd.DataFrame) -> None:
    frame["bp"] = frame["bp"].astype(object)
    frame.loc[[0, 1, 2], "bp"] = "high"
    with pytest.raises(
        DataValidationError, match=r"column 'bp': rule coerce_dtype\('float64'\) failed for 3 row"
    ):
        validate(frame, SPEC.schema, target=SPEC.target)


def test_out_of_range_values_are_counted(frame: pd.DataFrame) -> None:
    frame.loc[[5, 6], "age"] = 130.0
    with pytest.raises(
        DataValidationError, match=r"column 'age': rule in_range\(0, 120\) failed for 2 row"
    ):
        validate(frame, SPEC.schema, target=SPEC.target)


def test_missing_target_values_are_refused_with_a_hint(frame: pd.DataFrame) -> None:
    frame.loc[[3, 4, 5, 6], SPEC.target] = None
    with pytest.raises(DataValidationError) as caught:
        validate(frame, SPEC.schema, target=SPEC.target)
    message = str(caught.value)
    assert "column 'progression': rule not_nullable failed for 4 row(s)" in message
    assert "must be present and non-empty in every row" in message


def test_empty_data_is_refused(frame: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match="data set is empty"):
        validate(frame.iloc[0:0], SPEC.schema, target=SPEC.target)
    with pytest.raises(DataValidationError, match="data set is empty"):
        validate(pd.DataFrame(), SPEC.schema, target=SPEC.target)


def test_every_violation_is_listed(frame: pd.DataFrame) -> None:
    frame.loc[0, "sex"] = 3.0
    with pytest.raises(
        DataValidationError, match=r"2 schema violation.*'s1'.*'sex'.*failed for 1 row"
    ):
        validate(frame.drop(columns=["s1"]), SPEC.schema, target=SPEC.target)
