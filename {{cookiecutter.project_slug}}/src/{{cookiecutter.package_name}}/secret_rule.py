"""The one rule for secrets, shared by every component: settings (API, dashboard), Compose, Helm.

Standard library only, so Compose's check service and a bare `python -m` can run it too:
`python -m {{ cookiecutter.package_name }}.secret_rule NAME...` checks those environment variables.
"""

from __future__ import annotations

import os
import re
import sys

# `make env` writes secrets.token_urlsafe(32), 43 characters; 32 still admits an IdP's own
# generated client secrets (Keycloak makes 32), while refusing anything typed by hand.
MIN_SECRET_LENGTH = 32
# Markers of a value meant to be replaced, compared with case and separators removed,
# so `CHANGE_ME`, `Change-Me` and `changeme` are one placeholder.
PLACEHOLDER_MARKERS = ("changeme", "replaceme", "placeholder", "cionly", "notasecret", "fixme")
# Well-known defaults and dictionary favourites, compared the same way.
WEAK_VALUES = frozenset(
    {
        "password", "passw0rd", "secret", "admin", "root", "123456", "12345678", "123456789",
        "qwerty", "letmein", "changeit", "default", "test", "example", "minioadmin",
        "postgres", "keycloak", "mlflow",
    }
)  # fmt: skip
MIN_DISTINCT_CHARACTERS = 8


def _normalized(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def secret_problem(value: str | None, *, min_length: int = MIN_SECRET_LENGTH) -> str | None:
    """Why `value` is not an acceptable secret (never quoting it), or None if it is."""
    if not value or not value.strip():
        return "is empty"
    normalized = _normalized(value)
    if any(marker in normalized for marker in PLACEHOLDER_MARKERS):
        return "is still a placeholder"
    if normalized in WEAK_VALUES:
        return "is a well-known weak value"
    if len(value) < min_length:
        return f"is {len(value)} characters; use at least {min_length}"
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        return "repeats too few characters to be random"
    return None


def main(names: list[str]) -> int:
    """Check the named environment variables; one line per refused secret, exit 1 if any."""
    problems = [
        f"{name} {problem}"
        for name in names
        if (problem := secret_problem(os.environ.get(name))) is not None
    ]
    for line in problems:
        print(f"refused: {line}. Set a real value in .env (`make env` writes fresh secrets).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
