"""Liveness, readiness (with the reasons) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from {{ cookiecutter.package_name }}.api.deps import ServicesDep
from {{ cookiecutter.package_name }}.api.readiness import readiness

router = APIRouter(tags=["health"])


@router.get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/ready",
    summary="Ready: the database is current and every model with a champion is loaded",
    responses={503: {"description": "Not ready; the body says which part is missing."}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    report: dict[str, Any] = await run_in_threadpool(readiness, services)
    return JSONResponse(report, status_code=200 if report["ready"] else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(
        services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
