"""The OpenAPI document, with each served model's request schema taken from its signature."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.api.model_manager import ModelManager
from {{ cookiecutter.package_name }}.api.open_inference import InferenceRequest
from {{ cookiecutter.package_name }}.api.routers.models import PREDICT_PATH
from {{ cookiecutter.package_name }}.api.routers.open_inference import INFER_PATH
from {{ cookiecutter.package_name }}.api.schemas import GenericPredictRequest

REF = "#/components/schemas/{model}"


def openapi_document(app: FastAPI, models: ModelManager) -> dict[str, Any]:
    """Built on each call: models load and swap at run time, and so do their schemas.

    The one predict route is documented as one path per model, each with that model's body:
    OpenAPI cannot tie a body schema to a path parameter's value, and a client generated from
    the document (or a fuzzer) then sends each model exactly what it accepts.
    """
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    _set_body(document["paths"][INFER_PATH]["post"], components, InferenceRequest)
    predict = document["paths"].pop(PREDICT_PATH)["post"]
    for status in models.statuses():
        request_type = status.served.request_type if status.served else GenericPredictRequest
        operation = copy.deepcopy(predict)
        operation["operationId"] = f"{predict['operationId']}_{status.name.replace('-', '_')}"
        operation["summary"] = f"Predict with {status.name} (its champion version)"
        _set_body(operation, components, request_type)
        document["paths"][PREDICT_PATH.format(name=status.name)] = {"post": operation}
    return document


def _set_body(operation: dict[str, Any], components: dict[str, Any], body: type[BaseModel]) -> None:
    """`body` as the operation's JSON request body (its handler reads the raw bytes)."""
    schema = body.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components[body.__name__] = schema
    content = {"application/json": {"schema": {"$ref": REF.format(model=body.__name__)}}}
    operation["requestBody"] = {"required": True, "content": content}
