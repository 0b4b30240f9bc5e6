"""Shared fixtures. Real services for integration tests: tests/fixtures/services.py;
the embedded stack (SQLite registry in tmp_path): tests/fixtures/embedded.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Settings

# Prediction API, auth and database tests: OIDC provider process, tiny MLflow registry, the API.
from tests.api_services import (  # noqa: F401 -- re-exported as fixtures
    admin_token,
    api,
    make_token,
    mlflow_globals_restored,
    oidc_issuer,
    predictor_token,
    tiny_registry,
    viewer_token,
)
from tests.fixtures.embedded import embedded
from tests.fixtures.services import (  # noqa: F401 -- re-exported as fixtures
    mlflow_postgres_s3_server,
    mlflow_sqlite_server,
    moto_s3,
    postgres_server,
)


@pytest.fixture
def embedded_settings(tmp_path: Path) -> Settings:
    """Embedded-stack settings isolated in this test's tmp_path (ignores .env)."""
    return embedded(tmp_path)


@pytest.fixture(autouse=True)
def _mlflow_globals_restored() -> Iterator[None]:
    """Each test leaves MLflow's process-wide URIs and HTTP settings as it found them: an API
    started in a test points them at its registry and shortens MLflow's retries and timeouts."""
    with mlflow_globals_restored("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT"):
        yield
