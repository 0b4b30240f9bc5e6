"""Everything a request may need, built once per app from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.api.metrics import ApiMetrics
from {{ cookiecutter.package_name }}.api.model_loader import MlflowModelSource, ModelSource
from {{ cookiecutter.package_name }}.api.model_manager import ModelManager
from {{ cookiecutter.package_name }}.auth import TokenVerifier
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.db.engine import make_engine, session_factory
from {{ cookiecutter.package_name }}.db.log_writer import PredictionLogWriter


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    verifier: TokenVerifier | None
    models: ModelManager
    engine: Engine
    sessions: sessionmaker[Session]
    log_writer: PredictionLogWriter
    metrics: ApiMetrics


def build_services(settings: Settings, *, source: ModelSource | None = None) -> Services:
    metrics = ApiMetrics()
    engine = make_engine(settings.database_url.get_secret_value())
    log_writer = PredictionLogWriter(
        engine=engine,
        batch_size=settings.prediction_log_batch_size,
        flush_seconds=settings.prediction_log_flush_seconds,
        max_pending=settings.prediction_log_max_pending,
        on_dropped=metrics.log_dropped.inc,
        on_written=metrics.log_written.inc,
    )
    metrics.track_pending(lambda: log_writer.pending)
    verifier = (
        TokenVerifier(
            issuer_url=settings.oidc_issuer_url,
            audience=settings.oidc_audience,
            roles_claim=settings.oidc_roles_claim,
        )
        if settings.auth_enabled
        else None
    )
    models = ModelManager(
        names=served_model_names(settings),
        source=source or MlflowModelSource(settings=settings),
        poll_seconds=settings.model_poll_seconds,
        max_batch_size=settings.max_batch_size,
        metrics=metrics,
    )
    return Services(
        settings=settings,
        verifier=verifier,
        models=models,
        engine=engine,
        sessions=session_factory(engine),
        log_writer=log_writer,
        metrics=metrics,
    )


def served_model_names(settings: Settings) -> list[str]:
    """SERVED_MODELS, or when empty every model the project declares under models/."""
    if settings.served_models:
        return settings.served_models
    from {{ cookiecutter.package_name }}.models import model_names

    return model_names()
