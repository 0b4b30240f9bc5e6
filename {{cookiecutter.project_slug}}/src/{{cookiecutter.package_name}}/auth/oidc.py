"""Bearer-token verification against an OIDC issuer's published keys (PyJWT does the crypto).

The issuer's JWKS is discovered from `<issuer>/.well-known/openid-configuration`, cached, and
fetched again when a token names a key id we do not know (key rotation). Tokens already
verified are remembered until they expire, so a client reusing its token costs one dict lookup.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from {{ cookiecutter.package_name }}.auth.issuer import issuer_mismatch
from {{ cookiecutter.package_name }}.auth.roles import parse_claim_paths, roles_from_claims
from {{ cookiecutter.package_name }}.auth.user import User

# Asymmetric only: an HMAC algorithm would let anyone holding the public key mint tokens.
ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class InvalidTokenError(Exception):
    """The token is malformed, expired, or not signed by the issuer; the message says which."""


class IdentityProviderUnavailableError(Exception):
    """The issuer's discovery document or keys could not be fetched."""


@dataclass(frozen=True, slots=True)
class _SigningKey:
    public_key: Any
    declared_algorithm: str | None


class TokenVerifier:
    """Verifies access tokens for one issuer and audience; safe to share between threads."""

    def __init__(
        self,
        *,
        issuer_url: str,
        audience: str,
        roles_claim: str,
        leeway_seconds: float = 0.0,
        http_timeout_seconds: float = 5.0,
        cache_size: int = 10_000,
        min_refresh_seconds: float = 10.0,
    ) -> None:
        self.issuer = issuer_url.rstrip("/")
        self.audience = audience
        self._role_paths = parse_claim_paths(roles_claim)
        self._leeway = leeway_seconds
        self._timeout = http_timeout_seconds
        self._cache_size = cache_size
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str | None, _SigningKey] = {}
        self._jwks_uri: str | None = None
        self._fetched_at = float("-inf")
        self._refresh_lock = threading.Lock()
        self._verified: OrderedDict[str, User] = OrderedDict()

    def cached(self, token: str) -> User | None:
        """The caller of an already-verified, still-valid token, without any crypto."""
        user = self._verified.get(token)
        if user is None:
            return None
        if user.expires_at is not None and user.expires_at <= time.time() - self._leeway:
            self._verified.pop(token, None)
            return None
        return user

    def verify(self, token: str) -> User:
        """The caller of `token`, or InvalidTokenError naming what is wrong with it."""
        user = self.cached(token)
        if user is not None:
            return user
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError(f"malformed token: {error}") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise InvalidTokenError(
                f"algorithm {algorithm!r} is not accepted; use one of {sorted(ALLOWED_ALGORITHMS)}"
            )
        key = self._signing_key(header.get("kid"))
        if key.declared_algorithm not in (None, algorithm):
            raise InvalidTokenError(
                f"token algorithm {algorithm} does not match its key's {key.declared_algorithm}"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.public_key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidIssuerError:
            raise InvalidTokenError(issuer_mismatch(token, self.issuer)) from None
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from None
        user = User(
            sub=str(claims["sub"]),
            roles=roles_from_claims(claims, self._role_paths),
            expires_at=float(claims["exp"]),
        )
        self._remember(token, user)
        return user

    def _remember(self, token: str, user: User) -> None:
        self._verified[token] = user
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)

    def _signing_key(self, kid: object) -> _SigningKey:
        if kid is not None and not isinstance(kid, str):
            raise InvalidTokenError("malformed token: `kid` header is not a string")
        key = self._lookup(kid)
        if key is None:
            # An unknown key id may mean the issuer rotated keys: refetch, rate-limited.
            self.refresh_keys(force=False)
            key = self._lookup(kid)
        if key is None:
            raise InvalidTokenError(f"no key with id {kid!r} in the issuer's JWKS")
        return key

    def _lookup(self, kid: str | None) -> _SigningKey | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def refresh_keys(self, *, force: bool = True) -> None:
        """Fetch the issuer's keys (discovering the JWKS address first if needed)."""
        with self._refresh_lock:
            if not force and time.monotonic() - self._fetched_at < self._min_refresh:
                return
            try:
                if self._jwks_uri is None:
                    self._jwks_uri = self._discover_jwks_uri()
                response = httpx.get(self._jwks_uri, timeout=self._timeout)
                response.raise_for_status()
                keys = _signing_keys(response.json())
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                raise IdentityProviderUnavailableError(
                    f"cannot fetch signing keys from {self.issuer}: {error}"
                ) from None
            self._keys = keys
            self._fetched_at = time.monotonic()

    def _discover_jwks_uri(self) -> str:
        url = f"{self.issuer}/.well-known/openid-configuration"
        response = httpx.get(url, timeout=self._timeout)
        response.raise_for_status()
        document = response.json()
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise ValueError(
                f"{url} names issuer {document.get('issuer')!r}, not {self.issuer!r}: "
                "set OIDC_ISSUER_URL to the issuer exactly as the provider reports it"
            )
        return str(document["jwks_uri"])


def _signing_keys(jwks: dict[str, Any]) -> dict[str | None, _SigningKey]:
    """Usable signature keys of a JWKS by key id; encryption and unsupported keys are skipped."""
    keys: dict[str | None, _SigningKey] = {}
    for entry in jwks["keys"]:
        if entry.get("use", "sig") != "sig":
            continue
        try:
            parsed = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
        keys[entry.get("kid")] = _SigningKey(
            public_key=parsed.key, declared_algorithm=entry.get("alg")
        )
    if not keys:
        raise ValueError("the JWKS holds no usable signing key")
    return keys
