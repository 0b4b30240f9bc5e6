"""Each API test leaves MLflow's process-wide URIs as it found them (reloads and swaps set them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api_services import mlflow_globals_restored


@pytest.fixture(autouse=True)
def _mlflow_globals_restored() -> Iterator[None]:
    # The API also sets MLflow's HTTP retry/timeout variables; later tests must not inherit them.
    with mlflow_globals_restored("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT"):
        yield
