"""docs/adding-a-model.md works: one new module + one registration line gives a trainable model."""

from __future__ import annotations

import importlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from {{ cookiecutter.package_name }}.models import catalog, model_names
from {{ cookiecutter.package_name }}.pipeline.runner import run_pipeline

from tests.fixtures.embedded import embedded

# The module a user would write as src/<package>/models/wine_cultivar.py, following the doc.
MODULE = textwrap.dedent(
    '''
    """Classification: which of three cultivars a wine comes from (scikit-learn's wine data)."""

    import pandas as pd
    import pandera.pandas as pa
    from sklearn.datasets import load_wine
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from {{ cookiecutter.package_name }}.models.estimators import numeric_preprocessor
    from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec, Threshold

    TARGET = "cultivar"
    FEATURES = ["alcohol", "malic_acid", "flavanoids", "color_intensity", "proline"]


    def example_data() -> pd.DataFrame:
        bunch = load_wine(as_frame=True)
        frame = bunch.frame[FEATURES].copy()
        frame[TARGET] = bunch.frame["target"]
        return frame


    def build_estimator() -> Pipeline:
        steps = [("preprocess", numeric_preprocessor(FEATURES)), ("classify", LogisticRegression())]
        return Pipeline(steps)


    SPEC = ModelSpec(
        name="wine-cultivar",
        description="Tells the cultivar of a wine from its chemistry.",
        task="classification",
        source=DataSource("wine.parquet"),
        schema=pa.DataFrameSchema(
            {**{n: pa.Column(float, pa.Check.ge(0)) for n in FEATURES},
             TARGET: pa.Column(int, pa.Check.isin([0, 1, 2]))},
            coerce=True,
        ),
        target=TARGET,
        build_estimator=build_estimator,
        primary_metric="f1",
        thresholds=(Threshold("f1", minimum=0.85),),
        example_data=example_data,
    )
    '''
)


@pytest.fixture
def wine_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "wine_cultivar.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("wine_cultivar")
    catalog.register(module.SPEC)  # the one registration line from the doc
    try:
        yield module.SPEC.name
    finally:
        catalog.unregister(module.SPEC.name)


def test_third_model_trains_registers_and_serves(wine_module: str, tmp_path: Path) -> None:
    assert model_names()[-1] == wine_module
    settings = embedded(tmp_path)
    result = run_pipeline(catalog.get(wine_module), settings=settings)
    assert result.ok
    assert result.promoted, result.gate_reason
    assert (settings.data_dir / "raw" / "wine.parquet").is_file()
    model = mlflow.pyfunc.load_model(f"models:/{wine_module}@champion")
    spec = catalog.get(wine_module)
    assert spec.example_data is not None
    assert set(model.predict(spec.example_data()[spec.features].head(20))) <= {0, 1, 2}
