"""The dashboard tests' helpers: the app script, widget look-up, and the shared real back ends."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import {{ cookiecutter.package_name }}.dashboard as dashboard_package

from tests.fixtures.iris_registry import (
    ACCURACY,
    MODEL,
    NOT_REGISTERED,
    Registry,
    build_registry,
    write_prediction_log,
)

APP_SCRIPT = Path(dashboard_package.__file__).with_name("app.py")
VIEWS = APP_SCRIPT.with_name("views")
T = TypeVar("T")
# Nothing listens here: an opaque access token is rejected before any key is fetched.
UNREACHABLE_ISSUER = "http://127.0.0.1:9/realms/test"

__all__ = [
    "ACCURACY",
    "APP_SCRIPT",
    "MODEL",
    "NOT_REGISTERED",
    "UNREACHABLE_ISSUER",
    "VIEWS",
    "Registry",
    "build_registry",
    "by_label",
    "signed_in",
    "write_prediction_log",
]


def by_label(widgets: Iterable[T], label: str) -> T:
    """The AppTest widget with this label (AppTest looks widgets up by key or position only)."""
    return next(w for w in widgets if getattr(w, "label", None) == label)


def signed_in(roles: list[str], *, token: str = "opaque-access-token") -> dict[str, object]:  # noqa: S107
    """What st.user holds after an OIDC login whose ID token carries Keycloak realm roles."""
    return {
        "is_logged_in": True,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "realm_access": {"roles": roles},
        "tokens": {"access": token},
    }
