"""How a batch's validated columns become the DataFrame a model gets."""

from __future__ import annotations

import math

from {{ cookiecutter.package_name }}.api.model_loader import Column
from {{ cookiecutter.package_name }}.api.serving import frame_builder


def test_a_float_signature_gives_float_columns_with_missing_values_as_nan() -> None:
    build = frame_builder((Column("a", "double"), Column("b (cm)", "float", required=False)))

    frame = build({"a": [1.0, 2.0], "b (cm)": [None, 3.5]})

    assert list(frame.columns) == ["a", "b (cm)"]
    assert [str(dtype) for dtype in frame.dtypes] == ["float64", "float64"]
    assert frame["a"].tolist() == [1.0, 2.0]
    assert math.isnan(frame["b (cm)"].iloc[0])
    assert frame["b (cm)"].iloc[1] == 3.5


def test_a_mixed_signature_keeps_each_columns_type() -> None:
    build = frame_builder((Column("n", "long"), Column("s", "string"), Column("x", "double")))

    frame = build({"n": [1, 2], "s": ["a", "b"], "x": [0.5, 1.5]})

    assert list(frame.columns) == ["n", "s", "x"]
    assert str(frame["n"].dtype) == "int64"
    assert frame["s"].tolist() == ["a", "b"]
    assert frame["x"].tolist() == [0.5, 1.5]
