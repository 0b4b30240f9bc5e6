"""The FastAPI application factory.

Run: `uvicorn --factory {{ cookiecutter.package_name }}.api.app:create_app`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.api.middleware import MetricsMiddleware
from {{ cookiecutter.package_name }}.api.model_loader import ModelSource
from {{ cookiecutter.package_name }}.api.openapi import openapi_document
from {{ cookiecutter.package_name }}.api.routers import health, models, open_inference
from {{ cookiecutter.package_name }}.api.services import Services, build_services
from {{ cookiecutter.package_name }}.auth import IdentityProviderUnavailableError
from {{ cookiecutter.package_name }}.config import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, source: ModelSource | None = None) -> FastAPI:
    """The API for `settings` (default: from the environment); `source` overrides the registry."""
    settings = settings or get_settings()
    services = build_services(settings, source=source)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _start(services)
        try:
            yield
        finally:
            await _stop(services)

    app = FastAPI(
        title="{{ cookiecutter.project_name }} API",
        version=__version__,
        description="Predictions from the registered models' `champion` versions, behind OIDC.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(open_inference.router)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)

    def custom_openapi() -> dict[str, Any]:
        return openapi_document(app, services.models)

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


async def _start(services: Services) -> None:
    if services.verifier is None:
        logger.warning(
            "!!! AUTH_ENABLED=false: every request is accepted WITHOUT a token, as an admin. "
            "This is allowed only with ENVIRONMENT=dev; never expose this process. !!!"
        )
    else:
        # Fetch the issuer's keys early; if it is down, the first request tries again.
        asyncio.get_running_loop().run_in_executor(None, _prefetch_keys, services)
    services.log_writer.start()
    await services.models.start()


async def _stop(services: Services) -> None:
    await services.models.stop()
    await asyncio.to_thread(services.log_writer.close)
    services.engine.dispose()


def _prefetch_keys(services: Services) -> None:
    assert services.verifier is not None
    try:
        services.verifier.refresh_keys()
    except IdentityProviderUnavailableError as error:
        logger.warning("identity provider not reachable yet: %s", error)
