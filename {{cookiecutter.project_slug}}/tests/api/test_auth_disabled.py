"""AUTH_ENABLED=false: refused outside dev, and loud when used in dev."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.api_services import CLASSIFIER, TinyRegistry, api_settings, iris_records, running_api

pytestmark = pytest.mark.integration


def test_auth_off_is_refused_outside_dev(tiny_registry: TinyRegistry, tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError, match="AUTH_ENABLED=false is allowed only with ENVIRONMENT=dev"
    ):
        api_settings(
            tracking_uri=tiny_registry.tracking_uri,
            issuer="http://127.0.0.1:9",
            database_url=f"sqlite:///{tmp_path / 'app.db'}",
            auth_enabled=False,
            environment="prod",
        )


def test_auth_off_in_dev_serves_without_token_and_warns(
    tiny_registry: TinyRegistry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = api_settings(
        tracking_uri=tiny_registry.tracking_uri,
        issuer="http://127.0.0.1:9",  # never contacted
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        auth_enabled=False,
        environment="dev",
        served_models=[CLASSIFIER],
    )
    with caplog.at_level(logging.WARNING), running_api(settings) as api:
        response = api.post(f"/v1/models/{CLASSIFIER}/predict", json={"records": iris_records(1)})
        assert response.status_code == 200
        assert api.get("/health/ready").json()["auth"].startswith("DISABLED")
    assert any("AUTH_ENABLED=false" in record.getMessage() for record in caplog.records)
