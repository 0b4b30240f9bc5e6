"""The one settings object: every component reads its configuration from here.

Values come from the environment, then `.env`, then the defaults below, which run
the embedded stack (SQLite, local artifact folder) without any server.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The value .env.example gives every secret: accepted in dev, refused everywhere else.
PLACEHOLDER_SECRET = "change-me"

Environment = Literal["dev", "test", "prod"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = Field("dev", description="dev, test or prod.")
    log_level: str = Field("INFO", description="Python logging level.")
    data_dir: Path = Field(Path("var"), description="Raw data, local artifacts and SQLite files.")

    # Model registry (MLflow).
    mlflow_tracking_uri: str = Field("sqlite:///var/mlflow.db", description="MLflow tracking and registry store.")
    mlflow_s3_endpoint_url: str | None = Field(None, description="S3 endpoint for artifacts (MinIO).")
    aws_access_key_id: str | None = Field(None, description="Object storage access key.")
    aws_secret_access_key: SecretStr | None = Field(None, description="Object storage secret key.")

    # Application database (prediction log, audit).
    database_url: SecretStr = Field(
        SecretStr("sqlite:///var/app.db"), description="SQLAlchemy URL of the app database."
    )

    # Identity (OIDC).
    auth_enabled: bool = Field(True, description="Require OIDC tokens; may be false only in dev.")
    oidc_issuer_url: str = Field(
        "http://localhost:8080/realms/{{ cookiecutter.project_slug }}", description="OIDC issuer URL."
    )
    oidc_audience: str = Field("{{ cookiecutter.project_slug }}-api", description="Expected `aud` of API tokens.")
    oidc_client_id: str = Field("{{ cookiecutter.project_slug }}-dashboard", description="Dashboard OIDC client id.")
    oidc_client_secret: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET), description="Dashboard OIDC client secret."
    )
    oidc_roles_claim: str = Field(
        "realm_access.roles", description="Dotted path of the roles list inside the token."
    )
    session_secret: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET), description="Signs dashboard session cookies."
    )

    # Services.
    api_url: str = Field("http://localhost:8000", description="Where the dashboard and client reach the API.")
    max_batch_size: int = Field(1000, ge=1, description="Most records one predict request may carry.")

    @model_validator(mode="after")
    def _refuse_unsafe_outside_dev(self) -> Settings:
        if self.environment == "dev":
            return self
        problems = [
            f"{name.upper()} is empty or still '{PLACEHOLDER_SECRET}'"
            for name, value in self.secrets().items()
            if not value or PLACEHOLDER_SECRET in value
        ]
        if not self.auth_enabled:
            problems.append("AUTH_ENABLED=false is allowed only with ENVIRONMENT=dev")
        if problems:
            raise ValueError(
                f"unsafe settings for ENVIRONMENT={self.environment}: "
                + "; ".join(problems)
                + ". Set real values in the environment or .env (`make env` writes fresh secrets)."
            )
        return self

    def secrets(self) -> dict[str, str]:
        """Every secret field's plain value, for checks; never log the result."""
        return {name: value.get_secret_value() for name, value in self if isinstance(value, SecretStr)}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
