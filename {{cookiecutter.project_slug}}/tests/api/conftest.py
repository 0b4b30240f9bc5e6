"""Each API test leaves MLflow's process-wide URIs as it found them (reloads and swaps set them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api_services import mlflow_globals_restored


@pytest.fixture(autouse=True)
def _mlflow_globals_restored() -> Iterator[None]:
    with mlflow_globals_restored():
        yield
