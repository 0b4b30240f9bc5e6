"""Audit trail: administrative actions, written synchronously (rare, and must not be lost)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db.models import AuditEvent


def record_audit(
    session: Session, *, action: str, actor_sub: str | None, target: str, details: dict[str, Any]
) -> AuditEvent:
    event = AuditEvent(action=action, actor_sub=actor_sub, target=target, details=details)
    session.add(event)
    session.commit()
    return event
