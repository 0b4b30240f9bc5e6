"""/v2: the Open Inference Protocol's REST routes, so MLServer, KServe and Triton clients work.

Same auth, roles, batching, prediction log and hot swap as /v1; errors are `{"error": ...}`
with status 400, as the protocol says.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.api.deps import (
    ServicesDep,
    ViewerUser,
    authorize,
    bearer,
    served_model,
)
from {{ cookiecutter.package_name }}.api.open_inference import (
    InferenceRequest,
    model_metadata,
    v2_response,
    v2_table,
)
from {{ cookiecutter.package_name }}.api.predictions import predict
from {{ cookiecutter.package_name }}.api.readiness import readiness
from {{ cookiecutter.package_name }}.api.request_body import read_json_body
from {{ cookiecutter.package_name }}.api.routers.models import AUTH_RESPONSES, ModelName
from {{ cookiecutter.package_name }}.api.services import Services
from {{ cookiecutter.package_name }}.api.serving import ServedModel, invalid_records
from {{ cookiecutter.package_name }}.api.tables import InvalidRecordsError, ParsedRecords
from {{ cookiecutter.package_name }}.auth import Role

router = APIRouter(prefix="/v2", tags=["open inference (v2)"])

INFER_PATH = "/v2/models/{name}/infer"
NOT_READY = {"description": "Not ready (any status but 200 means not ready)."}


@router.get("", summary="Server metadata", responses=AUTH_RESPONSES)
async def server_metadata(_user: ViewerUser) -> dict[str, Any]:
    return {"name": "{{ cookiecutter.project_slug }}", "version": __version__, "extensions": []}


@router.get("/health/live", summary="The server is live")
async def live() -> dict[str, bool]:
    return {"live": True}


@router.get("/health/ready", summary="Ready: as /health/ready", responses={503: NOT_READY})
async def ready(services: ServicesDep) -> JSONResponse:
    report: dict[str, Any] = await run_in_threadpool(readiness, services)
    return JSONResponse({"ready": report["ready"]}, status_code=200 if report["ready"] else 503)


@router.get(
    "/models/{name}",
    summary="Model metadata: version, input tensors, output",
    responses={**AUTH_RESPONSES, 404: {"description": "No such model."}},
)
async def metadata(name: ModelName, _user: ViewerUser, services: ServicesDep) -> dict[str, Any]:
    return model_metadata(served_model(services, name))


@router.get(
    "/models/{name}/ready",
    summary="The model is loaded and serving",
    responses={**AUTH_RESPONSES, 404: {"description": "No such model."}, 503: NOT_READY},
)
async def model_ready(name: ModelName, _user: ViewerUser, services: ServicesDep) -> JSONResponse:
    try:
        served_model(services, name)
    except HTTPException as error:
        if error.status_code != status.HTTP_503_SERVICE_UNAVAILABLE:
            raise
        return JSONResponse({"name": name, "ready": False}, status_code=error.status_code)
    return JSONResponse({"name": name, "ready": True})


@router.post(
    "/models/{name}/infer",
    summary="Predict with the model's champion: one tensor per column, or one [n, k] tensor",
    responses={
        **AUTH_RESPONSES,
        400: {"description": "The tensors do not fit the model's signature: `error` says why."},
        404: {"description": "No such model."},
        413: {"description": "The body is larger than MAX_REQUEST_BYTES; split the rows."},
        415: {"description": "The body is not sent as application/json."},
    },
    openapi_extra={"security": [{bearer.scheme_name: []}]},
)
async def infer(request: Request) -> Response:
    # The hot path resolves its inputs itself, as /v1's predict does.
    services: Services = request.app.state.services
    user = await authorize(services, await bearer(request), Role.PREDICTOR)
    served = served_model(services, request.path_params["name"])
    body = await read_json_body(request, max_bytes=services.settings.max_request_bytes)
    request_id = uuid.uuid4().hex
    envelopes: list[InferenceRequest] = []  # parsed inside predict(), which counts its errors

    def parse(model: ServedModel) -> ParsedRecords:
        try:
            envelopes.append(InferenceRequest.model_validate_json(body))
        except ValidationError as error:
            raise invalid_records(error, max_batch_size=model.max_batch_size) from None
        return model.validate(v2_table(envelopes[0], model))

    try:
        prediction = await predict(
            served=served,
            parse=parse,
            request_id=request_id,
            caller_sub=user.sub,
            metrics=services.metrics,
            log_writer=services.log_writer,
        )
    except InvalidRecordsError as error:
        return JSONResponse(
            {"error": error.message, "errors": error.errors},
            status_code=status.HTTP_400_BAD_REQUEST,
            headers={"X-Request-ID": request_id},
        )
    return Response(
        # The client's own id comes back in the body; the log keys rows by ours.
        v2_response(prediction, response_id=envelopes[0].id or request_id),
        media_type="application/json",
        headers={"X-Request-ID": request_id},
    )
