"""Access tokens from the configured OIDC provider, for the command line and integrations.

Machines use client credentials (`ClientCredentialsToken`); people use the OAuth 2
device authorization grant (RFC 8628): we print a URL and a code, they sign in with a browser on
any device, and we poll the token endpoint until the provider answers with a token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class TokenRequestError(Exception):
    """The provider refused or could not be reached; the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What the person must do: open `verification_uri` and type `user_code` there."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def provider_metadata(issuer_url: str, *, timeout: float = 10.0) -> dict[str, Any]:
    """The issuer's discovery document (token and device endpoints)."""
    url = f"{issuer_url.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise TokenRequestError(
            f"cannot read {url} ({error}); check OIDC_ISSUER_URL and that the provider is running"
        ) from None
    return document


def token_endpoint(issuer_url: str) -> str:
    return str(provider_metadata(issuer_url)["token_endpoint"])


def start_device_authorization(
    issuer_url: str, *, client_id: str, scope: str = "openid"
) -> tuple[str, DeviceCode]:
    """Ask for a device code; returns the token endpoint to poll and what to show the person."""
    metadata = provider_metadata(issuer_url)
    endpoint = metadata.get("device_authorization_endpoint")
    if not endpoint:
        raise TokenRequestError(
            f"{issuer_url} offers no device authorization grant; enable it for client {client_id}"
        )
    answer = _post(str(endpoint), {"client_id": client_id, "scope": scope})
    return str(metadata["token_endpoint"]), DeviceCode(
        device_code=str(answer["device_code"]),
        user_code=str(answer["user_code"]),
        verification_uri=str(answer["verification_uri"]),
        verification_uri_complete=answer.get("verification_uri_complete"),
        expires_in=float(answer.get("expires_in", 600)),
        interval=float(answer.get("interval", 5)),
    )


def poll_device_token(
    token_url: str,
    code: DeviceCode,
    *,
    client_id: str,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Poll until the person has signed in (RFC 8628 section 3.5); the access token."""
    sleep = sleep or time.sleep
    form = {"grant_type": DEVICE_GRANT, "device_code": code.device_code, "client_id": client_id}
    interval = code.interval
    deadline = clock() + code.expires_in
    while clock() < deadline:
        sleep(interval)
        response = _send(token_url, form)
        if response.status_code == 200:
            return str(response.json()["access_token"])
        error = _error_code(response)
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        if error == "access_denied":
            raise TokenRequestError("the sign-in was declined")
        if error == "expired_token":
            break
        raise TokenRequestError(f"the provider refused the token request: {describe(response)}")
    raise TokenRequestError("the code expired before anyone signed in; run the command again")


def _post(url: str, form: dict[str, str]) -> dict[str, Any]:
    response = _send(url, form)
    if response.is_error:
        raise TokenRequestError(f"the provider refused the request: {describe(response)}")
    payload: dict[str, Any] = response.json()
    return payload


def _send(url: str, form: dict[str, str]) -> httpx.Response:
    try:
        return httpx.post(url, data=form, timeout=10)
    except httpx.HTTPError as error:
        raise TokenRequestError(f"cannot reach {url}: {error}") from None


def _error_code(response: httpx.Response) -> str | None:
    try:
        return str(response.json().get("error"))
    except (ValueError, AttributeError):
        return None


def describe(response: httpx.Response) -> str:
    """The provider's error and its description (never the request, which holds secrets)."""
    try:
        body = response.json()
        reason = f"{body.get('error')}: {body.get('error_description', '')}".strip()
        return f"HTTP {response.status_code} {reason}"
    except (ValueError, AttributeError):
        return f"HTTP {response.status_code}"


class ClientCredentialsToken:
    """Service-to-service tokens (OAuth 2 client credentials), renewed shortly before expiry."""

    def __init__(
        self, *, token_url: str, client_id: str, client_secret: str, scope: str | None = None
    ) -> None:
        self._token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        if scope:
            self._form["scope"] = scope
        self._issuer_url: str | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def for_issuer(
        cls, issuer_url: str, *, client_id: str, client_secret: str, scope: str | None = None
    ) -> ClientCredentialsToken:
        """Tokens from the issuer's token endpoint, found by OIDC discovery at the first call."""
        provider = cls(token_url="", client_id=client_id, client_secret=client_secret, scope=scope)
        provider._issuer_url = issuer_url
        return provider

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - 30:
                if not self._token_url and self._issuer_url:
                    self._token_url = token_endpoint(self._issuer_url)
                response = httpx.post(self._token_url, data=self._form, timeout=10)
                if response.is_error:
                    # The provider's reason (e.g. unauthorized_client), never the secret we sent.
                    raise TokenRequestError(
                        f"client {self._form['client_id']} got no token: {describe(response)}"
                    )
                payload = response.json()
                self._token = str(payload["access_token"])
                self._expires_at = time.monotonic() + float(payload.get("expires_in", 300))
            return self._token
