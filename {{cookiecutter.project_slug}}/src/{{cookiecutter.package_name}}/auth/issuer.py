"""Why a token's issuer is not ours, in words that point at the fix (most often: the host name)."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt


def issuer_mismatch(token: str, expected: str) -> str:
    """The 401 message for a token whose `iss` is not `expected` (its signature already checked)."""
    try:
        actual = str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
    except jwt.PyJWTError:
        return "Invalid issuer"
    got, want = urlsplit(actual.rstrip("/")), urlsplit(expected.rstrip("/"))
    same_but_host = (got.scheme, got.port, got.path) == (want.scheme, want.port, want.path)
    if got.hostname != want.hostname and same_but_host:
        return (
            f"token issuer {actual!r} differs from OIDC_ISSUER_URL {expected!r} only by host name: "
            "request tokens at the issuer URL the API is configured with (a token names the host "
            "it was requested at); for Compose add `127.0.0.1 keycloak` to /etc/hosts or set "
            "KC_HOSTNAME, see docs/keycloak.md"
        )
    return f"token issuer {actual!r} is not OIDC_ISSUER_URL {expected!r}"
