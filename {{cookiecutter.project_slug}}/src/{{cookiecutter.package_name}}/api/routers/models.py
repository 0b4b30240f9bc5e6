"""/v1/models: list served models, predict, reload."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.api.deps import (
    AdminUser,
    DbSession,
    ServicesDep,
    ViewerUser,
    authorize,
    bearer,
    served_model,
)
from {{ cookiecutter.package_name }}.api.model_manager import (
    ModelNotLoadedError,
    UnknownModelError,
)
from {{ cookiecutter.package_name }}.api.predictions import predict as run_prediction
from {{ cookiecutter.package_name }}.api.predictions import v1_response
from {{ cookiecutter.package_name }}.api.request_body import read_json_body
from {{ cookiecutter.package_name }}.api.schemas import (
    ModelSummary,
    PredictResponse,
    ReloadResponse,
)
from {{ cookiecutter.package_name }}.api.services import Services
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.api.tables import InvalidRecordsError
from {{ cookiecutter.package_name }}.auth import Role
from {{ cookiecutter.package_name }}.db.audit import record_audit
from {{ cookiecutter.package_name }}.registry.names import CHAMPION

router = APIRouter(prefix="/v1/models", tags=["models"])

ModelName = Annotated[str, Path(min_length=1, max_length=200, description="Registered model name.")]
PREDICT_PATH = "/v1/models/{name}/predict"
# What every authorized route can answer before it runs, so clients and fuzzers expect it.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token; sign in again (WWW-Authenticate says why)."},
    403: {"description": "The token lacks the role this route needs."},
    503: {"description": "The identity provider (or the model) is unreachable; retry later."},
}


@router.get(
    "", summary="Served models: version, alias, metrics, input columns", responses=AUTH_RESPONSES
)
async def list_models(_user: ViewerUser, services: ServicesDep) -> list[ModelSummary]:
    return [
        summary(status.name, status.served, status.error) for status in services.models.statuses()
    ]


@router.post(
    "/{name}/predict",
    summary="Predict a batch of records with the model's champion version",
    description='The body is `{"records": [{column: value, ...}, ...]}` (documented below, '
    'per model) or, more compact, `{"columns": [names], "data": [[values], ...]}` (as '
    "MLflow's `dataframe_split`). Both are checked against the model's signature.",
    response_model=PredictResponse,
    responses={
        **AUTH_RESPONSES,
        404: {"description": "No such model."},
        413: {"description": "The body is larger than MAX_REQUEST_BYTES; split the records."},
        415: {"description": "The body is not sent as application/json."},
        422: {"description": "The records do not match the model's signature."},
        503: {"description": "The model is not loaded yet, or the identity provider is down."},
    },
    # Declared by hand, as the handler takes the bare request (see below); api/openapi.py
    # documents this route once per served model, with that model's body schema.
    openapi_extra={
        "security": [{bearer.scheme_name: []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {}}}},
    },
)
async def predict(request: Request) -> Response:
    # The hot path resolves its inputs itself: FastAPI's dependency resolution was a third of
    # the API's own work per request (measured, model call excluded). Same checks as elsewhere.
    services: Services = request.app.state.services
    user = await authorize(services, await bearer(request), Role.PREDICTOR)
    served = served_model(services, request.path_params["name"])
    body = await read_json_body(request, max_bytes=services.settings.max_request_bytes)
    request_id = uuid.uuid4().hex
    try:
        prediction = await run_prediction(
            served=served,
            parse=lambda model: model.parse(body),
            request_id=request_id,
            caller_sub=user.sub,
            metrics=services.metrics,
            log_writer=services.log_writer,
        )
    except InvalidRecordsError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail={"message": error.message, "errors": error.errors},
        ) from None
    return Response(
        v1_response(prediction), media_type="application/json", headers={"X-Request-ID": request_id}
    )


@router.post(
    "/{name}/reload",
    summary="Load the model's champion from the registry again (role admin)",
    responses={
        **AUTH_RESPONSES,
        404: {"description": "No such model."},
        503: {"description": "The registry (or the identity provider) is unreachable."},
    },
)
async def reload(
    name: ModelName, user: AdminUser, services: ServicesDep, db: DbSession
) -> ReloadResponse:
    try:
        previous, served = await services.models.reload(name)
    except UnknownModelError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except ModelNotLoadedError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(error)) from None
    try:
        await run_in_threadpool(
            record_audit,
            db,
            action="reload",
            actor_sub=user.sub,
            target=name,
            details={"previous_version": previous, "version": served.loaded.version},
        )
    except SQLAlchemyError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"reloaded v{served.loaded.version}, but the audit event could not be stored: "
            f"{type(error).__name__}; check the database",
        ) from None
    return ReloadResponse(name=name, previous_version=previous, version=served.loaded.version)


def summary(name: str, served: ServedModel | None, error: str | None) -> ModelSummary:
    if served is None:
        return ModelSummary(name=name, alias=CHAMPION, loaded=False, error=error)
    model = served.loaded
    return ModelSummary(
        name=name,
        alias=CHAMPION,
        loaded=True,
        version=model.version,
        run_id=model.run_id,
        loaded_at=model.loaded_at,
        metrics=model.metrics,
        inputs=[
            {"name": c.name, "type": c.type, "required": c.required} for c in model.columns or ()
        ],
        error=error,
    )
