"""The settings object: defaults, environment parsing and the refusal of unsafe secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import PLACEHOLDER_SECRET, Settings

SAFE = {
    "OIDC_CLIENT_SECRET": "Vb8qO2k1xWm9sE4rT7yU0iP3aZ6dF5gH",
    "SESSION_SECRET": "nM4bV7cX1zL0kJ9hG2fD5sA8qW3eR6tY",
}


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env and no inherited variables leak into these tests."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_dev_defaults_run_the_embedded_stack() -> None:
    settings = Settings()
    assert settings.environment == "dev"
    assert settings.mlflow_tracking_uri.startswith("sqlite:///")
    assert settings.database_url.get_secret_value().startswith("sqlite:///")
    assert settings.auth_enabled is True


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000")
    monkeypatch.setenv("MAX_BATCH_SIZE", "25")
    settings = Settings()
    assert settings.mlflow_tracking_uri == "http://mlflow:5000"
    assert settings.max_batch_size == 25


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OIDC_AUDIENCE=from-dotenv\n", encoding="utf-8")
    assert Settings().oidc_audience == "from-dotenv"


def test_secrets_are_read_from_files_in_secrets_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The layout of a mounted Kubernetes Secret: one file per key, named like the variable.
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "DATABASE_URL").write_text("postgresql+psycopg://app:pw@db/app", encoding="utf-8")
    (secrets / "SESSION_SECRET").write_text(SAFE["SESSION_SECRET"], encoding="utf-8")
    monkeypatch.setenv("SECRETS_DIR", str(secrets))
    monkeypatch.setenv("OIDC_AUDIENCE", "from-env")
    settings = Settings()
    assert settings.database_url.get_secret_value() == "postgresql+psycopg://app:pw@db/app"
    assert settings.session_secret.get_secret_value() == SAFE["SESSION_SECRET"]
    assert settings.oidc_audience == "from-env"


def test_secrets_dir_from_dotenv_ranks_below_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "SESSION_SECRET").write_text("from-file", encoding="utf-8")
    (tmp_path / "OIDC_AUDIENCE").write_text("audience-from-file", encoding="utf-8")
    (tmp_path / ".env").write_text(f"SECRETS_DIR={tmp_path}\n", encoding="utf-8")
    monkeypatch.setenv("SESSION_SECRET", SAFE["SESSION_SECRET"])
    settings = Settings()
    assert settings.session_secret.get_secret_value() == SAFE["SESSION_SECRET"]
    assert settings.oidc_audience == "audience-from-file"


def test_secrets_from_files_satisfy_prod(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in SAFE.items():
        (tmp_path / name).write_text(value + "\n", encoding="utf-8")
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("ENVIRONMENT", "prod")
    settings = Settings()
    assert settings.oidc_client_secret.get_secret_value() == SAFE["OIDC_CLIENT_SECRET"]


@pytest.mark.parametrize("environment", ["test", "prod"])
def test_placeholder_secrets_are_refused_outside_dev(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("SESSION_SECRET", SAFE["SESSION_SECRET"])
    with pytest.raises(ValidationError, match="OIDC_CLIENT_SECRET is still a placeholder"):
        Settings()


def test_empty_secret_is_refused_in_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    for name, value in SAFE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SESSION_SECRET", "")
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        Settings()


def test_prod_accepts_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    for name, value in SAFE.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.environment == "prod"
    assert PLACEHOLDER_SECRET not in settings.secrets().values()


def test_auth_can_be_switched_off_only_in_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_ENABLED", "false")
    assert Settings().auth_enabled is False
    monkeypatch.setenv("ENVIRONMENT", "prod")
    for name, value in SAFE.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(
        ValidationError, match="AUTH_ENABLED=false is allowed only with ENVIRONMENT=dev"
    ):
        Settings()


def test_secrets_are_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_SECRET", "do-not-print-me")
    assert "do-not-print-me" not in repr(Settings())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("CHANGE-ME", "placeholder"),
        ("Change_Me", "placeholder"),
        ("changeme", "placeholder"),
        ("ci-only-session-secret", "placeholder"),
        ("password", "weak"),
        ("s3cr3t-session-value", "20 characters"),
    ],
)
def test_prod_refuses_placeholders_in_any_spelling_weak_and_short_secrets(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    for name, safe in SAFE.items():
        monkeypatch.setenv(name, safe)
    monkeypatch.setenv("SESSION_SECRET", value)
    with pytest.raises(ValidationError, match=f"SESSION_SECRET .*{reason}") as raised:
        Settings()
    assert value not in raised.value.errors()[0]["msg"]  # the reason never repeats the secret


def test_prod_checks_the_password_inside_the_database_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    for name, safe in SAFE.items():
        monkeypatch.setenv(name, safe)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app:CHANGE_ME@db:5432/app")
    with pytest.raises(ValidationError, match="DATABASE_URL has a password that is still"):
        Settings()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/app.db")
    assert Settings().environment == "prod"
