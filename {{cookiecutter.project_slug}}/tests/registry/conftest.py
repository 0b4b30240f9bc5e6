"""Keep MLflow's process-wide settings from leaking out of this folder's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.embedded import isolated_mlflow_globals


@pytest.fixture(scope="module", autouse=True)
def _isolated_mlflow_globals() -> Iterator[None]:
    with isolated_mlflow_globals():
        yield
