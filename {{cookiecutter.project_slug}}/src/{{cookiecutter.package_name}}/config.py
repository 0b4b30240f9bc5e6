"""The one settings object: every component reads its configuration from here.

Values come from the environment, then `.env`, then the files in SECRETS_DIR (one per
setting, named like its variable: a mounted Kubernetes Secret), then the defaults below,
which run the embedded stack (SQLite, local artifact folder) without any server.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

from {{ cookiecutter.package_name }}.secret_rule import secret_problem

# The value .env.example gives every secret: accepted in dev, refused everywhere else.
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 -- the marker of an unset secret, not a secret

Environment = Literal["dev", "test", "prod"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = Field("dev", description="dev, test or prod.")
    log_level: str = Field("INFO", description="Python logging level.")
    data_dir: Path = Field(Path("var"), description="Raw data, local artifacts and SQLite files.")
    secrets_dir: Path | None = Field(
        None,
        description="Folder of one file per setting, named like its variable (DATABASE_URL...), "
        "read after the environment and .env; the Helm chart's `secrets.asFiles` mounts it.",
    )

    # Model registry (MLflow).
    mlflow_tracking_uri: str = Field(
        "sqlite:///var/mlflow.db", description="MLflow tracking and registry store."
    )
    mlflow_artifact_root: str | None = Field(
        None,
        description="Artifact root of new experiments when MLFLOW_TRACKING_URI is a database "
        "(default <DATA_DIR>/mlartifacts), e.g. s3://bucket/mlflow; a tracking server decides "
        "its own.",
    )
    mlflow_s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint for artifacts (MinIO)."
    )
    aws_access_key_id: str | None = Field(None, description="Object storage access key.")
    aws_secret_access_key: SecretStr | None = Field(None, description="Object storage secret key.")

    # Application database (prediction log, audit).
    database_url: SecretStr = Field(
        SecretStr("sqlite:///var/app.db"), description="SQLAlchemy URL of the app database."
    )

    # Identity (OIDC).
    auth_enabled: bool = Field(True, description="Require OIDC tokens; may be false only in dev.")
    oidc_issuer_url: str = Field(
        "http://localhost:8080/realms/{{ cookiecutter.project_slug }}",
        description="OIDC issuer URL.",
    )
    oidc_audience: str = Field(
        "{{ cookiecutter.project_slug }}-api",
        description="Expected `aud` of API tokens.",
    )
    oidc_client_id: str = Field(
        "{{ cookiecutter.project_slug }}-dashboard",
        description="Dashboard OIDC client id.",
    )
    oidc_client_secret: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET), description="Dashboard OIDC client secret."
    )
    oidc_roles_claim: str = Field(
        "realm_access.roles",
        description=(
            "Dotted path of the roles list inside the token; several paths comma-separated, "
            "e.g. `realm_access.roles,resource_access.<client>.roles` for Keycloak client roles."
        ),
    )
    oidc_machine_client_id: str = Field(
        "{{ cookiecutter.project_slug }}-machine",
        description="Service-account client (client credentials) of `auth token --machine`.",
    )
    oidc_machine_client_secret: SecretStr | None = Field(
        None, description="Secret of the machine client; only its callers need it."
    )
    oidc_cli_client_id: str = Field(
        "{{ cookiecutter.project_slug }}-cli",
        description="Public client of `auth token` for people (OAuth device authorization grant).",
    )
    session_secret: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET), description="Signs dashboard session cookies."
    )

    # Services.
    api_url: str = Field(
        "http://localhost:8000", description="Where the dashboard and client reach the API."
    )
    dashboard_url: str = Field(
        "http://localhost:8501",
        description="Public URL of the dashboard; its OIDC redirect is <url>/oauth2callback.",
    )
    max_batch_size: int = Field(
        1000, ge=1, description="Most records one predict request may carry."
    )
    max_request_bytes: int = Field(
        2_097_152,
        ge=1024,
        description=(
            "Largest predict body in bytes, else 413 before it is read (default 2 MiB: "
            "MAX_BATCH_SIZE records of about 50 numeric columns)."
        ),
    )

    # Prediction API (serving, model lifecycle, prediction log).
    api_host: str = Field("127.0.0.1", description="Address `serve` binds; 0.0.0.0 in containers.")
    api_port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on.")
    served_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Comma-separated registered model names the API serves at alias `champion`; "
            "empty: every model declared under models/."
        ),
    )
    model_poll_seconds: float = Field(
        30.0, gt=0, description="Seconds between the API's checks for a moved `champion` alias."
    )
    prediction_log_batch_size: int = Field(
        500, ge=1, description="Most prediction-log rows written in one database transaction."
    )
    prediction_log_flush_seconds: float = Field(
        1.0, gt=0, description="Longest a prediction-log row waits in memory before it is written."
    )
    prediction_log_max_pending: int = Field(
        100_000, ge=1, description="Log rows held while the database is down; then oldest dropped."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # SECRETS_DIR is itself a setting: the folder is known only once env and .env are read.
        secrets_dir = {**dotenv_settings(), **env_settings()}.get("secrets_dir")
        if secrets_dir:
            file_secret_settings = SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir)
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    @field_validator("served_models", mode="before")
    @classmethod
    def _split_served_models(cls, value: object) -> object:
        # Environment variables carry lists as `a,b`; JSON lists are accepted too.
        if isinstance(value, str):
            stripped = value.strip()
            if stripped.startswith("["):
                return json.loads(stripped)
            return [name.strip() for name in stripped.split(",") if name.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_outside_dev(self) -> Settings:
        if self.environment == "dev":
            return self
        problems = [
            f"{name.upper()} {problem}"
            for name, value in self.secrets().items()
            if (problem := _secret_problem(name, value)) is not None
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
        return {
            name: value.get_secret_value() for name, value in self if isinstance(value, SecretStr)
        }


def _secret_problem(name: str, value: str) -> str | None:
    # A database URL is not a secret itself: only the password inside it follows the rule.
    if name != "database_url":
        return secret_problem(value)
    password = urlsplit(value).password
    problem = None if password is None else secret_problem(unquote(password))
    return None if problem is None else f"has a password that {problem}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
