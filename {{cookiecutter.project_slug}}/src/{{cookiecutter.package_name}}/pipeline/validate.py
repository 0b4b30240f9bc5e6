"""Validate: check raw data against the model's pandera schema before any training."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from {{ cookiecutter.package_name }}.pipeline.errors import DataValidationError


@dataclass(frozen=True)
class Violation:
    """One failed rule: which column, which rule, how many rows."""

    column: str
    rule: str
    failing_rows: int | None  # None: the rule concerns the column itself (missing, wrong type)

    def describe(self) -> str:
        rows = "the whole column" if self.failing_rows is None else f"{self.failing_rows} row(s)"
        return f"column '{self.column}': rule {self.rule} failed for {rows}"


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, *, target: str) -> pd.DataFrame:
    """The frame coerced to the schema's types, or DataValidationError listing every violation."""
    if frame.empty:
        raise DataValidationError(
            "the data set is empty (no rows or no columns): provide at least one row "
            f"with the columns {', '.join(map(str, schema.columns))}"
        )
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        violations = summarize(errors.failure_cases)
    except SchemaError as error:
        violations = [Violation(str(error.schema.name or "?"), str(error.check), None)]
    hint = (
        f" Target '{target}' must be present and non-empty in every row."
        if any(v.column == target for v in violations)
        else ""
    )
    raise DataValidationError(
        f"{len(violations)} schema violation(s): "
        + "; ".join(v.describe() for v in violations)
        + "."
        + hint
    )


def summarize(failure_cases: pd.DataFrame) -> list[Violation]:
    """Group pandera's failure cases by (column, rule) and count failing rows."""
    violations: list[Violation] = []
    for (column, rule), cases in failure_cases.groupby(
        [failure_cases["column"].fillna(failure_cases["failure_case"]).astype(str), "check"],
        sort=False,
    ):
        rows = cases["index"].dropna()
        violations.append(
            Violation(column=str(column), rule=str(rule), failing_rows=int(rows.nunique()) or None)
        )
    return violations
