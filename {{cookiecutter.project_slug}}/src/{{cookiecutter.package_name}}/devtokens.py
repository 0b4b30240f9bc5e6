"""Tokens from the development identity provider (dev_identity.py), by its sign-in flow.

A token is what the dashboard gets when a user signs in there: the authorization-code flow, as
the dashboard's client. Roles live in the user's claims at the provider; asking for other roles
changes them for the one sign-in and puts the user's own back, so nobody loses a role.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, quote, urlparse

import httpx

from {{ cookiecutter.package_name }}.auth.roles import parse_claim_paths, roles_from_claims

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.config import Settings

ALL_ROLES = ("viewer", "predictor", "admin")
DEV_CLIENT_ID = "dev-token"
REDIRECT_URI = "http://127.0.0.1/callback"


class DevTokenError(Exception):
    """The provider could not be reached or refused; the message says what to do."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    roles: frozenset[str]


def claims_with_roles(roles_claim: str, roles: Iterable[str]) -> dict[str, Any]:
    """`realm_access.roles` + [a] -> {"realm_access": {"roles": [a]}} (first configured path)."""
    path = roles_claim.split(",")[0].strip().split(".")
    claims: dict[str, Any] = {path[-1]: sorted(roles)}
    for key in reversed(path[:-1]):
        claims = {key: claims}
    return claims


def token_for(
    *,
    issuer: str,
    sub: str,
    settings: Settings,
    add_roles: Sequence[str],
    only: bool = False,
) -> IssuedToken:
    """An access token for `sub`: their roles plus `add_roles`, or exactly `add_roles` (`only`).

    A user the provider does not know yet is created with every role.
    """
    paths = parse_claim_paths(settings.oidc_roles_claim)
    try:
        with httpx.Client(base_url=issuer, timeout=10) as http:
            stored = _user_claims(http, sub)
            if stored is None:
                stored = {"email": sub, **claims_with_roles(settings.oidc_roles_claim, ALL_ROLES)}
                _put_user(http, sub, stored)
            own = roles_from_claims(stored, paths)
            roles = frozenset(add_roles) if only else own | frozenset(add_roles)
            if roles == own:
                return IssuedToken(_sign_in(http, sub, DEV_CLIENT_ID)["access_token"], roles)
            _put_user(http, sub, {**stored, **claims_with_roles(settings.oidc_roles_claim, roles)})
            try:
                return IssuedToken(_sign_in(http, sub, DEV_CLIENT_ID)["access_token"], roles)
            finally:
                _put_user(http, sub, stored)
    except httpx.HTTPError as error:
        raise DevTokenError(
            f"cannot get a token from {issuer} ({error}); is `make dev` running?"
        ) from None


def issue_dev_token(
    *,
    issuer: str,
    sub: str,
    roles: Sequence[str],
    roles_claim: str,
    client_id: str = DEV_CLIENT_ID,
    kind: Literal["access_token", "id_token"] = "access_token",
) -> str:
    """Set `sub`'s roles at the provider, sign in as `client_id`, return that token (for tests).

    The access token is for the API's audience; the ID token's audience is `client_id`.
    """
    with httpx.Client(base_url=issuer, timeout=10) as http:
        _put_user(http, sub, {"email": sub, **claims_with_roles(roles_claim, roles)})
        return _sign_in(http, sub, client_id)[kind]


def _user_claims(http: httpx.Client, sub: str) -> dict[str, Any] | None:
    response = http.get(f"/users/{quote(sub, safe='')}")
    if response.status_code == 404:
        return None
    response.raise_for_status()
    claims: dict[str, Any] = response.json()
    return claims


def _put_user(http: httpx.Client, sub: str, claims: Mapping[str, Any]) -> None:
    http.put(f"/users/{quote(sub, safe='')}", json=dict(claims)).raise_for_status()


def _sign_in(http: httpx.Client, sub: str, client_id: str) -> dict[str, str]:
    """The authorization-code flow, with the provider's sign-in form answered for `sub`."""
    authorize = http.post(
        "/oauth2/authorize",
        params={
            "client_id": client_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid profile email",
            "state": secrets.token_urlsafe(8),
        },
        data={"sub": sub},
    )
    location = authorize.headers.get("location")
    if authorize.status_code != 302 or not location:
        raise DevTokenError(f"the provider refused the sign-in: HTTP {authorize.status_code}")
    code = parse_qs(urlparse(location).query)["code"][0]
    token = http.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": client_id,
            "client_secret": "dev",
        },
    )
    token.raise_for_status()
    tokens: dict[str, str] = token.json()
    return tokens
