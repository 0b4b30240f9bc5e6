"""Tables of the app database. Change them only together with a new Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite autoincrements only INTEGER primary keys; PostgreSQL gets a 64-bit key.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class PredictionLog(Base):
    """One served predict request: what came in, what went out, for whom, how fast."""

    __tablename__ = "prediction_log"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    model_name: Mapped[str] = mapped_column(String(200), index=True)
    model_version: Mapped[str] = mapped_column(String(50))
    # By column ({name: [values]}) for a model with a signature, else the records as sent.
    inputs: Mapped[dict[str, list[Any]] | list[dict[str, Any]]] = mapped_column(JSON)
    outputs: Mapped[list[Any]] = mapped_column(JSON)
    latency_ms: Mapped[float] = mapped_column(Float)
    caller_sub: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )


class AuditEvent(Base):
    """An administrative action (reload, promote, rollback): who did what to which model."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    actor_sub: Mapped[str | None] = mapped_column(String(255))
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
