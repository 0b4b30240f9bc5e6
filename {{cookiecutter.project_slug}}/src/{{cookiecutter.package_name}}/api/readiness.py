"""What /health/ready reports: models, registry, database, prediction log.

Ready means the pod can take traffic: the database is current and every model that has a
`champion` is loaded. A model the registry says has no champion yet (the pipeline has not run)
leaves the API ready but `degraded`: its predictions answer 503 with the reason, the other
models serve, and a fresh install is not held back waiting for a first training run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.api.services import Services
from {{ cookiecutter.package_name }}.db.migrate import current_revision, head_revision

UPGRADE_COMMAND = "{{ cookiecutter.project_slug }} db upgrade"


def readiness(services: Services) -> dict[str, Any]:
    models = {
        status.name: {
            "loaded": status.served is not None,
            "version": status.served.loaded.version if status.served else None,
            "champion": not status.champion_missing,
            "error": status.error,
        }
        for status in services.models.statuses()
    }
    database = database_status(services)
    writer = services.log_writer
    servable = all(model["loaded"] or not model["champion"] for model in models.values())
    return {
        "ready": servable and database["reachable"] and database["schema_current"],
        "degraded": not all(model["loaded"] for model in models.values()),
        "models": models,
        "registry": {
            "reachable": services.models.registry_error is None
            and services.models.registry_checked_at is not None,
            "error": services.models.registry_error,
            "checked_at": services.models.registry_checked_at.isoformat()
            if services.models.registry_checked_at
            else None,
        },
        "database": database,
        "prediction_log": {
            "pending": writer.pending,
            "dropped": writer.dropped,
            "last_error": writer.last_error,
        },
        "auth": "enabled" if services.verifier else "DISABLED (ENVIRONMENT=dev only)",
    }


def database_status(services: Services) -> dict[str, Any]:
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(services.engine)
    except SQLAlchemyError as error:
        return {
            "reachable": False,
            "schema_current": False,
            "error": f"{type(error).__name__}: {str(error).splitlines()[0]}",
        }
    head = head_revision()
    return {
        "reachable": True,
        "schema_current": revision == head,
        "error": None
        if revision == head
        else f"schema at {revision}, code expects {head}: run `{UPGRADE_COMMAND}`",
    }
