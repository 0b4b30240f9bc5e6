"""The authenticated caller as the rest of the application sees it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    """Who called: the token's `sub`, its roles, and when the token stops being valid."""

    sub: str
    roles: frozenset[str]
    expires_at: float | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles
