"""Streamlit's OIDC login is configured through a secrets file; this writes it from the settings.

Streamlit reads `[auth]` from secrets.toml (redirect_uri, cookie_secret, client_id, client_secret,
server_metadata_url). The file is generated at start-up, readable only by its owner, so the one
settings object stays the single source of configuration.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from {{ cookiecutter.package_name }}.config import Settings


def auth_section(settings: Settings) -> dict[str, str | list[str]]:
    """The `[auth]` table: the dashboard as an OIDC client of the issuer, exposing its tokens."""
    issuer = settings.oidc_issuer_url.rstrip("/")
    return {
        "redirect_uri": f"{settings.dashboard_url.rstrip('/')}/oauth2callback",
        "cookie_secret": settings.session_secret.get_secret_value(),
        "client_id": settings.oidc_client_id,
        "client_secret": settings.oidc_client_secret.get_secret_value(),
        "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
        # The access token carries the roles and is what the API accepts on the user's behalf.
        "expose_tokens": ["id", "access"],
    }


def render_secrets(settings: Settings) -> str:
    """secrets.toml text: `[auth]` when login is on, an empty document when it is off."""
    if not settings.auth_enabled:
        return "# AUTH_ENABLED=false: no login (dev only).\n"
    lines = ["[auth]"]
    for key, value in auth_section(settings).items():
        # A JSON string or list of strings is also a valid TOML basic string or array.
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def write_secrets(settings: Settings, path: Path) -> Path:
    """Write the secrets file atomically with owner-only permissions; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-", suffix=".toml")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(render_secrets(settings))
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
