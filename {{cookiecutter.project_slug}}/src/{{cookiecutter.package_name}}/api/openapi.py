"""The OpenAPI document, with each served model's request schema taken from its signature."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from {{ cookiecutter.package_name }}.api.model_manager import ModelManager
from {{ cookiecutter.package_name }}.api.routers.models import PREDICT_PATH
from {{ cookiecutter.package_name }}.api.schemas import GenericPredictRequest

REF = "#/components/schemas/{model}"


def openapi_document(app: FastAPI, models: ModelManager) -> dict[str, Any]:
    """Built on each call: models load and swap at run time, and so do their schemas."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    request_schemas = []
    for status in models.statuses():
        request_type = status.served.request_type if status.served else GenericPredictRequest
        schema = request_type.model_json_schema(ref_template=REF)
        components.update(schema.pop("$defs", {}))
        components[request_type.__name__] = schema
        request_schemas.append({"$ref": REF.format(model=request_type.__name__)})
    operation = document["paths"][PREDICT_PATH]["post"]
    body_schema = request_schemas[0] if len(request_schemas) == 1 else {"anyOf": request_schemas}
    operation["requestBody"]["content"]["application/json"]["schema"] = body_schema
    operation["parameters"] = [
        {
            "name": "name",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": models.names},
            "description": "One of SERVED_MODELS; the body must match that model's schema.",
        }
    ]
    return document
