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

__all__ = [
    "ACCURACY",
    "APP_SCRIPT",
    "MODEL",
    "NOT_REGISTERED",
    "VIEWS",
    "Registry",
    "build_registry",
    "by_label",
    "write_prediction_log",
]


def by_label(widgets: Iterable[T], label: str) -> T:
    """The AppTest widget with this label (AppTest looks widgets up by key or position only)."""
    return next(w for w in widgets if getattr(w, "label", None) == label)
