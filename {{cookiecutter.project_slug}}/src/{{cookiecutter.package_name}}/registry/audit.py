"""Who, when and why: the record every alias change leaves in the registry's tags."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime


def default_actor() -> str:
    """The OS user running the command; services pass the signed-in user instead."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class AuditRecord:
    actor: str
    reason: str
    at: str

    @classmethod
    def now(cls, *, actor: str | None, reason: str) -> AuditRecord:
        return cls(
            actor=actor or default_actor(),
            reason=reason,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def tags(self, prefix: str) -> dict[str, str]:
        return {
            f"{prefix}.by": self.actor,
            f"{prefix}.at": self.at,
            f"{prefix}.reason": self.reason,
        }
