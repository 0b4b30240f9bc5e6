"""Fixtures: the real registry and app database from backends.py, and settings for one run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings

from tests.dashboard.backends import (
    MODEL,
    NOT_REGISTERED,
    UNREACHABLE_ISSUER,
    Registry,
    build_registry,
)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return build_registry(tmp_path_factory.mktemp("registry"))


@pytest.fixture
def dashboard_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, registry: Registry
) -> Iterator[Path]:
    """Settings for one dashboard run (auth off, as in dev); returns the app database's path."""
    monkeypatch.chdir(tmp_path)  # no project .env is read
    database = tmp_path / "app.db"
    for name, value in {
        "ENVIRONMENT": "dev",
        "AUTH_ENABLED": "false",
        "MLFLOW_TRACKING_URI": registry.tracking_uri,
        "DATABASE_URL": f"sqlite:///{database}",
        "SERVED_MODELS": f"{MODEL},{NOT_REGISTERED}",
        "DATA_DIR": str(tmp_path / "var"),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield database
    get_settings.cache_clear()


@pytest.fixture
def auth_on(dashboard_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUTH_ENABLED", "true")
    monkeypatch.setenv("OIDC_ISSUER_URL", UNREACHABLE_ISSUER)
    return dashboard_env
